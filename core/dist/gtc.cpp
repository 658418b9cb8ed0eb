#include "core/dist/gtc.h"

#include "core/util/error.h"

namespace understudy::dist {

Gtc::Gtc(std::shared_ptr<Communicator> comm, train::GtcConfig config)
    : CollectiveSynchroniser(std::move(comm)), m_config(config) {}

void Gtc::reduceGradients(const std::vector<torch::Tensor>&) {
  throw US_ERROR("distribution.algorithm gtc is not implemented yet").key("distribution.algorithm");
}

}  // namespace understudy::dist
