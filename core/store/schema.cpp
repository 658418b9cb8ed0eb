#include "core/store/schema.h"

#include <SQLiteCpp/Transaction.h>

#include "core/util/error.h"

namespace understudy::store {

namespace {

// Version 0 -> 1. Times are ISO-8601 UTC text; JSON is stored as text.
const char* const kSchemaV1 = R"SQL(
CREATE TABLE datasets (
  id            INTEGER PRIMARY KEY,
  name          TEXT NOT NULL UNIQUE,
  kind          TEXT NOT NULL CHECK (kind IN ('labeled', 'unlabeled', 'test')),
  source        TEXT NOT NULL DEFAULT '',        -- 'kaldi', 'manifest', 'synthetic'
  source_path   TEXT NOT NULL DEFAULT '',
  condition     TEXT NOT NULL DEFAULT '',        -- 'clean', 'noisy', ...
  num_utterances INTEGER NOT NULL DEFAULT 0,
  num_skipped   INTEGER NOT NULL DEFAULT 0,
  total_seconds REAL NOT NULL DEFAULT 0,
  metadata      TEXT NOT NULL DEFAULT '{}',
  created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE utterances (
  id            INTEGER PRIMARY KEY,
  dataset_id    INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
  key           TEXT NOT NULL,
  audio_path    TEXT NOT NULL DEFAULT '',
  offset_s      REAL NOT NULL DEFAULT 0,
  duration_s    REAL NOT NULL DEFAULT 0,
  sample_rate   INTEGER NOT NULL DEFAULT 0,
  speaker       TEXT NOT NULL DEFAULT '',
  text          TEXT,
  status        TEXT NOT NULL DEFAULT 'ok' CHECK (status IN ('ok', 'skipped')),
  reason        TEXT NOT NULL DEFAULT '',
  metadata      TEXT NOT NULL DEFAULT '{}',
  UNIQUE (dataset_id, key)
);
CREATE INDEX utterances_by_dataset ON utterances(dataset_id, status);

CREATE TABLE unit_inventories (
  id            INTEGER PRIMARY KEY,
  name          TEXT NOT NULL UNIQUE,
  num_units     INTEGER NOT NULL,
  units         TEXT NOT NULL DEFAULT '[]',       -- JSON array of unit names, index = id
  source        TEXT NOT NULL DEFAULT '',
  created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE feature_sets (
  id            INTEGER PRIMARY KEY,
  dataset_id    INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
  name          TEXT NOT NULL,
  config        TEXT NOT NULL DEFAULT '',         -- YAML of FbankOptions
  config_hash   TEXT NOT NULL DEFAULT '',
  path          TEXT NOT NULL DEFAULT '',         -- relative to the workspace
  dims          INTEGER NOT NULL DEFAULT 0,
  num_utterances INTEGER NOT NULL DEFAULT 0,
  num_frames    INTEGER NOT NULL DEFAULT 0,
  status        TEXT NOT NULL DEFAULT 'partial' CHECK (status IN ('partial', 'complete')),
  created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  UNIQUE (dataset_id, config_hash)
);

CREATE TABLE alignment_sets (
  id            INTEGER PRIMARY KEY,
  dataset_id    INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
  unit_inventory_id INTEGER REFERENCES unit_inventories(id),
  name          TEXT NOT NULL,
  source        TEXT NOT NULL DEFAULT '',         -- 'synthetic', 'kaldi', 'forced'
  path          TEXT NOT NULL DEFAULT '',
  frame_shift_ms REAL NOT NULL DEFAULT 10,
  num_utterances INTEGER NOT NULL DEFAULT 0,
  num_rejected  INTEGER NOT NULL DEFAULT 0,
  created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE runs (
  id            INTEGER PRIMARY KEY,
  kind          TEXT NOT NULL,                    -- 'train', 'label', 'decode', 'features', 'recipe', ...
  name          TEXT NOT NULL DEFAULT '',
  recipe        TEXT NOT NULL DEFAULT '',         -- YAML recipe text
  config        TEXT NOT NULL DEFAULT '',         -- resolved config (YAML)
  config_hash   TEXT NOT NULL DEFAULT '',
  status        TEXT NOT NULL DEFAULT 'running'
                CHECK (status IN ('queued', 'running', 'finished', 'failed', 'cancelled')),
  host          TEXT NOT NULL DEFAULT '',
  pid           INTEGER NOT NULL DEFAULT 0,
  started_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  finished_at   TEXT,
  parent_run_id INTEGER REFERENCES runs(id),
  error         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX runs_by_parent ON runs(parent_run_id);
CREATE INDEX runs_by_status ON runs(status);

CREATE TABLE metrics (
  run_id        INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  step          INTEGER NOT NULL,
  name          TEXT NOT NULL,
  value         REAL NOT NULL,
  wall_time     REAL NOT NULL                     -- seconds since the Unix epoch
);
-- The chart queries: one metric of one run in step order, and "what is new since".
CREATE INDEX metrics_by_run_name_step ON metrics(run_id, name, step);
CREATE INDEX metrics_by_run_time ON metrics(run_id, wall_time);

CREATE TABLE models (
  id            INTEGER PRIMARY KEY,
  name          TEXT NOT NULL UNIQUE,
  role          TEXT NOT NULL DEFAULT '',         -- 'teacher', 'student', 'baseline'
  architecture  TEXT NOT NULL DEFAULT '',         -- YAML of the model config
  num_params    INTEGER NOT NULL DEFAULT 0,
  unit_inventory_id INTEGER REFERENCES unit_inventories(id),
  run_id        INTEGER REFERENCES runs(id),
  path          TEXT NOT NULL DEFAULT '',
  created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE evaluations (
  id            INTEGER PRIMARY KEY,
  model_id      INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
  dataset_id    INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
  run_id        INTEGER REFERENCES runs(id),
  wer           REAL NOT NULL,                    -- percent
  num_sentences INTEGER NOT NULL DEFAULT 0,
  num_ref_words INTEGER NOT NULL DEFAULT 0,
  corr          INTEGER NOT NULL DEFAULT 0,
  sub           INTEGER NOT NULL DEFAULT 0,
  del           INTEGER NOT NULL DEFAULT 0,
  ins           INTEGER NOT NULL DEFAULT 0,
  sentence_errors INTEGER NOT NULL DEFAULT 0,
  config        TEXT NOT NULL DEFAULT '',
  created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX evaluations_by_model ON evaluations(model_id);

CREATE TABLE utterance_results (
  evaluation_id INTEGER NOT NULL REFERENCES evaluations(id) ON DELETE CASCADE,
  utterance_id  INTEGER NOT NULL REFERENCES utterances(id) ON DELETE CASCADE,
  hypothesis    TEXT NOT NULL DEFAULT '',
  corr          INTEGER NOT NULL DEFAULT 0,
  sub           INTEGER NOT NULL DEFAULT 0,
  del           INTEGER NOT NULL DEFAULT 0,
  ins           INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (evaluation_id, utterance_id)
);

CREATE TABLE soft_label_sets (
  id            INTEGER PRIMARY KEY,
  dataset_id    INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
  model_id      INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
  run_id        INTEGER REFERENCES runs(id),
  k             INTEGER NOT NULL,
  temperature   REAL NOT NULL DEFAULT 1,
  quantization  TEXT NOT NULL DEFAULT 'fp16' CHECK (quantization IN ('fp16', 'log8')),
  path          TEXT NOT NULL DEFAULT '',
  num_utterances INTEGER NOT NULL DEFAULT 0,
  num_frames    INTEGER NOT NULL DEFAULT 0,
  created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE nodes (
  id            INTEGER PRIMARY KEY,
  name          TEXT NOT NULL UNIQUE,
  host          TEXT NOT NULL,
  ssh_user      TEXT NOT NULL DEFAULT '',
  ssh_port      INTEGER NOT NULL DEFAULT 22,
  workspace_path TEXT NOT NULL DEFAULT '',        -- the shared workspace path on that node
  cpus          INTEGER NOT NULL DEFAULT 0,
  gpus          INTEGER NOT NULL DEFAULT 0,
  status        TEXT NOT NULL DEFAULT 'unknown',
  last_seen     TEXT,
  created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
)SQL";

// Version 1 -> 2: the label summary of each soft-label set (docs/labeling.md,
// "The label summary"). The scalars are columns for SQL and the GUI; `summary`
// holds everything (SoftLabelSummary::toJson). The truth columns are NULL for
// a set without true frame targets.
const char* const kSchemaV2 = R"SQL(
CREATE TABLE soft_label_summaries (
  soft_label_set_id INTEGER PRIMARY KEY REFERENCES soft_label_sets(id) ON DELETE CASCADE,
  utterances    INTEGER NOT NULL DEFAULT 0,
  frames        INTEGER NOT NULL DEFAULT 0,
  bytes_per_frame REAL NOT NULL DEFAULT 0,
  mean_top1     REAL NOT NULL DEFAULT 0,
  mean_entropy  REAL NOT NULL DEFAULT 0,          -- nats
  truth_frames  INTEGER,
  truth_top1_accuracy REAL,
  truth_topk_recall REAL,
  summary       TEXT NOT NULL DEFAULT '{}',
  updated_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
)SQL";

// Version 2 -> 3: decoding results (docs/decoding.md, "Results in the
// workspace"). Every existing row stays; the new columns take their defaults
// (rtf NULL: not measured). `evaluations.config` holds the decode settings as
// a JSON object from now on. The new indexes serve `compare` (the newest
// evaluation of each model on each set) and the cascade when utterances are
// deleted with their dataset (without one, each deleted utterance scans every
// utterance result).
const char* const kSchemaV3 = R"SQL(
ALTER TABLE evaluations ADD COLUMN rtf REAL;                  -- processing s per audio s; NULL: not measured
ALTER TABLE evaluations ADD COLUMN oov_words INTEGER NOT NULL DEFAULT 0;  -- reference words not in the lexicon
ALTER TABLE utterance_results ADD COLUMN oov_words INTEGER NOT NULL DEFAULT 0;
ALTER TABLE utterance_results ADD COLUMN alignment TEXT NOT NULL DEFAULT '';  -- REF/HYP lines, sclite style
ALTER TABLE utterance_results ADD COLUMN words TEXT NOT NULL DEFAULT '[]';    -- JSON: 1-best words with times
DROP INDEX evaluations_by_model;
CREATE INDEX evaluations_by_model_dataset ON evaluations(model_id, dataset_id, id);
CREATE INDEX utterance_results_by_utterance ON utterance_results(utterance_id);
)SQL";

// Version 3 -> 4: nodes for distributed runs (docs/distributed.md, "Nodes"):
// where understudy-cli is on the node ('' = on its PATH), and what the last
// `nodes test` found (its version line; what failed, '' when it passed).
const char* const kSchemaV4 = R"SQL(
ALTER TABLE nodes ADD COLUMN binary_path TEXT NOT NULL DEFAULT '';
ALTER TABLE nodes ADD COLUMN version TEXT NOT NULL DEFAULT '';
ALTER TABLE nodes ADD COLUMN last_error TEXT NOT NULL DEFAULT '';
)SQL";

// Version 4 -> 5: the label statistics of each utterance of a soft-label set
// (docs/labeling.md, "The label summary"), written with the set's summary at
// every commit of the labeler and by the soft-label import. Sets labeled
// before have no rows until `understudy-cli label` runs on them again.
const char* const kSchemaV5 = R"SQL(
CREATE TABLE soft_label_utterances (
  soft_label_set_id INTEGER NOT NULL REFERENCES soft_label_sets(id) ON DELETE CASCADE,
  utterance_id  INTEGER NOT NULL REFERENCES utterances(id) ON DELETE CASCADE,
  frames        INTEGER NOT NULL,
  mean_top1     REAL NOT NULL,        -- mean over frames of the top-1 probability (the "confidence")
  mean_entropy  REAL NOT NULL,        -- nats, mean over frames of -sum p ln p over the stored top-k
  truth_frames  INTEGER,              -- NULL when the set has no truth for it
  truth_top1_correct INTEGER,
  truth_in_topk INTEGER,
  PRIMARY KEY (soft_label_set_id, utterance_id)
) WITHOUT ROWID;
CREATE INDEX soft_label_utterances_by_utterance ON soft_label_utterances(utterance_id);
)SQL";

}  // namespace

const std::vector<std::string>& migrations() {
  static const std::vector<std::string> all = {kSchemaV1, kSchemaV2, kSchemaV3, kSchemaV4,
                                               kSchemaV5};
  return all;
}

const std::vector<std::string>& tableNames() {
  static const std::vector<std::string> names = {
      "datasets", "utterances",  "unit_inventories", "feature_sets",      "alignment_sets",
      "runs",     "metrics",     "models",           "evaluations",       "utterance_results",
      "soft_label_sets", "nodes",  "soft_label_summaries", "soft_label_utterances"};
  return names;
}

int schemaVersion(SQLite::Database& db) {
  return db.execAndGet("PRAGMA user_version").getInt();
}

void migrate(SQLite::Database& db, const std::string& dbPath) {
  const int current = schemaVersion(db);
  if (current > kSchemaVersion) {
    throw US_ERROR("workspace database has schema version " + std::to_string(current) +
                   ", newer than this Understudy understands (" + std::to_string(kSchemaVersion) +
                   ")")
        .file(dbPath)
        .hint("open it with a newer Understudy; this version will not touch it");
  }
  const auto& steps = migrations();
  for (int v = current; v < kSchemaVersion; ++v) {
    SQLite::Transaction tx(db);
    db.exec(steps[static_cast<std::size_t>(v)]);
    db.exec("PRAGMA user_version = " + std::to_string(v + 1));
    tx.commit();
  }
}

}  // namespace understudy::store
