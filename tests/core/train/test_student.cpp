// core/train, the student's schedules (docs/training.md "Student schedules"):
// which stream, objective and learning rate every step of an interleaved,
// segregated, soft-only and labeled-only run takes, against the schedule's
// definition and each stream's seeded epoch plans restated here; the
// per-stream metrics and the validation sets' metrics; an interleaved run
// stopped and resumed equals a straight run; the config keys (strict,
// round trip, errors with key and line); and SoftLabeledExampleSource
// against hand-written feature and soft-label stores.
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "core/store/feature_store.h"
#include "core/store/run_store.h"
#include "core/store/soft_label_store.h"
#include "core/store/workspace.h"
#include "core/train/trainer.h"
#include "core/train/workspace_data.h"
#include "gaussian_corpus.h"

using namespace understudy;
using namespace understudy::train;
using testdata::gaussianCorpus;
using testdata::gaussianSoftCorpus;
using testdata::kDims;
namespace fs = std::filesystem;

namespace {

constexpr int kUnits = 5;
constexpr double kLr = 0.01;

TrainerConfig studentConfig(const std::string& kind) {
  TrainerConfig c;
  c.model = nn::AcousticModelOptions().kind("lstm").input_dim(kDims).layers(1).cells(12).plain();
  c.batching.maxFrames = 150;
  c.optimizer.kind = "sgd";
  c.optimizer.momentum = 0;
  c.optimizer.lr = kLr;
  c.streams.kind = kind;
  c.maxSteps = 40;
  c.validateEvery = 0;
  c.checkpointEvery = 0;
  c.threads = 1;
  c.seed = 5;
  return c;
}

std::shared_ptr<InMemoryExampleSource> labeledData() { return gaussianCorpus(14, kUnits, 61); }
std::shared_ptr<InMemoryExampleSource> softData() { return gaussianSoftCorpus(20, kUnits, 62); }

TrainingData studentData(bool withSoft = true) {
  TrainingData d;
  d.labeled = labeledData();
  if (withSoft) d.soft = softData();
  return d;
}

std::vector<int> lengthsOf(const ExampleSource& src) {
  std::vector<int> l;
  for (std::size_t i = 0; i < src.size(); ++i) l.push_back(src.frames(i));
  return l;
}

// The keys of a stream's batches in the order the stream must hand them out:
// epoch 0's plan, then epoch 1's, ... (planEpochBatches with the stream's seed).
std::vector<std::vector<std::string>> plannedBatches(const ExampleSource& src, const BatchingOptions& o,
                                                     std::uint64_t seed, std::size_t count) {
  std::vector<std::vector<std::string>> out;
  for (std::int64_t epoch = 0; out.size() < count; ++epoch)
    for (const auto& batch : planEpochBatches(lengthsOf(src), o, seed, epoch)) {
      std::vector<std::string> keys;
      for (auto i : batch) keys.push_back(src.get(i).key);
      out.push_back(keys);
    }
  out.resize(count);
  return out;
}

std::vector<StepRecord> recordSteps(Trainer& t, std::int64_t stopAtStep = 0) {
  auto steps = std::make_shared<std::vector<StepRecord>>();
  t.setStepObserver([steps](const StepRecord& r) { steps->push_back(r); });
  t.run(stopAtStep);
  return *steps;
}

std::vector<torch::Tensor> weights(nn::AcousticModel& m) {
  std::vector<torch::Tensor> w;
  for (auto& p : m->parameters()) w.push_back(p.detach().clone());
  return w;
}

bool sameWeights(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (!torch::equal(a[i], b[i])) return false;
  return true;
}

}  // namespace

class TestStudent : public QObject {
  Q_OBJECT

  // Every step of `steps` against the stream it must have taken: its
  // batches are that stream's seeded plans in order, labeled steps train CE
  // at lr x multiplier (read back from the optimizer), soft ones KD at lr.
  void verifyStreams(const std::vector<StepRecord>& steps, const std::vector<bool>& expectLabeled,
                     const TrainerConfig& c, const TrainingData& d) {
    QCOMPARE(steps.size(), expectLabeled.size());
    std::size_t labeledCount = 0, softCount = 0;
    for (bool l : expectLabeled) (l ? labeledCount : softCount)++;
    const auto labeledPlan = plannedBatches(*d.labeled, c.batching, c.seed, labeledCount);
    const auto softPlan = plannedBatches(*d.soft, c.batching, mixSeed(c.seed, 1), softCount);
    std::size_t nextLabeled = 0, nextSoft = 0;
    for (std::size_t t = 0; t < steps.size(); ++t) {
      const StepRecord& s = steps[t];
      const QString where = QString("step %1").arg(t + 1);
      QCOMPARE(s.step, static_cast<std::int64_t>(t + 1));
      if (expectLabeled[t]) {
        QVERIFY2(s.stream == "labeled" && s.objective == "ce", qPrintable(where + ": " + QString::fromStdString(s.stream)));
        QVERIFY2(s.keys == labeledPlan[nextLabeled++], qPrintable(where + ": not the labeled plan's next batch"));
        QCOMPARE(s.optimizerLr, kLr * c.streams.labeledLrMultiplier);
      } else {
        QVERIFY2(s.stream == "soft" && s.objective == "kd", qPrintable(where + ": " + QString::fromStdString(s.stream)));
        QVERIFY2(s.keys == softPlan[nextSoft++], qPrintable(where + ": not the soft plan's next batch"));
        QCOMPARE(s.optimizerLr, kLr);
      }
    }
  }

 private slots:
  void initTestCase() { torch::set_num_threads(1); }

  // interleave 2:3 is labeled, labeled, soft, soft, soft, repeated from step
  // 1; each stream hands out its own seeded epochs in order (both wrap
  // around within 40 steps), and only labeled steps get the multiplier.
  void testInterleaveFollowsTheRatioAndEachStreamsPlan() {
    TrainerConfig c = studentConfig("interleave");
    c.streams.labeledBatches = 2;
    c.streams.softBatches = 3;
    c.streams.labeledLrMultiplier = 2.5;
    const TrainingData d = studentData();
    Trainer t(c, d, {});
    QCOMPARE(t.batches().size(), std::size_t{2});
    const auto steps = recordSteps(t);
    std::vector<bool> labeled;
    for (int i = 0; i < 40; ++i) labeled.push_back(i % 5 < 2);
    verifyStreams(steps, labeled, c, d);
    // Both streams went past an epoch end.
    QVERIFY(t.batches().at(0).position().epoch >= 1);
    QVERIFY(t.batches().at(1).position().epoch >= 1);
  }

  // segregated: every batch of soft_epochs soft epochs, then labeled ones.
  void testSegregatedTrainsTheSoftEpochsFirst() {
    TrainerConfig c = studentConfig("segregated");
    c.streams.softEpochs = 2;
    c.streams.labeledLrMultiplier = 3;
    const TrainingData d = studentData();
    const auto softEpoch = [&](std::int64_t e) {
      return planEpochBatches(lengthsOf(*d.soft), c.batching, mixSeed(c.seed, 1), e).size();
    };
    const std::size_t softSteps = softEpoch(0) + softEpoch(1);
    QVERIFY(softSteps > 4 && softSteps < 30);
    Trainer t(c, d, {});
    const auto steps = recordSteps(t);
    std::vector<bool> labeled;
    for (std::size_t i = 0; i < 40; ++i) labeled.push_back(i >= softSteps);
    verifyStreams(steps, labeled, c, d);
    // The soft stream stopped at the end of its second epoch.
    QVERIFY(t.batches().at(1).position() == (StreamPosition{1, static_cast<std::int64_t>(softEpoch(1))}));
  }

  // soft-only has the soft stream alone (max_epochs counts its epochs);
  // labeled-only the labeled stream alone, as the teacher.
  void testSoftOnlyAndLabeledOnlyTrainOneStream() {
    TrainerConfig c = studentConfig("soft-only");
    c.maxSteps = 0;
    c.maxEpochs = 2;
    const TrainingData d = studentData();
    Trainer soft(c, d, {});
    QCOMPARE(soft.batches().size(), std::size_t{1});
    QCOMPARE(QString::fromStdString(soft.batches().at(0).name()), QString("soft"));
    const auto steps = recordSteps(soft);
    const auto perEpoch = [&](std::int64_t e) {
      return planEpochBatches(lengthsOf(*d.soft), c.batching, mixSeed(c.seed, 1), e).size();
    };
    verifyStreams(steps, std::vector<bool>(perEpoch(0) + perEpoch(1), false), c, d);
    QCOMPARE(soft.epoch(), std::int64_t{2});

    TrainerConfig l = studentConfig("labeled-only");
    const TrainingData labeledOnly = studentData(false);
    Trainer teacherLike(l, labeledOnly, {});
    QCOMPARE(teacherLike.batches().size(), std::size_t{1});
    const auto lsteps = recordSteps(teacherLike);
    TrainingData withSoftPlan = labeledOnly;
    withSoftPlan.soft = softData();  // only for verifyStreams' (unused) soft plan
    verifyStreams(lsteps, std::vector<bool>(40, true), l, withSoftPlan);
  }

  // Every stream its data: a schedule with soft steps refuses to start
  // without soft-labeled data, labeled-only refuses soft data it would not
  // use, and soft data over another unit inventory is refused.
  void testSchedulesRefuseMissingOrUnfitSoftData() {
    auto refused = [](const TrainerConfig& c, const TrainingData& d, const QString& what) {
      try {
        Trainer t(c, d, {});
        QFAIL(qPrintable("accepted: " + what));
      } catch (const Error& e) {
        QVERIFY2(QString(e.what()).contains(what), e.what());
      }
    };
    for (const char* kind : {"interleave", "segregated", "soft-only"})
      refused(studentConfig(kind), studentData(false), "trains on soft-labeled data, and there is none");
    refused(studentConfig("labeled-only"), studentData(true), "soft-labeled data given to a labeled-only run");
    TrainingData other = studentData(false);
    other.soft = gaussianSoftCorpus(4, kUnits + 1, 3);
    refused(studentConfig("interleave"), other, "soft-labeled data has 6 units");
  }

  // Metrics by stream: train/labeled/* on CE steps only, train/soft/* on KD
  // steps only, train/loss and train/lr at every step (the lr after the
  // multiplier); valid/<set>/* for every validation set at each validation,
  // and valid/* pooled over them when there is no held-out split.
  void testMetricsByStreamAndByValidationSet() {
    QTemporaryDir dir;
    Workspace ws = Workspace::create(dir.filePath("ws").toStdString());
    RunStore runs(ws.db());
    const auto runId = runs.startRun({"train", "student", "", "", "", std::nullopt});
    TrainerConfig c = studentConfig("interleave");
    c.streams.labeledBatches = 1;
    c.streams.softBatches = 4;
    c.streams.labeledLrMultiplier = 2;
    c.maxSteps = 20;
    c.validateEvery = 10;
    TrainingData d = studentData();
    const auto a = gaussianCorpus(3, kUnits, 71), b = gaussianCorpus(5, kUnits, 72);
    d.validationSets = {{"set-a", a}, {"set-b", b}};
    Trainer t(c, d, {});
    t.setSinks({nullptr, nullptr, &runs, runId});
    t.run();
    auto steps = [&](const std::string& name) {
      std::vector<std::int64_t> s;
      for (const auto& m : runs.metrics(runId, name)) s.push_back(m.step);
      return s;
    };
    const std::vector<std::int64_t> labeledSteps{1, 6, 11, 16};
    std::vector<std::int64_t> softSteps, all;
    for (std::int64_t s = 1; s <= 20; ++s) {
      all.push_back(s);
      if ((s - 1) % 5 != 0) softSteps.push_back(s);
    }
    QCOMPARE(steps("train/labeled/loss"), labeledSteps);
    QCOMPARE(steps("train/labeled/frame_accuracy"), labeledSteps);
    QCOMPARE(steps("train/soft/kd_loss"), softSteps);
    QCOMPARE(steps("train/soft/teacher_agreement"), softSteps);
    QCOMPARE(steps("train/loss"), all);
    for (const auto& m : runs.metrics(runId, "train/lr"))
      QCOMPARE(m.value, (m.step - 1) % 5 == 0 ? 2 * kLr : kLr);
    const std::vector<std::int64_t> validations{10, 20};
    QCOMPARE(steps("valid/set-a/frame_accuracy"), validations);
    QCOMPARE(steps("valid/set-b/loss"), validations);
    QCOMPARE(steps("valid/loss"), validations);
    // No held-out split: valid/* is both sets together, frame-weighted.
    const double fa = t.validateOn(*a).frames, fb = t.validateOn(*b).frames;
    const double la = runs.metrics(runId, "valid/set-a/loss").back().value;
    const double lb = runs.metrics(runId, "valid/set-b/loss").back().value;
    QVERIFY(std::fabs(runs.metrics(runId, "valid/loss").back().value - (la * fa + lb * fb) / (fa + fb)) < 1e-9);
    QVERIFY(std::fabs(la - lb) > 1e-6);  // the two sets are told apart
    // With a held-out split, valid/* is the split's.
    d.validation = gaussianCorpus(4, kUnits, 73);
    Trainer split(c, d, {});
    const ValidationResult v = split.validate();
    QCOMPARE(v.loss, split.validateOn(*d.validation).loss);
  }

  // An interleaved run stopped at step 13 and resumed from its checkpoint
  // continues both streams where they were: the same batches, step for
  // step, and the same weights bit for bit as a straight run.
  void testInterleavedResumeContinuesBothStreams() {
    TrainerConfig c = studentConfig("interleave");
    c.streams.labeledLrMultiplier = 2;
    c.checkpointEvery = 5;
    c.model.layers = 2;
    c.model.dropout = 0.2;
    const TrainingData d = studentData();
    Trainer straight(c, d, {});
    const auto straightSteps = recordSteps(straight);

    QTemporaryDir dir;
    const std::string ckpt = dir.filePath("c").toStdString();
    {
      Trainer first(c, d, ckpt);
      first.run(13);
    }
    Trainer resumed(c, d, ckpt);
    QVERIFY(resumed.resumeFromLatest());
    QCOMPARE(resumed.step(), std::int64_t{13});
    const auto rest = recordSteps(resumed);
    QCOMPARE(rest.size(), std::size_t{27});
    for (std::size_t i = 0; i < rest.size(); ++i) {
      QCOMPARE(rest[i].step, straightSteps[i + 13].step);
      QCOMPARE(QString::fromStdString(rest[i].stream), QString::fromStdString(straightSteps[i + 13].stream));
      QVERIFY2(rest[i].keys == straightSteps[i + 13].keys, qPrintable(QString("step %1").arg(rest[i].step)));
    }
    QVERIFY(sameWeights(weights(resumed.model()), weights(straight.model())));
  }

  // ---- configs ---------------------------------------------------------------

  void testStudentConfigRoundTripsThroughYaml() {
    TrainerConfig c = TrainerConfig::loadString(
        "name: s\nrole: student\n"
        "data:\n  train: [synth-labeled]\n"
        "  soft: [{dataset: synth-unlabeled, model: teacher-tiny}, {dataset: more, labels: more-t}, plain]\n"
        "  validation: [synth-test-clean]\n"
        "streams:\n  kind: interleave\n  ratio: 2:7\n  labeled_lr_multiplier: 1.5\n"
        "distillation:\n  temperature: 2\n",
        "s.yaml");
    QCOMPARE(c.data.soft.size(), std::size_t{3});
    QCOMPARE(QString::fromStdString(c.data.soft[0].model), QString("teacher-tiny"));
    QCOMPARE(QString::fromStdString(c.data.soft[1].labels), QString("more-t"));
    QCOMPARE(QString::fromStdString(c.data.soft[2].dataset), QString("plain"));
    QCOMPARE(c.streams.labeledBatches, 2);
    QCOMPARE(c.streams.softBatches, 7);
    QCOMPARE(c.distillation.temperature, 2.0);
    const TrainerConfig back = TrainerConfig::loadString(c.toYaml());
    QCOMPARE(QString::fromStdString(back.toYaml()), QString::fromStdString(c.toYaml()));
    QCOMPARE(QString::fromStdString(back.data.soft[1].dataset), QString("more"));
    QCOMPARE(QString::fromStdString(back.streams.ratio()), QString("2:7"));
    // A resume may not change the schedule or the soft data.
    TrainerConfig changed = back;
    changed.streams.softBatches = 4;
    changed.data.soft[0].model = "other";
    const auto diffs = resumeConfigDifferences(back, changed);
    QCOMPARE(diffs.size(), std::size_t{2});
    QCOMPARE(QString::fromStdString(diffs[0].key), QString("data.soft"));
    QCOMPARE(QString::fromStdString(diffs[1].key), QString("streams.ratio"));
    QCOMPARE(QString::fromStdString(diffs[1].before), QString("2:7"));
    QCOMPARE(QString::fromStdString(diffs[1].after), QString("2:4"));
  }

  void testBadStudentConfigsNameKeyAndLine_data() {
    QTest::addColumn<QString>("yaml");
    QTest::addColumn<QString>("key");
    QTest::addColumn<long>("line");
    QTest::newRow("kind") << "name: t\nstreams:\n  kind: mixed\n" << "streams.kind" << 3L;
    QTest::newRow("ratio text") << "streams:\n  kind: interleave\n  ratio: one:four\n" << "streams.ratio" << 3L;
    QTest::newRow("ratio zero") << "streams:\n  kind: interleave\n  ratio: '1:0'\n" << "streams.ratio" << 3L;
    QTest::newRow("multiplier alone") << "streams:\n  labeled_lr_multiplier: 2\n"
                                      << "streams.labeled_lr_multiplier" << 2L;
    QTest::newRow("soft epochs") << "streams:\n  kind: segregated\n  soft_epochs: 0\n" << "streams.soft_epochs" << 3L;
    QTest::newRow("unused soft") << "data:\n  soft: [synth-unlabeled]\n" << "data.soft" << 2L;
    QTest::newRow("soft key") << "data:\n  soft:\n    - dataset: u\n      teacher: t\n" << "data.soft[0].teacher" << 4L;
    QTest::newRow("temperature") << "distillation:\n  temperature: 0\n" << "distillation.temperature" << 2L;
  }
  void testBadStudentConfigsNameKeyAndLine() {
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

  // Every recipe in resources/recipes loads strictly and validates; each
  // student-<size>-<kind>.yaml is an lstm student of that schedule kind.
  void testEveryRecipeLoadsAndStudentRecipesNameTheirSchedule() {
    int students = 0;
    for (const auto& entry : fs::directory_iterator(UNDERSTUDY_SOURCE_DIR "/resources/recipes")) {
      const std::string file = entry.path().filename().string();
      if (entry.path().extension() != ".yaml") continue;
      TrainerConfig c;
      try {
        c = TrainerConfig::loadFile(entry.path().string());
      } catch (const Error& e) {
        QFAIL(qPrintable(QString::fromStdString(file + ": " + e.message())));
      }
      if (file.rfind("student-", 0) != 0) continue;
      ++students;
      QVERIFY2(file == "student-tiny-" + c.streams.kind + ".yaml" || file == "student-demo-" + c.streams.kind + ".yaml",
               file.c_str());
      QCOMPARE(QString::fromStdString(c.model.kind), QString("lstm"));
      QCOMPARE(QString::fromStdString(c.role), QString(c.streams.kind == "labeled-only" ? "baseline" : "student"));
      QCOMPARE(c.data.soft.empty(), !c.streams.trainsSoft());
    }
    QCOMPARE(students, 8);
  }

  // ---- soft-labeled examples from stores -----------------------------------------

  // Features normalised with the given statistics, and the soft labels of
  // the same utterance in softK/softIds/softProbs (as stored: fp16 values of
  // the written probabilities); labels whose frame count is not the
  // features' model frames are refused naming the utterance.
  void testSoftLabeledSourceJoinsFeaturesAndLabels() {
    QTemporaryDir dir;
    const fs::path root = dir.path().toStdString();
    const int dims = 3, k = 2;
    auto features = FeatureStore::create(root / "feats", dims);
    SoftLabelStoreOptions o;
    o.k = k;
    o.numUnits = kUnits;
    o.model = "teacher";
    auto labels = SoftLabelStore::create(root / "labels", o);
    // "a": 7 frames -> 3 model frames; "b": 6 frames but labels for 3 model frames (2 are right).
    const std::map<std::string, std::pair<int, int>> utterances{{"a", {7, 3}}, {"b", {6, 3}}};
    for (const auto& [key, sizes] : utterances) {
      std::vector<float> f(static_cast<std::size_t>(sizes.first * dims));
      for (std::size_t i = 0; i < f.size(); ++i) f[i] = static_cast<float>(i) * 0.5f + (key == "b" ? 3.f : 0.f);
      features.append(key, f.data(), sizes.first);
      std::vector<std::int32_t> ids;
      std::vector<float> probs;
      for (int j = 0; j < sizes.second; ++j) {
        ids.insert(ids.end(), {j, j + 2});
        probs.insert(probs.end(), {0.75f, 0.25f});
      }
      labels.append(key, sizes.second, ids.data(), probs.data());
    }
    features.commit();
    labels.commit();

    SoftLabeledExampleSource src({root / "feats"}, {root / "labels"}, dims, kUnits, 3);
    src.addItem({0, "a", 7});
    src.addItem({0, "b", 6});
    CmvnStats stats(dims);
    const std::vector<float> ones(static_cast<std::size_t>(4 * dims), 1.f), threes(ones.size(), 3.f);
    stats.accumulate(ones.data(), 4, dims);
    stats.accumulate(threes.data(), 4, dims);  // mean 2, variance 1
    src.setCmvn(stats);
    const TrainingExample a = src.get(0);
    QCOMPARE(a.frames, 7);
    QVERIFY(a.targets.empty());
    QCOMPARE(a.softK, k);
    QCOMPARE(a.softIds, (std::vector<std::int32_t>{0, 2, 1, 3, 2, 4}));
    QCOMPARE(a.softProbs, (std::vector<float>{0.75f, 0.25f, 0.75f, 0.25f, 0.75f, 0.25f}));
    for (int i = 0; i < 7 * dims; ++i) QCOMPARE(a.feats[i], static_cast<float>(i) * 0.5f - 2.f);
    try {
      src.get(1);
      QFAIL("accepted 3 label frames for 6 feature frames (2 model frames)");
    } catch (const Error& e) {
      QCOMPARE(QString::fromStdString(e.utteranceId()), QString("b"));
      QVERIFY2(QString(e.what()).contains("3 frames"), e.what());
    }
  }
};

QTEST_GUILESS_MAIN(TestStudent)
#include "test_student.moc"
