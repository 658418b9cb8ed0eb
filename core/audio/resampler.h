// Sample-rate conversion with soxr (high quality: passband to 0.913 of the
// lower Nyquist, stopband rejection ≥ 100 dB, linear phase).
//
//   std::vector<float> y = resample(x, 22050, 16000);
//
// Output length is round(in.size() * outRate / inRate); the filter delay is
// compensated, so sample i of the output lines up with time i / outRate.
#pragma once

#include <vector>

namespace understudy {

std::vector<float> resample(const std::vector<float>& in, int inRate, int outRate);

}  // namespace understudy
