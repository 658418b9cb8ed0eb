// BMUF scenarios (test_dist_bmuf.cpp).
//
// "bmuf_blocks": drives dist::Bmuf directly, without a trainer. Two
// parameters of 12 and 5 floats; each "optimizer step" adds a seeded random
// step that depends on (rank, block, step), so the ranks drift apart inside
// a block. Keys: tau, blocks (full blocks), partial (steps of a last partial
// block, settled by finish()), eta, zeta, nesterov, warmup, stop_rank,
// stop_block, stop_step (that rank wishes to stop before that step),
// same_step (1: every step of every rank adds 0.01 to each weight). Writes
//   blocks.rank<r>.pt  [blocks+2, 4, P]: row 0: the weights before begin()
//                      and after, W_g and Delta after begin(); row b+1 (each
//                      block, the partial one last): the local weights before
//                      the boundary, the weights after it, W_g, Delta
//   steps.rank<r>.pt   [steps, 3]: agreeToStop's answer, bytes sent, and
//                      whether the step communicated
//   consensus.rank<r>.pt [3, P]: before the last full block: the weights
//                      inside withConsensusWeights(), after it, W_g
//   resumed.rank<r>.pt [3, P]: a second Bmuf loaded from the state saved
//                      before the last full block: the weights after its
//                      begin(), W_g and Delta after it ran that block with the
//                      same local steps
//
// "bmuf_resume": the real Trainer with algorithm=bmuf: one run of `steps`
// steps, and one stopped at `stop_at` (checkpoint), resumed in a fresh
// Trainer and run to `steps`; or, with mid_block=1, checkpoints every
// `stop_at` steps and a resume from ckpt-<stop_at>. Writes
//   straight.rank<r>.pt, resumed.rank<r>.pt [steps + 2, P]: the weights
//                      before training, after every step, and after run()
//                      (finish(): the global model)
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "core/dist/bmuf.h"
#include "core/dist/flat_parameters.h"
#include "core/dist/make_synchroniser.h"
#include "core/train/trainer.h"
#include "core/util/error.h"
#include "tests/core/dist/rank_scenarios.h"

namespace understudy::disttest {
namespace {

torch::Tensor localStep(int rank, int block, int step, std::int64_t n, bool same) {
  if (same) return torch::full({n}, 0.01);  // every rank, every step: a steady descent direction
  torch::manual_seed(static_cast<std::uint64_t>(1000 * rank + 10 * block + step + 1));
  return 0.1 * torch::randn({n});
}

void blocksScenario(const ScenarioArgs& args) {
  if (!args.comm) throw US_ERROR("bmuf_blocks needs a job (RANK, WORLD_SIZE, ...)");
  train::BmufConfig cfg;
  cfg.blockSteps = static_cast<int>(args.number("tau", 2));
  cfg.blockMomentum = args.number("eta", -1);
  cfg.blockLr = args.number("zeta", 1);
  cfg.nesterov = args.number("nesterov", 1) != 0;
  cfg.warmupBlocks = static_cast<int>(args.number("warmup", 0));
  const int blocks = static_cast<int>(args.number("blocks", 3));
  const int partial = static_cast<int>(args.number("partial", 0));
  const int stopRank = static_cast<int>(args.number("stop_rank", -1));
  const int stopBlock = static_cast<int>(args.number("stop_block", -1));
  const int stopStep = static_cast<int>(args.number("stop_step", -1));
  const bool sameStep = args.number("same_step", 0) != 0;
  const int rank = args.rank();

  // Rank 0's initial weights must reach every rank.
  torch::manual_seed(static_cast<std::uint64_t>(77 + rank));
  std::vector<torch::Tensor> params{torch::randn({3, 4}).requires_grad_(true),
                                    torch::randn({5}).requires_grad_(true)};
  const std::int64_t n = dist::countElements(params);
  const auto flat = [&] { return dist::flattenValues(params); };
  const auto addStep = [&](int block, int step) {
    torch::NoGradGuard noGrad;
    const torch::Tensor d = localStep(rank, block, step, n, sameStep);
    params[0].add_(d.narrow(0, 0, 12).view({3, 4}));
    params[1].add_(d.narrow(0, 12, 5));
  };

  dist::Bmuf bmuf(args.comm, cfg);
  const torch::Tensor before = flat();
  bmuf.begin(params);
  std::vector<torch::Tensor> rows{
      torch::stack({before, flat(), bmuf.globalModel(), bmuf.blockMomentum()})};
  std::vector<torch::Tensor> steps, consensus, resumed;
  const std::string statePath = args.output("state");

  const auto runBlock = [&](dist::Bmuf& b, int block, int length, bool record) {
    torch::Tensor localEnd;
    for (int s = 0; s < length; ++s) {
      const bool wish = rank == stopRank && block == stopBlock && s == stopStep;
      const bool stop = b.agreeToStop(wish);
      addStep(block, s);
      localEnd = flat();
      b.afterOptimizerStep(params, 0);
      const auto st = b.lastStats();
      if (record)
        steps.push_back(torch::tensor({stop ? 1.0 : 0.0, st.bytesSent, st.communicated ? 1.0 : 0.0},
                                      torch::kFloat64));
    }
    return localEnd;
  };

  for (int block = 0; block < blocks; ++block) {
    const torch::Tensor localEnd = runBlock(bmuf, block, cfg.blockSteps, true);
    rows.push_back(torch::stack({localEnd, flat(), bmuf.globalModel(), bmuf.blockMomentum()}));
    if (block == blocks - 2) {
      torch::Tensor inside;
      bmuf.withConsensusWeights(params, [&] { inside = flat(); });
      consensus = {inside, flat(), bmuf.globalModel().clone()};
      torch::serialize::OutputArchive ar;
      bmuf.saveState(ar);
      ar.save_to(statePath);
    }
  }
  if (partial > 0) {
    const torch::Tensor localEnd = runBlock(bmuf, blocks, partial, true);
    bmuf.finish(params);
    rows.push_back(torch::stack({localEnd, flat(), bmuf.globalModel(), bmuf.blockMomentum()}));
  }

  // A second Bmuf resumes from the state saved before the last full block
  // and runs that block with the same local steps.
  if (blocks >= 2) {
    dist::Bmuf again(args.comm, cfg);
    torch::serialize::InputArchive in;
    in.load_from(statePath);
    {
      torch::NoGradGuard noGrad;
      for (auto& p : params) p.add_(1.0);  // not the start point: begin() must put it there
    }
    again.loadState(&in, params, statePath);
    again.begin(params);
    resumed.push_back(flat());
    runBlock(again, blocks - 1, cfg.blockSteps, false);
    resumed.push_back(again.globalModel().clone());
    resumed.push_back(again.blockMomentum().clone());
  }

  saveTensors(args.output("blocks"), {torch::stack(rows)});
  saveTensors(args.output("steps"), {torch::stack(steps)});
  saveTensors(args.output("consensus"), {torch::stack(consensus)});
  if (!resumed.empty()) saveTensors(args.output("resumed"), {torch::stack(resumed)});
}

US_RANK_SCENARIO("bmuf_blocks", blocksScenario);

train::TrainerConfig resumeConfig(const ScenarioArgs& args) {
  train::TrainerConfig cfg = tinyDistConfig(args);
  cfg.distribution.algorithm = "bmuf";
  auto& b = cfg.distribution.bmuf;
  b.blockSteps = static_cast<int>(args.number("bmuf_block_steps", b.blockSteps));
  b.blockMomentum = args.number("bmuf_momentum", b.blockMomentum);
  b.blockLr = args.number("bmuf_block_lr", b.blockLr);
  b.nesterov = args.number("bmuf_nesterov", b.nesterov ? 1 : 0) != 0;
  cfg.keepCheckpoints = 100;
  return cfg;
}

// Runs `trainer` to its end, appending the weights after every step and
// after run() to `weights`.
void runRecorded(train::Trainer& trainer, std::vector<torch::Tensor>& weights,
                 std::int64_t stopAt = 0) {
  trainer.setStepObserver([&](const train::StepRecord&) {
    weights.push_back(dist::flattenValues(trainer.model()->parameters()));
  });
  trainer.run(stopAt);
  weights.push_back(dist::flattenValues(trainer.model()->parameters()));
}

void resumeScenario(const ScenarioArgs& args) {
  if (!args.comm) throw US_ERROR("bmuf_resume needs a job (RANK, WORLD_SIZE, ...)");
  train::TrainerConfig cfg = resumeConfig(args);
  const auto stopAt = static_cast<std::int64_t>(args.number("stop_at", 3));
  const bool midBlock = args.number("mid_block", 0) != 0;
  auto data = equalLengthCorpus(static_cast<int>(args.number("utterances", 24)), 30, 11);
  const auto synchroniser = [&] { return dist::makeSynchroniser(cfg.distribution, args.comm); };

  std::vector<torch::Tensor> straight;
  {
    train::Trainer t(cfg, data, nullptr, {});
    t.setSynchroniser(synchroniser());
    straight.push_back(dist::flattenValues(t.model()->parameters()));
    runRecorded(t, straight);
  }

  const std::filesystem::path dir = args.outdir + "/ckpt";
  std::vector<torch::Tensor> resumed;
  {
    train::TrainerConfig first = cfg;
    if (midBlock) {
      first.checkpointEvery = stopAt;
      first.maxSteps = stopAt + 1;
    }
    train::Trainer t(first, data, nullptr, dir);
    t.setSynchroniser(synchroniser());
    resumed.push_back(dist::flattenValues(t.model()->parameters()));
    std::vector<torch::Tensor> firstPart;
    runRecorded(t, firstPart, midBlock ? 0 : stopAt);
    firstPart.pop_back();                // the weights after run()
    if (midBlock) firstPart.pop_back();  // the step after the checkpoint: redone
    resumed.insert(resumed.end(), firstPart.begin(), firstPart.end());
  }
  args.comm->barrier();  // rank 0 has written the checkpoint
  {
    train::Trainer t(cfg, data, nullptr, dir);
    t.setSynchroniser(synchroniser());
    const auto checkpoints = train::Trainer::listCheckpoints(dir);
    const auto it = std::find_if(checkpoints.begin(), checkpoints.end(), [&](const auto& p) {
      return p.filename().string().find("-" + fmt::format("{:09d}", stopAt) + ".pt") !=
             std::string::npos;
    });
    if (it == checkpoints.end()) throw US_ERROR("no checkpoint of step " + std::to_string(stopAt));
    t.loadCheckpoint(*it);
    runRecorded(t, resumed);
  }
  saveTensors(args.output("straight"), {torch::stack(straight)});
  saveTensors(args.output("resumed"), {torch::stack(resumed)});
}

US_RANK_SCENARIO("bmuf_resume", resumeScenario);

}  // namespace
}  // namespace understudy::disttest
