// Named fault points: places where a test can make the process die at once
// (SIGKILL), to prove that what was committed before survives and that the
// job resumes to the bytes of an uninterrupted run (tests/faults, docs/faults.md).
//
//   US_FAULT_POINT("store.after_journal_fsync");
//   US_FAULT_POINT_TORN("store.mid_journal_block", fd, keepBytes);
//
// Environment (read once, at the first pass of any point):
//   UNDERSTUDY_FAULT=NAME@N      the N-th pass (1-based) of point NAME in this
//                                process raises SIGKILL, after one line on
//                                stderr: "understudy: fault point NAME pass N: SIGKILL".
//                                A torn point first cuts `fd` to `keepBytes` (a
//                                write that reached the disk only in part).
//   UNDERSTUDY_FAULT_COUNTS=FILE at normal exit, append "NAME<TAB>passes" for
//                                every point this process passed (how a test
//                                learns how many passes a straight run makes).
// Neither set: each pass costs one relaxed atomic load.
// Names are stable: tests key on them (the list is in docs/faults.md).
#pragma once

#include <sys/types.h>

#include <atomic>

namespace understudy::fault {

// 0: no fault armed and no counting (the fast path); otherwise the slow path
// decides (-1: the environment not read yet).
extern std::atomic<int> g_state;

void passSlow(const char* name);
void passTornSlow(const char* name, int fd, off_t keepBytes);

inline void pass(const char* name) {
  if (g_state.load(std::memory_order_relaxed) != 0) passSlow(name);
}
inline void passTorn(const char* name, int fd, off_t keepBytes) {
  if (g_state.load(std::memory_order_relaxed) != 0) passTornSlow(name, fd, keepBytes);
}

}  // namespace understudy::fault

#define US_FAULT_POINT(name) ::understudy::fault::pass(name)
#define US_FAULT_POINT_TORN(name, fd, keepBytes) \
  ::understudy::fault::passTorn(name, fd, static_cast<off_t>(keepBytes))
