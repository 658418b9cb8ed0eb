// Honest decimation for line charts: when a series has more points than the
// plot has pixel columns, draw per column only the points that decide what the
// column shows (its minimum and its maximum), so a spike never disappears at
// any zoom. Pure C++ (no Qt, no QCustomPlot): unit-tested in test_ui_charts
// and timed in bench/ui_chart.
//
//   std::vector<std::size_t> keep = minMaxEnvelope(x.data(), y.data(), x.size(),
//                                                  {view.lower, view.upper, plotWidthPx});
//   for (std::size_t i : keep) draw(x[i], y[i]);
#pragma once

#include <cstddef>
#include <vector>

namespace understudy::ui::charts {

struct EnvelopeView {
  double xMin = 0.0;  // the visible x range, in axis units
  double xMax = 1.0;
  int pixels = 1;        // pixel columns across that range
  bool logX = false;     // the x axis is logarithmic: columns are equal in log(x)
  double xOffset = 0.0;  // a point's axis x is x[i] - xOffset (wall time since a run began)
};

// The extremes of a series by blocks, so that an envelope need not visit every
// point: level 0 holds, per block of 32 points, the index of its smallest and
// of its largest finite y; level L+1 the same per 32 blocks of level L. Only
// complete blocks are indexed; append() extends the index as points arrive.
// The first occurrence of an extreme wins, as in a left-to-right scan.
class ExtremaIndex {
 public:
  static constexpr std::size_t kBlock = 32;
  static constexpr std::size_t kNone = static_cast<std::size_t>(-1);

  // Indexes y[0, n) from scratch.
  void rebuild(const double* y, std::size_t n);
  // y now holds n points, the first size() of them as indexed before.
  void append(const double* y, std::size_t n);
  std::size_t size() const { return m_size; }
  // The first index of the smallest and of the largest finite y in [a, b)
  // (kNone when there is none); y is the series the index was built on.
  void extremes(const double* y, std::size_t a, std::size_t b, std::size_t& minIndex,
                std::size_t& maxIndex) const;

 private:
  void blockExtremes(const double* y, std::size_t level, std::size_t a, std::size_t b,
                     std::size_t& minIndex, std::size_t& maxIndex) const;

  std::size_t m_size = 0;
  std::vector<std::vector<std::size_t>> m_min, m_max;  // per level
};

// Indices (ascending) of the points to draw of the series (x[i], y[i]),
// i < n, x non-decreasing. Kept:
//  - in each pixel column, the point with the smallest and the one with the
//    largest y (once when it is the same point);
//  - the first and the last visible point (axis x in [xMin, xMax]);
//  - the nearest point on either side outside the range, so the line runs to
//    the plot's edges when zoomed in.
// Points with a non-finite y cannot be drawn and are never kept. When the
// visible points are no more than 4 per column, all of them are kept. Cost:
// O(log n + visible points), or O(pixels · log n) with an ExtremaIndex.
// With `index` (built on y[0, n)), each column costs O(log n) instead of
// O(its points); the result is the same.
std::vector<std::size_t> minMaxEnvelope(const double* x, const double* y, std::size_t n,
                                        const EnvelopeView& view,
                                        const ExtremaIndex* index = nullptr);

// The same, writing the kept points' axis coordinates (x - xOffset, y) to
// outX/outY (resized to fit).
void minMaxEnvelope(const double* x, const double* y, std::size_t n, const EnvelopeView& view,
                    std::vector<double>& outX, std::vector<double>& outY,
                    const ExtremaIndex* index = nullptr);

}  // namespace understudy::ui::charts
