// Debiased exponential moving average, as TensorBoard smooths scalars (and as
// Adam corrects its moments): s_t = b·s_{t-1} + (1-b)·x_t with s_0 = 0, drawn
// as s_t / (1 - b^t). Without the division the curve starts at (1-b)·x_1 and
// crawls up from zero; with it a constant series is that constant from its
// first point. b = 0 draws the raw series. Pure C++.
#pragma once

#include <cstddef>
#include <vector>

namespace understudy::ui::charts {

class DebiasedEma {
 public:
  explicit DebiasedEma(double weight = 0.0) { setWeight(weight); }
  // b, clamped to [0, 0.9999]; resets the state.
  void setWeight(double weight);
  double weight() const { return m_weight; }
  void reset();
  // The smoothed value after x. A non-finite x is returned as it is and does
  // not enter the average (a NaN loss stays visible, the curve after it not poisoned).
  double add(double x);

 private:
  double m_weight = 0.0;
  double m_sum = 0.0;    // s_t
  double m_decay = 1.0;  // b^t
};

// The whole series smoothed.
std::vector<double> debiasedEma(const double* y, std::size_t n, double weight);

}  // namespace understudy::ui::charts
