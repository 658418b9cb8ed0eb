// core/audio Fbank: parity with torchaudio.compliance.kaldi.fbank (Kaldi's
// compute-fbank-feats definition), options, determinism and thread safety.
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "core/audio/fbank.h"
#include "core/audio/fbank_config.h"
#include "core/util/error.h"
#include "core/util/yaml_config.h"
#include "support/test_support.h"

using namespace understudy;

namespace {

// Chirp 100 Hz → 3.3 kHz plus a 180 Hz hum and white noise at −20 dB, with a
// stretch of digital silence: covers low and high mel bins and the log floor.
std::vector<float> testSignal(std::size_t n, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> noise(0.0f, 1.0f);
  std::vector<float> x(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double t = static_cast<double>(i) / 16000.0;
    x[i] = static_cast<float>(0.3 * std::sin(2 * M_PI * (100 * t + 400 * t * t)) +
                              0.1 * std::sin(2 * M_PI * 180 * t)) +
           0.05f * noise(rng);
  }
  for (std::size_t i = n / 3; i < n / 3 + n / 8; ++i) x[i] = 0.0f;
  return x;
}

// torchaudio.compliance.kaldi.fbank's argument names for every option.
QString torchaudioArgs(const FbankOptions& o) {
  auto b = [](bool v) { return v ? QStringLiteral("true") : QStringLiteral("false"); };
  return QStringLiteral(
             "sample_frequency=%1 frame_length=%2 frame_shift=%3 dither=0 preemphasis_coefficient=%4 "
             "remove_dc_offset=%5 window_type=%6 blackman_coeff=%7 round_to_power_of_two=%8 "
             "num_mel_bins=%9 low_freq=%10 high_freq=%11 use_energy=%12 energy_floor=%13 "
             "raw_energy=%14 use_log_fbank=%15 use_power=%16 snip_edges=%17 htk_compat=%18")
      .arg(o.sampleFrequency)
      .arg(o.frameLengthMs)
      .arg(o.frameShiftMs)
      .arg(o.preemphasisCoefficient)
      .arg(b(o.removeDcOffset))
      .arg(QString::fromStdString(o.windowType))
      .arg(o.blackmanCoeff)
      .arg(b(o.roundToPowerOfTwo))
      .arg(o.numMelBins)
      .arg(o.lowFreq)
      .arg(o.highFreq)
      .arg(b(o.useEnergy))
      .arg(o.energyFloor)
      .arg(b(o.rawEnergy))
      .arg(b(o.useLogFbank))
      .arg(b(o.usePower))
      .arg(b(o.snipEdges))
      .arg(b(o.htkCompat));
}

struct Matrix {
  int rows = -1;
  int cols = -1;
  std::vector<float> data;
};

Matrix readFbk(const QString& path) {
  Matrix m;
  std::ifstream in(path.toStdString(), std::ios::binary);
  char magic[4] = {};
  in.read(magic, 4);
  if (!in || std::string(magic, 4) != "FBK1") return m;
  in.read(reinterpret_cast<char*>(&m.rows), 4);
  in.read(reinterpret_cast<char*>(&m.cols), 4);
  m.data.resize(static_cast<std::size_t>(m.rows) * static_cast<std::size_t>(m.cols));
  in.read(reinterpret_cast<char*>(m.data.data()), static_cast<std::streamsize>(m.data.size() * 4));
  if (!in) m.rows = -1;
  return m;
}

void writeText(const QString& path, const std::string& text) {
  std::ofstream(path.toStdString(), std::ios::binary) << text;
}

// loadFbankConfigFile's error for `text` written to DIR/name; "" if it loads.
std::string configError(const QTemporaryDir& dir, const std::string& text,
                        const QString& name = QStringLiteral("fbank.conf")) {
  writeText(dir.filePath(name), text);
  try {
    loadFbankConfigFile(dir.filePath(name).toStdString());
  } catch (const Error& e) {
    return e.what();
  }
  return {};
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

struct Case {
  const char* name;
  FbankOptions options;
};

std::vector<Case> parityCases() {
  std::vector<Case> cases;
  cases.push_back({"default 64 bins povey", FbankOptions{}});
  FbankOptions o;
  o.windowType = "hamming";
  o.preemphasisCoefficient = 0.0f;
  o.numMelBins = 23;
  cases.push_back({"hamming, no preemphasis, 23 bins", o});
  o = {};
  o.snipEdges = false;
  cases.push_back({"snip_edges false", o});
  o = {};
  o.roundToPowerOfTwo = false;
  cases.push_back({"round_to_power_of_two false", o});
  o = {};
  o.highFreq = -400.0f;
  o.lowFreq = 64.0f;
  cases.push_back({"high_freq -400, low_freq 64", o});
  o = {};
  o.useEnergy = true;
  cases.push_back({"use_energy", o});
  o = {};
  o.usePower = false;
  cases.push_back({"use_power false", o});
  o = {};
  o.windowType = "blackman";
  o.useEnergy = true;
  o.rawEnergy = false;
  o.htkCompat = true;
  o.energyFloor = 1.0f;
  o.numMelBins = 40;
  cases.push_back({"blackman, windowed energy last, energy_floor 1, 40 bins", o});
  o = {};
  o.windowType = "hanning";
  o.removeDcOffset = false;
  o.frameLengthMs = 20.0f;
  o.frameShiftMs = 12.5f;
  cases.push_back({"hanning, no DC removal, 20/12.5 ms", o});
  o = {};
  o.windowType = "rectangular";
  o.sampleFrequency = 8000.0f;
  o.numMelBins = 23;
  cases.push_back({"rectangular at 8 kHz", o});
  o = {};
  o.useLogFbank = false;
  cases.push_back({"linear mel energies", o});
  return cases;
}

}  // namespace

class TestFbank : public QObject {
  Q_OBJECT

 private slots:
  void testMatchesTorchaudioKaldiFbank() {
    US_REQUIRE_REFERENCE_PYTHON(python);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    // Lengths: short (0.43 s, not a whole number of shifts), 3.2 s, 7 s.
    const std::vector<std::size_t> lengths = {6937, 51200, 112000};
    std::vector<std::vector<float>> waves;
    for (std::size_t i = 0; i < lengths.size(); ++i) {
      waves.push_back(testSignal(lengths[i], 17 + static_cast<std::uint32_t>(i)));
      std::ofstream out(dir.filePath(QString("x%1.f32").arg(i)).toStdString(), std::ios::binary);
      out.write(reinterpret_cast<const char*>(waves[i].data()),
                static_cast<std::streamsize>(waves[i].size() * sizeof(float)));
    }
    const auto cases = parityCases();
    {
      std::ofstream jobs(dir.filePath("jobs.txt").toStdString());
      for (std::size_t c = 0; c < cases.size(); ++c)
        for (std::size_t i = 0; i < waves.size(); ++i)
          for (const char* dtype : {"float64", "float32"})
            jobs << dir.filePath(QString("x%1.f32").arg(i)).toStdString() << ' '
                 << dir.filePath(QString("r%1_%2_%3.fbk").arg(c).arg(i).arg(dtype)).toStdString() << ' '
                 << torchaudioArgs(cases[c].options).toStdString() << " dtype=" << dtype << '\n';
    }
    const auto r = test::runProcess(python, {QStringLiteral(UNDERSTUDY_SOURCE_DIR "/tests/core/audio/ref_fbank.py"),
                                             dir.filePath("jobs.txt")},
                                    240000);
    QVERIFY2(r.exitCode == 0, (r.err + r.out).constData());

    for (std::size_t c = 0; c < cases.size(); ++c) {
      const Case& tc = cases[c];
      Fbank fbank(tc.options);
      for (std::size_t i = 0; i < waves.size(); ++i) {
        const std::vector<float> ours = fbank.compute(waves[i]);
        for (const char* dtype : {"float64", "float32"}) {
          const Matrix ref = readFbk(dir.filePath(QString("r%1_%2_%3.fbk").arg(c).arg(i).arg(dtype)));
          const QByteArray what = QByteArray(tc.name) + ", length " + QByteArray::number(qulonglong(lengths[i])) +
                                  ", torchaudio " + dtype;
          QVERIFY2(ref.rows >= 0, "reference output missing: " + what);
          QCOMPARE(ref.rows, fbank.numFrames(static_cast<std::int64_t>(waves[i].size())));
          QCOMPARE(ref.cols, fbank.dim());
          // Log values: absolute tolerance. torchaudio in float32 itself strays up to
          // ≈ 2e-3 from its float64 result in quiet bins, so the 1e-3 bound is against float64.
          const double tolerance = std::string(dtype) == "float64" ? 1e-3 : 5e-3;
          double worst = 0.0;
          std::size_t worstAt = 0;
          for (std::size_t k = 0; k < ref.data.size(); ++k) {
            double diff = std::fabs(double(ours[k]) - ref.data[k]);
            if (!tc.options.useLogFbank) diff /= std::fabs(ref.data[k]) + 1.0;  // relative for linear energies
            if (diff > worst) {
              worst = diff;
              worstAt = k;
            }
          }
          const QByteArray detail = what + ": max diff " + QByteArray::number(worst) + " at frame " +
                                    QByteArray::number(qulonglong(worstAt / std::size_t(ref.cols))) + " bin " +
                                    QByteArray::number(qulonglong(worstAt % std::size_t(ref.cols)));
          if (std::string(dtype) == "float64") qDebug("%s", detail.constData());
          QVERIFY2(worst <= tolerance, detail.constData());
        }
      }
    }
  }

  void testNumFramesFollowsKaldi() {
    Fbank snip(FbankOptions{});
    QCOMPARE(snip.numFrames(0), 0);
    QCOMPARE(snip.numFrames(399), 0);
    QCOMPARE(snip.numFrames(400), 1);
    QCOMPARE(snip.numFrames(559), 1);
    QCOMPARE(snip.numFrames(560), 2);
    QCOMPARE(snip.numFrames(16000), 98);
    FbankOptions o;
    o.snipEdges = false;
    Fbank reflect(o);
    QCOMPARE(reflect.numFrames(16000), 100);
    QCOMPARE(reflect.numFrames(79), 0);
    QCOMPARE(reflect.numFrames(80), 1);
    QCOMPARE(reflect.numFrames(100), 1);  // shorter than one window: reflected
    QVERIFY(reflect.compute(std::vector<float>(100, 0.1f)).size() == 64);
    QVERIFY(snip.compute(std::vector<float>(100, 0.1f)).empty());
  }

  void testSilenceSitsAtTheLogFloor() {
    Fbank fbank(FbankOptions{});
    const auto feats = fbank.compute(std::vector<float>(4000, 0.0f));
    QVERIFY(!feats.empty());
    for (float v : feats) QCOMPARE(v, std::log(std::numeric_limits<float>::epsilon()));
  }

  void testDitherIsSeededAndDeterministic() {
    FbankOptions o;
    o.dither = 1.0f;
    Fbank fbank(o);
    const auto x = testSignal(16000, 3);
    const auto a = fbank.compute(x);
    const auto b = fbank.compute(x);
    QVERIFY(a == b);
    const auto plain = Fbank(FbankOptions{}).compute(x);
    QVERIFY(a != plain);
    // Dither of 1 int16 step barely moves loud bins.
    double maxDiff = 0;
    for (std::size_t k = 0; k < a.size(); ++k)
      if (plain[k] > 10.0f) maxDiff = std::max(maxDiff, double(std::fabs(a[k] - plain[k])));
    QVERIFY2(maxDiff < 0.05, QByteArray::number(maxDiff));
  }

  void testComputeIsThreadSafe() {
    const Fbank fbank(FbankOptions{});
    const auto x = testSignal(160000, 5);
    const auto expected = fbank.compute(x);
    std::vector<std::vector<float>> results(4);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
      threads.emplace_back([&, t] {
        for (int rep = 0; rep < 3; ++rep) results[static_cast<std::size_t>(t)] = fbank.compute(x);
      });
    for (auto& th : threads) th.join();
    for (const auto& r : results) QVERIFY(r == expected);
    // Objects built concurrently (planner guarded) agree too.
    std::vector<std::vector<float>> built(4);
    threads.clear();
    for (int t = 0; t < 4; ++t)
      threads.emplace_back([&, t] { built[static_cast<std::size_t>(t)] = Fbank(FbankOptions{}).compute(x); });
    for (auto& th : threads) th.join();
    for (const auto& r : built) QVERIFY(r == expected);
  }

  void testValidateNamesFieldValueAndRange() {
    auto expectError = [](FbankOptions o, const char* key, const char* fragment) {
      try {
        o.validate();
        QFAIL(QByteArray("no error for ") + key);
      } catch (const Error& e) {
        QCOMPARE(QString::fromStdString(e.keyName()), QString(key));
        QVERIFY2(std::string(e.what()).find(fragment) != std::string::npos, e.what());
      }
    };
    FbankOptions o;
    o.numMelBins = 2;
    expectError(o, "num_mel_bins", "num_mel_bins = 2");
    o = {};
    o.windowType = "kaiser";
    expectError(o, "window_type", "'kaiser'");
    o = {};
    o.preemphasisCoefficient = 1.5f;
    expectError(o, "preemphasis_coefficient", "[0, 1]");
    o = {};
    o.highFreq = 9000.0f;
    expectError(o, "high_freq", "8000");
    o = {};
    o.lowFreq = 5000.0f;
    o.highFreq = 4000.0f;
    expectError(o, "high_freq", "above low_freq");
    o = {};
    o.roundToPowerOfTwo = false;
    o.frameLengthMs = 25.0625f;  // 401 samples: odd FFT length
    expectError(o, "frame_length_ms", "even");
    o = {};
    o.frameShiftMs = 0.0f;
    expectError(o, "frame_shift_ms", "> 0");
    o = {};
    o.dither = -1.0f;
    expectError(o, "dither", "≥ 0");
  }

  // Every supported Kaldi option set away from its default, with Kaldi's
  // syntax variants (comments, blank lines, `_` for `-`, a bare flag, t/0):
  // the same FbankOptions and bit-identical features as the equivalent YAML.
  void testKaldiFbankConfEqualsEquivalentYaml() {
    QTemporaryDir dir;
    writeText(dir.filePath("fbank.conf"),
              "# Kaldi fbank.conf\n"
              "\n"
              "--sample-frequency=8000\n"
              "--frame-length=20   # ms\n"
              "--frame-shift=12.5\n"
              "--dither=0.5\n"
              "--preemphasis-coefficient=0.9\n"
              "--remove-dc-offset=false\n"
              "  --window-type=blackman\n"
              "--blackman-coeff=0.4\n"
              "--round_to_power_of_two=f\n"
              "--num-mel-bins=23\n"
              "--low-freq=64\n"
              "--high-freq=-400\n"
              "--use-energy\n"
              "--energy-floor=1.5\n"
              "--raw-energy=0\n"
              "--use-log-fbank=false\n"
              "--use-power=False\n"
              "--snip-edges=false\n"
              "--htk-compat=t\n"
              "--debug-mel=false\n");
    writeText(dir.filePath("fbank.yaml"),
              "# the same in our YAML\n"
              "fbank:\n"
              "  sample_frequency: 8000\n  frame_length_ms: 20\n  frame_shift_ms: 12.5\n"
              "  dither: 0.5\n  preemphasis_coefficient: 0.9\n  remove_dc_offset: false\n"
              "  window_type: blackman\n  blackman_coeff: 0.4\n  round_to_power_of_two: false\n"
              "  num_mel_bins: 23\n  low_freq: 64\n  high_freq: -400\n  use_energy: true\n"
              "  energy_floor: 1.5\n  raw_energy: false\n  use_log_fbank: false\n"
              "  use_power: false\n  snip_edges: false\n  htk_compat: true\n");
    const FbankOptions kaldi = loadFbankConfigFile(dir.filePath("fbank.conf").toStdString());
    const FbankOptions yaml = loadFbankConfigFile(dir.filePath("fbank.yaml").toStdString());
    QCOMPARE(QString::fromStdString(kaldi.toYaml()), QString::fromStdString(yaml.toYaml()));
    // Every field differs from the default, so an option the parser drops shows up above.
    const std::string defaults = FbankOptions{}.toYaml();
    std::istringstream a(kaldi.toYaml()), b(defaults);
    for (std::string la, lb; std::getline(a, la) && std::getline(b, lb);)
      QVERIFY2(la != lb, la.c_str());

    const std::vector<float> x = testSignal(8000, 7);
    const std::vector<float> fk = Fbank(kaldi).compute(x);
    const std::vector<float> fy = Fbank(yaml).compute(x);
    QCOMPARE(fk.size(), static_cast<std::size_t>(Fbank(yaml).numFrames(8000) * 24));
    QVERIFY(fk == fy);
  }

  void testConfigFormatIsToldByTheFirstOptionLine() {
    QVERIFY(looksLikeKaldiConfig("# comment\n\n  --num-mel-bins=40\n"));
    QVERIFY(!looksLikeKaldiConfig("# comment\nnum_mel_bins: 40\n"));
    QVERIFY(!looksLikeKaldiConfig("fbank:\n  num_mel_bins: 40\n"));
    QVERIFY(!looksLikeKaldiConfig(""));
    QVERIFY(!looksLikeKaldiConfig("---\nnum_mel_bins: 40\n"));  // YAML document marker
    // Unset options keep our defaults (64 bins, no dither), not Kaldi's (23, 1).
    QTemporaryDir dir;
    writeText(dir.filePath("fbank.conf"), "--use-energy=false\n");
    const FbankOptions o = loadFbankConfigFile(dir.filePath("fbank.conf").toStdString());
    QCOMPARE(o.numMelBins, 64);
    QCOMPARE(o.dither, 0.0f);
    QCOMPARE(QString::fromStdString(o.toYaml()), QString::fromStdString(FbankOptions{}.toYaml()));
    writeText(dir.filePath("fbank.yaml"), "# ours\n---\nfbank:\n  num_mel_bins: 40\n");
    QCOMPARE(loadFbankConfigFile(dir.filePath("fbank.yaml").toStdString()).numMelBins, 40);
  }

  void testKaldiConfigRefusesUnsupportedOptionsNamingFileLineAndOption() {
    QTemporaryDir dir;
    for (const char* option : {"--vtln-warp=0.9", "--vtln-low=100", "--vtln-high=-500",
                               "--subtract-mean=true", "--vtln_warp=1.1", "--num-mel-bin=40",
                               "--allow-downsample=true"}) {
      const std::string e =
          configError(dir, std::string("# conf\n--num-mel-bins=40\n") + option + "\n");
      QVERIFY2(contains(e, "fbank.conf:3: "), e.c_str());
      std::string name = std::string(option).substr(0, std::string(option).find('='));
      std::replace(name.begin(), name.end(), '_', '-');
      QVERIFY2(contains(e, name + " is not supported") || contains(e, name + ", not supported"),
               e.c_str());
      // The hint lists what is supported.
      QVERIFY2(contains(e, "supported options: --sample-frequency, --frame-length"), e.c_str());
      QVERIFY2(contains(e, "--htk-compat"), e.c_str());
    }
  }

  void testKaldiConfigMalformedValuesNameFileAndLine() {
    QTemporaryDir dir;
    struct Bad {
      const char* line;
      const char* message;
    };
    for (const Bad& bad : {Bad{"--num-mel-bins=forty", "--num-mel-bins=forty: malformed value, expected an integer"},
                           Bad{"--num-mel-bins=40.5", "expected an integer"},
                           Bad{"--num-mel-bins", "--num-mel-bins: malformed value"},
                           Bad{"--use-energy=yes", "--use-energy=yes: malformed value, expected true or false"},
                           Bad{"--frame-shift=10ms", "--frame-shift=10ms: malformed value, expected a number"},
                           Bad{"--dither=", "--dither=: malformed value"},
                           Bad{"--window-type=", "expected a name"},
                           Bad{"num-mel-bins=40", "is not a Kaldi option line"},
                           Bad{"--num-mel-bins=2", "--num-mel-bins=2 is out of range: [4, 1024]"},
                           Bad{"--window-type=sine", "--window-type='sine' is out of range"}}) {
      const std::string e = configError(dir, std::string("--dither=0\n\n") + bad.line + "\n");
      QVERIFY2(contains(e, "fbank.conf:3: "), (std::string(bad.line) + " -> " + e).c_str());
      QVERIFY2(contains(e, bad.message), (std::string(bad.line) + " -> " + e).c_str());
    }
    // A range error involving an option the file did not set names the file.
    const std::string e = configError(dir, "--sample-frequency=8000\n--low-freq=5000\n");
    QVERIFY2(contains(e, "fbank.conf:2: --low-freq=5000 is out of range"), e.c_str());
    // YAML keeps its own errors (key and line).
    const std::string y = configError(dir, "num_mel_bins: 40\nnum_mel_bin: 4\n", "fbank.yaml");
    QVERIFY2(contains(y, "fbank.yaml:2") && contains(y, "num_mel_bin"), y.c_str());
  }

  void testYamlRoundTripAndStrictKeys() {
    FbankOptions o;
    o.numMelBins = 40;
    o.windowType = "hamming";
    o.snipEdges = false;
    o.highFreq = -400.0f;
    o.dither = 0.5f;
    YamlSection s = YamlSection::loadString(o.toYaml());
    const FbankOptions back = FbankOptions::fromYaml(s);
    QCOMPARE(back.toYaml(), o.toYaml());
    QCOMPARE(back.numMelBins, 40);
    QCOMPARE(back.windowType, std::string("hamming"));

    YamlSection partial = YamlSection::loadString("num_mel_bins: 80\n");
    QCOMPARE(FbankOptions::fromYaml(partial).numMelBins, 80);
    QCOMPARE(FbankOptions::fromYaml(partial).frameShiftMs, 10.0f);

    YamlSection unknown = YamlSection::loadString("num_mel_bins: 80\nnum_mel_bin: 40\n", "fbank.yaml");
    try {
      FbankOptions::fromYaml(unknown);
      QFAIL("unknown key accepted");
    } catch (const Error& e) {
      QVERIFY2(std::string(e.what()).find("num_mel_bin") != std::string::npos, e.what());
    }
    YamlSection bad = YamlSection::loadString("frame_length_ms: 25\nnum_mel_bins: 1\n", "fbank.yaml");
    try {
      FbankOptions::fromYaml(bad);
      QFAIL("bad value accepted");
    } catch (const Error& e) {
      QVERIFY2(std::string(e.what()).find("fbank.yaml:2") != std::string::npos, e.what());
    }
  }
};

QTEST_GUILESS_MAIN(TestFbank)
#include "test_fbank.moc"
