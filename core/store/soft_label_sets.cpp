#include "core/store/soft_label_sets.h"

#include <algorithm>
#include <optional>
#include <system_error>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/store/condition_groups.h"
#include "core/store/record_store.h"
#include "core/store/soft_label_summary.h"
#include "core/store/unit_inventory.h"
#include "core/store/workspace.h"
#include "core/util/error.h"

namespace understudy {

namespace fs = std::filesystem;

namespace {

const std::string kPrefix = std::string(kSoftLabelsFolder) + "/";

std::string modelName(Workspace& ws, std::int64_t modelId) {
  if (auto m = findModel(ws.db(), modelId)) return m->name;
  return "#" + std::to_string(modelId);
}

// "synth-unlabeled-teacher (model teacher, k 20, fp16, 288 utt)".
std::string describe(Workspace& ws, const SoftLabelSetRow& s) {
  return softLabelSetFolder(s) + " (model " + modelName(ws, s.modelId) + ", k " +
         std::to_string(s.k) + ", " + s.quantization + ", " + std::to_string(s.numUtterances) +
         " utt)";
}

std::string describeAll(Workspace& ws, const std::vector<SoftLabelSetRow>& sets) {
  std::string out;
  for (const auto& s : sets) out += (out.empty() ? "" : "; ") + describe(ws, s);
  return out;
}

ModelRow requireModel(Workspace& ws, const std::string& name) {
  if (auto m = findModel(ws.db(), name)) return *m;
  std::string known;
  for (const ModelRow& r : listModels(ws.db())) known += (known.empty() ? "" : ", ") + r.name;
  throw US_ERROR("no model named '" + name + "' in the workspace")
      .file(ws.databasePath().string())
      .hint(known.empty() ? "train one first: understudy-cli train -w WS --config FILE"
                          : "models: " + known);
}

std::string makeThem(const Workspace& ws, const std::string& dataset, const std::string& model) {
  const std::string m = model.empty() ? "TEACHER" : model;
  return "make them: understudy-cli label -w " + ws.root().string() + " --model " + m +
         " --dataset " + dataset + ", or import Kaldi posteriors: understudy-cli import -w " +
         ws.root().string() + " --dataset " + dataset + " --what softlabels --model " + m +
         " --ark post.ark";
}

// The number of units of a model: its unit inventory row, else the units.txt
// beside its weights.
int modelUnits(Workspace& ws, const ModelRow& model) {
  if (model.unitInventoryId != 0)
    if (auto inv = findUnitInventory(ws.db(), model.unitInventoryId)) return inv->numUnits;
  fs::path weights = model.path;
  if (weights.is_relative()) weights = ws.root() / weights;
  const fs::path units = weights.parent_path() / "units.txt";
  std::error_code ec;
  if (!model.path.empty() && fs::is_regular_file(units, ec))
    return UnitInventory::load(units).size();
  throw US_ERROR("model '" + model.name +
                 "' records no unit inventory, so its number of units is unknown")
      .file(units.string())
      .hint("retrain it with understudy-cli train, which records them");
}

// The label summary of a whole store, as the labeler keeps it: against the
// dataset's frame targets when their unit inventory is the model's; with the
// numbers of each utterance (into `perUtterance`).
SoftLabelSummary summarise(Catalog& catalog, const SoftLabelImportPlan& plan,
                           const SoftLabelStore& store,
                           std::vector<SoftLabelUtteranceStats>& perUtterance) {
  std::optional<RecordStore> truth;
  const auto targets = catalog.findAlignmentSet(plan.dataset, Catalog::kTargetsAlignmentSet);
  if (targets && targets->unitInventoryId != 0 &&
      targets->unitInventoryId == plan.model.unitInventoryId) {
    const fs::path dir = catalog.absolute(targets->path);
    if (RecordStore::exists(dir)) {
      RecordStore r = RecordStore::open(dir);
      if (r.elementType() == ElementType::Int32 && r.cols() == 1) truth.emplace(std::move(r));
    }
  }
  std::unordered_map<std::string, std::vector<std::string>> groupsOf;
  for (const UtteranceRow& u : catalog.utterances(plan.dataset.id))
    groupsOf[u.key] = conditionGroups(u.metadata);

  SoftLabelSummary summary(plan.options.numUnits);
  std::vector<std::string> keys = store.keys();
  std::sort(keys.begin(), keys.end());
  std::vector<std::int32_t> frames;
  static const std::vector<std::string> kNoGroups;
  for (const std::string& key : keys) {
    const bool haveTruth = truth && truth->contains(key);
    if (haveTruth) {
      const RecordView v = truth->read(key);
      const auto* p = static_cast<const std::int32_t*>(v.data);
      frames.assign(p, p + v.rows);
    }
    const auto g = groupsOf.find(key);
    perUtterance.push_back(summary.add(key, store.read(key), haveTruth ? &frames : nullptr,
                                       g == groupsOf.end() ? kNoGroups : g->second));
  }
  summary.setStoreBytes(SoftLabelStore::diskBytes(plan.storeDir));
  return summary;
}

}  // namespace

void checkSoftLabelFolderName(const std::string& folder) {
  if (folder.empty() || folder.find('/') != std::string::npos || folder == "." || folder == "..")
    throw US_ERROR("--out '" + folder + "' must be a plain folder name")
        .hint("it is made under WS/" + std::string(kSoftLabelsFolder) + "/");
}

std::string softLabelSetFolder(const SoftLabelSetRow& set) {
  return set.path.compare(0, kPrefix.size(), kPrefix) == 0 ? set.path.substr(kPrefix.size())
                                                           : set.path;
}

SoftLabelSetRow locateSoftLabelSet(Workspace& ws, const std::string& dataset,
                                   const std::string& model, const std::string& labels) {
  Catalog catalog(ws);
  const DatasetRow d = catalog.dataset(dataset);
  const std::vector<SoftLabelSetRow> sets = catalog.softLabelSets(d);
  const std::optional<ModelRow> m =
      model.empty() ? std::nullopt : std::optional(requireModel(ws, model));
  auto listing = [&] {
    return sets.empty() ? "it has none; " + makeThem(ws, dataset, model)
                        : "its soft-label sets: " + describeAll(ws, sets);
  };

  std::optional<SoftLabelSetRow> chosen;
  if (!labels.empty()) {
    for (const auto& s : sets)
      if (softLabelSetFolder(s) == labels || s.path == labels) chosen = s;
    if (!chosen)
      throw US_ERROR("dataset '" + dataset + "' has no soft-label set in folder '" + labels + "'")
          .file(ws.root().string())
          .hint(listing());
    if (m && chosen->modelId != m->id)
      throw US_ERROR("soft-label set '" + labels + "' of dataset '" + dataset +
                     "' was made with model '" + modelName(ws, chosen->modelId) + "', not '" +
                     model + "'")
          .file(ws.root().string())
          .hint("give --labels or --model alone; " + listing());
  } else if (m) {
    std::vector<SoftLabelSetRow> ofModel;
    for (const auto& s : sets)
      if (s.modelId == m->id) ofModel.push_back(s);
    if (ofModel.size() == 1) chosen = ofModel.front();
    for (const auto& s : ofModel)
      if (ofModel.size() > 1 && softLabelSetFolder(s) == dataset + "-" + model) chosen = s;
    if (!chosen && ofModel.empty())
      throw US_ERROR("dataset '" + dataset + "' has no soft labels from model '" + model + "'")
          .file(ws.root().string())
          .hint(sets.empty() ? "it has none; " + makeThem(ws, dataset, model)
                             : listing() + "; or " + makeThem(ws, dataset, model));
    if (!chosen)
      throw US_ERROR("dataset '" + dataset + "' has " + std::to_string(ofModel.size()) +
                     " soft-label sets from model '" + model + "'")
          .file(ws.root().string())
          .hint("choose one with --labels FOLDER: " + describeAll(ws, ofModel));
  } else {
    if (sets.size() == 1) chosen = sets.front();
    if (sets.empty())
      throw US_ERROR("dataset '" + dataset + "' has no soft labels")
          .file(ws.root().string())
          .hint(makeThem(ws, dataset, model));
    if (!chosen)
      throw US_ERROR("dataset '" + dataset + "' has " + std::to_string(sets.size()) +
                     " soft-label sets")
          .file(ws.root().string())
          .hint("choose one with --labels FOLDER or --model NAME: " + describeAll(ws, sets));
  }

  const fs::path dir = catalog.absolute(chosen->path);
  if (!SoftLabelStore::exists(dir))
    throw US_ERROR("the store of soft-label set '" + softLabelSetFolder(*chosen) + "' is missing")
        .file(dir.string())
        .hint("make it again: understudy-cli label -w " + ws.root().string() + " --model " +
              modelName(ws, chosen->modelId) + " --dataset " + dataset + " --out " +
              softLabelSetFolder(*chosen));
  return *chosen;
}

SoftLabelImportPlan planSoftLabelImport(Workspace& ws, const SoftLabelImportRequest& r) {
  Catalog catalog(ws);
  SoftLabelImportPlan plan;
  plan.dataset = catalog.dataset(r.dataset);
  plan.model = requireModel(ws, r.model);
  const int numUnits = modelUnits(ws, plan.model);
  if (r.k < 1 || r.k > numUnits)
    throw US_ERROR("--top-k " + std::to_string(r.k) + " is outside 1 … " +
                   std::to_string(numUnits) + ", the units of model '" + r.model + "'")
        .hint("use --top-k " + std::to_string(std::min(numUnits, 20)) + " or less");
  const std::string folder = r.folder.empty() ? r.dataset + "-" + r.model : r.folder;
  checkSoftLabelFolderName(folder);
  plan.path = kPrefix + folder;
  plan.storeDir = ws.subdir(kSoftLabelsFolder) / folder;

  for (const DatasetRow& other : catalog.datasets()) {
    if (other.id == plan.dataset.id) continue;
    for (const auto& s : catalog.softLabelSets(other))
      if (s.path == plan.path)
        throw US_ERROR("soft-label folder '" + folder + "' holds the soft labels of dataset '" +
                       other.name + "'")
            .file(plan.storeDir.string())
            .hint("import into another folder with --out NAME");
  }

  plan.options.k = r.k;
  plan.options.precision = r.precision;
  plan.options.temperature = r.temperature;
  plan.options.numUnits = numUnits;
  plan.options.model = r.model;
  plan.options.validate();
  plan.storeExisted = SoftLabelStore::exists(plan.storeDir);
  if (plan.storeExisted) {
    try {
      plan.alreadyStored = SoftLabelStore::openOrCreate(plan.storeDir, plan.options).size();
    } catch (const Error& e) {
      throw US_ERROR(e.what_())
          .file(e.filePath())
          .hint(
              "repeat the first import's --top-k, --precision, --temperature and --model to "
              "resume, "
              "or import into a new folder with --out NAME");
    }
  }
  plan.datasetUtterances = catalog.utterances(plan.dataset.id).size();
  return plan;
}

SoftLabelSetImport importSoftLabelSet(Workspace& ws, const SoftLabelImportPlan& plan,
                                      const fs::path& arkOrScp, std::int64_t runId,
                                      ProgressSink* progress) {
  Catalog catalog(ws);
  std::unordered_set<std::string> keys;
  for (const UtteranceRow& u : catalog.utterances(plan.dataset.id)) keys.insert(u.key);

  SoftLabelSetImport out;
  try {
    out.records =
        importSoftLabelsFromKaldi(arkOrScp, plan.storeDir, plan.options, progress,
                                  [&](const std::string& key) { return keys.count(key) > 0; });
  } catch (...) {
    // A store this import created and could not fill is not left behind empty.
    std::error_code ec;
    if (!plan.storeExisted && SoftLabelStore::exists(plan.storeDir) &&
        SoftLabelStore::open(plan.storeDir).size() == 0)
      fs::remove_all(plan.storeDir, ec);
    throw;
  }
  if (out.records.imported + out.records.skipped == 0) {
    std::error_code ec;
    if (!plan.storeExisted) fs::remove_all(plan.storeDir, ec);
    if (out.records.leftOut == 0)
      throw US_ERROR("no posteriors in the archive").file(arkOrScp.string()).hint("check the path");
    throw US_ERROR("none of the " + std::to_string(out.records.leftOut) +
                   " posteriors is for an utterance of dataset '" + plan.dataset.name +
                   "' (the first is '" + out.records.firstLeftOut + "')")
        .file(arkOrScp.string())
        .hint(
            "check --dataset (`understudy-cli corpus list`); the archive's keys must be the "
            "dataset's "
            "utterance ids");
  }

  const SoftLabelStore store = SoftLabelStore::open(plan.storeDir);  // the writer has closed
  for (const std::string& key : keys)
    if (!store.contains(key)) ++out.missing;
  SoftLabelSetRow& row = out.set;
  row.datasetId = plan.dataset.id;
  row.modelId = plan.model.id;
  row.runId = runId;
  row.k = plan.options.k;
  row.temperature = plan.options.temperature;
  row.quantization = softLabelPrecisionName(plan.options.precision);
  row.path = plan.path;
  row.numUtterances = static_cast<std::int64_t>(store.size());
  row.numFrames = static_cast<std::int64_t>(store.totalFrames());
  row.id = catalog.registerSoftLabelSet(row);
  std::vector<SoftLabelUtteranceStats> perUtterance;
  out.summary = summarise(catalog, plan, store, perUtterance);
  catalog.updateSoftLabelSummary(row.id, out.summary, perUtterance);
  return out;
}

}  // namespace understudy
