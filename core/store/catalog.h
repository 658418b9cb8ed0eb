// The catalog of a workspace: typed reads and writes of what workspace.db
// lists — datasets and their utterances, feature sets, alignment sets,
// soft-label sets and their label summaries (docs/workspace.md, "The catalog").
//
// Only core/store holds SQL. Every other module (corpus import, synthesis,
// features, targets, training, labeling, the CLI) finds and registers rows
// through Catalog, RunStore (runs, metrics) and the unit-inventory functions
// of unit_inventory.h.
//
//   Catalog catalog(ws);
//   DatasetRow d = catalog.dataset("synth-labeled");        // throws, listing the known ones
//   FeatureSetRow f = catalog.featureSet(d);                  // newest complete set
//   FeatureStore features = FeatureStore::open(catalog.absolute(f.path));
//
// Lookup rules (the same for every command):
//   - a dataset: by its exact name (case-sensitive);
//   - a feature set of a dataset: an empty name means the newest complete
//     set; otherwise the set's full name ("<dataset>-<hash8>", as `features`
//     names it) or that name without the "<dataset>-" prefix (the config-hash
//     suffix). A set that matches but is not complete is an error, never
//     silently skipped for an older one;
//   - an alignment set of a dataset: by its exact name ("targets" is the one
//     `understudy-cli targets` writes, "exact" the synthetic corpus' truth).
// A failed lookup throws understudy::Error naming what was looked up, listing
// what exists, and giving the command that creates it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/store/soft_label_summary.h"

namespace understudy {

class UnitInventory;
class Workspace;

// A `datasets` row. To register one, fill everything but id and createdAt.
struct DatasetRow {
  std::int64_t id = 0;
  std::string name;
  std::string kind;         // "labeled", "unlabeled", "test"
  std::string source;       // "kaldi", "manifest", "synthetic"
  std::string sourcePath;
  std::string condition;    // "clean", "noisy", ... (synthetic sets)
  std::int64_t numUtterances = 0;
  std::int64_t numSkipped = 0;
  double totalSeconds = 0.0;
  std::string metadata = "{}";  // JSON object as text
  std::string createdAt;
};

// An `utterances` row. To register one, fill everything but id and datasetId.
struct UtteranceRow {
  std::int64_t id = 0;
  std::int64_t datasetId = 0;
  std::string key;
  std::string audioPath;  // absolute, workspace-relative, or "cmd |" for a piped source
  double offset = 0.0;    // seconds
  double duration = 0.0;  // seconds
  int sampleRate = 0;
  std::string speaker;
  std::optional<std::string> text;  // none: no transcript
  std::string status = "ok";        // "ok" or "skipped"
  std::string reason;               // why skipped
  std::string metadata = "{}";      // JSON object as text
};

// A dataset with its utterance counts (`corpus list`).
struct DatasetSummary {
  DatasetRow dataset;
  std::int64_t okUtterances = 0;
  std::int64_t skippedUtterances = 0;
  double okSeconds = 0.0;
};

// An utterance to mark skipped after the fact (features that failed).
struct SkippedUtterance {
  std::int64_t id = 0;
  std::string reason;
  double duration = 0.0;  // taken off the dataset's total_seconds
};

struct FeatureSetRow {
  std::int64_t id = 0;
  std::int64_t datasetId = 0;
  std::string name;        // "<dataset>-<hash8>"
  std::string config;      // YAML of the fbank options
  std::string configHash;  // unique per dataset
  std::string path;        // relative to the workspace: "features/<name>"
  int dims = 0;
  std::int64_t numUtterances = 0;
  std::int64_t numFrames = 0;
  std::string status = "partial";  // "partial" or "complete"
  std::string createdAt;

  bool complete() const { return status == "complete"; }
};

struct AlignmentSetRow {
  std::int64_t id = 0;
  std::int64_t datasetId = 0;
  std::int64_t unitInventoryId = 0;  // 0: none
  std::string name;                  // unique per dataset: "targets", "exact"
  std::string source;                // "synthetic", "kaldi", "forced"
  std::string path;                  // relative to the workspace
  double frameShiftMs = 10.0;
  std::int64_t numUtterances = 0;
  std::int64_t numRejected = 0;
  std::string createdAt;
};

struct SoftLabelSetRow {
  std::int64_t id = 0;
  std::int64_t datasetId = 0;
  std::int64_t modelId = 0;
  std::int64_t runId = 0;  // 0: none
  int k = 0;
  double temperature = 1.0;
  std::string quantization = "fp16";  // "fp16" or "log8"
  std::string path;                   // relative to the workspace; identifies the set
  std::int64_t numUtterances = 0;
  std::int64_t numFrames = 0;
  std::string createdAt;
};

class Catalog {
 public:
  // The alignment set `understudy-cli targets` writes: a dataset's frame targets.
  static constexpr const char* kTargetsAlignmentSet = "targets";

  explicit Catalog(Workspace& ws) : m_ws(ws) {}

  // A path as a table stores it, made absolute (relative ones are under the workspace).
  std::filesystem::path absolute(const std::string& path) const;

  // --- datasets -----------------------------------------------------------
  std::vector<DatasetRow> datasets();  // by name
  std::vector<DatasetSummary> datasetSummaries();  // by name
  std::optional<DatasetRow> findDataset(const std::string& name);
  // Throws when there is none: the known datasets and how to create one.
  DatasetRow dataset(const std::string& name);
  // The dataset, its utterances and (optionally) alignment sets that come with
  // it, in one transaction: all or nothing. A taken name is refused. Returns
  // the dataset's id.
  std::int64_t registerDataset(const DatasetRow& dataset, const std::vector<UtteranceRow>& utterances,
                               const std::vector<AlignmentSetRow>& alignmentSets = {});

  // --- utterances ---------------------------------------------------------
  enum class Utterances { Ok, All };
  // By key.
  std::vector<UtteranceRow> utterances(std::int64_t datasetId, Utterances which = Utterances::Ok);
  // Marks them skipped with their reason, and takes them off the dataset's
  // counts and total seconds; one transaction.
  void skipUtterances(std::int64_t datasetId, const std::vector<SkippedUtterance>& skipped);

  // --- feature sets -------------------------------------------------------
  std::vector<FeatureSetRow> featureSets();                          // all, by name
  std::vector<FeatureSetRow> featureSets(const DatasetRow& dataset);  // oldest first
  // The lookup rule above, without the completeness check.
  std::optional<FeatureSetRow> findFeatureSet(const DatasetRow& dataset, const std::string& name = {});
  // The lookup rule above; throws if none matches or the match is not complete.
  FeatureSetRow featureSet(const DatasetRow& dataset, const std::string& name = {});
  // Adds the row unless the dataset already has a set with this config hash;
  // returns the stored row either way (registering twice is harmless).
  FeatureSetRow registerFeatureSet(const FeatureSetRow& row);
  void updateFeatureSet(std::int64_t id, std::int64_t numUtterances, std::int64_t numFrames,
                        bool complete);

  // --- alignment sets -----------------------------------------------------
  std::vector<AlignmentSetRow> alignmentSets(const DatasetRow& dataset);  // oldest first
  std::optional<AlignmentSetRow> findAlignmentSet(const DatasetRow& dataset, const std::string& name);
  // Throws when there is none, listing the dataset's sets.
  AlignmentSetRow alignmentSet(const DatasetRow& dataset, const std::string& name);
  // Adds the row, or replaces the dataset's row of the same name (keeping
  // its id). Returns the id.
  std::int64_t registerAlignmentSet(const AlignmentSetRow& row);
  // The same, together with the unit inventory its ids refer to
  // (recordUnitInventory), in one transaction. Returns the row as stored
  // (id and unitInventoryId filled in).
  AlignmentSetRow registerAlignmentSet(AlignmentSetRow row, const UnitInventory& units,
                                       const std::string& inventoryName);

  // --- soft-label sets ----------------------------------------------------
  std::vector<SoftLabelSetRow> softLabelSets(const DatasetRow& dataset);  // oldest first
  // The set registered with this store path (registerSoftLabelSet's row.path,
  // workspace-relative), if any.
  std::optional<SoftLabelSetRow> findSoftLabelSet(const std::string& path);
  // A set is identified by its store path: registering the same path again
  // updates that row (model, run, k, temperature, quantization, counts) and
  // returns its id; the path under another dataset is refused, and so are a
  // model that does not exist, k < 1 and an unknown quantization.
  std::int64_t registerSoftLabelSet(const SoftLabelSetRow& row);
  void updateSoftLabelSet(std::int64_t id, std::int64_t numUtterances, std::int64_t numFrames);

  // The set's label summary (soft_label_summaries: the scalar columns and the
  // JSON), inserted or replaced whole, stamped updated_at, and in the same
  // transaction the rows of soft_label_utterances for `utterances` (the
  // utterance found by the set's dataset and the key; a row already there is
  // replaced). Throws, writing nothing, for an unknown set id or a key that
  // is not an utterance of the set's dataset.
  void updateSoftLabelSummary(std::int64_t softLabelSetId, const SoftLabelSummary& summary,
                              const std::vector<SoftLabelUtteranceStats>& utterances = {});
  // None before the first update. Throws, naming the set and the database,
  // if the stored JSON is malformed.
  std::optional<SoftLabelSummary> softLabelSummary(std::int64_t softLabelSetId);
  // The set's soft_label_utterances rows, by utterance key.
  std::vector<SoftLabelUtteranceStats> softLabelUtteranceStats(std::int64_t softLabelSetId);

 private:
  std::string knownDatasets();
  Workspace& m_ws;
};

}  // namespace understudy
