#include "core/train/posteriors.h"

#include <fmt/format.h>

#include "core/store/catalog.h"
#include "core/store/workspace.h"
#include "core/train/inference.h"
#include "core/util/error.h"

namespace understudy::train {

std::vector<UtterancePosteriors> computeLogPosteriors(nn::AcousticModel& model, const ExampleSource& source,
                                                      const PosteriorOptions& options) {
  if (options.threads > 0) torch::set_num_threads(options.threads);
  torch::InferenceMode inference;
  std::vector<UtterancePosteriors> out(source.size());
  forEachInferenceBatch(
      model, source, options.maxFrames, options.progress, "posteriors",
      [&](const InferenceBatch& b) {
        const auto logp = torch::log_softmax(b.logits, 2).contiguous();
        for (std::size_t n = 0; n < b.indices.size(); ++n) {
          UtterancePosteriors& u = out[b.indices[n]];
          u.key = b.examples[n].key;
          u.frames =
              static_cast<int>(b.outLengths[static_cast<std::int64_t>(n)].item<std::int64_t>());
          u.units = static_cast<int>(logp.size(2));
          const float* row = logp[static_cast<std::int64_t>(n)].data_ptr<float>();
          u.logProbs.assign(row, row + static_cast<std::size_t>(u.frames) * u.units);
        }
      });
  return out;
}

DatasetFeatures openDatasetFeatures(Workspace& ws, const ModelBundle& model, const std::string& dataset,
                                    const std::string& featureSet) {
  Catalog catalog(ws);
  const DatasetRow row = catalog.dataset(dataset);
  const FeatureSetRow features = catalog.featureSet(row, featureSet);
  DatasetFeatures d;
  d.featureSet = features.name;
  d.source = std::make_shared<FeatureExampleSource>(std::vector<std::filesystem::path>{catalog.absolute(features.path)},
                                                    static_cast<int>(model.units.size()));
  if (d.source->dims() != model.model->options.input_dim())
    throw US_ERROR(fmt::format("feature set '{}' has {}-dim features, model '{}' expects {}", features.name,
                               d.source->dims(), model.name, model.model->options.input_dim()))
        .hint("pick the feature set the model was trained on with --feature-set");
  if (d.source->size() == 0)
    throw US_ERROR("feature set '" + features.name + "' holds no utterances")
        .hint("run `understudy-cli features` for it");
  d.source->setCmvn(model.cmvn);
  return d;
}

}  // namespace understudy::train
