#include "core/train/lr_schedule.h"

#include <fmt/format.h>

#include <cmath>

#include "core/util/error.h"

namespace understudy::train {

namespace {
Error rangeError(const std::string& key, const std::string& value, const std::string& range) {
  return US_ERROR(fmt::format("schedule.{} = {} is out of range (allowed: {})", key, value, range))
      .key("schedule." + key);
}
}  // namespace

void LrScheduleConfig::validate() const {
  if (kind != "constant" && kind != "exponential" && kind != "cosine" && kind != "newbob")
    throw rangeError("kind", kind, "constant, exponential, cosine, newbob");
  if (warmupSteps < 0) throw rangeError("warmup_steps", std::to_string(warmupSteps), ">= 0");
  if (!(decayRate > 0.0 && decayRate <= 1.0))
    throw rangeError("decay_rate", fmt::format("{}", decayRate), "(0, 1]");
  if (decaySteps <= 0) throw rangeError("decay_steps", std::to_string(decaySteps), ">= 1");
  if (!(minLr >= 0.0)) throw rangeError("min_lr", fmt::format("{}", minLr), ">= 0");
  if (!(newbobFactor > 0.0 && newbobFactor < 1.0))
    throw rangeError("newbob_factor", fmt::format("{}", newbobFactor), "(0, 1)");
  if (!(newbobThreshold >= 0.0 && newbobThreshold < 1.0))
    throw rangeError("newbob_threshold", fmt::format("{}", newbobThreshold), "[0, 1)");
  if (newbobPatience < 1)
    throw rangeError("newbob_patience", std::to_string(newbobPatience), ">= 1");
}

void LrScheduleConfig::read(YamlSection& s) {
  s.read("kind", kind);
  s.read("warmup_steps", warmupSteps);
  s.read("decay_rate", decayRate);
  s.read("decay_steps", decaySteps);
  s.read("min_lr", minLr);
  s.read("newbob_factor", newbobFactor);
  s.read("newbob_threshold", newbobThreshold);
  s.read("newbob_patience", newbobPatience);
  s.finish();
}

std::string LrScheduleConfig::toYaml(const std::string& in) const {
  return fmt::format(
      "{0}kind: {1}\n{0}warmup_steps: {2}\n{0}decay_rate: {3}\n{0}decay_steps: {4}\n"
      "{0}min_lr: {5}\n{0}newbob_factor: {6}\n{0}newbob_threshold: {7}\n{0}newbob_patience: {8}\n",
      in, kind, warmupSteps, decayRate, decaySteps, minLr, newbobFactor, newbobThreshold,
      newbobPatience);
}

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
