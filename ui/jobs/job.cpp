#include "ui/jobs/job.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <optional>

#include <cerrno>
#include <csignal>
#include <unistd.h>

namespace understudy::ui {

namespace {

const QString kCliErrorPrefix = QStringLiteral("understudy-cli: error: ");

// The fields of /proc/PID/stat the job needs.
struct ProcStat {
  char state = '?';
  qint64 processGroup = 0;
  qint64 startTicks = 0;
};

std::optional<ProcStat> readProcStat(qint64 pid) {
  QFile file(QStringLiteral("/proc/%1/stat").arg(pid));
  if (!file.open(QIODevice::ReadOnly)) return std::nullopt;
  const QByteArray text = file.readAll();
  const qsizetype close = text.lastIndexOf(')');  // the command name may hold spaces and parentheses
  if (close < 0) return std::nullopt;
  const QList<QByteArray> fields = text.mid(close + 2).split(' ');
  if (fields.size() < 20 || fields[0].isEmpty()) return std::nullopt;
  ProcStat s;
  s.state = fields[0][0];
  s.processGroup = fields[2].toLongLong();
  s.startTicks = fields[19].toLongLong();  // field 22, counted from the state (field 3)
  return s;
}

// What `path` gained since `*offset`.
QByteArray readFrom(const QString& path, qint64* offset) {
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly)) return {};
  if (file.size() < *offset) *offset = 0;  // replaced: read it again
  if (!file.seek(*offset)) return {};
  QByteArray bytes = file.readAll();
  *offset += bytes.size();
  return bytes;
}

QString fileSafe(const QString& name) {
  static const QRegularExpression kUnsafe(QStringLiteral("[^A-Za-z0-9._-]+"));
  QString safe = name;
  safe.replace(kUnsafe, QStringLiteral("_"));
  return safe.isEmpty() ? QStringLiteral("recipe") : safe;
}

}  // namespace

Job::Job(int id, QString program, QString recipePath, QString workspacePath, QObject* parent)
    : QObject(parent),
      m_id(id),
      m_program(std::move(program)),
      m_recipePath(std::move(recipePath)),
      m_workspacePath(std::move(workspacePath)) {
  m_killTimer.setSingleShot(true);
  connect(&m_killTimer, &QTimer::timeout, this, &Job::kill);
  m_followTimer.setInterval(kDefaultFollowIntervalMs);
  connect(&m_followTimer, &QTimer::timeout, this, &Job::follow);
}

Job::~Job() = default;  // the process goes on; its files say how it ends

QStringList Job::arguments(const QString& recipePath, const QString& workspacePath, const QString& eventsPath) {
  return {QStringLiteral("--events"), eventsPath, QStringLiteral("run"), recipePath, QStringLiteral("-w"),
          workspacePath};
}

QString Job::filesFolder(const QString& workspacePath) {
  return QDir(workspacePath).absoluteFilePath(QStringLiteral("runs/gui-jobs"));
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
    case State::Lost: return tr("lost");
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
    case State::Killed:
    case State::Lost: return QStringLiteral("failed");
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

bool Job::processAlive(qint64 pid, qint64 startTicks) {
  if (pid <= 0) return false;
  if (::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) return false;
  const std::optional<ProcStat> stat = readProcStat(pid);
  if (!stat) return QFileInfo::exists(QStringLiteral("/proc/self")) ? false : true;  // no /proc: trust kill()
  if (stat->state == 'Z' || stat->state == 'X') return false;  // ended; nobody reaped it yet
  return startTicks == 0 || stat->startTicks == startTicks;   // else the pid was reused
}

void Job::start() {
  m_clock.start();
  const QString folder = filesFolder(m_workspacePath);
  if (!QDir().mkpath(folder)) {
    failToStart(tr("%1: cannot create the folder for the job's log and events. Check that the workspace is "
                   "writable.")
                    .arg(folder));
    return;
  }
  // <UTC time>-<recipe>.events.jsonl and .log; -2, -3 ... when two start in the same second.
  const QString stem = QStringLiteral("%1/%2-%3")
                           .arg(folder, QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMdd-HHmmss")),
                                fileSafe(QFileInfo(m_recipePath).completeBaseName()));
  QString base = stem;
  for (int n = 2; QFileInfo::exists(base + QStringLiteral(".events.jsonl")) ||
                  QFileInfo::exists(base + QStringLiteral(".log"));
       ++n)
    base = QStringLiteral("%1-%2").arg(stem).arg(n);
  m_eventsPath = base + QStringLiteral(".events.jsonl");
  m_logPath = base + QStringLiteral(".log");

  const QStringList args = arguments(m_recipePath, m_workspacePath, m_eventsPath);
  {
    QFile events(m_eventsPath);
    QFile log(m_logPath);
    if (!events.open(QIODevice::WriteOnly) || !log.open(QIODevice::WriteOnly)) {
      failToStart(tr("%1: cannot create the job's log file. Check that the workspace is writable.").arg(m_logPath));
      return;
    }
    log.write(QStringLiteral("$ %1 %2\n").arg(m_program, args.join(QLatin1Char(' '))).toUtf8());
  }

  // Detached: a session of its own (QProcess::startDetached calls setsid), stdin
  // from /dev/null, stdout and stderr appended to the log file. Nothing ties
  // it to this process: no pipe to break, no parent to wait for it.
  QProcess process;
  process.setProgram(m_program);
  process.setArguments(args);
  // Relative paths inside the recipe's own messages read best from its folder.
  process.setWorkingDirectory(QFileInfo(m_recipePath).absolutePath());
  process.setStandardInputFile(QProcess::nullDevice());
  process.setStandardOutputFile(m_logPath, QIODevice::Append);
  process.setStandardErrorFile(m_logPath, QIODevice::Append);
  qint64 pid = 0;
  if (!process.startDetached(&pid) || pid <= 0) {
    failToStart(tr("%1: cannot start understudy-cli: %2 (check the path, or set UNDERSTUDY_CLI)")
                    .arg(m_program, process.errorString()));
    return;
  }
  m_pid = pid;
  if (const std::optional<ProcStat> stat = readProcStat(pid)) {
    m_pidStartTicks = stat->startTicks;
    m_processGroup = stat->processGroup;
  }
  note(tr("started as process %1 in a session of its own; its events go to %2. Closing the workbench does not "
          "stop it.")
           .arg(pid)
           .arg(m_eventsPath));
  m_followTimer.start();
}

void Job::stop(int graceMs) {
  if (!isActive() || m_pid <= 0) return;
  if (!processAlive(m_pid, m_pidStartTicks)) {
    follow();
    return;
  }
  m_stopRequested = true;
  setState(State::Stopping);
  note(tr("stop: SIGTERM sent to process %1; the running step writes its checkpoint (SIGKILL in %2 s if it is "
          "still running)")
           .arg(m_pid)
           .arg(graceMs / 1000.0, 0, 'f', 1));
  ::kill(static_cast<pid_t>(m_pid), SIGTERM);
  m_killTimer.start(std::max(0, graceMs));
}

void Job::kill() {
  if (!isActive() || !processAlive(m_pid, m_pidStartTicks)) return;
  m_killed = true;
  note(tr("SIGKILL sent to process %1: the job did not end after SIGTERM").arg(m_pid));
  // The whole process group the job's session started with: the runner and its steps.
  if (m_processGroup > 1 && m_processGroup != ::getpgrp())
    ::kill(static_cast<pid_t>(-m_processGroup), SIGKILL);
  else
    ::kill(static_cast<pid_t>(m_pid), SIGKILL);
}

void Job::follow() {
  if (!isActive()) return;
  // Looked at before reading: whatever a process that is gone wrote is in the files by now.
  const bool alive = processAlive(m_pid, m_pidStartTicks);
  readEvents();
  readLog();
  if (!alive && isActive()) processGone();
}

void Job::note(const QString& text) {
  const QString line = QStringLiteral("[workbench] ") + text + QLatin1Char('\n');
  QFile log(m_logPath);
  if (m_logPath.isEmpty() || !log.open(QIODevice::WriteOnly | QIODevice::Append)) {
    appendLog(line);
    return;
  }
  log.write(line.toUtf8());
  log.close();
  readLog();
}

void Job::readEvents() {
  if (m_eventsPath.isEmpty()) return;
  for (const JobEvent& e : m_events.feed(readFrom(m_eventsPath, &m_eventsOffset))) handle(e);
}

void Job::readLog() {
  if (m_logPath.isEmpty()) return;
  appendLog(m_logDecoder.decode(readFrom(m_logPath, &m_logOffset)));
}

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

void Job::processGone() {
  m_followTimer.stop();
  m_killTimer.stop();
  m_endedAfterMs = m_clock.isValid() ? m_clock.elapsed() : 0;
  State end;
  if (m_recipeStatus == QLatin1String("finished")) {
    end = State::Finished;
  } else if (m_recipeStatus == QLatin1String("cancelled")) {
    end = State::Cancelled;
  } else if (m_recipeStatus == QLatin1String("failed")) {
    end = State::Failed;
  } else if (m_killed) {
    end = State::Killed;
    if (m_errorMessage.isEmpty())
      m_errorMessage = tr("killed with SIGKILL: SIGTERM did not end it within the grace period");
  } else if (m_stopRequested) {
    end = State::Cancelled;
  } else {
    end = State::Failed;  // a "understudy-cli: error:" line says why, or it was lost
  }
  if (end != State::Finished && m_errorMessage.isEmpty()) {
    const QStringList lines = m_log.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    for (auto it = lines.crbegin(); it != lines.crend(); ++it) {
      if (it->startsWith(kCliErrorPrefix)) {
        m_errorMessage = it->mid(kCliErrorPrefix.size());
        break;
      }
    }
    if (m_errorMessage.isEmpty()) {
      if (end == State::Cancelled) {
        m_errorMessage = tr("stopped before the recipe recorded its run");
      } else {
        end = State::Lost;
        m_errorMessage = tr("process %1 ended without recording how: it was killed outside the workbench or "
                            "crashed. Its log: %2")
                             .arg(m_pid)
                             .arg(m_logPath);
      }
    }
  }
  if (end == State::Finished) m_progress = 1.0;
  m_stepProgress = -1.0;
  note(stateName(end));
  setState(end);
  emit progressChanged(this);
  emit finished(this);
}

void Job::failToStart(const QString& message) {
  m_killTimer.stop();
  m_followTimer.stop();
  m_endedAfterMs = m_clock.isValid() ? m_clock.elapsed() : 0;
  m_errorMessage = message;
  note(message);
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
