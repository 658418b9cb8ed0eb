// label: a teacher's top-k posteriors for every frame of a dataset, into a
// soft-label store (docs/labeling.md). The engine is core/train/labeler.h;
// this file parses and renders.
#include <cstdio>
#include <memory>
#include <string>

#include "app/cli/commands.h"
#include "app/cli/recorded_run.h"
#include "core/store/run_store.h"
#include "core/store/workspace.h"
#include "core/train/labeler.h"
#include "core/util/error.h"
#include "core/util/events.h"
#include "core/util/progress.h"

namespace understudy::cli {

namespace {

struct LabelArgs {
  std::string workspace, model, dataset, precision = "fp16";
  train::LabelOptions options;
};

std::vector<MetricPoint> labelMetrics(const train::LabelResult& r, double wallTime) {
  const SoftLabelSummary& s = r.summary;
  std::vector<MetricPoint> m = {
      {0, "label/utterances", static_cast<double>(s.utterances()), wallTime},
      {0, "label/frames", static_cast<double>(s.frames()), wallTime},
      {0, "label/bytes_per_frame", s.bytesPerFrame(), wallTime},
      {0, "label/mean_top1", s.meanTop1(), wallTime},
      {0, "label/mean_entropy", s.meanEntropy(), wallTime},
      {0, "label/units_used", static_cast<double>(s.unitsUsed()), wallTime},
      {0, "label/frames_per_second", r.seconds > 0 ? r.inputFrames / r.seconds : 0.0, wallTime},
  };
  for (const auto& t : s.truth()) {
    const std::string suffix = t.group == "all" ? "" : "/" + t.group;
    m.push_back({0, "label/truth_top1_accuracy" + suffix, t.top1Accuracy(), wallTime});
    m.push_back({0, "label/truth_in_topk" + suffix, t.topKRecall(), wallTime});
  }
  return m;
}

void runLabel(LabelArgs& a, const GlobalOptions& global) {
  a.options.precision = parseSoftLabelPrecision(a.precision);
  Workspace ws = Workspace::open(a.workspace);
  // Resolve and check before the run is recorded: a wrong name is a plain error.
  train::DatasetLabeling job(ws, a.model, a.dataset, a.options);

  RunSpec spec;
  spec.kind = "label";
  spec.name = a.model + "@" + a.dataset;
  const auto& o = a.options;
  spec.config = "model: " + a.model + "\ndataset: " + a.dataset + "\nfeature_set: " + job.featureSet() +
                "\ntop_k: " + std::to_string(o.topK) + "\ntemperature: " + std::to_string(o.temperature) +
                "\nprecision: " + softLabelPrecisionName(o.precision) + "\nthreads: " +
                std::to_string(o.threads) + "\nmax_frames: " + std::to_string(o.maxFrames) +
                "\ncommit_seconds: " + std::to_string(o.commitSeconds) + "\noutput: " + job.storeDir().filename().string() + "\n";
  if (job.alreadyLabeled() > 0)
    std::fprintf(stderr, "Resuming: %zu of %zu utterances already labeled in %s\n", job.alreadyLabeled(),
                 job.utterances(), job.storeDir().string().c_str());
  train::LabelResult r;
  recordedRun(ws, global, spec, [&](EventStream* events, std::int64_t runId) {
    CommandProgress progress(global.quiet, events);
    r = job.run(runId, &progress);
    std::vector<MetricPoint> metrics = labelMetrics(r, nowSeconds());
    if (events)
      for (const auto& m : metrics) events->writer().metric(m.name, m.step, m.value);
    return metrics;
  });
  const SoftLabelSummary& s = r.summary;
  // Human text: stdout, which `--events -` sends to stderr (event_stream.h).
  std::printf("Labeled %lld utterance(s) (%lld resumed) of '%s' with '%s' into %s\n",
              static_cast<long long>(r.labeledNow), static_cast<long long>(r.resumed), a.dataset.c_str(),
              a.model.c_str(), r.storeDir.string().c_str());
  std::printf("%lld frames, %.1f bytes/frame on disk, mean top-1 p %.3f, mean entropy %.3f nats, "
              "%d of %d units are a top-1\n",
              static_cast<long long>(s.frames()), s.bytesPerFrame(), s.meanTop1(), s.meanEntropy(),
              s.unitsUsed(), s.numUnits());
  if (r.seconds > 0 && r.inputFrames > 0)
    std::printf("%.0f frames/s (10 ms), %.0fx real time, %s\n", r.inputFrames / r.seconds,
                r.inputFrames / 100.0 / r.seconds, formatDuration(r.seconds).c_str());
  const auto truth = s.truth();
  if (!truth.empty()) {
    std::printf("Against the dataset's frame targets:\n");
    std::printf("%-24s %7s %9s %9s %11s\n", "group", "utts", "frames", "top-1 %",
                ("in top-" + std::to_string(o.topK) + " %").c_str());
    for (const auto& t : truth)
      std::printf("%-24s %7lld %9lld %9.2f %11.2f\n", t.group.c_str(), static_cast<long long>(t.utterances),
                  static_cast<long long>(t.frames), 100.0 * t.top1Accuracy(), 100.0 * t.topKRecall());
  } else if (!job.hasTruth()) {
    std::printf("No frame targets for '%s': labeling accuracy not measured (build them with "
                "`understudy-cli targets -w WS --dataset %s` where the dataset has alignments)\n",
                a.dataset.c_str(), a.dataset.c_str());
  }
  if (!r.failed.empty()) {
    std::fprintf(stderr, "%zu utterance(s) could not be read and were not labeled:\n", r.failed.size());
    for (const auto& [key, why] : r.failed) std::fprintf(stderr, "  %s: %s\n", key.c_str(), why.c_str());
    throw US_ERROR(std::to_string(r.failed.size()) + " utterance(s) not labeled")
        .hint("fix or re-extract their features (understudy-cli verify), then rerun the same command to label them");
  }
}

}  // namespace

void addLabelCommands(CLI::App& app, GlobalOptions& global) {
  auto a = std::make_shared<LabelArgs>();
  auto* sub = app.add_subcommand(
      "label",
      "Label a dataset with a teacher: the top-k posteriors of every frame into a soft-label store "
      "(resumable; recorded as a `label` run)");
  addWorkspaceOption(*sub, a->workspace);
  sub->add_option("--model", a->model, "Teacher model name (see `info`; models/<name>)")->required();
  sub->add_option("--dataset", a->dataset, "Dataset to label (see `corpus list`)")->required();
  sub->add_option("--feature-set", a->options.featureSet,
                  "Feature set (default: the dataset's newest complete one)");
  sub->add_option("--top-k", a->options.topK, "Posteriors kept per frame (default 20)");
  sub->add_option("--temperature", a->options.temperature, "Softmax temperature T (default 1)");
  sub->add_option("--precision", a->precision,
                  "Stored probabilities: fp16 (4k bytes/frame) or u8 (8-bit log domain, 3k bytes/frame)");
  sub->add_option("--out", a->options.output,
                  "Folder under WS/softlabels (default <dataset>-<model>)");
  sub->add_option("--threads", a->options.threads, "Torch threads (0 = torch's default)");
  sub->add_option("--max-frames", a->options.maxFrames, "Padded 10 ms frames per batch (default 20000)");
  sub->add_option("--commit-seconds", a->options.commitSeconds,
                  "Commit the store and update the summary at least this often (default 5; 0 = every batch)");
  sub->callback([a, &global] { runLabel(*a, global); });
}

}  // namespace understudy::cli
