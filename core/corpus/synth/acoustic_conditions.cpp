#include "core/corpus/synth/acoustic_conditions.h"

#include <fftw3.h>

#include <algorithm>
#include <cmath>
#include <memory>

#include "core/corpus/synth/synth_rng.h"
#include "core/util/error.h"

namespace understudy::synth {

namespace {

constexpr double kTwoPi = 6.283185307179586;

void normalisePower(std::vector<float>& x) {
  const double p = meanPower(x);
  if (p <= 0) return;
  const auto g = static_cast<float>(1.0 / std::sqrt(p));
  for (auto& v : x) v *= g;
}

struct FftwFree {
  void operator()(void* p) const { fftwf_free(p); }
};

}  // namespace

const char* noiseTypeName(NoiseType type) {
  switch (type) {
    case NoiseType::None: return "none";
    case NoiseType::White: return "white";
    case NoiseType::Pink: return "pink";
    case NoiseType::Babble: return "babble";
    case NoiseType::Hum: return "hum";
  }
  return "none";
}

double meanPower(const std::vector<float>& x) {
  if (x.empty()) return 0.0;
  double sum = 0.0;
  for (float v : x) sum += static_cast<double>(v) * v;
  return sum / static_cast<double>(x.size());
}

std::vector<float> makeNoise(NoiseType type, std::size_t length, int sampleRate, int humHz,
                             const std::vector<std::vector<float>>& babble, std::uint64_t seed) {
  SynthRng rng(seed, "noise");
  std::vector<float> n(length, 0.0f);
  switch (type) {
    case NoiseType::None:
      return n;
    case NoiseType::White:
      for (auto& v : n) v = static_cast<float>(rng.normal());
      break;
    case NoiseType::Pink: {
      // Paul Kellet's refined pink filter, then a 40 Hz DC blocker (microphones
      // do not pass a few hertz); warmed up so the start is stationary.
      double b[7] = {0, 0, 0, 0, 0, 0, 0};
      const double r = 1.0 - kTwoPi * 40.0 / sampleRate;
      double prevIn = 0.0, prevOut = 0.0;
      const std::size_t warmup = 16384;
      for (std::size_t i = 0; i < length + warmup; ++i) {
        const double w = rng.normal();
        b[0] = 0.99886 * b[0] + w * 0.0555179;
        b[1] = 0.99332 * b[1] + w * 0.0750759;
        b[2] = 0.96900 * b[2] + w * 0.1538520;
        b[3] = 0.86650 * b[3] + w * 0.3104856;
        b[4] = 0.55000 * b[4] + w * 0.5329522;
        b[5] = -0.7616 * b[5] - w * 0.0168980;
        const double pink = b[0] + b[1] + b[2] + b[3] + b[4] + b[5] + b[6] + w * 0.5362;
        b[6] = w * 0.115926;
        const double blocked = pink - prevIn + r * prevOut;
        prevIn = pink;
        prevOut = blocked;
        if (i >= warmup) n[i - warmup] = static_cast<float>(blocked);
      }
      break;
    }
    case NoiseType::Hum: {
      // Mains hum: fundamental and four harmonics falling as 1/k, random phases.
      double phase[6];
      for (int k = 1; k <= 5; ++k) phase[k] = rng.uniform(0.0, kTwoPi);
      for (std::size_t i = 0; i < length; ++i) {
        const double t = static_cast<double>(i) / sampleRate;
        double v = 0.0;
        for (int k = 1; k <= 5; ++k) v += std::sin(kTwoPi * humHz * k * t + phase[k]) / k;
        n[i] = static_cast<float>(v);
      }
      break;
    }
    case NoiseType::Babble: {
      if (babble.empty()) throw US_ERROR("babble noise needs at least one speech source");
      // Each talker at equal power, looped from a random offset to cover the length.
      for (const auto& src : babble) {
        if (src.empty()) continue;
        std::vector<float> s = src;
        normalisePower(s);
        std::size_t offset = rng.index(s.size());
        for (std::size_t i = 0; i < length; ++i) n[i] += s[(offset + i) % s.size()];
      }
      break;
    }
  }
  normalisePower(n);
  return n;
}

std::vector<float> makeReverbImpulse(double rt60, int sampleRate, std::uint64_t seed) {
  SynthRng rng(seed, "reverb");
  const auto length = static_cast<std::size_t>(std::ceil(rt60 * sampleRate));
  std::vector<float> h(std::max<std::size_t>(length, 1), 0.0f);
  h[0] = 1.0f;
  // Tail energy equal to the direct path's (direct-to-reverberant ratio 0 dB);
  // amplitude falls 60 dB over rt60.
  const double decay = 6.907755 / (rt60 * sampleRate);
  const double tailEnergy = 1.0 / (2.0 * decay);
  const double gain = 1.0 / std::sqrt(tailEnergy);
  const auto predelay = static_cast<std::size_t>(0.003 * sampleRate);
  for (std::size_t k = predelay; k < h.size(); ++k)
    h[k] = static_cast<float>(gain * rng.normal() * std::exp(-decay * static_cast<double>(k)));
  return h;
}

std::vector<float> convolveSame(const std::vector<float>& x, const std::vector<float>& h) {
  if (x.empty() || h.empty()) return x;
  std::size_t size = 1;
  while (size < x.size() + h.size() - 1) size <<= 1;
  const std::size_t bins = size / 2 + 1;
  std::unique_ptr<float, FftwFree> a(static_cast<float*>(fftwf_malloc(sizeof(float) * size)));
  std::unique_ptr<float, FftwFree> b(static_cast<float*>(fftwf_malloc(sizeof(float) * size)));
  std::unique_ptr<fftwf_complex, FftwFree> fa(
      static_cast<fftwf_complex*>(fftwf_malloc(sizeof(fftwf_complex) * bins)));
  std::unique_ptr<fftwf_complex, FftwFree> fb(
      static_cast<fftwf_complex*>(fftwf_malloc(sizeof(fftwf_complex) * bins)));
  if (!a || !b || !fa || !fb) throw US_ERROR("reverberation: out of memory");
  // FFTW_ESTIMATE plans are a function of the size only: same input, same bits.
  fftwf_plan forwardA = fftwf_plan_dft_r2c_1d(static_cast<int>(size), a.get(), fa.get(), FFTW_ESTIMATE);
  fftwf_plan forwardB = fftwf_plan_dft_r2c_1d(static_cast<int>(size), b.get(), fb.get(), FFTW_ESTIMATE);
  fftwf_plan inverse = fftwf_plan_dft_c2r_1d(static_cast<int>(size), fa.get(), a.get(), FFTW_ESTIMATE);
  std::fill(a.get(), a.get() + size, 0.0f);
  std::fill(b.get(), b.get() + size, 0.0f);
  std::copy(x.begin(), x.end(), a.get());
  std::copy(h.begin(), h.end(), b.get());
  fftwf_execute(forwardA);
  fftwf_execute(forwardB);
  for (std::size_t k = 0; k < bins; ++k) {
    const float re = fa.get()[k][0] * fb.get()[k][0] - fa.get()[k][1] * fb.get()[k][1];
    const float im = fa.get()[k][0] * fb.get()[k][1] + fa.get()[k][1] * fb.get()[k][0];
    fa.get()[k][0] = re;
    fa.get()[k][1] = im;
  }
  fftwf_execute(inverse);
  fftwf_destroy_plan(forwardA);
  fftwf_destroy_plan(forwardB);
  fftwf_destroy_plan(inverse);
  std::vector<float> y(x.size());
  const float scale = 1.0f / static_cast<float>(size);
  for (std::size_t i = 0; i < y.size(); ++i) y[i] = a.get()[i] * scale;
  return y;
}

void applyCondition(std::vector<float>& samples, int sampleRate, const AcousticCondition& condition,
                    const std::vector<std::vector<float>>& babble, std::uint64_t seed) {
  const double dryPower = meanPower(samples);
  if (condition.reverberant()) {
    samples = convolveSame(samples, makeReverbImpulse(condition.rt60, sampleRate, seed));
    // Keep the speech level: reverberation changes the colour, not the loudness.
    const double wetPower = meanPower(samples);
    if (wetPower > 0) {
      const auto g = static_cast<float>(std::sqrt(dryPower / wetPower));
      for (auto& v : samples) v *= g;
    }
  }
  if (condition.noisy()) {
    const double speechPower = meanPower(samples);
    std::vector<float> noise =
        makeNoise(condition.noise, samples.size(), sampleRate, condition.humHz, babble, seed);
    const auto g = static_cast<float>(std::sqrt(speechPower / std::pow(10.0, condition.snrDb / 10.0)));
    for (std::size_t i = 0; i < samples.size(); ++i) samples[i] += g * noise[i];
  }
  // Peak limit: one gain for the whole utterance, so the SNR stays as asked.
  float peak = 0.0f;
  for (float v : samples) peak = std::max(peak, std::fabs(v));
  if (peak > 0.95f) {
    const float g = 0.95f / peak;
    for (auto& v : samples) v *= g;
  }
  SynthRng rng(seed, "floor");
  const double floorRms = std::pow(10.0, condition.floorDb / 20.0);
  for (auto& v : samples) v += static_cast<float>(floorRms * rng.normal());
}

}  // namespace understudy::synth
