// Strict YAML reading for config structs (docs/design.md "House rules in short").
//
// Unknown keys are an error naming the key and its line; a wrong type names
// the key, the line and the expected type. Fields keep their defaults when the
// key is absent.
//
//   YamlSection s = YamlSection::loadFile("teacher.yaml");
//   YamlSection m = s.child("model");
//   m.read("layers", cfg.layers);
//   m.read("kind", cfg.kind);
//   m.finish();                    // throws on keys nobody read
//   s.finish();
#pragma once

#include <yaml-cpp/yaml.h>

#include <set>
#include <string>
#include <vector>

#include "core/util/error.h"

namespace understudy {

class YamlSection {
 public:
  YamlSection(YAML::Node node, std::string path, std::string file);
  static YamlSection loadFile(const std::string& file);
  static YamlSection loadString(const std::string& text, const std::string& name = "<string>");

  bool has(const std::string& key) const;
  YamlSection child(const std::string& key);  // an empty section if absent
  const YAML::Node& node() const { return m_node; }
  const std::string& path() const { return m_path; }
  const std::string& file() const { return m_file; }

  template <typename T>
  bool read(const std::string& key, T& field) {
    m_seen.insert(key);
    if (!m_node.IsMap() || !m_node[key]) return false;
    YAML::Node value = m_node[key];
    try {
      field = value.as<T>();
    } catch (const YAML::Exception&) {
      throw errorAt(value, "has the wrong type or value").key(qualified(key));
    }
    return true;
  }

  // Marks a key as handled without reading it.
  void accept(const std::string& key) { m_seen.insert(key); }
  // Throws naming the first key that was never read or accepted.
  void finish() const;
  // Runs a config's validate(): an Error naming a field is re-thrown pointing
  // at that key's line in this section, with its hint.
  template <typename Validate>
  void validate(Validate&& validateFields) const {
    try {
      validateFields();
    } catch (const Error& e) {
      throw errorAt(e.keyName(), e.what_()).hint(e.hintText());
    }
  }
  // An error pointing at `key`'s line in this section.
  Error errorAt(const std::string& key, const std::string& what) const;
  Error errorAt(const YAML::Node& node, const std::string& what) const;
  std::string qualified(const std::string& key) const;

 private:
  YAML::Node m_node;
  std::string m_path;
  std::string m_file;
  std::set<std::string> m_seen;
};

}  // namespace understudy
