// Recording conditions for synthetic speech: a low noise floor under every
// utterance (espeak-ng writes exact zeros), additive noise (white, pink,
// babble, mains hum) at a chosen SNR, and simple reverberation (an
// exponentially decaying noise impulse response with a given RT60).
//
//   AcousticCondition c;  c.noise = NoiseType::Pink;  c.snrDb = 7.5;  c.rt60 = 0.4;
//   applyCondition(samples, 16000, c, babbleSources, seed);
//
// SNR is the ratio of the mean power of the speech (after reverberation) to
// the mean power of the added noise over the whole utterance. The floor is
// added last, at `floorDb` dBFS RMS. Output length equals input length.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace understudy::synth {

enum class NoiseType { None, White, Pink, Babble, Hum };

const char* noiseTypeName(NoiseType type);  // "none", "white", "pink", "babble", "hum"

struct AcousticCondition {
  NoiseType noise = NoiseType::None;
  double snrDb = 0.0;        // used when noise != None
  double rt60 = 0.0;         // seconds; 0 = no reverberation
  int humHz = 50;            // 50 or 60, for NoiseType::Hum
  double floorDb = -55.0;    // RMS of the noise floor in dBFS
  double leadingSilence = 0.2;   // seconds of silence before the speech
  double trailingSilence = 0.15; // seconds after it

  bool noisy() const { return noise != NoiseType::None; }
  bool reverberant() const { return rt60 > 0.0; }
};

// Applies reverberation, noise at the SNR, a peak limit (keeps SNR) and the
// floor to `samples` in place. `babble` holds other speech (any lengths) to
// mix for NoiseType::Babble. Deterministic in `seed`.
void applyCondition(std::vector<float>& samples, int sampleRate, const AcousticCondition& condition,
                    const std::vector<std::vector<float>>& babble, std::uint64_t seed);

// Building blocks (exposed for tests).
std::vector<float> makeNoise(NoiseType type, std::size_t length, int sampleRate, int humHz,
                             const std::vector<std::vector<float>>& babble, std::uint64_t seed);
std::vector<float> makeReverbImpulse(double rt60, int sampleRate, std::uint64_t seed);
// Linear convolution truncated to x's length (FFT, deterministic plans).
std::vector<float> convolveSame(const std::vector<float>& x, const std::vector<float>& h);
double meanPower(const std::vector<float>& x);

}  // namespace understudy::synth
