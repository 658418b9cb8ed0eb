// verify: check workspace.db (PRAGMA integrity_check), then every record of every store it
// indexes (core/store/store_verify.h).
#include <cstdio>
#include <memory>
#include <string>

#include "app/cli/commands.h"
#include "app/cli/console_progress.h"
#include "app/cli/event_stream.h"
#include "app/cli/recorded_run.h"
#include "core/store/run_store.h"
#include "core/store/store_verify.h"
#include "core/store/workspace.h"
#include "core/util/error.h"
#include "core/util/events.h"

namespace understudy::cli {

namespace {

constexpr std::size_t kShowAtMost = 20;  // bad records listed per store
constexpr int kDatabaseProblemsShown = 20;  // integrity_check lines listed

struct VerifyArgs {
  std::string workspace, dataset;
};

std::string humanBytes(std::uint64_t bytes) {
  const double v = static_cast<double>(bytes);
  char buf[32];
  if (v >= 1e9)
    std::snprintf(buf, sizeof buf, "%.2f GB", v / 1e9);
  else if (v >= 1e6)
    std::snprintf(buf, sizeof buf, "%.1f MB", v / 1e6);
  else
    std::snprintf(buf, sizeof buf, "%.1f kB", v / 1e3);
  return buf;
}

std::string shardName(std::uint32_t shard) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "shard-%05u.bin", shard);
  return buf;
}

void printSummary(std::FILE* out, const Workspace& ws, const WorkspaceVerifyResult& r) {
  if (r.stores.empty()) {
    std::fprintf(out, "No stores to verify in %s.\n", ws.root().c_str());
    return;
  }
  std::fprintf(out, "%-10s %-20s %-44s %9s %10s %6s  %s\n", "kind", "dataset", "store", "records",
               "bytes", "shards", "result");
  for (const StoreVerifyResult& s : r.stores) {
    std::string result = "ok";
    if (!s.error.empty())
      result = "UNREADABLE";
    else if (!s.bad.empty())
      result = std::to_string(s.bad.size()) + " BAD";
    std::fprintf(out, "%-10s %-20s %-44s %9llu %10s %6u  %s\n", s.store.kind.c_str(),
                 s.store.dataset.c_str(), s.store.path.generic_string().c_str(),
                 static_cast<unsigned long long>(s.records), humanBytes(s.bytes).c_str(), s.shards,
                 result.c_str());
    if (!s.error.empty()) std::fprintf(out, "    %s\n", s.error.c_str());
    std::size_t shown = 0;
    for (const RecordProblem& p : s.bad) {
      if (shown++ == kShowAtMost) {
        std::fprintf(out, "    ... and %zu more\n", s.bad.size() - kShowAtMost);
        break;
      }
      std::fprintf(out, "    bad: utterance '%s' in %s at byte offset %llu (%llu bytes): %s\n",
                   p.key.c_str(), shardName(p.shard).c_str(), static_cast<unsigned long long>(p.offset),
                   static_cast<unsigned long long>(p.bytes), p.reason.c_str());
    }
  }
  std::fprintf(out, "Verified %zu store(s): %llu records, %s in %.1f s (%.0f MB/s); %zu bad record(s)%s.\n",
               r.stores.size(), static_cast<unsigned long long>(r.records()),
               humanBytes(r.bytes()).c_str(), r.seconds,
               r.seconds > 0 ? static_cast<double>(r.bytes()) / r.seconds / 1e6 : 0.0,
               r.badRecords(),
               r.badStores() > 0 ? (", " + std::to_string(r.badStores()) + " store(s) not ok").c_str()
                                 : "");
}

// The one-line error for a workspace with bad stores: the first problem, and what to do.
Error failure(const VerifyArgs& a, const Workspace& ws, const WorkspaceVerifyResult& r) {
  const StoreVerifyResult* first = nullptr;
  for (const auto& s : r.stores)
    if (!s.ok()) {
      first = &s;
      break;
    }
  const std::string count = std::to_string(r.badRecords()) + " bad record(s), " +
                            std::to_string(r.badStores()) + " of " +
                            std::to_string(r.stores.size()) + " store(s) not ok";
  const std::string store = first->store.kind + " store " + first->store.path.generic_string();
  if (!first->error.empty()) return US_ERROR(store + ": " + first->error + " (" + count + ")");
  const RecordProblem& p = first->bad.front();
  std::string rerun = "rebuild the store";
  if (first->store.kind == "features")
    rerun = "delete " + (ws.root() / first->store.path).string() +
            " and re-run `understudy-cli features -w " + a.workspace + " --dataset " +
            first->store.dataset + "`";
  else if (first->store.kind == "targets")
    rerun = "re-run `understudy-cli targets -w " + a.workspace + " --dataset " +
            first->store.dataset + "`";
  return US_ERROR(p.reason + " at byte offset " + std::to_string(p.offset) + " of " + store +
                  " (" + count + ")")
      .file((ws.root() / first->store.path / shardName(p.shard)).string())
      .utterance(p.key)
      .hint(rerun + ", then verify again");
}

// A damaged database is reported before anything is written into it (no run
// is recorded) and before its store list is trusted.
void checkDatabase(std::FILE* out, Workspace& ws) {
  const std::vector<std::string> problems = checkDatabaseIntegrity(ws, kDatabaseProblemsShown);
  if (problems.empty()) {
    std::fprintf(out, "%s: integrity_check ok\n", Workspace::kDatabaseName);
    return;
  }
  std::fprintf(out, "%s: integrity_check found %zu problem(s)%s:\n", Workspace::kDatabaseName,
               problems.size(),
               problems.size() >= static_cast<std::size_t>(kDatabaseProblemsShown) ? " (the first ones)"
                                                                                    : "");
  for (const std::string& p : problems) std::fprintf(out, "    %s\n", p.c_str());
  std::fflush(out);
  throw US_ERROR("workspace.db fails SQLite's integrity check: " + problems.front() + " (" +
                 std::to_string(problems.size()) + " problem(s); stores not checked)")
      .file(ws.databasePath().string())
      .hint("stop every process using this workspace and restore workspace.db from a backup "
            "(or try `sqlite3 workspace.db .recover`), then verify again");
}

void runVerify(const VerifyArgs& a, const GlobalOptions& global) {
  Workspace ws = Workspace::open(a.workspace);
  // Human text: stdout, which `--events -` sends to stderr (event_stream.h).
  std::FILE* out = stdout;
  checkDatabase(out, ws);
  listWorkspaceStores(ws, a.dataset);  // an unknown dataset is refused before a run is recorded
  RunSpec spec;
  spec.kind = "verify";
  spec.name = a.dataset.empty() ? "workspace" : a.dataset;
  spec.config = "dataset: " + a.dataset + "\n";
  recordedRun(ws, global, spec, [&](EventStream* events) {
    CommandProgress progress(global.quiet, events);
    const WorkspaceVerifyResult r = verifyWorkspace(ws, a.dataset, &progress);
    printSummary(out, ws, r);
    std::fflush(out);
    if (events) {
      for (const StoreVerifyResult& s : r.stores) {
        events->writer().metric("verify/bad_records", 0, static_cast<double>(s.bad.size()),
                                {{"path", s.store.path.generic_string()},
                                 {"kind", s.store.kind},
                                 {"dataset", s.store.dataset},
                                 {"records", s.records},
                                 {"bytes", s.bytes},
                                 {"error", s.error}});
      }
    }
    if (!r.ok()) throw failure(a, ws, r);
    const double now = nowSeconds();
    return std::vector<MetricPoint>{
        {0, "verify/stores", static_cast<double>(r.stores.size()), now},
        {0, "verify/records", static_cast<double>(r.records()), now},
        {0, "verify/bytes", static_cast<double>(r.bytes()), now},
        {0, "verify/bad_records", 0.0, now}};
  });
}

}  // namespace

void addVerifyCommands(CLI::App& app, GlobalOptions& global) {
  auto* sub = app.add_subcommand(
      "verify",
      "Check workspace.db (SQLite integrity_check) and every record of every store in a workspace "
      "against its checksum (exit 1 if anything is bad)");
  auto a = std::make_shared<VerifyArgs>();
  addWorkspaceOption(*sub, a->workspace);
  sub->add_option("--dataset", a->dataset, "Only the stores of this dataset");
  sub->callback([a, &global] { runVerify(*a, global); });
}

}  // namespace understudy::cli
