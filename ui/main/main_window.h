// The workbench window. It only assembles views: menus and actions, the welcome
// panel, and, once a workspace is open, one tab per view — the workspace
// browser, the jobs panel, the training charts and the nodes view — wired to
// one WorkspaceSession, with the status bar below.
//
//   MainWindow window;
//   window.openWorkspace("/data/exp1");   // errors go to the error reporter
//   window.showView(MainWindow::View::Nodes);
//   window.show();
#pragma once

#include <QList>
#include <QMainWindow>
#include <QStringList>
#include <functional>

class QAction;
class QActionGroup;
class QMenu;
class QStackedWidget;
class QTabWidget;
class QToolBar;

namespace understudy::ui {

namespace charts {
class TrainingChartView;
}

class EmptyStateWidget;
class JobsPanel;
class NodesView;
class UtteranceBrowser;
class LabelingQualityView;
class ComparisonView;
class RunWizard;
class WorkspaceSession;
class WorkspaceStatusBar;
class WorkspaceView;

class MainWindow : public QMainWindow {
  Q_OBJECT

 public:
  // Shows an error to the user; by default a warning message box. Tests install
  // a recorder so that nothing blocks in a modal dialog.
  using ErrorReporter = std::function<void(const QString& title, const QString& message)>;

  // The tabs of an open workspace, in order (View → Ctrl+1..7).
  enum class View { Workspace, Jobs, Charts, Nodes, Utterances, Labels, Compare };
  static constexpr int kViewCount = 7;

  explicit MainWindow(QWidget* parent = nullptr);
  ~MainWindow() override;

  bool openWorkspace(const QString& path);
  bool createWorkspace(const QString& path);
  void setErrorReporter(ErrorReporter reporter);
  // Jobs this window started that have not ended (closing the window leaves them running).
  int activeJobCount() const;

  WorkspaceSession* session() const { return m_session; }
  WorkspaceView* workspaceView() const { return m_workspaceView; }
  JobsPanel* jobsPanel() const { return m_jobsPanel; }
  charts::TrainingChartView* chartView() const { return m_chartView; }
  NodesView* nodesView() const { return m_nodesView; }
  UtteranceBrowser* utteranceBrowser() const { return m_utteranceBrowser; }
  LabelingQualityView* labelingView() const { return m_labelingView; }
  ComparisonView* comparisonView() const { return m_comparisonView; }
  WorkspaceStatusBar* workspaceStatusBar() const { return m_statusBar; }
  QTabWidget* viewTabs() const { return m_tabs; }
  QMenu* recentMenu() const { return m_recentMenu; }
  // True while the welcome panel (no workspace open) is shown.
  bool isShowingWelcome() const;

  // Brings a view's tab to the front (with a workspace open).
  void showView(View view);
  View currentView() const;
  // The widget of a view's tab (nullptr while that view is not built in).
  QWidget* viewWidget(View view) const;
  // View → Workspace/Jobs/Charts/Nodes (Ctrl+1..4).
  QAction* viewAction(View view) const;
  // Run → New Run… (Ctrl+Shift+N): the run wizard.
  QAction* runWizardAction() const { return m_wizardAction; }
  // "datasets"/"runs"/... are workspace groups; "workspace", "jobs", "charts",
  // "nodes" are views. False for anything else.
  static bool viewFromKey(const QString& key, View* view);

  // The runs whose charts are shown (the last selection in the runs tree or the
  // jobs panel).
  QList<qint64> chartedRuns() const { return m_chartedRuns; }

 public slots:
  void reportError(const QString& title, const QString& message);
  // Shows these runs' training charts (overlaid) in the Charts tab.
  void showRunCharts(const QList<qint64>& runIds);
  // Run → New Run… (empty path) or Open Recipe in Wizard…: the wizard, shown
  // window-modal; its Launch goes to the jobs panel. nullptr when no workspace
  // is open or the recipe cannot be read (reported).
  RunWizard* openRunWizard(const QString& recipePath = QString());

 protected:
  void closeEvent(QCloseEvent* event) override;

 private:
  void createActions();
  void createMenus();
  void createViews();
  void addView(View view, QWidget* widget, const QString& title);
  void newWorkspaceDialog();
  void openWorkspaceDialog();

  void rebuildRecentMenu(const QStringList& recent);
  void showAbout();
  void onWorkspaceChanged();
  void onRunsTreeSelection();

  WorkspaceSession* m_session;
  QStackedWidget* m_pages;
  EmptyStateWidget* m_welcome;
  QTabWidget* m_tabs;
  WorkspaceView* m_workspaceView;
  JobsPanel* m_jobsPanel;
  charts::TrainingChartView* m_chartView;
  NodesView* m_nodesView;
  UtteranceBrowser* m_utteranceBrowser;
  LabelingQualityView* m_labelingView;
  ComparisonView* m_comparisonView;
  WorkspaceStatusBar* m_statusBar;
  QToolBar* m_toolBar = nullptr;
  QMenu* m_recentMenu = nullptr;
  QMenu* m_runMenu = nullptr;
  QAction* m_newAction = nullptr;
  QAction* m_openAction = nullptr;
  QAction* m_closeAction = nullptr;
  QAction* m_refreshAction = nullptr;
  QAction* m_quitAction = nullptr;
  QAction* m_aboutAction = nullptr;
  QAction* m_wizardAction = nullptr;
  QAction* m_openRecipeAction = nullptr;
  QActionGroup* m_viewGroup = nullptr;
  QList<QAction*> m_viewActions;  // by int(View)
  QList<QWidget*> m_viewWidgets;  // by int(View); nullptr: not built in
  QList<qint64> m_chartedRuns;
  ErrorReporter m_errorReporter;
};

}  // namespace understudy::ui
