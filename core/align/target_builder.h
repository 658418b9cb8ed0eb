// Building a dataset's 30 ms frame targets from its 10 ms alignments.
//
// Sources of alignments (AlignmentSource::path):
//   - a folder with ali.txt (Kaldi text int32-vector archive, one unit id per
//     10 ms frame, ids from the folder's phones.txt): the synthetic corpus
//     writes WS/alignments/<dataset>/{phones.txt, ali.txt}; that folder is the
//     default when path is empty;
//   - a Kaldi archive (text or binary ark, or an .scp) of pdf alignments
//     (`ali-to-pdf` output): units are pdf0..pdf<max> unless a names file
//     ("<name> <pdf-id>" per line) is given as `units`.
// Frame counts come from the dataset's features (the newest complete
// feature_sets row, or the one named). Every utterance is fitted with
// makeFrameTargets(); rejected ones (length mismatch beyond the tolerance,
// no features, no alignment) are listed with their reason and the rest goes
// on. An alignment id that is not a unit is an Error naming the utterance:
// the units file does not belong to the alignments.
//
//   TargetsSummary s = buildTargets(ws, "synth-labeled", {}, &progress);
//   for (auto& r : s.rejected) log::warning("{}: {}", r.key, r.reason);
//
// Targets are keyed by their config (TargetsConfig: the alignment source and
// its content, the units, the feature set, the inventory name, the frame
// rule) like feature sets: a TargetStore under
// WS/alignments/<dataset>/targets-<hash8>/, its full 16-hex config hash in
// the store's metadata. The dataset's alignment_sets row named "targets"
// (frame_shift_ms 30, num_utterances / num_rejected, the unit inventory)
// points at the set built or found last: readers follow it
// (TargetStore::datasetDir). Building again with the same config finds the
// set done and rewrites nothing; another config builds another folder and
// leaves the old one as it was (a trainer reading it is not disturbed).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/align/frame_targets.h"

namespace understudy {

class ProgressSink;
class Workspace;

struct AlignmentSource {
  std::filesystem::path path;   // folder with ali.txt, or an ark / .scp; empty: WS/alignments/<dataset>
  std::filesystem::path units;  // phones.txt / pdf names; empty: <folder>/phones.txt, or pdf0..max
};

struct TargetBuildOptions {
  FrameTargetOptions frames;
  std::string inventoryName;  // unit_inventories.name; empty: "<phones|pdf>-<n>-<hash8>"
  std::string featureSet;     // feature_sets.name; empty: the newest complete set

  void validate() const { frames.validate(); }
};

// The settings that shape a dataset's targets, resolved against the
// workspace (defaults filled in); its toYaml() is the targets' config and
// configHash(toYaml()) keys them (docs/alignments.md "Keyed by config").
struct TargetsConfig {
  std::string alignments;      // ali folder, ark or scp; workspace-relative when inside it
  std::string alignmentsXxh3;  // 16 hex of the ali.txt / ark / scp bytes
  std::string units;           // phones.txt / pdf names ("" = pdf0..max)
  std::string unitsXxh3;       // "" without a units file
  std::string featureSet;      // the feature_sets row giving the frame counts
  std::string featureConfigHash;
  std::string inventory;       // as asked ("" = the default name)
  FrameTargetOptions frames;

  std::string toYaml() const;  // canonical: every key, fixed order
  std::string hash() const;    // configHash(toYaml()): 16 hex
  std::string folderName() const { return "targets-" + hash().substr(0, 8); }
};

// Throws understudy::Error as buildTargets would (unknown dataset, no
// alignments, no complete feature set).
TargetsConfig resolveTargetsConfig(Workspace& ws, const std::string& dataset,
                                   const AlignmentSource& source = {},
                                   const TargetBuildOptions& options = {});

struct RejectedUtterance {
  std::string key;
  std::string reason;
};

struct TargetsSummary {
  std::string dataset;
  std::string source;  // alignment_sets.source: "synthetic" or "kaldi"
  std::filesystem::path dir;  // WS/alignments/<dataset>/targets-<hash8>
  std::string configYaml;      // TargetsConfig::toYaml()
  std::string configHash;      // 16 hex
  bool alreadyBuilt = false;   // found done: nothing was written (counts from the store)
  int numUtterances = 0;  // targets written
  int numRejected = 0;
  int numPadded = 0;  // (0 when alreadyBuilt)     // alignment shorter than the features, within tolerance
  int numTruncated = 0;  // alignment longer than the features, within tolerance
  std::int64_t numTargetFrames = 0;  // 30 ms frames written
  int numUnits = 0;
  std::string inventoryName;
  std::int64_t unitInventoryId = 0;
  std::int64_t alignmentSetId = 0;
  std::vector<RejectedUtterance> rejected;  // in alignment order, then missing alignments
  double seconds = 0.0;
};

TargetsSummary buildTargets(Workspace& ws, const std::string& dataset,
                            const AlignmentSource& source = {}, ProgressSink* progress = nullptr,
                            const TargetBuildOptions& options = {});

// Kaldi pdf alignments (`ali-to-pdf` output, text or binary ark, or scp) to
// targets; `unitNames` optionally names the pdfs. Same as buildTargets.
TargetsSummary importKaldiAlignments(Workspace& ws, const std::string& dataset,
                                     const std::filesystem::path& arkPath,
                                     const std::filesystem::path& unitNames = {},
                                     ProgressSink* progress = nullptr,
                                     const TargetBuildOptions& options = {});

}  // namespace understudy
