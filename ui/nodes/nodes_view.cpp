#include "ui/nodes/nodes_view.h"

#include <QAction>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QFontDatabase>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProcess>
#include <QRegularExpression>
#include <QSplitter>
#include <QStackedWidget>
#include <QStyle>
#include <QTableView>
#include <QToolBar>
#include <QVBoxLayout>

#include "ui/jobs/cli_program.h"
#include "ui/nodes/node_dialog.h"
#include "ui/nodes/nodes_model.h"
#include "ui/widgets/empty_state_widget.h"
#include "ui/workspace/workspace_connection.h"

namespace understudy::ui {

namespace {

constexpr int kMaxColumnWidth = 360;

// The CLI's message without its "understudy-cli: error: " prefix, one line.
QString cliError(const QByteArray& stderrBytes) {
  QString text = QString::fromUtf8(stderrBytes).trimmed();
  const QString prefix = QStringLiteral("understudy-cli: error: ");
  const int at = text.lastIndexOf(prefix);
  if (at >= 0) text = text.mid(at + prefix.size());
  return text.simplified();
}

// A command line as the user could type it (for the output pane).
QString commandLine(const QString& program, const QStringList& args) {
  QStringList parts{QFileInfo(program).fileName()};
  for (const QString& a : args) {
    const bool plain = !a.isEmpty() && a.indexOf(QRegularExpression(QStringLiteral(
                                           "[^A-Za-z0-9_@%+=:,./-]"))) < 0;
    parts << (plain ? a : QLatin1Char('\'') + QString(a).replace(QLatin1Char('\''),
                                                                  QStringLiteral("'\\''")) +
                              QLatin1Char('\''));
  }
  return parts.join(QLatin1Char(' '));
}

}  // namespace

struct NodesView::Running {
  Command command = Command::Test;
  QStringList nodes;
  QString commandLine;
  QElapsedTimer clock;
};

NodesView::NodesView(QWidget* parent) : QWidget(parent), m_model(new NodesModel(this)) {
  m_addAction = new QAction(tr("&Add Node…"), this);
  m_addAction->setShortcut(QKeySequence(Qt::Key_Insert));
  m_addAction->setStatusTip(tr("Register a machine for distributed runs (nodes add)"));
  connect(m_addAction, &QAction::triggered, this, &NodesView::addWithDialog);

  m_editAction = new QAction(tr("&Edit Node…"), this);
  m_editAction->setShortcut(QKeySequence(Qt::Key_F2));
  m_editAction->setStatusTip(tr("Change how the selected node is reached (nodes edit)"));
  connect(m_editAction, &QAction::triggered, this, &NodesView::editSelectedWithDialog);

  m_removeAction = new QAction(tr("&Remove Node"), this);
  m_removeAction->setShortcut(QKeySequence::Delete);
  m_removeAction->setStatusTip(tr("Forget the selected node (nodes remove)"));
  connect(m_removeAction, &QAction::triggered, this, &NodesView::removeSelected);

  m_testAction = new QAction(tr("&Test Node"), this);
  m_testAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_T));
  m_testAction->setStatusTip(
      tr("Log in to the selected node over ssh and check it (nodes test)"));
  connect(m_testAction, &QAction::triggered, this, &NodesView::testSelected);

  m_testAllAction = new QAction(tr("Test A&ll Nodes"), this);
  m_testAllAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_T));
  m_testAllAction->setStatusTip(tr("Test every registered node at once (nodes test)"));
  connect(m_testAllAction, &QAction::triggered, this, &NodesView::testAll);

  for (QAction* action :
       {m_addAction, m_editAction, m_removeAction, m_testAction, m_testAllAction}) {
    action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    addAction(action);
  }

  m_toolBar = new QToolBar(tr("Nodes"), this);
  m_toolBar->setToolButtonStyle(Qt::ToolButtonTextOnly);
  m_toolBar->addAction(m_addAction);
  m_toolBar->addAction(m_editAction);
  m_toolBar->addAction(m_removeAction);
  m_toolBar->addSeparator();
  m_toolBar->addAction(m_testAction);
  m_toolBar->addAction(m_testAllAction);

  m_table = new QTableView(this);
  m_table->setModel(m_model);
  connect(m_model, &QAbstractItemModel::dataChanged, this, [this] { growStatusColumn(); });
  m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
  m_table->setSelectionMode(QAbstractItemView::SingleSelection);
  m_table->setTextElideMode(Qt::ElideMiddle);
  m_table->setWordWrap(false);
  m_table->verticalHeader()->hide();
  m_table->horizontalHeader()->setStretchLastSection(true);
  m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
  connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this,
          &NodesView::updateActions);
  connect(m_table, &QTableView::doubleClicked, this, &NodesView::editSelectedWithDialog);

  m_empty = new EmptyStateWidget(this);
  m_empty->setTitle(tr("No nodes registered"));
  m_empty->setText(
      tr("Runs use this machine only. Register another machine to run ranks of a distributed "
         "run there (`understudy-cli nodes add`), then Test it: ssh logs in and checks its "
         "CPUs, GPUs, the workspace and the understudy-cli version."));
  m_empty->addActionButton(m_addAction);

  m_stack = new QStackedWidget(this);
  m_stack->addWidget(m_table);
  m_stack->addWidget(m_empty);

  m_result = new QLabel(this);
  m_result->setWordWrap(true);
  m_result->setTextInteractionFlags(Qt::TextSelectableByMouse);
  m_result->hide();

  m_output = new QPlainTextEdit(this);
  m_output->setReadOnly(true);
  m_output->setMaximumBlockCount(5000);
  m_output->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  m_output->setPlaceholderText(
      tr("The understudy-cli commands this view runs, and what they print, appear here."));

  m_splitter = new QSplitter(Qt::Vertical, this);
  m_splitter->addWidget(m_stack);
  m_splitter->addWidget(m_output);
  m_splitter->setStretchFactor(0, 3);
  m_splitter->setStretchFactor(1, 1);

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(m_toolBar);
  layout->addWidget(m_splitter, 1);
  layout->addWidget(m_result);

  m_editor = [](QWidget* parent, const NodeFields& initial, bool isNew,
                const QStringList& taken) -> std::optional<NodeFields> {
    NodeDialog dialog(isNew ? NodeDialog::Mode::Add : NodeDialog::Mode::Edit, initial, taken,
                      parent);
    if (dialog.exec() != QDialog::Accepted) return std::nullopt;
    return dialog.fields();
  };
  m_confirm = [](QWidget* parent, const QString& question) {
    return QMessageBox::question(parent, tr("Remove Node"), question,
                                 QMessageBox::Yes | QMessageBox::Cancel,
                                 QMessageBox::Cancel) == QMessageBox::Yes;
  };

  updateEmptyState();
  updateActions();
}

NodesView::~NodesView() {
  // A command still running is stopped; its result no longer has a view.
  for (auto it = m_running.begin(); it != m_running.end(); ++it) {
    QProcess* process = it.key();
    disconnect(process, nullptr, this, nullptr);
    process->kill();
    process->waitForFinished(2000);
    delete process;
  }
  m_running.clear();
  m_model->setConnection(nullptr);
  m_connection.reset();
}

bool NodesView::setWorkspacePath(const QString& path) {
  if (!path.isEmpty() && m_connection && m_connection->rootPath() == QDir(path).absolutePath()) {
    reload();
    return true;
  }
  m_model->setConnection(nullptr);
  m_connection.reset();
  m_dataVersion = -1;
  if (!path.isEmpty()) {
    QString error;
    m_connection = WorkspaceConnection::open(path, &error);
    if (!m_connection) {
      reportError(tr("Cannot show the nodes"), error);
      updateEmptyState();
      updateActions();
      return false;
    }
    m_dataVersion = m_connection->dataVersion();
    m_model->setConnection(m_connection.get());
    m_table->resizeColumnsToContents();
  }
  updateEmptyState();
  updateActions();
  return true;
}

void NodesView::growStatusColumn() {
  int text = 0;
  for (int row = 0; row < m_model->rowCount(); ++row)
    text = qMax(text, m_table->fontMetrics().horizontalAdvance(
                          m_model->index(row, NodesModel::StatusColumn).data().toString()));
  // The cell's margins and the status icon, as resizeColumnsToContents allows.
  const int wanted = qMin(text + 2 * m_table->style()->pixelMetric(QStyle::PM_FocusFrameHMargin) + 32,
                          kMaxColumnWidth);
  if (wanted > m_table->columnWidth(NodesModel::StatusColumn))
    m_table->setColumnWidth(NodesModel::StatusColumn, wanted);
}

QString NodesView::workspacePath() const {
  return m_connection ? m_connection->rootPath() : QString();
}

void NodesView::refresh() {
  if (!m_connection) return;
  const qint64 version = m_connection->dataVersion();
  if (version >= 0 && version == m_dataVersion) return;
  reload();
}

void NodesView::reload() {
  if (!m_connection) return;
  m_dataVersion = m_connection->dataVersion();
  const QString selected = selectedNode();
  const int before = m_model->rowCount();
  m_model->reload();
  if (!selected.isEmpty() && selectedNode() != selected) selectNode(selected);
  if (before != m_model->rowCount()) {
    m_table->resizeColumnsToContents();
    for (int c = 0; c < NodesModel::ColumnCount; ++c)
      m_table->setColumnWidth(c, qMin(m_table->columnWidth(c), kMaxColumnWidth));
  } else {
    growStatusColumn();
  }
  updateEmptyState();
  updateActions();
}

QStringList NodesView::names() const {
  QStringList result;
  for (const NodeInfo& n : m_model->nodes()) result << n.name;
  return result;
}

QString NodesView::selectedNode() const {
  const QModelIndexList rows = m_table->selectionModel()->selectedRows();
  if (rows.isEmpty()) return {};
  return rows.first().data(NodesModel::NameRole).toString();
}

bool NodesView::selectNode(const QString& name) {
  const int row = m_model->rowOf(name);
  if (row < 0) return false;
  m_table->selectionModel()->select(
      m_model->index(row, 0),
      QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
  m_table->setCurrentIndex(m_model->index(row, 0));
  return true;
}

bool NodesView::isChanging() const {
  for (const auto& running : m_running)
    if (running->command != Command::Test) return true;
  return false;
}

bool NodesView::isTesting(const QString& name) const { return m_model->isTesting(name); }

int NodesView::runningCommands() const { return static_cast<int>(m_running.size()); }

QString NodesView::resultText() const { return m_result->text(); }

bool NodesView::isShowingEmptyState() const { return m_stack->currentWidget() == m_empty; }

void NodesView::updateEmptyState() {
  m_stack->setCurrentWidget(m_model->rowCount() == 0 ? static_cast<QWidget*>(m_empty) : m_table);
}

void NodesView::updateActions() {
  const bool open = m_connection != nullptr;
  const QString selected = selectedNode();
  const bool changing = isChanging();
  m_addAction->setEnabled(open && !changing);
  m_editAction->setEnabled(open && !changing && !selected.isEmpty());
  m_removeAction->setEnabled(open && !changing && !selected.isEmpty());
  m_testAction->setEnabled(open && !selected.isEmpty() && !m_model->isTesting(selected));
  m_testAllAction->setEnabled(open && m_model->rowCount() > 0);
}

void NodesView::addWithDialog() {
  if (!m_connection) return;
  const std::optional<NodeFields> fields = m_editor(this, NodeFields{}, true, names());
  if (fields) addNode(*fields);
}

void NodesView::editSelectedWithDialog() {
  const NodeInfo* node = m_model->node(selectedNode());
  if (!node || isChanging()) return;
  const NodeFields before = NodeFields::fromNode(*node);
  const std::optional<NodeFields> fields = m_editor(this, before, false, names());
  if (fields) editNode(before.name, *fields);
}

void NodesView::removeSelected() {
  const QString name = selectedNode();
  if (name.isEmpty()) return;
  const NodeInfo* node = m_model->node(name);
  const QString question =
      tr("Remove node %1 (%2) from this workspace? Its registration and the results of its "
         "last test are deleted; nothing changes on that machine.")
          .arg(name, node ? node->address() : QString());
  if (!m_confirm(this, question)) return;
  removeNode(name);
}

void NodesView::testSelected() {
  const QString name = selectedNode();
  if (!name.isEmpty()) testNodes({name});
}

void NodesView::testAll() { testNodes(names()); }

bool NodesView::addNode(const NodeFields& fields) {
  const QString problem = fields.problem();
  if (!problem.isEmpty()) {
    reportError(tr("Cannot add node %1").arg(fields.name), problem);
    return false;
  }
  return start(Command::Add, {fields.name}, fields.addArguments());
}

bool NodesView::editNode(const QString& name, const NodeFields& fields) {
  const NodeInfo* node = m_model->node(name);
  if (!node) {
    reportError(tr("Cannot edit node %1").arg(name),
                tr("No node named %1 in this workspace; it may have been removed meanwhile.")
                    .arg(name));
    return false;
  }
  NodeFields wanted = fields;
  wanted.name = name;  // a node keeps its name
  const QString problem = wanted.problem();
  if (!problem.isEmpty()) {
    reportError(tr("Cannot edit node %1").arg(name), problem);
    return false;
  }
  const QStringList changes = wanted.editArguments(NodeFields::fromNode(*node));
  if (changes.isEmpty()) {
    setResult(tr("Node %1: nothing changed.").arg(name), true);
    return false;
  }
  return start(Command::Edit, {name}, changes + QStringList{QStringLiteral("--"), name});
}

bool NodesView::removeNode(const QString& name) {
  return start(Command::Remove, {name}, {QStringLiteral("--"), name});
}

bool NodesView::testNodes(const QStringList& requested) {
  QStringList nodes;
  for (const QString& name : requested)
    if (!m_model->isTesting(name) && !nodes.contains(name)) nodes << name;
  if (nodes.isEmpty()) return false;
  return start(Command::Test, nodes, QStringList{QStringLiteral("--")} + nodes);
}

bool NodesView::start(Command command, const QStringList& nodes, const QStringList& arguments) {
  static const char* const kSubcommands[] = {"add", "edit", "remove", "test"};
  const QString sub = QString::fromLatin1(kSubcommands[static_cast<int>(command)]);
  const QString title = tr("Cannot run nodes %1").arg(sub);
  if (!m_connection) {
    reportError(title, tr("No workspace is open."));
    return false;
  }
  if (command != Command::Test && isChanging()) {
    reportError(title, tr("Another change to the nodes is still running; wait for it to end."));
    return false;
  }
  QString error;
  const QString program = cliProgram(&error);
  if (program.isEmpty()) {
    reportError(title, error);
    return false;
  }
  const QStringList args = QStringList{QStringLiteral("nodes"), sub, QStringLiteral("-w"),
                                       m_connection->rootPath()} +
                           arguments;
  auto running = std::make_shared<Running>();
  running->command = command;
  running->nodes = nodes;
  running->commandLine = commandLine(program, args);
  running->clock.start();

  auto* process = new QProcess(this);
  process->setProgram(program);
  process->setArguments(args);
  process->setStandardInputFile(QProcess::nullDevice());
  m_running.insert(process, running);
  connect(process, &QProcess::finished, this, [this, process] { finish(process, true); });
  connect(process, &QProcess::errorOccurred, this, [this, process](QProcess::ProcessError e) {
    if (e == QProcess::FailedToStart) finish(process, false);
  });
  if (command == Command::Test)
    for (const QString& name : nodes) m_model->setTesting(name, true);
  appendOutput(QStringLiteral("$ ") + running->commandLine);
  if (command == Command::Test)
    setResult(tr("Testing %1…").arg(nodes.join(QStringLiteral(", "))), true);
  process->start();
  updateActions();
  return true;
}

void NodesView::finish(QProcess* process, bool started) {
  const auto it = m_running.find(process);
  if (it == m_running.end()) return;
  const std::shared_ptr<Running> running = it.value();
  m_running.erase(it);
  process->deleteLater();

  const QByteArray out = started ? process->readAllStandardOutput() : QByteArray();
  const QByteArray err = started ? process->readAllStandardError() : QByteArray();
  const bool ok = started && process->exitStatus() == QProcess::NormalExit &&
                  process->exitCode() == 0;
  if (!out.isEmpty()) appendOutput(QString::fromUtf8(out).trimmed());
  if (!err.isEmpty()) appendOutput(QString::fromUtf8(err).trimmed());
  const double seconds = running->clock.elapsed() / 1000.0;
  if (!started)
    appendOutput(tr("(did not start: %1)").arg(process->errorString()));
  else if (process->exitStatus() != QProcess::NormalExit)
    appendOutput(tr("(ended by a signal after %1 s)").arg(seconds, 0, 'f', 1));
  else
    appendOutput(tr("(exit status %1 after %2 s)").arg(process->exitCode()).arg(seconds, 0, 'f', 1));

  if (running->command == Command::Test)
    for (const QString& name : running->nodes) m_model->setTesting(name, false);
  reload();

  const QString name = running->nodes.join(QStringLiteral(", "));
  QString why = started ? cliError(err) : process->errorString();
  if (why.isEmpty() && !ok)
    why = process->exitStatus() != QProcess::NormalExit
              ? tr("understudy-cli ended by a signal")
              : tr("understudy-cli exited with status %1").arg(process->exitCode());
  QString message;
  switch (running->command) {
    case Command::Add:
      message = ok ? tr("Added node %1. Test it to see whether it can be reached.").arg(name)
                   : tr("Could not add node %1: %2").arg(name, why);
      if (!ok) reportError(tr("Cannot add node %1").arg(name), why);
      if (ok) selectNode(running->nodes.value(0));
      break;
    case Command::Edit:
      message = ok ? tr("Changed node %1; its status is unknown until it is tested again.")
                         .arg(name)
                   : tr("Could not change node %1: %2").arg(name, why);
      if (!ok) reportError(tr("Cannot edit node %1").arg(name), why);
      break;
    case Command::Remove:
      message = ok ? tr("Removed node %1.").arg(name)
                   : tr("Could not remove node %1: %2").arg(name, why);
      if (!ok) reportError(tr("Cannot remove node %1").arg(name), why);
      break;
    case Command::Test: {
      // What the test recorded, node by node; the CLI's own words when it
      // recorded nothing (it could not start, the workspace went away).
      QStringList lines;
      bool recorded = started && process->exitStatus() == QProcess::NormalExit;
      for (const QString& node : running->nodes) {
        const NodeInfo* info = m_model->node(node);
        if (!info || info->status == QLatin1String("unknown")) {
          recorded = false;
          continue;
        }
        if (info->status == QLatin1String("ok"))
          lines << tr("%1: ok — %2, %3 CPUs, %4 GPUs")
                       .arg(node, info->version)
                       .arg(info->cpus)
                       .arg(info->gpus);
        else
          lines << tr("%1: %2 — %3")
                       .arg(node, NodesModel::statusText(info->status), info->lastError);
      }
      if (!recorded && !ok) lines << tr("Test of %1 failed: %2").arg(name, why);
      message = lines.join(QLatin1Char('\n'));
      break;
    }
  }
  setResult(message, ok);
  updateActions();
  emit commandFinished(running->command, running->nodes, ok, message);
}

void NodesView::setResult(const QString& text, bool ok) {
  m_result->setText(text);
  m_result->setStyleSheet(ok ? QString() : QStringLiteral("color: #b01c1c;"));
  m_result->setVisible(!text.isEmpty());
}

void NodesView::appendOutput(const QString& text) { m_output->appendPlainText(text); }

void NodesView::reportError(const QString& title, const QString& message) {
  emit errorOccurred(title, message);
}

}  // namespace understudy::ui
