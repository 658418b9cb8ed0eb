#include "core/train/batch.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/util/error.h"
#include "core/util/frame_rule.h"

namespace understudy::train {

Batch collateBatch(const std::vector<TrainingExample>& examples, int subsample) {
  if (examples.empty()) throw US_ERROR("empty batch");
  const std::int64_t batchSize = static_cast<std::int64_t>(examples.size());
  const int dims = examples.front().dims;
  int longest = 0;
  for (const auto& e : examples) {
    if (e.dims != dims)
      throw US_ERROR(fmt::format("feature dimension {} differs from {}", e.dims, dims)).utterance(e.key);
    longest = std::max(longest, e.frames);
  }
  const std::int64_t outFrames = outputFrames(longest, subsample);
  int softK = 0;
  for (const auto& e : examples) {
    if (e.softK < 0 || (e.softK == 0 && !(e.softIds.empty() && e.softProbs.empty())) ||
        (e.softK > 0 && (e.softIds.size() != e.softProbs.size() ||
                         e.softIds.size() % static_cast<std::size_t>(e.softK) != 0)))
      throw US_ERROR(fmt::format("soft targets: {} ids and {} probabilities are not frames x k = {}",
                                 e.softIds.size(), e.softProbs.size(), e.softK))
          .utterance(e.key);
    softK = std::max(softK, e.softK);
  }
  Batch b;
  b.features = torch::zeros({batchSize, longest, dims}, torch::kFloat32);
  b.lengths = torch::empty({batchSize}, torch::kInt64);
  b.targets = torch::full({batchSize, outFrames}, -1, torch::kInt64);
  b.keys.reserve(examples.size());
  float* feats = b.features.data_ptr<float>();
  auto* lengths = b.lengths.data_ptr<std::int64_t>();
  auto* targets = b.targets.data_ptr<std::int64_t>();
  for (std::int64_t i = 0; i < batchSize; ++i) {
    const auto& e = examples[static_cast<std::size_t>(i)];
    std::copy(e.feats, e.feats + static_cast<std::size_t>(e.frames) * dims,
              feats + i * longest * dims);
    lengths[i] = e.frames;
    b.inputFrames += e.frames;
    b.keys.push_back(e.key);
    const std::int64_t valid =
        std::min<std::int64_t>(outputFrames(e.frames, subsample), static_cast<std::int64_t>(e.targets.size()));
    for (std::int64_t j = 0; j < valid; ++j) targets[i * outFrames + j] = e.targets[static_cast<std::size_t>(j)];
  }
  if (softK > 0) {
    b.softIds = torch::full({batchSize, outFrames, softK}, -1, torch::kInt64);
    b.softProbs = torch::zeros({batchSize, outFrames, softK}, torch::kFloat32);
    auto* ids = b.softIds.data_ptr<std::int64_t>();
    auto* probs = b.softProbs.data_ptr<float>();
    for (std::int64_t i = 0; i < batchSize; ++i) {
      const auto& e = examples[static_cast<std::size_t>(i)];
      const std::int64_t valid = std::min<std::int64_t>(outputFrames(e.frames, subsample), e.softFrames());
      for (std::int64_t j = 0; j < valid; ++j)
        for (int n = 0; n < e.softK; ++n) {
          const auto from = static_cast<std::size_t>(j * e.softK + n);
          if (e.softIds[from] < 0) continue;
          const std::int64_t to = (i * outFrames + j) * softK + n;
          ids[to] = e.softIds[from];
          probs[to] = e.softProbs[from];
        }
    }
  }
  return b;
}

}  // namespace understudy::train
