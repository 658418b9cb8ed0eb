// The worker side of the synthetic corpus: one utterance from its plan to
// audio with exact phone segments, and the shard result files that carry
// segments and pronunciations from worker processes back to the builder.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/corpus/synth/espeak_synthesizer.h"
#include "core/corpus/synth/synth_plan.h"

namespace understudy::synth {

struct UtteranceResult {
  std::string key;
  std::size_t index = 0;
  long numSamples = 0;                 // 16 kHz samples in the wav
  std::vector<PhoneSegment> phones;    // contiguous, covering [0, numSamples)
  std::vector<WordPronunciation> words;
};

// Synthesises `u` (padding, babble talkers, conditions) at 16 kHz and fills `result`.
std::vector<float> synthesizeUtterance(EspeakSynthesizer& tts, const DatasetPlan& dataset,
                                       const UtterancePlan& u, std::uint64_t corpusSeed,
                                       UtteranceResult& result);

// Shard result files: a header line with the shard's identity (so a stale
// file from another configuration is never reused), then per utterance
//   utt <key> <index> <num-samples>
//   seg <phone> <start> <end>      ...
//   word <word> [<phone> ...]      ...
// and a final "end" line (a file without it is incomplete).
std::string formatShardResults(const std::string& header, const std::vector<UtteranceResult>& results);
// Returns false if the text is incomplete or its header differs.
bool parseShardResults(const std::string& text, const std::string& header,
                       std::vector<UtteranceResult>& results);

}  // namespace understudy::synth
