#include "core/store/catalog.h"

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include "core/store/unit_inventory.h"
#include "core/store/workspace.h"
#include "core/util/error.h"
#include "core/util/fault_point.h"

namespace understudy {

namespace fs = std::filesystem;

namespace {

const char* const kDatasetColumns =
    "d.id, d.name, d.kind, d.source, d.source_path, d.condition, d.num_utterances, "
    "d.num_skipped, d.total_seconds, d.metadata, d.created_at";

DatasetRow readDataset(SQLite::Statement& q) {
  DatasetRow r;
  r.id = q.getColumn(0).getInt64();
  r.name = q.getColumn(1).getString();
  r.kind = q.getColumn(2).getString();
  r.source = q.getColumn(3).getString();
  r.sourcePath = q.getColumn(4).getString();
  r.condition = q.getColumn(5).getString();
  r.numUtterances = q.getColumn(6).getInt64();
  r.numSkipped = q.getColumn(7).getInt64();
  r.totalSeconds = q.getColumn(8).getDouble();
  r.metadata = q.getColumn(9).getString();
  r.createdAt = q.getColumn(10).getString();
  return r;
}

const char* const kUtteranceColumns =
    "id, dataset_id, key, audio_path, offset_s, duration_s, sample_rate, speaker, text, status, "
    "reason, metadata";

UtteranceRow readUtterance(SQLite::Statement& q) {
  UtteranceRow r;
  r.id = q.getColumn(0).getInt64();
  r.datasetId = q.getColumn(1).getInt64();
  r.key = q.getColumn(2).getString();
  r.audioPath = q.getColumn(3).getString();
  r.offset = q.getColumn(4).getDouble();
  r.duration = q.getColumn(5).getDouble();
  r.sampleRate = q.getColumn(6).getInt();
  r.speaker = q.getColumn(7).getString();
  if (!q.getColumn(8).isNull()) r.text = q.getColumn(8).getString();
  r.status = q.getColumn(9).getString();
  r.reason = q.getColumn(10).getString();
  r.metadata = q.getColumn(11).getString();
  return r;
}

const char* const kFeatureSetColumns =
    "id, dataset_id, name, config, config_hash, path, dims, num_utterances, num_frames, status, "
    "created_at";

FeatureSetRow readFeatureSet(SQLite::Statement& q) {
  FeatureSetRow r;
  r.id = q.getColumn(0).getInt64();
  r.datasetId = q.getColumn(1).getInt64();
  r.name = q.getColumn(2).getString();
  r.config = q.getColumn(3).getString();
  r.configHash = q.getColumn(4).getString();
  r.path = q.getColumn(5).getString();
  r.dims = q.getColumn(6).getInt();
  r.numUtterances = q.getColumn(7).getInt64();
  r.numFrames = q.getColumn(8).getInt64();
  r.status = q.getColumn(9).getString();
  r.createdAt = q.getColumn(10).getString();
  return r;
}

const char* const kAlignmentSetColumns =
    "id, dataset_id, COALESCE(unit_inventory_id, 0), name, source, path, frame_shift_ms, "
    "num_utterances, num_rejected, created_at";

AlignmentSetRow readAlignmentSet(SQLite::Statement& q) {
  AlignmentSetRow r;
  r.id = q.getColumn(0).getInt64();
  r.datasetId = q.getColumn(1).getInt64();
  r.unitInventoryId = q.getColumn(2).getInt64();
  r.name = q.getColumn(3).getString();
  r.source = q.getColumn(4).getString();
  r.path = q.getColumn(5).getString();
  r.frameShiftMs = q.getColumn(6).getDouble();
  r.numUtterances = q.getColumn(7).getInt64();
  r.numRejected = q.getColumn(8).getInt64();
  r.createdAt = q.getColumn(9).getString();
  return r;
}

const char* const kSoftLabelSetColumns =
    "id, dataset_id, model_id, COALESCE(run_id, 0), k, temperature, quantization, path, "
    "num_utterances, num_frames, created_at";

SoftLabelSetRow readSoftLabelSet(SQLite::Statement& q) {
  SoftLabelSetRow r;
  r.id = q.getColumn(0).getInt64();
  r.datasetId = q.getColumn(1).getInt64();
  r.modelId = q.getColumn(2).getInt64();
  r.runId = q.getColumn(3).getInt64();
  r.k = q.getColumn(4).getInt();
  r.temperature = q.getColumn(5).getDouble();
  r.quantization = q.getColumn(6).getString();
  r.path = q.getColumn(7).getString();
  r.numUtterances = q.getColumn(8).getInt64();
  r.numFrames = q.getColumn(9).getInt64();
  r.createdAt = q.getColumn(10).getString();
  return r;
}

// Binds an id, or NULL for 0 (optional foreign keys).
void bindOptionalId(SQLite::Statement& q, int index, std::int64_t id) {
  if (id != 0)
    q.bind(index, static_cast<int64_t>(id));
  else
    q.bind(index);
}

std::int64_t upsertAlignmentSet(SQLite::Database& db, const AlignmentSetRow& row) {
  if (row.name.empty()) throw US_ERROR("an alignment set needs a name");
  SQLite::Statement find(db, "SELECT id FROM alignment_sets WHERE dataset_id = ? AND name = ?");
  find.bind(1, static_cast<int64_t>(row.datasetId));
  find.bind(2, row.name);
  if (find.executeStep()) {
    const std::int64_t id = find.getColumn(0).getInt64();
    SQLite::Statement q(db,
                        "UPDATE alignment_sets SET unit_inventory_id = ?, source = ?, path = ?, "
                        "frame_shift_ms = ?, num_utterances = ?, num_rejected = ? WHERE id = ?");
    bindOptionalId(q, 1, row.unitInventoryId);
    q.bind(2, row.source);
    q.bind(3, row.path);
    q.bind(4, row.frameShiftMs);
    q.bind(5, static_cast<int64_t>(row.numUtterances));
    q.bind(6, static_cast<int64_t>(row.numRejected));
    q.bind(7, static_cast<int64_t>(id));
    q.exec();
    return id;
  }
  SQLite::Statement q(db,
                      "INSERT INTO alignment_sets (dataset_id, unit_inventory_id, name, source, "
                      "path, frame_shift_ms, num_utterances, num_rejected) "
                      "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  q.bind(1, static_cast<int64_t>(row.datasetId));
  bindOptionalId(q, 2, row.unitInventoryId);
  q.bind(3, row.name);
  q.bind(4, row.source);
  q.bind(5, row.path);
  q.bind(6, row.frameShiftMs);
  q.bind(7, static_cast<int64_t>(row.numUtterances));
  q.bind(8, static_cast<int64_t>(row.numRejected));
  q.exec();
  return db.getLastInsertRowid();
}

std::string joinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

fs::path Catalog::absolute(const std::string& path) const {
  const fs::path p(path);
  return p.is_absolute() ? p : m_ws.root() / p;
}

// --- datasets ---------------------------------------------------------------

std::vector<DatasetRow> Catalog::datasets() {
  SQLite::Statement q(m_ws.db(),
                      std::string("SELECT ") + kDatasetColumns + " FROM datasets d ORDER BY d.name");
  std::vector<DatasetRow> rows;
  while (q.executeStep()) rows.push_back(readDataset(q));
  return rows;
}

std::vector<DatasetSummary> Catalog::datasetSummaries() {
  SQLite::Statement q(
      m_ws.db(),
      std::string("SELECT ") + kDatasetColumns +
          ", (SELECT COUNT(*) FROM utterances u WHERE u.dataset_id = d.id AND u.status = 'ok'), "
          "(SELECT COUNT(*) FROM utterances u WHERE u.dataset_id = d.id AND "
          "u.status = 'skipped'), "
          "(SELECT COALESCE(SUM(duration_s), 0) FROM utterances u WHERE u.dataset_id = d.id AND "
          "u.status = 'ok') "
          "FROM datasets d ORDER BY d.name");
  std::vector<DatasetSummary> rows;
  while (q.executeStep()) {
    DatasetSummary s;
    s.dataset = readDataset(q);
    s.okUtterances = q.getColumn(11).getInt64();
    s.skippedUtterances = q.getColumn(12).getInt64();
    s.okSeconds = q.getColumn(13).getDouble();
    rows.push_back(std::move(s));
  }
  return rows;
}

std::optional<DatasetRow> Catalog::findDataset(const std::string& name) {
  SQLite::Statement q(m_ws.db(),
                      std::string("SELECT ") + kDatasetColumns + " FROM datasets d WHERE d.name = ?");
  q.bind(1, name);
  if (!q.executeStep()) return std::nullopt;
  return readDataset(q);
}

std::string Catalog::knownDatasets() {
  std::vector<std::string> names;
  SQLite::Statement q(m_ws.db(), "SELECT name FROM datasets ORDER BY name");
  while (q.executeStep()) names.push_back(q.getColumn(0).getString());
  return joinNames(names);
}

DatasetRow Catalog::dataset(const std::string& name) {
  if (auto row = findDataset(name)) return *row;
  const std::string known = knownDatasets();
  const std::string create =
      "create one with `understudy-cli corpus import` or `understudy-cli corpus synth`";
  throw US_ERROR("no dataset named '" + name + "' in the workspace")
      .file(m_ws.root().string())
      .hint(known.empty() ? "the workspace has no datasets yet; " + create
                          : "datasets: " + known + "; or " + create);
}

std::int64_t Catalog::registerDataset(const DatasetRow& dataset,
                                      const std::vector<UtteranceRow>& utterances,
                                      const std::vector<AlignmentSetRow>& alignmentSets) {
  if (dataset.name.empty()) throw US_ERROR("a dataset needs a name");
  if (dataset.kind != "labeled" && dataset.kind != "unlabeled" && dataset.kind != "test")
    throw US_ERROR("dataset kind '" + dataset.kind + "' is not labeled, unlabeled or test")
        .key(dataset.name);
  if (findDataset(dataset.name))
    throw US_ERROR("a dataset named '" + dataset.name + "' already exists in this workspace")
        .file(m_ws.root().string())
        .hint("choose another name (see `understudy-cli corpus list`)");
  SQLite::Database& db = m_ws.db();
  SQLite::Transaction tx(db);
  SQLite::Statement ds(db,
                       "INSERT INTO datasets (name, kind, source, source_path, condition, "
                       "num_utterances, num_skipped, total_seconds, metadata) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  ds.bind(1, dataset.name);
  ds.bind(2, dataset.kind);
  ds.bind(3, dataset.source);
  ds.bind(4, dataset.sourcePath);
  ds.bind(5, dataset.condition);
  ds.bind(6, static_cast<int64_t>(dataset.numUtterances));
  ds.bind(7, static_cast<int64_t>(dataset.numSkipped));
  ds.bind(8, dataset.totalSeconds);
  ds.bind(9, dataset.metadata);
  ds.exec();
  const std::int64_t datasetId = db.getLastInsertRowid();

  SQLite::Statement utt(db,
                        "INSERT INTO utterances (dataset_id, key, audio_path, offset_s, duration_s, "
                        "sample_rate, speaker, text, status, reason, metadata) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  for (const UtteranceRow& u : utterances) {
    utt.bind(1, static_cast<int64_t>(datasetId));
    utt.bind(2, u.key);
    utt.bind(3, u.audioPath);
    utt.bind(4, u.offset);
    utt.bind(5, u.duration);
    utt.bind(6, u.sampleRate);
    utt.bind(7, u.speaker);
    if (u.text)
      utt.bind(8, *u.text);
    else
      utt.bind(8);  // NULL: no transcript
    utt.bind(9, u.status);
    utt.bind(10, u.reason);
    utt.bind(11, u.metadata);
    try {
      utt.exec();
    } catch (const SQLite::Exception& e) {
      throw US_ERROR("cannot register an utterance of dataset '" + dataset.name +
                     "': " + e.what())
          .utterance(u.key)
          .hint("utterance keys must be unique within a dataset; status 'ok' or 'skipped'");
    }
    utt.reset();
    utt.clearBindings();
  }
  for (AlignmentSetRow a : alignmentSets) {
    a.datasetId = datasetId;
    upsertAlignmentSet(db, a);
  }
  US_FAULT_POINT("db.dataset_before_commit");
  tx.commit();
  return datasetId;
}

// --- utterances -------------------------------------------------------------

std::vector<UtteranceRow> Catalog::utterances(std::int64_t datasetId, Utterances which) {
  SQLite::Statement q(m_ws.db(),
                      std::string("SELECT ") + kUtteranceColumns +
                          " FROM utterances WHERE dataset_id = ? AND (? OR status = 'ok') "
                          "ORDER BY key");
  q.bind(1, static_cast<int64_t>(datasetId));
  q.bind(2, which == Utterances::All ? 1 : 0);
  std::vector<UtteranceRow> rows;
  while (q.executeStep()) rows.push_back(readUtterance(q));
  return rows;
}

void Catalog::skipUtterances(std::int64_t datasetId, const std::vector<SkippedUtterance>& skipped) {
  if (skipped.empty()) return;
  SQLite::Database& db = m_ws.db();
  SQLite::Transaction tx(db);
  SQLite::Statement mark(db,
                         "UPDATE utterances SET status = 'skipped', reason = ? "
                         "WHERE id = ? AND dataset_id = ? AND status = 'ok'");
  SQLite::Statement counts(
      db,
      "UPDATE datasets SET num_utterances = num_utterances - 1, num_skipped = num_skipped + 1, "
      "total_seconds = MAX(0, total_seconds - ?) WHERE id = ?");
  for (const SkippedUtterance& s : skipped) {
    mark.bind(1, s.reason);
    mark.bind(2, static_cast<int64_t>(s.id));
    mark.bind(3, static_cast<int64_t>(datasetId));
    const int changed = mark.exec();
    mark.reset();
    if (changed == 0) continue;  // not an ok utterance of this dataset: counts stay
    counts.bind(1, s.duration);
    counts.bind(2, static_cast<int64_t>(datasetId));
    counts.exec();
    counts.reset();
  }
  tx.commit();
}

// --- feature sets -----------------------------------------------------------

std::vector<FeatureSetRow> Catalog::featureSets() {
  SQLite::Statement q(m_ws.db(), std::string("SELECT ") + kFeatureSetColumns +
                                     " FROM feature_sets ORDER BY name");
  std::vector<FeatureSetRow> rows;
  while (q.executeStep()) rows.push_back(readFeatureSet(q));
  return rows;
}

std::vector<FeatureSetRow> Catalog::featureSets(const DatasetRow& dataset) {
  SQLite::Statement q(m_ws.db(), std::string("SELECT ") + kFeatureSetColumns +
                                     " FROM feature_sets WHERE dataset_id = ? ORDER BY id");
  q.bind(1, static_cast<int64_t>(dataset.id));
  std::vector<FeatureSetRow> rows;
  while (q.executeStep()) rows.push_back(readFeatureSet(q));
  return rows;
}

std::optional<FeatureSetRow> Catalog::findFeatureSet(const DatasetRow& dataset,
                                                     const std::string& name) {
  // Complete sets first, then the newest: an empty name finds the newest
  // complete set, or else a partial one (which featureSet() refuses).
  SQLite::Statement q(m_ws.db(), std::string("SELECT ") + kFeatureSetColumns +
                                     " FROM feature_sets WHERE dataset_id = ? "
                                     "AND (? = '' OR name = ? OR name = ?) "
                                     "ORDER BY (status = 'complete') DESC, id DESC");
  q.bind(1, static_cast<int64_t>(dataset.id));
  q.bind(2, name);
  q.bind(3, name);
  q.bind(4, dataset.name + "-" + name);
  if (!q.executeStep()) return std::nullopt;
  return readFeatureSet(q);
}

FeatureSetRow Catalog::featureSet(const DatasetRow& dataset, const std::string& name) {
  const std::string compute =
      "understudy-cli features -w " + m_ws.root().string() + " --dataset " + dataset.name;
  std::optional<FeatureSetRow> row = findFeatureSet(dataset, name);
  if (!row) {
    std::vector<std::string> sets;
    for (const FeatureSetRow& f : featureSets(dataset))
      sets.push_back(f.name + (f.complete() ? "" : " (" + f.status + ")"));
    throw US_ERROR("dataset '" + dataset.name + "' has no features" +
                   (name.empty() ? std::string() : " named '" + name + "'"))
        .file(m_ws.root().string())
        .hint(sets.empty() ? "compute them first: " + compute
                           : "its feature sets: " + joinNames(sets) + "; or compute them: " +
                                 compute);
  }
  if (!row->complete())
    throw US_ERROR("features '" + row->name + "' of dataset '" + dataset.name +
                   "' are not complete")
        .file(m_ws.root().string())
        .hint("finish them: " + compute);
  return *row;
}

FeatureSetRow Catalog::registerFeatureSet(const FeatureSetRow& row) {
  if (row.name.empty() || row.configHash.empty())
    throw US_ERROR("a feature set needs a name and a config hash");
  SQLite::Database& db = m_ws.db();
  SQLite::Statement ins(db,
                        "INSERT OR IGNORE INTO feature_sets (dataset_id, name, config, "
                        "config_hash, path, dims) VALUES (?, ?, ?, ?, ?, ?)");
  ins.bind(1, static_cast<int64_t>(row.datasetId));
  ins.bind(2, row.name);
  ins.bind(3, row.config);
  ins.bind(4, row.configHash);
  ins.bind(5, row.path);
  ins.bind(6, row.dims);
  ins.exec();
  SQLite::Statement q(db, std::string("SELECT ") + kFeatureSetColumns +
                              " FROM feature_sets WHERE dataset_id = ? AND config_hash = ?");
  q.bind(1, static_cast<int64_t>(row.datasetId));
  q.bind(2, row.configHash);
  if (!q.executeStep())
    throw US_ERROR("feature set '" + row.name + "' was not recorded: no dataset with id " +
                   std::to_string(row.datasetId))
        .file(m_ws.databasePath().string());
  return readFeatureSet(q);
}

void Catalog::updateFeatureSet(std::int64_t id, std::int64_t numUtterances, std::int64_t numFrames,
                               bool complete) {
  SQLite::Statement up(m_ws.db(),
                       "UPDATE feature_sets SET num_utterances = ?, num_frames = ?, status = ? "
                       "WHERE id = ?");
  up.bind(1, static_cast<int64_t>(numUtterances));
  up.bind(2, static_cast<int64_t>(numFrames));
  up.bind(3, complete ? "complete" : "partial");
  up.bind(4, static_cast<int64_t>(id));
  if (up.exec() != 1) throw US_ERROR("no feature set with id " + std::to_string(id));
}

// --- alignment sets ---------------------------------------------------------

std::vector<AlignmentSetRow> Catalog::alignmentSets(const DatasetRow& dataset) {
  SQLite::Statement q(m_ws.db(), std::string("SELECT ") + kAlignmentSetColumns +
                                     " FROM alignment_sets WHERE dataset_id = ? ORDER BY id");
  q.bind(1, static_cast<int64_t>(dataset.id));
  std::vector<AlignmentSetRow> rows;
  while (q.executeStep()) rows.push_back(readAlignmentSet(q));
  return rows;
}

std::optional<AlignmentSetRow> Catalog::findAlignmentSet(const DatasetRow& dataset,
                                                         const std::string& name) {
  SQLite::Statement q(m_ws.db(), std::string("SELECT ") + kAlignmentSetColumns +
                                     " FROM alignment_sets WHERE dataset_id = ? AND name = ? "
                                     "ORDER BY id DESC");
  q.bind(1, static_cast<int64_t>(dataset.id));
  q.bind(2, name);
  if (!q.executeStep()) return std::nullopt;
  return readAlignmentSet(q);
}

AlignmentSetRow Catalog::alignmentSet(const DatasetRow& dataset, const std::string& name) {
  if (auto row = findAlignmentSet(dataset, name)) return *row;
  std::vector<std::string> sets;
  for (const AlignmentSetRow& a : alignmentSets(dataset)) sets.push_back(a.name);
  const bool targets = name == kTargetsAlignmentSet;
  const std::string build = "build them: understudy-cli targets -w " + m_ws.root().string() +
                            " --dataset " + dataset.name;
  std::string hint = sets.empty() ? "it has no alignment sets" : "its alignment sets: " + joinNames(sets);
  if (targets) hint += "; " + build;
  throw US_ERROR("dataset '" + dataset.name + "' has no " +
                 (targets ? std::string("frame targets (alignment set 'targets')")
                          : "alignment set named '" + name + "'"))
      .file(m_ws.root().string())
      .hint(hint);
}

std::int64_t Catalog::registerAlignmentSet(const AlignmentSetRow& row) {
  return upsertAlignmentSet(m_ws.db(), row);
}

AlignmentSetRow Catalog::registerAlignmentSet(AlignmentSetRow row, const UnitInventory& units,
                                              const std::string& inventoryName) {
  SQLite::Database& db = m_ws.db();
  SQLite::Transaction tx(db);
  row.unitInventoryId = recordUnitInventory(db, units, inventoryName, row.source);
  row.id = upsertAlignmentSet(db, row);
  US_FAULT_POINT("db.alignment_set_before_commit");
  tx.commit();
  return row;
}

// --- soft-label sets --------------------------------------------------------

std::vector<SoftLabelSetRow> Catalog::softLabelSets(const DatasetRow& dataset) {
  SQLite::Statement q(m_ws.db(), std::string("SELECT ") + kSoftLabelSetColumns +
                                     " FROM soft_label_sets WHERE dataset_id = ? ORDER BY id");
  q.bind(1, static_cast<int64_t>(dataset.id));
  std::vector<SoftLabelSetRow> rows;
  while (q.executeStep()) rows.push_back(readSoftLabelSet(q));
  return rows;
}

std::optional<SoftLabelSetRow> Catalog::findSoftLabelSet(const std::string& path) {
  SQLite::Statement q(m_ws.db(), std::string("SELECT ") + kSoftLabelSetColumns +
                                     " FROM soft_label_sets WHERE path = ?");
  q.bind(1, path);
  if (!q.executeStep()) return std::nullopt;
  return readSoftLabelSet(q);
}

std::int64_t Catalog::registerSoftLabelSet(const SoftLabelSetRow& row) {
  SQLite::Database& db = m_ws.db();
  if (row.path.empty()) throw US_ERROR("a soft-label set needs a store path");
  if (row.k < 1)
    throw US_ERROR("a soft-label set needs k >= 1 (got " + std::to_string(row.k) + ")")
        .file(row.path);
  if (row.quantization != "fp16" && row.quantization != "log8")
    throw US_ERROR("soft-label quantization '" + row.quantization + "' is not fp16 or log8")
        .file(row.path);
  {
    SQLite::Statement q(db, "SELECT 1 FROM datasets WHERE id = ?");
    q.bind(1, static_cast<int64_t>(row.datasetId));
    if (!q.executeStep())
      throw US_ERROR("no dataset with id " + std::to_string(row.datasetId) + " in the workspace")
          .file(row.path);
  }
  {
    SQLite::Statement q(db, "SELECT 1 FROM models WHERE id = ?");
    q.bind(1, static_cast<int64_t>(row.modelId));
    if (!q.executeStep())
      throw US_ERROR("no model with id " + std::to_string(row.modelId) + " in the workspace")
          .file(row.path)
          .hint("the teacher must be a trained model (understudy-cli train)");
  }
  SQLite::Transaction tx(db);
  std::int64_t id = 0;
  {
    SQLite::Statement find(db, "SELECT id, dataset_id FROM soft_label_sets WHERE path = ?");
    find.bind(1, row.path);
    if (find.executeStep()) {
      id = find.getColumn(0).getInt64();
      if (find.getColumn(1).getInt64() != row.datasetId)
        throw US_ERROR("the soft-label store is already registered for another dataset")
            .file(row.path)
            .hint("each labeled dataset needs its own store folder");
    }
  }
  if (id != 0) {
    SQLite::Statement q(db,
                        "UPDATE soft_label_sets SET model_id = ?, run_id = ?, k = ?, "
                        "temperature = ?, quantization = ?, num_utterances = ?, num_frames = ? "
                        "WHERE id = ?");
    q.bind(1, static_cast<int64_t>(row.modelId));
    bindOptionalId(q, 2, row.runId);
    q.bind(3, row.k);
    q.bind(4, row.temperature);
    q.bind(5, row.quantization);
    q.bind(6, static_cast<int64_t>(row.numUtterances));
    q.bind(7, static_cast<int64_t>(row.numFrames));
    q.bind(8, static_cast<int64_t>(id));
    q.exec();
  } else {
    SQLite::Statement q(db,
                        "INSERT INTO soft_label_sets (dataset_id, model_id, run_id, k, temperature, "
                        "quantization, path, num_utterances, num_frames) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    q.bind(1, static_cast<int64_t>(row.datasetId));
    q.bind(2, static_cast<int64_t>(row.modelId));
    bindOptionalId(q, 3, row.runId);
    q.bind(4, row.k);
    q.bind(5, row.temperature);
    q.bind(6, row.quantization);
    q.bind(7, row.path);
    q.bind(8, static_cast<int64_t>(row.numUtterances));
    q.bind(9, static_cast<int64_t>(row.numFrames));
    q.exec();
    id = db.getLastInsertRowid();
  }
  tx.commit();
  return id;
}

void Catalog::updateSoftLabelSet(std::int64_t id, std::int64_t numUtterances,
                                 std::int64_t numFrames) {
  SQLite::Statement q(m_ws.db(),
                      "UPDATE soft_label_sets SET num_utterances = ?, num_frames = ? WHERE id = ?");
  q.bind(1, static_cast<int64_t>(numUtterances));
  q.bind(2, static_cast<int64_t>(numFrames));
  q.bind(3, static_cast<int64_t>(id));
  if (q.exec() != 1) throw US_ERROR("no soft-label set with id " + std::to_string(id));
}

// --- label summaries ----------------------------------------------------------

namespace {

// INSERT OR REPLACE of one soft_label_utterances row; the SELECT finds the
// utterance by the set's dataset and the key, and yields no row (nothing
// written) when there is none.
void writeUtteranceStats(SQLite::Statement& q, std::int64_t softLabelSetId,
                         const SoftLabelUtteranceStats& u, const std::string& dbPath) {
  q.reset();
  q.clearBindings();
  q.bind(1, static_cast<int64_t>(u.frames));
  q.bind(2, u.meanTop1);
  q.bind(3, u.meanEntropy);
  if (u.hasTruth) {
    q.bind(4, static_cast<int64_t>(u.truthFrames));
    q.bind(5, static_cast<int64_t>(u.truthTop1Correct));
    q.bind(6, static_cast<int64_t>(u.truthInTopK));
  }  // else NULL: cleared bindings
  q.bind(7, static_cast<int64_t>(softLabelSetId));
  q.bind(8, u.key);
  if (q.exec() != 1)
    throw US_ERROR("utterance '" + u.key + "' of soft-label set " + std::to_string(softLabelSetId) +
                   " is not an utterance of the set's dataset")
        .file(dbPath)
        .utterance(u.key)
        .hint("the labels' keys must be the dataset's utterance keys (`understudy-cli corpus list`)");
}

}  // namespace

void Catalog::updateSoftLabelSummary(std::int64_t softLabelSetId, const SoftLabelSummary& summary,
                                     const std::vector<SoftLabelUtteranceStats>& utterances) {
  SQLite::Transaction tx(m_ws.db());
  // The SELECT yields no row for an unknown set, so nothing is written and
  // the count says so.
  SQLite::Statement q(m_ws.db(),
                      "INSERT INTO soft_label_summaries (soft_label_set_id, utterances, frames, "
                      "bytes_per_frame, mean_top1, mean_entropy, truth_frames, truth_top1_accuracy, "
                      "truth_topk_recall, summary, updated_at) "
                      "SELECT id, ?, ?, ?, ?, ?, ?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now') "
                      "FROM soft_label_sets WHERE id = ? "
                      "ON CONFLICT (soft_label_set_id) DO UPDATE SET utterances = excluded.utterances, "
                      "frames = excluded.frames, bytes_per_frame = excluded.bytes_per_frame, "
                      "mean_top1 = excluded.mean_top1, mean_entropy = excluded.mean_entropy, "
                      "truth_frames = excluded.truth_frames, "
                      "truth_top1_accuracy = excluded.truth_top1_accuracy, "
                      "truth_topk_recall = excluded.truth_topk_recall, summary = excluded.summary, "
                      "updated_at = excluded.updated_at");
  q.bind(1, static_cast<int64_t>(summary.utterances()));
  q.bind(2, static_cast<int64_t>(summary.frames()));
  q.bind(3, summary.bytesPerFrame());
  q.bind(4, summary.meanTop1());
  q.bind(5, summary.meanEntropy());
  const std::vector<SoftLabelTruthTally> truth = summary.truth();
  if (truth.empty()) {
    q.bind(6);
    q.bind(7);
    q.bind(8);
  } else {
    q.bind(6, static_cast<int64_t>(truth.front().frames));
    q.bind(7, truth.front().top1Accuracy());
    q.bind(8, truth.front().topKRecall());
  }
  q.bind(9, summary.toJson());
  q.bind(10, static_cast<int64_t>(softLabelSetId));
  if (q.exec() != 1)
    throw US_ERROR("no soft-label set with id " + std::to_string(softLabelSetId) + " to summarise")
        .file(m_ws.databasePath().string())
        .hint("register the set first (Catalog::registerSoftLabelSet)");
  SQLite::Statement row(m_ws.db(),
                        "INSERT OR REPLACE INTO soft_label_utterances (soft_label_set_id, "
                        "utterance_id, frames, mean_top1, mean_entropy, truth_frames, "
                        "truth_top1_correct, truth_in_topk) "
                        "SELECT s.id, u.id, ?, ?, ?, ?, ?, ? FROM soft_label_sets s "
                        "JOIN utterances u ON u.dataset_id = s.dataset_id "
                        "WHERE s.id = ? AND u.key = ?");
  const std::string dbPath = m_ws.databasePath().string();
  for (const SoftLabelUtteranceStats& u : utterances) writeUtteranceStats(row, softLabelSetId, u, dbPath);
  US_FAULT_POINT("db.soft_label_summary_before_commit");
  tx.commit();
}

std::optional<SoftLabelSummary> Catalog::softLabelSummary(std::int64_t softLabelSetId) {
  SQLite::Statement q(m_ws.db(), "SELECT summary FROM soft_label_summaries WHERE soft_label_set_id = ?");
  q.bind(1, static_cast<int64_t>(softLabelSetId));
  if (!q.executeStep()) return std::nullopt;
  try {
    return SoftLabelSummary::fromJson(q.getColumn(0).getString());
  } catch (const Error& e) {
    throw US_ERROR("soft-label set " + std::to_string(softLabelSetId) + ": " + e.what_())
        .file(m_ws.databasePath().string())
        .hint(e.hintText());
  }
}

std::vector<SoftLabelUtteranceStats> Catalog::softLabelUtteranceStats(std::int64_t softLabelSetId) {
  SQLite::Statement q(m_ws.db(),
                      "SELECT u.key, r.frames, r.mean_top1, r.mean_entropy, r.truth_frames, "
                      "r.truth_top1_correct, r.truth_in_topk FROM soft_label_utterances r "
                      "JOIN utterances u ON u.id = r.utterance_id WHERE r.soft_label_set_id = ? "
                      "ORDER BY u.key");
  q.bind(1, static_cast<int64_t>(softLabelSetId));
  std::vector<SoftLabelUtteranceStats> out;
  while (q.executeStep()) {
    SoftLabelUtteranceStats u;
    u.key = q.getColumn(0).getString();
    u.frames = q.getColumn(1).getInt64();
    u.meanTop1 = q.getColumn(2).getDouble();
    u.meanEntropy = q.getColumn(3).getDouble();
    u.hasTruth = !q.getColumn(4).isNull();
    u.truthFrames = q.getColumn(4).getInt64();
    u.truthTop1Correct = q.getColumn(5).getInt64();
    u.truthInTopK = q.getColumn(6).getInt64();
    out.push_back(std::move(u));
  }
  return out;
}

}  // namespace understudy
