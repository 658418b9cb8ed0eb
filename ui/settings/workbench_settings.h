// Every setting the workbench stores, with its key and default, in one place.
// QSettings uses the organisation/application names set in app/gui/main.cpp.
#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

#include "ui/settings/setting_entry.h"

namespace understudy::ui::settings {

// Most recently opened workspaces, newest first (absolute paths).
extern const SettingEntry<QStringList> recentWorkspaces;
// How many recent workspaces File → Open Recent keeps.
extern const SettingEntry<int> maxRecentWorkspaces;
// How often an open workspace is polled for changes made by jobs (ms).
extern const SettingEntry<int> pollIntervalMs;
// Folder the New/Open dialogs start in.
extern const SettingEntry<QString> lastDirectory;
// Main window geometry and dock/toolbar state (QWidget::saveGeometry / saveState).
extern const SettingEntry<QByteArray> windowGeometry;
extern const SettingEntry<QByteArray> windowState;
extern const SettingEntry<QByteArray> workspaceSplitterState;

// Puts `path` first in the recent list (removing duplicates, trimming to the maximum)
// and returns the new list.
QStringList addRecentWorkspace(const QString& path);
// Drops `path` from the recent list (e.g. after it failed to open).
QStringList removeRecentWorkspace(const QString& path);

}  // namespace understudy::ui::settings
