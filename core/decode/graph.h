// The decoding graph HLG on OpenFst: H (one state per unit, 30 ms, self-loop),
// L (the lexicon, disambiguation symbols, optional silence) and G (an n-gram
// LM with back-off), composed, determinised and minimised; cached on disk.
//
//   auto lexicon = Lexicon::read(ws / "alignments/synth-labeled/lexicon.txt");
//   auto lm = NgramLm::readArpa(ws / "lm/lm.arpa");
//   GraphOptions options;                       // silence probability 0.5
//   DecodingGraph g = loadOrBuildDecodingGraph(ws / "graphs/demo", lexicon, lm, units, options);
//   Decoder decoder(g.fst, g.words, priors, decoderOptions);
//
// The graph (docs/decoding.md "Decoding graph"):
//   - an arc with input label k+1 consumes exactly one model frame as unit k;
//     input label 0 is epsilon and consumes nothing; there are no epsilon cycles;
//   - a unit lasting several frames takes its explicit self-loop (input k+1,
//     output 0, weight 0) once per extra frame;
//   - output labels are indexes into `words` (0 = "<eps>", no word); a word's
//     label may sit on an epsilon arc (determinisation moves outputs);
//   - weights are costs -ln p: LM (log10 ARPA values times ln 10), pronunciation
//     probability and optional-silence probability; no duration cost.
// It accepts every word sequence the LM allows (words in both the LM and the
// lexicon), as any pronunciation's units each repeated >= 1 times, with
// optional silence at the start, between words and at the end.
#pragma once

#include <fst/vector-fst.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/decode/graph_options.h"
#include "core/decode/lexicon.h"

namespace understudy {
class UnitInventory;
}

namespace understudy::decode {

class NgramLm;

struct GraphStats {
  int lmWords = 0;     // LM unigrams other than <s> and </s>
  int graphWords = 0;  // words in both the LM and the lexicon (len(words) - 1)
  // LM words without a (usable) pronunciation: dropped from G with every
  // n-gram that contains them. <unk> is among them when the LM has it.
  std::vector<std::string> lmWordsNotInLexicon;
  int skippedPronunciations = 0;  // UnknownPhones::Skip
  int disambiguationSymbols = 0;  // phone-level #0..#n (plus one for silence words)
  std::int64_t gStates = 0, gArcs = 0;
  std::int64_t lgStates = 0, lgArcs = 0;  // determinised, minimised, disambiguated
  std::int64_t states = 0, arcs = 0, epsilonArcs = 0, selfLoops = 0;
  double buildSeconds = 0;
};

struct DecodingGraph {
  fst::StdVectorFst fst;
  std::vector<std::string> words;  // output label -> word; words[0] = "<eps>"
  int numUnits = 0;                // input labels are 0..numUnits
  std::string key;                 // 16 hex digits: decodingGraphKey(...)
  GraphStats stats;
  bool fromCache = false;

  std::optional<int> wordId(const std::string& word) const;
};

DecodingGraph buildDecodingGraph(const Lexicon& lexicon, const NgramLm& lm,
                                 const UnitInventory& units, const GraphOptions& options = {});

// The graph in `cacheDir` (graph.fst, words.txt, graph.json) when graph.json's
// key equals decodingGraphKey(...) and the files' checksums match; otherwise
// builds it and replaces the cache (each file written atomically, graph.json
// last). A damaged cache is rebuilt with a warning.
DecodingGraph loadOrBuildDecodingGraph(const std::filesystem::path& cacheDir,
                                       const Lexicon& lexicon, const NgramLm& lm,
                                       const UnitInventory& units,
                                       const GraphOptions& options = {});

// XXH3-64 (hex) of the graph format version, the options, the units, the
// whole lexicon (Lexicon::toText) and every n-gram of the LM.
std::string decodingGraphKey(const Lexicon& lexicon, const NgramLm& lm,
                             const UnitInventory& units, const GraphOptions& options);

// ---- The steps of buildDecodingGraph, for tests and tools. -----------------
// Labels while building: unit k -> k+1, phone disambiguation symbol #j ->
// numUnits+1+j; words 1..N as in `words`, the word-level back-off symbol #0 ->
// N+1 (= words.size()).

// G: one state per LM history that has a longer n-gram (the others are
// skipped with their back-off weight, as exact), start = "<s>"; word arcs
// w:w, back-off arcs #0:<eps>, final weights from "</s>" n-grams. LM words
// outside `words` are dropped with their n-grams and listed in `dropped`.
fst::StdVectorFst makeGrammarFst(const NgramLm& lm, const std::vector<std::string>& words,
                                 std::vector<std::string>* dropped = nullptr);

struct LexiconFstInfo {
  int numDisambiguation = 0;  // phone labels numUnits+1 .. numUnits+numDisambiguation
};
// L with disambiguation symbols (Kaldi's add_lex_disambig + make_lexicon_fst):
// input units/#j, output words; #0:#0 self-loop where words start.
fst::StdVectorFst makeLexiconFst(const LexiconUnits& pronunciations,
                                 const std::vector<std::string>& words,
                                 const UnitInventory& units, double silenceProbability,
                                 LexiconFstInfo* info = nullptr);

// det(min(L o G)) with the disambiguation symbols still in (deterministic on
// the input side). Throws when L o G cannot be determinised.
fst::StdVectorFst composeLexiconGrammar(const fst::StdVectorFst& lexicon,
                                        const fst::StdVectorFst& grammar);

// Input labels above numUnits (disambiguation symbols) become epsilon.
void removeDisambiguationSymbols(fst::StdVectorFst* fst, int numUnits);

// H: splits states so that every state's incoming arcs share one input label,
// then gives each state entered by unit k a self-loop k (Kaldi's add-self-loops).
void addUnitSelfLoops(fst::StdVectorFst* fst);

}  // namespace understudy::decode
