// understudy-cli compare on workspaces the test builds itself (datasets,
// models and evaluations written through EvaluationStore; no decoder): the
// aligned table and the CSV hold the newest WER of each model on each test
// set and the relative WER reductions worked out by hand; the messages for
// no evaluations, an unknown baseline and an unknown dataset. Seconds.
#include <QTemporaryDir>
#include <QtTest>
#include <string>
#include <vector>

#include "core/store/catalog.h"
#include "core/store/evaluation_store.h"
#include "core/store/model_registry.h"
#include "core/store/workspace.h"
#include "support/test_support.h"

using understudy::test::outputOf;
using understudy::test::ProcessResult;
using understudy::test::runCli;
using namespace understudy;

namespace {

std::int64_t addDataset(Workspace& ws, const std::string& name, const std::string& kind, int n) {
  DatasetRow d;
  d.name = name;
  d.kind = kind;
  std::vector<UtteranceRow> utts;
  for (int i = 1; i <= n; ++i) {
    UtteranceRow u;
    u.key = "u" + std::to_string(i);
    u.text = "play some jazz";
    utts.push_back(u);
  }
  return Catalog(ws).registerDataset(d, utts);
}

std::int64_t addModel(Workspace& ws, const std::string& name) {
  ModelRow m;
  m.name = name;
  return registerModel(ws.db(), m);
}

// `errors` substitutions in `refWords` reference words, on utterance u1.
void evaluate(Workspace& ws, std::int64_t model, std::int64_t dataset, int errors, int refWords) {
  Evaluation e;
  e.modelId = model;
  e.datasetId = dataset;
  UtteranceResult u;
  u.key = "u1";
  u.corr = refWords - errors;
  u.sub = errors;
  e.utterances = {u};
  EvaluationStore(ws).write(e);
}

QString oneLine(const QByteArray& err) { return QString::fromUtf8(err).trimmed(); }

}  // namespace

class TestCompare : public QObject {
  Q_OBJECT

  QTemporaryDir m_dir;
  QString m_ws;

 private slots:
  // teacher: clean 20 % (superseded) then 10 %, noisy 30 %; student-a: clean
  // 8 %, noisy 27 %; student-b: clean 12.5 % (1 of 8 words), no noisy; a
  // labeled set and a test set without evaluations stay out of the table.
  void initTestCase() {
    QVERIFY(m_dir.isValid());
    m_ws = m_dir.filePath("ws");
    Workspace ws = Workspace::create(m_ws.toStdString());
    const auto clean = addDataset(ws, "synth-test-clean", "test", 1);
    const auto noisy = addDataset(ws, "synth-test-noisy", "test", 1);
    addDataset(ws, "synth-test-unseen-variant", "test", 1);
    const auto labeled = addDataset(ws, "synth-labeled", "labeled", 1);
    const auto teacher = addModel(ws, "teacher");
    const auto studentA = addModel(ws, "student-a");
    const auto studentB = addModel(ws, "student-b");
    evaluate(ws, teacher, clean, 20, 100);
    evaluate(ws, teacher, clean, 10, 100);
    evaluate(ws, teacher, noisy, 30, 100);
    evaluate(ws, studentA, clean, 8, 100);
    evaluate(ws, studentA, noisy, 27, 100);
    evaluate(ws, studentB, clean, 1, 8);
    evaluate(ws, studentA, labeled, 1, 100);
  }

  void testTableShowsTheNewestWerOfEachModelOnEachTestSet() {
    const ProcessResult r = runCli({"compare", "-w", m_ws});
    QVERIFY2(r.exitCode == 0, qPrintable(outputOf(r)));
    const QString want =
        "WER % (newest evaluation of each model on each set)\n"
        "\n"
        "model       synth-test-clean   synth-test-noisy\n"
        "teacher                10.00              30.00\n"
        "student-a               8.00              27.00\n"
        "student-b              12.50                  -\n"
        "\n"
        "WER = (substitutions + deletions + insertions) / reference words.\n";
    QCOMPARE(QString::fromUtf8(r.out), want);
  }

  void testBaselineAddsTheRelativeWerReduction() {
    const ProcessResult r = runCli({"compare", "-w", m_ws, "--baseline", "teacher"});
    QVERIFY2(r.exitCode == 0, qPrintable(outputOf(r)));
    // (10 − 8)/10 = +20 %, (30 − 27)/30 = +10 %, (10 − 12.5)/10 = −25 %.
    const QString want =
        "WER % (newest evaluation of each model on each set), in parentheses the relative WER "
        "reduction against 'teacher'\n"
        "\n"
        "model                synth-test-clean   synth-test-noisy\n"
        "teacher (baseline)     10.00              30.00\n"
        "student-a               8.00 (+20.0%)     27.00 (+10.0%)\n"
        "student-b              12.50 (-25.0%)         -\n"
        "\n"
        "WER = (substitutions + deletions + insertions) / reference words; relative reduction = "
        "(WER_teacher - WER) / WER_teacher.\n";
    QCOMPARE(QString::fromUtf8(r.out), want);

    // Against a student the signs turn: (8 − 10)/8 = −25 %, (27 − 30)/27 = −11.1 %.
    const ProcessResult s = runCli({"compare", "-w", m_ws, "--baseline", "student-a"});
    QVERIFY2(s.exitCode == 0, qPrintable(outputOf(s)));
    QVERIFY2(s.out.contains("\nstudent-a (baseline)      8.00              27.00\n"),
             s.out.constData());
    QVERIFY2(s.out.contains("\nteacher                  10.00 (-25.0%)     30.00 (-11.1%)\n"),
             s.out.constData());
    // (8 − 12.5)/8 = −56.25 %, printed to one decimal.
    QVERIFY2(s.out.contains("\nstudent-b                12.50 (-56.2%)         -\n"),
             s.out.constData());
  }

  void testCsvIsTheSameTableForASpreadsheet() {
    const ProcessResult r = runCli({"compare", "-w", m_ws, "--csv", "--baseline", "teacher"});
    QVERIFY2(r.exitCode == 0, qPrintable(outputOf(r)));
    QCOMPARE(QString::fromUtf8(r.out),
             QString("model,synth-test-clean.wer,synth-test-clean.rel_reduction,"
                     "synth-test-noisy.wer,synth-test-noisy.rel_reduction\n"
                     "teacher,10.00,0.00,30.00,0.00\n"
                     "student-a,8.00,20.00,27.00,10.00\n"
                     "student-b,12.50,-25.00,,\n"));
    QVERIFY2(r.err.isEmpty(), r.err.constData());
    const ProcessResult plain = runCli({"compare", "-w", m_ws, "--csv"});
    QVERIFY2(plain.exitCode == 0, qPrintable(outputOf(plain)));
    QCOMPARE(QString::fromUtf8(plain.out),
             QString("model,synth-test-clean.wer,synth-test-noisy.wer\n"
                     "teacher,10.00,30.00\n"
                     "student-a,8.00,27.00\n"
                     "student-b,12.50,\n"));
  }

  void testDatasetsChooseTheColumnsInTheirOrder() {
    const ProcessResult r =
        runCli({"compare", "-w", m_ws, "--csv", "--datasets", "synth-test-noisy,synth-labeled"});
    QVERIFY2(r.exitCode == 0, qPrintable(outputOf(r)));
    QCOMPARE(QString::fromUtf8(r.out), QString("model,synth-test-noisy.wer,synth-labeled.wer\n"
                                               "teacher,30.00,\n"
                                               "student-a,27.00,1.00\n"));
    const ProcessResult none =
        runCli({"compare", "-w", m_ws, "--datasets", "synth-test-unseen-variant"});
    QVERIFY2(none.exitCode == 0, qPrintable(outputOf(none)));
    QVERIFY2(none.out.contains("No evaluations yet") &&
                 none.out.contains("on synth-test-unseen-variant") &&
                 none.out.contains("understudy-cli decode -w"),
             none.out.constData());
  }

  void testUnknownBaselineIsAnErrorListingTheModels() {
    const ProcessResult r = runCli({"compare", "-w", m_ws, "--baseline", "techer"});
    QCOMPARE(r.exitCode, 1);
    QCOMPARE(oneLine(r.err).count('\n'), 0);
    QVERIFY2(r.err.contains("no model named 'techer'") &&
                 r.err.contains("models: teacher, student-a, student-b"),
             r.err.constData());
    QVERIFY(r.out.isEmpty());
    const ProcessResult unevaluated = runCli(
        {"compare", "-w", m_ws, "--baseline", "student-b", "--datasets", "synth-test-noisy"});
    QCOMPARE(unevaluated.exitCode, 1);
    QVERIFY2(unevaluated.err.contains("'student-b' has no evaluation on synth-test-noisy"),
             unevaluated.err.constData());
  }

  void testUnknownDatasetIsAnErrorListingTheDatasets() {
    const ProcessResult r = runCli({"compare", "-w", m_ws, "--datasets", "synth-test-clen"});
    QCOMPARE(r.exitCode, 1);
    QCOMPARE(oneLine(r.err).count('\n'), 0);
    QVERIFY2(
        r.err.contains("no dataset named 'synth-test-clen'") && r.err.contains("synth-test-clean"),
        r.err.constData());
  }

  void testNoEvaluationsYetSaysWhatToRun() {
    QTemporaryDir dir;
    const QString ws = dir.filePath("empty");
    { Workspace::create(ws.toStdString()); }
    const ProcessResult r = runCli({"compare", "-w", ws});
    QVERIFY2(r.exitCode == 0, qPrintable(outputOf(r)));
    QVERIFY2(r.out.startsWith("No evaluations yet in ") && r.out.contains("on its test sets") &&
                 r.out.contains("understudy-cli decode -w " + ws.toUtf8()),
             r.out.constData());
    const ProcessResult csv = runCli({"compare", "-w", ws, "--csv"});
    QCOMPARE(csv.exitCode, 0);
    QVERIFY(csv.out.isEmpty());  // stdout is CSV only; the note goes to stderr
    QVERIFY2(csv.err.contains("No evaluations yet"), csv.err.constData());
  }

  void testOddNamesAreQuotedAndDoubtfulCellsExplained() {
    QTemporaryDir dir;
    const QString root = dir.filePath("odd");
    {
      Workspace ws = Workspace::create(root.toStdString());
      const auto set = addDataset(ws, "t", "test", 2);
      const auto odd = addModel(ws, "student \"b\", v2");
      evaluate(ws, odd, set, 1, 4);  // u1 of u1, u2: partial
    }
    const ProcessResult csv = runCli({"compare", "-w", root, "--csv"});
    QVERIFY2(csv.exitCode == 0, qPrintable(outputOf(csv)));
    QCOMPARE(QString::fromUtf8(csv.out), QString("model,t.wer\n\"student \"\"b\"\", v2\",25.00\n"));
    QVERIFY2(csv.err.contains("1 of 2 utterances scored"), csv.err.constData());
    const ProcessResult table = runCli({"compare", "-w", root});
    QVERIFY2(table.exitCode == 0, qPrintable(outputOf(table)));
    QVERIFY2(table.out.contains("student \"b\", v2   25.00*\n"), table.out.constData());
    QVERIFY2(table.out.contains("* student \"b\", v2 on t (evaluation 1 of ") &&
                 table.out.contains("): 1 of 2 utterances scored\n"),
             table.out.constData());
  }
};

QTEST_GUILESS_MAIN(TestCompare)
#include "test_compare.moc"
