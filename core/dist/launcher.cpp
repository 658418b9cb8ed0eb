#include "core/dist/launcher.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "core/util/error.h"

extern char** environ;

namespace understudy::dist {

namespace {

using Clock = std::chrono::steady_clock;

// SIGINT / SIGTERM received by the launcher while it waits, not yet forwarded.
volatile sig_atomic_t g_signalsReceived = 0;
volatile sig_atomic_t g_lastSignal = 0;

extern "C" void onLauncherSignal(int signal) {
  g_lastSignal = signal;
  g_signalsReceived = g_signalsReceived + 1;
}

// Catches SIGINT and SIGTERM for the life of a launch (no SA_RESTART: a
// signal cuts the poll's sleep short) and restores the old handlers after.
class ForwardingHandlers {
 public:
  ForwardingHandlers() {
    g_signalsReceived = 0;
    g_lastSignal = 0;
    struct sigaction sa {};
    sa.sa_handler = onLauncherSignal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;
    ::sigaction(SIGINT, &sa, &m_oldInt);
    ::sigaction(SIGTERM, &sa, &m_oldTerm);
  }
  ~ForwardingHandlers() {
    ::sigaction(SIGINT, &m_oldInt, nullptr);
    ::sigaction(SIGTERM, &m_oldTerm, nullptr);
  }
  ForwardingHandlers(const ForwardingHandlers&) = delete;
  ForwardingHandlers& operator=(const ForwardingHandlers&) = delete;

 private:
  struct sigaction m_oldInt {};
  struct sigaction m_oldTerm {};
};

// A file descriptor closed on scope exit.
struct Fd {
  int fd = -1;
  Fd() = default;
  explicit Fd(int f) : fd(f) {}
  Fd(Fd&& o) noexcept : fd(o.fd) { o.fd = -1; }
  Fd& operator=(Fd&&) = delete;
  Fd(const Fd&) = delete;
  ~Fd() { reset(); }
  void reset() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
};

// Everything a child needs, built before fork(): between fork and exec only
// async-signal-safe calls are allowed.
struct Prepared {
  std::vector<std::string> argvStrings, envStrings;
  std::vector<char*> argv, envp;
  Fd log;
};

Prepared prepare(const RankProcess& r) {
  Prepared p;
  if (r.argv.empty()) throw US_ERROR(fmt::format("rank {}: no argv to start", r.rank));
  p.argvStrings = r.argv;
  std::set<std::string> replaced;
  for (const auto& [name, value] : r.env) replaced.insert(name);
  for (char** e = environ; e && *e; ++e) {
    const std::string entry = *e;
    const std::string name = entry.substr(0, entry.find('='));
    if (!replaced.count(name)) p.envStrings.push_back(entry);
  }
  for (const auto& [name, value] : r.env) p.envStrings.push_back(name + "=" + value);
  for (auto& s : p.argvStrings) p.argv.push_back(s.data());
  p.argv.push_back(nullptr);
  for (auto& s : p.envStrings) p.envp.push_back(s.data());
  p.envp.push_back(nullptr);
  if (!r.logFile.empty()) {
    std::error_code ec;
    const std::filesystem::path parent = std::filesystem::path(r.logFile).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    p.log.fd = ::open(r.logFile.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (p.log.fd < 0)
      throw US_ERROR(
          fmt::format("cannot create the log of rank {}: {}", r.rank, std::strerror(errno)))
          .file(r.logFile)
          .hint("check that the folder is writable");
  }
  return p;
}

// In the child, after fork(): async-signal-safe calls only.
[[noreturn]] void becomeRank(const RankProcess& r, Prepared& p, pid_t launcher, int devNull) {
  // Its own process group: a Ctrl-C in the terminal reaches the launcher
  // alone, which forwards it once to every rank.
  ::setpgid(0, 0);
  // Killed when the launcher goes, however it goes. Set before checking the
  // parent: if the launcher died before prctl, the parent is already another.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != launcher) ::_exit(127);
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  ::sigaction(SIGINT, &dfl, nullptr);
  ::sigaction(SIGTERM, &dfl, nullptr);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  if (devNull >= 0) ::dup2(devNull, STDIN_FILENO);
  if (p.log.fd >= 0) {
    ::dup2(p.log.fd, STDOUT_FILENO);
    ::dup2(p.log.fd, STDERR_FILENO);
  } else if (r.stdoutFd >= 0 && r.stdoutFd != STDOUT_FILENO) {
    ::dup2(r.stdoutFd, STDOUT_FILENO);
  }
  ::execve(r.program.c_str(), p.argv.data(), p.envp.data());
  const char* what = "understudy launcher: cannot execute the rank's program: ";
  const char* why = std::strerror(errno);  // not formally async-signal-safe; only read
  [[maybe_unused]] ssize_t ignored = ::write(STDERR_FILENO, what, std::strlen(what));
  ignored = ::write(STDERR_FILENO, why, std::strlen(why));
  ignored = ::write(STDERR_FILENO, "\n", 1);
  ::_exit(127);
}

double since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\\\"") : std::string(1, c);
  return out + "\"";
}

}  // namespace

std::string signalName(int signal) {
  switch (signal) {
    case SIGHUP:
      return "SIGHUP";
    case SIGINT:
      return "SIGINT";
    case SIGQUIT:
      return "SIGQUIT";
    case SIGILL:
      return "SIGILL";
    case SIGABRT:
      return "SIGABRT";
    case SIGBUS:
      return "SIGBUS";
    case SIGFPE:
      return "SIGFPE";
    case SIGKILL:
      return "SIGKILL";
    case SIGSEGV:
      return "SIGSEGV";
    case SIGPIPE:
      return "SIGPIPE";
    case SIGTERM:
      return "SIGTERM";
    default:
      return "signal " + std::to_string(signal);
  }
}

std::string RankEnd::howItEnded() const {
  if (signal != 0) return fmt::format("was killed by signal {} ({})", signal, signalName(signal));
  return fmt::format("exited with status {}", exitCode);
}

bool LaunchReport::allExitedZero() const {
  return std::all_of(ranks.begin(), ranks.end(), [](const RankEnd& r) { return r.ok(); });
}

std::string LaunchReport::summary() const {
  auto at = [&](int rank) -> const RankEnd& { return ranks.at(static_cast<std::size_t>(rank)); };
  auto logLine = [&](int rank) -> std::string {
    const std::string& log = logFiles.size() > static_cast<std::size_t>(rank)
                                 ? logFiles[static_cast<std::size_t>(rank)]
                                 : std::string();
    if (log.empty()) return "its output is above";
    const std::string last = lastLinesOf(log, 1);
    return last.empty() ? fmt::format("its log {} is empty", log)
                        : "its last log line: " + quoted(last);
  };
  std::string out;
  if (forwardedSignal != 0)
    out = fmt::format("{} was forwarded to the {} ranks{}", signalName(forwardedSignal), worldSize,
                      failed.empty() ? ": " : "; before it, ");
  if (!failed.empty()) {
    const RankEnd& first = at(failed.front());
    out += fmt::format("rank {} of {} (pid {}) failed first: it {} {:.1f} s after the start; {}",
                       first.rank, worldSize, first.pid, first.howItEnded(), first.seconds,
                       logLine(first.rank));
    for (std::size_t i = 1; i < failed.size(); ++i) {
      const RankEnd& r = at(failed[i]);
      out += fmt::format("; rank {} (pid {}) also {} ({})", r.rank, r.pid, r.howItEnded(),
                         logLine(r.rank));
    }
  } else if (!allExitedZero()) {
    std::string ends;
    for (const RankEnd& r : ranks)
      ends += fmt::format("{}rank {} (pid {}) {}", ends.empty() ? "" : ", ", r.rank, r.pid,
                          r.howItEnded());
    out += ends;
  } else {
    out += fmt::format("all {} ranks exited with status 0", worldSize);
  }
  if (!stopped.empty()) {
    out += "; still running, so the launcher stopped ";
    for (std::size_t i = 0; i < stopped.size(); ++i) {
      const RankEnd& r = at(stopped[i]);
      std::string how;
      if (r.stoppedWith == SIGKILL)
        how = "killed with SIGKILL: SIGTERM did not end it";
      else if (r.signal != 0)
        how = fmt::format("ended by {}", signalName(r.signal));
      else
        how = fmt::format("exited with status {} after SIGTERM", r.exitCode);
      out += fmt::format("{}rank {} (pid {}, {})", i ? ", " : "", r.rank, r.pid, how);
    }
  }
  return out;
}

std::string lastLinesOf(const std::string& path, int lines) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  const std::streamoff from = std::max<std::streamoff>(0, size - 64 * 1024);
  in.seekg(from);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::string> kept;
  std::size_t begin = 0;
  while (begin <= text.size()) {
    std::size_t end = text.find('\n', begin);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(begin, end - begin);
    // A terminal progress line rewrites itself with '\r': keep its last state.
    if (const auto cr = line.find_last_of('\r'); cr != std::string::npos)
      line = line.substr(cr + 1);
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.pop_back();
    if (!line.empty()) kept.push_back(line);
    begin = end + 1;
  }
  const std::size_t n =
      std::min<std::size_t>(kept.size(), static_cast<std::size_t>(std::max(0, lines)));
  std::string out;
  for (std::size_t i = kept.size() - n; i < kept.size(); ++i)
    out += (out.empty() ? "" : "\n") + kept[i];
  return out;
}

int freeLocalPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    throw US_ERROR(std::string("cannot open a socket to find a free port: ") +
                   std::strerror(errno));
  Fd guard(fd);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
    throw US_ERROR(std::string("cannot find a free TCP port on 127.0.0.1: ") + std::strerror(errno))
        .hint("name one with --master-port");
  return ntohs(addr.sin_port);
}

LaunchReport launchRanks(const std::vector<RankProcess>& ranks, const LaunchOptions& options) {
  LaunchReport report;
  report.worldSize = static_cast<int>(ranks.size());
  report.ranks.resize(ranks.size());
  for (std::size_t i = 0; i < ranks.size(); ++i) {
    if (ranks[i].rank != static_cast<int>(i))
      throw US_ERROR(
          fmt::format("launchRanks: entry {} is rank {}; ranks must be given in order 0..N-1", i,
                      ranks[i].rank));
    report.logFiles.push_back(ranks[i].logFile);
  }

  std::vector<Prepared> prepared;
  prepared.reserve(ranks.size());
  for (const RankProcess& r : ranks) prepared.push_back(prepare(r));
  Fd devNull(::open("/dev/null", O_RDONLY | O_CLOEXEC));

  const ForwardingHandlers handlers;
  std::fflush(nullptr);  // nothing buffered twice, and the launcher's lines come first
  const pid_t self = ::getpid();
  const Clock::time_point start = Clock::now();
  std::vector<bool> live(ranks.size(), false);
  for (std::size_t i = 0; i < ranks.size(); ++i) {
    const pid_t pid = ::fork();
    if (pid == 0) becomeRank(ranks[i], prepared[i], self, devNull.fd);
    if (pid < 0) {
      const std::string why = std::strerror(errno);
      for (std::size_t j = 0; j < i; ++j) {
        ::kill(report.ranks[j].pid, SIGKILL);
        ::waitpid(report.ranks[j].pid, nullptr, 0);
      }
      throw US_ERROR(fmt::format("cannot start rank {} of {}: fork failed: {}", ranks[i].rank,
                                 ranks.size(), why))
          .hint("too many processes or too little memory? try fewer --workers");
    }
    ::setpgid(pid, pid);  // also here: whichever of parent and child runs first
    report.ranks[i].rank = ranks[i].rank;
    report.ranks[i].pid = pid;
    live[i] = true;
    prepared[i].log.reset();  // the child has its copy
    if (options.onStarted) options.onStarted(ranks[i].rank, pid);
  }

  std::size_t left = ranks.size();
  int forwarded = 0;
  bool stopping = false;
  Clock::time_point stopAt;
  while (left > 0) {
    // Forward what the launcher received (the handler only counts).
    for (int received = g_signalsReceived; forwarded < received; ++forwarded) {
      report.forwardedSignal = g_lastSignal;
      for (std::size_t i = 0; i < ranks.size(); ++i)
        if (live[i]) ::kill(report.ranks[i].pid, report.forwardedSignal);
    }

    // Reap. A rank killed by a signal is named before one that exited in the
    // same round: a peer's death makes the others fail, not the reverse.
    std::vector<std::size_t> endedNow;
    for (std::size_t i = 0; i < ranks.size(); ++i) {
      if (!live[i]) continue;
      int status = 0;
      const pid_t got = ::waitpid(report.ranks[i].pid, &status, WNOHANG);
      if (got != report.ranks[i].pid) continue;
      RankEnd& end = report.ranks[i];
      end.seconds = since(start);
      if (WIFSIGNALED(status))
        end.signal = WTERMSIG(status);
      else
        end.exitCode = WEXITSTATUS(status);
      live[i] = false;
      --left;
      endedNow.push_back(i);
    }
    std::stable_sort(endedNow.begin(), endedNow.end(), [&](std::size_t a, std::size_t b) {
      return (report.ranks[a].signal != 0) > (report.ranks[b].signal != 0);
    });
    // After a forwarded signal, ranks ending non-zero are stopping as asked, not failing.
    for (std::size_t i : endedNow)
      if (!report.ranks[i].ok() && report.ranks[i].stoppedWith == 0 && report.forwardedSignal == 0)
        report.failed.push_back(static_cast<int>(i));

    // The first failure stops the job, unless the user's signal is already
    // stopping it (then the ranks are checkpointing: let them finish).
    if (!stopping && !report.failed.empty() && left > 0 && report.forwardedSignal == 0) {
      stopping = true;
      stopAt = Clock::now();
      for (std::size_t i = 0; i < ranks.size(); ++i) {
        if (!live[i]) continue;
        report.ranks[i].stoppedWith = SIGTERM;
        report.stopped.push_back(static_cast<int>(i));
        ::kill(report.ranks[i].pid, SIGTERM);
      }
    }
    if (stopping && since(stopAt) >= options.killGraceSeconds) {
      for (std::size_t i = 0; i < ranks.size(); ++i) {
        if (!live[i] || report.ranks[i].stoppedWith == SIGKILL) continue;
        report.ranks[i].stoppedWith = SIGKILL;
        ::kill(report.ranks[i].pid, SIGKILL);
      }
    }
    if (left > 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  report.seconds = since(start);
  if (!report.failed.empty()) {
    const std::string& log = report.logFiles[static_cast<std::size_t>(report.failed.front())];
    if (!log.empty()) report.firstFailureLogTail = lastLinesOf(log, options.logTailLines);
  }
  return report;
}

}  // namespace understudy::dist
