// Token-passing Viterbi beam search (docs/decoding.md "Decoder").
//
// Per frame: prune the current tokens (beam, then max-active by
// nth_element), expand their emitting arcs into the next frame's tokens
// (within the beam of the best new cost, or the narrower beam max-active
// implied), then take the epsilon closure of those. A token is a state's best
// path so far; the next frame's tokens are found by state through a per-state
// slot with a generation stamp (nothing to clear between frames). Words are
// traced back through an arena of word links, one per word label crossed,
// collected when it grows past twice its live size.
#include "core/decode/decoder.h"

#include <fst/expanded-fst.h>
#include <fst/fst.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <mutex>
#include <sstream>
#include <thread>

#include "core/util/error.h"
#include "core/util/progress.h"

namespace understudy::decode {

namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();
// The word-link arena is collected when it holds more than this many links
// and more than twice the links alive after the last collection.
constexpr std::size_t kMinLinksBeforeCollection = std::size_t{1} << 16;
// When max-active prunes, the next frame is expanded with the beam that
// max-active implied (the kept tokens' cost range) plus this margin, as
// Kaldi's decoders do (beam_delta): fewer tokens are made only to be pruned.
constexpr double kAdaptiveBeamMargin = 0.5;

// One arc in the decoder's compact graph. `label` is the unit (input label
// - 1) of an emitting arc; `word` the output label (0 = none).
struct GraphArc {
  std::int32_t next;
  std::int32_t label;
  std::int32_t word;
  float weight;
};

std::string formatNumber(double value) {
  std::ostringstream s;
  s << value;
  return s.str();
}

// The graph in compressed-row form: the emitting and the epsilon arcs of
// state s are emitArcs[emitBegin[s] .. emitBegin[s+1]) and likewise eps*.
struct CompiledGraph {
  std::int32_t start = 0;
  std::vector<std::int32_t> emitBegin, epsBegin;
  std::vector<GraphArc> emitArcs, epsArcs;
  std::vector<float> finals;  // +inf where not final
  int numStates() const { return static_cast<int>(finals.size()); }
};

}  // namespace

struct Decoder::Impl {
  class Search;

  CompiledGraph graph;
  std::vector<std::string> wordNames;
  std::vector<double> scaledLogPriors;  // a * beta * log p(s)
  std::vector<std::uint8_t> isSilence;  // per unit
  DecoderOptions options;

  std::unique_ptr<Search> acquire() const;
  void release(std::unique_ptr<Search> search) const;

  mutable std::mutex poolMutex;
  mutable std::vector<std::unique_ptr<Search>> pool;
};

// The search state of one thread, reused across utterances so the hot loop
// allocates nothing once its vectors have grown.
class Decoder::Impl::Search {
 public:
  explicit Search(const Impl& decoder)
      : m_d(decoder),
        m_slots(static_cast<std::size_t>(decoder.graph.numStates()), Slot{0, 0}),
        m_unitCost(decoder.scaledLogPriors.size(), 0.0) {}

  DecodeResult run(const LogPosteriors& posteriors, const std::string& utteranceId);

 private:
  // A state's best path in one frame. firstSpeech: the first non-silence
  // frame consumed since the last word label (-1: none yet); lastSpeech: one
  // past the last non-silence frame consumed. Both give word times.
  struct Token {
    std::int32_t state;
    std::int32_t link;  // last word link, -1 before the first word
    std::int32_t firstSpeech;
    std::int32_t lastSpeech;
    double cost;      // acoustic + graph
    double acoustic;  // its acoustic part
  };
  // A word label crossed: at labelFrame frames consumed; prev* keep the
  // previous word's speech span along this path.
  struct WordLink {
    std::int32_t prev;
    std::int32_t word;
    std::int32_t labelFrame;
    std::int32_t prevFirstSpeech;
    std::int32_t prevLastSpeech;
  };

  void checkInput(const LogPosteriors& posteriors, const std::string& utteranceId) const;
  void startFrame();
  // Index of the next frame's token for `state` if `cost` improves on it
  // (a new token when the state has none yet), -1 otherwise.
  std::int32_t claim(std::int32_t state, double cost);
  std::int32_t addLink(const Token& from, std::int32_t word, std::int32_t labelFrame);
  void computeUnitCosts(const LogPosteriors& posteriors, int t, const std::string& utteranceId);
  double prune(DecodeStats& stats);
  double expandEmitting(int t, double beam, DecodeStats& stats);
  void closeOverEpsilons(std::int32_t framesConsumed, double cutoff);
  void collectLinksIfLarge(DecodeStats& stats);
  DecodeResult finish(int frames, DecodeStats stats) const;

  const Impl& m_d;
  std::vector<Token> m_cur, m_next;
  // state -> index of its token in m_next, valid where stamp == m_generation
  // (one struct: one cache line per lookup).
  struct Slot {
    std::uint32_t stamp;
    std::int32_t index;
  };
  std::vector<Slot> m_slots;
  std::uint32_t m_generation = 0;
  std::vector<std::int32_t> m_queue;
  std::vector<double> m_unitCost;
  std::vector<double> m_ranked;
  std::vector<WordLink> m_links;
  std::vector<std::int32_t> m_remap;
  std::size_t m_linkLimit = kMinLinksBeforeCollection;
};

void Decoder::Impl::Search::checkInput(const LogPosteriors& posteriors,
                                       const std::string& utteranceId) const {
  const int units = static_cast<int>(m_unitCost.size());
  if (posteriors.frames < 0)
    throw US_ERROR("posteriors have a negative frame count (" + std::to_string(posteriors.frames) +
                   ")")
        .utterance(utteranceId);
  if (posteriors.units != units)
    throw US_ERROR("posteriors have " + std::to_string(posteriors.units) +
                   " units per frame, the decoder's priors " + std::to_string(units))
        .utterance(utteranceId)
        .hint("decode with the priors and graph of the model that made the posteriors");
  if (posteriors.frames > 0 && posteriors.data == nullptr)
    throw US_ERROR("posteriors have " + std::to_string(posteriors.frames) + " frames but no data")
        .utterance(utteranceId);
}

void Decoder::Impl::Search::startFrame() {
  m_next.clear();
  if (++m_generation == 0) {  // wrapped: forget every old stamp
    std::fill(m_slots.begin(), m_slots.end(), Slot{0, 0});
    m_generation = 1;
  }
}

std::int32_t Decoder::Impl::Search::claim(std::int32_t state, double cost) {
  Slot& slot = m_slots[static_cast<std::size_t>(state)];
  if (slot.stamp == m_generation)
    return cost < m_next[static_cast<std::size_t>(slot.index)].cost ? slot.index : -1;
  const auto i = static_cast<std::int32_t>(m_next.size());
  slot = Slot{m_generation, i};
  m_next.push_back(Token{state, -1, -1, 0, kInfinity, 0.0});
  return i;
}

std::int32_t Decoder::Impl::Search::addLink(const Token& from, std::int32_t word,
                                            std::int32_t labelFrame) {
  m_links.push_back(WordLink{from.link, word, labelFrame, from.firstSpeech, from.lastSpeech});
  return static_cast<std::int32_t>(m_links.size() - 1);
}

void Decoder::Impl::Search::computeUnitCosts(const LogPosteriors& posteriors, int t,
                                             const std::string& utteranceId) {
  const double a = m_d.options.acousticScale;
  const float* row = posteriors.data + static_cast<std::size_t>(t) * m_unitCost.size();
  for (std::size_t s = 0; s < m_unitCost.size(); ++s) {
    const double logq = row[s];
    if (std::isnan(logq) || logq == kInfinity)
      throw US_ERROR("log-posterior of unit " + std::to_string(s) + " at frame " +
                     std::to_string(t) + " is " + formatNumber(logq))
          .utterance(utteranceId)
          .hint("the model's output must be finite log-probabilities (or -inf)");
    // -a (log q - beta log p), with a * beta * log p precomputed.
    m_unitCost[s] = m_d.scaledLogPriors[s] - a * logq;
  }
}

// Keeps the tokens within the beam of the best and, of those, the maxActive
// best (nth_element on their costs; tokens tied with the last one kept are
// taken in token order, which is itself deterministic). Returns the beam for
// expanding this frame: the configured one, or the adaptive one when
// max-active pruned.
double Decoder::Impl::Search::prune(DecodeStats& stats) {
  double best = kInfinity;
  for (const Token& tok : m_cur) best = std::min(best, tok.cost);
  double cutoff = best + m_d.options.beam;
  const auto maxActive = static_cast<std::size_t>(m_d.options.maxActive);
  std::size_t tiesAllowed = m_cur.size();
  double beam = m_d.options.beam;
  if (m_cur.size() > maxActive) {
    m_ranked.clear();
    for (const Token& tok : m_cur)
      if (tok.cost <= cutoff) m_ranked.push_back(tok.cost);
    if (m_ranked.size() > maxActive) {
      const auto nth = m_ranked.begin() + static_cast<std::ptrdiff_t>(maxActive - 1);
      std::nth_element(m_ranked.begin(), nth, m_ranked.end());
      cutoff = *nth;
      beam = std::min(beam, cutoff - best + kAdaptiveBeamMargin);
      // Elements before nth are <= it: those equal to it are the ties kept.
      tiesAllowed = 1 + static_cast<std::size_t>(std::count(m_ranked.begin(), nth, cutoff));
    }
  }
  std::size_t kept = 0;
  for (const Token& tok : m_cur) {
    if (tok.cost < cutoff) {
      m_cur[kept++] = tok;
    } else if (tok.cost == cutoff && tiesAllowed > 0) {
      m_cur[kept++] = tok;
      --tiesAllowed;
    }
  }
  m_cur.resize(kept);
  stats.maxActiveTokens = std::max(stats.maxActiveTokens, static_cast<int>(kept));
  stats.meanActiveTokens += static_cast<double>(kept);
  return beam;
}

// Moves every current token over its emitting arcs (consuming frame t) into
// m_next. Returns the next frame's cutoff: its best cost + beam.
double Decoder::Impl::Search::expandEmitting(int t, double beam, DecodeStats& stats) {
  const CompiledGraph& g = m_d.graph;
  const auto frame = static_cast<std::int32_t>(t);
  startFrame();

  // Seed the cutoff from the best token's arcs so that most arcs of worse
  // tokens are rejected before they touch m_next.
  double nextCutoff = kInfinity;
  const auto bestTok = std::min_element(
      m_cur.begin(), m_cur.end(), [](const Token& x, const Token& y) { return x.cost < y.cost; });
  if (bestTok != m_cur.end()) {
    const auto s = static_cast<std::size_t>(bestTok->state);
    for (std::int32_t k = g.emitBegin[s]; k < g.emitBegin[s + 1]; ++k) {
      const GraphArc& arc = g.emitArcs[static_cast<std::size_t>(k)];
      nextCutoff = std::min(nextCutoff, bestTok->cost + arc.weight +
                                            m_unitCost[static_cast<std::size_t>(arc.label)] + beam);
    }
  }

  for (const Token& tok : m_cur) {
    const auto s = static_cast<std::size_t>(tok.state);
    const std::int32_t end = g.emitBegin[s + 1];
    stats.arcsExpanded += end - g.emitBegin[s];
    for (std::int32_t k = g.emitBegin[s]; k < end; ++k) {
      const GraphArc& arc = g.emitArcs[static_cast<std::size_t>(k)];
      const double acoustic = m_unitCost[static_cast<std::size_t>(arc.label)];
      const double cost = tok.cost + arc.weight + acoustic;
      if (!(cost < nextCutoff)) continue;  // also drops +inf and NaN
      if (cost + beam < nextCutoff) nextCutoff = cost + beam;
      const std::int32_t i = claim(arc.next, cost);
      if (i < 0) continue;
      Token& out = m_next[static_cast<std::size_t>(i)];
      out.cost = cost;
      out.acoustic = tok.acoustic + acoustic;
      if (arc.word != 0) {
        out.link = addLink(tok, arc.word, frame);
        out.firstSpeech = -1;
      } else {
        out.link = tok.link;
        out.firstSpeech = tok.firstSpeech;
      }
      out.lastSpeech = tok.lastSpeech;
      if (!m_d.isSilence[static_cast<std::size_t>(arc.label)]) {
        out.lastSpeech = frame + 1;
        if (out.firstSpeech < 0) out.firstSpeech = frame;
      }
    }
  }
  return nextCutoff;
}

// Follows epsilon arcs from every token in m_next until no token improves.
// Epsilon cycles have non-negative cost, so a state is requeued only when
// its cost strictly drops and the loop ends.
void Decoder::Impl::Search::closeOverEpsilons(std::int32_t framesConsumed, double cutoff) {
  const CompiledGraph& g = m_d.graph;
  auto hasEpsilons = [&g](std::int32_t state) {
    const auto s = static_cast<std::size_t>(state);
    return g.epsBegin[s] != g.epsBegin[s + 1];
  };
  m_queue.clear();
  for (std::size_t i = 0; i < m_next.size(); ++i)
    if (hasEpsilons(m_next[i].state)) m_queue.push_back(static_cast<std::int32_t>(i));

  while (!m_queue.empty()) {
    const Token from = m_next[static_cast<std::size_t>(m_queue.back())];  // a copy: m_next may grow
    m_queue.pop_back();
    const auto s = static_cast<std::size_t>(from.state);
    for (std::int32_t k = g.epsBegin[s]; k < g.epsBegin[s + 1]; ++k) {
      const GraphArc& arc = g.epsArcs[static_cast<std::size_t>(k)];
      const double cost = from.cost + arc.weight;
      if (!(cost <= cutoff)) continue;
      const std::int32_t i = claim(arc.next, cost);
      if (i < 0) continue;
      Token& out = m_next[static_cast<std::size_t>(i)];
      out.cost = cost;
      out.acoustic = from.acoustic;
      if (arc.word != 0) {
        out.link = addLink(from, arc.word, framesConsumed);
        out.firstSpeech = -1;
      } else {
        out.link = from.link;
        out.firstSpeech = from.firstSpeech;
      }
      out.lastSpeech = from.lastSpeech;
      if (hasEpsilons(arc.next)) m_queue.push_back(i);
    }
  }
}

// Mark and compact: links reachable from the current tokens survive, in
// their order (a link's prev is always older, so one pass renumbers).
void Decoder::Impl::Search::collectLinksIfLarge(DecodeStats& stats) {
  if (m_links.size() <= m_linkLimit) return;
  m_remap.assign(m_links.size(), -1);
  for (const Token& tok : m_cur)
    for (std::int32_t l = tok.link; l >= 0 && m_remap[static_cast<std::size_t>(l)] < 0;
         l = m_links[static_cast<std::size_t>(l)].prev)
      m_remap[static_cast<std::size_t>(l)] = 0;  // marked
  std::int32_t kept = 0;
  for (std::size_t l = 0; l < m_links.size(); ++l) {
    if (m_remap[l] < 0) continue;
    WordLink link = m_links[l];
    if (link.prev >= 0) link.prev = m_remap[static_cast<std::size_t>(link.prev)];
    m_links[static_cast<std::size_t>(kept)] = link;
    m_remap[l] = kept++;
  }
  m_links.resize(static_cast<std::size_t>(kept));
  for (Token& tok : m_cur)
    if (tok.link >= 0) tok.link = m_remap[static_cast<std::size_t>(tok.link)];
  m_linkLimit = std::max(kMinLinksBeforeCollection, 2 * m_links.size());
  ++stats.linkCollections;
}

DecodeResult Decoder::Impl::Search::run(const LogPosteriors& posteriors,
                                        const std::string& utteranceId) {
  checkInput(posteriors, utteranceId);
  DecodeStats stats;
  stats.frames = posteriors.frames;
  m_links.clear();
  m_linkLimit = kMinLinksBeforeCollection;

  startFrame();
  const std::int32_t i = claim(m_d.graph.start, 0.0);
  m_next[static_cast<std::size_t>(i)] = Token{m_d.graph.start, -1, -1, 0, 0.0, 0.0};
  closeOverEpsilons(0, m_d.options.beam);
  std::swap(m_cur, m_next);

  for (int t = 0; t < posteriors.frames && !m_cur.empty(); ++t) {
    computeUnitCosts(posteriors, t, utteranceId);
    const double beam = prune(stats);
    const double cutoff = expandEmitting(t, beam, stats);
    closeOverEpsilons(t + 1, cutoff);
    std::swap(m_cur, m_next);
    collectLinksIfLarge(stats);
  }
  if (stats.frames > 0) stats.meanActiveTokens /= stats.frames;
  return finish(posteriors.frames, stats);
}

DecodeResult Decoder::Impl::Search::finish(int frames, DecodeStats stats) const {
  DecodeResult result;
  result.stats = stats;
  const Token* best = nullptr;
  double bestTotal = kInfinity;
  for (const Token& tok : m_cur) {
    const double total = tok.cost + m_d.graph.finals[static_cast<std::size_t>(tok.state)];
    if (total < bestTotal) {
      bestTotal = total;
      best = &tok;
    }
  }
  if (best) {
    result.status = DecodeStatus::Final;
  } else {
    // Like Kaldi: no final state reached, so the best path overall, flagged.
    for (const Token& tok : m_cur) {
      if (tok.cost < bestTotal) {
        bestTotal = tok.cost;
        best = &tok;
      }
    }
    if (!best) return result;  // NoPath
    result.status = DecodeStatus::NotFinal;
  }
  result.totalCost = bestTotal;
  result.acousticCost = best->acoustic;
  result.graphCost = bestTotal - best->acoustic;

  // Word i's speech span is kept by word i+1's link (or, for the last word,
  // by the token itself); a word without speech frames spans label to label.
  std::int32_t firstSpeech = best->firstSpeech;
  std::int32_t lastSpeech = best->lastSpeech;
  std::int32_t nextLabel = frames;
  for (std::int32_t l = best->link; l >= 0;) {
    const WordLink& link = m_links[static_cast<std::size_t>(l)];
    DecodedWord w;
    w.wordId = link.word;
    w.word = m_d.wordNames[static_cast<std::size_t>(link.word)];
    if (firstSpeech >= 0) {
      w.startFrame = firstSpeech;
      w.endFrame = lastSpeech;
    } else {
      w.startFrame = link.labelFrame;
      w.endFrame = nextLabel;
    }
    result.words.push_back(std::move(w));
    firstSpeech = link.prevFirstSpeech;
    lastSpeech = link.prevLastSpeech;
    nextLabel = link.labelFrame;
    l = link.prev;
  }
  std::reverse(result.words.begin(), result.words.end());
  return result;
}

std::unique_ptr<Decoder::Impl::Search> Decoder::Impl::acquire() const {
  {
    std::lock_guard<std::mutex> lock(poolMutex);
    if (!pool.empty()) {
      auto search = std::move(pool.back());
      pool.pop_back();
      return search;
    }
  }
  return std::make_unique<Search>(*this);
}

void Decoder::Impl::release(std::unique_ptr<Search> search) const {
  std::lock_guard<std::mutex> lock(poolMutex);
  pool.push_back(std::move(search));
}

namespace {

CompiledGraph compileGraph(const fst::StdExpandedFst& fst, int numUnits, std::size_t numWords) {
  using Arc = fst::StdArc;
  CompiledGraph g;
  if (fst.Start() == fst::kNoStateId)
    throw US_ERROR("the decoding graph has no start state (it is empty)")
        .hint("build the graph again; an empty graph accepts nothing");
  const auto numStates = static_cast<std::size_t>(fst.NumStates());
  constexpr auto kMaxIndex = static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max());
  if (numStates >= kMaxIndex)
    throw US_ERROR("the decoding graph has " + std::to_string(numStates) +
                   " states; the decoder indexes at most " + std::to_string(kMaxIndex - 1))
        .hint("use a smaller LM or lexicon");
  g.start = static_cast<std::int32_t>(fst.Start());
  g.emitBegin.assign(numStates + 1, 0);
  g.epsBegin.assign(numStates + 1, 0);
  g.finals.resize(numStates);

  auto usable = [](const Arc& arc) { return arc.weight.Value() < kInfinity; };
  for (std::size_t s = 0; s < numStates; ++s) {
    const auto state = static_cast<Arc::StateId>(s);
    g.finals[s] = fst.Final(state).Value();  // Zero() is +inf
    for (fst::ArcIterator<fst::StdExpandedFst> it(fst, state); !it.Done(); it.Next()) {
      const Arc& arc = it.Value();
      if (arc.ilabel < 0 || arc.ilabel > numUnits)
        throw US_ERROR("the decoding graph has an arc from state " + std::to_string(s) +
                       " with input label " + std::to_string(arc.ilabel) + ", but there are " +
                       std::to_string(numUnits) + " units (labels 1.." + std::to_string(numUnits) +
                       ", 0 = epsilon)")
            .hint("build the graph with the model's unit inventory (input label = unit id + 1)");
      if (arc.olabel < 0 || static_cast<std::size_t>(arc.olabel) >= numWords)
        throw US_ERROR("the decoding graph has an arc from state " + std::to_string(s) +
                       " with output label " + std::to_string(arc.olabel) + ", but " +
                       std::to_string(numWords) + " word names are given")
            .hint("pass the graph's word list (entry i names output label i)");
      if (!usable(arc)) continue;
      (arc.ilabel > 0 ? g.emitBegin : g.epsBegin)[s + 1] += 1;
    }
  }
  std::size_t emitting = 0, epsilon = 0;
  for (std::size_t s = 0; s < numStates; ++s) {
    emitting += static_cast<std::size_t>(g.emitBegin[s + 1]);
    epsilon += static_cast<std::size_t>(g.epsBegin[s + 1]);
  }
  if (emitting >= kMaxIndex || epsilon >= kMaxIndex)
    throw US_ERROR("the decoding graph has " + std::to_string(emitting + epsilon) +
                   " arcs; the decoder indexes at most " + std::to_string(kMaxIndex - 1) +
                   " of each kind")
        .hint("use a smaller LM or lexicon");
  for (std::size_t s = 0; s < numStates; ++s) {
    g.emitBegin[s + 1] += g.emitBegin[s];
    g.epsBegin[s + 1] += g.epsBegin[s];
  }
  g.emitArcs.resize(static_cast<std::size_t>(g.emitBegin[numStates]));
  g.epsArcs.resize(static_cast<std::size_t>(g.epsBegin[numStates]));
  for (std::size_t s = 0; s < numStates; ++s) {
    auto emitAt = static_cast<std::size_t>(g.emitBegin[s]);
    auto epsAt = static_cast<std::size_t>(g.epsBegin[s]);
    for (fst::ArcIterator<fst::StdExpandedFst> it(fst, static_cast<Arc::StateId>(s)); !it.Done();
         it.Next()) {
      const Arc& arc = it.Value();
      if (!usable(arc)) continue;
      const GraphArc out{static_cast<std::int32_t>(arc.nextstate), arc.ilabel - 1,
                         static_cast<std::int32_t>(arc.olabel), arc.weight.Value()};
      if (arc.ilabel > 0)
        g.emitArcs[emitAt++] = out;
      else
        g.epsArcs[epsAt++] = out;
    }
  }
  return g;
}

}  // namespace

void DecoderOptions::validate() const {
  auto outside = [](const std::string& field, const std::string& value, const std::string& range) {
    return US_ERROR("decoder." + field + " = " + value + " is outside the allowed range " + range);
  };
  if (!(beam > 0) || !std::isfinite(beam)) throw outside("beam", formatNumber(beam), "> 0");
  if (maxActive < 1) throw outside("max_active", std::to_string(maxActive), ">= 1");
  if (!(acousticScale > 0) || !std::isfinite(acousticScale))
    throw outside("acoustic_scale", formatNumber(acousticScale), "> 0");
  if (!(priorScale >= 0) || !std::isfinite(priorScale))
    throw outside("prior_scale", formatNumber(priorScale), ">= 0");
}

std::string DecoderOptions::toYaml() const {
  return "beam: " + formatNumber(beam) + "\nmax_active: " + std::to_string(maxActive) +
         "\nacoustic_scale: " + formatNumber(acousticScale) +
         "\nprior_scale: " + formatNumber(priorScale) + "\n";
}

std::vector<int> DecodeResult::wordIds() const {
  std::vector<int> ids;
  ids.reserve(words.size());
  for (const DecodedWord& w : words) ids.push_back(w.wordId);
  return ids;
}

std::string DecodeResult::text() const {
  std::string out;
  for (const DecodedWord& w : words) {
    if (!out.empty()) out += ' ';
    out += w.word;
  }
  return out;
}

Decoder::Decoder(const fst::StdExpandedFst& graph, std::vector<std::string> wordNames,
                 std::vector<double> logPriors, DecoderOptions options,
                 std::vector<int> silenceUnits)
    : m_impl(std::make_unique<Impl>()) {
  options.validate();
  const int numUnits = static_cast<int>(logPriors.size());
  if (numUnits == 0)
    throw US_ERROR("the decoder got no unit priors").hint("pass one log prior per model unit");
  for (int s = 0; s < numUnits; ++s)
    if (!std::isfinite(logPriors[static_cast<std::size_t>(s)]))
      throw US_ERROR("the log prior of unit " + std::to_string(s) + " is " +
                     formatNumber(logPriors[static_cast<std::size_t>(s)]))
          .hint("priors are add-one smoothed unit frequencies; recompute them");
  m_impl->graph = compileGraph(graph, numUnits, wordNames.size());
  m_impl->wordNames = std::move(wordNames);
  m_impl->options = options;
  m_impl->scaledLogPriors.resize(logPriors.size());
  for (std::size_t s = 0; s < logPriors.size(); ++s)
    m_impl->scaledLogPriors[s] = options.acousticScale * options.priorScale * logPriors[s];
  m_impl->isSilence.assign(logPriors.size(), 0);
  for (const int s : silenceUnits) {
    if (s < 0 || s >= numUnits)
      throw US_ERROR("silence unit " + std::to_string(s) + " is not a unit id (0.." +
                     std::to_string(numUnits - 1) + ")");
    m_impl->isSilence[static_cast<std::size_t>(s)] = 1;
  }
}

Decoder::~Decoder() = default;
Decoder::Decoder(Decoder&&) noexcept = default;
Decoder& Decoder::operator=(Decoder&&) noexcept = default;

const DecoderOptions& Decoder::options() const { return m_impl->options; }
int Decoder::numUnits() const { return static_cast<int>(m_impl->scaledLogPriors.size()); }
int Decoder::numStates() const { return m_impl->graph.numStates(); }
std::int64_t Decoder::numArcs() const {
  return static_cast<std::int64_t>(m_impl->graph.emitArcs.size() + m_impl->graph.epsArcs.size());
}

DecodeResult Decoder::decode(const LogPosteriors& posteriors,
                             const std::string& utteranceId) const {
  auto search = m_impl->acquire();
  DecodeResult result = search->run(posteriors, utteranceId);
  m_impl->release(std::move(search));
  return result;
}

std::vector<DecodeResult> Decoder::decodeMany(const std::vector<LogPosteriors>& batch, int threads,
                                              const std::vector<std::string>& utteranceIds,
                                              ProgressSink* progress) const {
  if (!utteranceIds.empty() && utteranceIds.size() != batch.size())
    throw US_ERROR("decodeMany got " + std::to_string(utteranceIds.size()) + " utterance ids for " +
                   std::to_string(batch.size()) + " utterances")
        .hint("pass no ids or one per utterance");
  const std::size_t n = batch.size();
  std::vector<DecodeResult> results(n);
  if (n == 0) return results;
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  threads = static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(threads), n));

  ProgressTracker tracker(progress, "decode", static_cast<std::int64_t>(n), "utt");
  std::mutex trackerMutex;
  std::vector<std::exception_ptr> errors(n);
  std::atomic<std::size_t> nextIndex{0};
  std::atomic<bool> stop{false};
  static const std::string kNoId;

  // Utterances are handed out in input order; each result depends only on its
  // own input, so the thread count never changes a result.
  auto work = [&]() {
    auto search = m_impl->acquire();
    while (!stop.load()) {
      const std::size_t i = nextIndex.fetch_add(1);
      if (i >= n) break;
      try {
        results[i] = search->run(batch[i], utteranceIds.empty() ? kNoId : utteranceIds[i]);
      } catch (...) {
        errors[i] = std::current_exception();
        stop = true;
      }
      std::lock_guard<std::mutex> lock(trackerMutex);
      tracker.advance();
      if (tracker.cancelled()) stop = true;
    }
    m_impl->release(std::move(search));
  };
  std::vector<std::thread> pool;
  for (int k = 1; k < threads; ++k) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();

  // Every utterance before the last one handed out was decoded, so the first
  // error in input order is the same whatever the thread count.
  for (const std::exception_ptr& e : errors)
    if (e) std::rethrow_exception(e);
  tracker.throwIfCancelled();
  tracker.finish();
  return results;
}

}  // namespace understudy::decode
