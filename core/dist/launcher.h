// Starts the ranks of one distributed job as child processes of this one,
// watches them, and stops the job as a whole (docs/distributed.md "Launching
// ranks", "Failures"). `understudy-cli train --workers N` uses it for N local
// ranks, some of them on other machines over ssh (core/dist/remote.h).
//
//   std::vector<RankProcess> ranks = ...;  // program, argv, environment, log
//   LaunchReport report = launchRanks(ranks);
//   if (!report.succeeded()) throw US_ERROR(report.summary()) ...;
//
// What it guarantees:
// - A rank that exits non-zero or is killed stops the job: the others get
//   SIGTERM at once and SIGKILL `killGraceSeconds` later. The report names
//   the first rank to fail (its pid, exit status or signal, the last lines
//   of its log) and the ranks the launcher had to stop.
// - A rank that falls silent on its heartbeat channel for
//   `heartbeatSeconds` has stalled (stopped, frozen): it is killed with
//   SIGKILL (which also ends a stopped process) and reported as the first
//   failure, and the others are stopped as above (core/dist/heartbeat.h
//   is the rank's side).
// - No orphans: each rank is set up to get SIGKILL when the launcher's
//   thread that started it ends (PR_SET_PDEATHSIG), however it ends, and
//   the launcher's signals go to the rank's whole process group. A rank on
//   another machine kills its own group when its ssh connection closes (its
//   stdin reaches EOF); a remote rank the launcher stops, finds stalled, or
//   whose ssh ended badly is also killed there by process group over ssh
//   (`kill -s KILL -- -<pid>`, the pid its heartbeat reported), bounded by
//   `remoteCleanupSeconds`.
// - SIGINT and SIGTERM sent to the launcher are forwarded to every rank
//   (each rank is in its own process group, so a Ctrl-C in the terminal
//   reaches the ranks once, through the launcher). After a forwarded signal
//   the launcher waits for the ranks to stop on their own (they checkpoint);
//   a second Ctrl-C is forwarded too. Ranks on other machines are not
//   signalled: they stop with the others, who agree to stop every step.
//
// Torch-free. One launchRanks() at a time per process (signal handlers).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace understudy::dist {

// One rank to start.
struct RankProcess {
  int rank = 0;
  std::string program;            // the file to execute (e.g. /proc/self/exe)
  std::vector<std::string> argv;  // argv[0] included
  // Set on top of the launcher's environment (replacing variables of the same name).
  std::vector<std::pair<std::string, std::string>> env;
  // The rank's stdout and stderr go to this file (created with its folder,
  // truncated). Empty: the rank shares the launcher's stderr, and its stdout
  // is `stdoutFd` (-1: the launcher's stdout).
  std::string logFile;
  int stdoutFd = -1;
  // A rank on another machine: `program` and `argv` are its ssh command
  // (core/dist/remote.h). Its stdin is a pipe the launcher holds open (its
  // end = EOF there), its stdout the heartbeat channel, its stderr the log.
  struct Remote {
    std::string node;                    // the node's name ("gpu1")
    std::string host;                    // the address ssh reaches it at
    std::vector<std::string> sshPrefix;  // ssh argv up to "--": + a shell command runs it there
  };
  std::optional<Remote> remote;
};

struct LaunchOptions {
  double killGraceSeconds = 2.0;  // after SIGTERM, before SIGKILL, when another rank failed
  int logTailLines = 10;          // how much of a failed rank's log the report keeps
  // A running rank silent on its heartbeat channel this long has stalled;
  // 0: no heartbeat channel for local ranks, and no stall detection.
  double heartbeatSeconds = 0.0;
  // Until its first heartbeat line a rank may take this long, if longer
  // (loading libraries, an ssh login).
  double startupSeconds = 60.0;
  // How long the launcher waits for `ssh ... kill` of remote ranks it stopped.
  double remoteCleanupSeconds = 15.0;
  // Called once per rank right after it started (tests, progress).
  std::function<void(int rank, int pid)> onStarted;
  // Called when a rank's heartbeat reported its pid (on its machine).
  std::function<void(int rank, int pid)> onReported;
};

// How one rank ended.
struct RankEnd {
  int rank = 0;
  int pid = 0;
  int exitCode = -1;     // when it exited (else -1)
  int signal = 0;        // when a signal ended it (else 0)
  double seconds = 0.0;  // from the launch until it ended
  // The launcher stopped it because another rank had failed: the last
  // signal it sent (SIGTERM, or SIGKILL when SIGTERM was not enough); 0: none.
  int stoppedWith = 0;
  // The launcher found it stalled: silent on its heartbeat channel this
  // long (then it killed it with SIGKILL); 0: it did not.
  double stalledAfter = 0.0;
  int reportedPid = 0;  // the pid its heartbeat reported (on its node, for a remote rank); 0: none
  std::string node, host;  // a remote rank's node and address ("" for a local one)
  // A remote rank's process group was killed there over ssh: that ssh's exit
  // status (0: done; 1: nothing was left to kill); -1: not tried or unfinished.
  int remoteKillStatus = -1;
  bool ok() const { return signal == 0 && exitCode == 0; }
  // "exited with status 1", "was killed by signal 9 (SIGKILL)".
  std::string howItEnded() const;
  // "rank 1 of 2 (pid 812)", "rank 1 of 2 on node gpu1 (10.0.0.2, pid 4242 there)".
  std::string who(int worldSize) const;
};

struct LaunchReport {
  int worldSize = 0;
  std::vector<RankEnd> ranks;         // in rank order
  std::vector<int> failed;            // ranks that failed on their own, first noticed first
  std::vector<int> stopped;           // ranks still running when the first failure was noticed
  int forwardedSignal = 0;            // SIGINT or SIGTERM forwarded to the ranks (0: none)
  std::vector<std::string> logFiles;  // per rank ("" when it shared the launcher's output)
  std::string firstFailureLogTail;    // the last lines of the first failed rank's log
  double seconds = 0.0;

  bool succeeded() const { return failed.empty() && stopped.empty() && allExitedZero(); }
  bool allExitedZero() const;
  int firstFailure() const { return failed.empty() ? -1 : failed.front(); }
  // One line: the first rank to fail (pid, how it ended, when, its last log
  // line), the others that failed, and the ones the launcher stopped.
  std::string summary() const;
};

// Starts every rank, waits for all of them and reports. Throws
// understudy::Error when a rank cannot be started (the ones already started
// are killed first).
LaunchReport launchRanks(const std::vector<RankProcess>& ranks, const LaunchOptions& options = {});

// The heartbeat variable a local rank gets when the channel is on.
inline constexpr int kRankHeartbeatFd = 3;

// A TCP port on 127.0.0.1 that was free a moment ago (for MASTER_PORT).
int freeLocalPort();

// The last `lines` non-empty lines of a text file (progress lines rewritten
// with '\r' count as their last state); "" when it cannot be read.
std::string lastLinesOf(const std::string& path, int lines);

// "SIGKILL", "SIGTERM", ... or "signal N".
std::string signalName(int signal);

}  // namespace understudy::dist
