// core/train: batching and masking against hand-built expectations (soft
// targets too), top-k distillation (equal to cross-entropy for one-hot
// targets; loss and gradient against python3-torch), resume
// equivalence (across a SIGKILL mid-step and mid-checkpoint-write, including
// the best validation and early stopping, and from a checkpoint of the format
// before stream positions), data streams and their saved positions, what a
// resume refuses (another architecture, a changed config, stream positions
// that do not fit), the model folder lock, strict configs, schedule maths
// against closed forms and a learning test.
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <torch/script.h>

#include <SQLiteCpp/Statement.h>

#include <unistd.h>

#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <limits>
#include <map>
#include <numeric>
#include <random>

#include "core/store/run_store.h"
#include "core/store/workspace.h"
#include "core/train/model_lock.h"
#include "core/train/trainer.h"
#include "core/util/atomic_file.h"
#include "gaussian_corpus.h"
#include "support/test_support.h"

using namespace understudy;
using namespace understudy::train;

namespace {

using testdata::gaussianCorpus;
using testdata::kDims;
using testdata::targetsAt30ms;

// The same features with every target moved to the next unit: the better a
// model learns the true classes, the worse its loss on this set. Used as the
// validation set, it makes the first validation the best one and every later
// one a non-improving one (early stopping counts them).
std::shared_ptr<InMemoryExampleSource> mislabeled(const InMemoryExampleSource& src) {
  auto out = std::make_shared<InMemoryExampleSource>(src.dims(), src.numUnits());
  for (std::size_t i = 0; i < src.size(); ++i) {
    TrainingExample e = src.get(i);
    std::vector<std::int32_t> shifted;
    for (auto t : e.targets) shifted.push_back((t + 1) % src.numUnits());
    out->add(e.key, std::vector<float>(e.feats, e.feats + static_cast<std::size_t>(e.frames) * e.dims),
             shifted);
  }
  return out;
}

TrainerConfig tinyConfig(const std::string& kind = "lstm") {
  TrainerConfig c;
  c.model = nn::AcousticModelOptions().kind(kind).input_dim(kDims).layers(2).cells(16).plain();
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

// One utterance as a batch of one, built without collateBatch: its features
// as they are, and its targets cut or padded with -1 to ceil(T/3).
Batch handBatch(const TrainingExample& e) {
  Batch b;
  b.features = torch::from_blob(const_cast<float*>(e.feats), {1, e.frames, e.dims}, torch::kFloat32).clone();
  b.lengths = torch::tensor({static_cast<std::int64_t>(e.frames)}, torch::kInt64);
  const int modelFrames = (e.frames + 2) / 3;
  std::vector<std::int64_t> t(static_cast<std::size_t>(modelFrames), -1);
  for (int j = 0; j < modelFrames && j < static_cast<int>(e.targets.size()); ++j) t[j] = e.targets[j];
  b.targets = torch::tensor(t, torch::kInt64).unsqueeze(0);
  b.inputFrames = e.frames;
  return b;
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

// Tensor dicts shared with the python references (torch.load reads
// pickle_save's bytes; pickle_load reads torch.save's).
void writeTensorDict(const std::string& path, const std::vector<std::pair<std::string, torch::Tensor>>& items) {
  c10::Dict<std::string, at::Tensor> dict;
  for (const auto& [k, v] : items) dict.insert(k, v.contiguous());
  const std::vector<char> bytes = torch::pickle_save(c10::IValue(dict));
  writeFileAtomically(path, std::string(bytes.begin(), bytes.end()));
}

c10::impl::GenericDict readTensorDict(const std::string& path) {
  const std::string bytes = readFile(path);
  return torch::pickle_load(std::vector<char>(bytes.begin(), bytes.end())).toGenericDict();
}

// Random soft targets [B, T', k]: k distinct units per frame with
// probabilities that sum to 1, for the first softFrames[b] frames of each
// utterance; -1 / 0 after them.
std::pair<torch::Tensor, torch::Tensor> randomSoftTargets(const std::vector<std::int64_t>& softFrames,
                                                          std::int64_t frames, std::int64_t units, std::int64_t k) {
  const auto batch = static_cast<std::int64_t>(softFrames.size());
  auto ids = torch::full({batch, frames, k}, -1, torch::kInt64);
  auto probs = torch::zeros({batch, frames, k});
  for (std::int64_t b = 0; b < batch; ++b)
    for (std::int64_t t = 0; t < softFrames[static_cast<std::size_t>(b)]; ++t) {
      ids[b][t] = torch::randperm(units, torch::kInt64).narrow(0, 0, k);
      probs[b][t] = torch::softmax(2 * torch::randn({k}), 0);
    }
  return {ids, probs};
}

std::map<std::string, torch::Tensor> namedWeights(nn::AcousticModel& m) {
  std::map<std::string, torch::Tensor> out;
  for (const auto& p : m->named_parameters()) out[p.key()] = p.value().detach().clone();
  return out;
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
  c.model.dropout = 0.2;
  c.optimizer.kind = "sgd";
  c.optimizer.lr = 0.05;
  c.optimizer.momentum = 0.9;
  c.optimizer.nesterov = true;
  c.schedule.kind = "newbob";
  c.schedule.warmupSteps = 3;
  c.validateEvery = 4;
  c.patience = 4;
  c.maxSteps = 30;
  c.checkpointEvery = 5;
  c.keepCheckpoints = 2;
  return c;
}
constexpr std::int64_t kResumeHalf = 13;  // not a multiple of checkpoint.every nor an epoch end

// The resume tests' data: 2 epochs of ~6 batches; validation on mislabeled
// utterances, so the best validation comes early and early stopping fires
// after the resume point (both must survive the resume).
std::shared_ptr<InMemoryExampleSource> resumeTrainData() { return gaussianCorpus(14, 5, 41); }
std::shared_ptr<InMemoryExampleSource> resumeValidData() { return mislabeled(*gaussianCorpus(4, 5, 42)); }

struct RunOutcome {
  TrainResult result;
  std::vector<torch::Tensor> weights;
  std::string bestFile;  // best.pt's bytes
};

// A straight run of resumeConfig() from scratch, checkpointing into `dir`.
RunOutcome straightRun(const std::string& dir) {
  Trainer t(resumeConfig(), resumeTrainData(), resumeValidData(), dir);
  RunOutcome o;
  o.result = t.run();
  o.weights = weights(t.model());
  o.bestFile = readFile(std::filesystem::path(dir) / "best.pt");
  return o;
}

// Every ckpt-*.pt in `dir` loads into a fresh trainer (none is torn).
void verifyEveryCheckpointLoads(const std::string& dir) {
  for (const auto& path : Trainer::listCheckpoints(dir)) {
    Trainer t(resumeConfig(), resumeTrainData(), resumeValidData(), {});
    t.loadCheckpoint(path);
  }
}

}  // namespace

class TestTrain : public QObject {
  Q_OBJECT

  // Resumes the checkpoints in `ckpt` (the newest at `resumeStep`) to the end
  // and compares with a straight run: weights bit for bit, the best
  // validation (loss, step, best.pt) and where early stopping stopped. Every
  // checkpoint left in the folder must load.
  void verifyResumeEqualsStraightRun(const std::string& ckpt, std::int64_t resumeStep) {
    verifyEveryCheckpointLoads(ckpt);
    Trainer resumed(resumeConfig(), resumeTrainData(), resumeValidData(), ckpt);
    QVERIFY(resumed.resumeFromLatest());
    QCOMPARE(resumed.step(), resumeStep);
    QVERIFY(resumed.epoch() >= 1);  // the resume point lies after an epoch boundary
    TrainResult r = resumed.run();

    QTemporaryDir straightDir;
    const RunOutcome s = straightRun(straightDir.filePath("c").toStdString());
    // The run is only a test of resume if the best came before the resume
    // point and early stopping fired after it.
    QVERIFY2(s.result.bestStep > 0 && s.result.bestStep < resumeStep,
             qPrintable(QString("best step %1").arg(s.result.bestStep)));
    QCOMPARE(QString::fromStdString(s.result.stopReason), QString("early_stopping"));
    QVERIFY(s.result.steps > resumeStep);

    QCOMPARE(r.steps, s.result.steps);
    QCOMPARE(QString::fromStdString(r.stopReason), QString::fromStdString(s.result.stopReason));
    QCOMPARE(r.bestStep, s.result.bestStep);
    QCOMPARE(r.bestValidationLoss, s.result.bestValidationLoss);
    const double diff = maxAbsDiff(s.weights, weights(resumed.model()));
    qInfo("resume from step %lld: max weight difference %g", static_cast<long long>(resumeStep), diff);
    QVERIFY2(diff <= 1e-6, qPrintable(QString("max weight difference %1").arg(diff)));
    QVERIFY(readFile(std::filesystem::path(ckpt) / "best.pt") == s.bestFile);
    verifyEveryCheckpointLoads(ckpt);
  }

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
    auto [alone, gradAlone] = lossAndGrad(handBatch(b));
    auto [aAlone, gradA] = lossAndGrad(handBatch(a));

    // References: each utterance alone, built by hand. Under test: b padded
    // by collateBatch in a batch with a; the padded features are garbage on purpose.
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
    Batch padded = handBatch(b);
    auto longer = torch::full({1, a.frames, kDims}, -7e3f);
    longer.narrow(1, 0, b.frames).copy_(padded.features);
    padded.features = longer;
    padded.targets = torch::cat({padded.targets, torch::full({1, 5}, 2, torch::kInt64)}, 1);  // beyond outLengths
    auto [pad, gradPad] = lossAndGrad(padded);
    QVERIFY(std::abs(pad.loss.item<double>() - alone.loss.item<double>()) <= 1e-5);
    QVERIFY(maxAbsDiff(gradPad, gradAlone) <= 1e-5);
  }

  // collateBatch against tensors written out by hand: zero-padded features,
  // lengths, targets at ceil(T/3) model frames padded with -1 (an utterance of
  // 7 frames has 3 model frames and keeps its third target).
  void testCollateBatchPadsFeaturesAndTargetsAsWrittenByHand() {
    auto feats = [](int frames, float base) {
      std::vector<float> f;
      for (int t = 0; t < frames; ++t) f.insert(f.end(), {base + t, -(base + t)});
      return f;
    };
    const auto fa = feats(7, 100), fb = feats(4, 200), fc = feats(5, 300);
    TrainingExample a{"a", fa.data(), 7, 2, {4, 5, 6}, nullptr, 0, {}, {}};
    TrainingExample b{"b", fb.data(), 4, 2, {1}, nullptr, 0, {}, {}};      // fewer targets than model frames
    TrainingExample c{"c", fc.data(), 5, 2, {0, 1, 2}, nullptr, 0, {}, {}};  // more: the third is past its 2 model frames
    Batch batch = collateBatch({a, b, c}, 3);

    QCOMPARE(batch.features.sizes().vec(), (std::vector<std::int64_t>{3, 7, 2}));
    QCOMPARE(batch.inputFrames, std::int64_t{16});
    const std::vector<std::int64_t> lengths{7, 4, 5};
    for (int i = 0; i < 3; ++i) QCOMPARE(batch.lengths[i].item<std::int64_t>(), lengths[i]);
    const float bases[] = {100, 200, 300};
    for (int i = 0; i < 3; ++i)
      for (int t = 0; t < 7; ++t) {
        const bool real = t < lengths[i];
        QCOMPARE(batch.features[i][t][0].item<float>(), real ? bases[i] + t : 0.f);
        QCOMPARE(batch.features[i][t][1].item<float>(), real ? -(bases[i] + t) : 0.f);
      }
    const std::int64_t expected[3][3] = {{4, 5, 6}, {1, -1, -1}, {0, 1, -1}};
    QCOMPARE(batch.targets.sizes().vec(), (std::vector<std::int64_t>{3, 3}));
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j)
        QVERIFY2(batch.targets[i][j].item<std::int64_t>() == expected[i][j],
                 qPrintable(QString("targets[%1][%2] = %3").arg(i).arg(j).arg(batch.targets[i][j].item<std::int64_t>())));
  }

  // The masked mean CE against log-softmax written out in double precision.
  void testMaskedCrossEntropyEqualsHandComputedMean() {
    const float values[2][3][4] = {{{1, 2, 3, 4}, {0, 0, 5, 0}, {-1, 2, 0.5f, 0}},
                                   {{3, 1, 0, 0}, {9, 9, 9, 9}, {2, -2, 1, 0}}};
    auto logits = torch::empty({2, 3, 4});
    for (int b = 0; b < 2; ++b)
      for (int t = 0; t < 3; ++t)
        for (int u = 0; u < 4; ++u) logits[b][t][u] = values[b][t][u];
    // Sequence 0: three frames, the middle one without a target; sequence 1:
    // two frames (the third is padding, its target must not count).
    auto targets = torch::tensor({3, -1, 1, 0, 2, 3}, torch::kInt64).reshape({2, 3});
    auto r = maskedCrossEntropy(logits, torch::tensor({3, 2}, torch::kInt64), targets);
    auto ce = [&](int b, int t, int target) {
      double z = 0;
      for (int u = 0; u < 4; ++u) z += std::exp(static_cast<double>(values[b][t][u]));
      return std::log(z) - values[b][t][target];
    };
    const double expected = (ce(0, 0, 3) + ce(0, 2, 1) + ce(1, 0, 0) + ce(1, 1, 2)) / 4.0;
    QCOMPARE(r.frames, std::int64_t{4});
    QVERIFY2(std::abs(r.loss.item<double>() - expected) < 1e-6,
             qPrintable(QString("%1 vs %2").arg(r.loss.item<double>()).arg(expected)));
    QCOMPARE(r.correct, std::int64_t{3});  // all but frame (1,1), whose four logits tie
  }

  // Soft targets collated against tensors written out by hand: ids padded
  // with -1 and probabilities with 0 past each utterance's model frames and
  // soft frames, k = the largest softK, an example without soft targets all
  // -1, an unused entry (-1) with a stray probability zeroed.
  void testCollateBatchPadsSoftTargetsAsWrittenByHand() {
    const std::vector<float> fa(7 * 2, 1.f), fb(4 * 2, 2.f), fc(5 * 2, 3.f);
    TrainingExample a{"a", fa.data(), 7, 2, {}, nullptr, 2, {4, 1, 5, -1, 6, 2}, {0.75f, 0.25f, 1.f, 0.5f, 0.5f, 0.5f}};
    TrainingExample b{"b", fb.data(), 4, 2, {1}, nullptr, 1, {3, 3, 3}, {1.f, 1.f, 1.f}};  // 3 soft frames, 2 model frames
    TrainingExample c{"c", fc.data(), 5, 2, {0, 1}, nullptr, 0, {}, {}};               // labeled only
    Batch batch = collateBatch({a, b, c}, 3);
    QVERIFY(batch.hasSoftTargets());
    QCOMPARE(batch.softIds.sizes().vec(), (std::vector<std::int64_t>{3, 3, 2}));
    QCOMPARE(batch.softProbs.sizes().vec(), (std::vector<std::int64_t>{3, 3, 2}));
    const std::int64_t ids[3][3][2] = {{{4, 1}, {5, -1}, {6, 2}}, {{3, -1}, {3, -1}, {-1, -1}}, {{-1, -1}, {-1, -1}, {-1, -1}}};
    const float probs[3][3][2] = {{{0.75f, 0.25f}, {1.f, 0.f}, {0.5f, 0.5f}}, {{1.f, 0.f}, {1.f, 0.f}, {0.f, 0.f}}, {}};
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j)
        for (int n = 0; n < 2; ++n) {
          QVERIFY2(batch.softIds[i][j][n].item<std::int64_t>() == ids[i][j][n],
                   qPrintable(QString("softIds[%1][%2][%3] = %4").arg(i).arg(j).arg(n).arg(batch.softIds[i][j][n].item<std::int64_t>())));
          QCOMPARE(batch.softProbs[i][j][n].item<float>(), probs[i][j][n]);
        }
    // Frame targets as before; keys in batch order.
    QCOMPARE(batch.targets[2][1].item<std::int64_t>(), std::int64_t{1});
    QCOMPARE(batch.keys, (std::vector<std::string>{"a", "b", "c"}));
    // Without soft targets anywhere: none in the batch.
    QVERIFY(!collateBatch({c}, 3).hasSoftTargets());
    // Sizes that are not frames x k name the utterance.
    TrainingExample bad = b;
    bad.softProbs.pop_back();
    try {
      collateBatch({a, bad}, 3);
      QFAIL("collated 3 ids with 2 probabilities");
    } catch (const Error& e) {
      QCOMPARE(QString::fromStdString(e.utteranceId()), QString("b"));
    }
  }

  // With one-hot soft targets (k = 1, p = 1 on the frame target) distillation
  // is cross-entropy: the same loss, frame count, accuracy and gradients, bit for bit,
  // through collateBatch and a model, with padding and frames without a
  // target in the batch.
  void testDistillationWithOneHotTargetsEqualsCrossEntropy() {
    auto src = gaussianCorpus(4, 5, 29);
    std::vector<TrainingExample> examples;
    for (std::size_t i = 0; i < src->size(); ++i) {
      TrainingExample e = src->get(i);
      e.targets[1] = -1;  // a frame without a target
      e.softK = 1;
      for (auto t : e.targets) {
        e.softIds.push_back(t);
        e.softProbs.push_back(t >= 0 ? 1.f : 0.f);
      }
      examples.push_back(e);
    }
    const Batch batch = collateBatch(examples, 3);
    torch::manual_seed(3);
    nn::AcousticModel model(nn::AcousticModelOptions().kind("blstm").input_dim(kDims).layers(2).cells(8).num_units(5));
    auto lossAndGrad = [&](const Objective& objective) {
      model->zero_grad();
      auto [logits, outLengths] = model->forward(batch.features, batch.lengths);
      LossResult r = objective.loss(logits, outLengths, batch);
      r.loss.backward();
      return std::make_pair(r, gradients(model));
    };
    const auto [ce, gradCe] = lossAndGrad(CrossEntropyObjective());
    const auto [kd, gradKd] = lossAndGrad(DistillationObjective());
    QCOMPARE(kd.frames, ce.frames);
    QVERIFY(ce.frames > 10);
    QCOMPARE(kd.correct, ce.correct);
    const double lossDiff = std::abs(kd.loss.item<double>() - ce.loss.item<double>());
    const double gradDiff = maxAbsDiff(gradKd, gradCe);
    qInfo("one-hot KD vs CE: |loss difference| %g, max |gradient difference| %g", lossDiff, gradDiff);
    // Exactly: the same log-softmax values, summed over the same frames in the
    // same order (observed bit for bit with Debian's LibTorch).
    QCOMPARE(lossDiff, 0.0);
    QCOMPARE(gradDiff, 0.0);

    // A trainer's step with either objective: the same weights after it.
    TrainerConfig c = tinyConfig();
    Trainer withCe(c, src, nullptr, {}), withKd(c, src, nullptr, {});
    const StepResult a = withCe.trainStep(batch, CrossEntropyObjective());
    const StepResult b = withKd.trainStep(batch, DistillationObjective());
    QCOMPARE(a.loss.loss.item<double>(), b.loss.loss.item<double>());
    QCOMPARE(maxAbsDiff(weights(withCe.model()), weights(withKd.model())), 0.0);
  }

  // maskedDistillation and its gradient against kd_reference.py (python3-
  // torch, float64, frame by frame from docs/training.md's formula) on random
  // logits and top-k targets, at temperature 1 and 2.5. Garbage sits in the
  // padded logits, in a stray probability of an unused (-1) entry and in
  // frames past a soft utterance's end: none of it may count.
  void testDistillationAndItsGradientMatchPythonTorch() {
    US_REQUIRE_REFERENCE_PYTHON(python);
    QTemporaryDir dir;
    struct Case {
      double temperature;
      torch::Tensor logits, outLengths, ids, probs;
      LossResult ours;
      torch::Tensor grad;
    };
    std::vector<Case> cases;
    QStringList args{QStringLiteral(UNDERSTUDY_SOURCE_DIR "/tests/core/train/kd_reference.py")};
    torch::manual_seed(11);
    for (double temperature : {1.0, 2.5}) {
      Case c;
      c.temperature = temperature;
      const std::int64_t units = 9, k = 4, frames = 6;
      c.outLengths = torch::tensor({6, 4, 3}, torch::kInt64);
      c.logits = 3 * torch::randn({3, frames, units});
      c.logits[1].narrow(0, 4, 2).fill_(1e4);  // padding
      c.logits[2].narrow(0, 3, 3).fill_(-1e4);
      std::tie(c.ids, c.probs) = randomSoftTargets({6, 6, 2}, frames, units, k);  // utterance 1's frames 4, 5: padding
      c.ids[0][2][3] = -1;  // an unused entry with a stray probability
      c.probs[0][2][3] = 0.9f;
      auto logits = c.logits.clone().requires_grad_(true);
      c.ours = maskedDistillation(logits, c.outLengths, c.ids, c.probs, temperature);
      c.ours.loss.backward();
      c.grad = logits.grad();
      const std::string base = dir.filePath(QString("t%1").arg(cases.size())).toStdString();
      writeTensorDict(base + ".in.pt", {{"logits", c.logits},
                                        {"out_lengths", c.outLengths},
                                        {"soft_ids", c.ids},
                                        {"soft_probs", c.probs},
                                        {"temperature", torch::tensor({temperature}, torch::kFloat64)}});
      args << QString::fromStdString(base + ".in.pt") << QString::fromStdString(base + ".out.pt");
      cases.push_back(c);
    }
    auto r = test::runProcess(python, args, 120000);
    QVERIFY2(r.exitCode == 0, r.err.constData());
    for (std::size_t i = 0; i < cases.size(); ++i) {
      const auto theirs = readTensorDict(dir.filePath(QString("t%1.out.pt").arg(i)).toStdString());
      const double loss = theirs.at("loss").toTensor().item<double>();
      const auto grad = theirs.at("grad").toTensor();
      QCOMPARE(cases[i].ours.frames, theirs.at("frames").toTensor().item<std::int64_t>());
      QCOMPARE(cases[i].ours.frames, std::int64_t{6 + 4 + 2});
      const double lossDiff = std::abs(cases[i].ours.loss.item<double>() - loss);
      const double gradDiff = (cases[i].grad.to(torch::kFloat64) - grad).abs().max().item<double>();
      qInfo("temperature %.1f: loss %.6f, |C++ - python| %.3g; max gradient difference %.3g",
            cases[i].temperature, loss, lossDiff, gradDiff);
      QVERIFY2(lossDiff <= 1e-6 * std::max(1.0, loss), qPrintable(QString::number(lossDiff)));
      QVERIFY2(gradDiff <= 1e-7, qPrintable(QString::number(gradDiff)));
      // Nothing flows into padding.
      QCOMPARE(cases[i].grad[1].narrow(0, 4, 2).abs().max().item<float>(), 0.f);
      QCOMPARE(cases[i].grad[2].narrow(0, 2, 4).abs().max().item<float>(), 0.f);
    }
  }

  void testDistillationRefusesABatchWithoutSoftTargetsAndABadTemperature() {
    auto src = gaussianCorpus(1, 5, 2);
    const Batch batch = collateBatch({src->get(0)}, 3);
    auto logits = torch::zeros({1, batch.targets.size(1), 5});
    try {
      DistillationObjective().loss(logits, torch::tensor({batch.targets.size(1)}), batch);
      QFAIL("distilled from a batch without soft targets");
    } catch (const Error& e) {
      QVERIFY2(QString(e.what()).contains("soft targets"), e.what());
      QCOMPARE(QString::fromStdString(e.utteranceId()), QString("utt0"));
    }
    // trainStep uses the objective it is given: refused before the step.
    Trainer t(tinyConfig(), src, nullptr, {});
    QVERIFY_THROWS_EXCEPTION(Error, t.trainStep(batch, DistillationObjective()));
    QCOMPARE(t.step(), std::int64_t{0});
    QVERIFY_THROWS_EXCEPTION(Error, DistillationObjective(0.0));
    QVERIFY_THROWS_EXCEPTION(Error, DistillationObjective(-1.0));
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

  // A DataStream hands out its epochs' plans (planEpochBatches with its
  // seed) batch by batch; a BatchStream restores positions by name and
  // refuses, changing nothing, a missing, unknown or impossible one.
  void testDataStreamsFollowTheirPlansAndRestoreByName() {
    auto src = gaussianCorpus(14, 5, 41);
    BatchingOptions o;
    o.maxFrames = 150;
    std::vector<int> lengths;
    for (std::size_t i = 0; i < src->size(); ++i) lengths.push_back(src->frames(i));
    DataStream labeled("labeled", src, o, 7);
    for (std::int64_t epoch : {0, 1}) {
      const auto plan = planEpochBatches(lengths, o, 7, epoch);
      QVERIFY(plan.size() > 2);
      QCOMPARE(labeled.batchesInEpoch(), plan.size());
      for (std::size_t b = 0; b < plan.size(); ++b) {
        QVERIFY(!labeled.epochDone());
        QVERIFY(labeled.position() == (StreamPosition{epoch, static_cast<std::int64_t>(b)}));
        QCOMPARE(labeled.nextBatch(), plan[b]);
        const auto examples = labeled.examples();
        QCOMPARE(examples.size(), plan[b].size());
        QCOMPARE(QString::fromStdString(examples.front().key),
                 QString::fromStdString(src->get(plan[b].front()).key));
        labeled.advance();
      }
      QVERIFY(labeled.epochDone());
      QVERIFY_THROWS_EXCEPTION(Error, labeled.advance());
      labeled.startNextEpoch();
    }

    BatchStream streams;
    streams.add(DataStream("labeled", src, o, 7));
    streams.add(DataStream("soft", gaussianCorpus(30, 5, 43), o, 8));
    QVERIFY_THROWS_EXCEPTION(Error, streams.add(DataStream("soft", src, o, 9)));
    const StreamPositions target{{"soft", {3, 1}}, {"labeled", {2, 2}}};  // any order
    streams.restore(target, "ckpt.pt");
    QVERIFY(streams.at(0).position() == (StreamPosition{2, 2}));
    QVERIFY(streams.at(1).position() == (StreamPosition{3, 1}));
    QCOMPARE(streams.at(0).nextBatch(), planEpochBatches(lengths, o, 7, 2)[2]);
    const StreamPositions before = streams.positions();

    auto refused = [&](const StreamPositions& saved, const QString& what) {
      try {
        streams.restore(saved, "ckpt.pt");
        QFAIL("restored impossible positions");
      } catch (const Error& e) {
        QVERIFY2(QString(e.what()).contains(what), e.what());
        QCOMPARE(QString::fromStdString(e.filePath()), QString("ckpt.pt"));
      }
      QVERIFY(streams.positions() == before);
    };
    refused({{"labeled", {0, 0}}}, "no data position for stream 'soft'");
    refused({{"labeled", {0, 0}}, {"soft", {0, 0}}, {"extra", {0, 0}}}, "stream 'extra'");
    refused({{"labeled", {0, 0}}, {"soft", {0, -1}}}, "negative");
    const auto epoch5 = static_cast<std::int64_t>(planEpochBatches(lengths, o, 7, 5).size());
    refused({{"labeled", {5, epoch5 + 1}}, {"soft", {0, 0}}}, "past the epoch's");
    // The end of an epoch is a position (the next step starts the next epoch).
    streams.restore({{"labeled", {5, epoch5}}, {"soft", {0, 0}}}, "ckpt.pt");
    QVERIFY(streams.at(0).epochDone());
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

  // Chunks carry the soft targets of their own model frames.
  void testChunkedSourceSplitsSoftTargets() {
    auto src = std::make_shared<InMemoryExampleSource>(kDims, 50);
    const int frames = 31;  // 11 model frames: chunks of 4, 4, 3
    std::vector<std::int32_t> ids;
    std::vector<float> probs;
    for (int j = 0; j < 11; ++j) {
      ids.insert(ids.end(), {j, j + 20});
      probs.insert(probs.end(), {0.5f + 0.01f * j, 0.5f - 0.01f * j});
    }
    src->addSoft("u", std::vector<float>(static_cast<std::size_t>(frames) * kDims, 0.f), 2, ids, probs);
    ChunkedExampleSource chunks(src, 4);
    QCOMPARE(chunks.size(), std::size_t{3});
    int next = 0;
    for (std::size_t i = 0; i < chunks.size(); ++i) {
      const TrainingExample e = chunks.get(i);
      QCOMPARE(e.softK, 2);
      QCOMPARE(e.softFrames(), i < 2 ? 4 : 3);
      for (int j = 0; j < e.softFrames(); ++j, ++next) {
        QCOMPARE(e.softIds[2 * j], next);
        QCOMPARE(e.softIds[2 * j + 1], next + 20);
        QCOMPARE(e.softProbs[2 * j], 0.5f + 0.01f * next);
      }
    }
    QCOMPARE(next, 11);
    // The source checks what it holds.
    QVERIFY_THROWS_EXCEPTION(Error, src->addSoft("bad", std::vector<float>(kDims), 2, {1, 2, 3}, {1.f, 0.f, 0.f}));
    QVERIFY_THROWS_EXCEPTION(Error, src->addSoft("bad", std::vector<float>(kDims), 1, {50}, {1.f}));
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
    QTest::newRow("algorithm") << "distribution:\n  algorithm: allreduce\n" << "distribution.algorithm" << 2L;
    QTest::newRow("timeout") << "distribution:\n  timeout_s: 0\n" << "distribution.timeout_s" << 2L;
    QTest::newRow("gtc threshold") << "distribution:\n  gtc:\n    threshold: -1\n"
                                   << "distribution.gtc.threshold" << 3L;
    QTest::newRow("block steps") << "distribution:\n  algorithm: bmuf\n  bmuf:\n    block_steps: 0\n"
                                 << "distribution.bmuf.block_steps" << 4L;
    QTest::newRow("block momentum") << "distribution:\n  bmuf:\n    block_momentum: 1\n"
                                    << "distribution.bmuf.block_momentum" << 3L;
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
    c.model.numUnits = 0;
    c.resolveUnits(12);
    QCOMPARE(c.model.numUnits, std::int64_t{12});
  }

  void testConfigRoundTripsThroughYaml() {
    TrainerConfig c = resumeConfig();
    c.data.train = {"a", "b"};
    c.model.numUnits = 12;
    c.optimizer.beta2 = 0.98;
    c.distribution.algorithm = "bmuf";
    c.distribution.bmuf.blockSteps = 17;
    c.distribution.bmuf.nesterov = false;
    c.distribution.gtc.targetFraction = 0.05;
    TrainerConfig back = TrainerConfig::loadString(c.toYaml());
    QCOMPARE(back.distribution.algorithm, std::string("bmuf"));
    QCOMPARE(back.distribution.bmuf.blockSteps, 17);
    QCOMPARE(back.distribution.bmuf.nesterov, false);
    QCOMPARE(back.distribution.gtc.targetFraction, 0.05);
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

  // Every decaying schedule with a warm-up, at step 0, the last warm-up step,
  // the first step after it, the middle of the decay and the end (max_steps).
  void testWarmupThenExponentialAtItsLandmarks() {
    LrScheduleConfig c;
    c.kind = "exponential";
    c.warmupSteps = 8;
    c.decayRate = 0.1;
    c.decaySteps = 46;
    LrScheduler s(c, 0.2, 100);  // decays over 100 - 8 = 92 steps: two decades
    QVERIFY(std::abs(s.lrAt(0) - 0.2 / 8) < 1e-15);
    QCOMPARE(s.lrAt(7), 0.2);
    QCOMPARE(s.lrAt(8), 0.2);
    QVERIFY(std::abs(s.lrAt(54) - 0.02) < 1e-15);
    QVERIFY(std::abs(s.lrAt(99) - 0.2 * std::pow(0.1, 91.0 / 46.0)) < 1e-15);
    QVERIFY(std::abs(s.lrAt(100) - 0.002) < 1e-15);
  }

  void testWarmupThenCosineReachesMinLrExactlyAtMaxSteps() {
    LrScheduleConfig c;
    c.kind = "cosine";
    c.warmupSteps = 20;
    c.minLr = 0.001;
    LrScheduler s(c, 0.101, 220);  // decays over 200 steps after the warm-up
    QVERIFY(std::abs(s.lrAt(0) - 0.101 / 20) < 1e-15);
    QCOMPARE(s.lrAt(19), 0.101);
    QCOMPARE(s.lrAt(20), 0.101);
    QVERIFY(std::abs(s.lrAt(70) - (0.001 + 0.1 * (1 + std::sqrt(0.5)) / 2)) < 1e-15);
    QVERIFY(std::abs(s.lrAt(120) - 0.051) < 1e-15);
    QVERIFY(std::abs(s.lrAt(219) - (0.001 + 0.1 * (1 + std::cos(M_PI * 199 / 200)) / 2)) < 1e-15);
    QCOMPARE(s.lrAt(220), 0.001);
    QCOMPARE(s.lrAt(400), 0.001);
  }

  void testWarmupThenNewbob() {
    LrScheduleConfig c;
    c.kind = "newbob";
    c.warmupSteps = 5;
    LrScheduler s(c, 0.8, 50);
    QVERIFY(std::abs(s.lrAt(0) - 0.16) < 1e-15);
    QCOMPARE(s.lrAt(4), 0.8);
    QCOMPARE(s.lrAt(5), 0.8);
    s.onValidation(2.0);
    QVERIFY(s.onValidation(2.5));
    QCOMPARE(s.lrAt(25), 0.4);
    QVERIFY(s.onValidation(2.1));
    QCOMPARE(s.lrAt(49), 0.2);
    QCOMPARE(s.lrAt(50), 0.2);
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
    TrainResult r = trainer.run();
    QCOMPARE(r.steps, std::int64_t{150});
    QCOMPARE(QString::fromStdString(r.stopReason), QString("max_steps"));
    QVERIFY2(r.lastValidation.accuracy > 0.8,
             qPrintable(QString("validation accuracy %1 (chance %2)").arg(r.lastValidation.accuracy).arg(1.0 / units)));
    QCOMPARE(runs.metrics(runId, "train/loss").size(), std::size_t{150});
    for (const char* name : {"train/frame_accuracy", "train/lr", "train/frames_per_second", "train/grad_norm"})
      QCOMPARE(runs.metrics(runId, name).size(), std::size_t{150});
    QCOMPARE(runs.metrics(runId, "valid/frame_accuracy").size(), std::size_t{3});
    auto loss = runs.metrics(runId, "train/loss");
    QVERIFY(loss.back().value < 0.5 * loss.front().value);
  }

  // train/input_frames: every step's frames are counted once, at the next
  // logged step, so the logged points add up to all the audio trained on.
  void testInputFramesAddUpOverLoggedSteps() {
    auto train = gaussianCorpus(20, 4, 23);
    std::map<std::string, int> framesOf;
    for (std::size_t i = 0; i < train->size(); ++i) framesOf[train->get(i).key] = train->frames(i);
    QTemporaryDir dir;
    Workspace ws = Workspace::create(dir.filePath("ws").toStdString());
    RunStore runs(ws.db());
    const auto runId = runs.startRun({"train", "frames", "", "", "", std::nullopt});
    TrainerConfig c = tinyConfig();
    c.maxSteps = 10;  // logged at 4 and 8; steps 9 and 10 are not
    c.logEvery = 4;
    c.batching.maxFrames = 300;
    Trainer trainer(c, train, nullptr, {});
    trainer.setSinks({nullptr, nullptr, &runs, runId});
    std::vector<std::int64_t> stepFrames;  // [step - 1]
    trainer.setStepObserver([&](const StepRecord& r) {
      std::int64_t n = 0;
      for (const auto& key : r.keys) n += framesOf.at(key);
      QCOMPARE(r.step, static_cast<std::int64_t>(stepFrames.size()) + 1);
      stepFrames.push_back(n);
    });
    QCOMPARE(trainer.run().steps, std::int64_t{10});
    QCOMPARE(stepFrames.size(), std::size_t{10});
    const auto logged = runs.metrics(runId, "train/input_frames");
    QCOMPARE(logged.size(), std::size_t{2});
    QCOMPARE(logged[0].step, std::int64_t{4});
    QCOMPARE(logged[1].step, std::int64_t{8});
    const auto sum = [&](int from, int to) {  // steps from..to
      return std::accumulate(stepFrames.begin() + (from - 1), stepFrames.begin() + to, std::int64_t{0});
    };
    QVERIFY(stepFrames[3] < sum(1, 4));  // several batches per point: a single batch would not match
    QCOMPARE(static_cast<std::int64_t>(logged[0].value), sum(1, 4));
    QCOMPARE(static_cast<std::int64_t>(logged[1].value), sum(5, 8));
    QCOMPARE(static_cast<std::int64_t>(logged[0].value + logged[1].value), sum(1, 8));
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

  // The child dies by SIGKILL during the backward pass of step kResumeHalf
  // (checkpoints at 5 and 10 exist), not after a clean checkpoint.
  void testResumeAfterKillMidStepEqualsStraightRun() {
    QTemporaryDir dir;
    const QString ckpt = dir.filePath("ckpt");
    QProcess child;
    child.start(QCoreApplication::applicationFilePath(), {"--child-train", "mid-step", ckpt});
    QVERIFY(child.waitForFinished(120000));
    QCOMPARE(child.exitStatus(), QProcess::CrashExit);
    auto saved = Trainer::listCheckpoints(ckpt.toStdString());
    QCOMPARE(saved.size(), std::size_t{2});  // checkpoint.keep
    QVERIFY(saved.back().filename() == "ckpt-000000010.pt");
    verifyResumeEqualsStraightRun(ckpt.toStdString(), 10);
  }

  // The child dies by SIGKILL after writing and syncing the temp file of the
  // step-15 checkpoint, before renaming it: the torn write must not count.
  void testResumeAfterKillMidCheckpointWriteEqualsStraightRun() {
    QTemporaryDir dir;
    const QString ckpt = dir.filePath("ckpt");
    QProcess child;
    child.start(QCoreApplication::applicationFilePath(), {"--child-train", "mid-checkpoint", ckpt});
    QVERIFY(child.waitForFinished(120000));
    QCOMPARE(child.exitStatus(), QProcess::CrashExit);
    int temps = 0;
    for (const auto& e : std::filesystem::directory_iterator(ckpt.toStdString()))
      if (e.path().filename().string().rfind("ckpt-000000015.pt.tmp.", 0) == 0) ++temps;
    QCOMPARE(temps, 1);  // the child really died between write and rename
    QVERIFY(Trainer::listCheckpoints(ckpt.toStdString()).back().filename() == "ckpt-000000010.pt");
    verifyResumeEqualsStraightRun(ckpt.toStdString(), 10);
    for (const auto& e : std::filesystem::directory_iterator(ckpt.toStdString()))
      QVERIFY2(e.path().string().find(".tmp.") == std::string::npos, e.path().c_str());
  }

  // A checkpoint written before data streams had positions (only `epoch`
  // and `batch_index`; tests/data/train/checkpoint-before-stream-positions,
  // by commit c7147c4) resumes as the labeled stream's position and runs on
  // as the straight run does.
  void testCheckpointWithoutStreamPositionsResumesExactly() {
    const std::filesystem::path fixture =
        std::filesystem::path(UNDERSTUDY_SOURCE_DIR) / "tests/data/train/checkpoint-before-stream-positions";
    QTemporaryDir dir;
    const std::filesystem::path ckpt = dir.filePath("c").toStdString();
    std::filesystem::create_directories(ckpt);
    for (const char* name : {"ckpt-000000010.pt", "best.pt"})
      std::filesystem::copy_file(fixture / name, ckpt / name);
    {
      torch::jit::Module old = torch::jit::load((ckpt / "ckpt-000000010.pt").string());
      QVERIFY(!old.hasattr("stream_names"));  // really the old format
    }
    Trainer resumed(resumeConfig(), resumeTrainData(), resumeValidData(), ckpt);
    QVERIFY(resumed.resumeFromLatest());
    QCOMPARE(resumed.step(), std::int64_t{10});
    const StreamPositions expected{{"labeled", {4, 2}}};
    QVERIFY(resumed.batches().positions() == expected);
    TrainResult r = resumed.run();

    QTemporaryDir straightDir;
    const RunOutcome s = straightRun(straightDir.filePath("c").toStdString());
    QCOMPARE(r.steps, s.result.steps);
    QCOMPARE(QString::fromStdString(r.stopReason), QString::fromStdString(s.result.stopReason));
    QCOMPARE(r.bestStep, s.result.bestStep);
    // The fixture's numbers come from another build: equal up to BLAS low bits.
    QVERIFY(std::abs(r.bestValidationLoss - s.result.bestValidationLoss) <= 1e-6);
    const double diff = maxAbsDiff(s.weights, weights(resumed.model()));
    qInfo("resume from the old-format checkpoint: max weight difference %g", diff);
    QVERIFY2(diff <= 1e-6, qPrintable(QString("max weight difference %1").arg(diff)));
    // Its next checkpoint has the stream positions.
    torch::jit::Module next = torch::jit::load(Trainer::listCheckpoints(ckpt).back().string());
    QVERIFY(next.hasattr("stream_names"));
  }

  // Checkpoints hold every stream's position by name (stream_names,
  // stream_epochs, stream_batches), and loading takes the position from
  // there, not from the old epoch/batch_index pair; a checkpoint naming a
  // stream this run does not have, or a batch past its epoch, is refused
  // before anything changes.
  void testCheckpointStreamPositionsAreSavedAndRestoredByName() {
    QTemporaryDir dir;
    const std::string ckpt = dir.filePath("c").toStdString();
    StreamPositions saved;
    {
      Trainer first(resumeConfig(), resumeTrainData(), resumeValidData(), ckpt);
      first.run(kResumeHalf);
      saved = first.batches().positions();
    }
    QCOMPARE(saved.size(), std::size_t{1});
    QCOMPARE(QString::fromStdString(saved[0].first), QString("labeled"));
    const auto path = Trainer::listCheckpoints(ckpt).back().string();
    torch::jit::Module archive = torch::jit::load(path);
    const auto names = archive.attr("stream_names").toListRef();
    QCOMPARE(names.size(), std::size_t{1});
    QCOMPARE(QString::fromStdString(names[0].toStringRef()), QString("labeled"));
    QCOMPARE(archive.attr("stream_epochs").toIntVector(), std::vector<std::int64_t>{saved[0].second.epoch});
    QCOMPARE(archive.attr("stream_batches").toIntVector(), std::vector<std::int64_t>{saved[0].second.batch});
    QCOMPARE(archive.attr("epoch").toInt(), saved[0].second.epoch);

    // Another batch index in stream_batches only: loading follows it.
    const std::int64_t otherBatch = saved[0].second.batch == 0 ? 1 : 0;
    archive.setattr("stream_batches", c10::IValue(c10::List<std::int64_t>({otherBatch})));
    archive.save(path);
    {
      Trainer t(resumeConfig(), resumeTrainData(), resumeValidData(), ckpt);
      QVERIFY(t.resumeFromLatest());
      QCOMPARE(t.batches().positions()[0].second.batch, otherBatch);
      QCOMPARE(t.batches().positions()[0].second.epoch, saved[0].second.epoch);
    }

    auto expectRefused = [&](const char* what) {
      Trainer t(resumeConfig(), resumeTrainData(), resumeValidData(), ckpt);
      const auto before = weights(t.model());
      try {
        t.resumeFromLatest();
        QFAIL("resumed a checkpoint whose stream positions do not fit");
      } catch (const Error& e) {
        QVERIFY2(QString(e.what()).contains(what), e.what());
        QCOMPARE(QString::fromStdString(e.filePath()), QString::fromStdString(path));
      }
      QCOMPARE(t.step(), std::int64_t{0});
      QVERIFY(t.batches().positions()[0].second == StreamPosition{});
      QCOMPARE(maxAbsDiff(before, weights(t.model())), 0.0);
    };
    archive.setattr("stream_batches", c10::IValue(c10::List<std::int64_t>({999})));
    archive.save(path);
    expectRefused("batch 999 of epoch");
    archive.setattr("stream_batches", c10::IValue(c10::List<std::int64_t>({0})));
    archive.setattr("stream_names", c10::IValue(c10::List<std::string>({"soft"})));
    archive.save(path);
    expectRefused("stream 'soft'");
  }

  // A stopped (not killed) run resumed in-process agrees too.
  void testResumeAfterStopEqualsStraightRun() {
    QTemporaryDir dir;
    const std::string ckpt = dir.filePath("c").toStdString();
    {
      Trainer first(resumeConfig(), resumeTrainData(), resumeValidData(), ckpt);
      first.run(kResumeHalf);
    }
    verifyResumeEqualsStraightRun(ckpt, kResumeHalf);
  }

  // A run that ended at max_epochs, resumed with the same config, has
  // nothing left to do (it used to train one more epoch).
  void testResumingAFinishedMaxEpochsRunTrainsNothing() {
    QTemporaryDir dir;
    const std::string ckpt = dir.filePath("c").toStdString();
    TrainerConfig c = tinyConfig();
    c.maxSteps = 0;
    c.maxEpochs = 2;
    std::int64_t steps = 0;
    {
      Trainer first(c, gaussianCorpus(10, 5, 3), nullptr, ckpt);
      TrainResult r = first.run();
      QCOMPARE(QString::fromStdString(r.stopReason), QString("max_epochs"));
      QCOMPARE(r.epochs, std::int64_t{2});
      steps = r.steps;
    }
    Trainer again(c, gaussianCorpus(10, 5, 3), nullptr, ckpt);
    QVERIFY(again.resumeFromLatest());
    TrainResult r = again.run();
    QCOMPARE(r.steps, steps);
    QCOMPARE(r.epochs, std::int64_t{2});
    QCOMPARE(QString::fromStdString(r.stopReason), QString("max_epochs"));
    // One more epoch allowed: exactly one more epoch's batches.
    c.maxEpochs = 3;
    Trainer longer(c, gaussianCorpus(10, 5, 3), nullptr, ckpt);
    QVERIFY(longer.resumeFromLatest());
    TrainResult more = longer.run();
    QCOMPARE(more.epochs, std::int64_t{3});
    QCOMPARE(more.steps, steps + static_cast<std::int64_t>(planEpochBatches(
                                     [&] {
                                       std::vector<int> l;
                                       auto src = gaussianCorpus(10, 5, 3);
                                       for (std::size_t i = 0; i < src->size(); ++i) l.push_back(src->frames(i));
                                       return l;
                                     }(),
                                     c.batching, c.seed, 2)
                                     .size()));
  }

  // After training, restoreBest() puts back the weights of the best
  // validation (step 4 here), not the last step's.
  void testRestoreBestLoadsTheBestValidatedWeightsNotTheLast() {
    QTemporaryDir dir;
    const std::string ckpt = dir.filePath("c").toStdString();
    Trainer t(resumeConfig(), resumeTrainData(), resumeValidData(), ckpt);
    TrainResult r = t.run();
    QCOMPARE(QString::fromStdString(r.stopReason), QString("early_stopping"));
    QVERIFY(r.bestStep > 0 && r.bestStep < r.steps);
    const auto last = weights(t.model());
    QVERIFY(t.restoreBest());
    const auto restored = weights(t.model());
    QVERIFY(maxAbsDiff(last, restored) > 1e-3);
    Trainer upToBest(resumeConfig(), resumeTrainData(), resumeValidData(), {});
    upToBest.run(r.bestStep);
    QCOMPARE(maxAbsDiff(weights(upToBest.model()), restored), 0.0);
  }

  // A best.pt that an earlier run left in the folder is not this run's best.
  void testRestoreBestIgnoresAFileThisRunDidNotWrite() {
    QTemporaryDir dir;
    const std::string ckpt = dir.filePath("c").toStdString();
    {
      Trainer earlier(resumeConfig(), resumeTrainData(), resumeValidData(), ckpt);
      earlier.run(8);
    }
    QVERIFY(std::filesystem::exists(ckpt + "/best.pt"));
    TrainerConfig c = resumeConfig();
    c.validateEvery = 0;
    Trainer t(c, resumeTrainData(), nullptr, ckpt);  // no validation: no best of its own
    t.run(3);
    const auto before = weights(t.model());
    QVERIFY(!t.restoreBest());
    QCOMPARE(maxAbsDiff(before, weights(t.model())), 0.0);
  }

  // ---- what a resume refuses ------------------------------------------------

  void testLoadCheckpointRefusesAnotherArchitectureAndLeavesTheModelUntouched() {
    QTemporaryDir dir;
    const std::string ckpt = dir.filePath("c").toStdString();
    TrainerConfig c = tinyConfig();
    c.maxSteps = 2;
    {
      Trainer first(c, gaussianCorpus(6, 5, 1), nullptr, ckpt);
      first.run();
    }
    const auto path = Trainer::listCheckpoints(ckpt).back();
    TrainerConfig wider = c;
    wider.model.cells = 24;
    wider.seed = 99;  // also a config difference: the architecture is checked first
    Trainer t(wider, gaussianCorpus(6, 5, 1), nullptr, ckpt);
    const auto before = weights(t.model());
    try {
      t.loadCheckpoint(path);
      QFAIL("loaded a 16-cell checkpoint into a 24-cell model");
    } catch (const Error& e) {
      QCOMPARE(QString::fromStdString(e.filePath()), QString::fromStdString(path.string()));
      QCOMPARE(QString::fromStdString(e.keyName()), QString("lstm.weight_ih_l0"));
      QVERIFY2(QString(e.what()).contains("[64, 24]") && QString(e.what()).contains("[96, 24]"), e.what());
    }
    QCOMPARE(maxAbsDiff(before, weights(t.model())), 0.0);
    QCOMPARE(t.step(), std::int64_t{0});
    for (std::size_t i = 0; i < before.size(); ++i)
      QCOMPARE(weights(t.model())[i].sizes(), before[i].sizes());

    // Same shapes, one layer fewer: the first tensor the model lacks is named.
    TrainerConfig shallow = c;
    shallow.model.layers = 1;
    Trainer s(shallow, gaussianCorpus(6, 5, 1), nullptr, ckpt);
    try {
      s.loadCheckpoint(path);
      QFAIL("loaded a 2-layer checkpoint into a 1-layer model");
    } catch (const Error& e) {
      QVERIFY2(QString::fromStdString(e.keyName()).endsWith("_l1"), e.what());
    }
  }

  void testResumeRefusesAChangedConfigListingEveryDifferingKey() {
    QTemporaryDir dir;
    const std::string ckpt = dir.filePath("c").toStdString();
    {
      Trainer first(resumeConfig(), resumeTrainData(), resumeValidData(), ckpt);
      first.run(5);
    }
    TrainerConfig changed = resumeConfig();
    changed.optimizer.lr = 0.1;
    changed.batching.maxFrames = 500;
    changed.maxSteps = 60;  // may change
    changed.threads = 2;    // may change
    Trainer t(changed, resumeTrainData(), resumeValidData(), ckpt);
    const auto before = weights(t.model());
    try {
      t.resumeFromLatest();
      QFAIL("resumed with another learning rate and batch size");
    } catch (const Error& e) {
      const QString what = e.what();
      QVERIFY2(what.contains("2 key(s)"), e.what());
      QVERIFY2(what.contains("optimizer.lr: 0.05 -> 0.1"), e.what());
      QVERIFY2(what.contains("batching.max_frames: 400 -> 500"), e.what());
      QVERIFY2(!what.contains("max_steps:") && !what.contains("threads:"), e.what());
      QVERIFY(QString::fromStdString(e.filePath()).endsWith("ckpt-000000005.pt"));
    }
    QCOMPARE(t.step(), std::int64_t{0});
    QCOMPARE(maxAbsDiff(before, weights(t.model())), 0.0);

    // Only keys that may change: accepted.
    TrainerConfig ok = resumeConfig();
    ok.maxSteps = 60;
    ok.maxEpochs = 9;
    ok.threads = 2;
    ok.logEvery = 3;
    ok.patience = 7;
    ok.checkpointEvery = 11;
    ok.keepCheckpoints = 4;
    Trainer accepted(ok, resumeTrainData(), resumeValidData(), ckpt);
    QVERIFY(accepted.resumeFromLatest());
    QCOMPARE(accepted.step(), std::int64_t{5});
    torch::set_num_threads(1);

    // A cosine schedule spans max_steps: there max_steps may not change.
    TrainerConfig cosine = resumeConfig();
    cosine.schedule.kind = "cosine";
    auto diffs = resumeConfigDifferences(cosine, [&] {
      TrainerConfig longer = cosine;
      longer.maxSteps = 60;
      return longer;
    }());
    QCOMPARE(diffs.size(), std::size_t{1});
    QCOMPARE(QString::fromStdString(diffs[0].key), QString("max_steps"));
    QCOMPARE(QString::fromStdString(diffs[0].before + " " + diffs[0].after), QString("30 60"));
  }

  // ---- the model folder lock ---------------------------------------------------

  void testModelFolderLockRefusesASecondHolderUntilTheFirstIsGone() {
    QTemporaryDir dir;
    const QString folder = dir.filePath("models/m");
    {
      ModelFolderLock held(folder.toStdString());
      // Another process: refused at once, naming the folder and our pid.
      auto other = understudy::test::runProcess(QCoreApplication::applicationFilePath(),
                                                {"--child-lock", folder}, 60000);
      QCOMPARE(other.exitCode, 3);
      QVERIFY2(other.err.contains(folder.toUtf8()), other.err.constData());
      QVERIFY2(other.err.contains("pid " + QByteArray::number(::getpid())), other.err.constData());
      // The same process, another open file: refused too.
      QVERIFY_THROWS_EXCEPTION(Error, ModelFolderLock(folder.toStdString()));
    }
    // Released with its holder.
    auto after = understudy::test::runProcess(QCoreApplication::applicationFilePath(),
                                              {"--child-lock", folder}, 60000);
    QCOMPARE(after.exitCode, 0);
    // A holder killed by SIGKILL leaves nothing that blocks the next one.
    auto killed = understudy::test::runProcess(QCoreApplication::applicationFilePath(),
                                               {"--child-lock-and-die", folder}, 60000);
    QVERIFY(killed.crashed);
    ModelFolderLock next(folder.toStdString());
    QVERIFY(std::filesystem::exists(next.lockFile()));
  }

  // trainStep's lrScale multiplies the scheduled rate for that step only: a
  // step at scale 0.5 is the step of a run whose lr is half as large, bit for
  // bit, and the next step is back at the scheduled rate.
  void testTrainStepScalesTheScheduledLearningRate() {
    auto src = gaussianCorpus(6, 5, 17);
    TrainerConfig c = tinyConfig();
    c.optimizer.kind = "sgd";
    c.optimizer.momentum = 0;
    c.optimizer.lr = 0.01;
    TrainerConfig half = c;
    half.optimizer.lr = 0.005;
    const Batch batch = collateBatch({src->get(0), src->get(1)}, 3);
    CrossEntropyObjective ce;
    Trainer scaled(c, src, nullptr, {}), halved(half, src, nullptr, {}), plain(c, src, nullptr, {});
    const StepResult s = scaled.trainStep(batch, ce, 0.5);
    const StepResult h = halved.trainStep(batch, ce);
    plain.trainStep(batch, ce);
    QCOMPARE(s.lr, 0.005);
    QCOMPARE(h.lr, 0.005);
    QCOMPARE(scaled.step(), std::int64_t{1});
    QCOMPARE(s.loss.loss.item<double>(), h.loss.loss.item<double>());
    QCOMPARE(maxAbsDiff(weights(scaled.model()), weights(halved.model())), 0.0);
    QVERIFY(maxAbsDiff(weights(scaled.model()), weights(plain.model())) > 1e-6);
    QCOMPARE(scaled.trainStep(batch, ce).lr, 0.01);
  }

  // ---- chunked BPTT with carried state (bptt.carry_state) ------------------------

  // One SGD step without momentum or clipping: the weight change is -lr x
  // the gradient. With carried state every chunk sees the values the whole
  // utterance would give, so the output layer (fed by those values alone)
  // gets the full BPTT gradient exactly; the LSTM's gradients stop at the
  // chunk edges (truncated), so they differ. Without carrying, chunks start
  // from zero state (ChunkedExampleSource, tested above).
  void testCarriedStateKeepsForwardValuesAndTruncatesOnlyTheRecurrentGradient() {
    auto src = gaussianCorpus(6, 5, 23);
    TrainerConfig full = tinyConfig();
    full.optimizer.kind = "sgd";
    full.optimizer.momentum = 0;
    full.optimizer.lr = 0.1;
    full.gradClip = 0;
    TrainerConfig carried = full;
    carried.bptt.mode = "chunked";
    carried.bptt.chunk = 2;  // 6 10 ms frames: every utterance spans many chunks
    carried.bptt.carryState = true;

    const Batch batch = collateBatch({src->get(0), src->get(1), src->get(2)}, 3);
    QVERIFY(batch.features.size(1) > 6 * 4);
    CrossEntropyObjective ce;
    Trainer f(full, src, nullptr, {}), c(carried, src, nullptr, {});
    const auto before = namedWeights(f.model());
    const StepResult sf = f.trainStep(batch, ce);
    const StepResult sc = c.trainStep(batch, ce);
    QCOMPARE(sc.loss.frames, sf.loss.frames);
    QCOMPARE(sc.loss.correct, sf.loss.correct);
    QVERIFY(std::abs(sc.loss.loss.item<double>() - sf.loss.loss.item<double>()) <= 1e-5);
    const auto af = namedWeights(f.model()), ac = namedWeights(c.model());
    for (const auto& [name, w] : before) {
      const double diff = (af.at(name) - ac.at(name)).abs().max().item<double>();
      const double moved = (af.at(name) - w).abs().max().item<double>();
      QVERIFY2(moved > 0, qPrintable(QString::fromStdString(name)));
      if (name.rfind("output.", 0) == 0)
        QVERIFY2(diff <= 1e-6, qPrintable(QString("%1 differs by %2").arg(name.c_str()).arg(diff)));
      else
        QVERIFY2(diff > 1e-7 * moved, qPrintable(QString("%1 equals full BPTT: not truncated").arg(name.c_str())));
    }

  }

  // A chunk longer than every utterance is plain full BPTT: the same step.
  void testCarriedStateWithOneChunkPerUtteranceEqualsFullBptt() {
    auto src = gaussianCorpus(6, 5, 29);
    TrainerConfig full = tinyConfig();
    TrainerConfig carried = full;
    carried.bptt.mode = "chunked";
    carried.bptt.chunk = 1000;
    carried.bptt.carryState = true;
    const Batch batch = collateBatch({src->get(0), src->get(1), src->get(2), src->get(3)}, 3);
    CrossEntropyObjective ce;
    Trainer f(full, src, nullptr, {}), c(carried, src, nullptr, {});
    for (int i = 0; i < 3; ++i) {
      f.trainStep(batch, ce);
      c.trainStep(batch, ce);
    }
    const double diff = maxAbsDiff(weights(f.model()), weights(c.model()));
    QVERIFY2(diff <= 1e-6, qPrintable(QString("max weight difference %1").arg(diff)));
  }

  // An interleaved student with carried state resumes to the same weights.
  void testCarriedStateInterleavedRunResumesExactly() {
    TrainerConfig c = resumeConfig();
    c.bptt.mode = "chunked";
    c.bptt.chunk = 3;
    c.bptt.carryState = true;
    c.streams.kind = "interleave";
    c.streams.labeledBatches = 1;
    c.streams.softBatches = 2;
    c.streams.labeledLrMultiplier = 2.0;
    c.patience = 0;
    const auto data = [] {
      return TrainingData{resumeTrainData(), testdata::gaussianSoftCorpus(10, 5, 43), resumeValidData(), {}};
    };
    QTemporaryDir dir;
    const std::string ckpt = dir.filePath("c").toStdString(), straightCkpt = dir.filePath("s").toStdString();
    {
      Trainer first(c, data(), ckpt);
      first.run(kResumeHalf);
    }
    Trainer resumed(c, data(), ckpt);
    QVERIFY(resumed.resumeFromLatest());
    QCOMPARE(resumed.step(), kResumeHalf);
    resumed.run();
    Trainer straight(c, data(), straightCkpt);
    straight.run();
    QCOMPARE(resumed.step(), straight.step());
    QCOMPARE(resumed.step(), c.maxSteps);
    const double diff = maxAbsDiff(weights(straight.model()), weights(resumed.model()));
    QVERIFY2(diff <= 1e-6, qPrintable(QString("max weight difference %1").arg(diff)));
  }

  void testCarriedStateNeedsChunkedModeAndStackWithinSubsample_data() {
    QTest::addColumn<QString>("yaml");
    QTest::addColumn<long>("line");
    QTest::newRow("full") << "model:\n  kind: lstm\nbptt:\n  carry_state: true\n" << 4L;
    QTest::newRow("stack 5") << "model:\n  kind: lstm\n  stack: 5\nbptt:\n  mode: chunked\n  carry_state: true\n"
                             << 6L;
  }
  void testCarriedStateNeedsChunkedModeAndStackWithinSubsample() {
    QFETCH(QString, yaml);
    QFETCH(long, line);
    try {
      TrainerConfig::loadString(yaml.toStdString(), "carry.yaml");
      QFAIL("accepted carry_state");
    } catch (const Error& e) {
      QCOMPARE(QString::fromStdString(e.keyName()), QString("bptt.carry_state"));
      QCOMPARE(e.lineNumber().value_or(-1), line);
    }
    TrainerConfig ok = TrainerConfig::loadString(
        "model:\n  kind: lstm\nbptt:\n  mode: chunked\n  chunk: 20\n  carry_state: true\n", "ok.yaml");
    QVERIFY(ok.bptt.carryState);
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

// The child half of the kill tests: train resumeConfig() into `checkpointDir`
// and SIGKILL ourselves mid-step (in the backward pass of step kResumeHalf)
// or mid-checkpoint (between writing ckpt-000000015.pt's temp file and
// renaming it).
static int runChildTraining(const std::string& mode, const char* checkpointDir) {
  torch::set_num_threads(1);
  Trainer trainer(resumeConfig(), resumeTrainData(), resumeValidData(), checkpointDir);
  if (mode == "mid-step") {
    auto backwards = std::make_shared<int>(0);
    trainer.model()->parameters().front().register_hook([backwards](torch::Tensor g) {
      if (++*backwards == kResumeHalf) std::raise(SIGKILL);
      return g;
    });
  } else if (mode == "mid-checkpoint") {
    Trainer::setCheckpointWriteHookForTesting([](const std::filesystem::path& temp) {
      if (temp.filename().string().rfind("ckpt-000000015.pt.tmp.", 0) == 0) std::raise(SIGKILL);
    });
  } else {
    return 2;
  }
  trainer.run();
  return 0;  // not reached: the test fails on a clean exit
}

// The child half of the lock test: 0 if the lock was free, 3 (and the error on
// stderr) if it was held; or take it and die by SIGKILL.
static int runChildLock(const char* folder, bool die) {
  try {
    ModelFolderLock lock(folder);
    if (die) std::raise(SIGKILL);
    return 0;
  } catch (const Error& e) {
    std::fprintf(stderr, "%s\n", e.message().c_str());
    return 3;
  }
}

int main(int argc, char** argv) {
  if (argc == 4 && std::strcmp(argv[1], "--child-train") == 0) return runChildTraining(argv[2], argv[3]);
  if (argc == 3 && std::strcmp(argv[1], "--child-lock") == 0) return runChildLock(argv[2], false);
  if (argc == 3 && std::strcmp(argv[1], "--child-lock-and-die") == 0) return runChildLock(argv[2], true);
  QCoreApplication app(argc, argv);
  TestTrain t;
  return QTest::qExec(&t, argc, argv);
}

#include "test_train.moc"
