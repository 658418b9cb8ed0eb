#include "core/train/example_source.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/store/feature_store.h"
#include "core/util/error.h"

namespace understudy::train {

namespace {

// splitmix64: a small, well-mixed generator whose output is the same on every
// platform (std::shuffle's is not specified), so data orders are portable.
struct SplitMix {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
};

template <typename T>
void shuffleInPlace(std::vector<T>& v, SplitMix& rng) {
  for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[rng.below(i)]);
}

}  // namespace

std::uint64_t mixSeed(std::uint64_t a, std::uint64_t b) {
  SplitMix m{a ^ (b * 0xD1B54A32D192ED03ull)};
  m.next();
  return m.next();
}

void InMemoryExampleSource::add(std::string key, std::vector<float> feats,
                                std::vector<std::int32_t> targets) {
  if (m_dims <= 0 || feats.size() % static_cast<std::size_t>(m_dims) != 0)
    throw US_ERROR("feature size is not a multiple of the dimension").utterance(key);
  for (auto t : targets)
    if (t < 0 || t >= m_numUnits)
      throw US_ERROR("target " + std::to_string(t) + " outside the unit inventory [0, " +
                     std::to_string(m_numUnits) + ")")
          .utterance(key);
  m_items.push_back({std::move(key), std::move(feats), std::move(targets), 0, {}, {}});
}

void InMemoryExampleSource::addSoft(std::string key, std::vector<float> feats, int softK,
                                    std::vector<std::int32_t> softIds, std::vector<float> softProbs,
                                    std::vector<std::int32_t> targets) {
  if (softK <= 0 || softIds.size() != softProbs.size() || softIds.size() % static_cast<std::size_t>(softK) != 0)
    throw US_ERROR(fmt::format("soft targets: {} ids and {} probabilities are not frames x k = {}", softIds.size(),
                               softProbs.size(), softK))
        .utterance(key);
  for (std::size_t i = 0; i < softIds.size(); ++i) {
    if (softIds[i] < -1 || softIds[i] >= m_numUnits)
      throw US_ERROR(fmt::format("soft target id {} outside the unit inventory [0, {})", softIds[i], m_numUnits))
          .utterance(key);
    if (!(softProbs[i] >= 0.f) || !std::isfinite(softProbs[i]))
      throw US_ERROR(fmt::format("soft target probability {} is not finite and >= 0", softProbs[i])).utterance(key);
  }
  add(key, std::move(feats), std::move(targets));
  Item& it = m_items.back();
  it.softK = softK;
  it.softIds = std::move(softIds);
  it.softProbs = std::move(softProbs);
}

int InMemoryExampleSource::frames(std::size_t index) const {
  return static_cast<int>(m_items.at(index).feats.size() / static_cast<std::size_t>(m_dims));
}

TrainingExample InMemoryExampleSource::get(std::size_t index) const {
  const Item& it = m_items.at(index);
  TrainingExample e;
  e.key = it.key;
  e.feats = it.feats.data();
  e.frames = frames(index);
  e.dims = m_dims;
  e.targets = it.targets;
  e.softK = it.softK;
  e.softIds = it.softIds;
  e.softProbs = it.softProbs;
  return e;
}

struct FeatureExampleSource::Stores {
  std::vector<FeatureStore> features;
};

FeatureExampleSource::FeatureExampleSource(const std::vector<std::filesystem::path>& featureDirs,
                                           int numUnits)
    : m_stores(std::make_unique<Stores>()), m_numUnits(numUnits) {
  if (featureDirs.empty()) throw US_ERROR("a feature source needs at least one feature store");
  for (const auto& dir : featureDirs) {
    FeatureStore store = FeatureStore::open(dir);
    if (m_dims == 0) m_dims = store.dims();
    if (store.dims() != m_dims)
      throw US_ERROR("feature store has " + std::to_string(store.dims()) +
                     "-dimensional features, the first store " + std::to_string(m_dims))
          .file(dir.string());
    const int index = static_cast<int>(m_stores->features.size());
    for (const auto& info : store.records().records())
      m_items.push_back({index, info.key, static_cast<int>(info.rows)});
    m_stores->features.push_back(std::move(store));
  }
}

FeatureExampleSource::~FeatureExampleSource() = default;

void FeatureExampleSource::setCmvn(CmvnStats stats) {
  if (!stats.empty() && stats.dim() != m_dims)
    throw US_ERROR("CMVN statistics of " + std::to_string(stats.dim()) +
                   " dimensions for " + std::to_string(m_dims) + "-dimensional features")
        .file(m_stores->features.front().dir().string())
        .hint("use the statistics the model was trained with (its cmvn.stats)");
  m_cmvn = std::move(stats);
}

TrainingExample readNormalisedExample(const FeatureStore& store, const std::string& key,
                                      const CmvnStats& cmvn) {
  FeatureMatrixView v = store.read(key);
  auto feats = std::make_shared<std::vector<float>>(
      v.data, v.data + static_cast<std::size_t>(v.frames) * static_cast<std::size_t>(v.dims));
  if (!cmvn.empty()) cmvn.apply(feats->data(), v.frames, v.dims);
  TrainingExample e;
  e.key = key;
  e.frames = v.frames;
  e.dims = v.dims;
  e.feats = feats->data();
  e.keepAlive = feats;
  return e;
}

TrainingExample FeatureExampleSource::get(std::size_t index) const {
  const Item& item = m_items.at(index);
  return readNormalisedExample(m_stores->features.at(static_cast<std::size_t>(item.store)),
                               item.key, m_cmvn);
}

ChunkedExampleSource::ChunkedExampleSource(std::shared_ptr<const ExampleSource> base,
                                           int chunkModelFrames, int subsample)
    : m_base(std::move(base)), m_subsample(subsample) {
  if (chunkModelFrames <= 0) throw US_ERROR("chunk length must be >= 1 model frame");
  const int chunkFrames = chunkModelFrames * subsample;
  for (std::size_t i = 0; i < m_base->size(); ++i) {
    const int total = m_base->frames(i);
    for (int first = 0, k = 0; first < total; first += chunkFrames, ++k)
      m_pieces.push_back({i, first, std::min(chunkFrames, total - first), k * chunkModelFrames});
  }
}

TrainingExample ChunkedExampleSource::get(std::size_t index) const {
  const Piece& p = m_pieces.at(index);
  TrainingExample whole = m_base->get(p.item);
  TrainingExample e;
  e.key = whole.key + "#" + std::to_string(p.firstTarget);
  e.dims = whole.dims;
  e.frames = p.frames;
  e.keepAlive = whole.keepAlive;
  e.feats = whole.feats + static_cast<std::size_t>(p.firstFrame) * static_cast<std::size_t>(whole.dims);
  const int wanted = (p.frames + m_subsample - 1) / m_subsample;
  const int first = std::min<int>(p.firstTarget, static_cast<int>(whole.targets.size()));
  const int last = std::min<int>(p.firstTarget + wanted, static_cast<int>(whole.targets.size()));
  e.targets.assign(whole.targets.begin() + first, whole.targets.begin() + last);
  if (whole.softK > 0) {
    // The soft targets of the same model frames.
    const auto k = static_cast<std::size_t>(whole.softK);
    const auto firstSoft = static_cast<std::size_t>(std::min(p.firstTarget, whole.softFrames()));
    const auto lastSoft = static_cast<std::size_t>(std::min(p.firstTarget + wanted, whole.softFrames()));
    e.softK = whole.softK;
    e.softIds.assign(whole.softIds.begin() + firstSoft * k, whole.softIds.begin() + lastSoft * k);
    e.softProbs.assign(whole.softProbs.begin() + firstSoft * k, whole.softProbs.begin() + lastSoft * k);
  }
  return e;
}

std::vector<std::vector<std::size_t>> planEpochBatches(const std::vector<int>& lengths,
                                                       const BatchingOptions& options,
                                                       std::uint64_t seed, std::int64_t epoch) {
  std::vector<std::size_t> order(lengths.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  SplitMix rng{mixSeed(seed, static_cast<std::uint64_t>(epoch))};
  if (options.shuffle) shuffleInPlace(order, rng);

  if (options.bucket && !order.empty()) {
    const double total = std::accumulate(lengths.begin(), lengths.end(), 0.0);
    const double mean = std::max(1.0, total / static_cast<double>(lengths.size()));
    const auto perBatch = std::max<std::size_t>(
        1, static_cast<std::size_t>(static_cast<double>(options.maxFrames) / mean));
    const std::size_t window = perBatch * static_cast<std::size_t>(std::max(1, options.bucketWindow));
    for (std::size_t begin = 0; begin < order.size(); begin += window) {
      auto first = order.begin() + static_cast<std::ptrdiff_t>(begin);
      auto last = order.begin() + static_cast<std::ptrdiff_t>(std::min(order.size(), begin + window));
      std::stable_sort(first, last, [&](std::size_t a, std::size_t b) { return lengths[a] > lengths[b]; });
    }
  }

  std::vector<std::vector<std::size_t>> batches;
  std::vector<std::size_t> current;
  std::int64_t longest = 0;
  for (std::size_t idx : order) {
    const std::int64_t len = lengths[idx];
    const std::int64_t newLongest = std::max(longest, len);
    if (!current.empty() &&
        static_cast<std::int64_t>(current.size() + 1) * newLongest > options.maxFrames) {
      batches.push_back(std::move(current));
      current.clear();
      longest = 0;
    }
    current.push_back(idx);
    longest = std::max(longest, len);
  }
  if (!current.empty()) batches.push_back(std::move(current));
  if (options.shuffle) shuffleInPlace(batches, rng);
  return batches;
}

}  // namespace understudy::train
