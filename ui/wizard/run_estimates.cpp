#include "ui/wizard/run_estimates.h"

#include <algorithm>

#include "core/util/yaml_config.h"

namespace understudy::ui {

recipe::ModelOptions resolveModel(const YAML::Node& model) {
  recipe::ModelOptions m;
  if (!model || !model.IsMap()) return m;
  YAML::Node rest(YAML::NodeType::Map);
  for (const auto& item : model) {
    const std::string key = item.first.Scalar();
    if (key == "preset")
      m = recipe::ModelOptions::preset(item.second.Scalar());
    else
      rest[key] = item.second;
  }
  YamlSection s(rest, "model", "");
  recipe::ModelOptions::fields().read(s, m);
  recipe::ModelOptions::fields().validate(m, recipe::Scope("acoustic model"));  // num_units 0 passes
  return m;
}

std::optional<double> bytesPerStep(const std::string& algorithm, int workers, std::int64_t parameters,
                                   double gtcFraction, int blockSteps) {
  if (workers <= 1) return 0.0;
  const double n = workers;
  const double model = 4.0 * static_cast<double>(parameters);  // S = 4 |w|
  const double stopFlag = 4.0;
  auto ringAllreduce = [n](double bytes) { return 2.0 * (n - 1.0) / n * bytes; };
  if (algorithm == "sync") return ringAllreduce(model) + ringAllreduce(stopFlag);
  if (algorithm == "bmuf") return (ringAllreduce(model) + ringAllreduce(stopFlag)) / std::max(1, blockSteps);
  if (algorithm == "gtc") {
    if (!(gtcFraction > 0.0)) return std::nullopt;
    const double words = gtcFraction * static_cast<double>(parameters);  // L
    return (n - 1.0) * (8.0 + 4.0 * words) + ringAllreduce(stopFlag);
  }
  return std::nullopt;
}

}  // namespace understudy::ui
