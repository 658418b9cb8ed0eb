// The trainer's seam for distributed training: what happens to gradients and
// weights between ranks. The trainer calls the hooks at fixed points of every
// step; one process uses LocalSynchroniser (every hook does nothing), and
// core/dist implements synchronous SGD, GTC and BMUF behind the same
// interface (docs/distributed.md), so there is one trainer, not three.
//
// Per step, on every rank, in this order:
//   agreeToStop(local)            before the step: stop when any rank wants to
//   [forward, backward]
//   reduceGradients(params)       the local gradients become what every rank applies
//   [clip, optimizer step]
//   afterOptimizerStep(params, s) BMUF: block boundaries
// Validation is shared out: each rank evaluates every N-th utterance under
// withConsensusWeights() (the weights the ranks agree on; BMUF: the global
// model), and sumOverRanks() adds up the frames, losses and correct frames. At the end of run(),
// finish() settles a partial block. Checkpoints are written by rank 0 alone,
// but saveState() is called on every rank (GTC gathers per-rank residuals).
//
// Every hook but the accounting is collective: each rank must call it the
// same number of times in the same order, or the job fails at the timeout.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace understudy::train {

// What the synchroniser did during the last step (metrics dist/*).
struct SyncStats {
  double bytesSent = 0.0;       // this rank, payload bytes handed to the network
  double bytesReceived = 0.0;   // this rank
  double commSeconds = 0.0;     // wall time inside collectives
  double fractionSent = -1.0;   // GTC: elements sent / elements, mean over ranks (-1: not GTC)
  double threshold = -1.0;      // GTC: tau used this step (-1: not GTC)
  bool communicated = false;    // any collective ran this step
};

class UpdateSynchroniser {
 public:
  virtual ~UpdateSynchroniser() = default;

  virtual std::string algorithm() const = 0;  // "local", "sync", "gtc", "bmuf"
  virtual int rank() const { return 0; }
  virtual int worldSize() const { return 1; }
  bool leader() const { return rank() == 0; }

  // Before the first step of run() (after any resume): every rank starts
  // from the same weights (the distributed ones broadcast rank 0's).
  virtual void begin(const std::vector<torch::Tensor>& /*params*/) {}
  // True when any rank asked to stop (Ctrl-C, SIGTERM) before this step.
  virtual bool agreeToStop(bool localWantsStop) { return localWantsStop; }
  // After backward, before clipping and the optimizer step.
  virtual void reduceGradients(const std::vector<torch::Tensor>& /*params*/) {}
  // After the optimizer step; `step` is the number of steps done so far.
  virtual void afterOptimizerStep(const std::vector<torch::Tensor>& /*params*/, std::int64_t /*step*/) {}
  // End of run(), before the final validation and checkpoint.
  virtual void finish(const std::vector<torch::Tensor>& /*params*/) {}

  // Element-wise sums of every rank's `values` (the same size on every rank).
  virtual std::vector<double> sumOverRanks(std::vector<double> values) { return values; }
  // Runs `fn` with the consensus weights in `params` (BMUF: the global
  // model), then puts the local ones back. Not collective.
  virtual void withConsensusWeights(const std::vector<torch::Tensor>& /*params*/,
                                    const std::function<void()>& fn) {
    fn();
  }

  // Checkpoint state under the checkpoint's "dist" archive. saveState is
  // collective; only rank 0's archive is written. loadState gets the saved
  // archive (every rank reads the same file), null for a checkpoint without
  // one; `params` already hold the checkpoint's weights; `where` names the
  // file in errors.
  virtual void saveState(torch::serialize::OutputArchive& /*archive*/) {}
  virtual void loadState(torch::serialize::InputArchive* /*archive*/, const std::vector<torch::Tensor>& /*params*/,
                         const std::filesystem::path& /*where*/) {}

  virtual SyncStats lastStats() const { return {}; }
};

// One process: nothing to synchronise.
class LocalSynchroniser final : public UpdateSynchroniser {
 public:
  std::string algorithm() const override { return "local"; }
};

}  // namespace understudy::train
