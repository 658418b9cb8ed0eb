// A decoding graph and its search behind a header without OpenFst, for code
// that also includes LibTorch: OpenFst's fst/log.h and glog (which LibTorch
// pulls in) both declare FLAGS_v, so no translation unit can see both.
//
//   Recognizer r = Recognizer::loadOrBuild(ws / "graphs", lexicon, lm, units, {});
//   r.graph().key;  r.graph().states;             // what was built or found in the cache
//   auto results = r.decodeMany(batch, logPriors, options, silence, threads, ids);
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/decode/decoder.h"

namespace understudy {
class ProgressSink;
class UnitInventory;
}  // namespace understudy

namespace understudy::decode {

class Lexicon;
class NgramLm;
struct GraphOptions;

// What a caller needs to know about the graph (graph.h has the rest).
struct GraphSummary {
  std::string key;  // decodingGraphKey: 16 hex digits
  bool fromCache = false;
  std::int64_t states = 0, arcs = 0;
  int graphWords = 0;
  std::vector<std::string> lmWordsNotInLexicon;
  double buildSeconds = 0;
};

class Recognizer {
 public:
  // The graph cached in cacheRoot/<key> (loadOrBuildDecodingGraph).
  static Recognizer loadOrBuild(const std::filesystem::path& cacheRoot, const Lexicon& lexicon, const NgramLm& lm,
                                const UnitInventory& units, const GraphOptions& options);
  ~Recognizer();
  Recognizer(Recognizer&&) noexcept;
  Recognizer& operator=(Recognizer&&) noexcept;

  const GraphSummary& graph() const { return m_summary; }
  // The graph's words, without "<eps>".
  std::vector<std::string> words() const;
  // A Decoder over the graph (decoder.h) with these priors and options.
  Decoder decoder(std::vector<double> logPriors, const DecoderOptions& options,
                  std::vector<int> silenceUnits) const;

 private:
  Recognizer();
  struct Impl;
  std::unique_ptr<Impl> m_impl;
  GraphSummary m_summary;
};

}  // namespace understudy::decode
