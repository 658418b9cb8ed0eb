// One line of `understudy-cli --events -` (docs/events.md): a JSON object with
// time, run, type, name, optional step and value, and extra keys.
//
//   JobEventReader reader;
//   for (const JobEvent& e : reader.feed(process.readAllStandardOutput())) ...
//
// The reader keeps a line that has no newline yet until the rest arrives, and
// counts (rather than throws on) lines that are not a JSON object.
#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <optional>

namespace understudy::ui {

struct JobEvent {
  double time = 0.0;
  qint64 run = 0;
  QString type;  // metric, progress, status, log, artifact (others are kept, not interpreted)
  QString name;
  std::optional<qint64> step;
  std::optional<double> value;
  QJsonObject extras;  // every other key (kind, done, total, detail, error, message, ...)

  // Parses one line; std::nullopt and *error (when given) for a line that is
  // not a JSON object with the required keys.
  static std::optional<JobEvent> fromLine(const QByteArray& line, QString* error = nullptr);

  QString extraString(const char* key) const { return extras.value(QLatin1String(key)).toString(); }
};

class JobEventReader {
 public:
  // Appends `bytes` and returns the events of every line completed by them.
  QList<JobEvent> feed(const QByteArray& bytes);
  // Lines that were not events (reported once each through lastError()).
  int malformedLines() const { return m_malformed; }
  const QString& lastError() const { return m_lastError; }

 private:
  QByteArray m_pending;
  int m_lineNumber = 0;
  int m_malformed = 0;
  QString m_lastError;
};

}  // namespace understudy::ui
