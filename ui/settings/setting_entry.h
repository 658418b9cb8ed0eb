// A typed QSettings entry: key and default declared once (after QGIS's
// settings registry). All of the GUI's entries live in ui/settings/workbench_settings.h.
//
//   const SettingEntry<int> pollIntervalMs{"workspace/pollIntervalMs", 1500};
//   int ms = pollIntervalMs.value();
#pragma once

#include <QSettings>
#include <QString>
#include <QVariant>

namespace understudy::ui {

template <typename T>
class SettingEntry {
 public:
  SettingEntry(const char* key, T defaultValue)
      : m_key(QString::fromLatin1(key)), m_default(std::move(defaultValue)) {}

  const QString& key() const { return m_key; }
  const T& defaultValue() const { return m_default; }

  T value() const {
    QSettings settings;
    if (!settings.contains(m_key)) return m_default;
    return settings.value(m_key).template value<T>();
  }
  void setValue(const T& value) const {
    QSettings settings;
    settings.setValue(m_key, QVariant::fromValue(value));
  }
  void reset() const {
    QSettings settings;
    settings.remove(m_key);
  }

 private:
  QString m_key;
  T m_default;
};

}  // namespace understudy::ui
