// corpus synth: the built-in synthetic voice-assistant corpus (docs/corpus.md).
// The command is recorded as a run (kind "synth") with its config and, per
// dataset, metrics synth/<dataset>/{utterances,seconds}; --events streams
// progress, status and an artifact per dataset folder (audio, alignments).
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "app/cli/commands.h"
#include "app/cli/recorded_run.h"
#include "app/cli/console_progress.h"
#include "app/cli/event_stream.h"
#include "core/corpus/synth/synth_corpus.h"
#include "core/store/run_store.h"
#include "core/store/workspace.h"
#include "core/util/config_hash.h"
#include "core/util/error.h"
#include "core/util/events.h"

namespace understudy::cli {

namespace {

struct SynthArgs {
  std::string workspace;
  synth::SynthCorpusConfig config;
};

void printSummary(const synth::SynthCorpusSummary& s, int jobs) {
  std::printf("%-28s %-9s %6s %8s %9s %9s\n", "dataset", "kind", "utts", "speakers", "minutes",
              "target");
  for (const auto& d : s.datasets)
    std::printf("%-28s %-9s %6d %8d %9.1f %9.1f%s\n", d.name.c_str(), d.kind.c_str(),
                d.numUtterances, d.numSpeakers, d.totalSeconds / 60.0, d.targetSeconds / 60.0,
                d.alreadyComplete ? "  (already in the workspace)" : "");
  if (s.audioSeconds > 0)
    std::printf("Synthesised %.1f min of audio in %.1f s (%.0fx real time, %d job(s)).\n",
                s.audioSeconds / 60.0, s.wallSeconds, s.audioSeconds / s.wallSeconds, jobs);
}

void runSynth(const SynthArgs& a, const GlobalOptions& global) {
  a.config.validate();
  Workspace ws = Workspace::open(a.workspace);
  RunSpec spec;
  spec.kind = "synth";
  spec.name = "synth-" + a.config.profile + "-seed" + std::to_string(a.config.seed);
  spec.config = a.config.toYaml();
  spec.configHash = configHash(spec.config);
  synth::SynthCorpusSummary s;
  recordedRun(ws, global, spec, [&](EventStream* events) {
    CommandProgress progress(global.quiet, events);
    // Worker processes are forked inside: nothing here may have started a thread.
    s = synth::buildSynthCorpus(ws, a.config, &progress);
    if (events) {
      for (const auto& d : s.datasets) {
        for (const char* kind : {"audio", "alignments"}) {  // the folder is named after its kind
          const auto dir = ws.subdir(kind) / d.name;
          if (std::filesystem::is_directory(dir)) events->artifact(ws.root(), d.name, dir, kind);
        }
      }
    }
    std::vector<MetricPoint> metrics;
    for (const auto& d : s.datasets) {
      metrics.push_back({0, "synth/" + d.name + "/utterances", double(d.numUtterances), nowSeconds()});
      metrics.push_back({0, "synth/" + d.name + "/seconds", d.totalSeconds, nowSeconds()});
    }
    if (s.wallSeconds > 0)
      metrics.push_back({0, "synth/real_time_factor", s.audioSeconds / s.wallSeconds, nowSeconds()});
    return metrics;
  });
  printSummary(s, a.config.jobs);
}

}  // namespace

void addCorpusSynthCommand(CLI::App& corpus, GlobalOptions& global) {
  auto* sub = corpus.add_subcommand(
      "synth",
      "Synthesise the built-in voice-assistant corpus with espeak-ng: labeled, unlabeled and "
      "test sets with exact phone alignments");
  auto args = std::make_shared<SynthArgs>();
  addWorkspaceOption(*sub, args->workspace);
  sub->add_option("--profile", args->config.profile,
                  "tiny (3 min labeled, 10 min unlabeled, 2+2 min test), demo (30 min, 4 h, "
                  "20+20 min) or large (3 h, 40 h, 1+1 h)")
      ->capture_default_str()
      ->check(CLI::IsMember({"tiny", "demo", "large"}));
  sub->add_option("--seed", args->config.seed, "Random seed: same seed, byte-identical corpus")
      ->capture_default_str();
  sub->add_option("-j,--jobs", args->config.jobs, "Worker processes (espeak-ng is not thread-safe)")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  sub->add_flag("--narrow-unlabeled", args->config.narrowUnlabeled,
                "Also make synth-unlabeled-narrow: the unlabeled text spoken only by the labeled "
                "voices (a control for diversity vs. plain distillation)");
  sub->add_option("--scale", args->config.scale,
                  "Multiply every target duration (e.g. 0.5 for a half-size profile)")
      ->capture_default_str();
  sub->callback([args, &global] { runSynth(*args, global); });
}

}  // namespace understudy::cli
