// BMUF: blockwise model-update filtering (Chen & Huo 2016). docs/distributed.md "BMUF".
// Skeleton: the implementation lands with the BMUF work.
#pragma once

#include "core/dist/collective_synchroniser.h"
#include "core/train/trainer_config.h"

namespace understudy::dist {

class Bmuf final : public CollectiveSynchroniser {
 public:
  Bmuf(std::shared_ptr<Communicator> comm, train::BmufConfig config);
  std::string algorithm() const override { return "bmuf"; }
  void afterOptimizerStep(const std::vector<torch::Tensor>& params, std::int64_t step) override;

 private:
  train::BmufConfig m_config;
};

}  // namespace understudy::dist
