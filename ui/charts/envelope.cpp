#include "ui/charts/envelope.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace understudy::ui::charts {

namespace {

// Maps x to its pixel column in [0, pixels).
class ColumnMap {
 public:
  explicit ColumnMap(const EnvelopeView& v)
      : m_log(v.logX && v.xMin > 0 && v.xMax > 0), m_offset(v.xOffset) {
    m_pixels = std::max(1, v.pixels);
    m_lo = m_log ? std::log(v.xMin) : v.xMin;
    const double hi = m_log ? std::log(v.xMax) : v.xMax;
    m_scale = hi > m_lo ? m_pixels / (hi - m_lo) : 0.0;
  }
  int operator()(double seriesX) const {
    const double x = seriesX - m_offset;
    const double u = m_log ? (x > 0 ? std::log(x) : -std::numeric_limits<double>::infinity()) : x;
    const double c = std::floor((u - m_lo) * m_scale);
    if (!(c >= 0)) return 0;  // NaN and below
    return c >= m_pixels ? m_pixels - 1 : static_cast<int>(c);
  }

 private:
  bool m_log;
  double m_offset;
  int m_pixels = 1;
  double m_lo = 0.0;
  double m_scale = 0.0;
};

}  // namespace

std::vector<std::size_t> minMaxEnvelope(const double* x, const double* y, std::size_t n,
                                        const EnvelopeView& view) {
  std::vector<std::size_t> keep;
  if (n == 0 || !(view.xMax >= view.xMin)) return keep;
  const double seriesLo = view.xMin + view.xOffset, seriesHi = view.xMax + view.xOffset;
  const std::size_t first = static_cast<std::size_t>(std::lower_bound(x, x + n, seriesLo) - x);
  const std::size_t end = static_cast<std::size_t>(std::upper_bound(x, x + n, seriesHi) - x);

  // The nearest drawable point left of the range.
  for (std::size_t i = first; i-- > 0;)
    if (std::isfinite(y[i])) {
      keep.push_back(i);
      break;
    }

  const int pixels = std::max(1, view.pixels);
  if (end - first <= 4 * static_cast<std::size_t>(pixels)) {
    for (std::size_t i = first; i < end; ++i)
      if (std::isfinite(y[i])) keep.push_back(i);
  } else {
    const ColumnMap column(view);
    std::size_t i = first;
    // The first and last drawable points of the visible range.
    std::size_t firstVisible = end, lastVisible = end;
    for (std::size_t k = first; k < end; ++k)
      if (std::isfinite(y[k])) {
        firstVisible = k;
        break;
      }
    for (std::size_t k = end; k-- > first;)
      if (std::isfinite(y[k])) {
        lastVisible = k;
        break;
      }
    if (firstVisible != end) keep.push_back(firstVisible);
    // Column by column: where a column ends is found by binary search (the
    // column of a point never decreases along x), so the scan over its points
    // is a tight min/max loop with no per-point arithmetic on x.
    while (i < end) {
      const int c = column(x[i]);
      const std::size_t stop = static_cast<std::size_t>(
          std::partition_point(x + i, x + end, [&](double v) { return column(v) <= c; }) - x);
      std::size_t lo = end, hi = end;
      double minY = std::numeric_limits<double>::infinity();
      double maxY = -std::numeric_limits<double>::infinity();
      for (; i < stop; ++i) {
        const double v = y[i];
        if (!std::isfinite(v)) continue;
        if (v < minY) {
          minY = v;
          lo = i;
        }
        if (v > maxY) {
          maxY = v;
          hi = i;
        }
      }
      if (lo == end) continue;
      const std::size_t a = std::min(lo, hi), b = std::max(lo, hi);
      if (a != keep.back()) keep.push_back(a);
      if (b != a) keep.push_back(b);
    }
    if (lastVisible != end && lastVisible != keep.back()) keep.push_back(lastVisible);
  }

  // The nearest drawable point right of the range.
  for (std::size_t i = end; i < n; ++i)
    if (std::isfinite(y[i])) {
      keep.push_back(i);
      break;
    }
  return keep;
}

void minMaxEnvelope(const double* x, const double* y, std::size_t n, const EnvelopeView& view,
                    std::vector<double>& outX, std::vector<double>& outY) {
  const std::vector<std::size_t> keep = minMaxEnvelope(x, y, n, view);
  outX.resize(keep.size());
  outY.resize(keep.size());
  for (std::size_t k = 0; k < keep.size(); ++k) {
    outX[k] = x[keep[k]] - view.xOffset;
    outY[k] = y[keep[k]];
  }
}

}  // namespace understudy::ui::charts
