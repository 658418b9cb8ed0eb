// Synchronous SGD: every step, the ranks' gradients are averaged by one
// allreduce of all of them, and every rank takes the same optimizer step
// with the average (as torch DDP). Exact: N ranks with batches b_1..b_N of
// equal frame counts equal one process with their union.
#pragma once

#include "core/dist/collective_synchroniser.h"

namespace understudy::dist {

class SyncSgd final : public CollectiveSynchroniser {
 public:
  using CollectiveSynchroniser::CollectiveSynchroniser;
  std::string algorithm() const override { return "sync"; }
  void reduceGradients(const std::vector<torch::Tensor>& params) override;
};

}  // namespace understudy::dist
