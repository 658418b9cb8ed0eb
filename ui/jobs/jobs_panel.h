// The jobs panel (docs/gui.md "Jobs"): every run of the workspace, running
// and finished, whoever started it (this window, another window, a terminal),
// with status and progress; Launch (a recipe file), Stop, Resume; and the live
// log of the selected job. Runs are read from workspace.db through the panel's
// own read-only connection, polled on a timer with `PRAGMA data_version` (the
// queries run only when another connection committed); this window's jobs
// report through their event streams (JobController). A run that a workbench
// window launched earlier (this one before it was reopened, or another) shows
// its log file from WS/runs/gui-jobs, followed as it grows. The panel never
// writes the database and never blocks the event loop.
//
//   auto* jobs = new JobsPanel;
//   jobs->setWorkspacePath(session.rootPath());
//   connect(jobs, &JobsPanel::errorOccurred, window, &MainWindow::reportError);
//   connect(wizard, &RunWizard::launchRequested, jobs, &JobsPanel::launchRecipe);
#pragma once

#include <QHash>
#include <QPointer>
#include <QStringDecoder>
#include <QTimer>
#include <QWidget>
#include <functional>
#include <memory>

class QAction;
class QCheckBox;
class QLabel;
class QPlainTextEdit;
class QTableView;
class QToolBar;

namespace understudy::ui {

class Job;
class JobController;
class JobsTableModel;
class WorkspaceConnection;

class JobsPanel : public QWidget {
  Q_OBJECT

 public:
  static constexpr int kDefaultPollIntervalMs = 1000;
  static constexpr int kMaxRows = 500;

  explicit JobsPanel(QWidget* parent = nullptr);
  ~JobsPanel() override;

  // The workspace to show and to launch into; empty closes it. Opens its own
  // read-only connection (WorkspaceConnection::open). Returns false (and
  // emits errorOccurred) when the folder is not a usable workspace.
  bool setWorkspacePath(const QString& path);
  QString workspacePath() const;

  JobController* controller() const { return m_controller; }
  JobsTableModel* model() const { return m_model; }
  QTableView* tableView() const { return m_table; }
  QPlainTextEdit* logView() const { return m_log; }

  // The panel's actions (for menus and toolbars elsewhere too): Launch Recipe…
  // (Ctrl+R), Stop (Ctrl+.), Resume (Ctrl+Shift+R). Their shortcuts work while
  // the panel or one of its children has the focus.
  QAction* launchAction() const { return m_launchAction; }
  QAction* stopAction() const { return m_stopAction; }
  QAction* resumeAction() const { return m_resumeAction; }

  // Recipe steps (runs with a parent) are hidden unless this is on.
  bool showsSteps() const;
  void setShowSteps(bool show);

  int pollIntervalMs() const { return m_pollTimer.interval(); }
  void setPollIntervalMs(int ms) { m_pollTimer.setInterval(ms); }

  // What Launch Recipe… asks for the file with; tests replace the file dialog.
  void setRecipeChooser(std::function<QString(QWidget* parent)> chooser) { m_chooseRecipe = std::move(chooser); }

  // The log file of a recipe run a workbench window launched (WS/runs/gui-jobs/
  // *.log, found through its events file's first `started` event), or empty.
  QString guiLogFileForRun(qint64 recipeRunId);

  // The run of the selected row (0 for none or for a job that has no run yet),
  // and the job behind it (nullptr for a run this window did not start).
  qint64 selectedRunId() const;
  Job* selectedJob() const;
  bool selectRun(qint64 runId);
  bool selectJob(int jobId);

 public slots:
  // Starts `understudy-cli run recipePath -w <workspace>`; the new job is
  // selected. nullptr (and errorOccurred) when it cannot start.
  understudy::ui::Job* launchRecipe(const QString& recipePath);
  void stopSelected();
  // Runs the selected job's recipe again; for a recipe run started elsewhere,
  // the copy the runner kept (WS/recipes/<name>/recipe.yaml).
  understudy::ui::Job* resumeSelected();
  // Reads the database now if it changed since the last read (what the timer does).
  void refresh();
  // Reads it now, changed or not.
  void reload();

 signals:
  void errorOccurred(const QString& title, const QString& message);
  // The selection moved to this run (0: none or a job without a run), e.g. to show its charts.
  void runSelected(qint64 runId);
  // After every read of the database.
  void refreshed();

 private:
  void buildUi();
  void updateActions();
  void showSelectedLog();
  void appendLog(Job* job, const QString& text);
  void followLogFile();
  QString recipeFileForResume(QString* why) const;
  void reportError(const QString& title, const QString& message);

  JobController* m_controller;
  JobsTableModel* m_model;
  std::unique_ptr<WorkspaceConnection> m_connection;
  qint64 m_dataVersion = -1;
  QTimer m_pollTimer;
  QTimer m_tickTimer;
  QToolBar* m_toolBar = nullptr;
  QTableView* m_table = nullptr;
  QLabel* m_logTitle = nullptr;
  QPlainTextEdit* m_log = nullptr;
  QCheckBox* m_showSteps = nullptr;
  QAction* m_launchAction = nullptr;
  QAction* m_stopAction = nullptr;
  QAction* m_resumeAction = nullptr;
  QPointer<Job> m_logJob;  // whose log the view shows
  qint64 m_logRunId = -1;
  // The log file the view follows for a run without a job here.
  QString m_logFile;
  qint64 m_logFileRunId = 0;
  qint64 m_logFileOffset = 0;
  QStringDecoder m_logFileDecoder{QStringDecoder::Utf8};
  QHash<QString, qint64> m_eventsFileRuns;  // WS/runs/gui-jobs/*.events.jsonl -> recipe run id (0: none yet)
  std::function<QString(QWidget*)> m_chooseRecipe;
};

}  // namespace understudy::ui
