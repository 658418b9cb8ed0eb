// core/decode lexicon + graph: lexicon formats and errors, and the HLG graph
// on a hand-made lexicon (homophones "read"/"red", "ab" a prefix of "abc", a
// second pronunciation of "abc" with probability 0.5) and the hand-written
// trigram tests/core/decode/data/graph_trigram.arpa. Expected path costs are
// worked out by hand from the ARPA's log10 numbers (docs/decoding.md
// "Decoding graph"): -ln 10 * sum(log10 terms) + pronunciation + silence costs.
#include <QTemporaryDir>
#include <QtTest>

#include <fst/fstlib.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/decode/graph.h"
#include "core/decode/lexicon.h"
#include "core/decode/ngram_lm.h"
#include "core/store/unit_inventory.h"
#include "core/util/atomic_file.h"
#include "core/util/error.h"
#include "support/expect_error.h"

using namespace understudy;
using namespace understudy::decode;
namespace fs = std::filesystem;
using Strings = std::vector<std::string>;

namespace {

const fs::path kData = fs::path(UNDERSTUDY_SOURCE_DIR) / "tests/core/decode/data";
const double kLn10 = std::log(10.0);

UnitInventory testUnits() { return UnitInventory({"sil", "a", "b", "c", "d", "e"}); }

Lexicon testLexicon() { return Lexicon::read(kData / "graph_lexiconp.txt"); }
NgramLm testLm() { return NgramLm::readArpa(kData / "graph_trigram.arpa"); }

GraphOptions silence(double p) {
  GraphOptions o;
  o.silenceProbability = p;
  return o;
}

std::vector<int> unitIds(const UnitInventory& units, const Strings& names) {
  std::vector<int> ids;
  for (const auto& n : names) ids.push_back(units.id(n));
  return ids;
}

struct Path {
  bool accepted = false;
  double cost = 0;
  Strings words;
  std::vector<int> framesBefore;  // frames consumed before each word's label
};

// The cheapest path of `graph` whose input is exactly these units, one frame
// each (input label = unit id + 1).
Path bestPath(const DecodingGraph& graph, const std::vector<int>& units) {
  fst::StdVectorFst input;
  auto s = input.AddState();
  input.SetStart(s);
  for (const int u : units) {
    const auto next = input.AddState();
    input.AddArc(s, fst::StdArc(u + 1, u + 1, fst::TropicalWeight::One(), next));
    s = next;
  }
  input.SetFinal(s, fst::TropicalWeight::One());
  fst::StdVectorFst composed, best;
  fst::Compose(input, graph.fst, &composed);
  fst::ShortestPath(composed, &best);
  Path p;
  if (best.Start() == fst::kNoStateId) return p;
  p.accepted = true;
  auto state = best.Start();
  int frames = 0;
  while (true) {
    if (best.NumArcs(state) == 0) {
      p.cost += best.Final(state).Value();
      break;
    }
    fst::ArcIterator<fst::StdVectorFst> a(best, state);
    p.cost += a.Value().weight.Value();
    if (a.Value().olabel != 0) {
      p.words.push_back(graph.words.at(a.Value().olabel));
      p.framesBefore.push_back(frames);
    }
    if (a.Value().ilabel != 0) ++frames;
    state = a.Value().nextstate;
  }
  return p;
}

QString joined(const Strings& words) {
  QStringList l;
  for (const auto& w : words) l << QString::fromStdString(w);
  return l.join(' ');
}

void writeText(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

}  // namespace

class TestGraph : public QObject {
  Q_OBJECT

 private slots:
  // ---- Lexicon --------------------------------------------------------------

  void testReadsKaldiLexiconWithSeveralPronunciationsPerWord() {
    const auto lex = Lexicon::parse(
        "after aa f t 3\nafter aa f t a#\n\nalarm a# l A@ m\nafter aa f t 3\n", "lexicon.txt");
    QCOMPARE(Lexicon::detectFormat("after aa f t 3\n"), LexiconFormat::Kaldi);
    QCOMPARE(lex.numWords(), 2);
    QCOMPARE(lex.numPronunciations(), 3);  // the repeated line is kept once
    const auto& after = lex.pronunciations("after");
    QCOMPARE(after.size(), std::size_t(2));
    QVERIFY(after[0].phones == (Strings{"aa", "f", "t", "3"}));
    QVERIFY(after[1].phones == (Strings{"aa", "f", "t", "a#"}));
    QCOMPARE(after[1].line, 2L);
    QCOMPARE(after[0].probability, 1.0);
    QVERIFY(lex.pronunciations("alarm")[0].phones == (Strings{"a#", "l", "A@", "m"}));
    QVERIFY(lex.pronunciations("nothing").empty());
  }

  void testReadsLexiconpProbabilities() {
    const auto lex = testLexicon();
    const auto& abc = lex.pronunciations("abc");
    QCOMPARE(abc.size(), std::size_t(2));
    QCOMPARE(abc[1].probability, 0.5);
    QVERIFY(abc[1].phones == (Strings{"a", "d", "c"}));
    QCOMPARE(abc[1].line, 3L);
    QVERIFY(abc[1].source.find("graph_lexiconp.txt") != std::string::npos);
    // The digit phone names of espeak-ng ("0", "3") are not probabilities.
    QCOMPARE(Lexicon::detectFormat("o 0 3\n"), LexiconFormat::Kaldi);
    QCOMPARE(Lexicon::detectFormat("o 1.0 0 3\n"), LexiconFormat::KaldiProbabilities);
  }

  void testReadsCmudictVariantsCommentsAndStress() {
    LexiconReadOptions options;
    options.stripStress = true;
    const auto lex = Lexicon::read(kData / "cmudict_sample.dict", options);
    QCOMPARE(Lexicon::detectFormat(readFile(kData / "cmudict_sample.dict")),
             LexiconFormat::Cmudict);
    QCOMPARE(lex.numWords(), 4);  // A, ABBE, ABC, READ
    QCOMPARE(lex.pronunciations("A").size(), std::size_t(2));
    QVERIFY(lex.pronunciations("A")[1].phones == (Strings{"EY"}));
    QCOMPARE(lex.pronunciations("ABBE").size(), std::size_t(1));  // ABBE(2) repeats ABBE
    QVERIFY(lex.pronunciations("ABC")[0].phones == (Strings{"EY", "B", "IY", "S", "IY"}));
    QVERIFY(lex.pronunciations("READ")[1].phones == (Strings{"R", "IY", "D"}));
    // Without stripping, the stress digits stay part of the phone.
    const auto raw = Lexicon::read(kData / "cmudict_sample.dict");
    QVERIFY(raw.pronunciations("A")[0].phones == (Strings{"AH0"}));

    const auto sphinx = Lexicon::read(kData / "pocketsphinx_sample.dict");
    QCOMPARE(sphinx.pronunciations("read").size(), std::size_t(2));
    QVERIFY(sphinx.pronunciations("a")[1].phones == (Strings{"EY"}));
    QVERIFY(!sphinx.contains("a(2)"));
  }

  void testReadsDebianPocketsphinxDictionaryWhenInstalled() {
    const fs::path dict = "/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict";
    if (!fs::exists(dict)) QSKIP("pocketsphinx-en-us is not installed");
    const auto lex = Lexicon::read(dict);
    QVERIFY(lex.numWords() > 100000);
    QVERIFY(lex.pronunciations("a").size() >= 2);
    QVERIFY(!lex.contains("a(2)"));
  }

  void testLexiconErrorsNameFileAndLine() {
    test::expectError([] { Lexicon::parse("ab a b\n\nlonely\n", "lex.txt"); },
                      {"lex.txt:3", "'lonely' has no pronunciation"});
    test::expectError([] { Lexicon::parse("ab 1.0 a b\ncd 1.5 c d\n", "lexp.txt"); },
                      {"lexp.txt:2", "'1.5'", "(0, 1]"});
    test::expectError([] { Lexicon::parse("ab 1.0 a b\ncd c d\n", "lexp.txt"); },
                      {"lexp.txt:2", "'c' is not a pronunciation probability"});
    test::expectError([] { Lexicon::parse(";;; only comments\n", "c.dict"); },
                      {"c.dict", "no entries"});
    test::expectError([] { Lexicon::read(kData / "missing.txt"); }, {"missing.txt", "not found"});
  }

  void testMergeIsTheUnionWithoutDuplicates() {
    auto lex = Lexicon::parse("read c d\nab a b\n", "one.txt");
    lex.merge(Lexicon::parse("read c d\nread c e\nbad b a d\n", "two.txt"));
    QCOMPARE(lex.numWords(), 3);
    QCOMPARE(lex.numPronunciations(), 4);
    QCOMPARE(lex.pronunciations("read").size(), std::size_t(2));
    QVERIFY(lex.pronunciations("read")[0].source == "one.txt");  // the first one seen
    QVERIFY(lex.words() == (Strings{"ab", "bad", "read"}));
    // The same pronunciation with another probability keeps the larger one.
    auto p = Lexicon::parse("ab 0.25 a b\n", "p1.txt");
    p.merge(Lexicon::parse("ab 0.75 a b\n", "p2.txt"));
    QCOMPARE(p.numPronunciations(), 1);
    QCOMPARE(p.pronunciations("ab")[0].probability, 0.75);
  }

  void testPhoneOutsideTheInventoryIsAnErrorOrSkipped() {
    const auto lex = Lexicon::parse("ab a b\nab a q\ncd q\n", "lex.txt");
    const auto units = testUnits();
    test::expectError([&] { mapToUnits(lex, units, {}); },
                      {"lex.txt:2", "phone 'q'", "word 'ab'", "unknown_phones"});
    // Words outside the requested set are not looked at.
    const auto onlyAb = mapToUnits(lex, units, {"zz"});
    QVERIFY(onlyAb.entries.empty());
    const auto skipped = mapToUnits(lex, units, {}, UnknownPhones::Skip);
    QCOMPARE(skipped.skippedPronunciations, 2);
    QVERIFY(skipped.wordsLeftWithout == (Strings{"cd"}));
    QCOMPARE(skipped.entries.at("ab").size(), std::size_t(1));
    QVERIFY(skipped.entries.at("ab")[0].units == (std::vector<int>{1, 2}));
  }

  // ---- Graph -----------------------------------------------------------------

  void testGrammarHasBackoffStatesAndFinalWeights() {
    // Words of the lexicon: zzz and <unk> are dropped.
    const Strings words = {"<eps>", "ab", "abc", "ce", "e", "read", "red"};
    Strings dropped;
    const auto g = makeGrammarFst(testLm(), words, &dropped);
    QVERIFY(dropped == (Strings{"<unk>", "zzz"}));
    // States: <s>, empty history, "ab", "e", "abc", "<s> ab", "ab e" (the
    // histories some longer n-gram extends). "read", "red", "ce" have none:
    // their arcs go to the empty history with the back-off weight.
    QCOMPARE(g.NumStates(), 7);
    const int backoff = static_cast<int>(words.size());
    int backoffArcs = 0;
    for (int s = 0; s < g.NumStates(); ++s)
      for (fst::ArcIterator<fst::StdVectorFst> a(g, s); !a.Done(); a.Next())
        if (a.Value().ilabel == backoff) {
          QCOMPARE(a.Value().olabel, 0);
          ++backoffArcs;
        }
    QCOMPARE(backoffArcs, 6);  // every state but the empty history
    // <s> --read--> empty history: -0.6 (bigram) - 0.25 (bo(read)) in log10.
    const auto start = g.Start();
    bool found = false;
    for (fst::ArcIterator<fst::StdVectorFst> a(g, start); !a.Done(); a.Next()) {
      if (a.Value().ilabel != 5) continue;
      found = true;
      QVERIFY(std::abs(a.Value().weight.Value() - 0.85 * kLn10) < 1e-5);
      QCOMPARE(g.NumArcs(a.Value().nextstate), std::size_t(6));  // the unigram state
    }
    QVERIFY(found);
  }

  void testLexiconGrammarIsDeterministicAfterDisambiguation() {
    const auto units = testUnits();
    const auto lm = testLm();
    const Strings words = {"<eps>", "ab", "abc", "ce", "e", "read", "red"};
    const auto prons = mapToUnits(testLexicon(), units, {"ab", "abc", "ce", "e", "read", "red"});
    LexiconFstInfo info;
    const auto l = makeLexiconFst(prons, words, units, 0.2, &info);
    // #0 (back-off), #1 for "ab" (a prefix of "abc") and "read", #2 for "red".
    QCOMPARE(info.numDisambiguation, 3);
    const auto lg = composeLexiconGrammar(l, makeGrammarFst(lm, words));
    QVERIFY(lg.NumStates() > 0);
    QVERIFY(lg.Properties(fst::kIDeterministic, true) == fst::kIDeterministic);
    // Removing the symbols leaves homophones with one unit string: the
    // determinised graph then has two "c" arcs from one state (non-deterministic).
    auto stripped = lg;
    removeDisambiguationSymbols(&stripped, units.size());
    QVERIFY(stripped.Properties(fst::kIDeterministic, true) != fst::kIDeterministic);
    QVERIFY(stripped.Properties(fst::kIEpsilons, true) == fst::kIEpsilons);
  }

  void testNonDeterminisableLexiconIsAnErrorNotAnExit() {
    // Homophones without disambiguation symbols: units 1 2 give word 1 or 2.
    // OpenFst's default would exit the process; the graph throws instead.
    fst::StdVectorFst l;
    l.AddState();
    l.SetStart(0);
    l.SetFinal(0, fst::TropicalWeight::One());
    for (const int w : {1, 2}) {
      const auto s = l.AddState();
      l.AddArc(0, fst::StdArc(1, w, fst::TropicalWeight(0.5f * static_cast<float>(w)), s));
      l.AddArc(s, fst::StdArc(2, 0, fst::TropicalWeight::One(), 0));
    }
    fst::StdVectorFst g;
    g.AddState();
    g.SetStart(0);
    g.SetFinal(0, fst::TropicalWeight::One());
    for (const int w : {1, 2}) g.AddArc(0, fst::StdArc(w, w, fst::TropicalWeight::One(), 0));
    fst::ArcSort(&l, fst::OLabelCompare<fst::StdArc>());
    test::expectError([&] { composeLexiconGrammar(l, g); }, {"cannot be determinised"});
  }

  void testGraphKeepsToTheDecoderContract() {
    const auto units = testUnits();
    const auto graph = buildDecodingGraph(testLexicon(), testLm(), units, silence(0.2));
    QVERIFY(graph.words == (Strings{"<eps>", "ab", "abc", "ce", "e", "read", "red"}));
    QCOMPARE(graph.numUnits, 6);
    QVERIFY(graph.fst.Start() != fst::kNoStateId);
    fst::StdVectorFst epsilonOnly;
    for (int s = 0; s < graph.fst.NumStates(); ++s) epsilonOnly.AddState();
    int selfLoops = 0;
    for (int s = 0; s < graph.fst.NumStates(); ++s) {
      for (fst::ArcIterator<fst::StdVectorFst> a(graph.fst, s); !a.Done(); a.Next()) {
        const auto& arc = a.Value();
        QVERIFY(arc.ilabel >= 0 && arc.ilabel <= graph.numUnits);
        QVERIFY(arc.olabel >= 0 && arc.olabel < static_cast<int>(graph.words.size()));
        if (arc.ilabel == 0) epsilonOnly.AddArc(s, arc);
        if (arc.nextstate == s && arc.ilabel != 0) {
          QCOMPARE(arc.olabel, 0);
          QCOMPARE(arc.weight.Value(), 0.f);
          ++selfLoops;
        }
      }
    }
    QVERIFY(selfLoops > 0);
    QCOMPARE(static_cast<std::int64_t>(selfLoops), graph.stats.selfLoops);
    // No epsilon cycles (self-loops included): the decoder's epsilon closure
    // terminates. Kahn's algorithm removes every state of an acyclic graph.
    std::vector<int> inDegree(static_cast<std::size_t>(epsilonOnly.NumStates()), 0);
    for (int s = 0; s < epsilonOnly.NumStates(); ++s)
      for (fst::ArcIterator<fst::StdVectorFst> a(epsilonOnly, s); !a.Done(); a.Next())
        ++inDegree[static_cast<std::size_t>(a.Value().nextstate)];
    std::vector<int> ready;
    for (int s = 0; s < epsilonOnly.NumStates(); ++s)
      if (inDegree[static_cast<std::size_t>(s)] == 0) ready.push_back(s);
    int removed = 0;
    while (!ready.empty()) {
      const int s = ready.back();
      ready.pop_back();
      ++removed;
      for (fst::ArcIterator<fst::StdVectorFst> a(epsilonOnly, s); !a.Done(); a.Next())
        if (--inDegree[static_cast<std::size_t>(a.Value().nextstate)] == 0)
          ready.push_back(a.Value().nextstate);
    }
    QCOMPARE(removed, epsilonOnly.NumStates());
    QVERIFY(graph.stats.epsilonArcs > 0);
    // Every state entered by unit k can repeat k: each incoming non-epsilon
    // arc's destination has a self-loop with that label.
    for (int s = 0; s < graph.fst.NumStates(); ++s) {
      for (fst::ArcIterator<fst::StdVectorFst> a(graph.fst, s); !a.Done(); a.Next()) {
        if (a.Value().ilabel == 0) continue;
        bool loop = false;
        const auto d = a.Value().nextstate;
        for (fst::ArcIterator<fst::StdVectorFst> b(graph.fst, d); !b.Done(); b.Next())
          loop = loop || (b.Value().nextstate == d && b.Value().ilabel == a.Value().ilabel);
        QVERIFY(loop);
      }
    }
  }

  void testBestPathCostIsTheLmCostPlusPronunciationAndSilence() {
    const auto units = testUnits();
    const auto graph = buildDecodingGraph(testLexicon(), testLm(), units, silence(0.2));
    const double sil = -std::log(0.2), noSil = -std::log(0.8);

    // "ab e": P(ab|<s>) P(e|<s> ab) P(</s>|ab e) = -0.2 - 0.1 - 0.05 (log10);
    // silence at the start and at the end, none between; units repeated.
    auto p = bestPath(graph, unitIds(units, {"sil", "sil", "a", "a", "a", "b", "e", "e", "sil"}));
    QVERIFY(p.accepted);
    QCOMPARE(joined(p.words), QString("ab e"));
    QVERIFY2(std::abs(p.cost - (0.35 * kLn10 + sil + noSil + sil)) < 1e-4,
             qPrintable(QString::number(p.cost)));

    // The same words with one frame per unit and no silence.
    p = bestPath(graph, unitIds(units, {"a", "b", "e"}));
    QCOMPARE(joined(p.words), QString("ab e"));
    QVERIFY(std::abs(p.cost - (0.35 * kLn10 + 3 * noSil)) < 1e-4);

    // "read abc" with abc's second pronunciation (probability 0.5):
    // P(read|<s>) = -0.6; P(abc|<s> read) = bo(<s> read) 0 + bo(read) -0.25
    // + P(abc) -0.9; P(</s>|read abc) -> P(</s>|abc) = -0.35. The homophone
    // "red" would cost bo(<s>) -0.5 + P(red) -1.2 - 0.1 - 0.9 - 0.35: the LM
    // picks "read".
    p = bestPath(graph, unitIds(units, {"c", "d", "d", "a", "d", "c", "c"}));
    QCOMPARE(joined(p.words), QString("read abc"));
    QVERIFY2(std::abs(p.cost - (2.1 * kLn10 + std::log(2.0) + 3 * noSil)) < 1e-4,
             qPrintable(QString::number(p.cost)));
    // A word's label sits inside its own frames (homophones: where the
    // disambiguation symbol was, right after the last unit).
    QVERIFY(p.framesBefore[0] >= 0 && p.framesBefore[0] <= 3);
    QVERIFY(p.framesBefore[1] >= 3 && p.framesBefore[1] <= 7);

    // "ab" is a prefix of "abc": a b c d is "ab" + a word c d, and after
    // "ab" "red" beats "read": P(ab|<s>) -0.2, bo(<s> ab) -0.15, bo(ab) -0.3,
    // P(red) -1.2, bo(red) -0.1, P(</s>) -1.0  (read: -1.1 and -0.25).
    p = bestPath(graph, unitIds(units, {"a", "b", "c", "d"}));
    QCOMPARE(joined(p.words), QString("ab red"));
    QVERIFY2(std::abs(p.cost - (2.95 * kLn10 + 3 * noSil)) < 1e-4,
             qPrintable(QString::number(p.cost)));
    // ... and a b c e is "ab ce" (-0.2, -0.15, -0.3, P(ce) -1.4, P(</s>) -1.0),
    // cheaper than "abc e" (bo(<s>) -0.5, -0.9, bo(abc) -0.2, -1.3, -0.5).
    p = bestPath(graph, unitIds(units, {"a", "b", "c", "e"}));
    QCOMPARE(joined(p.words), QString("ab ce"));
    QVERIFY2(std::abs(p.cost - (3.05 * kLn10 + 3 * noSil)) < 1e-4,
             qPrintable(QString::number(p.cost)));
    p = bestPath(graph, unitIds(units, {"a", "b", "b", "c", "sil"}));
    QCOMPARE(joined(p.words), QString("abc"));
    // P(abc|<s>) = bo(<s>) -0.5 + P(abc) -0.9, then P(</s>|abc) -0.35.
    QVERIFY(std::abs(p.cost - (1.75 * kLn10 + noSil + sil)) < 1e-4);
  }

  void testRejectsUnitStringsOfWordsTheGraphDoesNotHave() {
    const auto units = testUnits();
    const auto graph = buildDecodingGraph(testLexicon(), testLm(), units, silence(0.2));
    // "bad" is in the lexicon, not in the LM.
    QVERIFY(!bestPath(graph, unitIds(units, {"b", "a", "d"})).accepted);
    QVERIFY(!graph.wordId("bad"));
    // A pronunciation with a unit missing, and silence inside a word.
    QVERIFY(!bestPath(graph, unitIds(units, {"a", "c"})).accepted);
    QVERIFY(!bestPath(graph, unitIds(units, {"a", "sil", "b"})).accepted);
    QVERIFY(bestPath(graph, {}).accepted);  // the empty sentence: <s> </s>
    // Without optional silence, silence is no unit of any word.
    const auto noSilence = buildDecodingGraph(testLexicon(), testLm(), units, silence(0));
    QVERIFY(!bestPath(noSilence, unitIds(units, {"sil", "a", "b", "e"})).accepted);
    QVERIFY(bestPath(noSilence, unitIds(units, {"a", "b", "e"})).accepted);
  }

  void testLmWordsMissingFromTheLexiconAreReported() {
    const auto graph = buildDecodingGraph(testLexicon(), testLm(), testUnits(), silence(0.2));
    QVERIFY(graph.stats.lmWordsNotInLexicon == (Strings{"<unk>", "zzz"}));
    QCOMPARE(graph.stats.lmWords, 8);
    QCOMPARE(graph.stats.graphWords, 6);
    // A pronunciation with an unknown phone: an error naming it, or skipped.
    auto lex = testLexicon();
    lex.merge(Lexicon::parse("e 1.0 q\n", "extra.txt"));
    test::expectError([&] { buildDecodingGraph(lex, testLm(), testUnits(), silence(0.2)); },
                      {"extra.txt:1", "phone 'q'"});
    auto options = silence(0.2);
    options.unknownPhones = UnknownPhones::Skip;
    const auto skipped = buildDecodingGraph(lex, testLm(), testUnits(), options);
    QCOMPARE(skipped.stats.skippedPronunciations, 1);
    QVERIFY(skipped.wordId("e"));
  }

  void testUnigramLmWorks() {
    // Every word leads back to the one history, so "ab" + "ce" and "abc" +
    // "e" (same units a b c e) meet in one state: only ab's #1 (a prefix of
    // abc) keeps L o G determinisable.
    const auto lm = NgramLm::parseArpa(
        "\\data\\\nngram 1=6\n\n\\1-grams:\n-0.5\t</s>\n-99\t<s>\n-0.3\tab\n-0.4\te\n"
        "-0.5\tabc\n-0.7\tce\n\n\\end\\\n",
        "unigram.arpa");
    const auto units = testUnits();
    const auto graph = buildDecodingGraph(testLexicon(), lm, units, silence(0.2));
    auto p = bestPath(graph, unitIds(units, {"e", "a", "b", "e"}));
    QCOMPARE(joined(p.words), QString("e ab e"));
    // <s> backs off with weight 1 (a unigram LM has no back-off weights),
    // then P(e) P(ab) P(e) P(</s>).
    QVERIFY(std::abs(p.cost - (1.6 * kLn10 + 4 * -std::log(0.8))) < 1e-4);
    // "abc e": 0.5 + 0.4 + 0.5 beats "ab ce": 0.3 + 0.7 + 0.5.
    p = bestPath(graph, unitIds(units, {"a", "b", "c", "e"}));
    QCOMPARE(joined(p.words), QString("abc e"));
    QVERIFY(std::abs(p.cost - (1.4 * kLn10 + 3 * -std::log(0.8))) < 1e-4);
  }

  void testWordPronouncedAsSilenceKeepsTheGraphDeterminisable() {
    // "pause" = sil alone competes with the optional silence; its own #n
    // (as Kaldi's sil-disambig) keeps L o G functional.
    auto lex = testLexicon();
    lex.merge(Lexicon::parse("pause sil\n", "pause.txt"));
    const auto lm = NgramLm::parseArpa(
        "\\data\\\nngram 1=5\n\n\\1-grams:\n-0.5\t</s>\n-99\t<s>\n-0.3\tab\n-0.4\te\n"
        "-0.6\tpause\n\n\\end\\\n",
        "pause.arpa");
    const auto units = testUnits();
    const auto graph = buildDecodingGraph(lex, lm, units, silence(0.2));
    QVERIFY(graph.wordId("pause"));
    auto p = bestPath(graph, unitIds(units, {"a", "b", "sil", "sil", "e"}));
    QCOMPARE(joined(p.words), QString("ab e"));  // silence (1.6) beats "pause" (0.6 ln 10 + 0.22)
    QVERIFY(std::abs(p.cost - (1.2 * kLn10 - std::log(0.2) - 2 * std::log(0.8))) < 1e-4);
  }

  void testOptionsAreValidated() {
    test::expectError([] { buildDecodingGraph(testLexicon(), testLm(), testUnits(), silence(1.0)); },
                      {"silence_probability", "[0, 1)"});
    const UnitInventory noSilence({"a", "b", "c", "d", "e"});
    test::expectError([&] { buildDecodingGraph(testLexicon(), testLm(), noSilence, silence(0.5)); },
                      {"silence unit"});
  }

  // ---- Cache -----------------------------------------------------------------

  void testCacheIsReusedAndRebuiltWhenTheKeyChanges() {
    QTemporaryDir tmp;
    const fs::path dir = fs::path(tmp.path().toStdString()) / "graphs" / "hand";
    const auto lex = testLexicon();
    const auto lm = testLm();
    const auto units = testUnits();
    const auto built = loadOrBuildDecodingGraph(dir, lex, lm, units, silence(0.2));
    QVERIFY(!built.fromCache);
    QVERIFY(fs::exists(dir / "graph.fst") && fs::exists(dir / "graph.json") &&
            fs::exists(dir / "words.txt"));
    const auto again = loadOrBuildDecodingGraph(dir, lex, lm, units, silence(0.2));
    QVERIFY(again.fromCache);
    QCOMPARE(again.key, built.key);
    QVERIFY(again.words == built.words);
    QVERIFY(fst::Equal(again.fst, built.fst));
    QVERIFY(again.stats.lmWordsNotInLexicon == built.stats.lmWordsNotInLexicon);
    QCOMPARE(again.stats.states, built.stats.states);

    // Each input of the key: options, lexicon, LM, units.
    const auto otherOptions = loadOrBuildDecodingGraph(dir, lex, lm, units, silence(0.3));
    QVERIFY(!otherOptions.fromCache);
    QVERIFY(otherOptions.key != built.key);
    auto lex2 = lex;
    lex2.merge(Lexicon::parse("e 1.0 e e\n", "more.txt"));
    QVERIFY(!loadOrBuildDecodingGraph(dir, lex2, lm, units, silence(0.3)).fromCache);
    QVERIFY(loadOrBuildDecodingGraph(dir, lex2, lm, units, silence(0.3)).fromCache);
    const auto lm2 = NgramLm::parseArpa(lm.toArpa() + "\n", "same.arpa");
    QVERIFY(loadOrBuildDecodingGraph(dir, lex2, lm2, units, silence(0.3)).fromCache);
    auto text = readFile(kData / "graph_trigram.arpa");
    text.replace(text.find("-0.6\t<s> read"), 4, "-0.7");
    const auto lm3 = NgramLm::parseArpa(text, "changed.arpa");
    QVERIFY(!loadOrBuildDecodingGraph(dir, lex2, lm3, units, silence(0.3)).fromCache);
    const UnitInventory units2({"sil", "a", "b", "c", "d", "e", "f"});
    QVERIFY(!loadOrBuildDecodingGraph(dir, lex2, lm3, units2, silence(0.3)).fromCache);

    // A damaged graph.fst is rebuilt, not trusted.
    writeText(dir / "graph.fst", "not an fst");
    const auto repaired = loadOrBuildDecodingGraph(dir, lex2, lm3, units2, silence(0.3));
    QVERIFY(!repaired.fromCache);
    QVERIFY(loadOrBuildDecodingGraph(dir, lex2, lm3, units2, silence(0.3)).fromCache);
  }
};

QTEST_GUILESS_MAIN(TestGraph)
#include "test_graph.moc"
