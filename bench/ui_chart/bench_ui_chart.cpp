// bench_ui_chart: what one refresh of the training charts costs
// (docs/performance.md "Training charts").
//
// A refresh is what happens on every zoom, pan, resize and batch of new
// points: the per-pixel min/max envelope of every drawn series (envelope.h)
// for the visible range, QCPGraph::setData, and a replot of the chart
// (QCustomPlot::replot, immediate refresh, offscreen raster). Measured:
//
// The envelopes use the series' block index (ExtremaIndex), as the widget does.
//
// 1. One series of --points (1,000,000) points, the chart 1280 × 720: at the
//    whole range and while panning a 10 % window across it (--frames steps),
//    against, in the same run, the same series handed to QCustomPlot whole,
//    drawn with its own adaptive sampling (its default) and without it.
// 2. --runs (100) series of --run-points (10,000) points overlaid, each drawn
//    raw and smoothed (200 graphs): refresh against the raw series handed to
//    QCustomPlot whole (adaptive sampling on); then variants of the refresh
//    without antialiasing, each against the plain one in the same run: fast
//    polylines, an opaque raw pen, QCustomPlot's sampling off, envelope
//    columns of 2 px, the raw curves left out (what TrainingChartView does
//    above 40 curves: 2 px columns and no raw curves when smoothed).
// 3. The widget itself (TrainingChartView): a workspace whose one run holds
//    --points rows of train/loss, read by the widget's reader thread
//    (time to first drawing), then TrainingChartView::redraw() (raw and
//    smoothed envelope + replot) at the whole range and zoomed.
// 4. The widget with --runs runs of --run-points train/loss rows overlaid.
// Every figure is the median (and p95) over the frames, printed against a
// 16 ms frame budget (60 Hz).
//
//   bench_ui_chart [--points 1000000] [--runs 100] [--run-points 10000]
//                  [--frames 60] [--no-widget]
#include <qcustomplot.h>

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "bench/common/machine_info.h"
#include "core/store/run_store.h"
#include "core/store/workspace.h"
#include "ui/charts/envelope.h"
#include "ui/charts/smoothing.h"
#include "ui/charts/training_chart_view.h"

using namespace understudy::ui::charts;
using Clock = std::chrono::steady_clock;

namespace {

constexpr double kBudgetMs = 16.0;

struct Args {
  long points = 1000000;
  int runs = 100;
  long runPoints = 10000;
  int frames = 60;
  bool widget = true;
};

std::string loadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

struct Stats {
  double median = 0, p95 = 0;
};

Stats stats(std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  Stats s;
  if (ms.empty()) return s;
  s.median = ms[ms.size() / 2];
  s.p95 = ms[std::min(ms.size() - 1, static_cast<std::size_t>(std::ceil(0.95 * ms.size())) - 1)];
  return s;
}

double msSince(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

void printRow(const char* what, const Stats& s, double referenceMedian = 0) {
  std::printf("   %-44s median %8.2f ms  p95 %8.2f ms  %s", what, s.median, s.p95,
              s.median <= kBudgetMs ? "within 16 ms" : "OVER 16 ms");
  if (referenceMedian > 0) std::printf("  (reference / this = %.1f)", referenceMedian / s.median);
  std::printf("\n");
}

// A training-loss-like series: falling, noisy, with a few one-step spikes.
void lossSeries(long n, unsigned seed, std::vector<double>& x, std::vector<double>& y) {
  x.resize(n);
  y.resize(n);
  unsigned state = seed * 2654435761u + 1;
  for (long i = 0; i < n; ++i) {
    state = state * 1664525u + 1013904223u;
    const double noise = static_cast<double>(state >> 8) / 16777216.0 - 0.5;
    x[i] = static_cast<double>(i);
    y[i] = 4.0 / (1.0 + 1e-4 * static_cast<double>(i)) + 0.3 * noise;
    if (i % 99991 == 777) y[i] += 20.0;
  }
}

QVector<double> toQVector(const std::vector<double>& v) {
  return QVector<double>(v.begin(), v.end());
}

// Sets a graph's data to the envelope of (x, y) for the axis' current range.
void envelopeInto(QCPGraph* g, const std::vector<double>& x, const std::vector<double>& y,
                  const QCPRange& range, int pixels, const ExtremaIndex* index = nullptr) {
  std::vector<double> ex, ey;
  minMaxEnvelope(x.data(), y.data(), x.size(), EnvelopeView{range.lower, range.upper, pixels}, ex,
                 ey, index);
  g->setData(toQVector(ex), toQVector(ey), true);
}

// The same, the kept points written straight into QCustomPlot's container
// (no intermediate key and value vectors), as TrainingChartView does.
void envelopeDirect(QCPGraph* g, const std::vector<double>& x, const std::vector<double>& y,
                    const QCPRange& range, int pixels, const ExtremaIndex* index) {
  const auto keep = minMaxEnvelope(x.data(), y.data(), x.size(),
                                   EnvelopeView{range.lower, range.upper, pixels}, index);
  QVector<QCPGraphData> data(static_cast<int>(keep.size()));
  for (int k = 0; k < data.size(); ++k) {
    const std::size_t i = keep[static_cast<std::size_t>(k)];
    data[k] = QCPGraphData(x[i], y[i]);
  }
  g->data()->set(data, true);
}

// Runs `frame` for every range of a pan across [0, extent) with a window of
// `fraction` of it; returns the per-frame milliseconds.
std::vector<double> pan(QCustomPlot& plot, double extent, double fraction, int frames,
                        const std::function<void()>& frame) {
  std::vector<double> ms;
  const double width = extent * fraction;
  for (int f = 0; f < frames; ++f) {
    const double lo = (extent - width) * f / std::max(1, frames - 1);
    const auto t = Clock::now();
    plot.xAxis->setRange(lo, lo + width);
    frame();
    plot.replot(QCustomPlot::rpImmediateRefresh);
    ms.push_back(msSince(t));
  }
  return ms;
}

}  // namespace

int main(int argc, char** argv) {
  if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> long {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", arg.c_str());
        std::exit(2);
      }
      return std::atol(argv[++i]);
    };
    if (arg == "--points")
      a.points = value();
    else if (arg == "--runs")
      a.runs = static_cast<int>(value());
    else if (arg == "--run-points")
      a.runPoints = value();
    else if (arg == "--frames")
      a.frames = static_cast<int>(value());
    else if (arg == "--no-widget")
      a.widget = false;
    else {
      std::fprintf(stderr,
                   "usage: bench_ui_chart [--points N] [--runs R] [--run-points N] [--frames F] "
                   "[--no-widget]\n");
      return 2;
    }
  }
  if (a.points < 2 || a.runs < 1 || a.runPoints < 2 || a.frames < 2) {
    std::fprintf(stderr, "bench_ui_chart: values must be positive (points >= 2, frames >= 2)\n");
    return 2;
  }
  QApplication app(argc, argv);
  std::printf(
      "bench_ui_chart: chart refresh = envelope + setData + replot, 1280 x 720, budget %.0f ms\n",
      kBudgetMs);
  std::printf("cpu               %s\n", understudy::bench::cpuModel().c_str());
  std::printf("platform          %s (Qt %s)\n", qPrintable(QGuiApplication::platformName()),
              qVersion());
  std::printf("load average      %s (start)\n", loadAverage().c_str());

  QCustomPlot plot;
  plot.resize(1280, 720);
  plot.show();
  QCoreApplication::processEvents();
  plot.replot(QCustomPlot::rpImmediateRefresh);
  const int pixels = plot.axisRect()->width();
  const int warm = 3;

  // 1. One series of a million points.
  {
    std::vector<double> x, y;
    lossSeries(a.points, 1, x, y);
    const double extent = static_cast<double>(a.points);
    std::printf("\n1. One series, %ld points, plot %d px wide\n", a.points, pixels);
    std::vector<double> envMs;
    for (int r = 0; r < a.frames; ++r) {
      std::vector<double> ex, ey;
      const auto t = Clock::now();
      minMaxEnvelope(x.data(), y.data(), x.size(), EnvelopeView{0, extent, pixels}, ex, ey);
      envMs.push_back(msSince(t));
    }
    printRow("envelope alone (scan), whole range", stats(envMs));
    ExtremaIndex index;
    {
      const auto t = Clock::now();
      index.rebuild(y.data(), y.size());
      std::printf("   building the block index of the series once: %.1f ms\n", msSince(t));
    }
    std::vector<double> indexedMs;
    for (int r = 0; r < a.frames; ++r) {
      std::vector<double> ex, ey;
      const auto t = Clock::now();
      minMaxEnvelope(x.data(), y.data(), x.size(), EnvelopeView{0, extent, pixels}, ex, ey, &index);
      indexedMs.push_back(msSince(t));
    }
    printRow("envelope alone (block index), whole range", stats(indexedMs), stats(envMs).median);

    QCPGraph* g = plot.addGraph();
    std::vector<double> whole;
    plot.xAxis->setRange(0, extent);
    plot.yAxis->setRange(0, 25);
    for (int r = 0; r < a.frames + warm; ++r) {
      const auto t = Clock::now();
      envelopeInto(g, x, y, plot.xAxis->range(), pixels, &index);
      plot.replot(QCustomPlot::rpImmediateRefresh);
      if (r >= warm) whole.push_back(msSince(t));
    }
    std::printf("   (%d points drawn of %ld)\n", g->dataCount(), a.points);
    const Stats envWhole = stats(whole);
    const Stats envPan = stats(pan(plot, extent, 0.1, a.frames, [&] {
      envelopeInto(g, x, y, plot.xAxis->range(), pixels, &index);
    }));

    // The references: the whole series handed to QCustomPlot once.
    g->setData(toQVector(x), toQVector(y), true);
    g->setAdaptiveSampling(true);
    std::vector<double> refWhole;
    plot.xAxis->setRange(0, extent);
    for (int r = 0; r < a.frames + warm; ++r) {
      const auto t = Clock::now();
      plot.replot(QCustomPlot::rpImmediateRefresh);
      if (r >= warm) refWhole.push_back(msSince(t));
    }
    const Stats adaptiveWhole = stats(refWhole);
    const Stats adaptivePan = stats(pan(plot, extent, 0.1, a.frames, [] {}));
    g->setAdaptiveSampling(false);
    std::vector<double> plainMs;
    plot.xAxis->setRange(0, extent);
    for (int r = 0; r < 3; ++r) {
      const auto t = Clock::now();
      plot.replot(QCustomPlot::rpImmediateRefresh);
      plainMs.push_back(msSince(t));
    }
    const Stats plain = stats(plainMs);
    printRow("refresh, whole range", envWhole, plain.median);
    printRow("refresh, panning a 10% window", envPan, adaptivePan.median);
    std::printf("   reference: QCustomPlot given all points (setData once, replot only):\n");
    printRow("  adaptive sampling on, whole range", adaptiveWhole);
    printRow("  adaptive sampling on, panning 10% window", adaptivePan);
    printRow("  adaptive sampling off, whole range (3 frames)", plain);
    std::printf("   envelope refresh vs adaptive sampling, whole range: reference / this = %.1f\n",
                adaptiveWhole.median / envWhole.median);
    plot.clearGraphs();
  }

  // 2. A hundred runs overlaid, raw and smoothed.
  {
    std::printf("\n2. %d runs x %ld points overlaid, raw + smoothed (EMA 0.6): %d graphs\n", a.runs,
                a.runPoints, 2 * a.runs);
    std::vector<std::vector<double>> xs(a.runs), ys(a.runs), ss(a.runs);
    std::vector<QCPGraph*> raw, smooth;
    std::vector<ExtremaIndex> rawIndex(a.runs), smoothIndex(a.runs);
    for (int r = 0; r < a.runs; ++r) {
      lossSeries(a.runPoints, static_cast<unsigned>(r + 2), xs[r], ys[r]);
      ss[r] = debiasedEma(ys[r].data(), ys[r].size(), 0.6);
      rawIndex[r].rebuild(ys[r].data(), ys[r].size());
      smoothIndex[r].rebuild(ss[r].data(), ss[r].size());
      raw.push_back(plot.addGraph());
      smooth.push_back(plot.addGraph());
      raw.back()->setPen(QPen(QColor::fromHsvF(std::fmod(r * 0.618, 1.0), 0.7, 0.8, 0.3)));
      smooth.back()->setPen(QPen(QColor::fromHsvF(std::fmod(r * 0.618, 1.0), 0.7, 0.8), 1));
    }
    const double extent = static_cast<double>(a.runPoints);
    auto refresh = [&] {
      for (int r = 0; r < a.runs; ++r) {
        envelopeInto(raw[r], xs[r], ys[r], plot.xAxis->range(), pixels, &rawIndex[r]);
        envelopeInto(smooth[r], xs[r], ss[r], plot.xAxis->range(), pixels, &smoothIndex[r]);
      }
    };
    std::vector<double> whole;
    plot.xAxis->setRange(0, extent);
    plot.yAxis->setRange(0, 25);
    for (int f = 0; f < a.frames + warm; ++f) {
      const auto t = Clock::now();
      refresh();
      plot.replot(QCustomPlot::rpImmediateRefresh);
      if (f >= warm) whole.push_back(msSince(t));
    }
    std::vector<double> emaMs;
    for (int f = 0; f < 5; ++f) {
      const auto t = Clock::now();
      for (int r = 0; r < a.runs; ++r) {
        ss[r] = debiasedEma(ys[r].data(), ys[r].size(), 0.7);
        smoothIndex[r].rebuild(ss[r].data(), ss[r].size());
      }
      emaMs.push_back(msSince(t));
    }
    const Stats envWhole = stats(whole);
    const Stats envPan = stats(pan(plot, extent, 0.1, a.frames, refresh));
    // What TrainingChartView does above 40 curves: no antialiasing.
    plot.setNotAntialiasedElements(QCP::aePlottables);
    std::vector<double> noAa;
    plot.xAxis->setRange(0, extent);
    for (int f = 0; f < a.frames; ++f) {
      const auto t = Clock::now();
      refresh();
      plot.replot(QCustomPlot::rpImmediateRefresh);
      noAa.push_back(msSince(t));
    }
    const Stats noAaWhole = stats(noAa);
    const Stats noAaPan = stats(pan(plot, extent, 0.1, a.frames, refresh));
    // Variants of the no-antialiasing refresh, each against it in this run
    // (reference / this > 1: the variant is faster).
    struct Variant {
      const char* name;
      bool fastPolylines, opaqueFaint, noAdaptive, rawHidden;
      int pxPerColumn;
      bool direct = false;
    };
    const Variant variants[] = {
        {"as above (no antialiasing), again", false, false, false, false, 1},
        {"+ QCP::phFastPolylines", true, false, false, false, 1},
        {"+ raw pen opaque (lightened, not alpha)", false, true, false, false, 1},
        {"+ adaptive sampling off (data decimated)", false, false, true, false, 1},
        {"+ envelope 2 px per column", false, false, false, false, 2},
        {"+ raw curves hidden (smoothed only)", false, false, false, true, 1},
        {"2 px per column + raw hidden", false, false, false, true, 2},
        {"opaque + sampling off + 2 px columns", false, true, true, false, 2},
        {"all", true, true, true, true, 2},
        {"data written into QCustomPlot's container", false, false, false, false, 1, true},
        {"2 px + raw hidden + data written directly", false, false, false, true, 2, true},
    };
    std::vector<std::pair<const char*, std::pair<Stats, Stats>>> variantRows;
    for (const Variant& v : variants) {
      plot.setPlottingHint(QCP::phFastPolylines, v.fastPolylines);
      for (int r = 0; r < a.runs; ++r) {
        QColor c = QColor::fromHsvF(std::fmod(r * 0.618, 1.0), 0.7, 0.8);
        if (v.opaqueFaint)
          c = QColor::fromRgbF(0.7 + 0.3 * c.redF(), 0.7 + 0.3 * c.greenF(), 0.7 + 0.3 * c.blueF());
        else
          c.setAlphaF(0.3);
        raw[r]->setPen(QPen(c));
        raw[r]->setAdaptiveSampling(!v.noAdaptive);
        smooth[r]->setAdaptiveSampling(!v.noAdaptive);
        raw[r]->setVisible(!v.rawHidden);
      }
      const int px = std::max(1, pixels / v.pxPerColumn);
      auto variantRefresh = [&] {
        for (int r = 0; r < a.runs; ++r) {
          auto into = v.direct ? envelopeDirect : envelopeInto;
          if (!v.rawHidden) into(raw[r], xs[r], ys[r], plot.xAxis->range(), px, &rawIndex[r]);
          into(smooth[r], xs[r], ss[r], plot.xAxis->range(), px, &smoothIndex[r]);
        }
      };
      std::vector<double> ms, dataMs;
      plot.xAxis->setRange(0, extent);
      for (int f = 0; f < 3; ++f) {
        const auto t = Clock::now();
        variantRefresh();
        dataMs.push_back(msSince(t));
      }
      std::printf("   (%-44s envelopes + setData alone %.1f ms, %d points in graphs)\n", v.name,
                  stats(dataMs).median, [&] {
                    int n = 0;
                    for (int r = 0; r < a.runs; ++r)
                      n += (v.rawHidden ? 0 : raw[r]->dataCount()) + smooth[r]->dataCount();
                    return n;
                  }());
      for (int f = 0; f < a.frames; ++f) {
        const auto t = Clock::now();
        variantRefresh();
        plot.replot(QCustomPlot::rpImmediateRefresh);
        ms.push_back(msSince(t));
      }
      variantRows.push_back(
          {v.name, {stats(ms), stats(pan(plot, extent, 0.1, a.frames, variantRefresh))}});
    }
    plot.setPlottingHint(QCP::phFastPolylines, false);
    for (int r = 0; r < a.runs; ++r) {
      raw[r]->setPen(QPen(QColor::fromHsvF(std::fmod(r * 0.618, 1.0), 0.7, 0.8, 0.3)));
      raw[r]->setAdaptiveSampling(true);
      smooth[r]->setAdaptiveSampling(true);
      raw[r]->setVisible(true);
    }
    plot.setNotAntialiasedElements(QCP::aeNone);
    for (int r = 0; r < a.runs; ++r) {
      raw[r]->setData(toQVector(xs[r]), toQVector(ys[r]), true);
      smooth[r]->setData(toQVector(xs[r]), toQVector(ss[r]), true);
    }
    std::vector<double> refWhole;
    plot.xAxis->setRange(0, extent);
    for (int f = 0; f < std::min(a.frames, 10) + 1; ++f) {
      const auto t = Clock::now();
      plot.replot(QCustomPlot::rpImmediateRefresh);
      if (f >= 1) refWhole.push_back(msSince(t));
    }
    const Stats ref = stats(refWhole);
    const Stats refPan = stats(pan(plot, extent, 0.1, std::min(a.frames, 10), [] {}));
    printRow("refresh, whole range", envWhole, ref.median);
    printRow("refresh, panning a 10% window", envPan, refPan.median);
    printRow("refresh, whole range, no antialiasing", noAaWhole, ref.median);
    printRow("refresh, panning, no antialiasing", noAaPan, refPan.median);
    std::printf("   variants, no antialiasing, against its first row (whole / panning):\n");
    for (const auto& row : variantRows) {
      printRow(row.first, row.second.first, variantRows.front().second.first.median);
      printRow("  panning", row.second.second, variantRows.front().second.second.median);
    }
    printRow("re-smoothing all runs + their index (slider)", stats(emaMs));
    std::printf("   reference: QCustomPlot given all points, adaptive sampling on:\n");
    printRow("  whole range", ref);
    printRow("  panning a 10% window", refPan);
    plot.clearGraphs();
  }
  plot.hide();

  // 3. The widget end to end, from a workspace.
  if (a.widget) {
    std::printf("\n3. TrainingChartView, one run of %ld train/loss rows in workspace.db\n",
                a.points);
    QTemporaryDir dir;
    const QString ws = QDir(dir.path()).filePath(QStringLiteral("ws"));
    qint64 run = 0;
    {
      const auto t = Clock::now();
      auto workspace = understudy::Workspace::create(ws.toStdString());
      understudy::RunStore runs(workspace.db());
      run = runs.startRun({"train", "bench", "", "", "", std::nullopt});
      std::vector<double> x, y;
      lossSeries(a.points, 7, x, y);
      std::vector<understudy::MetricPoint> points;
      points.reserve(x.size());
      for (std::size_t i = 0; i < x.size(); ++i)
        points.push_back({static_cast<std::int64_t>(i), "train/loss", y[i], 1.7e9 + 0.05 * i});
      runs.addMetrics(run, points);
      std::printf("   writing the rows (one transaction)            %8.0f ms\n", msSince(t));
    }
    TrainingChartView view;
    view.resize(1280, 760);
    view.show();
    QCoreApplication::processEvents();
    view.setWorkspace(ws);
    const auto t = Clock::now();
    view.setRuns({run});
    QElapsedTimer guard;
    guard.start();
    while (!(view.store().find(run, QStringLiteral("train/loss")) &&
             view.store().find(run, QStringLiteral("train/loss"))->size() ==
                 static_cast<std::size_t>(a.points)) &&
           guard.elapsed() < 120000)
      QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 50);
    std::printf(
        "   selected -> all rows read and drawn             %8.0f ms (reader thread; the window "
        "stays live)\n",
        msSince(t));
    std::vector<double> whole, zoomed;
    for (int f = 0; f < a.frames + warm; ++f) {
      const auto t0 = Clock::now();
      view.redraw();
      if (f >= warm) whole.push_back(msSince(t0));
    }
    printRow("redraw(), whole range (raw + EMA)", stats(whole));
    const double extent = static_cast<double>(a.points);
    for (int f = 0; f < a.frames; ++f) {
      const double lo = extent * 0.9 * f / (a.frames - 1);
      const auto t0 = Clock::now();
      view.plot()->xAxis->setRange(lo, lo + extent * 0.1);  // re-decimates, as a pan does
      view.plot()->replot(QCustomPlot::rpImmediateRefresh);
      zoomed.push_back(msSince(t0));
    }
    printRow("pan a 10% window (range change + replot)", stats(zoomed));
  }
  // 4. The widget with --runs runs overlaid: above 40 curves it draws 2 px
  // envelope columns and, smoothed, no raw curves (its status line says so).
  if (a.widget) {
    std::printf("\n4. TrainingChartView, %d runs of %ld train/loss rows overlaid\n", a.runs,
                a.runPoints);
    QTemporaryDir dir;
    const QString ws = QDir(dir.path()).filePath(QStringLiteral("ws"));
    QList<qint64> ids;
    {
      auto workspace = understudy::Workspace::create(ws.toStdString());
      understudy::RunStore runs(workspace.db());
      for (int r = 0; r < a.runs; ++r) {
        ids << runs.startRun({"train", "bench", "", "", "", std::nullopt});
        std::vector<double> x, y;
        lossSeries(a.runPoints, static_cast<unsigned>(r + 2), x, y);
        std::vector<understudy::MetricPoint> points;
        for (std::size_t i = 0; i < x.size(); ++i)
          points.push_back({static_cast<std::int64_t>(i), "train/loss", y[i], 1.7e9 + 0.05 * i});
        runs.addMetrics(ids.back(), points);
      }
    }
    TrainingChartView view;
    view.resize(1280, 760);
    view.show();
    QCoreApplication::processEvents();
    view.setWorkspace(ws);
    view.setRuns(ids);
    QElapsedTimer guard;
    guard.start();
    auto allRead = [&] {
      for (qint64 id : ids) {
        const MetricSeries* s = view.store().find(id, QStringLiteral("train/loss"));
        if (!s || s->size() != static_cast<std::size_t>(a.runPoints)) return false;
      }
      return true;
    };
    while (!allRead() && guard.elapsed() < 120000)
      QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 50);
    std::vector<double> whole, zoomed;
    for (int f = 0; f < a.frames + warm; ++f) {
      const auto t0 = Clock::now();
      view.redraw();
      if (f >= warm) whole.push_back(msSince(t0));
    }
    printRow("redraw(), whole range (smoothed only)", stats(whole));
    const double extent = static_cast<double>(a.runPoints);
    for (int f = 0; f < a.frames; ++f) {
      const double lo = extent * 0.9 * f / (a.frames - 1);
      const auto t0 = Clock::now();
      view.plot()->xAxis->setRange(lo, lo + extent * 0.1);
      view.plot()->replot(QCustomPlot::rpImmediateRefresh);
      zoomed.push_back(msSince(t0));
    }
    printRow("pan a 10% window (range change + replot)", stats(zoomed));
    view.setSmoothing(0.0);
    whole.clear();
    for (int f = 0; f < a.frames + warm; ++f) {
      const auto t0 = Clock::now();
      view.redraw();
      if (f >= warm) whole.push_back(msSince(t0));
    }
    printRow("redraw(), whole range, smoothing 0 (raw only)", stats(whole));
    std::printf("   status line: %s\n", qPrintable(view.statusText().section(QLatin1Char('\n'), 0, 0)));
  }
  std::printf("\nload average      %s (end)\n", loadAverage().c_str());
  return 0;
}
