// core/train/model_bundle + core/store/model_registry: a model saved with its
// CMVN statistics, units and priors comes back equal (weights, statistics,
// units, priors, and the same logits on a random input); a folder whose parts
// disagree, or that lacks a part, is refused naming the file; priors over
// several training datasets are one frame-weighted count (checked against a
// count by hand).
#include <QTemporaryDir>
#include <QtTest>

#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "core/align/target_store.h"
#include "core/store/model_registry.h"
#include "core/store/record_store.h"
#include "core/store/workspace.h"
#include "core/train/model_bundle.h"
#include "core/util/atomic_file.h"
#include "core/util/error.h"

using namespace understudy;
using namespace understudy::train;
namespace fs = std::filesystem;

namespace {

constexpr int kDims = 8;
constexpr int kUnits = 5;

nn::AcousticModelOptions tinyOptions() {
  return nn::AcousticModelOptions().kind("blstm").input_dim(kDims).layers(2).cells(6).num_units(kUnits);
}

CmvnStats randomCmvn(int dims) {
  CmvnStats stats(dims);
  std::vector<float> frames(static_cast<std::size_t>(40 * dims));
  for (std::size_t i = 0; i < frames.size(); ++i)
    frames[i] = static_cast<float>(std::sin(0.37 * static_cast<double>(i)) * 3.0 + 0.1 * (i % 7));
  stats.accumulate(frames.data(), 40, dims);
  return stats;
}

ModelBundle makeBundle(const std::string& name) {
  torch::manual_seed(7);
  ModelBundle b;
  b.name = name;
  b.role = "teacher";
  b.model = nn::AcousticModel(tinyOptions());
  b.cmvn = randomCmvn(kDims);
  b.units = UnitInventory::pdfs(kUnits);
  b.priors = UnitPriors::fromCounts({30, 1, 0, 12, 7});
  return b;
}

template <typename F>
std::string errorOf(F f) {
  try {
    f();
  } catch (const Error& e) {
    return e.message();
  }
  return "(nothing was thrown)";
}

// A target store as `understudy-cli targets` leaves it (records and units.txt).
fs::path makeTargets(const fs::path& dir, const std::vector<std::vector<std::int32_t>>& utterances,
                     int units = kUnits) {
  RecordStore store = RecordStore::create(dir, {ElementType::Int32, 1, TargetStore::kKind});
  for (std::size_t u = 0; u < utterances.size(); ++u)
    store.append("utt" + std::to_string(u), utterances[u].data(),
                 static_cast<std::uint32_t>(utterances[u].size()), 1);
  store.commit();
  UnitInventory::pdfs(units).save(dir / TargetStore::kUnitsFile);
  return dir;
}

}  // namespace

class TestModelBundle : public QObject {
  Q_OBJECT

  QTemporaryDir m_tmp;
  int m_count = 0;

  Workspace freshWorkspace() {
    return Workspace::create(m_tmp.path().toStdString() + "/ws" + std::to_string(m_count++));
  }

 private slots:
  void testSaveThenLoadGivesBackTheSameModel() {
    Workspace ws = freshWorkspace();
    ModelBundle saved = makeBundle("teacher-a");
    const std::int64_t id = saved.save(ws);
    QVERIFY(id > 0);
    QCOMPARE(saved.dir, ws.root() / "models" / "teacher-a");
    for (const char* f : {"model.pt", "model.python.pt", "model.yaml", "cmvn.stats", "units.txt", "priors.txt"})
      QVERIFY2(fs::is_regular_file(saved.dir / f), f);

    const std::optional<ModelRow> row = findModel(ws.db(), "teacher-a");
    QVERIFY(row);
    QCOMPARE(row->id, id);
    QCOMPARE(row->role, std::string("teacher"));
    QCOMPARE(row->path, std::string("models/teacher-a/model.pt"));
    QCOMPARE(row->numParams, saved.model->parameterCount());
    QCOMPARE(row->architecture, tinyOptions().toYaml());
    QCOMPARE(row->runId, std::int64_t{0});

    ModelBundle loaded = ModelBundle::load(ws, "teacher-a");
    QCOMPARE(loaded.id, id);
    QCOMPARE(loaded.name, std::string("teacher-a"));
    QCOMPARE(loaded.role, std::string("teacher"));
    QCOMPARE(loaded.model->options.toYaml(), tinyOptions().toYaml());
    QVERIFY(!loaded.model->is_training());
    const auto a = saved.model->named_parameters();
    const auto b = loaded.model->named_parameters();
    QCOMPARE(a.size(), b.size());
    for (const auto& p : a) QVERIFY2(torch::equal(p.value(), b[p.key()]), p.key().c_str());

    QCOMPARE(loaded.cmvn.dim(), kDims);
    QCOMPARE(loaded.cmvn.count(), saved.cmvn.count());
    QVERIFY(loaded.cmvn.mean() == saved.cmvn.mean());
    QVERIFY(loaded.cmvn.variance() == saved.cmvn.variance());
    QVERIFY(loaded.units == saved.units);
    QCOMPARE(loaded.priors.numUnits(), kUnits);
    for (int s = 0; s < kUnits; ++s)  // priors.txt keeps 10 significant digits
      QVERIFY(std::fabs(loaded.priors.probabilities()[s] / saved.priors.probabilities()[s] - 1.0) < 1e-9);

    // Inference: the same logits on a random padded batch.
    saved.model->eval();
    torch::NoGradGuard noGrad;
    const torch::Tensor x = torch::randn({2, 20, kDims});
    const torch::Tensor len = torch::tensor({20, 13}, torch::kInt64);
    const auto [want, wantLen] = saved.model->forward(x, len);
    const auto [got, gotLen] = loaded.model->forward(x, len);
    QVERIFY(torch::equal(wantLen, gotLen));
    QVERIFY(torch::equal(want, got));
  }

  void testSavingAgainKeepsTheRowAndListsEveryModel() {
    Workspace ws = freshWorkspace();
    ModelBundle first = makeBundle("m1");
    const std::int64_t id = first.save(ws);
    ModelBundle other = makeBundle("m2");
    other.role = "student";
    other.save(ws);
    first.role = "baseline";
    QCOMPARE(first.save(ws), id);
    QCOMPARE(findModel(ws.db(), id)->role, std::string("baseline"));
    const std::vector<ModelRow> all = listModels(ws.db());
    QCOMPARE(all.size(), std::size_t{2});
    QCOMPARE(all.front().name, std::string("m2"));  // newest first
    QVERIFY(!findModel(ws.db(), "m3"));
  }

  void testLoadRefusesUnitsThatDisagreeWithTheModel() {
    Workspace ws = freshWorkspace();
    ModelBundle b = makeBundle("m");
    b.save(ws);
    UnitInventory::pdfs(kUnits - 1).save(b.dir / "units.txt");
    const std::string message = errorOf([&] { ModelBundle::load(ws, "m"); });
    QVERIFY2(message.find((b.dir / "units.txt").string()) != std::string::npos &&
                 message.find("4 units, but the model has 5 outputs") != std::string::npos,
             message.c_str());
  }

  void testLoadRefusesAFolderWithoutPriors() {
    Workspace ws = freshWorkspace();
    ModelBundle b = makeBundle("m");
    b.save(ws);
    fs::remove(b.dir / "priors.txt");
    const std::string message = errorOf([&] { ModelBundle::load(ws, "m"); });
    QVERIFY2(message.find((b.dir / "priors.txt").string()) != std::string::npos &&
                 message.find("no priors.txt") != std::string::npos,
             message.c_str());
  }

  void testLoadRefusesPriorsOfAnotherInventory() {
    Workspace ws = freshWorkspace();
    ModelBundle b = makeBundle("m");
    b.save(ws);
    UnitPriors::fromCounts({1, 2, 3, 4, 5, 6}).save(b.dir / "priors.txt");
    const std::string message = errorOf([&] { ModelBundle::load(ws, "m"); });
    QVERIFY2(message.find((b.dir / "priors.txt").string()) != std::string::npos &&
                 message.find("6 priors") != std::string::npos,
             message.c_str());
  }

  void testLoadRefusesCmvnOfAnotherFeatureDimension() {
    Workspace ws = freshWorkspace();
    ModelBundle b = makeBundle("m");
    b.save(ws);
    randomCmvn(kDims + 2).save((b.dir / "cmvn.stats").string());
    const std::string message = errorOf([&] { ModelBundle::load(ws, "m"); });
    QVERIFY2(message.find((b.dir / "cmvn.stats").string()) != std::string::npos &&
                 message.find("10-dimensional CMVN statistics") != std::string::npos,
             message.c_str());
  }

  void testLoadRefusesWeightsOfAnotherArchitecture() {
    Workspace ws = freshWorkspace();
    ModelBundle b = makeBundle("m");
    b.save(ws);
    nn::AcousticModel wider(tinyOptions().cells(7));
    nn::saveWeights(wider, (b.dir / "model.pt").string());
    const std::string message = errorOf([&] { ModelBundle::load(ws, "m"); });
    QVERIFY2(message.find((b.dir / "model.pt").string()) != std::string::npos, message.c_str());
  }

  // Models trained before model.yaml was written: the row's architecture
  // stands in; a bare folder without it is refused naming the file.
  void testAFolderWithoutModelYamlUsesTheRowsArchitecture() {
    Workspace ws = freshWorkspace();
    ModelBundle b = makeBundle("old");
    b.save(ws);
    fs::remove(b.dir / "model.yaml");
    ModelBundle loaded = ModelBundle::load(ws, "old");
    QCOMPARE(loaded.model->options.toYaml(), tinyOptions().toYaml());
    QVERIFY(torch::equal(loaded.model->output->weight, b.model->output->weight));
    const std::string message = errorOf([&] { ModelBundle::loadFolder(b.dir); });
    QVERIFY2(message.find((b.dir / "model.yaml").string()) != std::string::npos, message.c_str());
  }

  void testSaveRefusesDisagreeingPartsBeforeWritingAnything() {
    Workspace ws = freshWorkspace();
    ModelBundle b = makeBundle("m");
    b.units = UnitInventory::pdfs(kUnits + 1);
    const std::string message = errorOf([&] { b.save(ws); });
    QVERIFY2(message.find("units.txt") != std::string::npos, message.c_str());
    QVERIFY(!fs::exists(ModelBundle::folder(ws, "m") / "model.pt"));
    QVERIFY(!findModel(ws.db(), "m"));
  }

  void testLoadOfAnUnknownModelNamesTheKnownOnes() {
    Workspace ws = freshWorkspace();
    makeBundle("teacher-a").save(ws);
    const std::string message = errorOf([&] { ModelBundle::load(ws, "teacher-b"); });
    QVERIFY2(message.find("no model named 'teacher-b'") != std::string::npos &&
                 message.find("models: teacher-a") != std::string::npos,
             message.c_str());
  }

  void testPriorsPoolEveryDatasetWeightedByFrames() {
    const fs::path root = m_tmp.path().toStdString() + "/priors";
    // Dataset A: 6 frames, dataset B: 12 frames with another unit mix.
    const fs::path a = makeTargets(root / "a", {{0, 0, 1}, {0, 3, 3}});
    const fs::path b = makeTargets(root / "b", {{2, 2, 2, 2}, {4, 4, 2, 1, 1, 0, 0, 2}});
    // By hand: unit counts over all 18 frames.
    //   unit:   0  1  2  3  4
    //   A:      3  1  0  2  0
    //   B:      2  2  6  0  2
    //   total:  5  3  6  2  2    p(s) = (count + 1) / (18 + 5)
    const std::vector<double> want = {6.0 / 23, 4.0 / 23, 7.0 / 23, 3.0 / 23, 3.0 / 23};
    const UnitPriors pooled = pooledTargetPriors({a, b});
    QCOMPARE(pooled.totalFrames(), std::int64_t{18});
    for (int s = 0; s < kUnits; ++s)
      QVERIFY2(std::fabs(pooled.probabilities()[s] - want[s]) < 1e-12, std::to_string(s).c_str());
    // The order of the datasets does not matter.
    QVERIFY(pooledTargetPriors({b, a}).probabilities() == pooled.probabilities());
  }

  void testPriorsRefuseDatasetsOverAnotherInventory() {
    const fs::path root = m_tmp.path().toStdString() + "/priors-mixed";
    const fs::path a = makeTargets(root / "a", {{0, 1}});
    const fs::path b = makeTargets(root / "b", {{0, 1}}, kUnits + 1);
    const std::string message = errorOf([&] { pooledTargetPriors({a, b}); });
    QVERIFY2(message.find(b.string()) != std::string::npos &&
                 message.find("different unit inventory") != std::string::npos,
             message.c_str());
  }
};

QTEST_GUILESS_MAIN(TestModelBundle)
#include "test_model_bundle.moc"
