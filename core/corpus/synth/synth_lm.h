// Text for language models and a decoding lexicon for the synthetic corpus
// (docs/corpus.md "LM text and lexicon"; docs/decoding.md). buildSynthCorpus
// writes them after the datasets, in the workspace:
//
//   lm/synth/text.txt      grammar sentences from the training pool, one per line
//   lm/synth/lexicon.txt   "word p1 p2 ...": every grammar word, every pronunciation
//                          of the training voices' accents, units of alignments/<d>/phones.txt
//   lm/synth/info.json     profile, seed, scale, counts, checksums, test-set coverage
//
//   SynthLmSummary s = buildSynthLm(ws, config, planCorpus(config));
//   SynthLmFiles lm = openSynthLm(ws.root());   // checks both files against info.json
//   lm.text;  lm.lexicon;                       // absolute paths
//
// espeak-ng is not thread-safe: its phonemiser runs in worker processes forked
// from the caller (forked_workers.h; one per accent, at most config.jobs at
// once; call before starting any thread), so the files are the same whatever
// `jobs` is.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/corpus/synth/synth_plan.h"
#include "core/store/workspace.h"
#include "core/util/progress.h"

namespace understudy::synth {

// How much of a test set's spoken pronunciations (alignments/<d>/lexicon.txt) the lexicon holds.
struct LexiconCoverage {
  std::string dataset;
  int words = 0;           // distinct words spoken in the set
  int wordsCovered = 0;    // ... with every spoken pronunciation in the lexicon
  int entries = 0;         // distinct (word, pronunciation) pairs spoken
  int entriesCovered = 0;  // ... found in the lexicon
};

struct SynthLmSummary {
  int sentences = 0;  // lines of text.txt
  int distinctSentences = 0;
  int lexiconWords = 0;
  int lexiconEntries = 0;
  // Lexicon entries by where they first come from: the citation form of a word
  // (espeak_TextToPhonemes on the word alone), its form inside an LM-text
  // sentence, or only the training sets' alignments/<d>/lexicon.txt.
  int fromCitation = 0;
  int fromContext = 0;
  int fromAlignmentsOnly = 0;
  int trainingSpokenEntries = 0;     // distinct entries of the training sets' lexicons
  std::vector<std::string> accents;  // espeak-ng voices phonemised: the training voices' accents
  std::vector<LexiconCoverage> testCoverage;
  bool alreadyComplete = false;  // found in the workspace, not rebuilt
  double wallSeconds = 0;
};

// Sentences in text.txt: the profile's lmSentences times config.scale (at least 1).
int lmSentenceCount(const SynthCorpusConfig& config);
// The LM text, deterministic in (profile, seed, scale): sentences of the
// command grammar that are not in the held-out pool (isHeldOutSentence).
std::vector<std::string> planLmText(const SynthCorpusConfig& config);
// The espeak-ng voices (accents) of every dataset that does not hold held-out
// text, sorted: the accents a lexicon may draw on.
std::vector<std::string> trainingAccents(const std::vector<DatasetPlan>& plans);

// The workspace folder: <ws>/lm/synth.
std::filesystem::path synthLmDir(const std::filesystem::path& workspaceRoot);

// Throws if lm/synth holds files of another profile, seed or scale (the
// datasets' rule); does nothing if it holds none or the same.
void checkSynthLmConfig(const std::filesystem::path& workspaceRoot,
                        const SynthCorpusConfig& config);

// Writes lm/synth (atomically, info.json last). Reuses a complete lm/synth of
// the same configuration; per-accent results of an interrupted build are
// kept in lm/synth/.partial and reused. Needs the training datasets'
// alignments/<d>/lexicon.txt (their spoken pronunciations join the lexicon).
SynthLmSummary buildSynthLm(Workspace& ws, const SynthCorpusConfig& config,
                            const std::vector<DatasetPlan>& plans,
                            ProgressSink* progress = nullptr);

struct SynthLmFiles {
  std::filesystem::path text;
  std::filesystem::path lexicon;
  std::string profile;
  std::uint64_t seed = 0;
  int sentences = 0;
  int lexiconEntries = 0;
};
// The files of a complete lm/synth, checked against info.json's checksums;
// throws (naming the file) if one is missing or differs.
SynthLmFiles openSynthLm(const std::filesystem::path& workspaceRoot);

}  // namespace understudy::synth
