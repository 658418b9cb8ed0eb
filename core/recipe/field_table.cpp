#include "core/recipe/field_table.h"

#include <algorithm>
#include <cmath>

namespace understudy::recipe {

Range Range::bounds(std::optional<double> lo, bool loOpen, std::optional<double> hi, bool hiOpen) {
  Range r;
  r.m_lo = lo;
  r.m_loOpen = loOpen;
  r.m_hi = hi;
  r.m_hiOpen = hiOpen;
  return r;
}

Range Range::oneOf(std::vector<std::string> choices) {
  Range r;
  r.m_choices = std::move(choices);
  return r;
}

Range Range::note(std::string text) const {
  Range r = *this;
  r.m_note = std::move(text);
  return r;
}

bool Range::contains(double v) const {
  if (!bounded()) return true;
  if (!std::isfinite(v)) return false;
  if (m_lo && (m_loOpen ? !(v > *m_lo) : !(v >= *m_lo))) return false;
  if (m_hi && (m_hiOpen ? !(v < *m_hi) : !(v <= *m_hi))) return false;
  return true;
}

bool Range::contains(const std::string& v) const {
  return m_choices.empty() || std::find(m_choices.begin(), m_choices.end(), v) != m_choices.end();
}

std::string Range::text() const {
  std::string t;
  if (!m_choices.empty()) {
    for (const auto& c : m_choices) t += (t.empty() ? "" : " | ") + c;
  } else if (m_lo && m_hi) {
    t = fmt::format("{}{}, {}{}", m_loOpen ? "(" : "[", *m_lo, *m_hi, m_hiOpen ? ")" : "]");
  } else if (m_lo) {
    t = fmt::format("{} {}", m_loOpen ? ">" : ">=", *m_lo);
  } else if (m_hi) {
    t = fmt::format("{} {}", m_hiOpen ? "<" : "<=", *m_hi);
  }
  if (!m_note.empty()) t += (t.empty() ? "" : " ") + ("(" + m_note + ")");
  return t;
}

Error rangeError(const std::string& owner, const std::string& key, const std::string& value,
                 const std::string& allowed) {
  return US_ERROR(fmt::format("{} option {} = {} is out of range (allowed: {})", owner, key, value, allowed))
      .key(key);
}

std::string yamlValue(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + items[i];
  return out + "]";
}

void throwAtKeyLine(const YamlSection& s, const Error& e) {
  const std::string& key = e.keyName();
  // Walk "a.b.c" down to the map holding the leaf (reset() rebinds a node;
  // plain assignment would overwrite the tree in yaml-cpp). "betas[0]" is
  // found at its list's line.
  YAML::Node node;
  node.reset(s.node());
  std::string leaf = key;
  if (!s.path().empty() && leaf.rfind(s.path() + ".", 0) == 0) leaf = leaf.substr(s.path().size() + 1);
  for (std::size_t dot; node && node.IsMap() && (dot = leaf.find('.')) != std::string::npos;) {
    const YAML::Node& parent = node;
    YAML::Node next = parent[leaf.substr(0, dot)];
    node.reset(next);
    leaf = leaf.substr(dot + 1);
  }
  leaf = leaf.substr(0, leaf.find('['));
  Error out(e.what_(), e.sourceFile(), e.sourceLine());
  out.file(s.file()).key(key).hint(e.hintText());
  if (node && node.IsMap()) {
    const YAML::Node& parent = node;
    if (parent[leaf] && parent[leaf].Mark().line >= 0) out.line(parent[leaf].Mark().line + 1);
  }
  throw out;
}

namespace {

struct Override {
  std::string key, value, text;
};

Override parseOverride(const std::string& text) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0)
    throw US_ERROR("--set " + text + ": not KEY=VALUE").hint("e.g. --set optimizer.lr=0.01");
  return {text.substr(0, eq), text.substr(eq + 1), text};
}

}  // namespace

void applyOverrides(YAML::Node& root, const std::vector<std::string>& overrides,
                    const std::vector<KeyInfo>& keys) {
  if (!overrides.empty() && (!root || root.IsNull())) root = YAML::Node(YAML::NodeType::Map);  // an empty file
  for (const std::string& text : overrides) {
    const Override o = parseOverride(text);
    const bool known = std::any_of(keys.begin(), keys.end(), [&](const KeyInfo& k) { return k.key == o.key; });
    if (!known) {
      // Suggest keys with the same last segment ("lr" -> optimizer.lr).
      const std::string last = o.key.substr(o.key.rfind('.') + 1);
      std::string similar;
      for (const KeyInfo& k : keys)
        if (k.key.substr(k.key.rfind('.') + 1) == last) similar += (similar.empty() ? "" : ", ") + k.key;
      throw US_ERROR("--set " + text + ": unknown key")
          .key(o.key)
          .hint(similar.empty() ? "the keys are listed in docs/training.md (or: understudy-cli config keys)"
                                : "did you mean " + similar + "?");
    }
    YAML::Node value;
    try {
      value = o.value.empty() ? YAML::Node(std::string()) : YAML::Load(o.value);
    } catch (const YAML::Exception& e) {
      throw US_ERROR("--set " + text + ": the value is not YAML: " + e.msg).key(o.key);
    }
    YAML::Node node;
    node.reset(root);
    std::string rest = o.key;
    for (std::size_t dot; (dot = rest.find('.')) != std::string::npos; rest = rest.substr(dot + 1)) {
      YAML::Node next = node[rest.substr(0, dot)];
      if (next && !next.IsMap() && !next.IsNull())
        throw US_ERROR("--set " + text + ": " + rest.substr(0, dot) + " is not a section in the config")
            .key(o.key);
      node.reset(next);
    }
    node[rest] = value;
  }
}

Error blameOverride(const Error& e, const std::vector<std::string>& overrides) {
  for (const std::string& text : overrides) {
    const std::string key = text.substr(0, text.find('='));
    const std::string& named = e.keyName();
    // The key itself, or an element of it ("optimizer.betas[1]").
    if (named == key || named.rfind(key + "[", 0) == 0) {
      Error out(e.what_(), e.sourceFile(), e.sourceLine());
      out.file("--set " + text).key(named).hint(e.hintText());
      return out;
    }
  }
  return e;
}

}  // namespace understudy::recipe
