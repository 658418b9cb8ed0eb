// Exporting a dataset's features, frame targets or soft labels from the
// workspace as Kaldi archives, as `copy-feats` / `copy-int-vector` /
// `copy-post` would write them (docs/formats.md "Exporting to Kaldi").
//
//   Workspace ws = Workspace::open("exp");
//   std::filesystem::path dir = locateExportStore(ws, "synth-labeled", ExportWhat::Features);
//   RecordStore store = RecordStore::open(dir);
//   KaldiExportSummary s = exportStoreToKaldi(store, "feats.ark", "feats.scp",
//                                             KaldiArchiveWriter::Mode::Binary, &progress);
//
// Features become float matrices (frames × dims), targets int32 vectors (one
// unit id per 30 ms frame), soft labels Posterior records
// (exportSoftLabelSetToKaldi; the set from locateSoftLabelSet,
// core/store/soft_label_sets.h). Records are written in C-locale key order (as
// Kaldi's sorted tables expect), each read with its checksum verified. The scp
// lines are `key ARK:offset`, the offset pointing just past `key ` at the
// value, with ARK written as given. Both files appear atomically (temp file +
// rename): an interrupted export leaves no partial archive.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "core/store/kaldi_io.h"

namespace understudy {

class ProgressSink;
class RecordStore;
class SoftLabelStore;
class Workspace;

enum class ExportWhat { Features, Targets, SoftLabels };
const char* exportWhatName(ExportWhat what);  // "features" / "targets" / "softlabels"

// The store holding `dataset`'s features (the newest complete feature set, or
// the one named `featureSet`), its frame targets, or its soft labels (the
// dataset's only soft-label set; locateSoftLabelSet chooses among several).
// Throws understudy::Error for an unknown dataset (listing the known ones) or
// a dataset without them, with the command that makes them as the hint.
std::filesystem::path locateExportStore(Workspace& ws, const std::string& dataset, ExportWhat what,
                                        const std::string& featureSet = {});

struct KaldiExportSummary {
  std::size_t records = 0;
  std::uint64_t frames = 0;  // rows over all records
  int dims = 0;              // columns of a feature matrix; 1 for targets
  std::uint64_t arkBytes = 0;
};

// Writes every record of a float32 store as a matrix, or of an int32 store
// with one column as a vector, to `arkPath` (and `scpPath` unless empty).
// Checks the output paths before reading anything: an existing folder, not a
// directory, ark and scp distinct. Progress is reported in utterances.
KaldiExportSummary exportStoreToKaldi(const RecordStore& store, const std::filesystem::path& arkPath,
                                      const std::filesystem::path& scpPath,
                                      KaldiArchiveWriter::Mode mode,
                                      ProgressSink* progress = nullptr);

// The same for a soft-label store: exportSoftLabelsToKaldi (Posterior
// records, pairs with p = 0 left out) after the same output-path checks.
// dims is the store's k (pairs per frame at most).
KaldiExportSummary exportSoftLabelSetToKaldi(const SoftLabelStore& store,
                                             const std::filesystem::path& arkPath,
                                             const std::filesystem::path& scpPath,
                                             KaldiArchiveWriter::Mode mode,
                                             ProgressSink* progress = nullptr);

}  // namespace understudy
