#include "core/store/store_verify.h"

#include <SQLiteCpp/Exception.h>
#include <SQLiteCpp/Statement.h>
#include <fmt/format.h>

#include <chrono>
#include <memory>
#include <optional>

#include "core/store/catalog.h"
#include "core/store/workspace.h"
#include "core/util/error.h"
#include "core/util/progress.h"

namespace understudy {

namespace fs = std::filesystem;

std::uint64_t WorkspaceVerifyResult::records() const {
  std::uint64_t n = 0;
  for (const auto& s : stores) n += s.records;
  return n;
}

std::uint64_t WorkspaceVerifyResult::bytes() const {
  std::uint64_t n = 0;
  for (const auto& s : stores) n += s.bytes;
  return n;
}

std::size_t WorkspaceVerifyResult::badRecords() const {
  std::size_t n = 0;
  for (const auto& s : stores) n += s.bad.size();
  return n;
}

std::size_t WorkspaceVerifyResult::badStores() const {
  std::size_t n = 0;
  for (const auto& s : stores) n += s.ok() ? 0 : 1;
  return n;
}

namespace {

fs::path absolute(const Workspace& ws, const fs::path& p) {
  return p.is_absolute() ? p : ws.root() / p;
}

}  // namespace

std::vector<std::string> checkDatabaseIntegrity(Workspace& ws, int maxProblems) {
  std::vector<std::string> problems;
  try {
    SQLite::Statement q(ws.db(), "PRAGMA integrity_check(" + std::to_string(maxProblems) + ")");
    while (q.executeStep()) {
      const std::string line = q.getColumn(0).getString();
      if (line != "ok") problems.push_back(line);
    }
  } catch (const SQLite::Exception& e) {
    problems.push_back(e.what());
  }
  return problems;
}

std::vector<StoreLocation> listWorkspaceStores(Workspace& ws, const std::string& dataset) {
  if (!dataset.empty()) Catalog(ws).dataset(dataset);  // throws, listing the datasets
  std::vector<StoreLocation> out;
  // kind, table, the row's name column. Rows in creation order within a table.
  struct Table {
    const char* kind;
    const char* sql;
  };
  const Table tables[] = {
      {"features",
       "SELECT d.name, t.name, t.path FROM feature_sets t JOIN datasets d ON d.id = t.dataset_id "
       "WHERE ? = '' OR d.name = ? ORDER BY d.name, t.id"},
      {"targets",
       "SELECT d.name, t.name, t.path FROM alignment_sets t JOIN datasets d ON d.id = t.dataset_id "
       "WHERE ? = '' OR d.name = ? ORDER BY d.name, t.id"},
      {"softlabels",
       "SELECT d.name, CAST(t.id AS TEXT), t.path FROM soft_label_sets t "
       "JOIN datasets d ON d.id = t.dataset_id WHERE ? = '' OR d.name = ? ORDER BY d.name, t.id"},
  };
  for (const Table& table : tables) {
    SQLite::Statement q(ws.db(), table.sql);
    q.bind(1, dataset);
    q.bind(2, dataset);
    while (q.executeStep()) {
      StoreLocation s;
      s.kind = table.kind;
      s.dataset = q.getColumn(0).getString();
      s.name = q.getColumn(1).getString();
      s.path = q.getColumn(2).getString();
      const fs::path dir = absolute(ws, s.path);
      // Alignment rows also describe text alignments (ali.txt + phones.txt):
      // only a folder holding a record store is checked, or the row that
      // `understudy-cli targets` writes (name "targets"), whose missing
      // folder is reported (training would miss it too).
      if (std::string(table.kind) == "targets" && !RecordStore::exists(dir) &&
          s.name != Catalog::kTargetsAlignmentSet)
        continue;
      out.push_back(std::move(s));
    }
  }
  return out;
}

WorkspaceVerifyResult verifyWorkspace(Workspace& ws, const std::string& dataset,
                                      ProgressSink* progress) {
  const auto start = std::chrono::steady_clock::now();
  WorkspaceVerifyResult result;
  const std::vector<StoreLocation> locations = listWorkspaceStores(ws, dataset);

  // Open every store first: the record counts give progress a total.
  std::vector<std::optional<RecordStore>> stores;
  std::int64_t total = 0;
  for (const StoreLocation& loc : locations) {
    StoreVerifyResult r;
    r.store = loc;
    std::optional<RecordStore> store;
    const fs::path dir = absolute(ws, loc.path);
    try {
      if (!RecordStore::exists(dir)) {
        throw US_ERROR("store folder missing or without an index (workspace.db lists it)")
            .file(dir.string())
            .hint(loc.kind == "softlabels"
                      ? std::string("re-run the labeling that made it")
                      : "re-run `understudy-cli " + loc.kind + " -w WS --dataset " + loc.dataset +
                            "`");
      }
      store.emplace(RecordStore::open(dir));
      r.shards = store->shardCount();
      total += static_cast<std::int64_t>(store->size());
    } catch (const Error& e) {
      r.error = e.message();
      store.reset();
    }
    result.stores.push_back(std::move(r));
    stores.push_back(std::move(store));
  }

  ProgressTracker tracker(progress, "verify", total, "rec");
  std::uint64_t bytesDone = 0;
  std::int64_t recordsDone = 0;
  for (std::size_t i = 0; i < stores.size(); ++i) {
    if (!stores[i]) continue;
    StoreVerifyResult& r = result.stores[i];
    const std::size_t elem = elementSize(stores[i]->elementType());
    r.bad = stores[i]->verifyAll([&](const RecordInfo& info) {
      const std::uint64_t bytes = static_cast<std::uint64_t>(info.rows) * info.cols * elem;
      ++r.records;
      r.bytes += bytes;
      bytesDone += bytes;
      // The detail string only now and then: formatting it per record would cost more than XXH3.
      if (++recordsDone % 64 == 0) {
        const double secs =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        tracker.advance(1, fmt::format("{:.0f} MB/s, store {}/{} {}",
                                       secs > 0 ? bytesDone / secs / 1e6 : 0.0, i + 1,
                                       stores.size(), r.store.path.generic_string()));
        tracker.throwIfCancelled();
      } else {
        tracker.advance(1);
      }
    });
    stores[i].reset();  // unmap its shards before the next store
  }
  result.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  tracker.finish(fmt::format("{} store(s), {:.1f} MB, {} bad record(s)", result.stores.size(),
                             result.bytes() / 1e6, result.badRecords()));
  return result;
}

}  // namespace understudy
