// QPainter plots for the report: axes with "nice" ticks, a legend to the
// right of the plot area, category labels turned when they do not fit, and
// every margin measured from the text it holds, so nothing is clipped.
#include "app/cli/report_plots.h"

#include <QCoreApplication>
#include <QFont>
#include <QFontMetrics>
#include <QGuiApplication>
#include <QImage>
#include <QPainter>
#include <QPainterPath>
#include <QString>
#include <QtMath>
#include <algorithm>
#include <cmath>
#include <limits>

#include "core/util/error.h"
#include "core/util/log.h"

namespace understudy::cli {

namespace {

constexpr int kWidth = 1100;
constexpr int kHeight = 620;
constexpr int kPad = 14;
constexpr double kTurn = 40.0;  // degrees: category labels too wide for their slot

const QColor kPalette[] = {QColor(31, 119, 180),  QColor(255, 127, 14), QColor(44, 160, 44),
                           QColor(214, 39, 40),   QColor(148, 103, 189), QColor(140, 86, 75),
                           QColor(227, 119, 194), QColor(127, 127, 127), QColor(188, 189, 34),
                           QColor(23, 190, 207)};
constexpr int kColors = sizeof kPalette / sizeof kPalette[0];

QFont font(int pixels, bool bold = false) {
  QFont f(QStringLiteral("DejaVu Sans"));
  f.setPixelSize(pixels);
  f.setBold(bold);
  return f;
}

QString q(const std::string& s) { return QString::fromStdString(s); }

// 1, 10, 100, 1 k, ... for a log axis and the bytes charts.
QString si(double v) {
  const char* const suffix[] = {"", " k", " M", " G", " T"};
  int i = 0;
  while (std::fabs(v) >= 1000.0 && i < 4) {
    v /= 1000.0;
    ++i;
  }
  const int decimals = std::fabs(v) >= 100 || v == std::floor(v) ? 0 : std::fabs(v) >= 10 ? 1 : 2;
  return QString::number(v, 'f', decimals) + QString::fromLatin1(suffix[i]);
}

struct Axis {
  double lo = 0.0, hi = 1.0;
  bool log = false;
  std::vector<double> ticks;
  int decimals = 0;

  double fraction(double v) const {
    if (log) return (std::log10(v) - std::log10(lo)) / (std::log10(hi) - std::log10(lo));
    return (v - lo) / (hi - lo);
  }
  QString label(double v) const {
    if (log) return si(v);
    return QString::number(v, 'f', decimals);
  }
};

// Ticks at 1, 2 or 5 × 10^k, about `target` of them, the range widened to whole steps.
Axis niceAxis(double lo, double hi, bool fromZero, int target = 6) {
  Axis a;
  if (!std::isfinite(lo) || !std::isfinite(hi)) lo = 0.0, hi = 1.0;
  if (fromZero) lo = std::min(lo, 0.0);
  if (hi - lo < 1e-12) {
    const double pad = std::fabs(hi) > 0 ? std::fabs(hi) * 0.1 : 1.0;
    hi += pad;
    if (!fromZero || lo > 0) lo -= pad;
  }
  const double raw = (hi - lo) / target;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = mag;
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * mag >= raw) {
      step = m * mag;
      break;
    }
  a.lo = std::floor(lo / step + 1e-9) * step;
  a.hi = std::ceil(hi / step - 1e-9) * step;
  for (double t = a.lo; t <= a.hi + step * 1e-6; t += step) a.ticks.push_back(std::fabs(t) < step * 1e-9 ? 0.0 : t);
  a.decimals = std::max(0, -static_cast<int>(std::floor(std::log10(step) + 1e-9)));
  return a;
}

// Powers of two: the scaling simulator's workers (1, 2, 4, ... 512).
Axis log2Axis(double lo, double hi) {
  Axis a;
  a.log = true;
  if (!(lo > 0)) lo = 1.0;
  if (!(hi > 0)) hi = lo;
  a.lo = std::pow(2.0, std::floor(std::log2(lo)));
  a.hi = std::pow(2.0, std::ceil(std::log2(hi)));
  if (a.hi <= a.lo) a.hi = a.lo * 2.0;
  for (double t = a.lo; t <= a.hi * 1.0001; t *= 2.0) a.ticks.push_back(t);
  return a;
}

Axis logAxis(double lo, double hi) {
  Axis a;
  a.log = true;
  if (!(lo > 0)) lo = 1.0;
  if (!(hi > 0)) hi = lo;
  a.lo = std::pow(10.0, std::floor(std::log10(lo)));
  a.hi = std::pow(10.0, std::ceil(std::log10(hi)));
  if (a.hi <= a.lo) a.hi = a.lo * 10.0;
  for (double t = a.lo; t <= a.hi * 1.0001; t *= 10.0) a.ticks.push_back(t);
  return a;
}

// A white canvas of the plots' one size.
struct Frame {
  QRectF area;
  QImage image{kWidth, kHeight, QImage::Format_ARGB32_Premultiplied};

  Frame() { image.fill(Qt::white); }
};

int legendWidth(const std::vector<QString>& names, const QFontMetrics& fm) {
  int w = 0;
  for (const QString& n : names) w = std::max(w, fm.horizontalAdvance(n));
  return names.empty() ? 0 : 26 + w + kPad;
}

QString elide(const QString& s, const QFontMetrics& fm, int width) {
  return fm.elidedText(s, Qt::ElideMiddle, width);
}

// Draws the title, the y axis with its grid, ticks and label, the x axis
// label and the legend to the right; returns the plot area left between them.
// `xTicksHeight`: what the caller's x tick labels need below the area;
// `minLeft`: the least left margin they need (turned category labels).
QRectF drawFrame(QPainter& p, const std::string& title, const std::string& xLabel,
                 const std::string& yLabel, const Axis& y, std::vector<QString> legend,
                 int xTicksHeight, int minLeft, bool lineSwatches) {
  const QFontMetrics titleFm(font(18, true)), labelFm(font(15)), tickFm(font(13)), legendFm(font(13));
  int tickW = 0;
  for (double t : y.ticks) tickW = std::max(tickW, tickFm.horizontalAdvance(y.label(t)));
  const int maxLegendText = kWidth / 3;
  for (QString& n : legend) n = elide(n, legendFm, maxLegendText);
  const int top = kPad + titleFm.height() + kPad;
  const int left = std::max(minLeft, kPad + labelFm.height() + 8 + tickW + 8);
  const int right = kPad + legendWidth(legend, legendFm);
  const int bottom = xTicksHeight + 8 + labelFm.height() + kPad;
  const QRectF area(left, top, kWidth - left - right, kHeight - top - bottom);

  p.setPen(Qt::black);
  p.setFont(font(18, true));
  p.drawText(QRectF(0, kPad, kWidth, titleFm.height()), Qt::AlignHCenter | Qt::AlignTop, q(title));

  p.setFont(font(13));
  for (double t : y.ticks) {
    const double py = area.bottom() - y.fraction(t) * area.height();
    p.setPen(QPen(QColor(225, 225, 225), 1));
    p.drawLine(QPointF(area.left(), py), QPointF(area.right(), py));
    p.setPen(Qt::black);
    p.drawLine(QPointF(area.left() - 5, py), QPointF(area.left(), py));
    p.drawText(QRectF(area.left() - 8 - tickW, py - tickFm.height() / 2.0, tickW, tickFm.height()),
               Qt::AlignRight | Qt::AlignVCenter, y.label(t));
  }
  p.setPen(QPen(Qt::black, 1.2));
  p.drawLine(area.bottomLeft(), area.topLeft());
  p.drawLine(area.bottomLeft(), area.bottomRight());

  p.setFont(font(15));
  p.drawText(QRectF(area.left(), kHeight - kPad - labelFm.height(), area.width(), labelFm.height()),
             Qt::AlignHCenter | Qt::AlignVCenter, q(xLabel));
  p.save();
  p.translate(kPad, area.center().y());
  p.rotate(-90);
  p.drawText(QRectF(-area.height() / 2.0, 0, area.height(), labelFm.height()), Qt::AlignCenter, q(yLabel));
  p.restore();

  p.setFont(font(13));
  const double lx = area.right() + kPad;
  for (std::size_t i = 0; i < legend.size(); ++i) {
    const double ly = area.top() + static_cast<double>(i) * (legendFm.height() + 6);
    const QColor c = kPalette[i % kColors];
    if (lineSwatches) {
      QPen pen(c, 2.0);
      if (i >= static_cast<std::size_t>(kColors)) pen.setStyle(Qt::DashLine);
      p.setPen(pen);
      p.drawLine(QPointF(lx, ly + legendFm.height() / 2.0), QPointF(lx + 18, ly + legendFm.height() / 2.0));
    } else {
      p.fillRect(QRectF(lx, ly + 3, 18, legendFm.height() - 6), c);
    }
    p.setPen(Qt::black);
    p.drawText(QRectF(lx + 26, ly, kWidth - lx - 26, legendFm.height()), Qt::AlignLeft | Qt::AlignVCenter,
               legend[i]);
  }
  return area;
}

void save(const QImage& image, const std::filesystem::path& png) {
  if (!image.save(QString::fromStdString(png.string()), "PNG"))
    throw US_ERROR("cannot write the plot").file(png.string()).hint("is the folder writable and the disk not full?");
}

}  // namespace

std::unique_ptr<QtPlotSink> QtPlotSink::create(std::string* whyNot) {
  std::unique_ptr<QtPlotSink> sink(new QtPlotSink());
  if (QCoreApplication::instance()) {
    if (!qobject_cast<QGuiApplication*>(QCoreApplication::instance())) {
      if (whyNot) *whyNot = "this process runs a Qt application without a GUI, which cannot draw text";
      return nullptr;
    }
    return sink;
  }
  // QImage needs no display; the offscreen platform gives QPainter its fonts.
  static int argc = 3;
  static char arg0[] = "understudy-cli", arg1[] = "-platform", arg2[] = "offscreen";
  static char* argv[] = {arg0, arg1, arg2, nullptr};
  // Its chatter (no XDG_RUNTIME_DIR, ...) is no business of the report's
  // reader: to the debug log while the sink lives.
  sink->m_previousHandler = qInstallMessageHandler(
      [](QtMsgType, const QMessageLogContext&, const QString& message) {
        log::debug("Qt: {}", message.toStdString());
      });
  sink->m_ownsHandler = true;
  sink->m_app = std::make_unique<QGuiApplication>(argc, argv);
  return sink;
}

QtPlotSink::~QtPlotSink() {
  m_app.reset();
  if (m_ownsHandler) qInstallMessageHandler(m_previousHandler);
}

void QtPlotSink::drawLines(const pipeline::LinePlot& plot, const std::filesystem::path& png) {
  double xlo = std::numeric_limits<double>::infinity(), xhi = -xlo, ylo = xlo, yhi = -xlo;
  for (const auto& s : plot.series)
    for (std::size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
      if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i]) || (plot.logY && s.y[i] <= 0) ||
          (plot.logX && s.x[i] <= 0))
        continue;
      xlo = std::min(xlo, s.x[i]), xhi = std::max(xhi, s.x[i]);
      ylo = std::min(ylo, s.y[i]), yhi = std::max(yhi, s.y[i]);
    }
  const Axis x = plot.logX ? log2Axis(xlo, xhi) : niceAxis(xlo, xhi, true, 8);
  const Axis y = plot.logY ? logAxis(ylo, yhi) : niceAxis(ylo, yhi, false);
  std::vector<QString> legend;
  for (const auto& s : plot.series) legend.push_back(q(s.name));

  Frame f;
  QPainter p(&f.image);
  p.setRenderHint(QPainter::Antialiasing);
  const QFontMetrics tickFm(font(13));
  // The last x tick label is centred on the axis end: half of it lies in the
  // right margin, which the legend (one entry per series) keeps wide enough.
  const QRectF area = drawFrame(p, plot.title, plot.xLabel, plot.yLabel, y, legend, tickFm.height() + 6, 0, true);
  p.setFont(font(13));
  for (double t : x.ticks) {
    const double px = area.left() + x.fraction(t) * area.width();
    p.setPen(Qt::black);
    p.drawLine(QPointF(px, area.bottom()), QPointF(px, area.bottom() + 5));
    const QString label = x.label(t);
    const int w = tickFm.horizontalAdvance(label);
    p.drawText(QRectF(px - w / 2.0 - 2, area.bottom() + 6, w + 4, tickFm.height()), Qt::AlignCenter, label);
  }
  p.setClipRect(area.adjusted(-4, -4, 4, 4));
  for (std::size_t k = 0; k < plot.series.size(); ++k) {
    const auto& s = plot.series[k];
    const QColor c = kPalette[k % kColors];
    QPainterPath path;
    std::vector<QPointF> points;
    for (std::size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
      if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i]) || (plot.logY && s.y[i] <= 0) ||
          (plot.logX && s.x[i] <= 0))
        continue;
      const QPointF pt(area.left() + x.fraction(s.x[i]) * area.width(),
                       area.bottom() - y.fraction(s.y[i]) * area.height());
      if (points.empty())
        path.moveTo(pt);
      else
        path.lineTo(pt);
      points.push_back(pt);
    }
    QPen pen(c, 2.0);
    if (k >= static_cast<std::size_t>(kColors)) pen.setStyle(Qt::DashLine);
    p.setPen(pen);
    p.setBrush(Qt::NoBrush);
    p.drawPath(path);
    if (points.size() <= 40) {
      p.setBrush(c);
      for (const QPointF& pt : points) p.drawEllipse(pt, 3.5, 3.5);
    }
  }
  p.end();
  save(f.image, png);
}

void QtPlotSink::drawBars(const pipeline::BarChart& chart, const std::filesystem::path& png) {
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (const auto& s : chart.series)
    for (std::size_t i = 0; i < s.values.size(); ++i) {
      if (!s.values[i] || !std::isfinite(*s.values[i]) || (chart.logY && *s.values[i] <= 0)) continue;
      const double e = i < s.errors.size() ? s.errors[i] : 0.0;
      lo = std::min(lo, *s.values[i]);
      hi = std::max(hi, *s.values[i] + e);
    }
  // Headroom above the highest bar for its value label.
  const Axis y = chart.logY ? logAxis(lo, hi * 1.5) : niceAxis(0.0, hi * 1.1, true);
  std::vector<QString> legend;
  if (chart.series.size() > 1)
    for (const auto& s : chart.series) legend.push_back(q(s.name));

  const QFontMetrics tickFm(font(13)), valueFm(font(11));
  int labelW = 0;
  for (const auto& c : chart.categories) labelW = std::max(labelW, tickFm.horizontalAdvance(q(c)));
  // Measure the layout once with level labels; turn them if a slot is too narrow.
  Frame f;
  QPainter p(&f.image);
  p.setRenderHint(QPainter::Antialiasing);
  const double categories = std::max<std::size_t>(1, chart.categories.size());
  const double roughSlot = (kWidth * 0.7) / categories;
  const bool turn = labelW + 8 > roughSlot;
  const double rad = qDegreesToRadians(kTurn);
  const int ticksHeight =
      turn ? static_cast<int>(std::ceil(labelW * std::sin(rad) + tickFm.height() * std::cos(rad))) + 8
           : tickFm.height() + 6;
  // A turned label runs down-left from its slot's centre: the first one needs room on the left.
  const int minLeft = turn ? static_cast<int>(labelW * std::cos(rad) - roughSlot / 2.0) + kPad : 0;
  const QRectF area = drawFrame(p, chart.title, chart.xLabel, chart.yLabel, y, legend, ticksHeight, minLeft, false);
  const double slot = area.width() / categories;
  const double groupW = slot * 0.8;
  const double barW = groupW / static_cast<double>(std::max<std::size_t>(1, chart.series.size()));
  const double base = area.bottom();

  for (std::size_t c = 0; c < chart.categories.size(); ++c) {
    const double cx = area.left() + slot * (static_cast<double>(c) + 0.5);
    p.setPen(Qt::black);
    p.setFont(font(13));
    p.drawLine(QPointF(cx, base), QPointF(cx, base + 5));
    const QString label = q(chart.categories[c]);
    if (turn) {
      p.save();
      p.translate(cx, base + 8);
      p.rotate(-kTurn);
      p.drawText(QRectF(-labelW - 4, -tickFm.height() / 2.0, labelW, tickFm.height()),
                 Qt::AlignRight | Qt::AlignVCenter, label);
      p.restore();
    } else {
      p.drawText(QRectF(cx - slot / 2.0, base + 6, slot, tickFm.height()), Qt::AlignCenter, label);
    }
    for (std::size_t k = 0; k < chart.series.size(); ++k) {
      const auto& s = chart.series[k];
      const double x0 = cx - groupW / 2.0 + barW * static_cast<double>(k);
      const QRectF barSlot(x0, area.top(), barW, area.height());
      p.setFont(font(11));
      if (c >= s.values.size() || !s.values[c] || (chart.logY && *s.values[c] <= 0)) {
        p.setPen(QColor(110, 110, 110));
        p.drawText(QRectF(x0 - 10, base - valueFm.height() - 2, barW + 20, valueFm.height()),
                   Qt::AlignCenter, QStringLiteral("n/a"));
        continue;
      }
      const double v = *s.values[c];
      const double top = base - y.fraction(std::max(v, y.lo)) * area.height();
      const QColor color = chart.series.size() > 1 ? kPalette[k % kColors] : kPalette[0];
      p.fillRect(QRectF(x0 + 1, top, barW - 2, base - top), color);
      double labelTop = top;
      const double e = c < s.errors.size() ? s.errors[c] : 0.0;
      if (e > 0) {
        const double eTop = base - y.fraction(v + e) * area.height();
        const double eBottom = base - y.fraction(std::max(v - e, y.lo)) * area.height();
        const double mid = x0 + barW / 2.0, cap = std::max(3.0, barW * 0.15);
        p.setPen(QPen(QColor(40, 40, 40), 1.5));
        p.drawLine(QPointF(mid, eTop), QPointF(mid, eBottom));
        p.drawLine(QPointF(mid - cap, eTop), QPointF(mid + cap, eTop));
        p.drawLine(QPointF(mid - cap, eBottom), QPointF(mid + cap, eBottom));
        labelTop = eTop;
      }
      const QString text = chart.logY || v >= 1000 ? si(v) : QString::number(v, 'f', v >= 100 ? 0 : 1);
      if (valueFm.horizontalAdvance(text) <= barW + 6) {
        p.setPen(Qt::black);
        p.drawText(QRectF(x0 - 3, labelTop - valueFm.height() - 1, barW + 6, valueFm.height()),
                   Qt::AlignHCenter | Qt::AlignBottom, text);
      }
    }
  }
  p.end();
  save(f.image, png);
}

}  // namespace understudy::cli
