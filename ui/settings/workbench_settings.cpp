#include "ui/settings/workbench_settings.h"

#include <QDir>
#include <QFileInfo>

namespace understudy::ui::settings {

const SettingEntry<QStringList> recentWorkspaces{"workspace/recent", {}};
const SettingEntry<int> maxRecentWorkspaces{"workspace/maxRecent", 8};
const SettingEntry<int> pollIntervalMs{"workspace/pollIntervalMs", 1500};
const SettingEntry<QString> lastDirectory{"workspace/lastDirectory", QDir::homePath()};
const SettingEntry<QByteArray> windowGeometry{"mainWindow/geometry", {}};
const SettingEntry<QByteArray> windowState{"mainWindow/state", {}};
const SettingEntry<QByteArray> workspaceSplitterState{"mainWindow/workspaceSplitter", {}};

namespace {

QString normalized(const QString& path) {
  return QDir::cleanPath(QFileInfo(path).absoluteFilePath());
}

}  // namespace

QStringList addRecentWorkspace(const QString& path) {
  const QString entry = normalized(path);
  QStringList list = recentWorkspaces.value();
  list.removeAll(entry);
  list.prepend(entry);
  const int maximum = qMax(1, maxRecentWorkspaces.value());
  while (list.size() > maximum) list.removeLast();
  recentWorkspaces.setValue(list);
  return list;
}

QStringList removeRecentWorkspace(const QString& path) {
  QStringList list = recentWorkspaces.value();
  list.removeAll(normalized(path));
  recentWorkspaces.setValue(list);
  return list;
}

}  // namespace understudy::ui::settings
