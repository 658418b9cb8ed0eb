#include "core/train/workspace_data.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <set>

#include "core/align/target_store.h"
#include "core/store/catalog.h"
#include "core/store/feature_store.h"
#include "core/store/model_registry.h"
#include "core/store/soft_label_sets.h"
#include "core/store/soft_label_store.h"
#include "core/store/workspace.h"
#include "core/util/checksum.h"
#include "core/util/error.h"
#include "core/util/frame_rule.h"
#include "core/util/log.h"

namespace understudy::train {

bool inHeldOutSplit(const std::string& key, double fraction) {
  // Held-out fraction by a hash of the key: stable under reordering.
  if (!(fraction > 0.0)) return false;
  if (fraction >= 1.0) return true;  // 2^64 does not fit the threshold
  const auto threshold = static_cast<std::uint64_t>(fraction * 18446744073709551615.0);
  return checksum64(key.data(), key.size()) < threshold;
}

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

struct SoftLabeledExampleSource::Stores {
  std::vector<FeatureStore> features;
  std::vector<SoftLabelStore> labels;
};

SoftLabeledExampleSource::SoftLabeledExampleSource(std::vector<fs::path> featureDirs,
                                                   std::vector<fs::path> softLabelDirs, int dims,
                                                   int numUnits, int subsample)
    : m_stores(std::make_unique<Stores>()), m_dims(dims), m_numUnits(numUnits), m_subsample(subsample) {
  if (featureDirs.size() != softLabelDirs.size())
    throw US_ERROR(fmt::format("{} feature stores for {} soft-label stores", featureDirs.size(),
                               softLabelDirs.size()));
  for (const auto& d : featureDirs) m_stores->features.push_back(FeatureStore::open(d));
  for (const auto& d : softLabelDirs) m_stores->labels.push_back(SoftLabelStore::open(d));
}

SoftLabeledExampleSource::~SoftLabeledExampleSource() = default;

TrainingExample SoftLabeledExampleSource::get(std::size_t index) const {
  const Item& item = m_items.at(index);
  const auto store = static_cast<std::size_t>(item.store);
  TrainingExample e = readNormalisedExample(m_stores->features.at(store), item.key, m_cmvn);
  const SoftLabelStore& labels = m_stores->labels.at(store);
  const SoftLabels s = labels.read(item.key);
  const auto wanted = outputFrames(e.frames, m_subsample);
  if (s.frames != wanted)
    throw US_ERROR(fmt::format("soft labels have {} frames, the features {} (= {} model frames)", s.frames,
                               e.frames, wanted))
        .file(labels.dir().string())
        .utterance(item.key);
  e.softK = s.k;
  e.softIds.assign(s.ids.begin(), s.ids.end());
  e.softProbs = s.probs;
  return e;
}

namespace {

struct DatasetStores {
  std::string name;
  fs::path features;
  fs::path targets;
  std::int64_t inventoryId = 0;
};

// A dataset's row and feature set; errors name `key`.
std::pair<DatasetRow, fs::path> locateFeatures(Catalog& catalog, const std::string& dataset,
                                               const std::string& featureSet, const std::string& key) {
  DatasetRow row;
  FeatureSetRow features;
  try {
    row = catalog.dataset(dataset);
  } catch (Error& e) {
    throw e.key(key);
  }
  try {
    features = catalog.featureSet(row, featureSet);
  } catch (Error& e) {
    throw e.key("data.feature_set");
  }
  return {row, catalog.absolute(features.path)};
}

DatasetStores locate(Workspace& ws, const std::string& dataset, const std::string& featureSet,
                     const std::string& key) {
  Catalog catalog(ws);
  DatasetStores d;
  d.name = dataset;
  const auto [row, features] = locateFeatures(catalog, dataset, featureSet, key);
  d.features = features;
  d.targets = TargetStore::datasetDir(ws, dataset);
  if (!TargetStore::open(d.targets).size())
    throw US_ERROR("dataset '" + dataset + "' has no frame targets")
        .key(key)
        .hint("build them: understudy-cli targets -w WS --dataset " + dataset);
  if (auto targets = catalog.findAlignmentSet(row, Catalog::kTargetsAlignmentSet))
    d.inventoryId = targets->unitInventoryId;
  return d;
}

// data.soft: every dataset's features joined by key with its soft-label set.
void loadSoftData(Workspace& ws, const TrainerConfig& config, int dims, WorkspaceData& out) {
  const DataConfig& data = config.data;
  if (data.soft.empty()) return;
  Catalog catalog(ws);
  const auto subsample = config.model.subsample;
  std::vector<fs::path> featureDirs, labelDirs;
  std::vector<SoftLabeledExampleSource::Item> items;
  for (std::size_t i = 0; i < data.soft.size(); ++i) {
    const SoftDataConfig& soft = data.soft[i];
    const std::string key = fmt::format("data.soft[{}]", i);
    const fs::path features = locateFeatures(catalog, soft.dataset, data.featureSet, key + ".dataset").second;
    SoftLabelSetRow set;
    try {
      set = locateSoftLabelSet(ws, soft.dataset, soft.model, soft.labels);
    } catch (Error& e) {
      throw e.key(key).hint(e.hintText() + " (in the config: data.soft's `labels: FOLDER` or `model: NAME`)");
    }
    const fs::path labelDir = catalog.absolute(set.path);
    const SoftLabelStore labels = SoftLabelStore::open(labelDir);
    // The ids must mean the same units as the labeled data's targets.
    const auto teacher = findModel(ws.db(), set.modelId);
    const std::string teacherName = teacher ? teacher->name : "?";
    if (labels.options().numUnits != out.units.size() ||
        (teacher && teacher->unitInventoryId > 0 && out.unitInventoryId > 0 &&
         teacher->unitInventoryId != out.unitInventoryId))
      throw US_ERROR(fmt::format("soft labels of '{}' by model '{}' use another unit inventory ({} units) "
                                 "than the targets of data.train ({} units)",
                                 soft.dataset, teacherName, labels.options().numUnits, out.units.size()))
          .file(labelDir.string())
          .key(key)
          .hint("label the dataset with a teacher trained on the same units as data.train");
    const FeatureStore featureStore = FeatureStore::open(features);
    if (featureStore.dims() != dims)
      throw US_ERROR(fmt::format("dataset '{}' has {}-dim features, data.train {}", soft.dataset,
                                 featureStore.dims(), dims))
          .key("data.feature_set");
    const int store = static_cast<int>(featureDirs.size());
    featureDirs.push_back(features);
    labelDirs.push_back(labelDir);
    std::set<std::string> featureKeys;
    std::size_t taken = 0;
    for (const auto& info : featureStore.records().records()) {
      featureKeys.insert(info.key);
      if (!labels.contains(info.key)) {
        ++out.missingSoftLabels;
        continue;
      }
      // One label frame per model frame: else the labels were made from other
      // features or by a model with another subsampling.
      const auto wanted = outputFrames(static_cast<std::int64_t>(info.rows), subsample);
      if (labels.frames(info.key) != wanted)
        throw US_ERROR(fmt::format("soft labels have {} frames, but its {} feature frames make {} model frames "
                                   "at model.subsample {}",
                                   labels.frames(info.key), info.rows, wanted, subsample))
            .file(labelDir.string())
            .utterance(info.key)
            .key(key)
            .hint("label dataset '" + soft.dataset + "' again from the feature set the student trains on, "
                  "with a teacher of the same subsampling");
      if (data.maxUtterances > 0 && static_cast<std::int64_t>(items.size()) >= data.maxUtterances) continue;
      items.push_back({store, info.key, static_cast<int>(info.rows)});
      out.softFrames += static_cast<std::int64_t>(info.rows);
      ++taken;
    }
    for (const auto& k : labels.keys())
      if (!featureKeys.count(k)) ++out.missingSoftFeatures;
    log::debug("soft-labeled data: {} utterances of '{}' with labels '{}' (model '{}', k {})", taken,
               soft.dataset, softLabelSetFolder(set), teacherName, labels.k());
  }
  if (items.empty())
    throw US_ERROR("no soft-labeled utterance has both features and soft labels")
        .key("data.soft")
        .hint("label the datasets with understudy-cli label, from their current feature sets");
  out.soft = std::make_shared<SoftLabeledExampleSource>(featureDirs, labelDirs, dims, out.units.size(),
                                                        static_cast<int>(subsample));
  for (auto& item : items) out.soft->addItem(std::move(item));
  out.soft->setCmvn(out.cmvn);
  if (out.missingSoftLabels > 0 || out.missingSoftFeatures > 0)
    log::warning("soft-labeled data: {} utterances without soft labels and {} without features are left out",
                 out.missingSoftLabels, out.missingSoftFeatures);
}

}  // namespace

WorkspaceData loadWorkspaceData(Workspace& ws, const TrainerConfig& config) {
  const DataConfig& data = config.data;
  if (data.train.empty())
    throw US_ERROR("no training datasets").key("data.train").hint("data: { train: [synth-labeled] }");
  WorkspaceData out;
  std::vector<DatasetStores> trainSets, validSets;
  for (const auto& name : data.train) trainSets.push_back(locate(ws, name, data.featureSet, "data.train"));
  for (const auto& name : data.validation)
    validSets.push_back(locate(ws, name, data.featureSet, "data.validation"));

  int dims = 0;
  std::optional<DatasetStores> unitsFrom, dimsFrom;  // the datasets the others must match
  auto makeSource = [&](const std::vector<DatasetStores>& sets) {
    std::vector<fs::path> f, t;
    for (const auto& s : sets) {
      f.push_back(s.features);
      t.push_back(s.targets);
    }
    // Check units and dims across datasets (and against the model) before
    // building the source: a mismatch stops the run before it writes anything.
    for (const auto& s : sets) {
      TargetStore targets = TargetStore::open(s.targets);
      if (!unitsFrom) {
        out.units = targets.units();
        out.unitInventoryId = s.inventoryId;
        unitsFrom = s;
      } else if (!(targets.units() == out.units)) {
        throw US_ERROR(fmt::format("datasets '{}' and '{}' cannot train one model: their targets use different "
                                   "unit inventories ({} units in {}, {} units in {})",
                                   unitsFrom->name, s.name, out.units.size(), unitsFrom->targets.string(),
                                   targets.units().size(), s.targets.string()))
            .file(s.targets.string())
            .hint("rebuild both datasets' targets with the same phones.txt (understudy-cli targets "
                  "--units FILE), or train them separately");
      }
      FeatureStore features = FeatureStore::open(s.features);
      if (!dimsFrom) {
        dims = features.dims();
        dimsFrom = s;
        if (dims != config.model.inputDim)
          throw US_ERROR(fmt::format("dataset '{}': feature set {} has {}-dim features, model '{}' has "
                                     "model.input_dim {}",
                                     s.name, s.features.string(), dims, config.name, config.model.inputDim))
              .key("model.input_dim")
              .file(s.features.string())
              .hint(fmt::format("pick a feature set of {} dims with data.feature_set (a resumed model keeps the "
                                "input size it was trained with), or set model.input_dim: {} for a new model",
                                config.model.inputDim, dims));
      } else if (features.dims() != dims) {
        throw US_ERROR(fmt::format("datasets '{}' and '{}' have features of different sizes ({} dims in {}, {} "
                                   "dims in {})",
                                   dimsFrom->name, s.name, dims, dimsFrom->features.string(), features.dims(),
                                   s.features.string()))
            .key("data.feature_set")
            .file(s.features.string())
            .hint("compute both datasets' features with the same config and name it in data.feature_set");
      }
    }
    return std::make_shared<StoreExampleSource>(f, t, dims, out.units.size());
  };

  out.train = makeSource(trainSets);
  for (const auto& set : validSets) out.validationSets.emplace_back(set.name, makeSource({set}));

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

  const bool split = data.validationFraction > 0.0;
  std::vector<StoreExampleSource::Item> trainItems, validItems;
  collect(trainSets, [&](StoreExampleSource::Item item) {
    if (inHeldOutSplit(item.key, data.validationFraction))
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
  std::shared_ptr<StoreExampleSource> valid;
  if (split) {
    // The held-out items live in the training stores: share them.
    std::vector<fs::path> f, t;
    for (const auto& s : trainSets) {
      f.push_back(s.features);
      t.push_back(s.targets);
    }
    valid = std::make_shared<StoreExampleSource>(f, t, dims, out.units.size());
    for (auto& item : validItems) valid->addItem(std::move(item));
  }
  for (std::size_t i = 0; i < validSets.size(); ++i)
    collect({validSets[i]}, [&](StoreExampleSource::Item item) { out.validationSets[i].second->addItem(std::move(item)); });
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
  for (auto& [name, source] : out.validationSets) {
    if (source->size() == 0)
      throw US_ERROR("validation dataset '" + name + "' has no utterance with both features and targets")
          .key("data.validation")
          .hint("run `understudy-cli features` and `understudy-cli targets` for it");
    source->setCmvn(out.cmvn);
  }
  // The CLI prints the totals itself; what only this loader knows is what it left out.
  log::debug("training data: {} utterances ({} frames), validation {}, {} units",
             out.train->size(), out.trainFrames, out.validation ? out.validation->size() : 0,
             out.units.size());
  if (out.missingTargets > 0 || out.missingFeatures > 0)
    log::warning("training data: {} utterances without targets and {} without features are left out",
                 out.missingTargets, out.missingFeatures);
  loadSoftData(ws, config, dims, out);
  return out;
}

TrainingData trainingData(const WorkspaceData& data) {
  TrainingData t;
  t.labeled = data.train;
  t.soft = data.soft;
  t.validation = data.validation;
  for (const auto& [name, source] : data.validationSets) t.validationSets.push_back({name, source});
  return t;
}

}  // namespace understudy::train
