// Training objectives: what one step minimises over a batch's valid model
// frames (docs/training.md "Objectives").
//
// An Objective turns the model's logits and a Batch into a LossResult: a
// differentiable scalar, the mean over the frames it counts, plus the frame
// count and an agreement count for metrics. Padding is never in the graph:
// the valid frames are selected (index_select) before the loss, so padded
// frames add exactly nothing to the loss or to any gradient.
//
// Cross-entropy learns from frame targets (labeled data); distillation from
// a teacher's top-k posteriors (soft targets, teacher-labeled data). With
// one-hot soft targets (k = 1, probability 1) the two are the same loss.
//
//   CrossEntropyObjective ce;                      // batch.targets
//   DistillationObjective kd(/*temperature=*/1.0); // batch.softIds, softProbs
//   LossResult r = kd.loss(logits, outLengths, batch);
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

  double accuracy() const { return frames > 0 ? static_cast<double>(correct) / static_cast<double>(frames) : 0.0; }
};

// Mean cross-entropy over the model frames with a target (>= 0) inside
// outLengths; everything else is masked out. `correct`: argmax == target.
LossResult maskedCrossEntropy(const torch::Tensor& logits, const torch::Tensor& outLengths,
                              const torch::Tensor& targets);

// Top-k distillation, averaged over the valid frames as maskedCrossEntropy
// averages (docs/training.md "Objectives"):
//   L = (1/N) sum_t sum_{j in topk(t)} -p_tj log q_t(j),  q_t = softmax(z_t / temperature)
// with the student's full softmax over every unit, the teacher's top-k units
// j and probabilities p_tj as given (not renormalised here). A frame counts
// (N) if it lies inside outLengths and has at least one id >= 0; entries
// with id -1 add nothing. `correct`: the student's argmax is the teacher's
// most probable unit.
LossResult maskedDistillation(const torch::Tensor& logits, const torch::Tensor& outLengths,
                              const torch::Tensor& softIds, const torch::Tensor& softProbs,
                              double temperature = 1.0);

class Objective {
 public:
  virtual ~Objective() = default;
  // Short name for logs and metrics: "ce", "kd".
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

// Distillation against the batch's soft targets (maskedDistillation); a
// batch without them is an error.
class DistillationObjective final : public Objective {
 public:
  // temperature > 0 divides the student's logits (1: none).
  explicit DistillationObjective(double temperature = 1.0);
  std::string name() const override { return "kd"; }
  double temperature() const { return m_temperature; }
  LossResult loss(const torch::Tensor& logits, const torch::Tensor& outLengths,
                  const Batch& batch) const override;

 private:
  double m_temperature;
};

}  // namespace understudy::train
