// GTC: gradient threshold compression (Strom 2015), docs/distributed.md "GTC".
//
// Every rank keeps a residual r of raw gradients (not learning-rate-scaled
// updates), one float per model element. Each step:
//   r <- r + g                                  g: this rank's mean gradient after backward
//   S = { e : |r_e| >= tau }                    sent as (e, sign r_e) in one 32-bit word each
//   r_e <- r_e - sign(r_e) tau   for e in S     nothing is lost, only delayed
// The words of every rank are allgathered (padded to the longest list, cut
// back); every rank decodes all lists in rank order into the same dense sum,
// divides it by N and puts it into the gradients, so the trainer's clipping
// and optimizer step run on identical gradients and the weights stay
// bit-identical on every rank.
//
// Dense steps send the residual itself (allreduce-average, r <- 0): always
// when tau = 0 (GTC is then synchronous SGD exactly), and for one step when
// the longest list would cost more bytes than the dense allreduce.
// With target_fraction > 0, tau follows the fraction sent (mean over ranks)
// toward the target; every rank computes the same tau from the same counts.
#pragma once

#include "core/dist/collective_synchroniser.h"
#include "core/train/trainer_config.h"

namespace understudy::dist {

// A word holds an element index in bits 0-30 and the sign in bit 31 (set:
// negative), so a model may have at most 2^31 elements.
inline constexpr std::int64_t kGtcMaxElements = std::int64_t{1} << 31;
// Refuses a model whose element indices do not fit in 31 bits.
void checkGtcElementCount(std::int64_t elements);

// (index, sign) pairs <-> words. `indices` int64, `negative` bool, both 1-D
// of equal length; returns int32 words. Vectorised, no per-element work.
torch::Tensor packSparseSigns(const torch::Tensor& indices, const torch::Tensor& negative);
struct SparseSigns {
  torch::Tensor indices;  // int64
  torch::Tensor signs;    // +1 / -1 in `dtype`
};
SparseSigns unpackSparseSigns(const torch::Tensor& words,
                              torch::ScalarType dtype = torch::kFloat32);

// The threshold rule (docs/distributed.md "GTC"), fed once per step with
// the fraction of elements that reached tau (mean over ranks). Until that
// fraction first comes within a factor 2 of the target, or crosses it, tau
// moves fast: times sqrt(fraction / target), within [1/2, 2] per step. From
// then on it follows a moving average of the fraction (weight 0.1 per step),
// at most 5 % per step: a lower tau releases at once every residual that
// was just below it, a higher one sends almost nothing for a while, and
// reacting to that burst or drought would make tau swing. tau never falls
// below the smallest normal float.
struct GtcThresholdControl {
  static constexpr double kFastFactor = 2.0;
  static constexpr double kSlowFactor = 1.05;
  static constexpr double kAverageWeight = 0.1;

  double tau = 0.0;
  double averageFraction = -1.0;  // < 0: no step seen yet
  bool settled = false;
  // tau for the next step, after one at the current tau sent `fraction`.
  void update(double fraction, double targetFraction);
};

class Gtc final : public CollectiveSynchroniser {
 public:
  Gtc(std::shared_ptr<Communicator> comm, train::GtcConfig config);
  std::string algorithm() const override { return "gtc"; }
  void reduceGradients(const std::vector<torch::Tensor>& params) override;
  // Rank 0's archive gets "gtc": residuals [N, |w|] (every rank's, gathered),
  // threshold, average_fraction, settled, world_size.
  void saveState(torch::serialize::OutputArchive& archive) override;
  // Each rank takes its own row of the residuals when the world size is the
  // same; otherwise (or without GTC state) the residual starts at zero, with
  // a warning.
  void loadState(torch::serialize::InputArchive* archive, const std::vector<torch::Tensor>& params,
                 const std::filesystem::path& where) override;

  // For tests and tools: this rank's residual (undefined before the first
  // step), the threshold rule's state (tau for the next step), and the last
  // step's lists in rank order as every rank received them (empty after a
  // dense step).
  const torch::Tensor& residual() const { return m_residual; }
  const GtcThresholdControl& thresholdControl() const { return m_control; }
  const std::vector<torch::Tensor>& lastLists() const { return m_lastLists; }

 private:
  // Sends r exactly (allreduce-average) and empties it.
  torch::Tensor reduceDense();
  void ensureResidual(const std::vector<torch::Tensor>& params);

  train::GtcConfig m_config;
  GtcThresholdControl m_control;
  torch::Tensor m_residual;
  std::vector<torch::Tensor> m_lastLists;
};

}  // namespace understudy::dist
