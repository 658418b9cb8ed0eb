#include "core/decode/recognizer.h"

#include "core/decode/graph.h"
#include "core/decode/ngram_lm.h"
#include "core/store/unit_inventory.h"

namespace understudy::decode {

struct Recognizer::Impl {
  DecodingGraph graph;
};

Recognizer::Recognizer() : m_impl(std::make_unique<Impl>()) {}
Recognizer::~Recognizer() = default;
Recognizer::Recognizer(Recognizer&&) noexcept = default;
Recognizer& Recognizer::operator=(Recognizer&&) noexcept = default;

Recognizer Recognizer::loadOrBuild(const std::filesystem::path& cacheRoot, const Lexicon& lexicon, const NgramLm& lm,
                                   const UnitInventory& units, const GraphOptions& options) {
  Recognizer r;
  const std::string key = decodingGraphKey(lexicon, lm, units, options);
  r.m_impl->graph = loadOrBuildDecodingGraph(cacheRoot / key, lexicon, lm, units, options);
  const DecodingGraph& g = r.m_impl->graph;
  r.m_summary.key = g.key;
  r.m_summary.fromCache = g.fromCache;
  r.m_summary.states = g.stats.states;
  r.m_summary.arcs = g.stats.arcs;
  r.m_summary.graphWords = g.stats.graphWords;
  r.m_summary.lmWordsNotInLexicon = g.stats.lmWordsNotInLexicon;
  r.m_summary.buildSeconds = g.stats.buildSeconds;
  return r;
}

std::vector<std::string> Recognizer::words() const {
  const auto& w = m_impl->graph.words;
  return std::vector<std::string>(w.begin() + (w.empty() ? 0 : 1), w.end());
}

Decoder Recognizer::decoder(std::vector<double> logPriors, const DecoderOptions& options,
                            std::vector<int> silenceUnits) const {
  return Decoder(m_impl->graph.fst, m_impl->graph.words, std::move(logPriors), options, std::move(silenceUnits));
}

}  // namespace understudy::decode
