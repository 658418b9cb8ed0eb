// The soft-label sets of a workspace as commands see them: finding the one to
// export (`understudy-cli export --what softlabels`) and importing Kaldi
// posteriors as a new one (`understudy-cli import --what softlabels`);
// docs/formats.md, "Soft labels as Kaldi posteriors".
//
//   Workspace ws = Workspace::open("exp");
//   SoftLabelSetRow set = locateSoftLabelSet(ws, "synth-unlabeled", "teacher");
//   SoftLabelStore store = SoftLabelStore::open(Catalog(ws).absolute(set.path));
//
//   SoftLabelImportRequest r;  r.dataset = "train"; r.model = "teacher";
//   SoftLabelImportPlan plan = planSoftLabelImport(ws, r);     // checks everything first
//   SoftLabelSetImport done = importSoftLabelSet(ws, plan, "post.scp", runId, &progress);
//
// A soft-label set lives in WS/softlabels/<folder> (the catalog's path
// `softlabels/<folder>`); `label` and `import` name the folder
// `<dataset>-<model>` unless told otherwise. Every set names the model whose
// unit ids it holds (soft_label_sets.model_id is required), so an import
// names an existing model too.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

#include "core/store/catalog.h"
#include "core/store/model_registry.h"
#include "core/store/soft_label_kaldi.h"
#include "core/store/soft_label_store.h"
#include "core/store/soft_label_summary.h"

namespace understudy {

class ProgressSink;
class Workspace;

// "softlabels": the workspace folder of the stores, and the first part of their catalog paths.
inline constexpr const char* kSoftLabelsFolder = "softlabels";

// `--out` names one folder under WS/softlabels: throws for "", ".", ".." or a '/'.
void checkSoftLabelFolderName(const std::string& folder);

// The folder of a set under WS/softlabels (its catalog path without "softlabels/").
std::string softLabelSetFolder(const SoftLabelSetRow& set);

// The soft-label set of `dataset` chosen by
//   - `labels` (a folder under WS/softlabels, or the catalog path
//     "softlabels/<folder>"): that set, which must belong to the dataset (and
//     to `model`, if given);
//   - else `model`: the dataset's one set made with that model; of several,
//     the one in the default folder `<dataset>-<model>`;
//   - else the dataset's only set.
// Throws understudy::Error when none matches or the choice is ambiguous,
// listing the dataset's sets (folder, model, k, precision, utterances) and,
// when it has none, naming `understudy-cli label` and `import`; also when the
// chosen set's store folder is missing.
SoftLabelSetRow locateSoftLabelSet(Workspace& ws, const std::string& dataset,
                                   const std::string& model = {}, const std::string& labels = {});

struct SoftLabelImportRequest {
  std::string dataset;  // must exist
  std::string model;    // the model whose unit ids the posteriors hold; must exist
  std::string folder;   // under WS/softlabels (`--out`); empty: <dataset>-<model>
  int k = 20;           // pairs stored per frame (more are cut, fewer padded)
  SoftLabelPrecision precision = SoftLabelPrecision::Fp16;
  double temperature = 1.0;  // recorded only: the softmax temperature the posteriors were made at
};

struct SoftLabelImportPlan {
  DatasetRow dataset;
  ModelRow model;
  std::string path;  // catalog path, "softlabels/<folder>"
  std::filesystem::path storeDir;
  SoftLabelStoreOptions options;      // numUnits = the model's units
  bool storeExisted = false;          // resuming into an existing store
  std::size_t alreadyStored = 0;      // utterances already in it
  std::size_t datasetUtterances = 0;  // the dataset's ok utterances
};

// Resolves and checks everything an import needs before anything is written
// or a run recorded: the dataset, the model and its number of units (its unit
// inventory row, else the units.txt next to its weights), k (1 … the model's
// units), the folder (a plain name; not a set of another dataset; an existing
// store there must have the same k, precision, temperature, units and model).
SoftLabelImportPlan planSoftLabelImport(Workspace& ws, const SoftLabelImportRequest& request);

struct SoftLabelSetImport {
  SoftLabelImportResult records;  // imported, skipped (already there), truncated, padded, left out
  SoftLabelSetRow set;            // as registered
  SoftLabelSummary summary;       // as stored in soft_label_summaries
  std::size_t missing = 0;        // ok utterances of the dataset the store does not hold
};

// Reads an ark, or an scp (a name ending in .scp), into the planned store
// (importSoftLabelsFromKaldi: resumable, keys already there are skipped),
// keeping only records whose key is an ok utterance of the dataset (the others
// are counted, not stored), then registers the set in the catalog with
// `runId` (0: none) and the store's counts, and writes its label summary
// (SoftLabelSummary over the whole store, as `label` leaves it; against the
// dataset's `targets` alignment set when that uses the model's unit
// inventory) with the per-utterance rows (soft_label_utterances). Throws, leaving no new store behind, when no record of the
// archive belongs to the dataset.
SoftLabelSetImport importSoftLabelSet(Workspace& ws, const SoftLabelImportPlan& plan,
                                      const std::filesystem::path& arkOrScp, std::int64_t runId = 0,
                                      ProgressSink* progress = nullptr);

}  // namespace understudy
