// init, info, runs.
#include <cstdio>
#include <string>

#include "app/cli/commands.h"
#include "core/store/run_store.h"
#include "core/store/workspace.h"

namespace understudy::cli {

namespace {

std::string humanBytes(std::uintmax_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024.0 && u < 4) {
    v /= 1024.0;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
  return buf;
}

void runInit(const std::string& path) {
  Workspace ws = Workspace::create(path);
  std::printf("Created workspace %s (schema version %d)\n", ws.root().c_str(),
              ws.schemaVersion());
}

void runInfo(const std::string& path) {
  Workspace ws = Workspace::open(path);
  WorkspaceInfo info = ws.info();
  std::printf("workspace       %s\n", info.root.c_str());
  std::printf("schema version  %d\n", info.schemaVersion);
  std::printf("disk use        %s\n", humanBytes(info.diskBytes).c_str());
  std::printf("\n%-20s %10s\n", "table", "rows");
  for (const auto& [table, count] : info.rowCounts)
    std::printf("%-20s %10lld\n", table.c_str(), static_cast<long long>(count));
}

void runRuns(const std::string& path, int limit) {
  Workspace ws = Workspace::open(path);
  RunStore store(ws.db());
  store.reapOrphanedRuns();
  auto rows = store.listRuns(limit);
  if (rows.empty()) {
    std::printf("No runs yet in %s.\n", ws.root().c_str());
    return;
  }
  std::printf("%6s  %-10s  %-24s  %-9s  %-24s  %-24s  %8s  %s\n", "id", "kind", "name", "status",
              "started", "finished", "metrics", "parent");
  for (const auto& r : rows) {
    std::string parent = r.parentRunId ? std::to_string(*r.parentRunId) : "-";
    std::printf("%6lld  %-10s  %-24s  %-9s  %-24s  %-24s  %8lld  %s\n",
                static_cast<long long>(r.id), r.kind.c_str(), r.name.c_str(), r.status.c_str(),
                r.startedAt.c_str(), r.finishedAt.empty() ? "-" : r.finishedAt.c_str(),
                static_cast<long long>(r.numMetrics), parent.c_str());
    if (!r.error.empty()) std::printf("        error: %s\n", r.error.c_str());
  }
}

}  // namespace

CLI::Option* addWorkspaceOption(CLI::App& sub, std::string& target) {
  return sub.add_option("-w,--workspace", target, "Workspace folder")->required();
}

void addWorkspaceCommands(CLI::App& app, GlobalOptions&) {
  {
    auto* sub = app.add_subcommand("init", "Create a workspace folder with an empty database");
    auto path = std::make_shared<std::string>();
    sub->add_option("WS", *path, "Folder to create (parents are created too)")->required();
    sub->callback([path] { runInit(*path); });
  }
  {
    auto* sub = app.add_subcommand("info", "Show a workspace: schema version, rows per table, disk use");
    auto path = std::make_shared<std::string>();
    addWorkspaceOption(*sub, *path);
    sub->callback([path] { runInfo(*path); });
  }
  {
    auto* sub = app.add_subcommand("runs", "List the runs recorded in a workspace, newest first");
    auto path = std::make_shared<std::string>();
    auto limit = std::make_shared<int>(1000);
    addWorkspaceOption(*sub, *path);
    sub->add_option("--limit", *limit, "Show at most this many runs")->capture_default_str()
        ->check(CLI::PositiveNumber);
    sub->callback([path, limit] { runRuns(*path, *limit); });
  }
}

}  // namespace understudy::cli
