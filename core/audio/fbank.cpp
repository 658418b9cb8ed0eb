#include "core/audio/fbank.h"

#include <fftw3.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <mutex>
#include <random>

#include "core/util/error.h"
#include "core/util/yaml_config.h"

namespace understudy {

namespace {

constexpr float kEpsilon = std::numeric_limits<float>::epsilon();  // Kaldi's log floor
constexpr float kInt16Scale = 32768.0f;
constexpr std::uint32_t kDitherSeed = 0x5eed1234u;

// FFTW_PATIENT plans for the 256- and 512-point real FFTs (8 and 16 kHz at
// 25 ms), exported from fftw 3.3.10 (Debian bookworm). Measuring at run time
// would pick a plan by timing, so the features' low bits could change from one
// process to the next; this wisdom gives the fast plan (≈ 2× FFTW_ESTIMATE's)
// deterministically. Where it does not apply (other sizes, another fftw build,
// no AVX) planning falls back to FFTW_ESTIMATE, also deterministic.
constexpr const char* kFftwWisdom =
    "(fftw-3.3.10 fftwf_wisdom #x9e7d4dee #xdb14fed1 #x34bf76a4 #xeb6e8fdf\n"
    "  (fftwf_codelet_n2fv_32_avx 0 #x11048 #x11048 #x0 #x12d24524 #x289b57fa #x2bd8cbf3 #xaac91103)\n"
    "  (fftwf_codelet_r2cfII_8 2 #x11048 #x11048 #x0 #x23fb2e26 #x3fe4d3f4 #x78d7c0db #xaba9deb1)\n"
    "  (fftwf_codelet_hc2cfdftv_8_sse2 0 #x11048 #x11048 #x0 #x85773c49 #x9a968ccc #xbd37e819 #xac77e6a4)\n"
    "  (fftwf_codelet_hc2cfdftv_8_sse2 0 #x11048 #x11048 #x0 #x4bb69ce7 #x4599107c #x14ecc846 #x282ba2c3)\n"
    "  (fftwf_codelet_n2fv_64_avx 0 #x11048 #x11048 #x0 #x03406dff #xc8fa0a2c #x62a9a61e #xa394d874)\n"
    "  (fftwf_codelet_r2cf_8 2 #x11048 #x11048 #x0 #xe75b944c #x09ac1906 #x449b29ce #x7b6666b0)\n"
    "  (fftwf_codelet_r2cf_8 2 #x11048 #x11048 #x0 #xaae37515 #xc366903c #xc804fee2 #x44fc70a7)\n"
    "  (fftwf_codelet_r2cfII_8 2 #x11048 #x11048 #x0 #x76fa2a50 #xf4668261 #xbf8b003e #xbfa64206)\n"
    ")\n";

// FFTW's planner is not thread-safe; execution with the new-array API is.
std::mutex& fftwPlannerMutex() {
  static std::mutex m;
  return m;
}

double melScale(double hz) { return 1127.0 * std::log(1.0 + hz / 700.0); }

// Natural log of x > 0 (normal floats), branch-free so loops over it vectorise:
// x = m · 2^e with m in [√½, √2), log m = 2 atanh(s), s = (m − 1)/(m + 1),
// |s| ≤ 0.172, series to s⁹: error < 1e-8 before the final float rounding.
inline float fastLog(float x) {
  std::int32_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  std::int32_t e = ((bits >> 23) & 0xff) - 126;
  bits = (bits & 0x807fffff) | 0x3f000000;  // mantissa in [0.5, 1)
  float m;
  std::memcpy(&m, &bits, sizeof m);
  const bool small = m < 0.70710678f;
  e -= small;
  m = m + (small ? m : 0.0f);
  const float s = (m - 1.0f) / (m + 1.0f);
  const float z = s * s;
  const float p = 2.0f + z * (0.666666667f + z * (0.4f + z * (0.285714286f + z * 0.222222222f)));
  return s * p + 0.693147181f * static_cast<float>(e);
}

// v[i] = log(max(v[i], FLT_EPSILON)). Two loops: GCC vectorises each, not the
// fused one. An AVX2 clone is picked at load time where the CPU has it.
__attribute__((target_clones("avx2", "default"))) void logInPlace(float* v, int n) {
  for (int i = 0; i < n; ++i) v[i] = v[i] > kEpsilon ? v[i] : kEpsilon;
#pragma omp simd
  for (int i = 0; i < n; ++i) v[i] = fastLog(v[i]);
}

struct FftwFloatDeleter {
  void operator()(void* p) const { fftwf_free(p); }
};

template <typename T>
std::unique_ptr<T[], FftwFloatDeleter> fftwAlloc(std::size_t n) {
  auto* p = static_cast<T*>(fftwf_malloc(sizeof(T) * n));
  if (!p) throw US_ERROR("fbank: out of memory allocating FFT buffers");
  return std::unique_ptr<T[], FftwFloatDeleter>(p);
}

Error optionError(const std::string& key, const std::string& value, const std::string& range) {
  return US_ERROR("fbank." + key + " = " + value + " is out of range: " + range).key(key);
}

}  // namespace

// ---------------------------------------------------------------- options

int FbankOptions::windowSize() const {
  return static_cast<int>(static_cast<double>(sampleFrequency) * frameLengthMs * 0.001);
}

int FbankOptions::windowShift() const {
  return static_cast<int>(static_cast<double>(sampleFrequency) * frameShiftMs * 0.001);
}

int FbankOptions::paddedWindowSize() const {
  const int n = windowSize();
  if (!roundToPowerOfTwo) return n;
  int p = 1;
  while (p < n) p <<= 1;
  return p;
}

void FbankOptions::validate() const {
  auto num = [](double v) { return fmt::format("{}", v); };
  if (!(sampleFrequency >= 1000.0f && sampleFrequency <= 192000.0f))
    throw optionError("sample_frequency", num(sampleFrequency), "[1000, 192000] Hz");
  if (!(frameLengthMs > 0.0f) || windowSize() < 2)
    throw optionError("frame_length_ms", num(frameLengthMs), "> 0 and at least 2 samples long");
  if (!(frameShiftMs > 0.0f) || windowShift() < 1)
    throw optionError("frame_shift_ms", num(frameShiftMs), "> 0 and at least 1 sample long");
  if (paddedWindowSize() % 2 != 0)
    throw optionError("frame_length_ms", num(frameLengthMs),
                      "an even number of samples when round_to_power_of_two is false (got " +
                          std::to_string(windowSize()) + ")");
  if (!(dither >= 0.0f) || !std::isfinite(dither)) throw optionError("dither", num(dither), "≥ 0");
  if (!(preemphasisCoefficient >= 0.0f && preemphasisCoefficient <= 1.0f))
    throw optionError("preemphasis_coefficient", num(preemphasisCoefficient), "[0, 1]");
  static const char* kWindows[] = {"povey", "hamming", "hanning", "rectangular", "blackman"};
  if (std::none_of(std::begin(kWindows), std::end(kWindows),
                   [&](const char* w) { return windowType == w; }))
    throw optionError("window_type", "'" + windowType + "'",
                      "one of povey, hamming, hanning, rectangular, blackman");
  if (!std::isfinite(blackmanCoeff)) throw optionError("blackman_coeff", num(blackmanCoeff), "finite");
  if (numMelBins < 4 || numMelBins > 1024)
    throw optionError("num_mel_bins", std::to_string(numMelBins), "[4, 1024]");
  const double nyquist = 0.5 * sampleFrequency;
  const double high = highFreq <= 0.0f ? highFreq + nyquist : highFreq;
  if (!(lowFreq >= 0.0f && lowFreq < nyquist))
    throw optionError("low_freq", num(lowFreq), fmt::format("[0, {}) Hz (Nyquist)", nyquist));
  if (!(high > 0.0 && high <= nyquist))
    throw optionError("high_freq", num(highFreq),
                      fmt::format("(0, {0}] Hz, or (-{0}, 0] as an offset from Nyquist", nyquist));
  if (!(lowFreq < high))
    throw optionError("high_freq", num(highFreq),
                      fmt::format("above low_freq = {} Hz (effective high_freq {} Hz)", lowFreq, high));
  if (!(energyFloor >= 0.0f) || !std::isfinite(energyFloor))
    throw optionError("energy_floor", num(energyFloor), "≥ 0");
}

std::string FbankOptions::toYaml(const std::string& in) const {
  auto b = [](bool v) { return v ? "true" : "false"; };
  return fmt::format(
      "{0}sample_frequency: {1}\n{0}frame_length_ms: {2}\n{0}frame_shift_ms: {3}\n{0}dither: {4}\n"
      "{0}preemphasis_coefficient: {5}\n{0}remove_dc_offset: {6}\n{0}window_type: {7}\n"
      "{0}blackman_coeff: {8}\n{0}round_to_power_of_two: {9}\n{0}num_mel_bins: {10}\n"
      "{0}low_freq: {11}\n{0}high_freq: {12}\n{0}use_energy: {13}\n{0}energy_floor: {14}\n"
      "{0}raw_energy: {15}\n{0}use_log_fbank: {16}\n{0}use_power: {17}\n{0}snip_edges: {18}\n"
      "{0}htk_compat: {19}\n",
      in, sampleFrequency, frameLengthMs, frameShiftMs, dither, preemphasisCoefficient,
      b(removeDcOffset), windowType, blackmanCoeff, b(roundToPowerOfTwo), numMelBins, lowFreq,
      highFreq, b(useEnergy), energyFloor, b(rawEnergy), b(useLogFbank), b(usePower), b(snipEdges),
      b(htkCompat));
}

FbankOptions FbankOptions::fromYaml(YamlSection& s) {
  FbankOptions o;
  s.read("sample_frequency", o.sampleFrequency);
  s.read("frame_length_ms", o.frameLengthMs);
  s.read("frame_shift_ms", o.frameShiftMs);
  s.read("dither", o.dither);
  s.read("preemphasis_coefficient", o.preemphasisCoefficient);
  s.read("remove_dc_offset", o.removeDcOffset);
  s.read("window_type", o.windowType);
  s.read("blackman_coeff", o.blackmanCoeff);
  s.read("round_to_power_of_two", o.roundToPowerOfTwo);
  s.read("num_mel_bins", o.numMelBins);
  s.read("low_freq", o.lowFreq);
  s.read("high_freq", o.highFreq);
  s.read("use_energy", o.useEnergy);
  s.read("energy_floor", o.energyFloor);
  s.read("raw_energy", o.rawEnergy);
  s.read("use_log_fbank", o.useLogFbank);
  s.read("use_power", o.usePower);
  s.read("snip_edges", o.snipEdges);
  s.read("htk_compat", o.htkCompat);
  s.finish();
  s.validate([&] { o.validate(); });
  return o;
}

// ---------------------------------------------------------------- Fbank

struct Fbank::Impl {
  int windowSize = 0;
  int windowShift = 0;
  int padded = 0;
  std::vector<float> scaledWindow;  // window coefficients × 32768 (Kaldi's int16 scale)
  // Sparse triangular mel filters: bin b covers FFT bins [first[b], first[b] + count[b]).
  std::vector<int> first;
  std::vector<int> count;
  std::vector<int> offset;     // into weights
  std::vector<float> weights;  // all bins' nonzero weights, concatenated
  int spectrumSize = 0;        // FFT bins any filter touches (power computed up to here)
  fftwf_plan plan = nullptr;
  bool planFromWisdom = false;
};

namespace {

// Frames per block in compute(): one AVX register of frames per mel weight.
constexpr int kBlock = 8;

__attribute__((target_clones("avx2", "default"))) float frameMean(const float* x, int n) {
  float sum = 0.0f;
#pragma omp simd reduction(+ : sum)
  for (int j = 0; j < n; ++j) sum += x[j];
  return sum / static_cast<float>(n);
}

__attribute__((target_clones("avx2", "default"))) float centredEnergy(const float* x, int n, float mean) {
  float e = 0.0f;
#pragma omp simd reduction(+ : e)
  for (int j = 0; j < n; ++j) e += (x[j] - mean) * (x[j] - mean);
  return e;
}

// y[j] = ((x[j] − m) − c (x[j−1] − m)) · w[j], with x[−1] = x[0] (Kaldi).
__attribute__((target_clones("avx2", "default"))) void preemphasizeAndWindow(const float* x, int n, float mean,
                                                                            float c, const float* w, float* y) {
  y[0] = ((x[0] - mean) - c * (x[0] - mean)) * w[0];
#pragma omp simd
  for (int j = 1; j < n; ++j) y[j] = ((x[j] - mean) - c * (x[j - 1] - mean)) * w[j];
}

}  // namespace

// mel[b * kBlock + i] = Σ_k weight(b, k) · spectra[k * kBlock + i] for a block
// of frames: one broadcast multiply-add of kBlock lanes per filter weight.
__attribute__((target_clones("avx2", "default"))) void Fbank::applyMelBanks(const Impl& d, const float* spectra,
                                                                           int numBins, float* mel) {
  typedef float Lanes __attribute__((vector_size(kBlock * sizeof(float))));
  for (int b = 0; b < numBins; ++b) {
    Lanes acc = {};
    const float* w = d.weights.data() + d.offset[static_cast<size_t>(b)];
    const float* s = spectra + static_cast<std::ptrdiff_t>(d.first[static_cast<size_t>(b)]) * kBlock;
    const int cnt = d.count[static_cast<size_t>(b)];
    for (int k = 0; k < cnt; ++k) {
      Lanes v;
      std::memcpy(&v, s + k * kBlock, sizeof v);
      acc += w[k] * v;
    }
    std::memcpy(mel + b * kBlock, &acc, sizeof acc);
  }
}

Fbank::Fbank(const FbankOptions& options) : m_options(options), m_impl(std::make_unique<Impl>()) {
  m_options.validate();
  Impl& d = *m_impl;
  d.windowSize = m_options.windowSize();
  d.windowShift = m_options.windowShift();
  d.padded = m_options.paddedWindowSize();

  // Window functions (Kaldi FeatureWindowFunction).
  d.scaledWindow.resize(static_cast<size_t>(d.windowSize));
  const double a = 2.0 * M_PI / (d.windowSize - 1);
  for (int i = 0; i < d.windowSize; ++i) {
    double w = 1.0;
    const std::string& t = m_options.windowType;
    if (t == "hanning") w = 0.5 - 0.5 * std::cos(a * i);
    else if (t == "hamming") w = 0.54 - 0.46 * std::cos(a * i);
    else if (t == "povey") w = std::pow(0.5 - 0.5 * std::cos(a * i), 0.85);
    else if (t == "blackman")
      w = m_options.blackmanCoeff - 0.5 * std::cos(a * i) +
          (0.5 - m_options.blackmanCoeff) * std::cos(2.0 * a * i);
    d.scaledWindow[static_cast<size_t>(i)] = static_cast<float>(w * kInt16Scale);
  }

  // Mel filters (Kaldi MelBanks): numBins triangles equally spaced on the mel
  // scale between lowFreq and highFreq, over FFT bins 0 .. padded/2 - 1.
  // Computed in float in the same order as Kaldi and torchaudio: the narrow
  // low-frequency triangles' edge weights are differences of nearby mels, and
  // doing them in double would move low bins by ~1e-3 against the references.
  const int numBins = m_options.numMelBins;
  const int numFftBins = d.padded / 2;
  const double nyquist = 0.5 * m_options.sampleFrequency;
  const double highFreq = m_options.highFreq <= 0.0f ? m_options.highFreq + nyquist : m_options.highFreq;
  const double fftBinWidth = static_cast<double>(m_options.sampleFrequency) / d.padded;
  const double melLow = melScale(m_options.lowFreq);
  const double melHigh = melScale(highFreq);
  const double melDelta = (melHigh - melLow) / (numBins + 1);
  auto melScaleFloat = [](float hz) { return 1127.0f * std::log(1.0f + hz / 700.0f); };
  d.first.assign(static_cast<size_t>(numBins), 0);
  d.count.assign(static_cast<size_t>(numBins), 0);
  d.offset.assign(static_cast<size_t>(numBins), 0);
  for (int b = 0; b < numBins; ++b) {
    const auto left = static_cast<float>(static_cast<float>(b * melDelta) + melLow);
    const auto center = static_cast<float>(static_cast<float>((b + 1.0) * melDelta) + melLow);
    const auto right = static_cast<float>(static_cast<float>((b + 2.0) * melDelta) + melLow);
    d.offset[static_cast<size_t>(b)] = static_cast<int>(d.weights.size());
    int firstIndex = -1;
    int lastIndex = -1;
    for (int i = 0; i < numFftBins; ++i) {
      const float mel = melScaleFloat(static_cast<float>(fftBinWidth * i));
      if (mel > left && mel < right) {
        const float w = mel <= center ? (mel - left) / (center - left) : (right - mel) / (right - center);
        if (firstIndex < 0) firstIndex = i;
        d.weights.push_back(w);
        lastIndex = i;
      }
    }
    d.first[static_cast<size_t>(b)] = std::max(firstIndex, 0);
    d.count[static_cast<size_t>(b)] = firstIndex < 0 ? 0 : lastIndex - firstIndex + 1;
    d.spectrumSize = std::max(d.spectrumSize, firstIndex < 0 ? 0 : lastIndex + 1);
  }

  // One plan for the object's lifetime, chosen deterministically (kFftwWisdom).
  auto in = fftwAlloc<float>(static_cast<size_t>(d.padded));
  auto out = fftwAlloc<fftwf_complex>(static_cast<size_t>(d.padded / 2 + 1));
  {
    std::lock_guard<std::mutex> lock(fftwPlannerMutex());
    static const bool wisdomLoaded = fftwf_import_wisdom_from_string(kFftwWisdom) != 0;
    if (wisdomLoaded)
      d.plan = fftwf_plan_dft_r2c_1d(d.padded, in.get(), out.get(), FFTW_PATIENT | FFTW_WISDOM_ONLY);
    d.planFromWisdom = d.plan != nullptr;
    if (!d.plan) d.plan = fftwf_plan_dft_r2c_1d(d.padded, in.get(), out.get(), FFTW_ESTIMATE);
  }
  if (!d.plan) throw US_ERROR("fbank: FFTW could not plan a " + std::to_string(d.padded) + "-point FFT");
}

Fbank::~Fbank() {
  if (m_impl && m_impl->plan) {
    std::lock_guard<std::mutex> lock(fftwPlannerMutex());
    fftwf_destroy_plan(m_impl->plan);
  }
}

bool Fbank::fftPlanFromWisdom() const { return m_impl->planFromWisdom; }

int Fbank::numFrames(std::int64_t numSamples) const {
  const std::int64_t ws = m_impl->windowSize;
  const std::int64_t shift = m_impl->windowShift;
  if (numSamples <= 0) return 0;
  if (m_options.snipEdges) return numSamples < ws ? 0 : static_cast<int>(1 + (numSamples - ws) / shift);
  return static_cast<int>((numSamples + shift / 2) / shift);
}

std::vector<float> Fbank::compute(const std::vector<float>& samples) const {
  std::vector<float> out(static_cast<size_t>(numFrames(static_cast<std::int64_t>(samples.size()))) *
                         static_cast<size_t>(dim()));
  compute(samples.data(), static_cast<std::int64_t>(samples.size()), out.data());
  return out;
}

void Fbank::compute(const float* samples, std::int64_t n, float* out) const {
  const Impl& d = *m_impl;
  const FbankOptions& o = m_options;
  const int frames = numFrames(n);
  if (frames == 0) return;
  const int ws = d.windowSize;
  const int numBins = o.numMelBins;
  const int featDim = dim();
  const int melColumn = o.useEnergy && !o.htkCompat ? 1 : 0;
  const int nsp = d.spectrumSize;
  const float preemph = o.preemphasisCoefficient;
  const float logEnergyFloor = o.energyFloor > 0.0f ? std::log(o.energyFloor) : -1e30f;
  // Kaldi works at int16 scale; the scale is folded into the window
  // (d.scaledWindow) and into the energy, so samples are read only once.
  const float energyScale = kInt16Scale * kInt16Scale;
  const float ditherScaled = o.dither / kInt16Scale;

  // Frames go through in blocks of kBlock: each frame is framed, windowed and
  // FFT'd on its own, then the block's power spectra are stored frame-minor
  // (spectra[k * kBlock + i]) so that every mel weight multiplies kBlock frames
  // in one vector operation. A block's buffers (≈ 30 KB) stay in L1/L2.
  // Per-call buffers keep compute() const and thread-safe.
  const std::size_t outStride = (static_cast<std::size_t>(d.padded / 2 + 1) + 7) & ~std::size_t(7);  // complex
  auto frame = fftwAlloc<float>(static_cast<size_t>(ws));
  auto fftIn = fftwAlloc<float>(static_cast<size_t>(d.padded));
  auto fftOut = fftwAlloc<fftwf_complex>(outStride * kBlock);
  auto spectra = fftwAlloc<float>(static_cast<size_t>(nsp) * kBlock);
  auto melBlock = fftwAlloc<float>(static_cast<size_t>(numBins) * kBlock);
  std::fill(fftIn.get(), fftIn.get() + d.padded, 0.0f);
  std::fill(spectra.get(), spectra.get() + static_cast<size_t>(nsp) * kBlock, 0.0f);
  float* fr = frame.get();
  float* fi = fftIn.get();
  float* spT = spectra.get();
  float* melT = melBlock.get();
  const float* win = d.scaledWindow.data();
  float logEnergy[kBlock] = {};

  std::mt19937 rng(kDitherSeed);
  std::normal_distribution<float> gauss(0.0f, 1.0f);

  for (int f0 = 0; f0 < frames; f0 += kBlock) {
    const int nf = std::min(kBlock, frames - f0);
    for (int i = 0; i < nf; ++i) {
      const int f = f0 + i;
      // 1. The frame's samples: in place when it lies inside the signal, else
      //    gathered with Kaldi's reflection at the edges (snip_edges false).
      const std::int64_t start = o.snipEdges ? static_cast<std::int64_t>(f) * d.windowShift
                                             : static_cast<std::int64_t>(f) * d.windowShift +
                                                   d.windowShift / 2 - ws / 2;
      const float* x = samples + start;
      if (start < 0 || start + ws > n || ditherScaled > 0.0f) {
        for (int j = 0; j < ws; ++j) {
          std::int64_t s = start + j;
          while (s < 0 || s >= n) s = s < 0 ? -s - 1 : 2 * n - 1 - s;
          fr[j] = samples[s];
        }
        if (ditherScaled > 0.0f)
          for (int j = 0; j < ws; ++j) fr[j] += ditherScaled * gauss(rng);
        x = fr;
      }

      // 2. DC offset, raw log energy, pre-emphasis and window.
      const float mean = o.removeDcOffset ? frameMean(x, ws) : 0.0f;
      if (o.useEnergy && o.rawEnergy)
        logEnergy[i] = std::max(std::log(std::max(centredEnergy(x, ws, mean) * energyScale, kEpsilon)),
                                logEnergyFloor);
      preemphasizeAndWindow(x, ws, mean, preemph, win, fi);
      if (o.useEnergy && !o.rawEnergy)
        logEnergy[i] = std::max(std::log(std::max(centredEnergy(fi, ws, 0.0f), kEpsilon)), logEnergyFloor);

      // 3. FFT.
      fftwf_execute_dft_r2c(d.plan, fi, fftOut.get() + outStride * static_cast<std::size_t>(i));
    }

    // 4. Power (or magnitude) spectra, frame-minor.
    for (int i = 0; i < nf; ++i) {
      const float* c = reinterpret_cast<const float*>(fftOut.get() + outStride * static_cast<std::size_t>(i));
      for (int k = 0; k < nsp; ++k) spT[k * kBlock + i] = c[2 * k] * c[2 * k] + c[2 * k + 1] * c[2 * k + 1];
    }
    if (!o.usePower)
      for (int k = 0; k < nsp * kBlock; ++k) spT[k] = std::sqrt(spT[k]);

    // 5. Mel filters for the whole block, log.
    applyMelBanks(d, spT, numBins, melT);
    if (o.useLogFbank) logInPlace(melT, numBins * kBlock);

    for (int i = 0; i < nf; ++i) {
      float* row = out + static_cast<std::int64_t>(f0 + i) * featDim;
      for (int b = 0; b < numBins; ++b) row[melColumn + b] = melT[b * kBlock + i];
      if (o.useEnergy) row[o.htkCompat ? numBins : 0] = logEnergy[i];
    }
  }
}

}  // namespace understudy
