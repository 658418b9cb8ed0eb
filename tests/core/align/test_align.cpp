// core/align + core/store/unit_inventory: the 30 ms target rule, length
// tolerance, priors, unit inventories, and building / importing targets.
// Expected values are worked out by hand from docs/alignments.md "The 30 ms
// target rule" and docs/formats.md "Kaldi archives"; archives are hand-built bytes.
#include <QTemporaryDir>
#include <QtTest>

#include <SQLiteCpp/Statement.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <numeric>
#include <string>
#include <vector>

#include "core/align/frame_targets.h"
#include "core/align/priors.h"
#include "core/align/target_builder.h"
#include "core/align/target_store.h"
#include "core/store/catalog.h"
#include "core/store/feature_store.h"
#include "core/store/record_store.h"
#include "core/store/unit_inventory.h"
#include "core/store/workspace.h"
#include "core/util/atomic_file.h"
#include "core/util/config_hash.h"
#include "core/util/error.h"
#include "support/test_support.h"

using namespace understudy;
namespace fs = std::filesystem;
using Ints = std::vector<std::int32_t>;

namespace {

void writeBytes(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Kaldi: binary int32 vector = "\0B" "\4"<int32 n> then n x ("\4"<int32>).
std::string binaryIntVectorRecord(const std::string& key, const Ints& v) {
  auto int32 = [](std::int32_t x) {
    std::string s(1, '\4');
    unsigned char b[4];
    const auto u = static_cast<std::uint32_t>(x);
    for (int i = 0; i < 4; ++i) b[i] = static_cast<unsigned char>((u >> (8 * i)) & 0xff);
    s.append(reinterpret_cast<const char*>(b), 4);
    return s;
  };
  std::string out = key + " " + std::string("\0B", 2) + int32(static_cast<std::int32_t>(v.size()));
  for (const auto x : v) out += int32(x);
  return out;
}

std::string textIntVectorRecord(const std::string& key, const Ints& v) {
  std::string out = key;
  for (const auto x : v) out += " " + std::to_string(x);
  return out + "\n";
}

// A workspace with one dataset and a complete feature set whose utterances
// have the given frame counts.
struct Fixture {
  QTemporaryDir tmp;
  fs::path root;
  Workspace ws;

  explicit Fixture(const std::vector<std::pair<std::string, int>>& frames,
                   const std::string& datasetSource = "synthetic")
      : root(fs::path(tmp.path().toStdString()) / "ws"), ws(Workspace::create(root)) {
    SQLite::Statement d(ws.db(), "INSERT INTO datasets (name, kind, source) VALUES ('d1', 'labeled', ?)");
    d.bind(1, datasetSource);
    d.exec();
    const fs::path featDir = root / "features" / "d1-abc";
    FeatureStore store = FeatureStore::create(featDir, 2);
    std::int64_t total = 0;
    for (const auto& [key, n] : frames) {
      std::vector<float> data(static_cast<std::size_t>(n) * 2, 0.5f);
      store.append(key, data.data(), n);
      total += n;
    }
    store.commit();
    SQLite::Statement f(ws.db(),
                        "INSERT INTO feature_sets (dataset_id, name, config_hash, path, dims, "
                        "num_utterances, num_frames, status) VALUES (1, 'fbank64', 'abc', "
                        "'features/d1-abc', 2, ?, ?, 'complete')");
    f.bind(1, static_cast<int>(frames.size()));
    f.bind(2, static_cast<std::int64_t>(total));
    f.exec();
  }
};

// d1's synthetic layout: u1 exact (7 frames), u2 exact (4 frames).
void writeSyntheticAlignments(Fixture& fx) {
  const fs::path dir = fx.root / "alignments" / "d1";
  fs::create_directories(dir);
  writeBytes(dir / "phones.txt", "<eps> 0\nsil 1\na 2\nb 3\n");
  writeBytes(dir / "ali.txt", textIntVectorRecord("u1", {1, 2, 2, 3, 3, 3, 1}) +
                                  textIntVectorRecord("u2", {1, 1, 3, 3}));
}

// Every file under `dir`: relative path -> bytes and modification time (ns).
std::map<std::string, std::pair<std::string, long long>> snapshot(const fs::path& dir) {
  std::map<std::string, std::pair<std::string, long long>> files;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    files[fs::relative(e.path(), dir).generic_string()] = {
        bytes, static_cast<long long>(e.last_write_time().time_since_epoch().count())};
  }
  return files;
}

// The dataset's "targets" row, as text.
std::string alignmentRow(Fixture& fx) {
  SQLite::Statement q(fx.ws.db(),
                      "SELECT id, path, unit_inventory_id, num_utterances, num_rejected, "
                      "created_at FROM alignment_sets WHERE name = 'targets'");
  std::string row;
  while (q.executeStep())
    for (int c = 0; c < q.getColumnCount(); ++c) row += q.getColumn(c).getString() + "|";
  return row;
}

}  // namespace

class TestAlign : public QObject {
  Q_OBJECT

 private slots:
  // --- the 30 ms rule -------------------------------------------------------

  void testOutputFramesIsCeilOfThird() {
    const std::int64_t expected[] = {0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4};
    for (int n = 0; n <= 10; ++n) QCOMPARE(outputFrames(n, 3), expected[n]);
    QCOMPARE(outputFrames(398, 3), std::int64_t{133});
    QCOMPARE(outputFrames(5, 1), std::int64_t{5});
  }

  void testTargetIsUnitOfCentreFrame() {
    // 9 frames: centres 1, 4, 7.
    const Ints ali = {10, 11, 12, 13, 14, 15, 16, 17, 18};
    QCOMPARE(subsampleAlignment(ali), (Ints{11, 14, 17}));
    FrameTargetResult r = makeFrameTargets(ali, 9);
    QVERIFY(r.ok());
    QCOMPARE(r.targets, (Ints{11, 14, 17}));
  }

  void testLastCentreIsClampedToLastFrame() {
    // 7 frames: T' = 3, centres 1, 4, min(7, 6) = 6.
    QCOMPARE(makeFrameTargets({10, 11, 12, 13, 14, 15, 16}, 7).targets, (Ints{11, 14, 16}));
    // 1 frame: one model frame centred on frame 0.
    QCOMPARE(makeFrameTargets({42}, 1).targets, (Ints{42}));
    // 2 frames: centre min(1, 1) = 1.
    QCOMPARE(makeFrameTargets({5, 6}, 2).targets, (Ints{6}));
  }

  void testEveryFrameCountKeepsItsLastTarget_data() {
    // Alignment label t at frame t, so the targets name the centre frames.
    // Written out by hand from "model frame j <-> 10 ms frame min(3j + 1, T - 1),
    // ceil(T / 3) model frames"; T = 3k, 3k + 1 and 3k + 2 for k = 1..4, and
    // around a realistic length (398 = 3 * 132 + 2).
    QTest::addColumn<int>("frames");
    QTest::addColumn<Ints>("centres");
    QTest::newRow("T=3 (3k)") << 3 << Ints{1};
    QTest::newRow("T=4 (3k+1)") << 4 << Ints{1, 3};
    QTest::newRow("T=5 (3k+2)") << 5 << Ints{1, 4};
    QTest::newRow("T=6 (3k)") << 6 << Ints{1, 4};
    QTest::newRow("T=7 (3k+1)") << 7 << Ints{1, 4, 6};
    QTest::newRow("T=8 (3k+2)") << 8 << Ints{1, 4, 7};
    QTest::newRow("T=9 (3k)") << 9 << Ints{1, 4, 7};
    QTest::newRow("T=10 (3k+1)") << 10 << Ints{1, 4, 7, 9};
    QTest::newRow("T=11 (3k+2)") << 11 << Ints{1, 4, 7, 10};
    QTest::newRow("T=12 (3k)") << 12 << Ints{1, 4, 7, 10};
    QTest::newRow("T=13 (3k+1)") << 13 << Ints{1, 4, 7, 10, 12};
    QTest::newRow("T=14 (3k+2)") << 14 << Ints{1, 4, 7, 10, 13};
  }

  void testEveryFrameCountKeepsItsLastTarget() {
    QFETCH(int, frames);
    QFETCH(Ints, centres);
    Ints ali(static_cast<std::size_t>(frames));
    std::iota(ali.begin(), ali.end(), 0);
    QCOMPARE(outputFrames(frames, 3), static_cast<std::int64_t>(centres.size()));
    QCOMPARE(subsampleAlignment(ali), centres);
    FrameTargetResult r = makeFrameTargets(ali, frames);
    QVERIFY(r.ok());
    QCOMPARE(r.targets, centres);
    // The same features with an alignment one frame short (padded with the
    // last label) or one frame long (truncated) keep the same target count.
    Ints shorter(ali.begin(), ali.end() - 1);
    Ints padded = centres;
    if (padded.back() == frames - 1) padded.back() = frames - 2;  // frame T-1 repeats label T-2
    QCOMPARE(makeFrameTargets(shorter, frames).targets, padded);
    Ints longer = ali;
    longer.push_back(frames);
    QCOMPARE(makeFrameTargets(longer, frames).targets, centres);
  }

  void testLongUtterancesKeepTheirLastTarget() {
    // 398 = 3*132 + 2: 133 targets, the last centred on frame min(396 + 1, 397) = 397.
    // 399 = 3*133:     133 targets, the last on min(397, 398) = 397.
    // 400 = 3*133 + 1: 134 targets, the last on min(400, 399) = 399.
    const std::pair<int, std::pair<std::size_t, std::int32_t>> cases[] = {
        {398, {133, 397}}, {399, {133, 397}}, {400, {134, 399}}};
    for (const auto& [frames, want] : cases) {
      Ints ali(static_cast<std::size_t>(frames));
      std::iota(ali.begin(), ali.end(), 0);
      const Ints t = makeFrameTargets(ali, frames).targets;
      QCOMPARE(t.size(), want.first);
      QCOMPARE(t.back(), want.second);
      QCOMPARE(t[t.size() - 2], static_cast<std::int32_t>(3 * (t.size() - 2) + 1));
    }
  }

  void testZeroFeatureFramesIsRejectedNotEmptyTargets() {
    FrameTargetResult r = makeFrameTargets({1}, 0);
    QVERIFY(!r.ok());
    QVERIFY(r.targets.empty());
    QCOMPARE(r.rejectReason, std::string("features have no frames"));
    QCOMPARE(makeFrameTargets({}, 3).rejectReason, std::string("alignment is empty"));
  }

  void testStoredTargetsKeepTheLastOneForEveryRemainder() {
    // Through buildTargets and the store: 6 (3k), 7 (3k+1) and 8 (3k+2)
    // feature frames, phone ids 1..3. t6's alignment has the features'
    // length, t7's is one frame short (padded with its last label), t8's one
    // frame long (truncated); t9's is 3 frames short: rejected.
    Fixture fx({{"t6", 6}, {"t7", 7}, {"t8", 8}, {"t9", 9}});
    const fs::path dir = fx.root / "alignments" / "d1";
    fs::create_directories(dir);
    writeBytes(dir / "phones.txt", "<eps> 0\nsil 1\na 2\nb 3\n");
    //                                  frame: 0  1  2  3  4  5  6  7  8
    writeBytes(dir / "ali.txt", textIntVectorRecord("t6", {1, 1, 2, 2, 3, 3}) +
                                    textIntVectorRecord("t7", {1, 1, 2, 2, 2, 3}) +
                                    textIntVectorRecord("t8", {1, 1, 1, 2, 2, 2, 1, 3, 2}) +
                                    textIntVectorRecord("t9", {1, 1, 1, 1, 1, 1}));
    TargetsSummary s = buildTargets(fx.ws, "d1");
    QCOMPARE(s.numUtterances, 3);
    QCOMPARE(s.numPadded, 1);
    QCOMPARE(s.numTruncated, 1);
    QCOMPARE(s.numRejected, 1);
    QCOMPARE(s.numTargetFrames, std::int64_t{2 + 3 + 3});
    QCOMPARE(readFile(s.dir / TargetStore::kRejectedFile),
             std::string("t9 alignment has 6 frames, features 9 (tolerance 2)\n"));
    TargetStore store = TargetStore::open(s.dir);
    // Units: sil 0, a 1, b 2. t6 centres 1, 4; t7 1, 4, 6; t8 1, 4, 7.
    QCOMPARE(store.read("t6"), (Ints{0, 2}));
    QCOMPARE(store.read("t7"), (Ints{0, 1, 2}));
    QCOMPARE(store.read("t8"), (Ints{0, 1, 2}));
  }

  void testDuplicateAlignmentKeepsTheFirstAndIsReported() {
    Fixture fx({{"u1", 3}, {"u2", 3}});
    const fs::path dir = fx.root / "alignments" / "d1";
    fs::create_directories(dir);
    writeBytes(dir / "phones.txt", "<eps> 0\nsil 1\na 2\n");
    writeBytes(dir / "ali.txt", textIntVectorRecord("u1", {1, 2, 2}) +
                                    textIntVectorRecord("u2", {1, 1, 1}) +
                                    textIntVectorRecord("u1", {1, 1, 1}));
    TargetsSummary s = buildTargets(fx.ws, "d1");
    QCOMPARE(s.numUtterances, 2);
    QCOMPARE(s.numRejected, 1);
    QCOMPARE(s.rejected.at(0).key, std::string("u1"));
    QCOMPARE(s.rejected.at(0).reason,
             std::string("appears twice in the alignments (second one ignored)"));
    QCOMPARE(TargetStore::open(s.dir).read("u1"), (Ints{1}));  // centre 1 of the first: 'a'
  }

  void testShortAlignmentIsPaddedWithLastLabel() {
    // 5 alignment frames, 7 feature frames: a0..a4 a4 a4 -> centres 1, 4, 6.
    FrameTargetResult r = makeFrameTargets({20, 21, 22, 23, 24}, 7);
    QVERIFY(r.ok());
    QCOMPARE(r.lengthDifference, -2);
    QCOMPARE(r.targets, (Ints{21, 24, 24}));
  }

  void testLongAlignmentIsTruncatedToFeatures() {
    // 9 alignment frames, 7 feature frames: a0..a6 -> centres 1, 4, 6.
    FrameTargetResult r = makeFrameTargets({30, 31, 32, 33, 34, 35, 36, 37, 38}, 7);
    QVERIFY(r.ok());
    QCOMPARE(r.lengthDifference, 2);
    QCOMPARE(r.targets, (Ints{31, 34, 36}));
  }

  void testMismatchBeyondToleranceIsRejectedWithReason() {
    FrameTargetResult r = makeFrameTargets(Ints(412, 1), 398);
    QVERIFY(!r.ok());
    QVERIFY(r.targets.empty());
    QCOMPARE(r.rejectReason, std::string("alignment has 412 frames, features 398 (tolerance 2)"));
    QVERIFY(!makeFrameTargets(Ints(10, 1), 13).ok());
    QVERIFY(makeFrameTargets(Ints(10, 1), 12).ok());
    QVERIFY(!makeFrameTargets({}, 3).ok());
    FrameTargetOptions strict;
    strict.tolerance = 0;
    QVERIFY(!makeFrameTargets(Ints(10, 1), 11, strict).ok());
    strict.tolerance = -1;
    QVERIFY_THROWS_EXCEPTION(Error, strict.validate());
  }

  // --- priors ---------------------------------------------------------------

  void testPriorsAreAddOneSmoothedFrequencies() {
    UnitPriors priors(3);
    priors.accumulate({0, 0, 2});
    priors.accumulate({0});
    // counts 3, 0, 1; N = 4, S = 3: (c + 1) / 7.
    QCOMPARE(priors.totalFrames(), std::int64_t{4});
    const std::vector<double> expected = {4.0 / 7, 1.0 / 7, 2.0 / 7};
    double sum = 0;
    for (int i = 0; i < 3; ++i) {
      QVERIFY(std::fabs(priors.probabilities()[i] - expected[i]) < 1e-15);
      QVERIFY(std::fabs(priors.logPriors()[i] - std::log(expected[i])) < 1e-12);
      sum += priors.probabilities()[i];
    }
    QVERIFY(std::fabs(sum - 1.0) < 1e-12);
    QVERIFY_THROWS_EXCEPTION(Error, priors.accumulate({3}));
  }

  void testPriorsFileIsKaldiTextVectorAndRoundTrips() {
    QTemporaryDir tmp;
    const fs::path dir = tmp.path().toStdString();
    UnitPriors priors = UnitPriors::fromCounts({3, 0, 1});
    priors.save(dir / "priors.txt");
    priors.saveCounts(dir / "counts.txt");
    std::ifstream counts(dir / "counts.txt");
    std::string text((std::istreambuf_iterator<char>(counts)), std::istreambuf_iterator<char>());
    QCOMPARE(text, std::string(" [ 3 0 1 ]\n"));  // as Kaldi's copy-vector --binary=false
    UnitPriors loaded = UnitPriors::load(dir / "priors.txt");
    QCOMPARE(loaded.numUnits(), 3);
    for (int i = 0; i < 3; ++i)
      QVERIFY(std::fabs(loaded.probabilities()[i] - priors.probabilities()[i]) < 1e-9);
    // A counts file is not a priors file.
    QVERIFY_THROWS_EXCEPTION(Error, UnitPriors::load(dir / "counts.txt"));
  }

  // --- unit inventories -----------------------------------------------------

  void testPhonesTableSkipsEpsilonAndDisambiguation() {
    const std::string table = "<eps> 0\nsil 1\naa 2\nb 3\n#0 4\n#1 5\n";
    UnitInventory units = UnitInventory::parsePhonesTable(table, "phones.txt");
    QCOMPARE(units.names(), (std::vector<std::string>{"sil", "aa", "b"}));
    QCOMPARE(units.silenceId(), 0);
    QCOMPARE(units.id("b"), 2);
    QCOMPARE(*units.unitForSymbol(1), 0);
    QCOMPARE(*units.unitForSymbol(3), 2);
    QVERIFY(!units.unitForSymbol(0));
    QVERIFY(!units.unitForSymbol(4));
    QVERIFY(!units.unitForSymbol(9));
    QVERIFY(isDisambiguationSymbol("#12"));
    QVERIFY(!isDisambiguationSymbol("#"));
    QVERIFY(!isDisambiguationSymbol("#a"));
  }

  void testPhonesTableWithBomAndCrlfIsReadAsWithout() {
    // A phones.txt saved by a Windows editor: UTF-8 byte-order mark, CRLF.
    const std::string table = "\xEF\xBB\xBF<eps> 0\r\nsil 1\r\naa 2\r\nb 3\r\n#0 4\r\n";
    UnitInventory units = UnitInventory::parsePhonesTable(table, "phones.txt");
    QCOMPARE(units.names(), (std::vector<std::string>{"sil", "aa", "b"}));
    QVERIFY(!units.unitForSymbol(0));  // <eps> is not a unit
    QCOMPARE(*units.unitForSymbol(1), 0);
    QTemporaryDir tmp;
    const fs::path path = fs::path(tmp.path().toStdString()) / "units.txt";
    writeBytes(path, "\xEF\xBB\xBFsil 0\r\naa 1\r\nb 2\r\n");
    QVERIFY(UnitInventory::load(path) == units);
  }

  void testBadPhonesTableNamesFileAndLine() {
    try {
      UnitInventory::parsePhonesTable("<eps> 0\nsil 1\naa\n", "phones.txt");
      QFAIL("no error");
    } catch (const Error& e) {
      QCOMPARE(e.filePath(), std::string("phones.txt"));
      QCOMPARE(*e.lineNumber(), 3L);
    }
    QVERIFY_THROWS_EXCEPTION(Error, UnitInventory::parsePhonesTable("a 1\nb 1\n", "p"));
    QVERIFY_THROWS_EXCEPTION(Error, UnitInventory::parsePhonesTable("<eps> 0\n#0 1\n", "p"));
  }

  void testInventorySaveLoadRoundTrip() {
    QTemporaryDir tmp;
    const fs::path path = fs::path(tmp.path().toStdString()) / "units.txt";
    UnitInventory units = UnitInventory::parsePhonesTable("<eps> 0\nsil 1\naa 2\nb 3\n#0 4\n", "p");
    units.save(path);
    std::ifstream in(path);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    QCOMPARE(text, std::string("sil 0\naa 1\nb 2\n"));
    UnitInventory loaded = UnitInventory::load(path);
    QVERIFY(loaded == units);
    QCOMPARE(loaded.silenceId(), 0);
    QVERIFY(UnitInventory::fromJson(units.toJson()) == units);
    writeBytes(path, "sil 0\naa 2\n");
    QVERIFY_THROWS_EXCEPTION(Error, UnitInventory::load(path));
  }

  void testLexiconGivesSilencePlusPhones() {
    QTemporaryDir tmp;
    const fs::path path = fs::path(tmp.path().toStdString()) / "lexicon.txt";
    writeBytes(path, "play p l eI\nstop s t A p\n<sil> sil\n");
    UnitInventory units = UnitInventory::fromLexicon(path);
    QCOMPARE(units.names(), (std::vector<std::string>{"sil", "A", "eI", "l", "p", "s", "t"}));
    writeBytes(path, "play 1.0 p l eI\nplay 0.5 p l aI\n");  // lexiconp.txt
    QCOMPARE(UnitInventory::fromLexicon(path).names(),
             (std::vector<std::string>{"sil", "aI", "eI", "l", "p"}));
    // espeak-ng phones can be digits: "0" is a phone, not a probability.
    writeBytes(path, "off 0 f\nthe D @\n");
    QCOMPARE(UnitInventory::fromLexicon(path).names(),
             (std::vector<std::string>{"sil", "0", "@", "D", "f"}));
  }

  void testInventoryRowIsReusedAndConflictsAreErrors() {
    QTemporaryDir tmp;
    Workspace ws = Workspace::create(fs::path(tmp.path().toStdString()) / "ws");
    UnitInventory a({"sil", "a", "b"});
    const auto id = recordUnitInventory(ws.db(), a, "phones", "synthetic");
    QCOMPARE(recordUnitInventory(ws.db(), a, "phones", "synthetic"), id);
    QVERIFY(loadUnitInventory(ws.db(), id) == a);
    QCOMPARE(findUnitInventory(ws.db(), "phones")->numUnits, 3);
    QVERIFY_THROWS_EXCEPTION(Error, recordUnitInventory(ws.db(), UnitInventory({"sil"}), "phones", ""));
    QVERIFY(defaultUnitInventoryName(a, "phones").rfind("phones-3-", 0) == 0);
    QCOMPARE(UnitInventory::pdfs(3).names(), (std::vector<std::string>{"pdf0", "pdf1", "pdf2"}));
  }

  // --- building targets -----------------------------------------------------

  void testSyntheticLayoutBuildsTargetsAndRejectsWithReasons() {
    // u1 exact, u2 padded (5 of 7), u3 rejected (10 vs 7), u4 has no alignment,
    // u5 is aligned but has no features.
    Fixture fx({{"u1", 7}, {"u2", 7}, {"u3", 7}, {"u4", 4}});
    const fs::path dir = fx.root / "alignments" / "d1";
    fs::create_directories(dir);
    writeBytes(dir / "phones.txt", "<eps> 0\nsil 1\na 2\nb 3\n");
    writeBytes(dir / "ali.txt", textIntVectorRecord("u1", {1, 2, 2, 3, 3, 3, 1}) +
                                    textIntVectorRecord("u2", {1, 1, 2, 2, 3}) +
                                    textIntVectorRecord("u3", Ints(10, 2)) +
                                    textIntVectorRecord("u5", {1, 1, 1}));
    TargetsSummary s = buildTargets(fx.ws, "d1");
    QCOMPARE(s.source, std::string("synthetic"));
    QCOMPARE(s.numUtterances, 2);
    QCOMPARE(s.numRejected, 3);
    QCOMPARE(s.numPadded, 1);
    QCOMPARE(s.numUnits, 3);
    QCOMPARE(s.rejected[0].key, std::string("u3"));
    QCOMPARE(s.rejected[0].reason, std::string("alignment has 10 frames, features 7 (tolerance 2)"));
    QCOMPARE(s.rejected[1].key, std::string("u5"));
    QCOMPARE(s.rejected[2].key, std::string("u4"));
    QCOMPARE(s.rejected[2].reason, std::string("no alignment"));

    TargetStore store = TargetStore::open(TargetStore::datasetDir(fx.root, "d1"));
    // phone ids 1, 2, 3 are units 0, 1, 2. u1 centres 1, 4, 6 -> phones 2, 3, 1.
    QCOMPARE(store.read("u1"), (Ints{1, 2, 0}));
    // u2 padded: 1 1 2 2 3 3 3 -> centres 1, 4, 6 -> phones 1, 3, 3.
    QCOMPARE(store.read("u2"), (Ints{0, 2, 2}));
    QVERIFY(!store.contains("u3"));
    QCOMPARE(store.units().names(), (std::vector<std::string>{"sil", "a", "b"}));
    // Counts over targets: unit 0: 2, unit 1: 1, unit 2: 3; N = 6, S = 3.
    UnitPriors priors = store.priors();
    QVERIFY(std::fabs(priors.probabilities()[0] - 3.0 / 9) < 1e-9);
    QVERIFY(std::fabs(priors.probabilities()[1] - 2.0 / 9) < 1e-9);
    QVERIFY(std::fabs(priors.probabilities()[2] - 4.0 / 9) < 1e-9);

    SQLite::Statement q(fx.ws.db(),
                        "SELECT a.source, a.num_utterances, a.num_rejected, a.frame_shift_ms, "
                        "u.num_units, a.path FROM alignment_sets a JOIN unit_inventories u ON "
                        "u.id = a.unit_inventory_id WHERE a.dataset_id = 1 AND a.name = 'targets'");
    QVERIFY(q.executeStep());
    QCOMPARE(q.getColumn(0).getString(), std::string("synthetic"));
    QCOMPARE(q.getColumn(1).getInt(), 2);
    QCOMPARE(q.getColumn(2).getInt(), 3);
    QCOMPARE(q.getColumn(3).getDouble(), 30.0);
    QCOMPARE(q.getColumn(4).getInt(), 3);
    QCOMPARE(q.getColumn(5).getString(), "alignments/d1/targets-" + s.configHash.substr(0, 8));
    QCOMPARE(TargetStore::datasetDir(fx.ws, "d1"), s.dir);
  }

  // --- targets keyed by their config ------------------------------------------
  void testRerunWithTheSameConfigWritesNothing() {
    Fixture fx({{"u1", 7}, {"u2", 4}});
    writeSyntheticAlignments(fx);
    const TargetsSummary first = buildTargets(fx.ws, "d1");
    QVERIFY(!first.alreadyBuilt);
    const auto before = snapshot(fx.root / "alignments");
    const std::string rowBefore = alignmentRow(fx);

    const TargetsSummary again = buildTargets(fx.ws, "d1");
    QVERIFY(again.alreadyBuilt);
    QCOMPARE(again.dir, first.dir);
    QCOMPARE(again.configHash, first.configHash);
    QCOMPARE(again.numUtterances, first.numUtterances);
    QCOMPARE(again.numRejected, first.numRejected);
    QCOMPARE(again.numTargetFrames, first.numTargetFrames);
    QCOMPARE(again.inventoryName, first.inventoryName);
    QCOMPARE(again.unitInventoryId, first.unitInventoryId);
    // Every file byte-identical and untouched (mtime), no temporary folder left,
    // the same row.
    QCOMPARE(snapshot(fx.root / "alignments"), before);
    QCOMPARE(alignmentRow(fx), rowBefore);
    QCOMPARE(fx.ws.db().execAndGet("SELECT COUNT(*) FROM alignment_sets").getInt(), 1);

    // A damaged set is built again (what `verify` advises), not taken as done.
    {
      const RecordInfo u1 = *RecordStore::open(first.dir).find("u1");
      std::fstream shard(first.dir / "shard-00000.bin", std::ios::in | std::ios::out | std::ios::binary);
      shard.seekp(static_cast<std::streamoff>(u1.offset));
      shard.put(static_cast<char>(0x7f));
    }
    QVERIFY(!RecordStore::open(first.dir).verifyAll().empty());
    const TargetsSummary repaired = buildTargets(fx.ws, "d1");
    QVERIFY(!repaired.alreadyBuilt);
    QCOMPARE(repaired.dir, first.dir);
    QVERIFY(RecordStore::open(first.dir).verifyAll().empty());
    QCOMPARE(TargetStore::open(first.dir).read("u1"), (Ints{1, 2, 0}));
  }

  // A rebuild swaps the new folder in (the targets folder exists at every
  // moment) and removes what builds killed before their clean-up left beside
  // it (`.tmp-PID`, `.old-PID` of processes that no longer run); a folder of a
  // process still running (pid 1) is left alone.
  void testRebuildRemovesLeftoversOfKilledBuilds() {
    Fixture fx({{"u1", 7}, {"u2", 4}});
    writeSyntheticAlignments(fx);
    const TargetsSummary first = buildTargets(fx.ws, "d1");
    const std::string dir = first.dir.string();
    const std::string gone = std::to_string(4194305);  // above Linux's pid_max: no such process
    for (const std::string& leftover : {dir + ".tmp-" + gone, dir + ".old-" + gone, dir + ".tmp-1"}) {
      fs::create_directories(leftover);
      std::ofstream(leftover + "/shard-00000.bin") << "stale";
    }
    {  // damage the set so that it is built again (and swapped in)
      const RecordInfo u1 = *RecordStore::open(first.dir).find("u1");
      std::fstream shard(first.dir / "shard-00000.bin", std::ios::in | std::ios::out | std::ios::binary);
      shard.seekp(static_cast<std::streamoff>(u1.offset));
      shard.put(static_cast<char>(0x7f));
    }
    const TargetsSummary rebuilt = buildTargets(fx.ws, "d1");
    QVERIFY(!rebuilt.alreadyBuilt);
    QVERIFY(RecordStore::open(first.dir).verifyAll().empty());
    QCOMPARE(TargetStore::open(first.dir).read("u1"), (Ints{1, 2, 0}));
    QVERIFY(!fs::exists(dir + ".tmp-" + gone));
    QVERIFY(!fs::exists(dir + ".old-" + gone));
    QVERIFY(fs::exists(dir + ".tmp-1"));  // pid 1 runs: maybe a build in progress
    // Nothing else of this build is left beside the folder.
    int siblings = 0;
    for (const auto& e : fs::directory_iterator(first.dir.parent_path()))
      if (e.path().filename().string().rfind(first.dir.filename().string(), 0) == 0) ++siblings;
    QCOMPARE(siblings, 2);  // the folder and the live pid's
  }

  void testAnotherConfigKeysANewSetAndLeavesTheOldOne() {
    Fixture fx({{"u1", 7}, {"u2", 4}});
    writeSyntheticAlignments(fx);
    const TargetsSummary tol2 = buildTargets(fx.ws, "d1");
    const auto old = snapshot(tol2.dir);
    const TargetStore reading = TargetStore::open(tol2.dir);  // a trainer reading them

    TargetBuildOptions options;
    options.frames.tolerance = 3;
    const TargetsSummary tol3 = buildTargets(fx.ws, "d1", {}, nullptr, options);
    QVERIFY(!tol3.alreadyBuilt);
    QVERIFY(tol3.configHash != tol2.configHash);
    QVERIFY(tol3.dir != tol2.dir);
    QCOMPARE(snapshot(tol2.dir), old);  // the old set as it was
    QCOMPARE(reading.read("u1"), (Ints{1, 2, 0}));
    // Readers follow the row to the set built last, one row per dataset.
    QCOMPARE(TargetStore::datasetDir(fx.ws, "d1"), tol3.dir);
    QCOMPARE(TargetStore::datasetDir(fx.root, "d1"), tol3.dir);
    QCOMPARE(fx.ws.db().execAndGet("SELECT COUNT(*) FROM alignment_sets").getInt(), 1);

    // The first config again: found done, nothing written, the row points back.
    const TargetsSummary back = buildTargets(fx.ws, "d1");
    QVERIFY(back.alreadyBuilt);
    QCOMPARE(back.dir, tol2.dir);
    QCOMPARE(snapshot(tol2.dir), old);
    QCOMPARE(TargetStore::datasetDir(fx.ws, "d1"), tol2.dir);

    // New alignment bytes at the same path are another config too.
    writeBytes(fx.root / "alignments" / "d1" / "ali.txt",
               textIntVectorRecord("u1", {2, 2, 2, 3, 3, 3, 1}) +
                   textIntVectorRecord("u2", {1, 1, 2, 2}));
    const TargetsSummary edited = buildTargets(fx.ws, "d1");
    QVERIFY(!edited.alreadyBuilt);
    QVERIFY(edited.dir != tol2.dir);
    QCOMPARE(TargetStore::open(edited.dir).read("u1"), (Ints{1, 2, 0}));
    QCOMPARE(TargetStore::open(edited.dir).read("u2"), (Ints{0, 1}));
  }

  void testConfigHashIsXxh3OfTheConfigYamlEverywhere() {
    Fixture fx({{"u1", 7}, {"u2", 4}});
    writeSyntheticAlignments(fx);
    const TargetsSummary s = buildTargets(fx.ws, "d1");
    QCOMPARE(s.configHash.size(), std::size_t{16});
    QVERIFY2(s.configHash.find_first_not_of("0123456789abcdef") == std::string::npos,
             s.configHash.c_str());
    QCOMPARE(s.configHash, configHash(s.configYaml));
    const std::string independent = test::pythonXxh3Hex(s.configYaml);
    if (!independent.empty()) QCOMPARE(s.configHash, independent);
    // The config names what shaped the targets, paths relative to the workspace.
    QVERIFY2(s.configYaml.find("alignments: alignments/d1\n") != std::string::npos,
             s.configYaml.c_str());
    QVERIFY2(s.configYaml.find("units: alignments/d1/phones.txt\n") != std::string::npos,
             s.configYaml.c_str());
    QVERIFY2(s.configYaml.find("feature_set: fbank64\nfeature_config_hash: abc\n") !=
                 std::string::npos,
             s.configYaml.c_str());
    QVERIFY2(s.configYaml.find("subsample: 3\ntolerance: 2\n") != std::string::npos,
             s.configYaml.c_str());
    // The store records its hash after its config; resolving gives the same.
    const TargetStore store = TargetStore::open(s.dir);
    QCOMPARE(store.configHash(), s.configHash);
    QCOMPARE(store.inventoryName(), s.inventoryName);
    QCOMPARE(resolveTargetsConfig(fx.ws, "d1").hash(), s.configHash);
    QCOMPARE(resolveTargetsConfig(fx.ws, "d1").toYaml(), s.configYaml);
    QCOMPARE(s.dir.filename().string(), "targets-" + s.configHash.substr(0, 8));
  }

  void testUnkeyedTargetsOfAnOlderWorkspaceAreStillRead() {
    // Before targets were keyed: WS/alignments/d1/targets, its row naming that folder.
    Fixture fx({{"u1", 7}, {"u2", 4}});
    writeSyntheticAlignments(fx);
    const fs::path unkeyed = fx.root / "alignments" / "d1" / "targets";
    {
      RecordStore store = RecordStore::create(unkeyed, {ElementType::Int32, 1, TargetStore::kKind});
      const Ints y{5, 5, 5};
      store.append("u1", y.data(), 3, 1);
      store.setMetadata("units: 3\ninventory: phones-3-x\nsource: synthetic\nsubsample: 3\n"
                        "tolerance: 2\n");
      store.commit();
      writeBytes(unkeyed / TargetStore::kUnitsFile, "sil 0\na 1\nb 2\n");
    }
    QCOMPARE(TargetStore::datasetDir(fx.ws, "d1"), unkeyed);  // no row: the unkeyed folder
    fx.ws.db().exec(
        "INSERT INTO alignment_sets (dataset_id, name, source, path, frame_shift_ms) VALUES "
        "(1, 'targets', 'synthetic', 'alignments/d1/targets', 30)");
    QCOMPARE(TargetStore::datasetDir(fx.ws, "d1"), unkeyed);
    const TargetStore old = TargetStore::open(TargetStore::datasetDir(fx.ws, "d1"));
    QCOMPARE(old.read("u1"), (Ints{5, 5, 5}));
    QCOMPARE(old.configHash(), std::string());
    // Building now keys a new set beside it; the old folder stays as it was.
    const auto before = snapshot(unkeyed);
    const TargetsSummary s = buildTargets(fx.ws, "d1");
    QVERIFY(!s.alreadyBuilt);
    QCOMPARE(TargetStore::datasetDir(fx.ws, "d1"), s.dir);
    QCOMPARE(snapshot(unkeyed), before);
    QCOMPARE(fx.ws.db().execAndGet("SELECT COUNT(*) FROM alignment_sets").getInt(), 1);
  }

  void testKaldiPdfTextAndBinaryArksGiveSameTargets() {
    Fixture fx({{"a", 9}, {"b", 4}}, "kaldi");
    const fs::path dir = fx.root.parent_path();
    const Ints aliA = {0, 5, 5, 7, 2, 2, 9, 9, 4};  // centres 1, 4, 7 -> 5, 2, 9
    const Ints aliB = {3, 3, 1, 1};                  // centres 1, 3 (clamped) -> 3, 1
    writeBytes(dir / "pdf_text.ark", textIntVectorRecord("a", aliA) + textIntVectorRecord("b", aliB));
    writeBytes(dir / "pdf_bin.ark",
               binaryIntVectorRecord("a", aliA) + binaryIntVectorRecord("b", aliB));

    TargetsSummary t = importKaldiAlignments(fx.ws, "d1", dir / "pdf_text.ark");
    QCOMPARE(t.source, std::string("kaldi"));
    QCOMPARE(t.numUnits, 10);  // pdf0..pdf9
    QCOMPARE(t.numRejected, 0);
    TargetStore fromText = TargetStore::open(t.dir);
    QCOMPARE(fromText.read("a"), (Ints{5, 2, 9}));
    QCOMPARE(fromText.read("b"), (Ints{3, 1}));
    QCOMPARE(fromText.units().name(9), std::string("pdf9"));

    TargetsSummary b = importKaldiAlignments(fx.ws, "d1", dir / "pdf_bin.ark");
    QCOMPARE(b.inventoryName, t.inventoryName);
    TargetStore fromBinary = TargetStore::open(b.dir);
    QCOMPARE(fromBinary.read("a"), (Ints{5, 2, 9}));
    QCOMPARE(fromBinary.read("b"), (Ints{3, 1}));

    // An scp into the binary ark: "key path:offset", offset = first byte after "key ".
    const std::string recordA = binaryIntVectorRecord("a", aliA);
    writeBytes(dir / "pdf_bin.scp", "a " + (dir / "pdf_bin.ark").string() + ":2\n" + "b " +
                                        (dir / "pdf_bin.ark").string() + ":" +
                                        std::to_string(recordA.size() + 2) + "\n");
    TargetStore fromScp = TargetStore::open(importKaldiAlignments(fx.ws, "d1", dir / "pdf_bin.scp").dir);
    QCOMPARE(fromScp.read("a"), (Ints{5, 2, 9}));
    QCOMPARE(fromScp.read("b"), (Ints{3, 1}));
  }

  void testNegativePdfIdInGoldenArchiveIsErrorNamingUtterance() {
    // tests/data/kaldi/vector_text.ark (hand-built by make_goldens.py): ali3 holds -3.
    Fixture fx({{"ali1", 5}, {"ali3", 3}}, "kaldi");
    try {
      importKaldiAlignments(fx.ws, "d1", UNDERSTUDY_SOURCE_DIR "/tests/data/kaldi/vector_text.ark");
      QFAIL("no error");
    } catch (const Error& e) {
      QCOMPARE(e.utteranceId(), std::string("ali3"));
    }
  }

  void testAlignmentIdOutsideUnitsIsErrorNamingUtterance() {
    Fixture fx({{"good", 3}, {"bad", 3}});
    const fs::path dir = fx.root.parent_path();
    writeBytes(dir / "names.txt", "p0 0\np1 1\np2 2\n");
    writeBytes(dir / "pdf.ark", textIntVectorRecord("good", {0, 1, 2}) +
                                    textIntVectorRecord("bad", {0, 3, 1}));
    try {
      importKaldiAlignments(fx.ws, "d1", dir / "pdf.ark", dir / "names.txt");
      QFAIL("no error");
    } catch (const Error& e) {
      QCOMPARE(e.utteranceId(), std::string("bad"));
      QVERIFY2(e.message().find("alignment id 3") != std::string::npos, e.what());
    }
    // Nothing was written, no row recorded.
    QVERIFY(!fs::exists(TargetStore::datasetDir(fx.root, "d1")));
    QCOMPARE(fx.ws.db().execAndGet("SELECT COUNT(*) FROM alignment_sets").getInt(), 0);
  }

  void testCliBuildsTargetsAndReportsRejections() {
    Fixture fx({{"u1", 6}, {"u2", 6}}, "kaldi");
    const fs::path dir = fx.root.parent_path();
    writeBytes(dir / "pdf.ark", binaryIntVectorRecord("u1", {4, 4, 4, 2, 2, 2}) +
                                    binaryIntVectorRecord("u2", Ints(20, 1)));
    const QString ws = QString::fromStdString(fx.root.string());
    auto r = test::runCli({"-q", "targets", "-w", ws, "--dataset", "d1", "--alignments",
                           QString::fromStdString((dir / "pdf.ark").string())});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QVERIFY2(r.out.contains("u2: alignment has 20 frames, features 6 (tolerance 2)"), r.out.constData());
    QVERIFY2(r.out.contains("1 utterance(s)"), r.out.constData());
    // u1: centres 1, 4 -> pdfs 4, 2.
    QCOMPARE(TargetStore::open(TargetStore::datasetDir(fx.root, "d1")).read("u1"), (Ints{4, 2}));
    const fs::path built = TargetStore::datasetDir(fx.ws, "d1");
    const auto before = snapshot(built);

    // Again with the same config: found done, nothing written.
    r = test::runCli({"-q", "targets", "-w", ws, "--dataset", "d1", "--alignments",
                      QString::fromStdString((dir / "pdf.ark").string())});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QVERIFY2(r.out.contains("already built with this config"), r.out.constData());
    QCOMPARE(snapshot(built), before);
    // Both runs record the targets' config and its hash (16 hex, XXH3-64 of the
    // config), the hash the store records.
    {
      const std::string storeHash = TargetStore::open(built).configHash();
      SQLite::Statement q(fx.ws.db(), "SELECT config, config_hash FROM runs WHERE kind = "
                                      "'targets' AND status = 'finished'");
      int runs = 0;
      while (q.executeStep()) {
        ++runs;
        const std::string config = q.getColumn(0).getString();
        QCOMPARE(q.getColumn(1).getString(), storeHash);
        QCOMPARE(configHash(config), storeHash);
        const std::string independent = test::pythonXxh3Hex(config);
        if (!independent.empty()) QCOMPARE(independent, storeHash);
      }
      QCOMPARE(runs, 2);
    }

    writeBytes(dir / "names.txt", "x 0\ny 1\n");
    r = test::runCli({"-q", "targets", "-w", ws, "--dataset", "d1", "--alignments",
                      QString::fromStdString((dir / "pdf.ark").string()), "--units",
                      QString::fromStdString((dir / "names.txt").string())});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("utterance 'u1'"), r.err.constData());
    // The failed run is recorded; the earlier targets are untouched.
    QCOMPARE(fx.ws.db().execAndGet("SELECT COUNT(*) FROM runs WHERE kind = 'targets' AND "
                                   "status = 'failed'").getInt(), 1);
    QCOMPARE(TargetStore::open(TargetStore::datasetDir(fx.root, "d1")).read("u1"), (Ints{4, 2}));
  }

  void testFeatureSetIsChosenByFullNameOrHashSuffixAsEverywhere() {
    // fbank64 (older): u1 has 7 frames; d1-bbb (newer): u1 has 4 frames.
    Fixture fx({{"u1", 7}});
    {
      FeatureStore store = FeatureStore::create(fx.root / "features" / "d1-bbb", 2);
      const std::vector<float> data(8, 0.5f);
      store.append("u1", data.data(), 4);
      store.commit();
    }
    Catalog catalog(fx.ws);
    FeatureSetRow newer;
    newer.datasetId = catalog.dataset("d1").id;
    newer.name = "d1-bbb";
    newer.configHash = "bbb";
    newer.path = "features/d1-bbb";
    newer.dims = 2;
    catalog.updateFeatureSet(catalog.registerFeatureSet(newer).id, 1, 4, true);
    const fs::path dir = fx.root / "alignments" / "d1";
    fs::create_directories(dir);
    writeBytes(dir / "phones.txt", "<eps> 0\nsil 1\n");
    writeBytes(dir / "ali.txt", textIntVectorRecord("u1", Ints(7, 1)));
    auto targetsOf = [&](const std::string& featureSet) {
      TargetBuildOptions options;
      options.frames.tolerance = 3;
      options.featureSet = featureSet;
      buildTargets(fx.ws, "d1", {}, nullptr, options);
      return TargetStore::open(TargetStore::datasetDir(fx.root, "d1")).read("u1").size();
    };
    QCOMPARE(targetsOf(""), std::size_t{2});         // the newest complete set
    QCOMPARE(targetsOf("fbank64"), std::size_t{3});  // by full name
    QCOMPARE(targetsOf("bbb"), std::size_t{2});      // by the part after "d1-"
    QCOMPARE(targetsOf("d1-bbb"), std::size_t{2});
    QVERIFY_THROWS_EXCEPTION(Error, targetsOf("bb"));
  }

  void testMissingFeaturesOrDatasetAreErrorsWithHints() {
    QTemporaryDir tmp;
    Workspace ws = Workspace::create(fs::path(tmp.path().toStdString()) / "ws");
    QVERIFY_THROWS_EXCEPTION(Error, buildTargets(ws, "nope"));
    ws.db().exec("INSERT INTO datasets (name, kind, source) VALUES ('d1', 'labeled', 'synthetic')");
    const fs::path dir = ws.root() / "alignments" / "d1";
    fs::create_directories(dir);
    writeBytes(dir / "phones.txt", "<eps> 0\nsil 1\n");
    writeBytes(dir / "ali.txt", textIntVectorRecord("u1", {1, 1, 1}));
    try {
      buildTargets(ws, "d1");
      QFAIL("no error");
    } catch (const Error& e) {
      QVERIFY2(e.hintText().find("understudy-cli features") != std::string::npos, e.what());
    }
  }
};

QTEST_GUILESS_MAIN(TestAlign)
#include "test_align.moc"
