// Synthetic training data for the trainer's tests: utterances of Gaussian
// "phone" segments, labeled (frame targets) or teacher-labeled (soft
// targets), small enough to train in milliseconds.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "core/train/example_source.h"

namespace understudy::train::testdata {

inline constexpr int kDims = 8;

// The target rule restated independently of the code under test:
// model frame j takes the unit of 10 ms frame min(3j + 1, T - 1).
inline std::vector<std::int32_t> targetsAt30ms(const std::vector<int>& units10ms) {
  const int frames = static_cast<int>(units10ms.size());
  std::vector<std::int32_t> out;
  for (int j = 0; 3 * j < frames; ++j) out.push_back(units10ms[std::min(3 * j + 1, frames - 1)]);
  return out;
}

// One utterance: its features and 10 ms units.
struct GaussianUtterance {
  std::vector<float> feats;
  std::vector<int> units10ms;
};

// Segments of 6-15 frames, each one unit whose frames are drawn from a
// unit-dependent Gaussian (the same class means for every corpus).
inline std::vector<GaussianUtterance> gaussianUtterances(int utterances, int numUnits, std::uint32_t seed,
                                                         float noise) {
  std::mt19937 rng(seed);
  std::mt19937 meansRng(1234);
  std::normal_distribution<float> gauss(0.f, 1.f);
  std::vector<std::vector<float>> means(numUnits, std::vector<float>(kDims));
  for (auto& m : means)
    for (auto& v : m) v = 1.5f * gauss(meansRng);
  std::uniform_int_distribution<int> segLen(6, 15), nSegs(2, 6), unit(0, numUnits - 1);
  std::vector<GaussianUtterance> out;
  for (int u = 0; u < utterances; ++u) {
    GaussianUtterance g;
    for (int s = 0, n = nSegs(rng); s < n; ++s) {
      const int id = unit(rng);
      for (int f = 0, len = segLen(rng); f < len; ++f) g.units10ms.push_back(id);
    }
    for (int id : g.units10ms)
      for (int d = 0; d < kDims; ++d) g.feats.push_back(means[id][d] + noise * gauss(rng));
    out.push_back(std::move(g));
  }
  return out;
}

// Labeled utterances "utt<i>": an easy, learnable task with chance = 1 / numUnits.
inline std::shared_ptr<InMemoryExampleSource> gaussianCorpus(int utterances, int numUnits, std::uint32_t seed,
                                                             float noise = 0.6f) {
  auto src = std::make_shared<InMemoryExampleSource>(kDims, numUnits);
  int i = 0;
  for (auto& g : gaussianUtterances(utterances, numUnits, seed, noise))
    src->add("utt" + std::to_string(i++), std::move(g.feats), targetsAt30ms(g.units10ms));
  return src;
}

// Teacher-labeled utterances "soft<i>": per model frame a top-3 "posterior"
// of 0.7 on the true unit and 0.2, 0.1 on the next two; no frame targets.
inline std::shared_ptr<InMemoryExampleSource> gaussianSoftCorpus(int utterances, int numUnits,
                                                                 std::uint32_t seed, float noise = 0.6f) {
  auto src = std::make_shared<InMemoryExampleSource>(kDims, numUnits);
  int i = 0;
  for (auto& g : gaussianUtterances(utterances, numUnits, seed, noise)) {
    std::vector<std::int32_t> ids;
    std::vector<float> probs;
    for (auto unit : targetsAt30ms(g.units10ms)) {
      ids.insert(ids.end(), {unit, (unit + 1) % numUnits, (unit + 2) % numUnits});
      probs.insert(probs.end(), {0.7f, 0.2f, 0.1f});
    }
    src->addSoft("soft" + std::to_string(i++), std::move(g.feats), 3, std::move(ids), std::move(probs));
  }
  return src;
}

}  // namespace understudy::train::testdata
