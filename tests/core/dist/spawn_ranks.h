// Starts the ranks of a distributed test: N copies of dist_rank with
// torchrun's environment (MASTER_ADDR 127.0.0.1, a free MASTER_PORT, RANK,
// WORLD_SIZE, LOCAL_RANK), each rank's stdout and stderr in its own log,
// waits for all (killing them all at the deadline), and reports.
#pragma once

#include <torch/torch.h>

#include <string>
#include <vector>

namespace understudy::disttest {

struct RankOutcome {
  int exitCode = -1;  // the exit status, or -signal when killed by one
  std::string log;    // stdout and stderr
  double seconds = 0; // from the start of the job until this rank ended
};

struct JobOutcome {
  std::vector<RankOutcome> ranks;
  double seconds = 0.0;          // until the last rank ended
  bool timedOut = false;         // the deadline killed the ranks
  std::vector<int> pids;
  std::string outdir;
};

// ranks == 0: one process without a job environment (the reference run).
JobOutcome spawnRanks(const std::string& scenario, int ranks, const std::string& outdir,
                      const std::vector<std::string>& args, double deadlineSeconds = 120.0);

// spawnRanks into the folder `name` under `parent` (created).
JobOutcome runInFolder(const std::string& parent, const std::string& name, const std::string& scenario, int ranks,
                       const std::vector<std::string>& args, double deadlineSeconds = 120.0);

// Every rank exited 0, before the deadline.
bool allSucceeded(const JobOutcome& job);

// Every rank's exit status and log, for failure messages.
std::string describe(const JobOutcome& job);

// The tensors rank `rank` wrote as OUTDIR/<name>.rank<r>.pt (ScenarioArgs::output).
std::vector<torch::Tensor> rankOutput(const JobOutcome& job, const std::string& name, int rank);

}  // namespace understudy::disttest
