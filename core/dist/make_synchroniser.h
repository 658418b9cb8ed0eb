// The synchroniser a run's distribution config names, on a connected
// Communicator: sync (sync_sgd.h), gtc (gtc.h) or bmuf (bmuf.h).
#pragma once

#include <memory>

#include "core/dist/communicator.h"
#include "core/train/trainer_config.h"
#include "core/train/update_synchroniser.h"

namespace understudy::dist {

std::shared_ptr<train::UpdateSynchroniser> makeSynchroniser(const train::DistributionConfig& config,
                                                            std::shared_ptr<Communicator> comm);

CommunicatorOptions communicatorOptions(const train::DistributionConfig& config);

}  // namespace understudy::dist
