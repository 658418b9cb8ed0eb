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
// Output: a TargetStore under WS/alignments/<dataset>/targets (replaced
// whole), a unit_inventories row, and the dataset's alignment_sets row named
// "targets" (frame_shift_ms 30) with num_utterances / num_rejected.
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

struct RejectedUtterance {
  std::string key;
  std::string reason;
};

struct TargetsSummary {
  std::string dataset;
  std::string source;  // alignment_sets.source: "synthetic" or "kaldi"
  std::filesystem::path dir;
  int numUtterances = 0;  // targets written
  int numRejected = 0;
  int numPadded = 0;     // alignment shorter than the features, within tolerance
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
