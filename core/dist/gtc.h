// GTC: gradient threshold compression (Strom 2015). docs/distributed.md "GTC".
// Skeleton: the implementation lands with the GTC work.
#pragma once

#include "core/dist/collective_synchroniser.h"
#include "core/train/trainer_config.h"

namespace understudy::dist {

class Gtc final : public CollectiveSynchroniser {
 public:
  Gtc(std::shared_ptr<Communicator> comm, train::GtcConfig config);
  std::string algorithm() const override { return "gtc"; }
  void reduceGradients(const std::vector<torch::Tensor>& params) override;

 private:
  train::GtcConfig m_config;
};

}  // namespace understudy::dist
