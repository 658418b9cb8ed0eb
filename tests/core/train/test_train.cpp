// core/train: masking, resume equivalence (across a SIGKILL), strict configs,
// schedule maths against closed forms, batching invariants and a learning test.
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <SQLiteCpp/Statement.h>

#include <cmath>
#include <limits>
#include <csignal>
#include <cstring>
#include <random>

#include "core/store/run_store.h"
#include "core/store/workspace.h"
#include "core/train/trainer.h"
#include "core/util/atomic_file.h"
#include "support/test_support.h"

using namespace understudy;
using namespace understudy::train;

namespace {

constexpr int kDims = 8;

// The target rule restated independently of the code under test:
// model frame j takes the unit of 10 ms frame min(3j + 1, T - 1).
std::vector<std::int32_t> targetsAt30ms(const std::vector<int>& units10ms) {
  const int frames = static_cast<int>(units10ms.size());
  std::vector<std::int32_t> out;
  for (int j = 0; 3 * j < frames; ++j) out.push_back(units10ms[std::min(3 * j + 1, frames - 1)]);
  return out;
}

// Utterances of segments, each segment one unit whose frames are drawn from a
// unit-dependent Gaussian: an easy, learnable task with chance = 1 / numUnits.
std::shared_ptr<InMemoryExampleSource> gaussianCorpus(int utterances, int numUnits,
                                                      std::uint32_t seed, float noise = 0.6f) {
  auto src = std::make_shared<InMemoryExampleSource>(kDims, numUnits);
  std::mt19937 rng(seed);
  std::mt19937 meansRng(1234);  // the same class means for every corpus
  std::normal_distribution<float> gauss(0.f, 1.f);
  std::vector<std::vector<float>> means(numUnits, std::vector<float>(kDims));
  for (auto& m : means)
    for (auto& v : m) v = 1.5f * gauss(meansRng);
  std::uniform_int_distribution<int> segLen(6, 15), nSegs(2, 6), unit(0, numUnits - 1);
  for (int u = 0; u < utterances; ++u) {
    std::vector<int> units10ms;
    for (int s = 0, n = nSegs(rng); s < n; ++s) {
      const int id = unit(rng);
      for (int f = 0, len = segLen(rng); f < len; ++f) units10ms.push_back(id);
    }
    std::vector<float> feats;
    for (int id : units10ms)
      for (int d = 0; d < kDims; ++d) feats.push_back(means[id][d] + noise * gauss(rng));
    src->add("utt" + std::to_string(u), std::move(feats), targetsAt30ms(units10ms));
  }
  return src;
}

TrainerConfig tinyConfig(const std::string& kind = "lstm") {
  TrainerConfig c;
  c.model = nn::AcousticModelOptions().kind(kind).input_dim(kDims).layers(2).cells(16);
  c.batching.maxFrames = 400;
  c.optimizer.kind = "adam";
  c.optimizer.lr = 0.01;
  c.maxSteps = 40;
  c.validateEvery = 0;
  c.checkpointEvery = 0;
  c.threads = 1;
  c.seed = 7;
  return c;
}

std::vector<torch::Tensor> gradients(nn::AcousticModel& m) {
  std::vector<torch::Tensor> g;
  for (auto& p : m->parameters()) g.push_back(p.grad().clone());
  return g;
}

double maxAbsDiff(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b) {
  double d = 0;
  for (std::size_t i = 0; i < a.size(); ++i) d = std::max(d, (a[i] - b[i]).abs().max().item<double>());
  return d;
}

std::vector<torch::Tensor> weights(nn::AcousticModel& m) {
  std::vector<torch::Tensor> w;
  for (auto& p : m->parameters()) w.push_back(p.detach().clone());
  return w;
}

// The resume test's run: dropout (RNG), momentum (optimizer state), newbob
// (scheduler state), validation, and several epochs (data position).
TrainerConfig resumeConfig() {
  TrainerConfig c = tinyConfig("lstm");
  c.model.dropout(0.2);
  c.optimizer.kind = "sgd";
  c.optimizer.lr = 0.05;
  c.optimizer.momentum = 0.9;
  c.optimizer.nesterov = true;
  c.schedule.kind = "newbob";
  c.schedule.warmupSteps = 3;
  c.validateEvery = 4;
  c.maxSteps = 30;
  c.checkpointEvery = 5;
  c.keepCheckpoints = 2;
  return c;
}
constexpr std::int64_t kResumeHalf = 13;  // not a multiple of checkpoint.every nor an epoch end

}  // namespace

class TestTrain : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() { torch::set_num_threads(1); }

  // ---- masking ---------------------------------------------------------------

  void testPaddingContributesNothingToLossOrGradients_data() {
    QTest::addColumn<QString>("kind");
    QTest::newRow("lstm") << "lstm";
    QTest::newRow("blstm") << "blstm";
  }
  void testPaddingContributesNothingToLossOrGradients() {
    QFETCH(QString, kind);
    auto src = gaussianCorpus(2, 5, 3);
    TrainingExample a = src->get(0), b = src->get(1);
    if (a.frames < b.frames) std::swap(a, b);
    QVERIFY(a.frames > b.frames + 3);
    torch::manual_seed(1);
    nn::AcousticModel model(nn::AcousticModelOptions().kind(kind.toStdString()).input_dim(kDims).layers(2).cells(8).num_units(5));

    auto lossAndGrad = [&](const Batch& batch) {
      model->zero_grad();
      auto [logits, outLengths] = model->forward(batch.features, batch.lengths);
      LossResult r = maskedCrossEntropy(logits, outLengths, batch.targets);
      r.loss.backward();
      return std::make_pair(r, gradients(model));
    };
    auto [alone, gradAlone] = lossAndGrad(collateBatch({b}, 3));
    auto [aAlone, gradA] = lossAndGrad(collateBatch({a}, 3));

    // b padded in a batch with a; the padded features are garbage on purpose.
    Batch batch = collateBatch({a, b}, 3);
    batch.features[1].narrow(0, b.frames, a.frames - b.frames).fill_(1e4);
    auto [both, gradBoth] = lossAndGrad(batch);
    QCOMPARE(both.frames, alone.frames + aAlone.frames);
    const double expected = (alone.sumLoss + aAlone.sumLoss) / static_cast<double>(both.frames);
    QVERIFY2(std::abs(both.loss.item<double>() - expected) <= 1e-5,
             qPrintable(QString("batch loss %1 vs %2").arg(both.loss.item<double>()).arg(expected)));
    // Gradients of the masked mean: frame-weighted combination of the singles.
    std::vector<torch::Tensor> combined;
    for (std::size_t i = 0; i < gradA.size(); ++i)
      combined.push_back((gradA[i] * aAlone.frames + gradAlone[i] * alone.frames) / both.frames);
    QVERIFY2(maxAbsDiff(combined, gradBoth) <= 1e-5, qPrintable(QString::number(maxAbsDiff(combined, gradBoth))));

    // b alone in a batch padded to a's length with garbage: identical loss and gradients.
    Batch padded = collateBatch({b}, 3);
    auto longer = torch::full({1, a.frames, kDims}, -7e3f);
    longer.narrow(1, 0, b.frames).copy_(padded.features);
    padded.features = longer;
    padded.targets = torch::cat({padded.targets, torch::full({1, 5}, 2, torch::kInt64)}, 1);  // beyond outLengths
    auto [pad, gradPad] = lossAndGrad(padded);
    QVERIFY(std::abs(pad.loss.item<double>() - alone.loss.item<double>()) <= 1e-5);
    QVERIFY(maxAbsDiff(gradPad, gradAlone) <= 1e-5);
  }

  void testTargetsBeyondModelFramesAreIgnored() {
    auto logits = torch::zeros({1, 4, 3}, torch::requires_grad());
    auto targets = torch::tensor({0, 1, -1, 2}, torch::kInt64).unsqueeze(0);
    auto r = maskedCrossEntropy(logits, torch::tensor({3}, torch::kInt64), targets);
    QCOMPARE(r.frames, std::int64_t{2});
    QVERIFY(std::abs(r.loss.item<double>() - std::log(3.0)) < 1e-6);
  }

  // ---- batching --------------------------------------------------------------

  void testEpochPlanCoversEveryUtteranceOnceWithinFrameBudget() {
    std::mt19937 rng(5);
    std::vector<int> lengths(300);
    for (auto& l : lengths) l = 50 + static_cast<int>(rng() % 400);
    BatchingOptions o;
    o.maxFrames = 2000;
    o.bucketWindow = 4;
    for (std::int64_t epoch : {0, 1}) {
      auto plan = planEpochBatches(lengths, o, 9, epoch);
      std::vector<int> seen(lengths.size(), 0);
      for (const auto& batch : plan) {
        int longest = 0;
        for (auto i : batch) {
          ++seen[i];
          longest = std::max(longest, lengths[i]);
        }
        QVERIFY(static_cast<std::int64_t>(batch.size()) * longest <= o.maxFrames);
      }
      for (int s : seen) QCOMPARE(s, 1);
      QCOMPARE(planEpochBatches(lengths, o, 9, epoch), plan);  // deterministic
    }
    QVERIFY(planEpochBatches(lengths, o, 9, 0) != planEpochBatches(lengths, o, 9, 1));
    QVERIFY(planEpochBatches(lengths, o, 9, 0) != planEpochBatches(lengths, o, 10, 0));
    // An utterance longer than the budget still gets a batch of its own.
    auto single = planEpochBatches({5000, 10}, o, 1, 0);
    QCOMPARE(single.size(), std::size_t{2});
  }

  void testChunkedSourceSplitsFeaturesAndTargets() {
    auto src = gaussianCorpus(3, 4, 11);
    ChunkedExampleSource chunks(src, 4);  // 4 model frames = 12 input frames
    std::size_t targets = 0, frames = 0, wholeTargets = 0, wholeFrames = 0;
    for (std::size_t i = 0; i < src->size(); ++i) {
      wholeFrames += static_cast<std::size_t>(src->frames(i));
      wholeTargets += src->get(i).targets.size();
    }
    for (std::size_t i = 0; i < chunks.size(); ++i) {
      auto e = chunks.get(i);
      QVERIFY(e.frames <= 12);
      QVERIFY(e.targets.size() <= 4);
      frames += static_cast<std::size_t>(e.frames);
      targets += e.targets.size();
    }
    QCOMPARE(frames, wholeFrames);
    QCOMPARE(targets, wholeTargets);
    auto second = chunks.get(1);
    auto whole = src->get(0);
    QCOMPARE(second.feats[0], whole.feats[12 * kDims]);
    QCOMPARE(second.targets.front(), whole.targets[4]);
  }

  // ---- configs ---------------------------------------------------------------

  void testUnknownKeyNamesKeyAndLine() {
    try {
      TrainerConfig::loadString("name: t\noptimizer:\n  kind: sgd\n  lrr: 0.1\n", "cfg.yaml");
      QFAIL("accepted an unknown key");
    } catch (const Error& e) {
      QCOMPARE(QString::fromStdString(e.keyName()), QString("optimizer.lrr"));
      QCOMPARE(e.lineNumber().value_or(-1), 4L);
      QVERIFY(QString(e.what()).contains("cfg.yaml"));
    }
  }

  void testNegativeSizesNameKeyAndLine_data() {
    QTest::addColumn<QString>("yaml");
    QTest::addColumn<QString>("key");
    QTest::addColumn<long>("line");
    QTest::newRow("max_frames") << "name: t\nbatching:\n  max_frames: -5\n" << "batching.max_frames" << 3L;
    QTest::newRow("cells") << "model:\n  preset: teacher-tiny\n  cells: -3\n" << "model.cells" << 3L;
    QTest::newRow("max_steps") << "seed: 2\nmax_steps: -1\n" << "max_steps" << 2L;
    QTest::newRow("lr") << "optimizer:\n  lr: -0.1\n" << "optimizer.lr" << 2L;
    QTest::newRow("warmup") << "schedule:\n  kind: cosine\n  warmup_steps: -2\n" << "schedule.warmup_steps" << 3L;
    QTest::newRow("keep") << "checkpoint:\n  every: 10\n  keep: 0\n" << "checkpoint.keep" << 3L;
    QTest::newRow("preset") << "model:\n  preset: teacher-huge\n" << "model.preset" << 2L;
    QTest::newRow("chunked blstm") << "model:\n  kind: blstm\nbptt:\n  mode: chunked\n" << "bptt.mode" << 4L;
  }
  void testNegativeSizesNameKeyAndLine() {
    QFETCH(QString, yaml);
    QFETCH(QString, key);
    QFETCH(long, line);
    try {
      TrainerConfig::loadString(yaml.toStdString(), "bad.yaml");
      QFAIL("accepted a bad value");
    } catch (const Error& e) {
      QCOMPARE(QString::fromStdString(e.keyName()), key);
      QCOMPARE(e.lineNumber().value_or(-1), line);
    }
  }

  void testUnitsMismatchNamesKeyAndLine() {
    TrainerConfig c = TrainerConfig::loadString(
        "name: t\nmodel:\n  kind: lstm\n  input_dim: 8\n  num_units: 10\n", "units.yaml");
    try {
      Trainer trainer(c, gaussianCorpus(4, 12, 1), nullptr, {});
      QFAIL("accepted 10 model units for 12-unit targets");
    } catch (const Error& e) {
      QCOMPARE(QString::fromStdString(e.keyName()), QString("model.num_units"));
      QCOMPARE(e.lineNumber().value_or(-1), 5L);
      QVERIFY(QString(e.what()).contains("12"));
    }
    c.model.num_units(0);
    c.resolveUnits(12);
    QCOMPARE(c.model.num_units(), std::int64_t{12});
  }

  void testConfigRoundTripsThroughYaml() {
    TrainerConfig c = resumeConfig();
    c.data.train = {"a", "b"};
    c.model.num_units(12);
    c.optimizer.beta2 = 0.98;
    TrainerConfig back = TrainerConfig::loadString(c.toYaml());
    QCOMPARE(QString::fromStdString(back.toYaml()), QString::fromStdString(c.toYaml()));
    QCOMPARE(back.optimizer.beta2, 0.98);
    QCOMPARE(back.data.train.size(), std::size_t{2});
  }

  // ---- schedules (closed forms) ------------------------------------------------

  void testWarmupThenExponential() {
    LrScheduleConfig c;
    c.kind = "exponential";
    c.warmupSteps = 10;
    c.decayRate = 0.5;
    c.decaySteps = 100;
    LrScheduler s(c, 0.1, 1000);
    QCOMPARE(s.lrAt(0), 0.01);
    QVERIFY(std::abs(s.lrAt(4) - 0.05) < 1e-15);
    QCOMPARE(s.lrAt(9), 0.1);
    QCOMPARE(s.lrAt(10), 0.1);
    QVERIFY(std::abs(s.lrAt(110) - 0.05) < 1e-15);
    QVERIFY(std::abs(s.lrAt(60) - 0.1 / std::sqrt(2.0)) < 1e-15);
    QVERIFY(std::abs(s.lrAt(310) - 0.0125) < 1e-15);
  }

  void testCosine() {
    LrScheduleConfig c;
    c.kind = "cosine";
    c.warmupSteps = 0;
    c.minLr = 0.001;
    LrScheduler s(c, 0.101, 200);
    QCOMPARE(s.lrAt(0), 0.101);
    QVERIFY(std::abs(s.lrAt(100) - 0.051) < 1e-15);
    QVERIFY(std::abs(s.lrAt(50) - (0.001 + 0.1 * (1 + std::sqrt(0.5)) / 2)) < 1e-15);
    QVERIFY(std::abs(s.lrAt(200) - 0.001) < 1e-15);
    QVERIFY(std::abs(s.lrAt(500) - 0.001) < 1e-15);
  }

  void testNewbobHalvesOnPlateau() {
    LrScheduleConfig c;
    c.kind = "newbob";
    c.newbobThreshold = 0.01;
    LrScheduler s(c, 0.8, 0);
    QVERIFY(!s.onValidation(3.0));
    QVERIFY(!s.onValidation(2.0));
    QCOMPARE(s.lrAt(50), 0.8);
    QVERIFY(s.onValidation(1.995));  // better, but by less than 1 %
    QCOMPARE(s.lrAt(50), 0.4);
    QVERIFY(!s.onValidation(1.5));
    QVERIFY(s.onValidation(1.6));
    QCOMPARE(s.lrAt(51), 0.2);
    c.newbobPatience = 2;
    LrScheduler p(c, 1.0, 0);
    p.onValidation(1.0);
    QVERIFY(!p.onValidation(1.1));
    QVERIFY(p.onValidation(1.2));
    QCOMPARE(p.lrAt(0), 0.5);
  }

  // ---- learning, metrics -----------------------------------------------------

  void testLearnsGaussianClassesWellAboveChance() {
    const int units = 6;
    auto train = gaussianCorpus(120, units, 21);
    auto valid = gaussianCorpus(30, units, 22);
    QTemporaryDir dir;
    Workspace ws = Workspace::create(dir.filePath("ws").toStdString());
    RunStore runs(ws.db());
    const auto runId = runs.startRun({"train", "learn", "", "", "", std::nullopt});
    TrainerConfig c = tinyConfig("blstm");
    c.maxSteps = 150;
    c.validateEvery = 50;
    c.batching.maxFrames = 1500;
    Trainer trainer(c, train, valid, {});
    trainer.setSinks({nullptr, nullptr, &runs, runId});
    QElapsedTimer timer;
    timer.start();
    TrainResult r = trainer.run();
    QCOMPARE(r.steps, std::int64_t{150});
    QCOMPARE(QString::fromStdString(r.stopReason), QString("max_steps"));
    QVERIFY2(r.lastValidation.accuracy > 0.8,
             qPrintable(QString("validation accuracy %1 (chance %2)").arg(r.lastValidation.accuracy).arg(1.0 / units)));
    QVERIFY(timer.elapsed() < 30000);
    QCOMPARE(runs.metrics(runId, "train/loss").size(), std::size_t{150});
    for (const char* name : {"train/frame_accuracy", "train/lr", "train/frames_per_second", "train/grad_norm"})
      QCOMPARE(runs.metrics(runId, name).size(), std::size_t{150});
    QCOMPARE(runs.metrics(runId, "valid/frame_accuracy").size(), std::size_t{3});
    auto loss = runs.metrics(runId, "train/loss");
    QVERIFY(loss.back().value < 0.5 * loss.front().value);
  }

  void testEarlyStoppingStopsAfterPatience() {
    auto train = gaussianCorpus(20, 4, 31);
    TrainerConfig c = tinyConfig();
    c.optimizer.lr = 1e-9;  // nothing improves
    c.maxSteps = 1000;
    c.validateEvery = 2;
    c.patience = 3;
    Trainer trainer(c, train, gaussianCorpus(5, 4, 32), {});
    TrainResult r = trainer.run();
    QCOMPARE(QString::fromStdString(r.stopReason), QString("early_stopping"));
    QVERIFY(r.steps <= 10);
  }

  // ---- checkpoints and resume --------------------------------------------------

  void testResumeAfterKillEqualsStraightRun() {
    QTemporaryDir dir;
    const QString ckpt = dir.filePath("ckpt");
    // Child: train to kResumeHalf, checkpoint, then die by SIGKILL.
    QProcess child;
    child.start(QCoreApplication::applicationFilePath(), {"--child-train", ckpt});
    QVERIFY(child.waitForFinished(120000));
    QCOMPARE(child.exitStatus(), QProcess::CrashExit);
    auto saved = Trainer::listCheckpoints(ckpt.toStdString());
    QVERIFY(!saved.empty());
    QVERIFY(saved.size() <= 2);  // checkpoint.keep

    auto train = gaussianCorpus(14, 5, 41);  // 2 epochs of ~6 batches
    auto valid = gaussianCorpus(4, 5, 42);
    Trainer resumed(resumeConfig(), train, valid, ckpt.toStdString());
    QVERIFY(resumed.resumeFromLatest());
    QCOMPARE(resumed.step(), kResumeHalf);
    QVERIFY(resumed.epoch() >= 1);  // the kill fell after an epoch boundary
    resumed.run();

    Trainer straight(resumeConfig(), train, valid, {});
    straight.run();
    QCOMPARE(straight.step(), resumed.step());
    const double diff = maxAbsDiff(weights(straight.model()), weights(resumed.model()));
    qInfo("resume after SIGKILL: max weight difference %g", diff);
    QVERIFY2(diff <= 1e-6, qPrintable(QString("max weight difference %1").arg(diff)));

    // A stopped (not killed) run resumed in-process agrees too.
    QTemporaryDir dir2;
    {
      Trainer first(resumeConfig(), train, valid, dir2.filePath("c").toStdString());
      first.run(kResumeHalf);
    }
    Trainer second(resumeConfig(), train, valid, dir2.filePath("c").toStdString());
    QVERIFY(second.resumeFromLatest());
    second.run();
    QVERIFY(maxAbsDiff(weights(straight.model()), weights(second.model())) <= 1e-6);
  }

  void testNonFiniteLossStopsWithAClearError() {
    auto src = std::make_shared<InMemoryExampleSource>(kDims, 3);
    std::vector<float> feats(30 * kDims, 1.0f);
    feats[5] = std::numeric_limits<float>::quiet_NaN();
    src->add("nan-utt", feats, std::vector<std::int32_t>(10, 1));
    Trainer t(tinyConfig(), src, nullptr, {});
    try {
      t.run();
      QFAIL("trained on NaN");
    } catch (const Error& e) {
      QVERIFY(QString(e.what()).contains("nan"));
      QCOMPARE(QString::fromStdString(e.utteranceId()), QString("nan-utt"));
    }
    QCOMPARE(t.step(), std::int64_t{0});
  }

  void testCorruptCheckpointIsAClearError() {
    QTemporaryDir dir;
    std::filesystem::create_directories(dir.filePath("c").toStdString());
    writeFileAtomically(dir.filePath("c/ckpt-000000005.pt").toStdString(), "not a checkpoint");
    Trainer t(tinyConfig(), gaussianCorpus(4, 5, 1), nullptr, dir.filePath("c").toStdString());
    try {
      t.resumeFromLatest();
      QFAIL("loaded garbage");
    } catch (const Error& e) {
      QVERIFY(QString::fromStdString(e.filePath()).endsWith("ckpt-000000005.pt"));
    }
  }
};

// The child half of the resume test: train, checkpoint, SIGKILL ourselves.
static int runChildTraining(const char* checkpointDir) {
  torch::set_num_threads(1);
  auto train = gaussianCorpus(14, 5, 41);
  auto valid = gaussianCorpus(4, 5, 42);
  Trainer trainer(resumeConfig(), train, valid, checkpointDir);
  trainer.run(kResumeHalf);
  std::raise(SIGKILL);
  return 0;
}

int main(int argc, char** argv) {
  if (argc == 3 && std::strcmp(argv[1], "--child-train") == 0) return runChildTraining(argv[2]);
  QCoreApplication app(argc, argv);
  TestTrain t;
  return QTest::qExec(&t, argc, argv);
}

#include "test_train.moc"
