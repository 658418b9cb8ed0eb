// simulate-scaling: how a recorded training run would scale to 1 ... 512
// workers with sync SGD, GTC and BMUF over an assumed network
// (core/pipeline/scaling_model.h; docs/scaling.md). Reads workspace.db only;
// writes nothing but the optional PNG.
#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "app/cli/commands.h"
#include "core/pipeline/scaling_model.h"
#include "core/store/workspace.h"
#include "core/util/error.h"
#ifdef UNDERSTUDY_HAVE_REPORT_PLOTS
#include "app/cli/report_plots.h"
#endif

namespace understudy::cli {

namespace {

struct SimulateArgs {
  std::string workspace, run, png;
  double bandwidthGBps = 1.25;  // 10 Gbit/s Ethernet
  double latencyUs = 20.0;
  std::vector<int> workers;
  double targetPercent = 80.0;
  double computeMs = 0.0;  // > 0: replaces the measured compute time (a what-if)
  bool tsv = false;
};

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string padLeft(const std::string& s, std::size_t width) {
  return s.size() >= width ? s : std::string(width - s.size(), ' ') + s;
}

void printTsv(const std::vector<pipeline::ScalingPoint>& points) {
  std::printf(
      "algorithm\tworkers\tstep_seconds\tcomm_seconds\tbytes_sent_per_rank\tframes_per_second\t"
      "batches_per_second\tefficiency\n");
  for (const auto& p : points)
    std::printf("%s\t%d\t%.9g\t%.9g\t%.9g\t%.9g\t%.9g\t%.9g\n", p.algorithm.c_str(), p.workers, p.stepSeconds,
                p.commSeconds, p.bytesSent, p.framesPerSecond, p.batchesPerSecond, p.efficiency);
}

void printTable(const std::vector<pipeline::ScalingPoint>& points) {
  const std::vector<std::string> header{"algorithm", "workers", "step ms", "comm ms", "MB sent/step/rank",
                                        "frames/s",  "batches/s", "efficiency"};
  std::vector<std::vector<std::string>> rows;
  for (const auto& p : points)
    rows.push_back({p.algorithm, std::to_string(p.workers), fixed(p.stepSeconds * 1e3, 2),
                    fixed(p.commSeconds * 1e3, 2), fixed(p.bytesSent / 1e6, 4), fixed(p.framesPerSecond, 0),
                    fixed(p.batchesPerSecond, 1), fixed(100.0 * p.efficiency, 1) + " %"});
  std::vector<std::size_t> width(header.size());
  for (std::size_t c = 0; c < header.size(); ++c) {
    width[c] = header[c].size();
    for (const auto& r : rows) width[c] = std::max(width[c], r[c].size());
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string s = cells[0] + std::string(width[0] - cells[0].size(), ' ');
    for (std::size_t c = 1; c < cells.size(); ++c) s += "  " + padLeft(cells[c], width[c]);
    std::printf("%s\n", s.c_str());
  };
  line(header);
  std::string previous;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (!previous.empty() && points[i].algorithm != previous) std::printf("\n");
    previous = points[i].algorithm;
    line(rows[i]);
  }
}

void runSimulate(SimulateArgs a) {
  Workspace ws = Workspace::open(a.workspace);
  pipeline::ScalingInputs in = pipeline::readScalingInputs(ws, a.run);
  if (a.computeMs > 0) {
    in.provenance.push_back("assumed (--compute-ms): T_c = " + fixed(a.computeMs, 2) + " ms in place of the measured " +
                            fixed(in.computeSeconds * 1e3, 2) + " ms; F as measured");
    in.computeSeconds = a.computeMs * 1e-3;
  }
  pipeline::NetworkModel net;
  net.bandwidthBytesPerSecond = a.bandwidthGBps * 1e9;
  net.latencySeconds = a.latencyUs * 1e-6;
  std::vector<int> workers = a.workers.empty() ? pipeline::powersOfTwo(512) : a.workers;
  std::sort(workers.begin(), workers.end());
  workers.erase(std::unique(workers.begin(), workers.end()), workers.end());
  const std::vector<pipeline::ScalingPoint> points = pipeline::projectScaling(in, net, workers);

  // With --tsv stdout is the table alone; the rest goes to stderr.
  FILE* notes = a.tsv ? stderr : stdout;
  std::fprintf(notes, "Projected scaling of run '%s' (id %lld, %s)\n", in.runName.c_str(),
               static_cast<long long>(in.runId),
               in.runAlgorithm.empty() ? "one process"
                                       : (std::to_string(in.runWorkers) + " ranks, " + in.runAlgorithm).c_str());
  std::fprintf(notes,
               "Network (assumed): B = %g GB/s per worker, latency %g us per message. Compute and "
               "communication do not overlap.\n",
               a.bandwidthGBps, a.latencyUs);
  for (const auto& line : in.provenance) std::fprintf(notes, "  %s\n", line.c_str());
  if (in.measuredBytesSent >= 0 && in.runWorkers > 1 && !in.runAlgorithm.empty()) {
    const pipeline::ScalingPoint check = pipeline::projectPoint(in, in.runAlgorithm, in.runWorkers, net);
    std::fprintf(notes,
                 "  check at N = %d (%s, as run): the model sends %.0f bytes per step and rank, the run "
                 "measured %.0f (the model leaves out the transport's framing per message)\n",
                 in.runWorkers, in.runAlgorithm.c_str(), check.bytesSent, in.measuredBytesSent);
  }
  std::fprintf(notes, "\n");
  if (a.tsv)
    printTsv(points);
  else
    printTable(points);

  std::string summary = "Efficiency >= " + fixed(a.targetPercent, 0) + " %:";
  for (const char* algorithm : {"sync", "gtc", "bmuf"}) {
    const int last = pipeline::lastWorkersAtOrAbove(points, algorithm, a.targetPercent / 100.0);
    summary += std::string(" ") + algorithm + " " +
               (last == 0 ? "none" : last == workers.back() ? "all " + std::to_string(last) : "up to " + std::to_string(last)) +
               (std::string(algorithm) == "bmuf" ? "" : ",");
  }
  std::fprintf(notes, "\n%s workers.\n", summary.c_str());

  if (!a.png.empty()) {
#ifdef UNDERSTUDY_HAVE_REPORT_PLOTS
    std::string whyNot;
    const std::unique_ptr<QtPlotSink> plots = QtPlotSink::create(&whyNot);
    if (!plots) throw US_ERROR("cannot draw the plot: " + whyNot).file(a.png).hint("leave out --png");
    plots->drawLines(pipeline::scalingPlot(in, net, points), a.png);
    std::fprintf(notes, "%s\n", a.png.c_str());
#else
    throw US_ERROR("this understudy-cli was built without Qt6::Gui (UNDERSTUDY_GUI=OFF) and cannot draw plots")
        .file(a.png)
        .hint("leave out --png: the table holds the same numbers (--tsv for a file to plot elsewhere)");
#endif
  }
}

}  // namespace

void addSimulateCommands(CLI::App& app, GlobalOptions&) {
  auto* sub = app.add_subcommand(
      "simulate-scaling",
      "Project a train run's throughput and efficiency to 1 ... 512 workers for sync SGD, GTC and BMUF, "
      "from its measured compute time and bytes per step over an assumed network (docs/scaling.md)");
  auto a = std::make_shared<SimulateArgs>();
  addWorkspaceOption(*sub, a->workspace);
  sub->add_option("--run", a->run, "A train run: its name (the newest of that name) or its id")->required();
  sub->add_option("--bandwidth", a->bandwidthGBps,
                  "Bytes per second each worker sends and receives, in GB/s (1e9 bytes/s; 10 Gbit/s "
                  "Ethernet = 1.25)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  sub->add_option("--latency", a->latencyUs, "Fixed cost of one message, in microseconds")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  sub->add_option("--workers", a->workers, "Comma-separated worker counts (default 1,2,4,...,512)")
      ->delimiter(',')
      ->check(CLI::Range(1, 1 << 20));
  sub->add_option("--target-efficiency", a->targetPercent,
                  "The summary line names the most workers each algorithm serves at this efficiency (%)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 100.0));
  sub->add_option("--compute-ms", a->computeMs,
                  "What if one rank's step took this long outside communication (ms), e.g. on a faster "
                  "device; default: the run's measured compute time")
      ->check(CLI::PositiveNumber);
  sub->add_option("--png", a->png, "Also draw efficiency against workers into this PNG file");
  sub->add_flag("--tsv", a->tsv, "Tab-separated table on stdout (the inputs go to stderr)");
  sub->callback([a] { runSimulate(*a); });
}

}  // namespace understudy::cli
