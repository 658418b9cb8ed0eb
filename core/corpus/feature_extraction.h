// Filterbank features for a whole dataset: the engine side of
// `understudy-cli features`.
//
//   FeatureExtractionOptions opt;            // opt.fbank = FbankOptions::fromYaml(...)
//   opt.jobs = 2;
//   FeatureExtractionSummary s = extractFeatures(ws, "train-clean", opt, &progress);
//
// Every 'ok' utterance of the dataset is read at the fbank's sample rate
// (segment offsets included, channels as chosen at import) and its fbank is
// appended to a FeatureStore at WS/features/<dataset>-<confighash8>/,
// committed every `commitEvery` utterances. Utterances already in the store
// are skipped, so an interrupted run (Ctrl-C, kill, crash) resumes where its
// last commit left off. A `feature_sets` row follows the store (status
// partial -> complete). Utterances whose audio fails to read now are marked
// 'skipped' in the dataset with a "features: ..." reason and reported, not
// fatal. For labeled datasets the global CMVN statistics of the finished
// store are written to <store>/cmvn.stats (docs/corpus.md "Features").
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/audio/fbank.h"

namespace understudy {
class ProgressSink;
class Workspace;
}  // namespace understudy

namespace understudy::corpus {

struct FeatureExtractionOptions {
  FbankOptions fbank;
  int jobs = 1;          // threads computing features (reading + fbank), 1..256
  int commitEvery = 50;  // utterances between store commits (the resume granularity)
  // Called after each commit with the number of records in the store (tests, GUIs).
  std::function<void(std::size_t storedUtterances)> afterCommit;

  void validate() const;
};

struct FeatureFailure {
  std::string key;
  std::string reason;
};

struct FeatureExtractionSummary {
  std::string dataset;
  std::string name;        // feature_sets.name: "<dataset>-<confighash8>"
  std::string configHash;  // configHash(fbank.toYaml()): 16 hex (core/util/config_hash.h)
  std::string storePath;   // relative to the workspace: "features/<name>"
  int dims = 0;
  std::size_t computed = 0;       // utterances computed by this call
  std::size_t alreadyStored = 0;  // found in the store (resume)
  std::size_t failed = 0;         // audio failed to read now; marked skipped
  std::vector<FeatureFailure> failures;
  std::uint64_t storedUtterances = 0;  // in the store after this call
  std::uint64_t storedFrames = 0;
  double audioSeconds = 0.0;  // audio computed by this call
  double wallSeconds = 0.0;
  bool complete = false;
  bool cmvnWritten = false;

  double realTimeFactor() const { return wallSeconds > 0 ? audioSeconds / wallSeconds : 0.0; }
};

// Throws understudy::Error if the dataset does not exist, the store cannot be
// opened (e.g. another run holds it) or the run is cancelled (completed
// commits are kept).
FeatureExtractionSummary extractFeatures(Workspace& workspace, const std::string& dataset,
                                         const FeatureExtractionOptions& options,
                                         ProgressSink* progress = nullptr);

}  // namespace understudy::corpus
