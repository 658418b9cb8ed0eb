#include "ui/jobs/job.h"

#include <QFileInfo>
#include <QRegularExpression>

namespace understudy::ui {

namespace {
const QString kCliErrorPrefix = QStringLiteral("understudy-cli: error: ");
}

Job::Job(int id, QString program, QString recipePath, QString workspacePath, QObject* parent)
    : QObject(parent),
      m_id(id),
      m_program(std::move(program)),
      m_recipePath(std::move(recipePath)),
      m_workspacePath(std::move(workspacePath)) {
  m_killTimer.setSingleShot(true);
  connect(&m_killTimer, &QTimer::timeout, this, &Job::kill);
  connect(&m_process, &QProcess::readyReadStandardOutput, this, &Job::readEvents);
  connect(&m_process, &QProcess::readyReadStandardError, this, &Job::readLog);
  connect(&m_process, &QProcess::finished, this, &Job::processFinished);
  connect(&m_process, &QProcess::errorOccurred, this, &Job::processError);
}

Job::~Job() {
  // The controller stops jobs before it deletes them; this is the last resort.
  if (m_process.state() != QProcess::NotRunning) {
    m_process.disconnect(this);
    m_process.kill();
    m_process.waitForFinished(2000);
  }
}

QStringList Job::arguments(const QString& recipePath, const QString& workspacePath) {
  return {QStringLiteral("--events"), QStringLiteral("-"), QStringLiteral("run"), recipePath, QStringLiteral("-w"),
          workspacePath};
}

QString Job::stateName(State state) {
  switch (state) {
    case State::Starting: return tr("starting");
    case State::Running: return tr("running");
    case State::Stopping: return tr("stopping");
    case State::Finished: return tr("finished");
    case State::Cancelled: return tr("cancelled");
    case State::Failed: return tr("failed");
    case State::Killed: return tr("killed");
  }
  return {};
}

QString Job::databaseStatus(State state) {
  switch (state) {
    case State::Starting:
    case State::Running:
    case State::Stopping: return QStringLiteral("running");
    case State::Finished: return QStringLiteral("finished");
    case State::Cancelled: return QStringLiteral("cancelled");
    case State::Failed:
    case State::Killed: return QStringLiteral("failed");
  }
  return {};
}

QString Job::progressText() const {
  QString text = m_progressDetail;
  if (isActive() && m_stepProgress >= 0.0) {
    const QString percent = tr("%1 %").arg(qRound(m_stepProgress * 100.0));
    text = text.isEmpty() ? percent : tr("%1 · %2").arg(text, percent);
  }
  return text;
}

qint64 Job::elapsedMs() const {
  if (m_endedAfterMs >= 0) return m_endedAfterMs;
  return m_clock.isValid() ? m_clock.elapsed() : 0;
}

void Job::start() {
  m_clock.start();
  m_process.setProgram(m_program);
  m_process.setArguments(arguments(m_recipePath, m_workspacePath));
  // Relative paths inside the recipe's own messages read best from its folder.
  m_process.setWorkingDirectory(QFileInfo(m_recipePath).absolutePath());
  appendLog(tr("$ %1 %2\n").arg(m_program, arguments(m_recipePath, m_workspacePath).join(QLatin1Char(' '))));
  m_process.start(QIODevice::ReadOnly);
}

void Job::stop(int graceMs) {
  if (!isActive() || m_process.state() == QProcess::NotRunning) return;
  m_stopRequested = true;
  setState(State::Stopping);
  appendLog(tr("[workbench] stop: SIGTERM sent; the running step writes its checkpoint (SIGKILL in %1 s if it is "
               "still running)\n")
                .arg(graceMs / 1000.0, 0, 'f', 1));
  m_process.terminate();
  m_killTimer.start(std::max(0, graceMs));
}

void Job::kill() {
  if (m_process.state() == QProcess::NotRunning) return;
  m_killed = true;
  appendLog(tr("[workbench] SIGKILL sent: the job did not end after SIGTERM\n"));
  m_process.kill();
}

bool Job::waitForFinished(int ms) {
  if (m_process.state() == QProcess::NotRunning) return true;
  return m_process.waitForFinished(ms);
}

void Job::readEvents() {
  for (const JobEvent& e : m_events.feed(m_process.readAllStandardOutput())) handle(e);
}

void Job::readLog() { appendLog(m_logDecoder.decode(m_process.readAllStandardError())); }

void Job::handle(const JobEvent& e) {
  if (e.run > 0) m_runIds.insert(e.run);
  if (e.type == QLatin1String("status")) {
    if (e.name == QLatin1String("started") && m_recipeRunId == 0 && e.extraString("kind") == QLatin1String("recipe")) {
      m_recipeRunId = e.run;
      if (m_state == State::Starting) setState(State::Running);
    }
    if (e.run == m_recipeRunId && m_recipeRunId != 0) {
      m_recipeStatus = e.name;
      const QString error = e.extraString("error");
      if (!error.isEmpty()) m_errorMessage = error;
    }
    if (e.run != m_recipeRunId && e.name != QLatin1String("started")) {
      m_stepProgress = -1.0;  // that step is over
      emit progressChanged(this);
    }
  } else if (e.type == QLatin1String("progress")) {
    if (e.run == m_recipeRunId && e.name == QLatin1String("recipe")) {
      m_progress = e.value.value_or(m_progress);
      m_progressDetail = e.extraString("detail");
      m_stepProgress = -1.0;
    } else {
      m_stepProgress = e.value.value_or(-1.0);
      m_stepTask = e.name;
    }
    emit progressChanged(this);
  }
  emit eventReceived(this, e);
}

void Job::processFinished(int exitCode, QProcess::ExitStatus status) {
  readEvents();
  readLog();
  m_killTimer.stop();
  m_exitCode = exitCode;
  m_endedAfterMs = m_clock.isValid() ? m_clock.elapsed() : 0;
  State end;
  if (status == QProcess::CrashExit) {
    end = m_killed ? State::Killed : (m_stopRequested ? State::Cancelled : State::Failed);
    if (m_errorMessage.isEmpty())
      m_errorMessage = m_killed ? tr("killed with SIGKILL: SIGTERM did not end it within the grace period")
                                : tr("understudy-cli crashed (%1)").arg(m_process.errorString());
  } else if (exitCode == 0 && m_recipeStatus != QLatin1String("failed") &&
             m_recipeStatus != QLatin1String("cancelled")) {
    end = State::Finished;
  } else if (m_recipeStatus == QLatin1String("cancelled") || m_stopRequested) {
    end = State::Cancelled;
  } else {
    end = State::Failed;
  }
  if (end != State::Finished && m_errorMessage.isEmpty()) {
    const QStringList lines = m_log.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    for (auto it = lines.crbegin(); it != lines.crend(); ++it) {
      if (it->startsWith(kCliErrorPrefix)) {
        m_errorMessage = it->mid(kCliErrorPrefix.size());
        break;
      }
    }
    if (m_errorMessage.isEmpty()) m_errorMessage = tr("understudy-cli exited with status %1").arg(exitCode);
  }
  if (end == State::Finished) m_progress = 1.0;
  m_stepProgress = -1.0;
  appendLog(tr("[workbench] %1 (exit status %2)\n").arg(stateName(end)).arg(exitCode));
  setState(end);
  emit progressChanged(this);
  emit finished(this);
}

void Job::processError(QProcess::ProcessError error) {
  if (error != QProcess::FailedToStart) return;  // the others end in finished()
  m_killTimer.stop();
  m_endedAfterMs = m_clock.isValid() ? m_clock.elapsed() : 0;
  m_errorMessage = tr("%1: cannot start understudy-cli: %2 (check the path, or set UNDERSTUDY_CLI)")
                       .arg(m_program, m_process.errorString());
  appendLog(QStringLiteral("[workbench] ") + m_errorMessage + QLatin1Char('\n'));
  setState(State::Failed);
  emit finished(this);
}

void Job::appendLog(const QString& text) {
  if (text.isEmpty()) return;
  m_log += text;
  if (m_log.size() > kMaxLogChars) {
    const qsizetype cut = m_log.indexOf(QLatin1Char('\n'), m_log.size() - kMaxLogChars);
    m_log.remove(0, cut < 0 ? m_log.size() - kMaxLogChars : cut + 1);
  }
  emit logAppended(this, text);
}

void Job::setState(State state) {
  if (m_state == state) return;
  m_state = state;
  emit stateChanged(this);
}

}  // namespace understudy::ui
