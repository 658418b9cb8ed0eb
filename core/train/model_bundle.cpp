#include "core/train/model_bundle.h"

#include <fmt/format.h>

#include "core/align/target_store.h"
#include "core/store/model_registry.h"
#include "core/store/workspace.h"
#include "core/util/atomic_file.h"
#include "core/util/error.h"
#include "core/util/yaml_config.h"

namespace understudy::train {

namespace fs = std::filesystem;

namespace {

// The rules save() and load() share; errors name the file that disagrees
// with the architecture (model.yaml).
void checkParts(const nn::AcousticModelOptions& o, const CmvnStats& cmvn,
                const UnitInventory& units, const UnitPriors& priors, const fs::path& dir) {
  const auto units_ = static_cast<std::int64_t>(units.size());
  if (units_ != o.num_units())
    throw US_ERROR(fmt::format("{} units, but the model has {} outputs (num_units in {})", units_,
                               o.num_units(), ModelBundle::kArchitectureFile))
        .file((dir / ModelBundle::kUnitsFile).string())
        .hint("units.txt and the weights come from different trainings; retrain or restore the folder");
  if (static_cast<std::int64_t>(priors.numUnits()) != o.num_units())
    throw US_ERROR(fmt::format("{} priors, but the model has {} outputs (num_units in {})",
                               priors.numUnits(), o.num_units(), ModelBundle::kArchitectureFile))
        .file((dir / ModelBundle::kPriorsFile).string())
        .hint("priors.txt holds one prior per unit of units.txt");
  if (cmvn.empty())
    throw US_ERROR("CMVN statistics hold no frames").file((dir / ModelBundle::kCmvnFile).string());
  if (static_cast<std::int64_t>(cmvn.dim()) != o.input_dim())
    throw US_ERROR(fmt::format("{}-dimensional CMVN statistics, but the model reads {}-dimensional "
                               "features (input_dim in {})",
                               cmvn.dim(), o.input_dim(), ModelBundle::kArchitectureFile))
        .file((dir / ModelBundle::kCmvnFile).string())
        .hint("the statistics of the features the model was trained on");
}

fs::path requireFile(const fs::path& dir, const char* name, const std::string& what) {
  const fs::path p = dir / name;
  if (!fs::is_regular_file(p))
    throw US_ERROR("model folder has no " + std::string(name) + " (" + what + ")")
        .file(p.string())
        .hint("an incomplete model folder: retrain the model (understudy-cli train)");
  return p;
}

}  // namespace

fs::path ModelBundle::folder(const Workspace& ws, const std::string& name) {
  return ws.subdir("models") / name;
}

std::int64_t ModelBundle::save(Workspace& ws) {
  if (name.empty()) throw US_ERROR("a model bundle needs a name");
  if (!model) throw US_ERROR("model bundle '" + name + "' has no model");
  const nn::AcousticModelOptions& o = model->options;
  const fs::path target = folder(ws, name);
  checkParts(o, cmvn, units, priors, target);

  fs::create_directories(target);
  // Every file atomically; the architecture after the parts it describes,
  // the row last: a row always names a complete folder.
  nn::saveWeights(model, (target / kWeightsFile).string());
  nn::exportForPython(model, (target / kPythonFile).string());
  cmvn.save((target / kCmvnFile).string());
  units.save(target / kUnitsFile);
  priors.save(target / kPriorsFile);
  writeFileAtomically(target / kArchitectureFile, o.toYaml());

  ModelRow row;
  row.name = name;
  row.role = role;
  row.architecture = o.toYaml();
  row.numParams = model->parameterCount();
  row.unitInventoryId = unitInventoryId;
  row.runId = runId;
  row.path = fs::relative(target / kWeightsFile, ws.root()).generic_string();
  id = registerModel(ws.db(), row);
  dir = target;
  return id;
}

ModelBundle ModelBundle::load(Workspace& ws, const std::string& name) {
  const std::optional<ModelRow> row = findModel(ws.db(), name);
  if (!row) {
    std::string known;
    for (const ModelRow& r : listModels(ws.db())) known += (known.empty() ? "" : ", ") + r.name;
    throw US_ERROR("no model named '" + name + "' in the workspace")
        .file(ws.databasePath().string())
        .hint(known.empty() ? "train one first: understudy-cli train -w WS --config FILE"
                            : "models: " + known);
  }
  fs::path weights = row->path;
  if (weights.is_relative()) weights = ws.root() / weights;
  ModelBundle b = loadFolder(weights.parent_path(), row->architecture);
  b.name = row->name;
  b.role = row->role;
  b.id = row->id;
  b.runId = row->runId;
  b.unitInventoryId = row->unitInventoryId;
  return b;
}

void ModelBundle::requireFeatureDims(int dims, const std::string& dataset, const std::string& featureSetName,
                                     const std::string& featureSetPath, const fs::path& featureDir,
                                     const std::string& nothingDone) const {
  if (dims == model->options.input_dim()) return;
  throw US_ERROR(fmt::format("dataset '{}': feature set '{}' ({}) has {}-dim features, model '{}' ({}) expects {}",
                             dataset, featureSetName, featureSetPath, dims, name, dir.string(),
                             model->options.input_dim()))
      .file(featureDir.string())
      .hint("pick the feature set the model was trained on with --feature-set; " + nothingDone);
}

ModelBundle ModelBundle::loadFolder(const fs::path& dir, const std::string& fallbackArchitecture) {
  if (!fs::is_directory(dir))
    throw US_ERROR("model folder not found").file(dir.string()).hint("train the model first");
  ModelBundle b;
  b.dir = dir;
  b.name = dir.filename().string();

  nn::AcousticModelOptions o;
  const fs::path arch = dir / kArchitectureFile;
  if (fs::is_regular_file(arch) || fallbackArchitecture.empty()) {
    YamlSection s = YamlSection::loadFile(requireFile(dir, kArchitectureFile, "the architecture").string());
    o = nn::AcousticModelOptions::fromYaml(s);
  } else {
    YamlSection s = YamlSection::loadString(fallbackArchitecture, "models.architecture of '" + b.name + "'");
    o = nn::AcousticModelOptions::fromYaml(s);
  }
  if (o.num_units() <= 0)
    throw US_ERROR("the architecture has no num_units").file(arch.string());

  b.cmvn = CmvnStats::load(requireFile(dir, kCmvnFile, "CMVN statistics").string());
  b.units = UnitInventory::load(requireFile(dir, kUnitsFile, "the unit inventory"));
  b.priors = UnitPriors::load(requireFile(dir, kPriorsFile, "unit priors for decoding"));
  checkParts(o, b.cmvn, b.units, b.priors, dir);

  const fs::path weights = requireFile(dir, kWeightsFile, "the weights");
  b.model = nn::AcousticModel(o);
  nn::loadWeights(b.model, weights.string());
  b.model->eval();
  return b;
}

UnitPriors pooledTargetPriors(const std::vector<fs::path>& targetDirs) {
  if (targetDirs.empty()) throw US_ERROR("priors need at least one target store");
  std::optional<UnitInventory> units;
  std::vector<std::int64_t> counts;
  for (const fs::path& d : targetDirs) {
    const TargetStore store = TargetStore::open(d);
    if (!units) {
      units = store.units();
      counts.assign(static_cast<std::size_t>(units->size()), 0);
    } else if (store.units() != *units) {
      throw US_ERROR(fmt::format("targets over a different unit inventory ({} units, the first "
                                 "store has {})",
                                 store.units().size(), units->size()))
          .file(d.string())
          .hint("rebuild its targets with the same phones.txt");
    }
    for (const std::string& key : store.keys()) {
      for (const std::int32_t t : store.read(key)) {
        if (t < 0 || t >= units->size())
          throw US_ERROR(fmt::format("target unit {} outside the inventory (0..{})", t, units->size() - 1))
              .file(d.string())
              .utterance(key);
        ++counts[static_cast<std::size_t>(t)];
      }
    }
  }
  return UnitPriors::fromCounts(std::move(counts));
}

}  // namespace understudy::train
