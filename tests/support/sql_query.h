// Reading workspace.db from a test while a CLI process may be writing it.
#pragma once

#include <QString>
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <string>

namespace understudy::test {

// The first column of the first row as text; "" for no row or NULL. Waits up
// to 10 s for a writer (a labeler or trainer committing) to let go.
inline std::string queryText(const QString& db, const std::string& sql) {
  SQLite::Database d(db.toStdString(), SQLite::OPEN_READONLY);
  d.setBusyTimeout(10000);
  SQLite::Statement q(d, sql);
  return q.executeStep() && !q.getColumn(0).isNull() ? q.getColumn(0).getString() : std::string();
}

// The same as a number; `whenNone` for no row or NULL.
inline double queryScalar(const QString& db, const std::string& sql, double whenNone) {
  const std::string s = queryText(db, sql);
  return s.empty() ? whenNone : std::stod(s);
}

}  // namespace understudy::test
