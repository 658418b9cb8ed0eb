// One `understudy-cli --events FILE run RECIPE -w WS` process the workbench
// started (docs/gui.md "Jobs"). The process is detached from the workbench:
// it runs in a session of its own, its events go to a file
// (WS/runs/gui-jobs/<time>-<recipe>.events.jsonl) and its stdout and stderr
// to the log file beside it (.log), so closing the window stops nothing and
// both files outlive it. The Job follows the process by reading what was
// added to the two files on a timer (a partial last line waits for its
// newline) and by checking that the process is still there; how the job
// ended comes from the recipe run's final status event, else from the log's
// error line, else it was killed or lost. Stop is what Ctrl-C would do:
// SIGTERM, which the recipe runner forwards to the running step (training
// writes its checkpoint), then SIGKILL after a grace period if the process
// is still alive (timers, never a blocking wait). Owned by a JobController.
#pragma once

#include <QElapsedTimer>
#include <QObject>
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
    Finished,   // the recipe finished
    Cancelled,  // stopped by a signal; run the recipe again to resume
    Failed,     // an error (see errorMessage()); a failed step also resumes on the next run
    Killed,     // SIGKILL after the grace period
    Lost        // the process vanished without recording how it ended (killed from outside, crashed)
  };
  Q_ENUM(State)

  static constexpr int kDefaultFollowIntervalMs = 250;

  Job(int id, QString program, QString recipePath, QString workspacePath, QObject* parent = nullptr);
  // Leaves the process running: a job outlives its window.
  ~Job() override;

  // The arguments understudy-cli gets (after the program name).
  static QStringList arguments(const QString& recipePath, const QString& workspacePath, const QString& eventsPath);
  // Where the workbench keeps its jobs' event and log files: WS/runs/gui-jobs.
  static QString filesFolder(const QString& workspacePath);

  int id() const { return m_id; }  // 1, 2, ... in the order this window launched them
  const QString& program() const { return m_program; }
  const QString& recipePath() const { return m_recipePath; }
  const QString& workspacePath() const { return m_workspacePath; }
  // The job's files (absolute; empty before start()).
  const QString& eventsPath() const { return m_eventsPath; }
  const QString& logPath() const { return m_logPath; }

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

  // The log file as read so far (capped at the newest kMaxLogChars characters).
  const QString& log() const { return m_log; }
  // Why it did not finish: the recipe's error event, else the last
  // "understudy-cli: error:" line of the log, else how the process ended.
  const QString& errorMessage() const { return m_errorMessage; }
  qint64 pid() const { return m_pid; }
  qint64 elapsedMs() const;
  const JobEventReader& eventReader() const { return m_events; }

  // How often the files are read and the process looked for.
  void setFollowIntervalMs(int ms) { m_followTimer.setInterval(ms); }

  void start();
  // SIGTERM now; SIGKILL if the process is still alive after graceMs.
  void stop(int graceMs);
  // SIGKILL now, to the job's process group (its steps die with it).
  void kill();
  // Reads what the files gained and checks the process (what the timer does).
  void follow();
  // Appends a "[workbench] ..." line to the job's log file (and so to log()).
  void note(const QString& text);

  static constexpr int kMaxLogChars = 2 * 1024 * 1024;

  // Whether `pid` is a live process (not a zombie) that started at `startTicks`
  // (/proc/PID/stat field 22; 0: any start time). Linux.
  static bool processAlive(qint64 pid, qint64 startTicks = 0);

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
  void processGone();
  void failToStart(const QString& message);
  void appendLog(const QString& text);
  void setState(State state);

  int m_id;
  QString m_program;
  QString m_recipePath;
  QString m_workspacePath;
  QString m_eventsPath;
  QString m_logPath;
  qint64 m_eventsOffset = 0;
  qint64 m_logOffset = 0;
  qint64 m_pid = 0;
  qint64 m_pidStartTicks = 0;
  qint64 m_processGroup = 0;
  QTimer m_followTimer;
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
};

}  // namespace understudy::ui
