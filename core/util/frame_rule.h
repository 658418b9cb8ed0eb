// The frame rule every module shares (docs/alignments.md "The 30 ms target
// rule"): features come at 10 ms, the acoustic model emits one frame per
// `subsample` of them (3: 30 ms). An utterance of n feature frames has
// T'(n) = ceil(n / subsample) model frames, and model frame j stands for
// (is centred on, takes its target from) 10 ms frame
// c_j = min(subsample * j + subsample / 2, n - 1) — min(3j + 1, n - 1) at 30 ms.
// Torch-free, so alignments, stores, the trainer and the model all use this
// one copy.
#pragma once

#include <algorithm>
#include <cstdint>

namespace understudy {

// T'(n) = ceil(n / subsample); 0 for n <= 0.
constexpr std::int64_t outputFrames(std::int64_t inputFrames, std::int64_t subsample = 3) {
  return inputFrames <= 0 ? 0 : (inputFrames + subsample - 1) / subsample;
}

// The 10 ms frame whose unit is the target of model frame j.
constexpr std::int64_t centreFrame(std::int64_t j, std::int64_t inputFrames, std::int64_t subsample = 3) {
  return std::min<std::int64_t>(subsample * j + subsample / 2, inputFrames - 1);
}

}  // namespace understudy
