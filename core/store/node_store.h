// Nodes: the machines a distributed run may start ranks on (docs/distributed.md,
// "Nodes"). One `nodes` row each: how to reach it over ssh, where it sees the
// workspace and the understudy-cli binary, and what the last `nodes test`
// found there.
//
//   NodeStore nodes(ws);
//   nodes.add({.name = "gpu1", .host = "gpu1.lab", .user = "ana", .workspacePath = "/shared/ws"});
//   std::optional<NodeRow> n = nodes.find("gpu1");
//   nodes.recordTest("gpu1", {.status = "ok", .version = "0.4.0", .cpus = 32, .gpus = 4});
//   nodes.remove("gpu1");
//
// No password or key is stored: ssh uses the user's keys and ssh config.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace understudy {

class Workspace;

// What `nodes add` registers.
struct NodeSpec {
  std::string name;           // unique in the workspace
  std::string host;           // an address or a Host alias of the ssh config
  std::string user;           // '' = ssh's default (the ssh config, or the local user)
  int port = 22;
  std::string workspacePath;  // where the node sees this workspace; '' = the same path as here
  std::string binaryPath;     // the understudy-cli there; '' = `understudy-cli` on its PATH
  int gpus = 0;               // GPUs to use there; 0 = what `nodes test` finds
};

// What `nodes edit` changes: each field that is set replaces the node's value.
struct NodeEdit {
  std::optional<std::string> host;
  std::optional<std::string> user;
  std::optional<int> port;
  std::optional<std::string> workspacePath;
  std::optional<std::string> binaryPath;
  std::optional<int> gpus;
  bool empty() const {
    return !host && !user && !port && !workspacePath && !binaryPath && !gpus;
  }
};

// What one `nodes test` found.
struct NodeTestResult {
  std::string status;  // "ok", "unreachable" (ssh could not log in) or "error" (reached, something failed)
  std::string version; // the remote understudy-cli's --version line ('' when it did not answer)
  int cpus = 0;
  int gpus = 0;
  std::string error;   // what failed ('' when ok)
};

struct NodeRow {
  std::int64_t id = 0;
  std::string name;
  std::string host;
  std::string user;
  int port = 22;
  std::string workspacePath;
  std::string binaryPath;
  int cpus = 0;
  int gpus = 0;
  std::string status;    // "unknown" until tested, then NodeTestResult::status
  std::string lastSeen;  // ISO time ssh last reached it; '' = never
  std::string version;
  std::string lastError;
  std::string createdAt;
};

class NodeStore {
 public:
  explicit NodeStore(Workspace& ws) : m_ws(ws) {}

  // Registers a node; refuses an empty name or host, a port outside 1..65535,
  // negative GPUs, and a name that is taken. Returns the row id.
  std::int64_t add(const NodeSpec& spec);
  // All nodes, by name.
  std::vector<NodeRow> list();
  std::optional<NodeRow> find(const std::string& name);
  // Like find, but a missing node is an error listing the registered ones.
  NodeRow get(const std::string& name);
  // Changes how a node is reached (the same checks as add; an unknown name is
  // an error as in get; an edit that sets nothing is an error). The row keeps
  // its id, name, created_at and what the last contact found (last_seen,
  // version, cpus); when a value really changes, status goes back to
  // "unknown" and last_error is cleared: the last test no longer describes
  // the node. Returns the row as it is now.
  NodeRow edit(const std::string& name, const NodeEdit& change);
  // Removes a node; an unknown name is an error (as get).
  void remove(const std::string& name);
  // Stores a test's result: status, version, cpus, gpus and last_error; and
  // last_seen = now unless the node was unreachable (then version, cpus and
  // gpus keep what the last successful contact found).
  void recordTest(const std::string& name, const NodeTestResult& result);

 private:
  Workspace& m_ws;
};

}  // namespace understudy
