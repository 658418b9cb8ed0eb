// SoftLabelStore: round trips within the documented quantisation bounds
// (fp16 and log8), Σp and argmax kept on every frame, invariants refused
// naming utterance and frame, a flipped byte caught naming the utterance, a
// writer SIGKILLed mid-write, the trainer's gather, the byte layout, and
// Kaldi posterior export/import byte-exact against
// tests/data/kaldi/make_soft_label_goldens.py (python struct only).
#include <QTemporaryDir>
#include <QtTest>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/store/soft_label_kaldi.h"
#include "core/store/soft_label_store.h"
#include "core/util/error.h"
#include "support/expect_error.h"

using namespace understudy;
using understudy::test::expectError;
namespace fs = std::filesystem;

namespace {

const fs::path kGoldens = fs::path(UNDERSTUDY_SOURCE_DIR) / "tests/data/kaldi";

// Deterministic pseudo-random numbers (32-bit LCG).
struct Lcg {
  std::uint32_t s;
  std::uint32_t next() { return s = s * 1664525u + 1013904223u; }
  double uniform() { return (next() >> 8) / 16777216.0; }
};

struct Utterance {
  std::string key;
  int frames = 0;
  std::vector<std::int32_t> ids;
  std::vector<float> probs;
};

// A labeler's output: per frame k distinct random ids with probabilities
// exp(z_j) / Σ exp(z), z_0 = 0 and the others spread over 0 … -span nats,
// span up to 36 (so the tail reaches below 1e-15: fp16 subnormals and
// log8's zero code), renormalised in float and sorted; every fifth frame
// has an exact tie at the top.
Utterance makeUtterance(const std::string& key, int frames, int k, int units, std::uint32_t seed) {
  Lcg rng{seed};
  Utterance u{key, frames, {}, {}};
  std::vector<std::int32_t> pool(static_cast<std::size_t>(units));
  std::vector<double> z(static_cast<std::size_t>(k));
  std::vector<float> p(static_cast<std::size_t>(k));
  for (int t = 0; t < frames; ++t) {
    for (int i = 0; i < units; ++i) pool[i] = i;
    for (int j = 0; j < k; ++j) std::swap(pool[j], pool[j + rng.next() % (units - j)]);
    const double span = 36.0 * rng.uniform();
    z[0] = 0.0;
    for (int j = 1; j < k; ++j) z[j] = -span * rng.uniform();
    if (t % 5 == 0 && k > 1) z[1] = 0.0;
    std::sort(z.begin(), z.end(), std::greater<double>());
    double sum = 0.0;
    for (double v : z) sum += std::exp(v);
    float total = 0.0f;
    for (int j = 0; j < k; ++j) total += (p[j] = static_cast<float>(std::exp(z[j]) / sum));
    for (int j = 0; j < k; ++j) {
      u.ids.push_back(pool[j]);
      u.probs.push_back(p[j] / total);
    }
  }
  return u;
}

std::string bytesOf(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

SoftLabelStoreOptions options(SoftLabelPrecision precision, int k = 20, int units = 300) {
  SoftLabelStoreOptions o;
  o.k = k;
  o.numUnits = units;
  o.precision = precision;
  o.temperature = 1.5;
  o.model = "teacher-blstm";
  return o;
}

// Checks one read-back utterance against its input: ids exact, each
// probability within `bound(x)` of x = p / Σp, Σp̂ = 1 ± 1e-3, sorted, so
// the argmax id is unchanged.
template <typename Bound>
void checkRoundTrip(const Utterance& u, const SoftLabels& s, int k, Bound bound) {
  QCOMPARE(s.frames, u.frames);
  QCOMPARE(s.k, k);
  for (int t = 0; t < u.frames; ++t) {
    double in = 0.0, out = 0.0;
    for (int j = 0; j < k; ++j) in += u.probs[static_cast<std::size_t>(t) * k + j];
    for (int j = 0; j < k; ++j) {
      const std::size_t i = static_cast<std::size_t>(t) * k + j;
      QCOMPARE(static_cast<std::int32_t>(s.ids[i]), u.ids[i]);
      const double x = u.probs[i] / in;
      const double err = std::fabs(s.probs[i] - x);
      if (!(err <= bound(x))) {
        QFAIL(qPrintable(QString("frame %1 entry %2: p %3 read back as %4, error %5 > bound %6")
                             .arg(t).arg(j).arg(x, 0, 'g', 9).arg(s.probs[i], 0, 'g', 9)
                             .arg(err, 0, 'g', 3).arg(bound(x), 0, 'g', 3)));
      }
      if (j > 0) QVERIFY(s.probs[i] <= s.probs[i - 1]);  // argmax stays entry 0
      out += s.probs[i];
    }
    QVERIFY2(std::fabs(out - 1.0) <= 1e-3, qPrintable(QString("frame %1 sums to %2").arg(t).arg(out, 0, 'g', 9)));
  }
}

void roundTrip(SoftLabelPrecision precision, const std::function<double(double)>& bound) {
  QTemporaryDir tmp;
  const fs::path dir = fs::path(tmp.path().toStdString()) / "soft";
  const int k = 20, units = 300;
  std::vector<Utterance> utts;
  for (int i = 0; i < 6; ++i)
    utts.push_back(makeUtterance("utt" + std::to_string(i), 40 + 13 * i, k, units, 77u + i));
  {
    auto store = SoftLabelStore::create(dir, options(precision, k, units));
    for (const auto& u : utts) store.append(u.key, u.frames, u.ids.data(), u.probs.data());
    store.commit();
  }
  auto store = SoftLabelStore::open(dir);
  QVERIFY(store.options() == options(precision, k, units));
  for (const auto& u : utts) checkRoundTrip(u, store.read(u.key), k, bound);
  // The data reaches every regime of both quantisers: below log8's floor,
  // fp16 subnormals, and exact ties at the top of a frame.
  int belowFloor = 0, subnormal = 0, ties = 0;
  for (const auto& u : utts) {
    for (std::size_t i = 0; i < u.probs.size(); ++i) {
      belowFloor += u.probs[i] < softlabel::kLog8Floor;
      subnormal += u.probs[i] >= softlabel::kLog8Floor && u.probs[i] < std::ldexp(1.0, -14);
      ties += i % k == 1 && u.probs[i] == u.probs[i - 1];
    }
  }
  QVERIFY2(belowFloor > 100 && subnormal > 100 && ties > 10,
           qPrintable(QString("%1 %2 %3").arg(belowFloor).arg(subnormal).arg(ties)));
}

}  // namespace

class TestSoftLabelStore : public QObject {
  Q_OBJECT

 private slots:
  void testFp16EncodingIsIeeeBinary16RoundedToNearestEven() {
    using softlabel::decodeFp16;
    using softlabel::encodeFp16;
    QCOMPARE(encodeFp16(1.0), std::uint16_t(0x3c00));
    QCOMPARE(encodeFp16(0.5), std::uint16_t(0x3800));
    QCOMPARE(encodeFp16(0.1), std::uint16_t(0x2e66));
    QCOMPARE(encodeFp16(std::ldexp(1.0, -14)), std::uint16_t(0x0400));  // smallest normal
    QCOMPARE(encodeFp16(std::ldexp(1.0, -24)), std::uint16_t(0x0001));  // smallest subnormal
    QCOMPARE(encodeFp16(std::ldexp(1.0, -25)), std::uint16_t(0x0000));  // tie -> even (0)
    QCOMPARE(encodeFp16(std::ldexp(3.0, -25)), std::uint16_t(0x0002));  // tie -> even (2)
    QCOMPARE(encodeFp16(1.0 - std::ldexp(1.0, -12)), std::uint16_t(0x3c00));  // tie -> even, carries
    QCOMPARE(encodeFp16(std::ldexp(1023.5, -24)), std::uint16_t(0x0400));  // subnormal rounds up to normal
    QCOMPARE(encodeFp16(0.0), std::uint16_t(0));
    for (std::uint32_t b = 0; b <= 0x3c00; ++b)  // every value in [0, 1] encodes to itself
      QCOMPARE(encodeFp16(decodeFp16(static_cast<std::uint16_t>(b))), static_cast<std::uint16_t>(b));
  }

  void testLog8CodesAreFortyPerDecadeWith255AsZero() {
    using namespace softlabel;
    QCOMPARE(int(encodeLog8(1.0)), 0);
    QCOMPARE(int(encodeLog8(0.1)), 40);
    QCOMPARE(int(encodeLog8(1e-6)), 240);
    QCOMPARE(int(encodeLog8(kLog8Floor * 1.0001)), 254);
    QCOMPARE(int(encodeLog8(kLog8Floor * 0.9999)), 255);
    QCOMPARE(int(encodeLog8(0.0)), 255);
    QCOMPARE(log8Value(255), 0.0);
    QCOMPARE(log8Value(40), std::pow(10.0, -1.0));
    QVERIFY(std::fabs(kLog8Floor - 4.3401e-7) < 1e-11);
  }

  void testFp16RoundTripKeepsIdsExactAndProbabilitiesWithinTheBound() {
    // docs/formats.md: |p̂ − x| <= 2^-11·x + 2^-25.
    roundTrip(SoftLabelPrecision::Fp16,
              [](double x) { return std::ldexp(x, -11) + std::ldexp(1.0, -25); });
  }

  void testLog8RoundTripKeepsIdsExactAndProbabilitiesWithinTheBound() {
    // docs/formats.md: x >= floor: |p̂ − x| <= ε·x, ε = 10^(1/40)/(1 − k·floor) − 1 + 2^-23;
    // below the floor p̂ = 0 (so |p̂ − x| < floor).
    const double eps = std::pow(10.0, 1.0 / 40) / (1.0 - 20 * softlabel::kLog8Floor) - 1.0 +
                       std::ldexp(1.0, -23);
    QVERIFY(eps < 0.0593);
    roundTrip(SoftLabelPrecision::Log8, [eps](double x) {
      return x >= softlabel::kLog8Floor ? eps * x : softlabel::kLog8Floor;
    });
  }

  void testWriterRefusesBrokenInvariantsNamingUtteranceAndFrame() {
    QTemporaryDir tmp;
    auto store = SoftLabelStore::create(fs::path(tmp.path().toStdString()) / "s",
                                        options(SoftLabelPrecision::Fp16, 3, 10));
    // Frames 0 and 1 are fine; frame 2 is broken in one way per case.
    auto tryFrame2 = [&](std::vector<std::int32_t> ids, std::vector<float> p,
                         std::vector<std::string> needles) {
      std::vector<std::int32_t> allIds = {0, 1, 2, 3, 4, 5};
      std::vector<float> allP = {0.5f, 0.3f, 0.2f, 0.6f, 0.4f, 0.0f};
      allIds.insert(allIds.end(), ids.begin(), ids.end());
      allP.insert(allP.end(), p.begin(), p.end());
      needles.push_back("utterance 'utt-bad'");
      needles.push_back("frame 2");
      expectError([&] { store.append("utt-bad", 3, allIds.data(), allP.data()); }, needles);
    };
    tryFrame2({4, 7, 4}, {0.5f, 0.3f, 0.2f}, {"unit id 4 appears twice"});
    tryFrame2({4, 10, 2}, {0.5f, 0.3f, 0.2f}, {"unit id 10 is outside"});
    tryFrame2({4, -1, 2}, {0.5f, 0.3f, 0.2f}, {"unit id -1 is outside"});
    tryFrame2({4, 7, 2}, {0.3f, 0.5f, 0.2f}, {"not sorted"});
    tryFrame2({4, 7, 2}, {1.1f, 0.0f, -0.1f}, {"negative"});
    tryFrame2({4, 7, 2}, {0.5f, 0.3f, NAN}, {"not finite"});
    tryFrame2({4, 7, 2}, {0.5f, 0.3f, 0.1985f}, {"sum to"});   // 0.9985
    tryFrame2({4, 7, 2}, {0.5f, 0.3f, 0.2015f}, {"sum to"});   // 1.0015
    // Just inside the tolerance is accepted.
    std::vector<std::int32_t> ids = {4, 7, 2};
    std::vector<float> p = {0.5f, 0.3f, 0.1995f};
    store.append("utt-ok", 1, ids.data(), p.data());
    QCOMPARE(store.records().pendingCount(), std::size_t(1));
  }

  void testOptionsAreStoredAndAResumeWithOtherOptionsIsRefused() {
    QTemporaryDir tmp;
    const fs::path dir = fs::path(tmp.path().toStdString()) / "s";
    auto o = options(SoftLabelPrecision::Log8, 5, 40);
    o.temperature = 2.25;
    o.model = "demo teacher";
    SoftLabelStore::create(dir, o);
    auto s = SoftLabelStore::open(dir);
    QVERIFY(s.options() == o);
    QCOMPARE(s.records().metadata(),
             std::string("format: understudy-softlabels 1\nk: 5\nprecision: log8\ntemperature: 2.25\n"
                         "num_units: 40\nmodel: demo teacher\n"));
    auto other = o;
    other.k = 4;
    other.temperature = 1.0;
    expectError([&] { SoftLabelStore::openOrCreate(dir, other); },
                {"k 5 (requested 4)", "temperature 2.25 (requested 1)"});
    auto resumed = SoftLabelStore::openOrCreate(dir, o);
    QVERIFY(resumed.records().writable());
    QCOMPARE(parseSoftLabelPrecision("u8"), SoftLabelPrecision::Log8);
    expectError([] { parseSoftLabelPrecision("int8"); }, {"int8", "fp16 or u8"});
    o.k = 41;
    expectError([&] { SoftLabelStore::create(fs::path(tmp.path().toStdString()) / "t", o); },
                {"k 41"});
    o.k = 5;
    o.numUnits = 65536;  // ids are uint16 and models hold at most 65,535 units
    expectError([&] { SoftLabelStore::create(fs::path(tmp.path().toStdString()) / "t", o); },
                {"num_units 65536"});
    o.numUnits = 65535;
    SoftLabelStore::create(fs::path(tmp.path().toStdString()) / "t", o);
  }

  void testPayloadIsFourBytesPerEntryInFp16AndThreeInLog8() {
    QTemporaryDir tmp;
    const Utterance u = makeUtterance("u", 50, 20, 300, 5);
    for (auto precision : {SoftLabelPrecision::Fp16, SoftLabelPrecision::Log8}) {
      const fs::path dir = fs::path(tmp.path().toStdString()) / softLabelPrecisionName(precision);
      auto store = SoftLabelStore::create(dir, options(precision));
      store.append(u.key, u.frames, u.ids.data(), u.probs.data());
      store.commit();
      const std::size_t perFrame = precision == SoftLabelPrecision::Fp16 ? 80 : 60;
      QCOMPARE(store.bytesPerFrame(), perFrame);
      QCOMPARE(store.records().read("u").byteSize(), perFrame * 50);
      // Layout: frame t at t·bytesPerFrame; k little-endian uint16 ids first.
      const std::string shard = bytesOf(dir / "shard-00000.bin");
      const std::size_t off = store.records().find("u")->offset + 7 * perFrame;
      for (int j = 0; j < 20; ++j) {
        const int id = static_cast<unsigned char>(shard[off + 2 * j]) |
                       (static_cast<unsigned char>(shard[off + 2 * j + 1]) << 8);
        QCOMPARE(id, u.ids[7 * 20 + j]);
      }
      // Then k probabilities: fp16 little-endian, or one log8 code each.
      const unsigned char* code = reinterpret_cast<const unsigned char*>(shard.data() + off + 40);
      double sum = 0.0;
      for (int j = 0; j < 20; ++j) sum += u.probs[140 + j];
      for (int j = 0; j < 20; ++j) {
        const double x = u.probs[140 + j] / sum;
        if (precision == SoftLabelPrecision::Log8)
          QCOMPARE(int(code[j]), int(softlabel::encodeLog8(x)));
        else
          QCOMPARE(int(code[2 * j] | (code[2 * j + 1] << 8)), int(softlabel::encodeFp16(x)));
      }
    }
  }

  void testGatherCopiesSpansOneAfterAnother() {
    QTemporaryDir tmp;
    const fs::path dir = fs::path(tmp.path().toStdString()) / "s";
    const int k = 4;
    auto a = makeUtterance("a", 10, k, 30, 1), b = makeUtterance("b", 7, k, 30, 2);
    auto store = SoftLabelStore::create(dir, options(SoftLabelPrecision::Log8, k, 30));
    store.append("a", a.frames, a.ids.data(), a.probs.data());
    store.append("b", b.frames, b.ids.data(), b.probs.data());
    store.append("empty", 0, nullptr, nullptr);
    store.commit();
    QCOMPARE(store.read("empty").frames, 0);
    const std::vector<SoftLabelSpan> spans = {{"b", 2, 5}, {"empty", 0, -1}, {"a", 0, -1}, {"b", 6, 7}};
    QCOMPARE(store.gatherFrames(spans), std::size_t(3 + 10 + 1));
    std::vector<std::int64_t> ids(14 * k, -1);
    std::vector<float> probs(14 * k, -1.0f);
    QCOMPARE(store.gather(spans, ids.data(), probs.data()), std::size_t(14));
    const SoftLabels ra = store.read("a"), rb = store.read("b");
    auto expectFrame = [&](std::size_t row, const SoftLabels& s, int t) {
      for (int j = 0; j < k; ++j) {
        QCOMPARE(ids[row * k + j], std::int64_t(s.id(t, j)));
        QCOMPARE(probs[row * k + j], s.prob(t, j));
      }
    };
    for (int t = 2; t < 5; ++t) expectFrame(t - 2, rb, t);
    for (int t = 0; t < 10; ++t) expectFrame(3 + t, ra, t);
    expectFrame(13, rb, 6);
    QCOMPARE(store.frames("a"), 10);
    expectError([&] { store.gatherFrames({{"b", 5, 8}}); }, {"utterance 'b'", "[5, 8)", "7 soft-label frames"});
    expectError([&] { store.gatherFrames({{"zzz", 0, -1}}); }, {"utterance 'zzz'", "no soft labels"});
  }

  void testFlippedByteIsCaughtNamingTheUtterance() {
    QTemporaryDir tmp;
    const fs::path dir = fs::path(tmp.path().toStdString()) / "s";
    std::uint64_t offset = 0;
    {
      auto store = SoftLabelStore::create(dir, options(SoftLabelPrecision::Fp16, 4, 30));
      for (int i = 0; i < 3; ++i) {
        auto u = makeUtterance("spk1-utt" + std::to_string(i), 12, 4, 30, 10u + i);
        store.append(u.key, u.frames, u.ids.data(), u.probs.data());
      }
      store.commit();
      offset = store.records().find("spk1-utt1")->offset + 4 * 7 + 2;  // frame 1, a probability
    }
    {
      std::fstream f(dir / "shard-00000.bin", std::ios::in | std::ios::out | std::ios::binary);
      f.seekg(static_cast<std::streamoff>(offset));
      char c = 0;
      f.read(&c, 1);
      c ^= 0x01;
      f.seekp(static_cast<std::streamoff>(offset));
      f.write(&c, 1);
    }
    auto store = SoftLabelStore::open(dir);
    store.read("spk1-utt0");
    store.read("spk1-utt2");
    expectError([&] { store.read("spk1-utt1"); }, {"spk1-utt1", "checksum mismatch", "shard-00000.bin"});
    std::vector<std::int64_t> ids(12 * 4);
    std::vector<float> probs(12 * 4);
    expectError([&] { store.gather({{"spk1-utt1", 3, 4}}, ids.data(), probs.data()); },
                {"spk1-utt1", "checksum mismatch"});
    QCOMPARE(store.verifyAll().size(), std::size_t(1));
  }

  void testWriterKilledMidWriteLeavesOnlyCommittedRecords() {
    QTemporaryDir tmp;
    const fs::path dir = fs::path(tmp.path().toStdString()) / "s";
    const auto o = options(SoftLabelPrecision::Log8, 6, 50);
    auto utt = [](int i) { return makeUtterance("u" + std::to_string(i), 30 + i, 6, 50, 100u + i); };
    const pid_t pid = ::fork();
    if (pid == 0) {
      auto store = SoftLabelStore::create(dir, o);
      for (int i = 0; i < 9; ++i) {
        auto u = utt(i);
        store.append(u.key, u.frames, u.ids.data(), u.probs.data());
        if (i % 3 == 2 && i < 6) store.commit();  // commits after u2 and u5
      }
      ::raise(SIGKILL);  // u6..u8 appended, never committed
      ::_exit(0);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    QVERIFY(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    {
      auto store = SoftLabelStore::open(dir);
      QCOMPARE(store.keys(), (std::vector<std::string>{"u0", "u1", "u2", "u3", "u4", "u5"}));
    }
    auto store = SoftLabelStore::openOrCreate(dir, o);  // resume
    for (int i = 0; i < 9; ++i) {
      if (store.contains("u" + std::to_string(i))) continue;
      auto u = utt(i);
      store.append(u.key, u.frames, u.ids.data(), u.probs.data());
    }
    store.commit();
    QCOMPARE(store.size(), std::size_t(9));
    QVERIFY(store.verifyAll().empty());
    const auto u7 = utt(7);
    const SoftLabels s = store.read("u7");
    QCOMPARE(s.frames, u7.frames);
    for (std::size_t i = 0; i < s.ids.size(); ++i) QCOMPARE(std::int32_t(s.ids[i]), u7.ids[i]);
  }

  void testKaldiExportMatchesTheGoldensByteForByte() {
    // tests/data/kaldi/make_soft_label_goldens.py, STORE.
    struct Frame { std::vector<std::int32_t> ids; std::vector<float> p; };
    const std::vector<std::pair<std::string, std::vector<Frame>>> input = {
        {"sl2", {{{2, 4, 6}, {0.999f, 0.0009f, 0.0001f}},
                 {{8, 1, 2}, {0.6f, 0.3f, 0.1f}},
                 {{5, 6, 7}, {1.0f, 0.0f, 0.0f}}}},
        {"sl1", {{{3, 1, 7}, {0.7f, 0.2f, 0.1f}},
                 {{0, 9, 5}, {0.5f, 0.5f, 0.0f}},
                 {{4, 0, 1}, {0.9999989f, 1e-06f, 1e-07f}}}},
    };
    QTemporaryDir tmp;
    const fs::path root = tmp.path().toStdString();
    for (auto precision : {SoftLabelPrecision::Fp16, SoftLabelPrecision::Log8}) {
      const std::string name = softLabelPrecisionName(precision);
      auto store = SoftLabelStore::create(root / name, options(precision, 3, 10));
      for (const auto& [key, frames] : input) {
        std::vector<std::int32_t> ids;
        std::vector<float> p;
        for (const Frame& f : frames) {
          ids.insert(ids.end(), f.ids.begin(), f.ids.end());
          p.insert(p.end(), f.p.begin(), f.p.end());
        }
        store.append(key, static_cast<int>(frames.size()), ids.data(), p.data());
      }
      store.commit();
      for (bool binary : {true, false}) {
        const std::string stem = "softlabels_" + name + (binary ? "_binary" : "_text");
        // Relative paths, as the goldens' scp lines name their ark.
        const fs::path cwd = fs::current_path();
        fs::current_path(root);
        exportSoftLabelsToKaldi(store, stem + ".ark", stem + ".scp", binary);
        fs::current_path(cwd);
        QCOMPARE(bytesOf(root / (stem + ".ark")), bytesOf(kGoldens / (stem + ".ark")));
        QCOMPARE(bytesOf(root / (stem + ".scp")), bytesOf(kGoldens / (stem + ".scp")));
      }
    }
  }

  void testKaldiImportMatchesTheGoldensByteForByte() {
    // softlabels_import_expected.txt: "<precision> <key> <frames> <payload hex>".
    std::ifstream expected(kGoldens / "softlabels_import_expected.txt");
    std::string precisionName, key, hex;
    int frames = 0, lines = 0;
    QTemporaryDir tmp;
    const fs::path root = tmp.path().toStdString();
    while (expected >> precisionName >> key >> frames >> hex) {
      ++lines;
      const auto precision = parseSoftLabelPrecision(precisionName);
      // The binary ark and the text scp must give the same store.
      for (std::string source : {"softlabels_import_binary.ark", "softlabels_import_text.scp"}) {
        const fs::path dir = root / (precisionName + "-" + source);
        if (!SoftLabelStore::exists(dir)) {
          const fs::path cwd = fs::current_path();
          fs::current_path(kGoldens);  // the scp names its ark relative to here
          const auto r = importSoftLabelsFromKaldi(kGoldens / source, dir, options(precision, 3, 10));
          fs::current_path(cwd);
          QCOMPARE(r.imported, std::size_t(2));
          QCOMPARE(r.framesTruncated, std::size_t(1));
          QCOMPARE(r.framesPadded, std::size_t(2));
        }
        auto store = SoftLabelStore::open(dir);
        const RecordView v = store.records().read(key);
        QCOMPARE(int(v.rows), frames);
        std::string bytes;
        static const char* digits = "0123456789abcdef";
        for (std::size_t i = 0; i < v.byteSize(); ++i) {
          const unsigned char c = static_cast<const unsigned char*>(v.data)[i];
          bytes += digits[c >> 4];
          bytes += digits[c & 15];
        }
        QCOMPARE(bytes, hex);
      }
    }
    QCOMPARE(lines, 4);
  }

  void testKaldiImportRefusesBadPosteriorsNamingFileUtteranceAndFrame() {
    QTemporaryDir tmp;
    const fs::path root = tmp.path().toStdString();
    auto write = [&](const std::string& text) {
      std::ofstream(root / "bad.ark") << text;
      return root / "bad.ark";
    };
    const auto o = options(SoftLabelPrecision::Fp16, 3, 10);
    expectError([&] { importSoftLabelsFromKaldi(write("u1 [ 1 1 ] [ 2 0.5 2 0.5 ] \n"), root / "a", o); },
                {"bad.ark", "utterance 'u1'", "frame 1", "unit id 2 appears twice"});
    expectError([&] { importSoftLabelsFromKaldi(write("u1 [ 12 1 ] \n"), root / "b", o); },
                {"bad.ark", "utterance 'u1'", "frame 0", "unit id 12 is outside"});
    expectError([&] { importSoftLabelsFromKaldi(write("u1 [ 1 1 ] [ 3 0.5 ] \n"), root / "c", o); },
                {"bad.ark", "utterance 'u1'", "frame 1", "sum to"});
  }
};

QTEST_GUILESS_MAIN(TestSoftLabelStore)
#include "test_soft_label_store.moc"
