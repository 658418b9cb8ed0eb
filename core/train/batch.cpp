#include "core/train/batch.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/util/error.h"

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
  const std::int64_t outFrames = (longest + subsample - 1) / subsample;
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
        std::min<std::int64_t>((e.frames + subsample - 1) / subsample,
                               static_cast<std::int64_t>(e.targets.size()));
    for (std::int64_t j = 0; j < valid; ++j) targets[i * outFrames + j] = e.targets[static_cast<std::size_t>(j)];
  }
  return b;
}

}  // namespace understudy::train
