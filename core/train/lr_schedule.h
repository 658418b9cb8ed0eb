// Learning-rate schedules for the trainer (docs/training.md "Schedules").
//
// A schedule maps the optimizer step t (0-based: the step about to be taken)
// to a learning rate. Every kind starts with an optional linear warm-up:
//
//   t < W:          lr(t) = base * (t + 1) / W
//   constant:       lr(t) = base
//   exponential:    lr(t) = base * decay_rate ^ ((t - W) / decay_steps)
//   cosine:         lr(t) = min_lr + (base - min_lr) * (1 + cos(pi * p)) / 2,
//                   p = min(1, (t - W) / (total_steps - W))
//   newbob:         lr(t) = base * newbob_factor ^ h, where h counts the
//                   validations whose loss did not improve on the best one by
//                   more than newbob_threshold (relative), once `newbob_patience`
//                   such validations came in a row.
//
// The only mutable part (newbob's halvings) lives in LrScheduleState, which
// the checkpoint stores, so a resumed run continues with the same rates.
#pragma once

#include <cstdint>
#include <string>

#include "core/recipe/trainer_config.h"

namespace understudy::train {

// The schedule's keys (kind, warm-up, decay...) live with the trainer config,
// torch-free, in core/recipe/trainer_config.h.
using recipe::LrScheduleConfig;

struct LrScheduleState {
  std::int64_t halvings = 0;      // newbob
  double bestLoss = 1e300;        // newbob: best validation loss so far
  std::int64_t badValidations = 0;  // newbob: non-improving validations in a row
};

class LrScheduler {
 public:
  // totalSteps: the run's max_steps (cosine needs it; 0 = unknown -> no decay).
  LrScheduler(LrScheduleConfig config, double baseLr, std::int64_t totalSteps);

  double lrAt(std::int64_t step) const;
  // Feeds a validation loss (newbob); returns true if the rate was cut.
  bool onValidation(double loss);

  const LrScheduleState& state() const { return m_state; }
  void setState(const LrScheduleState& state) { m_state = state; }
  const LrScheduleConfig& config() const { return m_config; }

 private:
  LrScheduleConfig m_config;
  double m_baseLr;
  std::int64_t m_totalSteps;
  LrScheduleState m_state;
};

}  // namespace understudy::train
