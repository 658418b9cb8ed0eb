// The scaling simulator (docs/scaling.md): how a training run would scale to
// N workers under each distribution algorithm, projected from what the run
// measured (compute time and frames per step, GTC's fraction of elements
// sent) with an assumed network (bandwidth B, per-message latency alpha).
//
//   ScalingInputs in = readScalingInputs(ws, "student-demo-interleave-gtc2");
//   NetworkModel net{1.25e9, 20e-6};                  // 10 Gbit/s, 20 us
//   for (const ScalingPoint& p : projectScaling(in, net, powersOfTwo(512))) ...
//
// It lives in core/pipeline, not core/dist: core/dist is a LibTorch library,
// and the simulator is arithmetic on numbers workspace.db already holds, like
// the report (report.h), so it stays torch-free and Qt-free and is built in
// every configuration; the CLI draws its plot through the report's PlotSink.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/pipeline/report.h"

namespace understudy {
class Workspace;
}

namespace understudy::pipeline {

// The network every pair of workers shares (assumed, not measured).
struct NetworkModel {
  double bandwidthBytesPerSecond = 1.25e9;  // B: bytes per second each worker sends (and receives)
  double latencySeconds = 20e-6;            // alpha: fixed cost of one message
};

// What one run measured, and what had to be assumed, for the projection.
struct ScalingInputs {
  std::string runName;
  std::int64_t runId = 0;
  std::string runAlgorithm;  // "" (one process), "sync", "gtc", "bmuf"
  int runWorkers = 1;        // ranks the run used
  std::int64_t numParams = 0;      // |w|: elements of the model (4-byte floats)
  double computeSeconds = 0.0;     // T_c: one rank's step time outside collectives (mean over steps)
  double framesPerStep = 0.0;      // F: 10 ms input frames one rank processes per step
  std::int64_t stepsRecorded = 0;  // steps whose metrics the means are over
  double gtcFraction = 0.0;        // f: elements each rank sends per step / |w|
  int blockSteps = 50;             // tau_b: BMUF's steps per block
  double measuredBytesSent = -1.0;  // dist/bytes_sent, mean per step (-1: not distributed)
  // One line per input: where it came from ("measured: ..." / "assumed: ...").
  std::vector<std::string> provenance;
};

// One algorithm at one number of workers.
struct ScalingPoint {
  std::string algorithm;     // sync | gtc | bmuf
  int workers = 1;           // N
  double bytesSent = 0.0;    // per rank and step (on average for BMUF), payload only
  double commSeconds = 0.0;  // T_comm per step (on average for BMUF)
  double stepSeconds = 0.0;  // T_c + T_comm: compute and communication do not overlap
  double framesPerSecond = 0.0;   // N F / step: all workers together
  double batchesPerSecond = 0.0;  // N / step: batches (rank steps) of all workers per second
  double efficiency = 1.0;   // throughput / (N x one worker's) = T_c / (T_c + T_comm)
};

// --- the formulas (docs/scaling.md "The models"); all per rank and step ---

// One ring allreduce of `bytes` over N workers: 2 (N-1)/N bytes / B + 2 (N-1) alpha.
double ringAllreduceSeconds(double bytes, int workers, const NetworkModel& net);
// Bytes one rank sends in it: 2 (N-1)/N bytes.
double ringAllreduceBytes(double bytes, int workers);
// One ring allgather of each rank's `bytesPerRank`: (N-1) bytesPerRank / B + (N-1) alpha.
double allgatherSeconds(double bytesPerRank, int workers, const NetworkModel& net);

// The trainer's stop flag, a 4-byte allreduce before every step (BMUF: every block).
constexpr double kStopFlagBytes = 4.0;
// GTC's two allgathers: an 8-byte count, then the L 4-byte words.
constexpr double kGtcCountBytes = 8.0;

// `algorithm` ("sync", "gtc", "bmuf") at N workers for these inputs.
ScalingPoint projectPoint(const ScalingInputs& in, const std::string& algorithm, int workers,
                          const NetworkModel& net);
// Every algorithm (sync, gtc, bmuf) at every N of `workers`, algorithm-major.
std::vector<ScalingPoint> projectScaling(const ScalingInputs& in, const NetworkModel& net,
                                         const std::vector<int>& workers);
// 1, 2, 4, ... up to and including `max` (if a power of two).
std::vector<int> powersOfTwo(int max);
// The largest N of `points` for `algorithm` whose efficiency is >= `threshold`
// with every smaller N also at or above it (0: not even the first).
int lastWorkersAtOrAbove(const std::vector<ScalingPoint>& points, const std::string& algorithm,
                         double threshold);

// --- from the workspace ---

// The newest `train` run named `run` (or with that id), with its metrics
// (dist/compute_seconds, dist/comm_seconds, train/frames_per_second,
// dist/fraction_sent, dist/bytes_sent), its config (distribution section,
// batching.max_frames) and its model's parameter count. Throws a clear
// understudy::Error for an unknown name, a run that is not a train run, one
// with no steps recorded, or one without a model row.
ScalingInputs readScalingInputs(Workspace& ws, const std::string& run);

// Efficiency (%) against workers (log x axis), one series per algorithm.
LinePlot scalingPlot(const ScalingInputs& in, const NetworkModel& net, const std::vector<ScalingPoint>& points);

}  // namespace understudy::pipeline
