// Dataset import (Kaldi data dirs, JSONL manifests), `corpus import|list` and
// `features` end to end. Fixtures are built here: WAV files by a hand-written
// RIFF writer (not our writeWav), Kaldi files byte by byte with the defects
// users meet. Expected reasons and line numbers are written from the fixture,
// expected features from Fbank run directly on the generated samples.
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <signal.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "core/audio/audio_io.h"
#include "core/audio/cmvn.h"
#include "core/audio/fbank.h"
#include "core/corpus/dataset_importer.h"
#include "core/corpus/feature_extraction.h"
#include "core/corpus/kaldi_data_dir.h"
#include "core/corpus/manifest.h"
#include "core/store/feature_store.h"
#include "core/store/workspace.h"
#include "core/util/atomic_file.h"
#include "core/util/config_hash.h"
#include "core/util/error.h"
#include "core/util/progress.h"
#include "support/test_support.h"

using namespace understudy;
using namespace understudy::corpus;
using understudy::test::runCli;

namespace {

// A deterministic test signal: a sine plus LCG noise, int16.
std::vector<std::int16_t> makeSignal(int n, unsigned seed) {
  std::vector<std::int16_t> s(static_cast<std::size_t>(n));
  std::uint32_t state = 12345u + seed * 7919u;
  for (int i = 0; i < n; ++i) {
    state = state * 1664525u + 1013904223u;
    const double noise = (static_cast<double>(state >> 8) / 16777216.0 - 0.5) * 2000.0;
    const double tone = 6000.0 * std::sin(2.0 * M_PI * (150.0 + 40.0 * seed) * i / 16000.0);
    s[static_cast<std::size_t>(i)] = static_cast<std::int16_t>(std::lround(tone + noise));
  }
  return s;
}

void putLe(std::string& out, std::uint32_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

// RIFF/WAVE PCM16 by hand. `claimedDataBytes` > 0 overrides the data chunk size (truncation).
std::string wavBytes(const std::vector<std::int16_t>& samples, int rate, int channels = 1,
                     std::uint32_t claimedDataBytes = 0) {
  const std::uint32_t dataBytes = static_cast<std::uint32_t>(samples.size() * 2);
  const std::uint32_t claimed = claimedDataBytes ? claimedDataBytes : dataBytes;
  std::string out = "RIFF";
  putLe(out, 36 + claimed, 4);
  out += "WAVEfmt ";
  putLe(out, 16, 4);
  putLe(out, 1, 2);  // PCM
  putLe(out, static_cast<std::uint32_t>(channels), 2);
  putLe(out, static_cast<std::uint32_t>(rate), 4);
  putLe(out, static_cast<std::uint32_t>(rate * channels * 2), 4);
  putLe(out, static_cast<std::uint32_t>(channels * 2), 2);
  putLe(out, 16, 2);
  out += "data";
  putLe(out, claimed, 4);
  for (std::int16_t v : samples) putLe(out, static_cast<std::uint16_t>(v), 2);
  return out;
}

void writeFile(const QString& path, const std::string& bytes) {
  QDir().mkpath(QFileInfo(path).absolutePath());
  std::ofstream out(path.toStdString(), std::ios::binary);
  out << bytes;
}

std::vector<float> toFloat(const std::vector<std::int16_t>& s, std::size_t begin,
                           std::size_t end) {
  std::vector<float> out;
  for (std::size_t i = begin; i < end; ++i) out.push_back(static_cast<float>(s[i]) / 32768.0f);
  return out;
}

struct UttRow {
  std::string status, reason, text, speaker, audioPath, metadata;
  bool textNull = false;
  double offset = 0, duration = 0;
};

std::map<std::string, UttRow> utterancesOf(SQLite::Database& db, const std::string& dataset) {
  SQLite::Statement q(db,
                      "SELECT u.key, u.status, u.reason, u.text, u.speaker, u.audio_path, "
                      "u.offset_s, u.duration_s, u.metadata FROM utterances u JOIN datasets d ON "
                      "d.id = u.dataset_id WHERE d.name = ?");
  q.bind(1, dataset);
  std::map<std::string, UttRow> out;
  while (q.executeStep()) {
    UttRow r;
    r.status = q.getColumn(1).getString();
    r.reason = q.getColumn(2).getString();
    r.textNull = q.getColumn(3).isNull();
    r.text = q.getColumn(3).getString();
    r.speaker = q.getColumn(4).getString();
    r.audioPath = q.getColumn(5).getString();
    r.offset = q.getColumn(6).getDouble();
    r.duration = q.getColumn(7).getDouble();
    r.metadata = q.getColumn(8).getString();
    out[q.getColumn(0).getString()] = r;
  }
  return out;
}

bool hasIssue(const std::vector<SourceIssue>& issues, const std::string& text, bool fixed) {
  for (const auto& i : issues)
    if (i.toString() == text && i.fixed == fixed) return true;
  return false;
}

std::string issuesText(const std::vector<SourceIssue>& issues) {
  std::string out;
  for (const auto& i : issues) out += (i.fixed ? "[fixed] " : "") + i.toString() + "\n";
  return out;
}

class CancelAfter : public ProgressSink {
 public:
  explicit CancelAfter(int n) : m_left(n) {}
  void onProgress(const ProgressState&) override {}
  bool cancelled() const override { return m_left-- <= 0; }

 private:
  mutable int m_left;
};

std::int64_t count(SQLite::Database& db, const std::string& sql) {
  return db.execAndGet(sql).getInt64();
}

}  // namespace

class TestImport : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir m_tmp;

  QString path(const QString& rel) const { return m_tmp.filePath(rel); }

  // The Kaldi fixture with a defect on (almost) every line; see the comments.
  QString makeBadKaldiDir(const QString& base) {
    const QString a = path(base + "/wav/recA.wav"), b = path(base + "/wav/recB.wav");
    writeFile(a, wavBytes(makeSignal(48000, 1), 16000));  // 3.00 s
    writeFile(b, wavBytes(makeSignal(32000, 2), 16000));  // 2.00 s
    const QString dir = path(base + "/data/train");
    writeFile(dir + "/wav.scp",
              "\xEF\xBB\xBF"
              "recB " + b.toStdString() + "\r\n"                         // 1: BOM, CRLF
              "recA\xC2\xA0" + a.toStdString() + "  \r\n"                // 2: NBSP, trailing, unsorted
              "recC cat /nonexistent/c.wav |\r\n"                        // 3: pipe
              "recD /nonexistent/recD.wav\r\n"                           // 4: missing file
              "recA /elsewhere/other.wav\r\n"                            // 5: duplicate
              "recE\r\n");                                               // 6: no path
    writeFile(dir + "/segments",
              "a1 recA 0 1.0\n"        // 1 ok
              "a2 recA 1.0 2.5\n"      // 2 ok
              "a3 recA 2.5 3.5\n"      // 3 past the end by 0.5 s
              "a4 recA 2.0 3.05\n"     // 4 past by 0.05 s: tolerated, clamped
              "b1 recB 1.5 1.0\n"      // 5 end before start
              "b2 recZ 0 1\n"          // 6 unknown recording
              "b3 recB abc 1\n"        // 7 not a number
              "b4 recB 0\n"            // 8 three fields
              "c1 recC 0 1\n"          // 9 pipe refused
              "d1 recD 0 1\n"          // 10 file missing
              "a1 recA 0 2\n"          // 11 duplicate
              "e1 recB 0 1.0\n"        // 12 empty transcript
              "m1 recB 1.0 2.0\n"      // 13 no transcript
              "x1 recE 0 1\n");        // 14 recording without path
    writeFile(dir + "/text",
              "a1 hello world\n"
              "a2 set a timer\n"
              "a3 too long\n"
              "a4 play\tjazz  \n"
              "e1\n"
              "zz9 nobody said this\n"  // 6 unknown utterance
              "b1 b\n"
              "c1 c\n"
              "d1 d\n"
              "x1 x\n");
    writeFile(dir + "/utt2spk",
              "a1 s1\na2 s1\na4 s2\nghost s3\ne1 s2\nm1 s2\n");
    writeFile(dir + "/spk2utt", "s1 a1 a2\ns2 a4 e1 m1 a1\n");
    return dir;
  }

 private slots:
  void initTestCase() { QVERIFY(m_tmp.isValid()); }

  void testKaldiBadLinesAreReportedWithFileAndLine() {
    const QString dir = makeBadKaldiDir("kaldi1");
    Workspace ws = Workspace::create(path("kaldi1/ws").toStdString());
    ImportOptions opt;
    opt.name = "train";
    opt.kind = DatasetKind::Labeled;
    DatasetImporter importer(ws, opt);
    ImportSummary s = importer.importKaldiDir(dir.toStdString());
    const std::string issues = issuesText(s.issues);

    QCOMPARE(s.imported, std::size_t(3));
    QCOMPARE(s.skipped, std::size_t(10));
    QVERIFY2(std::fabs(s.totalSeconds - 3.5) < 1e-9, std::to_string(s.totalSeconds).c_str());

    // Bad lines that have no utterance of their own.
    for (const char* expected :
         {"wav.scp:5: duplicate key 'recA' (first on line 2); this line is ignored",
          "wav.scp:3: piped command refused: 'cat /nonexistent/c.wav'",
          "wav.scp:6: no audio path after the recording id",
          "segments:11: duplicate key 'a1' (first on line 1); this line is ignored",
          "text:6: utterance 'zz9' is not in segments; transcript ignored",
          "utt2spk:4: utterance 'ghost' is not in segments; speaker ignored",
          "spk2utt:2: utterance 'a1' is listed under speaker 's2' but utt2spk says 's1'"})
      QVERIFY2(hasIssue(s.issues, expected, false), (expected + ("\n" + issues)).c_str());
    // What was read through, not rejected.
    for (const char* expected : {"wav.scp:1: UTF-8 byte-order mark ignored",
                                 "wav.scp:1: Windows (CRLF) line ends read as LF",
                                 "wav.scp:2: non-breaking space (U+00A0) read as a plain space",
                                 "wav.scp:2: trailing whitespace ignored",
                                 "wav.scp:2: keys not in C-locale (byte) order; sorted on import",
                                 "text:4: trailing whitespace ignored"})
      QVERIFY2(hasIssue(s.issues, expected, true), (expected + ("\n" + issues)).c_str());

    auto rows = utterancesOf(ws.db(), "train");
    QCOMPARE(rows.size(), std::size_t(13));
    const std::map<std::string, std::string> reasons = {
        {"a3", "segments:3: segment ends at 3.50 s, beyond the end of the recording (3.00 s)"},
        {"b1", "segments:5: end 1.0 s is not after start 1.5 s"},
        {"b2", "segments:6: recording 'recZ' is not in wav.scp"},
        {"b3", "segments:7: start time 'abc' is not a number"},
        {"b4", "segments:8: expected 4 fields '<utt-id> <recording-id> <start> <end>', found 3"},
        {"d1", "audio file not found: /nonexistent/recD.wav"},
        {"e1", "text:5: empty transcript"},
        {"m1", "no transcript in text"},
        {"x1", "wav.scp:6: no audio path after the recording id"},
    };
    for (const auto& [key, reason] : reasons) {
      QVERIFY2(rows.count(key), key.c_str());
      QCOMPARE(rows[key].status, std::string("skipped"));
      QCOMPARE(rows[key].reason, reason);
    }
    QCOMPARE(rows["c1"].status, std::string("skipped"));
    QVERIFY2(rows["c1"].reason.rfind("wav.scp:3: piped command refused", 0) == 0,
             rows["c1"].reason.c_str());
    QCOMPARE(s.skippedByCategory["pipe refused"], std::size_t(1));
    QCOMPARE(s.skippedByCategory["bad source line"], std::size_t(5));

    for (const char* key : {"a1", "a2", "a4"}) {
      QCOMPARE(rows[key].status, std::string("ok"));
      QCOMPARE(rows[key].reason, std::string());
      QCOMPARE(QString::fromStdString(rows[key].audioPath), path("kaldi1/wav/recA.wav"));
    }
    QCOMPARE(rows["a4"].text, std::string("play jazz"));  // tab and trailing blanks normalised
    QCOMPARE(rows["a4"].offset, 2.0);
    QCOMPARE(rows["a4"].duration, 1.0);                   // clamped to the file end
    QCOMPARE(rows["a2"].offset, 1.0);
    QCOMPARE(rows["a2"].duration, 1.5);
    QCOMPARE(rows["a1"].speaker, std::string("s1"));
    QCOMPARE(rows["a4"].speaker, std::string("s2"));
    QCOMPARE(rows["a1"].text, std::string("hello world"));

    SQLite::Statement d(ws.db(),
                        "SELECT kind, source, num_utterances, num_skipped, metadata FROM datasets "
                        "WHERE name = 'train'");
    QVERIFY(d.executeStep());
    QCOMPARE(d.getColumn(0).getString(), std::string("labeled"));
    QCOMPARE(d.getColumn(1).getString(), std::string("kaldi"));
    QCOMPARE(d.getColumn(2).getInt(), 3);
    QCOMPARE(d.getColumn(3).getInt(), 10);
    QVERIFY(d.getColumn(4).getString().find("segments") != std::string::npos);
  }

  void testFixKaldiDirWritesACleanCopyAndKeepsTheOriginal() {
    const QString dir = makeBadKaldiDir("fix");
    std::map<std::string, std::string> before;
    for (const char* f : {"wav.scp", "segments", "text", "utt2spk", "spk2utt"})
      before[f] = readFile((dir + "/" + f).toStdString());
    const QString out = path("fix/data/train_fixed");
    auto r = runCli({"corpus", "fix-kaldi-dir", "--kaldi-dir", dir, "--out", out});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QVERIFY2(r.out.contains("dropped: segments:5: end 1.0 s is not after start 1.5 s"),
             r.out.constData());
    for (const auto& [f, bytes] : before)
      QCOMPARE(readFile((dir + "/" + f.c_str()).toStdString()), bytes);
    KaldiDataDirOptions allow;
    allow.allowPipes = true;
    ParsedSource fixed = readKaldiDataDir(out.toStdString(), allow);
    QVERIFY2(fixed.issues.empty(), issuesText(fixed.issues).c_str());
    std::vector<std::string> keys;
    for (auto& u : fixed.utterances) keys.push_back(u.key);
    QCOMPARE(keys, (std::vector<std::string>{"a1", "a2", "a3", "a4", "c1", "d1", "e1", "m1"}));
    QCOMPARE(readFile((out + "/spk2utt").toStdString()),
             std::string("a3 a3\nc1 c1\nd1 d1\ns1 a1 a2\ns2 a4 e1 m1\n"));
    QCOMPARE(readFile((out + "/text").toStdString()).substr(0, 31),
             std::string("a1 hello world\na2 set a timer\na"));
    auto again = runCli({"corpus", "fix-kaldi-dir", "--kaldi-dir", dir, "--out", out});
    QCOMPARE(again.exitCode, 1);
    QVERIFY(again.err.contains("not empty"));
  }

  void testKaldiKeysAreSortedInCLocale() {
    const QString dir = path("sort/data");
    const QString w = path("sort/x.wav");
    writeFile(w, wavBytes(makeSignal(8000, 3), 16000));
    const std::string p = w.toStdString();
    // In en_US.UTF-8 order "a-1" < "A_2" < "b"; in C (byte) order "A_2" < "B" < "a-1" < "b".
    writeFile(dir + "/wav.scp", "b " + p + "\na-1 " + p + "\nA_2 " + p + "\nB " + p + "\n");
    ParsedSource src = readKaldiDataDir(dir.toStdString());
    std::vector<std::string> keys;
    for (auto& u : src.utterances) keys.push_back(u.key);
    QCOMPARE(keys, (std::vector<std::string>{"A_2", "B", "a-1", "b"}));
    QVERIFY(!src.hasTranscripts);
  }

  void testLabeledImportWithoutTextIsRefusedUnlabeledIsFine() {
    const QString dir = path("notext/data");
    const QString w = path("notext/x.wav");
    writeFile(w, wavBytes(makeSignal(16000, 4), 16000));
    writeFile(dir + "/wav.scp", "r1 " + w.toStdString() + "\n");
    Workspace ws = Workspace::create(path("notext/ws").toStdString());
    ImportOptions opt;
    opt.name = "x";
    opt.kind = DatasetKind::Test;
    try {
      DatasetImporter(ws, opt).importKaldiDir(dir.toStdString());
      QFAIL("a test set without transcripts was accepted");
    } catch (const Error& e) {
      QVERIFY2(std::string(e.what()).find("needs transcripts") != std::string::npos, e.what());
    }
    QCOMPARE(count(ws.db(), "SELECT COUNT(*) FROM datasets"), std::int64_t(0));
    opt.kind = DatasetKind::Unlabeled;
    ImportSummary s = DatasetImporter(ws, opt).importKaldiDir(dir.toStdString());
    QCOMPARE(s.imported, std::size_t(1));
    auto rows = utterancesOf(ws.db(), "x");
    QVERIFY(rows["r1"].textNull);
    QCOMPARE(rows["r1"].speaker, std::string("r1"));
    QCOMPARE(rows["r1"].duration, 1.0);
  }

  void testManifestBadLinesAndMetadata() {
    const QString base = path("man");
    writeFile(base + "/audio/u1.wav", wavBytes(makeSignal(32000, 5), 16000));    // 2.0 s
    writeFile(base + "/audio/u2.wav", wavBytes(makeSignal(24000, 6), 16000));    // 1.5 s
    writeFile(base + "/audio/long.wav", wavBytes(makeSignal(64000, 7), 16000));  // 4.0 s
    const std::string u2abs = (base + "/audio/u2.wav").toStdString();
    writeFile(base + "/m.jsonl",
              "{\"audio_filepath\": \"audio/u1.wav\", \"duration\": 2.0, \"text\": \"hello "
              "there\", \"lang\": \"en\", \"snr\": 12.5}\n"                                   // 1
              "{\"audio_filepath\": \"" + u2abs + "\", \"duration\": 1.5, \"text\": \"b\"}\n"  // 2
              "{\"audio_filepath\": \"audio/u1.wav\", \"duration\": 2.0, \"text\": \"x\"\n"   // 3
              "[1, 2]\n"                                                                       // 4
              "{\"duration\": 1.0, \"text\": \"no path\"}\n"                                  // 5
              "\n"                                                                             // 6
              "{\"audio_filepath\": \"audio/long.wav\", \"duration\": 3.0, \"text\": \"m\"}\n"  // 7
              "{\"audio_filepath\": \"audio/long.wav\", \"offset\": 1.0, \"duration\": 2.0, "
              "\"text\": \"seg\"}\n"                                                           // 8
              "{\"audio_filepath\": \"audio/u2.wav\", \"duration\": \"1.5\", \"text\": \"t\"}\n"  // 9
              "{\"audio_filepath\": \"audio/missing.wav\", \"duration\": 1.0, \"text\": \"m\"}\r\n"  // 10
              "{\"audio_filepath\": \"audio/u1.wav\", \"id\": \"notext\", \"duration\": 2.0}\n"  // 11
              "{\"audio_filepath\": \"audio/long.wav\", \"offset\": 3.0, \"duration\": 2.0, "
              "\"text\": \"past\"}\n"                                                          // 12
              "{\"audio_filepath\": \"audio/u1.wav\", \"id\": \"with space\", \"duration\": 2.0, "
              "\"text\": \"w\"}\n");                                                           // 13
    Workspace ws = Workspace::create((base + "/ws").toStdString());
    ImportOptions opt;
    opt.name = "m";
    ImportSummary s = DatasetImporter(ws, opt).importManifest((base + "/m.jsonl").toStdString());
    const std::string issues = issuesText(s.issues);
    QVERIFY2(hasIssue(s.issues, "m.jsonl:4: not a JSON object", false), issues.c_str());
    QVERIFY2(hasIssue(s.issues, "m.jsonl:5: no \"audio_filepath\" string", false), issues.c_str());
    QVERIFY2(hasIssue(s.issues, "m.jsonl:9: \"duration\" is not a number", false), issues.c_str());
    bool badJson = false;
    for (auto& i : s.issues)
      badJson |= i.line == 3 && i.reason.rfind("not valid JSON: ", 0) == 0;
    QVERIFY2(badJson, issues.c_str());

    QCOMPARE(s.imported, std::size_t(4));
    auto rows = utterancesOf(ws.db(), "m");
    QCOMPARE(rows.size(), std::size_t(9));
    for (const char* key : {"u1", "u2", "long-0001000", "with_space"})
      QVERIFY2(rows[key].status == "ok", (key + (": " + rows[key].reason)).c_str());
    QCOMPARE(rows["long-0001000"].offset, 1.0);
    QCOMPARE(rows["long-0001000"].duration, 2.0);
    QCOMPARE(rows["u1"].text, std::string("hello there"));
    QCOMPARE(QString::fromStdString(rows["u1"].audioPath), base + "/audio/u1.wav");
    QVERIFY2(rows["u1"].metadata.find("\"lang\":\"en\"") != std::string::npos,
             rows["u1"].metadata.c_str());
    QVERIFY2(rows["u1"].metadata.find("\"snr\":12.5") != std::string::npos,
             rows["u1"].metadata.c_str());
    const std::map<std::string, std::string> reasons = {
        {"long", "m.jsonl:7: duration mismatch: the manifest says 3.00 s, the audio has 4.00 s"},
        {"u2-L9", "m.jsonl:9: \"duration\" is not a number"},
        {"missing", "audio file not found: " + (base + "/audio/missing.wav").toStdString()},
        {"notext", "m.jsonl:11: no \"text\" field"},
        {"long-0003000",
         "m.jsonl:12: segment ends at 5.00 s, beyond the end of the recording (4.00 s)"},
    };
    for (const auto& [key, reason] : reasons) {
      QVERIFY2(rows.count(key), key.c_str());
      QCOMPARE(rows[key].status, std::string("skipped"));
      QCOMPARE(rows[key].reason, reason);
    }
  }

  void testManifestDeclaringMoreAudioThanTheFileIsSkipped() {
    // A 4.00 s file; the documented tolerance is 0.1 s (docs/corpus.md).
    const QString base = path("more");
    writeFile(base + "/a.wav", wavBytes(makeSignal(64000, 16), 16000));
    auto line = [](const char* id, const char* rest) {
      return std::string("{\"audio_filepath\": \"a.wav\", \"id\": \"") + id + "\", " + rest +
             ", \"text\": \"t\"}\n";
    };
    writeFile(base + "/m.jsonl",
              line("more", "\"duration\": 5.0") +                    // 1: 1 s more than the file
              line("slightly", "\"duration\": 4.15") +               // 2: 0.15 s more
              line("within", "\"duration\": 4.05") +                 // 3: within the tolerance
              line("less", "\"duration\": 3.5") +                    // 4: less than the file
              line("seg-more", "\"offset\": 0, \"duration\": 4.5") +  // 5: a segment past the end
              line("seg-end", "\"offset\": 3.0, \"duration\": 1.0"));  // 6: ends at the file's end
    Workspace ws = Workspace::create((base + "/ws").toStdString());
    ImportOptions opt;
    opt.name = "m";
    ImportSummary s = DatasetImporter(ws, opt).importManifest((base + "/m.jsonl").toStdString());
    QCOMPARE(s.imported, std::size_t(2));
    QCOMPARE(s.skippedByCategory["duration mismatch"], std::size_t(3));
    QCOMPARE(s.skippedByCategory["segment past the end"], std::size_t(1));
    auto rows = utterancesOf(ws.db(), "m");
    const std::map<std::string, std::string> reasons = {
        {"more", "m.jsonl:1: duration mismatch: the manifest says 5.00 s, the audio has 4.00 s"},
        {"slightly",
         "m.jsonl:2: duration mismatch: the manifest says 4.15 s, the audio has 4.00 s"},
        {"less", "m.jsonl:4: duration mismatch: the manifest says 3.50 s, the audio has 4.00 s"},
        {"seg-more",
         "m.jsonl:5: segment ends at 4.50 s, beyond the end of the recording (4.00 s)"},
    };
    for (const auto& [key, reason] : reasons) {
      QCOMPARE(rows[key].status, std::string("skipped"));
      QCOMPARE(rows[key].reason, reason);
    }
    QCOMPARE(rows["within"].status, std::string("ok"));
    QCOMPARE(rows["within"].duration, 4.0);  // the audio's length, not the manifest's
    QCOMPARE(rows["seg-end"].status, std::string("ok"));
    QCOMPARE(rows["seg-end"].duration, 1.0);
    // The skipped utterances are reported with their reasons, in key order.
    std::vector<std::string> keys;
    for (const auto& u : s.skippedUtterances) keys.push_back(u.key);
    QCOMPARE(keys, (std::vector<std::string>{"less", "more", "seg-more", "slightly"}));
  }

  void testOneFrameUtteranceIsImportedAndGetsOneFeatureFrame() {
    // 400 samples at 16 kHz = exactly one 25 ms window: one frame. 399 samples
    // is shorter than a frame: skipped at import ("too short").
    const QString base = path("oneframe");
    const auto sig = makeSignal(400, 19);
    writeFile(base + "/one.wav", wavBytes(sig, 16000));
    writeFile(base + "/less.wav", wavBytes(makeSignal(399, 20), 16000));
    writeFile(base + "/data/wav.scp", "less " + (base + "/less.wav").toStdString() + "\none " +
                                          (base + "/one.wav").toStdString() + "\n");
    Workspace ws = Workspace::create((base + "/ws").toStdString());
    ImportOptions opt;
    opt.name = "o";
    opt.kind = DatasetKind::Unlabeled;
    ImportSummary s = DatasetImporter(ws, opt).importKaldiDir((base + "/data").toStdString());
    QCOMPARE(s.imported, std::size_t(1));
    QCOMPARE(s.skippedUtterances.at(0).key, std::string("less"));
    QCOMPARE(s.skippedUtterances.at(0).category, std::string("too short"));
    FeatureExtractionSummary f = extractFeatures(ws, "o", {});
    QCOMPARE(f.computed, std::size_t(1));
    QCOMPARE(f.storedFrames, std::uint64_t(1));
    FeatureStore store = FeatureStore::open(ws.root() / f.storePath);
    const FeatureMatrixView v = store.read("one");
    QCOMPARE(v.frames, 1);
    const std::vector<float> expected = Fbank(FbankOptions{}).compute(toFloat(sig, 0, sig.size()));
    QCOMPARE(expected.size(), std::size_t(64));
    QVERIFY(std::memcmp(expected.data(), v.data, 64 * sizeof(float)) == 0);
  }

  void testManifestWithBomAndCrlfIsReadAsWithout() {
    // A manifest saved by a Windows editor: UTF-8 byte-order mark, CRLF line ends.
    const QString base = path("bom");
    writeFile(base + "/a.wav", wavBytes(makeSignal(16000, 18), 16000));
    writeFile(base + "/m.jsonl",
              "\xEF\xBB\xBF{\"audio_filepath\": \"a.wav\", \"duration\": 1.0, \"text\": \"one\"}\r\n"
              "{\"audio_filepath\": \"a.wav\", \"id\": \"b\", \"duration\": 1.0, \"text\": \"two\"}\r\n");
    ParsedSource src = readManifest((base + "/m.jsonl").toStdString());
    QCOMPARE(src.numBadLines(), std::size_t(0));
    QVERIFY2(hasIssue(src.issues, "m.jsonl:1: UTF-8 byte-order mark ignored", true),
             issuesText(src.issues).c_str());
    QCOMPARE(src.utterances.size(), std::size_t(2));
    QCOMPARE(src.utterances[0].key, std::string("a"));
    QCOMPARE(src.utterances[0].text, std::string("one"));
    QCOMPARE(src.utterances[1].text, std::string("two"));
    QCOMPARE(src.utterances[1].declaredDurationSeconds, 1.0);
  }

  void testKaldiSegmentEndingPastTheFileIsSkipped() {
    // A 3.00 s recording; segments past its end by more than 0.1 s are skipped.
    const QString base = path("segpast");
    writeFile(base + "/r.wav", wavBytes(makeSignal(48000, 17), 16000));
    writeFile(base + "/data/wav.scp", "r " + (base + "/r.wav").toStdString() + "\n");
    writeFile(base + "/data/segments",
              "s1 r 0 3.2\n"      // 1: 0.2 s past the end
              "s2 r 1.0 3.09\n"   // 2: within the tolerance: clipped to the end
              "s3 r 3.0 3.05\n"   // 3: starts at the end
              "s4 r 2.5 3.0\n"    // 4: ends exactly at the end
              "s5 r 0.5 3.12\n");  // 5: 0.12 s past the end
    Workspace ws = Workspace::create((base + "/ws").toStdString());
    ImportOptions opt;
    opt.name = "s";
    opt.kind = DatasetKind::Unlabeled;
    ImportSummary s = DatasetImporter(ws, opt).importKaldiDir((base + "/data").toStdString());
    QCOMPARE(s.imported, std::size_t(2));
    QCOMPARE(s.skippedByCategory["segment past the end"], std::size_t(3));
    auto rows = utterancesOf(ws.db(), "s");
    QCOMPARE(rows["s1"].reason,
             std::string("segments:1: segment ends at 3.20 s, beyond the end of the recording "
                         "(3.00 s)"));
    QCOMPARE(rows["s3"].reason,
             std::string("segments:3: segment starts at 3.00 s, at or past the end of the "
                         "recording (3.00 s)"));
    QCOMPARE(rows["s5"].reason,
             std::string("segments:5: segment ends at 3.12 s, beyond the end of the recording "
                         "(3.00 s)"));
    for (const char* key : {"s1", "s3", "s5"}) QCOMPARE(rows[key].status, std::string("skipped"));
    QCOMPARE(rows["s2"].status, std::string("ok"));
    QCOMPARE(rows["s2"].duration, 2.0);  // clipped to the recording's end
    QCOMPARE(rows["s4"].status, std::string("ok"));
    QCOMPARE(rows["s4"].duration, 0.5);
  }

  void testBrokenAudioFilesAreSkippedWithTheirReasons() {
    const QString base = path("broken");
    const auto sig = makeSignal(16000, 8);
    writeFile(base + "/good.wav", wavBytes(sig, 16000));
    std::string corrupt = wavBytes(sig, 16000).substr(0, 12);
    for (int i = 0; i < 4000; ++i) corrupt.push_back(static_cast<char>((i * 37 + 11) & 0xff));
    writeFile(base + "/corrupt.wav", corrupt);
    writeFile(base + "/truncated.wav", wavBytes(makeSignal(800, 9), 16000, 1, 32000));
    writeFile(base + "/empty.wav", "");
    writeFile(base + "/noframes.wav", wavBytes({}, 16000));
    writeFile(base + "/text.wav", "this is a list of files, not audio\nline two\n");
    writeFile(base + "/rate8k.wav", wavBytes(makeSignal(8000, 10), 8000));
    writeFile(base + "/rate4k.wav", wavBytes(makeSignal(4000, 11), 4000));
    writeFile(base + "/short.wav", wavBytes(makeSignal(160, 12), 16000));  // 10 ms
    std::string scp;
    for (const char* name : {"corrupt", "empty", "good", "noframes", "rate4k", "rate8k", "short",
                             "text", "truncated"})
      scp += std::string(name) + " " + (base + "/" + name + ".wav").toStdString() + "\n";
    writeFile(base + "/data/wav.scp", scp);
    Workspace ws = Workspace::create((base + "/ws").toStdString());
    ImportOptions opt;
    opt.name = "b";
    opt.kind = DatasetKind::Unlabeled;
    ImportSummary s = DatasetImporter(ws, opt).importKaldiDir((base + "/data").toStdString());
    QCOMPARE(s.imported, std::size_t(1));
    std::map<std::string, SkippedUtterance> byKey;
    for (auto& u : s.skippedUtterances) byKey[u.key] = u;
    const std::map<std::string, std::pair<std::string, std::string>> expected = {
        {"corrupt", {"unreadable audio", "corrupt"}},
        {"empty", {"empty audio", "0 bytes"}},
        {"noframes", {"empty audio", "no samples"}},
        {"text", {"unreadable audio", "not an audio file"}},
        {"truncated", {"truncated audio", "truncated"}},
        {"rate8k", {"sample rate", "8000 Hz"}},
        {"rate4k", {"sample rate", "4000"}},
        {"short", {"too short", "0.010 s of audio is shorter than one 0.025 s frame"}},
    };
    for (const auto& [key, want] : expected) {
      QVERIFY2(byKey.count(key), key.c_str());
      QCOMPARE(byKey[key].category, want.first);
      QVERIFY2(byKey[key].reason.find(want.second) != std::string::npos,
               (key + ": " + byKey[key].reason).c_str());
    }
    auto rows = utterancesOf(ws.db(), "b");
    QCOMPARE(rows.size(), std::size_t(9));
    QCOMPARE(rows["truncated"].reason, byKey["truncated"].reason);
  }

  void testSegmentsReadTheRightSamples() {
    const QString base = path("segs");
    const auto sig = makeSignal(48000, 13);
    writeFile(base + "/rec.wav", wavBytes(sig, 16000));
    writeFile(base + "/data/wav.scp", "rec " + (base + "/rec.wav").toStdString() + "\n");
    writeFile(base + "/data/segments", "u1 rec 0.5 1.25\nu2 rec 1.25 2.8125\nu3 rec 2.8125 -1\n");
    Workspace ws = Workspace::create((base + "/ws").toStdString());
    ImportOptions opt;
    opt.name = "s";
    opt.kind = DatasetKind::Unlabeled;
    QCOMPARE(DatasetImporter(ws, opt).importKaldiDir((base + "/data").toStdString()).imported,
             std::size_t(3));
    auto rows = utterancesOf(ws.db(), "s");
    const std::map<std::string, std::pair<std::size_t, std::size_t>> spans = {
        {"u1", {8000, 20000}}, {"u2", {20000, 45000}}, {"u3", {45000, 48000}}};
    for (const auto& [key, span] : spans) {
      const UttRow& r = rows[key];
      Audio a = readAudio(r.audioPath, {}, r.offset, r.duration);
      QCOMPARE(a.samples, toFloat(sig, span.first, span.second));
    }
  }

  void testFailedImportsLeaveNothing() {
    const QString base = path("fail");
    writeFile(base + "/x.wav", wavBytes(makeSignal(16000, 14), 16000));
    writeFile(base + "/data/wav.scp", "r1 " + (base + "/x.wav").toStdString() +
                                          "\nr2 " + (base + "/x.wav").toStdString() + "\n");
    writeFile(base + "/bad/wav.scp", "r1 /nope/1.wav\nr2 /nope/2.wav\n");
    Workspace ws = Workspace::create((base + "/ws").toStdString());
    ImportOptions opt;
    opt.name = "d";
    opt.kind = DatasetKind::Unlabeled;

    // Cancelled after every row was inserted, just before the commit.
    CancelAfter cancel(2);
    QVERIFY_THROWS_EXCEPTION(Error,
                             DatasetImporter(ws, opt, &cancel).importKaldiDir(
                                 (base + "/data").toStdString()));
    QCOMPARE(count(ws.db(), "SELECT COUNT(*) FROM datasets"), std::int64_t(0));
    QCOMPARE(count(ws.db(), "SELECT COUNT(*) FROM utterances"), std::int64_t(0));

    try {
      DatasetImporter(ws, opt).importKaldiDir((base + "/bad").toStdString());
      QFAIL("an import with no usable utterance succeeded");
    } catch (const Error& e) {
      QVERIFY2(std::string(e.what()).find("no utterances remained: all 2 were skipped (2 × audio "
                                          "file not found)") != std::string::npos,
               e.what());
    }
    QCOMPARE(count(ws.db(), "SELECT COUNT(*) FROM datasets"), std::int64_t(0));

    QCOMPARE(DatasetImporter(ws, opt).importKaldiDir((base + "/data").toStdString()).imported,
             std::size_t(2));
    try {
      DatasetImporter(ws, opt).importKaldiDir((base + "/data").toStdString());
      QFAIL("a duplicate dataset name was accepted");
    } catch (const Error& e) {
      QVERIFY2(std::string(e.what()).find("already exists") != std::string::npos, e.what());
    }
    QCOMPARE(count(ws.db(), "SELECT COUNT(*) FROM utterances"), std::int64_t(2));
  }

  void testPipesRunOnlyWhenAllowed() {
    const QString base = path("pipes");
    const auto sig = makeSignal(16000, 15);
    writeFile(base + "/x.wav", wavBytes(sig, 16000));
    writeFile(base + "/data/wav.scp", "p1 cat " + (base + "/x.wav").toStdString() +
                                          " |\np2 false |\n");
    Workspace ws = Workspace::create((base + "/ws").toStdString());
    ImportOptions opt;
    opt.name = "p";
    opt.kind = DatasetKind::Unlabeled;
    try {
      DatasetImporter(ws, opt).importKaldiDir((base + "/data").toStdString());
      QFAIL("pipes ran without --allow-pipes");
    } catch (const Error& e) {
      QVERIFY2(std::string(e.what()).find("pipe refused") != std::string::npos, e.what());
    }
    opt.allowPipes = true;
    ImportSummary s = DatasetImporter(ws, opt).importKaldiDir((base + "/data").toStdString());
    QCOMPARE(s.imported, std::size_t(1));
    auto rows = utterancesOf(ws.db(), "p");
    QCOMPARE(rows["p2"].reason, std::string("the piped command exited with status 1: false"));
    QCOMPARE(rows["p1"].audioPath, std::string("audio/p/p1.wav"));  // relative to the workspace
    QCOMPARE(readAudio((base + "/ws/audio/p/p1.wav").toStdString()).samples,
             toFloat(sig, 0, sig.size()));
    // Features find workspace-relative audio.
    FeatureExtractionSummary f = extractFeatures(ws, "p", {});
    QCOMPARE(f.computed, std::size_t(1));
    QCOMPARE(f.failed, std::size_t(0));
  }

  // Relative wav.scp paths resolve from the current folder first, then from
  // the data dir (as Kaldi recipes run from egs/<corpus>/s5); one found in
  // neither is skipped naming its wav.scp line and both places tried, and the
  // others are imported.
  void testRelativeWavScpPathsFromTheCurrentFolderThenTheDataDir() {
    const QString base = path("relative");
    const auto sig = makeSignal(16000, 21);
    writeFile(base + "/cwd/from-cwd.wav", wavBytes(sig, 16000));
    writeFile(base + "/data/wav/from-dir.wav", wavBytes(sig, 16000));
    writeFile(base + "/data/wav.scp", "r1 from-cwd.wav\nr2 wav/from-dir.wav\nr3 wav/missing.wav\n");
    Workspace ws = Workspace::create((base + "/ws").toStdString());
    ImportOptions opt;
    opt.name = "rel";
    opt.kind = DatasetKind::Unlabeled;
    const QString cwd = QDir::currentPath();
    QVERIFY(QDir::setCurrent(base + "/cwd"));
    ImportSummary s;
    try {
      s = DatasetImporter(ws, opt).importKaldiDir((base + "/data").toStdString());
    } catch (...) {
      QDir::setCurrent(cwd);
      throw;
    }
    QDir::setCurrent(cwd);
    QCOMPARE(s.imported, std::size_t(2));
    QCOMPARE(s.skippedByCategory["audio file not found"], std::size_t(1));
    auto rows = utterancesOf(ws.db(), "rel");
    QCOMPARE(QString::fromStdString(rows["r1"].audioPath), base + "/cwd/from-cwd.wav");
    QCOMPARE(QString::fromStdString(rows["r2"].audioPath), base + "/data/wav/from-dir.wav");
    QCOMPARE(rows["r3"].status, std::string("skipped"));
    QCOMPARE(QString::fromStdString(rows["r3"].reason),
             "wav.scp:3: audio file not found: tried " + base + "/cwd/wav/missing.wav and " + base +
                 "/data/wav/missing.wav");
  }

  void testCorpusImportAndListThroughTheCli() {
    const QString dir = makeBadKaldiDir("cli1");
    const QString ws = path("cli1/ws");
    QCOMPARE(runCli({"init", ws}).exitCode, 0);
    auto r = runCli({"corpus", "import", "-w", ws, "--name", "train", "--kind", "labeled",
                     "--kaldi-dir", dir});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QVERIFY2(r.out.contains("Imported dataset 'train' (kaldi): 3 utterance(s)"), r.out.constData());
    QVERIFY(r.out.contains("segments:5: end 1.0 s is not after start 1.5 s"));
    QVERIFY(r.out.contains("d1: audio file not found: /nonexistent/recD.wav"));
    auto list = runCli({"corpus", "list", "-w", ws});
    QCOMPARE(list.exitCode, 0);
    QVERIFY2(list.out.contains("train"), list.out.constData());
    QVERIFY(list.out.contains("labeled"));

    auto both = runCli({"corpus", "import", "-w", ws, "--name", "t2", "--kind", "labeled"});
    QCOMPARE(both.exitCode, 2);
    auto again = runCli({"corpus", "import", "-w", ws, "--name", "train", "--kind", "labeled",
                         "--kaldi-dir", dir});
    QCOMPARE(again.exitCode, 1);
    QVERIFY(again.err.contains("already exists"));
    SQLite::Database db((ws + "/workspace.db").toStdString());
    QCOMPARE(db.execAndGet("SELECT COUNT(*) FROM runs WHERE kind = 'import' AND status = "
                           "'finished'").getInt(), 1);
    QCOMPARE(db.execAndGet("SELECT COUNT(*) FROM runs WHERE kind = 'import' AND status = "
                           "'failed'").getInt(), 1);
  }

  // --- features -----------------------------------------------------------

 private:
  struct Generated {
    QString ws;
    std::map<std::string, std::vector<float>> samples;  // per utterance, as read at 16 kHz
  };

  // `n` recordings of 0.5 .. 1.6 s; with `segmented`, each split in two segments.
  Generated makeFeatureDataset(const QString& base, int n, bool segmented, const char* kind) {
    Generated g;
    std::string scp, segments, text;
    for (int i = 0; i < n; ++i) {
      const int len = 8000 + 1000 * (i % 12);
      const auto sig = makeSignal(len, 20 + static_cast<unsigned>(i));
      const QString file = base + QString("/wav/r%1.wav").arg(i, 2, 10, QChar('0'));
      writeFile(file, wavBytes(sig, 16000));
      const std::string rec = QString("r%1").arg(i, 2, 10, QChar('0')).toStdString();
      scp += rec + " " + file.toStdString() + "\n";
      if (segmented) {
        // Cut at a multiple of 1/16 s: exact in binary, so offset and length are exact.
        const int cut = 1000 * ((len / 1000) / 2);
        segments += rec + "-a " + rec + " 0 " + std::to_string(cut / 16000.0) + "\n";
        segments += rec + "-b " + rec + " " + std::to_string(cut / 16000.0) + " -1\n";
        text += rec + "-a words a\n" + rec + "-b words b\n";
        g.samples[rec + "-a"] = toFloat(sig, 0, static_cast<std::size_t>(cut));
        g.samples[rec + "-b"] = toFloat(sig, static_cast<std::size_t>(cut), sig.size());
      } else {
        text += rec + " words\n";
        g.samples[rec] = toFloat(sig, 0, sig.size());
      }
    }
    writeFile(base + "/data/wav.scp", scp);
    writeFile(base + "/data/text", text);
    if (segmented) writeFile(base + "/data/segments", segments);
    // Set up in-process (each CLI start costs a second once it links LibTorch);
    // `corpus import` itself is tested through the CLI above.
    g.ws = base + "/ws";
    Workspace ws = Workspace::create(g.ws.toStdString());
    ImportOptions opt;
    opt.name = "d";
    opt.kind = parseDatasetKind(kind);
    DatasetImporter(ws, opt).importKaldiDir((base + "/data").toStdString());
    return g;
  }

  // Every stored matrix equals Fbank run directly on the samples, frames by
  // Kaldi's formula, and the store holds exactly the expected keys.
  void verifyStore(const QString& storeDir, const Generated& g, const FbankOptions& fo) {
    FeatureStore store = FeatureStore::open(storeDir.toStdString());
    QCOMPARE(store.size(), g.samples.size());
    Fbank fbank(fo);
    const int win = fo.windowSize(), shift = fo.windowShift();
    for (const auto& [key, samples] : g.samples) {
      QVERIFY2(store.contains(key), key.c_str());
      FeatureMatrixView v = store.read(key);
      const int n = static_cast<int>(samples.size());
      QCOMPARE(v.frames, 1 + (n - win) / shift);  // snip_edges: Kaldi's NumFrames
      QCOMPARE(v.dims, fo.numMelBins);
      const std::vector<float> expected = fbank.compute(samples);
      QVERIFY2(std::memcmp(expected.data(), v.data, expected.size() * sizeof(float)) == 0,
               key.c_str());
    }
  }

  static QString storeOf(const QString& ws) {
    SQLite::Database db((ws + "/workspace.db").toStdString());
    return ws + "/" + QString::fromStdString(db.execAndGet("SELECT path FROM feature_sets").getString());
  }

 private slots:
  void testFeaturesEndToEnd() {
    Generated g = makeFeatureDataset(path("feat1"), 5, true, "labeled");
    QVERIFY(!g.ws.isEmpty());
    auto r = runCli({"features", "-w", g.ws, "--dataset", "d", "--jobs", "2"});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QVERIFY2(r.out.contains("10 computed, 0 already stored, 0 failed"), r.out.constData());
    const QString store = storeOf(g.ws);
    QVERIFY2(store.contains("/features/d-"), qPrintable(store));
    verifyStore(store, g, FbankOptions{});
    {
      // Global CMVN of a labeled set: mean and variance over every frame.
      QVERIFY(QFile::exists(store + "/cmvn.stats"));
      CmvnStats stats = CmvnStats::load((store + "/cmvn.stats").toStdString());
      Fbank fbank(FbankOptions{});
      std::vector<double> sum(64, 0.0), sq(64, 0.0);
      double frames = 0;
      for (const auto& [key, samples] : g.samples) {
        const auto f = fbank.compute(samples);
        for (std::size_t i = 0; i < f.size(); ++i) {
          sum[i % 64] += f[i];
          sq[i % 64] += static_cast<double>(f[i]) * f[i];
        }
        frames += static_cast<double>(f.size() / 64);
      }
      QCOMPARE(stats.count(), frames);
      const auto mean = stats.mean(), var = stats.variance();
      for (int d = 0; d < 64; ++d) {
        const double m = sum[d] / frames;
        QVERIFY(std::fabs(mean[d] - m) < 1e-9 * (1 + std::fabs(m)));
        QVERIFY(std::fabs(var[d] - (sq[d] / frames - m * m)) < 1e-6 * (1 + var[d]));
      }
    }
    {
      SQLite::Database db((g.ws + "/workspace.db").toStdString());
      SQLite::Statement q(db, "SELECT status, dims, num_utterances, num_frames, config FROM feature_sets");
      QVERIFY(q.executeStep());
      QCOMPARE(q.getColumn(0).getString(), std::string("complete"));
      QCOMPARE(q.getColumn(1).getInt(), 64);
      QCOMPARE(q.getColumn(2).getInt(), 10);
      std::int64_t frames = 0;
      for (auto& [k, s] : g.samples) frames += 1 + (static_cast<int>(s.size()) - 400) / 160;
      QCOMPARE(q.getColumn(3).getInt64(), frames);
      QVERIFY(q.getColumn(4).getString().find("num_mel_bins: 64") != std::string::npos);
    }
    // Second run: nothing to do; recorded as a run, with events.
    auto again = runCli({"--events", path("feat1/events.jsonl"), "features", "-w", g.ws,
                         "--dataset", "d"});
    QVERIFY2(again.exitCode == 0, again.err.constData());
    QVERIFY2(again.out.contains("0 computed, 10 already stored"), again.out.constData());
    {
      QFile events(path("feat1/events.jsonl"));
      QVERIFY(events.open(QIODevice::ReadOnly));
      const QByteArray text = events.readAll();
      QVERIFY2(text.contains("\"type\":\"artifact\""), text.constData());
      QVERIFY2(text.contains("\"name\":\"finished\""), text.constData());
      SQLite::Database db((g.ws + "/workspace.db").toStdString());
      QCOMPARE(db.execAndGet("SELECT COUNT(*) FROM runs WHERE kind = 'features' AND status = "
                             "'finished'").getInt(), 2);
    }
    {
      // One config hash everywhere: the set's config_hash and both runs' are the
      // 16-hex XXH3-64 of the config YAML; the name carries its first 8 digits.
      SQLite::Database db((g.ws + "/workspace.db").toStdString());
      SQLite::Statement set(db, "SELECT name, config, config_hash FROM feature_sets");
      QVERIFY(set.executeStep());
      const std::string config = set.getColumn(1).getString();
      const std::string hash = set.getColumn(2).getString();
      QCOMPARE(hash.size(), std::size_t{16});
      QCOMPARE(hash, configHash(config));
      QCOMPARE(hash, configHash(FbankOptions{}.toYaml()));
      const std::string independent = understudy::test::pythonXxh3Hex(config);
      if (!independent.empty()) QCOMPARE(hash, independent);
      QCOMPARE(set.getColumn(0).getString(), "d-" + hash.substr(0, 8));
      SQLite::Statement runs(db, "SELECT config, config_hash FROM runs WHERE kind = 'features'");
      int n = 0;
      for (; runs.executeStep(); ++n) {
        QCOMPARE(runs.getColumn(0).getString(), config);
        QCOMPARE(runs.getColumn(1).getString(), hash);
      }
      QCOMPARE(n, 2);
    }

    // Another config: its own store, 40 dims.
    writeFile(path("feat1/fbank40.yaml"), "fbank:\n  num_mel_bins: 40\n");
    auto other = runCli({"features", "-w", g.ws, "--dataset", "d", "--config",
                         path("feat1/fbank40.yaml")});
    QVERIFY2(other.exitCode == 0, other.err.constData());
    QVERIFY2(other.out.contains("(40 dims): 10 computed"), other.out.constData());
    writeFile(path("feat1/bad.yaml"), "num_mel_bins: 40\nnum_mel_bin: 3\n");
    auto bad = runCli({"features", "-w", g.ws, "--dataset", "d", "--config",
                       path("feat1/bad.yaml")});
    QCOMPARE(bad.exitCode, 1);
    QVERIFY2(bad.err.contains("num_mel_bin"), bad.err.constData());
    auto list = runCli({"corpus", "list", "-w", g.ws});
    QVERIFY2(list.out.contains("d-"), list.out.constData());
    auto missing = runCli({"features", "-w", g.ws, "--dataset", "nope"});
    QCOMPARE(missing.exitCode, 1);
    QVERIFY(missing.err.contains("no dataset named 'nope'"));
  }

  void testFeaturesFollowTheDatasetsChannelChoice() {
    const QString base = path("stereo");
    const auto left = makeSignal(12000, 30);
    std::vector<std::int16_t> interleaved;
    for (std::int16_t v : left) {
      interleaved.push_back(v);
      interleaved.push_back(0);  // right channel silent: the downmix is exactly left / 2
    }
    writeFile(base + "/st.wav", wavBytes(interleaved, 16000, 2));
    writeFile(base + "/data/wav.scp", "st " + (base + "/st.wav").toStdString() + "\n");
    Workspace ws = Workspace::create((base + "/ws").toStdString());
    for (ChannelMode mode : {ChannelMode::First, ChannelMode::Downmix}) {
      ImportOptions opt;
      opt.name = mode == ChannelMode::First ? "first" : "downmix";
      opt.kind = DatasetKind::Unlabeled;
      opt.channels = mode;
      QCOMPARE(DatasetImporter(ws, opt).importKaldiDir((base + "/data").toStdString()).imported,
               std::size_t(1));
      FeatureExtractionSummary f = extractFeatures(ws, opt.name, {});
      QCOMPARE(f.computed, std::size_t(1));
      std::vector<float> expected = toFloat(left, 0, left.size());
      if (mode == ChannelMode::Downmix)
        for (float& v : expected) v *= 0.5f;
      Generated g;
      g.samples["st"] = expected;
      verifyStore(base + "/ws/" + QString::fromStdString(f.storePath), g, FbankOptions{});
    }
  }

  void testFeaturesResampleOtherRatesTo16k() {
    const QString base = path("rate");
    writeFile(base + "/r.wav", wavBytes(makeSignal(22050, 31), 22050));  // 1.0 s at 22.05 kHz
    writeFile(base + "/data/wav.scp", "r " + (base + "/r.wav").toStdString() + "\n");
    Workspace ws = Workspace::create((base + "/ws").toStdString());
    ImportOptions opt;
    opt.name = "r";
    opt.kind = DatasetKind::Unlabeled;
    QCOMPARE(DatasetImporter(ws, opt).importKaldiDir((base + "/data").toStdString()).imported,
             std::size_t(1));
    QCOMPARE(ws.db().execAndGet("SELECT sample_rate FROM utterances").getInt(), 22050);
    FeatureExtractionSummary f = extractFeatures(ws, "r", {});
    QCOMPARE(f.computed, std::size_t(1));
    FeatureStore store = FeatureStore::open(ws.root() / f.storePath);
    QCOMPARE(store.read("r").frames, 1 + (16000 - 400) / 160);  // 16,000 samples after resampling
  }

  void testFeaturesAudioFailingNowIsSkippedNotFatal() {
    Generated g = makeFeatureDataset(path("feat2"), 3, false, "unlabeled");
    QVERIFY(QFile::remove(path("feat2/wav/r01.wav")));
    auto r = runCli({"features", "-w", g.ws, "--dataset", "d"});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QVERIFY2(r.out.contains("skipped r01: features: audio file not found"), r.out.constData());
    QVERIFY(r.out.contains("2 computed, 0 already stored, 1 failed"));
    g.samples.erase("r01");
    verifyStore(storeOf(g.ws), g, FbankOptions{});
    QVERIFY(!QFile::exists(storeOf(g.ws) + "/cmvn.stats"));  // unlabeled: no CMVN
    SQLite::Database db((g.ws + "/workspace.db").toStdString());
    QCOMPARE(db.execAndGet("SELECT status FROM utterances WHERE key = 'r01'").getString(),
             std::string("skipped"));
    QCOMPARE(db.execAndGet("SELECT status FROM feature_sets").getString(), std::string("complete"));
    QCOMPARE(db.execAndGet("SELECT num_utterances FROM datasets").getInt(), 2);
  }

  void testFeaturesResumeAfterKillGivesIdenticalStore_data() {
    QTest::addColumn<int>("signal");
    QTest::newRow("SIGKILL") << int(SIGKILL);
    QTest::newRow("SIGINT") << int(SIGINT);
  }

  void testFeaturesResumeAfterKillGivesIdenticalStore() {
    QFETCH(int, signal);
    const QString base = path(QString("feat3-%1").arg(signal));
    Generated g = makeFeatureDataset(base, 24, false, "unlabeled");
    QProcess p;
    auto env = QProcessEnvironment::systemEnvironment();
    env.insert("UNDERSTUDY_TEST_FEATURES_COMMIT_DELAY_MS", "300");
    p.setProcessEnvironment(env);
    p.start(understudy::test::cliPath(),
            {"-v", "features", "-w", g.ws, "--dataset", "d", "--commit-every", "4", "--jobs", "1"});
    QVERIFY(p.waitForStarted());
    QByteArray err;  // -v: the per-commit "committed n/N" lines are debug detail
    while (!err.contains("committed 4/24") && p.state() == QProcess::Running) {
      p.waitForReadyRead(200);
      err += p.readAllStandardError();
    }
    QVERIFY2(err.contains("committed 4/24"), err.constData());
    ::kill(static_cast<pid_t>(p.processId()), signal);
    QVERIFY(p.waitForFinished(20000));
    err += p.readAllStandardError();
    if (signal == SIGINT) {
      QCOMPARE(p.exitStatus(), QProcess::NormalExit);
      QCOMPARE(p.exitCode(), 1);
      QVERIFY2(err.contains("cancelled"), err.constData());
    } else {
      QCOMPARE(p.exitStatus(), QProcess::CrashExit);
    }
    {
      SQLite::Database db((g.ws + "/workspace.db").toStdString());
      QCOMPARE(db.execAndGet("SELECT status FROM feature_sets").getString(),
               std::string("partial"));
      if (signal == SIGINT)
        QCOMPARE(db.execAndGet("SELECT status FROM runs WHERE kind = 'features'").getString(),
                 std::string("cancelled"));
      const int stored = db.execAndGet("SELECT num_utterances FROM feature_sets").getInt();
      QVERIFY2(stored >= 4 && stored < 24, std::to_string(stored).c_str());
    }
    auto r = runCli({"features", "-w", g.ws, "--dataset", "d", "--commit-every", "4"});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QVERIFY2(r.out.contains("store holds 24 utterances"), r.out.constData());
    QVERIFY2(!r.out.contains(" 0 already stored"), r.out.constData());
    verifyStore(storeOf(g.ws), g, FbankOptions{});
    SQLite::Database db((g.ws + "/workspace.db").toStdString());
    QCOMPARE(db.execAndGet("SELECT status FROM feature_sets").getString(),
             std::string("complete"));
  }
};

QTEST_GUILESS_MAIN(TestImport)
#include "test_import.moc"
