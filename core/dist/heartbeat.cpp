#include "core/dist/heartbeat.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "core/util/error.h"

namespace understudy::dist {

namespace {

bool writeAll(int fd, const std::string& text) {
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

void startHeartbeat(int fd, double intervalSeconds) {
  const auto interval = std::chrono::duration<double>(intervalSeconds);
  std::thread([fd, interval] {
    if (!writeAll(fd, fmt::format("pid {}\n", ::getpid()))) return;
    for (;;) {
      std::this_thread::sleep_for(interval);
      if (!writeAll(fd, "beat\n")) return;
    }
  }).detach();
}

void startStdinWatch() {
  std::thread([] {
    char buffer[256];
    for (;;) {
      const ssize_t n = ::read(STDIN_FILENO, buffer, sizeof buffer);
      if (n > 0 || (n < 0 && errno == EINTR)) continue;
      break;  // EOF or an error: the launcher's end is gone
    }
    const char* what = "understudy worker: stdin closed (the launcher or its ssh connection is gone); "
                       "killing this rank's process group\n";
    [[maybe_unused]] const ssize_t ignored = ::write(STDERR_FILENO, what, std::strlen(what));
    if (::getpgrp() == ::getpid()) ::kill(0, SIGKILL);
    ::kill(::getpid(), SIGKILL);
  }).detach();
}

void startHeartbeatFromEnvironment() {
  static std::atomic<bool> started{false};
  if (started.exchange(true)) return;
  const char* watch = std::getenv(kWatchStdinVariable);
  const bool watchStdin = watch && std::string(watch) == "1";
  // A remote rank leads a process group of its own, so that the pid it
  // reports is the group the launcher kills there (`kill -- -<pid>`),
  // whatever shells ssh ran it under. (A session leader already leads one.)
  if (watchStdin && ::getpgrp() != ::getpid()) ::setpgid(0, 0);
  if (const char* fdText = std::getenv(kHeartbeatFdVariable); fdText && *fdText) {
    char* end = nullptr;
    errno = 0;
    const long fd = std::strtol(fdText, &end, 10);
    if (errno != 0 || end == fdText || *end != '\0' || fd < 0 || fd > 65535 ||
        ::fcntl(static_cast<int>(fd), F_GETFD) < 0)
      throw US_ERROR(fmt::format("{}='{}' is not an open file descriptor", kHeartbeatFdVariable, fdText))
          .hint("the launcher (understudy-cli train --workers) sets it; unset it when starting a worker by hand");
    // Not passed on to anything this process might start.
    ::fcntl(static_cast<int>(fd), F_SETFD, FD_CLOEXEC);
    startHeartbeat(static_cast<int>(fd));
  }
  if (watchStdin) startStdinWatch();
}

int pidInHeartbeatLine(const std::string& line) {
  if (line.rfind("pid ", 0) != 0) return 0;
  char* end = nullptr;
  const long pid = std::strtol(line.c_str() + 4, &end, 10);
  return end && *end == '\0' && pid > 0 && pid < (1L << 30) ? static_cast<int>(pid) : 0;
}

}  // namespace understudy::dist
