#include "core/decode/graph.h"

#include <fst/fstlib.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "core/decode/ngram_lm.h"
#include "core/store/unit_inventory.h"
#include "core/util/atomic_file.h"
#include "core/util/checksum.h"
#include "core/util/error.h"
#include "core/util/log.h"

namespace understudy::decode {

namespace {

using fst::StdArc;
using fst::StdVectorFst;
using Weight = fst::TropicalWeight;
using StateId = StdArc::StateId;

// Bumped whenever the construction changes what a cached graph holds.
constexpr const char* kGraphFormat = "understudy-decoding-graph 1";

const double kLn10 = std::log(10.0);

// Determinisation merges subsets whose residual weights agree within delta,
// so a path's cost can move by up to about delta per merge. OpenFst's and
// Kaldi's default is 1/1024 (test_graph then sees costs off by 4e-4); 1e-5
// keeps them exact to float precision for 5 more states in 41,754 on the
// demo's trigram (docs/decoding.md).
constexpr float kDeterminizeDelta = 1e-5f;

double costOfLog10(double log10Prob) { return -log10Prob * kLn10; }

std::string formatDouble(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.17g", v);
  return buffer;
}

// ---- G ----------------------------------------------------------------------

// Words of an n-gram as ids: graph words 1..N, <s> and </s> negative.
constexpr int kBos = -1;
constexpr int kEos = -2;

struct IdsHash {
  std::size_t operator()(const std::vector<int>& ids) const {
    return static_cast<std::size_t>(checksum64(ids.data(), ids.size() * sizeof(int)));
  }
};

struct NgramValue {
  double logProb10;
  double backoff10;
};

}  // namespace

fst::StdVectorFst makeGrammarFst(const NgramLm& lm, const std::vector<std::string>& words,
                                 std::vector<std::string>* dropped) {
  std::unordered_map<std::string, int> wordIds;
  for (std::size_t i = 1; i < words.size(); ++i) wordIds.emplace(words[i], static_cast<int>(i));
  const int backoffLabel = static_cast<int>(words.size());

  std::set<std::string> droppedWords;
  auto idOf = [&](const std::string& w) -> std::optional<int> {
    if (w == "<s>") return kBos;
    if (w == "</s>") return kEos;
    const auto it = wordIds.find(w);
    if (it == wordIds.end()) {
      droppedWords.insert(w);
      return std::nullopt;
    }
    return it->second;
  };

  // Every n-gram whose words are all kept, in file order; <s> only first,
  // </s> only last (anything else cannot occur in a sentence).
  std::unordered_map<std::vector<int>, NgramValue, IdsHash> table;
  std::vector<std::vector<int>> order;  // keys of `table` in file order
  for (int n = 1; n <= lm.order(); ++n) {
    for (const auto& e : lm.ngrams(n)) {
      std::vector<int> ids;
      bool keep = true;
      for (const auto& w : e.words) {
        const auto id = idOf(w);
        if (!id) keep = false;
        else ids.push_back(*id);
      }
      if (!keep || ids.empty()) continue;
      for (std::size_t i = 0; i < ids.size(); ++i) {
        if ((ids[i] == kBos && i != 0) || (ids[i] == kEos && i + 1 != ids.size())) keep = false;
      }
      if (!keep) continue;
      if (table.emplace(ids, NgramValue{e.logProb10, e.backoff10.value_or(0.0)}).second)
        order.push_back(std::move(ids));
    }
  }
  if (dropped) dropped->assign(droppedWords.begin(), droppedWords.end());

  // A state per history that some longer n-gram extends, plus the empty one
  // and <s> (the start). An arc into any other history goes to its longest
  // suffix that is a state and pays the skipped back-off weights: with no
  // n-gram of its own, P(w | h) = bo(h) P(w | h minus its first word).
  std::unordered_map<std::vector<int>, StateId, IdsHash> states;
  StdVectorFst g;
  std::vector<std::vector<int>> histories;
  auto addHistory = [&](const std::vector<int>& h) {
    if (states.emplace(h, 0).second) {
      states[h] = g.AddState();
      histories.push_back(h);
    }
  };
  addHistory({});
  addHistory({kBos});
  for (const auto& ids : order) {
    if (ids.size() >= 2 && ids.back() != kBos)
      addHistory(std::vector<int>(ids.begin(), ids.end() - 1));
  }
  g.SetStart(states.at({kBos}));

  auto backoffOf = [&](const std::vector<int>& h) {
    const auto it = table.find(h);
    return it == table.end() ? 0.0 : it->second.backoff10;
  };
  auto resolve = [&](std::vector<int> h, double* cost) {
    while (states.count(h) == 0) {
      *cost += costOfLog10(backoffOf(h));
      h.erase(h.begin());
    }
    return states.at(h);
  };
  const std::size_t maxHistory = static_cast<std::size_t>(std::max(lm.order() - 1, 0));
  for (const auto& ids : order) {
    const int w = ids.back();
    if (w == kBos) continue;  // <s> is only ever a history
    const std::vector<int> h(ids.begin(), ids.end() - 1);
    const auto from = states.find(h);
    if (from == states.end()) continue;  // its history is never reached
    double cost = costOfLog10(table.at(ids).logProb10);
    if (w == kEos) {
      g.SetFinal(from->second, Weight(static_cast<float>(cost)));
      continue;
    }
    std::vector<int> next = ids;
    if (next.size() > maxHistory) next.erase(next.begin(), next.end() - maxHistory);
    const StateId to = resolve(next, &cost);
    g.AddArc(from->second, StdArc(w, w, Weight(static_cast<float>(cost)), to));
  }
  for (const auto& h : histories) {
    if (h.empty()) continue;
    double cost = costOfLog10(backoffOf(h));
    const StateId to = resolve(std::vector<int>(h.begin() + 1, h.end()), &cost);
    g.AddArc(states.at(h), StdArc(backoffLabel, 0, Weight(static_cast<float>(cost)), to));
  }
  fst::Connect(&g);
  fst::ArcSort(&g, fst::ILabelCompare<StdArc>());
  return g;
}

// ---- L ----------------------------------------------------------------------

fst::StdVectorFst makeLexiconFst(const LexiconUnits& pronunciations,
                                 const std::vector<std::string>& words,
                                 const UnitInventory& units, double silenceProbability,
                                 LexiconFstInfo* info) {
  const int numUnits = units.size();
  const int wordBackoff = static_cast<int>(words.size());
  struct Entry {
    int word;
    std::vector<int> labels;  // unit labels (k+1), then #j if needed
    double cost;
  };
  std::vector<Entry> entries;
  for (std::size_t w = 1; w < words.size(); ++w) {
    const auto it = pronunciations.entries.find(words[w]);
    if (it == pronunciations.entries.end())
      throw US_ERROR("word '" + words[w] + "' has no pronunciation for the lexicon FST");
    for (const auto& p : it->second) {
      Entry e{static_cast<int>(w), {}, -std::log(p.probability)};
      for (const int u : p.units) e.labels.push_back(u + 1);
      entries.push_back(std::move(e));
    }
  }

  // Kaldi's add_lex_disambig: a unit sequence shared by several entries
  // (homophones) or that is a proper prefix of another gets #1, #2, ... so
  // that L o G is determinisable; #0 is G's back-off.
  std::map<std::vector<int>, int> count;
  std::set<std::vector<int>> prefixes;
  for (const auto& e : entries) {
    ++count[e.labels];
    for (std::size_t n = 1; n < e.labels.size(); ++n)
      prefixes.emplace(e.labels.begin(), e.labels.begin() + static_cast<long>(n));
  }
  std::map<std::vector<int>, int> lastUsed;
  int maxDisambig = 0;
  const int firstDisambig = numUnits + 1;  // #0
  for (auto& e : entries) {
    if (count[e.labels] > 1 || prefixes.count(e.labels) != 0) {
      const int k = ++lastUsed[e.labels];
      maxDisambig = std::max(maxDisambig, k);
      e.labels.push_back(firstDisambig + k);
    }
  }
  int numDisambig = maxDisambig + 1;  // #0..#max

  const bool withSilence = silenceProbability > 0;
  const int silence = units.silenceId();
  if (withSilence && silence < 0) {
    throw US_ERROR("optional silence needs a silence unit, and the inventory has none ('" +
                   units.silenceName() + "')")
        .hint("set silence_probability 0, or use units with a silence unit");
  }
  // A word pronounced as silence alone would be ambiguous with the optional
  // silence: as Kaldi does, the optional silence then ends in its own #j.
  bool silenceWord = false;
  if (withSilence) {
    for (const auto& e : entries)
      if (e.labels.size() == 1 && e.labels[0] == silence + 1) silenceWord = true;
  }
  int silenceDisambig = 0;
  if (silenceWord) silenceDisambig = firstDisambig + numDisambig++;

  StdVectorFst l;
  const StateId start = l.AddState();
  l.SetStart(start);
  StateId loop = start;
  StateId silState = fst::kNoStateId;
  const float silCost = withSilence ? static_cast<float>(-std::log(silenceProbability)) : 0.f;
  const float noSilCost =
      withSilence ? static_cast<float>(-std::log(1.0 - silenceProbability)) : 0.f;
  if (withSilence) {
    loop = l.AddState();
    silState = l.AddState();
    l.AddArc(start, StdArc(0, 0, Weight(noSilCost), loop));
    l.AddArc(start, StdArc(0, 0, Weight(silCost), silState));
    if (silenceWord) {
      const StateId afterSil = l.AddState();
      l.AddArc(silState, StdArc(silence + 1, 0, Weight::One(), afterSil));
      l.AddArc(afterSil, StdArc(silenceDisambig, 0, Weight::One(), loop));
    } else {
      l.AddArc(silState, StdArc(silence + 1, 0, Weight::One(), loop));
    }
  }
  l.SetFinal(loop, Weight::One());
  for (const auto& e : entries) {
    StateId s = loop;
    for (std::size_t i = 0; i < e.labels.size(); ++i) {
      const int out = i == 0 ? e.word : 0;
      const float cost = i == 0 ? static_cast<float>(e.cost) : 0.f;
      if (i + 1 < e.labels.size()) {
        const StateId next = l.AddState();
        l.AddArc(s, StdArc(e.labels[i], out, Weight(cost), next));
        s = next;
      } else {
        l.AddArc(s, StdArc(e.labels[i], out, Weight(cost + noSilCost), loop));
        if (withSilence) l.AddArc(s, StdArc(e.labels[i], out, Weight(cost + silCost), silState));
      }
    }
  }
  l.AddArc(loop, StdArc(firstDisambig, wordBackoff, Weight::One(), loop));
  // The start's two epsilon arcs go: L o G's input side is then epsilon-free.
  if (withSilence) fst::RmEpsilon(&l);
  fst::ArcSort(&l, fst::OLabelCompare<StdArc>());
  if (info) info->numDisambiguation = numDisambig;
  return l;
}

// ---- L o G, H ------------------------------------------------------------------

fst::StdVectorFst composeLexiconGrammar(const fst::StdVectorFst& lexicon,
                                        const fst::StdVectorFst& grammar) {
  // OpenFst's default on an error (a non-functional input to Determinize) is
  // to exit the process; engine code must throw instead, so errors only mark
  // the FST (kError) and are turned into understudy::Error below.
  FLAGS_fst_error_fatal = false;
  StdVectorFst lg;
  fst::Compose(lexicon, grammar, &lg);
  fst::Connect(&lg);
  StdVectorFst det;
  fst::DeterminizeOptions<StdArc> options;
  options.delta = kDeterminizeDelta;
  fst::Determinize(lg, &det, options);
  if (det.Properties(fst::kError, false) != 0 || (lg.Start() != fst::kNoStateId && det.Start() == fst::kNoStateId)) {
    throw US_ERROR("L o G cannot be determinised: one unit string gives different words")
        .hint("a pronunciation that contains the silence unit next to other units, or "
              "an LM with duplicate n-grams, can do this; check the lexicon");
  }
  // Minimise as an unweighted acceptor over (input, output, weight) triples:
  // weights and words stay where determinisation put them (Kaldi's
  // fstminimizeencoded).
  fst::EncodeMapper<StdArc> encoder(fst::kEncodeLabels | fst::kEncodeWeights, fst::ENCODE);
  fst::Encode(&det, &encoder);
  fst::Minimize(&det);
  fst::Decode(&det, encoder);
  return det;
}

void removeDisambiguationSymbols(fst::StdVectorFst* graph, int numUnits) {
  for (fst::StateIterator<StdVectorFst> s(*graph); !s.Done(); s.Next()) {
    for (fst::MutableArcIterator<StdVectorFst> a(graph, s.Value()); !a.Done(); a.Next()) {
      StdArc arc = a.Value();
      if (arc.ilabel > numUnits) {
        arc.ilabel = 0;
        a.SetValue(arc);
      }
    }
  }
}

void addUnitSelfLoops(fst::StdVectorFst* graph) {
  // classes[s]: the input labels of the arcs entering s (sorted, unique), and
  // kStartClass for the start state, which must not repeat anything.
  constexpr int kStartClass = -1;
  const StateId n = graph->NumStates();
  std::vector<std::vector<int>> classes(static_cast<std::size_t>(n));
  if (graph->Start() != fst::kNoStateId)
    classes[static_cast<std::size_t>(graph->Start())].push_back(kStartClass);
  for (StateId s = 0; s < n; ++s)
    for (fst::ArcIterator<StdVectorFst> a(*graph, s); !a.Done(); a.Next())
      classes[static_cast<std::size_t>(a.Value().nextstate)].push_back(a.Value().ilabel);
  std::vector<std::vector<StateId>> ids(static_cast<std::size_t>(n));
  StdVectorFst out;
  for (StateId s = 0; s < n; ++s) {
    auto& c = classes[static_cast<std::size_t>(s)];
    std::sort(c.begin(), c.end());
    c.erase(std::unique(c.begin(), c.end()), c.end());
    for (std::size_t i = 0; i < c.size(); ++i) ids[static_cast<std::size_t>(s)].push_back(out.AddState());
  }
  auto idOf = [&](StateId s, int label) {
    const auto& c = classes[static_cast<std::size_t>(s)];
    const auto i = std::lower_bound(c.begin(), c.end(), label) - c.begin();
    return ids[static_cast<std::size_t>(s)][static_cast<std::size_t>(i)];
  };
  for (StateId s = 0; s < n; ++s) {
    const auto& c = classes[static_cast<std::size_t>(s)];
    for (std::size_t i = 0; i < c.size(); ++i) {
      const StateId copy = ids[static_cast<std::size_t>(s)][i];
      out.SetFinal(copy, graph->Final(s));
      if (c[i] > 0) out.AddArc(copy, StdArc(c[i], 0, Weight::One(), copy));
      for (fst::ArcIterator<StdVectorFst> a(*graph, s); !a.Done(); a.Next()) {
        StdArc arc = a.Value();
        arc.nextstate = idOf(arc.nextstate, arc.ilabel);
        out.AddArc(copy, arc);
      }
    }
  }
  if (graph->Start() != fst::kNoStateId) out.SetStart(idOf(graph->Start(), kStartClass));
  *graph = std::move(out);
}

// ---- Options, key, build ---------------------------------------------------------

void GraphOptions::validate() const {
  if (!(silenceProbability >= 0.0 && silenceProbability < 1.0)) {
    throw US_ERROR("silence_probability " + formatDouble(silenceProbability) +
                   " is outside [0, 1)")
        .key("silence_probability")
        .hint("0 = no optional silence; 0.5 is Kaldi's usual value");
  }
}

std::string GraphOptions::toString() const {
  return "silence_probability=" + formatDouble(silenceProbability) +
         " unknown_phones=" + (unknownPhones == UnknownPhones::Error ? "error" : "skip");
}

std::optional<int> DecodingGraph::wordId(const std::string& word) const {
  for (std::size_t i = 1; i < words.size(); ++i)
    if (words[i] == word) return static_cast<int>(i);
  return std::nullopt;
}

std::string decodingGraphKey(const Lexicon& lexicon, const NgramLm& lm,
                             const UnitInventory& units, const GraphOptions& options) {
  Checksum64 sum;
  auto add = [&](const std::string& s) {
    sum.update(s.data(), s.size());
    const char sep = '\n';
    sum.update(&sep, 1);
  };
  add(kGraphFormat);
  add(options.toString());
  add("units silence=" + units.silenceName());
  add(units.toPhonesTable());
  add("lexicon");
  add(lexicon.toText());
  add("lm order=" + std::to_string(lm.order()));
  for (int n = 1; n <= lm.order(); ++n) {
    for (const auto& e : lm.ngrams(n)) {
      std::string line = formatDouble(e.logProb10);
      for (const auto& w : e.words) line += " " + w;
      line += e.backoff10 ? " " + formatDouble(*e.backoff10) : std::string(" -");
      add(line);
    }
  }
  return toHex(sum.digest());
}

DecodingGraph buildDecodingGraph(const Lexicon& lexicon, const NgramLm& lm,
                                 const UnitInventory& units, const GraphOptions& options) {
  options.validate();
  if (units.empty()) throw US_ERROR("the unit inventory is empty");
  const auto started = std::chrono::steady_clock::now();
  DecodingGraph graph;
  graph.numUnits = units.size();
  graph.key = decodingGraphKey(lexicon, lm, units, options);

  std::set<std::string> lmWords;
  for (const auto& w : lm.vocabulary())
    if (w != "<s>" && w != "</s>") lmWords.insert(w);
  graph.stats.lmWords = static_cast<int>(lmWords.size());
  const LexiconUnits prons = mapToUnits(lexicon, units, lmWords, options.unknownPhones);
  graph.stats.skippedPronunciations = prons.skippedPronunciations;
  graph.words.push_back("<eps>");
  for (const auto& entry : prons.entries) graph.words.push_back(entry.first);
  graph.stats.graphWords = static_cast<int>(graph.words.size()) - 1;
  if (graph.stats.graphWords == 0) {
    throw US_ERROR("no word of the LM's " + std::to_string(lmWords.size()) +
                   " has a pronunciation in the lexicon (" +
                   std::to_string(lexicon.numWords()) + " words)")
        .hint("use a lexicon that covers the LM's vocabulary (same spelling and case)");
  }

  const StdVectorFst g = makeGrammarFst(lm, graph.words, &graph.stats.lmWordsNotInLexicon);
  graph.stats.gStates = g.NumStates();
  for (StateId s = 0; s < g.NumStates(); ++s) graph.stats.gArcs += g.NumArcs(s);
  if (g.Start() == fst::kNoStateId) {
    throw US_ERROR("the LM accepts no sentence made of words the lexicon has")
        .hint("check that the LM has </s> n-grams and that its words are in the lexicon");
  }
  LexiconFstInfo info;
  const StdVectorFst l =
      makeLexiconFst(prons, graph.words, units, options.silenceProbability, &info);
  graph.stats.disambiguationSymbols = info.numDisambiguation;

  graph.fst = composeLexiconGrammar(l, g);
  graph.stats.lgStates = graph.fst.NumStates();
  for (StateId s = 0; s < graph.fst.NumStates(); ++s) graph.stats.lgArcs += graph.fst.NumArcs(s);
  if (graph.fst.Start() == fst::kNoStateId) {
    throw US_ERROR("the decoding graph accepts nothing (L o G is empty)")
        .hint("check that the LM's sentences use words of the lexicon");
  }
  removeDisambiguationSymbols(&graph.fst, units.size());
  addUnitSelfLoops(&graph.fst);
  fst::ArcSort(&graph.fst, fst::ILabelCompare<StdArc>());

  auto& st = graph.stats;
  st.states = graph.fst.NumStates();
  for (StateId s = 0; s < graph.fst.NumStates(); ++s) {
    for (fst::ArcIterator<StdVectorFst> a(graph.fst, s); !a.Done(); a.Next()) {
      ++st.arcs;
      if (a.Value().ilabel == 0) ++st.epsilonArcs;
      if (a.Value().nextstate == s && a.Value().ilabel != 0) ++st.selfLoops;
    }
  }
  st.buildSeconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  const auto& dropped = st.lmWordsNotInLexicon;
  if (!dropped.empty()) {
    std::string some;
    for (std::size_t i = 0; i < dropped.size() && i < 5; ++i) some += (i ? ", " : "") + dropped[i];
    if (dropped.size() > 5) some += ", ...";
    log::warning("decoding graph: {} of the LM's {} words are not in the lexicon and were "
                 "dropped from G ({})",
                 dropped.size(), st.lmWords, some);
  }
  log::info("decoding graph: {} words, G {} states / {} arcs, LG {} / {}, HLG {} states, "
            "{} arcs ({} epsilon), built in {:.2f} s",
            st.graphWords, st.gStates, st.gArcs, st.lgStates, st.lgArcs, st.states, st.arcs,
            st.epsilonArcs, st.buildSeconds);
  return graph;
}

// ---- Cache ------------------------------------------------------------------------

namespace {

nlohmann::json statsToJson(const GraphStats& s) {
  return {{"lm_words", s.lmWords},
          {"graph_words", s.graphWords},
          {"lm_words_not_in_lexicon", s.lmWordsNotInLexicon},
          {"skipped_pronunciations", s.skippedPronunciations},
          {"disambiguation_symbols", s.disambiguationSymbols},
          {"g_states", s.gStates},
          {"g_arcs", s.gArcs},
          {"lg_states", s.lgStates},
          {"lg_arcs", s.lgArcs},
          {"states", s.states},
          {"arcs", s.arcs},
          {"epsilon_arcs", s.epsilonArcs},
          {"self_loops", s.selfLoops},
          {"build_seconds", s.buildSeconds}};
}

GraphStats statsFromJson(const nlohmann::json& j) {
  GraphStats s;
  s.lmWords = j.at("lm_words").get<int>();
  s.graphWords = j.at("graph_words").get<int>();
  s.lmWordsNotInLexicon = j.at("lm_words_not_in_lexicon").get<std::vector<std::string>>();
  s.skippedPronunciations = j.at("skipped_pronunciations").get<int>();
  s.disambiguationSymbols = j.at("disambiguation_symbols").get<int>();
  s.gStates = j.at("g_states").get<std::int64_t>();
  s.gArcs = j.at("g_arcs").get<std::int64_t>();
  s.lgStates = j.at("lg_states").get<std::int64_t>();
  s.lgArcs = j.at("lg_arcs").get<std::int64_t>();
  s.states = j.at("states").get<std::int64_t>();
  s.arcs = j.at("arcs").get<std::int64_t>();
  s.epsilonArcs = j.at("epsilon_arcs").get<std::int64_t>();
  s.selfLoops = j.at("self_loops").get<std::int64_t>();
  s.buildSeconds = j.at("build_seconds").get<double>();
  return s;
}

std::string wordsTable(const std::vector<std::string>& words) {
  std::string out;
  for (std::size_t i = 0; i < words.size(); ++i) out += words[i] + " " + std::to_string(i) + "\n";
  return out;
}

// The cached graph, or nullopt (with the reason in *why) when it is absent,
// for other inputs, or damaged.
std::optional<DecodingGraph> loadCached(const std::filesystem::path& dir, const std::string& key,
                                        int numUnits, std::string* why) {
  namespace fs = std::filesystem;
  const fs::path meta = dir / "graph.json", fstPath = dir / "graph.fst",
                 wordsPath = dir / "words.txt";
  if (!fs::exists(meta)) {
    *why = "no cached graph";
    return std::nullopt;
  }
  try {
    const auto j = nlohmann::json::parse(readFile(meta));
    if (j.at("key").get<std::string>() != key) {
      *why = "the cached graph was built from other inputs (key " +
             j.at("key").get<std::string>() + ", now " + key + ")";
      return std::nullopt;
    }
    if (!fs::exists(fstPath) || !fs::exists(wordsPath) ||
        toHex(fileChecksum64(fstPath)) != j.at("fst_checksum").get<std::string>() ||
        toHex(fileChecksum64(wordsPath)) != j.at("words_checksum").get<std::string>()) {
      *why = "the cached graph's files are missing or do not match graph.json";
      return std::nullopt;
    }
    std::unique_ptr<StdVectorFst> fst(StdVectorFst::Read(fstPath.string()));
    if (!fst) {
      *why = "OpenFst could not read " + fstPath.string();
      return std::nullopt;
    }
    DecodingGraph g;
    g.fst = *fst;
    g.key = key;
    g.numUnits = numUnits;
    g.stats = statsFromJson(j.at("stats"));
    std::istringstream in(readFile(wordsPath));
    std::string word;
    std::size_t id = 0;
    while (in >> word >> id) {
      if (id != g.words.size()) {
        *why = "words.txt ids are not 0, 1, 2, ...";
        return std::nullopt;
      }
      g.words.push_back(word);
    }
    g.fromCache = true;
    return g;
  } catch (const nlohmann::json::exception& e) {
    *why = std::string("graph.json is damaged: ") + e.what();
    return std::nullopt;
  }
}

}  // namespace

DecodingGraph loadOrBuildDecodingGraph(const std::filesystem::path& cacheDir,
                                       const Lexicon& lexicon, const NgramLm& lm,
                                       const UnitInventory& units, const GraphOptions& options) {
  namespace fs = std::filesystem;
  options.validate();
  const std::string key = decodingGraphKey(lexicon, lm, units, options);
  std::string why;
  if (auto cached = loadCached(cacheDir, key, units.size(), &why)) {
    log::info("decoding graph: reusing {} (key {})", cacheDir.string(), key);
    return std::move(*cached);
  }
  log::info("decoding graph: building in {}: {}", cacheDir.string(), why);
  DecodingGraph graph = buildDecodingGraph(lexicon, lm, units, options);

  std::error_code ec;
  fs::create_directories(cacheDir, ec);
  if (ec) {
    throw US_ERROR("cannot create the graph cache folder: " + ec.message())
        .file(cacheDir.string());
  }
  // graph.json goes first and comes back last: a crash in between leaves no
  // key, so the next call rebuilds instead of trusting a half-written cache.
  fs::remove(cacheDir / "graph.json", ec);
  std::ostringstream bytes;
  if (!graph.fst.Write(bytes, fst::FstWriteOptions("graph.fst"))) {
    throw US_ERROR("OpenFst could not serialise the decoding graph")
        .file((cacheDir / "graph.fst").string());
  }
  const std::string fstBytes = bytes.str();
  const std::string wordsText = wordsTable(graph.words);
  writeFileAtomically(cacheDir / "graph.fst", fstBytes);
  writeFileAtomically(cacheDir / "words.txt", wordsText);
  const nlohmann::json meta = {{"format", kGraphFormat},
                               {"key", key},
                               {"options", options.toString()},
                               {"num_units", units.size()},
                               {"fst_checksum", toHex(checksum64(fstBytes))},
                               {"words_checksum", toHex(checksum64(wordsText))},
                               {"stats", statsToJson(graph.stats)}};
  writeFileAtomically(cacheDir / "graph.json", meta.dump(2) + "\n");
  return graph;
}

}  // namespace understudy::decode
