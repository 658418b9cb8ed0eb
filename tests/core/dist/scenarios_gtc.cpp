// GTC scenarios (docs/distributed.md "GTC").
//
// "gtc_synthetic": a Gtc driven directly with synthetic gradients on three
// parameter tensors (no model, no optimizer), so that a test sees what each
// rank sent. Keys: elements, steps, tau, target_fraction, sigma (gradient
// noise, in units of tau), dense_at_step (that step's gradients are 100 tau
// everywhere: more selected than a dense exchange costs). Writes, per rank,
// synthetic.rank<r>.pt: [G, S, A, R, stats] with
//   G [elements] float64: the sum of this rank's gradients
//   S [elements] float64: the sum of what this rank sent, decoded from its
//     list as every rank received it (dense steps: its whole residual)
//   A [elements] float64: the sum of the gradients Gtc handed the optimizer
//   R [elements]: the final residual
//   stats [steps, 7]: bytes sent, bytes received, comm seconds, fraction
//     sent, threshold, longest list (elements), 1 if the step was dense.
//
// "gtc_resume": the "train" scenario's trainer (algorithm gtc) with
// checkpoints in `checkpoints=DIR`: stop_at=K trains K steps and writes a
// checkpoint; without stop_at it resumes from the latest one and trains to
// `steps`. Writes weights.rank<r>.pt [1 + steps done here, P] (the first
// row: the weights it started from) and residual.rank<r>.pt: [the residual,
// the threshold rule's state (tau, average fraction, settled)] right after
// resuming, or at the end of a stop_at run.
#include <filesystem>

#include "core/dist/flat_parameters.h"
#include "core/dist/gtc.h"
#include "core/train/trainer.h"
#include "tests/core/dist/rank_scenarios.h"

namespace understudy::disttest {
namespace {

void gtcSyntheticScenario(const ScenarioArgs& args) {
  const auto elements = static_cast<std::int64_t>(args.number("elements", 30000));
  const int steps = static_cast<int>(args.number("steps", 10));
  const int denseAt = static_cast<int>(args.number("dense_at_step", -1));
  train::GtcConfig cfg;
  cfg.threshold = args.number("tau", 0.05);
  cfg.targetFraction = args.number("target_fraction", 0.0);
  const double sigma = args.number("sigma", 0.5) * cfg.threshold;

  const std::int64_t a = elements / 2, b = elements / 8;
  std::vector<torch::Tensor> params{torch::zeros({a}), torch::zeros({b, 2}),
                                    torch::zeros({elements - a - 2 * b})};
  for (auto& p : params) p.requires_grad_(true);
  auto gtc = std::make_shared<dist::Gtc>(args.comm, cfg);
  gtc->begin(params);

  torch::manual_seed(1000 + static_cast<std::uint64_t>(args.rank()));
  // A persistent part per element (as real gradients have) plus noise.
  const torch::Tensor bias = torch::randn({elements}) * (0.3 * sigma);
  const auto f64 = torch::kFloat64;
  torch::Tensor G = torch::zeros({elements}, f64), S = torch::zeros({elements}, f64),
                A = torch::zeros({elements}, f64);
  std::vector<torch::Tensor> stats;
  for (int s = 1; s <= steps; ++s) {
    const torch::Tensor g = s == denseAt ? torch::full({elements}, 100 * cfg.threshold)
                                         : bias + torch::randn({elements}) * sigma;
    dist::assignGradients(g, params);
    G += g.to(f64);
    const torch::Tensor before =
        gtc->residual().defined() ? gtc->residual().clone() : torch::zeros({elements});
    gtc->reduceGradients(params);
    A += dist::flattenGradients(params).to(f64);
    gtc->afterOptimizerStep(params, s);
    const train::SyncStats st = gtc->lastStats();
    const auto& lists = gtc->lastLists();
    const bool dense = lists.empty() && st.fractionSent == 1.0;
    std::int64_t longest = 0;
    if (dense) {
      S += (before + g).to(f64);
    } else {
      for (const auto& l : lists) longest = std::max(longest, l.size(0));
      const dist::SparseSigns mine =
          dist::unpackSparseSigns(lists.at(static_cast<std::size_t>(args.rank())));
      S.index_add_(0, mine.indices,
                   mine.signs.to(f64) * static_cast<double>(static_cast<float>(st.threshold)));
    }
    stats.push_back(torch::tensor({st.bytesSent, st.bytesReceived, st.commSeconds, st.fractionSent,
                                   st.threshold, static_cast<double>(longest), dense ? 1.0 : 0.0},
                                  f64));
  }
  saveTensors(args.output("synthetic"), {G, S, A, gtc->residual(), torch::stack(stats)});
}

// The threshold rule's state: [tau, average fraction, settled].
torch::Tensor controlState(const dist::Gtc& gtc) {
  const dist::GtcThresholdControl& c = gtc.thresholdControl();
  return torch::tensor({c.tau, c.averageFraction, c.settled ? 1.0 : 0.0}, torch::kFloat64);
}

void gtcResumeScenario(const ScenarioArgs& args) {
  train::TrainerConfig cfg = tinyDistConfig(args);
  cfg.distribution.algorithm = "gtc";
  cfg.distribution.gtc.threshold = args.number("gtc_threshold", cfg.distribution.gtc.threshold);
  cfg.distribution.gtc.targetFraction =
      args.number("gtc_target_fraction", cfg.distribution.gtc.targetFraction);
  const std::filesystem::path checkpoints = args.get("checkpoints", args.outdir + "/checkpoints");
  auto data = equalLengthCorpus(static_cast<int>(args.number("utterances", 24)),
                                static_cast<int>(args.number("frames", 30)), 11);
  train::Trainer trainer(cfg, data, nullptr, checkpoints);
  auto gtc = std::make_shared<dist::Gtc>(args.comm, cfg.distribution.gtc);
  trainer.setSynchroniser(gtc);
  const auto stopAt = static_cast<std::int64_t>(args.number("stop_at", 0));
  if (stopAt == 0) {
    if (!trainer.resumeFromLatest())
      throw std::runtime_error("gtc_resume: no checkpoint in " + checkpoints.string());
    saveTensors(args.output("residual"), {gtc->residual(), controlState(*gtc)});
  }
  std::vector<torch::Tensor> weights{dist::flattenValues(trainer.model()->parameters())};
  trainer.setStepObserver([&](const train::StepRecord&) {
    weights.push_back(dist::flattenValues(trainer.model()->parameters()));
  });
  trainer.run(stopAt);
  if (stopAt > 0) saveTensors(args.output("residual"), {gtc->residual(), controlState(*gtc)});
  saveTensors(args.output("weights"), {torch::stack(weights)});
}

US_RANK_SCENARIO("gtc_synthetic", gtcSyntheticScenario);
US_RANK_SCENARIO("gtc_resume", gtcResumeScenario);

}  // namespace
}  // namespace understudy::disttest
