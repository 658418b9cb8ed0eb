#include "ui/wizard/recipe_document.h"

#include <functional>
#include <utility>

namespace understudy::ui {

namespace {

struct Part {
  std::string key;
  long index = -1;  // "models[1]": key models, index 1
};

std::vector<Part> splitPath(const std::string& path) {
  std::vector<Part> parts;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t dot = path.find('.', start);
    if (dot == std::string::npos) dot = path.size();
    std::string item = path.substr(start, dot - start);
    Part p;
    const std::size_t bracket = item.find('[');
    if (bracket != std::string::npos && item.back() == ']') {
      p.index = std::stol(item.substr(bracket + 1, item.size() - bracket - 2));
      item = item.substr(0, bracket);
    }
    p.key = item;
    parts.push_back(p);
    start = dot + 1;
  }
  return parts;
}

// One step down from `node` (rebinding it); false when there is nothing there.
// With `create`, missing maps are made (list elements never are).
bool step(YAML::Node& node, const Part& p, bool create) {
  if (!node.IsMap()) {
    if (!create || node.IsDefined() && !node.IsNull()) return false;
    node = YAML::Node(YAML::NodeType::Map);
  }
  YAML::Node next = node[p.key];
  if (!next || (!next.IsMap() && p.index < 0 && create && next.IsNull())) {
    if (!create || p.index >= 0) return false;
    node[p.key] = YAML::Node(YAML::NodeType::Map);
    next = node[p.key];
  }
  node.reset(next);
  if (p.index >= 0) {
    if (!node.IsSequence() || p.index >= static_cast<long>(node.size())) return false;
    YAML::Node element = node[static_cast<std::size_t>(p.index)];
    node.reset(element);
  }
  return true;
}

}  // namespace

std::string flowText(const YAML::Node& node) {
  if (node.IsScalar()) return node.Scalar();
  YAML::Emitter out;
  out.SetMapFormat(YAML::Flow);
  out.SetSeqFormat(YAML::Flow);
  out << node;
  return out.c_str();
}

RecipeDocument::RecipeDocument() : m_root(YAML::NodeType::Map) {}

RecipeDocument RecipeDocument::fromText(const std::string& text) {
  RecipeDocument d;
  YAML::Node root = YAML::Load(text);
  if (root.IsMap()) d.m_root = root;
  return d;
}

YAML::Node RecipeDocument::find(const std::string& path) const {
  YAML::Node node;
  node.reset(m_root);
  for (const Part& p : splitPath(path)) {
    if (!node.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
    const YAML::Node& map = node;  // const lookup: creates nothing
    YAML::Node next = map[p.key];
    if (!next) return YAML::Node(YAML::NodeType::Undefined);
    node.reset(next);
    if (p.index >= 0) {
      if (!node.IsSequence() || p.index >= static_cast<long>(node.size())) return YAML::Node(YAML::NodeType::Undefined);
      const YAML::Node& seq = node;
      YAML::Node element = seq[static_cast<std::size_t>(p.index)];
      node.reset(element);
    }
  }
  return node;
}

std::optional<std::string> RecipeDocument::text(const std::string& path) const {
  const YAML::Node n = find(path);
  if (!n || n.IsNull()) return std::nullopt;
  return flowText(n);
}

void RecipeDocument::set(const std::string& path, const YAML::Node& value) {
  std::vector<Part> parts = splitPath(path);
  const Part last = parts.back();
  parts.pop_back();
  YAML::Node node;
  node.reset(m_root);
  for (const Part& p : parts)
    if (!step(node, p, true)) return;
  if (!node.IsMap()) return;
  if (last.index >= 0) {
    YAML::Node seq = node[last.key];
    if (seq.IsSequence() && last.index < static_cast<long>(seq.size())) seq[static_cast<std::size_t>(last.index)] = value;
    return;
  }
  node[last.key] = value;
}

void RecipeDocument::setText(const std::string& path, const std::string& text) {
  set(path, YAML::Load(text));
}

void RecipeDocument::setList(const std::string& path, const std::vector<std::string>& items) {
  YAML::Node seq(YAML::NodeType::Sequence);
  for (const auto& i : items) seq.push_back(i);
  seq.SetStyle(YAML::EmitterStyle::Flow);
  set(path, seq);
}

void RecipeDocument::remove(const std::string& path) {
  const std::size_t dot = path.rfind('.');
  YAML::Node parent = dot == std::string::npos ? m_root : find(path.substr(0, dot));
  const std::string key = dot == std::string::npos ? path : path.substr(dot + 1);
  if (!parent || !parent.IsMap()) return;
  parent.remove(key);
  // A section left empty goes too (`optimizer: {}` says nothing), but never
  // a list element or the document.
  if (dot != std::string::npos && parent.size() == 0 && path[dot - 1] != ']') remove(path.substr(0, dot));
}

std::vector<std::string> RecipeDocument::list(const std::string& path) const {
  std::vector<std::string> out;
  const YAML::Node n = find(path);
  if (!n) return out;
  if (n.IsScalar()) {
    out.push_back(n.Scalar());
  } else if (n.IsSequence()) {
    for (const auto& item : n)
      if (item.IsScalar()) out.push_back(item.Scalar());
  }
  return out;
}

namespace {

// Containers of plain values in one line ({kind: adam}, [a, b]); containers
// of containers as blocks, as the recipes in recipes/ are written.
YAML::Node styled(const YAML::Node& node) {
  YAML::Node out = YAML::Clone(node);
  std::function<void(YAML::Node)> apply = [&](YAML::Node n) {
    if (!n.IsMap() && !n.IsSequence()) return;
    bool leaf = true;
    if (n.IsMap()) {
      for (auto item : n)
        if (item.second.IsMap() || item.second.IsSequence()) {
          leaf = false;
          apply(item.second);
        }
    } else {
      for (auto item : n)
        if (item.IsMap() || item.IsSequence()) {
          leaf = false;
          apply(item);
        }
    }
    n.SetStyle(leaf ? YAML::EmitterStyle::Flow : YAML::EmitterStyle::Block);
  };
  apply(out);
  return out;
}

// Like `out << node`, but a scalar that was quoted in the file ('1:4', '')
// or holds a ':' is written in single quotes, as recipes/ writes ratios:
// yaml-cpp would drop the quotes, and a YAML 1.1 reader takes 1:4 for a number.
void emitNode(YAML::Emitter& out, const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map:
      if (n.Style() == YAML::EmitterStyle::Flow) out << YAML::Flow;
      out << YAML::BeginMap;
      for (const auto& item : n) {
        out << YAML::Key;
        emitNode(out, item.first);
        out << YAML::Value;
        emitNode(out, item.second);
      }
      out << YAML::EndMap;
      break;
    case YAML::NodeType::Sequence:
      if (n.Style() == YAML::EmitterStyle::Flow) out << YAML::Flow;
      out << YAML::BeginSeq;
      for (const auto& item : n) emitNode(out, item);
      out << YAML::EndSeq;
      break;
    case YAML::NodeType::Scalar:
      if (n.Tag() == "!" || n.Scalar().find(':') != std::string::npos)
        out << YAML::SingleQuoted << n.Scalar();
      else
        out << n.Scalar();
      break;
    default:
      out << YAML::Null;
  }
}

// The sections in the order docs/recipes.md lists them; others after.
const char* const kSectionOrder[] = {"name",     "jobs",    "corpus",   "datasets",  "features",
                                     "units",    "teacher", "labeling", "students",  "evaluation"};

}  // namespace

std::string RecipeDocument::toYaml() const {
  YAML::Node ordered(YAML::NodeType::Map);
  for (const char* key : kSectionOrder)
    if (m_root[key]) ordered[key] = m_root[key];
  const YAML::Node& placed = ordered;  // const lookups create nothing
  for (const auto& item : m_root)
    if (!placed[item.first.Scalar()]) ordered[item.first.Scalar()] = item.second;
  YAML::Emitter out;
  emitNode(out, styled(ordered));
  std::string s = out.c_str();
  if (!s.empty() && s.back() != '\n') s += '\n';
  return s;
}

}  // namespace understudy::ui
