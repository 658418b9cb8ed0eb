// nodes add|edit|list|remove|test: the machines a distributed run may start ranks
// on (NodeStore; docs/distributed.md, "Nodes"). `test` logs in to each node
// with the system ssh client (BatchMode: never a password prompt) and runs
// one probe there: the node's CPU and GPU count, whether it sees the
// workspace, and its understudy-cli's --version. Every value in the probe
// reaches the remote shell through shellQuote (docs/security.md).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "app/cli/commands.h"
#include "core/store/node_store.h"
#include "core/store/version.h"
#include "core/store/workspace.h"
#include "core/util/error.h"
#include "core/util/shell_quote.h"

namespace understudy::cli {

namespace {

struct Captured {
  int exitCode = -1;  // -1: did not exit by itself
  bool timedOut = false;
  std::string out, err;
  std::string startError;  // why the program did not start
};

// Runs argv (PATH lookup) with stdin from /dev/null and captures stdout and
// stderr; kills it after `timeoutS` seconds.
Captured capture(const std::vector<std::string>& argv, int timeoutS) {
  Captured c;
  int outPipe[2], errPipe[2], execPipe[2];
  if (::pipe2(outPipe, O_CLOEXEC) != 0 || ::pipe2(errPipe, O_CLOEXEC) != 0 ||
      ::pipe2(execPipe, O_CLOEXEC) != 0) {
    c.startError = "cannot make a pipe";
    return c;
  }
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int null = ::open("/dev/null", O_RDONLY);
    ::dup2(null, 0);
    ::dup2(outPipe[1], 1);
    ::dup2(errPipe[1], 2);
    ::execvp(args[0], args.data());
    const int e = errno;
    (void)!::write(execPipe[1], &e, sizeof e);
    ::_exit(127);
  }
  ::close(outPipe[1]);
  ::close(errPipe[1]);
  ::close(execPipe[1]);
  if (pid < 0) {
    c.startError = "fork failed";
    ::close(outPipe[0]);
    ::close(errPipe[0]);
    ::close(execPipe[0]);
    return c;
  }
  int execErrno = 0;
  if (::read(execPipe[0], &execErrno, sizeof execErrno) == sizeof execErrno)
    c.startError = "cannot run " + argv[0] + ": " + std::strerror(execErrno);
  ::close(execPipe[0]);

  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeoutS);
  pollfd fds[2] = {{outPipe[0], POLLIN, 0}, {errPipe[0], POLLIN, 0}};
  std::string* sinks[2] = {&c.out, &c.err};
  int open = 2;
  while (open > 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                          deadline - std::chrono::steady_clock::now()).count();
    if (left <= 0) {
      c.timedOut = true;
      ::kill(pid, SIGKILL);
      break;
    }
    if (::poll(fds, 2, static_cast<int>(left)) < 0 && errno != EINTR) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      char buf[4096];
      const ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        sinks[i]->append(buf, static_cast<std::size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open;
      }
    }
  }
  for (const pollfd& f : fds)
    if (f.fd >= 0) ::close(f.fd);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!c.timedOut && WIFEXITED(status)) c.exitCode = WEXITSTATUS(status);
  return c;
}

std::string trimmed(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

// The text of a process's stderr as one line: its non-empty lines joined by " / ".
std::string oneLine(const std::string& text) {
  std::istringstream in(text);
  std::string line, joined;
  while (std::getline(in, line)) {
    line = trimmed(line);
    if (line.empty()) continue;
    joined += (joined.empty() ? "" : " / ") + line;
  }
  return joined.size() > 600 ? joined.substr(0, 600) + " ..." : joined;
}

// [user@]host[:port]; port 22 and an empty user are left to the ssh config.
std::string address(const NodeRow& n) {
  return (n.user.empty() ? "" : n.user + "@") + n.host +
         (n.port == 22 ? "" : ":" + std::to_string(n.port));
}

// The ssh command line for `node`: the user's keys and ssh config, or the
// file in UNDERSTUDY_SSH_CONFIG (`ssh -F`); never a password prompt. Port 22
// and an empty user leave those to the ssh config.
std::vector<std::string> sshArgv(const NodeRow& node, int connectTimeoutS,
                                 const std::string& remoteCommand) {
  std::vector<std::string> argv =
      understudy::sshArgv({node.host, node.user, node.port}, connectTimeoutS);
  argv.push_back(remoteCommand);
  return argv;
}

// One line per fact, each starting with "us-", so the login banner or
// anything a shell profile prints is told apart. No newline in it: the
// remote login shell gets it as one line.
std::string probeScript(const std::string& binary, const std::string& workspacePath) {
  return "b=" + shellQuote(binary) + "; w=" + shellQuote(workspacePath) +
         "; printf 'us-cpus %s\\n' \"$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN "
         "2>/dev/null || echo 0)\""
         "; if command -v nvidia-smi >/dev/null 2>&1; then printf 'us-gpus %s\\n' "
         "\"$(nvidia-smi -L 2>/dev/null | grep -c '^GPU')\"; else echo 'us-gpus 0'; fi"
         "; if [ -f \"$w/workspace.db\" ]; then echo 'us-workspace yes'; "
         "else echo 'us-workspace no'; fi"
         "; v=$(\"$b\" --version 2>&1 </dev/null); printf 'us-binary-status %s\\n' \"$?\""
         "; printf '%s\\n' \"$v\" | sed 's/^/us-binary /'";
}

struct Probe {
  NodeTestResult result;
  std::string summary;  // what `test` prints after the status
  std::string hint;
};

Probe probeNode(const NodeRow& node, const std::string& localWorkspace, int timeoutS) {
  Probe p;
  NodeTestResult& r = p.result;
  const std::string binary = node.binaryPath.empty() ? "understudy-cli" : node.binaryPath;
  const std::string workspace = node.workspacePath.empty() ? localWorkspace : node.workspacePath;
  // The login shell may not be sh; the probe always runs under sh.
  const std::string remote = shellCommand({"sh", "-c", probeScript(binary, workspace)});
  const Captured c = capture(sshArgv(node, timeoutS, remote), timeoutS + 60);
  const std::string sshHint =
      "check that `ssh -o BatchMode=yes" +
      std::string(std::getenv("UNDERSTUDY_SSH_CONFIG") ? " -F $UNDERSTUDY_SSH_CONFIG" : "") +
      (node.port != 22 ? " -p " + std::to_string(node.port) : "") + " " +
      (node.user.empty() ? "" : node.user + "@") + node.host +
      " true` logs in without a password (a key in ~/.ssh or ssh-agent, the host in "
      "known_hosts; Host settings in ~/.ssh/config or the file in UNDERSTUDY_SSH_CONFIG)";
  if (!c.startError.empty()) {
    r.status = "unreachable";
    r.error = c.startError;
    p.hint = "install the OpenSSH client (ssh)";
  } else if (c.timedOut) {
    r.status = "unreachable";
    r.error = "no answer within " + std::to_string(timeoutS + 60) + " s";
    p.hint = sshHint;
  } else if (c.exitCode == 255 || c.exitCode < 0) {
    // ssh's own failure: refused, timed out, no route, permission denied, host key.
    r.status = "unreachable";
    r.error = oneLine(c.err);
    if (r.error.empty()) r.error = "ssh failed (exit status " + std::to_string(c.exitCode) + ")";
    p.hint = sshHint;
  }
  if (!r.status.empty()) {
    p.summary = r.error;
    return p;
  }

  std::istringstream out(c.out);
  std::string line, versionOutput;
  bool sawStatus = false, workspaceSeen = false;
  int binaryStatus = -1;
  while (std::getline(out, line)) {
    auto value = [&](const std::string& key) { return line.substr(key.size()); };
    if (line.rfind("us-cpus ", 0) == 0) r.cpus = std::atoi(value("us-cpus ").c_str());
    else if (line.rfind("us-gpus ", 0) == 0) r.gpus = std::atoi(value("us-gpus ").c_str());
    else if (line == "us-workspace yes") workspaceSeen = true;
    else if (line.rfind("us-binary-status ", 0) == 0) {
      sawStatus = true;
      binaryStatus = std::atoi(value("us-binary-status ").c_str());
    } else if (line.rfind("us-binary ", 0) == 0) {
      versionOutput += (versionOutput.empty() ? "" : "\n") + value("us-binary ");
    } else if (line == "us-binary") {
      versionOutput += versionOutput.empty() ? "" : "\n";
    }
  }
  r.status = "error";
  if (!sawStatus) {
    r.error = "the probe did not run on the node (ssh exit status " +
              std::to_string(c.exitCode) + ")" +
              (oneLine(c.err).empty() ? "" : ": " + oneLine(c.err));
    p.hint = "its login shell must run POSIX sh commands; see what `ssh " + node.host +
             " sh -c true` prints";
    p.summary = r.error;
    return p;
  }
  std::vector<std::string> problems, hints;
  const std::string firstVersionLine = trimmed(versionOutput.substr(0, versionOutput.find('\n')));
  if (binaryStatus != 0) {
    problems.push_back("understudy-cli '" + binary + "' did not run (exit status " +
                       std::to_string(binaryStatus) + "): " + oneLine(versionOutput));
    hints.push_back(
        "install understudy-cli on the node, or give its path: understudy-cli nodes edit " +
        node.name + " --binary PATH");
  } else {
    r.version = firstVersionLine;
    if (r.version != versionBanner()) {
      problems.push_back("its understudy-cli is '" + r.version + "', this one is '" +
                         versionBanner() + "'");
      hints.push_back("install the same build on every node");
    }
  }
  if (!workspaceSeen) {
    problems.push_back("no workspace.db in '" + workspace + "' there");
    hints.push_back(
        "the node must see this workspace (a shared file system); give the path it has there "
        "with nodes edit " + node.name + " --workspace-path PATH");
  }
  if (node.gpus > r.gpus) {
    problems.push_back("registered with " + std::to_string(node.gpus) + " GPUs, nvidia-smi lists " +
                       std::to_string(r.gpus));
    hints.push_back("check its driver, or give fewer: nodes edit " + node.name + " --gpus N");
  } else if (node.gpus > 0) {
    r.gpus = node.gpus;  // as many as it was registered to use
  }
  if (problems.empty()) {
    r.status = "ok";
    p.summary = r.version + ", " + std::to_string(r.cpus) + " CPUs, " + std::to_string(r.gpus) +
                " GPUs, workspace " + workspace;
    return p;
  }
  for (const std::string& problem : problems)
    r.error += (r.error.empty() ? "" : "; ") + problem;
  for (const std::string& hint : hints) p.hint += (p.hint.empty() ? "" : "; ") + hint;
  p.summary = r.error;
  return p;
}

std::string orDash(const std::string& s) { return s.empty() ? "-" : s; }

std::string padRight(const std::string& s, std::size_t width) {
  return s.size() >= width ? s : s + std::string(width - s.size(), ' ');
}

// TSV: tabs and line breaks inside a value become spaces.
std::string tsvField(std::string s) {
  for (char& c : s)
    if (c == '\t' || c == '\n' || c == '\r') c = ' ';
  return s;
}

void runList(const std::string& path, bool tsv) {
  Workspace ws = Workspace::open(path);
  const std::vector<NodeRow> nodes = NodeStore(ws).list();
  if (tsv) {
    std::printf("name\thost\tuser\tport\tworkspace_path\tbinary\tcpus\tgpus\tstatus\tlast_seen\t"
                "version\tlast_error\n");
    for (const NodeRow& n : nodes)
      std::printf("%s\t%s\t%s\t%d\t%s\t%s\t%d\t%d\t%s\t%s\t%s\t%s\n", tsvField(n.name).c_str(),
                  tsvField(n.host).c_str(), tsvField(n.user).c_str(), n.port,
                  tsvField(n.workspacePath).c_str(), tsvField(n.binaryPath).c_str(), n.cpus,
                  n.gpus, n.status.c_str(), n.lastSeen.c_str(), tsvField(n.version).c_str(),
                  tsvField(n.lastError).c_str());
    return;
  }
  if (nodes.empty()) {
    std::printf("No nodes in %s: runs use this machine only (add one with `understudy-cli nodes "
                "add`).\n", ws.root().c_str());
    return;
  }
  std::size_t nameW = 4, addrW = 7;
  for (const NodeRow& n : nodes) {
    nameW = std::max(nameW, n.name.size());
    addrW = std::max(addrW, address(n).size());
  }
  std::printf("%s  %s  %4s  %4s  %-11s  %-24s  %s\n", padRight("name", nameW).c_str(),
              padRight("address", addrW).c_str(), "gpus", "cpus", "status", "last seen",
              "workspace path / binary");
  for (const NodeRow& n : nodes) {
    std::printf("%s  %s  %4d  %4d  %-11s  %-24s  %s / %s\n", padRight(n.name, nameW).c_str(),
                padRight(address(n), addrW).c_str(), n.gpus, n.cpus, n.status.c_str(),
                orDash(n.lastSeen).c_str(),
                n.workspacePath.empty() ? "(same as here)" : n.workspacePath.c_str(),
                n.binaryPath.empty() ? "understudy-cli on PATH" : n.binaryPath.c_str());
    if (!n.lastError.empty()) std::printf("    error: %s\n", n.lastError.c_str());
  }
}

void runTest(const std::string& path, std::vector<std::string> names, bool all, int timeoutS) {
  Workspace ws = Workspace::open(path);
  NodeStore store(ws);
  if (all == !names.empty())
    throw US_ERROR("nodes test: give node names or --all, not both and not neither")
        .hint("understudy-cli nodes test -w WS NAME... or --all (see nodes list)");
  std::vector<NodeRow> nodes;
  if (all) {
    nodes = store.list();
    if (nodes.empty())
      throw US_ERROR("no nodes to test in this workspace")
          .file(ws.root().string())
          .hint("add one with `understudy-cli nodes add`");
  } else {
    for (const std::string& name : names) nodes.push_back(store.get(name));
  }
  const std::string localWorkspace = std::filesystem::absolute(ws.root()).lexically_normal().string();
  // All nodes at once: a node that does not answer costs its timeout only once.
  std::vector<Probe> probes(nodes.size());
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < nodes.size(); ++i)
    threads.emplace_back([&, i] { probes[i] = probeNode(nodes[i], localWorkspace, timeoutS); });
  for (std::thread& t : threads) t.join();

  std::size_t nameW = 4;
  for (const NodeRow& n : nodes) nameW = std::max(nameW, n.name.size());
  std::string failures, hints;
  int failed = 0;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    store.recordTest(nodes[i].name, probes[i].result);
    const std::string& status = probes[i].result.status;
    std::printf("%s  %-11s  %s  %s\n", padRight(nodes[i].name, nameW).c_str(), status.c_str(),
                address(nodes[i]).c_str(), probes[i].summary.c_str());
    if (status == "ok") continue;
    ++failed;
    failures += (failures.empty() ? "" : "; ") + ("node '" + nodes[i].name + "' (" +
                                                  address(nodes[i]) + ") " + status + ": " +
                                                  probes[i].result.error);
    if (hints.find(probes[i].hint) == std::string::npos)
      hints += (hints.empty() ? "" : "; ") + probes[i].hint;
  }
  std::fflush(stdout);
  if (failed > 0)
    throw US_ERROR(std::to_string(failed) + " of " + std::to_string(nodes.size()) +
                   " nodes failed the test: " + failures)
        .file(ws.root().string())
        .hint(hints);
}

}  // namespace

void addNodeCommands(CLI::App& app, GlobalOptions&) {
  auto* nodes = app.add_subcommand(
      "nodes", "Machines a distributed run may start ranks on, over ssh (docs/distributed.md)");
  nodes->require_subcommand(1);
  {
    auto* sub = nodes->add_subcommand("add", "Register a node (nothing is checked: see nodes test)");
    auto path = std::make_shared<std::string>();
    auto spec = std::make_shared<NodeSpec>();
    addWorkspaceOption(*sub, *path);
    sub->add_option("--name", spec->name, "Its name in this workspace")->required();
    sub->add_option("--host", spec->host, "Address or Host alias of your ssh config")->required();
    sub->add_option("--user", spec->user, "ssh user (default: the ssh config's, or yours)");
    sub->add_option("--port", spec->port, "ssh port (22: the ssh config's)")
        ->capture_default_str()
        ->check(CLI::Range(1, 65535));
    sub->add_option("--gpus", spec->gpus, "GPUs to use there (0: as many as nodes test finds)")
        ->capture_default_str()
        ->check(CLI::NonNegativeNumber);
    sub->add_option("--workspace-path", spec->workspacePath,
                    "Where the node sees this workspace (default: the same path as here)");
    sub->add_option("--binary", spec->binaryPath,
                    "understudy-cli on the node (default: understudy-cli on its PATH)");
    sub->callback([path, spec] {
      Workspace ws = Workspace::open(*path);
      NodeStore(ws).add(*spec);
      NodeRow row;
      row.host = spec->host;
      row.user = spec->user;
      row.port = spec->port;
      std::printf("Added node %s (%s); check it with: understudy-cli nodes test -w %s %s\n",
                  spec->name.c_str(), address(row).c_str(), shellQuote(*path).c_str(),
                  shellQuote(spec->name).c_str());
    });
  }
  {
    auto* sub = nodes->add_subcommand(
        "edit", "Change how a node is reached; keeps its name and what the last test found, "
                "status back to unknown (see nodes test)");
    auto path = std::make_shared<std::string>();
    auto name = std::make_shared<std::string>();
    auto spec = std::make_shared<NodeSpec>();
    addWorkspaceOption(*sub, *path);
    sub->add_option("NAME", *name, "The node's name")->required();
    auto* host = sub->add_option("--host", spec->host, "Address or Host alias of your ssh config");
    auto* user = sub->add_option("--user", spec->user, "ssh user ('': the ssh config's, or yours)");
    auto* port = sub->add_option("--port", spec->port, "ssh port (22: the ssh config's)")
                     ->check(CLI::Range(1, 65535));
    auto* gpus = sub->add_option("--gpus", spec->gpus, "GPUs to use there (0: as many as nodes test finds)")
                     ->check(CLI::NonNegativeNumber);
    auto* workspacePath = sub->add_option(
        "--workspace-path", spec->workspacePath,
        "Where the node sees this workspace ('': the same path as here)");
    auto* binary = sub->add_option("--binary", spec->binaryPath,
                                   "understudy-cli on the node ('': understudy-cli on its PATH)");
    sub->callback([=] {
      NodeEdit change;
      if (host->count()) change.host = spec->host;
      if (user->count()) change.user = spec->user;
      if (port->count()) change.port = spec->port;
      if (gpus->count()) change.gpus = spec->gpus;
      if (workspacePath->count()) change.workspacePath = spec->workspacePath;
      if (binary->count()) change.binaryPath = spec->binaryPath;
      Workspace ws = Workspace::open(*path);
      const NodeRow row = NodeStore(ws).edit(*name, change);
      std::printf("Node %s: %s, workspace path %s, binary %s, %d GPUs, status %s\n",
                  row.name.c_str(), address(row).c_str(),
                  row.workspacePath.empty() ? "(same as here)" : row.workspacePath.c_str(),
                  row.binaryPath.empty() ? "understudy-cli on PATH" : row.binaryPath.c_str(),
                  row.gpus, row.status.c_str());
    });
  }
  {
    auto* sub = nodes->add_subcommand("list", "List the registered nodes and their last test");
    auto path = std::make_shared<std::string>();
    auto tsv = std::make_shared<bool>(false);
    addWorkspaceOption(*sub, *path);
    sub->add_flag("--tsv", *tsv, "Tab-separated, every column, one header line");
    sub->callback([path, tsv] { runList(*path, *tsv); });
  }
  {
    auto* sub = nodes->add_subcommand("remove", "Forget a node");
    auto path = std::make_shared<std::string>();
    auto name = std::make_shared<std::string>();
    addWorkspaceOption(*sub, *path);
    sub->add_option("NAME", *name, "The node's name")->required();
    sub->callback([path, name] {
      Workspace ws = Workspace::open(*path);
      NodeStore(ws).remove(*name);
      std::printf("Removed node %s\n", name->c_str());
    });
  }
  {
    auto* sub = nodes->add_subcommand(
        "test", "Log in to nodes over ssh and check them: CPUs, GPUs, the workspace, the "
                "understudy-cli version; records the result. Exit 1 if any fails");
    auto path = std::make_shared<std::string>();
    auto names = std::make_shared<std::vector<std::string>>();
    auto all = std::make_shared<bool>(false);
    auto timeout = std::make_shared<int>(10);
    addWorkspaceOption(*sub, *path);
    sub->add_option("NAME", *names, "Nodes to test");
    sub->add_flag("--all", *all, "Test every registered node");
    sub->add_option("--timeout", *timeout, "ssh connect timeout in seconds")
        ->capture_default_str()
        ->check(CLI::Range(1, 600));
    sub->callback([path, names, all, timeout] { runTest(*path, *names, *all, *timeout); });
  }
}

}  // namespace understudy::cli
