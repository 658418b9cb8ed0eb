// Training objectives: what one step minimises over a batch's valid model
// frames (docs/training.md "Objectives").
//
// An Objective turns the model's logits and a Batch into a LossResult: a
// differentiable scalar, the mean over the frames it counts, plus the frame
// count and an agreement count for metrics. Padding is never in the graph:
// the valid frames are selected (index_select) before the loss, so padded
// frames add exactly nothing to the loss or to any gradient.
//
//   CrossEntropyObjective ce;                      // frame targets (labeled data)
//   LossResult r = ce.loss(logits, outLengths, batch);
//   r.loss.backward();
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <string>

#include "core/train/batch.h"

namespace understudy::train {

struct LossResult {
  torch::Tensor loss;          // mean over the valid frames (scalar, differentiable)
  std::int64_t frames = 0;     // valid model frames
  std::int64_t correct = 0;    // frames whose argmax agrees with the objective's reference
  double sumLoss = 0.0;        // loss * frames
};

// Mean cross-entropy over the model frames with a target (>= 0) inside
// outLengths; everything else is masked out. `correct`: argmax == target.
LossResult maskedCrossEntropy(const torch::Tensor& logits, const torch::Tensor& outLengths,
                              const torch::Tensor& targets);

class Objective {
 public:
  virtual ~Objective() = default;
  // Short name for logs and metrics: "ce".
  virtual std::string name() const = 0;
  // The loss of `logits` [B, T', U], valid up to `outLengths` [B] (the
  // model's output), against what `batch` holds for this objective.
  virtual LossResult loss(const torch::Tensor& logits, const torch::Tensor& outLengths,
                          const Batch& batch) const = 0;
};

// Cross-entropy against the batch's frame targets (maskedCrossEntropy).
class CrossEntropyObjective final : public Objective {
 public:
  std::string name() const override { return "ce"; }
  LossResult loss(const torch::Tensor& logits, const torch::Tensor& outLengths,
                  const Batch& batch) const override;
};

}  // namespace understudy::train
