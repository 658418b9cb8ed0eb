// A rank started on another machine over ssh (docs/distributed.md
// "Launching ranks"): the RankProcess the launcher (core/dist/launcher.h)
// runs for it. The system ssh client, never a password prompt
// (BatchMode=yes), the user's keys and ssh config, or the file named in
// UNDERSTUDY_SSH_CONFIG (`ssh -F`):
//
//   ssh [-F CONFIG] -o BatchMode=yes -o ConnectTimeout=20 [-p PORT] [-l USER] -- HOST 'sh' '-c' '<script>'
//   <script> = cd '<node workspace>' && exec env 'MASTER_ADDR=…' … 'UNDERSTUDY_HEARTBEAT_FD=3'
//              'UNDERSTUDY_WATCH_STDIN=1' '<binary>' '<arg>' … 3>&1 1>&2
//
// Every value is quoted with shellQuote (core/util/shell_quote.h), twice
// over: once for the login shell, once for the sh it starts (whatever the
// login shell, the script runs under sh). The redirections make the
// worker's fd 3 (its heartbeat) ssh's stdout and its own stdout and stderr
// ssh's stderr, which the launcher writes to the rank's log.
//
// Torch-free.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/dist/launcher.h"

namespace understudy::dist {

// How to reach a node and where things are there (a `nodes` row).
struct RemoteNode {
  std::string name;           // the node's name ("gpu1")
  std::string host;           // an address or a Host alias of the ssh config
  std::string user;           // '' = ssh's default
  int port = 22;              // 22 = ssh's default (or the ssh config's)
  std::string workspacePath;  // where the node sees the workspace; '' = the same path
  std::string binaryPath;     // the understudy-cli there; '' = understudy-cli on its PATH
};

// The ssh client on PATH (its full path). Throws understudy::Error when
// there is none.
std::string findSsh();

// `ssh <options> -- HOST` (sshArgv, core/util/shell_quote.h): a shell
// command appended to it runs on the node.
// argv[0] is "ssh".
std::vector<std::string> sshPrefix(const RemoteNode& node);

// The script the remote sh runs for a rank (see above); `args` follow the
// binary (e.g. "--log-level", "info", "worker", "-w", …), already in the
// node's paths.
std::string remoteRankScript(const RemoteNode& node, const std::string& nodeWorkspace,
                             const std::vector<std::pair<std::string, std::string>>& env,
                             const std::vector<std::string>& args);

// `localPath` as the node sees it: a path under `localWorkspace` moved to
// `nodeWorkspace`; "" when it is not under the workspace.
std::string pathOnNode(const std::string& localPath, const std::string& localWorkspace,
                       const std::string& nodeWorkspace);

// The RankProcess for rank `rank` on `node`: ssh (`sshProgram`) running
// remoteRankScript; `env` the torchrun variables (the heartbeat's are
// added); its log (ssh's stderr, the worker's output) in `logFile`.
RankProcess remoteRank(const RemoteNode& node, const std::string& sshProgram, int rank,
                       const std::vector<std::pair<std::string, std::string>>& env,
                       const std::vector<std::string>& args, const std::string& nodeWorkspace,
                       const std::string& logFile);

}  // namespace understudy::dist
