#include "core/dist/bmuf.h"

#include "core/util/error.h"

namespace understudy::dist {

Bmuf::Bmuf(std::shared_ptr<Communicator> comm, train::BmufConfig config)
    : CollectiveSynchroniser(std::move(comm)), m_config(config) {}

void Bmuf::afterOptimizerStep(const std::vector<torch::Tensor>&, std::int64_t) {
  throw US_ERROR("distribution.algorithm bmuf is not implemented yet").key("distribution.algorithm");
}

}  // namespace understudy::dist
