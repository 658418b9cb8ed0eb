#include "core/train/lr_schedule.h"

#include <cmath>

namespace understudy::train {

LrScheduler::LrScheduler(LrScheduleConfig config, double baseLr, std::int64_t totalSteps)
    : m_config(std::move(config)), m_baseLr(baseLr), m_totalSteps(totalSteps) {
  m_config.validate();
}

double LrScheduler::lrAt(std::int64_t step) const {
  const auto& c = m_config;
  if (step < c.warmupSteps)
    return m_baseLr * static_cast<double>(step + 1) / static_cast<double>(c.warmupSteps);
  const double t = static_cast<double>(step - c.warmupSteps);
  if (c.kind == "exponential")
    return m_baseLr * std::pow(c.decayRate, t / static_cast<double>(c.decaySteps));
  if (c.kind == "cosine") {
    const double span = static_cast<double>(m_totalSteps - c.warmupSteps);
    if (span <= 0) return m_baseLr;
    const double p = std::min(1.0, t / span);
    return c.minLr + (m_baseLr - c.minLr) * 0.5 * (1.0 + std::cos(M_PI * p));
  }
  if (c.kind == "newbob")
    return m_baseLr * std::pow(c.newbobFactor, static_cast<double>(m_state.halvings));
  return m_baseLr;
}

bool LrScheduler::onValidation(double loss) {
  if (m_config.kind != "newbob") {
    m_state.bestLoss = std::min(m_state.bestLoss, loss);
    return false;
  }
  const bool improved = loss < m_state.bestLoss * (1.0 - m_config.newbobThreshold);
  if (loss < m_state.bestLoss) m_state.bestLoss = loss;
  if (improved) {
    m_state.badValidations = 0;
    return false;
  }
  if (++m_state.badValidations >= m_config.newbobPatience) {
    ++m_state.halvings;
    m_state.badValidations = 0;
    return true;
  }
  return false;
}

}  // namespace understudy::train
