// Checking a workspace (`understudy-cli verify`): workspace.db itself
// (SQLite's `PRAGMA integrity_check`), then its record stores.
//
// Every read of a store already checks the record it reads (RecordStore::read);
// this walks every store that workspace.db indexes — the feature sets
// (feature_sets), the frame targets (alignment_sets rows whose folder is a
// record store) and soft labels (soft_label_sets) — and checks every record,
// so a bad disk or a bad copy is found before a long job trips over it.
//
//   WorkspaceVerifyResult r = verifyWorkspace(ws, "synth-labeled", &progress);
//   for (const StoreVerifyResult& s : r.stores) ... s.records, s.bytes, s.bad
//   if (!r.ok()) ...
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/store/record_store.h"

namespace understudy {

class ProgressSink;
class Workspace;

// A store as workspace.db lists it.
struct StoreLocation {
  std::string kind;             // "features", "targets", "softlabels"
  std::string dataset;          // the dataset it belongs to
  std::string name;             // the table row's name (feature set, alignment set, ...)
  std::filesystem::path path;   // as the table has it: relative to the workspace root
};

struct StoreVerifyResult {
  StoreLocation store;
  std::uint64_t records = 0;  // records checked
  std::uint64_t bytes = 0;    // payload bytes checked
  std::uint32_t shards = 0;
  std::vector<RecordProblem> bad;
  // Set when the store could not be opened at all (folder missing, index
  // corrupt): nothing of it was checked. The one-line error message.
  std::string error;

  bool ok() const { return error.empty() && bad.empty(); }
};

struct WorkspaceVerifyResult {
  std::vector<StoreVerifyResult> stores;
  double seconds = 0.0;

  std::uint64_t records() const;
  std::uint64_t bytes() const;
  std::size_t badRecords() const;
  std::size_t badStores() const;  // stores with a bad record or an error
  bool ok() const { return badStores() == 0; }
};

// workspace.db's own check: SQLite's `PRAGMA integrity_check`, which reads
// every page and checks every b-tree, index entry and constraint. Returns at
// most `maxProblems` of its lines; empty = ok. A database too damaged for the
// check to run gives that error as its one problem.
std::vector<std::string> checkDatabaseIntegrity(Workspace& ws, int maxProblems = 20);

// The record stores workspace.db indexes, of every dataset or of `dataset`
// only (throws understudy::Error listing the datasets if there is no such
// dataset). Alignment rows whose folder is not a record store (the synthetic
// corpus's text alignments) are not stores and are left out.
std::vector<StoreLocation> listWorkspaceStores(Workspace& ws, const std::string& dataset = {});

// Checks every record of every store listed above. Progress in records
// ("verify", unit "rec", detail MB/s); cancellation through the sink throws
// understudy::Error("verify cancelled"). Bad records and unreadable stores are
// reported in the result, not thrown.
WorkspaceVerifyResult verifyWorkspace(Workspace& ws, const std::string& dataset = {},
                                      ProgressSink* progress = nullptr);

}  // namespace understudy
