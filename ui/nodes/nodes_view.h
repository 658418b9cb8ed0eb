// The nodes view (docs/gui.md "Nodes"): the machines registered for
// distributed runs, with their status, when they were last seen, the
// understudy-cli version and CPUs/GPUs found there, and the last error; Add,
// Edit, Remove and Test.
//
// It reads the `nodes` table through its own read-only connection (like the
// other views, it never writes workspace.db). Every change is an
// `understudy-cli nodes add|edit|remove|test` child process (QProcess, found
// with cliProgram()); the view follows it through its signals and never waits
// for it, so a test of an unreachable node leaves the window responsive.
//
//   auto* nodes = new NodesView;
//   nodes->setWorkspacePath(session.rootPath());
//   connect(&session, &WorkspaceSession::refreshed, nodes, &NodesView::refresh);
//   connect(nodes, &NodesView::errorOccurred, window, &MainWindow::reportError);
#pragma once

#include <QHash>
#include <QList>
#include <QWidget>
#include <functional>
#include <memory>
#include <optional>

#include "ui/nodes/node_fields.h"

class QAction;
class QLabel;
class QPlainTextEdit;
class QProcess;
class QSplitter;
class QStackedWidget;
class QTableView;
class QToolBar;

namespace understudy::ui {

class EmptyStateWidget;
class NodesModel;
class WorkspaceConnection;

class NodesView : public QWidget {
  Q_OBJECT

 public:
  // The kinds of `understudy-cli nodes` command the view runs.
  enum class Command { Add, Edit, Remove, Test };
  Q_ENUM(Command)

  // Asks for a node's fields (Add: `initial` is empty, Edit: the node's);
  // nullopt when cancelled. By default the NodeDialog; tests replace it.
  using NodeEditor = std::function<std::optional<NodeFields>(
      QWidget* parent, const NodeFields& initial, bool isNew, const QStringList& takenNames)>;
  // Asks a yes/no question (Remove); by default a message box.
  using Confirmer = std::function<bool(QWidget* parent, const QString& question)>;

  explicit NodesView(QWidget* parent = nullptr);
  ~NodesView() override;

  // The workspace to show; empty closes it. Opens a read-only connection
  // (WorkspaceConnection::open); false (and errorOccurred) when it cannot.
  bool setWorkspacePath(const QString& path);
  QString workspacePath() const;

  // Start `understudy-cli nodes ...` for the workspace and return at once;
  // the result arrives with commandFinished(). false (and errorOccurred)
  // when nothing started: no workspace, invalid fields, the CLI not found,
  // another change still running (one change at a time), nothing to change.
  bool addNode(const NodeFields& fields);
  bool editNode(const QString& name, const NodeFields& fields);
  bool removeNode(const QString& name);
  // Tests run beside everything else; a node already under test is skipped.
  bool testNodes(const QStringList& names);

  // True while an add, edit or remove runs.
  bool isChanging() const;
  bool isTesting(const QString& name) const;
  // Commands started and not yet finished.
  int runningCommands() const;

  QString selectedNode() const;
  bool selectNode(const QString& name);

  NodesModel* model() const { return m_model; }
  QTableView* tableView() const { return m_table; }
  // One line about the last command that finished ('' before the first).
  QString resultText() const;
  // Every command this view ran, its output and its exit status.
  QPlainTextEdit* outputView() const { return m_output; }
  bool isShowingEmptyState() const;

  // Add Node… (Insert), Edit Node… (F2), Remove Node (Delete), Test (Ctrl+T),
  // Test All (Ctrl+Shift+T); the shortcuts work while the view has the focus.
  QAction* addNodeAction() const { return m_addAction; }
  QAction* editNodeAction() const { return m_editAction; }
  QAction* removeNodeAction() const { return m_removeAction; }
  QAction* testNodeAction() const { return m_testAction; }
  QAction* testAllNodesAction() const { return m_testAllAction; }

  void setNodeEditor(NodeEditor editor) { m_editor = std::move(editor); }
  void setConfirmer(Confirmer confirmer) { m_confirm = std::move(confirmer); }

 public slots:
  // Reads the table again if another connection committed since the last read.
  void refresh();
  // Reads it now.
  void reload();
  // What the actions do: ask (dialog / confirmation), then run the command.
  void addWithDialog();
  void editSelectedWithDialog();
  void removeSelected();
  void testSelected();
  void testAll();

 signals:
  void errorOccurred(const QString& title, const QString& message);
  // A command ended: `ok` when it exited 0; `message` is what resultText() shows.
  void commandFinished(understudy::ui::NodesView::Command command, const QStringList& nodes,
                       bool ok, const QString& message);

 private:
  struct Running;
  // Widens the Status column when a longer status arrives ("testing…",
  // "unreachable"); never narrows what the user set.
  void growStatusColumn();
  bool start(Command command, const QStringList& nodes, const QStringList& arguments);
  void finish(QProcess* process, bool started);
  void updateActions();
  void updateEmptyState();
  void setResult(const QString& text, bool ok);
  void appendOutput(const QString& text);
  void reportError(const QString& title, const QString& message);
  QStringList names() const;

  NodesModel* m_model;
  std::unique_ptr<WorkspaceConnection> m_connection;
  qint64 m_dataVersion = -1;
  QHash<QProcess*, std::shared_ptr<Running>> m_running;
  QToolBar* m_toolBar = nullptr;
  QTableView* m_table = nullptr;
  EmptyStateWidget* m_empty = nullptr;
  QLabel* m_result = nullptr;
  QPlainTextEdit* m_output = nullptr;
  QSplitter* m_splitter = nullptr;
  QStackedWidget* m_stack = nullptr;
  QAction* m_addAction = nullptr;
  QAction* m_editAction = nullptr;
  QAction* m_removeAction = nullptr;
  QAction* m_testAction = nullptr;
  QAction* m_testAllAction = nullptr;
  NodeEditor m_editor;
  Confirmer m_confirm;
};

}  // namespace understudy::ui
