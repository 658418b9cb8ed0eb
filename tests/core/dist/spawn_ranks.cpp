#include "tests/core/dist/spawn_ranks.h"

#include "core/dist/launcher.h"
#include "tests/core/dist/rank_scenarios.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#ifndef DIST_RANK_EXE
#error "DIST_RANK_EXE must name the dist_rank executable"
#endif

extern char** environ;

namespace understudy::disttest {

JobOutcome spawnRanks(const std::string& scenario, int ranks, const std::string& outdir,
                      const std::vector<std::string>& args, double deadlineSeconds) {
  JobOutcome job;
  job.outdir = outdir;
  const int port = dist::freeLocalPort();
  const int processes = ranks == 0 ? 1 : ranks;
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::string> logs;
  for (int r = 0; r < processes; ++r) {
    logs.push_back(outdir + "/rank" + std::to_string(r) + ".log");
    std::vector<std::string> env;
    for (char** e = environ; *e; ++e) {
      const std::string v = *e;
      if (v.rfind("RANK=", 0) == 0 || v.rfind("WORLD_SIZE=", 0) == 0 || v.rfind("MASTER_", 0) == 0 ||
          v.rfind("LOCAL_RANK=", 0) == 0)
        continue;
      env.push_back(v);
    }
    if (ranks > 0) {
      env.push_back("MASTER_ADDR=127.0.0.1");
      env.push_back("MASTER_PORT=" + std::to_string(port));
      env.push_back("RANK=" + std::to_string(r));
      env.push_back("WORLD_SIZE=" + std::to_string(ranks));
      env.push_back("LOCAL_RANK=" + std::to_string(r));
    }
    std::vector<std::string> argv{DIST_RANK_EXE, scenario, outdir};
    argv.insert(argv.end(), args.begin(), args.end());
    const pid_t pid = ::fork();
    if (pid == 0) {
      const int fd = ::open(logs.back().c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      std::vector<char*> a, e;
      for (auto& s : argv) a.push_back(s.data());
      a.push_back(nullptr);
      for (auto& s : env) e.push_back(s.data());
      e.push_back(nullptr);
      ::execve(a[0], a.data(), e.data());
      _exit(127);
    }
    job.pids.push_back(pid);
  }
  job.ranks.resize(static_cast<std::size_t>(processes));
  int left = processes;
  std::vector<bool> finished(static_cast<std::size_t>(processes), false);
  while (left > 0) {
    for (int r = 0; r < processes; ++r) {
      const auto i = static_cast<std::size_t>(r);
      int status = 0;
      if (finished[i] || ::waitpid(job.pids[i], &status, WNOHANG) != job.pids[i]) continue;
      job.ranks[i].exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
      job.ranks[i].seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      finished[i] = true;
      --left;
    }
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (elapsed > deadlineSeconds && !job.timedOut) {
      job.timedOut = true;
      for (auto pid : job.pids) ::kill(pid, SIGKILL);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  job.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (int r = 0; r < processes; ++r) {
    std::ifstream in(logs[static_cast<std::size_t>(r)]);
    std::stringstream ss;
    ss << in.rdbuf();
    job.ranks[static_cast<std::size_t>(r)].log = ss.str();
  }
  return job;
}

JobOutcome runInFolder(const std::string& parent, const std::string& name, const std::string& scenario, int ranks,
                       const std::vector<std::string>& args, double deadlineSeconds) {
  const std::string out = parent + "/" + name;
  std::filesystem::create_directories(out);
  return spawnRanks(scenario, ranks, out, args, deadlineSeconds);
}

bool allSucceeded(const JobOutcome& job) {
  for (const auto& r : job.ranks)
    if (r.exitCode != 0) return false;
  return !job.timedOut;
}

std::string describe(const JobOutcome& job) {
  std::string s;
  for (std::size_t r = 0; r < job.ranks.size(); ++r)
    s += "rank " + std::to_string(r) + " exit " + std::to_string(job.ranks[r].exitCode) + ":\n" + job.ranks[r].log;
  return s;
}

std::vector<torch::Tensor> rankOutput(const JobOutcome& job, const std::string& name, int rank) {
  return loadTensors(job.outdir + "/" + name + ".rank" + std::to_string(rank) + ".pt");
}

}  // namespace understudy::disttest
