// What the synthetic corpus contains: profiles, voice draws, sentences and
// conditions per dataset (docs/corpus.md; the rules behind them: docs/design.md
// "The synthetic corpus").
//
//   SynthCorpusConfig config;  config.profile = "tiny";  config.seed = 1;
//   std::vector<DatasetPlan> plans = planCorpus(config);
//
// Planning is cheap and deterministic in the seed; synthesis (synth_corpus.h)
// turns each plan into audio and exact alignments.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/corpus/synth/acoustic_conditions.h"
#include "core/corpus/synth/espeak_synthesizer.h"

namespace understudy::synth {

// Target amounts of speech per dataset, in seconds.
struct SynthProfile {
  std::string name;
  double labeledSeconds = 0;
  double unlabeledSeconds = 0;
  double testCleanSeconds = 0;
  double testNoisySeconds = 0;
  double unseenVariantSeconds = 0;
  int labeledVoices = 8;     // >= 6 voice/accent/variant combinations
  int unlabeledVoices = 24;  // >= 24
  int testVoices = 6;        // unseen speakers from the unlabeled voice families
  int unseenVariantVoices = 4;
  int lmSentences = 5000;    // lm/synth/text.txt (synth_lm.h), times the config's scale
};

// "tiny", "demo", "large"; throws for anything else (the hint lists them).
SynthProfile synthProfile(const std::string& name);
std::vector<std::string> synthProfileNames();

struct SynthCorpusConfig {
  std::string profile = "tiny";
  std::uint64_t seed = 1;
  int jobs = 2;                  // worker processes
  bool narrowUnlabeled = false;  // also `synth-unlabeled-narrow`
  double scale = 1.0;            // multiplies every target duration (tests use < 1)
  int shardSize = 24;            // utterances per worker process

  void validate() const;
  std::string toYaml() const;
};

// One utterance to synthesise.
struct UtterancePlan {
  std::string key;          // <speaker>-<dataset>-<nnnnnn>
  std::size_t index = 0;    // position in the dataset plan (trimming keeps a prefix)
  std::string text;
  VoiceSpec voice;
  AcousticCondition condition;
  std::uint64_t seed = 0;   // noise, reverberation, babble draws
};

struct DatasetPlan {
  std::string name;         // "synth-labeled", ...
  std::string kind;         // "labeled", "unlabeled", "test"
  std::string condition;    // "mixed", "clean", "noisy"
  double targetSeconds = 0;
  bool heldOutText = false; // sentences from the held-out (test) pool
  std::vector<VoiceSpec> voices;
  std::vector<VoiceSpec> babbleVoices;  // talkers for babble noise
  std::vector<UtterancePlan> utterances;  // more than the target; trimmed after synthesis
};

// All datasets of a corpus, in synthesis order.
std::vector<DatasetPlan> planCorpus(const SynthCorpusConfig& config);

// True if `sentence` belongs to the held-out pool (test sets only) for `seed`.
bool isHeldOutSentence(const std::string& sentence, std::uint64_t seed);

// Rough length of an utterance before synthesis, for planning (seconds).
double estimateSeconds(const std::string& text, const VoiceSpec& voice,
                       const AcousticCondition& condition);

// Variants that training sets may use, and those kept for the unseen-variant set.
const std::vector<std::string>& trainingVariants();
const std::vector<std::string>& unseenVariants();
const std::vector<std::string>& accentVoices();

}  // namespace understudy::synth
