// Training examples from a workspace: a dataset's fbank features (FeatureStore)
// joined by key with its 30 ms frame targets (TargetStore, built by
// `understudy-cli targets`), or, for data.soft, with a teacher's soft labels
// (SoftLabelStore, built by `understudy-cli label`); CMVN-normalised with the
// global statistics of the labeled training data, for every stream alike.
//
//   WorkspaceData d = loadWorkspaceData(ws, cfg);
//   Trainer trainer(cfg, trainingData(d), dir);
//   d.cmvn.save(modelDir / "cmvn.stats");   // labeling and decoding need it
//
// Utterances without targets (rejected by the targets step), without soft
// labels or without features are left out and counted. The validation set is
// a held-out fraction of the training utterances chosen by a hash of the key
// (stable whatever the order or the number of datasets); data.validation's
// datasets are loaded beside it, each on its own.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/audio/cmvn.h"
#include "core/store/unit_inventory.h"
#include "core/train/example_source.h"
#include "core/train/trainer.h"
#include "core/train/trainer_config.h"

namespace understudy {
class Workspace;
}

namespace understudy::train {

// Features of the datasets' stores, normalised on read.
class StoreExampleSource : public ExampleSource {
 public:
  struct Item {
    int store;
    std::string key;
    int frames;
  };
  StoreExampleSource(std::vector<std::filesystem::path> featureDirs,
                     std::vector<std::filesystem::path> targetDirs, int dims, int numUnits);
  ~StoreExampleSource() override;

  void addItem(Item item) { m_items.push_back(std::move(item)); }
  void setCmvn(CmvnStats stats) { m_cmvn = std::move(stats); }
  const std::vector<Item>& items() const { return m_items; }
  // Accumulates global CMVN statistics over every item's raw features.
  CmvnStats computeCmvn() const;

  std::size_t size() const override { return m_items.size(); }
  int frames(std::size_t index) const override { return m_items.at(index).frames; }
  TrainingExample get(std::size_t index) const override;
  int dims() const override { return m_dims; }
  int numUnits() const override { return m_numUnits; }

 private:
  struct Stores;
  std::unique_ptr<Stores> m_stores;
  std::vector<Item> m_items;
  int m_dims;
  int m_numUnits;
  CmvnStats m_cmvn;
};

// Teacher-labeled examples: the features of one or more datasets (normalised
// on read as StoreExampleSource does) with their soft labels, a
// SoftLabelStore's k ids and probabilities per model frame in
// TrainingExample::softK/softIds/softProbs; no frame targets.
class SoftLabeledExampleSource : public ExampleSource {
 public:
  struct Item {
    int store;  // index of the (features, soft labels) pair
    std::string key;
    int frames;  // 10 ms
  };
  // Stores in pairs: featureDirs[i] with softLabelDirs[i].
  SoftLabeledExampleSource(std::vector<std::filesystem::path> featureDirs,
                           std::vector<std::filesystem::path> softLabelDirs, int dims, int numUnits,
                           int subsample);
  ~SoftLabeledExampleSource() override;

  void addItem(Item item) { m_items.push_back(std::move(item)); }
  void setCmvn(CmvnStats stats) { m_cmvn = std::move(stats); }
  const std::vector<Item>& items() const { return m_items; }

  std::size_t size() const override { return m_items.size(); }
  int frames(std::size_t index) const override { return m_items.at(index).frames; }
  // Throws naming the utterance when its labels do not have one frame per
  // model frame (outputFrames(frames, subsample)).
  TrainingExample get(std::size_t index) const override;
  int dims() const override { return m_dims; }
  int numUnits() const override { return m_numUnits; }

 private:
  struct Stores;
  std::unique_ptr<Stores> m_stores;
  std::vector<Item> m_items;
  int m_dims;
  int m_numUnits;
  int m_subsample;
  CmvnStats m_cmvn;
};

// True if `key` falls in the held-out share `fraction` (0..1) of a dataset:
// the split data.validation_fraction takes out of training, by an XXH3 hash
// of the key (stable under reordering). `decode --tune-on` tunes there.
bool inHeldOutSplit(const std::string& key, double fraction);

struct WorkspaceData {
  std::shared_ptr<StoreExampleSource> train;
  // The share data.validation_fraction of the training utterances (null if none).
  std::shared_ptr<StoreExampleSource> validation;
  // data.validation's datasets, by name, in config order.
  std::vector<std::pair<std::string, std::shared_ptr<StoreExampleSource>>> validationSets;
  std::shared_ptr<SoftLabeledExampleSource> soft;  // data.soft's datasets; null if none
  UnitInventory units;
  std::int64_t unitInventoryId = 0;  // unit_inventories.id (0 if unknown)
  CmvnStats cmvn;
  std::size_t missingTargets = 0;   // feature records without targets (rejected or not built)
  std::size_t missingFeatures = 0;  // target records without features
  std::size_t missingSoftLabels = 0;    // data.soft: feature records without soft labels
  std::size_t missingSoftFeatures = 0;  // data.soft: soft-label records without features
  std::int64_t trainFrames = 0;
  std::int64_t softFrames = 0;  // 10 ms frames of the soft-labeled utterances
};

// Loads `config.data` (the model's subsample checks the soft labels' frame counts).
WorkspaceData loadWorkspaceData(Workspace& ws, const TrainerConfig& config);

// The sources a Trainer takes.
TrainingData trainingData(const WorkspaceData& data);

}  // namespace understudy::train
