// The rank side of the launcher's heartbeat channel (docs/distributed.md
// "Failures"). A launcher that watches for stalled ranks gives each rank a
// pipe and names its write end in UNDERSTUDY_HEARTBEAT_FD (fd 3 for local
// ranks; for a rank started over ssh, ssh's stdout). The rank writes
// `pid <pid>` once, then `beat` every second, from a thread of its own: a
// rank stopped with SIGSTOP, or frozen as a whole, falls silent, and the
// launcher stops the job naming it. (A rank whose training thread alone
// hangs keeps beating; the others' collectives time out instead,
// distribution.timeout_s.)
//
// UNDERSTUDY_WATCH_STDIN=1 (ranks started over ssh) adds a second thread
// that reads stdin until end of file — the launcher holds the other end, so
// EOF means the ssh connection or the launcher is gone — and then kills the
// rank's own process group with SIGKILL: no rank outlives its launcher on
// another machine either. Such a rank first makes itself the leader of a
// process group of its own, so the pid it reports names that group.
//
//   understudy::dist::startHeartbeatFromEnvironment();  // first thing in `worker`
//
// Torch-free.
#pragma once

#include <string>

namespace understudy::dist {

// The variables a launcher sets.
inline constexpr const char* kHeartbeatFdVariable = "UNDERSTUDY_HEARTBEAT_FD";
inline constexpr const char* kWatchStdinVariable = "UNDERSTUDY_WATCH_STDIN";

// Starts what the variables ask for (nothing when they are unset); once per
// process, later calls do nothing. Throws understudy::Error when
// UNDERSTUDY_HEARTBEAT_FD is not an open file descriptor.
void startHeartbeatFromEnvironment();

// The heartbeat thread on `fd`: `pid <getpid()>\n`, then `beat\n` every
// `intervalSeconds`. Detached; it ends when a write fails (the launcher
// closed its end; a write to a closed pipe raises SIGPIPE, which ends the
// rank as its launcher is gone).
void startHeartbeat(int fd, double intervalSeconds = 1.0);

// The stdin watch: a detached thread that reads stdin until EOF or an error
// and then sends SIGKILL to this process's group (to this process alone when
// it does not lead its group).
void startStdinWatch();

// Launcher side: the pid in a `pid <n>` line (0 when the line is something else).
int pidInHeartbeatLine(const std::string& line);

}  // namespace understudy::dist
