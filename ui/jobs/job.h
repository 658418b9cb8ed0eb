// One `understudy-cli --events - run RECIPE -w WS` process the workbench
// started (docs/gui.md "Jobs"). Reads the JSON-lines events from its stdout
// as they come (never blocking), keeps its stderr as the log, and stops it
// the way Ctrl-C would: SIGTERM, which the recipe runner forwards to the
// running step (training writes its checkpoint), then SIGKILL after a grace
// period if it is still alive. A Job is owned by a JobController.
#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QProcess>
#include <QSet>
#include <QString>
#include <QStringDecoder>
#include <QStringList>
#include <QTimer>

#include "ui/jobs/job_event.h"

namespace understudy::ui {

class Job : public QObject {
  Q_OBJECT

 public:
  enum class State {
    Starting,   // process started, the recipe's run not recorded yet
    Running,    // the recipe's run exists (its id is known)
    Stopping,   // SIGTERM sent, waiting for the checkpoint
    Finished,   // the recipe finished (exit status 0)
    Cancelled,  // stopped by a signal; run the recipe again to resume
    Failed,     // an error (see errorMessage()); a failed step also resumes on the next run
    Killed      // SIGKILL after the grace period, or the process crashed
  };
  Q_ENUM(State)

  Job(int id, QString program, QString recipePath, QString workspacePath, QObject* parent = nullptr);
  ~Job() override;

  // The arguments understudy-cli gets (after the program name).
  static QStringList arguments(const QString& recipePath, const QString& workspacePath);

  int id() const { return m_id; }  // 1, 2, ... in the order this window launched them
  const QString& program() const { return m_program; }
  const QString& recipePath() const { return m_recipePath; }
  const QString& workspacePath() const { return m_workspacePath; }

  State state() const { return m_state; }
  bool isActive() const { return m_state == State::Starting || m_state == State::Running || m_state == State::Stopping; }
  static QString stateName(State state);  // translated, for the table ("running", "cancelled", ...)
  // The status word the database uses for this state, so the table can show one vocabulary.
  static QString databaseStatus(State state);

  // The recipe's own run id (0 until its `started` event), and every run id
  // whose events came through this job's stream (the recipe's and its steps').
  qint64 recipeRunId() const { return m_recipeRunId; }
  const QSet<qint64>& runIds() const { return m_runIds; }
  bool ownsRun(qint64 runId) const { return m_runIds.contains(runId); }

  // The recipe's progress: fraction of steps done in [0, 1] (-1 before the
  // first progress event) and the step it is at ("[4/4] train tiny-teacher").
  double progress() const { return m_progress; }
  const QString& progressDetail() const { return m_progressDetail; }
  // The running step's own progress (fraction, -1 when unknown) and its task name (train, features, ...).
  double stepProgress() const { return m_stepProgress; }
  const QString& stepTask() const { return m_stepTask; }
  // "[4/4] train tiny-teacher · 35 %": what the table shows.
  QString progressText() const;

  // stderr so far (capped at the newest kMaxLogChars characters).
  const QString& log() const { return m_log; }
  // Why it did not finish: the recipe's error event, else the last
  // "understudy-cli: error:" line of the log, else how the process ended.
  const QString& errorMessage() const { return m_errorMessage; }
  int exitCode() const { return m_exitCode; }
  qint64 pid() const { return m_process.processId(); }
  qint64 elapsedMs() const;
  const JobEventReader& eventReader() const { return m_events; }

  void start();
  // SIGTERM now; SIGKILL if the process is still alive after graceMs.
  void stop(int graceMs);
  // SIGKILL now (its steps die with it: they are started with PR_SET_PDEATHSIG).
  void kill();
  // Blocks up to `ms` for the process to end (tests, shutdown).
  bool waitForFinished(int ms);

  static constexpr int kMaxLogChars = 2 * 1024 * 1024;

 signals:
  void stateChanged(understudy::ui::Job* job);
  void progressChanged(understudy::ui::Job* job);
  void logAppended(understudy::ui::Job* job, const QString& text);
  void eventReceived(understudy::ui::Job* job, const understudy::ui::JobEvent& event);
  void finished(understudy::ui::Job* job);

 private:
  void readEvents();
  void readLog();
  void handle(const JobEvent& e);
  void processFinished(int exitCode, QProcess::ExitStatus status);
  void processError(QProcess::ProcessError error);
  void appendLog(const QString& text);
  void setState(State state);

  int m_id;
  QString m_program;
  QString m_recipePath;
  QString m_workspacePath;
  QProcess m_process;
  QTimer m_killTimer;
  QElapsedTimer m_clock;
  qint64 m_endedAfterMs = -1;
  JobEventReader m_events;
  State m_state = State::Starting;
  bool m_stopRequested = false;
  bool m_killed = false;
  qint64 m_recipeRunId = 0;
  QSet<qint64> m_runIds;
  QString m_recipeStatus;  // the recipe run's last status event: started, finished, failed, cancelled
  double m_progress = -1.0;
  QString m_progressDetail;
  double m_stepProgress = -1.0;
  QString m_stepTask;
  QStringDecoder m_logDecoder{QStringDecoder::Utf8};
  QString m_log;
  QString m_errorMessage;
  int m_exitCode = -1;
};

}  // namespace understudy::ui
