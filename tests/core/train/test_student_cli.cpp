// The student through understudy-cli on the tiny synthetic corpus: a tiny
// teacher (teacher-tiny.yaml) labels synth-unlabeled, then
//   - the interleaved student (student-tiny-interleave.yaml) reaches at least
//     the held-out frame accuracy of the labeled-only baseline
//     (student-tiny-labeled-only.yaml) on synth-test-clean and
//     synth-test-noisy after the same number of labeled steps (100);
//   - an interleaved student SIGKILLed twice while it trains and resumed
//     each time exports the same model.pt and best.pt, byte for byte, as a
//     straight run (both streams' positions survive);
//   - soft labels missing for some utterances are left out and counted; labels
//     whose frame count does not fit the features stop training naming the
//     utterance; a dataset without soft labels names `label`.
#include <QElapsedTimer>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "support/sql_query.h"
#include "support/test_support.h"

using understudy::test::outputOf;
using understudy::test::queryText;
using understudy::test::runCli;
namespace fs = std::filesystem;

namespace {
const QString kRecipes = QStringLiteral(UNDERSTUDY_SOURCE_DIR "/resources/recipes/");

double scalar(const QString& db, const std::string& sql) { return understudy::test::queryScalar(db, sql, -1.0); }

std::string bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::string readText(const QString& path) { return bytes(path.toStdString()); }
}  // namespace

class TestStudentCli : public QObject {
  Q_OBJECT

  QTemporaryDir m_dir;
  QString m_ws;
  QString m_db;

  void mustRun(const QStringList& args) {
    auto r = runCli(args, 300000);
    QVERIFY2(r.exitCode == 0, qPrintable(args.join(' ') + "\n" + outputOf(r)));
  }
  // The value of `metric` at the last step it was recorded in the newest run named `model`.
  double lastMetric(const std::string& model, const std::string& metric) const {
    return scalar(m_db, "SELECT m.value FROM metrics m WHERE m.run_id = (SELECT MAX(id) FROM runs WHERE name = '" +
                            model + "') AND m.name = '" + metric + "' ORDER BY m.step DESC LIMIT 1");
  }
  double metricRows(const std::string& model, const std::string& metric) const {
    return scalar(m_db, "SELECT COUNT(*) FROM metrics m JOIN runs r ON r.id = m.run_id WHERE r.name = '" + model +
                            "' AND m.name = '" + metric + "'");
  }
  // A recipe with `from` replaced by `to` (each must occur), under another file name.
  QString editedRecipe(const QString& recipe, const QString& file,
                       const std::vector<std::pair<std::string, std::string>>& edits) {
    std::string yaml = readText(kRecipes + recipe);
    for (const auto& [from, to] : edits) {
      const auto at = yaml.find(from);
      if (at == std::string::npos) qFatal("'%s' is not in %s", from.c_str(), qPrintable(recipe));
      yaml.replace(at, from.size(), to);
    }
    const QString path = m_dir.filePath(file);
    std::ofstream(path.toStdString()) << yaml;
    return path;
  }

 private slots:
  void initTestCase() {
    m_ws = m_dir.filePath("ws");
    m_db = m_ws + "/workspace.db";
    mustRun({"init", m_ws});
    mustRun({"-q", "corpus", "synth", "-w", m_ws, "--profile", "tiny", "--seed", "1"});
    for (const QString d : {"synth-labeled", "synth-test-clean", "synth-test-noisy"}) {
      mustRun({"-q", "features", "-w", m_ws, "--dataset", d});
      mustRun({"-q", "targets", "-w", m_ws, "--dataset", d});
    }
    mustRun({"-q", "features", "-w", m_ws, "--dataset", "synth-unlabeled"});  // no targets: unlabeled
    mustRun({"-q", "train", "-w", m_ws, "--config", kRecipes + "teacher-tiny.yaml"});
    mustRun({"-q", "label", "-w", m_ws, "--model", "teacher-tiny", "--dataset", "synth-unlabeled", "--threads", "1"});
  }

  // The acceptance test: after 100 labeled steps each, the
  // interleaved student (and 400 soft-labeled steps) is at least as accurate
  // on held-out voices and sentences as the labeled-only baseline.
  void testInterleavedStudentBeatsTheBaselineAtEqualLabeledSteps() {
    QElapsedTimer timer;
    timer.start();
    auto base = runCli({"-q", "train", "-w", m_ws, "--config", kRecipes + "student-tiny-labeled-only.yaml",
                        "--max-steps", "100"},
                       300000);
    QVERIFY2(base.exitCode == 0, qPrintable(outputOf(base)));
    const double baseSeconds = timer.restart() / 1000.0;
    auto inter = runCli({"-q", "train", "-w", m_ws, "--config", kRecipes + "student-tiny-interleave.yaml",
                         "--max-steps", "500"},
                        300000);
    QVERIFY2(inter.exitCode == 0, qPrintable(outputOf(inter)));
    const double interSeconds = timer.elapsed() / 1000.0;
    QVERIFY2(inter.out.contains("# streams: interleave: labeled ") && inter.out.contains("soft-labeled data: 288 utterances"),
             qPrintable(outputOf(inter)));

    const std::string b = "student-tiny-labeled-only", i = "student-tiny-interleave";
    QCOMPARE(metricRows(b, "train/labeled/loss"), 100.0);
    QCOMPARE(metricRows(i, "train/labeled/loss"), 100.0);
    QCOMPARE(metricRows(i, "train/soft/kd_loss"), 400.0);
    QCOMPARE(metricRows(b, "train/soft/kd_loss"), 0.0);
    QCOMPARE(queryText(m_db, "SELECT role FROM models WHERE name = '" + i + "'"), std::string("student"));
    QCOMPARE(queryText(m_db, "SELECT role FROM models WHERE name = '" + b + "'"), std::string("baseline"));
    for (const std::string set : {"synth-test-clean", "synth-test-noisy"}) {
      const std::string metric = "valid/" + set + "/frame_accuracy";
      const double baseline = lastMetric(b, metric), student = lastMetric(i, metric);
      qInfo("%s after 100 labeled steps: labeled-only %.1f %% (%.0f s), interleaved 1:4 %.1f %% (%.0f s)",
            set.c_str(), 100 * baseline, baseSeconds, 100 * student, interSeconds);
      QVERIFY2(baseline > 0.1 && student >= baseline,
               qPrintable(QString("%1: interleaved %2 < labeled-only %3").arg(QString::fromStdString(set))
                              .arg(student).arg(baseline)));
    }
  }

  // An interleaved student killed twice mid-run (wherever it is: mid-step,
  // mid-validation or mid-checkpoint) and resumed each time continues the
  // same batch stream: model.pt and best.pt equal a straight run's, byte for byte.
  void testKilledInterleavedStudentResumesTheSameBatchStream() {
    auto config = [&](const std::string& name) {
      return editedRecipe("student-tiny-interleave.yaml", QString::fromStdString(name) + ".yaml",
                          {{"name: student-tiny-interleave", "name: " + name},
                           {"max_steps: 1500", "max_steps: 150"},
                           {"validation: [synth-test-clean, synth-test-noisy]", "validation: []"},
                           {"every: 500", "every: 10"},
                           {"every: 500", "every: 20"}});
    };
    const QString straightCfg = config("kill-straight"), killedCfg = config("kill-resumed");
    mustRun({"-q", "train", "-w", m_ws, "--config", straightCfg});
    const std::string lastStep =
        "SELECT MAX(m.step) FROM metrics m JOIN runs r ON r.id = m.run_id "
        "WHERE r.name = 'kill-resumed' AND m.name = 'train/loss'";
    for (const double killAfter : {40.0, 100.0}) {
      QProcess p;
      QStringList args{"-q", "train", "-w", m_ws, "--config", killedCfg};
      if (killAfter > 40.0) args << "--resume";
      p.start(understudy::test::cliPath(), args);
      QVERIFY(p.waitForStarted());
      QElapsedTimer t;
      t.start();
      while (t.elapsed() < 120000 && p.state() == QProcess::Running && scalar(m_db, lastStep) < killAfter)
        QTest::qWait(10);
      QVERIFY2(p.state() == QProcess::Running, "the run ended before it could be killed");
      ::kill(static_cast<pid_t>(p.processId()), SIGKILL);
      QVERIFY(p.waitForFinished(60000));
      QCOMPARE(p.exitStatus(), QProcess::CrashExit);
      qInfo("killed after step %.0f was recorded", scalar(m_db, lastStep));
    }
    auto r = runCli({"-q", "train", "-w", m_ws, "--config", killedCfg, "--resume"}, 300000);
    QVERIFY2(r.exitCode == 0, qPrintable(outputOf(r)));
    // The resumed run started from a checkpoint with both streams' positions.
    QVERIFY2(r.err.contains("labeled: epoch") && r.err.contains("soft: epoch"), qPrintable(outputOf(r)));
    const fs::path straight = fs::path(m_ws.toStdString()) / "models/kill-straight";
    const fs::path killed = fs::path(m_ws.toStdString()) / "models/kill-resumed";
    QVERIFY(!bytes(straight / "model.pt").empty());
    QVERIFY2(bytes(killed / "model.pt") == bytes(straight / "model.pt"), "model.pt differs from the straight run's");
    QVERIFY2(bytes(killed / "checkpoints/best.pt") == bytes(straight / "checkpoints/best.pt"),
             "best.pt differs from the straight run's");
  }

  // Soft labels for half of the utterances: the rest is left out and
  // counted. Labels one frame short for an utterance: training stops before
  // it starts, naming the utterance. A dataset without soft labels: the
  // error names the key and `understudy-cli label`.
  void testSoftLabelsMissingOrMisfitAreReported() {
    const QString ark = m_dir.filePath("post.txt");
    mustRun({"-q", "export", "-w", m_ws, "--dataset", "synth-unlabeled", "--what", "softlabels", "--ark", ark,
             "--text"});
    std::istringstream all(readText(ark));
    std::vector<std::string> lines;
    for (std::string line; std::getline(all, line);) lines.push_back(line);
    QCOMPARE(lines.size(), std::size_t{288});
    const QString half = m_dir.filePath("half.txt"), shortArk = m_dir.filePath("short.txt");
    {
      std::ofstream h(half.toStdString()), s(shortArk.toStdString());
      for (std::size_t i = 0; i < 144; ++i) {
        h << lines[i] << "\n";
        // The first utterance loses its last frame.
        s << (i == 0 ? lines[i].substr(0, lines[i].rfind(" [ ")) : lines[i]) << "\n";
      }
    }
    const std::string firstKey = lines[0].substr(0, lines[0].find(' '));
    mustRun({"-q", "import", "-w", m_ws, "--dataset", "synth-unlabeled", "--what", "softlabels", "--model",
             "teacher-tiny", "--ark", half, "--out", "half"});
    mustRun({"-q", "import", "-w", m_ws, "--dataset", "synth-unlabeled", "--what", "softlabels", "--model",
             "teacher-tiny", "--ark", shortArk, "--out", "short"});

    auto run = [&](const char* name, const char* soft) {
      const QString cfg = editedRecipe("student-tiny-interleave.yaml", QString(name) + ".yaml",
                                       {{"name: student-tiny-interleave", std::string("name: ") + name},
                                        {"{dataset: synth-unlabeled, model: teacher-tiny}", soft}});
      return runCli({"train", "-w", m_ws, "--config", cfg, "--max-steps", "5"}, 300000);
    };
    auto r = run("soft-half", "{dataset: synth-unlabeled, labels: half}");
    QVERIFY2(r.exitCode == 0, qPrintable(outputOf(r)));
    QVERIFY2(r.out.contains("# soft-labeled data: 144 utterances") &&
                 r.err.contains("144 utterances without soft labels and 0 without features are left out"),
             qPrintable(outputOf(r)));

    r = run("soft-short", "{dataset: synth-unlabeled, labels: short}");
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains(QByteArray::fromStdString(firstKey)) && r.err.contains("softlabels/short") &&
                 r.err.contains("soft labels have") && r.err.contains("data.soft[0]"),
             qPrintable(outputOf(r)));
    QVERIFY(!fs::exists(fs::path(m_ws.toStdString()) / "models/soft-short/checkpoints"));

    r = run("soft-none", "{dataset: synth-test-clean}");
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("synth-test-clean") && r.err.contains("no soft labels") &&
                 r.err.contains("understudy-cli label") && r.err.contains("data.soft[0]"),
             qPrintable(outputOf(r)));
  }
};

QTEST_GUILESS_MAIN(TestStudentCli)
#include "test_student_cli.moc"
