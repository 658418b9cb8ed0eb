#include "core/store/run_store.h"

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>

#include "core/store/workspace.h"
#include "core/util/error.h"
#include "core/util/fault_point.h"

namespace understudy {

namespace {

std::string hostName() {
  char buf[256] = {0};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "unknown";
  return buf;
}

const char* const kRunColumns =
    "r.id, r.kind, r.name, r.status, r.host, r.started_at, COALESCE(r.finished_at, ''), "
    "r.parent_run_id, r.error, (SELECT COUNT(*) FROM metrics m WHERE m.run_id = r.id), r.config_hash";

RunRow readRunRow(SQLite::Statement& q) {
  RunRow row;
  row.id = q.getColumn(0).getInt64();
  row.kind = q.getColumn(1).getString();
  row.name = q.getColumn(2).getString();
  row.status = q.getColumn(3).getString();
  row.host = q.getColumn(4).getString();
  row.startedAt = q.getColumn(5).getString();
  row.finishedAt = q.getColumn(6).getString();
  if (!q.getColumn(7).isNull()) row.parentRunId = q.getColumn(7).getInt64();
  row.error = q.getColumn(8).getString();
  row.numMetrics = q.getColumn(9).getInt64();
  row.configHash = q.getColumn(10).getString();
  return row;
}

}  // namespace

const char* runStatusName(RunStatus status) {
  switch (status) {
    case RunStatus::Queued: return "queued";
    case RunStatus::Running: return "running";
    case RunStatus::Finished: return "finished";
    case RunStatus::Failed: return "failed";
    case RunStatus::Cancelled: return "cancelled";
  }
  return "running";
}

std::int64_t RunStore::startRun(const RunSpec& spec) {
  if (spec.kind.empty()) throw US_ERROR("a run needs a kind");
  SQLite::Statement q(m_db,
                      "INSERT INTO runs (kind, name, recipe, config, config_hash, status, host, "
                      "pid, parent_run_id) VALUES (?, ?, ?, ?, ?, 'running', ?, ?, ?)");
  q.bind(1, spec.kind);
  q.bind(2, spec.name);
  q.bind(3, spec.recipe);
  q.bind(4, spec.config);
  q.bind(5, spec.configHash);
  q.bind(6, hostName());
  q.bind(7, static_cast<int>(::getpid()));
  if (spec.parentRunId)
    q.bind(8, static_cast<int64_t>(*spec.parentRunId));
  else
    q.bind(8);
  q.exec();
  return m_db.getLastInsertRowid();
}

void RunStore::finishRun(std::int64_t runId, RunStatus status, const std::string& error) {
  SQLite::Statement q(m_db,
                      "UPDATE runs SET status = ?, error = ?, finished_at = ? WHERE id = ?");
  q.bind(1, runStatusName(status));
  q.bind(2, error);
  q.bind(3, isoTimeNow());
  q.bind(4, static_cast<int64_t>(runId));
  if (q.exec() != 1) throw US_ERROR("no run with id " + std::to_string(runId));
}

void RunStore::addMetric(std::int64_t runId, const MetricPoint& point) {
  addMetrics(runId, {point});
}

void RunStore::addMetrics(std::int64_t runId, const std::vector<MetricPoint>& points) {
  SQLite::Transaction tx(m_db);
  SQLite::Statement q(m_db,
                      "INSERT INTO metrics (run_id, step, name, value, wall_time) "
                      "VALUES (?, ?, ?, ?, ?)");
  for (const auto& p : points) {
    q.bind(1, static_cast<int64_t>(runId));
    q.bind(2, static_cast<int64_t>(p.step));
    q.bind(3, p.name);
    q.bind(4, p.value);
    q.bind(5, p.wallTime);
    q.exec();
    q.reset();
  }
  US_FAULT_POINT("db.metrics_before_commit");
  tx.commit();
}

int RunStore::reapOrphanedRuns() {
  const std::string host = hostName();
  SQLite::Statement q(m_db, "SELECT id, pid FROM runs WHERE status = 'running' AND host = ?");
  q.bind(1, host);
  std::vector<std::pair<std::int64_t, int>> gone;
  while (q.executeStep()) {
    const int pid = q.getColumn(1).getInt();
    // kill(pid, 0) probes without signalling; ESRCH: no such process.
    if (pid > 0 && ::kill(pid, 0) != 0 && errno == ESRCH)
      gone.emplace_back(q.getColumn(0).getInt64(), pid);
  }
  for (const auto& [runId, pid] : gone) {
    SQLite::Statement u(m_db,
                        "UPDATE runs SET status = 'failed', error = ?, finished_at = ? "
                        "WHERE id = ? AND status = 'running'");
    u.bind(1, "the process (pid " + std::to_string(pid) + " on " + host +
                  ") ended without recording a result: killed or crashed");
    u.bind(2, isoTimeNow());
    u.bind(3, static_cast<int64_t>(runId));
    u.exec();
  }
  return static_cast<int>(gone.size());
}

int RunStore::failRunsOfProcess(int pid, const std::string& error) {
  SQLite::Statement u(m_db,
                      "UPDATE runs SET status = 'failed', error = ?, finished_at = ? "
                      "WHERE status = 'running' AND host = ? AND pid = ?");
  u.bind(1, error);
  u.bind(2, isoTimeNow());
  u.bind(3, hostName());
  u.bind(4, pid);
  return u.exec();
}

std::vector<RunRow> RunStore::listRuns(int limit) {
  SQLite::Statement q(m_db, std::string("SELECT ") + kRunColumns +
                                " FROM runs r ORDER BY r.id DESC LIMIT ?");
  q.bind(1, limit);
  std::vector<RunRow> rows;
  while (q.executeStep()) rows.push_back(readRunRow(q));
  return rows;
}

std::optional<RunRow> RunStore::run(std::int64_t runId) {
  SQLite::Statement q(m_db, std::string("SELECT ") + kRunColumns + " FROM runs r WHERE r.id = ?");
  q.bind(1, static_cast<int64_t>(runId));
  if (!q.executeStep()) return std::nullopt;
  return readRunRow(q);
}

std::vector<RunRow> RunStore::runsWithConfigHash(const std::string& kind, const std::string& configHash) {
  SQLite::Statement q(m_db, std::string("SELECT ") + kRunColumns +
                                " FROM runs r WHERE r.kind = ? AND r.config_hash = ? ORDER BY r.id DESC");
  q.bind(1, kind);
  q.bind(2, configHash);
  std::vector<RunRow> rows;
  while (q.executeStep()) rows.push_back(readRunRow(q));
  return rows;
}

std::vector<RunRow> RunStore::childRuns(std::int64_t parentRunId) {
  SQLite::Statement q(m_db, std::string("SELECT ") + kRunColumns +
                                " FROM runs r WHERE r.parent_run_id = ? ORDER BY r.id");
  q.bind(1, static_cast<int64_t>(parentRunId));
  std::vector<RunRow> rows;
  while (q.executeStep()) rows.push_back(readRunRow(q));
  return rows;
}

std::string RunStore::runConfig(std::int64_t runId) {
  SQLite::Statement q(m_db, "SELECT config FROM runs WHERE id = ?");
  q.bind(1, static_cast<int64_t>(runId));
  return q.executeStep() ? q.getColumn(0).getString() : std::string();
}

std::vector<MetricPoint> RunStore::metrics(std::int64_t runId, const std::string& name) {
  SQLite::Statement q(m_db,
                      "SELECT step, name, value, wall_time FROM metrics "
                      "WHERE run_id = ? AND name = ? ORDER BY step");
  q.bind(1, static_cast<int64_t>(runId));
  q.bind(2, name);
  std::vector<MetricPoint> points;
  while (q.executeStep()) {
    points.push_back({q.getColumn(0).getInt64(), q.getColumn(1).getString(),
                      q.getColumn(2).getDouble(), q.getColumn(3).getDouble()});
  }
  return points;
}

}  // namespace understudy
