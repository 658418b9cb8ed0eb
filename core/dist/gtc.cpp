#include "core/dist/gtc.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/dist/flat_parameters.h"
#include "core/util/error.h"
#include "core/util/log.h"

namespace understudy::dist {

namespace {

constexpr std::int32_t kSignBit = std::numeric_limits<std::int32_t>::min();    // bit 31
constexpr std::int32_t kIndexBits = std::numeric_limits<std::int32_t>::max();  // bits 0-30

}  // namespace

void checkGtcElementCount(std::int64_t elements) {
  if (elements > kGtcMaxElements)
    throw US_ERROR(
        fmt::format(
            "distribution.algorithm gtc: the model has {} elements, but GTC packs an element's "
            "index into 31 bits (at most {} elements)",
            elements, kGtcMaxElements))
        .key("distribution.algorithm")
        .hint("use sync or bmuf for a model this large");
}

torch::Tensor packSparseSigns(const torch::Tensor& indices, const torch::Tensor& negative) {
  TORCH_CHECK(indices.dim() == 1 && negative.dim() == 1 && indices.size(0) == negative.size(0),
              "packSparseSigns: indices and negative must be 1-D of equal length");
  TORCH_CHECK(negative.scalar_type() == torch::kBool, "packSparseSigns: negative must be bool");
  if (indices.numel() > 0) {
    const auto lowest = indices.min().item<std::int64_t>();
    const auto highest = indices.max().item<std::int64_t>();
    if (lowest < 0 || highest >= kGtcMaxElements)
      throw US_ERROR(fmt::format("GTC cannot pack element index {} into 31 bits (0 .. {})",
                                 lowest < 0 ? lowest : highest, kGtcMaxElements - 1))
          .key("distribution.algorithm")
          .hint("use sync or bmuf for a model with more than 2^31 elements");
  }
  const torch::Tensor words = indices.to(torch::kInt32);
  return torch::where(negative, words.bitwise_or(kSignBit), words);
}

SparseSigns unpackSparseSigns(const torch::Tensor& words, torch::ScalarType dtype) {
  TORCH_CHECK(words.dim() == 1 && words.scalar_type() == torch::kInt32,
              "unpackSparseSigns: 1-D int32 words");
  SparseSigns s;
  s.indices = words.bitwise_and(kIndexBits).to(torch::kInt64);
  s.signs =
      torch::ones({words.size(0)}, words.options().dtype(dtype)).masked_fill_(words.lt(0), -1);
  return s;
}

void GtcThresholdControl::update(double fraction, double targetFraction) {
  if (!settled && (std::abs(std::log(fraction / targetFraction)) <= std::log(2.0) ||
                   (averageFraction >= 0.0 &&
                    (averageFraction - targetFraction) * (fraction - targetFraction) <= 0.0))) {
    settled = true;
    averageFraction = fraction;
  }
  if (averageFraction < 0.0) averageFraction = fraction;  // no average yet
  double factor = 0.0;
  if (settled) {
    averageFraction = (1.0 - kAverageWeight) * averageFraction + kAverageWeight * fraction;
    factor =
        std::clamp(std::sqrt(averageFraction / targetFraction), 1.0 / kSlowFactor, kSlowFactor);
  } else {
    averageFraction = fraction;
    factor = std::clamp(std::sqrt(fraction / targetFraction), 1.0 / kFastFactor, kFastFactor);
  }
  tau = std::max(tau * factor, static_cast<double>(std::numeric_limits<float>::min()));
}

Gtc::Gtc(std::shared_ptr<Communicator> comm, train::GtcConfig config)
    : CollectiveSynchroniser(std::move(comm)), m_config(config) {
  m_control.tau = config.threshold;
}

void Gtc::ensureResidual(const std::vector<torch::Tensor>& params) {
  const std::int64_t elements = countElements(params);
  if (m_residual.defined() && m_residual.numel() == elements) return;
  checkGtcElementCount(elements);
  m_residual =
      torch::zeros({elements}, params.empty() ? torch::TensorOptions() : params.front().options());
}

torch::Tensor Gtc::reduceDense() {
  m_comm->allreduceSum(m_residual);
  torch::Tensor average = m_residual.div(static_cast<double>(worldSize()));
  m_residual.zero_();
  return average;
}

void Gtc::reduceGradients(const std::vector<torch::Tensor>& params) {
  torch::NoGradGuard noGrad;
  ensureResidual(params);
  m_residual.add_(flattenGradients(params));
  m_lastLists.clear();
  const std::int64_t elements = m_residual.numel();
  const int ranks = worldSize();
  const double tau = m_control.tau;
  pendingStats().threshold = tau;
  if (tau <= 0.0) {  // threshold 0: synchronous SGD, exactly
    pendingStats().fractionSent = 1.0;
    assignGradients(reduceDense(), params);
    return;
  }

  const torch::Tensor indices = m_residual.abs().ge(tau).nonzero().reshape({-1});
  const std::int64_t selected = indices.size(0);
  // Every rank learns every rank's count first: to agree on a dense or a
  // sparse step, to size the padded exchange, and to adapt tau the same way
  // everywhere.
  const std::vector<torch::Tensor> gatheredCounts =
      m_comm->allgather(torch::tensor({selected}, torch::kInt64).to(m_residual.device()));
  std::vector<std::int64_t> lengths;
  std::int64_t longest = 0, total = 0;
  for (const auto& c : gatheredCounts) {
    lengths.push_back(c.item<std::int64_t>());
    longest = std::max(longest, lengths.back());
    total += lengths.back();
  }
  const double fraction = static_cast<double>(total) / (static_cast<double>(ranks) * elements);
  if (m_config.targetFraction > 0.0) m_control.update(fraction, m_config.targetFraction);
  // The padded lists cost 4 L (N-1) bytes per rank, the dense ring allreduce
  // 8 (N-1)/N |w|: send densely when L N > 2 |w|.
  if (longest * ranks > 2 * elements) {
    pendingStats().fractionSent = 1.0;
    assignGradients(reduceDense(), params);
    return;
  }
  pendingStats().fractionSent = fraction;

  const torch::Tensor negative = m_residual.index_select(0, indices).lt(0);
  // r_e <- r_e - sign(r_e) tau for the elements sent.
  m_residual.index_add_(
      0, indices, torch::full({selected}, -tau, m_residual.options()).masked_fill_(negative, tau));
  torch::Tensor words = torch::zeros({longest}, m_residual.options().dtype(torch::kInt32));
  if (selected > 0) words.narrow(0, 0, selected).copy_(packSparseSigns(indices, negative));
  const std::vector<torch::Tensor> gathered =
      longest > 0 ? m_comm->allgather(words)
                  : std::vector<torch::Tensor>(static_cast<std::size_t>(ranks), words);

  // Every rank adds the same +-1 counts in the same order (small integers in
  // floating point: exact), then scales by tau / N: identical everywhere.
  torch::Tensor sum = torch::zeros({elements}, m_residual.options());
  for (int r = 0; r < ranks; ++r) {
    m_lastLists.push_back(
        gathered[static_cast<std::size_t>(r)].narrow(0, 0, lengths[static_cast<std::size_t>(r)]));
    const SparseSigns list = unpackSparseSigns(m_lastLists.back(), sum.scalar_type());
    sum.index_add_(0, list.indices, list.signs);
  }
  sum.mul_(tau / ranks);
  assignGradients(sum, params);
}

void Gtc::saveState(torch::serialize::OutputArchive& archive) {
  torch::serialize::OutputArchive gtc;
  gtc.write("threshold", c10::IValue(m_control.tau));
  gtc.write("average_fraction", c10::IValue(m_control.averageFraction));
  gtc.write("settled", c10::IValue(m_control.settled));
  gtc.write("world_size", c10::IValue(static_cast<std::int64_t>(worldSize())));
  // Defined on every rank or on none (the first step or loadState defines it).
  if (m_residual.defined()) {
    const std::vector<torch::Tensor> rows = m_comm->gather(m_residual, 0);
    if (rank() == 0) gtc.write("residuals", torch::stack(rows).cpu());
  }
  archive.write("gtc", gtc);
}

void Gtc::loadState(torch::serialize::InputArchive* archive,
                    const std::vector<torch::Tensor>& params, const std::filesystem::path& where) {
  m_residual = torch::Tensor();
  ensureResidual(params);  // zero
  m_control = GtcThresholdControl();
  m_control.tau = m_config.threshold;
  torch::serialize::InputArchive gtc;
  if (!archive || !archive->try_read("gtc", gtc)) {
    if (leader())
      log::warning(
          "{}: the checkpoint holds no GTC state (written by one process, sync or bmuf): every "
          "rank's "
          "GTC residual starts at zero",
          where.string());
    return;
  }
  c10::IValue savedTau, savedAverage, savedSettled, savedRanks;
  if (!gtc.try_read("threshold", savedTau) || !gtc.try_read("average_fraction", savedAverage) ||
      !gtc.try_read("settled", savedSettled) || !gtc.try_read("world_size", savedRanks))
    throw US_ERROR(
        "checkpoint's dist/gtc state is incomplete (threshold, average_fraction, settled, "
        "world_size)")
        .file(where.string())
        .hint("the checkpoint is damaged; resume from an earlier one");
  // An adapted tau carries on; a fixed one is the config's (it may change at resume).
  if (m_config.threshold > 0.0 && m_config.targetFraction > 0.0 && savedTau.toDouble() > 0.0) {
    m_control.tau = savedTau.toDouble();
    m_control.averageFraction = savedAverage.toDouble();
    m_control.settled = savedSettled.toBool();
  }
  torch::Tensor residuals;
  if (!gtc.try_read("residuals", residuals)) return;  // saved before the first step: zero
  if (savedRanks.toInt() != worldSize()) {
    if (leader())
      log::warning(
          "{}: the checkpoint holds the GTC residuals of {} ranks, this job has {}: every rank's "
          "residual "
          "starts at zero (the gradient mass they had not sent yet is dropped)",
          where.string(), savedRanks.toInt(), worldSize());
    return;
  }
  if (residuals.dim() != 2 || residuals.size(0) != worldSize() ||
      residuals.size(1) != m_residual.numel())
    throw US_ERROR(fmt::format("checkpoint's GTC residuals have shape {}, expected [{}, {}]",
                               c10::str(residuals.sizes()), worldSize(), m_residual.numel()))
        .file(where.string())
        .hint("resume with the model config that wrote the checkpoint");
  m_residual.copy_(residuals[rank()]);
}

}  // namespace understudy::dist
