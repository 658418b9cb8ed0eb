// The run wizard (ui/wizard) as a person drives it: scripted choices on every
// page give the recipe they mean (compared as the CLI's parser reads it);
// mistakes are refused with the parser's message at their field; a recipe
// (recipes/demo.yaml, and one the wizard saved) opens into the forms and
// comes back out the same; the parameter count and bytes per step are the
// numbers the trainer and docs/scaling.md give. Offscreen, about a second.
#include <SQLiteCpp/Database.h>

#include <QAbstractButton>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QLocale>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>
#include <fstream>
#include <sstream>
#include <string>

#include "core/recipe/recipe.h"
#include "core/store/workspace.h"
#include "core/util/error.h"
#include "ui/wizard/run_estimates.h"
#include "ui/wizard/run_wizard.h"

using understudy::Workspace;
using namespace understudy::ui;
namespace recipe = understudy::recipe;

namespace {

const char* const kDemoRecipe = UNDERSTUDY_SOURCE_DIR "/recipes/demo.yaml";

std::string readFile(const QString& path) {
  std::ifstream in(path.toStdString());
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

recipe::Recipe parse(const QString& yaml) { return recipe::parseRecipe(yaml.toStdString(), "wizard.yaml"); }

// "" when the two recipes run the same experiment, else the first difference.
QString difference(const recipe::Recipe& a, const recipe::Recipe& b) {
  auto str = [](const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += x + ",";
    return QString::fromStdString(s);
  };
  if (a.name != b.name) return "name";
  if (a.labeled != b.labeled || a.unlabeled != b.unlabeled || a.tests != b.tests)
    return "datasets " + str(a.datasets()) + " vs " + str(b.datasets());
  if (a.synth.enabled != b.synth.enabled || a.synth.profile != b.synth.profile) return "corpus.synth";
  if (a.fbankYaml != b.fbankYaml || a.targetSets != b.targetSets) return "features/units";
  if (a.labeling.topK != b.labeling.topK || a.labeling.precision != b.labeling.precision ||
      a.labeling.temperature != b.labeling.temperature)
    return "labeling";
  if (a.decode.toYaml() != b.decode.toYaml() || a.baselineGroup != b.baselineGroup) return "evaluation";
  const auto ma = a.models(), mb = b.models();
  if (ma.size() != mb.size()) return QString("%1 vs %2 models").arg(ma.size()).arg(mb.size());
  for (std::size_t i = 0; i < ma.size(); ++i) {
    const auto &x = *ma[i], &y = *mb[i];
    if (x.name != y.name || x.group != y.group || x.role != y.role || x.workers != y.workers ||
        x.algorithm != y.algorithm || x.nodes != y.nodes || x.masterAddr != y.masterAddr)
      return QString::fromStdString("model " + x.name + " vs " + y.name + " (name/group/role/workers/placement)");
    if (x.configYaml != y.configYaml)
      return QString::fromStdString("model " + x.name + " config:\n" + x.configYaml + "\nvs\n" + y.configYaml);
  }
  return {};
}

template <typename W>
W* child(RunWizard& w, const QString& name) {
  W* c = w.findChild<W*>(name);
  if (!c) qWarning("no widget named %s", qPrintable(name));
  return c;
}

// What a person does to a field: type, pick or tick.
void setField(RunWizard& w, const QString& name, const QString& text) {
  QWidget* editor = w.findChild<QWidget*>(name);
  QVERIFY2(editor, qPrintable("no field " + name));
  if (auto* edit = qobject_cast<QLineEdit*>(editor)) {
    edit->clear();
    QTest::keyClicks(edit, text);
  } else if (auto* combo = qobject_cast<QComboBox*>(editor)) {
    const int i = combo->findData(text);
    QVERIFY2(i >= 0, qPrintable(name + " has no choice " + text));
    combo->setCurrentIndex(i);
  } else if (auto* box = qobject_cast<QCheckBox*>(editor)) {
    box->setChecked(text == "true");
  }
}

QString fieldText(RunWizard& w, const QString& name) {
  QWidget* editor = w.findChild<QWidget*>(name);
  if (auto* edit = qobject_cast<QLineEdit*>(editor)) return edit->text();
  if (auto* combo = qobject_cast<QComboBox*>(editor)) return combo->currentData().toString();
  if (auto* box = qobject_cast<QCheckBox*>(editor)) return box->isChecked() ? "true" : "false";
  return "<no field " + name + ">";
}

void check(RunWizard& w, const QString& list, const QString& name, bool on = true) {
  auto* l = w.findChild<QListWidget*>(list);
  QVERIFY(l);
  for (int i = 0; i < l->count(); ++i)
    if (l->item(i)->data(Qt::UserRole).toString() == name) {
      l->item(i)->setCheckState(on ? Qt::Checked : Qt::Unchecked);
      return;
    }
  QFAIL(qPrintable(list + " has no " + name));
}

QString itemText(RunWizard& w, const QString& list, const QString& name) {
  auto* l = w.findChild<QListWidget*>(list);
  for (int i = 0; l && i < l->count(); ++i)
    if (l->item(i)->data(Qt::UserRole).toString() == name) return l->item(i)->text();
  return {};
}

// The message under a field, and that the person can see it.
QString shownError(RunWizard& w, const QString& field) {
  auto* label = w.findChild<QLabel*>("error:" + field);
  if (!label || !label->isVisibleTo(&w)) return {};
  return label->text();
}

}  // namespace

class TestUiWizard : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir m_dir;
  QString m_ws;

 private slots:
  void initTestCase() {
    QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
    QVERIFY(m_dir.isValid());
    m_ws = m_dir.filePath("ws");
    Workspace::create(m_ws.toStdString());
    SQLite::Database db(QDir(m_ws).filePath("workspace.db").toStdString(), SQLite::OPEN_READWRITE);
    db.exec(
        "INSERT INTO datasets (name, kind, num_utterances, total_seconds) VALUES "
        "('lab-a', 'labeled', 1234, 1800), ('unl-a', 'unlabeled', 20000, 14400), "
        "('test-a', 'test', 300, 1200), ('test-b', 'test', 310, 1210)");
    // The synthetic corpus's phone inventory size (67 units in every demo run).
    db.exec("INSERT INTO unit_inventories (name, num_units) VALUES ('synth-phones', 67)");
    db.exec("INSERT INTO nodes (name, host) VALUES ('gpu1', '10.0.0.7')");
  }

  // Every page scripted: the YAML the wizard writes is the recipe meant
  // (compared after the CLI's parser read both), and it saves and reopens.
  void testScriptedInputsGiveTheRecipe() {
    RunWizard w(m_ws);
    w.show();
    QCOMPARE(w.currentId(), int(RunWizard::KindPageId));
    child<QAbstractButton>(w, "kind/full")->click();
    setField(w, "recipe/name", "exp1");
    w.next();
    QCOMPARE(w.currentId(), int(RunWizard::DatasetsPageId));
    // Counts and hours from the database.
    QCOMPARE(itemText(w, "datasets/labeled", "lab-a"), QString("lab-a — 1,234 utt., 0.50 h"));
    QCOMPARE(itemText(w, "datasets/unlabeled", "unl-a"), QString("unl-a — 20,000 utt., 4.00 h"));
    check(w, "datasets/labeled", "lab-a");
    check(w, "datasets/unlabeled", "unl-a");
    check(w, "datasets/tests", "test-a");
    w.next();
    QCOMPARE(w.currentId(), int(RunWizard::ModelPageId));
    setField(w, "teacher.model/preset", "teacher-small");
    QCOMPARE(fieldText(w, "teacher.model/cells"), QString("256"));  // the preset's shape shown
    setField(w, "students.model/preset", "student-tiny");
    setField(w, "students.model/layers", "3");
    setField(w, "students.model/cells", "128");
    // The trainer recorded these counts (models.num_params) for these shapes
    // at 67 units when recipes/demo.yaml ran: teacher-demo 4,109,891,
    // student-demo-* 437,699.
    QVERIFY2(w.parameterText("teacher.model").startsWith("4,109,891 parameters"), qPrintable(w.parameterText("teacher.model")));
    QVERIFY2(w.parameterText("students.model").startsWith("437,699 parameters"), qPrintable(w.parameterText("students.model")));
    w.next();
    QCOMPARE(w.currentId(), int(RunWizard::TrainingPageId));
    setField(w, "teacher/optimizer.lr", "0.002");
    setField(w, "teacher/schedule.kind", "cosine");
    setField(w, "students.defaults/max_steps", "600");
    setField(w, "student/streams.ratio", "1:3");
    setField(w, "student/streams.labeled_lr_multiplier", "2");
    setField(w, "labeling/top_k", "10");
    setField(w, "labeling/precision", "u8");
    w.next();
    QCOMPARE(w.currentId(), int(RunWizard::DistributionPageId));
    setField(w, "student/workers", "2");
    setField(w, "student/distribution.algorithm", "bmuf");
    setField(w, "student/distribution.bmuf.block_steps", "20");
    // docs/scaling.md: sync at N = 2 sends 1,750,800 bytes for 437,699
    // parameters; BMUF once per block of 20 steps.
    QVERIFY2(w.bytesText().startsWith("About 87,540 bytes"), qPrintable(w.bytesText()));
    w.next();
    QCOMPARE(w.currentId(), int(RunWizard::ReviewPageId));
    QCOMPARE(child<QPlainTextEdit>(w, "review/yaml")->toPlainText(), w.recipeYaml());
    QVERIFY2(w.recipeYaml().contains("ratio: '1:3'"), qPrintable(w.recipeYaml()));  // quoted, as recipes/ writes it

    const recipe::Recipe expected = recipe::parseRecipe(R"(name: exp1
datasets: {labeled: [lab-a], unlabeled: [unl-a], tests: [test-a]}
teacher: {name: teacher, model: {preset: teacher-small}, optimizer: {lr: 0.002}, schedule: {kind: cosine}}
labeling: {top_k: 10, precision: u8}
students:
  defaults: {model: {preset: student-tiny, layers: 3, cells: 128}, max_steps: 600}
  models:
    - name: student
      group: student
      workers: 2
      streams: {kind: interleave, ratio: '1:3', labeled_lr_multiplier: 2}
      distribution: {algorithm: bmuf, bmuf: {block_steps: 20}}
    - {name: baseline, group: baseline, streams: {kind: labeled-only}}
evaluation: {baseline: baseline}
)",
                                                         "expected.yaml");
    const recipe::Recipe written = parse(w.recipeYaml());
    QCOMPARE(difference(written, expected), QString());

    // Save and launch: the file is written, the signal names it.
    const QString path = m_dir.filePath("saved/exp1.yaml");
    w.setRecipePath(path);
    QSignalSpy launched(&w, &RunWizard::launchRequested);
    w.accept();
    QCOMPARE(launched.count(), 1);
    QCOMPARE(launched.at(0).at(0).toString(), path);
    QCOMPARE(QString::fromStdString(readFile(path)), w.recipeYaml());
    QCOMPARE(difference(recipe::loadRecipe(path.toStdString()), expected), QString());

    // It reopens into the forms.
    RunWizard again(m_ws);
    QVERIFY2(again.loadRecipe(path), qPrintable(again.lastError()));
    QCOMPARE(again.kind(), RunWizard::Kind::Full);
    QCOMPARE(fieldText(again, "recipe/name"), QString("exp1"));
    QCOMPARE(fieldText(again, "student/streams.ratio"), QString("1:3"));
    QCOMPARE(fieldText(again, "student/workers"), QString("2"));
    QCOMPARE(fieldText(again, "teacher/optimizer.lr"), QString("0.002"));
    QCOMPARE(fieldText(again, "students.model/cells"), QString("128"));
    QCOMPARE(fieldText(again, "labeling/precision"), QString("u8"));
    QCOMPARE(difference(parse(again.recipeYaml()), expected), QString());
  }

  // A teacher-only recipe skips the distribution page and has no students.
  void testTeacherKind() {
    RunWizard w(m_ws);
    w.show();
    child<QAbstractButton>(w, "kind/teacher")->click();
    w.next();
    check(w, "datasets/labeled", "lab-a");
    check(w, "datasets/tests", "test-b");
    w.next();
    w.next();
    QCOMPARE(w.currentId(), int(RunWizard::TrainingPageId));
    // A field emptied again takes its key out, and the section it leaves empty.
    setField(w, "teacher/schedule.warmup_steps", "5");
    QVERIFY2(w.recipeYaml().contains("schedule: {warmup_steps: 5}"), qPrintable(w.recipeYaml()));
    setField(w, "teacher/schedule.warmup_steps", "");
    QVERIFY2(!w.recipeYaml().contains("schedule"), qPrintable(w.recipeYaml()));
    w.next();
    QCOMPARE(w.currentId(), int(RunWizard::ReviewPageId));
    const recipe::Recipe r = parse(w.recipeYaml());
    QCOMPARE(r.students.size(), std::size_t(0));
    QCOMPARE(QString::fromStdString(r.teacher.name), QString("teacher"));
    QVERIFY(r.unlabeled.empty());
    QCOMPARE(r.tests, std::vector<std::string>{"test-b"});
  }

  // Mistakes are refused: Next stays, and the parser's message is shown at
  // the field (or the list) it is about.
  void testInvalidInputsAreRefusedAtTheirField() {
    RunWizard w(m_ws);
    w.show();
    child<QAbstractButton>(w, "kind/student")->click();
    setField(w, "recipe/name", "has space");
    w.next();
    QCOMPARE(w.currentId(), int(RunWizard::KindPageId));
    QVERIFY2(shownError(w, "recipe/name").contains("must name the recipe (no spaces or slashes)"),
             qPrintable(shownError(w, "recipe/name")));
    setField(w, "recipe/name", "ok");
    QVERIFY(shownError(w, "recipe/name").isEmpty());
    w.next();
    QCOMPARE(w.currentId(), int(RunWizard::DatasetsPageId));
    w.next();  // no labeled set
    QCOMPARE(w.currentId(), int(RunWizard::DatasetsPageId));
    QVERIFY2(shownError(w, "datasets/labeled").contains("a recipe needs labeled data"),
             qPrintable(shownError(w, "datasets/labeled")));
    check(w, "datasets/labeled", "lab-a");
    w.next();  // the student trains on soft labels: it needs unlabeled data
    QCOMPARE(w.currentId(), int(RunWizard::DatasetsPageId));
    QVERIFY2(shownError(w, "page/3").isEmpty(), "shown on the page that can fix it");
    check(w, "datasets/unlabeled", "unl-a");
    w.next();
    QCOMPARE(w.currentId(), int(RunWizard::ModelPageId));
    setField(w, "teacher.model/layers", "0");
    w.next();
    QCOMPARE(w.currentId(), int(RunWizard::ModelPageId));
    QVERIFY2(shownError(w, "teacher.model/layers").contains("trainer option model.layers = 0 is out of range (allowed: [1, 20])"),
             qPrintable(shownError(w, "teacher.model/layers")));
    QVERIFY(w.parameterText("teacher.model").startsWith("No parameter count"));
    setField(w, "teacher.model/layers", "2");
    w.next();
    QCOMPARE(w.currentId(), int(RunWizard::TrainingPageId));
    setField(w, "teacher/optimizer.lr", "0");
    w.next();
    QCOMPARE(w.currentId(), int(RunWizard::TrainingPageId));
    QVERIFY2(shownError(w, "teacher/optimizer.lr").contains("trainer option optimizer.lr = 0 is out of range (allowed: (0, 100))"),
             qPrintable(shownError(w, "teacher/optimizer.lr")));
    setField(w, "teacher/optimizer.lr", "0.001");
    setField(w, "student/streams.ratio", "[");  // not a YAML value at all
    w.next();
    QCOMPARE(w.currentId(), int(RunWizard::TrainingPageId));
    QVERIFY2(shownError(w, "student/streams.ratio").contains("is not a value"), qPrintable(shownError(w, "student/streams.ratio")));
    setField(w, "student/streams.ratio", "1:0");
    w.next();
    QCOMPARE(w.currentId(), int(RunWizard::TrainingPageId));
    QVERIFY2(shownError(w, "student/streams.ratio").contains("'1:0' is not LABELED:SOFT batches, both >= 1"), qPrintable(shownError(w, "student/streams.ratio")));
    setField(w, "student/streams.ratio", "1:4");
    setField(w, "labeling/top_k", "1001");
    w.next();
    QCOMPARE(w.currentId(), int(RunWizard::TrainingPageId));
    QVERIFY2(shownError(w, "labeling/top_k").contains("recipe option labeling.top_k = 1001 is out of range (allowed: [1, 1000])"),
             qPrintable(shownError(w, "labeling/top_k")));
    setField(w, "labeling/top_k", "20");
    w.next();
    QCOMPARE(w.currentId(), int(RunWizard::DistributionPageId));
    // Nodes with one worker: refused at the node list.
    child<QAbstractButton>(w, "distribution/nodes")->click();
    check(w, "student/nodes", "gpu1");
    w.next();
    QCOMPARE(w.currentId(), int(RunWizard::DistributionPageId));
    QVERIFY2(shownError(w, "student/nodes").contains("needs workers: 2 or more"), qPrintable(shownError(w, "student/nodes")));
    setField(w, "student/workers", "65");
    w.next();
    QCOMPARE(w.currentId(), int(RunWizard::DistributionPageId));
    QVERIFY2(shownError(w, "student/workers").contains("workers = 65 is out of range (allowed: [1, 64])"),
             qPrintable(shownError(w, "student/workers")));
    setField(w, "student/workers", "3");
    setField(w, "student/master_addr", "10.0.0.1");
    w.next();
    QCOMPARE(w.currentId(), int(RunWizard::ReviewPageId));
    const recipe::Recipe r = parse(w.recipeYaml());
    QCOMPARE(r.students.at(0).workers, 3);
    QCOMPARE(r.students.at(0).nodes, std::vector<std::string>{"gpu1"});
    QCOMPARE(QString::fromStdString(r.students.at(0).masterAddr), QString("10.0.0.1"));
    // Back and Next keep what was entered.
    w.back();
    w.back();
    QCOMPARE(w.currentId(), int(RunWizard::TrainingPageId));
    QCOMPARE(fieldText(w, "teacher/optimizer.lr"), QString("0.001"));
    QCOMPARE(fieldText(w, "student/streams.ratio"), QString("1:4"));
    w.next();
    QCOMPARE(fieldText(w, "student/workers"), QString("3"));
    w.next();
    QCOMPARE(difference(parse(w.recipeYaml()), r), QString());
  }

  // recipes/demo.yaml opens into the forms, walks every page both ways and
  // comes out as the same experiment; saved and reopened, the same again.
  void testDemoRecipeRoundTrips() {
    const recipe::Recipe demo = recipe::loadRecipe(kDemoRecipe);
    RunWizard w(m_ws);
    w.show();
    QVERIFY2(w.loadRecipe(kDemoRecipe), qPrintable(w.lastError()));
    QCOMPARE(w.kind(), RunWizard::Kind::Full);
    QCOMPARE(fieldText(w, "recipe/name"), QString("demo"));
    QCOMPARE(fieldText(w, "teacher.model/preset"), QString("teacher-small"));
    QCOMPARE(fieldText(w, "teacher.model/cells"), QString("256"));
    QCOMPARE(fieldText(w, "students.model/cells"), QString("128"));
    QCOMPARE(fieldText(w, "student/name"), QString("student-demo-interleave"));  // the first soft-label student
    QCOMPARE(fieldText(w, "student/streams.ratio"), QString("1:4"));
    QCOMPARE(fieldText(w, "students.defaults/max_steps"), QString("600"));
    QCOMPARE(fieldText(w, "teacher/schedule.kind"), QString("cosine"));
    QVERIFY(child<QCheckBox>(w, "corpus/synth")->isChecked());
    QVERIFY(itemText(w, "datasets/tests", "synth-test-noisy").contains("made by the recipe"));
    QCOMPARE(difference(parse(w.recipeYaml()), demo), QString());
    QVERIFY2(w.recipeYaml().contains("streams: {kind: interleave, ratio: '1:4', labeled_lr_multiplier: 2}"),
             qPrintable(w.recipeYaml()));
    for (int i = 0; i < 5; ++i) w.next();
    QCOMPARE(w.currentId(), int(RunWizard::ReviewPageId));
    for (int i = 0; i < 5; ++i) w.back();
    for (int i = 0; i < 5; ++i) w.next();
    QCOMPARE(w.currentId(), int(RunWizard::ReviewPageId));
    QCOMPARE(difference(parse(w.recipeYaml()), demo), QString());
    // Another student's streams on the same forms.
    auto* selector = child<QComboBox>(w, "training/student");
    selector->setCurrentIndex(selector->findText("student-demo-segregated"));
    QCOMPARE(fieldText(w, "student/streams.kind"), QString("segregated"));
    QCOMPARE(difference(parse(w.recipeYaml()), demo), QString());

    const QString path = m_dir.filePath("demo-again.yaml");
    w.setRecipePath(path);
    QVERIFY2(w.saveRecipe(), qPrintable(w.lastError()));
    RunWizard again(m_ws);
    QVERIFY2(again.loadRecipe(path), qPrintable(again.lastError()));
    QCOMPARE(difference(parse(again.recipeYaml()), demo), QString());
    QCOMPARE(again.recipeYaml(), w.recipeYaml());
  }

  // The byte model of docs/scaling.md "The models" (its table: 437,699
  // parameters, sync 1.7508 MB at N = 2 and 3.4879 MB at N = 256).
  void testBytesPerStepIsTheScalingModel() {
    QCOMPARE(*bytesPerStep("sync", 2, 437699, 0.0, 50), 1750800.0);
    QCOMPARE(QString::number(*bytesPerStep("sync", 256, 437699, 0.0, 50) / 1e6, 'f', 4), QString("3.4879"));
    QCOMPARE(*bytesPerStep("bmuf", 2, 437699, 0.0, 50), 1750800.0 / 50);
    // GTC at N = 4, |w| = 1000, f = 1 %: 3 (8 + 4 * 10) + 2 * 3/4 * 4.
    QCOMPARE(*bytesPerStep("gtc", 4, 1000, 0.01, 50), 150.0);
    QVERIFY(!bytesPerStep("gtc", 4, 1000, 0.0, 50));
    QCOMPARE(*bytesPerStep("sync", 1, 437699, 0.0, 50), 0.0);
    // The model section as the trainer resolves it.
    const auto m = resolveModel(YAML::Load("{preset: student-tiny, layers: 3, cells: 128}"));
    QCOMPARE(QString::fromStdString(m.kind), QString("lstm"));
    QCOMPARE(m.cells, std::int64_t{128});
  }

  // A file that is not YAML is refused with its path and what to do.
  void testUnreadableRecipe() {
    RunWizard w(m_ws);
    const QString bad = m_dir.filePath("bad.yaml");
    QFile f(bad);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("name: [unclosed\n");
    f.close();
    QVERIFY(!w.loadRecipe(bad));
    QVERIFY2(w.lastError().contains(bad) && w.lastError().contains("not a YAML recipe"), qPrintable(w.lastError()));
    QVERIFY(!w.loadRecipe(m_dir.filePath("missing.yaml")));
    QVERIFY(w.lastError().contains("cannot read the recipe"));
  }
};

QTEST_MAIN(TestUiWizard)
#include "test_ui_wizard.moc"
