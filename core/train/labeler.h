// Labeling a dataset with a teacher: the top-k of softmax(z/T) of every model
// frame, renormalised, into a soft-label store (docs/labeling.md).
//
//   LabelOptions o;  o.topK = 20;  o.precision = SoftLabelPrecision::Log8;
//   DatasetLabeling job(ws, "teacher", "synth-unlabeled", o);   // resolves, checks
//   LabelResult r = job.run(runId);                              // resumes if begun
//
// Maths: for model frame t with logits z_t, the k largest logits (ids
// distinct, sorted by decreasing value, which is decreasing probability) and
// p_tj = exp(z_tj/T) / Σ_{i∈topk} exp(z_ti/T): softmax(z/T) restricted to its
// top k and renormalised. Id 0 of every frame is the teacher's argmax.
//
// The work is a fixed plan: every utterance of the feature set, cut into
// length-bucketed batches (planInferenceBatches, inference.h), taken in plan
// order. A batch is appended whole, and the store is committed at batch
// boundaries (at least every `commitSeconds`), so a killed labeler leaves
// whole batches; the next run skips the batches already in the store and
// goes on. The records, their order and therefore the store's bytes are
// those of an uninterrupted run (same model, options and threads).
//
// At every commit the catalog row (soft_label_sets: counts) and the label
// summary (soft_label_summaries) are brought up to date from the records as
// stored, read back and verified; where the dataset has frame targets
// (`understudy-cli targets`), the summary compares the labels with them.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <torch/torch.h>

#include "core/store/soft_label_store.h"
#include "core/store/soft_label_summary.h"

namespace understudy {
class ProgressSink;
class Workspace;
}  // namespace understudy

namespace understudy::train {

struct LabelOptions {
  int topK = 20;
  double temperature = 1.0;
  SoftLabelPrecision precision = SoftLabelPrecision::Fp16;
  std::string featureSet;          // catalog rule: empty = the dataset's newest complete set
  std::string output;              // folder under WS/softlabels; empty: "<dataset>-<model>"
  int threads = 0;                 // torch threads (0: leave as is)
  std::int64_t maxFrames = 20000;  // padded 10 ms frames per batch
  double commitSeconds = 5.0;      // commit (and update the db) at least this often
  ProgressSink* progress = nullptr;

  // Throws understudy::Error naming the bad option.
  void validate() const;
};

struct LabelResult {
  std::filesystem::path storeDir;
  std::int64_t softLabelSetId = 0;
  std::int64_t utterances = 0;     // in the store at the end
  std::int64_t labeledNow = 0;     // labeled by this run
  std::int64_t resumed = 0;        // already in the store when this run began
  std::int64_t inputFrames = 0;    // 10 ms frames labeled by this run
  double seconds = 0.0;            // this run's labeling time
  SoftLabelSummary summary;
  // Utterances whose features could not be read (checksum, truncated
  // record), with the reason; the rest were labeled. A rerun tries them again.
  std::vector<std::pair<std::string, std::string>> failed;
};

// The top-k of softmax(logits / temperature) per row of a [N, U] float
// tensor, renormalised: ids and probs each N × k, row-major, into caller
// buffers. Exposed for the benchmark and the tests.
void topKPosteriors(const torch::Tensor& logits, int k, double temperature, std::int32_t* ids,
                    float* probs);

class DatasetLabeling {
 public:
  // Resolves model (ModelBundle::load), dataset and feature set, and checks
  // them (feature dimension, k <= the model's units, an existing store's
  // options); throws understudy::Error before anything is written.
  DatasetLabeling(Workspace& ws, const std::string& model, const std::string& dataset,
                  const LabelOptions& options = {});
  ~DatasetLabeling();

  std::size_t utterances() const;        // in the feature set
  std::size_t alreadyLabeled() const;    // in the store now
  const std::filesystem::path& storeDir() const;
  const std::string& featureSet() const;
  bool hasTruth() const;                 // the dataset has targets over the model's units

  // Labels what is missing, registers the set in the catalog (with `runId`,
  // 0 for none) and keeps its row and summary current. `progress` (if not
  // null) replaces options.progress.
  LabelResult run(std::int64_t runId = 0, ProgressSink* progress = nullptr);

 private:
  struct State;
  std::unique_ptr<State> m_state;
};

}  // namespace understudy::train
