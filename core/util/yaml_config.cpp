#include "core/util/yaml_config.h"

#include <filesystem>

namespace understudy {

YamlSection::YamlSection(YAML::Node node, std::string path, std::string file)
    : m_node(std::move(node)), m_path(std::move(path)), m_file(std::move(file)) {
  if (m_node && !m_node.IsNull() && !m_node.IsMap())
    throw errorAt(m_node, "must be a mapping of key: value").key(m_path.empty() ? "<top>" : m_path);
}

YamlSection YamlSection::loadFile(const std::string& file) {
  if (!std::filesystem::exists(file))
    throw US_ERROR("config file does not exist").file(file);
  try {
    return YamlSection(YAML::LoadFile(file), "", file);
  } catch (const YAML::ParserException& e) {
    throw US_ERROR("malformed YAML: " + e.msg).file(file).line(e.mark.line + 1);
  } catch (const YAML::BadFile&) {
    throw US_ERROR("cannot read config file").file(file);
  }
}

YamlSection YamlSection::loadString(const std::string& text, const std::string& name) {
  try {
    return YamlSection(YAML::Load(text), "", name);
  } catch (const YAML::ParserException& e) {
    throw US_ERROR("malformed YAML: " + e.msg).file(name).line(e.mark.line + 1);
  }
}

bool YamlSection::has(const std::string& key) const { return m_node.IsMap() && m_node[key]; }

YamlSection YamlSection::child(const std::string& key) {
  m_seen.insert(key);
  YAML::Node sub = (m_node.IsMap() && m_node[key]) ? m_node[key] : YAML::Node();
  return YamlSection(sub, qualified(key), m_file);
}

void YamlSection::finish() const {
  if (!m_node.IsMap()) return;
  for (auto it = m_node.begin(); it != m_node.end(); ++it) {
    // YAML allows a list or mapping as a key (`? [a, b]: 1`); as<std::string>
    // would throw yaml-cpp's BadConversion at it (fuzz_recipe).
    if (!it->first.IsScalar())
      throw errorAt(it->first, "a key must be a plain name, not a list or mapping")
          .key(m_path.empty() ? "<top>" : m_path)
          .hint("check the indentation and the ? or : of the line");
    const std::string key = it->first.as<std::string>();
    if (!m_seen.count(key)) {
      // A key node built in code (a merged map) has no position; its value may.
      const bool keyHasLine = it->first.Mark().line >= 0;
      throw errorAt(keyHasLine ? it->first : it->second, "unknown key")
          .key(qualified(key))
          .hint("check the spelling; see the documented keys in docs/");
    }
  }
}

Error YamlSection::errorAt(const std::string& key, const std::string& what) const {
  if (m_node.IsMap() && m_node[key]) return errorAt(m_node[key], what).key(qualified(key));
  Error e = US_ERROR(what);
  e.file(m_file).key(qualified(key));
  return e;
}

Error YamlSection::errorAt(const YAML::Node& node, const std::string& what) const {
  Error e = US_ERROR(what);
  e.file(m_file);
  if (node && node.Mark().line >= 0) e.line(node.Mark().line + 1);
  return e;
}

std::string YamlSection::qualified(const std::string& key) const {
  return m_path.empty() ? key : m_path + "." + key;
}

}  // namespace understudy
