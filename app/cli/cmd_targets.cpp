// targets: 30 ms frame targets from a dataset's alignments (docs/alignments.md).
#include <cstdio>
#include <memory>
#include <string>

#include "app/cli/commands.h"
#include "app/cli/recorded_run.h"
#include "app/cli/console_progress.h"
#include "app/cli/event_stream.h"
#include "core/align/target_builder.h"
#include "core/store/run_store.h"
#include "core/store/workspace.h"
#include "core/util/config_hash.h"
#include "core/util/error.h"
#include "core/util/events.h"

namespace understudy::cli {

namespace {

constexpr std::size_t kShowAtMost = 20;

struct TargetsArgs {
  std::string workspace, dataset, alignments, units, inventory, featureSet;
  int tolerance = FrameTargetOptions{}.tolerance;
};

void printSummary(const TargetsSummary& s) {
  if (s.alreadyBuilt) {
    std::printf(
        "Targets for '%s' are already built with this config (%s): %d utterance(s), %lld frames "
        "at 30 ms, %d units (inventory %s), %d rejected; nothing written.\n  -> %s\n",
        s.dataset.c_str(), s.configHash.c_str(), s.numUtterances,
        static_cast<long long>(s.numTargetFrames), s.numUnits, s.inventoryName.c_str(),
        s.numRejected, s.dir.c_str());
    return;
  }
  if (!s.rejected.empty()) {
    std::printf("Rejected %zu utterance(s):\n", s.rejected.size());
    std::size_t shown = 0;
    for (const auto& r : s.rejected) {
      if (shown++ == kShowAtMost) {
        std::printf("  ... and %zu more (all listed in %s/rejected.txt)\n",
                    s.rejected.size() - kShowAtMost, s.dir.c_str());
        break;
      }
      std::printf("  %s: %s\n", r.key.c_str(), r.reason.c_str());
    }
  }
  std::printf(
      "Targets for '%s' (%s): %d utterance(s), %lld frames at 30 ms, %d units (inventory %s), "
      "%d rejected, %d padded, %d truncated, %.1f s.\n  -> %s\n",
      s.dataset.c_str(), s.source.c_str(), s.numUtterances,
      static_cast<long long>(s.numTargetFrames), s.numUnits, s.inventoryName.c_str(),
      s.numRejected, s.numPadded, s.numTruncated, s.seconds, s.dir.c_str());
}

void runTargets(const TargetsArgs& a, const GlobalOptions& global) {
  Workspace ws = Workspace::open(a.workspace);
  TargetBuildOptions options;
  options.frames.tolerance = a.tolerance;
  options.inventoryName = a.inventory;
  options.featureSet = a.featureSet;
  options.validate();

  const AlignmentSource source{a.alignments, a.units};
  RunSpec spec;
  spec.kind = "targets";
  spec.name = a.dataset;
  // The run's config is the targets' own (their hash keys the store). When it
  // cannot be resolved (no features, no alignments), the options as given,
  // so that the failure below is recorded as this run's.
  TargetsConfig config;
  try {
    config = resolveTargetsConfig(ws, a.dataset, source, options);
  } catch (const Error&) {
    config.alignments = a.alignments;
    config.units = a.units;
    config.featureSet = a.featureSet;
    config.inventory = a.inventory;
    config.frames = options.frames;
  }
  spec.config = config.toYaml();
  spec.configHash = configHash(spec.config);
  TargetsSummary s;
  recordedRun(ws, global, spec, [&](EventStream* events) {
    CommandProgress progress(global.quiet, events);
    s = buildTargets(ws, a.dataset, source, &progress, options);
    const double now = nowSeconds();
    if (events) events->artifact(ws.root(), s.dataset, s.dir, "targets");
    return std::vector<MetricPoint>{
        {0, "targets/utterances", static_cast<double>(s.numUtterances), now},
        {0, "targets/rejected", static_cast<double>(s.numRejected), now},
        {0, "targets/frames", static_cast<double>(s.numTargetFrames), now},
        {0, "targets/already_built", s.alreadyBuilt ? 1.0 : 0.0, now}};
  });
  printSummary(s);
}

}  // namespace

void addTargetCommands(CLI::App& app, GlobalOptions& global) {
  auto* sub = app.add_subcommand(
      "targets",
      "Make 30 ms frame targets (+ unit inventory, priors) from a dataset's 10 ms alignments");
  auto a = std::make_shared<TargetsArgs>();
  addWorkspaceOption(*sub, a->workspace);
  sub->add_option("--dataset", a->dataset, "Dataset name")->required();
  sub->add_option("--alignments", a->alignments,
                  "Folder with ali.txt + phones.txt (default WS/alignments/DATASET, the "
                  "synthetic layout), or a Kaldi pdf alignment ark/scp (ali-to-pdf output)");
  sub->add_option("--units", a->units,
                  "Kaldi phones.txt (or pdf names, '<name> <id>') the alignment ids refer to; "
                  "default: the folder's phones.txt, or pdf0..pdfN for an ark");
  sub->add_option("--tolerance", a->tolerance,
                  "Frames an alignment may differ from its features (padded / truncated)")
      ->capture_default_str();
  sub->add_option("--inventory", a->inventory,
                  "Name of the unit inventory row (default <phones|pdf>-<n>-<hash>)");
  sub->add_option("--feature-set", a->featureSet,
                  "Feature set giving the frame counts (default: the newest complete one)");
  sub->callback([a, &global] { runTargets(*a, global); });
}

}  // namespace understudy::cli
