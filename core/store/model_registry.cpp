#include "core/store/model_registry.h"

#include <SQLiteCpp/Statement.h>

namespace understudy {

namespace {

constexpr const char* kColumns =
    "id, name, role, architecture, num_params, COALESCE(unit_inventory_id, 0), "
    "COALESCE(run_id, 0), path, created_at";

ModelRow readRow(SQLite::Statement& q) {
  ModelRow r;
  r.id = q.getColumn(0).getInt64();
  r.name = q.getColumn(1).getString();
  r.role = q.getColumn(2).getString();
  r.architecture = q.getColumn(3).getString();
  r.numParams = q.getColumn(4).getInt64();
  r.unitInventoryId = q.getColumn(5).getInt64();
  r.runId = q.getColumn(6).getInt64();
  r.path = q.getColumn(7).getString();
  r.createdAt = q.getColumn(8).getString();
  return r;
}

}  // namespace

std::int64_t registerModel(SQLite::Database& db, const ModelRow& row) {
  SQLite::Statement q(db,
                      "INSERT INTO models (name, role, architecture, num_params, unit_inventory_id, "
                      "run_id, path) VALUES (?, ?, ?, ?, ?, ?, ?) "
                      "ON CONFLICT(name) DO UPDATE SET role = excluded.role, "
                      "architecture = excluded.architecture, num_params = excluded.num_params, "
                      "unit_inventory_id = excluded.unit_inventory_id, run_id = excluded.run_id, "
                      "path = excluded.path, created_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')");
  q.bind(1, row.name);
  q.bind(2, row.role);
  q.bind(3, row.architecture);
  q.bind(4, static_cast<int64_t>(row.numParams));
  if (row.unitInventoryId > 0) q.bind(5, static_cast<int64_t>(row.unitInventoryId));
  else q.bind(5);
  if (row.runId > 0) q.bind(6, static_cast<int64_t>(row.runId));
  else q.bind(6);
  q.bind(7, row.path);
  q.exec();
  SQLite::Statement id(db, "SELECT id FROM models WHERE name = ?");
  id.bind(1, row.name);
  id.executeStep();
  return id.getColumn(0).getInt64();
}

std::optional<ModelRow> findModel(SQLite::Database& db, const std::string& name) {
  SQLite::Statement q(db, std::string("SELECT ") + kColumns + " FROM models WHERE name = ?");
  q.bind(1, name);
  if (!q.executeStep()) return std::nullopt;
  return readRow(q);
}

std::optional<ModelRow> findModel(SQLite::Database& db, std::int64_t id) {
  SQLite::Statement q(db, std::string("SELECT ") + kColumns + " FROM models WHERE id = ?");
  q.bind(1, static_cast<int64_t>(id));
  if (!q.executeStep()) return std::nullopt;
  return readRow(q);
}

std::vector<ModelRow> listModels(SQLite::Database& db) {
  SQLite::Statement q(db, std::string("SELECT ") + kColumns + " FROM models ORDER BY id DESC");
  std::vector<ModelRow> out;
  while (q.executeStep()) out.push_back(readRow(q));
  return out;
}

}  // namespace understudy
