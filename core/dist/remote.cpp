#include "core/dist/remote.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "core/dist/heartbeat.h"
#include "core/util/error.h"
#include "core/util/shell_quote.h"

namespace understudy::dist {

namespace fs = std::filesystem;

std::string findSsh() {
  const char* path = std::getenv("PATH");
  std::string dirs = path && *path ? path : "/usr/local/bin:/usr/bin:/bin";
  for (std::size_t b = 0; b <= dirs.size();) {
    std::size_t e = dirs.find(':', b);
    if (e == std::string::npos) e = dirs.size();
    const std::string dir = e > b ? dirs.substr(b, e - b) : ".";
    const std::string candidate = dir + "/ssh";
    if (::access(candidate.c_str(), X_OK) == 0 && !fs::is_directory(candidate)) return candidate;
    b = e + 1;
  }
  throw US_ERROR("no ssh client on PATH: ranks on other nodes are started with ssh")
      .hint("install the OpenSSH client (Debian: apt-get install openssh-client)");
}

std::vector<std::string> sshPrefix(const RemoteNode& node) {
  return sshArgv({node.host, node.user, node.port}, 20);
}

std::string remoteRankScript(const RemoteNode& node, const std::string& nodeWorkspace,
                             const std::vector<std::pair<std::string, std::string>>& env,
                             const std::vector<std::string>& args) {
  std::vector<std::string> words = {"env"};
  for (const auto& [name, value] : env) words.push_back(name + "=" + value);
  words.push_back(fmt::format("{}={}", kHeartbeatFdVariable, kRankHeartbeatFd));
  words.push_back(std::string(kWatchStdinVariable) + "=1");
  words.push_back(node.binaryPath.empty() ? "understudy-cli" : node.binaryPath);
  words.insert(words.end(), args.begin(), args.end());
  // The redirections are shell syntax: the one unquoted part.
  return "cd " + shellQuote(nodeWorkspace) + " && exec " + shellCommand(words) + " 3>&1 1>&2";
}

std::string pathOnNode(const std::string& localPath, const std::string& localWorkspace,
                       const std::string& nodeWorkspace) {
  std::error_code ec;
  const fs::path path = fs::weakly_canonical(fs::absolute(localPath), ec);
  const fs::path root = fs::weakly_canonical(fs::absolute(localWorkspace), ec);
  const fs::path relative = path.lexically_relative(root);
  if (relative.empty() || *relative.begin() == "..") return {};
  return relative == "." ? nodeWorkspace : (fs::path(nodeWorkspace) / relative).string();
}

RankProcess remoteRank(const RemoteNode& node, const std::string& sshProgram, int rank,
                       const std::vector<std::pair<std::string, std::string>>& env,
                       const std::vector<std::string>& args, const std::string& nodeWorkspace,
                       const std::string& logFile) {
  RankProcess p;
  p.rank = rank;
  p.program = sshProgram;
  p.argv = sshPrefix(node);
  // The login shell gets one word: sh -c '<script>' (quoted once more).
  p.argv.push_back(shellCommand({"sh", "-c", remoteRankScript(node, nodeWorkspace, env, args)}));
  p.logFile = logFile;
  p.remote = RankProcess::Remote{node.name, node.host, sshPrefix(node)};
  return p;
}

}  // namespace understudy::dist
