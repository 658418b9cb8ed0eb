// `run RECIPE -w WS [--dry-run]`: a whole experiment from one recipe
// (docs/recipes.md). Each step runs as a child command of this program,
// recorded as a run whose parent is the recipe's run; finished steps are
// reused, an interrupted one resumes.
#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>

#include "app/cli/commands.h"
#include "app/cli/event_stream.h"
#include "app/cli/report_plots.h"
#include "core/pipeline/recipe_runner.h"
#include "core/recipe/recipe.h"
#include "core/recipe/trainer_config.h"
#include "core/store/workspace.h"

namespace understudy::cli {

namespace {

struct RunArgs {
  std::string recipe;
  std::string workspace;
  bool dryRun = false;
};

// The options every step inherits from this command.
std::vector<std::string> stepGlobalArgs(const GlobalOptions& global) {
  std::vector<std::string> args{"--log-level", global.logLevel};
  if (global.verbose) args.push_back("-v");
  if (global.quiet) args.push_back("-q");
  if (!global.eventsPath.empty()) args.insert(args.end(), {"--events", global.eventsPath});
  return args;
}

void runRecipeCommand(const RunArgs& a, const GlobalOptions& global) {
  const recipe::Recipe recipe = recipe::loadRecipe(a.recipe);  // errors before anything is made
  if (!Workspace::isWorkspace(a.workspace)) {
    if (a.dryRun) {
      std::printf("%s is not a workspace yet: every step would run.\n", a.workspace.c_str());
      std::vector<pipeline::CheckedStep> steps;
      for (auto& step : pipeline::planRecipe(recipe, std::filesystem::absolute(a.workspace)))
        steps.push_back({std::move(step), pipeline::StepState::Run, std::nullopt});
      pipeline::printPlan(stdout, recipe, steps);
      return;
    }
    Workspace::create(a.workspace);
    std::printf("Created workspace %s\n", a.workspace.c_str());
  }
  Workspace ws = Workspace::open(a.workspace);
  std::unique_ptr<EventStream> events;
  pipeline::RunRecipeOptions o;
  o.dryRun = a.dryRun;
  o.globalArgs = stepGlobalArgs(global);
  o.stdoutFd = originalStdoutDescriptor();
  if (!global.eventsPath.empty())
    o.openEvents = [&](std::int64_t runId) {  // each step writes its own run's events to the same stream
      events = openEventStream(global, runId);
      return events ? &events->writer() : nullptr;
    };
  o.report = [&ws](const recipe::Recipe& r, std::int64_t runId) {
    const auto files = writeReportWithPlots(ws, pipeline::reportSpec(r, runId), pipeline::defaultReportDir(ws));
    std::printf("Report: %s (%zu plots)\n", files.markdown.c_str(), files.plots.size());
  };
  pipeline::runRecipe(ws, recipe, o);
}

// `keys`: every trainer config key with its default, range and help, from
// the config's field table (the keys `train --config` files, recipes'
// teacher and student sections and `--set` take).
void printTrainerKeys(bool tsv) {
  const auto keys = recipe::TrainerConfig::fields().keys();
  if (tsv) {
    std::printf("key\tdefault\trange\thelp\n");
    for (const auto& k : keys)
      std::printf("%s\t%s\t%s\t%s\n", k.key.c_str(), k.defaultValue.c_str(), k.range.c_str(), k.help.c_str());
    return;
  }
  std::size_t width = 0;
  for (const auto& k : keys) width = std::max(width, k.key.size());
  for (const auto& k : keys) {
    std::printf("%-*s  %s", static_cast<int>(width), k.key.c_str(), k.defaultValue.empty() ? "''" : k.defaultValue.c_str());
    if (!k.range.empty()) std::printf("  allowed %s", k.range.c_str());
    std::printf("\n%*s  %s\n", static_cast<int>(width), "", k.help.c_str());
  }
}

}  // namespace

void addRunCommands(CLI::App& app, GlobalOptions& global) {
  auto a = std::make_shared<RunArgs>();
  auto* sub = app.add_subcommand(
      "run",
      "Run a recipe: corpus, features, targets, teacher, labels, students and WER on the test sets, "
      "each step cached by a hash of its config and inputs (docs/recipes.md)");
  sub->add_option("recipe", a->recipe, "Recipe YAML (recipes/tiny.yaml, recipes/demo.yaml, ...)")->required();
  addWorkspaceOption(*sub, a->workspace);
  sub->add_flag("--dry-run", a->dryRun, "Print the plan (each step: cached, resume or run) and stop");
  sub->callback([a, &global] { runRecipeCommand(*a, global); });

  auto tsv = std::make_shared<bool>(false);
  auto* keys = app.add_subcommand(
      "keys", "Every trainer config key (train --config, a recipe's teacher and students, --set) with its "
              "default, allowed range and help");
  keys->add_flag("--tsv", *tsv, "Tab-separated: key, default, range, help");
  keys->callback([tsv] { printTrainerKeys(*tsv); });
}

}  // namespace understudy::cli
