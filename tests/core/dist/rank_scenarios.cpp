#include "tests/core/dist/rank_scenarios.h"

#include <fstream>
#include <random>

#include "core/util/error.h"

namespace understudy::disttest {

std::map<std::string, ScenarioFn>& scenarios() {
  static std::map<std::string, ScenarioFn> all;
  return all;
}

std::string ScenarioArgs::get(const std::string& key, const std::string& fallback) const {
  const auto it = values.find(key);
  return it == values.end() ? fallback : it->second;
}

double ScenarioArgs::number(const std::string& key, double fallback) const {
  const auto it = values.find(key);
  return it == values.end() ? fallback : std::stod(it->second);
}

std::string ScenarioArgs::output(const std::string& name) const {
  return outdir + "/" + name + ".rank" + std::to_string(rank()) + ".pt";
}

std::shared_ptr<train::InMemoryExampleSource> equalLengthCorpus(int count, int frames, std::uint32_t seed) {
  constexpr int kDims = 8, kUnits = 5;
  auto src = std::make_shared<train::InMemoryExampleSource>(kDims, kUnits);
  std::mt19937 rng(seed);
  std::normal_distribution<float> gauss(0.f, 1.f);
  std::uniform_int_distribution<int> unit(0, kUnits - 1);
  for (int u = 0; u < count; ++u) {
    std::vector<float> feats;
    std::vector<std::int32_t> targets;
    int current = unit(rng);
    std::vector<int> units10ms;
    for (int t = 0; t < frames; ++t) {
      if (t % 9 == 0) current = unit(rng);
      units10ms.push_back(current);
      for (int d = 0; d < kDims; ++d) feats.push_back(gauss(rng) * 0.5f + (d == current ? 2.f : 0.f));
    }
    for (int j = 0; 3 * j < frames; ++j) targets.push_back(units10ms[std::min(3 * j + 1, frames - 1)]);
    src->add("utt" + std::to_string(u), std::move(feats), std::move(targets));
  }
  return src;
}

train::TrainerConfig tinyDistConfig(const ScenarioArgs& args) {
  train::TrainerConfig c;
  c.model.kind = "lstm";
  c.model.inputDim = 8;
  c.model.layers = 2;
  c.model.cells = 16;
  c.model.dropout = 0.0;
  c.batching.maxFrames = static_cast<std::int64_t>(args.number("max_frames", 120));
  c.batching.bucket = false;
  c.batching.shuffle = false;
  c.optimizer.kind = args.get("optimizer", "sgd");
  c.optimizer.lr = args.number("lr", 0.1);
  c.optimizer.momentum = args.number("momentum", 0.0);
  c.gradClip = args.number("grad_clip", 0.0);
  c.maxSteps = static_cast<std::int64_t>(args.number("steps", 6));
  c.validateEvery = 0;
  c.checkpointEvery = 0;
  c.threads = 1;
  c.seed = 7;
  c.distribution.algorithm = args.get("algorithm", "sync");
  return c;
}

void saveTensors(const std::string& path, const std::vector<torch::Tensor>& tensors) {
  torch::save(tensors, path);
}

std::vector<torch::Tensor> loadTensors(const std::string& path) {
  std::vector<torch::Tensor> out;
  torch::load(out, path);
  return out;
}

}  // namespace understudy::disttest
