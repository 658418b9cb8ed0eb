#include "core/dist/collective_synchroniser.h"

#include "core/dist/flat_parameters.h"

namespace understudy::dist {

CollectiveSynchroniser::CollectiveSynchroniser(std::shared_ptr<Communicator> comm) : m_comm(std::move(comm)) {}

void CollectiveSynchroniser::begin(const std::vector<torch::Tensor>& params) {
  torch::Tensor flat = flattenValues(params);
  m_comm->broadcast(flat, 0);
  assignValues(flat, params);
  m_comm->takeTally();  // not a step's cost
}

bool CollectiveSynchroniser::agreeToStop(bool localWantsStop) {
  torch::Tensor flag = torch::tensor({localWantsStop ? 1 : 0}, torch::kInt32);
  m_comm->allreduceSum(flag);
  return flag.item<int>() > 0;
}

std::vector<double> CollectiveSynchroniser::sumOverRanks(std::vector<double> values) {
  if (values.empty()) return values;
  torch::Tensor t = torch::tensor(values, torch::kFloat64);
  m_comm->allreduceSum(t);
  auto a = t.accessor<double, 1>();
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = a[static_cast<std::int64_t>(i)];
  return values;
}

void CollectiveSynchroniser::afterOptimizerStep(const std::vector<torch::Tensor>&, std::int64_t) { closeStep(); }

void CollectiveSynchroniser::closeStep() {
  const CommTally t = m_comm->takeTally();
  m_stats = m_pending;
  m_stats.bytesSent = t.bytesSent;
  m_stats.bytesReceived = t.bytesReceived;
  m_stats.commSeconds = t.seconds;
  m_stats.communicated = t.collectives > 0;
  m_pending = {};
}

}  // namespace understudy::dist
