// A trained acoustic model with everything that labeling, evaluation and
// decoding need, as one unit (docs/models.md "Model bundle"):
//
//   WS/models/<name>/
//     model.pt         weights (nn::saveWeights)
//     model.python.pt  the same dict for python's torch.load
//     model.yaml       the architecture: the model options' YAML (num_units included)
//     cmvn.stats       the global CMVN statistics the training features were normalised with
//     units.txt        the unit inventory the outputs index ("<name> <id>")
//     priors.txt       unit priors p(s) for hybrid decoding (Kaldi text vector)
//   plus the `models` row of workspace.db (core/store/model_registry.h).
//
//   ModelBundle b;
//   b.name = cfg.name; b.role = cfg.role; b.model = trainer.model();
//   b.cmvn = data.cmvn; b.units = data.units;
//   b.priors = pooledTargetPriors({TargetStore::datasetDir(root, "set-a"), ...});
//   b.runId = runId; b.unitInventoryId = data.unitInventoryId;
//   std::int64_t id = b.save(ws);                       // checks, files, then the row
//
//   ModelBundle t = ModelBundle::load(ws, "teacher");   // eval mode, CPU, consistent
//   t.cmvn.apply(feats, frames, t.cmvn.dim());
//   auto [logits, lengths] = t.model->forward(x, len);
//
// save() checks the parts against each other before writing anything, writes
// every file atomically (temp + rename) and the row last, so a row always
// names a complete folder. load() checks the same rules on what it reads and
// fails naming the file that disagrees: units.txt must hold num_units units,
// priors.txt num_units priors, cmvn.stats input_dim dimensions, model.pt the
// tensors of the architecture.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/align/priors.h"
#include "core/audio/cmvn.h"
#include "core/nn/acoustic_model.h"
#include "core/store/unit_inventory.h"

namespace understudy {
class Workspace;
}

namespace understudy::train {

struct ModelBundle {
  static constexpr const char* kWeightsFile = "model.pt";
  static constexpr const char* kPythonFile = "model.python.pt";
  static constexpr const char* kArchitectureFile = "model.yaml";
  static constexpr const char* kCmvnFile = "cmvn.stats";
  static constexpr const char* kUnitsFile = "units.txt";
  static constexpr const char* kPriorsFile = "priors.txt";

  std::string name;
  std::string role;  // "teacher", "student", "baseline"
  nn::AcousticModel model{nullptr};
  CmvnStats cmvn;
  UnitInventory units;
  UnitPriors priors;
  std::int64_t id = 0;               // models.id (after save or load)
  std::int64_t runId = 0;            // the run that trained it (0: none)
  std::int64_t unitInventoryId = 0;  // unit_inventories.id (0: unknown)
  std::filesystem::path dir;         // WS/models/<name> (after save or load)

  // WS/models/<name>
  static std::filesystem::path folder(const Workspace& ws, const std::string& name);

  // Writes the files into folder(ws, name) and registers the row (insert, or
  // update the row of that name). Throws understudy::Error before writing
  // anything if the parts disagree. Returns the row id (also set in `id`).
  std::int64_t save(Workspace& ws);

  // The model named `name` in the workspace's models table, from its folder,
  // in eval mode on the CPU. Throws understudy::Error naming the model (with
  // the known names) if there is no row, and naming the file if one is
  // missing, unreadable or inconsistent with the architecture.
  static ModelBundle load(Workspace& ws, const std::string& name);

  // The files only (no workspace row): name from the folder, role empty.
  // `fallbackArchitecture` is used if model.yaml is absent (models trained
  // before it was written; the row's architecture).
  static ModelBundle loadFolder(const std::filesystem::path& dir,
                                const std::string& fallbackArchitecture = "");

  // Throws an Error naming the dataset, the feature set (name, workspace path,
  // folder) and this model (name, folder) unless `dims` is the model's input
  // size; `nothingDone` ends the hint ("nothing was labeled").
  void requireFeatureDims(int dims, const std::string& dataset, const std::string& featureSetName,
                          const std::string& featureSetPath, const std::filesystem::path& featureDir,
                          const std::string& nothingDone) const;
};

// Unit priors over the targets of several datasets together: the frames of
// every dataset counted into one histogram, then add-one smoothed
// (UnitPriors), so each dataset weighs by its number of target frames. Reads
// every target record (checksums verified). All stores must share one unit
// inventory; a store whose units differ is an Error naming its folder.
UnitPriors pooledTargetPriors(const std::vector<std::filesystem::path>& targetDirs);

}  // namespace understudy::train
