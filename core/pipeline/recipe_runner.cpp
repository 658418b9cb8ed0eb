#include "core/pipeline/recipe_runner.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <sstream>

#include "core/dist/launcher.h"
#include "core/train/model_bundle.h"
#include "core/util/atomic_file.h"
#include "core/util/config_hash.h"
#include "core/util/error.h"

namespace fs = std::filesystem;

namespace understudy::pipeline {

namespace {

std::string str(double v) { return fmt::format("{}", v); }

fs::path modelConfigFile(const fs::path& folder, const std::string& model) { return folder / (model + ".yaml"); }

// The keys of the steps so far, by what they made.
struct Keys {
  std::string synth;
  std::map<std::string, std::string> features, targets, models, labels;

  // What training on `sets` reads: their features and targets.
  std::vector<std::string> trainingInputs(const std::vector<std::string>& sets, const std::string& model) const {
    std::vector<std::string> in;
    for (const auto& d : sets) {
      auto t = targets.find(d);
      if (t == targets.end())
        throw US_ERROR("model '" + model + "' trains or validates on '" + d + "', which gets no frame targets")
            .hint("add it to units.targets in the recipe");
      in.push_back(features.at(d));
      in.push_back(t->second);
    }
    return in;
  }
};

// The trainer config as its step's key sees it: without the keys that say how
// closely the job is watched and not what it computes. Like a student's
// `nodes` and `master_addr`, changing them must not retrain a finished model.
// (distribution.heartbeat_s; the canonical YAML writes it on a line of its own.)
std::string keyedTrainerConfig(const std::string& yaml) {
  std::istringstream in(yaml);
  std::string out, line;
  while (std::getline(in, line))
    if (line.rfind("  heartbeat_s: ", 0) != 0) out += line + "\n";
  return out;
}

StepPlan trainStep(const RecipeModel& m, const fs::path& root, const fs::path& folder, std::vector<std::string> inputs) {
  StepPlan p;
  p.kind = "train";
  p.name = m.name;
  p.config = keyedTrainerConfig(m.configYaml) + fmt::format("workers: {}\n", m.workers);
  p.inputs = std::move(inputs);
  p.outputs = {"models/" + m.name + "/" + train::ModelBundle::kWeightsFile};
  p.args = {"train", "-w", root.string(), "--config", modelConfigFile(folder, m.name).string()};
  if (m.workers > 1) p.args.insert(p.args.end(), {"--workers", std::to_string(m.workers)});
  if (!m.nodes.empty()) {
    std::string names;
    for (const auto& n : m.nodes) names += (names.empty() ? "" : ",") + n;
    p.args.insert(p.args.end(), {"--nodes", names});
  }
  if (!m.masterAddr.empty()) p.args.insert(p.args.end(), {"--master-addr", m.masterAddr});
  p.resumeArgs = {"--resume"};
  return p;
}

bool outputsPresent(const fs::path& root, const StepPlan& p) {
  for (const auto& o : p.outputs)
    if (!fs::exists(root / o)) return false;
  return true;
}

std::string shortKey(const std::string& key) { return key.substr(0, 8); }

std::string commandLine(const std::vector<std::string>& args) {
  std::string line = "understudy-cli";
  for (const auto& a : args) line += " " + (a.find_first_of(" '\"$;") == std::string::npos ? a : "'" + a + "'");
  return line;
}

}  // namespace

const char* stepStateName(StepState state) {
  switch (state) {
    case StepState::Cached: return "cached";
    case StepState::Resume: return "resume";
    case StepState::Run: return "run";
  }
  return "?";
}

fs::path recipeFolder(const fs::path& workspaceRoot, const std::string& recipeName) {
  return workspaceRoot / "recipes" / recipeName;
}

std::vector<StepPlan> planRecipe(const Recipe& r, const fs::path& root) {
  const fs::path folder = recipeFolder(root, r.name);
  const std::string ws = root.string();
  const std::string jobs = std::to_string(r.jobs);
  std::vector<StepPlan> steps;
  Keys keys;

  if (r.synth.enabled) {
    StepPlan p;
    p.kind = "synth";
    p.name = "synth-" + r.synth.profile + "-seed" + std::to_string(r.synth.seed);
    p.config = fmt::format("profile: {}\nseed: {}\nscale: {}\nnarrow_unlabeled: {}\n", r.synth.profile, r.synth.seed,
                           r.synth.scale, r.synth.narrowUnlabeled);
    p.args = {"corpus", "synth", "-w", ws, "--profile", r.synth.profile, "--seed", std::to_string(r.synth.seed),
              "--scale", str(r.synth.scale), "-j", jobs};
    if (r.synth.narrowUnlabeled) p.args.push_back("--narrow-unlabeled");
    keys.synth = p.key();
    steps.push_back(std::move(p));
  }

  std::vector<std::string> sets = r.datasets();
  for (const auto& d : r.targetSets)
    if (std::find(sets.begin(), sets.end(), d) == sets.end()) sets.push_back(d);
  for (const auto& d : sets) {
    StepPlan p;
    p.kind = "features";
    p.name = d;
    p.config = r.fbankYaml;
    p.inputs = {keys.synth, "dataset: " + d};
    p.args = {"features", "-w", ws, "--dataset", d, "--config", (folder / "fbank.yaml").string(), "--jobs", jobs};
    keys.features[d] = p.key();
    steps.push_back(std::move(p));
  }
  for (const auto& d : r.targetSets) {
    StepPlan p;
    p.kind = "targets";
    p.name = d;
    p.config = "dataset: " + d + "\nalignments: default\n";
    p.inputs = {keys.features.at(d)};
    p.args = {"targets", "-w", ws, "--dataset", d};
    keys.targets[d] = p.key();
    steps.push_back(std::move(p));
  }

  auto modelInputs = [&](const RecipeModel& m) {
    std::vector<std::string> in = keys.trainingInputs(m.trainSets, m.name);
    auto more = keys.trainingInputs(m.validationSets, m.name);
    in.insert(in.end(), more.begin(), more.end());
    for (const auto& u : m.softSets) in.push_back(keys.labels.at(u));
    return in;
  };
  if (!r.teacher.name.empty()) {
    StepPlan p = trainStep(r.teacher, root, folder, modelInputs(r.teacher));
    keys.models[r.teacher.name] = p.key();
    steps.push_back(std::move(p));
    for (const auto& u : r.unlabeled) {
      StepPlan l;
      l.kind = "label";
      l.name = r.teacher.name + "@" + u;
      l.config = fmt::format("model: {}\ndataset: {}\ntop_k: {}\nprecision: {}\ntemperature: {}\n", r.teacher.name, u,
                             r.labeling.topK, r.labeling.precision, r.labeling.temperature);
      l.inputs = {keys.models[r.teacher.name], keys.features.at(u)};
      if (keys.targets.count(u)) l.inputs.push_back(keys.targets[u]);  // the summary scores the labels against them
      l.outputs = {"softlabels/" + u + "-" + r.teacher.name};
      l.args = {"label", "-w", ws, "--model", r.teacher.name, "--dataset", u, "--top-k", std::to_string(r.labeling.topK),
                "--precision", r.labeling.precision, "--temperature", str(r.labeling.temperature)};
      keys.labels[u] = l.key();
      steps.push_back(std::move(l));
    }
  }
  for (const auto& m : r.students) {
    StepPlan p = trainStep(m, root, folder, modelInputs(m));
    keys.models[m.name] = p.key();
    steps.push_back(std::move(p));
  }

  for (const RecipeModel* m : r.models()) {
    for (const auto& d : r.tests) {
      StepPlan p;
      p.kind = "decode";
      p.name = m->name + "@" + d;
      p.config = "model: " + m->name + "\ndataset: " + d + "\n" + r.decode.toYaml();
      p.inputs = {keys.models.at(m->name), keys.features.at(d)};
      if (!r.decode.tuneOn.empty()) p.inputs.push_back(keys.features.at(r.decode.tuneOn));
      p.outputs = {"decode/" + m->name + "/" + d + "/wer.txt"};
      p.args = {"decode", "-w", ws, "--model", m->name, "--dataset", d, "--acoustic-scale", str(r.decode.acousticScale),
                "--prior-scale", str(r.decode.priorScale), "--beam", str(r.decode.beam), "--max-active",
                std::to_string(r.decode.maxActive), "--threads", jobs};
      if (!r.decode.tuneOn.empty()) p.args.insert(p.args.end(), {"--tune-on", r.decode.tuneOn});
      steps.push_back(std::move(p));
    }
  }
  return steps;
}

std::vector<CheckedStep> checkSteps(Workspace& ws, const std::vector<StepPlan>& plan) {
  RunStore runs(ws.db());
  runs.reapOrphanedRuns();
  std::vector<CheckedStep> out;
  for (const auto& p : plan) {
    CheckedStep c;
    c.plan = p;
    const std::string key = p.key();
    const auto rows = runs.runsWithConfigHash(p.kind, key);
    if (!rows.empty()) c.lastRun = rows.front().id;
    const bool finished = std::any_of(rows.begin(), rows.end(), [](const RunRow& r) { return r.status == "finished"; });
    if (finished && outputsPresent(ws.root(), p))
      c.state = StepState::Cached;
    else if (!rows.empty())
      c.state = StepState::Resume;  // train gets its resumeArgs; stores resume by themselves
    if (p.kind == "train" && rows.empty()) {
      const fs::path dir = ws.root() / "models" / p.name;
      if (fs::exists(dir / "checkpoints") && !fs::is_empty(dir / "checkpoints"))
        throw US_ERROR("model '" + p.name + "' already exists in the workspace, trained with another config")
            .file(dir.string())
            .hint("the recipe changed this model's settings (or a command made it by hand): give it another "
                  "name in the recipe, or delete the folder to train it again");
    }
    out.push_back(std::move(c));
  }
  return out;
}

ReportSpec reportSpec(const Recipe& r, std::int64_t recipeRunId) {
  ReportSpec spec;
  spec.recipeName = r.name;
  spec.teacher = r.teacher.name;
  spec.labeledSet = r.labeled.empty() ? std::string() : r.labeled.front();
  spec.unlabeledSet = r.unlabeled.empty() ? std::string() : r.unlabeled.front();
  spec.testSets = r.tests;
  spec.baselineGroup = r.baselineGroup;
  spec.recipeRunId = recipeRunId;
  for (const RecipeModel* m : r.models())
    spec.models.push_back({m->name, m->group, m->role, m->seed, m->workers > 1 ? m->algorithm : "", m->workers});
  return spec;
}

void printPlan(std::FILE* out, const Recipe& recipe, const std::vector<CheckedStep>& steps) {
  const auto cached = std::count_if(steps.begin(), steps.end(),
                                    [](const CheckedStep& c) { return c.state == StepState::Cached; });
  std::fprintf(out, "Recipe '%s' (%s): %zu steps, %ld cached\n", recipe.name.c_str(), recipe.file.c_str(),
               steps.size(), static_cast<long>(cached));
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const auto& c = steps[i];
    std::fprintf(out, "  %3zu  %-7s %-9s %-44s key %s%s\n", i + 1, stepStateName(c.state), c.plan.kind.c_str(),
                 c.plan.name.c_str(), shortKey(c.plan.key()).c_str(),
                 c.lastRun ? fmt::format(" (run {})", *c.lastRun).c_str() : "");
  }
  std::fflush(out);
}

RecipeResult runRecipe(Workspace& ws, const Recipe& recipe, const RunRecipeOptions& o) {
  const auto start = std::chrono::steady_clock::now();
  const auto plan = planRecipe(recipe, ws.root());
  const auto checked = checkSteps(ws, plan);
  RecipeResult result;
  result.steps = static_cast<int>(checked.size());
  for (const auto& c : checked) result.cached += c.state == StepState::Cached;

  printPlan(o.out, recipe, checked);
  if (o.dryRun) return result;

  // The files the steps read: the recipe as run, fbank options, one trainer config per model.
  const fs::path folder = recipeFolder(ws.root(), recipe.name);
  fs::create_directories(folder);
  writeFileAtomically(folder / "recipe.yaml", recipe.text);
  writeFileAtomically(folder / "fbank.yaml", recipe.fbankYaml);
  for (const RecipeModel* m : recipe.models()) writeFileAtomically(modelConfigFile(folder, m->name), m->configYaml);

  RunSpec spec;
  spec.kind = "recipe";
  spec.name = recipe.name;
  spec.recipe = recipe.text;
  for (const auto& c : checked)
    spec.config += fmt::format("- {{kind: {}, name: '{}', key: {}}}\n", c.plan.kind, c.plan.name, c.plan.key());
  StepRun run(ws, spec, {});
  EventWriter* events = o.openEvents ? o.openEvents(run.id()) : nullptr;
  run.setEvents(events);
  result.runId = run.id();

  for (std::size_t i = 0; i < checked.size(); ++i) {
    const auto& c = checked[i];
    const std::string label = fmt::format("[{}/{}] {} {}", i + 1, checked.size(), c.plan.kind, c.plan.name);
    if (events) events->progress("recipe", static_cast<std::int64_t>(i), result.steps, {{"detail", label}});
    if (c.state == StepState::Cached) {
      std::fprintf(o.out, "%s: cached (run %lld)\n", label.c_str(), static_cast<long long>(*c.lastRun));
      continue;
    }
    std::vector<std::string> args = c.plan.args;
    if (c.state == StepState::Resume) args.insert(args.end(), c.plan.resumeArgs.begin(), c.plan.resumeArgs.end());
    std::fprintf(o.out, "%s: %s\n  $ %s\n", label.c_str(), c.state == StepState::Resume ? "resuming" : "running",
                 commandLine(args).c_str());
    std::fflush(o.out);

    dist::RankProcess child;
    child.program = o.program;
    child.argv = {"understudy-cli"};
    child.argv.insert(child.argv.end(), o.globalArgs.begin(), o.globalArgs.end());
    child.argv.insert(child.argv.end(), {"--parent-run", std::to_string(run.id()), "--step-key", c.plan.key()});
    child.argv.insert(child.argv.end(), args.begin(), args.end());
    child.stdoutFd = o.stdoutFd;
    const auto stepStart = std::chrono::steady_clock::now();
    dist::LaunchReport report;
    try {
      report = dist::launchRanks({child});
    } catch (const std::exception& e) {
      run.fail(e);
      throw;
    }
    if (!report.succeeded()) {
      const std::string how = report.ranks.empty() ? "did not start" : report.ranks.front().howItEnded();
      const bool interrupted = report.forwardedSignal != 0;
      const std::string message =
          fmt::format("step {} {}{}", label, interrupted ? "was cancelled: it " : "failed: it ", how);
      run.fail(message);
      throw US_ERROR(message)
          .file(recipe.file)
          .hint(fmt::format("{}; run the recipe again: its {} finished steps are reused and this one resumes",
                            interrupted ? "stopped by a signal" : "its error is printed above",
                            result.cached + result.ran));
    }
    ++result.ran;
    std::fprintf(o.out, "%s: done in %.1f s\n", label.c_str(),
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - stepStart).count());
    std::fflush(o.out);
  }

  if (events) events->progress("recipe", result.steps, result.steps, {{"detail", "all steps done"}});
  try {
    if (o.report) o.report(recipe, run.id());
  } catch (const std::exception& e) {
    run.fail(e);
    throw;
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  run.finish({{0, "recipe/steps", static_cast<double>(result.steps), 0.0},
              {0, "recipe/cached", static_cast<double>(result.cached), 0.0},
              {0, "recipe/ran", static_cast<double>(result.ran), 0.0},
              {0, "recipe/seconds", result.seconds, 0.0}},
             {{"steps", result.steps}, {"cached", result.cached}});
  std::fprintf(o.out, "Recipe '%s' finished: %d steps, %d ran, %d cached, %.1f s (run %lld)\n", recipe.name.c_str(),
               result.steps, result.ran, result.cached, result.seconds, static_cast<long long>(run.id()));
  return result;
}

}  // namespace understudy::pipeline
