// core/decode/decoder: the Viterbi beam search against an exhaustive
// reference (dynamic programming over every (frame, state) without pruning,
// written here from the definition in docs/decoding.md "Decoder"), on small
// hand-made and random graphs: best cost, its acoustic/graph split and words;
// epsilon arcs and chains with words; one-hot posteriors of a path; beam and
// max-active; the non-final fallback; word times; decodeMany's thread-count
// invariance; refused input. testSearchSpeedOnA67UnitWordLoop prints frames
// per second of search (the number in docs/decoding.md).
#include <QtTest>

#include <fst/vector-fst.h>

#include <chrono>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "core/decode/decoder.h"
#include "core/util/error.h"
#include "core/util/progress.h"

using namespace understudy;
using namespace understudy::decode;
using Arc = fst::StdArc;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr float kLogZero = -std::numeric_limits<float>::infinity();

// Row-major [frames x units] log-posteriors that own their data.
struct Posteriors {
  int frames = 0;
  int units = 0;
  std::vector<float> logq;
  float at(int t, int s) const { return logq[static_cast<std::size_t>(t * units + s)]; }
  LogPosteriors view() const { return {frames, units, logq.data()}; }
};

void addArc(fst::StdVectorFst& g, int from, int ilabel, int olabel, double weight, int to) {
  g.AddArc(from, Arc(ilabel, olabel, static_cast<float>(weight), to));
}

std::vector<std::string> wordNames(int count) {
  std::vector<std::string> names{"<eps>"};
  for (int w = 1; w <= count; ++w) names.push_back("w" + std::to_string(w));
  return names;
}

std::vector<double> uniformLogPriors(int units) {
  return std::vector<double>(static_cast<std::size_t>(units), -std::log(units));
}

std::vector<double> randomLogPriors(std::mt19937& rng, int units) {
  std::uniform_real_distribution<double> u(0.2, 1.0);
  std::vector<double> p(static_cast<std::size_t>(units));
  double sum = 0;
  for (double& x : p) sum += (x = u(rng));
  for (double& x : p) x = std::log(x / sum);
  return p;
}

// log-softmax of Gaussian logits; `boost` is added to the logit of
// truth[t] (if given) so that unit is likely at frame t.
Posteriors randomPosteriors(std::mt19937& rng, int frames, int units, double spread,
                            const std::vector<int>& truth = {}, double boost = 0) {
  std::normal_distribution<double> n(0.0, spread);
  Posteriors p{frames, units, {}};
  p.logq.resize(static_cast<std::size_t>(frames * units));
  std::vector<double> logits(static_cast<std::size_t>(units));
  for (int t = 0; t < frames; ++t) {
    double maxLogit = -kInf;
    for (int s = 0; s < units; ++s) {
      double& l = logits[static_cast<std::size_t>(s)];
      l = n(rng) + (!truth.empty() && truth[static_cast<std::size_t>(t)] == s ? boost : 0.0);
      maxLogit = std::max(maxLogit, l);
    }
    double sum = 0;
    for (const double l : logits) sum += std::exp(l - maxLogit);
    for (int s = 0; s < units; ++s)
      p.logq[static_cast<std::size_t>(t * units + s)] =
          static_cast<float>(logits[static_cast<std::size_t>(s)] - maxLogit - std::log(sum));
  }
  return p;
}

// log q = 0 for the given unit of each frame, -inf for every other unit.
Posteriors oneHotPosteriors(const std::vector<int>& unitPerFrame, int units) {
  Posteriors p{static_cast<int>(unitPerFrame.size()), units, {}};
  p.logq.assign(unitPerFrame.size() * static_cast<std::size_t>(units), kLogZero);
  for (std::size_t t = 0; t < unitPerFrame.size(); ++t)
    p.logq[t * static_cast<std::size_t>(units) + static_cast<std::size_t>(unitPerFrame[t])] = 0.0f;
  return p;
}

// ---- The exhaustive reference ----------------------------------------------

struct ReferencePath {
  DecodeStatus status = DecodeStatus::NoPath;
  double cost = kInf;
  double acoustic = kInf;
  double graph = kInf;
  std::vector<int> words;
};

// Viterbi over every (frame, state), no pruning: cells[t][s] is the cheapest
// way to be in state s having consumed t frames. Epsilon arcs are relaxed to a
// fixed point (Bellman-Ford; the test graphs' epsilon cycles cost > 0).
ReferencePath exhaustiveViterbi(const fst::StdVectorFst& g, const Posteriors& p,
                                const std::vector<double>& logPriors, double a, double beta) {
  struct Cell {
    double cost = kInf;
    double acoustic = 0;
    int prev = -1;
    bool emitted = false;
    int word = 0;
  };
  const int numStates = g.NumStates();
  std::vector<std::vector<Cell>> cells(static_cast<std::size_t>(p.frames + 1),
                                       std::vector<Cell>(static_cast<std::size_t>(numStates)));
  auto closure = [&](std::vector<Cell>& row) {
    for (bool changed = true; changed;) {
      changed = false;
      for (int s = 0; s < numStates; ++s) {
        if (row[s].cost == kInf) continue;
        for (fst::ArcIterator<fst::StdVectorFst> it(g, s); !it.Done(); it.Next()) {
          const Arc& arc = it.Value();
          if (arc.ilabel != 0) continue;
          const double c = row[s].cost + arc.weight.Value();
          if (c < row[arc.nextstate].cost) {
            row[arc.nextstate] = {c, row[s].acoustic, s, false, arc.olabel};
            changed = true;
          }
        }
      }
    }
  };
  cells[0][g.Start()].cost = 0;
  closure(cells[0]);
  for (int t = 0; t < p.frames; ++t) {
    for (int s = 0; s < numStates; ++s) {
      const Cell& from = cells[t][s];
      if (from.cost == kInf) continue;
      for (fst::ArcIterator<fst::StdVectorFst> it(g, s); !it.Done(); it.Next()) {
        const Arc& arc = it.Value();
        if (arc.ilabel == 0) continue;
        const int unit = arc.ilabel - 1;
        const double ac = -a * (p.at(t, unit) - beta * logPriors[static_cast<std::size_t>(unit)]);
        const double c = from.cost + arc.weight.Value() + ac;
        if (c < cells[t + 1][arc.nextstate].cost)
          cells[t + 1][arc.nextstate] = {c, from.acoustic + ac, s, true, arc.olabel};
      }
    }
    closure(cells[t + 1]);
  }
  ReferencePath best;
  int bestState = -1;
  const auto& last = cells[static_cast<std::size_t>(p.frames)];
  for (int s = 0; s < numStates; ++s) {
    const double total = last[s].cost + g.Final(s).Value();
    if (total < best.cost) best.cost = total, bestState = s;
  }
  best.status = DecodeStatus::Final;
  if (bestState < 0) {
    for (int s = 0; s < numStates; ++s)
      if (last[s].cost < best.cost) best.cost = last[s].cost, bestState = s;
    best.status = DecodeStatus::NotFinal;
  }
  if (bestState < 0) return ReferencePath{};
  best.acoustic = last[bestState].acoustic;
  best.graph = best.cost - best.acoustic;
  for (int t = p.frames, s = bestState;;) {
    const Cell& c = cells[t][s];
    if (c.word != 0) best.words.insert(best.words.begin(), c.word);
    if (c.prev < 0) break;
    if (c.emitted) --t;
    s = c.prev;
  }
  return best;
}

bool near(double x, double y) { return std::abs(x - y) <= 1e-9 * std::max(1.0, std::abs(y)); }

QString describe(const std::vector<int>& words) {
  QStringList s;
  for (const int w : words) s << QString::number(w);
  return "[" + s.join(' ') + "]";
}

void verifyMatchesReference(const DecodeResult& r, const ReferencePath& ref, const QString& where) {
  QVERIFY2(r.status == ref.status, qPrintable(where + ": status differs"));
  QVERIFY2(near(r.totalCost, ref.cost), qPrintable(where + QString(": cost %1, exhaustive %2")
                                                               .arg(r.totalCost, 0, 'g', 12)
                                                               .arg(ref.cost, 0, 'g', 12)));
  QVERIFY2(near(r.acousticCost, ref.acoustic), qPrintable(where + ": acoustic cost differs"));
  QVERIFY2(near(r.graphCost, ref.graph), qPrintable(where + ": graph cost differs"));
  QVERIFY2(r.wordIds() == ref.words, qPrintable(where + ": words " + describe(r.wordIds()) +
                                                ", exhaustive " + describe(ref.words)));
}

// A random graph: 1-3 emitting arcs per state (any unit, any target, self
// loops included), epsilon arcs on some states (weights base + phi[to] -
// phi[from] with base >= 0.25: single arcs may be negative, every cycle costs
// > 0), word labels on both kinds, some final states.
fst::StdVectorFst randomGraph(std::mt19937& rng, int numStates, int units, int words) {
  std::uniform_int_distribution<int> state(0, numStates - 1), unit(1, units), word(1, words),
      count(1, 3);
  std::uniform_real_distribution<double> u01(0, 1), weight(0, 3), base(0.25, 2), phi(-2, 2);
  std::vector<double> potential(static_cast<std::size_t>(numStates));
  for (double& x : potential) x = phi(rng);
  fst::StdVectorFst g;
  for (int s = 0; s < numStates; ++s) g.AddState();
  g.SetStart(0);
  for (int s = 0; s < numStates; ++s) {
    for (int k = count(rng); k > 0; --k)
      addArc(g, s, unit(rng), u01(rng) < 0.3 ? word(rng) : 0, weight(rng), state(rng));
    if (u01(rng) < 0.4) {
      for (int k = count(rng) - 1; k >= 0; --k) {
        const int to = state(rng);
        addArc(g, s, 0, u01(rng) < 0.5 ? word(rng) : 0,
               base(rng) + potential[static_cast<std::size_t>(to)] -
                   potential[static_cast<std::size_t>(s)],
               to);
      }
    }
    if (u01(rng) < 0.3) g.SetFinal(s, static_cast<float>(weight(rng)));
  }
  return g;
}

// A word loop like a small HLG: one chain of states per word, one per unit
// with a self-loop; the loop state 0 is start and final; optional silence.
// With labelsAtWordEnd the word label moves from the word's first arc to an
// epsilon chain (two arcs) that leaves its last state.
struct Lexicon {
  std::vector<std::string> words;       // [0] = "<eps>"
  std::vector<std::vector<int>> prons;  // per word id
  int silence = 0;                      // the silence unit
  int units = 0;
};

Lexicon commandLexicon() {
  // units: sil p l ey ao z s t aa r m y uw ih k n
  //        0   1 2 3  4  5 6 7 8  9 10 11 12 13 14 15
  Lexicon lex;
  lex.words = {"<eps>", "play", "pause", "stop", "start", "music", "news"};
  lex.prons = {{},           {1, 2, 3},       {1, 4, 5},
               {6, 7, 8, 1}, {6, 7, 8, 9, 7}, {10, 11, 12, 5, 13, 14},
               {15, 12, 5}};
  lex.units = 16;
  return lex;
}

fst::StdVectorFst wordLoopGraph(const Lexicon& lex, bool labelsAtWordEnd = false) {
  const double half = std::log(2.0);
  const double wordCost = std::log(static_cast<double>(lex.words.size()));
  fst::StdVectorFst g;
  const int loop = g.AddState();
  g.SetStart(loop);
  g.SetFinal(loop, 0);
  const int sil = g.AddState();
  addArc(g, loop, lex.silence + 1, 0, 1.0, sil);
  addArc(g, sil, lex.silence + 1, 0, half, sil);
  addArc(g, sil, 0, 0, 0.0, loop);
  for (int w = 1; w < static_cast<int>(lex.words.size()); ++w) {
    int prev = loop;
    const auto& pron = lex.prons[static_cast<std::size_t>(w)];
    for (std::size_t k = 0; k < pron.size(); ++k) {
      const int st = g.AddState();
      const int label = k == 0 && !labelsAtWordEnd ? w : 0;
      addArc(g, prev, pron[k] + 1, label, k == 0 ? wordCost : half, st);
      addArc(g, st, pron[k] + 1, 0, half, st);
      prev = st;
    }
    if (labelsAtWordEnd) {
      const int mid = g.AddState();
      addArc(g, prev, 0, 0, 0.25, mid);
      addArc(g, mid, 0, w, -0.25, loop);  // a negative epsilon arc on the way
    } else {
      addArc(g, prev, 0, 0, 0.0, loop);
    }
  }
  return g;
}

// The unit of every frame for `words`, each unit lasting 2-4 frames, with
// `silenceFrames` of silence before, between and after the words.
std::vector<int> alignmentOf(std::mt19937& rng, const Lexicon& lex, const std::vector<int>& words,
                             int silenceFrames, std::vector<std::pair<int, int>>* spans = nullptr) {
  std::uniform_int_distribution<int> duration(2, 4);
  std::vector<int> frames(static_cast<std::size_t>(silenceFrames), lex.silence);
  for (const int w : words) {
    const int start = static_cast<int>(frames.size());
    for (const int unit : lex.prons[static_cast<std::size_t>(w)])
      frames.insert(frames.end(), static_cast<std::size_t>(duration(rng)), unit);
    if (spans) spans->emplace_back(start, static_cast<int>(frames.size()));
    frames.insert(frames.end(), static_cast<std::size_t>(silenceFrames), lex.silence);
  }
  return frames;
}

DecoderOptions optionsWith(double beam, int maxActive, double acousticScale = 1.0,
                           double priorScale = 1.0) {
  DecoderOptions o;
  o.beam = beam;
  o.maxActive = maxActive;
  o.acousticScale = acousticScale;
  o.priorScale = priorScale;
  return o;
}

const DecoderOptions kExhaustive = optionsWith(1e6, 1000000);

}  // namespace

class TestDecoder : public QObject {
  Q_OBJECT

 private slots:
  void testHugeBeamEqualsExhaustiveSearchOnRandomGraphs() {
    int finals = 0, notFinals = 0, withWords = 0;
    for (unsigned seed = 1; seed <= 40; ++seed) {
      std::mt19937 rng(seed);
      const int units = 5, words = 6;
      const fst::StdVectorFst g = randomGraph(rng, 10 + static_cast<int>(seed % 7), units, words);
      const auto logPriors = randomLogPriors(rng, units);
      const Posteriors post = randomPosteriors(rng, 12 + static_cast<int>(seed % 11), units, 2.0);
      const double a = 0.7, beta = 0.6;
      const Decoder decoder(g, wordNames(words), logPriors, optionsWith(1e6, 1000000, a, beta));
      const DecodeResult r = decoder.decode(post.view());
      const ReferencePath ref = exhaustiveViterbi(g, post, logPriors, a, beta);
      verifyMatchesReference(r, ref, QString("seed %1").arg(seed));
      finals += ref.status == DecodeStatus::Final;
      notFinals += ref.status == DecodeStatus::NotFinal;
      withWords += !ref.words.empty();
    }
    // The random graphs exercise both outcomes and paths with words.
    QVERIFY(finals >= 20);
    QVERIFY(withWords >= 30);
    qInfo("40 random graphs: %d final, %d not final", finals, notFinals);
  }

  void testLargeScalesMatchTheReferenceToo() {
    for (unsigned seed = 1; seed <= 10; ++seed) {
      std::mt19937 rng(100 + seed);
      const int units = 4;
      const fst::StdVectorFst g = randomGraph(rng, 8, units, 4);
      const auto logPriors = randomLogPriors(rng, units);
      const Posteriors post = randomPosteriors(rng, 15, units, 1.0);
      const Decoder decoder(g, wordNames(4), logPriors, optionsWith(1e6, 1000000, 2.0, 1.5));
      verifyMatchesReference(decoder.decode(post.view()),
                             exhaustiveViterbi(g, post, logPriors, 2.0, 1.5),
                             QString("seed %1").arg(seed));
    }
  }

  void testPeakedPosteriorsWithSmallBeamFindTheSpokenWords() {
    const Lexicon lex = commandLexicon();
    const fst::StdVectorFst g = wordLoopGraph(lex);
    const auto logPriors = uniformLogPriors(lex.units);
    const Decoder narrow(g, lex.words, logPriors, optionsWith(5.0, 12));
    std::uniform_int_distribution<int> word(1, 6);
    for (unsigned seed = 1; seed <= 10; ++seed) {
      std::mt19937 rng(seed);
      std::vector<int> words;
      for (int k = 0; k < 5; ++k) words.push_back(word(rng));
      const auto truth = alignmentOf(rng, lex, words, 3);
      const Posteriors post =
          randomPosteriors(rng, static_cast<int>(truth.size()), lex.units, 1.0, truth, 5.0);
      const DecodeResult r = narrow.decode(post.view());
      QVERIFY2(
          r.wordIds() == words,
          qPrintable(
              QString("seed %1: %2 != %3").arg(seed).arg(describe(r.wordIds()), describe(words))));
      QVERIFY(r.reachedFinal());
      QVERIFY(r.stats.maxActiveTokens <= 12);
      verifyMatchesReference(r, exhaustiveViterbi(g, post, logPriors, 1.0, 1.0),
                             QString("seed %1").arg(seed));
    }
  }

  void testOneHotPosteriorsDecodeExactlyThatPathsWordsAndTimes() {
    const Lexicon lex = commandLexicon();
    const fst::StdVectorFst g = wordLoopGraph(lex);
    const Decoder decoder(g, lex.words, uniformLogPriors(lex.units), optionsWith(8.0, 100),
                          {lex.silence});
    const Decoder noSilence(g, lex.words, uniformLogPriors(lex.units), optionsWith(8.0, 100));
    for (unsigned seed = 1; seed <= 10; ++seed) {
      std::mt19937 rng(seed);
      std::uniform_int_distribution<int> word(1, 6);
      std::vector<int> words;
      for (int k = 0; k < 6; ++k) words.push_back(word(rng));
      std::vector<std::pair<int, int>> spans;
      const auto truth = alignmentOf(rng, lex, words, 2, &spans);
      const Posteriors post = oneHotPosteriors(truth, lex.units);

      const DecodeResult r = decoder.decode(post.view(), "u");
      QCOMPARE(r.wordIds(), words);
      QVERIFY(r.reachedFinal());
      QCOMPARE(r.stats.frames, static_cast<int>(truth.size()));
      for (std::size_t k = 0; k < words.size(); ++k) {
        const DecodedWord& w = r.words[k];
        QCOMPARE(w.word, lex.words[static_cast<std::size_t>(words[k])]);
        // The silence unit is trimmed: a word spans exactly its units' frames.
        QCOMPARE(w.startFrame, spans[k].first);
        QCOMPARE(w.endFrame, spans[k].second);
        QCOMPARE(w.startSeconds(), spans[k].first * 0.03);
        QCOMPARE(w.endSeconds(), spans[k].second * 0.03);
      }
      // Without silence units a word lasts until the next one starts.
      const DecodeResult untrimmed = noSilence.decode(post.view(), "u");
      QCOMPARE(untrimmed.wordIds(), words);
      for (std::size_t k = 0; k < words.size(); ++k) {
        QCOMPARE(untrimmed.words[k].startFrame, spans[k].first);
        QCOMPARE(untrimmed.words[k].endFrame,
                 k + 1 < words.size() ? spans[k + 1].first : static_cast<int>(truth.size()));
      }
    }
  }

  void testWordLabelsOnEpsilonArcsAtWordEnds() {
    const Lexicon lex = commandLexicon();
    const fst::StdVectorFst g = wordLoopGraph(lex, /*labelsAtWordEnd=*/true);
    const auto logPriors = uniformLogPriors(lex.units);
    const Decoder decoder(g, lex.words, logPriors, optionsWith(8.0, 100));
    for (unsigned seed = 1; seed <= 5; ++seed) {
      std::mt19937 rng(seed);
      const std::vector<int> words{3, 1, 5, 6, 2};
      const auto truth = alignmentOf(rng, lex, words, 1);
      const Posteriors onehot = oneHotPosteriors(truth, lex.units);
      QCOMPARE(decoder.decode(onehot.view()).wordIds(), words);
      const Posteriors noisy =
          randomPosteriors(rng, static_cast<int>(truth.size()), lex.units, 1.0, truth, 2.0);
      verifyMatchesReference(decoder.decode(noisy.view()),
                             exhaustiveViterbi(g, noisy, logPriors, 1.0, 1.0),
                             QString("seed %1").arg(seed));
    }
  }

  void testEpsilonChainWithTwoWordsBetweenFrames() {
    // 0 -x-> 1 (x loop) -eps:ok-> 2 -eps-> 3 -eps:google-> 4 -y-> 5 (y loop), 5 final.
    fst::StdVectorFst g;
    for (int s = 0; s < 6; ++s) g.AddState();
    g.SetStart(0);
    addArc(g, 0, 1, 0, 0.5, 1);
    addArc(g, 1, 1, 0, 0.5, 1);
    addArc(g, 1, 0, 1, 0.5, 2);
    addArc(g, 2, 0, 0, -0.25, 3);
    addArc(g, 3, 0, 2, 0.5, 4);
    addArc(g, 4, 2, 0, 0.5, 5);
    addArc(g, 5, 2, 0, 0.5, 5);
    g.SetFinal(5, 0.125);
    const std::vector<std::string> names{"<eps>", "ok", "google"};
    const Decoder decoder(g, names, uniformLogPriors(2), optionsWith(10.0, 50));
    const Posteriors post = oneHotPosteriors({0, 0, 0, 1, 1}, 2);
    const DecodeResult r = decoder.decode(post.view());
    QCOMPARE(r.text(), std::string("ok google"));
    // Both labels are crossed after 3 frames; "ok" consumes nothing.
    QCOMPARE(r.words[0].startFrame, 3);
    QCOMPARE(r.words[0].endFrame, 3);
    QCOMPARE(r.words[1].startFrame, 3);
    QCOMPARE(r.words[1].endFrame, 5);
    // Graph cost: 5 emitting arcs of 0.5, the chain 0.5 - 0.25 + 0.5, final 0.125.
    QCOMPARE(r.graphCost, 2.5 + 0.75 + 0.125);
    // One-hot frames cost -a(0 - beta log 1/2) = -log 2 each (a = beta = 1).
    QVERIFY(near(r.acousticCost, -5 * std::log(2.0)));
    QVERIFY(near(r.totalCost, r.graphCost + r.acousticCost));
  }

  void testWordOfOnlySilenceSpansLabelToNextLabel() {
    // 0 -sil:<noise>-> 1 (sil loop) -eps-> 2 -a:hello-> 3 (a loop), 3 final.
    fst::StdVectorFst g;
    for (int s = 0; s < 4; ++s) g.AddState();
    g.SetStart(0);
    addArc(g, 0, 1, 1, 0.0, 1);
    addArc(g, 1, 1, 0, 0.0, 1);
    addArc(g, 1, 0, 0, 0.0, 2);
    addArc(g, 2, 2, 2, 0.0, 3);
    addArc(g, 3, 2, 0, 0.0, 3);
    g.SetFinal(3, 0);
    const Decoder decoder(g, {"<eps>", "<noise>", "hello"}, uniformLogPriors(2), optionsWith(5, 10),
                          /*silenceUnits=*/{0});
    const DecodeResult r = decoder.decode(oneHotPosteriors({0, 0, 1, 1, 1}, 2).view());
    QCOMPARE(r.text(), std::string("<noise> hello"));
    QCOMPARE(r.words[0].startFrame, 0);
    QCOMPARE(r.words[0].endFrame, 2);
    QCOMPARE(r.words[1].startFrame, 2);
    QCOMPARE(r.words[1].endFrame, 5);
  }

  void testEpsilonClosureAtTheStart() {
    // Words on epsilon arcs out of the start state, before any frame.
    fst::StdVectorFst g;
    for (int s = 0; s < 4; ++s) g.AddState();
    g.SetStart(0);
    addArc(g, 0, 0, 1, 1.0, 1);
    addArc(g, 1, 0, 2, 1.0, 2);
    addArc(g, 2, 1, 0, 0.0, 3);
    addArc(g, 3, 1, 0, 0.0, 3);
    g.SetFinal(3, 0);
    const Decoder decoder(g, {"<eps>", "hey", "there"}, uniformLogPriors(1), optionsWith(5, 10));
    const DecodeResult r = decoder.decode(oneHotPosteriors({0, 0}, 1).view());
    QCOMPARE(r.text(), std::string("hey there"));
    QCOMPARE(r.words[1].startFrame, 0);
    QCOMPARE(r.words[1].endFrame, 2);
    QCOMPARE(r.graphCost, 2.0);
  }

  void testMaxActiveLimitsActiveTokens() {
    const Lexicon lex = commandLexicon();
    const fst::StdVectorFst g = wordLoopGraph(lex);
    const auto logPriors = uniformLogPriors(lex.units);
    std::mt19937 rng(7);
    const std::vector<int> words{1, 3, 5, 2};
    const auto truth = alignmentOf(rng, lex, words, 2);
    const Posteriors post =
        randomPosteriors(rng, static_cast<int>(truth.size()), lex.units, 1.0, truth, 8.0);

    const DecodeResult wide = Decoder(g, lex.words, logPriors, kExhaustive).decode(post.view());
    QVERIFY2(wide.stats.maxActiveTokens > 10,
             qPrintable(QString::number(wide.stats.maxActiveTokens)));
    const DecodeResult limited =
        Decoder(g, lex.words, logPriors, optionsWith(1e6, 3)).decode(post.view());
    QCOMPARE(limited.stats.maxActiveTokens, 3);
    QVERIFY(limited.stats.meanActiveTokens <= 3.0);
    QVERIFY(limited.stats.arcsExpanded < wide.stats.arcsExpanded);
    // The three kept are the best three: the spoken words survive.
    QCOMPARE(limited.wordIds(), words);
    QCOMPARE(limited.totalCost, wide.totalCost);
    // A tight beam prunes too.
    const DecodeResult beamed =
        Decoder(g, lex.words, logPriors, optionsWith(3.0, 1000000)).decode(post.view());
    QVERIFY(beamed.stats.maxActiveTokens < wide.stats.maxActiveTokens);
    QCOMPARE(beamed.wordIds(), words);
  }

  void testNoFinalStateReachedFallsBackToBestPath() {
    // The final state needs unit 1, which the one-hot frames never give.
    fst::StdVectorFst g;
    for (int s = 0; s < 3; ++s) g.AddState();
    g.SetStart(0);
    addArc(g, 0, 1, 1, 0.5, 1);
    addArc(g, 1, 1, 0, 0.25, 1);
    addArc(g, 1, 2, 2, 0.5, 2);
    addArc(g, 2, 2, 0, 0.5, 2);
    g.SetFinal(2, 1.0);
    const auto logPriors = uniformLogPriors(2);
    const Decoder decoder(g, wordNames(2), logPriors, optionsWith(10, 10));
    const Posteriors post = oneHotPosteriors({0, 0, 0, 0}, 2);
    const DecodeResult r = decoder.decode(post.view());
    QCOMPARE(r.status, DecodeStatus::NotFinal);
    QVERIFY(!r.reachedFinal());
    QCOMPARE(r.wordIds(), std::vector<int>{1});
    QCOMPARE(r.graphCost, 0.5 + 3 * 0.25);  // no final weight
    verifyMatchesReference(r, exhaustiveViterbi(g, post, logPriors, 1, 1), "one-hot");

    // Reaching the final state, the final weight is part of the graph cost.
    const Posteriors ends = oneHotPosteriors({0, 0, 1, 1}, 2);
    const DecodeResult f = decoder.decode(ends.view());
    QCOMPARE(f.status, DecodeStatus::Final);
    QCOMPARE(f.wordIds(), (std::vector<int>{1, 2}));
    QCOMPARE(f.graphCost, 0.5 + 0.25 + 0.5 + 0.5 + 1.0);
  }

  void testGraphThatCannotConsumeTheFramesGivesNoPath() {
    fst::StdVectorFst g;
    for (int s = 0; s < 3; ++s) g.AddState();
    g.SetStart(0);
    addArc(g, 0, 1, 1, 0, 1);
    addArc(g, 1, 1, 0, 0, 2);
    g.SetFinal(2, 0);
    const Decoder decoder(g, wordNames(1), uniformLogPriors(1), optionsWith(10, 10));
    const DecodeResult r = decoder.decode(oneHotPosteriors({0, 0, 0, 0, 0}, 1).view());
    QCOMPARE(r.status, DecodeStatus::NoPath);
    QVERIFY(r.words.empty());
    QCOMPARE(r.totalCost, kInf);
    // Zero frames: the start state's closure only.
    const DecodeResult empty = decoder.decode(LogPosteriors{0, 1, nullptr});
    QCOMPARE(empty.status, DecodeStatus::NotFinal);
    QCOMPARE(empty.totalCost, 0.0);
  }

  void testWordLinkCollectionKeepsTheBestPath() {
    // A long utterance on a graph full of word labels: the word-link arena
    // is collected several times and the result still equals the reference.
    std::mt19937 rng(3);
    const int units = 6, words = 20;
    const fst::StdVectorFst g = randomGraph(rng, 60, units, words);
    const auto logPriors = randomLogPriors(rng, units);
    const Posteriors post = randomPosteriors(rng, 6000, units, 2.0);
    const DecodeResult r = Decoder(g, wordNames(words), logPriors, kExhaustive).decode(post.view());
    QVERIFY2(r.stats.linkCollections >= 2, qPrintable(QString::number(r.stats.linkCollections)));
    QVERIFY(r.words.size() > 100);
    verifyMatchesReference(r, exhaustiveViterbi(g, post, logPriors, 1, 1), "6000 frames");
  }

  void testDecodeManyIsThreadCountInvariantAndInInputOrder() {
    const Lexicon lex = commandLexicon();
    const fst::StdVectorFst g = wordLoopGraph(lex);
    const Decoder decoder(g, lex.words, uniformLogPriors(lex.units), optionsWith(6.0, 20),
                          {lex.silence});
    std::vector<Posteriors> owned;
    std::mt19937 rng(11);
    std::uniform_int_distribution<int> word(1, 6), length(1, 6);
    for (int u = 0; u < 24; ++u) {
      std::vector<int> words;
      for (int k = length(rng); k > 0; --k) words.push_back(word(rng));
      const auto truth = alignmentOf(rng, lex, words, 2);
      owned.push_back(
          randomPosteriors(rng, static_cast<int>(truth.size()), lex.units, 1.5, truth, 2.5));
    }
    std::vector<LogPosteriors> batch;
    for (const Posteriors& p : owned) batch.push_back(p.view());

    const auto one = decoder.decodeMany(batch, 1);
    QCOMPARE(one.size(), batch.size());
    for (std::size_t i = 0; i < batch.size(); ++i) {
      const DecodeResult alone = decoder.decode(batch[i]);
      QCOMPARE(one[i].wordIds(), alone.wordIds());
      QCOMPARE(one[i].totalCost, alone.totalCost);
    }
    for (const int threads : {2, 3, 8, 0}) {
      const auto many = decoder.decodeMany(batch, threads);
      for (std::size_t i = 0; i < batch.size(); ++i) {
        QCOMPARE(many[i].wordIds(), one[i].wordIds());
        QCOMPARE(many[i].totalCost, one[i].totalCost);  // bit for bit
        QCOMPARE(many[i].acousticCost, one[i].acousticCost);
        QCOMPARE(many[i].stats.arcsExpanded, one[i].stats.arcsExpanded);
        for (std::size_t k = 0; k < many[i].words.size(); ++k) {
          QCOMPARE(many[i].words[k].startFrame, one[i].words[k].startFrame);
          QCOMPARE(many[i].words[k].endFrame, one[i].words[k].endFrame);
        }
      }
    }
    QVERIFY(decoder.decodeMany({}, 4).empty());
  }

  void testDecodeManyReportsTheFirstBadUtteranceInInputOrder() {
    const Lexicon lex = commandLexicon();
    const Decoder decoder(wordLoopGraph(lex), lex.words, uniformLogPriors(lex.units));
    std::mt19937 rng(5);
    const Posteriors good = randomPosteriors(rng, 20, lex.units, 1.0);
    const Posteriors wrongUnits = randomPosteriors(rng, 20, lex.units - 1, 1.0);
    // Every utterance after the first is bad: several threads hit errors at
    // once, and the one reported is still the first in input order.
    std::vector<LogPosteriors> batch(12, wrongUnits.view());
    batch[0] = good.view();
    std::vector<std::string> ids;
    for (int i = 0; i < 12; ++i) ids.push_back("utt" + std::to_string(i));
    for (const int threads : {1, 3, 12}) {
      try {
        decoder.decodeMany(batch, threads, ids);
        QFAIL("expected an error");
      } catch (const Error& e) {
        QCOMPARE(e.utteranceId(), std::string("utt1"));
        QVERIFY(std::string(e.what()).find("15 units per frame") != std::string::npos);
      }
    }
  }

  void testDecodeManyReportsProgressAndStopsWhenCancelled() {
    struct Sink : ProgressSink {
      bool cancel = false;
      ProgressState finished;
      void onProgress(const ProgressState&) override {}
      void onFinish(const ProgressState& s) override { finished = s; }
      bool cancelled() const override { return cancel; }
    };
    const Lexicon lex = commandLexicon();
    const Decoder decoder(wordLoopGraph(lex), lex.words, uniformLogPriors(lex.units));
    std::mt19937 rng(9);
    const Posteriors post = randomPosteriors(rng, 30, lex.units, 1.0);
    const std::vector<LogPosteriors> batch(20, post.view());
    Sink sink;
    QCOMPARE(decoder.decodeMany(batch, 2, {}, &sink).size(), batch.size());
    QCOMPARE(sink.finished.task, std::string("decode"));
    QCOMPARE(sink.finished.unit, std::string("utt"));
    QCOMPARE(sink.finished.done, std::int64_t{20});
    QCOMPARE(sink.finished.total, std::int64_t{20});
    Sink cancelling;
    cancelling.cancel = true;
    try {
      decoder.decodeMany(batch, 2, {}, &cancelling);
      QFAIL("expected the cancellation error");
    } catch (const Error& e) {
      QCOMPARE(e.what_(), std::string("decode cancelled"));
    }
  }

  void testRefusesBadInputNamingWhatAndWhere() {
    const Lexicon lex = commandLexicon();
    const fst::StdVectorFst g = wordLoopGraph(lex);
    auto throwsWith = [](auto&& f, const std::string& needle) {
      try {
        f();
      } catch (const Error& e) {
        return std::string(e.what()).find(needle) != std::string::npos;
      }
      return false;
    };
    // Input labels are unit + 1: 16 units need labels <= 16.
    QVERIFY(throwsWith([&] { Decoder(g, lex.words, uniformLogPriors(15)); }, "input label 16"));
    QVERIFY(throwsWith(
        [&] {
          Decoder(g, {"<eps>", "play"}, uniformLogPriors(lex.units));
        },
        "output label 2"));
    QVERIFY(throwsWith([&] { Decoder(fst::StdVectorFst(), lex.words, uniformLogPriors(16)); },
                       "no start state"));
    QVERIFY(throwsWith([&] { Decoder(g, lex.words, uniformLogPriors(16), optionsWith(0, 10)); },
                       "decoder.beam = 0"));
    QVERIFY(throwsWith([&] { Decoder(g, lex.words, uniformLogPriors(16), optionsWith(5, 0)); },
                       "decoder.max_active = 0"));
    QVERIFY(throwsWith([&] { Decoder(g, lex.words, uniformLogPriors(16), optionsWith(5, 10, -1)); },
                       "decoder.acoustic_scale"));
    QVERIFY(throwsWith([&] { Decoder(g, lex.words, uniformLogPriors(16), DecoderOptions{}, {16}); },
                       "silence unit 16"));

    const Decoder decoder(g, lex.words, uniformLogPriors(16));
    std::mt19937 rng(1);
    Posteriors post = randomPosteriors(rng, 10, 16, 1.0);
    post.logq[3 * 16 + 7] = std::numeric_limits<float>::quiet_NaN();
    try {
      decoder.decode(post.view(), "spk1-utt9");
      QFAIL("expected an error");
    } catch (const Error& e) {
      QCOMPARE(e.utteranceId(), std::string("spk1-utt9"));
      QVERIFY2(std::string(e.what()).find("unit 7 at frame 3") != std::string::npos, e.what());
    }
    QVERIFY(throwsWith([&] { decoder.decode(LogPosteriors{5, 16, nullptr}); }, "no data"));
  }

  void testOptionsYaml() {
    QCOMPARE(DecoderOptions{}.toYaml(),
             std::string("beam: 15\nmax_active: 7000\nacoustic_scale: 0.333\nprior_scale: 1\n"));
  }

  // Not a timing assertion (the machine is shared): prints frames per second
  // of search for docs/decoding.md and checks the words.
  void testSearchSpeedOnA67UnitWordLoop() {
    std::mt19937 rng(2026);
    Lexicon lex;
    lex.units = 67;
    lex.words = {"<eps>"};
    lex.prons = {{}};
    std::uniform_int_distribution<int> unit(1, 66), length(3, 7);
    for (int w = 1; w <= 2000; ++w) {
      lex.words.push_back("w" + std::to_string(w));
      std::vector<int> pron;
      for (int k = length(rng); k > 0; --k) pron.push_back(unit(rng));
      lex.prons.push_back(pron);
    }
    const fst::StdVectorFst g = wordLoopGraph(lex);
    std::uniform_int_distribution<int> word(1, 2000);
    std::vector<int> words;
    for (int k = 0; k < 150; ++k) words.push_back(word(rng));
    const auto truth = alignmentOf(rng, lex, words, 1);
    // Boost 6 over 67 N(0,1) logits: the spoken unit gets ~0.8 of the mass.
    const Posteriors post =
        randomPosteriors(rng, static_cast<int>(truth.size()), lex.units, 1.0, truth, 6.0);

    const Decoder decoder(g, lex.words, uniformLogPriors(lex.units));  // default options
    const auto start = std::chrono::steady_clock::now();
    const DecodeResult r = decoder.decode(post.view());
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    QCOMPARE(r.wordIds(), words);
    qInfo(
        "search: %d states, %lld arcs, %d frames in %.3f s = %.0f frames/s (RTF %.4f), "
        "%.0f tokens/frame (max %d)",
        decoder.numStates(), static_cast<long long>(decoder.numArcs()), post.frames, seconds,
        post.frames / seconds, seconds / (post.frames * kModelFrameSeconds),
        r.stats.meanActiveTokens, r.stats.maxActiveTokens);
  }
};

QTEST_GUILESS_MAIN(TestDecoder)
#include "test_decoder.moc"
