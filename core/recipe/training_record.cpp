#include "core/recipe/training_record.h"

#include <yaml-cpp/yaml.h>

#include <regex>

#include "core/util/error.h"

namespace understudy::recipe {

namespace {

// Written by `train` (app/cli/cmd_train.cpp) above the config of a run whose
// ranks shared the work: "# distributed: 2 ranks, algorithm gtc, backend gloo".
const std::regex kDistributedLine(R"((^|\n)# distributed: (\d+) ranks?, algorithm (\w+))");

std::vector<std::string> names(const YAML::Node& list, const char* field) {
  std::vector<std::string> out;
  if (!list || !list.IsSequence()) return out;
  for (const YAML::Node& item : list) {
    if (item.IsScalar())
      out.push_back(item.Scalar());
    else if (field && item.IsMap() && item[field] && item[field].IsScalar())
      out.push_back(item[field].Scalar());
  }
  return out;
}

}  // namespace

TrainingRecord readTrainingRecord(const std::string& configText, const std::string& name) {
  TrainingRecord r;
  r.keys = flattenYaml(configText, name);
  const YAML::Node root = YAML::Load(configText);  // parsed above: cannot throw here
  if (root.IsMap()) {
    const YAML::Node data = root["data"];
    if (data && data.IsMap()) {
      r.labeledDatasets = names(data["train"], nullptr);
      r.unlabeledDatasets = names(data["soft"], "dataset");
    }
    if (root["seed"] && root["seed"].IsScalar()) r.seed = root["seed"].Scalar();
  }
  std::smatch m;
  if (std::regex_search(configText, m, kDistributedLine)) {
    r.workers = std::stoi(m[2].str());
    r.algorithm = m[3].str();
  }
  return r;
}

}  // namespace understudy::recipe
