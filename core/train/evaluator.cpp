#include "core/train/evaluator.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <unordered_map>

#include "core/align/target_store.h"
#include "core/store/catalog.h"
#include "core/store/feature_store.h"
#include "core/store/workspace.h"
#include "core/train/inference.h"
#include "core/train/model_bundle.h"
#include "core/train/trainer.h"
#include "core/train/workspace_data.h"
#include "core/util/error.h"
#include "core/util/progress.h"

namespace understudy::train {

namespace fs = std::filesystem;

void EvaluationTally::add(const EvaluationTally& other) {
  utterances += other.utterances;
  frames += other.frames;
  correct += other.correct;
  sumLoss += other.sumLoss;
}

std::vector<MetricPoint> Evaluation::metrics(double wallTime) const {
  std::vector<MetricPoint> out;
  auto push = [&](const EvaluationTally& t, const std::string& suffix) {
    out.push_back({0, "eval/utterances" + suffix, static_cast<double>(t.utterances), wallTime});
    out.push_back({0, "eval/frames" + suffix, static_cast<double>(t.frames), wallTime});
    out.push_back({0, "eval/frame_accuracy" + suffix, t.accuracy(), wallTime});
    out.push_back({0, "eval/cross_entropy" + suffix, t.crossEntropy(), wallTime});
  };
  push(overall, "");
  for (const auto& g : groups) push(g, "/" + g.group);
  return out;
}

std::vector<EvaluationTally> evaluateExamples(nn::AcousticModel& model, const ExampleSource& source,
                                              const EvaluationOptions& options) {
  if (options.threads > 0) torch::set_num_threads(options.threads);
  std::vector<EvaluationTally> out(source.size());
  forEachInferenceBatch(
      model, source, options.maxFrames, options.progress, "evaluate", [&](const InferenceBatch& b) {
        const auto logp = torch::log_softmax(b.logits, 2);
        const auto best = b.logits.argmax(2);
        for (std::size_t n = 0; n < b.indices.size(); ++n) {
          const auto& e = b.examples[n];
          // Frames with both a model output and a target (collateBatch's rule).
          const std::int64_t frames = std::min<std::int64_t>(
              b.outLengths[static_cast<std::int64_t>(n)].item<std::int64_t>(),
              static_cast<std::int64_t>(e.targets.size()));
          EvaluationTally& t = out[b.indices[n]];
          t.group = e.key;
          t.utterances = 1;
          if (frames <= 0) continue;
          const auto row = static_cast<std::int64_t>(n);
          auto targets = b.batch.targets[row].narrow(0, 0, frames);
          auto lp = logp[row].narrow(0, 0, frames).gather(1, targets.unsqueeze(1)).squeeze(1);
          t.frames = frames;
          t.sumLoss = -lp.to(torch::kFloat64).sum().item<double>();
          t.correct = best[row].narrow(0, 0, frames).eq(targets).sum().item<std::int64_t>();
        }
      });
  return out;
}

struct DatasetEvaluation::State {
  ModelBundle bundle;
  std::shared_ptr<StoreExampleSource> source;
  Evaluation skeleton;
  std::unordered_map<std::string, std::vector<std::string>> groupsOf;
};

DatasetEvaluation::~DatasetEvaluation() = default;

std::size_t DatasetEvaluation::utterances() const { return m_state->source->size(); }

const std::string& DatasetEvaluation::featureSet() const { return m_state->skeleton.featureSet; }

DatasetEvaluation::DatasetEvaluation(Workspace& ws, const std::string& modelName,
                                     const std::string& dataset, const std::string& featureSet)
    : m_state(std::make_unique<State>()) {
  Catalog catalog(ws);
  const DatasetRow row = catalog.dataset(dataset);
  const FeatureSetRow features = catalog.featureSet(row, featureSet);
  ModelBundle& bundle = m_state->bundle;
  bundle = ModelBundle::load(ws, modelName);
  const fs::path featureDir = catalog.absolute(features.path);
  const fs::path targetDir = TargetStore::datasetDir(ws, dataset);
  const auto noTargets = [&] {
    return US_ERROR("dataset '" + dataset + "' has no frame targets to evaluate against")
        .hint("build them: understudy-cli targets -w WS --dataset " + dataset);
  };
  if (!fs::exists(targetDir)) throw noTargets();
  TargetStore targets = TargetStore::open(targetDir);
  if (targets.size() == 0) throw noTargets();
  if (!(targets.units() == bundle.units))
    throw US_ERROR(fmt::format("dataset '{}' has targets over {} units, model '{}' outputs {} units of "
                               "another inventory",
                               dataset, targets.units().size(), modelName, bundle.units.size()))
        .file(targetDir.string())
        .hint("evaluate on targets built with the model's phones.txt");
  FeatureStore store = FeatureStore::open(featureDir);
  const int dims = store.dims();
  bundle.requireFeatureDims(dims, dataset, features.name, features.path, featureDir, "nothing was evaluated");

  auto& source = m_state->source;
  source = std::make_shared<StoreExampleSource>(std::vector<fs::path>{featureDir},
                                                std::vector<fs::path>{targetDir}, dims, bundle.units.size());
  Evaluation& ev = m_state->skeleton;
  ev.model = modelName;
  ev.dataset = dataset;
  ev.featureSet = features.name;
  ev.overall.group = "all";
  for (const auto& info : store.records().records()) {
    if (!targets.contains(info.key)) {
      ++ev.missingTargets;
      continue;
    }
    source->addItem(StoreExampleSource::Item{0, info.key, static_cast<int>(info.rows)});
  }
  if (source->size() == 0)
    throw US_ERROR("no utterance of dataset '" + dataset + "' has both features and targets")
        .hint("run `understudy-cli features` and `understudy-cli targets` for it");
  source->setCmvn(bundle.cmvn);
  for (const auto& u : catalog.utterances(row.id)) m_state->groupsOf[u.key] = evaluationGroups(u.metadata);
}

Evaluation DatasetEvaluation::run(const EvaluationOptions& options) {
  const std::vector<EvaluationTally> perUtterance =
      evaluateExamples(m_state->bundle.model, *m_state->source, options);
  Evaluation ev = m_state->skeleton;
  std::map<std::string, EvaluationTally> groups;
  for (const auto& t : perUtterance) {
    ev.overall.add(t);
    auto it = m_state->groupsOf.find(t.group);
    if (it == m_state->groupsOf.end()) continue;
    for (const auto& g : it->second) {
      EvaluationTally& gt = groups[g];
      gt.group = g;
      gt.add(t);
    }
  }
  // clean, noise/*, snr/* (by band), voice/*.
  for (auto& [name, t] : groups) ev.groups.push_back(t);
  std::sort(ev.groups.begin(), ev.groups.end(), [](const EvaluationTally& a, const EvaluationTally& b) {
    return conditionGroupBefore(a.group, b.group);
  });
  return ev;
}

}  // namespace understudy::train
