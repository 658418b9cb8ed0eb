// `understudy-cli run recipes/tiny.yaml` end to end (docs/recipes.md): every
// step is recorded as a run under the recipe's run, every model is decoded on
// every test set, a second run reuses every step in seconds, and a recipe
// killed in the middle of a (2-rank GTC) training step resumes it and ends
// with the same WER as a run that was never interrupted. (GTC and sync
// resume bit for bit; BMUF with Adam does not, by design: a checkpoint holds
// rank 0's optimizer moments only, docs/distributed.md "BMUF".) About 4 minutes on
// 2 cores (one whole tiny recipe, then two short additions to it).
#include <signal.h>

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest>

#include <string>

#include "support/sql_query.h"
#include "support/test_support.h"

using understudy::test::outputOf;
using understudy::test::ProcessResult;
using understudy::test::processAlive;
using understudy::test::queryScalar;
using understudy::test::queryText;
using understudy::test::runCli;

namespace {

const QString kRecipe = QStringLiteral(UNDERSTUDY_SOURCE_DIR "/recipes/tiny.yaml");

// WER, substitutions, deletions and insertions of the newest evaluation of
// every model on every test set, one "model dataset wer sub del ins" line each.
std::string werTable(const QString& db, const std::string& modelLike = "%") {
  return queryText(db,
                   "SELECT group_concat(line, char(10)) FROM (SELECT m.name || ' ' || d.name || ' ' || e.wer || ' ' "
                   "|| e.sub || ' ' || e.del || ' ' || e.ins AS line FROM evaluations e JOIN models m ON m.id = "
                   "e.model_id JOIN datasets d ON d.id = e.dataset_id WHERE m.name LIKE '" +
                       modelLike +
                       "' AND e.id = (SELECT MAX(id) FROM evaluations e2 WHERE e2.model_id = e.model_id AND "
                       "e2.dataset_id = e.dataset_id) ORDER BY m.name, d.name)");
}

bool copyWorkspace(const QString& from, const QString& to) {
  return QProcess::execute("cp", {"-a", from, to}) == 0;
}

// tiny.yaml plus one more student: a 2-rank GTC run, checkpointed every 40 steps.
QString recipeWithExtraStudent(const QString& folder) {
  QFile in(kRecipe);
  if (!in.open(QIODevice::ReadOnly)) return {};
  QString text = QString::fromUtf8(in.readAll());
  text.replace("evaluation:\n",
               "    - name: tiny-extra-gtc2\n"
               "      group: extra\n"
               "      workers: 2\n"
               "      streams: {kind: interleave, ratio: '1:4', labeled_lr_multiplier: 2}\n"
               "      distribution: {algorithm: gtc}\n"
               "evaluation:\n");
  const QString path = folder + "/tiny-extra.yaml";
  QFile out(path);
  if (!out.open(QIODevice::WriteOnly)) return {};
  out.write(text.toUtf8());
  return path;
}

// Processes whose command line names `ws` (the runner, its steps, their ranks).
QList<int> processesOf(const QString& ws) {
  QList<int> found;
  for (const QString& name : QDir("/proc").entryList(QDir::Dirs)) {
    bool ok = false;
    const int pid = name.toInt(&ok);
    if (!ok) continue;
    QFile f("/proc/" + name + "/cmdline");
    if (f.open(QIODevice::ReadOnly) && f.readAll().split('\0').contains(ws.toUtf8()) && processAlive(pid))
      found << pid;
  }
  return found;
}

}  // namespace

class TestRecipeRun : public QObject {
  Q_OBJECT

  QTemporaryDir m_tmp;
  QString m_ws;  // the tiny recipe, run once whole

 private slots:
  void initTestCase() {
    QVERIFY(m_tmp.isValid());
    m_ws = m_tmp.filePath("ws");
  }

  void testTinyRecipeRecordsEveryStepAndDecodesEveryModel() {
    const ProcessResult dry = runCli({"run", kRecipe, "-w", m_ws, "--dry-run"});
    QVERIFY2(dry.exitCode == 0, qPrintable(outputOf(dry)));
    QVERIFY2(!QDir(m_ws).exists(), "a dry run makes nothing");

    const ProcessResult r = runCli({"-q", "run", kRecipe, "-w", m_ws}, 600000);
    QVERIFY2(r.exitCode == 0, qPrintable(outputOf(r)));
    const QString db = m_ws + "/workspace.db";
    QCOMPARE(queryText(db, "SELECT COUNT(*) FROM runs WHERE kind = 'recipe' AND status = 'finished'"), std::string("1"));
    const std::string recipeRun = queryText(db, "SELECT id FROM runs WHERE kind = 'recipe'");
    // 1 synth + 5 features + 5 targets + teacher + label + 5 students + 6 models x 3 test sets.
    QCOMPARE(queryText(db, "SELECT COUNT(*) FROM runs WHERE parent_run_id = " + recipeRun), std::string("36"));
    QCOMPARE(queryText(db, "SELECT COUNT(*) FROM runs WHERE parent_run_id = " + recipeRun + " AND status = 'finished'"),
             std::string("36"));
    QCOMPARE(queryText(db, "SELECT COUNT(DISTINCT config_hash) FROM runs WHERE parent_run_id = " + recipeRun +
                               " AND length(config_hash) = 16"),
             std::string("36"));
    QCOMPARE(queryText(db, "SELECT COUNT(*) FROM runs WHERE parent_run_id IS NULL AND kind != 'recipe'"), std::string("0"));
    for (const char* kind : {"synth", "features", "targets", "train", "label", "decode"})
      QVERIFY2(queryScalar(db, std::string("SELECT COUNT(*) FROM runs WHERE kind = '") + kind + "'", 0) >= 1, kind);
    // The comparison: every model (teacher + 5 students) on every test set.
    const std::string table = werTable(db);
    QCOMPARE(QString::fromStdString(table).split('\n').size(), 18);
    for (const char* model : {"tiny-teacher", "tiny-baseline", "tiny-interleave", "tiny-segregated",
                              "tiny-interleave-bmuf2", "tiny-interleave-gtc2"})
      for (const char* set : {"synth-test-clean", "synth-test-noisy", "synth-test-unseen-variant"})
        QVERIFY2(table.find(std::string(model) + " " + set + " ") != std::string::npos, (std::string(model) + " " + set).c_str());
    // The report: every group's row in the WER table, and the plots it names.
    QFile report(m_ws + "/report/report.md");
    QVERIFY(report.open(QIODevice::ReadOnly));
    const QByteArray md = report.readAll();
    for (const char* row : {"| baseline (baseline) |", "| interleave |", "| segregated |", "| interleave-bmuf-2 |",
                            "| interleave-gtc-2 |", "| tiny-teacher |"})
      QVERIFY2(md.contains(row), row);
    QVERIFY(QFile::exists(m_ws + "/report/wer.png"));
    // The two distributed students ran with 2 ranks.
    QVERIFY(queryText(db, "SELECT config FROM runs WHERE kind = 'train' AND name = 'tiny-interleave-gtc2'").find(
                "# distributed: 2 ranks") != std::string::npos);
  }

  void testSecondRunReusesEveryStep() {
    const QString db = m_ws + "/workspace.db";
    const std::string before = werTable(db);
    QElapsedTimer clock;
    clock.start();
    const QString events = m_tmp.filePath("second.events");
    const ProcessResult r = runCli({"--events", events, "run", kRecipe, "-w", m_ws});
    QVERIFY2(r.exitCode == 0, qPrintable(outputOf(r)));
    QVERIFY2(clock.elapsed() < 30000, qPrintable(QString("took %1 ms").arg(clock.elapsed())));
    QVERIFY2(r.out.contains("36 steps, 36 cached"), qPrintable(outputOf(r)));
    const std::string second = queryText(db, "SELECT MAX(id) FROM runs WHERE kind = 'recipe'");
    QCOMPARE(queryText(db, "SELECT COUNT(*) FROM runs WHERE kind = 'recipe' AND status = 'finished'"), std::string("2"));
    QCOMPARE(queryText(db, "SELECT COUNT(*) FROM runs WHERE parent_run_id = " + second), std::string("0"));
    // The recipe's own events carry its run id; the last progress is 36 of 36.
    QFile stream(events);
    QVERIFY(stream.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = stream.readAll().trimmed().split('\n');
    const QJsonObject last = QJsonDocument::fromJson(lines.last()).object();
    QCOMPARE(last["type"].toString(), QString("status"));
    QCOMPARE(last["name"].toString(), QString("finished"));
    QCOMPARE(QString::number(last["run"].toInteger()), QString::fromStdString(second));
    const QJsonObject done = QJsonDocument::fromJson(lines[lines.size() - 2]).object();
    QCOMPARE(done["name"].toString(), QString("recipe"));
    QCOMPARE(done["done"].toInt(), 36);
    QCOMPARE(done["total"].toInt(), 36);
    QCOMPARE(werTable(db), before);
  }

  void testKilledRecipeResumesAndEndsWithTheSameResults() {
    const QString recipe = recipeWithExtraStudent(m_tmp.path());
    QVERIFY(!recipe.isEmpty());
    const QString straight = m_tmp.filePath("straight"), killed = m_tmp.filePath("killed");
    QVERIFY(copyWorkspace(m_ws, straight));
    QVERIFY(copyWorkspace(m_ws, killed));

    // Uninterrupted: only the new student and its decodes run.
    const ProcessResult r = runCli({"-q", "run", recipe, "-w", straight}, 300000);
    QVERIFY2(r.exitCode == 0, qPrintable(outputOf(r)));
    QVERIFY2(r.out.contains("40 steps, 36 cached"), qPrintable(outputOf(r)));

    // Killed outright once the student has its first checkpoint.
    QProcess runner;
    runner.start(understudy::test::cliPath(), {"-q", "run", recipe, "-w", killed});
    QVERIFY(runner.waitForStarted());
    const QString checkpoints = killed + "/models/tiny-extra-gtc2/checkpoints";
    QElapsedTimer clock;
    clock.start();
    while (QDir(checkpoints).entryList(QDir::Files | QDir::Dirs | QDir::NoDotAndDotDot).isEmpty() &&
           clock.elapsed() < 180000 && runner.state() == QProcess::Running)
      QThread::msleep(100);
    QVERIFY2(runner.state() == QProcess::Running, "the recipe ended before the student's first checkpoint");
    ::kill(static_cast<pid_t>(runner.processId()), SIGKILL);
    QVERIFY(runner.waitForFinished(10000));
    // Its step and the step's ranks die with it.
    clock.restart();
    while (!processesOf(killed).isEmpty() && clock.elapsed() < 10000) QThread::msleep(100);
    QVERIFY2(processesOf(killed).isEmpty(), "a step or rank outlived the killed recipe");
    QVERIFY2(werTable(killed + "/workspace.db", "tiny-extra%").empty(), "killed before any decode");

    const ProcessResult resumed = runCli({"-q", "run", recipe, "-w", killed}, 300000);
    QVERIFY2(resumed.exitCode == 0, qPrintable(outputOf(resumed)));
    QVERIFY2(resumed.out.contains("resume") && resumed.out.contains("--resume"), qPrintable(outputOf(resumed)));
    const std::string expected = werTable(straight + "/workspace.db", "tiny-extra%");
    QCOMPARE(QString::fromStdString(expected).split('\n').size(), 3);
    QCOMPARE(werTable(killed + "/workspace.db", "tiny-extra%"), expected);
    QCOMPARE(werTable(killed + "/workspace.db"), werTable(straight + "/workspace.db"));
  }
};

QTEST_GUILESS_MAIN(TestRecipeRun)
#include "test_recipe_run.moc"
