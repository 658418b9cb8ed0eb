#include "ui/main/main_window.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QKeySequence>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QSplitter>
#include <QStackedWidget>
#include <QTabWidget>
#include <QTableView>
#include <QToolBar>
#include <QTreeView>

#include "core/store/version.h"
#include "ui/charts/training_chart_view.h"
#include "ui/jobs/job.h"
#include "ui/jobs/job_controller.h"
#include "ui/jobs/jobs_panel.h"
#include "ui/main/workspace_status_bar.h"
#include "ui/browser/utterance_browser.h"
#include "ui/compare/comparison_view.h"
#include "ui/labeling/labeling_quality_view.h"
#include "ui/nodes/nodes_view.h"
#include "ui/wizard/run_wizard.h"
#include "ui/settings/workbench_settings.h"
#include "ui/widgets/empty_state_widget.h"
#include "ui/widgets/same_items.h"
#include "ui/workspace/workspace_session.h"
#include "ui/workspace/workspace_tree_model.h"
#include "ui/workspace/workspace_view.h"

namespace understudy::ui {

namespace {

// The platform's keys for `standard`, with `key` first.
QList<QKeySequence> withKey(QKeySequence::StandardKey standard, QKeyCombination key) {
  QList<QKeySequence> keys{QKeySequence(key)};
  for (const QKeySequence& k : QKeySequence::keyBindings(standard))
    if (!keys.contains(k)) keys << k;
  return keys;
}

}  // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent),
      m_session(new WorkspaceSession(this)),
      m_pages(new QStackedWidget(this)),
      m_welcome(new EmptyStateWidget(this)),
      m_tabs(new QTabWidget(this)),
      m_workspaceView(new WorkspaceView(m_session->treeModel(), this)),
      m_jobsPanel(new JobsPanel(this)),
      m_chartView(new charts::TrainingChartView(this)),
      m_nodesView(new NodesView(this)),
      m_utteranceBrowser(new UtteranceBrowser(this)),
      m_labelingView(new LabelingQualityView(this)),
      m_comparisonView(new ComparisonView(this)),
      m_statusBar(new WorkspaceStatusBar(this)) {
  setWindowTitle(tr("Understudy"));
  setWindowIcon(QIcon(QStringLiteral(":/icons/understudy.svg")));
  createActions();
  createViews();
  createMenus();

  m_welcome->setTitle(tr("No workspace open"));
  m_welcome->setText(
      tr("A workspace is a folder holding workspace.db and the features, models and runs it "
         "indexes. Create one here or with `understudy-cli init`, or open an existing one."));
  m_welcome->addActionButton(m_newAction);
  m_welcome->addActionButton(m_openAction);

  m_pages->addWidget(m_welcome);
  m_pages->addWidget(m_tabs);
  setCentralWidget(m_pages);
  setStatusBar(m_statusBar);

  connect(m_session, &WorkspaceSession::workspaceChanged, this, &MainWindow::onWorkspaceChanged);
  connect(m_session, &WorkspaceSession::refreshed, this,
          [this] { m_statusBar->showSession(*m_session); });
  // The session's poll notices another process's commit; the views then read
  // their own tables (each checks PRAGMA data_version first).
  connect(m_session, &WorkspaceSession::refreshed, m_nodesView, &NodesView::refresh);
  connect(m_session, &WorkspaceSession::refreshed, m_utteranceBrowser, &UtteranceBrowser::refresh);
  connect(m_session, &WorkspaceSession::refreshed, m_labelingView, &LabelingQualityView::refresh);
  connect(m_session, &WorkspaceSession::refreshed, m_comparisonView, &ComparisonView::refresh);
  connect(m_session, &WorkspaceSession::errorOccurred, this, &MainWindow::reportError);
  connect(m_session, &WorkspaceSession::recentWorkspacesChanged, this,
          &MainWindow::rebuildRecentMenu);

  resize(1100, 680);
  restoreGeometry(settings::windowGeometry.value());
  restoreState(settings::windowState.value());
  m_workspaceView->splitter()->restoreState(settings::workspaceSplitterState.value());
  rebuildRecentMenu(settings::recentWorkspaces.value());
  onWorkspaceChanged();
}

MainWindow::~MainWindow() {
  // ~QWidget deletes the children after this object has stopped being a
  // MainWindow, and ~QObject drops its connections later still. A child
  // that signals while it goes (the session resets the tree model, which
  // moves the tree's selection) would call our slots on a half-destroyed
  // object (UBSan: "downcast ... which does not point to an object of type
  // 'MainWindow'"). Cut every child's connections to us first.
  for (QObject* child : findChildren<QObject*>()) child->disconnect(this);
}

void MainWindow::createActions() {
  m_newAction = new QAction(tr("&New Workspace…"), this);
  m_newAction->setShortcut(QKeySequence::New);
  m_newAction->setStatusTip(tr("Create a new workspace folder"));
  connect(m_newAction, &QAction::triggered, this, &MainWindow::newWorkspaceDialog);

  m_openAction = new QAction(tr("&Open Workspace…"), this);
  m_openAction->setShortcut(QKeySequence::Open);
  m_openAction->setStatusTip(tr("Open an existing workspace folder"));
  connect(m_openAction, &QAction::triggered, this, &MainWindow::openWorkspaceDialog);

  m_closeAction = new QAction(tr("&Close Workspace"), this);
  // Ctrl+W and Ctrl+Q on every platform: some platform themes bind Close to
  // Ctrl+F4 alone and Quit to nothing.
  m_closeAction->setShortcuts(withKey(QKeySequence::Close, Qt::CTRL | Qt::Key_W));
  connect(m_closeAction, &QAction::triggered, m_session, &WorkspaceSession::close);

  m_refreshAction = new QAction(tr("&Refresh"), this);
  m_refreshAction->setShortcut(QKeySequence::Refresh);
  m_refreshAction->setStatusTip(tr("Read the workspace again now (it is also polled)"));
  connect(m_refreshAction, &QAction::triggered, m_session, &WorkspaceSession::refresh);
  // F5 reads every view now, even when the session saw no change (a view may
  // have failed to read before).
  connect(m_refreshAction, &QAction::triggered, this, [this] {
    m_jobsPanel->reload();
    m_chartView->refreshNow();
    m_nodesView->reload();
    m_utteranceBrowser->refresh();
    m_labelingView->reload();
    m_comparisonView->reload();
  });

  m_quitAction = new QAction(tr("&Quit"), this);
  m_quitAction->setShortcuts(withKey(QKeySequence::Quit, Qt::CTRL | Qt::Key_Q));
  m_quitAction->setMenuRole(QAction::QuitRole);
  connect(m_quitAction, &QAction::triggered, this, &QWidget::close);

  m_wizardAction = new QAction(tr("&New Run…"), this);
  m_wizardAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_N));
  m_wizardAction->setStatusTip(
      tr("Configure an experiment step by step, save its recipe and launch it"));
  connect(m_wizardAction, &QAction::triggered, this, [this] { openRunWizard(QString()); });

  m_openRecipeAction = new QAction(tr("&Open Recipe in Wizard…"), this);
  m_openRecipeAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
  m_openRecipeAction->setStatusTip(tr("Open a saved recipe in the run wizard to change or launch it"));
  connect(m_openRecipeAction, &QAction::triggered, this, [this] {
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open Recipe"), m_session->rootPath(), tr("Recipes (*.yaml *.yml);;All files (*)"));
    if (!path.isEmpty()) openRunWizard(path);
  });

  // View → one action per tab; Ctrl+1..7 in tab order.
  m_viewGroup = new QActionGroup(this);
  const QString viewTitles[kViewCount] = {tr("&Workspace"), tr("&Jobs"),   tr("&Charts"),
                                          tr("&Nodes"),     tr("&Utterances"), tr("&Labels"),
                                          tr("C&ompare")};
  const QString viewTips[kViewCount] = {
      tr("Datasets, models, runs and nodes of the workspace"),
      tr("Running and finished jobs, their logs; launch and stop"),
      tr("Training charts of the selected runs"),
      tr("Machines for distributed runs; add, edit, remove, test"),
      tr("A dataset's utterances: listen, see the teacher's soft labels and the decoders' errors"),
      tr("How sure the teacher's soft labels are, and how often they are right"),
      tr("Models × test sets: word error rates, settings, differences")};
  for (int v = 0; v < kViewCount; ++v) {
    auto* action = new QAction(viewTitles[v], m_viewGroup);
    action->setCheckable(true);
    action->setShortcut(QKeySequence(Qt::CTRL | static_cast<Qt::Key>(Qt::Key_1 + v)));
    action->setStatusTip(viewTips[v]);
    connect(action, &QAction::triggered, this, [this, v] { showView(static_cast<View>(v)); });
    m_viewActions << action;
  }

  m_aboutAction = new QAction(tr("&About Understudy"), this);
  m_aboutAction->setMenuRole(QAction::AboutRole);
  connect(m_aboutAction, &QAction::triggered, this, &MainWindow::showAbout);
}

void MainWindow::createMenus() {
  QMenu* file = menuBar()->addMenu(tr("&File"));
  file->addAction(m_newAction);
  file->addAction(m_openAction);
  m_recentMenu = file->addMenu(tr("Open &Recent"));
  file->addAction(m_closeAction);
  file->addSeparator();
  file->addAction(m_quitAction);

  QMenu* view = menuBar()->addMenu(tr("&View"));
  view->addAction(m_refreshAction);
  view->addSeparator();
  view->addActions(m_viewActions);

  m_runMenu = menuBar()->addMenu(tr("&Run"));
  m_runMenu->addAction(m_wizardAction);
  m_runMenu->addAction(m_openRecipeAction);
  m_runMenu->addSeparator();
  // The jobs panel's own actions: from the menu they act on the panel's
  // selection, so the panel comes to the front to show what happened.
  for (QAction* action :
       {m_jobsPanel->launchAction(), m_jobsPanel->stopAction(), m_jobsPanel->resumeAction()}) {
    m_runMenu->addAction(action);
    connect(action, &QAction::triggered, this, [this] { showView(View::Jobs); });
  }

  QMenu* nodes = menuBar()->addMenu(tr("&Nodes"));
  for (QAction* action : std::initializer_list<QAction*>{m_nodesView->addNodeAction(), m_nodesView->editNodeAction(),
                          m_nodesView->removeNodeAction(), nullptr,
                          m_nodesView->testNodeAction(), m_nodesView->testAllNodesAction()}) {
    if (!action) {
      nodes->addSeparator();
      continue;
    }
    nodes->addAction(action);
    // From the menu the action may act while another tab is in front: bring
    // the nodes view forward so its result is seen.
    connect(action, &QAction::triggered, this, [this] { showView(View::Nodes); });
  }

  m_toolBar = addToolBar(tr("Main"));
  m_toolBar->setObjectName(QStringLiteral("mainToolBar"));
  m_toolBar->setToolButtonStyle(Qt::ToolButtonTextOnly);
  m_toolBar->addAction(m_wizardAction);
  m_toolBar->addAction(m_refreshAction);

  QMenu* help = menuBar()->addMenu(tr("&Help"));
  help->addAction(m_aboutAction);
}

void MainWindow::createViews() {
  m_tabs->setDocumentMode(true);
  for (int v = 0; v < kViewCount; ++v) m_viewWidgets << nullptr;
  addView(View::Workspace, m_workspaceView, tr("Workspace"));
  addView(View::Jobs, m_jobsPanel, tr("Jobs"));
  addView(View::Charts, m_chartView, tr("Charts"));
  addView(View::Nodes, m_nodesView, tr("Nodes"));
  addView(View::Utterances, m_utteranceBrowser, tr("Utterances"));
  addView(View::Labels, m_labelingView, tr("Labels"));
  addView(View::Compare, m_comparisonView, tr("Compare"));
  for (int v = 0; v < kViewCount; ++v) m_viewActions[v]->setVisible(m_viewWidgets[v] != nullptr);
  connect(m_tabs, &QTabWidget::currentChanged, this, [this] {
    const int v = static_cast<int>(currentView());
    if (v >= 0 && v < m_viewActions.size()) m_viewActions[v]->setChecked(true);
  });
  m_viewActions[0]->setChecked(true);

  connect(m_nodesView, &NodesView::errorOccurred, this, &MainWindow::reportError);
  connect(m_utteranceBrowser, &UtteranceBrowser::errorOccurred, this, &MainWindow::reportError);
  connect(m_labelingView, &LabelingQualityView::errorOccurred, this, &MainWindow::reportError);
  connect(m_comparisonView, &ComparisonView::errorOccurred, this, &MainWindow::reportError);
  // Models picked in the comparison: their training curves, overlaid.
  connect(m_comparisonView, &ComparisonView::runsSelected, this, [this](const QList<qint64>& runs) {
    if (!runs.isEmpty()) showRunCharts(runs);
  });
  connect(m_jobsPanel, &JobsPanel::errorOccurred, this, &MainWindow::reportError);
  connect(m_chartView, &charts::TrainingChartView::exportFailed, this, &MainWindow::reportError);
  m_chartView->setWorkspaceSession(m_session);
  // A run selected in the jobs panel: its charts (a double-click brings them forward).
  connect(m_jobsPanel, &JobsPanel::runSelected, this, [this](qint64 runId) {
    if (runId > 0) showRunCharts({runId});
  });
  connect(m_jobsPanel->tableView(), &QTableView::doubleClicked, this, [this] {
    if (m_jobsPanel->selectedRunId() > 0) showView(View::Charts);
  });
  connect(m_workspaceView->treeView()->selectionModel(), &QItemSelectionModel::selectionChanged,
          this, &MainWindow::onRunsTreeSelection);
  // The runs table allows several rows: they are overlaid.
  connect(m_workspaceView->detailView(), &QTableView::clicked, this,
          &MainWindow::onRunsTreeSelection);
  connect(m_workspaceView->detailView(), &QTableView::activated, this, [this] {
    onRunsTreeSelection();
    if (!m_chartedRuns.isEmpty() && viewWidget(View::Charts)) showView(View::Charts);
  });
  // Enter or a double-click on a run in the tree: its charts; on a node: the
  // nodes view with that node selected.
  connect(m_workspaceView->treeView(), &QTreeView::activated, this,
          [this](const QModelIndex& index) {
            if (!index.parent().isValid() ||
                index.data(WorkspaceTreeModel::PlaceholderRole).toBool())
              return;
            const QModelIndex name = index.siblingAtColumn(WorkspaceTreeModel::NameColumn);
            switch (WorkspaceTreeModel::groupOf(index)) {
              case WorkspaceGroup::Runs:
                showRunCharts({index.data(WorkspaceTreeModel::RowIdRole).toLongLong()});
                showView(View::Charts);
                break;
              case WorkspaceGroup::Nodes:
                showView(View::Nodes);
                m_nodesView->selectNode(name.data().toString());
                break;
              default:
                break;
            }
          });
}

void MainWindow::addView(View view, QWidget* widget, const QString& title) {
  m_viewWidgets[static_cast<int>(view)] = widget;
  m_tabs->addTab(widget, title);
  m_tabs->setTabToolTip(m_tabs->indexOf(widget),
                        tr("%1 (%2)").arg(m_viewActions[static_cast<int>(view)]->statusTip(),
                                          m_viewActions[static_cast<int>(view)]->shortcut().toString(
                                              QKeySequence::NativeText)));
}

void MainWindow::showView(View view) {
  QWidget* widget = viewWidget(view);
  if (!widget) return;
  m_tabs->setCurrentWidget(widget);
}

MainWindow::View MainWindow::currentView() const {
  const int index = static_cast<int>(m_viewWidgets.indexOf(m_tabs->currentWidget()));
  return index < 0 ? View::Workspace : static_cast<View>(index);
}

QWidget* MainWindow::viewWidget(View view) const {
  return m_viewWidgets.value(static_cast<int>(view), nullptr);
}

QAction* MainWindow::viewAction(View view) const {
  return m_viewActions.value(static_cast<int>(view), nullptr);
}

bool MainWindow::viewFromKey(const QString& key, View* view) {
  static const char* const keys[kViewCount] = {"workspace",  "jobs",   "charts", "nodes",
                                               "utterances", "labels", "compare"};
  for (int v = 0; v < kViewCount; ++v) {
    if (key.compare(QLatin1String(keys[v]), Qt::CaseInsensitive) == 0) {
      if (view) *view = static_cast<View>(v);
      return true;
    }
  }
  return false;
}

void MainWindow::onRunsTreeSelection() {
  // The runs selected in the browser: the detail table's selected rows while
  // it shows the Runs group (several are overlaid), else the run row of the tree.
  QList<qint64> runs;
  if (m_workspaceView->currentGroup() == WorkspaceGroup::Runs) {
    const QModelIndexList rows =
        m_workspaceView->detailView()->selectionModel()
            ? m_workspaceView->detailView()->selectionModel()->selectedRows(0)
            : QModelIndexList();
    for (const QModelIndex& row : rows) runs << row.data().toLongLong();
  }
  if (runs.isEmpty()) {
    for (const QModelIndex& index : m_workspaceView->treeView()->selectionModel()->selectedRows()) {
      if (index.parent().isValid() &&
          WorkspaceTreeModel::groupOf(index) == WorkspaceGroup::Runs &&
          !index.data(WorkspaceTreeModel::PlaceholderRole).toBool())
        runs << index.data(WorkspaceTreeModel::RowIdRole).toLongLong();
    }
  }
  if (!runs.isEmpty()) showRunCharts(runs);
}

void MainWindow::showRunCharts(const QList<qint64>& runIds) {
  if (sameItems(runIds, m_chartedRuns)) return;
  m_chartedRuns = runIds;
  m_chartView->setRuns(runIds);
  QStringList ids;
  for (qint64 id : runIds) ids << QStringLiteral("#%1").arg(id);
  if (QWidget* charts = viewWidget(View::Charts))
    m_tabs->setTabText(m_tabs->indexOf(charts),
                       runIds.isEmpty() ? tr("Charts") : tr("Charts (%1)").arg(ids.join(QStringLiteral(", "))));
}

RunWizard* MainWindow::openRunWizard(const QString& recipePath) {
  if (!m_session->isOpen()) return nullptr;
  auto* wizard = new RunWizard(m_session->rootPath(), this);
  wizard->setAttribute(Qt::WA_DeleteOnClose);
  if (!recipePath.isEmpty() && !wizard->loadRecipe(recipePath)) {
    reportError(tr("Cannot open recipe"), wizard->lastError());
    delete wizard;
    return nullptr;
  }
  // Launch: the jobs panel runs it and comes to the front with the new job.
  connect(wizard, &RunWizard::launchRequested, this, [this](const QString& path) {
    showView(View::Jobs);
    m_jobsPanel->launchRecipe(path);
  });
  // Window-modal but not exec(): the event loop, polls and jobs go on.
  wizard->open();
  return wizard;
}

bool MainWindow::openWorkspace(const QString& path) { return m_session->open(path); }

bool MainWindow::createWorkspace(const QString& path) { return m_session->create(path); }

void MainWindow::setErrorReporter(ErrorReporter reporter) { m_errorReporter = std::move(reporter); }

bool MainWindow::isShowingWelcome() const { return m_pages->currentWidget() == m_welcome; }

void MainWindow::newWorkspaceDialog() {
  const QString path = QFileDialog::getSaveFileName(
      this, tr("New Workspace — choose a name for the new folder"), settings::lastDirectory.value(),
      QString(), nullptr, QFileDialog::ShowDirsOnly | QFileDialog::DontConfirmOverwrite);
  if (path.isEmpty()) return;
  settings::lastDirectory.setValue(QFileInfo(path).absolutePath());
  createWorkspace(path);
}

void MainWindow::openWorkspaceDialog() {
  const QString path = QFileDialog::getExistingDirectory(
      this, tr("Open Workspace — choose the folder that holds workspace.db"),
      settings::lastDirectory.value());
  if (path.isEmpty()) return;
  settings::lastDirectory.setValue(QFileInfo(path).absolutePath());
  openWorkspace(path);
}

void MainWindow::rebuildRecentMenu(const QStringList& recent) {
  // deleteLater, not QMenu::clear(): this runs from inside one of these actions' triggered().
  for (QAction* action : m_recentMenu->actions()) {
    m_recentMenu->removeAction(action);
    action->deleteLater();
  }
  for (int i = 0; i < recent.size(); ++i) {
    const QString path = recent[i];
    // "&1 /data/exp1": the number is the keyboard accelerator.
    QAction* action =
        m_recentMenu->addAction(tr("&%1 %2").arg(i + 1).arg(QDir::toNativeSeparators(path)));
    action->setData(path);
    connect(action, &QAction::triggered, this, [this, path] { openWorkspace(path); });
  }
  if (recent.isEmpty()) {
    m_recentMenu->addAction(tr("No recent workspaces"))->setEnabled(false);
    return;
  }
  m_recentMenu->addSeparator();
  QAction* clear = m_recentMenu->addAction(tr("Clear Menu"));
  connect(clear, &QAction::triggered, this, [this] {
    settings::recentWorkspaces.reset();
    rebuildRecentMenu({});
  });
}

void MainWindow::showAbout() {
  QMessageBox::about(
      this, tr("About Understudy"),
      tr("<h3>Understudy</h3>"
         "<p>A workbench for semi-supervised training of speech-recognition acoustic models "
         "after the teacher–student recipe.</p>"
         "<p>Works today: the built-in synthetic voice-assistant corpus, importing Kaldi data "
         "directories and JSONL manifests, Kaldi-compatible fbank features, 30 ms frame targets, "
         "training a BLSTM teacher, labeling unlabeled speech with its top-k soft labels, training "
         "a streaming LSTM student on labeled and soft-labeled data, distributed training over "
         "local processes or over ssh on registered nodes (synchronous SGD, GTC, BMUF), one-file "
         "recipes, decoding and WER with understudy-cli, and this window: the workspace's "
         "datasets, models and runs while jobs write them, the run wizard, the jobs panel, live "
         "training charts and the nodes.</p>"
         "<p>%1</p><p>Built with Qt %2.</p>")
          .arg(QString::fromStdString(versionBanner()).toHtmlEscaped(),
               QString::fromLatin1(qVersion())));
}

void MainWindow::onWorkspaceChanged() {
  const bool open = m_session->isOpen();
  m_pages->setCurrentWidget(open ? static_cast<QWidget*>(m_tabs) : m_welcome);
  m_closeAction->setEnabled(open);
  m_refreshAction->setEnabled(open);
  m_wizardAction->setEnabled(open);
  m_openRecipeAction->setEnabled(open);
  m_viewGroup->setEnabled(open);
  m_toolBar->setVisible(open);
  m_jobsPanel->setWorkspacePath(m_session->rootPath());
  m_nodesView->setWorkspacePath(m_session->rootPath());
  m_utteranceBrowser->setWorkspacePath(m_session->rootPath());
  m_labelingView->setWorkspacePath(m_session->rootPath());
  m_comparisonView->setWorkspacePath(m_session->rootPath());
  showRunCharts({});
  setWindowTitle(open ? tr("%1 — Understudy").arg(QFileInfo(m_session->rootPath()).fileName())
                      : tr("Understudy"));
  m_statusBar->showSession(*m_session);
}

void MainWindow::reportError(const QString& title, const QString& message) {
  if (m_errorReporter) {
    m_errorReporter(title, message);
    return;
  }
  QMessageBox::warning(this, title, message);
}

int MainWindow::activeJobCount() const {
  int active = 0;
  for (const Job* job : m_jobsPanel->controller()->jobs())
    if (job->isActive()) ++active;
  return active;
}

void MainWindow::closeEvent(QCloseEvent* event) {
  // Closing stops nothing: the jobs this window launched run detached and
  // write their events and logs to WS/runs/gui-jobs (docs/gui.md "Jobs").
  settings::windowGeometry.setValue(saveGeometry());
  settings::windowState.setValue(saveState());
  settings::workspaceSplitterState.setValue(m_workspaceView->splitter()->saveState());
  event->accept();
}

}  // namespace understudy::ui
