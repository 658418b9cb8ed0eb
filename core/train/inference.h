// Running a model over every example of a source, batch by batch, without
// training it: what the evaluator (evaluator.h), the posteriors for decoding
// (posteriors.h) and the labeler (labeler.h, the plan only) share.
//
//   forEachInferenceBatch(model, source, 20000, progressSink, "evaluate",
//                         [&](const InferenceBatch& b) {
//                           // b.logits[n] belongs to source example b.indices[n]
//                         });
//
// The plan is planEpochBatches over the examples' 10 ms frame counts without
// shuffling: length-bucketed batches of at most maxFrames padded frames, the
// same plan on every run.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/nn/acoustic_model.h"
#include "core/train/batch.h"
#include "core/train/example_source.h"

namespace understudy {
class ProgressSink;
}  // namespace understudy

namespace understudy::train {

// The batches of example indices of `source`, in the order they run.
std::vector<std::vector<std::size_t>> planInferenceBatches(const ExampleSource& source,
                                                           std::int64_t maxFrames);

// One batch, as the model saw it.
struct InferenceBatch {
  const std::vector<std::size_t>& indices;       // into the source, one per row
  const std::vector<TrainingExample>& examples;  // source.get(indices[n])
  const Batch& batch;                            // collateBatch(examples, subsample)
  const torch::Tensor& logits;                   // [B, T', units]
  const torch::Tensor& outLengths;               // [B] int64, model frames
};

// Runs `model` (put in eval mode) on every batch of planInferenceBatches under
// torch::NoGradGuard (a caller may hold torch::InferenceMode around it) and
// hands each batch to `onBatch`. Progress goes to `progress` as task `task`,
// counted in utterances; a cancelled sink stops it (understudy::Error
// "cancelled") before the next batch. The model must be on the CPU.
void forEachInferenceBatch(nn::AcousticModel& model, const ExampleSource& source,
                           std::int64_t maxFrames, ProgressSink* progress, const std::string& task,
                           const std::function<void(const InferenceBatch&)>& onBatch);

}  // namespace understudy::train
