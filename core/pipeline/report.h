// The report of a recipe (docs/recipes.md, "The report"): report.md and PNG
// plots from what workspace.db holds — the WER table of every comparison
// group on every test set with its relative reduction against the baseline,
// the teacher's labeling accuracy against the truth per condition, learning
// curves, bytes sent per step per distribution algorithm, and the labels'
// storage per frame.
//
//   ReportSpec spec;                       // the recipe runner fills it
//   spec.testSets = {"synth-test-clean", "synth-test-noisy"};
//   spec.baselineGroup = "baseline";
//   spec.models.push_back({"baseline-s1", "baseline", "baseline", 1});
//   ...
//   ReportFiles files = writeReport(ws, spec, ws.root() / "report", &plots);
//
// Torch-free and Qt-free: the numbers are read through core/store and
// computed here (collectReport); the pictures are drawn by a PlotSink the
// host supplies (the CLI's draws with QPainter). Nothing is made up: a
// number the workspace does not hold shows as "—" with a note saying why.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/store/catalog.h"
#include "core/store/soft_label_summary.h"

namespace understudy {
class Workspace;
}

namespace understudy::pipeline {

// One trained model of the recipe.
struct ReportModel {
  std::string name;       // models.name
  std::string group;      // the comparison row ("baseline", "interleave", ...); seeds of one group are averaged
  std::string role;       // teacher | student | baseline
  std::uint64_t seed = 1;
  std::string algorithm;  // "" (one process) | sync | gtc | bmuf
  int workers = 1;
};

struct ReportSpec {
  std::string recipeName;
  std::string teacher;  // model name
  std::string labeledSet, unlabeledSet;
  std::vector<std::string> testSets;
  std::string baselineGroup;        // relative WER reduction against this group's mean
  std::vector<ReportModel> models;  // teacher included (role teacher)
  // The recipe's run (0: none): a soft-label set made under it is preferred
  // over the teacher's other sets of the unlabeled set.
  std::int64_t recipeRunId = 0;
};

// --- plots ------------------------------------------------------------------

struct PlotSeries {
  std::string name;
  std::vector<double> x, y;  // same length
};

struct LinePlot {
  std::string title, xLabel, yLabel;
  bool logY = false;
  std::vector<PlotSeries> series;
  bool logX = false;  // x on a base-2 log axis (ticks 1, 2, 4, ...): workers in docs/scaling.md
};

struct BarSeries {
  std::string name;
  std::vector<std::optional<double>> values;  // one per category; none: no bar ("n/a")
  std::vector<double> errors;                 // empty, or ± one per category (0: no bar)
};

// Grouped bars: one group per category, one bar per series in each.
struct BarChart {
  std::string title, xLabel, yLabel;
  bool logY = false;
  std::vector<std::string> categories;
  std::vector<BarSeries> series;
};

// Draws plots into PNG files. Throws understudy::Error when a file cannot be written.
class PlotSink {
 public:
  virtual ~PlotSink() = default;
  virtual void drawLines(const LinePlot& plot, const std::filesystem::path& png) = 0;
  virtual void drawBars(const BarChart& chart, const std::filesystem::path& png) = 0;
};

// --- the numbers ------------------------------------------------------------

// A group's WER on one test set over its models (seeds) that were decoded on it.
struct WerStat {
  std::vector<double> values;  // the models' WERs (%), in the group's model order
  int missing = 0;             // models of the group never decoded on the set
  double mean = 0.0;
  std::optional<double> stddev;  // sample standard deviation (n − 1); none below 2 values
  // (mean_baseline − mean) / mean_baseline in %; none without a baseline
  // value or when the baseline's mean is 0.
  std::optional<double> relativeReduction;
  bool empty() const { return values.empty(); }
};

struct ReportGroup {
  std::string name;
  std::string role;
  std::string algorithm;
  int workers = 1;
  std::vector<std::string> models;
  std::vector<std::uint64_t> seeds;
};

// One soft-label set of the teacher on the unlabeled set.
struct ReportLabelSet {
  SoftLabelSetRow set;
  std::optional<SoftLabelSummary> summary;
  bool chosen = false;  // the one whose accuracy the report shows
};

// A model's training metrics as recorded by its run (empty when none).
struct ReportCurves {
  std::string model;
  std::int64_t runId = 0;
  std::vector<std::pair<double, double>> validLoss, validAccuracy, trainLoss, labeledLoss, softLoss;
  double meanBytesSent = 0.0;  // dist/bytes_sent over the logged steps
  std::int64_t bytesSteps = 0;
  std::optional<double> meanFractionSent;  // dist/fraction_sent (GTC)
};

// Bytes on the wire of one distribution algorithm: the mean over its models
// of each one's mean dist/bytes_sent per logged step (rank 0).
struct ReportTraffic {
  std::string algorithm;
  int workers = 1;
  std::vector<std::string> models;
  double meanBytesSent = 0.0;
  std::int64_t steps = 0;                  // logged steps, all models together
  std::optional<double> meanFractionSent;  // GTC's fraction of elements sent
};

struct ReportNumbers {
  std::vector<std::string> testSets;          // the spec's sets that exist, in its order
  std::vector<ReportGroup> groups;            // in the order of their first model
  std::vector<std::vector<WerStat>> wer;      // [group][test set]
  std::vector<std::vector<std::optional<double>>> modelWer;  // [spec model][test set]
  std::optional<std::size_t> baseline;        // index into groups
  std::vector<ReportLabelSet> labelSets;
  std::vector<ReportCurves> curves;           // [spec model]
  std::vector<ReportTraffic> traffic;         // distributed models, by algorithm and workers
  std::vector<std::string> notes;             // why a cell is "—", doubtful cells
};

// Reads and computes everything the report shows. A model, test set, teacher
// or label set the workspace lacks becomes a note (and "—" in the tables);
// throws understudy::Error only for a spec that names a model twice.
ReportNumbers collectReport(Workspace& ws, const ReportSpec& spec);

// report.md's text for those numbers; `plots`: the PNG file names written
// next to it, by key ("wer", "labeling", "valid_accuracy", "valid_loss",
// "train_loss", "bytes"), absent when not drawn; `plotsNote`: a line under
// the title saying why plots are missing ("" for none).
std::string reportMarkdown(const ReportSpec& spec, const ReportNumbers& numbers,
                           const std::vector<std::pair<std::string, std::string>>& plots,
                           const std::string& plotsNote = {});

struct ReportFiles {
  std::filesystem::path markdown;
  std::vector<std::filesystem::path> plots;
};

// Writes OUT/report.md and, through `plots` (may be null: then no PNGs and
// the report says so), OUT/*.png. Creates OUT. Returns the paths written.
ReportFiles writeReport(Workspace& ws, const ReportSpec& spec, const std::filesystem::path& outDir,
                        PlotSink* plots, const std::string& noPlotsReason = {});

// WS/report: where `understudy-cli report` writes unless told otherwise.
std::filesystem::path defaultReportDir(const Workspace& ws);

// A spec from the workspace alone, for `understudy-cli report` without a
// recipe at hand: every model (or, with `recipeRunId`, those trained by runs
// under that run), grouped by name without a trailing "-seed<N>" (seed from
// that suffix, else from the run's config); algorithm and workers from the
// run's "# distributed:" line; the teacher = the model of the newest
// soft-label set, else the first model of role teacher; the unlabeled set =
// that set's dataset; test sets = the `test` datasets; the baseline = the
// group of the first model of role baseline (none: no reductions).
ReportSpec inferReportSpec(Workspace& ws, std::int64_t recipeRunId = 0);

}  // namespace understudy::pipeline
