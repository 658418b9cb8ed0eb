#include "core/train/objective.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/util/error.h"

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

LossResult maskedDistillation(const torch::Tensor& logits, const torch::Tensor& outLengths,
                              const torch::Tensor& softIds, const torch::Tensor& softProbs,
                              double temperature) {
  const std::int64_t frames = std::min(logits.size(1), softIds.size(1));
  const std::int64_t units = logits.size(2);
  const std::int64_t k = softIds.size(2);
  auto ids = softIds.narrow(1, 0, frames);
  auto positions = torch::arange(frames, torch::kInt64).unsqueeze(0);
  auto mask = (ids >= 0).any(2) & (positions < outLengths.to(torch::kInt64).unsqueeze(1));
  // As maskedCrossEntropy: only the valid frames enter the graph.
  auto index = mask.reshape({-1}).nonzero().squeeze(1);
  auto selected = logits.narrow(1, 0, frames).reshape({-1, units}).index_select(0, index);
  auto selectedIds = ids.reshape({-1, k}).index_select(0, index);
  auto selectedProbs = softProbs.narrow(1, 0, frames).reshape({-1, k}).index_select(0, index);
  LossResult r;
  r.frames = index.size(0);
  if (r.frames == 0) {
    r.loss = logits.sum() * 0.0;
    return r;
  }
  if (temperature != 1.0) selected = selected / temperature;
  auto logq = torch::log_softmax(selected, 1);
  // Unused entries (id -1) gather unit 0 with weight 0.
  auto used = selectedIds >= 0;
  auto p = selectedProbs.to(logq.scalar_type()) * used.to(logq.scalar_type());
  auto perFrame = -(p * logq.gather(1, selectedIds.clamp_min(0))).sum(1);
  // The mean over frames by nll_loss's reduction (nll_loss of [N, 1] picks
  // -perFrame[t] per frame): the summation order of maskedCrossEntropy's
  // cross_entropy, so one-hot KD equals CE bit for bit, gradients included
  // (Tensor::mean sums in another order: they differed by an ulp).
  r.loss = torch::nn::functional::nll_loss((-perFrame).unsqueeze(1),
                                           torch::zeros({r.frames}, torch::kInt64));
  {
    torch::NoGradGuard noGrad;
    auto teacherBest = selectedIds.gather(1, p.argmax(1, /*keepdim=*/true)).squeeze(1);
    r.correct = selected.argmax(1).eq(teacherBest).sum().item<std::int64_t>();
    r.sumLoss = r.loss.item<double>() * static_cast<double>(r.frames);
  }
  return r;
}

DistillationObjective::DistillationObjective(double temperature) : m_temperature(temperature) {
  if (!(temperature > 0) || !std::isfinite(temperature))
    throw US_ERROR(fmt::format("distillation temperature {} is not > 0", temperature));
}

LossResult DistillationObjective::loss(const torch::Tensor& logits, const torch::Tensor& outLengths,
                                       const Batch& batch) const {
  if (!batch.hasSoftTargets()) {
    Error e = US_ERROR("distillation needs soft targets, and the batch has none");
    if (!batch.keys.empty()) e.utterance(batch.keys.front());
    throw e.hint("train the soft-labeled data (a teacher's soft-label store) with kd, labeled data with ce");
  }
  return maskedDistillation(logits, outLengths, batch.softIds, batch.softProbs, m_temperature);
}

}  // namespace understudy::train
