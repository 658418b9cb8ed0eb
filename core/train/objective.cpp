#include "core/train/objective.h"

#include <algorithm>

namespace understudy::train {

LossResult maskedCrossEntropy(const torch::Tensor& logits, const torch::Tensor& outLengths,
                              const torch::Tensor& targets) {
  const std::int64_t frames = std::min(logits.size(1), targets.size(1));
  const std::int64_t units = logits.size(2);
  auto t = targets.narrow(1, 0, frames);
  auto positions = torch::arange(frames, torch::kInt64).unsqueeze(0);
  auto mask = (t >= 0) & (positions < outLengths.to(torch::kInt64).unsqueeze(1));
  // Select the valid frames: padded positions are not in the graph at all, so
  // they add exactly zero to the loss and to every gradient.
  auto index = mask.reshape({-1}).nonzero().squeeze(1);
  auto selected = logits.narrow(1, 0, frames).reshape({-1, units}).index_select(0, index);
  auto selectedTargets = t.reshape({-1}).index_select(0, index);
  LossResult r;
  r.frames = index.size(0);
  if (r.frames == 0) {
    r.loss = logits.sum() * 0.0;
    return r;
  }
  r.loss = torch::nn::functional::cross_entropy(selected, selectedTargets);
  {
    torch::NoGradGuard noGrad;
    r.correct = selected.argmax(1).eq(selectedTargets).sum().item<std::int64_t>();
    r.sumLoss = r.loss.item<double>() * static_cast<double>(r.frames);
  }
  return r;
}

LossResult CrossEntropyObjective::loss(const torch::Tensor& logits, const torch::Tensor& outLengths,
                                       const Batch& batch) const {
  return maskedCrossEntropy(logits, outLengths, batch.targets);
}

}  // namespace understudy::train
