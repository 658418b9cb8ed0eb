#include "core/audio/resampler.h"

#include <soxr.h>

#include <cmath>
#include <string>

#include "core/util/error.h"

namespace understudy {

std::vector<float> resample(const std::vector<float>& in, int inRate, int outRate) {
  if (inRate <= 0 || outRate <= 0)
    throw US_ERROR("resample: sample rates must be positive (got " + std::to_string(inRate) +
                   " -> " + std::to_string(outRate) + ")");
  if (inRate == outRate || in.empty()) {
    if (inRate == outRate) return in;
    return {};
  }
  const auto outLen = static_cast<size_t>(
      std::llround(static_cast<double>(in.size()) * outRate / static_cast<double>(inRate)));
  std::vector<float> out(outLen);
  if (outLen == 0) return out;
  soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
  soxr_quality_spec_t quality = soxr_quality_spec(SOXR_HQ, 0);
  soxr_runtime_spec_t runtime = soxr_runtime_spec(1);
  size_t done = 0;
  soxr_error_t err = soxr_oneshot(inRate, outRate, 1, in.data(), in.size(), nullptr, out.data(),
                                  outLen, &done, &io, &quality, &runtime);
  if (err)
    throw US_ERROR(std::string("resample ") + std::to_string(inRate) + " -> " +
                   std::to_string(outRate) + " Hz failed: " + err);
  out.resize(done);
  // soxr_oneshot can deliver one sample short of the rounded length; pad with the last value.
  if (done < outLen) out.resize(outLen, done ? out[done - 1] : 0.0f);
  return out;
}

}  // namespace understudy
