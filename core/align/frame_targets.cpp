#include "core/align/frame_targets.h"

#include <algorithm>
#include <cstdlib>

#include "core/util/error.h"

namespace understudy {

void FrameTargetOptions::validate() const {
  if (subsample < 1 || subsample > 16) {
    throw US_ERROR("targets.subsample = " + std::to_string(subsample) +
                   " is outside the allowed range 1..16");
  }
  if (tolerance < 0 || tolerance > 100) {
    throw US_ERROR("targets.tolerance = " + std::to_string(tolerance) +
                   " is outside the allowed range 0..100");
  }
}

std::string FrameTargetOptions::toYaml() const {
  return "subsample: " + std::to_string(subsample) + "\ntolerance: " + std::to_string(tolerance) +
         "\n";
}

std::vector<std::int32_t> subsampleAlignment(const std::vector<std::int32_t>& alignment10ms,
                                             int subsample) {
  const auto n = static_cast<std::int64_t>(alignment10ms.size());
  std::vector<std::int32_t> targets(static_cast<std::size_t>(outputFrames(n, subsample)));
  for (std::int64_t j = 0; j < static_cast<std::int64_t>(targets.size()); ++j)
    targets[static_cast<std::size_t>(j)] =
        alignment10ms[static_cast<std::size_t>(centreFrame(j, n, subsample))];
  return targets;
}

FrameTargetResult makeFrameTargets(const std::vector<std::int32_t>& alignment10ms,
                                   std::int64_t numFeatureFrames,
                                   const FrameTargetOptions& options) {
  options.validate();
  FrameTargetResult result;
  const auto n = static_cast<std::int64_t>(alignment10ms.size());
  result.lengthDifference = static_cast<int>(n - numFeatureFrames);
  if (n == 0) {
    result.rejectReason = "alignment is empty";
    return result;
  }
  if (numFeatureFrames <= 0) {
    result.rejectReason = "features have no frames";
    return result;
  }
  if (std::llabs(n - numFeatureFrames) > options.tolerance) {
    result.rejectReason = "alignment has " + std::to_string(n) + " frames, features " +
                          std::to_string(numFeatureFrames) + " (tolerance " +
                          std::to_string(options.tolerance) + ")";
    return result;
  }
  std::vector<std::int32_t> fitted(alignment10ms.begin(),
                                   alignment10ms.begin() + std::min(n, numFeatureFrames));
  fitted.resize(static_cast<std::size_t>(numFeatureFrames), alignment10ms.back());
  result.targets = subsampleAlignment(fitted, options.subsample);
  return result;
}

}  // namespace understudy
