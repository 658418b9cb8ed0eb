#include "core/train/workspace_data.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "core/align/target_store.h"
#include "core/store/catalog.h"
#include "core/store/feature_store.h"
#include "core/store/workspace.h"
#include "core/util/checksum.h"
#include "core/util/error.h"
#include "core/util/log.h"

namespace understudy::train {

namespace fs = std::filesystem;

struct StoreExampleSource::Stores {
  std::vector<FeatureStore> features;
  std::vector<TargetStore> targets;
};

StoreExampleSource::StoreExampleSource(std::vector<fs::path> featureDirs,
                                       std::vector<fs::path> targetDirs, int dims, int numUnits)
    : m_stores(std::make_unique<Stores>()), m_dims(dims), m_numUnits(numUnits) {
  for (const auto& d : featureDirs) m_stores->features.push_back(FeatureStore::open(d));
  for (const auto& d : targetDirs) m_stores->targets.push_back(TargetStore::open(d));
}

StoreExampleSource::~StoreExampleSource() = default;

CmvnStats StoreExampleSource::computeCmvn() const {
  CmvnStats stats(m_dims);
  for (const auto& item : m_items) {
    FeatureMatrixView v = m_stores->features.at(static_cast<std::size_t>(item.store)).read(item.key);
    stats.accumulate(v.data, v.frames, v.dims);
  }
  return stats;
}

TrainingExample StoreExampleSource::get(std::size_t index) const {
  const Item& item = m_items.at(index);
  const auto store = static_cast<std::size_t>(item.store);
  TrainingExample e = readNormalisedExample(m_stores->features.at(store), item.key, m_cmvn);
  e.targets = m_stores->targets.at(store).read(item.key);
  return e;
}

namespace {

struct DatasetStores {
  std::string name;
  fs::path features;
  fs::path targets;
  std::int64_t inventoryId = 0;
};

DatasetStores locate(Workspace& ws, const std::string& dataset, const std::string& featureSet) {
  Catalog catalog(ws);
  DatasetStores d;
  d.name = dataset;
  DatasetRow row;
  FeatureSetRow features;
  try {
    row = catalog.dataset(dataset);
  } catch (Error& e) {
    throw e.key("data.train");
  }
  try {
    features = catalog.featureSet(row, featureSet);
  } catch (Error& e) {
    throw e.key("data.feature_set");
  }
  d.features = catalog.absolute(features.path);
  d.targets = TargetStore::datasetDir(ws.root(), dataset);
  if (!TargetStore::open(d.targets).size())
    throw US_ERROR("dataset '" + dataset + "' has no frame targets")
        .hint("build them: understudy-cli targets -w WS --dataset " + dataset);
  if (auto targets = catalog.findAlignmentSet(row, Catalog::kTargetsAlignmentSet))
    d.inventoryId = targets->unitInventoryId;
  return d;
}

}  // namespace

WorkspaceData loadWorkspaceData(Workspace& ws, const DataConfig& data) {
  if (data.train.empty())
    throw US_ERROR("no training datasets").key("data.train").hint("data: { train: [synth-labeled] }");
  WorkspaceData out;
  std::vector<DatasetStores> trainSets, validSets;
  for (const auto& name : data.train) trainSets.push_back(locate(ws, name, data.featureSet));
  for (const auto& name : data.validation) validSets.push_back(locate(ws, name, data.featureSet));

  int dims = 0;
  auto makeSource = [&](const std::vector<DatasetStores>& sets) {
    std::vector<fs::path> f, t;
    for (const auto& s : sets) {
      f.push_back(s.features);
      t.push_back(s.targets);
    }
    // Check units and dims across datasets before building the source.
    for (const auto& s : sets) {
      TargetStore targets = TargetStore::open(s.targets);
      if (out.units.empty()) {
        out.units = targets.units();
        out.unitInventoryId = s.inventoryId;
      } else if (!(targets.units() == out.units)) {
        throw US_ERROR("dataset '" + s.name + "' has targets over a different unit inventory (" +
                       std::to_string(targets.units().size()) + " units vs " +
                       std::to_string(out.units.size()) + ")")
            .hint("rebuild its targets with the same phones.txt");
      }
      FeatureStore features = FeatureStore::open(s.features);
      if (dims == 0) dims = features.dims();
      if (features.dims() != dims)
        throw US_ERROR(fmt::format("dataset '{}' has {}-dim features, others {}", s.name,
                                   features.dims(), dims))
            .key("data.feature_set");
    }
    return std::make_shared<StoreExampleSource>(f, t, dims, out.units.size());
  };

  out.train = makeSource(trainSets);
  std::shared_ptr<StoreExampleSource> valid = validSets.empty() ? nullptr : makeSource(validSets);

  // Join features and targets by key.
  auto collect = [&](const std::vector<DatasetStores>& sets, auto&& visit) {
    for (std::size_t i = 0; i < sets.size(); ++i) {
      FeatureStore features = FeatureStore::open(sets[i].features);
      TargetStore targets = TargetStore::open(sets[i].targets);
      std::set<std::string> featureKeys;
      for (const auto& info : features.records().records()) {
        featureKeys.insert(info.key);
        if (!targets.contains(info.key)) {
          ++out.missingTargets;
          continue;
        }
        visit(StoreExampleSource::Item{static_cast<int>(i), info.key, static_cast<int>(info.rows)});
      }
      for (const auto& key : targets.keys())
        if (!featureKeys.count(key)) ++out.missingFeatures;
    }
  };

  // Held-out fraction by a hash of the key: stable under reordering.
  const auto threshold = static_cast<std::uint64_t>(data.validationFraction * 18446744073709551615.0);
  const bool split = !valid && data.validationFraction > 0.0;
  std::vector<StoreExampleSource::Item> trainItems, validItems;
  collect(trainSets, [&](StoreExampleSource::Item item) {
    if (split && checksum64(item.key.data(), item.key.size()) < threshold)
      validItems.push_back(std::move(item));
    else
      trainItems.push_back(std::move(item));
  });
  if (data.maxUtterances > 0 && trainItems.size() > static_cast<std::size_t>(data.maxUtterances))
    trainItems.resize(static_cast<std::size_t>(data.maxUtterances));
  for (auto& item : trainItems) {
    out.trainFrames += item.frames;
    out.train->addItem(std::move(item));
  }
  if (split) {
    // The held-out items live in the training stores: share them.
    std::vector<fs::path> f, t;
    for (const auto& s : trainSets) {
      f.push_back(s.features);
      t.push_back(s.targets);
    }
    valid = std::make_shared<StoreExampleSource>(f, t, dims, out.units.size());
    for (auto& item : validItems) valid->addItem(std::move(item));
  } else if (valid) {
    collect(validSets, [&](StoreExampleSource::Item item) { valid->addItem(std::move(item)); });
  }
  if (out.train->size() == 0)
    throw US_ERROR("no training utterance has both features and targets")
        .key("data.train")
        .hint("run `understudy-cli features` and `understudy-cli targets` for the datasets");

  // Global CMVN: the first training dataset's stats if the features step
  // wrote them, else accumulated over the training utterances.
  const fs::path statsPath = trainSets.front().features / "cmvn.stats";
  if (trainSets.size() == 1 && fs::exists(statsPath)) {
    out.cmvn = CmvnStats::load(statsPath.string());
  } else {
    out.cmvn = out.train->computeCmvn();
  }
  out.train->setCmvn(out.cmvn);
  if (valid && valid->size() > 0) {
    valid->setCmvn(out.cmvn);
    out.validation = valid;
  }
  // The CLI prints the totals itself; what only this loader knows is what it left out.
  log::debug("training data: {} utterances ({} frames), validation {}, {} units",
             out.train->size(), out.trainFrames, out.validation ? out.validation->size() : 0,
             out.units.size());
  if (out.missingTargets > 0 || out.missingFeatures > 0)
    log::warning("training data: {} utterances without targets and {} without features are left out",
                 out.missingTargets, out.missingFeatures);
  return out;
}

}  // namespace understudy::train
