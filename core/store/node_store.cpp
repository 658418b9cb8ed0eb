#include "core/store/node_store.h"

#include <SQLiteCpp/Statement.h>

#include "core/store/workspace.h"
#include "core/util/error.h"

namespace understudy {

namespace {

const char* const kNodeColumns =
    "id, name, host, ssh_user, ssh_port, workspace_path, binary_path, cpus, gpus, status, "
    "COALESCE(last_seen, ''), version, last_error, created_at";

NodeRow readNodeRow(SQLite::Statement& q) {
  NodeRow row;
  row.id = q.getColumn(0).getInt64();
  row.name = q.getColumn(1).getString();
  row.host = q.getColumn(2).getString();
  row.user = q.getColumn(3).getString();
  row.port = q.getColumn(4).getInt();
  row.workspacePath = q.getColumn(5).getString();
  row.binaryPath = q.getColumn(6).getString();
  row.cpus = q.getColumn(7).getInt();
  row.gpus = q.getColumn(8).getInt();
  row.status = q.getColumn(9).getString();
  row.lastSeen = q.getColumn(10).getString();
  row.version = q.getColumn(11).getString();
  row.lastError = q.getColumn(12).getString();
  row.createdAt = q.getColumn(13).getString();
  return row;
}

// The checks add and edit share: a host that ssh takes as a host, a port, GPUs.
void checkNodeSpec(const NodeSpec& spec, const std::string& where) {
  if (spec.host.empty())
    throw US_ERROR("node '" + spec.name + "' needs a host").file(where).hint(
        "give an address or an ssh config Host alias with --host");
  // A host that starts with '-' would reach ssh as an option.
  if (spec.host[0] == '-')
    throw US_ERROR("node '" + spec.name + "': host '" + spec.host + "' starts with '-'")
        .file(where)
        .hint("give a host name, an address or an ssh config Host alias");
  if (spec.port < 1 || spec.port > 65535)
    throw US_ERROR("node '" + spec.name + "': ssh port " + std::to_string(spec.port) +
                   " is outside 1..65535")
        .file(where);
  if (spec.gpus < 0)
    throw US_ERROR("node '" + spec.name + "': " + std::to_string(spec.gpus) + " GPUs")
        .file(where)
        .hint("give 0 or more with --gpus (0: what `nodes test` finds)");
}

}  // namespace

std::int64_t NodeStore::add(const NodeSpec& spec) {
  const std::string where = m_ws.root().string();
  if (spec.name.empty())
    throw US_ERROR("a node needs a name").file(where).hint("give one with --name");
  checkNodeSpec(spec, where);
  if (auto existing = find(spec.name))
    throw US_ERROR("a node named '" + spec.name + "' already exists in this workspace (host " +
                   existing->host + ")")
        .file(where)
        .hint("choose another name, or change it: understudy-cli nodes edit -w WS " + spec.name +
              " --host ... (or nodes remove it first)");
  SQLite::Statement q(m_ws.db(),
                      "INSERT INTO nodes (name, host, ssh_user, ssh_port, workspace_path, "
                      "binary_path, gpus) VALUES (?, ?, ?, ?, ?, ?, ?)");
  q.bind(1, spec.name);
  q.bind(2, spec.host);
  q.bind(3, spec.user);
  q.bind(4, spec.port);
  q.bind(5, spec.workspacePath);
  q.bind(6, spec.binaryPath);
  q.bind(7, spec.gpus);
  q.exec();
  return m_ws.db().getLastInsertRowid();
}

std::vector<NodeRow> NodeStore::list() {
  SQLite::Statement q(m_ws.db(),
                      std::string("SELECT ") + kNodeColumns + " FROM nodes ORDER BY name");
  std::vector<NodeRow> rows;
  while (q.executeStep()) rows.push_back(readNodeRow(q));
  return rows;
}

std::optional<NodeRow> NodeStore::find(const std::string& name) {
  SQLite::Statement q(m_ws.db(),
                      std::string("SELECT ") + kNodeColumns + " FROM nodes WHERE name = ?");
  q.bind(1, name);
  if (!q.executeStep()) return std::nullopt;
  return readNodeRow(q);
}

NodeRow NodeStore::get(const std::string& name) {
  if (auto row = find(name)) return *row;
  std::string names;
  for (const NodeRow& n : list()) names += (names.empty() ? "" : ", ") + n.name;
  throw US_ERROR("no node named '" + name + "' in this workspace")
      .file(m_ws.root().string())
      .hint(names.empty() ? "no nodes are registered; add one with `understudy-cli nodes add`"
                          : "nodes: " + names + " (understudy-cli nodes list)");
}

NodeRow NodeStore::edit(const std::string& name, const NodeEdit& change) {
  const std::string where = m_ws.root().string();
  const NodeRow row = get(name);
  if (change.empty())
    throw US_ERROR("nodes edit " + name + ": nothing to change")
        .file(where)
        .hint("give one or more of --host, --user, --port, --workspace-path, --binary, --gpus");
  NodeSpec next;
  next.name = row.name;
  next.host = change.host.value_or(row.host);
  next.user = change.user.value_or(row.user);
  next.port = change.port.value_or(row.port);
  next.workspacePath = change.workspacePath.value_or(row.workspacePath);
  next.binaryPath = change.binaryPath.value_or(row.binaryPath);
  next.gpus = change.gpus.value_or(row.gpus);
  checkNodeSpec(next, where);
  const bool changed = next.host != row.host || next.user != row.user || next.port != row.port ||
                       next.workspacePath != row.workspacePath ||
                       next.binaryPath != row.binaryPath || next.gpus != row.gpus;
  if (!changed) return row;
  SQLite::Statement q(m_ws.db(),
                      "UPDATE nodes SET host = ?, ssh_user = ?, ssh_port = ?, workspace_path = ?, "
                      "binary_path = ?, gpus = ?, status = 'unknown', last_error = '' "
                      "WHERE id = ?");
  q.bind(1, next.host);
  q.bind(2, next.user);
  q.bind(3, next.port);
  q.bind(4, next.workspacePath);
  q.bind(5, next.binaryPath);
  q.bind(6, next.gpus);
  q.bind(7, static_cast<int64_t>(row.id));
  q.exec();
  return get(name);
}

void NodeStore::remove(const std::string& name) {
  const NodeRow row = get(name);
  SQLite::Statement q(m_ws.db(), "DELETE FROM nodes WHERE id = ?");
  q.bind(1, static_cast<int64_t>(row.id));
  q.exec();
}

void NodeStore::recordTest(const std::string& name, const NodeTestResult& result) {
  if (result.status != "ok" && result.status != "unreachable" && result.status != "error")
    throw US_ERROR("node test status '" + result.status + "' is not ok, unreachable or error");
  const NodeRow row = get(name);
  if (result.status == "unreachable") {
    SQLite::Statement q(m_ws.db(), "UPDATE nodes SET status = ?, last_error = ? WHERE id = ?");
    q.bind(1, result.status);
    q.bind(2, result.error);
    q.bind(3, static_cast<int64_t>(row.id));
    q.exec();
    return;
  }
  SQLite::Statement q(m_ws.db(),
                      "UPDATE nodes SET status = ?, last_error = ?, version = ?, cpus = ?, "
                      "gpus = ?, last_seen = ? WHERE id = ?");
  q.bind(1, result.status);
  q.bind(2, result.error);
  q.bind(3, result.version);
  q.bind(4, result.cpus);
  q.bind(5, result.gpus);
  q.bind(6, isoTimeNow());
  q.bind(7, static_cast<int64_t>(row.id));
  q.exec();
}

}  // namespace understudy
