// workspace.db schema and forward migrations (docs/workspace.md).
//
// The schema version lives in `PRAGMA user_version`. `migrate()` brings an
// older database forward one version at a time, each step in one
// transaction; a database newer than kSchemaVersion is refused.
#pragma once

#include <SQLiteCpp/Database.h>

#include <string>
#include <vector>

namespace understudy::store {

inline constexpr int kSchemaVersion = 5;

// The SQL that takes version i to i+1, for i = 0 .. kSchemaVersion-1.
const std::vector<std::string>& migrations();

int schemaVersion(SQLite::Database& db);
// Applies the missing migrations; throws understudy::Error for a newer database.
void migrate(SQLite::Database& db, const std::string& dbPath);

// Tables of the current schema, in creation order (used by `info`, tests and the GUI).
const std::vector<std::string>& tableNames();

}  // namespace understudy::store
