// understudy-cli train end to end on the tiny synthetic corpus: the issue's
// acceptance test (a tiny teacher reaches >= 60 % validation frame accuracy;
// how long it takes is bench/train's business, not a test's), the
// runs/models rows, config errors with key and line, Ctrl-C -> checkpoint +
// 'cancelled', the model folder lock, --resume and what it refuses, and the
// exported model being the best validated one, with priors over every
// training dataset.
#include <QElapsedTimer>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <algorithm>
#include <cmath>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "support/test_support.h"

using understudy::test::runCli;

namespace {
const QString kRecipes = QStringLiteral(UNDERSTUDY_SOURCE_DIR "/resources/recipes/");


double scalar(const QString& db, const std::string& sql) {
  SQLite::Database d(db.toStdString(), SQLite::OPEN_READONLY);
  SQLite::Statement q(d, sql);
  if (!q.executeStep() || q.getColumn(0).isNull()) return -1;
  return q.getColumn(0).getDouble();
}

std::string text(const QString& db, const std::string& sql) {
  SQLite::Database d(db.toStdString(), SQLite::OPEN_READONLY);
  SQLite::Statement q(d, sql);
  return q.executeStep() ? q.getColumn(0).getString() : std::string();
}
}  // namespace

class TestTrainCli : public QObject {
  Q_OBJECT

  QTemporaryDir m_dir;
  QString m_ws;
  QString m_db;

 private:
  // The labeled-only student recipe, without its validation sets (this
  // workspace has features for synth-labeled only), renamed when `name` is given.
  QString writeLabeledOnlyStudent(const QString& file, const std::string& name = {}) {
    const QString cfg = m_dir.filePath(file);
    std::ifstream in((kRecipes + "student-tiny-labeled-only.yaml").toStdString());
    std::ofstream out(cfg.toStdString());
    for (std::string line; std::getline(in, line);) {
      if (line.find("validation: [synth-test-clean") != std::string::npos) continue;
      if (!name.empty() && line.rfind("name:", 0) == 0) line = "name: " + name;
      out << line << "\n";
    }
    return cfg;
  }

 private slots:
  void initTestCase() {
    m_ws = m_dir.filePath("ws");
    m_db = m_ws + "/workspace.db";
    QCOMPARE(runCli({"init", m_ws}).exitCode, 0);
    auto synth = runCli({"-q", "corpus", "synth", "-w", m_ws, "--profile", "tiny", "--seed", "1"}, 300000);
    QVERIFY2(synth.exitCode == 0, qPrintable(understudy::test::outputOf(synth)));
    auto feats = runCli({"-q", "features", "-w", m_ws, "--dataset", "synth-labeled"}, 300000);
    QVERIFY2(feats.exitCode == 0, qPrintable(understudy::test::outputOf(feats)));
    auto targets = runCli({"-q", "targets", "-w", m_ws, "--dataset", "synth-labeled"});
    QVERIFY2(targets.exitCode == 0, qPrintable(understudy::test::outputOf(targets)));
  }

  void testTinyTeacherReaches60Percent() {
    QElapsedTimer timer;
    timer.start();
    auto r = runCli({"-q", "train", "-w", m_ws, "--config", kRecipes + "teacher-tiny.yaml"}, 400000);
    const double seconds = timer.elapsed() / 1000.0;
    QVERIFY2(r.exitCode == 0, qPrintable(understudy::test::outputOf(r)));
    QVERIFY(r.out.contains("# train: resolved config"));
    QVERIFY(r.out.contains("preset: teacher-tiny"));
    const double acc = scalar(m_db,
                              "SELECT value FROM metrics m JOIN runs r ON r.id = m.run_id "
                              "WHERE r.name = 'teacher-tiny' AND m.name = 'valid/frame_accuracy' "
                              "ORDER BY m.step DESC LIMIT 1");
    qInfo("teacher-tiny: validation frame accuracy %.1f %% after %.0f s", 100 * acc, seconds);
    QVERIFY2(acc >= 0.60, qPrintable(QString("validation frame accuracy %1").arg(acc)));

    QCOMPARE(text(m_db, "SELECT status FROM runs WHERE kind = 'train' AND name = 'teacher-tiny'"),
             std::string("finished"));
    QVERIFY(text(m_db, "SELECT config FROM runs WHERE name = 'teacher-tiny'").find("max_steps: 300") !=
            std::string::npos);
    QCOMPARE(text(m_db, "SELECT role FROM models WHERE name = 'teacher-tiny'"), std::string("teacher"));
    QVERIFY(scalar(m_db, "SELECT num_params FROM models WHERE name = 'teacher-tiny'") > 10000);
    QVERIFY(scalar(m_db, "SELECT unit_inventory_id FROM models WHERE name = 'teacher-tiny'") > 0);
    const std::string path = text(m_db, "SELECT path FROM models WHERE name = 'teacher-tiny'");
    QVERIFY(std::filesystem::exists((m_ws.toStdString() + "/" + path)));
    for (const char* f : {"model.python.pt", "model.yaml", "cmvn.stats", "units.txt", "priors.txt"})
      QVERIFY2(std::filesystem::exists(m_ws.toStdString() + "/models/teacher-tiny/" + f), f);
    QCOMPARE(scalar(m_db, "SELECT COUNT(*) FROM metrics m JOIN runs r ON r.id = m.run_id "
                          "WHERE r.name = 'teacher-tiny' AND m.name = 'train/loss'"),
             300.0);

    // The same name again without --resume refuses to mix runs.
    auto again = runCli({"-q", "train", "-w", m_ws, "--config", kRecipes + "teacher-tiny.yaml"});
    QCOMPARE(again.exitCode, 1);
    QVERIFY(again.err.contains("--resume"));
  }

  void testConfigErrorsNameKeyAndLine() {
    const QString cfg = m_dir.filePath("bad.yaml");
    {
      std::ofstream out(cfg.toStdString());
      out << "name: bad\ndata:\n  train: [synth-labeled]\nmodel:\n  preset: teacher-tiny\n  num_units: 12\n";
    }
    auto r = runCli({"train", "-w", m_ws, "--config", cfg});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("bad.yaml:6") && r.err.contains("num_units"), r.err.constData());
    {
      std::ofstream out(cfg.toStdString());
      out << "name: bad\nbatching:\n  max_frame: 100\n";
    }
    r = runCli({"train", "-w", m_ws, "--config", cfg});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("bad.yaml:3") && r.err.contains("unknown key"), r.err.constData());
    {
      std::ofstream out(cfg.toStdString());
      out << "name: bad\ndata:\n  train: [no-such-set]\n";
    }
    r = runCli({"train", "-w", m_ws, "--config", cfg});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("no-such-set") && r.err.contains("synth-labeled"), r.err.constData());
  }

  void testCtrlCCheckpointsAndResumeFinishes() {
    const QString cfg = writeLabeledOnlyStudent("student.yaml");
    QProcess p;
    p.start(understudy::test::cliPath(),
            {"-q", "train", "-w", m_ws, "--config", cfg, "--max-steps", "100000"});
    QVERIFY(p.waitForStarted());
    // Wait for some steps in the database, then Ctrl-C.
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < 60000 &&
           scalar(m_db, "SELECT COUNT(*) FROM metrics m JOIN runs r ON r.id = m.run_id WHERE "
                        "r.name = 'student-tiny-labeled-only' AND m.name = 'train/loss'") < 5)
      QTest::qWait(200);
    // A second train of the same model is refused at once, naming the holder.
    auto second = runCli({"-q", "train", "-w", m_ws, "--config", cfg, "--resume"});
    QCOMPARE(second.exitCode, 1);
    QVERIFY2(second.err.contains("models/student-tiny-labeled-only is in use by another train process") &&
                 second.err.contains("pid " + QByteArray::number(static_cast<qlonglong>(p.processId()))),
             qPrintable(understudy::test::outputOf(second)));
    ::kill(static_cast<pid_t>(p.processId()), SIGINT);
    QVERIFY(p.waitForFinished(60000));
    QCOMPARE(p.exitCode(), 1);
    QVERIFY2(p.readAllStandardError().contains("cancelled"), "no 'cancelled' message");
    QCOMPARE(text(m_db, "SELECT status FROM runs WHERE name = 'student-tiny-labeled-only' ORDER BY id DESC"),
             std::string("cancelled"));
    QVERIFY(!std::filesystem::is_empty(m_ws.toStdString() + "/models/student-tiny-labeled-only/checkpoints"));

    long lastStep = -1;
    for (const auto& e : std::filesystem::directory_iterator(m_ws.toStdString() +
                                                            "/models/student-tiny-labeled-only/checkpoints")) {
      const std::string name = e.path().filename().string();
      if (name.rfind("ckpt-", 0) == 0) lastStep = std::max(lastStep, std::stol(name.substr(5)));
    }
    QVERIFY(lastStep >= 5);
    const QString until = QString::number(lastStep + 20);
    auto r = runCli({"-q", "train", "-w", m_ws, "--config", cfg, "--resume", "--max-steps", until}, 300000);
    QVERIFY2(r.exitCode == 0, qPrintable(understudy::test::outputOf(r)));
    QVERIFY(r.out.contains("# resuming at step " + QByteArray::number(static_cast<qlonglong>(lastStep))));
    const std::string last = "(SELECT MAX(id) FROM runs WHERE name = 'student-tiny-labeled-only')";
    QCOMPARE(text(m_db, "SELECT status FROM runs WHERE id = " + last), std::string("finished"));
    QVERIFY(scalar(m_db, "SELECT parent_run_id FROM runs WHERE id = " + last) > 0);
    QCOMPARE(scalar(m_db, "SELECT MIN(step) FROM metrics WHERE name = 'train/loss' AND run_id = " + last),
             static_cast<double>(lastStep + 1));
    QCOMPARE(scalar(m_db, "SELECT MAX(step) FROM metrics WHERE name = 'train/loss' AND run_id = " + last),
             static_cast<double>(lastStep + 20));
    QCOMPARE(text(m_db, "SELECT role FROM models WHERE name = 'student-tiny-labeled-only'"), std::string("baseline"));

    // A resume whose config differs in a key that may not change is refused,
    // listing the key with both values, and records no run.
    const QString changed = m_dir.filePath("student-lr.yaml");
    {
      std::ifstream in(cfg.toStdString());
      std::string yaml((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      const auto at = yaml.find("lr: 0.003");
      QVERIFY(at != std::string::npos);
      yaml.replace(at, 9, "lr: 0.01");
      std::ofstream(changed.toStdString()) << yaml;
    }
    const double runsBefore = scalar(m_db, "SELECT COUNT(*) FROM runs");
    auto refused = runCli({"-q", "train", "-w", m_ws, "--config", changed, "--resume", "--max-steps", "400"});
    QCOMPARE(refused.exitCode, 1);
    QVERIFY2(refused.err.contains("optimizer.lr: 0.003 -> 0.01") && !refused.err.contains("max_steps:"),
             qPrintable(understudy::test::outputOf(refused)));
    QCOMPARE(scalar(m_db, "SELECT COUNT(*) FROM runs"), runsBefore);
  }

  // SIGTERM (how the recipe runner, the GUI and batch systems stop a job)
  // does what Ctrl-C does for a one-process train: checkpoint, run cancelled.
  void testSigtermCheckpointsAndMarksTheRunCancelled() {
    const QString cfg = writeLabeledOnlyStudent("student-term.yaml", "student-term");
    QProcess p;
    p.start(understudy::test::cliPath(),
            {"-q", "train", "-w", m_ws, "--config", cfg, "--max-steps", "100000"});
    QVERIFY(p.waitForStarted());
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < 60000 &&
           scalar(m_db, "SELECT COUNT(*) FROM metrics m JOIN runs r ON r.id = m.run_id WHERE "
                        "r.name = 'student-term' AND m.name = 'train/loss'") < 3)
      QTest::qWait(200);
    ::kill(static_cast<pid_t>(p.processId()), SIGTERM);
    QVERIFY(p.waitForFinished(60000));
    QCOMPARE(p.exitStatus(), QProcess::NormalExit);  // not killed by the signal
    QCOMPARE(p.exitCode(), 1);
    QVERIFY2(p.readAllStandardError().contains("cancelled"), "no 'cancelled' message");
    QCOMPARE(text(m_db, "SELECT status FROM runs WHERE name = 'student-term' ORDER BY id DESC"),
             std::string("cancelled"));
    QVERIFY(!std::filesystem::is_empty(m_ws.toStdString() + "/models/student-term/checkpoints"));
  }

  // Training that overfits 12 utterances with a high learning rate: the best
  // validation comes early, and model.pt must hold those weights (best.pt),
  // not the last step's.
  void testExportedModelIsTheBestValidatedNotTheLast() {
    const QString cfg = m_dir.filePath("overfit.yaml");
    std::ofstream(cfg.toStdString())
        << "name: overfit\nthreads: 1\nmax_steps: 60\n"
           "data:\n  train: [synth-labeled]\n  validation_fraction: 0.3\n  max_utterances: 12\n"
           "model:\n  preset: teacher-tiny\nbatching:\n  max_frames: 3000\n"
           "optimizer:\n  lr: 0.02\nvalidation:\n  every: 10\ncheckpoint:\n  every: 20\n";
    auto r = runCli({"train", "-w", m_ws, "--config", cfg}, 300000);
    QVERIFY2(r.exitCode == 0, qPrintable(understudy::test::outputOf(r)));
    const double bestStep = scalar(m_db,
                                   "SELECT m.step FROM metrics m JOIN runs r ON r.id = m.run_id WHERE "
                                   "r.name = 'overfit' AND m.name = 'valid/loss' ORDER BY m.value LIMIT 1");
    QVERIFY2(bestStep > 0 && bestStep < 60, qPrintable(QString("best step %1 (the test needs one before the last)").arg(bestStep)));
    const std::string dir = m_ws.toStdString() + "/models/overfit/";
    auto bytes = [](const std::string& path) {
      std::ifstream in(path, std::ios::binary);
      return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    };
    const std::string model = bytes(dir + "model.pt");
    QVERIFY(!model.empty());
    QVERIFY2(model == bytes(dir + "checkpoints/best.pt"), "model.pt is not best.pt");
  }

  // The previous test's run again under another name, SIGKILLed twice while
  // it trains (wherever it happens to be: mid-step, mid-validation or
  // mid-checkpoint) and resumed each time: it must export the same model.pt
  // and best.pt, byte for byte, as the straight run.
  void testKilledTwiceAndResumedExportsTheSameModelAsAStraightRun() {
    const std::string straight = m_ws.toStdString() + "/models/overfit/";
    QVERIFY2(std::filesystem::exists(straight + "model.pt"), "needs testExportedModelIsTheBestValidatedNotTheLast");
    const QString cfg = m_dir.filePath("overfit-killed.yaml");
    std::ofstream(cfg.toStdString())
        << "name: overfit-killed\nthreads: 1\nmax_steps: 60\n"
           "data:\n  train: [synth-labeled]\n  validation_fraction: 0.3\n  max_utterances: 12\n"
           "model:\n  preset: teacher-tiny\nbatching:\n  max_frames: 3000\n"
           "optimizer:\n  lr: 0.02\nvalidation:\n  every: 10\ncheckpoint:\n  every: 20\n";
    const std::string lastStep =
        "SELECT MAX(m.step) FROM metrics m JOIN runs r ON r.id = m.run_id "
        "WHERE r.name = 'overfit-killed' AND m.name = 'train/loss'";
    for (const double killAfter : {12.0, 35.0}) {
      QProcess p;
      QStringList args{"-q", "train", "-w", m_ws, "--config", cfg};
      if (killAfter > 12.0) args << "--resume";
      p.start(understudy::test::cliPath(), args);
      QVERIFY(p.waitForStarted());
      QElapsedTimer t;
      t.start();
      while (t.elapsed() < 120000 && p.state() == QProcess::Running && scalar(m_db, lastStep) < killAfter)
        QTest::qWait(20);
      QVERIFY2(p.state() == QProcess::Running, "the run ended before it could be killed");
      ::kill(static_cast<pid_t>(p.processId()), SIGKILL);
      QVERIFY(p.waitForFinished(60000));
      QCOMPARE(p.exitStatus(), QProcess::CrashExit);
      qInfo("killed after step %.0f was recorded", scalar(m_db, lastStep));
    }
    auto r = runCli({"-q", "train", "-w", m_ws, "--config", cfg, "--resume"}, 300000);
    QVERIFY2(r.exitCode == 0, qPrintable(understudy::test::outputOf(r)));
    const std::string killed = m_ws.toStdString() + "/models/overfit-killed/";
    auto bytes = [](const std::string& path) {
      std::ifstream in(path, std::ios::binary);
      return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    };
    QVERIFY2(bytes(killed + "model.pt") == bytes(straight + "model.pt"), "model.pt differs from the straight run's");
    QVERIFY2(bytes(killed + "checkpoints/best.pt") == bytes(straight + "checkpoints/best.pt"),
             "best.pt differs from the straight run's");
    for (const auto& e : std::filesystem::directory_iterator(killed + "checkpoints"))
      QVERIFY2(e.path().string().find(".tmp.") == std::string::npos, e.path().c_str());
  }

  // A model trained on two datasets gets priors over both datasets' targets
  // together (each weighs by its frames), not the first dataset's priors:
  // checked against the counts the targets step wrote for each.
  void testModelPriorsCountEveryTrainingDatasetByFrames() {
    for (const char* step : {"features", "targets"}) {
      auto r = runCli({"-q", step, "-w", m_ws, "--dataset", "synth-test-clean"}, 300000);
      QVERIFY2(r.exitCode == 0, qPrintable(understudy::test::outputOf(r)));
    }
    const QString cfg = m_dir.filePath("two-sets.yaml");
    std::ofstream(cfg.toStdString())
        << "name: two-sets\nthreads: 1\nmax_steps: 2\n"
           "data:\n  train: [synth-labeled, synth-test-clean]\nmodel:\n  preset: teacher-tiny\n";
    auto r = runCli({"-q", "train", "-w", m_ws, "--config", cfg}, 300000);
    QVERIFY2(r.exitCode == 0, qPrintable(understudy::test::outputOf(r)));
    auto vec = [](const std::string& path) {  // a Kaldi text vector " [ v0 v1 ... ]"
      std::ifstream in(path);
      std::vector<double> v;
      std::string token;
      while (in >> token)
        if (token != "[" && token != "]") v.push_back(std::stod(token));
      return v;
    };
    const std::string ws = m_ws.toStdString();
    auto targetsOf = [&](const std::string& dataset) {  // the folder its "targets" row names
      SQLite::Database db(ws + "/workspace.db");
      SQLite::Statement q(db, "SELECT a.path FROM alignment_sets a JOIN datasets d ON d.id = "
                              "a.dataset_id WHERE d.name = ? AND a.name = 'targets'");
      q.bind(1, dataset);
      return q.executeStep() ? ws + "/" + q.getColumn(0).getString() : std::string();
    };
    const auto a = vec(targetsOf("synth-labeled") + "/counts.txt");
    const auto b = vec(targetsOf("synth-test-clean") + "/counts.txt");
    const auto got = vec(ws + "/models/two-sets/priors.txt");
    QVERIFY(!a.empty());
    QCOMPARE(b.size(), a.size());
    QCOMPARE(got.size(), a.size());
    double frames = 0;
    for (std::size_t s = 0; s < a.size(); ++s) frames += a[s] + b[s];
    QVERIFY(frames > 0);
    for (std::size_t s = 0; s < a.size(); ++s) {
      const double want = (a[s] + b[s] + 1.0) / (frames + static_cast<double>(a.size()));
      QVERIFY2(std::fabs(got[s] - want) < 1e-9 * want + 1e-12,
               qPrintable(QString("unit %1: %2, want %3").arg(s).arg(got[s]).arg(want)));
    }
  }

  // Last: it gives synth-labeled a newer, 40-dim feature set. Features that
  // do not fit a model's input stop `train --resume`, a new `train`, `label`
  // and `evaluate` before they write anything (no run, checkpoint, store or
  // evaluation), naming the dataset, the feature store and the model.
  void testFeaturesOfAnotherSizeThanTheModelStopBeforeWriting() {
    const QString fbank = m_dir.filePath("fbank40.yaml");
    std::ofstream(fbank.toStdString()) << "num_mel_bins: 40\n";
    auto feats = runCli({"-q", "features", "-w", m_ws, "--dataset", "synth-labeled", "--config", fbank}, 300000);
    QVERIFY2(feats.exitCode == 0, qPrintable(understudy::test::outputOf(feats)));
    const std::string store = text(m_db, "SELECT f.path FROM feature_sets f JOIN datasets d ON d.id = f.dataset_id "
                                         "WHERE d.name = 'synth-labeled' AND f.dims = 40");
    QVERIFY(!store.empty());
    const QByteArray storeName = QByteArray::fromStdString(store);
    const std::string checkpoints = m_ws.toStdString() + "/models/overfit/checkpoints";
    QVERIFY2(std::filesystem::exists(checkpoints), "needs testExportedModelIsTheBestValidatedNotTheLast");
    auto listing = [](const std::string& dir) {
      std::vector<std::string> names;
      for (const auto& e : std::filesystem::directory_iterator(dir)) names.push_back(e.path().filename().string());
      std::sort(names.begin(), names.end());
      return names;
    };
    const auto checkpointsBefore = listing(checkpoints);
    const double runsBefore = scalar(m_db, "SELECT COUNT(*) FROM runs");
    const double evaluationsBefore = scalar(m_db, "SELECT COUNT(*) FROM evaluations");

    // train --resume: the newest feature set is the 40-dim one.
    auto resumed = runCli({"-q", "train", "-w", m_ws, "--config", m_dir.filePath("overfit.yaml"), "--resume"});
    QCOMPARE(resumed.exitCode, 1);
    QVERIFY2(resumed.err.contains("dataset 'synth-labeled'") && resumed.err.contains(storeName) &&
                 resumed.err.contains("40-dim features") && resumed.err.contains("model 'overfit'") &&
                 resumed.err.contains("model.input_dim 64"),
             qPrintable(understudy::test::outputOf(resumed)));
    QVERIFY(listing(checkpoints) == checkpointsBefore);

    // A new model: no checkpoint folder.
    const QString fresh = m_dir.filePath("dims-new.yaml");
    std::ofstream(fresh.toStdString()) << "name: dims-new\nmax_steps: 2\ndata:\n  train: [synth-labeled]\n"
                                          "model:\n  preset: teacher-tiny\n";
    auto trained = runCli({"-q", "train", "-w", m_ws, "--config", fresh});
    QCOMPARE(trained.exitCode, 1);
    QVERIFY2(trained.err.contains(storeName) && trained.err.contains("model 'dims-new'"),
             qPrintable(understudy::test::outputOf(trained)));
    QVERIFY(!std::filesystem::exists(m_ws.toStdString() + "/models/dims-new/checkpoints"));

    // label and evaluate with that feature set.
    const QString set = QString::fromStdString(store.substr(store.find('/') + 1));
    for (const char* command : {"label", "evaluate"}) {
      auto r = runCli({"-q", command, "-w", m_ws, "--model", "overfit", "--dataset", "synth-labeled",
                       "--feature-set", set});
      QCOMPARE(r.exitCode, 1);
      QVERIFY2(r.err.contains("dataset 'synth-labeled'") && r.err.contains(storeName) &&
                   r.err.contains("has 40-dim features") && r.err.contains("model 'overfit'") &&
                   r.err.contains("expects 64"),
               qPrintable(understudy::test::outputOf(r)));
    }
    QVERIFY(!std::filesystem::exists(m_ws.toStdString() + "/softlabels/synth-labeled-overfit"));
    QCOMPARE(scalar(m_db, "SELECT COUNT(*) FROM runs"), runsBefore);
    QCOMPARE(scalar(m_db, "SELECT COUNT(*) FROM evaluations"), evaluationsBefore);
  }
};

QTEST_GUILESS_MAIN(TestTrainCli)
#include "test_train_cli.moc"
