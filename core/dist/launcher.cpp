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

#include "core/dist/heartbeat.h"
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
  // The heartbeat channel (read end: the launcher's; write end: the rank's
  // fd 3, or a remote rank's stdout) and a remote rank's stdin.
  Fd beatRead, beatWrite, stdinRead, stdinWrite;
};

// A pipe, both ends close-on-exec (the child dup2()s what it keeps).
void makePipe(Fd& readEnd, Fd& writeEnd, int rank) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0)
    throw US_ERROR(fmt::format("cannot start rank {}: no pipe: {}", rank, std::strerror(errno)))
        .hint("too many open files? try fewer --workers");
  readEnd.fd = fds[0];
  writeEnd.fd = fds[1];
}

Prepared prepare(const RankProcess& r, bool heartbeat) {
  Prepared p;
  if (r.argv.empty()) throw US_ERROR(fmt::format("rank {}: no argv to start", r.rank));
  p.argvStrings = r.argv;
  std::vector<std::pair<std::string, std::string>> env = r.env;
  if (heartbeat && !r.remote) env.emplace_back(kHeartbeatFdVariable, std::to_string(kRankHeartbeatFd));
  if (heartbeat || r.remote) {
    makePipe(p.beatRead, p.beatWrite, r.rank);
    ::fcntl(p.beatRead.fd, F_SETFL, O_NONBLOCK);
  }
  if (r.remote) makePipe(p.stdinRead, p.stdinWrite, r.rank);
  std::set<std::string> replaced;
  for (const auto& [name, value] : env) replaced.insert(name);
  for (char** e = environ; e && *e; ++e) {
    const std::string entry = *e;
    const std::string name = entry.substr(0, entry.find('='));
    if (!replaced.count(name)) p.envStrings.push_back(entry);
  }
  for (const auto& [name, value] : env) p.envStrings.push_back(name + "=" + value);
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

// In a child, right after fork() (async-signal-safe calls only): its own
// process group (a Ctrl-C in the terminal reaches the launcher alone, which
// forwards it once to every rank), SIGKILL when the launcher goes however
// it goes (set before checking the parent: if the launcher died before
// prctl, the parent is already another), and default SIGINT/SIGTERM with
// nothing blocked (the launcher blocks them around fork).
void becomeOwnGroupTiedTo(pid_t launcher) {
  ::setpgid(0, 0);
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
}

// In the child, after fork(): async-signal-safe calls only.
[[noreturn]] void becomeRank(const RankProcess& r, Prepared& p, pid_t launcher, int devNull) {
  becomeOwnGroupTiedTo(launcher);
  // dup2 onto a descriptor clears close-on-exec; onto itself it does not.
  auto keepAs = [](int fd, int target) {
    if (fd == target)
      ::fcntl(fd, F_SETFD, 0);
    else
      ::dup2(fd, target);
  };
  if (r.remote) {
    // ssh: stdin the launcher's pipe, stdout the heartbeat channel, stderr the log.
    keepAs(p.stdinRead.fd, STDIN_FILENO);
    keepAs(p.beatWrite.fd, STDOUT_FILENO);
    if (p.log.fd >= 0) keepAs(p.log.fd, STDERR_FILENO);
  } else {
    if (devNull >= 0) ::dup2(devNull, STDIN_FILENO);
    if (p.log.fd >= 0) {
      ::dup2(p.log.fd, STDOUT_FILENO);
      ::dup2(p.log.fd, STDERR_FILENO);
    } else if (r.stdoutFd >= 0 && r.stdoutFd != STDOUT_FILENO) {
      ::dup2(r.stdoutFd, STDOUT_FILENO);
    }
    if (p.beatWrite.fd >= 0) keepAs(p.beatWrite.fd, kRankHeartbeatFd);
  }
  // Nothing else the launcher inherited reaches the rank (a test runner's or
  // a shell's open descriptors): only stdin, stdout, stderr and, locally
  // with heartbeats, fd 3.
  const bool beatsOnFd3 = !r.remote && p.beatWrite.fd >= 0;
  ::close_range(beatsOnFd3 ? kRankHeartbeatFd + 1 : 3, ~0U, 0);
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

std::string RankEnd::who(int worldSize) const {
  if (node.empty()) return fmt::format("rank {} of {} (pid {})", rank, worldSize, pid);
  if (reportedPid > 0)
    return fmt::format("rank {} of {} on node {} ({}, pid {} there)", rank, worldSize, node, host, reportedPid);
  return fmt::format("rank {} of {} on node {} ({}, its ssh pid {} here)", rank, worldSize, node, host, pid);
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
  // What happened to a remote rank's process group there.
  auto remoteKill = [&](const RankEnd& r) -> std::string {
    if (r.node.empty() || r.reportedPid <= 0) return "";
    if (r.remoteKillStatus == 0) return fmt::format(", its process group on {} killed over ssh", r.node);
    if (r.remoteKillStatus == 1) return fmt::format(", nothing of it left on {}", r.node);
    return "";
  };
  auto howFailed = [&](const RankEnd& r) -> std::string {
    if (r.stalledAfter > 0)
      return fmt::format(
          "stalled: no heartbeat for {:.1f} s; the launcher killed it with SIGKILL {:.1f} s after the start{}",
          r.stalledAfter, r.seconds, remoteKill(r));
    std::string how = "it " + r.howItEnded();
    if (!r.node.empty() && r.signal == 0 && r.exitCode == 255)
      how = "its ssh exited with status 255 (the connection failed, or the rank was killed there)";
    return fmt::format("failed: {} {:.1f} s after the start{}", how, r.seconds, remoteKill(r));
  };
  std::string out;
  if (forwardedSignal != 0)
    out = fmt::format("{} was forwarded to the {} ranks{}", signalName(forwardedSignal), worldSize,
                      failed.empty() ? ": " : "; before it, ");
  if (!failed.empty()) {
    const RankEnd& first = at(failed.front());
    std::string how = howFailed(first);
    if (first.stalledAfter <= 0) how.insert(how.find(':'), " first");
    out += fmt::format("{} {}; {}", first.who(worldSize), how, logLine(first.rank));
    for (std::size_t i = 1; i < failed.size(); ++i) {
      const RankEnd& r = at(failed[i]);
      out += fmt::format("; {} also {} ({})", r.who(worldSize), r.stalledAfter > 0 ? "stalled" : r.howItEnded(),
                         logLine(r.rank));
    }
  } else if (!allExitedZero()) {
    std::string ends;
    for (const RankEnd& r : ranks)
      ends += fmt::format("{}rank {} ({}) {}", ends.empty() ? "" : ", ", r.rank,
                          r.node.empty() ? fmt::format("pid {}", r.pid) : "on node " + r.node, r.howItEnded());
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
      std::string where = r.node.empty() ? fmt::format("pid {}", r.pid)
                          : r.reportedPid > 0
                              ? fmt::format("on node {}, pid {} there", r.node, r.reportedPid)
                              : fmt::format("on node {}", r.node);
      out += fmt::format("{}rank {} ({}, {}{})", i ? ", " : "", r.rank, where, how, remoteKill(r));
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

namespace {

// A remote rank's heartbeat channel as the launcher reads it.
struct Channel {
  std::string partial;        // the line being received
  Clock::time_point last;     // the last line (or the start)
  bool heard = false;         // a line has come
  bool closed = false;        // EOF
};

// Reads what arrived; true when at least one whole line came.
bool readLines(Prepared& p, Channel& c, RankEnd& end, const LaunchOptions& options) {
  if (p.beatRead.fd < 0 || c.closed) return false;
  bool line = false;
  char buffer[512];
  for (;;) {
    const ssize_t n = ::read(p.beatRead.fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) c.closed = true;
    if (n <= 0) break;
    for (ssize_t i = 0; i < n; ++i) {
      if (buffer[i] != '\n') {
        if (c.partial.size() < 256) c.partial += buffer[i];
        continue;
      }
      line = true;
      if (end.reportedPid == 0) {
        end.reportedPid = pidInHeartbeatLine(c.partial);
        if (end.reportedPid > 0 && options.onReported) options.onReported(end.rank, end.reportedPid);
      }
      c.partial.clear();
    }
  }
  if (line) {
    c.last = Clock::now();
    c.heard = true;
  }
  return line;
}

// `ssh ... kill -s KILL -- -<pid>` for a remote rank: started now, its
// output discarded (the rank's log keeps the rank's last words; the exit
// status says what it found); the caller reaps it. 0: not started.
pid_t startRemoteKill(const RankProcess& r, int remotePid, int devNull) {
  if (!r.remote || remotePid <= 0 || r.remote->sshPrefix.empty()) return 0;
  std::vector<std::string> args = r.remote->sshPrefix;
  args.push_back(fmt::format("kill -s KILL -- -{}", remotePid));
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t launcher = ::getpid();
  const pid_t pid = ::fork();
  if (pid != 0) return pid < 0 ? 0 : pid;
  becomeOwnGroupTiedTo(launcher);
  if (devNull >= 0) {
    ::dup2(devNull, STDIN_FILENO);
    ::dup2(devNull, STDOUT_FILENO);
    ::dup2(devNull, STDERR_FILENO);
  }
  ::execv(r.program.c_str(), argv.data());
  ::_exit(127);
}

}  // namespace

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
    if (ranks[i].remote) {
      report.ranks[i].node = ranks[i].remote->node;
      report.ranks[i].host = ranks[i].remote->host;
    }
  }

  const bool heartbeat = options.heartbeatSeconds > 0;
  std::vector<Prepared> prepared;
  prepared.reserve(ranks.size());
  for (const RankProcess& r : ranks) prepared.push_back(prepare(r, heartbeat));
  Fd devNull(::open("/dev/null", O_RDWR | O_CLOEXEC));

  const ForwardingHandlers handlers;
  std::fflush(nullptr);  // nothing buffered twice, and the launcher's lines come first
  const pid_t self = ::getpid();
  const Clock::time_point start = Clock::now();
  std::vector<bool> live(ranks.size(), false);
  std::vector<Channel> channels(ranks.size());
  // Signals go to a rank's whole process group (its pid: it leads it).
  auto signalRank = [&](std::size_t i, int signal) { ::kill(-report.ranks[i].pid, signal); };
  for (std::size_t i = 0; i < ranks.size(); ++i) {
    // SIGINT and SIGTERM wait while the child still has the launcher's
    // handlers: one arriving then (the launcher stopping the job at once)
    // is delivered after the child has reset them, and ends it.
    sigset_t blocked, previous;
    sigemptyset(&blocked);
    sigaddset(&blocked, SIGINT);
    sigaddset(&blocked, SIGTERM);
    ::sigprocmask(SIG_BLOCK, &blocked, &previous);
    const pid_t pid = ::fork();
    if (pid == 0) becomeRank(ranks[i], prepared[i], self, devNull.fd);
    ::sigprocmask(SIG_SETMASK, &previous, nullptr);
    if (pid < 0) {
      const std::string why = std::strerror(errno);
      for (std::size_t j = 0; j < i; ++j) {
        signalRank(j, SIGKILL);
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
    channels[i].last = Clock::now();
    // The child has its copies; the launcher keeps the heartbeat's read end
    // and a remote rank's stdin (open until the rank ends).
    prepared[i].log.reset();
    prepared[i].beatWrite.reset();
    prepared[i].stdinRead.reset();
    if (options.onStarted) options.onStarted(ranks[i].rank, pid);
  }

  // Remote ranks whose process group is being killed over ssh: (rank, ssh's pid).
  std::vector<std::pair<std::size_t, pid_t>> remoteKills;
  std::vector<bool> remoteKillStarted(ranks.size(), false);
  auto killThere = [&](std::size_t i) {
    if (remoteKillStarted[i] || !ranks[i].remote || report.ranks[i].reportedPid <= 0) return;
    remoteKillStarted[i] = true;
    if (const pid_t pid = startRemoteKill(ranks[i], report.ranks[i].reportedPid, devNull.fd))
      remoteKills.emplace_back(i, pid);
  };

  std::size_t left = ranks.size();
  int forwarded = 0;
  bool stopping = false;
  Clock::time_point stopAt;
  while (left > 0) {
    // Forward what the launcher received (the handler only counts). Remote
    // ranks are left alone: a signal would end their ssh, not them; they
    // stop with the others, who agree to stop before every step.
    for (int received = g_signalsReceived; forwarded < received; ++forwarded) {
      report.forwardedSignal = g_lastSignal;
      for (std::size_t i = 0; i < ranks.size(); ++i)
        if (live[i] && !ranks[i].remote) signalRank(i, report.forwardedSignal);
    }

    // Heartbeats; a live rank silent too long has stalled.
    for (std::size_t i = 0; i < ranks.size(); ++i) {
      readLines(prepared[i], channels[i], report.ranks[i], options);
      if (!heartbeat || !live[i] || report.ranks[i].stoppedWith != 0) continue;
      const double silent = since(channels[i].last);
      const double limit = channels[i].heard ? options.heartbeatSeconds
                                             : std::max(options.heartbeatSeconds, options.startupSeconds);
      if (silent < limit) continue;
      RankEnd& end = report.ranks[i];
      end.stalledAfter = silent;
      end.stoppedWith = SIGKILL;
      report.failed.push_back(static_cast<int>(i));
      signalRank(i, SIGKILL);  // SIGKILL also ends a stopped process
      killThere(i);
    }

    // Reap. A rank killed by a signal is named before one that exited in the
    // same round: a peer's death makes the others fail, not the reverse.
    std::vector<std::size_t> endedNow;
    for (std::size_t i = 0; i < ranks.size(); ++i) {
      if (!live[i]) continue;
      // Ended? Its process group's leftovers are killed before it is reaped
      // (until then its pid, the group's id, cannot be reused).
      siginfo_t info{};
      if (::waitid(P_PID, static_cast<id_t>(report.ranks[i].pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0 ||
          info.si_pid != report.ranks[i].pid)
        continue;
      signalRank(i, SIGKILL);
      int status = 0;
      ::waitpid(report.ranks[i].pid, &status, 0);
      RankEnd& end = report.ranks[i];
      end.seconds = since(start);
      if (WIFSIGNALED(status))
        end.signal = WTERMSIG(status);
      else
        end.exitCode = WEXITSTATUS(status);
      live[i] = false;
      --left;
      endedNow.push_back(i);
      readLines(prepared[i], channels[i], end, options);  // a pid line it wrote just before
      prepared[i].stdinWrite.reset();
      // A remote rank whose ssh ended badly may still run there (a stopped one does).
      if (!end.ok()) killThere(i);
    }
    std::stable_sort(endedNow.begin(), endedNow.end(), [&](std::size_t a, std::size_t b) {
      return (report.ranks[a].signal != 0) > (report.ranks[b].signal != 0);
    });
    // After a forwarded signal, ranks ending non-zero are stopping as asked, not failing.
    for (std::size_t i : endedNow)
      if (!report.ranks[i].ok() && report.ranks[i].stoppedWith == 0 && report.forwardedSignal == 0)
        report.failed.push_back(static_cast<int>(i));

    // The first failure stops the job, unless the user's signal is already
    // stopping it (then the ranks are checkpointing: let them finish). A
    // stalled rank stops it in any case.
    const bool stalled = std::any_of(report.ranks.begin(), report.ranks.end(),
                                     [](const RankEnd& r) { return r.stalledAfter > 0; });
    if (!stopping && !report.failed.empty() && left > 0 && (report.forwardedSignal == 0 || stalled)) {
      stopping = true;
      stopAt = Clock::now();
      for (std::size_t i = 0; i < ranks.size(); ++i) {
        if (!live[i] || report.ranks[i].stoppedWith != 0) continue;
        report.ranks[i].stoppedWith = SIGTERM;
        report.stopped.push_back(static_cast<int>(i));
        signalRank(i, SIGTERM);
        killThere(i);
      }
    }
    if (stopping && since(stopAt) >= options.killGraceSeconds) {
      for (std::size_t i = 0; i < ranks.size(); ++i) {
        if (!live[i] || report.ranks[i].stoppedWith == SIGKILL) continue;
        report.ranks[i].stoppedWith = SIGKILL;
        signalRank(i, SIGKILL);
      }
    }
    if (left > 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }

  // The remote kills, each bounded.
  const Clock::time_point cleanupStart = Clock::now();
  for (auto& [i, pid] : remoteKills) {
    int status = 0;
    pid_t got = 0;
    while ((got = ::waitpid(pid, &status, WNOHANG)) == 0 && since(cleanupStart) < options.remoteCleanupSeconds)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (got == 0) {
      ::kill(-pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      continue;
    }
    if (got == pid && WIFEXITED(status)) report.ranks[i].remoteKillStatus = WEXITSTATUS(status);
  }

  report.seconds = since(start);
  if (!report.failed.empty()) {
    const std::string& log = report.logFiles[static_cast<std::size_t>(report.failed.front())];
    if (!log.empty()) report.firstFailureLogTail = lastLinesOf(log, options.logTailLines);
  }
  return report;
}

}  // namespace understudy::dist
