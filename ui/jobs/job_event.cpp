#include "ui/jobs/job_event.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QJsonParseError>

namespace understudy::ui {

std::optional<JobEvent> JobEvent::fromLine(const QByteArray& line, QString* error) {
  QJsonParseError parseError{};
  const QJsonDocument doc = QJsonDocument::fromJson(line, &parseError);
  if (parseError.error != QJsonParseError::NoError || !doc.isObject()) {
    if (error != nullptr)
      *error = QCoreApplication::translate("JobEvent", "not a JSON object: %1")
                   .arg(parseError.error != QJsonParseError::NoError ? parseError.errorString()
                                                                      : QStringLiteral("array or value"));
    return std::nullopt;
  }
  QJsonObject object = doc.object();
  if (!object.value(QLatin1String("type")).isString() || !object.value(QLatin1String("name")).isString()) {
    if (error != nullptr) *error = QCoreApplication::translate("JobEvent", "an event needs the keys type and name");
    return std::nullopt;
  }
  JobEvent e;
  e.time = object.take(QLatin1String("time")).toDouble();
  e.run = object.take(QLatin1String("run")).toInteger();
  e.type = object.take(QLatin1String("type")).toString();
  e.name = object.take(QLatin1String("name")).toString();
  const QJsonValue step = object.take(QLatin1String("step"));
  if (step.isDouble()) e.step = step.toInteger();
  const QJsonValue value = object.take(QLatin1String("value"));
  if (value.isDouble()) e.value = value.toDouble();
  e.extras = object;
  return e;
}

QList<JobEvent> JobEventReader::feed(const QByteArray& bytes) {
  m_pending += bytes;
  QList<JobEvent> events;
  qsizetype start = 0;
  for (qsizetype newline = m_pending.indexOf('\n'); newline >= 0; newline = m_pending.indexOf('\n', start)) {
    const QByteArray line = m_pending.mid(start, newline - start).trimmed();
    start = newline + 1;
    ++m_lineNumber;
    if (line.isEmpty()) continue;
    QString error;
    if (auto e = JobEvent::fromLine(line, &error)) {
      events.push_back(std::move(*e));
    } else {
      ++m_malformed;
      m_lastError = QCoreApplication::translate("JobEvent", "event line %1: %2").arg(m_lineNumber).arg(error);
    }
  }
  m_pending.remove(0, start);
  return events;
}

}  // namespace understudy::ui
