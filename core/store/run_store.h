// Recording runs and their metrics in workspace.db.
//
//   RunStore runs(ws.db());
//   auto id = runs.startRun({.kind = "train", .name = "teacher", .config = yaml});
//   runs.addMetrics(id, {{step, "train/loss", 2.3, nowSeconds()}, ...});
//   runs.finishRun(id, RunStatus::Finished);
//
// The coordinator process is the only writer for a run; readers (GUI, `runs`)
// poll the metrics table, which is indexed for (run, name, step).
#pragma once

#include <SQLiteCpp/Database.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace understudy {

enum class RunStatus { Queued, Running, Finished, Failed, Cancelled };
const char* runStatusName(RunStatus status);

struct RunSpec {
  std::string kind;
  std::string name;
  std::string recipe;
  std::string config;
  std::string configHash;
  std::optional<std::int64_t> parentRunId;
};

struct RunRow {
  std::int64_t id = 0;
  std::string kind;
  std::string name;
  std::string status;
  std::string host;
  std::string startedAt;
  std::string finishedAt;
  std::optional<std::int64_t> parentRunId;
  std::string error;
  std::int64_t numMetrics = 0;
  std::string configHash;  // a recipe step's key, or the hash of its config
};

struct MetricPoint {
  std::int64_t step = 0;
  std::string name;
  double value = 0.0;
  double wallTime = 0.0;
};

class RunStore {
 public:
  explicit RunStore(SQLite::Database& db) : m_db(db) {}

  std::int64_t startRun(const RunSpec& spec);
  void finishRun(std::int64_t runId, RunStatus status, const std::string& error = {});
  void addMetric(std::int64_t runId, const MetricPoint& point);
  // All points in one transaction.
  void addMetrics(std::int64_t runId, const std::vector<MetricPoint>& points);
  // Marks `running` rows of this host whose process is gone (killed, crashed,
  // power loss) as failed, saying so. Rows of other hosts are left alone:
  // their coordinator may still be alive. Returns how many were marked.
  int reapOrphanedRuns();
  // Marks the `running` rows that process `pid` of this host recorded as
  // failed with `error`: a launcher's word on a rank 0 that was killed or
  // stalled before it could record its end. Returns how many were marked.
  int failRunsOfProcess(int pid, const std::string& error);
  std::vector<RunRow> listRuns(int limit = 1000);
  std::optional<RunRow> run(std::int64_t runId);
  std::vector<MetricPoint> metrics(std::int64_t runId, const std::string& name);
  // Runs of `kind` recorded with this config hash (a recipe step's key), newest first.
  std::vector<RunRow> runsWithConfigHash(const std::string& kind, const std::string& configHash);
  // The runs whose parent is `parentRunId` (a recipe's steps), oldest first.
  std::vector<RunRow> childRuns(std::int64_t parentRunId);
  // The config text a run was recorded with ("" when there is no such run).
  std::string runConfig(std::int64_t runId);

 private:
  SQLite::Database& m_db;
};

}  // namespace understudy
