// Where a run's batches come from, and how far it has got in each source.
//
// A DataStream is one kind of training data (the labeled set; the
// teacher-labeled set for the student) cut into seeded epochs of batches:
// epoch e's batches are planEpochBatches(lengths, batching, seed, e), and the
// stream's position is (epoch, index of the next batch in that epoch's
// plan). A BatchStream holds a run's data streams by name. The trainer asks
// it, step by step, for the next batch of whichever stream the schedule
// picks, and checkpoints save every stream's position, so a resumed run
// continues each stream exactly where it stopped, however the schedule
// interleaves them (docs/training.md "Data streams").
//
//   BatchStream streams;
//   streams.add(DataStream("labeled", source, config.batching, config.seed));
//   DataStream& s = streams.at(0);
//   if (s.epochDone()) s.startNextEpoch();
//   Batch b = collateBatch(s.examples(), subsample);  // then train on it
//   s.advance();
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/train/example_source.h"

namespace understudy::train {

struct StreamPosition {
  std::int64_t epoch = 0;  // the epoch being taken (epochs completed before it)
  std::int64_t batch = 0;  // the next batch of that epoch's plan
  bool operator==(const StreamPosition& o) const { return epoch == o.epoch && batch == o.batch; }
  bool operator!=(const StreamPosition& o) const { return !(*this == o); }
};

// Which of the epoch's batches a rank takes (data parallelism): batches
// index, index + count, index + 2 count, ... of the one seeded plan that
// every rank computes alike, the plan cut to a multiple of count so that
// every rank takes as many batches per epoch (the last B mod count batches
// of an epoch are left out, as DistributedSampler's drop_last does).
struct Shard {
  int index = 0;
  int count = 1;
};

class DataStream {
 public:
  // Starts at epoch 0, batch 0. The source must not be empty, and an
  // epoch must have at least shard.count batches.
  DataStream(std::string name, std::shared_ptr<const ExampleSource> source, BatchingOptions batching,
             std::uint64_t seed, Shard shard = {});

  const std::string& name() const { return m_name; }
  const ExampleSource& source() const { return *m_source; }
  const Shard& shard() const { return m_shard; }
  // Takes another shard from the start of the current epoch's plan.
  void setShard(Shard shard);
  // The position in this rank's batches. Checkpoints store batch x
  // shard.count (global batches taken), so that a run may resume with another
  // number of ranks.
  StreamPosition position() const { return m_position; }
  // This rank's batches in the current epoch's plan.
  std::size_t batchesInEpoch() const { return m_plan.size(); }
  // Every batch of the current epoch has been taken.
  bool epochDone() const { return m_position.batch >= static_cast<std::int64_t>(m_plan.size()); }
  // The next epoch, from its first batch.
  void startNextEpoch();
  // The next batch's example indices and examples (read from the source);
  // neither moves the position. Not when epochDone().
  const std::vector<std::size_t>& nextBatch() const;
  std::vector<TrainingExample> examples() const;
  // Past the batch just taken.
  void advance();

  // Why `p` is not a position of this stream ("" if it is): a negative
  // value, or a batch index past the end of its epoch's plan (then the data
  // differ from the run that saved it).
  std::string checkPosition(StreamPosition p) const;
  // Moves to `p` (checkPosition must accept it; throws otherwise).
  void seek(StreamPosition p);

 private:
  void plan();
  // Epoch `epoch`'s batches for this shard.
  std::vector<std::vector<std::size_t>> planFor(std::int64_t epoch) const;

  std::string m_name;
  std::shared_ptr<const ExampleSource> m_source;
  BatchingOptions m_batching;
  std::uint64_t m_seed;
  Shard m_shard;
  std::vector<int> m_lengths;
  StreamPosition m_position;
  std::vector<std::vector<std::size_t>> m_plan;  // m_position.epoch's
};

// A saved stream position, by stream name (a checkpoint's "stream_*" keys).
using StreamPositions = std::vector<std::pair<std::string, StreamPosition>>;

class BatchStream {
 public:
  // Adds a stream under its (unique) name; returns its index.
  std::size_t add(DataStream stream);
  std::size_t size() const { return m_streams.size(); }
  DataStream& at(std::size_t index) { return m_streams.at(index); }
  const DataStream& at(std::size_t index) const { return m_streams.at(index); }

  // Every stream's position, in the order the streams were added.
  StreamPositions positions() const;
  // Throws (naming `where`, e.g. the checkpoint file) unless `saved` holds
  // exactly this run's streams, each once, at a position that stream has.
  void checkPositions(const StreamPositions& saved, const std::string& where) const;
  // checkPositions, then moves every stream to its saved position.
  void restore(const StreamPositions& saved, const std::string& where);

 private:
  std::vector<DataStream> m_streams;
};

}  // namespace understudy::train
