// The recipe the wizard edits, as a YAML document (yaml-cpp): the wizard's
// whole state. Forms read a key's value from it and write only the keys a
// person changed, so a reopened recipe keeps every key the wizard has no
// form for (its comments are not kept). Paths are dotted, with [i] for a
// list element: "teacher.optimizer.lr", "students.models[1].streams.ratio".
//
//   RecipeDocument doc = RecipeDocument::fromText(text);   // throws YAML::Exception
//   doc.setText("teacher.optimizer.lr", "0.002");          // parsed as YAML: 0.002, [a, b], ''
//   std::string yaml = doc.toYaml();
#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <vector>

namespace understudy::ui {

class RecipeDocument {
 public:
  RecipeDocument();  // an empty mapping
  static RecipeDocument fromText(const std::string& text);

  // The node at `path`, or an undefined node (operator bool false).
  YAML::Node find(const std::string& path) const;
  bool has(const std::string& path) const { return static_cast<bool>(find(path)); }
  // A scalar as written; a list or map in flow style ("[a, b]"); nullopt if absent.
  std::optional<std::string> text(const std::string& path) const;
  // Sets the value at `path`, creating the maps on the way (not list elements).
  void set(const std::string& path, const YAML::Node& value);
  // `text` read as a YAML value (so "[a, b]" is a list, "0.5" a number). Throws
  // YAML::Exception when it is not one value.
  void setText(const std::string& path, const std::string& text);
  void setList(const std::string& path, const std::vector<std::string>& items);
  void remove(const std::string& path);
  std::vector<std::string> list(const std::string& path) const;  // a scalar counts as one item

  std::string toYaml() const;
  const YAML::Node& root() const { return m_root; }

 private:
  YAML::Node m_root;
};

// A YAML value in one line ("0.5", "[a, b]", "{kind: adam}").
std::string flowText(const YAML::Node& node);

}  // namespace understudy::ui
