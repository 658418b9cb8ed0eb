// A model's log-posteriors over a dataset's utterances, for decoding
// (docs/decoding.md): the model in eval mode, no autograd, length-bucketed
// batches, log-softmax over the units at every 30 ms model frame. The
// features are those the model saw in training: the dataset's feature set
// normalised with the model's own cmvn.stats.
//
//   ModelBundle m = ModelBundle::load(ws, "teacher-demo");
//   DatasetFeatures d = openDatasetFeatures(ws, m, "synth-test-clean");
//   auto posteriors = computeLogPosteriors(m.model, *d.source, {});
//   posteriors[0].at(j, s);   // log q_j(s) of the first utterance (source order)
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/nn/acoustic_model.h"
#include "core/train/example_source.h"
#include "core/train/model_bundle.h"

namespace understudy {
class ProgressSink;
class Workspace;
}  // namespace understudy

namespace understudy::train {

// One utterance's log q_t(s): frames x units, row-major.
struct UtterancePosteriors {
  std::string key;
  int frames = 0;
  int units = 0;
  std::vector<float> logProbs;

  float at(int frame, int unit) const { return logProbs[static_cast<std::size_t>(frame) * units + unit]; }
};

struct PosteriorOptions {
  std::int64_t maxFrames = 20000;  // padded 10 ms frames per batch
  int threads = 0;                 // torch threads (0: leave as is)
  ProgressSink* progress = nullptr;
};

// Every example of `source`, in source order.
std::vector<UtterancePosteriors> computeLogPosteriors(nn::AcousticModel& model, const ExampleSource& source,
                                                      const PosteriorOptions& options = {});

// A dataset's features (its newest complete feature set, or `featureSet`),
// checked against the model's input dimension, with the model's CMVN.
struct DatasetFeatures {
  std::string featureSet;
  std::shared_ptr<FeatureExampleSource> source;
};
DatasetFeatures openDatasetFeatures(Workspace& ws, const ModelBundle& model, const std::string& dataset,
                                    const std::string& featureSet = "");

}  // namespace understudy::train
