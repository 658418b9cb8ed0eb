// A YAML document as dotted keys: every scalar under nested mappings becomes
// one ("optimizer.lr" -> "0.003"), in document order. A sequence is one value
// on one line ("[synth-labeled]", "[{dataset: x, model: t}]"); a null and an
// empty string are "". Comments are not values (a config's "# distributed:"
// line is not a key). `train --resume` compares configs key by key with it
// (core/recipe/trainer_config.cpp); the GUI's comparison view makes any key
// of a run's resolved config a column (docs/gui.md "Comparing experiments").
//
//   for (const auto& [key, value] : flattenYaml("model:\n  hidden: 512\n")) ...   // model.hidden, 512
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace understudy {

using FlatYaml = std::vector<std::pair<std::string, std::string>>;

// Throws understudy::Error (with the line) for malformed YAML. An empty
// document gives no keys; a document that is not a mapping gives one key, "".
FlatYaml flattenYaml(const std::string& text, const std::string& name = "<string>");

}  // namespace understudy
