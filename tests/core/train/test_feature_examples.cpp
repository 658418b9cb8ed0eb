// core/train FeatureExampleSource: a dataset without targets (an unlabeled
// set to label) gives every utterance's features, normalised with the given
// CMVN statistics as the training source does, and no targets; on a labeled
// dataset it gives exactly the features StoreExampleSource gives. The stores
// are written by hand; the normalisation is recomputed here from the mean
// and variance, not with CmvnStats::apply.
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "core/align/target_store.h"
#include "core/store/feature_store.h"
#include "core/store/unit_inventory.h"
#include "core/train/example_source.h"
#include "core/train/workspace_data.h"
#include "core/util/error.h"

using namespace understudy;
using namespace understudy::train;
namespace fs = std::filesystem;

namespace {

constexpr int kDims = 6;
constexpr int kUnits = 4;

std::string keyOf(int store, int k) { return "s" + std::to_string(store) + "-utt" + std::to_string(k); }
int framesOf(int k) { return 4 + 5 * k; }

float featureValue(int store, int k, std::size_t i) {
  return static_cast<float>(store * 10 + k) + 0.25f * static_cast<float>(i % 11) -
         0.5f * static_cast<float>(i % kDims);
}

fs::path makeFeatures(const fs::path& dir, int store, int utterances, int dims = kDims) {
  auto feats = FeatureStore::create(dir, dims);
  for (int k = 0; k < utterances; ++k) {
    std::vector<float> f(static_cast<std::size_t>(framesOf(k)) * dims);
    for (std::size_t i = 0; i < f.size(); ++i) f[i] = featureValue(store, k, i);
    feats.append(keyOf(store, k), f.data(), framesOf(k));
  }
  feats.commit();
  return dir;
}

fs::path makeTargets(const fs::path& dir, int store, int utterances) {
  RecordStore targets = RecordStore::create(dir, {ElementType::Int32, 1, TargetStore::kKind});
  for (int k = 0; k < utterances; ++k) {
    std::vector<std::int32_t> y(static_cast<std::size_t>((framesOf(k) + 2) / 3), k % kUnits);
    targets.append(keyOf(store, k), y.data(), static_cast<std::uint32_t>(y.size()), 1);
  }
  targets.commit();
  UnitInventory::pdfs(kUnits).save(dir / TargetStore::kUnitsFile);
  return dir;
}

CmvnStats statsOf(int store, int utterances) {
  CmvnStats stats(kDims);
  for (int k = 0; k < utterances; ++k) {
    std::vector<float> f(static_cast<std::size_t>(framesOf(k)) * kDims);
    for (std::size_t i = 0; i < f.size(); ++i) f[i] = featureValue(store, k, i);
    stats.accumulate(f.data(), framesOf(k), kDims);
  }
  return stats;
}

}  // namespace

class TestFeatureExamples : public QObject {
  Q_OBJECT

  QTemporaryDir m_tmp;
  fs::path root() const { return m_tmp.path().toStdString(); }

 private slots:
  void testUnlabeledDatasetGivesEveryUtteranceNormalisedWithoutTargets() {
    const fs::path dir = makeFeatures(root() / "unlabeled", 0, 5);
    QVERIFY(!fs::exists(root() / "unlabeled" / "targets"));
    const CmvnStats stats = statsOf(1, 3);  // another set's statistics, as a model's would be
    const std::vector<double> mean = stats.mean(), var = stats.variance();

    FeatureExampleSource source({dir}, kUnits);
    source.setCmvn(stats);
    QCOMPARE(source.size(), std::size_t{5});
    QCOMPARE(source.dims(), kDims);
    QCOMPARE(source.numUnits(), kUnits);
    for (int k = 0; k < 5; ++k) {
      const auto index = static_cast<std::size_t>(k);
      QCOMPARE(source.key(index), keyOf(0, k));
      QCOMPARE(source.frames(index), framesOf(k));
      const TrainingExample e = source.get(index);
      QCOMPARE(e.key, keyOf(0, k));
      QCOMPARE(e.frames, framesOf(k));
      QCOMPARE(e.dims, kDims);
      QVERIFY(e.targets.empty());
      for (std::size_t i = 0; i < static_cast<std::size_t>(e.frames * kDims); ++i) {
        const std::size_t d = i % kDims;
        const double want = (featureValue(0, k, i) - mean[d]) / std::sqrt(var[d]);
        QVERIFY2(std::fabs(e.feats[i] - want) < 1e-4,
                 (keyOf(0, k) + " value " + std::to_string(i)).c_str());
      }
    }
  }

  void testWithoutCmvnTheFeaturesAreTheStoredOnes() {
    const fs::path dir = makeFeatures(root() / "raw", 2, 3);
    FeatureExampleSource source({dir});
    QCOMPARE(source.numUnits(), 0);
    const TrainingExample e = source.get(2);
    for (std::size_t i = 0; i < static_cast<std::size_t>(e.frames * kDims); ++i)
      QCOMPARE(e.feats[i], featureValue(2, 2, i));
  }

  void testSeveralStoresAreReadInOrder() {
    const fs::path a = makeFeatures(root() / "multi-a", 3, 2);
    const fs::path b = makeFeatures(root() / "multi-b", 4, 3);
    FeatureExampleSource source({a, b});
    QCOMPARE(source.size(), std::size_t{5});
    QCOMPARE(source.key(1), keyOf(3, 1));
    QCOMPARE(source.key(2), keyOf(4, 0));
    QCOMPARE(source.storeOf(4), 1);
    QCOMPARE(source.get(4).frames, framesOf(2));
  }

  void testLabeledDatasetGivesWhatTheTrainingSourceGives() {
    const fs::path f = makeFeatures(root() / "labeled", 5, 4);
    const fs::path t = makeTargets(root() / "labeled-targets", 5, 4);
    const CmvnStats stats = statsOf(5, 4);
    StoreExampleSource labeled({f}, {t}, kDims, kUnits);
    for (int k = 0; k < 4; ++k) labeled.addItem({0, keyOf(5, k), framesOf(k)});
    labeled.setCmvn(stats);
    FeatureExampleSource features({f}, kUnits);
    features.setCmvn(stats);
    QCOMPARE(features.size(), labeled.size());
    for (std::size_t i = 0; i < labeled.size(); ++i) {
      const TrainingExample want = labeled.get(i);
      const TrainingExample got = features.get(i);
      QCOMPARE(got.key, want.key);
      QCOMPARE(got.frames, want.frames);
      QVERIFY(!want.targets.empty());
      QVERIFY(got.targets.empty());
      QVERIFY(std::equal(got.feats, got.feats + got.frames * kDims, want.feats));
    }
  }

  void testStoresOfDifferentDimensionsAreRefusedNamingTheStore() {
    const fs::path a = makeFeatures(root() / "dims-a", 6, 1);
    const fs::path b = makeFeatures(root() / "dims-b", 7, 1, kDims + 1);
    try {
      FeatureExampleSource source({a, b});
    } catch (const Error& e) {
      QVERIFY2(e.message().find(b.string()) != std::string::npos, e.message().c_str());
      return;
    }
    QFAIL("a store of another dimension was accepted");
  }
};

QTEST_GUILESS_MAIN(TestFeatureExamples)
#include "test_feature_examples.moc"
