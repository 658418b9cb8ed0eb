// The workbench window. It only assembles views: menus and actions, the welcome
// panel, the workspace browser and the status bar, wired to one WorkspaceSession.
//
//   MainWindow window;
//   window.openWorkspace("/data/exp1");   // errors go to the error reporter
//   window.show();
#pragma once

#include <QMainWindow>
#include <QStringList>
#include <functional>

class QAction;
class QMenu;
class QStackedWidget;

namespace understudy::ui {

class EmptyStateWidget;
class WorkspaceSession;
class WorkspaceStatusBar;
class WorkspaceView;

class MainWindow : public QMainWindow {
  Q_OBJECT

 public:
  // Shows an error to the user; by default a warning message box. Tests install
  // a recorder so that nothing blocks in a modal dialog.
  using ErrorReporter = std::function<void(const QString& title, const QString& message)>;

  explicit MainWindow(QWidget* parent = nullptr);
  ~MainWindow() override;

  bool openWorkspace(const QString& path);
  bool createWorkspace(const QString& path);
  void setErrorReporter(ErrorReporter reporter);

  WorkspaceSession* session() const { return m_session; }
  WorkspaceView* workspaceView() const { return m_workspaceView; }
  WorkspaceStatusBar* workspaceStatusBar() const { return m_statusBar; }
  QMenu* recentMenu() const { return m_recentMenu; }
  // True while the welcome panel (no workspace open) is shown.
  bool isShowingWelcome() const;

 protected:
  void closeEvent(QCloseEvent* event) override;

 private:
  void createActions();
  void createMenus();
  void newWorkspaceDialog();
  void openWorkspaceDialog();
  void rebuildRecentMenu(const QStringList& recent);
  void showAbout();
  void onWorkspaceChanged();
  void reportError(const QString& title, const QString& message);

  WorkspaceSession* m_session;
  QStackedWidget* m_pages;
  EmptyStateWidget* m_welcome;
  WorkspaceView* m_workspaceView;
  WorkspaceStatusBar* m_statusBar;
  QMenu* m_recentMenu = nullptr;
  QAction* m_newAction = nullptr;
  QAction* m_openAction = nullptr;
  QAction* m_closeAction = nullptr;
  QAction* m_refreshAction = nullptr;
  QAction* m_quitAction = nullptr;
  QAction* m_aboutAction = nullptr;
  ErrorReporter m_errorReporter;
};

}  // namespace understudy::ui
