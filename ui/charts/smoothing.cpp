#include "ui/charts/smoothing.h"

#include <algorithm>
#include <cmath>

namespace understudy::ui::charts {

void DebiasedEma::setWeight(double weight) {
  m_weight = std::isfinite(weight) ? std::clamp(weight, 0.0, 0.9999) : 0.0;
  reset();
}

void DebiasedEma::reset() {
  m_sum = 0.0;
  m_decay = 1.0;
}

double DebiasedEma::add(double x) {
  if (!std::isfinite(x)) return x;
  m_sum = m_weight * m_sum + (1.0 - m_weight) * x;
  m_decay *= m_weight;
  return m_sum / (1.0 - m_decay);
}

std::vector<double> debiasedEma(const double* y, std::size_t n, double weight) {
  DebiasedEma ema(weight);
  std::vector<double> out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = ema.add(y[i]);
  return out;
}

}  // namespace understudy::ui::charts
