// A workspace: one folder holding workspace.db (SQLite, WAL) and the bulky
// stores it indexes (docs/workspace.md; docs/design.md "Process model"):
//
//   WS/workspace.db  audio/  features/  alignments/  softlabels/  models/  runs/
//
//   auto ws = Workspace::create("exp1");   // new folder + schema
//   auto ws = Workspace::open("exp1");     // migrates older schemas forward
//   ws.db().exec(...);
//
// The database is the single source of truth for what exists and happened.
#pragma once

#include <SQLiteCpp/Database.h>

#include <cstdint>
#include <exception>
#include <filesystem>
#include <map>
#include <memory>
#include <string>

namespace understudy {

struct WorkspaceInfo {
  std::filesystem::path root;
  int schemaVersion = 0;
  std::map<std::string, std::int64_t> rowCounts;  // per table
  std::uintmax_t diskBytes = 0;                     // everything under the folder
};

class Workspace {
 public:
  static constexpr const char* kDatabaseName = "workspace.db";
  static constexpr int kBusyTimeoutMs = 10000;

  // Creates `root` (and parents) with the layout and a fresh database.
  // Refuses a folder that already holds a workspace.db.
  static Workspace create(const std::filesystem::path& root);
  // Opens an existing workspace, migrating an older schema forward.
  static Workspace open(const std::filesystem::path& root);
  static bool isWorkspace(const std::filesystem::path& root);

  Workspace(Workspace&&) noexcept;
  Workspace& operator=(Workspace&&) noexcept;
  ~Workspace();

  const std::filesystem::path& root() const { return m_root; }
  std::filesystem::path databasePath() const { return m_root / kDatabaseName; }
  // "audio", "features", "alignments", "softlabels", "models", "runs"
  std::filesystem::path subdir(const std::string& name) const;
  SQLite::Database& db() { return *m_db; }
  int schemaVersion();
  WorkspaceInfo info();

  // Subfolders every workspace has.
  static const char* const kSubdirs[6];

 private:
  Workspace(std::filesystem::path root, std::unique_ptr<SQLite::Database> db);
  static std::unique_ptr<SQLite::Database> openDatabase(const std::filesystem::path& dbPath,
                                                        bool create);

  std::filesystem::path m_root;
  std::unique_ptr<SQLite::Database> m_db;
};

// ISO-8601 UTC time with milliseconds, as the schema's defaults write it.
std::string isoTimeNow();

// The SQLite library's version ("3.40.1"), for version banners.
std::string sqliteVersion();
// True for an error the database library threw (SQLite::Exception), so a host
// can say "database: ..." without including SQLite headers (SQL stays in core/store).
bool isDatabaseError(const std::exception& e);
// The one line for a database error thrown while a command used its workspace:
// the database file (the last one this process opened), what failed and, for a
// full disk (SQLITE_FULL, or an I/O error with under 1 MiB free), what to do.
// Other exceptions: their what().
std::string databaseErrorMessage(const std::exception& e);

}  // namespace understudy
