// The training data path reads verified records: a byte flipped inside a
// feature or target record of a real store stops StoreExampleSource (what
// loadWorkspaceData hands the Trainer) with the store's error, naming the
// shard and the utterance, instead of training on the bad bytes. No LibTorch
// calls here: the stores are written by hand.
#include <QTemporaryDir>
#include <QtTest>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/align/target_store.h"
#include "core/store/feature_store.h"
#include "core/store/unit_inventory.h"
#include "core/train/workspace_data.h"
#include "core/util/error.h"
#include "support/expect_error.h"

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
};

QTEST_GUILESS_MAIN(TestWorkspaceData)
#include "test_workspace_data.moc"
