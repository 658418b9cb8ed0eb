// The rank helper of the distributed tests (dist_rank): one executable that
// runs a named scenario as one rank of a job. Scenarios register themselves
// (US_RANK_SCENARIO) in scenarios_*.cpp; a test starts N copies with
// spawnRanks() (spawn_ranks.h) and compares what each rank wrote.
//
//   dist_rank SCENARIO OUTDIR [key=value ...]
// With RANK/WORLD_SIZE/MASTER_* set, the scenario gets a connected
// Communicator; without, none (a one-process reference run).
#pragma once

#include <torch/torch.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/dist/communicator.h"
#include "core/train/example_source.h"
#include "core/train/trainer_config.h"

namespace understudy::disttest {

struct ScenarioArgs {
  std::string outdir;
  std::map<std::string, std::string> values;
  std::shared_ptr<dist::Communicator> comm;  // null: one process, no job
  int rank() const { return comm ? comm->rank() : 0; }
  int worldSize() const { return comm ? comm->size() : 1; }
  std::string get(const std::string& key, const std::string& fallback) const;
  double number(const std::string& key, double fallback) const;
  // OUTDIR/<name>.rank<r>.pt
  std::string output(const std::string& name) const;
};

using ScenarioFn = std::function<void(const ScenarioArgs&)>;
std::map<std::string, ScenarioFn>& scenarios();

struct ScenarioRegistration {
  ScenarioRegistration(const std::string& name, ScenarioFn fn) { scenarios()[name] = std::move(fn); }
};
#define US_RANK_SCENARIO_CAT2(a, b) a##b
#define US_RANK_SCENARIO_CAT(a, b) US_RANK_SCENARIO_CAT2(a, b)
#define US_RANK_SCENARIO(name, fn) \
  static ::understudy::disttest::ScenarioRegistration US_RANK_SCENARIO_CAT(scenario_, __LINE__)(name, fn)

// `count` utterances of `frames` 10 ms frames each (equal lengths, so equal
// frame counts per batch), 8-dim Gaussian class features, 5 units; the same
// for a seed on every rank.
std::shared_ptr<train::InMemoryExampleSource> equalLengthCorpus(int count, int frames, std::uint32_t seed);
// A small LSTM trainer config for these tests: no dropout, no validation, no
// checkpoints, one thread, unshuffled unbucketed batches of max_frames.
train::TrainerConfig tinyDistConfig(const ScenarioArgs& args);

// Tensors to and from a file (torch::save / torch::load of a list).
void saveTensors(const std::string& path, const std::vector<torch::Tensor>& tensors);
std::vector<torch::Tensor> loadTensors(const std::string& path);

}  // namespace understudy::disttest
