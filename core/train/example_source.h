// Where training examples come from, and how they are cut into batches.
//
// The trainer reads utterances through the small ExampleSource interface, so
// tests feed synthetic data and the CLI plugs in the workspace's feature and
// target stores. An example is one utterance: `frames` x `dims` CMVN-normalised
// features at 10 ms and one target unit per model frame (30 ms; target j is the
// unit of 10 ms frame min(3j + 1, frames - 1), docs/alignments.md "The 30 ms
// target rule").
//
// BatchPlan turns the example lengths, a seed and an epoch number into a
// deterministic list of batches: shuffle, then (bucketing on) sort windows of
// `bucketWindow` batches' worth of utterances by length so that batches hold
// similar lengths, cut batches under `maxFrames` padded frames, and shuffle the
// batch order. The same (seed, epoch) always gives the same batches, which is
// what lets a resumed run continue with the same data order.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/audio/cmvn.h"
#include "core/recipe/trainer_config.h"

namespace understudy {
class FeatureStore;
}

namespace understudy::train {

struct TrainingExample {
  std::string key;
  const float* feats = nullptr;  // frames * dims, row-major; valid while the source lives
  int frames = 0;
  int dims = 0;
  std::vector<std::int32_t> targets;  // one per model frame
  std::shared_ptr<const void> keepAlive;  // owns `feats` when the source made a copy

  // Soft targets: a teacher's top-k posteriors (docs/training.md
  // "Objectives"); empty for labeled data. softK entries per model frame,
  // frame after frame: entry i of model frame j is unit softIds[j * softK + i]
  // with probability softProbs[j * softK + i]. An unused entry has id -1.
  int softK = 0;
  std::vector<std::int32_t> softIds;
  std::vector<float> softProbs;

  int softFrames() const { return softK > 0 ? static_cast<int>(softIds.size()) / softK : 0; }
};

// One utterance read from a feature store (checksum verified), copied and,
// unless `cmvn` is empty, normalised with it; no targets. The example owns its
// copy. Shared by every store-backed source, so they normalise alike.
TrainingExample readNormalisedExample(const FeatureStore& store, const std::string& key,
                                      const CmvnStats& cmvn);

class ExampleSource {
 public:
  virtual ~ExampleSource() = default;
  virtual std::size_t size() const = 0;
  // Length in 10 ms frames, without reading the features (for batching).
  virtual int frames(std::size_t index) const = 0;
  virtual TrainingExample get(std::size_t index) const = 0;
  virtual int dims() const = 0;
  // Size of the unit inventory the targets index into.
  virtual int numUnits() const = 0;
};

// Examples held in memory (tests, synthetic data, small corpora).
class InMemoryExampleSource : public ExampleSource {
 public:
  InMemoryExampleSource(int dims, int numUnits) : m_dims(dims), m_numUnits(numUnits) {}
  void add(std::string key, std::vector<float> feats, std::vector<std::int32_t> targets);
  // An utterance with soft targets (TrainingExample's layout; `targets` may
  // be empty). Ids must be -1 or in [0, numUnits), probabilities finite and >= 0.
  void addSoft(std::string key, std::vector<float> feats, int softK, std::vector<std::int32_t> softIds,
               std::vector<float> softProbs, std::vector<std::int32_t> targets = {});

  std::size_t size() const override { return m_items.size(); }
  int frames(std::size_t index) const override;
  TrainingExample get(std::size_t index) const override;
  int dims() const override { return m_dims; }
  int numUnits() const override { return m_numUnits; }

 private:
  struct Item {
    std::string key;
    std::vector<float> feats;
    std::vector<std::int32_t> targets;
    int softK = 0;
    std::vector<std::int32_t> softIds;
    std::vector<float> softProbs;
  };
  int m_dims;
  int m_numUnits;
  std::vector<Item> m_items;
};

// A view of some examples of another source, in the given order (validation
// splits, chunked copies are made elsewhere).
class SubsetExampleSource : public ExampleSource {
 public:
  SubsetExampleSource(std::shared_ptr<const ExampleSource> base, std::vector<std::size_t> indices)
      : m_base(std::move(base)), m_indices(std::move(indices)) {}
  std::size_t size() const override { return m_indices.size(); }
  int frames(std::size_t index) const override { return m_base->frames(m_indices.at(index)); }
  TrainingExample get(std::size_t index) const override { return m_base->get(m_indices.at(index)); }
  int dims() const override { return m_base->dims(); }
  int numUnits() const override { return m_base->numUnits(); }

 private:
  std::shared_ptr<const ExampleSource> m_base;
  std::vector<std::size_t> m_indices;
};

// Features without targets: every record of one or more feature stores (an
// unlabeled dataset to label, a test set to evaluate), in store order, each
// CMVN-normalised on read exactly as the training source does it (global
// statistics, CmvnStats::apply with the default options). Examples carry no
// targets. It reads any feature store the labeled source reads, with or
// without a target store next to it, and checks each record's checksum.
//
//   FeatureExampleSource unlabeled({featureStoreDir}, bundle.units.size());
//   unlabeled.setCmvn(bundle.cmvn);                  // the model's statistics
//   TrainingExample e = unlabeled.get(i);            // e.targets.empty()
class FeatureExampleSource : public ExampleSource {
 public:
  // Opens the stores (an Error names a store that is missing or whose feature
  // dimension differs from the first's). `numUnits` is what numUnits()
  // reports (the model's output size; 0 if unknown).
  explicit FeatureExampleSource(const std::vector<std::filesystem::path>& featureDirs,
                                int numUnits = 0);
  ~FeatureExampleSource() override;

  // Statistics of `dims()` dimensions; an empty CmvnStats switches CMVN off.
  void setCmvn(CmvnStats stats);
  const std::string& key(std::size_t index) const { return m_items.at(index).key; }
  // Index of the store (in constructor order) that holds example `index`.
  int storeOf(std::size_t index) const { return m_items.at(index).store; }

  std::size_t size() const override { return m_items.size(); }
  int frames(std::size_t index) const override { return m_items.at(index).frames; }
  TrainingExample get(std::size_t index) const override;
  int dims() const override { return m_dims; }
  int numUnits() const override { return m_numUnits; }

 private:
  struct Item {
    int store;
    std::string key;
    int frames;
  };
  struct Stores;
  std::unique_ptr<Stores> m_stores;
  std::vector<Item> m_items;
  int m_dims = 0;
  int m_numUnits;
  CmvnStats m_cmvn;
};

// Splits every example into pieces of at most `chunkModelFrames` model frames
// (3 x that many 10 ms frames), each with its own targets and soft targets:
// truncated BPTT where the LSTM state starts from zero in every chunk.
class ChunkedExampleSource : public ExampleSource {
 public:
  ChunkedExampleSource(std::shared_ptr<const ExampleSource> base, int chunkModelFrames,
                       int subsample = 3);
  std::size_t size() const override { return m_pieces.size(); }
  int frames(std::size_t index) const override { return m_pieces.at(index).frames; }
  TrainingExample get(std::size_t index) const override;
  int dims() const override { return m_base->dims(); }
  int numUnits() const override { return m_base->numUnits(); }

 private:
  struct Piece {
    std::size_t item;
    int firstFrame;  // 10 ms
    int frames;      // 10 ms
    int firstTarget;
  };
  std::shared_ptr<const ExampleSource> m_base;
  int m_subsample;
  std::vector<Piece> m_pieces;
};

// max_frames, bucket, bucket_window, shuffle: the trainer config's batching
// section, torch-free in core/recipe/trainer_config.h.
using recipe::BatchingOptions;

// The batches of one epoch: each a list of example indices.
std::vector<std::vector<std::size_t>> planEpochBatches(const std::vector<int>& lengths,
                                                       const BatchingOptions& options,
                                                       std::uint64_t seed, std::int64_t epoch);

// A deterministic 64-bit mix (splitmix64), for deriving seeds.
std::uint64_t mixSeed(std::uint64_t a, std::uint64_t b);

}  // namespace understudy::train
