// core/audio: reading and writing sound files, resampling, CMVN statistics.
#include <QTemporaryDir>
#include <QtTest>

#include <fftw3.h>
#include <sndfile.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>

#include "core/audio/audio_io.h"
#include "core/audio/cmvn.h"
#include "core/audio/resampler.h"
#include "core/util/error.h"

using namespace understudy;
namespace fs = std::filesystem;

namespace {

std::vector<float> sine(double freq, int rate, std::size_t n, double amp = 0.5, double phase = 0.0) {
  std::vector<float> x(n);
  for (std::size_t i = 0; i < n; ++i)
    x[i] = static_cast<float>(amp * std::sin(2 * M_PI * freq * double(i) / rate + phase));
  return x;
}

// Writes interleaved `frames` with libsndfile directly (independent of writeWav).
void writeSndfile(const std::string& path, const std::vector<float>& interleaved, int rate, int channels,
                  int format) {
  SF_INFO info{};
  info.samplerate = rate;
  info.channels = channels;
  info.format = format;
  SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
  QVERIFY2(f, sf_strerror(nullptr));
  const auto frames = static_cast<sf_count_t>(interleaved.size() / std::size_t(channels));
  QCOMPARE(sf_writef_float(f, interleaved.data(), frames), frames);
  sf_close(f);
}

std::string readBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

void writeBytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out << bytes;
}

// Expects readAudio(path) to throw an Error naming the file and containing `reason`.
void expectReadError(const std::string& path, const char* reason) {
  try {
    readAudio(path);
    QFAIL(("no error reading " + path).c_str());
  } catch (const Error& e) {
    const std::string msg = e.what();
    qDebug("%s", msg.c_str());
    QVERIFY2(e.filePath() == path, msg.c_str());
    QVERIFY2(msg.find(path) != std::string::npos, msg.c_str());
    QVERIFY2(msg.find(reason) != std::string::npos, ("expected '" + std::string(reason) + "' in: " + msg).c_str());
  }
}

// Power spectrum of x (Blackman-Harris window, sidelobes < −92 dB), bin width rate / n.
std::vector<double> powerSpectrum(const std::vector<float>& x) {
  const int n = static_cast<int>(x.size());
  float* in = fftwf_alloc_real(std::size_t(n));
  fftwf_complex* out = fftwf_alloc_complex(std::size_t(n / 2 + 1));
  fftwf_plan plan = fftwf_plan_dft_r2c_1d(n, in, out, FFTW_ESTIMATE);
  for (int i = 0; i < n; ++i) {
    const double a = 2 * M_PI * i / (n - 1);
    const double w = 0.35875 - 0.48829 * std::cos(a) + 0.14128 * std::cos(2 * a) - 0.01168 * std::cos(3 * a);
    in[i] = static_cast<float>(x[std::size_t(i)] * w);
  }
  fftwf_execute(plan);
  std::vector<double> p(std::size_t(n / 2 + 1));
  for (std::size_t k = 0; k < p.size(); ++k) p[k] = double(out[k][0]) * out[k][0] + double(out[k][1]) * out[k][1];
  fftwf_destroy_plan(plan);
  fftwf_free(in);
  fftwf_free(out);
  return p;
}

struct ToneCheck {
  double peakHz;
  double suppressionDb;  // energy within ±20 Hz of `toneHz` over energy elsewhere
};

ToneCheck analyseTone(const std::vector<float>& y, int rate, double toneHz) {
  // Skip 0.1 s at each end (filter start-up) and analyse 1 s.
  const std::vector<float> mid(y.begin() + rate / 10, y.begin() + rate / 10 + rate);
  const auto p = powerSpectrum(mid);
  const double binHz = double(rate) / double(mid.size());
  std::size_t peak = 1;
  for (std::size_t k = 1; k < p.size(); ++k)
    if (p[k] > p[peak]) peak = k;
  double inBand = 0, outBand = 0;
  for (std::size_t k = 1; k < p.size(); ++k)
    (std::fabs(double(k) * binHz - toneHz) <= 20.0 ? inBand : outBand) += p[k];
  return {double(peak) * binHz, 10 * std::log10(inBand / std::max(outBand, 1e-300))};
}

}  // namespace

class TestAudio : public QObject {
  Q_OBJECT

  QTemporaryDir m_dir;
  std::string path(const char* name) { return m_dir.filePath(name).toStdString(); }

 private slots:
  // ------------------------------------------------------------ resampling
  void testResampleKeepsToneAndSuppressesImages_data() {
    QTest::addColumn<int>("inRate");
    QTest::newRow("44.1k->16k") << 44100;
    QTest::newRow("8k->16k") << 8000;
    QTest::newRow("48k->16k") << 48000;
    QTest::newRow("22.05k->16k (espeak)") << 22050;
  }
  void testResampleKeepsToneAndSuppressesImages() {
    QFETCH(int, inRate);
    const auto x = sine(1000.0, inRate, std::size_t(inRate) * 3 / 2);
    const auto y = resample(x, inRate, 16000);
    QCOMPARE(qint64(y.size()), qint64(std::llround(double(x.size()) * 16000 / inRate)));
    const ToneCheck c = analyseTone(y, 16000, 1000.0);
    QVERIFY2(std::fabs(c.peakHz - 1000.0) <= 1.0, QByteArray::number(c.peakHz));
    QVERIFY2(c.suppressionDb >= 60.0, QByteArray::number(c.suppressionDb) + " dB");
  }

  void testResampleRemovesContentAboveNewNyquist() {
    // A 12 kHz tone at 44.1 kHz would alias to 4 kHz at 16 kHz if not filtered.
    const auto x = sine(12000.0, 44100, 44100 * 3 / 2, 0.5);
    const auto y = resample(x, 44100, 16000);
    double energy = 0;
    for (std::size_t i = 1600; i + 1600 < y.size(); ++i) energy += double(y[i]) * y[i];
    const double rms = std::sqrt(energy / double(y.size() - 3200));
    const double db = 20 * std::log10(rms / (0.5 / std::sqrt(2.0)));
    QVERIFY2(db <= -60.0, QByteArray::number(db) + " dB");
  }

  void testResampleIsAlignedInTime() {
    // Linear phase with the delay compensated: a 440 Hz sine stays the same sine.
    const auto x = sine(440.0, 48000, 48000);
    const auto y = resample(x, 48000, 16000);
    const auto expected = sine(440.0, 16000, y.size());
    double worst = 0;
    for (std::size_t i = 800; i + 800 < y.size(); ++i) worst = std::max(worst, double(std::fabs(y[i] - expected[i])));
    QVERIFY2(worst < 1e-3, QByteArray::number(worst));
    QVERIFY(resample(x, 16000, 16000) == x);
    QVERIFY(resample({}, 8000, 16000).empty());
  }

  // ------------------------------------------------------------ reading
  void testReadsEveryEncodingAtItsPrecision_data() {
    QTest::addColumn<QString>("name");
    QTest::addColumn<int>("format");
    QTest::addColumn<double>("tolerance");
    QTest::newRow("wav int16") << "a16.wav" << (SF_FORMAT_WAV | SF_FORMAT_PCM_16) << 1.0 / 32768;
    QTest::newRow("wav int24") << "a24.wav" << (SF_FORMAT_WAV | SF_FORMAT_PCM_24) << 1.0 / 8388608;
    QTest::newRow("wav int32") << "a32.wav" << (SF_FORMAT_WAV | SF_FORMAT_PCM_32) << 1e-7;
    QTest::newRow("wav float") << "af.wav" << (SF_FORMAT_WAV | SF_FORMAT_FLOAT) << 0.0;
    QTest::newRow("flac 16") << "a.flac" << (SF_FORMAT_FLAC | SF_FORMAT_PCM_16) << 1.0 / 32768;
    QTest::newRow("flac 24") << "a24.flac" << (SF_FORMAT_FLAC | SF_FORMAT_PCM_24) << 1.0 / 8388608;
    QTest::newRow("ogg vorbis") << "a.ogg" << (SF_FORMAT_OGG | SF_FORMAT_VORBIS) << -1.0;
  }
  void testReadsEveryEncodingAtItsPrecision() {
    QFETCH(QString, name);
    QFETCH(int, format);
    QFETCH(double, tolerance);
    const std::string p = m_dir.filePath(name).toStdString();
    const auto x = sine(440.0, 16000, 16000, 0.5);
    writeSndfile(p, x, 16000, 1, format);
    const Audio a = readAudio(p);
    QCOMPARE(a.sampleRate, 16000);
    QCOMPARE(a.originalSampleRate, 16000);
    QCOMPARE(a.originalChannels, 1);
    QCOMPARE(a.samples.size(), x.size());
    QCOMPARE(a.durationSeconds(), 1.0);
    if (tolerance >= 0) {
      double worst = 0;
      for (std::size_t i = 0; i < x.size(); ++i) worst = std::max(worst, double(std::fabs(a.samples[i] - x[i])));
      QVERIFY2(worst <= tolerance, QByteArray::number(worst));
    } else {  // lossy: signal-to-error ratio
      double sig = 0, err = 0;
      for (std::size_t i = 0; i < x.size(); ++i) {
        sig += double(x[i]) * x[i];
        err += double(a.samples[i] - x[i]) * (a.samples[i] - x[i]);
      }
      QVERIFY2(10 * std::log10(sig / err) > 20.0, QByteArray::number(10 * std::log10(sig / err)));
    }
    const AudioInfo info = probeAudio(p);
    QCOMPARE(info.sampleRate, 16000);
    QCOMPARE(info.channels, 1);
    QCOMPARE(info.frames, std::int64_t(16000));
    QVERIFY2(!info.format.empty(), info.format.c_str());
  }

  void testStereoFirstChannelAndDownmix() {
    const auto left = sine(300.0, 16000, 8000, 0.4);
    const auto right = sine(700.0, 16000, 8000, 0.2);
    std::vector<float> inter;
    for (std::size_t i = 0; i < left.size(); ++i) {
      inter.push_back(left[i]);
      inter.push_back(right[i]);
    }
    const std::string p = path("stereo.wav");
    writeSndfile(p, inter, 16000, 2, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
    const Audio first = readAudio(p);
    QCOMPARE(first.originalChannels, 2);
    QVERIFY(first.samples == left);
    AudioReadOptions mix;
    mix.channels = ChannelMode::Downmix;
    const Audio down = readAudio(p, mix);
    for (std::size_t i = 0; i < left.size(); ++i) QVERIFY(std::fabs(down.samples[i] - 0.5f * (left[i] + right[i])) < 1e-7f);
    QCOMPARE(probeAudio(p).channels, 2);
  }

  void testOtherRatesAreResampledTo16k_data() {
    QTest::addColumn<int>("rate");
    QTest::newRow("8 kHz") << 8000;
    QTest::newRow("48 kHz") << 48000;
    QTest::newRow("44.1 kHz flac") << 44100;
  }
  void testOtherRatesAreResampledTo16k() {
    QFETCH(int, rate);
    const std::string p = m_dir.filePath(QString("rate%1.%2").arg(rate).arg(rate == 44100 ? "flac" : "wav")).toStdString();
    writeSndfile(p, sine(440.0, rate, std::size_t(rate) * 2, 0.5), rate,
                 1, (rate == 44100 ? SF_FORMAT_FLAC : SF_FORMAT_WAV) | SF_FORMAT_PCM_16);
    const Audio a = readAudio(p);
    QCOMPARE(a.sampleRate, 16000);
    QCOMPARE(a.originalSampleRate, rate);
    QCOMPARE(a.samples.size(), std::size_t(32000));
    const auto expected = sine(440.0, 16000, a.samples.size(), 0.5);
    double worst = 0;
    for (std::size_t i = 1600; i + 1600 < a.samples.size(); ++i)
      worst = std::max(worst, double(std::fabs(a.samples[i] - expected[i])));
    QVERIFY2(worst < 2e-3, QByteArray::number(worst));
    AudioReadOptions keep;
    keep.resample = false;
    const Audio raw = readAudio(p, keep);
    QCOMPARE(raw.sampleRate, rate);
    QCOMPARE(raw.samples.size(), std::size_t(rate) * 2);
  }

  void testSegmentsReadTheRightSamples() {
    std::vector<float> ramp(32000);
    for (std::size_t i = 0; i < ramp.size(); ++i) ramp[i] = float(i) / 65536.0f;
    const std::string p = path("ramp.wav");
    writeSndfile(p, ramp, 16000, 1, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
    const Audio seg = readAudio(p, {}, 0.5, 0.25);
    QCOMPARE(seg.samples.size(), std::size_t(4000));
    QCOMPARE(seg.samples.front(), ramp[8000]);
    QCOMPARE(seg.samples.back(), ramp[11999]);
    const Audio tail = readAudio(p, {}, 1.5);
    QCOMPARE(tail.samples.size(), std::size_t(8000));
    QCOMPARE(tail.samples.front(), ramp[24000]);
    // Up to 0.5 s past the end is clipped (Kaldi's max-overshoot); more is an error.
    QCOMPARE(readAudio(p, {}, 1.8, 0.4).samples.size(), std::size_t(3200));
    try {
      readAudio(p, {}, 1.0, 2.0);
      QFAIL("segment far past the end accepted");
    } catch (const Error& e) {
      QVERIFY2(std::string(e.what()).find("past the end") != std::string::npos, e.what());
    }
    try {
      readAudio(p, {}, 2.5);
      QFAIL("segment start past the end accepted");
    } catch (const Error& e) {
      QVERIFY2(std::string(e.what()).find("past the end") != std::string::npos, e.what());
    }
    // A segment of a 48 kHz file: offsets are in seconds, samples come back at 16 kHz.
    const std::string p48 = path("ramp48.wav");
    writeSndfile(p48, sine(440.0, 48000, 96000, 0.5), 48000, 1, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
    const Audio seg48 = readAudio(p48, {}, 0.5, 1.0);
    QCOMPARE(seg48.samples.size(), std::size_t(16000));
    const Audio full48 = readAudio(p48);
    double worst = 0;
    for (std::size_t i = 800; i < 15200; ++i)
      worst = std::max(worst, double(std::fabs(seg48.samples[i] - full48.samples[8000 + i])));
    QVERIFY2(worst < 2e-3, QByteArray::number(worst));
  }

  void testWriteWavIsAtomicPcm16() {
    const std::string p = path("written.wav");
    auto x = sine(440.0, 16000, 16000, 0.5);
    x[10] = 1.7f;  // clipped
    writeWav(p, x, 16000);
    for (const auto& entry : fs::directory_iterator(m_dir.path().toStdString()))
      QVERIFY2(entry.path().string().find(".tmp") == std::string::npos, entry.path().c_str());
    SF_INFO info{};
    SNDFILE* f = sf_open(p.c_str(), SFM_READ, &info);
    QVERIFY(f);
    QCOMPARE(info.format, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
    QCOMPARE(info.frames, sf_count_t(16000));
    std::vector<float> back(16000);
    sf_readf_float(f, back.data(), 16000);
    sf_close(f);
    for (std::size_t i = 0; i < x.size(); ++i) {
      const float want = std::clamp(x[i], -1.0f, 32767.0f / 32768.0f);
      QVERIFY2(std::fabs(back[i] - want) <= 1.0f / 32768.0f, QByteArray::number(i));
    }
  }

  // ------------------------------------------------------------ bad input
  void testMissingFileIsNamed() { expectReadError(path("nope.wav"), "not found"); }

  void testEmptyFileIsNamed() {
    writeBytes(path("empty.wav"), "");
    expectReadError(path("empty.wav"), "empty (0 bytes)");
  }

  void testHeaderWithZeroSamplesIsNamed() {
    writeSndfile(path("zero.wav"), {}, 16000, 1, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
    expectReadError(path("zero.wav"), "no samples");
  }

  void testRandomBytesAreCorrupt() {
    std::mt19937 rng(7);
    std::string junk(4096, '\0');
    for (char& c : junk) c = static_cast<char>(rng() & 0xff);
    writeBytes(path("random.wav"), junk);
    expectReadError(path("random.wav"), "not a recognised audio format or corrupt data");
  }

  void testDamagedWavHeaderIsCorrupt() {
    std::string junk = "RIFF\x24\x10\x00\x00WAVEjunk";
    junk += std::string(200, '\x07');
    writeBytes(path("damaged.wav"), junk);
    expectReadError(path("damaged.wav"), "corrupt or unsupported WAV file");
  }

  void testTruncatedWavIsReportedAsTruncated() {
    // libsndfile opens such a file and silently shrinks its length to the data
    // present (its log says "data : 32000 (should be 15978)"); we refuse it.
    const std::string full = path("full.wav");
    writeSndfile(full, sine(440.0, 16000, 16000), 16000, 1, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
    std::string bytes = readBytes(full);
    bytes.resize(bytes.size() / 2);
    writeBytes(path("truncated.wav"), bytes);
    expectReadError(path("truncated.wav"), "truncated");
  }

  void testTruncatedFlacIsReported() {
    const std::string full = path("full.flac");
    std::mt19937 rng(3);
    std::normal_distribution<float> g(0.0f, 0.1f);
    std::vector<float> noise(48000);
    for (float& v : noise) v = g(rng);
    writeSndfile(full, noise, 16000, 1, SF_FORMAT_FLAC | SF_FORMAT_PCM_16);
    std::string bytes = readBytes(full);
    bytes.resize(bytes.size() / 2);
    writeBytes(path("truncated.flac"), bytes);
    expectReadError(path("truncated.flac"), "truncated");
  }

  void testTextFileIsNotAudio() {
    writeBytes(path("wav.scp"), "utt1 /data/utt1.wav\nutt2 /data/utt2.wav\n");
    expectReadError(path("wav.scp"), "not an audio file (it is text)");
  }

  void testMp3IsRejectedWithAHint() {
    writeBytes(path("speech.mp3"), std::string("ID3\x03\x00\x00\x00\x00\x00\x21", 10) + std::string(500, '\x55'));
    expectReadError(path("speech.mp3"), "MP3");
  }

  void testUnsupportedRatesAreNamed() {
    writeSndfile(path("r96k.wav"), sine(440.0, 96000, 9600), 96000, 1, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
    expectReadError(path("r96k.wav"), "unsupported sample rate 96000 Hz");
    writeSndfile(path("r4k.wav"), sine(440.0, 4000, 4000), 4000, 1, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
    expectReadError(path("r4k.wav"), "unsupported sample rate 4000 Hz");
  }

  void testDirectoryIsNotAFile() { expectReadError(m_dir.path().toStdString(), "not a regular file"); }

  void testProbeReportsErrorsLikeRead() {
    try {
      probeAudio(path("nope.flac"));
      QFAIL("no error");
    } catch (const Error& e) {
      QVERIFY(std::string(e.what()).find("nope.flac") != std::string::npos);
    }
  }

  // ------------------------------------------------------------ CMVN
  void testCmvnStatsAreTheAnalyticMeanAndVariance() {
    // Row t: a_i + b_i * s_t with s_t = ±1 alternating: mean a_i, variance b_i².
    const int dim = 5;
    const int frames = 1000;
    std::vector<float> x(std::size_t(frames * dim));
    for (int t = 0; t < frames; ++t)
      for (int i = 0; i < dim; ++i) x[std::size_t(t * dim + i)] = float(i - 2) * 3.0f + float(i + 1) * (t % 2 ? 1.0f : -1.0f);
    CmvnStats s;
    s.accumulate(x.data(), frames, dim);
    QCOMPARE(s.dim(), dim);
    QCOMPARE(s.count(), double(frames));
    const auto mean = s.mean();
    const auto var = s.variance();
    for (int i = 0; i < dim; ++i) {
      QVERIFY(std::fabs(mean[std::size_t(i)] - (i - 2) * 3.0) < 1e-12);
      QVERIFY(std::fabs(var[std::size_t(i)] - double(i + 1) * (i + 1)) < 1e-9);
    }
  }

  void testCmvnApplyGivesZeroMeanUnitVariance() {
    std::mt19937 rng(11);
    std::normal_distribution<float> g(0.0f, 1.0f);
    const int dim = 64;
    const int frames = 3000;
    std::vector<float> x(std::size_t(frames * dim));
    for (int t = 0; t < frames; ++t)
      for (int i = 0; i < dim; ++i) x[std::size_t(t * dim + i)] = 10.0f + float(i) + (1.0f + float(i) / 8) * g(rng);
    CmvnStats s;
    s.accumulate(x.data(), frames, dim);
    auto meanOnly = x;
    CmvnOptions mo;
    mo.normVars = false;
    s.apply(meanOnly.data(), frames, dim, mo);
    s.apply(x.data(), frames, dim);
    for (int i = 0; i < dim; ++i) {
      double m = 0, v = 0, m2 = 0;
      for (int t = 0; t < frames; ++t) {
        m += x[std::size_t(t * dim + i)];
        v += double(x[std::size_t(t * dim + i)]) * x[std::size_t(t * dim + i)];
        m2 += meanOnly[std::size_t(t * dim + i)];
      }
      m /= frames;
      v = v / frames - m * m;
      QVERIFY2(std::fabs(m) < 1e-5, QByteArray::number(m));
      QVERIFY2(std::fabs(v - 1.0) < 1e-4, QByteArray::number(v));
      QVERIFY2(std::fabs(m2 / frames) < 1e-4, QByteArray::number(m2 / frames));
    }
  }

  void testCmvnMergeEqualsOnePassAndSavesExactly() {
    std::mt19937 rng(5);
    std::uniform_real_distribution<float> u(-20.0f, 20.0f);
    const int dim = 8;
    std::vector<float> x(std::size_t(700 * dim));
    for (float& v : x) v = u(rng);
    CmvnStats whole, a, b;
    whole.accumulate(x.data(), 700, dim);
    a.accumulate(x.data(), 300, dim);
    b.accumulate(x.data() + 300 * dim, 400, dim);
    a.merge(b);
    QCOMPARE(a.count(), whole.count());
    for (int i = 0; i < dim; ++i) {
      QVERIFY(std::fabs(a.mean()[std::size_t(i)] - whole.mean()[std::size_t(i)]) < 1e-12);
      QVERIFY(std::fabs(a.variance()[std::size_t(i)] - whole.variance()[std::size_t(i)]) < 1e-9);
    }
    const std::string p = path("cmvn.txt");
    whole.save(p);
    const CmvnStats back = CmvnStats::load(p);
    QCOMPARE(back.dim(), dim);
    QCOMPARE(back.count(), whole.count());
    QVERIFY(back.mean() == whole.mean());
    QVERIFY(back.variance() == whole.variance());
  }

  void testCmvnRejectsMismatchesAndBadFiles() {
    CmvnStats s;
    std::vector<float> x(10, 1.0f);
    s.accumulate(x.data(), 2, 5);
    QVERIFY_THROWS_EXCEPTION(Error, s.accumulate(x.data(), 5, 2));
    QVERIFY_THROWS_EXCEPTION(Error, s.apply(x.data(), 5, 2));
    QVERIFY_THROWS_EXCEPTION(Error, CmvnStats().apply(x.data(), 2, 5));
    writeBytes(path("bad_cmvn.txt"), "understudy-cmvn 1\ndim 3\ncount 10\nsum 1 2\nsum_squares 1 2 3\n");
    try {
      CmvnStats::load(path("bad_cmvn.txt"));
      QFAIL("bad file accepted");
    } catch (const Error& e) {
      QVERIFY2(std::string(e.what()).find("bad_cmvn.txt:4") != std::string::npos, e.what());
    }
    QVERIFY_THROWS_EXCEPTION(Error, CmvnStats::load(path("missing_cmvn.txt")));
  }
};

QTEST_GUILESS_MAIN(TestAudio)
#include "test_audio.moc"
