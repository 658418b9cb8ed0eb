// Scenario "train": the real Trainer on equalLengthCorpus with the
// synchroniser the arguments name (algorithm=sync|gtc|bmuf and their keys),
// or none in a one-process run. Writes, per rank:
//   weights.rank<r>.pt  [steps + 1, P]: the flat weights before training and after every step
//   stats.rank<r>.pt    [steps, 5]: bytes sent, bytes received, comm seconds, fraction sent, threshold
// Keys: utterances, frames, steps, max_frames, optimizer, lr, momentum,
// grad_clip, gtc_threshold, gtc_target_fraction, bmuf_block_steps,
// bmuf_momentum, bmuf_block_lr, bmuf_nesterov (0/1), bmuf_warmup,
// die_at_step (SIGKILL itself after that step; rank die_rank, default 1),
// stall_at_step (SIGSTOP itself after that step; rank die_rank).
#include <csignal>

#include "core/dist/flat_parameters.h"
#include "core/dist/make_synchroniser.h"
#include "core/train/trainer.h"
#include "tests/core/dist/rank_scenarios.h"

namespace understudy::disttest {
namespace {

void trainScenario(const ScenarioArgs& args) {
  train::TrainerConfig cfg = tinyDistConfig(args);
  auto& g = cfg.distribution.gtc;
  g.threshold = args.number("gtc_threshold", g.threshold);
  g.targetFraction = args.number("gtc_target_fraction", g.targetFraction);
  auto& b = cfg.distribution.bmuf;
  b.blockSteps = static_cast<int>(args.number("bmuf_block_steps", b.blockSteps));
  b.blockMomentum = args.number("bmuf_momentum", b.blockMomentum);
  b.blockLr = args.number("bmuf_block_lr", b.blockLr);
  b.nesterov = args.number("bmuf_nesterov", b.nesterov ? 1 : 0) != 0;
  b.warmupBlocks = static_cast<int>(args.number("bmuf_warmup", b.warmupBlocks));
  const int utterances = static_cast<int>(args.number("utterances", 24));
  const int frames = static_cast<int>(args.number("frames", 30));
  auto data = equalLengthCorpus(utterances, frames, 11);
  train::Trainer trainer(cfg, data, nullptr, {});
  if (args.comm) trainer.setSynchroniser(dist::makeSynchroniser(cfg.distribution, args.comm));

  const auto dieAt = static_cast<std::int64_t>(args.number("die_at_step", -1));
  const auto stallAt = static_cast<std::int64_t>(args.number("stall_at_step", -1));
  const int dieRank = static_cast<int>(args.number("die_rank", 1));
  std::vector<torch::Tensor> weights{dist::flattenValues(trainer.model()->parameters())};
  std::vector<torch::Tensor> stats;
  trainer.setStepObserver([&](const train::StepRecord& r) {
    weights.push_back(dist::flattenValues(trainer.model()->parameters()));
    const train::SyncStats s = trainer.synchroniser().lastStats();
    stats.push_back(torch::tensor({s.bytesSent, s.bytesReceived, s.commSeconds, s.fractionSent, s.threshold},
                                  torch::kFloat64));
    if (r.step == dieAt && args.rank() == dieRank) std::raise(SIGKILL);
    if (r.step == stallAt && args.rank() == dieRank) std::raise(SIGSTOP);
  });
  trainer.run();
  saveTensors(args.output("weights"), {torch::stack(weights)});
  saveTensors(args.output("stats"), {stats.empty() ? torch::zeros({0, 5}, torch::kFloat64) : torch::stack(stats)});
}

US_RANK_SCENARIO("train", trainScenario);

}  // namespace
}  // namespace understudy::disttest
