#include "core/dist/sync_sgd.h"

#include "core/dist/flat_parameters.h"

namespace understudy::dist {

void SyncSgd::reduceGradients(const std::vector<torch::Tensor>& params) {
  torch::Tensor flat = flattenGradients(params);
  m_comm->allreduceSum(flat);
  flat.div_(static_cast<double>(worldSize()));
  assignGradients(flat, params);
}

}  // namespace understudy::dist
