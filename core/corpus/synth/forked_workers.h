// A pool of forked worker processes, one per task, at most `jobs` at once:
// how the synthetic corpus runs espeak-ng (synth_corpus.h: one per shard of
// utterances; synth_lm.h: one per accent).
//
//   ForkedTasks tasks;
//   tasks.count = shards.size();  tasks.jobs = 2;  tasks.what = "synth";
//   // in the child:
//   tasks.child = [&](std::size_t i, ChildChannel& out) { ...; out.send("1.25"); };
//   // in the parent:
//   tasks.onLine = [&](std::size_t i, const std::string& line) { ... };
//   tasks.onSuccess = [&](std::size_t i) { return resultIsComplete(i); };
//   tasks.cancelled = [&] { return tracker.cancelled(); };
//   ForkedRun run = runForkedTasks(tasks);   // run.cancelled, run.failures
//
// espeak-ng is not thread-safe and keeps global state, so each task gets a
// fresh process forked from the caller: call this before the process starts
// any thread (a child of a threaded process may inherit a held lock). The
// child ends with _exit, so the parent's SQLite connection and stdio buffers
// are never flushed or closed twice; stdio is flushed before the first fork.
//
// A child talks to the parent through a pipe, one line at a time: whatever it
// sends reaches onLine in order, polled every 20 ms; anything it throws ends
// it with status 1 and becomes its failure's message ("E <message>" on the
// pipe). Ctrl-C is the parent's: children ignore SIGINT and get SIGTERM when
// `cancelled` says so. After a failure or a cancellation no new task starts,
// and the running ones are waited for.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace understudy::synth {

// The child's end of its pipe.
class ChildChannel {
 public:
  explicit ChildChannel(int fd) : m_fd(fd) {}
  // Sends `line` and a newline; a line starting "E " reads as an error.
  void send(const std::string& line);

 private:
  int m_fd;
};

struct ForkedTasks {
  std::size_t count = 0;  // tasks 0 .. count-1, started in that order
  int jobs = 1;           // children at once
  std::string what;       // starts pipe()/fork() errors: "synth", "lm/synth"
  // Runs in the child for one task. Returning ends the child with status 0;
  // throwing, with status 1 and the exception's message as its failure.
  std::function<void(std::size_t task, ChildChannel& out)> child;
  // In the parent, for each line a child sent (not its "E " lines). Optional.
  std::function<void(std::size_t task, const std::string& line)> onLine;
  // In the parent, when a child exited with status 0: false if its result is
  // not usable (a failure with `noResult` as its message). Optional.
  std::function<bool(std::size_t task)> onSuccess;
  // Polled every 20 ms; true stops the children (SIGTERM). Optional.
  std::function<bool()> cancelled;
  // The failure message of a child that reported no error and was not killed.
  std::string noResult = "exited without a complete result";
};

struct ForkedTaskFailure {
  std::size_t task = 0;
  // The child's error message, "killed by signal <n>", or ForkedTasks::noResult.
  std::string why;
};

struct ForkedRun {
  bool cancelled = false;  // `cancelled` said so; children stopped then are not failures
  std::vector<ForkedTaskFailure> failures;  // in the order the children ended
};

// Runs every task (see above); throws only if pipe() or fork() fails.
ForkedRun runForkedTasks(const ForkedTasks& tasks);

}  // namespace understudy::synth
