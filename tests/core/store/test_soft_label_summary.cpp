// core/store: the label summary of a soft-label set (SoftLabelSummary), the
// numbers of each utterance it returns, and the condition groups it shares
// with the evaluator. Every expected number is worked out by hand below from
// the frames the test builds (the entropies to 16 digits by python3's math).
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>
#include <regex>
#include <string>
#include <vector>

#include "core/store/condition_groups.h"
#include "core/store/soft_label_store.h"
#include "core/store/soft_label_summary.h"
#include "core/util/error.h"
#include "support/expect_error.h"

using namespace understudy;
using understudy::test::expectError;
using Groups = std::vector<std::string>;

namespace {

// Frames of k entries each, given row by row.
SoftLabels labels(int k, const std::vector<std::vector<std::uint16_t>>& ids,
                  const std::vector<std::vector<float>>& probs) {
  SoftLabels s;
  s.frames = static_cast<int>(ids.size());
  s.k = k;
  for (std::size_t t = 0; t < ids.size(); ++t) {
    s.ids.insert(s.ids.end(), ids[t].begin(), ids[t].end());
    s.probs.insert(s.probs.end(), probs[t].begin(), probs[t].end());
  }
  return s;
}

// −Σ p ln p over one frame, 0·ln 0 = 0.
double entropy(const std::vector<double>& p) {
  double h = 0.0;
  for (double x : p)
    if (x > 0.0) h -= x * std::log(x);
  return h;
}

// Three utterances over 6 units, k = 3:
//   a (4 frames, truth {2,3,2,0,9,9}: longer than the labels, 4 compared),
//   b (2 frames, truth {0}: shorter, 1 compared),
//   c (1 frame, no truth).
SoftLabelSummary threeUtterances() {
  SoftLabelSummary s(6);
  const std::vector<std::int32_t> truthA = {2, 3, 2, 0, 9, 9};
  s.add("a",
        labels(3, {{2, 0, 1}, {1, 3, 4}, {3, 2, 0}, {2, 1, 0}},
               {{0.5f, 0.25f, 0.25f},
                {1.0f, 0.0f, 0.0f},
                {0.75f, 0.25f, 0.0f},
                {0.375f, 0.375f, 0.25f}}),
        &truthA, {"voice/en-us", "noise/babble", "snr/5-10"});
  const std::vector<std::int32_t> truthB = {0};
  s.add("b", labels(3, {{4, 0, 1}, {0, 1, 2}}, {{0.0f, 0.0f, 0.0f}, {0.625f, 0.25f, 0.125f}}),
        &truthB, {"clean", "voice/en-us"});
  s.add("c", labels(3, {{0, 1, 2}}, {{0.5f, 0.5f, 0.0f}}), nullptr, {"noise/hum"});
  return s;
}

// Hand-computed entropies (nats) of the frames above, python3:
// -sum(p*math.log(p)) per frame, then the mean over the utterance.
constexpr double kMeanEntropyA = 0.6710628613743734;  // (1.5 ln 2 + 0 + H(.75,.25) + H(.375,.375,.25)) / 4
constexpr double kEntropyB1 = 0.9002560512685369;     // H(.625, .25, .125)
constexpr double kLn2 = 0.6931471805599453;

void compareStats(const SoftLabelUtteranceStats& u, const std::string& key, std::int64_t frames,
                  double meanTop1, double meanEntropy) {
  QCOMPARE(u.key, key);
  QCOMPARE(u.frames, frames);
  QVERIFY2(std::abs(u.meanTop1 - meanTop1) < 1e-15,
           qPrintable(QString("%1: mean top-1 %2, want %3").arg(key.c_str()).arg(u.meanTop1, 0, 'g', 17)
                          .arg(meanTop1, 0, 'g', 17)));
  QVERIFY2(std::abs(u.meanEntropy - meanEntropy) < 1e-15,
           qPrintable(QString("%1: mean entropy %2, want %3").arg(key.c_str()).arg(u.meanEntropy, 0, 'g', 17)
                          .arg(meanEntropy, 0, 'g', 17)));
}

void compareTruth(const SoftLabelUtteranceStats& u, std::int64_t frames, std::int64_t top1Correct,
                  std::int64_t inTopK) {
  QVERIFY2(u.hasTruth, u.key.c_str());
  QCOMPARE(u.truthFrames, frames);
  QCOMPARE(u.truthTop1Correct, top1Correct);
  QCOMPARE(u.truthInTopK, inTopK);
}

// The JSON as summaries were written before the entropy histogram: the same
// text without "entropy_histogram" and "entropy_max".
std::string withoutEntropyHistogram(const std::string& json) {
  static const std::regex fields(R"re("entropy_histogram":\[[^\]]*\],"entropy_max":[^,]*,)re");
  std::string old = std::regex_replace(json, fields, "");
  if (old == json || old.find("entropy") == std::string::npos)  // mean/sum_entropy stay
    QTest::qFail(("the entropy histogram fields were not found in " + json).c_str(), __FILE__, __LINE__);
  return old;
}

void compareTally(const SoftLabelTruthTally& t, const std::string& group, std::int64_t utterances,
                  std::int64_t frames, std::int64_t top1Correct, std::int64_t inTopK) {
  QCOMPARE(t.group, group);
  QCOMPARE(t.utterances, utterances);
  QCOMPARE(t.frames, frames);
  QCOMPARE(t.top1Correct, top1Correct);
  QCOMPARE(t.inTopK, inTopK);
}

}  // namespace

class TestSoftLabelSummary : public QObject {
  Q_OBJECT

 private slots:
  void testConditionGroupsComeFromSyntheticMetadata() {
    QCOMPARE(conditionGroups(R"({"voice":"en-us","noise":"none","snr_db":null})"),
             (Groups{"clean", "voice/en-us"}));
    QCOMPARE(conditionGroups(R"({"voice":"gmw/en","noise":"babble","snr_db":4.99})"),
             (Groups{"noise/babble", "snr/0-5", "voice/gmw/en"}));
    QCOMPARE(conditionGroups(R"({"noise":"hum","snr_db":5.0})"), (Groups{"noise/hum", "snr/5-10"}));
    QCOMPARE(conditionGroups(R"({"noise":"pink","snr_db":19.9})")[1], std::string("snr/10-20"));
    QCOMPARE(conditionGroups(R"({"noise":"white","snr_db":20.0})")[1], std::string("snr/20+"));
    QVERIFY(conditionGroups(R"({"voice":"en-us"})").empty());
    QVERIFY(conditionGroups("not json").empty());
  }

  void testConditionGroupsSortCleanNoiseSnrByBandThenVoice() {
    Groups g = {"voice/en-us", "snr/20+",  "snr/10-20",    "noise/white", "clean",
                "snr/0-5",     "snr/5-10", "noise/babble", "voice/a"};
    sortConditionGroups(g);
    // By name, snr/10-20 and snr/20+ would come before snr/5-10.
    QCOMPARE(g, (Groups{"clean", "noise/babble", "noise/white", "snr/0-5", "snr/5-10", "snr/10-20",
                        "snr/20+", "voice/a", "voice/en-us"}));
    QVERIFY(!conditionGroupBefore("clean", "clean"));
    QVERIFY(conditionGroupBefore("noise/zzz", "snr/0-5"));
    QVERIFY(!conditionGroupBefore("snr/0-5", "noise/zzz"));
  }

  void testEmptySummaryIsAllZero() {
    SoftLabelSummary s(4);
    QCOMPARE(s.numUnits(), 4);
    QCOMPARE(s.frames(), std::int64_t(0));
    QCOMPARE(s.meanTop1(), 0.0);
    QCOMPARE(s.meanEntropy(), 0.0);
    QCOMPARE(s.bytesPerFrame(), 0.0);
    QCOMPARE(s.unitsUsed(), 0);
    QCOMPARE(s.top1Histogram().size(), std::size_t(SoftLabelSummary::kTop1Bins));
    QVERIFY(!s.hasTruth());
    QVERIFY(s.truth().empty());
  }

  void testCountsMeansAndEntropyOfTheStoredFrames() {
    SoftLabelSummary s = threeUtterances();
    QCOMPARE(s.utterances(), std::int64_t(3));
    QCOMPARE(s.frames(), std::int64_t(7));
    // Top-1 of each frame: .5, 1, .75, .375 | 0, .625 | .5.
    QCOMPARE(s.meanTop1(), 3.75 / 7.0);
    const double h = entropy({0.5, 0.25, 0.25}) + entropy({1.0}) + entropy({0.75, 0.25}) +
                     entropy({0.375, 0.375, 0.25}) + entropy({0.0}) +
                     entropy({0.625, 0.25, 0.125}) + entropy({0.5, 0.5});
    QVERIFY2(std::abs(s.meanEntropy() - h / 7.0) < 1e-12,
             QByteArray::number(s.meanEntropy(), 'g', 17));
    // Written out: 1.5 ln 2 + (ln 4 − 0.75 ln 0.75) + … ; the first frame alone:
    QVERIFY(std::abs(entropy({0.5, 0.25, 0.25}) - 1.5 * std::log(2.0)) < 1e-15);
    s.setStoreBytes(700);
    QCOMPARE(s.storeBytes(), std::uint64_t(700));
    QCOMPARE(s.bytesPerFrame(), 100.0);
  }

  void testTop1HistogramBinsEdgesUpward() {
    const SoftLabelSummary s = threeUtterances();
    std::vector<std::int64_t> want(SoftLabelSummary::kTop1Bins, 0);
    want[0] = 1;   // p = 0 (a frame of zeros)
    want[7] = 1;   // 0.375 · 20 = 7.5
    want[10] = 2;  // 0.5 is the lower edge of bin 10, not the top of bin 9
    want[12] = 1;  // 0.625 · 20 = 12.5
    want[15] = 1;  // 0.75: lower edge of bin 15
    want[19] = 1;  // p = 1 goes into the last bin
    QCOMPARE(s.top1Histogram(), want);
  }

  void testUnitCountsCountTheTop1OfEachFrame() {
    const SoftLabelSummary s = threeUtterances();
    // a: 2, 1, 3, 2 (0.375 twice: the first entry wins) | b: 4 (all zero: entry 0), 0 | c: 0 (tie:
    // entry 0).
    QCOMPARE(s.unitCounts(), (std::vector<std::int64_t>{2, 1, 2, 1, 1, 0}));
    QCOMPARE(s.unitsUsed(), 5);
  }

  void testTruthTalliesOverallAndByGroupInReportOrder() {
    const SoftLabelSummary s = threeUtterances();
    QVERIFY(s.hasTruth());
    const auto t = s.truth();
    QCOMPARE(t.size(), std::size_t(5));
    // a: frame 0 top-1 right; truth 3 of frame 1 is stored with p = 0, so not
    // in the top-k; frames 2 and 3 have the truth at p = 0.25. b: one frame
    // compared, its truth 0 stored with p = 0. c: no truth, in no tally.
    compareTally(t[0], "all", 2, 5, 1, 3);
    compareTally(t[1], "clean", 1, 1, 0, 0);
    compareTally(t[2], "noise/babble", 1, 4, 1, 3);
    compareTally(t[3], "snr/5-10", 1, 4, 1, 3);
    compareTally(t[4], "voice/en-us", 2, 5, 1, 3);
    QCOMPARE(t[0].top1Accuracy(), 0.2);
    QCOMPARE(t[0].topKRecall(), 0.6);
    QCOMPARE(SoftLabelTruthTally{}.top1Accuracy(), 0.0);
  }

  // add() returns each utterance's own numbers: the same per-frame top-1,
  // entropy and truth comparison as the totals, over its frames only.
  void testEachUtterancesNumbersAreReturned() {
    SoftLabelSummary s(6);
    const std::vector<std::int32_t> truthA = {2, 3, 2, 0, 9, 9};
    const SoftLabelUtteranceStats a = s.add(
        "a",
        labels(3, {{2, 0, 1}, {1, 3, 4}, {3, 2, 0}, {2, 1, 0}},
               {{0.5f, 0.25f, 0.25f}, {1.0f, 0.0f, 0.0f}, {0.75f, 0.25f, 0.0f}, {0.375f, 0.375f, 0.25f}}),
        &truthA, {"clean"});
    compareStats(a, "a", 4, 2.625 / 4.0, kMeanEntropyA);
    compareTruth(a, 4, 1, 3);
    const std::vector<std::int32_t> truthB = {0};
    const SoftLabelUtteranceStats b =
        s.add("b", labels(3, {{4, 0, 1}, {0, 1, 2}}, {{0.0f, 0.0f, 0.0f}, {0.625f, 0.25f, 0.125f}}), &truthB, {});
    compareStats(b, "b", 2, 0.3125, kEntropyB1 / 2.0);
    compareTruth(b, 1, 0, 0);
    const SoftLabelUtteranceStats c = s.add("c", labels(3, {{0, 1, 2}}, {{0.5f, 0.5f, 0.0f}}), nullptr, {});
    compareStats(c, "c", 1, 0.5, kLn2);
    QVERIFY(!c.hasTruth);
    const SoftLabelUtteranceStats none = s.add("empty", SoftLabels{}, nullptr, {});
    compareStats(none, "empty", 0, 0.0, 0.0);
    // The totals are the frame-weighted means of the utterances'.
    QVERIFY(std::abs(s.meanTop1() - (4 * a.meanTop1 + 2 * b.meanTop1 + c.meanTop1) / 7.0) < 1e-15);
    QVERIFY(std::abs(s.meanEntropy() - (4 * a.meanEntropy + 2 * b.meanEntropy + c.meanEntropy) / 7.0) < 1e-15);
  }

  // The same from a real fp16 store: what add() returns for what the store
  // reads back (the probabilities are exact in fp16, so the hand values hold).
  void testEachUtterancesNumbersFromAStoredSet() {
    QTemporaryDir dir;
    SoftLabelStoreOptions o;
    o.k = 3;
    o.numUnits = 6;
    o.model = "teacher";
    {
      SoftLabelStore store = SoftLabelStore::create(dir.filePath("s").toStdString(), o);
      auto put = [&](const std::string& key, const SoftLabels& l) {
        std::vector<std::int32_t> ids(l.ids.begin(), l.ids.end());
        store.append(key, l.frames, ids.data(), l.probs.data());
      };
      put("a", labels(3, {{2, 0, 1}, {1, 3, 4}, {3, 2, 0}, {2, 1, 0}},
                      {{0.5f, 0.25f, 0.25f}, {1.0f, 0.0f, 0.0f}, {0.75f, 0.25f, 0.0f}, {0.375f, 0.375f, 0.25f}}));
      put("b", labels(3, {{0, 1, 2}}, {{0.625f, 0.25f, 0.125f}}));
      put("c", labels(3, {{0, 1, 2}}, {{0.5f, 0.5f, 0.0f}}));
      store.commit();
    }
    const SoftLabelStore store = SoftLabelStore::open(dir.filePath("s").toStdString());
    SoftLabelSummary s(6);
    const std::vector<std::int32_t> truthA = {2, 3, 2, 0}, truthB = {0};
    compareStats(s.add("a", store.read("a"), &truthA, {}), "a", 4, 0.65625, kMeanEntropyA);
    const SoftLabelUtteranceStats b = s.add("b", store.read("b"), &truthB, {});
    compareStats(b, "b", 1, 0.625, kEntropyB1);
    compareTruth(b, 1, 1, 1);
    compareStats(s.add("c", store.read("c"), nullptr, {}), "c", 1, 0.5, kLn2);
  }

  // kEntropyBins bins over [0, ln k]: for k = 3, bin i = [i·ln 3/20, (i+1)·ln 3/20).
  void testEntropyHistogramBinsOverZeroToLnK() {
    const SoftLabelSummary s = threeUtterances();
    QCOMPARE(s.entropyMax(), std::log(3.0));
    std::vector<std::int64_t> want(SoftLabelSummary::kEntropyBins, 0);
    want[0] = 2;   // one-hot (p = 1) and the all-zero frame: entropy 0
    want[10] = 1;  // H(.75, .25) = 0.5623: 10.24 bins
    want[12] = 1;  // ln 2: 12.62 bins
    want[16] = 1;  // H(.625, .25, .125) = 0.9003: 16.39 bins
    want[18] = 1;  // 1.5 ln 2 = 1.0397: 18.93 bins
    want[19] = 1;  // H(.375, .375, .25) = 1.0822: 19.70 bins
    QCOMPARE(s.entropyHistogram(), want);
  }

  void testEntropyHistogramEdges() {
    // k = 4: ln 2 = (ln 4)/2 is the lower edge of bin 10, not the top of bin 9;
    // the uniform frame (ln 4) goes into the last bin, the one-hot into bin 0.
    SoftLabelSummary s(4);
    s.add("u", labels(4, {{0, 1, 2, 3}, {1, 0, 2, 3}, {2, 0, 1, 3}},
                      {{0.5f, 0.5f, 0.0f, 0.0f}, {0.25f, 0.25f, 0.25f, 0.25f}, {1.0f, 0.0f, 0.0f, 0.0f}}),
          nullptr, {});
    QCOMPARE(s.entropyMax(), std::log(4.0));
    std::vector<std::int64_t> want(SoftLabelSummary::kEntropyBins, 0);
    want[0] = 1;
    want[10] = 1;
    want[19] = 1;
    QCOMPARE(s.entropyHistogram(), want);

    // A uniform top-20 read back from an fp16 store (1/20 is not exact there;
    // its entropy lands within rounding of ln 20): the last bin.
    QTemporaryDir dir;
    SoftLabelStoreOptions o;
    o.k = 20;
    o.numUnits = 30;
    o.model = "teacher";
    std::vector<std::int32_t> ids(20);
    for (int j = 0; j < 20; ++j) ids[static_cast<std::size_t>(j)] = j + 5;
    const std::vector<float> uniform(20, 0.05f);
    {
      SoftLabelStore store = SoftLabelStore::create(dir.filePath("s").toStdString(), o);
      store.append("u", 1, ids.data(), uniform.data());
      store.commit();
    }
    SoftLabelSummary twenty(30);
    twenty.add("u", SoftLabelStore::open(dir.filePath("s").toStdString()).read("u"), nullptr, {});
    QCOMPARE(twenty.entropyMax(), std::log(20.0));
    QCOMPARE(twenty.entropyHistogram().back(), std::int64_t(1));

    // k = 1: [0, 0], every frame in bin 0.
    SoftLabelSummary one(3);
    one.add("u", labels(1, {{2}, {0}}, {{1.0f}, {1.0f}}), nullptr, {});
    QCOMPARE(one.entropyMax(), 0.0);
    QCOMPARE(one.entropyHistogram().front(), std::int64_t(2));

    // Empty until the first frame; one k per summary.
    SoftLabelSummary fresh(4);
    QVERIFY(fresh.entropyHistogram().empty());
    QCOMPARE(fresh.entropyMax(), 0.0);
    expectError([&] { s.add("other-k", labels(2, {{0, 1}}, {{0.5f, 0.5f}}), nullptr, {}); },
                {"other-k", "k = 2", "k = 4"});
    QCOMPARE(s.frames(), std::int64_t(3));
  }

  // A summary written before the entropy histogram still reads: the
  // histogram is empty (unknown) and stays so when frames are added.
  void testJsonWithoutTheEntropyHistogramStillParses() {
    const SoftLabelSummary s = threeUtterances();
    const std::string old = withoutEntropyHistogram(s.toJson());
    const SoftLabelSummary r = SoftLabelSummary::fromJson(old);
    QVERIFY(r.entropyHistogram().empty());
    QCOMPARE(r.entropyMax(), 0.0);
    QCOMPARE(r.frames(), s.frames());
    QVERIFY(r.meanEntropy() == s.meanEntropy());
    QCOMPARE(r.top1Histogram(), s.top1Histogram());
    QCOMPARE(r.truth().size(), s.truth().size());
    QVERIFY(r.toJson().find("\"entropy_histogram\":[]") != std::string::npos);
    SoftLabelSummary more = SoftLabelSummary::fromJson(old);
    more.add("d", labels(3, {{1, 0, 2}}, {{1.0f, 0.0f, 0.0f}}), nullptr, {});
    QVERIFY(more.entropyHistogram().empty());
    QCOMPARE(more.frames(), s.frames() + 1);
    // An old summary without frames starts the histogram with the first ones.
    SoftLabelSummary empty = SoftLabelSummary::fromJson(withoutEntropyHistogram(SoftLabelSummary(3).toJson()));
    QVERIFY(empty.entropyHistogram().empty());
    empty.add("d", labels(3, {{1, 0, 2}}, {{1.0f, 0.0f, 0.0f}}), nullptr, {});
    QCOMPARE(empty.entropyHistogram().size(), std::size_t(SoftLabelSummary::kEntropyBins));
  }

  void testTruthWithNoFramesStillCountsTheUtterance() {
    SoftLabelSummary s(3);
    const std::vector<std::int32_t> none;
    s.add("u", labels(1, {{1}}, {{1.0f}}), &none, {});
    QVERIFY(s.hasTruth());
    QCOMPARE(s.truth().size(), std::size_t(1));
    compareTally(s.truth()[0], "all", 1, 0, 0, 0);
  }

  void testUnitIdOutsideTheInventoryNamesTheUtterance() {
    SoftLabelSummary s(3);
    expectError(
        [&] {
          s.add("utt7", labels(2, {{0, 1}, {1, 3}}, {{0.5f, 0.5f}, {0.5f, 0.5f}}), nullptr, {});
        },
        {"utt7", "unit id 3", "frame 1", "3 units"});
    QCOMPARE(s.frames(), std::int64_t(0));  // nothing of it was counted
    SoftLabels bad = labels(2, {{0, 1}}, {{0.5f, 0.5f}});
    bad.probs.pop_back();
    expectError([&] { s.add("utt8", bad, nullptr, {}); }, {"utt8", "1 probabilities"});
  }

  void testJsonRoundTripIsExact() {
    SoftLabelSummary s = threeUtterances();
    s.setStoreBytes(123456789012ull);
    const std::string text = s.toJson();
    const SoftLabelSummary r = SoftLabelSummary::fromJson(text);
    QCOMPARE(r.toJson(), text);
    QCOMPARE(r.numUnits(), s.numUnits());
    QCOMPARE(r.utterances(), s.utterances());
    QCOMPARE(r.frames(), s.frames());
    QCOMPARE(r.storeBytes(), s.storeBytes());
    QVERIFY(r.meanTop1() == s.meanTop1());        // bit for bit
    QVERIFY(r.meanEntropy() == s.meanEntropy());  // bit for bit
    QCOMPARE(r.top1Histogram(), s.top1Histogram());
    QCOMPARE(r.entropyHistogram(), s.entropyHistogram());
    QVERIFY(r.entropyMax() == s.entropyMax());  // bit for bit
    QCOMPARE(r.unitCounts(), s.unitCounts());
    QCOMPARE(r.truth().size(), s.truth().size());
    for (std::size_t i = 0; i < s.truth().size(); ++i)
      compareTally(r.truth()[i], s.truth()[i].group, s.truth()[i].utterances, s.truth()[i].frames,
                   s.truth()[i].top1Correct, s.truth()[i].inTopK);

    // Sums whose mean × frames is not the sum again, bit for bit: the JSON
    // must keep the sums themselves.
    for (int frames = 1; frames <= 40; ++frames) {
      SoftLabelSummary many(5);
      for (int t = 0; t < frames; ++t) {
        const float p = 0.2f + 0.6f * static_cast<float>((t * 7919) % 97) / 97.0f;
        many.add("u" + std::to_string(t), labels(2, {{1, 2}}, {{p, 1.0f - p}}), nullptr, {});
      }
      const SoftLabelSummary back = SoftLabelSummary::fromJson(many.toJson());
      QVERIFY2(back.meanEntropy() == many.meanEntropy() && back.meanTop1() == many.meanTop1(),
               QByteArray::number(frames));
      QCOMPARE(back.toJson(), many.toJson());
    }

    // Adding after a round trip continues the same sums (a resumed labeler).
    SoftLabelSummary more = SoftLabelSummary::fromJson(text);
    const std::vector<std::int32_t> truth = {1};
    const SoftLabels extra = labels(3, {{1, 0, 2}}, {{0.875f, 0.125f, 0.0f}});
    more.add("d", extra, &truth, {"clean"});
    s.add("d", extra, &truth, {"clean"});
    QCOMPARE(more.toJson(), s.toJson());
  }

  void testJsonFieldsAreTheDocumentedOnes() {
    SoftLabelSummary s = threeUtterances();
    s.setStoreBytes(700);
    const std::string text = s.toJson();
    for (const char* f :
         {"\"version\":1", "\"num_units\":6", "\"utterances\":3", "\"frames\":7",
          "\"store_bytes\":700", "\"bytes_per_frame\":100.0", "\"units_used\":5",
          "\"unit_counts\":[2,1,2,1,1,0]", "\"top1_histogram\":[1,0,0,0,0,0,0,1,0,0,2,",
          "\"group\":\"all\"", "\"top1_correct\":1", "\"in_top_k\":3", "\"top1_accuracy\":0.2",
          "\"top_k_recall\":0.6", "\"mean_top1\":", "\"mean_entropy\":", "\"sum_top1\":3.75",
          "\"sum_entropy\":", "\"entropy_histogram\":[2,0,0,0,0,0,0,0,0,0,1,0,1,0,0,0,1,0,1,1]",
          "\"entropy_max\":1.09861228866810"})
      QVERIFY2(text.find(f) != std::string::npos, (std::string(f) + " not in " + text).c_str());
    QVERIFY(SoftLabelSummary(2).toJson().find("\"truth\":[]") != std::string::npos);
    QVERIFY(SoftLabelSummary(2).toJson().find("\"entropy_histogram\":[]") != std::string::npos);
  }

  void testMalformedJsonIsRefusedSayingWhy() {
    const std::string good = SoftLabelSummary(2).toJson();
    auto replaced = [&](const std::string& from, const std::string& to) {
      std::string t = good;
      const auto at = t.find(from);
      if (at == std::string::npos)
        QTest::qFail(("no " + from + " in " + t).c_str(), __FILE__, __LINE__);
      return t.replace(at, from.size(), to);
    };
    QCOMPARE(SoftLabelSummary::fromJson(good).numUnits(), 2);
    expectError([&] { SoftLabelSummary::fromJson("{\"version\":"); },
                {"label summary JSON", "not valid JSON"});
    expectError([&] { SoftLabelSummary::fromJson("[]"); }, {"not a JSON object"});
    expectError([&] { SoftLabelSummary::fromJson(replaced("\"version\":1", "\"version\":2")); },
                {"version 2"});
    expectError([&] { SoftLabelSummary::fromJson(replaced("\"frames\":0", "\"frame\":0")); },
                {"no \"frames\""});
    expectError([&] { SoftLabelSummary::fromJson(replaced("\"frames\":0", "\"frames\":-1")); },
                {"\"frames\"", "-1"});
    expectError(
        [&] {
          SoftLabelSummary::fromJson(replaced("\"unit_counts\":[0,0]", "\"unit_counts\":[0]"));
        },
        {"unit_counts", "2 counts"});
    expectError(
        [&] {
          SoftLabelSummary::fromJson(replaced("\"top1_histogram\":[0,", "\"top1_histogram\":["));
        },
        {"top1_histogram", "20 counts"});
    expectError(
        [&] { SoftLabelSummary::fromJson(replaced("\"sum_top1\":0.0", "\"sum_top1\":\"x\"")); },
        {"sum_top1"});
    const std::string filled = threeUtterances().toJson();
    auto filledReplaced = [&](const std::string& from, const std::string& to) {
      std::string t = filled;
      const auto at = t.find(from);
      if (at == std::string::npos)
        QTest::qFail(("no " + from + " in " + t).c_str(), __FILE__, __LINE__);
      return t.replace(at, from.size(), to);
    };
    expectError(
        [&] {
          SoftLabelSummary::fromJson(filledReplaced("\"entropy_histogram\":[2,", "\"entropy_histogram\":["));
        },
        {"entropy_histogram", "20 counts"});
    expectError(
        [&] {
          SoftLabelSummary::fromJson(filledReplaced("\"entropy_histogram\":[2,", "\"entropy_histogram\":[3,"));
        },
        {"entropy_histogram", "counts 8 frames", "the 7 of \"frames\""});
    expectError([&] { SoftLabelSummary::fromJson(filledReplaced("\"entropy_max\":", "\"entropy_min\":")); },
                {"no \"entropy_max\""});
    const std::string row =
        R"({"group":"clean","utterances":1,"frames":2,"top1_correct":1,"in_top_k":2})";
    expectError(
        [&] { SoftLabelSummary::fromJson(replaced("\"truth\":[]", "\"truth\":[" + row + "]")); },
        {"truth row 0", "\"all\""});
    const std::string all =
        R"({"group":"all","utterances":1,"frames":2,"top1_correct":3,"in_top_k":2})";
    expectError(
        [&] { SoftLabelSummary::fromJson(replaced("\"truth\":[]", "\"truth\":[" + all + "]")); },
        {"truth row 0", "more correct frames than frames"});
  }
};

QTEST_GUILESS_MAIN(TestSoftLabelSummary)
#include "test_soft_label_summary.moc"
