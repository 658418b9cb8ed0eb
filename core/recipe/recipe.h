// Recipes: one YAML file that names a whole semi-supervised experiment, from
// the corpus to the WER table (docs/recipes.md lists every key). The schema
// and its parser are torch- and Qt-free: the CLI's `run`, the pipeline's
// runner (core/pipeline) and the GUI's run wizard read recipes through it.
//
//   Recipe r = loadRecipe("recipes/tiny.yaml");   // strict: unknown keys name their line
//   for (const auto& m : r.students) ...           // seeds expanded, defaults merged
//
// Trainer sections (teacher, each student) are the `train --config` schema
// (docs/training.md), checked here with their lines in the recipe file; the
// recipe fills in what it already knows (data.train from datasets.labeled,
// data.soft from datasets.unlabeled and the teacher).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/recipe/field_table.h"

namespace understudy::recipe {

// The built-in synthetic corpus (`corpus synth`), when the recipe makes it.
struct RecipeSynth {
  bool enabled = false;
  std::string profile = "tiny";
  std::uint64_t seed = 1;
  double scale = 1.0;
  bool narrowUnlabeled = false;
};

// One model the recipe trains: the teacher, or one seed of one student.
struct RecipeModel {
  std::string name;        // models.name (a student with several seeds: <name>-seed<k>)
  std::string group;       // the comparison row it belongs to (students: `group`, default its name)
  std::string role;        // teacher | student | baseline
  std::uint64_t seed = 1;
  int workers = 1;         // > 1: `train --workers N` (distribution.algorithm says how)
  // Ranks 1..N-1 on these registered nodes (`train --nodes`; rank 0 runs
  // here) and the address they reach rank 0 at (`--master-addr`). Where the
  // ranks run is not part of the step's key: it does not change the result.
  std::vector<std::string> nodes;
  std::string masterAddr;
  std::string algorithm;   // "" for one process, else sync | gtc | bmuf
  std::string configYaml;  // the trainer config, canonical (TrainerConfig::toYaml)
  std::vector<std::string> trainSets, validationSets;
  std::vector<std::string> softSets;  // data.soft's datasets (labeled by the recipe's teacher)
};

struct RecipeLabeling {
  int topK = 20;
  std::string precision = "fp16";  // fp16 | u8
  double temperature = 1.0;
  // The `labeling:` keys top_k, precision, temperature: ranges and help
  // (the parser reads and checks them with it; the wizard's form shows it).
  static const FieldTable<RecipeLabeling>& fields();
};

// A student entry's keys beyond the trainer's that say where it runs:
// group, workers, nodes, master_addr (`seeds` is read on its own).
struct StudentPlacement {
  std::string group;
  int workers = 1;
  std::vector<std::string> nodes;
  std::string masterAddr;
  static const FieldTable<StudentPlacement>& fields();
};

struct RecipeDecode {
  double acousticScale = 0.333;
  double priorScale = 1.0;
  double beam = 15.0;
  int maxActive = 7000;
  std::string tuneOn;  // a labeled set to tune the scales on ("" = fixed scales)
  std::string toYaml() const;
};

struct Recipe {
  std::string name;
  std::string file;  // where it was read from
  std::string text;  // the file as written
  int jobs = 2;      // processes/threads for synthesis, features and decoding
  RecipeSynth synth;
  std::vector<std::string> labeled, unlabeled, tests;
  std::string fbankYaml;                 // the features section, canonical (FbankOptions::toYaml)
  std::vector<std::string> targetSets;   // datasets that get frame targets
  RecipeModel teacher;
  RecipeLabeling labeling;
  std::vector<RecipeModel> students;     // seeds expanded, in recipe order
  RecipeDecode decode;
  std::string baselineGroup;             // relative WER reductions against this group ("" = none)

  // Every dataset the recipe reads, labeled first, without repeats.
  std::vector<std::string> datasets() const;
  // The teacher, then every student.
  std::vector<const RecipeModel*> models() const;
};

// Reads and checks a recipe. Errors name the file, the key and its line.
Recipe loadRecipe(const std::string& path);
Recipe parseRecipe(const std::string& text, const std::string& fileName);

}  // namespace understudy::recipe
