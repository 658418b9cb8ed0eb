#include "core/train/inference.h"

#include "core/util/progress.h"

namespace understudy::train {

std::vector<std::vector<std::size_t>> planInferenceBatches(const ExampleSource& source,
                                                           std::int64_t maxFrames) {
  std::vector<int> lengths(source.size());
  for (std::size_t i = 0; i < lengths.size(); ++i) lengths[i] = source.frames(i);
  BatchingOptions batching;
  batching.maxFrames = maxFrames;
  batching.shuffle = false;
  return planEpochBatches(lengths, batching, 0, 0);
}

void forEachInferenceBatch(nn::AcousticModel& model, const ExampleSource& source,
                           std::int64_t maxFrames, ProgressSink* progress, const std::string& task,
                           const std::function<void(const InferenceBatch&)>& onBatch) {
  torch::NoGradGuard noGrad;
  model->eval();
  const int subsample = static_cast<int>(model->options.subsample());
  ProgressTracker tracker(progress, task, static_cast<std::int64_t>(source.size()), "utt");
  for (const auto& indices : planInferenceBatches(source, maxFrames)) {
    tracker.throwIfCancelled();
    std::vector<TrainingExample> examples;
    examples.reserve(indices.size());
    for (auto i : indices) examples.push_back(source.get(i));
    const Batch b = collateBatch(examples, subsample);
    const auto [logits, outLengths] = model->forward(b.features, b.lengths);
    onBatch({indices, examples, b, logits, outLengths});
    tracker.advance(static_cast<std::int64_t>(indices.size()));
  }
  tracker.finish();
}

}  // namespace understudy::train
