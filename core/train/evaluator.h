// Evaluating a trained model on a dataset with frame targets: frame accuracy
// and cross-entropy, overall and by condition (docs/models.md "Evaluating a
// model").
//
//   EvaluationOptions o;  o.threads = 2;
//   Evaluation e = evaluateModel(ws, "teacher", "synth-test-noisy", "", o);
//   e.overall.accuracy();  e.groups;   // "clean", "noise/babble", "snr/0-5", "voice/en-us", ...
//   runs.addMetrics(runId, e.metrics(nowSeconds()));
//
// The model sees exactly what training showed it: the features of the
// dataset's feature set, normalised with the model's own cmvn.stats, stacked
// and subsampled by the model to 30 ms, and scored against the targets of
// `understudy-cli targets` (one unit per model frame, the 30 ms target rule).
// Inference runs without autograd in length-bucketed batches. Utterances with
// features but no targets (rejected by the targets step) are left out and
// counted.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/nn/acoustic_model.h"
#include "core/store/condition_groups.h"
#include "core/store/run_store.h"
#include "core/train/example_source.h"

namespace understudy {
class ProgressSink;
class Workspace;
}  // namespace understudy

namespace understudy::train {

// Frames scored, correct argmax and summed cross-entropy (nats) of a group of
// utterances.
struct EvaluationTally {
  std::string group;  // "all", "clean", "noise/<type>", "snr/<lo>-<hi>", "voice/<voice>", or a key
  std::int64_t utterances = 0;
  std::int64_t frames = 0;
  std::int64_t correct = 0;
  double sumLoss = 0.0;

  double accuracy() const { return frames ? static_cast<double>(correct) / static_cast<double>(frames) : 0.0; }
  double crossEntropy() const { return frames ? sumLoss / static_cast<double>(frames) : 0.0; }
  void add(const EvaluationTally& other);
};

struct EvaluationOptions {
  std::int64_t maxFrames = 20000;  // padded 10 ms frames per batch
  int threads = 0;                 // torch threads (0: leave as is)
  ProgressSink* progress = nullptr;
};

struct Evaluation {
  std::string model;
  std::string dataset;
  std::string featureSet;
  EvaluationTally overall;             // group "all"
  std::vector<EvaluationTally> groups;  // breakdown (empty without per-utterance metadata)
  std::size_t missingTargets = 0;       // utterances with features but no targets

  // eval/frames, eval/frame_accuracy, eval/cross_entropy, eval/utterances, and
  // the same with "/<group>" appended for every group; step 0.
  std::vector<MetricPoint> metrics(double wallTime) const;
};

// One tally per example of `source` (group = the example's key), in source
// order: the model in eval mode, no autograd, length-bucketed batches of at
// most options.maxFrames padded frames. The model must be on the CPU.
std::vector<EvaluationTally> evaluateExamples(nn::AcousticModel& model, const ExampleSource& source,
                                              const EvaluationOptions& options = {});

// The breakdown groups of one utterance from its `utterances.metadata` JSON:
// the condition groups of core/store/condition_groups.h ("clean" or
// "noise/<type>", "snr/<band>", "voice/<voice>"; none for imported data),
// reported in conditionGroupBefore's order.
inline std::vector<std::string> evaluationGroups(const std::string& metadataJson) {
  return conditionGroups(metadataJson);
}

// One evaluation of a model on a dataset, in two steps so that a command can
// check its arguments before it records a run: the constructor resolves and
// checks everything (model, dataset, feature set, targets), run() infers.
//
// The model `model` (ModelBundle::load) on dataset `dataset`'s feature set
// (`featureSet` as the catalog's rule: empty = newest complete) and targets.
// The constructor throws understudy::Error for an unknown model or dataset, a
// dataset without targets (with the command that builds them), targets over
// another unit inventory than the model's, or features of another dimension.
class DatasetEvaluation {
 public:
  DatasetEvaluation(Workspace& ws, const std::string& model, const std::string& dataset,
                    const std::string& featureSet = {});
  ~DatasetEvaluation();
  std::size_t utterances() const;  // those with features and targets
  const std::string& featureSet() const;
  Evaluation run(const EvaluationOptions& options = {});

 private:
  struct State;
  std::unique_ptr<State> m_state;
};

inline Evaluation evaluateModel(Workspace& ws, const std::string& model, const std::string& dataset,
                                const std::string& featureSet = {},
                                const EvaluationOptions& options = {}) {
  return DatasetEvaluation(ws, model, dataset, featureSet).run(options);
}

}  // namespace understudy::train
