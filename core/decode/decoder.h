// Viterbi beam search over a decoding graph (docs/decoding.md "Decoder").
//
// The graph is an OpenFst tropical FST (weights are -ln probabilities): an
// arc with input label k+1 consumes one model frame (30 ms) as acoustic unit
// k, input label 0 consumes nothing (epsilon); output labels are word ids
// (0 = no word), named by `wordNames`. Consuming unit s at frame t costs
//   -a * (log q_t(s) - beta * log p(s))
// (a = acoustic scale, beta = prior scale, q the model's posteriors, p the
// unit priors). The decoder keeps the paths within `beam` of the best and at
// most `maxActive` of them per frame, and returns the cheapest complete path:
// its words with times, and its cost split into acoustic and graph parts.
//
//   DecoderOptions options;                       // beam 15, max-active 7000, a = 0.333
//   Decoder decoder(graph, wordNames, priors.logPriors(), options);
//   LogPosteriors post{frames, units, logPost.data()};   // row-major [frames x units]
//   DecodeResult r = decoder.decode(post, "utt1");
//   for (const DecodedWord& w : r.words) use(w.word, w.startSeconds(), w.endSeconds());
//   std::vector<DecodeResult> all = decoder.decodeMany(batch, /*threads=*/2, ids);
//
// A Decoder is immutable after construction: decode() and decodeMany() may be
// called from several threads at once. Results do not depend on the thread
// count.
#pragma once

#include <fst/fst-decl.h>

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

namespace understudy {
class ProgressSink;
}

namespace understudy::decode {

// One model frame is 30 ms (three 10 ms feature frames; docs/alignments.md).
inline constexpr double kModelFrameSeconds = 0.03;

// A view of one utterance's log-posteriors log q_t(s): row-major
// [frames x units] floats, not owned.
struct LogPosteriors {
  int frames = 0;
  int units = 0;
  const float* data = nullptr;
};

struct DecoderOptions {
  double beam = 15.0;            // keep paths within this cost of the best (> 0)
  int maxActive = 7000;          // keep at most this many paths per frame (>= 1)
  double acousticScale = 0.333;  // a: scales every acoustic cost (> 0)
  double priorScale = 1.0;       // beta: how much of log p(s) to subtract (>= 0)

  // Throws understudy::Error naming the field, value and allowed range.
  void validate() const;
  std::string toYaml() const;  // "beam: 15\nmax_active: 7000\n..."
};

// A word of the best path. Frames are model frames: [startFrame, endFrame).
struct DecodedWord {
  int wordId = 0;
  std::string word;
  int startFrame = 0;
  int endFrame = 0;  // one past the last frame
  double startSeconds() const { return startFrame * kModelFrameSeconds; }
  double endSeconds() const { return endFrame * kModelFrameSeconds; }
};

enum class DecodeStatus {
  Final,     // the best path ends in a final state (final weight included)
  NotFinal,  // no surviving path reached a final state: the best path overall
  NoPath,    // every path was pruned or blocked (e.g. the graph cannot consume
             // that many frames); no words
};

struct DecodeStats {
  int frames = 0;
  int maxActiveTokens = 0;        // most paths expanded in one frame (<= maxActive)
  double meanActiveTokens = 0;    // paths expanded per frame, averaged over frames
  std::int64_t arcsExpanded = 0;  // emitting arcs looked at, all frames
  int linkCollections = 0;        // garbage collections of the word backpointers
};

struct DecodeResult {
  DecodeStatus status = DecodeStatus::NoPath;
  std::vector<DecodedWord> words;
  // totalCost = acousticCost + graphCost. acousticCost is the sum of the
  // scaled acoustic costs above along the path; graphCost the sum of its arc
  // weights plus the final weight (when status is Final). +inf for NoPath.
  double totalCost = std::numeric_limits<double>::infinity();
  double acousticCost = std::numeric_limits<double>::infinity();
  double graphCost = std::numeric_limits<double>::infinity();
  DecodeStats stats;

  bool reachedFinal() const { return status == DecodeStatus::Final; }
  std::vector<int> wordIds() const;
  std::string text() const;  // the words joined by single spaces
};

class Decoder {
 public:
  // Copies `graph` into the decoder's own compact form (the FST may be
  // destroyed afterwards). `wordNames[i]` names output label i; `logPriors`
  // has one entry per unit and fixes the unit count. `silenceUnits` are unit
  // ids that a word's start and end times skip (leading or trailing
  // silence); empty: a word lasts until the next word starts.
  // Throws understudy::Error for a graph without a start state, a label
  // outside the units or word names, or bad options.
  Decoder(const fst::StdExpandedFst& graph, std::vector<std::string> wordNames,
          std::vector<double> logPriors, DecoderOptions options = {},
          std::vector<int> silenceUnits = {});
  ~Decoder();
  Decoder(Decoder&&) noexcept;
  Decoder& operator=(Decoder&&) noexcept;
  Decoder(const Decoder&) = delete;
  Decoder& operator=(const Decoder&) = delete;

  // Decodes one utterance. Throws understudy::Error (naming `utteranceId`)
  // when the posteriors do not have the priors' unit count or hold NaN.
  DecodeResult decode(const LogPosteriors& posteriors, const std::string& utteranceId = {}) const;

  // Decodes a batch on `threads` threads (0 = one per core); results in input
  // order, identical for every thread count. `utteranceIds` (empty, or one per
  // utterance) name utterances in errors. `progress` (optional) gets task
  // "decode" in utterances and may cancel (understudy::Error "decode
  // cancelled" once the utterances under way are done).
  // The first error, in input order, is rethrown after all threads stop.
  std::vector<DecodeResult> decodeMany(const std::vector<LogPosteriors>& batch, int threads,
                                       const std::vector<std::string>& utteranceIds = {},
                                       ProgressSink* progress = nullptr) const;

  const DecoderOptions& options() const;
  int numUnits() const;
  int numStates() const;
  std::int64_t numArcs() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace understudy::decode
