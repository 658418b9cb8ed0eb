#include "ui/main/main_window.h"

#include <QAction>
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

#include "core/store/version.h"
#include "ui/main/workspace_status_bar.h"
#include "ui/settings/workbench_settings.h"
#include "ui/widgets/empty_state_widget.h"
#include "ui/workspace/workspace_session.h"
#include "ui/workspace/workspace_view.h"

namespace understudy::ui {

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent),
      m_session(new WorkspaceSession(this)),
      m_pages(new QStackedWidget(this)),
      m_welcome(new EmptyStateWidget(this)),
      m_workspaceView(new WorkspaceView(m_session->treeModel(), this)),
      m_statusBar(new WorkspaceStatusBar(this)) {
  setWindowTitle(tr("Understudy"));
  setWindowIcon(QIcon(QStringLiteral(":/icons/understudy.svg")));
  createActions();
  createMenus();

  m_welcome->setTitle(tr("No workspace open"));
  m_welcome->setText(
      tr("A workspace is a folder holding workspace.db and the features, models and runs it "
         "indexes. Create one here or with `understudy-cli init`, or open an existing one."));
  m_welcome->addActionButton(m_newAction);
  m_welcome->addActionButton(m_openAction);

  m_pages->addWidget(m_welcome);
  m_pages->addWidget(m_workspaceView);
  setCentralWidget(m_pages);
  setStatusBar(m_statusBar);

  connect(m_session, &WorkspaceSession::workspaceChanged, this, &MainWindow::onWorkspaceChanged);
  connect(m_session, &WorkspaceSession::refreshed, this,
          [this] { m_statusBar->showSession(*m_session); });
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

MainWindow::~MainWindow() = default;

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
  m_closeAction->setShortcut(QKeySequence::Close);
  connect(m_closeAction, &QAction::triggered, m_session, &WorkspaceSession::close);

  m_refreshAction = new QAction(tr("&Refresh"), this);
  m_refreshAction->setShortcut(QKeySequence::Refresh);
  m_refreshAction->setStatusTip(tr("Read the workspace again now (it is also polled)"));
  connect(m_refreshAction, &QAction::triggered, m_session, &WorkspaceSession::refresh);

  m_quitAction = new QAction(tr("&Quit"), this);
  m_quitAction->setShortcut(QKeySequence::Quit);
  m_quitAction->setMenuRole(QAction::QuitRole);
  connect(m_quitAction, &QAction::triggered, this, &QWidget::close);

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

  QMenu* help = menuBar()->addMenu(tr("&Help"));
  help->addAction(m_aboutAction);
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
         "local processes (synchronous SGD, GTC, BMUF), decoding and WER with understudy-cli, and "
         "this window, which shows a workspace's datasets, models and runs while jobs write "
         "them.</p><p>Planned: distributed training across machines, one-file recipes, the run "
         "wizard and live charts.</p>"
         "<p>%1</p><p>Built with Qt %2.</p>")
          .arg(QString::fromStdString(versionBanner()).toHtmlEscaped(),
               QString::fromLatin1(qVersion())));
}

void MainWindow::onWorkspaceChanged() {
  const bool open = m_session->isOpen();
  m_pages->setCurrentWidget(open ? static_cast<QWidget*>(m_workspaceView) : m_welcome);
  m_closeAction->setEnabled(open);
  m_refreshAction->setEnabled(open);
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

void MainWindow::closeEvent(QCloseEvent* event) {
  settings::windowGeometry.setValue(saveGeometry());
  settings::windowState.setValue(saveState());
  settings::workspaceSplitterState.setValue(m_workspaceView->splitter()->saveState());
  event->accept();
}

}  // namespace understudy::ui
