// Training examples from a workspace: a dataset's fbank features (FeatureStore)
// joined by key with its 30 ms frame targets (TargetStore, built by
// `understudy-cli targets`), CMVN-normalised with global statistics.
//
//   WorkspaceData d = loadWorkspaceData(ws, cfg.data);
//   Trainer trainer(cfg, d.train, d.validation, dir);
//   d.cmvn.save(modelDir / "cmvn.stats");   // labeling and decoding need it
//
// Utterances without targets (rejected by the targets step) or without
// features are left out and counted. The validation set is data.validation's
// datasets, or else a held-out fraction of the training utterances chosen by a
// hash of the key (stable whatever the order or the number of datasets).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/audio/cmvn.h"
#include "core/store/unit_inventory.h"
#include "core/train/example_source.h"
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

struct WorkspaceData {
  std::shared_ptr<StoreExampleSource> train;
  std::shared_ptr<StoreExampleSource> validation;  // null if there is none
  UnitInventory units;
  std::int64_t unitInventoryId = 0;  // unit_inventories.id (0 if unknown)
  CmvnStats cmvn;
  std::size_t missingTargets = 0;   // feature records without targets (rejected or not built)
  std::size_t missingFeatures = 0;  // target records without features
  std::int64_t trainFrames = 0;
};

WorkspaceData loadWorkspaceData(Workspace& ws, const DataConfig& data);

}  // namespace understudy::train
