// BMUF: blockwise model-update filtering (Chen & Huo 2016),
// docs/distributed.md "BMUF".
//
// Every rank trains alone for a block of tau_b optimizer steps (no
// communication; gradients stay local). At the block boundary the local
// models are averaged with one allreduce, and the global model W_g moves by a
// filtered block update:
//
//   W_bar = (1/N) sum_i W_i          G = W_bar - W_g
//   Delta <- eta Delta + zeta G      W_g <- W_g + Delta
//
// (eta = block_momentum, 1 - 1/N when negative, 0 in the first warmup_blocks
// blocks; zeta = block_lr). The next block starts on every rank from W_g
// (classic) or from W_g + eta' Delta (Nesterov; eta' is the momentum of the
// block about to start). The optimizer's state (momentum buffers, Adam
// moments) stays local and is carried across blocks.
//
// Stop agreement runs at block boundaries only; finish() settles a partial
// block and leaves W_g, the delivered model, in the parameters; validation
// and best.pt see W_g. Checkpoints hold W_g, Delta and the block counters
// under dist/bmuf/...; a run resumed mid-block restarts that block from its
// start point.
#pragma once

#include <cstdint>

#include "core/dist/collective_synchroniser.h"
#include "core/train/trainer_config.h"

namespace understudy::dist {

class Bmuf final : public CollectiveSynchroniser {
 public:
  Bmuf(std::shared_ptr<Communicator> comm, train::BmufConfig config);
  std::string algorithm() const override { return "bmuf"; }

  // Broadcasts rank 0's weights; then W_g = those weights and Delta = 0, or,
  // after loadState() (or a previous run()), the block's start point from
  // the saved W_g and Delta goes into the parameters.
  void begin(const std::vector<torch::Tensor>& params) override;
  // Communicates before the first step of a block only; inside a block a
  // local wish to stop is kept until the next boundary.
  bool agreeToStop(bool localWantsStop) override;
  // Counts the block's steps; the last one settles the block.
  void afterOptimizerStep(const std::vector<torch::Tensor>& params, std::int64_t step) override;
  // Settles a partly done block, then puts W_g into the parameters.
  void finish(const std::vector<torch::Tensor>& params) override;
  void withConsensusWeights(const std::vector<torch::Tensor>& params,
                            const std::function<void()>& fn) override;
  void saveState(torch::serialize::OutputArchive& archive) override;
  void loadState(torch::serialize::InputArchive* archive, const std::vector<torch::Tensor>& params,
                 const std::filesystem::path& where) override;

  // For tests and tools: the state between blocks (undefined before begin()).
  const torch::Tensor& globalModel() const { return m_global; }
  const torch::Tensor& blockMomentum() const { return m_delta; }
  std::int64_t blocksDone() const { return m_blocksDone; }
  std::int64_t localSteps() const { return m_localSteps; }
  // eta for the block with this 0-based index (0 during the warm-up).
  double etaForBlock(std::int64_t index) const;

 private:
  // Average, filter, update W_g; counts the block.
  void settleBlock(const std::vector<torch::Tensor>& params);
  // Where the next block starts: W_g, or W_g + eta Delta (Nesterov).
  torch::Tensor startPoint() const;

  train::BmufConfig m_config;
  torch::Tensor m_global;  // W_g, flat, the parameters' dtype and device
  torch::Tensor m_delta;   // Delta, likewise
  std::int64_t m_blocksDone = 0;
  std::int64_t m_localSteps = 0;  // optimizer steps of the block in progress
  bool m_stopWanted = false;      // a local wish to stop, kept until the next boundary
};

}  // namespace understudy::dist
