// What the wizard shows next to a model and a distributed student, computed
// without LibTorch:
//
// - the parameter count of a model section (preset and overrides resolved as
//   the trainer resolves them, counted with recipe::ModelOptions'
//   closed-form formula, docs/models.md);
// - the bytes a rank sends per optimizer step under sync, GTC or BMUF: the
//   byte column of docs/scaling.md "The models" (ring allreduce of the
//   4-byte gradient or model plus the 4-byte stop flag; GTC's two
//   allgathers, an 8-byte count and L = f |w| 4-byte words; BMUF's
//   allreduce once per block of tau_b steps). The scaling simulator
//   (core/pipeline/scaling_model.cpp) has the same formulas, but core/pipeline
//   links LibTorch, which the GUI never does.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <optional>
#include <string>

#include "core/recipe/model_options.h"

namespace understudy::ui {

// A trainer section's `model:` node (absent: the defaults) as the trainer
// reads it: the preset's shape, then the section's other keys. Throws
// understudy::Error for an unknown preset or key, or a value out of range.
recipe::ModelOptions resolveModel(const YAML::Node& model);

// Bytes one rank sends per step: `algorithm` sync | gtc | bmuf, N workers,
// |w| parameters; gtc needs the fraction f of elements sent (its
// target_fraction), bmuf the steps per block. nullopt for gtc without a
// target fraction (then what it sends depends on the gradients) and for an
// unknown algorithm. 0 for one worker.
std::optional<double> bytesPerStep(const std::string& algorithm, int workers, std::int64_t parameters,
                                   double gtcFraction, int blockSteps);

}  // namespace understudy::ui
