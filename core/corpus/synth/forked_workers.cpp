#include "core/corpus/synth/forked_workers.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <exception>
#include <thread>

#include "core/util/error.h"

namespace understudy::synth {

namespace {

void writeAll(int fd, const std::string& text) {
  const char* p = text.data();
  std::size_t left = text.size();
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n <= 0) return;
    p += n;
    left -= static_cast<std::size_t>(n);
  }
}

// The forked child: default crash/termination behaviour, Ctrl-C left to the
// parent (it stops the children with SIGTERM), the task, then _exit.
[[noreturn]] void runChild(const ForkedTasks& tasks, std::size_t task, int readEnd, int pipe) {
  for (int sig : {SIGTERM, SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL}) ::signal(sig, SIG_DFL);
  ::signal(SIGINT, SIG_IGN);
  ::close(readEnd);
  int code = 0;
  try {
    ChildChannel out(pipe);
    tasks.child(task, out);
  } catch (const Error& e) {
    writeAll(pipe, "E " + e.message() + "\n");
    code = 1;
  } catch (const std::exception& e) {
    writeAll(pipe, std::string("E ") + e.what() + "\n");
    code = 1;
  }
  ::close(pipe);
  // _exit: the parent's SQLite connection and stdio buffers must not be touched.
  ::_exit(code);
}

struct Child {
  pid_t pid = -1;
  int pipe = -1;
  std::size_t task = 0;
  std::string buffer;  // a partial line
  std::string error;   // from an "E " line
};

}  // namespace

void ChildChannel::send(const std::string& line) { writeAll(m_fd, line + "\n"); }

ForkedRun runForkedTasks(const ForkedTasks& tasks) {
  ForkedRun run;
  std::fflush(nullptr);
  std::vector<Child> running;
  std::size_t next = 0;
  // Reads what the child sent so far; hands on every complete line.
  auto drain = [&](Child& c) {
    char buf[4096];
    for (;;) {
      const ssize_t n = ::read(c.pipe, buf, sizeof buf);
      if (n <= 0) break;
      c.buffer.append(buf, static_cast<std::size_t>(n));
    }
    std::size_t pos;
    while ((pos = c.buffer.find('\n')) != std::string::npos) {
      const std::string line = c.buffer.substr(0, pos);
      c.buffer.erase(0, pos + 1);
      if (line.rfind("E ", 0) == 0)
        c.error = line.substr(2);
      else if (tasks.onLine)
        tasks.onLine(c.task, line);
    }
  };
  while (next < tasks.count || !running.empty()) {
    if (!run.cancelled && tasks.cancelled && tasks.cancelled()) {
      run.cancelled = true;
      for (auto& c : running) ::kill(c.pid, SIGTERM);
    }
    while (!run.cancelled && run.failures.empty() && next < tasks.count &&
           static_cast<int>(running.size()) < tasks.jobs) {
      int fds[2];
      if (::pipe(fds) != 0) throw US_ERROR(tasks.what + ": pipe() failed: " + std::strerror(errno));
      const pid_t pid = ::fork();
      if (pid < 0) {
        const int err = errno;
        ::close(fds[0]);
        ::close(fds[1]);
        throw US_ERROR(tasks.what + ": fork() failed: " + std::strerror(err)).hint("lower --jobs");
      }
      if (pid == 0) runChild(tasks, next, fds[0], fds[1]);
      ::close(fds[1]);
      ::fcntl(fds[0], F_SETFL, O_NONBLOCK);
      Child c;
      c.pid = pid;
      c.pipe = fds[0];
      c.task = next;
      running.push_back(std::move(c));
      ++next;
    }
    if (!run.failures.empty() || run.cancelled) next = tasks.count;  // start nothing new
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    for (std::size_t i = 0; i < running.size();) {
      Child& c = running[i];
      drain(c);
      int status = 0;
      const pid_t r = ::waitpid(c.pid, &status, WNOHANG);
      if (r == 0) {
        ++i;
        continue;
      }
      drain(c);
      ::close(c.pipe);
      const bool exitedOk = r == c.pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
      if (exitedOk && (!tasks.onSuccess || tasks.onSuccess(c.task))) {
        // finished
      } else if (!run.cancelled) {
        std::string why = !c.error.empty() ? c.error
                          : (r == c.pid && WIFSIGNALED(status))
                              ? "killed by signal " + std::to_string(WTERMSIG(status))
                              : tasks.noResult;
        run.failures.push_back({c.task, std::move(why)});
      }
      running.erase(running.begin() + static_cast<std::ptrdiff_t>(i));
    }
  }
  return run;
}

}  // namespace understudy::synth
