// Frame targets at the lower frame rate (docs/alignments.md "The 30 ms target rule").
//
// Alignments come at 10 ms, one unit per fbank frame; the model emits one
// frame per 30 ms. Model frame j is centred on 10 ms frame
// c_j = min(3j + 1, n - 1) and its target is the unit of that frame; an
// utterance of n feature frames has T'(n) = ceil(n / 3) model frames
// (outputFrames / centreFrame: core/util/frame_rule.h, shared with the model).
//
// An alignment must match its features' frame count: within `tolerance`
// frames (Kaldi and our fbank can differ by a frame or two at the edges) it
// is padded by repeating its last label or truncated; beyond, the utterance
// is rejected with a reason ("alignment has 412 frames, features 398
// (tolerance 2)").
//
//   FrameTargetResult r = makeFrameTargets(ali10ms, numFeatureFrames);
//   if (!r.ok()) rejected.push_back({key, r.rejectReason});
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/util/frame_rule.h"

namespace understudy {

struct FrameTargetOptions {
  int subsample = 3;  // 10 ms frames per model frame (3 -> 30 ms)
  int tolerance = 2;  // |alignment frames - feature frames| accepted (then padded / truncated)

  // Throws understudy::Error naming the field, value and allowed range.
  void validate() const;
  std::string toYaml() const;
};


struct FrameTargetResult {
  std::vector<std::int32_t> targets;  // T'(numFeatureFrames) unit ids; empty if rejected
  std::string rejectReason;           // empty if accepted
  int lengthDifference = 0;           // alignment frames - feature frames
  bool ok() const { return rejectReason.empty(); }
};

// Fits a 10 ms alignment to `numFeatureFrames` (pad with the last label or
// truncate within tolerance) and takes the centre frame of every model frame.
// An empty alignment or zero feature frames is a rejection too.
FrameTargetResult makeFrameTargets(const std::vector<std::int32_t>& alignment10ms,
                                   std::int64_t numFeatureFrames,
                                   const FrameTargetOptions& options = {});

// The 30 ms targets of an alignment that already has the features' length.
std::vector<std::int32_t> subsampleAlignment(const std::vector<std::int32_t>& alignment10ms,
                                             int subsample = 3);

}  // namespace understudy
