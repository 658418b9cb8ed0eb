// A padded batch of training examples, as one step of the trainer (and the
// evaluator and labeler, which run the model on batches too) consumes it.
//
// collateBatch pads features with zeros and frame targets with -1; the model
// packs padding away, and the objectives (objective.h) select only the valid
// model frames, so padding adds exactly nothing to a loss or a gradient.
// Soft targets (a teacher's top-k posteriors per model frame) are collated
// too when any example carries them (TrainingExample::softK > 0), padded with
// id -1 and probability 0.
//
//   Batch b = collateBatch(examples, model->options.subsample());
//   auto [logits, outLengths] = model->forward(b.features, b.lengths);
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/train/example_source.h"

namespace understudy::train {

// T' = ceil(T / subsample) model frames for the longest utterance's T.
struct Batch {
  torch::Tensor features;  // [B, T, D] float, zero past each length
  torch::Tensor lengths;   // [B] int64, 10 ms frames
  torch::Tensor targets;   // [B, T'] int64; -1 where a model frame is padding or has no target
  std::int64_t inputFrames = 0;  // sum of lengths
  std::vector<std::string> keys;  // utterance keys, in batch order

  // Soft targets, defined only when an example has softK > 0; k is the
  // largest softK. Entry i of model frame j of utterance b is unit
  // softIds[b][j][i] with probability softProbs[b][j][i]. Padding, frames
  // past an utterance's soft targets or its model frames, the unused entries
  // of an example with a smaller softK (or an id of -1), and every frame of an
  // example without soft targets have id -1 and probability 0.
  torch::Tensor softIds;    // [B, T', k] int64
  torch::Tensor softProbs;  // [B, T', k] float
  bool hasSoftTargets() const { return softIds.defined(); }
};

// Throws (naming the utterance) on an empty list, differing feature
// dimensions, or soft targets whose sizes are not frames x softK.
Batch collateBatch(const std::vector<TrainingExample>& examples, int subsample);

}  // namespace understudy::train
