// The training data path reads verified records: a byte flipped inside a
// feature or target record of a real store stops StoreExampleSource (what
// loadWorkspaceData hands the Trainer) with the store's error, naming the
// shard and the utterance, instead of training on the bad bytes. And
// loadWorkspaceData refuses datasets that cannot train one model (other unit
// inventories, other feature sizes, features the model's input does not fit),
// naming the datasets, their stores and the model. No LibTorch calls here:
// the stores are written by hand.
#include <QTemporaryDir>
#include <QtTest>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/align/target_store.h"
#include "core/store/catalog.h"
#include "core/store/feature_store.h"
#include "core/store/workspace.h"
#include "core/store/unit_inventory.h"
#include "core/train/workspace_data.h"
#include "core/util/error.h"
#include "support/expect_error.h"
#include "support/workspace_fixtures.h"

using namespace understudy;
using understudy::test::expectError;
using namespace understudy::train;
namespace fs = std::filesystem;

namespace {

constexpr int kDims = 8;
constexpr int kUnits = 4;
constexpr int kUtterances = 6;

std::string keyOf(int k) { return "utt" + std::to_string(k); }
int framesOf(int k) { return 30 + 7 * k; }

struct Stores {
  fs::path features, targets;
};

// One dataset's feature store and target store, as `features` and `targets` write them.
Stores makeStores(const fs::path& root) {
  Stores s{root / "features" / "set-0", TargetStore::datasetDir(root, "set")};
  auto feats = FeatureStore::create(s.features, kDims);
  RecordStore targets = RecordStore::create(s.targets, {ElementType::Int32, 1, TargetStore::kKind});
  for (int k = 0; k < kUtterances; ++k) {
    std::vector<float> f(static_cast<std::size_t>(framesOf(k)) * kDims);
    for (std::size_t i = 0; i < f.size(); ++i) f[i] = static_cast<float>(k) + 0.01f * i;
    feats.append(keyOf(k), f.data(), framesOf(k));
    std::vector<std::int32_t> y(static_cast<std::size_t>((framesOf(k) + 2) / 3));
    for (std::size_t j = 0; j < y.size(); ++j) y[j] = static_cast<std::int32_t>((k + j) % kUnits);
    targets.append(keyOf(k), y.data(), static_cast<std::uint32_t>(y.size()), 1);
  }
  feats.commit();
  targets.commit();
  UnitInventory::pdfs(kUnits).save(s.targets / TargetStore::kUnitsFile);
  return s;
}

// A dataset `name` in workspace `ws` with a complete feature set of `dims`
// and targets over `units` units, as `features` and `targets` leave it.
Stores addTrainableDataset(Workspace& ws, const std::string& name, int dims, int units) {
  std::vector<std::string> keys;
  for (int k = 0; k < kUtterances; ++k) keys.push_back(keyOf(k));
  Catalog catalog(ws);
  FeatureSetRow row;
  row.datasetId = understudy::test::addDataset(ws, name, "labeled", keys);
  row.name = name + "-" + std::to_string(dims);
  row.config = "num_mel_bins: " + std::to_string(dims);
  row.configHash = std::to_string(dims);
  row.path = "features/" + row.name;
  row.dims = dims;
  Stores s{ws.root() / row.path, TargetStore::datasetDir(ws, name)};
  auto feats = FeatureStore::create(s.features, dims);
  RecordStore targets = RecordStore::create(s.targets, {ElementType::Int32, 1, TargetStore::kKind});
  std::int64_t frames = 0;
  for (int k = 0; k < kUtterances; ++k) {
    std::vector<float> f(static_cast<std::size_t>(framesOf(k)) * static_cast<std::size_t>(dims), 0.5f);
    feats.append(keyOf(k), f.data(), framesOf(k));
    frames += framesOf(k);
    std::vector<std::int32_t> y(static_cast<std::size_t>((framesOf(k) + 2) / 3), 0);
    targets.append(keyOf(k), y.data(), static_cast<std::uint32_t>(y.size()), 1);
  }
  feats.commit();
  targets.commit();
  UnitInventory::pdfs(units).save(s.targets / TargetStore::kUnitsFile);
  catalog.updateFeatureSet(catalog.registerFeatureSet(row).id, kUtterances, frames, true);
  return s;
}

TrainerConfig configFor(const std::vector<std::string>& train, int inputDim) {
  TrainerConfig cfg;
  cfg.name = "mixed-model";
  cfg.data.train = train;
  cfg.model.inputDim = inputDim;
  return cfg;
}

std::shared_ptr<StoreExampleSource> sourceOf(const Stores& s) {
  auto source = std::make_shared<StoreExampleSource>(std::vector<fs::path>{s.features},
                                                     std::vector<fs::path>{s.targets}, kDims, kUnits);
  for (int k = 0; k < kUtterances; ++k) source->addItem({0, keyOf(k), framesOf(k)});
  return source;
}

// Flips one bit inside `key`'s payload; returns the shard file's name.
std::string corrupt(const fs::path& storeDir, const std::string& key, std::uint64_t at) {
  const RecordInfo info = *RecordStore::open(storeDir).find(key);
  char name[32];
  std::snprintf(name, sizeof name, "shard-%05u.bin", info.shard);
  std::fstream f(storeDir / name, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(static_cast<std::streamoff>(info.offset + at));
  char c = 0;
  f.read(&c, 1);
  c ^= 0x01;
  f.seekp(static_cast<std::streamoff>(info.offset + at));
  f.write(&c, 1);
  return name;
}

}  // namespace

class TestWorkspaceData : public QObject {
  Q_OBJECT

 private slots:
  void testCleanStoresGiveEveryExample() {
    QTemporaryDir tmp;
    const Stores s = makeStores(tmp.path().toStdString());
    auto source = sourceOf(s);
    for (int k = 0; k < kUtterances; ++k) {
      const TrainingExample e = source->get(static_cast<std::size_t>(k));
      QCOMPARE(e.frames, framesOf(k));
      QCOMPARE(e.targets.size(), static_cast<std::size_t>((framesOf(k) + 2) / 3));
    }
  }

  void testCorruptFeatureRecordStopsTheTrainingData() {
    QTemporaryDir tmp;
    const Stores s = makeStores(tmp.path().toStdString());
    const std::string shard = corrupt(s.features, keyOf(3), 17);
    const std::vector<std::string> needles = {shard, "utterance 'utt3'", "checksum mismatch",
                                              s.features.string(), "understudy-cli verify"};
    // The store itself, then the path the Trainer takes (examples and CMVN statistics).
    expectError([&] { FeatureStore::open(s.features).read(keyOf(3)); }, needles);
    auto source = sourceOf(s);
    source->get(2);  // its neighbours are fine
    source->get(4);
    expectError([&] { source->get(3); }, needles);
    expectError([&] { source->computeCmvn(); }, needles);
  }

  void testCorruptTargetRecordStopsTheTrainingData() {
    QTemporaryDir tmp;
    const Stores s = makeStores(tmp.path().toStdString());
    const std::string shard = corrupt(s.targets, keyOf(5), 4);
    const std::vector<std::string> needles = {shard, "utterance 'utt5'", "checksum mismatch",
                                              s.targets.string(), "understudy-cli targets"};
    expectError([&] { TargetStore::open(s.targets).read(keyOf(5)); }, needles);
    auto source = sourceOf(s);
    source->get(4);
    expectError([&] { source->get(5); }, needles);
  }

  // Two datasets whose targets count other units cannot train one model:
  // the error names both, with their target stores, before anything is read.
  void testDatasetsWithOtherUnitInventoriesNameBoth() {
    QTemporaryDir tmp;
    Workspace ws = Workspace::create(tmp.filePath("ws").toStdString());
    const Stores a = addTrainableDataset(ws, "set-a", kDims, kUnits);
    const Stores b = addTrainableDataset(ws, "set-b", kDims, kUnits + 3);
    QCOMPARE(loadWorkspaceData(ws, configFor({"set-a"}, kDims)).units.size(), std::size_t(kUnits));  // alone: fine
    expectError([&] { loadWorkspaceData(ws, configFor({"set-a", "set-b"}, kDims)); },
                {"datasets 'set-a' and 'set-b'", "different unit inventories", "4 units in " + a.targets.string(),
                 "7 units in " + b.targets.string(), "phones.txt"});
  }

  // Features of other sizes: both datasets and both stores named.
  void testDatasetsWithOtherFeatureSizesNameBoth() {
    QTemporaryDir tmp;
    Workspace ws = Workspace::create(tmp.filePath("ws").toStdString());
    const Stores a = addTrainableDataset(ws, "set-a", kDims, kUnits);
    const Stores b = addTrainableDataset(ws, "set-b", kDims - 2, kUnits);
    expectError([&] { loadWorkspaceData(ws, configFor({"set-a", "set-b"}, kDims)); },
                {"datasets 'set-a' and 'set-b'", "8 dims in " + a.features.string(),
                 "6 dims in " + b.features.string(), "data.feature_set"});
  }

  // Features the model's input does not fit: dataset, store and model named.
  void testFeaturesOfAnotherSizeThanTheModelNameDatasetStoreAndModel() {
    QTemporaryDir tmp;
    Workspace ws = Workspace::create(tmp.filePath("ws").toStdString());
    const Stores a = addTrainableDataset(ws, "set-a", kDims, kUnits);
    expectError([&] { loadWorkspaceData(ws, configFor({"set-a"}, 64)); },
                {"dataset 'set-a'", a.features.string(), "8-dim features", "model 'mixed-model'",
                 "model.input_dim 64"});
  }
};

QTEST_GUILESS_MAIN(TestWorkspaceData)
#include "test_workspace_data.moc"
