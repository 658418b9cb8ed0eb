#include "core/train/labeler.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <optional>
#include <unordered_map>

#include "core/align/target_store.h"
#include "core/store/catalog.h"
#include "core/store/condition_groups.h"
#include "core/store/feature_store.h"
#include "core/store/soft_label_sets.h"
#include "core/store/workspace.h"
#include "core/train/example_source.h"
#include "core/train/inference.h"
#include "core/train/model_bundle.h"
#include "core/train/trainer.h"
#include "core/util/error.h"
#include "core/util/log.h"
#include "core/util/progress.h"

namespace understudy::train {

namespace fs = std::filesystem;

namespace {

// A store whose first commit never happened (the disk filled, or the writer
// was killed, before its metadata was written): there is nothing to resume or
// compare, and SoftLabelStore::openOrCreate completes it.
bool neverCommitted(const fs::path& dir) {
  const RecordStore records = RecordStore::open(dir);
  return records.size() == 0 && records.metadata().empty();
}

// Top-k of softmax(z/T), renormalised, along the last dimension: (probs, ids).
std::pair<torch::Tensor, torch::Tensor> topKTensors(const torch::Tensor& logits, int k,
                                                    double temperature) {
  auto [values, ids] = logits.topk(k, /*dim=*/-1, /*largest=*/true, /*sorted=*/true);
  if (temperature != 1.0) values = values / temperature;
  return {torch::softmax(values, -1), ids.to(torch::kInt32)};
}

std::string optionDifferences(const SoftLabelStoreOptions& stored, const SoftLabelStoreOptions& wanted) {
  std::vector<std::string> d;
  if (stored.k != wanted.k) d.push_back(fmt::format("top-k {} (asked {})", stored.k, wanted.k));
  if (stored.precision != wanted.precision)
    d.push_back(fmt::format("precision {} (asked {})", softLabelPrecisionName(stored.precision),
                            softLabelPrecisionName(wanted.precision)));
  if (stored.temperature != wanted.temperature)
    d.push_back(fmt::format("temperature {} (asked {})", stored.temperature, wanted.temperature));
  if (stored.numUnits != wanted.numUnits)
    d.push_back(fmt::format("{} units (model has {})", stored.numUnits, wanted.numUnits));
  if (stored.model != wanted.model)
    d.push_back(fmt::format("model '{}' (asked '{}')", stored.model, wanted.model));
  std::string out;
  for (const auto& s : d) out += (out.empty() ? "" : ", ") + s;
  return out;
}

}  // namespace

void LabelOptions::validate() const {
  if (topK < 1 || topK > 4096) throw US_ERROR(fmt::format("--top-k {} is out of range", topK)).hint("1 … 4096; the paper keeps 20");
  if (!(temperature > 0.0) || !std::isfinite(temperature))
    throw US_ERROR(fmt::format("--temperature {} must be a positive number", temperature));
  if (threads < 0) throw US_ERROR("--threads must be >= 0").hint("0 = torch's default");
  if (maxFrames < 1) throw US_ERROR("--max-frames must be >= 1");
  if (!(commitSeconds >= 0.0)) throw US_ERROR("commit interval must be >= 0 seconds");
  if (!output.empty()) checkSoftLabelFolderName(output);
}

void topKPosteriors(const torch::Tensor& logits, int k, double temperature, std::int32_t* ids,
                    float* probs) {
  if (logits.dim() != 2) throw US_ERROR("topKPosteriors: logits must be [frames, units]");
  auto [p, i] = topKTensors(logits.to(torch::kFloat32), k, temperature);
  p = p.contiguous();
  i = i.contiguous();
  std::copy_n(p.data_ptr<float>(), p.numel(), probs);
  std::copy_n(i.data_ptr<std::int32_t>(), i.numel(), ids);
}

struct DatasetLabeling::State {
  Workspace* ws = nullptr;
  LabelOptions options;
  ModelBundle bundle;
  DatasetRow dataset;
  FeatureSetRow featureSet;
  std::shared_ptr<FeatureExampleSource> source;
  std::optional<TargetStore> truth;
  std::unordered_map<std::string, std::vector<std::string>> groupsOf;
  fs::path storeDir;
  std::string storePath;  // as the catalog stores it (workspace-relative)
  SoftLabelStoreOptions storeOptions;
  std::size_t alreadyLabeled = 0;
};

DatasetLabeling::~DatasetLabeling() = default;
std::size_t DatasetLabeling::utterances() const { return m_state->source->size(); }
std::size_t DatasetLabeling::alreadyLabeled() const { return m_state->alreadyLabeled; }
const fs::path& DatasetLabeling::storeDir() const { return m_state->storeDir; }
const std::string& DatasetLabeling::featureSet() const { return m_state->featureSet.name; }
bool DatasetLabeling::hasTruth() const { return m_state->truth.has_value(); }

DatasetLabeling::DatasetLabeling(Workspace& ws, const std::string& model, const std::string& dataset,
                                 const LabelOptions& options)
    : m_state(std::make_unique<State>()) {
  options.validate();
  State& s = *m_state;
  s.ws = &ws;
  s.options = options;
  Catalog catalog(ws);
  s.dataset = catalog.dataset(dataset);
  s.featureSet = catalog.featureSet(s.dataset, options.featureSet);
  s.bundle = ModelBundle::load(ws, model);
  const int numUnits = static_cast<int>(s.bundle.units.size());
  if (options.topK > numUnits)
    throw US_ERROR(fmt::format("--top-k {} exceeds the {} units of model '{}'", options.topK, numUnits, model))
        .hint(fmt::format("use --top-k {} or less", numUnits));

  const fs::path featureDir = catalog.absolute(s.featureSet.path);
  s.source = std::make_shared<FeatureExampleSource>(std::vector<fs::path>{featureDir}, numUnits);
  s.bundle.requireFeatureDims(s.source->dims(), dataset, s.featureSet.name, s.featureSet.path, featureDir,
                              "nothing was labeled");
  if (s.source->size() == 0)
    throw US_ERROR("feature set '" + s.featureSet.name + "' holds no utterances").hint("run `understudy-cli features` for it");
  s.source->setCmvn(s.bundle.cmvn);

  const fs::path targetDir = TargetStore::datasetDir(ws, dataset);
  if (RecordStore::exists(targetDir)) {
    TargetStore targets = TargetStore::open(targetDir);
    if (targets.size() > 0 && targets.units() == s.bundle.units) s.truth.emplace(std::move(targets));
  }
  for (const auto& u : catalog.utterances(s.dataset.id)) s.groupsOf[u.key] = conditionGroups(u.metadata);

  const std::string folder = options.output.empty() ? dataset + "-" + model : options.output;
  s.storePath = std::string(kSoftLabelsFolder) + "/" + folder;
  s.storeDir = ws.subdir(kSoftLabelsFolder) / folder;
  s.storeOptions.k = options.topK;
  s.storeOptions.precision = options.precision;
  s.storeOptions.temperature = options.temperature;
  s.storeOptions.numUnits = numUnits;
  s.storeOptions.model = model;
  s.storeOptions.validate();
  if (SoftLabelStore::exists(s.storeDir) && !neverCommitted(s.storeDir)) {
    const SoftLabelStore existing = SoftLabelStore::open(s.storeDir);
    const std::string diff = optionDifferences(existing.options(), s.storeOptions);
    if (!diff.empty())
      throw US_ERROR("soft labels in " + s.storePath + " were made with other settings: " + diff)
          .file(s.storeDir.string())
          .hint("repeat the original settings to resume, or label into a new folder with --out NAME");
    s.alreadyLabeled = existing.size();
  }
}

LabelResult DatasetLabeling::run(std::int64_t runId, ProgressSink* progressSink) {
  State& s = *m_state;
  const LabelOptions& o = s.options;
  if (o.threads > 0) torch::set_num_threads(o.threads);
  const auto started = std::chrono::steady_clock::now();
  Catalog catalog(*s.ws);
  const int numUnits = static_cast<int>(s.bundle.units.size());
  nn::AcousticModel& model = s.bundle.model;
  model->eval();
  const int subsample = static_cast<int>(model->options.subsample());

  SoftLabelStore store = SoftLabelStore::openOrCreate(s.storeDir, s.storeOptions);
  LabelResult result;
  result.storeDir = s.storeDir;
  SoftLabelSetRow row;
  row.datasetId = s.dataset.id;
  row.modelId = s.bundle.id;
  row.runId = runId;
  row.k = o.topK;
  row.temperature = o.temperature;
  row.quantization = softLabelPrecisionName(o.precision);
  row.path = s.storePath;
  row.numUtterances = static_cast<std::int64_t>(store.size());
  row.numFrames = static_cast<std::int64_t>(store.totalFrames());
  result.softLabelSetId = catalog.registerSoftLabelSet(row);

  const FeatureExampleSource& source = *s.source;
  const auto plan = planInferenceBatches(source, o.maxFrames);

  // The summary follows plan order, so a resumed run sums in the same order.
  // The per-utterance rows of the keys added since the last commit go into
  // workspace.db with the summary; those of resumed records too, so labeling
  // a set again fills the rows of a set labeled before schema 5.
  SoftLabelSummary summary(numUnits);
  std::vector<SoftLabelUtteranceStats> uncommittedStats;
  auto addToSummary = [&](const std::string& key) {
    std::vector<std::int32_t> truth;
    const bool haveTruth = s.truth && s.truth->contains(key);
    if (haveTruth) truth = s.truth->read(key);
    auto g = s.groupsOf.find(key);
    static const std::vector<std::string> kNoGroups;
    uncommittedStats.push_back(summary.add(key, store.read(key), haveTruth ? &truth : nullptr,
                                           g == s.groupsOf.end() ? kNoGroups : g->second));
  };
  std::int64_t remainingFrames = 0;
  for (const auto& batch : plan)
    for (auto i : batch) {
      if (store.contains(source.key(i))) {
        addToSummary(source.key(i));
        ++result.resumed;
      } else {
        remainingFrames += source.frames(i);
      }
    }

  std::vector<std::string> pending;  // appended since the last commit
  auto commit = [&] {
    store.commit();
    for (const auto& key : pending) addToSummary(key);
    pending.clear();
    summary.setStoreBytes(SoftLabelStore::diskBytes(s.storeDir));
    catalog.updateSoftLabelSet(result.softLabelSetId, static_cast<std::int64_t>(store.size()),
                               static_cast<std::int64_t>(store.totalFrames()));
    catalog.updateSoftLabelSummary(result.softLabelSetId, summary, uncommittedStats);
    uncommittedStats.clear();
  };

  ProgressTracker progress(progressSink ? progressSink : o.progress, "label", remainingFrames, "frame");
  auto lastCommit = std::chrono::steady_clock::now();
  std::vector<std::int32_t> ids;
  std::vector<float> probs;
  for (const auto& batch : plan) {
    if (progress.cancelled()) {
      commit();
      progress.throwIfCancelled();
    }
    std::vector<TrainingExample> examples;
    for (auto i : batch) {
      const std::string& key = source.key(i);
      if (store.contains(key)) continue;
      try {
        examples.push_back(source.get(i));
      } catch (const Error& e) {
        result.failed.emplace_back(key, e.message());
        log::warning("label: skipping {}: {}", key, e.message());
      }
    }
    if (examples.empty()) continue;
    Batch b = collateBatch(examples, subsample);
    torch::Tensor batchProbs, batchIds, outLengths;
    {
      torch::InferenceMode inference;
      auto [logits, lens] = model->forward(b.features, b.lengths);
      std::tie(batchProbs, batchIds) = topKTensors(logits, o.topK, o.temperature);
      batchProbs = batchProbs.contiguous();
      batchIds = batchIds.contiguous();
      outLengths = lens.to(torch::kInt64);
    }
    const std::int64_t outFrames = batchProbs.size(1);
    const std::size_t rowValues = static_cast<std::size_t>(outFrames) * o.topK;
    std::int64_t batchFrames = 0;
    for (std::size_t n = 0; n < examples.size(); ++n) {
      const int frames = static_cast<int>(outLengths[static_cast<std::int64_t>(n)].item<std::int64_t>());
      const float* p = batchProbs.data_ptr<float>() + n * rowValues;
      const std::int32_t* id = batchIds.data_ptr<std::int32_t>() + n * rowValues;
      store.append(examples[n].key, frames, id, p);
      pending.push_back(examples[n].key);
      batchFrames += examples[n].frames;
      ++result.labeledNow;
    }
    result.inputFrames += batchFrames;
    const double sinceCommit =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - lastCommit).count();
    if (sinceCommit >= o.commitSeconds) {
      commit();
      lastCommit = std::chrono::steady_clock::now();
    }
    progress.advance(batchFrames,
                     fmt::format("{}/{} utt", result.resumed + result.labeledNow, source.size()));
  }
  commit();
  store.records().close();  // folds the journal into the index
  summary.setStoreBytes(SoftLabelStore::diskBytes(s.storeDir));
  catalog.updateSoftLabelSummary(result.softLabelSetId, summary);
  progress.finish(fmt::format("{}/{} utt", result.resumed + result.labeledNow, source.size()));

  result.utterances = summary.utterances();
  result.summary = std::move(summary);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

}  // namespace understudy::train
