// The training charts (ui/charts): the per-pixel min/max envelope keeps every
// spike at every zoom, the debiased EMA of a constant is that constant from the
// first point, metrics that another process writes into workspace.db appear
// within two refreshes, the hours-of-audio axis adds up train/input_frames (and
// names the runs without it), and the wide CSV holds what the runs recorded.
// Runs offscreen (QT_QPA_PLATFORM=offscreen, set by CTest).
#include <qcustomplot.h>

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QImage>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>
#include <algorithm>
#include <cmath>
#include <vector>

#include "core/store/run_store.h"
#include "core/store/workspace.h"
#include "ui/charts/envelope.h"
#include "ui/charts/metric_series.h"
#include "ui/charts/smoothing.h"
#include "ui/charts/training_chart_view.h"
#include "ui/workspace/workspace_session.h"

using namespace understudy::ui::charts;

namespace {

// A noisy, slowly falling loss curve with one upward spike and one downward dip.
struct SpikySeries {
  std::vector<double> x, y;
  std::size_t spike, dip;
};

SpikySeries spikySeries(std::size_t n, std::size_t spike, std::size_t dip) {
  SpikySeries s;
  s.spike = spike;
  s.dip = dip;
  for (std::size_t i = 0; i < n; ++i) {
    s.x.push_back(static_cast<double>(i));
    s.y.push_back(2.0 / (1.0 + 1e-4 * static_cast<double>(i)) +
                  0.05 * std::sin(0.37 * static_cast<double>(i)));
  }
  s.y[spike] = 40.0;
  s.y[dip] = -40.0;
  return s;
}

bool contains(const std::vector<std::size_t>& v, std::size_t i) {
  return std::binary_search(v.begin(), v.end(), i);
}

// How the Python writer reaches the workspace: another process, its own connection.
QString writeMetricsScript() {
  return QStringLiteral(
      "import sqlite3, sys, time\n"
      "db = sqlite3.connect(sys.argv[1], timeout=10)\n"
      "run, first, last = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])\n"
      "rows = []\n"
      "for s in range(first, last):\n"
      "    rows.append((run, s, 'train/loss', 3.0 / (1 + s), time.time()))\n"
      "    rows.append((run, s, 'train/frame_accuracy', s / 100.0, time.time()))\n"
      "db.executemany('INSERT INTO metrics (run_id, step, name, value, wall_time) VALUES "
      "(?,?,?,?,?)', rows)\n"
      "db.commit()\n");
}

}  // namespace

class TestUiCharts : public QObject {
  Q_OBJECT

 private slots:
  // The session below records recent workspaces: in a test folder, not the user's.
  void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
  void envelopeKeepsTheSpikeAtEveryZoom();
  void envelopeMatchesEveryColumnsExtremes();
  void envelopeKeepsAllPointsWhenFew();
  void extremaIndexAgreesWithTheScan();
  void debiasedEmaOfAConstantIsTheConstant();
  void seriesKeepsSmoothingAndLatestRecordOnResume();
  void metricsFromAnotherProcessAppearWithinTwoRefreshes();
  void chartRedecimatesOnZoom();
  void csvExportHoldsEveryRunAndMetric();
  void pngExportWritesAnImage();
  void wallTimeAxisStartsAtTheRunsStart();
  void audioHoursAxisAddsUpTheRecordedFrames();
  void followsTheSessionAndReportsAnUnreadableWorkspace();
  void manyRunsKeepTheirSpikesAtTwoPixelColumns();
  void kdPanelDrawsLossBesideTeacherAgreement();
};

void TestUiCharts::followsTheSessionAndReportsAnUnreadableWorkspace() {
  QTemporaryDir dir;
  const QString ws = dir.filePath(QStringLiteral("ws"));
  qint64 run = 0;
  {
    auto workspace = understudy::Workspace::create(ws.toStdString());
    understudy::RunStore runs(workspace.db());
    run = runs.startRun({"train", "a", "", "", "", std::nullopt});
    runs.addMetrics(run, {{0, "train/loss", 1.0, 1e9}, {1, "train/loss", 0.5, 1e9 + 1}});
  }
  understudy::ui::WorkspaceSession session;
  TrainingChartView view;
  view.setWorkspaceSession(&session);
  QVERIFY(view.workspace().isEmpty());
  QVERIFY(session.open(ws));
  QCOMPARE(view.workspace(), session.rootPath());
  view.setRuns({run});
  QTRY_VERIFY_WITH_TIMEOUT(view.graphFor(run, QStringLiteral("train/loss")) != nullptr, 5000);
  session.close();  // the chart empties with the workspace
  QVERIFY(view.workspace().isEmpty());
  QVERIFY(view.runs().isEmpty());
  QVERIFY(view.graphFor(run, QStringLiteral("train/loss")) == nullptr);
  QCOMPARE(view.store().pointCount(), std::size_t(0));

  // A folder that is no workspace: said in the status line (what, where, what to do), no dialog.
  QSignalSpy failed(&view, &TrainingChartView::readFailed);
  const QString missing = dir.filePath(QStringLiteral("gone"));
  view.setWorkspace(missing);
  QVERIFY(failed.wait(5000));
  const QString message = failed.first().first().toString();
  QVERIFY2(message.contains(missing) && message.contains(QStringLiteral("hint")),
           qPrintable(message));
  QCOMPARE(view.statusText(), message);
}

void TestUiCharts::wallTimeAxisStartsAtTheRunsStart() {
  QTemporaryDir dir;
  const QString ws = dir.filePath(QStringLiteral("ws"));
  qint64 a = 0, b = 0;
  const double start = 1767225600.0;  // 2026-01-01T00:00:00Z
  {
    auto workspace = understudy::Workspace::create(ws.toStdString());
    understudy::RunStore runs(workspace.db());
    a = runs.startRun({"train", "a", "", "", "", std::nullopt});
    b = runs.startRun({"train", "b", "", "", "", std::nullopt});
    workspace.db().exec("UPDATE runs SET started_at = '2026-01-01T00:00:00.000Z' WHERE id = " +
                        std::to_string(a));
    std::vector<understudy::MetricPoint> pa, pb;
    for (int s = 0; s < 10; ++s) pa.push_back({s, "train/lr", 0.1, start + 5 + 2 * s});
    // b's clock says its metrics came before its recorded start (another host):
    // its axis starts at its first metric instead.
    for (int s = 0; s < 10; ++s) pb.push_back({s, "train/lr", 0.2, start - 100 + 3 * s});
    runs.addMetrics(a, pa);
    runs.addMetrics(b, pb);
  }
  TrainingChartView view;
  view.setPanel(ChartPanel::LearningRate);
  view.setWorkspace(ws);
  view.setRuns({a, b});
  QTRY_VERIFY_WITH_TIMEOUT(view.store().pointCount() == 20, 5000);
  view.setSmoothing(0.0);
  view.setXAxis(TrainingChartView::XAxis::WallTime);
  QCPGraph* ga = view.graphFor(a, QStringLiteral("train/lr"));
  QCPGraph* gb = view.graphFor(b, QStringLiteral("train/lr"));
  QVERIFY(ga && gb);
  QCOMPARE(ga->data()->size(), 10);
  QCOMPARE(ga->data()->at(0)->key, 5.0);
  QCOMPARE(ga->data()->at(9)->key, 23.0);
  QCOMPARE(gb->data()->at(0)->key, 0.0);
  QCOMPARE(gb->data()->at(9)->key, 27.0);
  QCOMPARE(view.plot()->xAxis->range().lower, 0.0);
  QCOMPARE(view.plot()->xAxis->range().upper, 27.0);
  view.setXAxis(TrainingChartView::XAxis::Step);
  QCOMPARE(ga->data()->at(9)->key, 9.0);
}

// X as hours of audio: train/input_frames added up (/ 100 / 3600) at each
// logged step, linear in the step between logged steps and from 0 h at step 0,
// the last sum after the last one. A run without train/input_frames (trained
// before it was recorded) is named in the status line and not drawn; alone,
// it is drawn against the step.
void TestUiCharts::audioHoursAxisAddsUpTheRecordedFrames() {
  QTemporaryDir dir;
  const QString ws = dir.filePath(QStringLiteral("ws"));
  qint64 a = 0, old = 0;
  {
    auto workspace = understudy::Workspace::create(ws.toStdString());
    understudy::RunStore runs(workspace.db());
    a = runs.startRun({"train", "new", "", "", "", std::nullopt});
    old = runs.startRun({"train", "older", "", "", "", std::nullopt});
    // log_every 4: 90,000 frames (0.25 h) in steps 1-4, 270,000 more in 5-8 (1 h in all).
    runs.addMetrics(a, {{4, "train/input_frames", 90000, 1e9 + 4},
                        {8, "train/input_frames", 270000, 1e9 + 8},
                        {2, "valid/loss", 2.0, 1e9 + 2},
                        {4, "train/loss", 1.5, 1e9 + 4},
                        {6, "valid/loss", 1.2, 1e9 + 6},
                        {8, "train/loss", 1.0, 1e9 + 8},
                        {10, "valid/loss", 0.9, 1e9 + 10}});
    runs.addMetrics(old, {{1, "train/loss", 3.0, 1e9}, {2, "train/loss", 2.5, 1e9 + 1}});
  }
  TrainingChartView view;
  view.setWorkspace(ws);
  view.setSmoothing(0.0);
  view.setRuns({a, old});
  QTRY_VERIFY_WITH_TIMEOUT(view.store().pointCount() == 9, 5000);
  view.setXAxis(TrainingChartView::XAxis::AudioHours);
  QCPGraph* train = view.graphFor(a, QStringLiteral("train/loss"));
  QCPGraph* valid = view.graphFor(a, QStringLiteral("valid/loss"));
  QCPGraph* older = view.graphFor(old, QStringLiteral("train/loss"));
  QVERIFY(train && valid && older);
  QCOMPARE(train->data()->size(), 2);
  QCOMPARE(train->data()->at(0)->key, 0.25);
  QCOMPARE(train->data()->at(1)->key, 1.0);
  QCOMPARE(valid->data()->size(), 3);
  QCOMPARE(valid->data()->at(0)->key, 0.125);  // step 2: between 0 h at step 0 and step 4
  QCOMPARE(valid->data()->at(1)->key, 0.625);  // step 6: half way from 0.25 h to 1 h
  QCOMPARE(valid->data()->at(2)->key, 1.0);    // step 10: after the last count, its sum
  QCOMPARE(valid->data()->at(2)->value, 0.9);
  QVERIFY(view.plot()->xAxis->label().contains(QStringLiteral("hours")));
  // The older run is not drawn (no invented hours) and is named.
  QCOMPARE(older->data()->size(), 0);
  QCOMPARE(view.runsWithoutAudioHours(), QStringList{QStringLiteral("run %1 older").arg(old)});
  QVERIFY2(view.statusText().contains(QStringLiteral("run %1 older").arg(old)) &&
               view.statusText().contains(QStringLiteral("train/input_frames")),
           qPrintable(view.statusText()));
  QVERIFY(!view.statusText().contains(QStringLiteral("run %1 new").arg(a)));

  // Alone, the older run falls back to the step, and the status line says so.
  view.setRuns({old});
  older = view.graphFor(old, QStringLiteral("train/loss"));
  QVERIFY(older);
  QCOMPARE(older->data()->size(), 2);
  QCOMPARE(older->data()->at(1)->key, 2.0);
  QVERIFY(view.plot()->xAxis->label().contains(QStringLiteral("step")));
  QVERIFY2(view.statusText().contains(QStringLiteral("run %1 older").arg(old)) &&
               view.statusText().contains(QStringLiteral("against the step")),
           qPrintable(view.statusText()));

  // On the step axis nothing is missing.
  view.setRuns({a, old});
  QTRY_VERIFY_WITH_TIMEOUT(view.store().pointCount() == 9, 5000);
  view.setXAxis(TrainingChartView::XAxis::Step);
  QVERIFY(!view.statusText().contains(QStringLiteral("older")));
  train = view.graphFor(a, QStringLiteral("train/loss"));
  QCOMPARE(train->data()->at(1)->key, 8.0);
}

void TestUiCharts::envelopeKeepsTheSpikeAtEveryZoom() {
  const auto s = spikySeries(200000, 123457, 7001);
  const std::size_t n = s.x.size();
  struct Zoom {
    double lo, hi;
  };
  // The whole series, halves, windows around the spike and the dip (centred,
  // at the left edge, at the right edge), and narrow windows.
  const std::vector<Zoom> zooms = {{0, 199999},        {0, 100000},          {100000, 199999},
                                   {123000, 124000},   {123457, 130000},     {110000, 123457},
                                   {123400.5, 123500}, {123456.9, 123457.1}, {7000, 7002},
                                   {-500, 250000},     {6999, 150000},       {1, 199998}};
  ExtremaIndex index;
  index.rebuild(s.y.data(), n);
  int checked = 0;
  for (const Zoom& z : zooms)
    for (int pixels : {1, 3, 97, 640, 1920, 3841})
      for (bool logX : {false, true}) {
        EnvelopeView view{z.lo, z.hi, pixels, logX};
        const auto keep = minMaxEnvelope(s.x.data(), s.y.data(), n, view);
        // The block index gives the very same points.
        QCOMPARE(minMaxEnvelope(s.x.data(), s.y.data(), n, view, &index), keep);
        const QString where = QStringLiteral("zoom [%1, %2], %3 px%4")
                                  .arg(z.lo)
                                  .arg(z.hi)
                                  .arg(pixels)
                                  .arg(logX ? ", log x" : "");
        QVERIFY2(std::is_sorted(keep.begin(), keep.end()), qPrintable(where));
        QVERIFY2(std::adjacent_find(keep.begin(), keep.end()) == keep.end(), qPrintable(where));
        for (std::size_t extreme : {s.spike, s.dip}) {
          const double x = s.x[extreme];
          if (x >= z.lo && x <= z.hi)
            QVERIFY2(contains(keep, extreme),
                     qPrintable(where + QStringLiteral(": lost point %1").arg(extreme)));
        }
        // First and last visible points are always drawn.
        const auto first = static_cast<std::size_t>(std::max(0.0, std::ceil(z.lo)));
        const auto last =
            static_cast<std::size_t>(std::min(static_cast<double>(n - 1), std::floor(z.hi)));
        if (first <= last) {
          QVERIFY2(contains(keep, first),
                   qPrintable(where + QStringLiteral(": first visible lost")));
          QVERIFY2(contains(keep, last), qPrintable(where + QStringLiteral(": last visible lost")));
        }
        // It decimates: at most min+max per column, the first and last visible
        // points and one neighbour on either side.
        QVERIFY2(keep.size() <= std::max<std::size_t>(4 * pixels, 2 * pixels + 4) + 2,
                 qPrintable(where + QStringLiteral(": %1 points kept").arg(keep.size())));
        ++checked;
      }
  QCOMPARE(checked, 144);
}

void TestUiCharts::envelopeMatchesEveryColumnsExtremes() {
  // Random-walk data, uneven x: in every pixel column the drawn points reach
  // exactly the column's true minimum and maximum.
  std::vector<double> x, y;
  double xv = 0, yv = 0;
  quint32 seed = 12345;
  auto rnd = [&seed] {
    seed = seed * 1664525u + 1013904223u;
    return static_cast<double>(seed >> 8) / 16777216.0;
  };
  for (int i = 0; i < 50000; ++i) {
    xv += 0.1 + rnd() * 3.0;
    yv += rnd() - 0.5;
    x.push_back(xv);
    y.push_back(yv);
  }
  for (int pixels : {10, 333, 1000}) {
    const EnvelopeView view{x[1000], x[40000], pixels, false};
    const auto keep = minMaxEnvelope(x.data(), y.data(), x.size(), view);
    const double width = (view.xMax - view.xMin) / pixels;
    std::vector<double> trueMin(pixels, INFINITY), trueMax(pixels, -INFINITY),
        drawnMin(pixels, INFINITY), drawnMax(pixels, -INFINITY);
    auto column = [&](double v) {
      return std::min(pixels - 1, static_cast<int>(std::floor((v - view.xMin) / width)));
    };
    for (std::size_t i = 1000; i <= 40000; ++i) {
      const int c = column(x[i]);
      trueMin[c] = std::min(trueMin[c], y[i]);
      trueMax[c] = std::max(trueMax[c], y[i]);
    }
    std::vector<int> drawn(pixels, 0);
    for (std::size_t i : keep)
      if (x[i] >= view.xMin && x[i] <= view.xMax) {
        const int c = column(x[i]);
        drawnMin[c] = std::min(drawnMin[c], y[i]);
        drawnMax[c] = std::max(drawnMax[c], y[i]);
        ++drawn[c];
      }
    // Two points per column at most (the first and last column may also hold
    // the first or last visible point).
    for (int c = 1; c + 1 < pixels; ++c) QVERIFY2(drawn[c] <= 2, qPrintable(QString::number(c)));
    QCOMPARE(drawnMin, trueMin);
    QCOMPARE(drawnMax, trueMax);
    QVERIFY(keep.front() == 999 && keep.back() == 40001);  // the neighbours outside the range
  }
}

void TestUiCharts::extremaIndexAgreesWithTheScan() {
  // Few distinct values (many ties: the first occurrence must win), NaN and
  // inf runs longer than a block, the index grown point by point.
  quint32 seed = 777;
  auto rnd = [&seed] {
    seed = seed * 1664525u + 1013904223u;
    return seed >> 8;
  };
  std::vector<double> x, y;
  ExtremaIndex grown;
  for (int i = 0; i < 70000; ++i) {
    x.push_back(i);
    double v = static_cast<double>(rnd() % 7);
    if (i >= 5000 && i < 5100) v = NAN;  // a NaN run over whole blocks
    if (i >= 9000 && i < 9040) v = INFINITY;
    if (rnd() % 997 == 0) v = NAN;
    y.push_back(v);
    grown.append(y.data(), y.size());
  }
  ExtremaIndex built;
  built.rebuild(y.data(), y.size());
  int compared = 0;
  for (int trial = 0; trial < 300; ++trial) {
    const std::size_t a = rnd() % y.size();
    const std::size_t b = a + rnd() % (y.size() - a + 1);
    std::size_t lo1, hi1, lo2, hi2;
    grown.extremes(y.data(), a, b, lo1, hi1);
    built.extremes(y.data(), a, b, lo2, hi2);
    std::size_t lo = ExtremaIndex::kNone, hi = ExtremaIndex::kNone;
    for (std::size_t i = a; i < b; ++i) {
      if (!std::isfinite(y[i])) continue;
      if (lo == ExtremaIndex::kNone || y[i] < y[lo]) lo = i;
      if (hi == ExtremaIndex::kNone || y[i] > y[hi]) hi = i;
    }
    const QString where = QStringLiteral("[%1, %2)").arg(a).arg(b);
    QVERIFY2(
        lo1 == lo && hi1 == hi,
        qPrintable(where +
                   QStringLiteral(": grown %1 %2, scan %3 %4").arg(lo1).arg(hi1).arg(lo).arg(hi)));
    QVERIFY2(lo2 == lo && hi2 == hi, qPrintable(where));
    const int pixels = 1 + static_cast<int>(rnd() % 2000);
    const EnvelopeView view{x[a], x[b == a ? a : b - 1], pixels};
    QCOMPARE(minMaxEnvelope(x.data(), y.data(), y.size(), view, &grown),
             minMaxEnvelope(x.data(), y.data(), y.size(), view));
    ++compared;
  }
  QCOMPARE(compared, 300);
}

void TestUiCharts::envelopeKeepsAllPointsWhenFew() {
  const std::vector<double> x = {0, 1, 2, 3, 4, 5, 6, 7};
  const std::vector<double> y = {1, 2, NAN, 4, 5, 6, INFINITY, 8};
  const auto keep = minMaxEnvelope(x.data(), y.data(), x.size(), EnvelopeView{2, 5, 100});
  // Neighbour 1, the visible 3, 4, 5 (2 is NaN: nothing to draw), neighbour 7 (6 is inf).
  QCOMPARE(keep, (std::vector<std::size_t>{1, 3, 4, 5, 7}));
  std::vector<double> outX, outY;
  minMaxEnvelope(x.data(), y.data(), x.size(), EnvelopeView{2, 5, 100, false, 1.0}, outX, outY);
  // Offset 1: axis x is x - 1, so axis [2, 5] is series [3, 6]: 3, 4, 5 visible,
  // 6 is inf, the neighbours are 1 (2 is NaN) and 7.
  QCOMPARE(outX, (std::vector<double>{0, 2, 3, 4, 6}));
  QCOMPARE(outY, (std::vector<double>{2, 4, 5, 6, 8}));
}

void TestUiCharts::debiasedEmaOfAConstantIsTheConstant() {
  for (double b : {0.0, 0.3, 0.6, 0.9, 0.99, 0.999}) {
    const std::vector<double> constant(2000, 3.7);
    const auto smooth = debiasedEma(constant.data(), constant.size(), b);
    for (std::size_t i = 0; i < smooth.size(); ++i)
      QVERIFY2(
          std::abs(smooth[i] - 3.7) < 1e-12,
          qPrintable(
              QStringLiteral("b = %1, point %2: %3").arg(b).arg(i + 1).arg(smooth[i], 0, 'g', 17)));
  }
  // The recurrence itself: b = 0.5 over 1, 2, 4 gives 0.5/0.5, 1.25/0.75, 2.625/0.875.
  const std::vector<double> y = {1, 2, 4};
  const auto s = debiasedEma(y.data(), y.size(), 0.5);
  QVERIFY(std::abs(s[0] - 1.0) < 1e-15);
  QVERIFY(std::abs(s[1] - 5.0 / 3.0) < 1e-15);
  QVERIFY(std::abs(s[2] - 3.0) < 1e-15);
  // A NaN is shown as it is and does not poison what follows.
  const std::vector<double> withNan = {2, NAN, 2};
  const auto n = debiasedEma(withNan.data(), withNan.size(), 0.9);
  QVERIFY(std::isnan(n[1]));
  QVERIFY(std::abs(n[2] - 2.0) < 1e-12);
}

void TestUiCharts::seriesKeepsSmoothingAndLatestRecordOnResume() {
  MetricSeries series;
  series.setSmoothing(0.8);
  for (int s = 0; s < 10; ++s) series.append(s, 5.0, 1000.0 + s);
  for (double v : series.smooth) QVERIFY(std::abs(v - 5.0) < 1e-12);
  // Resumed from a checkpoint at step 6: steps 6.. are recorded again and win.
  for (int s = 6; s < 12; ++s) series.append(s, 1.0, 2000.0 + s);
  QCOMPARE(series.size(), std::size_t(12));
  QCOMPARE(series.step.back(), 11.0);
  QCOMPARE(series.value[5], 5.0);
  QCOMPARE(series.value[6], 1.0);
  const auto expected = debiasedEma(series.value.data(), series.size(), 0.8);
  for (std::size_t i = 0; i < expected.size(); ++i)
    QVERIFY(std::abs(series.smooth[i] - expected[i]) < 1e-12);
}

void TestUiCharts::metricsFromAnotherProcessAppearWithinTwoRefreshes() {
  const QString python = QStandardPaths::findExecutable(QStringLiteral("python3"));
  if (python.isEmpty()) QSKIP("python3 is not installed");
  QTemporaryDir dir;
  QVERIFY(dir.isValid());
  const QString ws = dir.filePath(QStringLiteral("ws"));
  qint64 run = 0, other = 0;
  {
    auto workspace = understudy::Workspace::create(ws.toStdString());
    understudy::RunStore runs(workspace.db());
    run = runs.startRun({"train", "student-a", "", "", "", std::nullopt});
    other = runs.startRun({"train", "student-b", "", "", "", std::nullopt});
  }
  const QString db = QDir(ws).filePath(QStringLiteral("workspace.db"));
  auto write = [&](qint64 runId, int first, int last) {
    QProcess p;
    p.start(python, {QStringLiteral("-c"), writeMetricsScript(), db, QString::number(runId),
                     QString::number(first), QString::number(last)});
    QVERIFY(p.waitForFinished(20000));
    QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
  };

  TrainingChartView view;
  view.resize(900, 500);
  view.show();
  // Refreshes on demand first (no timer), so each one can be counted.
  view.setPollIntervalMs(3600 * 1000);
  QSignalSpy refreshed(&view, &TrainingChartView::refreshed);
  view.setWorkspace(ws);
  view.setRuns({run});
  QTRY_VERIFY_WITH_TIMEOUT(refreshed.count() >= 2, 5000);  // the open and the runs' first read
  QVERIFY(view.graphFor(run, QStringLiteral("train/loss")) == nullptr);

  // After the writer exited: refresh, look, at most twice.
  auto appearsWithinTwoRefreshes = [&](int expectedPoints) {
    for (int refresh = 1; refresh <= 2; ++refresh) {
      refreshed.clear();
      view.refreshNow();
      if (!refreshed.wait(5000)) return false;
      const MetricSeries* s = view.store().find(run, QStringLiteral("train/loss"));
      if (s && s->size() == static_cast<std::size_t>(expectedPoints)) return true;
    }
    return false;
  };

  write(run, 0, 40);
  write(other, 0, 40);
  QVERIFY(appearsWithinTwoRefreshes(40));
  QCPGraph* loss = view.graphFor(run, QStringLiteral("train/loss"));
  QVERIFY(loss);
  QCOMPARE(loss->data()->size(), 40);  // few points: all drawn
  QCOMPARE(loss->data()->at(39)->key, 39.0);
  QCOMPARE(loss->data()->at(39)->value, 3.0 / 40);
  QVERIFY(view.graphFor(run, QStringLiteral("train/frame_accuracy")) == nullptr);  // another panel
  QVERIFY(view.store().find(other, QStringLiteral("train/loss")) == nullptr);      // not selected
  QVERIFY2(view.statusText().contains(QStringLiteral("80")), qPrintable(view.statusText()));

  // The next rows arrive through the incremental read (rowid > last).
  write(run, 40, 100);
  QVERIFY(appearsWithinTwoRefreshes(100));
  QCOMPARE(loss->data()->size(), 100);
  QCOMPARE(loss->data()->at(99)->value, 3.0 / 100);
  QCOMPARE(view.store().find(run, QStringLiteral("train/loss"))->step.back(), 99.0);

  // Nothing new: a refresh changes nothing.
  QVERIFY(appearsWithinTwoRefreshes(100));

  // On the timer (the default 500 ms), as while a run writes: within about a second.
  view.setPollIntervalMs(500);
  write(run, 100, 120);
  QElapsedTimer clock;
  clock.start();
  QTRY_VERIFY_WITH_TIMEOUT(loss->data()->size() == 120, 3000);
  qInfo("rows written by another process were drawn %lld ms after it exited", clock.elapsed());
  QVERIFY(clock.elapsed() < 2000);

  view.setPanel(ChartPanel::FrameAccuracy);
  QCPGraph* accuracy = view.graphFor(run, QStringLiteral("train/frame_accuracy"));
  QVERIFY(accuracy);
  QCOMPARE(accuracy->data()->size(), 120);
  QCOMPARE(accuracy->data()->at(99)->value, 0.99);

  // A second run selected: read in full at once, drawn alongside.
  view.setRuns({run, other});
  QTRY_VERIFY_WITH_TIMEOUT(view.graphFor(other, QStringLiteral("train/frame_accuracy")) != nullptr,
                           5000);
  QCOMPARE(view.graphFor(other, QStringLiteral("train/frame_accuracy"))->data()->size(), 40);
  QCOMPARE(view.graphFor(run, QStringLiteral("train/frame_accuracy"))->data()->size(), 120);
}

void TestUiCharts::chartRedecimatesOnZoom() {
  QTemporaryDir dir;
  const QString ws = dir.filePath(QStringLiteral("ws"));
  qint64 run = 0;
  const int n = 20000, spike = 13579;
  {
    auto workspace = understudy::Workspace::create(ws.toStdString());
    understudy::RunStore runs(workspace.db());
    run = runs.startRun({"train", "long", "", "", "", std::nullopt});
    std::vector<understudy::MetricPoint> points;
    for (int s = 0; s < n; ++s)
      points.push_back(
          {s, "train/loss", s == spike ? 50.0 : 1.0 + 0.1 * std::sin(s * 0.5), 1e9 + s});
    runs.addMetrics(run, points);
  }
  TrainingChartView view;
  view.resize(800, 500);
  view.show();
  QVERIFY(QTest::qWaitForWindowExposed(&view));
  view.setSmoothing(0.0);
  QSignalSpy refreshed(&view, &TrainingChartView::refreshed);
  view.setWorkspace(ws);
  view.setRuns({run});
  QTRY_VERIFY_WITH_TIMEOUT(
      view.store().find(run, QStringLiteral("train/loss")) &&
          view.store().find(run, QStringLiteral("train/loss"))->size() == std::size_t(n),
      5000);
  view.redraw();
  QCPGraph* g = view.graphFor(run, QStringLiteral("train/loss"));
  QVERIFY(g);
  const int pixels = view.plot()->axisRect()->width();
  auto hasSpike = [&] {
    for (auto it = g->data()->constBegin(); it != g->data()->constEnd(); ++it)
      if (it->value == 50.0) return it->key == spike;
    return false;
  };
  QVERIFY2(g->data()->size() <= 4 * pixels + 4, qPrintable(QString::number(g->data()->size())));
  QVERIFY(hasSpike());
  QCOMPARE(view.plot()->xAxis->range().lower, 0.0);
  QCOMPARE(view.plot()->xAxis->range().upper, double(n - 1));

  // Zoom in to 200 steps around the spike (as the mouse wheel does): every point drawn.
  view.plot()->xAxis->setRange(spike - 100, spike + 100);
  QVERIFY(hasSpike());
  int visible = 0;
  for (auto it = g->data()->constBegin(); it != g->data()->constEnd(); ++it)
    if (it->key >= spike - 100 && it->key <= spike + 100) ++visible;
  QCOMPARE(visible, 201);
  // Zoomed into a stretch without the spike: only that stretch (and its two neighbours).
  view.plot()->xAxis->setRange(100, 5000);
  QVERIFY(!hasSpike());
  QCOMPARE(g->data()->constBegin()->key, 99.0);
  QCOMPARE((g->data()->constEnd() - 1)->key, 5001.0);
  // Log y still shows it.
  view.plot()->xAxis->setRange(0, n - 1);
  view.setLogY(true);
  QVERIFY(hasSpike());
  QVERIFY(view.plot()->yAxis->range().upper >= 50.0);
}

void TestUiCharts::csvExportHoldsEveryRunAndMetric() {
  QTemporaryDir dir;
  const QString ws = dir.filePath(QStringLiteral("ws"));
  qint64 a = 0, b = 0;
  {
    auto workspace = understudy::Workspace::create(ws.toStdString());
    understudy::RunStore runs(workspace.db());
    a = runs.startRun({"train", "teacher", "", "", "", std::nullopt});
    b = runs.startRun({"train", "student, interleaved", "", "", "", std::nullopt});
    runs.addMetrics(a, {{0, "train/loss", 0.5, 1e9},
                        {1, "train/loss", 0.25, 1e9 + 1},
                        {2, "train/loss", 0.125, 1e9 + 2}});
    runs.addMetrics(b, {{1, "train/loss", 1.5, 1e9},
                        {1, "train/lr", 0.001, 1e9},
                        {3, "train/loss", 1.25, 1e9 + 2},
                        {3, "train/lr", 0.002, 1e9 + 2}});
  }
  TrainingChartView view;
  view.setWorkspace(ws);
  view.setRuns({a, b});
  QTRY_VERIFY_WITH_TIMEOUT(
      view.store().pointCount() == 7 && view.statusText().contains(QStringLiteral("7")), 5000);
  const QString path = dir.filePath(QStringLiteral("out/metrics.csv"));
  QString error;
  QVERIFY(!view.exportCsv(path, &error));  // the folder does not exist
  QVERIFY2(error.contains(path) && error.contains(QStringLiteral("hint")), qPrintable(error));
  QVERIFY(QDir(dir.path()).mkpath(QStringLiteral("out")));
  QVERIFY2(view.exportCsv(path, &error), qPrintable(error));
  QFile file(path);
  QVERIFY(file.open(QIODevice::ReadOnly));
  const QString expected =
      QStringLiteral(
          "step,run %1 teacher/train/loss,\"run %2 student, interleaved/train/loss\","
          "\"run %2 student, interleaved/train/lr\"\n"
          "0,0.5,,\n"
          "1,0.25,1.5,0.001\n"
          "2,0.125,,\n"
          "3,,1.25,0.002\n")
          .arg(a)
          .arg(b);
  QCOMPARE(QString::fromUtf8(file.readAll()), expected);
}

void TestUiCharts::pngExportWritesAnImage() {
  TrainingChartView view;
  view.resize(640, 400);
  QTemporaryDir dir;
  const QString path = dir.filePath(QStringLiteral("chart.png"));
  QString error;
  QVERIFY2(view.exportPng(path, 800, 450, &error), qPrintable(error));
  QImage image(path);
  QCOMPARE(image.size(), QSize(800, 450));
  QVERIFY(!view.exportPng(dir.filePath(QStringLiteral("missing/chart.png")), 800, 450, &error));
  QVERIFY(error.contains(QStringLiteral("missing/chart.png")));
}

// A student's KD stream: its loss (left axis) and its agreement with the
// teacher (right axis) in one panel, the stream's other metrics left out; the
// Loss and Frame accuracy panels still hold them too.
void TestUiCharts::kdPanelDrawsLossBesideTeacherAgreement() {
  QTemporaryDir dir;
  const QString ws = dir.filePath(QStringLiteral("ws"));
  qint64 run = 0;
  const int n = 30;
  auto kdLoss = [](int s) { return 4.0 / (1.0 + 0.2 * s); };
  auto agreement = [](int s) { return 0.3 + 0.02 * s; };
  {
    auto workspace = understudy::Workspace::create(ws.toStdString());
    understudy::RunStore runs(workspace.db());
    run = runs.startRun({"train", "student", "", "", "", std::nullopt});
    std::vector<understudy::MetricPoint> points;
    for (int s = 0; s < n; ++s) {
      // As the trainer records them (core/train/trainer.cpp), a labeled and a KD stream.
      points.push_back({s, "train/loss", kdLoss(s), 1e9 + s});
      points.push_back({s, "train/frame_accuracy", agreement(s), 1e9 + s});
      points.push_back({s, "train/unlabeled/kd_loss", kdLoss(s), 1e9 + s});
      points.push_back({s, "train/unlabeled/teacher_agreement", agreement(s), 1e9 + s});
      points.push_back({s, "train/labeled/loss", 9.0, 1e9 + s});
      points.push_back({s, "train/labeled/frame_accuracy", 0.9, 1e9 + s});
    }
    runs.addMetrics(run, points);
  }
  const QString lossName = QStringLiteral("train/unlabeled/kd_loss");
  const QString agreementName = QStringLiteral("train/unlabeled/teacher_agreement");
  QVERIFY(allChartPanels().contains(ChartPanel::KnowledgeDistillation));
  TrainingChartView view;
  view.resize(800, 500);
  view.setSmoothing(0.0);
  view.setWorkspace(ws);
  view.setRuns({run});
  QTRY_VERIFY_WITH_TIMEOUT(view.store().pointCount() == std::size_t(6 * n), 5000);
  // The Loss and Frame accuracy panels keep the KD stream's metrics.
  QVERIFY(view.graphFor(run, lossName));
  view.setPanel(ChartPanel::FrameAccuracy);
  QVERIFY(view.graphFor(run, agreementName));

  view.setPanel(ChartPanel::KnowledgeDistillation);
  QCustomPlot* plot = view.plot();
  QCPGraph* loss = view.graphFor(run, lossName);
  QCPGraph* agree = view.graphFor(run, agreementName);
  QVERIFY(loss && agree);
  for (const char* other :
       {"train/loss", "train/frame_accuracy", "train/labeled/loss", "train/labeled/frame_accuracy"})
    QVERIFY2(!view.graphFor(run, QString::fromLatin1(other)), other);
  QCOMPARE(plot->graphCount(), 4);  // raw and smoothed of each
  QCOMPARE(loss->valueAxis(), plot->yAxis);
  QCOMPARE(agree->valueAxis(), plot->yAxis2);
  QVERIFY(plot->yAxis2->visible());
  QCOMPARE(loss->data()->size(), n);
  QCOMPARE(agree->data()->size(), n);
  for (int s = 0; s < n; ++s) {
    QCOMPARE(loss->data()->at(s)->value, kdLoss(s));
    QCOMPARE(agree->data()->at(s)->value, agreement(s));
  }
  // Each axis is fitted to its own curve: the agreement (0.3-0.88) is not
  // squashed at the bottom of the loss' 0.6-4 range.
  const QCPRange left = plot->yAxis->range(), right = plot->yAxis2->range();
  QVERIFY2(left.lower < kdLoss(n - 1) && left.upper > kdLoss(0) && left.upper < 5.0,
           qPrintable(QStringLiteral("%1 .. %2").arg(left.lower).arg(left.upper)));
  QVERIFY2(right.lower < agreement(0) && right.lower > 0.2 && right.upper > agreement(n - 1) &&
               right.upper < 1.0,
           qPrintable(QStringLiteral("%1 .. %2").arg(right.lower).arg(right.upper)));

  // Back to a one-axis panel: the right axis goes.
  view.setPanel(ChartPanel::Loss);
  QVERIFY(!plot->yAxis2->visible());
  QCOMPARE(view.graphFor(run, lossName)->valueAxis(), plot->yAxis);
}

QTEST_MAIN(TestUiCharts)

// Above 40 curves (21 runs, raw + smoothed) the faint raw curves are not
// drawn and the status line says so; with smoothing 0 they come back (spike
// and all); 20 runs keep them.
void TestUiCharts::manyRunsKeepTheirSpikesAtTwoPixelColumns() {
  QTemporaryDir dir;
  const QString ws = dir.filePath(QStringLiteral("ws"));
  QList<qint64> ids;
  const int n = 3000, spike = 1234;
  {
    auto workspace = understudy::Workspace::create(ws.toStdString());
    understudy::RunStore runs(workspace.db());
    for (int r = 0; r < 21; ++r) {
      ids << runs.startRun({"train", "many", "", "", "", std::nullopt});
      std::vector<understudy::MetricPoint> points;
      for (int s = 0; s < n; ++s)
        points.push_back({s, "train/loss",
                          r == 0 && s == spike ? 50.0 : 1.0 + 0.01 * r + 0.1 * std::sin(s * 0.5),
                          1e9 + s});
      runs.addMetrics(ids.back(), points);
    }
  }
  TrainingChartView view;
  view.resize(800, 500);
  view.show();
  QVERIFY(QTest::qWaitForWindowExposed(&view));
  view.setWorkspace(ws);
  auto allRead = [&](int runs) {
    for (int r = 0; r < runs; ++r) {
      const MetricSeries* s = view.store().find(ids[r], QStringLiteral("train/loss"));
      if (!s || s->size() != std::size_t(n)) return false;
    }
    return true;
  };
  // 20 runs, raw + smoothed: 40 curves, antialiased, a column per pixel.
  view.setRuns(ids.mid(0, 20));
  QTRY_VERIFY_WITH_TIMEOUT(allRead(20), 10000);
  view.redraw();
  QVERIFY(!view.plot()->notAntialiasedElements().testFlag(QCP::aePlottables));
  const auto hasSpike = [&](QCPGraph* g) {
    for (auto it = g->data()->constBegin(); it != g->data()->constEnd(); ++it)
      if (it->value == 50.0 && it->key == spike) return true;
    return false;
  };
  QCPGraph* raw = view.graphFor(ids[0], QStringLiteral("train/loss"));
  QVERIFY(raw && raw->visible() && hasSpike(raw));

  // 21 runs: 42 curves. Cheaper drawing (no antialiasing, a column per 2 px),
  // but the smoothed curves still come over every run's raw envelope, spike
  // included: a spike never disappears.
  view.setRuns(ids);
  QTRY_VERIFY_WITH_TIMEOUT(allRead(21), 10000);
  view.redraw();
  raw = view.graphFor(ids[0], QStringLiteral("train/loss"));
  QCPGraph* smooth = view.graphFor(ids[0], QStringLiteral("train/loss"), true);
  QVERIFY(raw && smooth);
  QVERIFY(raw->visible() && hasSpike(raw));
  QVERIFY(smooth->visible() && smooth->data()->size() > 0);
  QVERIFY(view.plot()->notAntialiasedElements().testFlag(QCP::aePlottables));
  // The envelope has a column per 2 px: at most 2 points each, and the edges.
  const int pixels = view.plot()->axisRect()->width();
  QVERIFY2(raw->data()->size() <= pixels + 4, qPrintable(QString::number(raw->data()->size())));
  QVERIFY2(smooth->data()->size() <= pixels + 4, qPrintable(QString::number(smooth->data()->size())));
  // Zoomed in around the spike, it is still there.
  view.plot()->xAxis->setRange(spike - 40, spike + 40);
  view.redraw();
  QVERIFY(hasSpike(raw));
}

#include "test_ui_charts.moc"
