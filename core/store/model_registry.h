// The models table of workspace.db: one row per trained model (docs/models.md
// "Model bundle"). The files live in WS/models/<name>/; the row says what the
// model is (role, architecture YAML, parameter count), which unit inventory
// its outputs index and which run made it. ModelBundle (core/train) writes and
// reads the row through these functions; nothing else writes models SQL.
//
//   ModelRow row;  row.name = "teacher"; row.role = "teacher"; row.path = "models/teacher/model.pt";
//   std::int64_t id = registerModel(ws.db(), row);   // insert, or update the row of that name
//   std::optional<ModelRow> m = findModel(ws.db(), "teacher");
//   for (const ModelRow& r : listModels(ws.db())) ...  // newest first
#pragma once

#include <SQLiteCpp/Database.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace understudy {

struct ModelRow {
  std::int64_t id = 0;
  std::string name;
  std::string role;          // "teacher", "student", "baseline"
  std::string architecture;  // YAML of the model options
  std::int64_t numParams = 0;
  std::int64_t unitInventoryId = 0;  // 0: none recorded (NULL)
  std::int64_t runId = 0;            // 0: none recorded (NULL)
  std::string path;                  // weights file, relative to the workspace root
  std::string createdAt;             // ISO-8601 UTC; set by the database
};

// Inserts the row, or replaces every field of the row with the same name (a
// retrained model keeps its id). `id` and `createdAt` of `row` are ignored;
// created_at becomes now. Returns the row's id.
std::int64_t registerModel(SQLite::Database& db, const ModelRow& row);
std::optional<ModelRow> findModel(SQLite::Database& db, const std::string& name);
std::optional<ModelRow> findModel(SQLite::Database& db, std::int64_t id);
// Every model, newest first.
std::vector<ModelRow> listModels(SQLite::Database& db);

}  // namespace understudy
