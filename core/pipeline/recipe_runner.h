// Running a recipe: its steps planned in order, each keyed by a hash of its
// config and of the steps it reads, run as a child `understudy-cli` command
// that records itself as a step of the recipe's run; a step whose key has a
// finished run (and whose output is still there) is reused, one that stopped
// part-way is resumed (docs/recipes.md "Running a recipe").
//
//   Recipe recipe = loadRecipe("recipes/demo.yaml");
//   auto plan = planRecipe(recipe, ws.root());
//   for (const auto& s : checkSteps(ws, plan)) std::cout << s.status << " " << s.plan.name << "\n";
//   RecipeResult r = runRecipe(ws, recipe, options);
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/pipeline/report.h"
#include "core/pipeline/step.h"
#include "core/recipe/recipe.h"
#include "core/store/workspace.h"
#include "core/util/events.h"

namespace understudy::pipeline {

// The recipe schema and its parser live in core/recipe (torch-free, shared
// with the GUI's wizard); the runner plans and runs what they read.
using recipe::Recipe;
using recipe::RecipeModel;

// The steps of a recipe in the order they run: synthesis, features and
// targets per dataset, the teacher, its labels, each student, then every
// model decoded on every test set. Pure: reads nothing.
std::vector<StepPlan> planRecipe(const Recipe& recipe, const std::filesystem::path& workspaceRoot);

// Where the files that the recipe's train steps read live (WS/recipes/<name>/).
std::filesystem::path recipeFolder(const std::filesystem::path& workspaceRoot, const std::string& recipeName);

enum class StepState { Cached, Resume, Run };
const char* stepStateName(StepState state);  // "cached", "resume", "run"

struct CheckedStep {
  StepPlan plan;
  StepState state = StepState::Run;
  std::optional<std::int64_t> lastRun;  // the newest run with this key
};

// What each step would do now: cached (a finished run with its key, outputs
// present), resume (an earlier attempt with its key stopped part-way) or run.
// Throws when a step would overwrite work it does not own (a model folder
// made by another config), naming the model and what to do.
std::vector<CheckedStep> checkSteps(Workspace& ws, const std::vector<StepPlan>& plan);

// The plan as `run` prints it: one line per step with its state, kind,
// name, the first 8 digits of its key and the run that made a cached step.
void printPlan(std::FILE* out, const Recipe& recipe, const std::vector<CheckedStep>& steps);

struct RunRecipeOptions {
  bool dryRun = false;
  std::string program = "/proc/self/exe";  // the understudy-cli that runs each step
  std::vector<std::string> globalArgs;     // put before each step's command (--log-level, -q, --events F)
  int stdoutFd = -1;                       // the steps' stdout (-1: ours)
  std::FILE* out = stdout;                 // the plan and the step lines
  // The recipe's own events (status, progress over steps), opened once its
  // run exists; null or returning null: none.
  std::function<EventWriter*(std::int64_t recipeRunId)> openEvents;
  // After the last step (not on a dry run): the report.
  std::function<void(const Recipe&, std::int64_t recipeRunId)> report;
};

struct RecipeResult {
  std::int64_t runId = 0;  // the recipe's run (0 on a dry run)
  int steps = 0, cached = 0, ran = 0;
  double seconds = 0.0;
};

// What the report of a recipe's run covers: its models with their groups,
// seeds and algorithms, its test sets, baseline, teacher and labeled sets.
ReportSpec reportSpec(const Recipe& recipe, std::int64_t recipeRunId);

// Plans, prints the plan, and (unless dryRun) runs every step that is not
// cached, recording the recipe as a `recipe` run whose children are its
// steps. A failed step stops the recipe: the error names the step and its
// command; finished steps stay reusable.
RecipeResult runRecipe(Workspace& ws, const Recipe& recipe, const RunRecipeOptions& options);

}  // namespace understudy::pipeline
