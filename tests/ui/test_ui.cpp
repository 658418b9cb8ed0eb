// The workbench as a person uses it: open a workspace, watch rows that jobs
// write from another process appear, get a clear message (not a crash) for
// folders that are not workspaces, find recent workspaces again, read it in
// German. Runs offscreen (QT_QPA_PLATFORM=offscreen, set by CTest).
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include <QAbstractItemModelTester>
#include <QAbstractButton>
#include <QComboBox>
#include <QGroupBox>
#include <QFileInfo>
#include <QKeySequence>
#include <QLibraryInfo>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QRegularExpression>
#include <QSet>
#include <QToolButton>
#include <QWizardPage>
#include <QAction>
#include <QDir>
#include <QFile>
#include <QHeaderView>
#include <QImage>
#include <QMenu>
#include <QMenuBar>
#include <QProcess>
#include <QSettings>
#include <QSqlQueryModel>
#include <QTabWidget>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTranslator>
#include <QTreeView>
#include <QXmlStreamReader>
#include <QtTest>
#include <memory>

#include <csignal>

#include "core/store/workspace.h"
#include "ui/charts/training_chart_view.h"
#include "ui/jobs/job.h"
#include "ui/jobs/job_controller.h"
#include "ui/jobs/jobs_panel.h"
#include "ui/main/main_window.h"
#include "ui/main/workspace_status_bar.h"
#include "ui/nodes/node_dialog.h"
#include "ui/browser/utterance_browser.h"
#include "ui/compare/comparison_view.h"
#include "ui/labeling/labeling_quality_view.h"
#include "ui/nodes/nodes_view.h"
#include "ui/settings/workbench_settings.h"
#include "ui/workspace/workspace_groups.h"
#include "ui/workspace/workspace_session.h"
#include "ui/workspace/workspace_tree_model.h"
#include "ui/wizard/run_wizard.h"
#include "ui/workspace/workspace_view.h"

using understudy::Workspace;
using namespace understudy::ui;

namespace {

const char* const kGuiBinary = UNDERSTUDY_BINARY_DIR "/app/gui/understudy";
const char* const kGermanQm = UNDERSTUDY_BINARY_DIR "/app/gui/understudy_de.qm";
const char* const kGermanTs = UNDERSTUDY_SOURCE_DIR "/translations/understudy_de.ts";
constexpr int kFastPollMs = 100;

// What a job does: its own SQLite connection (SQLiteCpp), not the GUI's.
class JobWriter {
 public:
  explicit JobWriter(const QString& workspace)
      : m_db(QDir(workspace).filePath("workspace.db").toStdString(), SQLite::OPEN_READWRITE, 5000) {
  }
  void exec(const char* sql) { m_db.exec(sql); }
  SQLite::Database& db() { return m_db; }

 private:
  SQLite::Database m_db;
};

QStringList childNames(const WorkspaceTreeModel* tree, WorkspaceGroup group) {
  QStringList names;
  const QModelIndex parent = tree->groupIndex(group);
  for (int r = 0; r < tree->rowCount(parent); ++r) {
    const QModelIndex child = tree->index(r, WorkspaceTreeModel::NameColumn, parent);
    if (!child.data(WorkspaceTreeModel::PlaceholderRole).toBool()) names << child.data().toString();
  }
  return names;
}

QModelIndex placeholderOf(const WorkspaceTreeModel* tree, WorkspaceGroup group) {
  const QModelIndex parent = tree->groupIndex(group);
  if (tree->rowCount(parent) != 1) return {};
  const QModelIndex child = tree->index(0, 0, parent);
  return child.data(WorkspaceTreeModel::PlaceholderRole).toBool() ? child : QModelIndex();
}

// The German translation of `source` in `context`, read straight from the .ts file
// (the reference the compiled .qm must agree with).
QString germanFromTs(const QString& context, const QString& source) {
  QFile file(QString::fromUtf8(kGermanTs));
  if (!file.open(QIODevice::ReadOnly)) return {};
  QXmlStreamReader xml(&file);
  QString currentContext, currentSource;
  while (!xml.atEnd()) {
    if (xml.readNext() != QXmlStreamReader::StartElement) continue;
    if (xml.name() == QLatin1String("name")) {
      currentContext = xml.readElementText();
    } else if (xml.name() == QLatin1String("source")) {
      currentSource = xml.readElementText();
    } else if (xml.name() == QLatin1String("translation") && currentContext == context &&
               currentSource == source) {
      return xml.readElementText(QXmlStreamReader::IncludeChildElements);
    }
  }
  return {};
}

// Every message of the German .ts: context, English source, German forms, and
// whether it is finished (no type="unfinished", "vanished" or "obsolete").
struct TsMessage {
  QString context;
  QString source;
  QStringList forms;  // one, or one per plural form (numerus)
  bool numerus = false;
  bool finished = false;
};

QList<TsMessage> germanMessages(const QString& path = QString::fromUtf8(kGermanTs)) {
  QList<TsMessage> messages;
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly)) return messages;
  QXmlStreamReader xml(&file);
  QString context;
  while (!xml.atEnd()) {
    if (xml.readNext() != QXmlStreamReader::StartElement) continue;
    if (xml.name() == QLatin1String("name")) {
      context = xml.readElementText();
    } else if (xml.name() == QLatin1String("message")) {
      messages.append({context, QString(), {},
                       xml.attributes().value(QLatin1String("numerus")) == QLatin1String("yes"), false});
    } else if (xml.name() == QLatin1String("source") && !messages.isEmpty()) {
      messages.last().source = xml.readElementText();
    } else if (xml.name() == QLatin1String("translation") && !messages.isEmpty()) {
      messages.last().finished = xml.attributes().value(QLatin1String("type")).isEmpty();
      if (!messages.last().numerus) {
        messages.last().forms << xml.readElementText();
      } else {
        while (xml.readNextStartElement()) messages.last().forms << xml.readElementText();
      }
    }
  }
  return messages;
}

// English sources whose German differs: shown as such under the German
// translator, they are a translation that is missing from the .qm.
QSet<QString> englishThatHasGerman() {
  QSet<QString> english;
  for (const TsMessage& m : germanMessages())
    if (!m.forms.isEmpty() && m.forms.first() != m.source) english.insert(m.source);
  return english;
}

// Every text a person can read in `root` and its children: window titles,
// menus and actions, buttons, labels, group boxes, tabs, table headers,
// placeholders, combo box items, wizard page titles, tooltips.
QStringList visibleTexts(QWidget* root) {
  QStringList texts;
  QList<QWidget*> widgets = root->findChildren<QWidget*>();
  widgets.prepend(root);
  for (QWidget* w : widgets) {
    texts << w->windowTitle() << w->toolTip();
    if (auto* b = qobject_cast<QAbstractButton*>(w)) texts << b->text();
    if (auto* l = qobject_cast<QLabel*>(w)) texts << l->text();
    if (auto* g = qobject_cast<QGroupBox*>(w)) texts << g->title();
    if (auto* m = qobject_cast<QMenu*>(w)) texts << m->title();
    if (auto* e = qobject_cast<QLineEdit*>(w)) texts << e->placeholderText();
    if (auto* e = qobject_cast<QPlainTextEdit*>(w)) texts << e->placeholderText();
    if (auto* c = qobject_cast<QComboBox*>(w))
      for (int i = 0; i < c->count(); ++i) texts << c->itemText(i);
    if (auto* t = qobject_cast<QTabWidget*>(w))
      for (int i = 0; i < t->count(); ++i) texts << t->tabText(i) << t->tabToolTip(i);
    if (auto* p = qobject_cast<QWizardPage*>(w)) texts << p->title() << p->subTitle();
    if (auto* v = qobject_cast<QAbstractItemView*>(w); v && v->model())
      for (int c = 0; c < v->model()->columnCount(); ++c)
        texts << v->model()->headerData(c, Qt::Horizontal).toString();
    for (QAction* a : w->actions()) texts << a->text() << a->statusTip() << a->toolTip();
  }
  texts.removeAll(QString());
  return texts;
}

// The Alt+letter mnemonics that can fire together in `scope` (buttons, and
// labels with a buddy), plus `extra` texts (menu titles, wizard buttons):
// each mnemonic that is used more than once, with the texts that share it.
QStringList mnemonicClashes(QWidget* scope, const QStringList& extra) {
  QMultiMap<QString, QString> byKey;
  auto add = [&](const QString& text) {
    const QKeySequence key = QKeySequence::mnemonic(text);
    if (!key.isEmpty()) byKey.insert(key.toString(), text);
  };
  QList<QWidget*> widgets = scope->findChildren<QWidget*>();
  for (QWidget* w : widgets) {
    if (qobject_cast<QToolButton*>(w)) continue;  // a tool button shows its action without one
    if (auto* b = qobject_cast<QAbstractButton*>(w)) add(b->text());
    if (auto* l = qobject_cast<QLabel*>(w); l && l->buddy()) add(l->text());
    if (auto* g = qobject_cast<QGroupBox*>(w)) add(g->title());
  }
  for (const QString& text : extra) add(text);
  QStringList clashes;
  for (const QString& key : byKey.uniqueKeys())
    if (byKey.count(key) > 1) clashes << key + ": " + QStringList(byKey.values(key)).join(" | ");
  return clashes;
}

QStringList menuClashes(QMenu* menu) {
  QStringList texts;
  for (QAction* a : menu->actions())
    if (!a->isSeparator() && a->isVisible()) texts << a->text();
  QMultiMap<QString, QString> byKey;
  for (const QString& text : texts) {
    const QKeySequence key = QKeySequence::mnemonic(text);
    if (!key.isEmpty()) byKey.insert(key.toString(), text);
  }
  QStringList clashes;
  for (const QString& key : byKey.uniqueKeys())
    if (byKey.count(key) > 1)
      clashes << menu->title() + " " + key + ": " + QStringList(byKey.values(key)).join(" | ");
  return clashes;
}

struct GuiRun {
  int exitCode = -1;
  QProcess::ExitStatus status = QProcess::CrashExit;
  QString out;
  QString err;
};

GuiRun runGui(const QStringList& args, const QString& language) {
  QProcess p;
  QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
  env.insert("QT_QPA_PLATFORM", "offscreen");
  env.insert("LC_ALL", language);
  env.insert("LANG", language);
  env.insert("LANGUAGE", language.section('_', 0, 0));
  p.setProcessEnvironment(env);
  p.start(QString::fromUtf8(kGuiBinary), args);
  GuiRun run;
  if (!p.waitForStarted(10000) || !p.waitForFinished(30000)) {
    p.kill();
    p.waitForFinished();
    run.err = "did not start or finish: " + p.errorString();
    return run;
  }
  run.exitCode = p.exitCode();
  run.status = p.exitStatus();
  run.out = QString::fromUtf8(p.readAllStandardOutput());
  run.err = QString::fromUtf8(p.readAllStandardError());
  return run;
}

// The width a table column's values need (public in QAbstractItemView).
int contentWidth(const QTableView* table, int column) {
  return static_cast<const QAbstractItemView*>(table)->sizeHintForColumn(column);
}

struct ReportedError {
  QString title;
  QString message;
};

// Where a shortcut can fire: the window for window-wide actions, otherwise
// each widget the action is added to (a menu does not count: Qt does not
// fire a widget-scoped shortcut from a menu).
QList<QWidget*> shortcutScopes(QAction* action, QWidget* window) {
  if (action->shortcutContext() == Qt::WindowShortcut ||
      action->shortcutContext() == Qt::ApplicationShortcut)
    return {window};
  QList<QWidget*> scopes;
  for (QObject* object : action->associatedObjects()) {
    auto* widget = qobject_cast<QWidget*>(object);
    if (widget && !qobject_cast<QMenu*>(widget) && !qobject_cast<QMenuBar*>(widget))
      scopes << widget;
  }
  return scopes;
}

bool overlaps(const QList<QWidget*>& a, const QList<QWidget*>& b) {
  for (QWidget* x : a)
    for (QWidget* y : b)
      if (x == y || x->isAncestorOf(y) || y->isAncestorOf(x)) return true;
  return false;
}

}  // namespace

class TestUi : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir m_settingsDir;
  QTemporaryDir m_dir;
  int m_counter = 0;

  QString newWorkspace() {
    const QString path = m_dir.filePath(QStringLiteral("ws%1").arg(++m_counter));
    Workspace::create(path.toStdString());
    return path;
  }

  std::unique_ptr<MainWindow> newWindow(QList<ReportedError>* errors) {
    auto window = std::make_unique<MainWindow>();
    window->setErrorReporter([errors](const QString& title, const QString& message) {
      errors->append({title, message});
    });
    window->session()->setPollIntervalMs(kFastPollMs);
    // Checks every row insertion/removal the tree model announces against its contents.
    new QAbstractItemModelTester(window->session()->treeModel(),
                                 QAbstractItemModelTester::FailureReportingMode::QtTest,
                                 window.get());
    window->show();
    return window;
  }

 private slots:
  void initTestCase() {
    QVERIFY(m_settingsDir.isValid() && m_dir.isValid());
    QStandardPaths::setTestModeEnabled(true);
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_settingsDir.path());
    QCoreApplication::setOrganizationName("UnderstudyTest");
    QCoreApplication::setApplicationName("test_ui");
    QSettings().clear();
  }

  void testOpenEmptyWorkspaceShowsFourGroupsWithEmptyStates() {
    QList<ReportedError> errors;
    auto window = newWindow(&errors);
    QVERIFY(window->isShowingWelcome());
    QCOMPARE(window->workspaceStatusBar()->pathText(), QString("No workspace open"));

    const QString ws = newWorkspace();
    QVERIFY(window->openWorkspace(ws));
    QVERIFY(errors.isEmpty());
    QVERIFY(!window->isShowingWelcome());

    const WorkspaceTreeModel* tree = window->session()->treeModel();
    QCOMPARE(tree->rowCount(), 4);
    QStringList titles;
    for (int r = 0; r < 4; ++r) titles << tree->index(r, 0).data().toString();
    QCOMPARE(titles, QStringList({"Datasets", "Models", "Runs", "Nodes"}));

    // Each group is empty and says so, greyed and not selectable.
    const QModelIndex datasets = placeholderOf(tree, WorkspaceGroup::Datasets);
    QVERIFY(datasets.isValid());
    QVERIFY(datasets.data().toString().startsWith("No datasets yet"));
    QVERIFY(datasets.data().toString().contains("understudy-cli corpus import"));
    QVERIFY(datasets.data().toString().contains("corpus synth"));
    QVERIFY(!(tree->flags(datasets) & Qt::ItemIsSelectable));
    QCOMPARE(datasets.data(Qt::ForegroundRole).value<QColor>(),
             QApplication::palette().color(QPalette::Disabled, QPalette::Text));
    for (auto group : {WorkspaceGroup::Models, WorkspaceGroup::Runs, WorkspaceGroup::Nodes})
      QVERIFY(placeholderOf(tree, group).isValid());
    QVERIFY(placeholderOf(tree, WorkspaceGroup::Runs).data().toString().startsWith("No runs yet"));
    QVERIFY(!datasets.data().toString().contains(QLatin1Char(0x60)));  // no backquotes in the tree

    // The detail side shows the empty state rather than an empty table.
    WorkspaceView* view = window->workspaceView();
    view->selectGroup(WorkspaceGroup::Runs);
    QVERIFY(view->isShowingEmptyState());
    QVERIFY(view->emptyStateText().contains("understudy-cli features"));

    // Status bar: path, schema version, counts.
    const WorkspaceStatusBar* status = window->workspaceStatusBar();
    QCOMPARE(status->pathText(), QDir::toNativeSeparators(QDir(ws).absolutePath()));
    QCOMPARE(status->schemaText(), QString("schema v5"));
    QCOMPARE(status->countsText(), QString("Datasets: 0 · Models: 0 · Runs: 0 · Nodes: 0"));
    QVERIFY(window->windowTitle().startsWith(QFileInfo(ws).fileName()));
  }

  void testRowsWrittenByAJobAppearAfterThePoll() {
    QList<ReportedError> errors;
    auto window = newWindow(&errors);
    const QString ws = newWorkspace();
    QVERIFY(window->openWorkspace(ws));
    const WorkspaceTreeModel* tree = window->session()->treeModel();

    JobWriter job(ws);
    job.exec(
        "INSERT INTO datasets (name, kind, condition, num_utterances, total_seconds) VALUES "
        "('synth-labeled', 'labeled', 'mixed', 120, 1500), "
        "('synth-test-noisy', 'test', 'noisy', 40, 300)");
    job.exec("INSERT INTO runs (kind, name, status) VALUES ('train', 'teacher-blstm', 'running')");
    job.exec(
        "INSERT INTO models (name, role, num_params, run_id) VALUES ('teacher', 'teacher', "
        "1234567, 1)");
    job.exec(
        "INSERT INTO nodes (name, host, cpus, gpus, status) VALUES ('gpu-a', '10.0.0.7', "
        "32, 4, 'online')");

    // No explicit refresh: the poll timer finds the change.
    QTRY_COMPARE_WITH_TIMEOUT(childNames(tree, WorkspaceGroup::Datasets),
                              QStringList({"synth-labeled", "synth-test-noisy"}), 5000);
    QCOMPARE(childNames(tree, WorkspaceGroup::Runs), QStringList({"teacher-blstm"}));
    QCOMPARE(childNames(tree, WorkspaceGroup::Models), QStringList({"teacher"}));
    QCOMPARE(childNames(tree, WorkspaceGroup::Nodes), QStringList({"gpu-a"}));
    QVERIFY(!placeholderOf(tree, WorkspaceGroup::Datasets).isValid());
    QCOMPARE(window->workspaceStatusBar()->countsText(),
             QString("Datasets: 2 · Models: 1 · Runs: 1 · Nodes: 1"));

    // Tree summaries come from the row's columns.
    const QModelIndex labeled = tree->index(0, WorkspaceTreeModel::SummaryColumn,
                                            tree->groupIndex(WorkspaceGroup::Datasets));
    QVERIFY2(labeled.data().toString().contains("labeled"), qPrintable(labeled.data().toString()));
    QVERIFY(labeled.data().toString().contains("120 utt."));
    QVERIFY(labeled.data().toString().contains("0.42 h"));  // 1500 s

    // The detail table is the group's Qt Sql model; picking a tree row selects it there.
    WorkspaceView* view = window->workspaceView();
    const QModelIndex noisy =
        tree->index(1, WorkspaceTreeModel::NameColumn, tree->groupIndex(WorkspaceGroup::Datasets));
    view->treeView()->selectionModel()->setCurrentIndex(
        noisy, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    QCOMPARE(view->currentGroup(), WorkspaceGroup::Datasets);
    QVERIFY(!view->isShowingEmptyState());
    QAbstractItemModel* table = view->detailView()->model();
    QCOMPARE(table, static_cast<QAbstractItemModel*>(tree->groupModel(WorkspaceGroup::Datasets)));
    QCOMPARE(table->rowCount(), 2);
    QCOMPARE(table->headerData(1, Qt::Horizontal).toString(), QString("Name"));
    const QModelIndexList selected = view->detailView()->selectionModel()->selectedRows(1);
    QCOMPARE(selected.size(), 1);
    QCOMPARE(selected.first().data().toString(), QString("synth-test-noisy"));
    // The row id is for the program, not for people: hidden, also after a re-select.
    QTRY_VERIFY(view->detailView()->isColumnHidden(0));

    // A run that changes state is updated in place; the selection survives.
    job.exec("UPDATE runs SET status = 'failed', error = 'rank 1 died' WHERE id = 1");
    const QModelIndex run =
        tree->index(0, WorkspaceTreeModel::SummaryColumn, tree->groupIndex(WorkspaceGroup::Runs));
    QTRY_VERIFY_WITH_TIMEOUT(run.data().toString().contains("failed"), 5000);

    // A change in the shown group re-selects its model; selection and hidden id survive.
    int resets = 0;
    connect(table, &QAbstractItemModel::modelReset, this, [&resets] { ++resets; });
    job.exec("UPDATE datasets SET num_utterances = 41 WHERE name = 'synth-test-noisy'");
    const QModelIndex noisySummary = noisy.siblingAtColumn(WorkspaceTreeModel::SummaryColumn);
    QTRY_VERIFY_WITH_TIMEOUT(noisySummary.data().toString().contains("41 utt."), 5000);
    QCOMPARE(resets, 1);
    QTRY_COMPARE(view->detailView()->selectionModel()->selectedRows(1).value(0).data().toString(),
                 QString("synth-test-noisy"));
    QVERIFY(view->detailView()->isColumnHidden(0));
    QVERIFY(errors.isEmpty());
  }

  void testANewRunKeepsTheSelectedTreeRow() {
    QList<ReportedError> errors;
    auto window = newWindow(&errors);
    const QString ws = newWorkspace();
    QVERIFY(window->openWorkspace(ws));
    JobWriter job(ws);
    job.exec(
        "INSERT INTO runs (kind, name, status) VALUES ('train', 'r1', 'finished'), "
        "('train', 'r2', 'finished'), ('train', 'r3', 'running')");
    window->session()->refresh();
    const WorkspaceTreeModel* tree = window->session()->treeModel();
    QCOMPARE(childNames(tree, WorkspaceGroup::Runs), QStringList({"r3", "r2", "r1"}));

    QTreeView* treeView = window->workspaceView()->treeView();
    const QModelIndex r2 = tree->index(1, 0, tree->groupIndex(WorkspaceGroup::Runs));
    treeView->selectionModel()->setCurrentIndex(
        r2, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);

    // A new run arrives on top (newest first) and r1 is deleted at the bottom.
    job.exec("INSERT INTO runs (kind, name, status) VALUES ('label', 'r4', 'running')");
    job.exec("DELETE FROM runs WHERE name = 'r1'");
    window->session()->refresh();
    QCOMPARE(childNames(tree, WorkspaceGroup::Runs), QStringList({"r4", "r3", "r2"}));
    const QModelIndexList selected = treeView->selectionModel()->selectedRows();
    QCOMPARE(selected.size(), 1);
    QCOMPARE(selected.first().data().toString(), QString("r2"));

    // A rename that moves a row in a group sorted by name.
    job.exec("INSERT INTO datasets (name, kind) VALUES ('a', 'test'), ('b', 'test'), "
             "('c', 'test')");
    window->session()->refresh();
    const QPersistentModelIndex a = tree->index(0, 0, tree->groupIndex(WorkspaceGroup::Datasets));
    QCOMPARE(a.data().toString(), QString("a"));
    job.exec("UPDATE datasets SET name = 'z' WHERE name = 'a'");
    window->session()->refresh();
    QCOMPARE(childNames(tree, WorkspaceGroup::Datasets), QStringList({"b", "c", "z"}));
    // A view's persistent index never ends up on another row.
    QVERIFY2(!a.isValid() || a.data().toString() == "z", qPrintable(a.data().toString()));

    // Everything replaced: still consistent.
    job.exec("DELETE FROM runs");
    job.exec("INSERT INTO runs (kind, name) VALUES ('decode', 'r5')");
    window->session()->refresh();
    QCOMPARE(childNames(tree, WorkspaceGroup::Runs), QStringList({"r5"}));
    job.exec("DELETE FROM runs");
    window->session()->refresh();
    QVERIFY(placeholderOf(tree, WorkspaceGroup::Runs).isValid());
  }

  void testPollWithoutChangesDoesNotReselect() {
    QList<ReportedError> errors;
    auto window = newWindow(&errors);
    const QString ws = newWorkspace();
    QVERIFY(window->openWorkspace(ws));
    int resets = 0;
    for (int g = 0; g < kWorkspaceGroupCount; ++g)
      connect(window->session()->treeModel()->groupModel(static_cast<WorkspaceGroup>(g)),
              &QAbstractItemModel::modelReset, this, [&resets] { ++resets; });
    QTest::qWait(5 * kFastPollMs);
    QCOMPARE(resets, 0);
    // A write to a table no group shows moves data_version but changes no group's rows.
    JobWriter(ws).exec("INSERT INTO unit_inventories (name, num_units) VALUES ('phones', 64)");
    QTest::qWait(5 * kFastPollMs);
    QCOMPARE(resets, 0);
  }

  void testRefreshDoesNotSeeAWriterHoldingATransaction() {
    QList<ReportedError> errors;
    auto window = newWindow(&errors);
    const QString ws = newWorkspace();
    QVERIFY(window->openWorkspace(ws));
    JobWriter job(ws);
    {
      SQLite::Transaction tx(job.db());
      job.exec("INSERT INTO datasets (name, kind) VALUES ('pending', 'unlabeled')");
      // Returns (WAL readers never wait for the writer) and shows the last commit.
      window->session()->refresh();
      QVERIFY(childNames(window->session()->treeModel(), WorkspaceGroup::Datasets).isEmpty());
      QVERIFY(errors.isEmpty());
      tx.commit();
    }
    window->session()->refresh();
    QCOMPARE(childNames(window->session()->treeModel(), WorkspaceGroup::Datasets),
             QStringList({"pending"}));
  }

  void testThousandsOfRunsLoadTheNewestUpToTheRowLimit() {
    QList<ReportedError> errors;
    auto window = newWindow(&errors);
    const QString ws = newWorkspace();
    QVERIFY(window->openWorkspace(ws));
    JobWriter job(ws);
    {
      SQLite::Transaction tx(job.db());
      SQLite::Statement insert(job.db(),
                               "INSERT INTO runs (kind, name, status) VALUES "
                               "('train', ?, 'finished')");
      for (int i = 0; i < 6000; ++i) {
        insert.bind(1, "run-" + std::to_string(i));
        insert.exec();
        insert.reset();
      }
      tx.commit();
    }
    window->session()->refresh();
    // The tree and table load at most kRowLimit rows; the status bar has the true count.
    const WorkspaceTreeModel* tree = window->session()->treeModel();
    QCOMPARE(tree->loadedRowCount(WorkspaceGroup::Runs), WorkspaceGroups::kRowLimit);
    QCOMPARE(childNames(tree, WorkspaceGroup::Runs).value(0), QString("run-5999"));
    QCOMPARE(window->session()->counts().runs, 6000);
    // Unchanged polls keep the same rows.
    for (int i = 0; i < 20; ++i) window->session()->refresh();
    QCOMPARE(tree->loadedRowCount(WorkspaceGroup::Runs), WorkspaceGroups::kRowLimit);
    QVERIFY(errors.isEmpty());
  }

  void testDetailColumnsAreAsWideAsHeaderAndValues() {
    QList<ReportedError> errors;
    auto window = newWindow(&errors);
    window->resize(1100, 680);
    const QString ws = newWorkspace();
    // What the tiny demo writes (corpus synth, features, targets, train), as a job would.
    JobWriter job(ws);
    job.exec(
        "INSERT INTO datasets (name, kind, source, condition, num_utterances, total_seconds) "
        "VALUES ('synth-labeled', 'labeled', 'synthetic', 'mixed', 77, 180.2), "
        "('synth-test-unseen-variant', 'test', 'synthetic', 'clean', 23, 72.5), "
        "('synth-unlabeled', 'unlabeled', 'synthetic', 'mixed', 288, 612.0)");
    job.exec(
        "INSERT INTO runs (kind, name, status, host, started_at, finished_at) VALUES "
        "('synth', 'synth-tiny-seed1', 'finished', 'vm', '2026-11-25T08:52:13.120Z', "
        "'2026-11-25T08:52:15.551Z'), "
        "('features', 'synth-test-unseen-variant', 'finished', 'vm', "
        "'2026-11-25T08:52:18.004Z', '2026-11-25T08:52:18.730Z')");
    job.exec(
        "INSERT INTO models (name, role, num_params, run_id, path) VALUES "
        "('teacher-tiny', 'teacher', 241234, 2, 'models/teacher-tiny')");
    QVERIFY(window->openWorkspace(ws));
    WorkspaceView* view = window->workspaceView();
    QTableView* table = view->detailView();

    // Every visible column shows its whole header and its whole values, and
    // (the last one aside, which stretches) takes no more room than that.
    const auto checkColumns = [table](const char* group) {
      QHeaderView* header = table->horizontalHeader();
      for (int c = 0; c < header->count(); ++c) {
        if (table->isColumnHidden(c)) continue;
        const QString name = table->model()->headerData(c, Qt::Horizontal).toString();
        const int need = qMax(header->sectionSizeHint(c), contentWidth(table, c));
        QVERIFY2(table->columnWidth(c) >= need,
                 qPrintable(QString("%1: column '%2' is %3 px, needs %4")
                                .arg(group, name)
                                .arg(table->columnWidth(c))
                                .arg(need)));
        QVERIFY2(c == header->count() - 1 || table->columnWidth(c) == need,
                 qPrintable(QString("%1: column '%2' is %3 px, needs only %4")
                                .arg(group, name)
                                .arg(table->columnWidth(c))
                                .arg(need)));
      }
      // The last column takes what is left: no gap right of the table.
      QVERIFY2(header->length() >= table->viewport()->width(),
               qPrintable(QString("%1: columns end at %2 px, table is %3 px")
                              .arg(group)
                              .arg(header->length())
                              .arg(table->viewport()->width())));
    };
    for (auto group : {WorkspaceGroup::Datasets, WorkspaceGroup::Models, WorkspaceGroup::Runs}) {
      view->selectGroup(group);
      QCoreApplication::processEvents();
      checkColumns(qPrintable(WorkspaceGroups::spec(group).key));
      if (QTest::currentTestFailed()) return;
    }

    // A run that fails later: its error arrives with a refresh and widens the column.
    job.exec(
        "INSERT INTO runs (kind, name, status, host, started_at, finished_at, error) VALUES "
        "('train', 'teacher-tiny', 'failed', 'vm', '2026-11-25T08:52:19.000Z', "
        "'2026-11-25T08:52:35.000Z', 'train: dataset ''synth-labeled'' has no targets')");
    window->session()->refresh();
    QCoreApplication::processEvents();
    QCOMPARE(table->model()->rowCount(), 3);
    checkColumns("runs after a refresh");
    if (QTest::currentTestFailed()) return;

    // A value far wider than the table is capped, but its header still reads whole.
    job.exec(QString("UPDATE runs SET error = '%1' WHERE name = 'teacher-tiny'")
                 .arg(QString("x").repeated(400))
                 .toUtf8()
                 .constData());
    window->session()->refresh();
    QCoreApplication::processEvents();
    const int errorColumn = table->model()->columnCount() - 1;
    QCOMPARE(table->model()->headerData(errorColumn, Qt::Horizontal).toString(), QString("Error"));
    QVERIFY(table->columnWidth(errorColumn) < contentWidth(table, errorColumn));
    QVERIFY(table->columnWidth(errorColumn) >=
            table->horizontalHeader()->sectionSizeHint(errorColumn));
    QVERIFY(errors.isEmpty());
  }

  void testTreeShowsWholeNamesAndElidesLongOnesInTheMiddle() {
    QList<ReportedError> errors;
    auto window = newWindow(&errors);
    window->resize(1100, 680);
    const QString ws = newWorkspace();
    JobWriter(ws).exec(
        "INSERT INTO datasets (name, kind, num_utterances) VALUES "
        "('synth-labeled', 'labeled', 77), ('synth-test-unseen-variant', 'test', 23)");
    QVERIFY(window->openWorkspace(ws));
    QCoreApplication::processEvents();
    QTreeView* treeView = window->workspaceView()->treeView();
    const WorkspaceTreeModel* tree = window->session()->treeModel();
    const QModelIndex datasets = tree->groupIndex(WorkspaceGroup::Datasets);
    for (int r = 0; r < tree->rowCount(datasets); ++r) {
      const QModelIndex child = tree->index(r, WorkspaceTreeModel::NameColumn, datasets);
      const int need = treeView->sizeHintForIndex(child).width() + 2 * treeView->indentation();
      QVERIFY2(treeView->columnWidth(WorkspaceTreeModel::NameColumn) >= need,
               qPrintable(QString("'%1' needs %2 px, the column is %3 px")
                              .arg(child.data().toString())
                              .arg(need)
                              .arg(treeView->columnWidth(WorkspaceTreeModel::NameColumn))));
    }
    // A name too long for any column keeps its start and its end.
    JobWriter(ws).exec(
        "INSERT INTO datasets (name, kind) VALUES ('librispeech-train-other-500-speed-"
        "perturbed-0.9-1.0-1.1-reverberated-musan-noise-snr-0-to-15-db', 'unlabeled')");
    window->session()->refresh();
    QCoreApplication::processEvents();
    QVERIFY(treeView->columnWidth(WorkspaceTreeModel::NameColumn) <
            treeView->viewport()->width());
    QCOMPARE(treeView->textElideMode(), Qt::ElideMiddle);
    QVERIFY(errors.isEmpty());
  }

  // An open workspace is seven tabs; View → Ctrl+1..7 (and the keys) switch them.
  void testViewsAreTabsSwitchedByCtrlNumbers() {
    QList<ReportedError> errors;
    auto window = newWindow(&errors);
    QVERIFY(!window->viewAction(MainWindow::View::Nodes)->isEnabled());  // nothing open
    QVERIFY(window->openWorkspace(newWorkspace()));
    QTabWidget* tabs = window->viewTabs();
    QStringList titles;
    for (int i = 0; i < tabs->count(); ++i) titles << tabs->tabText(i);
    QCOMPARE(titles, QStringList({"Workspace", "Jobs", "Charts", "Nodes", "Utterances", "Labels",
                                  "Compare"}));
    QCOMPARE(tabs->widget(0), static_cast<QWidget*>(window->workspaceView()));
    QCOMPARE(tabs->widget(1), static_cast<QWidget*>(window->jobsPanel()));
    QCOMPARE(tabs->widget(2), static_cast<QWidget*>(window->chartView()));
    QCOMPARE(tabs->widget(3), static_cast<QWidget*>(window->nodesView()));
    QCOMPARE(tabs->widget(4), static_cast<QWidget*>(window->utteranceBrowser()));
    QCOMPARE(tabs->widget(5), static_cast<QWidget*>(window->labelingView()));
    QCOMPARE(tabs->widget(6), static_cast<QWidget*>(window->comparisonView()));
    // Each view follows the workspace the window opened.
    QCOMPARE(window->jobsPanel()->workspacePath(), window->session()->rootPath());
    QCOMPARE(window->chartView()->workspace(), window->session()->rootPath());
    QCOMPARE(window->nodesView()->workspacePath(), window->session()->rootPath());
    QCOMPARE(window->utteranceBrowser()->workspacePath(), window->session()->rootPath());
    QCOMPARE(window->labelingView()->workspacePath(), window->session()->rootPath());
    QCOMPARE(window->comparisonView()->workspacePath(), window->session()->rootPath());

    window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(window.get()));
    const std::pair<Qt::Key, MainWindow::View> keys[] = {
        {Qt::Key_6, MainWindow::View::Labels},
        {Qt::Key_5, MainWindow::View::Utterances},
        {Qt::Key_7, MainWindow::View::Compare},
        {Qt::Key_4, MainWindow::View::Nodes},
        {Qt::Key_2, MainWindow::View::Jobs},
        {Qt::Key_3, MainWindow::View::Charts},
        {Qt::Key_1, MainWindow::View::Workspace}};
    for (const auto& [key, view] : keys) {
      QTest::keyClick(window.get(), key, Qt::ControlModifier);
      QCOMPARE(window->currentView(), view);
      QVERIFY(window->viewAction(view)->isChecked());
    }
    window->viewAction(MainWindow::View::Nodes)->trigger();
    QCOMPARE(tabs->currentWidget(), static_cast<QWidget*>(window->nodesView()));

    // Enter on a node in the workspace tree: the nodes view, that node selected.
    JobWriter(window->session()->rootPath())
        .exec("INSERT INTO nodes (name, host) VALUES ('a-node', 'h1'), ('b-node', 'h2')");
    window->session()->refresh();
    window->showView(MainWindow::View::Workspace);
    const WorkspaceTreeModel* tree = window->session()->treeModel();
    const QModelIndex nodes = tree->groupIndex(WorkspaceGroup::Nodes);
    QCOMPARE(tree->rowCount(nodes), 2);
    emit window->workspaceView()->treeView()->activated(tree->index(1, 0, nodes));
    QCOMPARE(window->currentView(), MainWindow::View::Nodes);
    QCOMPARE(window->nodesView()->selectedNode(), QString("b-node"));
    QVERIFY(errors.isEmpty());

    window->session()->close();
    QVERIFY(window->isShowingWelcome());
    QCOMPARE(window->nodesView()->workspacePath(), QString());
    QCOMPARE(window->jobsPanel()->workspacePath(), QString());
  }

  // No two actions that can fire at the same time share a key, and the common
  // actions have theirs.
  void testShortcutsDoNotCollide() {
    QList<ReportedError> errors;
    auto window = newWindow(&errors);
    QVERIFY(window->openWorkspace(newWorkspace()));
    QHash<QString, QList<QAction*>> byKey;
    for (QAction* action : window->findChildren<QAction*>())
      for (const QKeySequence& key : action->shortcuts())
        if (!key.isEmpty()) byKey[key.toString(QKeySequence::PortableText)] << action;
    for (auto it = byKey.begin(); it != byKey.end(); ++it) {
      const QList<QAction*>& actions = it.value();
      for (int i = 0; i < actions.size(); ++i)
        for (int j = i + 1; j < actions.size(); ++j)
          QVERIFY2(!overlaps(shortcutScopes(actions[i], window.get()),
                             shortcutScopes(actions[j], window.get())),
                   qPrintable(QString("%1: '%2' and '%3'")
                                  .arg(it.key(), actions[i]->text(), actions[j]->text())));
    }
    for (const char* key : {"Ctrl+N", "Ctrl+O", "Ctrl+W", "Ctrl+Q", "F5", "Ctrl+1", "Ctrl+2",
                            "Ctrl+3", "Ctrl+4", "Ctrl+Shift+N", "Ctrl+Shift+O", "Ctrl+R", "Ctrl+.", "Ctrl+T",
                            "Del", "F2", "Ins"})
      QVERIFY2(byKey.contains(key), qPrintable(QString(key) + " not in " + QStringList(byKey.keys()).join(", ")));
  }

  // Selecting runs in the runs tree or table, or in the jobs panel, puts
  // their charts (overlaid) in the Charts tab; Enter on a run shows them.
  void testSelectedRunsAreCharted() {
    QList<ReportedError> errors;
    auto window = newWindow(&errors);
    const QString ws = newWorkspace();
    JobWriter job(ws);
    job.exec("INSERT INTO runs (kind, name, status) VALUES ('train', 'first', 'finished'), "
             "('train', 'second', 'running')");
    QVERIFY(window->openWorkspace(ws));
    WorkspaceView* view = window->workspaceView();
    const WorkspaceTreeModel* tree = window->session()->treeModel();
    const QModelIndex runs = tree->groupIndex(WorkspaceGroup::Runs);
    QCOMPARE(tree->rowCount(runs), 2);
    // Newest first: row 0 is run 2.
    view->treeView()->selectionModel()->setCurrentIndex(
        tree->index(1, 0, runs), QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    QCOMPARE(window->chartedRuns(), QList<qint64>({1}));
    QCOMPARE(window->chartView()->runs(), QList<qint64>({1}));
    QCOMPARE(window->viewTabs()->tabText(2), QString("Charts (#1)"));

    // Both rows of the runs table: overlaid.
    QTableView* table = view->detailView();
    table->selectAll();
    emit table->clicked(table->model()->index(0, 0));
    QCOMPARE(window->chartView()->runs(), QList<qint64>({2, 1}));
    QCOMPARE(window->currentView(), MainWindow::View::Workspace);
    emit table->activated(table->model()->index(0, 0));
    QCOMPARE(window->currentView(), MainWindow::View::Charts);

    // Enter on a run in the tree: its charts in front.
    window->showView(MainWindow::View::Workspace);
    const QModelIndex first = tree->index(1, 0, runs);
    view->treeView()->setCurrentIndex(first);
    emit view->treeView()->activated(first);
    QCOMPARE(window->currentView(), MainWindow::View::Charts);
    QCOMPARE(window->chartView()->runs(), QList<qint64>({1}));

    // The jobs panel's selection.
    window->jobsPanel()->reload();
    QVERIFY(window->jobsPanel()->selectRun(2));
    QCOMPARE(window->chartView()->runs(), QList<qint64>({2}));

    // Another workspace: nothing charted.
    QVERIFY(window->openWorkspace(newWorkspace()));
    QVERIFY(window->chartView()->runs().isEmpty());
    QCOMPARE(window->viewTabs()->tabText(2), QString("Charts"));
    QVERIFY(errors.isEmpty());
  }

  // Run → New Run… opens the wizard on the open workspace without blocking;
  // its Launch starts the job in the jobs panel, which comes to the front.
  void testRunWizardLaunchesIntoTheJobsPanel() {
    QList<ReportedError> errors;
    auto window = newWindow(&errors);
    QVERIFY(!window->runWizardAction()->isEnabled());  // no workspace yet
    QVERIFY(window->openWorkspace(newWorkspace()));
    QVERIFY(window->runWizardAction()->isEnabled());
    QCOMPARE(window->runWizardAction()->shortcut(), QKeySequence("Ctrl+Shift+N"));
    window->runWizardAction()->trigger();  // returns: the wizard is not exec()'d
    auto* wizard = window->findChild<RunWizard*>();
    QVERIFY(wizard);
    QVERIFY(wizard->isVisible());
    QCOMPARE(window->jobsPanel()->controller()->jobs().size(), 0);

    // A stand-in for understudy-cli that exits at once: the launch itself is
    // what is checked here (test_ui_jobs runs real recipes).
    const QByteArray saved = qgetenv("UNDERSTUDY_CLI");
    qputenv("UNDERSTUDY_CLI", "/bin/true");
    const QString recipe = m_dir.filePath("wizard.yaml");
    QFile file(recipe);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("steps: []\n");  // /bin/true does not read it
    file.close();
    emit wizard->launchRequested(recipe);
    if (saved.isEmpty()) qunsetenv("UNDERSTUDY_CLI");
    else qputenv("UNDERSTUDY_CLI", saved);
    QVERIFY2(errors.isEmpty(), errors.isEmpty() ? "" : qPrintable(errors[0].message));
    QCOMPARE(window->jobsPanel()->controller()->jobs().size(), 1);
    QCOMPARE(window->currentView(), MainWindow::View::Jobs);
    wizard->reject();

    // A recipe that cannot be read: a message, no wizard.
    QVERIFY(!window->openRunWizard(m_dir.filePath("no-such-recipe.yaml")));
    QCOMPARE(errors.size(), 1);
  }

  // Closing the window stops nothing: no question, no waiting; a job it
  // started goes on (test_ui_jobs follows a real one to its end).
  void testClosingLeavesJobsRunning() {
    QList<ReportedError> errors;
    auto window = newWindow(&errors);
    QVERIFY(window->openWorkspace(newWorkspace()));

    // A stand-in for understudy-cli that runs until it is stopped.
    const QString fake = m_dir.filePath("slow-cli");
    QFile script(fake);
    QVERIFY(script.open(QIODevice::WriteOnly));
    script.write("#!/bin/sh\nexec sleep 30\n");
    script.close();
    QVERIFY(script.setPermissions(script.permissions() | QFileDevice::ExeOwner));
    const QString recipe = m_dir.filePath("slow.yaml");
    QFile(recipe).open(QIODevice::WriteOnly);
    const QByteArray saved = qgetenv("UNDERSTUDY_CLI");
    qputenv("UNDERSTUDY_CLI", QFile::encodeName(fake));
    Job* job = window->jobsPanel()->launchRecipe(recipe);
    if (saved.isEmpty()) qunsetenv("UNDERSTUDY_CLI");
    else qputenv("UNDERSTUDY_CLI", saved);
    QVERIFY(job != nullptr);
    QCOMPARE(window->activeJobCount(), 1);
    const qint64 pid = job->pid();
    QVERIFY(Job::processAlive(pid));

    QElapsedTimer clock;
    clock.start();
    QVERIFY(window->close());  // no question asked (none could be answered here)
    window.reset();            // the window, its jobs panel and controller are gone
    QVERIFY2(clock.elapsed() < 1000, qPrintable(QString::number(clock.elapsed())));
    QTest::qWait(300);
    QVERIFY(Job::processAlive(pid));  // still running
    ::kill(static_cast<pid_t>(pid), SIGKILL);  // the test's own clean-up
    QTRY_VERIFY(!Job::processAlive(pid));
    QVERIFY2(errors.isEmpty(), errors.isEmpty() ? "" : qPrintable(errors[0].message));
  }

  void testOpeningAMissingFolderShowsTheErrorAndKeepsRunning() {
    QList<ReportedError> errors;
    auto window = newWindow(&errors);
    const QString missing = m_dir.filePath("no-such-workspace");
    QVERIFY(!window->openWorkspace(missing));
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errors[0].title, QString("Cannot open workspace"));
    QVERIFY2(errors[0].message.contains("does not exist"), qPrintable(errors[0].message));
    QVERIFY(errors[0].message.contains(missing));
    QVERIFY(errors[0].message.contains("understudy-cli init"));  // the hint
    QCOMPARE(window->session()->lastError(), errors[0].message);
    QVERIFY(window->isShowingWelcome());
  }

  void testOpeningAFolderWithoutDatabaseIsRefused() {
    QList<ReportedError> errors;
    auto window = newWindow(&errors);
    QVERIFY(!window->openWorkspace(m_dir.path()));
    QCOMPARE(errors.size(), 1);
    QVERIFY2(errors[0].message.contains("not an Understudy workspace"),
             qPrintable(errors[0].message));
  }

  void testOpeningACorruptDatabaseShowsTheErrorAndKeepsTheOpenWorkspace() {
    QList<ReportedError> errors;
    auto window = newWindow(&errors);
    const QString good = newWorkspace();
    QVERIFY(window->openWorkspace(good));

    const QString bad = m_dir.filePath("corrupt");
    QVERIFY(QDir().mkpath(bad));
    QFile db(QDir(bad).filePath("workspace.db"));
    QVERIFY(db.open(QIODevice::WriteOnly));
    db.write(QByteArray(4096, 'x'));
    db.close();

    QVERIFY(!window->openWorkspace(bad));
    QCOMPARE(errors.size(), 1);
    QVERIFY2(errors[0].message.contains("corrupt or not an SQLite file"),
             qPrintable(errors[0].message));
    QVERIFY(errors[0].message.contains("workspace.db"));
    // The workspace that was open stays open and keeps working.
    QCOMPARE(window->session()->rootPath(), QDir(good).absolutePath());
    QVERIFY(!window->isShowingWelcome());
    JobWriter(good).exec("INSERT INTO nodes (name, host) VALUES ('n1', 'h1')");
    window->session()->refresh();
    QCOMPARE(childNames(window->session()->treeModel(), WorkspaceGroup::Nodes),
             QStringList({"n1"}));
  }

  void testOpeningANewerSchemaIsRefusedUntouched() {
    QList<ReportedError> errors;
    auto window = newWindow(&errors);
    const QString ws = newWorkspace();
    JobWriter(ws).exec("PRAGMA user_version = 99");
    QVERIFY(!window->openWorkspace(ws));
    QCOMPARE(errors.size(), 1);
    QVERIFY2(errors[0].message.contains("newer"), qPrintable(errors[0].message));
    QCOMPARE(JobWriter(ws).db().execAndGet("PRAGMA user_version").getInt(), 99);
  }

  void testCreateWorkspaceFromTheWindow() {
    QList<ReportedError> errors;
    auto window = newWindow(&errors);
    const QString path = m_dir.filePath("made-in-gui/exp1");
    QVERIFY(window->createWorkspace(path));
    QVERIFY(QFile::exists(path + "/workspace.db"));
    QVERIFY(QDir(path).exists("features"));
    QVERIFY(!window->isShowingWelcome());
    QVERIFY(errors.isEmpty());
    QVERIFY(!window->createWorkspace(path));
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errors[0].title, QString("Cannot create workspace"));
    QVERIFY(errors[0].message.contains("already exists"));
  }

  void testRecentWorkspacesAreRememberedNewestFirst() {
    settings::recentWorkspaces.reset();
    settings::maxRecentWorkspaces.setValue(3);
    QList<ReportedError> errors;
    auto window = newWindow(&errors);
    const QString a = QDir(newWorkspace()).absolutePath();
    const QString b = QDir(newWorkspace()).absolutePath();
    const QString c = QDir(newWorkspace()).absolutePath();
    const QString d = QDir(newWorkspace()).absolutePath();
    QVERIFY(window->openWorkspace(a));
    QVERIFY(window->openWorkspace(b));
    QCOMPARE(settings::recentWorkspaces.value(), QStringList({b, a}));
    QVERIFY(window->openWorkspace(a));
    QCOMPARE(settings::recentWorkspaces.value(), QStringList({a, b}));
    QVERIFY(window->openWorkspace(c));
    QVERIFY(window->openWorkspace(d));
    QCOMPARE(settings::recentWorkspaces.value(), QStringList({d, c, a}));  // at most 3

    // File → Open Recent lists them in that order and opens one.
    QStringList menuPaths;
    for (QAction* action : window->recentMenu()->actions())
      if (action->data().isValid()) menuPaths << action->data().toString();
    QCOMPARE(menuPaths, QStringList({d, c, a}));
    window->recentMenu()->actions().at(2)->trigger();
    QCOMPARE(window->session()->rootPath(), a);

    // A recent workspace that was deleted drops out of the list.
    QVERIFY(QDir(c).removeRecursively());
    QVERIFY(!window->openWorkspace(c));
    QCOMPARE(settings::recentWorkspaces.value(), QStringList({a, d}));
    // A new window starts with the stored list (QSettings, not memory).
    auto second = newWindow(&errors);
    QStringList secondPaths;
    for (QAction* action : second->recentMenu()->actions())
      if (action->data().isValid()) secondPaths << action->data().toString();
    QCOMPARE(secondPaths, QStringList({a, d}));
    settings::maxRecentWorkspaces.reset();
  }

  void testGermanTranslationTranslatesTheWindow() {
    QVERIFY2(QFile::exists(kGermanQm), kGermanQm);
    const QString file = germanFromTs("understudy::ui::MainWindow", "&File");
    const QString datasets = germanFromTs("WorkspaceGroups", "Datasets");
    QVERIFY(!file.isEmpty() && file != "&File");
    QVERIFY(!datasets.isEmpty() && datasets != "Datasets");

    QTranslator translator;
    QVERIFY(translator.load(QString::fromUtf8(kGermanQm)));
    QCoreApplication::installTranslator(&translator);
    QList<ReportedError> errors;
    auto window = newWindow(&errors);
    QStringList menus;
    for (QAction* action : window->menuBar()->actions()) menus << action->text();
    QVERIFY(window->openWorkspace(newWorkspace()));
    const QString groupTitle = window->session()->treeModel()->index(0, 0).data().toString();
    window.reset();
    QCoreApplication::removeTranslator(&translator);
    QVERIFY2(menus.contains(file), qPrintable(menus.join(", ")));
    QCOMPARE(groupTitle, datasets);
  }

  // The .ts is complete: every message translated and finished, no empty
  // plural form, the placeholders (%1.., %n) of the source kept, an
  // accelerator (&) wherever the source has one.
  void testGermanTranslationIsComplete() {
    const QList<TsMessage> messages = germanMessages();
    QVERIFY2(messages.size() > 300, qPrintable(QString::number(messages.size())));
    static const QRegularExpression placeholder(QStringLiteral("%(\\d+|n)"));
    auto placeholders = [](const QString& text) {
      QSet<QString> found;
      for (auto it = placeholder.globalMatch(text); it.hasNext();) found.insert(it.next().captured());
      return found;
    };
    QStringList problems;
    for (const TsMessage& m : messages) {
      const QString where = m.context + " \"" + m.source.left(60) + "\"";
      if (!m.finished) problems << "unfinished: " + where;
      if (m.forms.isEmpty() || m.forms.size() != (m.numerus ? 2 : 1)) problems << "plural forms: " + where;
      for (const QString& form : m.forms) {
        if (form.isEmpty()) problems << "empty: " + where;
        if (placeholders(form) != placeholders(m.source)) problems << "placeholders: " + where + " -> " + form;
        if (QKeySequence::mnemonic(form).isEmpty() != QKeySequence::mnemonic(m.source).isEmpty())
          problems << "accelerator: " + where + " -> " + form;
      }
    }
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join("\n")));
  }

  // Under the German translator, no view of the window (workspace, jobs,
  // charts, nodes, menus), no page of the run wizard and not the node dialog
  // shows an English text that has a German translation, and no two
  // accelerators that can fire together share a letter.
  void testGermanTranslationCoversEveryView() {
    QVERIFY2(QFile::exists(kGermanQm), kGermanQm);
    const QSet<QString> english = englishThatHasGerman();
    QVERIFY(english.contains("&Run") && english.contains("Charts") && english.contains("&Add Node…"));
    QTranslator translator;
    QVERIFY(translator.load(QString::fromUtf8(kGermanQm)));
    QCoreApplication::installTranslator(&translator);
    QList<ReportedError> errors;
    auto window = newWindow(&errors);
    const QString ws = newWorkspace();
    QVERIFY(window->openWorkspace(ws));
    QStringList texts;
    QStringList clashes;
    QStringList menuTitles;
    for (QAction* action : window->menuBar()->actions()) menuTitles << action->text();
    for (auto view : {MainWindow::View::Workspace, MainWindow::View::Jobs, MainWindow::View::Charts,
                      MainWindow::View::Nodes}) {
      window->showView(view);
      QTest::qWait(3 * kFastPollMs);
      texts << visibleTexts(window.get());
      clashes << mnemonicClashes(window->viewWidget(view), menuTitles);
    }
    QStringList tabs;
    for (int i = 0; i < window->viewTabs()->count(); ++i) tabs << window->viewTabs()->tabText(i);
    QMenu bar;  // the menu bar's titles, as one menu
    for (const QString& title : menuTitles) bar.addAction(title);
    clashes << menuClashes(&bar);
    for (QMenu* menu : window->findChildren<QMenu*>()) clashes << menuClashes(menu);

    auto* wizard = new RunWizard(ws, window.get());
    texts << visibleTexts(wizard);
    const QList<int> pages = wizard->pageIds();
    for (int id : pages) {
      QStringList buttons;  // the wizard's buttons shown with this page
      if (id != pages.first()) buttons << wizard->buttonText(QWizard::BackButton);
      buttons << wizard->buttonText(id == pages.last() ? QWizard::FinishButton : QWizard::NextButton);
      clashes << mnemonicClashes(wizard->page(id), buttons);
    }
    auto* dialog = new NodeDialog(NodeDialog::Mode::Add, {}, {}, window.get());
    texts << visibleTexts(dialog);
    clashes << mnemonicClashes(dialog, {});
    const QString wizardTitle = wizard->windowTitle();
    window.reset();
    QCoreApplication::removeTranslator(&translator);

    QStringList untranslated;
    for (const QString& text : texts)
      if (english.contains(text) && !untranslated.contains(text)) untranslated << text;
    QVERIFY2(untranslated.isEmpty(), qPrintable("English shown: " + untranslated.join(" | ")));
    QVERIFY2(clashes.isEmpty(), qPrintable(clashes.join("\n")));
    QVERIFY2(menuTitles.contains(germanFromTs("understudy::ui::MainWindow", "&Run")), qPrintable(menuTitles.join(", ")));
    QVERIFY2(tabs.contains(germanFromTs("understudy::ui::MainWindow", "Charts")), qPrintable(tabs.join(", ")));
    QCOMPARE(wizardTitle, germanFromTs("understudy::ui::RunWizard", "New run"));
  }

  // Nothing a person can see lacks its German: lupdate over today's sources
  // (as the understudy_lupdate target runs it) finds no text that
  // understudy_de.ts lacks, and none the .ts keeps that the sources dropped.
  void testGermanTranslationKnowsEveryString() {
    QString lupdate;
    for (auto where : {QLibraryInfo::BinariesPath, QLibraryInfo::LibraryExecutablesPath}) {
      const QString candidate = QLibraryInfo::path(where) + QStringLiteral("/lupdate");
      if (QFileInfo(candidate).isExecutable()) lupdate = candidate;
    }
    QVERIFY2(!lupdate.isEmpty(), "lupdate not found next to Qt's tools (hint: install qt6-l10n-tools)");
    const QString copy = m_dir.filePath(QStringLiteral("understudy_de.ts"));
    QFile::remove(copy);
    QVERIFY(QFile::copy(QString::fromUtf8(kGermanTs), copy));
    QFile::setPermissions(copy, QFile::ReadOwner | QFile::WriteOwner);
    const QString source = QString::fromUtf8(UNDERSTUDY_SOURCE_DIR);
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(lupdate, {"-silent", "-no-obsolete", "-locations", "none", "-I", source, source + "/ui",
                      source + "/app/gui/main.cpp", "-ts", copy});
    QVERIFY2(p.waitForFinished(60000) && p.exitCode() == 0, qPrintable(p.readAll()));
    auto keys = [](const QList<TsMessage>& messages) {
      QSet<QString> result;
      for (const TsMessage& m : messages) result.insert(m.context + " \"" + m.source + "\"");
      return result;
    };
    const QSet<QString> committed = keys(germanMessages());
    const QSet<QString> current = keys(germanMessages(copy));
    QVERIFY(!current.isEmpty());
    QStringList problems;
    for (const QString& k : current - committed) problems << "new, without German: " + k;
    for (const QString& k : committed - current) problems << "no longer in the sources: " + k;
    QVERIFY2(problems.isEmpty(),
             qPrintable(problems.join("\n") +
                        "\n(hint: cmake --build BUILD --target understudy_lupdate, then translate "
                        "translations/understudy_de.ts)"));
  }

  void testBinaryEmbedsGermanAndFollowsTheLocale() {
    const QString source = "Open this workspace on start.";
    const QString german = germanFromTs("Main", source);
    QVERIFY(!german.isEmpty() && german != source);
    const GuiRun de = runGui({"--help"}, "de_DE.UTF-8");
    QCOMPARE(de.exitCode, 0);
    QVERIFY2(de.out.contains(german), qPrintable(de.out + de.err));
    const GuiRun en = runGui({"--help"}, "C.UTF-8");
    QCOMPARE(en.exitCode, 0);
    QVERIFY2(en.out.contains(source), qPrintable(en.out + en.err));
  }

  void testBinaryOpensTheWorkspaceGivenOnTheCommandLine() {
    const QString ws = newWorkspace();
    JobWriter(ws).exec("INSERT INTO datasets (name, kind) VALUES ('cli-opened', 'test')");
    const QString png = m_dir.filePath("window.png");
    const GuiRun ok =
        runGui({ws, "--screenshot", png, "--window-size", "900x560", "--select-group", "datasets"},
               "C.UTF-8");
    QVERIFY2(ok.exitCode == 0 && ok.status == QProcess::NormalExit, qPrintable(ok.err));
    const QImage image(png);
    QCOMPARE(image.size(), QSize(900, 560));
    // --view brings another tab to the front: another picture.
    const QString nodesPng = m_dir.filePath("window-nodes.png");
    const GuiRun nodes = runGui({ws, "--screenshot", nodesPng, "--window-size", "900x560",
                                 "--select-group", "datasets", "--view", "nodes"},
                                "C.UTF-8");
    QVERIFY2(nodes.exitCode == 0, qPrintable(nodes.err));
    const QImage nodesImage(nodesPng);
    QCOMPARE(nodesImage.size(), QSize(900, 560));
    QVERIFY(nodesImage != image);

    const GuiRun version = runGui({"--version"}, "C.UTF-8");
    QCOMPARE(version.exitCode, 0);
    QVERIFY(version.out.startsWith("understudy 0."));

    // A broken workspace on the command line: a message, exit 1, no crash.
    const GuiRun bad = runGui({m_dir.filePath("nowhere"), "--screenshot", png}, "C.UTF-8");
    QCOMPARE(bad.status, QProcess::NormalExit);
    QCOMPARE(bad.exitCode, 1);
    QVERIFY2(bad.err.contains("does not exist"), qPrintable(bad.err));
  }
};

QTEST_MAIN(TestUi)
#include "test_ui.moc"
