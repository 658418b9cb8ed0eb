// The built-in synthetic voice-assistant corpus (docs/corpus.md; design rules
// in docs/design.md "The synthetic corpus"). Builds, in a workspace:
//
//   audio/<dataset>/<utt-id>.wav          16 kHz 16-bit mono
//   alignments/<dataset>/phones.txt       Kaldi symbol table, same for every dataset
//   alignments/<dataset>/ali.txt          one phone id per 10 ms fbank frame (text archive)
//   alignments/<dataset>/lexicon.txt      pronunciations actually spoken
//   alignments/<dataset>/phones.ctm       phone segments in seconds (sample-exact)
//   lm/synth/{text,lexicon}.txt, info.json  LM text and decoding lexicon (synth_lm.h)
//   + datasets, utterances and alignment_sets rows, one transaction per dataset.
//
//   SynthCorpusConfig config;  config.profile = "tiny";  config.seed = 7;
//   auto summary = buildSynthCorpus(ws, config, &progress);
//
// espeak-ng is not thread-safe, so synthesis runs in worker processes forked
// from the caller (forked_workers.h; call this before starting any thread),
// each handling one fixed shard of utterances in a fixed order: the same
// config gives byte-identical audio and alignments whatever `jobs` is. Finished shards
// survive an interruption and are reused when the command runs again;
// datasets already in the workspace with the same profile and seed are
// skipped, with another profile or seed the build refuses.
#pragma once

#include <string>
#include <vector>

#include "core/corpus/synth/synth_lm.h"
#include "core/corpus/synth/synth_plan.h"
#include "core/store/workspace.h"
#include "core/util/progress.h"

namespace understudy::synth {

struct SynthDatasetSummary {
  std::string name;
  std::string kind;
  int numUtterances = 0;
  int numSpeakers = 0;
  double totalSeconds = 0;
  double targetSeconds = 0;
  bool alreadyComplete = false;  // found in the workspace, not rebuilt
};

struct SynthCorpusSummary {
  std::vector<SynthDatasetSummary> datasets;
  double wallSeconds = 0;
  double audioSeconds = 0;  // synthesised in this call
  SynthLmSummary lm;        // lm/synth, built after the datasets (not in wallSeconds)
};

SynthCorpusSummary buildSynthCorpus(Workspace& ws, const SynthCorpusConfig& config,
                                    ProgressSink* progress = nullptr);

// Frames of a 16 kHz utterance with Kaldi's snip_edges framing (25 ms / 10 ms):
// 1 + (samples - 400) / 160, or 0 below 400 samples.
long numFbankFrames(long numSamples);

}  // namespace understudy::synth
