// Log mel filterbank features, bit-for-bit the definition of Kaldi's
// compute-fbank-feats (docs/audio.md "Filterbank features"), checked against
// torchaudio.compliance.kaldi.fbank in tests/core/audio.
//
//   FbankOptions opts;                       // 64 bins, 25/10 ms, povey, dither 0
//   Fbank fbank(opts);                       // plans the FFT once
//   std::vector<float> feats = fbank.compute(audio.samples);   // numFrames × dim, row-major
//
// Input samples are floats in [-1, 1]; they are scaled by 32768 internally, as
// Kaldi reads int16 audio. compute() is const and thread-safe: one Fbank can
// serve many threads. Speed figures: docs/performance.md ("fbank").
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace understudy {

class YamlSection;

struct FbankOptions {
  float sampleFrequency = 16000.0f;      // sample_frequency (Hz)
  float frameLengthMs = 25.0f;           // frame_length_ms
  float frameShiftMs = 10.0f;            // frame_shift_ms
  float dither = 0.0f;                   // dither: Gaussian noise stddev in int16 units (seeded)
  float preemphasisCoefficient = 0.97f;  // preemphasis_coefficient, [0, 1]
  bool removeDcOffset = true;            // remove_dc_offset
  std::string windowType = "povey";      // window_type: povey|hamming|hanning|rectangular|blackman
  float blackmanCoeff = 0.42f;           // blackman_coeff
  bool roundToPowerOfTwo = true;         // round_to_power_of_two
  int numMelBins = 64;                   // num_mel_bins, 4..1024 (Kaldi requires > 3)
  float lowFreq = 20.0f;                 // low_freq (Hz)
  float highFreq = 0.0f;                 // high_freq (Hz); ≤ 0 is an offset from Nyquist
  bool useEnergy = false;                // use_energy: add log energy (first column, last if htk_compat)
  float energyFloor = 0.0f;              // energy_floor (absolute, on the energy column)
  bool rawEnergy = true;                 // raw_energy: energy before preemphasis and window
  bool useLogFbank = true;               // use_log_fbank
  bool usePower = true;                  // use_power: power (true) or magnitude spectrum
  bool snipEdges = true;                 // snip_edges: only frames that fit; false: reflect edges
  bool htkCompat = false;                // htk_compat: energy column last

  // Throws understudy::Error naming the field (YAML key), its value and the allowed range.
  void validate() const;
  // "key: value" lines, one per field, each prefixed with `indent`.
  std::string toYaml(const std::string& indent = "") const;
  // Reads the keys above from `s` (absent keys keep their defaults), rejects
  // unknown keys and validates, pointing errors at the key's line.
  static FbankOptions fromYaml(YamlSection& s);

  int windowSize() const;        // samples per frame (400 at 16 kHz / 25 ms)
  int windowShift() const;       // samples between frames (160)
  int paddedWindowSize() const;  // FFT length (512)
};

class Fbank {
 public:
  explicit Fbank(const FbankOptions& options);
  ~Fbank();
  Fbank(const Fbank&) = delete;
  Fbank& operator=(const Fbank&) = delete;

  const FbankOptions& options() const { return m_options; }
  // Frames produced for `numSamples` samples (Kaldi's NumFrames).
  int numFrames(std::int64_t numSamples) const;
  // Values per frame: numMelBins (+1 with useEnergy).
  int dim() const { return m_options.numMelBins + (m_options.useEnergy ? 1 : 0); }

  // True when the FFT runs the tuned plan from the embedded FFTW wisdom (256/512
  // points on fftw 3.3.10), false on the slower FFTW_ESTIMATE fallback.
  bool fftPlanFromWisdom() const;

  // Writes numFrames(n) × dim() floats, row-major, to `out`.
  void compute(const float* samples, std::int64_t n, float* out) const;
  std::vector<float> compute(const std::vector<float>& samples) const;

 private:
  struct Impl;
  static void applyMelBanks(const Impl& d, const float* spectra, int numBins, float* mel);
  FbankOptions m_options;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace understudy
