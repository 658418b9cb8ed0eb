#include "core/util/yaml_flatten.h"

#include <yaml-cpp/yaml.h>

#include "core/util/error.h"

namespace understudy {

namespace {

// A sequence or map as one line: "[a, b]", "[{dataset: u, model: t}]".
std::string inlineValue(const YAML::Node& node) {
  std::string v;
  if (node.IsSequence()) {
    for (std::size_t i = 0; i < node.size(); ++i) v += (i ? ", " : "") + inlineValue(node[i]);
    return "[" + v + "]";
  }
  if (node.IsMap()) {
    for (const auto& item : node)
      v += (v.empty() ? "" : ", ") + item.first.Scalar() + ": " + inlineValue(item.second);
    return "{" + v + "}";
  }
  return node.IsNull() ? std::string() : node.Scalar();
}

void flatten(const YAML::Node& node, const std::string& prefix, FlatYaml& out) {
  if (node.IsMap()) {
    for (const auto& item : node)
      flatten(item.second, prefix.empty() ? item.first.Scalar() : prefix + "." + item.first.Scalar(), out);
  } else {
    out.emplace_back(prefix, inlineValue(node));
  }
}

}  // namespace

FlatYaml flattenYaml(const std::string& text, const std::string& name) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    throw US_ERROR("malformed YAML: " + e.msg).file(name).line(e.mark.line + 1);
  }
  FlatYaml out;
  if (!root || root.IsNull()) return out;
  flatten(root, "", out);
  return out;
}

}  // namespace understudy
