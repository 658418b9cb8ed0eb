// The scaling simulator's formulas and its inputs from workspace.db
// (docs/scaling.md). Torch-free: see scaling_model.h for why it lives here.
#include "core/pipeline/scaling_model.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <regex>

#include "core/recipe/trainer_config.h"
#include "core/store/model_registry.h"
#include "core/store/run_store.h"
#include "core/store/workspace.h"
#include "core/util/error.h"

namespace understudy::pipeline {

namespace {

constexpr double kFloatBytes = 4.0;

double mean(const std::vector<double>& v) {
  double sum = 0.0;
  for (double x : v) sum += x;
  return v.empty() ? 0.0 : sum / static_cast<double>(v.size());
}

std::string number(double v, const char* format) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

// The values of a metric by step.
std::map<std::int64_t, double> byStep(RunStore& runs, std::int64_t runId, const std::string& name) {
  std::map<std::int64_t, double> out;
  for (const MetricPoint& p : runs.metrics(runId, name)) out[p.step] = p.value;
  return out;
}

std::vector<double> values(const std::map<std::int64_t, double>& m) {
  std::vector<double> out;
  for (const auto& [step, v] : m) out.push_back(v);
  return out;
}

bool allDigits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string trainRunNames(const std::vector<RunRow>& rows) {
  std::vector<std::string> names;
  for (const RunRow& r : rows)
    if (r.kind == "train" && std::find(names.begin(), names.end(), r.name) == names.end()) names.push_back(r.name);
  if (names.empty()) return "none yet";
  std::string out;
  for (std::size_t i = 0; i < names.size() && i < 12; ++i) out += (i ? ", " : "") + names[i];
  if (names.size() > 12) out += ", ... (" + std::to_string(names.size()) + " in all)";
  return out;
}

}  // namespace

double ringAllreduceBytes(double bytes, int workers) {
  if (workers <= 1) return 0.0;
  const double n = workers;
  return 2.0 * (n - 1.0) / n * bytes;
}

double ringAllreduceSeconds(double bytes, int workers, const NetworkModel& net) {
  if (workers <= 1) return 0.0;
  return ringAllreduceBytes(bytes, workers) / net.bandwidthBytesPerSecond +
         2.0 * (workers - 1.0) * net.latencySeconds;
}

double allgatherSeconds(double bytesPerRank, int workers, const NetworkModel& net) {
  if (workers <= 1) return 0.0;
  return (workers - 1.0) * bytesPerRank / net.bandwidthBytesPerSecond + (workers - 1.0) * net.latencySeconds;
}

ScalingPoint projectPoint(const ScalingInputs& in, const std::string& algorithm, int workers,
                          const NetworkModel& net) {
  if (workers < 1) throw US_ERROR("the number of workers must be at least 1, not " + std::to_string(workers));
  const double gradientBytes = kFloatBytes * static_cast<double>(in.numParams);  // S = 4 |w|
  const double n = workers;
  // The dense exchange: the gradients' (or, for BMUF, the model's) allreduce
  // plus the stop flag's.
  const double denseBytes = ringAllreduceBytes(gradientBytes, workers) + ringAllreduceBytes(kStopFlagBytes, workers);
  const double denseSeconds =
      ringAllreduceSeconds(gradientBytes, workers, net) + ringAllreduceSeconds(kStopFlagBytes, workers, net);
  ScalingPoint p;
  p.algorithm = algorithm;
  p.workers = workers;
  if (algorithm == "sync") {
    p.bytesSent = denseBytes;
    p.commSeconds = denseSeconds;
  } else if (algorithm == "gtc") {
    const double words = in.gtcFraction * static_cast<double>(in.numParams);  // L
    p.bytesSent = (workers > 1 ? (n - 1.0) * (kGtcCountBytes + kFloatBytes * words) : 0.0) +
                  ringAllreduceBytes(kStopFlagBytes, workers);
    p.commSeconds = allgatherSeconds(kGtcCountBytes, workers, net) +
                    allgatherSeconds(kFloatBytes * words, workers, net) +
                    ringAllreduceSeconds(kStopFlagBytes, workers, net);
  } else if (algorithm == "bmuf") {
    const double tau = std::max(1, in.blockSteps);
    p.bytesSent = denseBytes / tau;
    p.commSeconds = denseSeconds / tau;
  } else {
    throw US_ERROR("unknown distribution algorithm '" + algorithm + "'").hint("one of sync, gtc, bmuf");
  }
  p.stepSeconds = in.computeSeconds + p.commSeconds;
  p.framesPerSecond = p.stepSeconds > 0 ? n * in.framesPerStep / p.stepSeconds : 0.0;
  p.batchesPerSecond = p.stepSeconds > 0 ? n / p.stepSeconds : 0.0;
  p.efficiency = p.stepSeconds > 0 ? in.computeSeconds / p.stepSeconds : 1.0;
  return p;
}

std::vector<ScalingPoint> projectScaling(const ScalingInputs& in, const NetworkModel& net,
                                         const std::vector<int>& workers) {
  std::vector<ScalingPoint> out;
  for (const char* algorithm : {"sync", "gtc", "bmuf"})
    for (int n : workers) out.push_back(projectPoint(in, algorithm, n, net));
  return out;
}

std::vector<int> powersOfTwo(int max) {
  std::vector<int> out;
  for (int n = 1; n <= max && n > 0; n *= 2) out.push_back(n);
  return out;
}

int lastWorkersAtOrAbove(const std::vector<ScalingPoint>& points, const std::string& algorithm,
                         double threshold) {
  std::vector<const ScalingPoint*> mine;
  for (const ScalingPoint& p : points)
    if (p.algorithm == algorithm) mine.push_back(&p);
  std::sort(mine.begin(), mine.end(), [](const ScalingPoint* a, const ScalingPoint* b) { return a->workers < b->workers; });
  int last = 0;
  for (const ScalingPoint* p : mine) {
    if (p->efficiency < threshold) break;
    last = p->workers;
  }
  return last;
}

ScalingInputs readScalingInputs(Workspace& ws, const std::string& run) {
  RunStore runs(ws.db());
  const std::vector<RunRow> all = runs.listRuns(1 << 30);
  const std::string listHint = "understudy-cli runs -w " + ws.root().string() +
                               " lists every run; train runs here: " + trainRunNames(all);
  // By id, or the newest train run of that name (a resumed model has several).
  std::optional<RunRow> row;
  std::optional<RunRow> otherKind;
  for (const RunRow& r : all) {  // newest first
    const bool match = r.name == run || (allDigits(run) && std::to_string(r.id) == run);
    if (!match) continue;
    if (r.kind == "train") {
      row = r;
      break;
    }
    if (!otherKind) otherKind = r;
  }
  if (!row && otherKind)
    throw US_ERROR("run '" + run + "' (id " + std::to_string(otherKind->id) + ") is a " + otherKind->kind +
                   " run, not a train run: the scaling simulator needs a training run's measured steps")
        .file(ws.databasePath().string())
        .hint("name a `train` run (one process or --workers N); " + listHint);
  if (!row)
    throw US_ERROR("no run named '" + run + "' in the workspace").file(ws.databasePath().string()).hint(listHint);

  ScalingInputs in;
  in.runName = row->name;
  in.runId = row->id;
  const std::string where = "run '" + row->name + "' (id " + std::to_string(row->id) + ")";
  const std::string config = runs.runConfig(row->id);
  recipe::TrainerConfig cfg;
  try {
    cfg = recipe::TrainerConfig::loadString(config, "the config of " + where);
  } catch (const Error& e) {
    throw US_ERROR("cannot read the config recorded with " + where + ": " + e.what_())
        .file(ws.databasePath().string())
        .hint("the simulator reads the run's distribution and batching sections; was the run recorded by "
              "another version of understudy-cli?");
  }
  std::smatch m;
  static const std::regex kDistributedLine(R"(# distributed: (\d+) ranks?, algorithm (\w+))");
  if (std::regex_search(config, m, kDistributedLine)) {
    in.runWorkers = std::stoi(m[1].str());
    in.runAlgorithm = m[2].str();
  }
  in.blockSteps = cfg.distribution.bmuf.blockSteps;

  // Compute time and frames per step.
  const auto compute = byStep(runs, row->id, "dist/compute_seconds");
  const auto comm = byStep(runs, row->id, "dist/comm_seconds");
  const auto fps = byStep(runs, row->id, "train/frames_per_second");
  const std::string noSteps = where + " has no training steps recorded";
  const std::string noStepsHint =
      "it stopped before its first step (status: " + row->status +
      "); train it further (understudy-cli train -w " + ws.root().string() +
      " --config C --resume) or name another train run; " + listHint;
  if (!compute.empty()) {
    std::vector<double> c, frames;
    for (const auto& [step, seconds] : compute) {
      c.push_back(seconds);
      // train/frames_per_second = this rank's frames / the whole step time (compute + comm).
      const auto f = fps.find(step);
      const auto k = comm.find(step);
      if (f != fps.end() && k != comm.end()) frames.push_back(f->second * (seconds + k->second));
    }
    in.stepsRecorded = static_cast<std::int64_t>(c.size());
    in.computeSeconds = mean(c);
    in.framesPerStep = mean(frames);
    in.measuredBytesSent = mean(values(byStep(runs, row->id, "dist/bytes_sent")));
    in.provenance.push_back("measured: T_c = " + number(in.computeSeconds * 1e3, "%.2f") +
                            " ms, rank 0's mean dist/compute_seconds over " + std::to_string(c.size()) +
                            " steps (" + std::to_string(in.runWorkers) + " ranks, " + in.runAlgorithm + ")");
    in.provenance.push_back("measured: F = " + number(in.framesPerStep, "%.0f") +
                            " frames per step and rank, train/frames_per_second x step time");
  } else {
    if (fps.empty()) throw US_ERROR(noSteps).file(ws.databasePath().string()).hint(noStepsHint);
    // One process records no step time: assume full batches of max_frames.
    in.framesPerStep = static_cast<double>(cfg.batching.maxFrames);
    std::vector<double> c;
    for (const auto& [step, f] : fps)
      if (f > 0) c.push_back(in.framesPerStep / f);
    if (c.empty()) throw US_ERROR(noSteps).file(ws.databasePath().string()).hint(noStepsHint);
    in.stepsRecorded = static_cast<std::int64_t>(c.size());
    in.computeSeconds = mean(c);
    in.provenance.push_back("assumed: F = " + number(in.framesPerStep, "%.0f") +
                            " frames per step, batching.max_frames (one process records no step time; "
                            "batches are packed up to it)");
    in.provenance.push_back("measured: T_c = F / train/frames_per_second = " +
                            number(in.computeSeconds * 1e3, "%.2f") + " ms, mean over " +
                            std::to_string(c.size()) + " steps (one process)");
  }

  // GTC's fraction of elements sent.
  const auto fraction = byStep(runs, row->id, "dist/fraction_sent");
  const auto& gtc = cfg.distribution.gtc;
  if (!fraction.empty()) {
    in.gtcFraction = mean(values(fraction));
    in.provenance.push_back("measured: f = " + number(in.gtcFraction, "%.5f") +
                            ", mean dist/fraction_sent (config target_fraction " +
                            number(gtc.targetFraction, "%g") + ")");
  } else if (gtc.targetFraction > 0) {
    in.gtcFraction = gtc.targetFraction;
    in.provenance.push_back("assumed: f = " + number(in.gtcFraction, "%g") +
                            ", the config's distribution.gtc.target_fraction (the run is not GTC)");
  } else if (gtc.threshold == 0) {
    in.gtcFraction = 1.0;
    in.provenance.push_back("assumed: f = 1, the config's GTC is dense (threshold 0)");
  } else {
    in.gtcFraction = 0.01;
    in.provenance.push_back("assumed: f = 0.01: the config fixes tau (target_fraction 0) and the run is not "
                            "GTC, so no fraction is known");
  }
  in.provenance.push_back("config: tau_b = " + std::to_string(in.blockSteps) +
                          " (distribution.bmuf.block_steps)");

  // |w| from the model the run trained (or, for an unfinished run, the model of that name).
  std::optional<ModelRow> model;
  for (const ModelRow& r : listModels(ws.db()))
    if (r.runId == row->id) model = r;
  if (!model) model = findModel(ws.db(), row->name);
  if (!model || model->numParams <= 0)
    throw US_ERROR(where + " has no model with its parameter count in the workspace")
        .file(ws.databasePath().string())
        .hint("a train run registers its model when it ends; finish it (understudy-cli train -w " +
              ws.root().string() + " --config C --resume) and try again");
  in.numParams = model->numParams;
  in.provenance.push_back("recorded: |w| = " + std::to_string(in.numParams) + " parameters (model '" +
                          model->name + "')");
  return in;
}

LinePlot scalingPlot(const ScalingInputs& in, const NetworkModel& net, const std::vector<ScalingPoint>& points) {
  LinePlot plot;
  plot.title = "Projected efficiency: " + in.runName + " (compute " + number(in.computeSeconds * 1e3, "%.3g") +
               " ms/step, " + number(net.bandwidthBytesPerSecond / 1e9, "%g") + " GB/s, " +
               number(net.latencySeconds * 1e6, "%g") + " \u00b5s/message)";
  plot.xLabel = "workers";
  plot.yLabel = "efficiency vs linear scaling (%)";
  plot.logX = true;
  for (const char* algorithm : {"sync", "gtc", "bmuf"}) {
    PlotSeries s;
    s.name = algorithm;
    for (const ScalingPoint& p : points)
      if (p.algorithm == algorithm) {
        s.x.push_back(p.workers);
        s.y.push_back(100.0 * p.efficiency);
      }
    if (!s.x.empty()) plot.series.push_back(std::move(s));
  }
  return plot;
}

}  // namespace understudy::pipeline
