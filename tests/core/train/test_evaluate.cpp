// understudy-cli evaluate on the tiny synthetic corpus: a tiny teacher
// trained for a few steps is evaluated on synth-test-noisy, and the frame
// accuracy and cross-entropy it records equal an independent python3-torch
// computation (evaluate_reference.py) of the same model on the same features
// and targets, exported with `understudy-cli export`. Also the breakdown by
// condition, the run row, `--events -`, and the errors for an unknown model
// and a dataset without targets.
#include <QJsonDocument>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <cmath>
#include <map>
#include <string>

#include "support/test_support.h"

using understudy::test::runCli;

namespace {
const QString kRecipes = QStringLiteral(UNDERSTUDY_SOURCE_DIR "/resources/recipes/");
const QString kReference = QStringLiteral(UNDERSTUDY_SOURCE_DIR "/tests/core/train/evaluate_reference.py");


// The metrics of the newest evaluate run, by name.
std::map<std::string, double> evaluateMetrics(const QString& db) {
  SQLite::Database d(db.toStdString(), SQLite::OPEN_READONLY);
  SQLite::Statement q(d,
                      "SELECT name, value FROM metrics WHERE run_id = "
                      "(SELECT MAX(id) FROM runs WHERE kind = 'evaluate' AND status = 'finished')");
  std::map<std::string, double> out;
  while (q.executeStep()) out[q.getColumn(0).getString()] = q.getColumn(1).getDouble();
  return out;
}

std::string text(const QString& db, const std::string& sql) {
  SQLite::Database d(db.toStdString(), SQLite::OPEN_READONLY);
  SQLite::Statement q(d, sql);
  return q.executeStep() ? q.getColumn(0).getString() : std::string();
}
}  // namespace

class TestEvaluate : public QObject {
  Q_OBJECT

  QTemporaryDir m_dir;
  QString m_ws;
  QString m_db;

  void mustRun(const QStringList& args) {
    auto r = runCli(args, 300000);
    QVERIFY2(r.exitCode == 0, qPrintable(args.join(' ') + "\n" + understudy::test::outputOf(r)));
  }

 private slots:
  void initTestCase() {
    m_ws = m_dir.filePath("ws");
    m_db = m_ws + "/workspace.db";
    mustRun({"init", m_ws});
    mustRun({"-q", "corpus", "synth", "-w", m_ws, "--profile", "tiny", "--seed", "1"});
    for (const char* d : {"synth-labeled", "synth-test-noisy"}) {
      mustRun({"-q", "features", "-w", m_ws, "--dataset", d});
      mustRun({"-q", "targets", "-w", m_ws, "--dataset", d});
    }
    mustRun({"-q", "features", "-w", m_ws, "--dataset", "synth-test-clean"});  // no targets
    mustRun({"-q", "train", "-w", m_ws, "--config", kRecipes + "teacher-tiny.yaml", "--max-steps", "10"});
  }

  void testEvaluateMatchesIndependentPythonTorch() {
    US_REQUIRE_REFERENCE_PYTHON(python);
    auto r = runCli({"-q", "evaluate", "-w", m_ws, "--model", "teacher-tiny", "--dataset",
                     "synth-test-noisy", "--threads", "1"});
    QVERIFY2(r.exitCode == 0, qPrintable(understudy::test::outputOf(r)));
    const auto m = evaluateMetrics(m_db);
    QVERIFY(m.count("eval/frame_accuracy") && m.count("eval/cross_entropy") && m.count("eval/frames"));

    const QString ark = m_dir.filePath("feats.ark"), targets = m_dir.filePath("targets.txt");
    mustRun({"-q", "export", "-w", m_ws, "--dataset", "synth-test-noisy", "--what", "features", "--ark", ark});
    mustRun({"-q", "export", "-w", m_ws, "--dataset", "synth-test-noisy", "--what", "targets", "--ark",
             targets, "--text"});
    auto ref = understudy::test::runProcess(python, {kReference, m_ws + "/models/teacher-tiny", ark, targets},
                                            300000);
    QVERIFY2(ref.exitCode == 0, qPrintable(understudy::test::outputOf(ref)));
    // "frames N correct C accuracy A cross_entropy E"
    const QStringList f = QString::fromUtf8(ref.out).trimmed().split(' ');
    QCOMPARE(f.size(), 8);
    const double frames = f[1].toDouble(), accuracy = f[5].toDouble(), ce = f[7].toDouble();
    qInfo("evaluate: %.0f frames, accuracy %.6f, CE %.6f; python3-torch: %.0f frames, %.6f, %.6f",
          m.at("eval/frames"), m.at("eval/frame_accuracy"), m.at("eval/cross_entropy"), frames, accuracy, ce);
    QVERIFY(frames > 3000);
    QCOMPARE(m.at("eval/frames"), frames);
    QVERIFY2(std::abs(m.at("eval/frame_accuracy") - accuracy) <= 1e-4, "frame accuracy differs");
    QVERIFY2(std::abs(m.at("eval/cross_entropy") - ce) <= 1e-4, "cross-entropy differs");
  }

  void testEvaluateBreaksDownByConditionAndVoice() {
    auto r = runCli({"-q", "evaluate", "-w", m_ws, "--model", "teacher-tiny", "--dataset", "synth-test-noisy"});
    QVERIFY2(r.exitCode == 0, qPrintable(understudy::test::outputOf(r)));
    for (const char* row : {"all", "noise/babble", "noise/hum", "noise/pink", "noise/white", "snr/0-5", "voice/"})
      QVERIFY2(r.out.contains(row), row);
    QCOMPARE(text(m_db, "SELECT status FROM runs WHERE kind = 'evaluate' ORDER BY id DESC LIMIT 1"),
             std::string("finished"));
    QCOMPARE(text(m_db, "SELECT name FROM runs WHERE kind = 'evaluate' ORDER BY id DESC LIMIT 1"),
             std::string("teacher-tiny@synth-test-noisy"));
    // Each family of groups partitions the utterances: its frames add up to
    // the total, and its correct frames to the overall accuracy.
    const auto m = evaluateMetrics(m_db);
    const double total = m.at("eval/frames");
    for (const std::string family : {"noise/", "snr/", "voice/"}) {
      double frames = 0, correct = 0;
      int groups = 0;
      for (const auto& [name, value] : m) {
        const std::string prefix = "eval/frames/" + family;
        if (name.rfind(prefix, 0) != 0) continue;
        const std::string group = name.substr(std::string("eval/frames/").size());
        frames += value;
        correct += value * m.at("eval/frame_accuracy/" + group);
        QVERIFY(m.count("eval/cross_entropy/" + group));
        ++groups;
      }
      QVERIFY2(groups >= 2, family.c_str());
      QCOMPARE(frames, total);
      QVERIFY(std::abs(correct / total - m.at("eval/frame_accuracy")) < 1e-9);
    }
    QVERIFY(!m.count("eval/frames/clean"));  // synth-test-noisy has no clean utterance
  }

  void testEvaluateWithEventsKeepsStdoutJson() {
    auto r = runCli({"--events", "-", "evaluate", "-w", m_ws, "--model", "teacher-tiny", "--dataset",
                     "synth-test-noisy"});
    QVERIFY2(r.exitCode == 0, qPrintable(understudy::test::outputOf(r)));
    bool sawAccuracy = false;
    for (const QByteArray& line : r.out.split('\n')) {
      if (line.trimmed().isEmpty()) continue;
      QJsonParseError error;
      const QJsonDocument doc = QJsonDocument::fromJson(line, &error);
      QVERIFY2(error.error == QJsonParseError::NoError && doc.isObject(), line.constData());
      if (doc.object().value("name").toString() == "eval/frame_accuracy") sawAccuracy = true;
    }
    QVERIFY(sawAccuracy);
    QVERIFY(r.err.contains("noise/babble"));  // the table went to stderr
  }

  void testEvaluateRefusesUnknownModel() {
    auto r = runCli({"evaluate", "-w", m_ws, "--model", "no-such-model", "--dataset", "synth-test-noisy"});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("no-such-model") && r.err.contains("teacher-tiny"), r.err.constData());
  }

  void testEvaluateRefusesDatasetWithoutTargets() {
    auto r = runCli({"evaluate", "-w", m_ws, "--model", "teacher-tiny", "--dataset", "synth-test-clean"});
    QCOMPARE(r.exitCode, 1);
    // Names the dataset (not only the store folder the target store reports).
    QVERIFY2(r.err.contains("dataset 'synth-test-clean'") && r.err.contains("no frame targets") &&
                 r.err.contains("understudy-cli targets"),
             r.err.constData());
    // Refused before anything was recorded.
    QCOMPARE(text(m_db, "SELECT COUNT(*) FROM runs WHERE kind = 'evaluate' AND status != 'finished'"),
             std::string("0"));
  }
};

QTEST_GUILESS_MAIN(TestEvaluate)
#include "test_evaluate.moc"
