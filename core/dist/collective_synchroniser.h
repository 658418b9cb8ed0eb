// What sync, GTC and BMUF share: a Communicator, rank 0's weights broadcast
// at the start, stop agreement, validation sums, and the accounting of each
// step's collectives (UpdateSynchroniser's contract: core/train/update_synchroniser.h).
#pragma once

#include <memory>

#include "core/dist/communicator.h"
#include "core/train/update_synchroniser.h"

namespace understudy::dist {

class CollectiveSynchroniser : public train::UpdateSynchroniser {
 public:
  explicit CollectiveSynchroniser(std::shared_ptr<Communicator> comm);

  int rank() const override { return m_comm->rank(); }
  int worldSize() const override { return m_comm->size(); }
  // Broadcasts rank 0's weights.
  void begin(const std::vector<torch::Tensor>& params) override;
  // One-element allreduce: any rank's wish stops all of them.
  bool agreeToStop(bool localWantsStop) override;
  std::vector<double> sumOverRanks(std::vector<double> values) override;
  // The step's collectives (since the previous call), plus what the
  // algorithm added with noteStats().
  train::SyncStats lastStats() const override { return m_stats; }
  void afterOptimizerStep(const std::vector<torch::Tensor>& params, std::int64_t step) override;

  Communicator& communicator() { return *m_comm; }

 protected:
  // Called at the end of every step (after afterOptimizerStep's work):
  // closes the step's accounting. Subclasses overriding afterOptimizerStep
  // call it last.
  void closeStep();
  train::SyncStats& pendingStats() { return m_pending; }

  std::shared_ptr<Communicator> m_comm;

 private:
  train::SyncStats m_stats;    // the last closed step
  train::SyncStats m_pending;  // the step in progress (fractionSent, threshold)
};

}  // namespace understudy::dist
