#include "core/train/batch_stream.h"

#include <fmt/format.h>

#include <set>

#include "core/util/error.h"

namespace understudy::train {

DataStream::DataStream(std::string name, std::shared_ptr<const ExampleSource> source,
                       BatchingOptions batching, std::uint64_t seed, Shard shard)
    : m_name(std::move(name)), m_source(std::move(source)), m_batching(batching), m_seed(seed), m_shard(shard) {
  if (!m_source || m_source->size() == 0) throw US_ERROR("data stream '" + m_name + "' has no utterances");
  m_lengths.resize(m_source->size());
  for (std::size_t i = 0; i < m_lengths.size(); ++i) m_lengths[i] = m_source->frames(i);
  setShard(shard);
}

void DataStream::setShard(Shard shard) {
  if (shard.count < 1 || shard.index < 0 || shard.index >= shard.count)
    throw US_ERROR(fmt::format("data stream '{}': shard {} of {} does not exist", m_name, shard.index, shard.count));
  m_shard = shard;
  plan();
  if (m_plan.empty())
    throw US_ERROR(fmt::format("data stream '{}' has {} batches per epoch, fewer than the {} ranks", m_name,
                               planEpochBatches(m_lengths, m_batching, m_seed, m_position.epoch).size(),
                               m_shard.count))
        .hint("use fewer workers, smaller batches (batching.max_frames) or more data");
}

std::vector<std::vector<std::size_t>> DataStream::planFor(std::int64_t epoch) const {
  auto all = planEpochBatches(m_lengths, m_batching, m_seed, epoch);
  if (m_shard.count == 1) return all;
  const std::size_t count = static_cast<std::size_t>(m_shard.count);
  std::vector<std::vector<std::size_t>> mine;
  mine.reserve(all.size() / count);
  const std::size_t usable = all.size() / count * count;  // the same number for every rank
  for (std::size_t b = static_cast<std::size_t>(m_shard.index); b < usable; b += count)
    mine.push_back(std::move(all[b]));
  return mine;
}

void DataStream::plan() { m_plan = planFor(m_position.epoch); }

void DataStream::startNextEpoch() {
  ++m_position.epoch;
  m_position.batch = 0;
  plan();
}

const std::vector<std::size_t>& DataStream::nextBatch() const {
  if (epochDone())
    throw US_ERROR(fmt::format("data stream '{}' has no batch left in epoch {}", m_name, m_position.epoch));
  return m_plan[static_cast<std::size_t>(m_position.batch)];
}

std::vector<TrainingExample> DataStream::examples() const {
  const auto& indices = nextBatch();
  std::vector<TrainingExample> out;
  out.reserve(indices.size());
  for (auto i : indices) out.push_back(m_source->get(i));
  return out;
}

void DataStream::advance() {
  nextBatch();  // throws past the end of the epoch
  ++m_position.batch;
}

std::string DataStream::checkPosition(StreamPosition p) const {
  if (p.epoch < 0 || p.batch < 0) return fmt::format("epoch {} batch {} is negative", p.epoch, p.batch);
  const std::size_t batches =
      p.epoch == m_position.epoch ? m_plan.size() : planFor(p.epoch).size();
  // batch == batches: the epoch is done (the next step starts the next one).
  if (p.batch > static_cast<std::int64_t>(batches))
    return fmt::format("batch {} of epoch {} is past the epoch's {} batches", p.batch, p.epoch, batches);
  return {};
}

void DataStream::seek(StreamPosition p) {
  const std::string problem = checkPosition(p);
  if (!problem.empty()) throw US_ERROR("data stream '" + m_name + "': " + problem);
  const bool replan = p.epoch != m_position.epoch;
  m_position = p;
  if (replan) plan();
}

std::size_t BatchStream::add(DataStream stream) {
  for (const auto& s : m_streams)
    if (s.name() == stream.name()) throw US_ERROR("two data streams are named '" + stream.name() + "'");
  m_streams.push_back(std::move(stream));
  return m_streams.size() - 1;
}

StreamPositions BatchStream::positions() const {
  StreamPositions out;
  for (const auto& s : m_streams) out.emplace_back(s.name(), s.position());
  return out;
}

void BatchStream::checkPositions(const StreamPositions& saved, const std::string& where) const {
  const char* hint = "resume with the data and config that wrote it, or train under another name";
  std::set<std::string> seen;
  for (const auto& [name, position] : saved) {
    if (!seen.insert(name).second)
      throw US_ERROR("the data position of stream '" + name + "' is saved twice").file(where);
    const DataStream* stream = nullptr;
    for (const auto& s : m_streams)
      if (s.name() == name) stream = &s;
    if (!stream)
      throw US_ERROR("the checkpoint has a data position for stream '" + name + "', which this run does not have")
          .file(where)
          .hint(hint);
    const std::string problem = stream->checkPosition(position);
    if (!problem.empty())
      throw US_ERROR("the checkpoint's data position of stream '" + name + "' does not fit this run's data: " +
                     problem)
          .file(where)
          .hint(hint);
  }
  for (const auto& s : m_streams)
    if (!seen.count(s.name()))
      throw US_ERROR("the checkpoint has no data position for stream '" + s.name() + "'").file(where).hint(hint);
}

void BatchStream::restore(const StreamPositions& saved, const std::string& where) {
  checkPositions(saved, where);
  for (const auto& [name, position] : saved)
    for (auto& s : m_streams)
      if (s.name() == name) s.seek(position);
}

}  // namespace understudy::train
