// evaluate: frame accuracy and cross-entropy of a trained model on a dataset
// with frame targets, overall and by condition (docs/models.md "Evaluating a
// model"). The engine is core/train/evaluator.h; this file parses and renders.
#include <cstdio>
#include <memory>
#include <string>

#include "app/cli/commands.h"
#include "app/cli/recorded_run.h"
#include "core/store/run_store.h"
#include "core/store/workspace.h"
#include "core/train/evaluator.h"
#include "core/util/error.h"
#include "core/util/events.h"

namespace understudy::cli {

namespace {

struct EvaluateArgs {
  std::string workspace, model, dataset, featureSet;
  int threads = 0;
  std::int64_t maxFrames = 20000;
};

void printRow(const train::EvaluationTally& t, const std::string& name) {
  std::printf("%-24s %7lld %9lld %9.2f %8.4f\n", name.c_str(), static_cast<long long>(t.utterances),
              static_cast<long long>(t.frames), 100.0 * t.accuracy(), t.crossEntropy());
}

void runEvaluate(const EvaluateArgs& a, const GlobalOptions& global) {
  if (a.threads < 0) throw US_ERROR("--threads must be >= 0").hint("0 = torch's default");
  if (a.maxFrames < 1) throw US_ERROR("--max-frames must be >= 1");
  Workspace ws = Workspace::open(a.workspace);
  // Resolve and check before the run is recorded: a wrong name is a plain error.
  train::DatasetEvaluation evaluation(ws, a.model, a.dataset, a.featureSet);

  RunSpec spec;
  spec.kind = "evaluate";
  spec.name = a.model + "@" + a.dataset;
  spec.config = "model: " + a.model + "\ndataset: " + a.dataset + "\nfeature_set: " +
                evaluation.featureSet() + "\nthreads: " + std::to_string(a.threads) +
                "\nmax_frames: " + std::to_string(a.maxFrames) + "\n";
  train::Evaluation e;
  recordedRun(ws, global, spec, [&](EventStream* events) {
    CommandProgress progress(global.quiet, events);
    train::EvaluationOptions options;
    options.threads = a.threads;
    options.maxFrames = a.maxFrames;
    options.progress = &progress;
    e = evaluation.run(options);
    std::vector<MetricPoint> metrics = e.metrics(nowSeconds());
    if (events)
      for (const auto& m : metrics) events->writer().metric(m.name, m.step, m.value);
    return metrics;
  });
  // Human text: stdout, which `--events -` sends to stderr (event_stream.h).
  std::printf("Model '%s' on '%s' (feature set %s)%s:\n", a.model.c_str(), a.dataset.c_str(),
              e.featureSet.c_str(),
              e.missingTargets ? (", " + std::to_string(e.missingTargets) +
                                  " utterance(s) without targets left out")
                                     .c_str()
                               : "");
  std::printf("%-24s %7s %9s %9s %8s\n", "group", "utts", "frames", "acc %", "CE");
  printRow(e.overall, "all");
  for (const auto& g : e.groups) printRow(g, g.group);
}

}  // namespace

void addEvaluateCommands(CLI::App& app, GlobalOptions& global) {
  auto a = std::make_shared<EvaluateArgs>();
  auto* sub = app.add_subcommand(
      "evaluate",
      "Frame accuracy and cross-entropy of a trained model on a dataset with frame targets, "
      "overall and by condition; recorded as an `evaluate` run");
  addWorkspaceOption(*sub, a->workspace);
  sub->add_option("--model", a->model, "Model name (see `info`; models/<name>)")->required();
  sub->add_option("--dataset", a->dataset, "Dataset with frame targets (see `corpus list`)")->required();
  sub->add_option("--feature-set", a->featureSet,
                  "Feature set (default: the dataset's newest complete one)");
  sub->add_option("--threads", a->threads, "Torch threads (0 = torch's default)");
  sub->add_option("--max-frames", a->maxFrames, "Padded 10 ms frames per batch (default 20000)");
  sub->callback([a, &global] { runEvaluate(*a, global); });
}

}  // namespace understudy::cli
