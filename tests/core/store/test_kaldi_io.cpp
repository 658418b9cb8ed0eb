// Kaldi ark/scp IO against hand-built golden files (tests/data/kaldi, made
// with struct.pack from docs/formats.md — see its README), plus round trips and
// damaged archives.
#include <QDir>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "core/store/kaldi_io.h"
#include "core/util/error.h"
#include "support/test_support.h"
#include "support/expect_error.h"

using namespace understudy;
using understudy::test::expectError;
namespace fs = std::filesystem;

namespace {

const fs::path kGolden = fs::path(UNDERSTUDY_SOURCE_DIR) / "tests/data/kaldi";

std::string bytesOf(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void writeBytes(const fs::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary);
  out << bytes;
}

FloatMatrix mat(std::vector<std::vector<float>> rows) {
  FloatMatrix m;
  m.rows = static_cast<int>(rows.size());
  m.cols = rows.empty() ? 0 : static_cast<int>(rows[0].size());
  for (auto& r : rows) m.data.insert(m.data.end(), r.begin(), r.end());
  return m;
}

// The same hand-chosen values as make_goldens.py.
std::vector<std::pair<std::string, FloatMatrix>> goldenMatrices() {
  return {{"utt1", mat({{1.0f, -2.5f, 0.125f}, {1e-05f, 12345.67f, -0.001f}})},
          {"utt2", mat({{0.0f, 3.0f, -7.75f}})},
          {"utt3", mat({{0.5f, 0.25f, 2.0f}, {4.0f, -8.0f, 16.0f}, {100.0f, 0.0625f, -0.5f}})}};
}
std::vector<std::pair<std::string, std::vector<std::int32_t>>> goldenVectors() {
  return {{"ali1", {0, 1, 1, 2, 17}}, {"ali2", {}}, {"ali3", {-3, 2147483647, -2147483647 - 1}}};
}
std::vector<std::pair<std::string, Posterior>> goldenPosteriors() {
  return {{"post1", {{{1, 0.5f}, {2, 0.5f}}, {{3, 1.0f}}}},
          {"post2", {{}, {{7, 0.25f}, {0, 0.75f}}, {{12, 0.125f}}}}};
}

// The records of tests/data/kaldi/big_archives.py (its docstring is the spec):
// one 32-bit LCG stream per archive kind, starting at the same seed.
struct BigLcg {
  std::uint32_t s = 20261201u;
  std::uint32_t next() { return s = s * 1664525u + 1013904223u; }
  // A 24-bit signed integer times 2^-24..2^7: exact in float32.
  float value() {
    const std::uint32_t x = next();
    const int mantissa = static_cast<int>((x >> 8) & 0xFFFFFFu) - (1 << 23);
    return std::ldexp(static_cast<float>(mantissa), static_cast<int>(x & 31u) - 24);
  }
};

std::vector<std::pair<std::string, FloatMatrix>> bigMatrices() {
  BigLcg rng;
  std::vector<std::pair<std::string, FloatMatrix>> out;
  auto add = [&](int i, int rows, int cols) {
    FloatMatrix m;
    m.rows = rows;
    m.cols = cols;
    for (int j = 0; j < rows * cols; ++j) m.data.push_back(rng.value());
    char key[8];
    std::snprintf(key, sizeof key, "m%03d", i);
    out.emplace_back(key, std::move(m));
  };
  add(0, 4200, 64);
  add(1, 0, 0);
  for (int i = 2; i < 62; ++i) add(i, 1 + (37 * i) % 97, 1 + (13 * i) % 41);
  return out;
}

std::vector<std::pair<std::string, std::vector<std::int32_t>>> bigVectors() {
  BigLcg rng;
  std::vector<std::pair<std::string, std::vector<std::int32_t>>> out;
  for (const auto& [key, n] : {std::pair<const char*, int>{"v0", 300000}, {"v1", 7}}) {
    std::vector<std::int32_t> v;
    for (int j = 0; j < n; ++j) v.push_back(static_cast<std::int32_t>(rng.next()));
    out.emplace_back(key, std::move(v));
  }
  return out;
}

Posterior bigPosterior() {
  BigLcg rng;
  Posterior p(60000);
  for (std::size_t t = 0; t < p.size(); ++t) {
    for (std::size_t j = 0; j < t % 4; ++j) {
      const auto unit = static_cast<std::int32_t>(rng.next() % 5000u);
      p[t].emplace_back(unit, std::fabs(rng.value()));
    }
  }
  return p;
}

// Runs `f` in a fresh temporary folder (so the scp holds the relative ark name
// the goldens hold) and restores the working folder.
template <typename F>
void inTempDir(F f) {
  QTemporaryDir tmp;
  QVERIFY(tmp.isValid());
  const QString old = QDir::currentPath();
  QDir::setCurrent(tmp.path());
  f();
  QDir::setCurrent(old);
}

// Expects an Error whose message contains every needle.
}  // namespace

class TestKaldiIo : public QObject {
  Q_OBJECT

 private:
  template <typename Write>
  void checkWriterBytes(const std::string& name, KaldiArchiveWriter::Mode mode, Write write) {
    inTempDir([&] {
      KaldiArchiveWriter out(name + ".ark", mode, name + ".scp");
      write(out);
      QVERIFY(!fs::exists(name + ".ark"));  // nothing visible before commit
      out.commit();
      QCOMPARE(bytesOf(name + ".ark"), bytesOf(kGolden / (name + ".ark")));
      QCOMPARE(bytesOf(name + ".scp"), bytesOf(kGolden / (name + ".scp")));
    });
  }

 private slots:
  void testWriterMatchesGoldenMatrixBinary() {
    for (auto mode : {KaldiArchiveWriter::Mode::Binary, KaldiArchiveWriter::Mode::Text}) {
      checkWriterBytes(mode == KaldiArchiveWriter::Mode::Binary ? "matrix_binary" : "matrix_text",
                       mode, [](KaldiArchiveWriter& out) {
                         for (auto& [k, m] : goldenMatrices()) out.writeMatrix(k, m);
                       });
    }
  }

  void testWriterMatchesGoldenIntVectors() {
    for (auto mode : {KaldiArchiveWriter::Mode::Binary, KaldiArchiveWriter::Mode::Text}) {
      checkWriterBytes(mode == KaldiArchiveWriter::Mode::Binary ? "vector_binary" : "vector_text",
                       mode, [](KaldiArchiveWriter& out) {
                         for (auto& [k, v] : goldenVectors()) out.writeIntVector(k, v);
                       });
    }
  }

  void testWriterMatchesGoldenPosteriors() {
    for (auto mode : {KaldiArchiveWriter::Mode::Binary, KaldiArchiveWriter::Mode::Text}) {
      checkWriterBytes(
          mode == KaldiArchiveWriter::Mode::Binary ? "posterior_binary" : "posterior_text", mode,
          [](KaldiArchiveWriter& out) {
            for (auto& [k, p] : goldenPosteriors()) out.writePosterior(k, p);
          });
    }
  }

  void testReaderGivesGoldenValues() {
    for (const char* name : {"matrix_binary.ark", "matrix_text.ark", "matrix_mixed.ark"}) {
      auto got = readMatrixArchive(kGolden / name);
      QCOMPARE(got.size(), std::size_t(3));
      auto want = goldenMatrices();
      for (std::size_t i = 0; i < 3; ++i) {
        QCOMPARE(got[i].first, want[i].first);
        QVERIFY2(got[i].second == want[i].second, name);
      }
    }
    for (const char* name : {"vector_binary.ark", "vector_text.ark"})
      QVERIFY2(readIntVectorArchive(kGolden / name) == goldenVectors(), name);
    for (const char* name : {"posterior_binary.ark", "posterior_text.ark"})
      QVERIFY2(readPosteriorArchive(kGolden / name) == goldenPosteriors(), name);
  }

  void testReaderDetectsBinaryPerRecord() {
    KaldiArchiveReader in(kGolden / "matrix_mixed.ark");
    std::vector<bool> binary;
    while (in.next()) {
      binary.push_back(in.isBinary());
      in.readMatrix();
    }
    QCOMPARE(binary, (std::vector<bool>{true, false, true}));
  }

  void testScpOffsetsReadTheRightValue() {
    for (const char* name : {"matrix_binary", "matrix_text"}) {
      auto entries = readScp(kGolden / (std::string(name) + ".scp"));
      auto want = goldenMatrices();
      QCOMPARE(entries.size(), want.size());
      // Read in reverse order, so each read truly seeks.
      for (std::size_t i = entries.size(); i-- > 0;) {
        ScpEntry e = entries[i];
        QCOMPARE(e.key, want[i].first);
        QVERIFY(e.hasOffset);
        e.path = kGolden / e.path;
        QVERIFY(readScpMatrix(e) == want[i].second);
      }
    }
    for (const char* name : {"vector_binary", "vector_text"}) {
      auto entries = readScp(kGolden / (std::string(name) + ".scp"));
      for (std::size_t i = 0; i < entries.size(); ++i) {
        ScpEntry e = entries[i];
        e.path = kGolden / e.path;
        QVERIFY(readScpIntVector(e) == goldenVectors()[i].second);
      }
    }
    for (const char* name : {"posterior_binary", "posterior_text"}) {
      auto entries = readScp(kGolden / (std::string(name) + ".scp"));
      for (std::size_t i = 0; i < entries.size(); ++i) {
        ScpEntry e = entries[i];
        e.path = kGolden / e.path;
        QVERIFY(readScpPosterior(e) == goldenPosteriors()[i].second);
      }
    }
  }

  void testReaderValueOffsetsMatchGoldenScp() {
    auto entries = readScp(kGolden / "vector_binary.scp");
    KaldiArchiveReader in(kGolden / "vector_binary.ark");
    std::size_t i = 0;
    while (in.next()) {
      QCOMPARE(in.valueOffset(), entries[i++].offset);
      in.readIntVector();
    }
    QCOMPARE(i, entries.size());
  }

  void testDoubleMatrixIsRead() {
    auto got = readMatrixArchive(kGolden / "matrix_double.ark");
    QCOMPARE(got.size(), std::size_t(1));
    QVERIFY(got[0].second == goldenMatrices()[0].second);
  }

  void testCompressedMatricesAreDecoded() {
    auto got = readMatrixArchive(kGolden / "matrix_compressed.ark");
    std::ifstream expected(kGolden / "compressed_expected.txt");
    std::string key;
    int rows, cols;
    std::size_t i = 0;
    while (expected >> key >> rows >> cols) {
      QVERIFY(i < got.size());
      QCOMPARE(got[i].first, key);
      QCOMPARE(got[i].second.rows, rows);
      QCOMPARE(got[i].second.cols, cols);
      for (int j = 0; j < rows * cols; ++j) {
        double v;
        expected >> v;
        QVERIFY2(std::abs(got[i].second.data[j] - v) <= 1e-6 * (1 + std::abs(v)),
                 (key + " value " + std::to_string(j)).c_str());
      }
      ++i;
    }
    QCOMPARE(i, std::size_t(3));
  }

  void testGoldensRoundTripToIdenticalBytes() {
    // golden → reader → writer → the same bytes
    inTempDir([&] {
      for (auto mode : {KaldiArchiveWriter::Mode::Binary, KaldiArchiveWriter::Mode::Text}) {
        const bool bin = mode == KaldiArchiveWriter::Mode::Binary;
        const std::string m = bin ? "matrix_binary.ark" : "matrix_text.ark";
        const std::string v = bin ? "vector_binary.ark" : "vector_text.ark";
        const std::string p = bin ? "posterior_binary.ark" : "posterior_text.ark";
        {
          KaldiArchiveWriter out(m, mode);
          for (auto& [k, x] : readMatrixArchive(kGolden / m)) out.writeMatrix(k, x);
          out.commit();
        }
        {
          KaldiArchiveWriter out(v, mode);
          for (auto& [k, x] : readIntVectorArchive(kGolden / v)) out.writeIntVector(k, x);
          out.commit();
        }
        {
          KaldiArchiveWriter out(p, mode);
          for (auto& [k, x] : readPosteriorArchive(kGolden / p)) out.writePosterior(k, x);
          out.commit();
        }
        for (const auto& name : {m, v, p}) QCOMPARE(bytesOf(name), bytesOf(kGolden / name));
      }
    });
  }

  void testRandomValuesRoundTrip() {
    std::mt19937 rng(7);
    std::normal_distribution<float> gauss(0.0f, 10.0f);
    std::uniform_int_distribution<int> len(0, 40);
    std::vector<std::pair<std::string, FloatMatrix>> mats;
    std::vector<std::pair<std::string, std::vector<std::int32_t>>> vecs;
    std::vector<std::pair<std::string, Posterior>> posts;
    for (int i = 0; i < 30; ++i) {
      FloatMatrix m;
      m.rows = 1 + len(rng);
      m.cols = 1 + len(rng) % 9;
      for (int j = 0; j < m.rows * m.cols; ++j) m.data.push_back(gauss(rng));
      mats.emplace_back("m-" + std::to_string(i), m);
      std::vector<std::int32_t> v;
      for (int j = len(rng); j > 0; --j) v.push_back(static_cast<std::int32_t>(rng()));
      vecs.emplace_back("v_" + std::to_string(i), v);
      Posterior p(static_cast<std::size_t>(len(rng)));
      for (auto& frame : p)
        for (int j = len(rng) % 5; j > 0; --j)
          frame.emplace_back(static_cast<std::int32_t>(rng() % 5000), std::abs(gauss(rng)));
      posts.emplace_back("p/" + std::to_string(i), p);
    }
    inTempDir([&] {
      for (auto mode : {KaldiArchiveWriter::Mode::Binary, KaldiArchiveWriter::Mode::Text}) {
        const bool bin = mode == KaldiArchiveWriter::Mode::Binary;
        KaldiArchiveWriter m("m.ark", mode, "m.scp"), v("v.ark", mode), p("p.ark", mode);
        for (auto& [k, x] : mats) m.writeMatrix(k, x);
        for (auto& [k, x] : vecs) v.writeIntVector(k, x);
        for (auto& [k, x] : posts) p.writePosterior(k, x);
        m.commit();
        v.commit();
        p.commit();
        QVERIFY(readIntVectorArchive("v.ark") == vecs);
        auto gotM = readMatrixArchive("m.ark");
        auto gotP = readPosteriorArchive("p.ark");
        QCOMPARE(gotM.size(), mats.size());
        QCOMPARE(gotP.size(), posts.size());
        auto scp = readScp("m.scp");
        for (std::size_t i = 0; i < mats.size(); ++i) {
          QCOMPARE(gotM[i].first, mats[i].first);
          if (bin) {
            QVERIFY(gotM[i].second == mats[i].second);
            QVERIFY(gotP[i].second == posts[i].second);
            QVERIFY(readScpMatrix(scp[i]) == mats[i].second);
          } else {  // text keeps 7 significant digits, as Kaldi
            QCOMPARE(gotM[i].second.rows, mats[i].second.rows);
            QCOMPARE(gotM[i].second.cols, mats[i].second.cols);
            for (std::size_t j = 0; j < mats[i].second.data.size(); ++j) {
              float a = gotM[i].second.data[j], b = mats[i].second.data[j];
              QVERIFY(std::abs(a - b) <= 1e-6f * std::abs(b) + 1e-30f);
            }
            QCOMPARE(gotP[i].second.size(), posts[i].second.size());
            QVERIFY(readScpMatrix(scp[i]).rows == mats[i].second.rows);
          }
        }
      }
    });
  }

  void testTruncatedArchivesThrowNamingKeyAndOffset() {
    // Every prefix of every binary golden either reads the whole records it
    // holds or throws understudy::Error — never crashes or returns garbage.
    for (const char* name : {"matrix_binary.ark", "vector_binary.ark", "posterior_binary.ark",
                             "matrix_text.ark", "posterior_text.ark", "matrix_compressed.ark"}) {
      const std::string full = bytesOf(kGolden / name);
      QTemporaryDir tmp;
      const fs::path cut = fs::path(tmp.path().toStdString()) / "cut.ark";
      for (std::size_t n = 1; n < full.size(); ++n) {
        writeBytes(cut, full.substr(0, n));
        try {
          KaldiArchiveReader in(cut);
          while (in.next()) {
            const std::string fn(name);
            if (fn.rfind("matrix", 0) == 0) in.readMatrix();
            else if (fn.rfind("vector", 0) == 0) in.readIntVector();
            else in.readPosterior();
          }
        } catch (const Error& e) {
          QVERIFY2(e.message().find(cut.string()) != std::string::npos, e.what());
        }
      }
    }
    // A cut inside utt2's data names utt2, the file and the byte offset.
    const std::string full = bytesOf(kGolden / "matrix_binary.ark");
    QTemporaryDir tmp;
    const fs::path cut = fs::path(tmp.path().toStdString()) / "cut.ark";
    writeBytes(cut, full.substr(0, 0x46));
    expectError(
        [&] {
          KaldiArchiveReader in(cut);
          while (in.next()) in.readMatrix();
        },
        {cut.string(), "key 'utt2'", "truncated matrix: expected 1 rows × 3 cols", "byte 70"});
  }

  void testGarbageIsAnError() {
    QTemporaryDir tmp;
    const fs::path p = fs::path(tmp.path().toStdString()) / "bad.ark";
    // a wrong size byte inside a binary int vector
    writeBytes(p, std::string("k1 \0B", 5) + std::string("\x04\x02\x00\x00\x00", 5) +
                      std::string("\x04\x01\x00\x00\x00", 5) + std::string("\x02\x01\x00\x00\x00", 5));
    expectError([&] { readIntVectorArchive(p); },
                {p.string(), "key 'k1'", "size byte 4", "byte 15"});
    // \0 without B
    writeBytes(p, std::string("k0 \0C", 5));
    expectError([&] { readMatrixArchive(p); }, {"key 'k0'", "not \\0B", "byte 3"});
    // a binary value that is not a matrix
    writeBytes(p, std::string("k2 \0BXY \x04\x01\x00\x00\x00", 14));
    expectError([&] { readMatrixArchive(p); }, {"key 'k2'", "expected a matrix token", "byte 5"});
    // a bad number in a text matrix names the line
    writeBytes(p, "a  [\n  1 2 ]\nb  [\n  1 2 \n  3 x ]\n");
    expectError([&] { readMatrixArchive(p); }, {p.string() + ":5", "key 'b'", "'x'"});
    // ragged text matrix
    writeBytes(p, "a  [\n  1 2 \n  3 ]\n");
    expectError([&] { readMatrixArchive(p); }, {"key 'a'", "row 2 has 1 values, expected 2"});
    // text posterior without weight, unclosed frame
    writeBytes(p, "p [ 1 0.5 3 ]\n");
    expectError([&] { readPosteriorArchive(p); }, {"key 'p'", "no weight"});
    writeBytes(p, "p [ 1 0.5 \n");
    expectError([&] { readPosteriorArchive(p); }, {"key 'p'", "not closed"});
    // an int that does not fit int32
    writeBytes(p, "a 1 2 99999999999\n");
    expectError([&] { readIntVectorArchive(p); }, {"key 'a'", "int32"});
    // random bytes never crash
    std::mt19937 rng(3);
    for (int trial = 0; trial < 200; ++trial) {
      std::string junk(static_cast<std::size_t>(rng() % 300), '\0');
      for (auto& c : junk) c = static_cast<char>(rng());
      writeBytes(p, junk);
      try {
        readMatrixArchive(p);
      } catch (const Error&) {
      }
      try {
        readPosteriorArchive(p);
      } catch (const Error&) {
      }
    }
  }

  void testScpOffsetPastEndIsAnError() {
    ScpEntry e = parseScpLine("utt9 " + (kGolden / "matrix_binary.ark").string() + ":9999");
    expectError([&] { readScpMatrix(e); }, {"key 'utt9'", "past the end", "9999"});
  }

  void testKeysAreChecked() {
    QTemporaryDir tmp;
    KaldiArchiveWriter out(fs::path(tmp.path().toStdString()) / "k.ark",
                           KaldiArchiveWriter::Mode::Binary);
    expectError([&] { out.writeIntVector("two words", {1}); }, {"whitespace", "two words"});
    expectError([&] { out.writeIntVector("", {1}); }, {"empty key"});
    expectError([&] { out.writeIntVector("tab\tkey", {1}); }, {"whitespace"});
  }

  void testScpLineParsing() {
    ScpEntry e = parseScpLine("utt1 /data/raw feats.ark:1234");
    QCOMPARE(e.key, std::string("utt1"));
    QCOMPARE(e.path.string(), std::string("/data/raw feats.ark"));
    QCOMPARE(e.offset, std::uint64_t(1234));
    e = parseScpLine("utt2\tdata/x.ark  \r");
    QVERIFY(!e.hasOffset);
    QCOMPARE(e.path.string(), std::string("data/x.ark"));
    expectError([] { parseScpLine("utt3 gunzip -c a.ark.gz |", "x.scp", 4); },
                {"x.scp:4", "pipe"});
    expectError([] { parseScpLine("utt4 a.ark:12[0:9]", "x.scp", 5); }, {"ranges"});
    expectError([] { parseScpLine("lonely", "x.scp", 6); }, {"x.scp:6"});
  }

  void testUnreadValueIsAnError() {
    KaldiArchiveReader in(kGolden / "matrix_binary.ark");
    QVERIFY(in.next());
    expectError([&] { in.next(); }, {"not read", "utt1"});
  }

  void testEmptyMatrixIsWrittenAsKaldiDoes() {
    // Kaldi has no 0×n matrix: binary `FM ` 0 0, text ` [ ]`.
    inTempDir([&] {
      FloatMatrix empty;
      empty.cols = 3;
      for (auto mode : {KaldiArchiveWriter::Mode::Binary, KaldiArchiveWriter::Mode::Text}) {
        KaldiArchiveWriter out("e.ark", mode);
        out.writeMatrix("e", empty);
        out.commit();
        const std::string want = mode == KaldiArchiveWriter::Mode::Binary
                                     ? std::string("e \0BFM \x04\0\0\0\0\x04\0\0\0\0", 17)
                                     : std::string("e  [ ]\n");
        QCOMPARE(bytesOf("e.ark"), want);
        auto got = readMatrixArchive("e.ark");
        QCOMPARE(got.size(), std::size_t(1));
        QCOMPARE(got[0].second.rows, 0);
        QCOMPARE(got[0].second.cols, 0);
      }
    });
  }

  void testArchivesLargerThanTheWriteBufferMatchAnIndependentWriter() {
    // tests/data/kaldi/big_archives.py writes the same records byte by byte
    // (its docstring spells out the generator used by bigMatrices() & co.):
    // a 4200 x 64 matrix (1.07 MB binary, ~3.4 MB text: larger than the
    // writer's 1 MiB buffer in both forms) among 61 smaller ones and an
    // empty one, a 300,000-value alignment, a 60,000-frame posterior.
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const fs::path ours = fs::path(tmp.path().toStdString()) / "ours";
    const fs::path ref = fs::path(tmp.path().toStdString()) / "ref";
    fs::create_directories(ours);
    auto py = understudy::test::runProcess(
        "/usr/bin/python3",
        {UNDERSTUDY_SOURCE_DIR "/tests/data/kaldi/big_archives.py", QString::fromStdString(ref)});
    QVERIFY2(py.exitCode == 0, (py.out + py.err).constData());

    const auto mats = bigMatrices();
    const auto vecs = bigVectors();
    const Posterior post = bigPosterior();
    const QString old = QDir::currentPath();
    QDir::setCurrent(QString::fromStdString(ours));  // scp lines hold the ark name as given
    for (auto mode : {KaldiArchiveWriter::Mode::Binary, KaldiArchiveWriter::Mode::Text}) {
      const std::string form = mode == KaldiArchiveWriter::Mode::Binary ? "binary" : "text";
      KaldiArchiveWriter m("big_matrix_" + form + ".ark", mode, "big_matrix_" + form + ".scp");
      for (const auto& [k, x] : mats) m.writeMatrix(k, x);
      m.commit();
      KaldiArchiveWriter v("big_vector_" + form + ".ark", mode, "big_vector_" + form + ".scp");
      for (const auto& [k, x] : vecs) v.writeIntVector(k, x);
      v.commit();
      KaldiArchiveWriter p("big_posterior_" + form + ".ark", mode,
                           "big_posterior_" + form + ".scp");
      p.writePosterior("p0", post);
      p.commit();
    }
    QDir::setCurrent(old);
    for (const char* kind : {"matrix", "vector", "posterior"}) {
      for (const char* form : {"binary", "text"}) {
        for (const char* ext : {".ark", ".scp"}) {
          const std::string name = std::string("big_") + kind + "_" + form + ext;
          const std::string got = bytesOf(ours / name), want = bytesOf(ref / name);
          QVERIFY2(!want.empty(), name.c_str());
          if (got != want) {
            std::size_t at = 0;
            while (at < std::min(got.size(), want.size()) && got[at] == want[at]) ++at;
            QFAIL((name + ": " + std::to_string(got.size()) + " bytes, reference " +
                   std::to_string(want.size()) + "; first difference at byte " + std::to_string(at))
                      .c_str());
          }
        }
      }
    }

    // Our reader on the reference archives: binary values exactly; text values
    // as the reference's correctly rounded decimal -> float32 (*.f32).
    const auto binM = readMatrixArchive(ref / "big_matrix_binary.ark");
    const auto textM = readMatrixArchive(ref / "big_matrix_text.ark");
    QCOMPARE(binM.size(), mats.size());
    QCOMPARE(textM.size(), mats.size());
    const std::string textValues = bytesOf(ref / "big_matrix_text.f32");
    std::size_t at = 0;
    for (std::size_t i = 0; i < mats.size(); ++i) {
      QCOMPARE(binM[i].first, mats[i].first);
      QVERIFY2(binM[i].second == mats[i].second, mats[i].first.c_str());
      QCOMPARE(textM[i].first, mats[i].first);
      QCOMPARE(textM[i].second.rows, mats[i].second.rows);
      QCOMPARE(textM[i].second.cols, mats[i].second.cols);
      const std::size_t bytes = textM[i].second.data.size() * 4;
      QVERIFY(at + bytes <= textValues.size());
      QVERIFY2(bytes == 0 || std::memcmp(textM[i].second.data.data(), textValues.data() + at, bytes) == 0,
               mats[i].first.c_str());
      at += bytes;
    }
    QCOMPARE(at, textValues.size());
    for (const char* form : {"binary", "text"})
      QVERIFY2(readIntVectorArchive(ref / (std::string("big_vector_") + form + ".ark")) == vecs,
               form);
    QVERIFY(readPosteriorArchive(ref / "big_posterior_binary.ark").at(0).second == post);
    const Posterior textPost = readPosteriorArchive(ref / "big_posterior_text.ark").at(0).second;
    const std::string weights = bytesOf(ref / "big_posterior_text.f32");
    QCOMPARE(textPost.size(), post.size());
    at = 0;
    for (std::size_t t = 0; t < post.size(); ++t) {
      QCOMPARE(textPost[t].size(), post[t].size());
      for (std::size_t j = 0; j < post[t].size(); ++j) {
        QCOMPARE(textPost[t][j].first, post[t][j].first);
        QVERIFY(at + 4 <= weights.size());
        QVERIFY(std::memcmp(&textPost[t][j].second, weights.data() + at, 4) == 0);
        at += 4;
      }
    }
    QCOMPARE(at, weights.size());
    // Random access through the reference scp, last record first.
    QDir::setCurrent(QString::fromStdString(ref));
    const auto entries = readScp("big_matrix_binary.scp");
    QCOMPARE(entries.size(), mats.size());
    for (std::size_t i = entries.size(); i-- > 0;)
      QVERIFY2(readScpMatrix(entries[i]) == mats[i].second, entries[i].key.c_str());
    QDir::setCurrent(old);
  }

  void testTextArchivesWithCrlfLineEndsReadAsLf() {
    // The text goldens with every "\n" turned into "\r\n" (an archive that
    // passed through a Windows editor) give the same values.
    QTemporaryDir tmp;
    const fs::path p = fs::path(tmp.path().toStdString()) / "crlf.ark";
    auto crlf = [](const std::string& s) {
      std::string out;
      for (char c : s) out += c == '\n' ? std::string("\r\n") : std::string(1, c);
      return out;
    };
    writeBytes(p, crlf(bytesOf(kGolden / "matrix_text.ark")));
    const auto m = readMatrixArchive(p);
    QCOMPARE(m.size(), std::size_t(3));
    for (std::size_t i = 0; i < m.size(); ++i) {
      QCOMPARE(m[i].first, goldenMatrices()[i].first);
      QVERIFY2(m[i].second == goldenMatrices()[i].second, m[i].first.c_str());
    }
    writeBytes(p, crlf(bytesOf(kGolden / "vector_text.ark")));
    QVERIFY(readIntVectorArchive(p) == goldenVectors());
    writeBytes(p, crlf(bytesOf(kGolden / "posterior_text.ark")));
    QVERIFY(readPosteriorArchive(p) == goldenPosteriors());
  }

  void testEmptyArchiveHasNoRecords() {
    QTemporaryDir tmp;
    const fs::path p = fs::path(tmp.path().toStdString()) / "empty.ark";
    writeBytes(p, "");
    KaldiArchiveReader in(p);
    QVERIFY(!in.next());
  }
};

QTEST_GUILESS_MAIN(TestKaldiIo)
#include "test_kaldi_io.moc"
