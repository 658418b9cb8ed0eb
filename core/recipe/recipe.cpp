#include "core/recipe/recipe.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "core/audio/fbank.h"
#include "core/recipe/trainer_config.h"
#include "core/util/error.h"
#include "core/util/yaml_config.h"

namespace understudy::recipe {

namespace {

// Keys a student entry has beyond the trainer's.
const std::set<std::string> kStudentKeys = {"group", "seeds", "workers", "nodes", "master_addr"};

// `over` laid on `base`, map by map; leaves and lists come whole from `over`.
// Values keep their nodes, so errors still point at their lines.
YAML::Node deepMerge(const YAML::Node& base, const YAML::Node& over, const std::set<std::string>& skip = {}) {
  YAML::Node out(YAML::NodeType::Map);
  if (base && base.IsMap())
    for (const auto& item : base) {
      const std::string key = item.first.Scalar();
      if (skip.count(key)) continue;
      const YAML::Node o = over && over.IsMap() ? over[key] : YAML::Node();
      if (o && o.IsMap() && item.second.IsMap())
        out[key] = deepMerge(item.second, o);
      else
        out[key] = o ? o : item.second;
    }
  if (over && over.IsMap())
    for (const auto& item : over) {
      const std::string key = item.first.Scalar();
      if (skip.count(key) || (base && base.IsMap() && base[key])) continue;
      out[key] = item.second;
    }
  return out;
}

std::vector<std::string> readNames(YamlSection& s, const std::string& key) {
  std::vector<std::string> names;
  if (!s.has(key)) {
    s.accept(key);
    return names;
  }
  if (s.node()[key].IsScalar()) {
    std::string one;
    s.read(key, one);
    names.push_back(one);
  } else {
    s.read(key, names);
  }
  for (const auto& n : names)
    if (n.empty()) throw s.errorAt(key, "has an empty dataset name");
  return names;
}

void appendUnique(std::vector<std::string>& to, const std::vector<std::string>& names) {
  for (const auto& n : names)
    if (std::find(to.begin(), to.end(), n) == to.end()) to.push_back(n);
}

// A trainer section read as `train --config` reads it, then completed with
// what the recipe knows, then checked again as a whole.
TrainerConfig readTrainer(const YAML::Node& node, const std::string& path, const Recipe& r,
                                 const std::string& defaultRole) {
  YamlSection s(node, path, r.file);
  TrainerConfig cfg;
  try {
    cfg = TrainerConfig::fromYaml(s);
  } catch (Error& e) {
    if (!e.keyName().empty() && e.keyName().rfind(path, 0) != 0) e.key(path + "." + e.keyName());
    throw;
  }
  if (!node["role"]) cfg.role = defaultRole.empty() ? (cfg.streams.trainsSoft() ? "student" : "baseline") : defaultRole;
  if (!node["name"]) throw s.errorAt("name", "names no model").hint("name: student-interleave");
  if (cfg.data.train.empty()) cfg.data.train = r.labeled;
  if (cfg.streams.trainsSoft() && cfg.data.soft.empty()) {
    if (r.teacher.name.empty())
      throw s.errorAt("streams", "trains on soft labels but the recipe has no teacher").hint("add a teacher section");
    for (const auto& u : r.unlabeled) cfg.data.soft.push_back({u, r.teacher.name, ""});
    if (cfg.data.soft.empty())
      throw s.errorAt("streams", "trains on soft labels but datasets.unlabeled is empty")
          .hint("name the unlabeled sets under datasets.unlabeled");
  }
  s.validate([&] { cfg.validate(); });
  for (const auto& soft : cfg.data.soft)
    if (std::find(r.unlabeled.begin(), r.unlabeled.end(), soft.dataset) == r.unlabeled.end())
      throw s.errorAt("data", "trains on soft labels of '" + soft.dataset + "', which datasets.unlabeled does not list")
          .hint("the recipe's teacher labels the sets under datasets.unlabeled; add it there");
  return cfg;
}

// What the plan and the report need of one model's config.
RecipeModel describeModel(const TrainerConfig& cfg, int workers) {
  RecipeModel m;
  m.name = cfg.name;
  m.group = cfg.name;
  m.role = cfg.role;
  m.seed = cfg.seed;
  m.workers = workers;
  if (workers > 1) m.algorithm = cfg.distribution.algorithm;
  m.trainSets = cfg.data.train;
  m.validationSets = cfg.data.validation;
  for (const auto& soft : cfg.data.soft) m.softSets.push_back(soft.dataset);
  m.configYaml = cfg.toYaml();
  return m;
}

void readSynth(YamlSection& root, Recipe& r) {
  YamlSection corpus = root.child("corpus");
  if (corpus.has("synth")) {
    YamlSection s = corpus.child("synth");
    r.synth.enabled = true;
    s.read("profile", r.synth.profile);
    s.read("seed", r.synth.seed);
    s.read("scale", r.synth.scale);
    s.read("narrow_unlabeled", r.synth.narrowUnlabeled);
    s.finish();
    if (r.synth.profile != "tiny" && r.synth.profile != "demo" && r.synth.profile != "large")
      throw s.errorAt("profile", "'" + r.synth.profile + "' is not a synthetic corpus profile").hint("tiny | demo | large");
    if (!(r.synth.scale > 0.0 && r.synth.scale <= 100.0)) throw s.errorAt("scale", "must be in (0, 100]");
  }
  corpus.finish();
}

void readStudents(YamlSection& root, Recipe& r) {
  if (!root.has("students")) {
    root.accept("students");
    return;
  }
  YamlSection st = root.child("students");
  YAML::Node defaults = st.has("defaults") ? st.node()["defaults"] : YAML::Node(YAML::NodeType::Map);
  st.accept("defaults");
  st.accept("models");
  st.finish();
  const YAML::Node list = st.node()["models"];
  if (!list || !list.IsSequence() || list.size() == 0)
    throw st.errorAt("models", "must list at least one student").hint("students: { models: [{name: student-a, streams: {kind: interleave}}] }");
  std::set<std::string> names{r.teacher.name};
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string path = fmt::format("students.models[{}]", i);
    YamlSection entry(list[i], path, r.file);
    std::vector<std::uint64_t> seeds;
    entry.read("seeds", seeds);
    StudentPlacement placement;
    StudentPlacement::fields().readEntries(entry, placement);
    validateAt(entry, [&] { StudentPlacement::fields().validate(placement, Scope("recipe", path)); });
    const int workers = placement.workers;
    const std::string& group = placement.group;
    const std::string& masterAddr = placement.masterAddr;
    const std::vector<std::string>& nodes = placement.nodes;
    if (!nodes.empty() && workers < 2)
      throw entry.errorAt("nodes", "needs workers: 2 or more (rank 0 runs here, the others on the nodes)")
          .hint("workers: 4\n      nodes: [gpu1, gpu2]");
    if (!masterAddr.empty() && nodes.empty())
      throw entry.errorAt("master_addr", "is only for ranks on nodes").hint("add nodes: [NAME, ...] or remove master_addr");
    const TrainerConfig base = readTrainer(deepMerge(defaults, list[i], kStudentKeys), path, r, "");
    if (seeds.empty()) seeds.push_back(base.seed);
    for (std::uint64_t seed : seeds) {
      TrainerConfig cfg = base;
      cfg.seed = seed;
      if (seeds.size() > 1) cfg.name = fmt::format("{}-seed{}", base.name, seed);
      RecipeModel m = describeModel(cfg, workers);
      m.group = group.empty() ? base.name : group;
      m.nodes = nodes;
      m.masterAddr = masterAddr;
      if (!names.insert(m.name).second)
        throw entry.errorAt("name", "model '" + m.name + "' is named twice in the recipe").hint("give every model its own name");
      r.students.push_back(std::move(m));
    }
  }
}

void readEvaluation(YamlSection& root, Recipe& r) {
  YamlSection ev = root.child("evaluation");
  ev.read("baseline", r.baselineGroup);
  {
    YamlSection d = ev.child("decode");
    d.read("acoustic_scale", r.decode.acousticScale);
    d.read("prior_scale", r.decode.priorScale);
    d.read("beam", r.decode.beam);
    d.read("max_active", r.decode.maxActive);
    d.read("tune_on", r.decode.tuneOn);
    d.finish();
    if (!(r.decode.acousticScale > 0.0)) throw d.errorAt("acoustic_scale", "must be > 0");
    if (!(r.decode.beam > 0.0)) throw d.errorAt("beam", "must be > 0");
    if (r.decode.maxActive < 1) throw d.errorAt("max_active", "must be >= 1");
  }
  ev.finish();
  if (!r.baselineGroup.empty()) {
    const bool known = std::any_of(r.students.begin(), r.students.end(),
                                   [&](const RecipeModel& m) { return m.group == r.baselineGroup; }) ||
                       r.baselineGroup == r.teacher.name;
    if (!known) throw ev.errorAt("baseline", "'" + r.baselineGroup + "' is not a student group or the teacher")
                    .hint("name a student's group (its name unless it sets `group`)");
  }
}

}  // namespace

const FieldTable<RecipeLabeling>& RecipeLabeling::fields() {
  static const auto table =
      FieldTable<RecipeLabeling>()
          .field("top_k", &RecipeLabeling::topK, "posteriors kept per frame (the rest are dropped)", Range::closed(1, 1000))
          .field("precision", &RecipeLabeling::precision, "how the kept posteriors are stored: fp16, or u8 (quantised)",
                 Range::oneOf({"fp16", "u8"}))
          .field("temperature", &RecipeLabeling::temperature, "divides the teacher's logits before the softmax",
                 Range::above(0));
  return table;
}

const FieldTable<StudentPlacement>& StudentPlacement::fields() {
  static const auto table =
      FieldTable<StudentPlacement>()
          .field("group", &StudentPlacement::group, "the comparison row (default: the student's name); seeds of a group are averaged")
          .field("workers", &StudentPlacement::workers, "ranks: > 1 trains with `train --workers N` (distribution.algorithm says how)",
                 Range::closed(1, 64))
          .field("nodes", &StudentPlacement::nodes, "registered nodes for ranks 1..N-1 (rank 0 runs here); needs workers >= 2")
          .field("master_addr", &StudentPlacement::masterAddr, "with nodes: the address the nodes reach rank 0 at");
  return table;
}

std::string RecipeDecode::toYaml() const {
  return fmt::format("acoustic_scale: {}\nprior_scale: {}\nbeam: {}\nmax_active: {}\ntune_on: '{}'\n", acousticScale,
                     priorScale, beam, maxActive, tuneOn);
}

std::vector<std::string> Recipe::datasets() const {
  std::vector<std::string> all;
  appendUnique(all, labeled);
  appendUnique(all, unlabeled);
  appendUnique(all, tests);
  return all;
}

std::vector<const RecipeModel*> Recipe::models() const {
  std::vector<const RecipeModel*> all;
  if (!teacher.name.empty()) all.push_back(&teacher);
  for (const auto& s : students) all.push_back(&s);
  return all;
}

Recipe parseRecipe(const std::string& text, const std::string& fileName) {
  Recipe r;
  r.file = fileName;
  r.text = text;
  YamlSection root = YamlSection::loadString(text, fileName);
  if (!root.node().IsMap()) throw US_ERROR("a recipe must be a mapping of sections").file(fileName).hint("see docs/recipes.md");
  root.read("name", r.name);
  if (r.name.empty() || r.name.find_first_of(" \t/\\") != std::string::npos)
    throw root.errorAt("name", "must name the recipe (no spaces or slashes)").hint("name: demo");
  root.read("jobs", r.jobs);
  if (r.jobs < 1 || r.jobs > 256) throw root.errorAt("jobs", "must be 1..256");
  readSynth(root, r);
  {
    YamlSection d = root.child("datasets");
    r.labeled = readNames(d, "labeled");
    r.unlabeled = readNames(d, "unlabeled");
    r.tests = readNames(d, "tests");
    d.finish();
    if (r.labeled.empty()) throw d.errorAt("labeled", "is missing: a recipe needs labeled data").hint("datasets: { labeled: [synth-labeled] }");
  }
  if (root.has("features")) {
    YamlSection f = root.child("features");
    r.fbankYaml = FbankOptions::fromYaml(f).toYaml();
  } else {
    root.accept("features");
    r.fbankYaml = FbankOptions{}.toYaml();
  }
  {
    YamlSection u = root.child("units");
    r.targetSets = readNames(u, "targets");
    u.finish();
    if (r.targetSets.empty()) {
      // Training needs targets of its labeled sets; a synthetic corpus has the
      // truth for every set, which scores the teacher's labels and the tests.
      r.targetSets = r.synth.enabled ? r.datasets() : r.labeled;
    }
  }
  if (root.has("teacher")) {
    r.teacher = describeModel(readTrainer(root.node()["teacher"], "teacher", r, "teacher"), 1);
    root.accept("teacher");
  }
  {
    YamlSection l = root.child("labeling");
    RecipeLabeling::fields().read(l, r.labeling);
    validateAt(l, [&] { RecipeLabeling::fields().validate(r.labeling, Scope("recipe", "labeling")); });
  }
  readStudents(root, r);
  readEvaluation(root, r);
  root.finish();
  return r;
}

Recipe loadRecipe(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw US_ERROR("cannot read the recipe").file(path).hint("check the path (recipes/ has examples)");
  std::ostringstream text;
  text << in.rdbuf();
  return parseRecipe(text.str(), path);
}

}  // namespace understudy::recipe
