#include "core/dist/make_synchroniser.h"

#include "core/dist/bmuf.h"
#include "core/dist/gtc.h"
#include "core/dist/sync_sgd.h"
#include "core/util/error.h"

namespace understudy::dist {

std::shared_ptr<train::UpdateSynchroniser> makeSynchroniser(const train::DistributionConfig& config,
                                                            std::shared_ptr<Communicator> comm) {
  if (config.algorithm == "sync") return std::make_shared<SyncSgd>(std::move(comm));
  if (config.algorithm == "gtc") return std::make_shared<Gtc>(std::move(comm), config.gtc);
  if (config.algorithm == "bmuf") return std::make_shared<Bmuf>(std::move(comm), config.bmuf);
  throw US_ERROR("unknown distribution.algorithm '" + config.algorithm + "'").key("distribution.algorithm");
}

CommunicatorOptions communicatorOptions(const train::DistributionConfig& config) {
  CommunicatorOptions o;
  o.backend = config.backend;
  o.timeoutSeconds = config.timeoutSeconds;
  o.connectTimeoutSeconds = config.connectTimeoutSeconds;
  return o;
}

}  // namespace understudy::dist
