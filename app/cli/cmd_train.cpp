// train: a teacher or student from a recipe-style YAML config: cross-entropy
// on labeled data, distillation on teacher-labeled data, on the schedule the
// config names (docs/training.md).
#include <cstdio>
#include <memory>
#include <string>

#include "app/cli/commands.h"
#include "app/cli/console_progress.h"
#include "app/cli/event_stream.h"
#include "core/align/target_store.h"
#include "core/store/run_store.h"
#include "core/store/workspace.h"
#include "core/train/model_bundle.h"
#include "core/train/model_lock.h"
#include "core/train/trainer.h"
#include "core/train/workspace_data.h"
#include "core/util/checksum.h"
#include "core/util/error.h"
#include "core/util/log.h"

namespace understudy::cli {

namespace {

namespace fs = std::filesystem;

struct TrainArgs {
  std::string workspace, config;
  bool resume = false;
  std::int64_t maxSteps = -1;
  int threads = -1;
};

void runTrain(const TrainArgs& a, const GlobalOptions& global) {
  train::TrainerConfig cfg = train::TrainerConfig::loadFile(a.config);
  if (a.maxSteps >= 0) cfg.maxSteps = a.maxSteps;
  if (a.threads >= 0) cfg.threads = a.threads;
  Workspace ws = Workspace::open(a.workspace);
  const fs::path modelDir = ws.subdir("models") / cfg.name;
  // One writer per model folder, held until this process ends (or dies).
  const train::ModelFolderLock lock(modelDir);
  train::WorkspaceData data = train::loadWorkspaceData(ws, cfg);
  cfg.resolveUnits(data.units.size());
  cfg.validate();

  const fs::path checkpointDir = modelDir / "checkpoints";
  const bool haveCheckpoints = !train::Trainer::listCheckpoints(checkpointDir).empty();
  if (haveCheckpoints && !a.resume)
    throw US_ERROR("model '" + cfg.name + "' already has checkpoints").file(checkpointDir.string())
        .hint("continue it with --resume, or pick another name (or delete the folder)");

  // Human-readable lines (main() sends stdout to stderr when `--events -` owns it).
  std::FILE* out = stdout;
  std::fprintf(out, "# train: resolved config (%s)\n%s", a.config.c_str(), cfg.toYaml().c_str());
  std::fprintf(out, "# data: %zu training utterances (%lld frames), %zu validation, %d units\n",
              data.train->size(), static_cast<long long>(data.trainFrames),
              data.validation ? data.validation->size() : std::size_t{0}, data.units.size());
  if (data.soft)
    std::fprintf(out, "# soft-labeled data: %zu utterances (%lld frames)\n", data.soft->size(),
                 static_cast<long long>(data.softFrames));
  for (const auto& [name, source] : data.validationSets)
    std::fprintf(out, "# validation set %s: %zu utterances\n", name.c_str(), source->size());
  std::fflush(out);

  train::Trainer trainer(cfg, train::trainingData(data), checkpointDir);
  {
    std::string streams;
    for (std::size_t i = 0; i < trainer.batches().size(); ++i)
      streams += fmt::format("{}{} {} batches per epoch", i ? ", " : "", trainer.batches().at(i).name(),
                             trainer.batches().at(i).batchesInEpoch());
    std::fprintf(out, "# streams: %s: %s\n", cfg.streams.kind.c_str(), streams.c_str());
  }
  std::optional<std::int64_t> parent;
  if (a.resume) {
    if (trainer.resumeFromLatest()) {
      if (trainer.checkpointRunId() > 0) parent = trainer.checkpointRunId();
      std::fprintf(out, "# resuming at step %lld\n", static_cast<long long>(trainer.step()));
    } else {
      log::warning("--resume: no checkpoint in {}; starting from scratch", checkpointDir.string());
    }
  }

  RunStore runs(ws.db());
  RunSpec spec;
  spec.kind = "train";
  spec.name = cfg.name;
  spec.config = cfg.toYaml();
  spec.configHash = fmt::format("{:016x}", checksum64(spec.config));
  spec.parentRunId = parent;
  runs.reapOrphanedRuns();
  const std::int64_t runId = runs.startRun(spec);
  auto events = openEventStream(global, runId);
  if (events) events->writer().status("started", {{"kind", "train"}, {"name", cfg.name}});
  ConsoleProgress progress(global.quiet);
  trainer.setSinks({&progress, events ? &events->writer() : nullptr, &runs, runId});

  train::TrainResult r;
  try {
    r = trainer.run();
  } catch (const std::exception& e) {
    const std::string message = dynamic_cast<const Error*>(&e) ? static_cast<const Error&>(e).message() : e.what();
    runs.finishRun(runId, RunStatus::Failed, message);
    if (events) events->writer().status("failed", {{"error", message}});
    throw;
  }
  if (r.cancelled) {
    runs.finishRun(runId, RunStatus::Cancelled, "cancelled at step " + std::to_string(r.steps));
    if (events) events->writer().status("cancelled", {{"step", r.steps}});
    throw US_ERROR("training cancelled at step " + std::to_string(r.steps) + "; checkpoint saved")
        .file(checkpointDir.string())
        .hint("continue with: understudy-cli train -w " + a.workspace + " --config " + a.config + " --resume");
  }

  try {
    const bool best = cfg.keepBest && trainer.restoreBest();
    // Priors over every training dataset's targets, weighted by frames.
    std::vector<fs::path> targetDirs;
    for (const auto& name : cfg.data.train) targetDirs.push_back(TargetStore::datasetDir(ws.root(), name));
    train::ModelBundle bundle;
    bundle.name = cfg.name;
    bundle.role = cfg.role;
    bundle.model = trainer.model();
    bundle.cmvn = data.cmvn;
    bundle.units = data.units;
    bundle.priors = train::pooledTargetPriors(targetDirs);
    bundle.runId = runId;
    bundle.unitInventoryId = data.unitInventoryId;
    const std::int64_t modelId = bundle.save(ws);
    const fs::path weights = bundle.dir / train::ModelBundle::kWeightsFile;
    runs.finishRun(runId, RunStatus::Finished);
    if (events) {
      events->artifact(ws.root(), cfg.name, weights, "model", {{"model_id", modelId}}, r.steps);
      events->writer().status("finished", {{"steps", r.steps}, {"stop", r.stopReason}});
    }
    std::fprintf(
        out,
        "Trained '%s' (%s): %lld steps, stopped by %s, %.0f frames/s, validation accuracy %.1f%% "
        "(loss %.4f)%s.\n  -> %s\n",
        cfg.name.c_str(), cfg.role.c_str(), static_cast<long long>(r.steps), r.stopReason.c_str(),
        r.framesPerSecond, 100.0 * r.lastValidation.accuracy, r.lastValidation.loss,
        best ? fmt::format(", kept best step {}", r.bestStep).c_str() : "", weights.c_str());
  } catch (const std::exception& e) {
    const std::string message = dynamic_cast<const Error*>(&e) ? static_cast<const Error&>(e).message() : e.what();
    runs.finishRun(runId, RunStatus::Failed, message);
    throw;
  }
}

}  // namespace

void addTrainCommands(CLI::App& app, GlobalOptions& global) {
  auto* sub = app.add_subcommand("train", "Train a teacher or student acoustic model (frame CE, top-k distillation)");
  auto a = std::make_shared<TrainArgs>();
  addWorkspaceOption(*sub, a->workspace);
  sub->add_option("--config", a->config, "Trainer YAML (docs/training.md; resources/recipes/*.yaml)")
      ->required()
      ->check(CLI::ExistingFile);
  sub->add_flag("--resume", a->resume, "Continue from the newest checkpoint of this model");
  sub->add_option("--max-steps", a->maxSteps, "Override max_steps from the config");
  sub->add_option("--threads", a->threads, "Override threads from the config (0 = all cores)");
  sub->callback([a, &global] { runTrain(*a, global); });
}

}  // namespace understudy::cli
