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
  // Roughly where column c begins, in series x (a hint for the search only).
  double startOf(int c) const {
    if (m_scale <= 0) return std::numeric_limits<double>::infinity();
    const double u = m_lo + c / m_scale;
    return (m_log ? std::exp(u) : u) + m_offset;
  }

 private:
  bool m_log;
  double m_offset;
  int m_pixels = 1;
  double m_lo = 0.0;
  double m_scale = 0.0;
};

// Folds candidate i into the running extremes; candidates come in ascending
// index order, so strict comparisons keep the first occurrence.
inline void consider(const double* y, std::size_t i, std::size_t& lo, std::size_t& hi) {
  if (i == ExtremaIndex::kNone) return;
  if (lo == ExtremaIndex::kNone || y[i] < y[lo]) lo = i;
  if (hi == ExtremaIndex::kNone || y[i] > y[hi]) hi = i;
}

void scan(const double* y, std::size_t a, std::size_t b, std::size_t& lo, std::size_t& hi) {
  for (std::size_t i = a; i < b; ++i)
    if (std::isfinite(y[i])) consider(y, i, lo, hi);
}

}  // namespace

void ExtremaIndex::rebuild(const double* y, std::size_t n) {
  m_size = 0;
  m_min.clear();
  m_max.clear();
  append(y, n);
}

void ExtremaIndex::append(const double* y, std::size_t n) {
  if (n < m_size) {
    rebuild(y, n);
    return;
  }
  m_size = n;
  // Level 0 from the points, level L+1 from level L, complete blocks only.
  std::size_t below = n;  // items at the level below
  for (std::size_t level = 0; below >= kBlock; ++level) {
    if (m_min.size() <= level) {
      m_min.emplace_back();
      m_max.emplace_back();
    }
    std::vector<std::size_t>& mins = m_min[level];
    std::vector<std::size_t>& maxs = m_max[level];
    const std::size_t blocks = below / kBlock;
    for (std::size_t k = mins.size(); k < blocks; ++k) {
      std::size_t lo = kNone, hi = kNone;
      if (level == 0) {
        scan(y, k * kBlock, (k + 1) * kBlock, lo, hi);
      } else {
        for (std::size_t j = k * kBlock; j < (k + 1) * kBlock; ++j) {
          consider(y, m_min[level - 1][j], lo, hi);
          consider(y, m_max[level - 1][j], lo, hi);
        }
      }
      mins.push_back(lo);
      maxs.push_back(hi);
    }
    below = blocks;
  }
}

void ExtremaIndex::blockExtremes(const double* y, std::size_t level, std::size_t a, std::size_t b,
                                 std::size_t& lo, std::size_t& hi) const {
  // Blocks [a, b) of `level`; the middle part from the level above where complete.
  const std::size_t above = level + 1 < m_min.size() ? m_min[level + 1].size() : 0;
  const std::size_t a1 = (a + kBlock - 1) / kBlock, b1 = std::min(b / kBlock, above);
  auto take = [&](std::size_t from, std::size_t to) {
    for (std::size_t k = from; k < to; ++k) {
      // The two candidates of a block in index order.
      const std::size_t p = m_min[level][k], q = m_max[level][k];
      if (p != kNone && q != kNone && q < p) {
        consider(y, q, lo, hi);
        consider(y, p, lo, hi);
      } else {
        consider(y, p, lo, hi);
        consider(y, q, lo, hi);
      }
    }
  };
  if (a1 >= b1) {
    take(a, b);
    return;
  }
  take(a, a1 * kBlock);
  blockExtremes(y, level + 1, a1, b1, lo, hi);
  take(b1 * kBlock, b);
}

void ExtremaIndex::extremes(const double* y, std::size_t a, std::size_t b, std::size_t& lo,
                            std::size_t& hi) const {
  lo = hi = kNone;
  b = std::min(b, m_size);
  const std::size_t blocks = m_min.empty() ? 0 : m_min[0].size();
  const std::size_t a1 = (a + kBlock - 1) / kBlock, b1 = std::min(b / kBlock, blocks);
  if (a1 >= b1) {
    scan(y, a, b, lo, hi);
    return;
  }
  scan(y, a, a1 * kBlock, lo, hi);
  blockExtremes(y, 0, a1, b1, lo, hi);
  scan(y, b1 * kBlock, b, lo, hi);
}

std::vector<std::size_t> minMaxEnvelope(const double* x, const double* y, std::size_t n,
                                        const EnvelopeView& view, const ExtremaIndex* index) {
  if (index && index->size() != n) index = nullptr;  // built on another length: not usable
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
    // Points per unit of x over the visible range, for guessing column ends.
    const double spanX = x[end - 1] - x[first];
    const double density = spanX > 0 ? static_cast<double>(end - first) / spanX : 0.0;
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
    // Column by column: where a column ends is found by search (the column of
    // a point never decreases along x), so the scan over its points is a tight
    // min/max loop with no per-point arithmetic on x.
    while (i < end) {
      const int c = column(x[i]);
      // The column's end: guessed from the points' mean spacing (exact for
      // evenly spaced steps), then found by galloping from the guess and a
      // binary search within the last stride. The probes stay near the
      // answer: a binary search over the whole rest of a million points cost
      // a cache miss per probe, 2.5 ms per envelope.
      const auto inColumn = [&](double v) { return column(v) <= c; };
      std::size_t guess = i + 1;
      if (density > 0) {
        const double g = static_cast<double>(first) + (column.startOf(c + 1) - x[first]) * density;
        if (g > static_cast<double>(guess))
          guess = g < static_cast<double>(end) ? static_cast<std::size_t>(g) : end;
      }
      // Invariant: x[below] is in column c; above is end or past column c.
      std::size_t below = i, above = end;
      if (inColumn(x[guess - 1])) {
        below = guess - 1;
        std::size_t stride = 1;
        while (below + stride < end && inColumn(x[below + stride])) {
          below += stride;
          stride *= 2;
        }
        above = std::min(end, below + stride);
      } else {
        above = guess - 1;
        std::size_t stride = 1;
        while (stride < above - i && !inColumn(x[above - stride])) {
          above -= stride;
          stride *= 2;
        }
        below = stride < above - i ? above - stride : i;
      }
      const std::size_t stop =
          static_cast<std::size_t>(std::partition_point(x + below, x + above, inColumn) - x);
      std::size_t lo = end, hi = end;
      if (index) {
        std::size_t a = ExtremaIndex::kNone, b = ExtremaIndex::kNone;
        index->extremes(y, i, stop, a, b);
        i = stop;
        if (a == ExtremaIndex::kNone) continue;
        const std::size_t p = std::min(a, b), q = std::max(a, b);
        if (p != keep.back()) keep.push_back(p);
        if (q != p) keep.push_back(q);
        continue;
      }
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
                    std::vector<double>& outX, std::vector<double>& outY,
                    const ExtremaIndex* index) {
  const std::vector<std::size_t> keep = minMaxEnvelope(x, y, n, view, index);
  outX.resize(keep.size());
  outY.resize(keep.size());
  for (std::size_t k = 0; k < keep.size(); ++k) {
    outX[k] = x[keep[k]] - view.xOffset;
    outY[k] = y[keep[k]];
  }
}

}  // namespace understudy::ui::charts
