// What the record of a training run says about how it trained: the config
// `train` stores as runs.config (TrainerConfig::toYaml(), after a
// "# distributed: N ranks, algorithm A, backend B" line when ranks shared
// the work). Torch-free and Qt-free: the GUI's comparison view reads it
// (docs/gui.md "Comparing experiments").
//
//   TrainingRecord r = readTrainingRecord(runConfigText);
//   r.labeledDatasets;    // data.train
//   r.unlabeledDatasets;  // data.soft[].dataset
//   r.algorithm;          // "" (one process) | sync | gtc | bmuf
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/util/yaml_flatten.h"

namespace understudy::recipe {

struct TrainingRecord {
  FlatYaml keys;                               // every key of the config, dotted (flattenYaml)
  std::vector<std::string> labeledDatasets;    // data.train
  std::vector<std::string> unlabeledDatasets;  // data.soft[].dataset (the teacher-labeled stream)
  // The "# distributed:" line's algorithm; "" when one process trained
  // (distribution.algorithm is then in the config but unused).
  std::string algorithm;
  int workers = 1;                    // ranks; 1 = one process
  std::optional<std::string> seed;    // the config's seed, as written
};

// Throws understudy::Error (with the line) for a config that is not YAML.
TrainingRecord readTrainingRecord(const std::string& configText,
                                  const std::string& name = "<run config>");

}  // namespace understudy::recipe
