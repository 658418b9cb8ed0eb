// WER scoring (core/decode/scoring.h) against Debian's sclite (package sctk):
// on 200 seeded random reference/hypothesis pairs -- insertions, deletions,
// substitutions, empty references and hypotheses, missing hypothesis lines,
// repeated words, reversed and shuffled hypotheses full of equal-cost ties,
// mixed case -- our Corr/Sub/Del/Ins totals, our Sum/Avg row and every
// utterance's pra block (counts and alignment) equal what sclite prints. The
// test runs `sctk sclite` itself. Also sclite's quirks (empty sides, a
// reference without a hypothesis line, a hypothesis without a reference),
// trn reading and writing, Kaldi's %WER line, case-insensitivity and OOVs.
#include <QDir>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>
#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "core/decode/scoring.h"
#include "core/util/atomic_file.h"
#include "support/expect_error.h"
#include "support/test_support.h"

using namespace understudy::decode;
using understudy::test::expectError;

namespace {

std::vector<std::string> split(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> words;
  std::string w;
  while (in >> w) words.push_back(w);
  return words;
}

WordCounts counts(long corr, long sub, long del, long ins) {
  WordCounts c;
  c.corr = corr;
  c.sub = sub;
  c.del = del;
  c.ins = ins;
  return c;
}

// The edit ops of an alignment as a string: "C" correct, "S", "D", "I".
std::string ops(const UtteranceScore& u) {
  std::string out;
  for (const auto& w : u.alignment)
    out += w.op == EditOp::Correct        ? 'C'
           : w.op == EditOp::Substitution ? 'S'
           : w.op == EditOp::Deletion     ? 'D'
                                          : 'I';
  return out;
}

// Few distinct words, some differing only in case, so that repeats, case
// folding and equal-cost alignments are common.
const std::vector<std::string> kWords = {"a",   "b", "c",   "the", "cat", "sat", "on",
                                         "mat", "A", "The", "CAT", "go",  "x"};

std::string randomWord(std::mt19937& rng) {
  return kWords[std::uniform_int_distribution<std::size_t>(0, kWords.size() - 1)(rng)];
}

// A reference and a hypothesis; `hasHypothesis` false leaves the
// hypothesis line out of the file (sclite's quirk).
struct Pair {
  std::vector<std::string> ref, hyp;
  bool hasHypothesis = true;
};

Pair randomPair(std::mt19937& rng) {
  auto uniform = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  Pair p;
  const int kind = uniform(0, 99);
  const int length = uniform(1, 12);
  for (int i = 0; i < length; ++i) p.ref.push_back(randomWord(rng));
  if (kind < 6) {  // empty reference, some hypothesis words
    p.ref.clear();
    for (int i = uniform(0, 4); i > 0; --i) p.hyp.push_back(randomWord(rng));
  } else if (kind < 12) {  // empty hypothesis line
  } else if (kind < 15) {  // both empty
    p.ref.clear();
  } else if (kind < 20) {  // no hypothesis line at all
    p.hasHypothesis = false;
  } else if (kind < 28) {  // reversed: many equal-cost alignments
    p.hyp.assign(p.ref.rbegin(), p.ref.rend());
  } else if (kind < 34) {  // shuffled
    p.hyp = p.ref;
    std::shuffle(p.hyp.begin(), p.hyp.end(), rng);
  } else if (kind < 40) {  // unrelated
    for (int i = uniform(0, 12); i > 0; --i) p.hyp.push_back(randomWord(rng));
  } else {  // edited copy: insertions, deletions, substitutions
    for (const auto& w : p.ref) {
      while (uniform(0, 99) < 15) p.hyp.push_back(randomWord(rng));
      const int edit = uniform(0, 99);
      if (edit < 15) continue;
      p.hyp.push_back(edit < 30 ? randomWord(rng) : w);
    }
    while (uniform(0, 99) < 15) p.hyp.push_back(randomWord(rng));
  }
  return p;
}

QString sctkPath() { return QStandardPaths::findExecutable("sctk"); }

#define REQUIRE_SCLITE(var)                                                                  \
  const QString var = sctkPath();                                                            \
  if (var.isEmpty())                                                                         \
    QSKIP(                                                                                   \
        "sclite is not installed (Debian package sctk): run ./scripts/install-deps --tests " \
        "to compare our scoring with it");

// What sclite printed for one run of `-o sum rsum pra stdout`.
struct ScliteOutput {
  std::string sumRow;                      // "| Sum/Avg| ... |"
  std::vector<long> rawSum;                // #Snt #Wrd Corr Sub Del Ins Err S.Err
  std::map<std::string, std::string> pra;  // id -> "id: (..)\nScores: ...\n[REF/HYP/Eval]"
  std::string all;
};

ScliteOutput runSclite(const QString& sctk, const QString& refPath, const QString& hypPath) {
  const auto r = understudy::test::runProcess(sctk,
                                              {"sclite", "-r", refPath, "trn", "-h", hypPath, "trn",
                                               "-i", "rm", "-o", "sum", "rsum", "pra", "stdout"},
                                              60000);
  ScliteOutput out;
  out.all = r.out.toStdString();
  if (r.exitCode != 0) {
    out.all += "\n" + understudy::test::outputOf(r).toStdString();
    return out;
  }
  std::istringstream lines(out.all);
  std::string line, block;
  bool inBlock = false;
  while (std::getline(lines, line)) {
    const auto sumAvg = line.find("| Sum/Avg|");
    if (sumAvg != std::string::npos) out.sumRow = line.substr(sumAvg);
    const auto sum = line.find("| Sum  |");
    if (sum != std::string::npos) {
      std::string numbers = line.substr(sum + 8);
      std::replace(numbers.begin(), numbers.end(), '|', ' ');
      std::istringstream in(numbers);
      long v;
      while (in >> v) out.rawSum.push_back(v);
    }
    if (line.rfind("id: (", 0) == 0) {
      inBlock = true;
      block.clear();
    }
    if (!inBlock) continue;
    if (line.empty()) {
      const auto open = block.find('('), close = block.find(')');
      out.pra[block.substr(open + 1, close - open - 1)] = block;
      inBlock = false;
      continue;
    }
    block += line + "\n";
  }
  return out;
}

}  // namespace

class TestScoring : public QObject {
  Q_OBJECT

  QTemporaryDir m_tmp;
  TrnFile m_refs, m_hyps;  // the 200 random pairs, read back from their files
  ScoredSet m_ours;
  ScliteOutput m_sclite;
  bool m_haveSclite = false;

 private slots:
  void initTestCase() {
    QVERIFY(m_tmp.isValid());
    std::mt19937 rng(20);
    std::vector<TrnUtterance> refs, hyps;
    for (int i = 0; i < 200; ++i) {
      const Pair p = randomPair(rng);
      // "s1_u007": sclite's `-i rm` takes the speaker from before the '_'.
      char id[32];
      std::snprintf(id, sizeof id, "s%d_u%03d", i % 3, i);
      refs.push_back({id, p.ref, 0});
      if (p.hasHypothesis) hyps.push_back({id, p.hyp, 0});
    }
    std::shuffle(hyps.begin(), hyps.end(), rng);  // sclite matches by id, not by order
    const QString refPath = m_tmp.filePath("ref.trn");
    const QString hypPath = m_tmp.filePath("hyp.trn");
    const QString allPath = m_tmp.filePath("hyp-all.trn");
    writeTrn(refPath.toStdString(), refs);
    writeTrn(hypPath.toStdString(), hyps);
    m_refs = readTrn(refPath.toStdString());
    m_hyps = readTrn(hypPath.toStdString());
    QCOMPARE(m_refs.utterances.size(), std::size_t(200));
    QVERIFY(m_hyps.utterances.size() < 200);
    m_ours = scoreTrn(m_refs, m_hyps);
    // The file for sclite has an empty "(id)" line for every missing hypothesis.
    writeTrn(allPath.toStdString(), completeHypotheses(m_refs, m_hyps));

    const QString sctk = sctkPath();
    if (sctk.isEmpty()) return;
    m_haveSclite = true;
    m_sclite = runSclite(sctk, refPath, allPath);
    QVERIFY2(m_sclite.rawSum.size() == 8, m_sclite.all.c_str());
  }

  void testCountsEqualSclitesOn200RandomPairs() {
    REQUIRE_SCLITE(sctk);
    QVERIFY(m_haveSclite);
    const ScoreSummary& s = m_ours.summary;
    const std::vector<long> ours = {s.sentences,       s.counts.refWords(), s.counts.corr,
                                    s.counts.sub,      s.counts.del,        s.counts.ins,
                                    s.counts.errors(), s.sentenceErrors};
    qInfo("ours:   #Snt %ld #Wrd %ld Corr %ld Sub %ld Del %ld Ins %ld Err %ld S.Err %ld", ours[0],
          ours[1], ours[2], ours[3], ours[4], ours[5], ours[6], ours[7]);
    const auto& t = m_sclite.rawSum;
    qInfo("sclite: #Snt %ld #Wrd %ld Corr %ld Sub %ld Del %ld Ins %ld Err %ld S.Err %ld", t[0],
          t[1], t[2], t[3], t[4], t[5], t[6], t[7]);
    QCOMPARE(ours, m_sclite.rawSum);
    // The random set is not trivial: every kind of error occurs.
    QVERIFY(s.counts.sub > 50 && s.counts.del > 50 && s.counts.ins > 50);
  }

  void testEveryUtterancesPraBlockEqualsSclites() {
    REQUIRE_SCLITE(sctk);
    QVERIFY(m_haveSclite);
    QCOMPARE(m_sclite.pra.size(), std::size_t(200));
    int withAlignment = 0;
    for (const auto& u : m_ours.utterances) {
      auto it = m_sclite.pra.find(u.id);
      QVERIFY2(it != m_sclite.pra.end(), ("sclite has no pra block for " + u.id).c_str());
      const std::string ours = formatPra(u);
      QVERIFY2(ours == it->second,
               ("utterance " + u.id + "\nours:\n" + ours + "sclite:\n" + it->second).c_str());
      if (!u.alignment.empty()) ++withAlignment;
    }
    QVERIFY(withAlignment > 180);
  }

  void testSumRowEqualsSclitesSumAvgRow() {
    REQUIRE_SCLITE(sctk);
    QVERIFY(m_haveSclite);
    qInfo("%s", m_ours.summary.scliteSumRow().c_str());
    QCOMPARE(m_ours.summary.scliteSumRow(), m_sclite.sumRow);
  }

  // sclite silently drops a reference whose id no hypothesis line has: the
  // reason completeHypotheses() writes "(id)" lines.
  void testScliteDropsAReferenceWithoutHypothesisLine() {
    REQUIRE_SCLITE(sctk);
    const ScliteOutput partial =
        runSclite(sctk, m_tmp.filePath("ref.trn"), m_tmp.filePath("hyp.trn"));
    QVERIFY2(partial.rawSum.size() == 8, partial.all.c_str());
    QCOMPARE(partial.rawSum[0], long(m_hyps.utterances.size()));
    QCOMPARE(m_ours.summary.sentences, 200L);
  }

  // The 7 utterances of a hand-made set and the numbers sclite printed for
  // them (sclite 2.10 of Debian's sctk 2.4.10, `-o sum rsum pra`), so the
  // conventions stay pinned where sctk is not installed.
  void testHandSetEqualsScliteGolden() {
    const TrnFile refs = parseTrn(
        "the cat sat on the mat (s1_u1)\na b c (s1_u2)\n (s1_u3)\nx y (s1_u4)\n"
        "Hello World (s1_u5)\na a a (s1_u6)\n (s1_u8)\n",
        "ref.trn");
    const TrnFile hyps = parseTrn(
        "the cat sat mat (s1_u1)\na x b c d (s1_u2)\nfoo bar (s1_u3)\n(s1_u4)\n"
        "hello WORLD (s1_u5)\na b (s1_u6)\n(s1_u8)\n",
        "hyp.trn");
    const ScoredSet set = scoreTrn(refs, hyps);
    QCOMPARE(set.summary.counts, counts(10, 1, 5, 4));
    QCOMPARE(set.summary.sentenceErrors, 5L);
    QCOMPARE(set.summary.scliteSumRow(),
             std::string("| Sum/Avg|    7     16 | 62.5    6.3   31.3   25.0   62.5   71.4 |"));
    QCOMPARE(formatPra(set.utterances[0]),
             std::string("id: (s1_u1)\nScores: (#C #S #D #I) 4 0 2 0\n"
                         "REF:  the cat sat ON THE mat \nHYP:  the cat sat ** *** mat \n"
                         "Eval:             D  D       \n"));
    QCOMPARE(formatPra(set.utterances[1]),
             std::string("id: (s1_u2)\nScores: (#C #S #D #I) 3 0 0 2\n"
                         "REF:  a * b c * \nHYP:  a X b c D \nEval:   I     I \n"));
    QCOMPARE(formatPra(set.utterances[2]),
             std::string("id: (s1_u3)\nScores: (#C #S #D #I) 0 0 0 2\n"
                         "REF:  *** *** \nHYP:  FOO BAR \nEval: I   I   \n"));
    QCOMPARE(formatPra(set.utterances[5]),
             std::string("id: (s1_u6)\nScores: (#C #S #D #I) 1 1 1 0\n"
                         "REF:  A a A \nHYP:  * a B \nEval: D   S \n"));
    QCOMPARE(formatPra(set.utterances[6]),
             std::string("id: (s1_u8)\nScores: (#C #S #D #I) 0 0 0 0\n"));
  }

  // Equal-cost alignments resolved as sclite resolves them (checked with
  // sclite 2.10): the diagonal first, then an insertion over a deletion
  // when the two cost the same (the last column is chosen first: the trace
  // runs backwards).
  void testTiesAreBrokenAsSclite() {
    QCOMPARE(ops(alignWords(split("a a a"), split("a b"))), std::string("DCS"));
    QCOMPARE(ops(alignWords(split("a b"), split("b a"))), std::string("DCI"));
    QCOMPARE(ops(alignWords(split("a b c"), split("c b a"))), std::string("SCS"));
    QCOMPARE(ops(alignWords(split("a b"), split("x"))), std::string("DS"));
    QCOMPARE(ops(alignWords(split("x"), split("a b"))), std::string("IS"));
  }

  // Substitution 4, insertion and deletion 3: a substitution pair (8) loses
  // to a deletion plus an insertion (6) around a match; with unit costs both
  // would cost 2.
  void testCostsAreSclites() {
    const UtteranceScore u = alignWords(split("a b"), split("b c"));
    QCOMPARE(ops(u), std::string("DCI"));
    QCOMPARE(u.counts, counts(1, 0, 1, 1));
    // One substitution (4) beats a deletion plus an insertion (6).
    QCOMPARE(ops(alignWords(split("a"), split("b"))), std::string("S"));
    QCOMPARE(kSubstitutionCost, 4);
    QCOMPARE(kInsertionCost, 3);
    QCOMPARE(kDeletionCost, 3);
  }

  void testEmptyHypothesisIsAllDeletionsAndASentenceError() {
    const UtteranceScore u = alignWords(split("one two three"), {});
    QCOMPARE(u.counts, counts(0, 0, 3, 0));
    QVERIFY(u.sentenceError());
    QCOMPARE(formatAlignment(u), std::string("REF:  ONE TWO THREE \nHYP:  *** *** ***** \n"
                                             "Eval: D   D   D     \n"));
  }

  void testEmptyReferenceIsAllInsertionsWithNoReferenceWords() {
    ScoreSummary s;
    s.add(alignWords({}, split("uh huh")));
    QCOMPARE(s.counts, counts(0, 0, 0, 2));
    QCOMPARE(s.counts.refWords(), 0L);
    QCOMPARE(s.sentenceErrors, 1L);
    // sclite prints 0.0 percent without reference words; Kaldi prints inf.
    QCOMPARE(s.werPercent(), 0.0);
    QCOMPARE(s.scliteSumRow(),
             std::string("| Sum/Avg|    1      0 |  0.0    0.0    0.0    0.0    0.0  100.0 |"));
    QCOMPARE(s.kaldiWerLine(), std::string("%WER inf [ 2 / 0, 2 ins, 0 del, 0 sub ]"));
  }

  void testBothEmptyIsACorrectSentence() {
    ScoreSummary s;
    s.add(alignWords({}, {}));
    QCOMPARE(s.sentences, 1L);
    QCOMPARE(s.sentenceErrors, 0L);
    QCOMPARE(s.counts, counts(0, 0, 0, 0));
    QCOMPARE(s.kaldiWerLine(), std::string("%WER 0.00 [ 0 / 0, 0 ins, 0 del, 0 sub ]"));
  }

  void testReferenceWithoutHypothesisIsScoredAsAllDeletions() {
    const TrnFile refs = parseTrn("a b (u1)\nc d e (u2)\n(u3)\n", "ref.trn");
    const TrnFile hyps = parseTrn("a b (u1)\n", "hyp.trn");
    const ScoredSet set = scoreTrn(refs, hyps);
    QCOMPARE(set.utterances.size(), std::size_t(3));
    QCOMPARE(set.utterances[1].id, std::string("u2"));
    QCOMPARE(set.utterances[1].counts, counts(0, 0, 3, 0));
    QCOMPARE(set.summary.sentences, 3L);
    QCOMPARE(set.summary.sentenceErrors, 1L);
    QCOMPARE(formatTrn(completeHypotheses(refs, hyps)), std::string("a b (u1)\n(u2)\n(u3)\n"));
  }

  void testHypothesisWithoutReferenceNamesIdFileAndLine() {
    const TrnFile refs = parseTrn("a b (u1)\n", "ref.trn");
    const TrnFile hyps = parseTrn("a b (u1)\n\n;; comment\nc (zz9)\n", "hyp.trn");
    expectError([&] { scoreTrn(refs, hyps); }, {"zz9", "hyp.trn:4", "no reference"});
    expectError([&] { completeHypotheses(refs, hyps); }, {"zz9", "hyp.trn:4"});
  }

  void testTrnRoundTripAndItsErrors() {
    const std::vector<TrnUtterance> in = {{"u1", split("Hello o'clock x-ray"), 0}, {"u2", {}, 0}};
    const QString path = m_tmp.filePath("round.trn");
    writeTrn(path.toStdString(), in);
    QCOMPARE(understudy::readFile(path.toStdString()),
             std::string("Hello o'clock x-ray (u1)\n(u2)\n"));
    const TrnFile back = readTrn(path.toStdString());
    QCOMPARE(back.utterances.size(), std::size_t(2));
    QCOMPARE(back.utterances[0].words, in[0].words);
    QCOMPARE(back.utterances[1].words.size(), std::size_t(0));
    QCOMPARE(back.utterances[1].line, 2L);
    QCOMPARE(back.source, path.toStdString());
    // Blank and comment lines are skipped; CRLF and extra blanks are fine.
    const TrnFile loose = parseTrn(";; header\n\n  a\t b  (u1) \r\n** info\n", "x.trn");
    QCOMPARE(loose.utterances.size(), std::size_t(1));
    QCOMPARE(loose.utterances[0].words, split("a b"));
    QCOMPARE(loose.utterances[0].line, 3L);

    expectError([] { parseTrn("a b (u1)\na c (u1)\n", "d.trn"); },
                {"d.trn:2", "u1", "appears twice", "line 1"});
    expectError([] { parseTrn("a b\n", "n.trn"); }, {"n.trn:1", "(id)"});
    expectError([] { parseTrn("a b (u1) trailing\n", "t.trn"); }, {"t.trn:1"});
    expectError([] { parseTrn("a (b) c (u1)\n", "p.trn"); }, {"p.trn:1", "(b)", "'('"});
    expectError([] { formatTrn({{"u1", {"{a"}, 0}}); }, {"u1", "{a"});
    expectError([] { formatTrn({{"u1", {"@"}, 0}}); }, {"@", "null word"});
    expectError([] { formatTrn({{"u1", {"x*"}, 0}}); }, {"x*"});
    expectError([] { formatTrn({{"u1", {"a;b"}, 0}}); }, {"a;b"});
    expectError([] { formatTrn({{"u 1", {"a"}, 0}}); }, {"u 1"});
  }

  void testMatchingIsCaseInsensitive() {
    const UtteranceScore u = alignWords(split("Hello WORLD The"), split("hello world dog"));
    QCOMPARE(u.counts, counts(2, 1, 0, 0));
    // sclite shows correct words in lower case and errors in upper case.
    QCOMPARE(
        formatAlignment(u),
        std::string("REF:  hello world THE \nHYP:  hello world DOG \nEval:             S   \n"));
    QCOMPARE(foldCase("MiXeD-42"), std::string("mixed-42"));
  }

  void testKaldiWerLineFormat() {
    ScoreSummary s;
    s.sentences = 100;
    s.counts = counts(884, 93, 20, 10);
    QCOMPARE(s.kaldiWerLine(), std::string("%WER 12.34 [ 123 / 997, 10 ins, 20 del, 93 sub ]"));
    // Kaldi divides in float: 1462 / 1491 is 98.05499.. in double but
    // 98.05500 in float, and compute-wer prints 98.06.
    s.counts = counts(29, 1462, 0, 0);
    QCOMPARE(s.kaldiWerLine(), std::string("%WER 98.06 [ 1462 / 1491, 0 ins, 0 del, 1462 sub ]"));
    QVERIFY(std::abs(s.werPercent() - 100.0 * 1462 / 1491) < 1e-12);
  }

  // sclite rounds half away from zero (1 / 16 = 6.25 % -> 6.3), where printf
  // would print 6.2.
  void testSumRowRoundsLikeSclite() {
    ScoreSummary s;
    s.sentences = 8;
    s.sentenceErrors = 1;
    s.counts = counts(15, 1, 0, 0);
    QCOMPARE(s.scliteSumRow(),
             std::string("| Sum/Avg|    8     16 | 93.8    6.3    0.0    0.0    6.3   12.5 |"));
  }

  void testOovReferenceWordsAreCountedAndReported() {
    const Vocabulary vocabulary = makeVocabulary(split("the Cat sat"));
    const TrnFile refs = parseTrn("The cat zebra (u1)\nyak ZEBRA (u2)\n(u3)\n", "ref.trn");
    const TrnFile hyps = parseTrn("the cat (u1)\n", "hyp.trn");
    const ScoredSet set = scoreTrn(refs, hyps, &vocabulary);
    QCOMPARE(set.utterances[0].oovWords, split("zebra"));
    QCOMPARE(set.utterances[1].oovWords, split("yak zebra"));
    QCOMPARE(set.summary.oovReferenceWords, 3L);
    QCOMPARE(set.summary.oovWordCounts.at("zebra"), 2L);
    QCOMPARE(set.summary.oovWordCounts.at("yak"), 1L);
    QCOMPARE(set.summary.oovLine(),
             std::string("OOV: 3 of 5 reference words (60.00 %) are not in the vocabulary: "
                         "zebra (2), yak (1)"));
    QCOMPARE(set.summary.oovLine(1),
             std::string("OOV: 3 of 5 reference words (60.00 %) are not in the vocabulary: "
                         "zebra (2), ... (2 distinct)"));
    QVERIFY(set.summary.report().find("OOV: 3 of 5") != std::string::npos);
    // OOVs are scored like any word; an empty vocabulary makes every word OOV.
    QCOMPARE(set.summary.counts, counts(2, 0, 3, 0));
    const ScoredSet none = scoreTrn(refs, hyps, nullptr);
    QCOMPARE(none.summary.oovReferenceWords, 0L);
    QCOMPARE(none.summary.oovLine(), std::string("OOV: none"));
    const Vocabulary empty;
    QCOMPARE(scoreTrn(refs, hyps, &empty).summary.oovReferenceWords, 5L);
  }

  void testReportHasSumRowAndKaldiLine() {
    ScoreSummary s;
    s.add(alignWords(split("a b c d"), split("a x c")));
    QCOMPARE(s.report(), ScoreSummary::scliteSumHeader() + "\n" +
                             "| Sum/Avg|    1      4 | 50.0   25.0   25.0    0.0   50.0  100.0 |\n"
                             "%WER 50.00 [ 2 / 4, 0 ins, 1 del, 1 sub ]\n");
  }
};

QTEST_GUILESS_MAIN(TestScoring)
#include "test_scoring.moc"
