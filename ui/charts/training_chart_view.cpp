#include "ui/charts/training_chart_view.h"

#include <qcustomplot.h>

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QSaveFile>
#include <QSet>
#include <QSlider>
#include <QTime>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

#include "ui/charts/envelope.h"
#include "ui/widgets/same_items.h"
#include "ui/workspace/workspace_session.h"

namespace understudy::ui::charts {

namespace {

constexpr int kSmoothingSteps = 1000;      // the slider's range: b = value / 1000
constexpr double kDefaultSmoothing = 0.6;  // TensorBoard's default
constexpr int kMaxLegendItems = 12;
// Above this many curves (raw + smoothed) in a panel, it is drawn without
// antialiasing, with one envelope column per 2 px, and, when smoothed, without
// the faint raw curves (the status line says so): 100 runs, 200 curves, took
// 90-460 ms per redraw, 3x less so (docs/performance.md "Training charts").
constexpr int kMaxAntialiasedCurves = 40;

QString graphKey(qint64 runId, const QString& metric) {
  return QString::number(runId) + QLatin1Char('\n') + metric;
}

// Well-separated hues for the runs, in selection order.
QColor runColour(int index) {
  static const QColor palette[] = {
      QColor(31, 119, 180),  QColor(214, 39, 40),  QColor(44, 160, 44),   QColor(255, 127, 14),
      QColor(148, 103, 189), QColor(140, 86, 75),  QColor(227, 119, 194), QColor(23, 190, 207),
      QColor(188, 189, 34),  QColor(127, 127, 127)};
  constexpr int n = static_cast<int>(sizeof palette / sizeof palette[0]);
  if (index < n) return palette[index];
  return QColor::fromHsvF(std::fmod(index * 0.618033988749895, 1.0), 0.75, 0.8);
}

Qt::PenStyle metricStyle(int index) {
  static const Qt::PenStyle styles[] = {Qt::SolidLine, Qt::DashLine, Qt::DotLine, Qt::DashDotLine,
                                        Qt::DashDotDotLine};
  return styles[index % 5];
}

// The kept points of (x - offset, y), written straight into the graph's own
// container (no key and value vectors in between: bench_ui_chart).
void setKept(QCPGraph* graph, const std::vector<double>& x, const std::vector<double>& y,
             const std::vector<std::size_t>& keep, double offset) {
  QVector<QCPGraphData> data(static_cast<int>(keep.size()));
  for (int k = 0; k < data.size(); ++k) {
    const std::size_t i = keep[static_cast<std::size_t>(k)];
    data[k] = QCPGraphData(x[i] - offset, y[i]);
  }
  graph->data()->set(data, true);
}

}  // namespace

TrainingChartView::TrainingChartView(QWidget* parent)
    : QWidget(parent), m_feed(new MetricsFeed(this)) {
  buildUi();
  connect(m_feed, &MetricsFeed::batchReady, this, &TrainingChartView::applyBatch);
  m_store.setSmoothing(kDefaultSmoothing);
  updateEmptyText();
  updateStatus();
}

TrainingChartView::~TrainingChartView() = default;

void TrainingChartView::buildUi() {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(2);

  // Two rows (what to draw; smoothing and actions), so that the controls fit
  // a narrow window and longer translations without hiding any of them.
  auto* bar = new QHBoxLayout;
  auto* bar2 = new QHBoxLayout;
  bar->setContentsMargins(4, 2, 4, 0);
  bar2->setContentsMargins(4, 0, 4, 0);
  layout->addLayout(bar);
  layout->addLayout(bar2);

  m_panelBox = new QComboBox(this);
  for (ChartPanel p : allChartPanels())
    m_panelBox->addItem(chartPanelTitle(p), static_cast<int>(p));
  m_panelBox->setToolTip(tr("Which metrics to draw"));
  auto* panelLabel = new QLabel(tr("&Metrics:"), this);
  panelLabel->setBuddy(m_panelBox);
  bar->addWidget(panelLabel);
  bar->addWidget(m_panelBox);
  connect(m_panelBox, qOverload<int>(&QComboBox::currentIndexChanged), this,
          [this](int) { setPanel(static_cast<ChartPanel>(m_panelBox->currentData().toInt())); });

  m_xAxisBox = new QComboBox(this);
  m_xAxisBox->addItem(tr("Step"), static_cast<int>(XAxis::Step));
  m_xAxisBox->addItem(tr("Wall time"), static_cast<int>(XAxis::WallTime));
  m_xAxisBox->addItem(tr("Hours of audio"), static_cast<int>(XAxis::AudioHours));
  m_xAxisBox->setToolTip(
      tr("Step; the time since each run started; or the hours of audio each run has trained on "
         "(its train/input_frames added up; in a distributed run, this rank's: rank 0's). Runs "
         "that recorded no train/input_frames (older ones) cannot be drawn against hours."));
  auto* xLabel = new QLabel(tr("&X axis:"), this);
  xLabel->setBuddy(m_xAxisBox);
  bar->addSpacing(12);
  bar->addWidget(xLabel);
  bar->addWidget(m_xAxisBox);
  connect(m_xAxisBox, qOverload<int>(&QComboBox::currentIndexChanged), this,
          [this](int) { setXAxis(static_cast<XAxis>(m_xAxisBox->currentData().toInt())); });

  m_logXBox = new QCheckBox(tr("Log x"), this);
  m_logYBox = new QCheckBox(tr("Log y"), this);
  m_logYBox->setToolTip(tr("Logarithmic y axis (Ctrl+L)"));
  bar->addSpacing(12);
  bar->addWidget(m_logXBox);
  bar->addWidget(m_logYBox);
  bar->addStretch(1);
  connect(m_logXBox, &QCheckBox::toggled, this, &TrainingChartView::setLogX);
  connect(m_logYBox, &QCheckBox::toggled, this, &TrainingChartView::setLogY);

  auto* smoothingLabel = new QLabel(tr("&Smoothing:"), this);
  m_smoothingSlider = new QSlider(Qt::Horizontal, this);
  m_smoothingSlider->setRange(0, kSmoothingSteps - 1);
  m_smoothingSlider->setMinimumWidth(80);
  m_smoothingSlider->setValue(static_cast<int>(std::lround(kDefaultSmoothing * kSmoothingSteps)));
  m_smoothingSlider->setToolTip(
      tr("Weight of the debiased exponential moving average drawn over the faint raw curve "
         "(0: raw only)"));
  smoothingLabel->setBuddy(m_smoothingSlider);
  m_smoothingValue = new QLabel(this);
  bar2->addWidget(smoothingLabel);
  bar2->addWidget(m_smoothingSlider, 2);
  bar2->addWidget(m_smoothingValue);
  m_smoothingSlider->setMaximumWidth(320);
  bar2->addStretch(1);
  connect(m_smoothingSlider, &QSlider::valueChanged, this,
          [this](int v) { setSmoothing(static_cast<double>(v) / kSmoothingSteps); });

  bar2->addSpacing(12);
  auto addToolAction = [&](const QString& text, const QKeySequence& key, auto slot) {
    auto* action = new QAction(text, this);
    action->setShortcut(key);
    action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    action->setToolTip(QStringLiteral("%1 (%2)").arg(text, key.toString(QKeySequence::NativeText)));
    connect(action, &QAction::triggered, this, slot);
    this->addAction(action);  // the shortcut works wherever the focus is inside the view
    auto* button = new QToolButton(this);
    button->setDefaultAction(action);
    bar2->addWidget(button);
    return action;
  };
  addToolAction(tr("Reset Zoom"), QKeySequence(Qt::CTRL | Qt::Key_0), [this] { resetZoom(); });
  addToolAction(tr("Export PNG…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E),
                [this] { exportPngInteractive(); });
  addToolAction(tr("Export CSV…"), QKeySequence(Qt::CTRL | Qt::Key_E),
                [this] { exportCsvInteractive(); });
  auto* logY = new QAction(this);
  logY->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_L));
  logY->setShortcutContext(Qt::WidgetWithChildrenShortcut);
  connect(logY, &QAction::triggered, m_logYBox, &QCheckBox::toggle);
  addAction(logY);
  auto zoom = [this](double factor) {
    m_follow = false;
    m_plot->xAxis->scaleRange(factor);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
  };
  auto* zoomIn = new QAction(this);
  zoomIn->setShortcut(QKeySequence::ZoomIn);
  zoomIn->setShortcutContext(Qt::WidgetWithChildrenShortcut);
  connect(zoomIn, &QAction::triggered, this, [zoom] { zoom(0.5); });
  auto* zoomOut = new QAction(this);
  zoomOut->setShortcut(QKeySequence::ZoomOut);
  zoomOut->setShortcutContext(Qt::WidgetWithChildrenShortcut);
  connect(zoomOut, &QAction::triggered, this, [zoom] { zoom(2.0); });
  addAction(zoomIn);
  addAction(zoomOut);

  m_status = new QLabel(this);
  m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
  m_status->setWordWrap(true);
  layout->addWidget(m_status);

  m_plot = new QCustomPlot(this);
  m_plot->setMinimumSize(240, 160);
  m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
  m_plot->axisRect()->setRangeDrag(Qt::Horizontal | Qt::Vertical);
  m_plot->axisRect()->setRangeZoom(Qt::Horizontal | Qt::Vertical);
  m_plot->setNoAntialiasingOnDrag(true);
  m_plot->xAxis->setLabel(tr("step"));
  m_plot->legend->setVisible(false);
  m_plot->legend->setBrush(QColor(255, 255, 255, 200));
  m_plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
  m_plot->installEventFilter(this);
  layout->addWidget(m_plot, 1);

  m_emptyText = new QCPItemText(m_plot);
  m_emptyText->position->setType(QCPItemPosition::ptAxisRectRatio);
  m_emptyText->position->setCoords(0.5, 0.5);
  m_emptyText->setColor(palette().color(QPalette::Disabled, QPalette::WindowText));
  m_emptyText->setClipToAxisRect(false);

  connect(m_plot->xAxis, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), this,
          &TrainingChartView::onXRangeChanged);
  connect(m_plot, &QCustomPlot::mousePress, this, [this] { m_follow = false; });
  connect(m_plot, &QCustomPlot::mouseWheel, this, [this] { m_follow = false; });
  connect(m_plot, &QCustomPlot::mouseDoubleClick, this, [this] { resetZoom(); });
  m_smoothingValue->setText(QLocale().toString(kDefaultSmoothing, 'f', 3));
}

QString TrainingChartView::workspace() const { return m_feed->workspace(); }

void TrainingChartView::setWorkspace(const QString& rootPath) {
  if (rootPath == m_feed->workspace()) return;
  m_runs.clear();
  m_runInfo.clear();
  m_store.clear();
  m_error.clear();
  m_feed->setRuns({});
  m_feed->setWorkspace(rootPath);
  m_follow = true;
  rebuildGraphs();
}

void TrainingChartView::setWorkspaceSession(WorkspaceSession* session) {
  if (m_session) disconnect(m_session, nullptr, this, nullptr);
  m_session = session;
  if (!session) {
    setWorkspace({});
    return;
  }
  connect(session, &WorkspaceSession::workspaceChanged, this,
          [this] { setWorkspace(m_session ? m_session->rootPath() : QString()); });
  setWorkspace(session->rootPath());
}

void TrainingChartView::setRuns(const QList<qint64>& runIds) {
  QList<qint64> unique;
  for (qint64 id : runIds)
    if (!unique.contains(id)) unique << id;
  if (sameItems(unique, m_runs)) return;
  m_runs = unique;
  m_store.retainRuns(m_runs);
  for (auto it = m_runInfo.begin(); it != m_runInfo.end();)
    it = m_runs.contains(it.key()) ? std::next(it) : m_runInfo.erase(it);
  m_feed->setRuns(m_runs);
  m_follow = true;
  rebuildGraphs();
}

void TrainingChartView::setPanel(ChartPanel panel) {
  const int index = m_panelBox->findData(static_cast<int>(panel));
  if (m_panelBox->currentIndex() != index) m_panelBox->setCurrentIndex(index);  // comes back here
  if (panel == m_panel) return;
  m_panel = panel;
  m_follow = true;
  rebuildGraphs();
}

void TrainingChartView::setXAxis(XAxis axis) {
  const int index = m_xAxisBox->findData(static_cast<int>(axis));
  if (m_xAxisBox->currentIndex() != index) m_xAxisBox->setCurrentIndex(index);
  if (axis == m_xAxis) return;
  m_xAxis = axis;
  if (axis == XAxis::WallTime) {
    auto ticker = QSharedPointer<QCPAxisTickerTime>::create();
    ticker->setTimeFormat(QStringLiteral("%h:%m:%s"));
    if (!m_logX) m_plot->xAxis->setTicker(ticker);
  } else {
    if (!m_logX) m_plot->xAxis->setTicker(QSharedPointer<QCPAxisTicker>::create());
  }
  updateXAxisLabel(false);
  m_follow = true;
  redraw();
  updateStatus();
}

void TrainingChartView::updateXAxisLabel(bool hoursFallback) {
  switch (m_xAxis) {
    case XAxis::WallTime:
      m_plot->xAxis->setLabel(tr("time since the run started (h:mm:ss)"));
      break;
    case XAxis::AudioHours:
      m_plot->xAxis->setLabel(hoursFallback
                                  ? tr("step (no run recorded hours of audio)")
                                  : tr("hours of audio trained on (rank 0's in distributed runs)"));
      break;
    case XAxis::Step:
      m_plot->xAxis->setLabel(tr("step"));
      break;
  }
}

const std::vector<double>& TrainingChartView::audioHoursOf(const MetricSeries& s) {
  const QString key = graphKey(s.runId, s.name);
  auto it = m_hoursX.find(key);
  if (it == m_hoursX.end() || it->size() != s.size()) {
    const MetricSeries* frames = m_store.find(s.runId, kInputFramesMetric);
    it = m_hoursX.insert(key, frames ? audioHoursAt(*frames, s.step) : std::vector<double>());
  }
  return *it;
}

void TrainingChartView::setLogX(bool on) {
  if (m_logXBox->isChecked() != on) m_logXBox->setChecked(on);
  if (on == m_logX) return;
  m_logX = on;
  m_plot->xAxis->setScaleType(on ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
  if (on) {
    m_plot->xAxis->setTicker(QSharedPointer<QCPAxisTickerLog>::create());
  } else if (m_xAxis == XAxis::WallTime) {
    auto ticker = QSharedPointer<QCPAxisTickerTime>::create();
    ticker->setTimeFormat(QStringLiteral("%h:%m:%s"));
    m_plot->xAxis->setTicker(ticker);
  } else {
    m_plot->xAxis->setTicker(QSharedPointer<QCPAxisTicker>::create());
  }
  m_follow = true;
  redraw();
}

void TrainingChartView::setLogY(bool on) {
  if (m_logYBox->isChecked() != on) m_logYBox->setChecked(on);
  if (on == m_logY) return;
  m_logY = on;
  m_plot->yAxis->setScaleType(on ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
  m_plot->yAxis->setTicker(
      on ? QSharedPointer<QCPAxisTicker>(QSharedPointer<QCPAxisTickerLog>::create())
         : QSharedPointer<QCPAxisTicker>::create());
  m_follow = true;
  redraw();
}

void TrainingChartView::setSmoothing(double weight) {
  weight = std::clamp(weight, 0.0, 0.999);
  const int slider = static_cast<int>(std::lround(weight * kSmoothingSteps));
  if (m_smoothingSlider->value() != slider) {
    const QSignalBlocker block(m_smoothingSlider);
    m_smoothingSlider->setValue(slider);
  }
  m_smoothingValue->setText(QLocale().toString(weight, 'f', 3));
  if (weight == m_store.smoothing()) return;
  m_store.setSmoothing(weight);
  updateStyles();
  updateGraphData();
  updateStatus();
  m_plot->replot(QCustomPlot::rpQueuedReplot);
}

double TrainingChartView::smoothing() const { return m_store.smoothing(); }

void TrainingChartView::setPollIntervalMs(int ms) { m_feed->setIntervalMs(ms); }

void TrainingChartView::refreshNow() { m_feed->pollNow(); }

QString TrainingChartView::statusText() const { return m_status->text(); }

QCPGraph* TrainingChartView::graphFor(qint64 runId, const QString& metric, bool smoothed) const {
  const auto it = m_graphs.constFind(graphKey(runId, metric));
  if (it == m_graphs.constEnd()) return nullptr;
  return smoothed ? it->smooth : it->raw;
}

void TrainingChartView::applyBatch(const MetricBatch& batch) {
  if (!batch.error.isEmpty()) {
    const bool isNew = batch.error != m_error;
    m_error = batch.error;
    updateStatus();
    if (isNew) emit readFailed(m_error);
    emit refreshed();
    return;
  }
  m_error.clear();
  for (auto it = batch.runs.constBegin(); it != batch.runs.constEnd(); ++it)
    if (m_runs.contains(it.key())) m_runInfo.insert(it.key(), it.value());
  bool newGraphs = false;
  bool newPoints = false;
  for (const MetricChunk& chunk : batch.chunks) {
    if (!m_runs.contains(chunk.runId)) continue;  // deselected while this poll ran
    const bool known = m_store.find(chunk.runId, chunk.name) != nullptr;
    MetricSeries& series = m_store.series(chunk.runId, chunk.name);
    if (chunk.replace) series.clear();
    for (int i = 0; i < chunk.step.size(); ++i)
      series.append(chunk.step[i], chunk.value[i], chunk.wall[i]);
    newPoints = true;
    m_hoursX.clear();  // a new train/input_frames point moves every later point of its run
    if (!known && chartPanelShows(m_panel, chunk.name)) {
      addGraphsFor(series);
      newGraphs = true;
    }
  }
  m_lastRowsRead = batch.rowsRead;
  // Run names can change (a label in the legend); the curves only with new points.
  const bool relabel = !batch.runs.isEmpty() && !m_graphs.isEmpty();
  if (newGraphs || relabel) updateStyles();
  if (newGraphs) updateEmptyText();
  // Another run's metrics or another table moved data_version: nothing to redraw.
  if (newPoints) updateGraphData();
  if (newPoints || relabel) m_plot->replot(QCustomPlot::rpQueuedReplot);
  updateStatus();
  emit refreshed();
}

void TrainingChartView::setUpValueAxes() {
  // The KD panel: the loss on the left, the agreement with the teacher (a
  // share of frames, 0-1) on the right; both axes drag and zoom.
  const bool kd = m_panel == ChartPanel::KnowledgeDistillation;
  m_plot->yAxis->setLabel(kd ? tr("KD loss") : chartPanelTitle(m_panel));
  m_plot->yAxis2->setVisible(kd);
  m_plot->yAxis2->setLabel(kd ? tr("agreement with the teacher (top-1)") : QString());
  QList<QCPAxis*> vertical{m_plot->yAxis};
  if (kd) vertical << m_plot->yAxis2;
  m_plot->axisRect()->setRangeDragAxes({m_plot->xAxis}, vertical);
  m_plot->axisRect()->setRangeZoomAxes({m_plot->xAxis}, vertical);
}

QCPAxis* TrainingChartView::valueAxisFor(const QString& metric) const {
  return m_panel == ChartPanel::KnowledgeDistillation && isTeacherAgreementMetric(metric)
             ? m_plot->yAxis2
             : m_plot->yAxis;
}

void TrainingChartView::rebuildGraphs() {
  setUpValueAxes();
  m_plot->clearGraphs();
  m_graphs.clear();
  m_hoursX.clear();
  for (const MetricSeries* s : m_store.all())
    if (m_runs.contains(s->runId) && chartPanelShows(m_panel, s->name)) addGraphsFor(*s);
  updateStyles();
  updateEmptyText();
  updateGraphData();
  updateStatus();
  m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void TrainingChartView::addGraphsFor(const MetricSeries& series) {
  Graphs g;
  QCPAxis* valueAxis = valueAxisFor(series.name);
  g.raw = m_plot->addGraph(m_plot->xAxis, valueAxis);
  g.smooth = m_plot->addGraph(m_plot->xAxis, valueAxis);
  m_graphs.insert(graphKey(series.runId, series.name), g);
}

void TrainingChartView::updateStyles() {
  // Line style per metric name, in name order within the panel.
  QStringList names;
  for (auto it = m_graphs.constBegin(); it != m_graphs.constEnd(); ++it) {
    const QString name = it.key().section(QLatin1Char('\n'), 1);
    if (!names.contains(name)) names << name;
  }
  std::sort(names.begin(), names.end());
  const bool smoothed = m_store.smoothing() > 0;
  const bool legend = m_graphs.size() <= kMaxLegendItems;
  const int curves = static_cast<int>(m_graphs.size()) * (smoothed ? 2 : 1);
  m_manyCurves = curves > kMaxAntialiasedCurves;
  // In the order of the runs, then of the metric names (the legend's order).
  QStringList keys = m_graphs.keys();
  auto order = [this](const QString& key) {
    return std::make_pair(m_runs.indexOf(key.section(QLatin1Char('\n'), 0, 0).toLongLong()),
                          key.section(QLatin1Char('\n'), 1));
  };
  std::sort(keys.begin(), keys.end(),
            [&](const QString& a, const QString& b) { return order(a) < order(b); });
  for (const QString& key : keys) {
    const auto it = m_graphs.constFind(key);
    const qint64 run = it.key().section(QLatin1Char('\n'), 0, 0).toLongLong();
    const QString name = it.key().section(QLatin1Char('\n'), 1);
    const QColor colour = runColour(static_cast<int>(m_runs.indexOf(run)));
    const Qt::PenStyle style = metricStyle(static_cast<int>(names.indexOf(name)));
    const QString label = QStringLiteral("%1 · %2").arg(runLabel(run), name);
    QColor faint = colour;
    faint.setAlpha(smoothed ? 70 : 255);
    // One pixel wide: wider pens go through Qt's stroker, which costs ~1000 times
    // more on an envelope's zigzag (docs/performance.md "Training charts").
    it->raw->setPen(QPen(faint, 1.0, style));
    it->raw->setName(label);
    it->smooth->setPen(QPen(colour, 1.0, style));
    it->smooth->setName(label);
    it->smooth->setVisible(smoothed);
    it->raw->setVisible(true);  // always: the raw envelope is what keeps a spike in sight
    it->raw->removeFromLegend();
    it->smooth->removeFromLegend();
    if (legend) (smoothed ? it->smooth : it->raw)->addToLegend();
  }
  m_plot->legend->setVisible(legend && !m_graphs.isEmpty());
  m_plot->setNotAntialiasedElements(m_manyCurves ? QCP::aePlottables : QCP::aeNone);
}

double TrainingChartView::xOffset(qint64 runId) const {
  // The run's start; its first metric if that came earlier (clocks differ
  // between hosts) or the start is unknown, so that x never goes negative.
  double first = 0.0;
  for (const MetricSeries* s : m_store.all())
    if (s->runId == runId && s->size() > 0 && (first == 0.0 || s->wall.front() < first))
      first = s->wall.front();
  const auto info = m_runInfo.constFind(runId);
  if (info != m_runInfo.constEnd() && info->startedAt > 0 &&
      (first == 0.0 || info->startedAt < first))
    return info->startedAt;
  return first;
}

QString TrainingChartView::runLabel(qint64 runId) const {
  const auto info = m_runInfo.constFind(runId);
  if (info == m_runInfo.constEnd() || info->name.isEmpty()) return tr("run %1").arg(runId);
  return tr("run %1 %2").arg(runId).arg(info->name);
}

void TrainingChartView::updateGraphData() {
  if (m_inRedraw) return;
  m_inRedraw = true;
  const bool wall = m_xAxis == XAxis::WallTime;
  QHash<qint64, double> offsets;
  if (wall)
    for (qint64 run : m_runs) offsets.insert(run, xOffset(run));
  // Hours of audio: only runs that recorded train/input_frames can be drawn;
  // the others are named in the status line. None of them: by step.
  QSet<qint64> withHours, withoutHours;
  if (m_xAxis == XAxis::AudioHours)
    for (auto it = m_graphs.constBegin(); it != m_graphs.constEnd(); ++it) {
      const qint64 run = it.key().section(QLatin1Char('\n'), 0, 0).toLongLong();
      const MetricSeries* frames = m_store.find(run, kInputFramesMetric);
      (frames && frames->size() > 0 ? withHours : withoutHours).insert(run);
    }
  const bool hours = !withHours.isEmpty();
  const bool hoursFallback = m_xAxis == XAxis::AudioHours && !hours && !withoutHours.isEmpty();
  QStringList without;
  for (qint64 run : m_runs)
    if (withoutHours.contains(run)) without << runLabel(run);
  const bool statusChanged = without != m_runsWithoutHours || hoursFallback != m_hoursFallback;
  m_runsWithoutHours = without;
  updateXAxisLabel(hoursFallback);
  m_hoursFallback = hoursFallback;
  // The x of a series' points on the current axis; nullptr: not drawn.
  auto xOf = [&](qint64 run, const MetricSeries& s) -> const std::vector<double>* {
    if (wall) return &s.wall;
    if (!hours) return &s.step;
    if (!withHours.contains(run)) return nullptr;
    return &audioHoursOf(s);
  };

  if (m_follow) {
    // The x range: all the data of the panel.
    double lo = INFINITY, hi = -INFINITY;
    for (auto it = m_graphs.constBegin(); it != m_graphs.constEnd(); ++it) {
      const qint64 run = it.key().section(QLatin1Char('\n'), 0, 0).toLongLong();
      const MetricSeries* s = m_store.find(run, it.key().section(QLatin1Char('\n'), 1));
      if (!s || s->size() == 0) continue;
      const std::vector<double>* xs = xOf(run, *s);
      if (!xs) continue;
      const std::vector<double>& x = *xs;
      const double off = offsets.value(run, 0.0);
      for (double v : {x.front() - off, x.back() - off})
        if (!m_logX || v > 0) {
          lo = std::min(lo, v);
          hi = std::max(hi, v);
        }
    }
    if (lo <= hi) {
      if (lo == hi) {
        lo -= 1;
        hi += 1;
      }
      m_plot->xAxis->setRange(lo, hi);
    }
  }

  const QCPRange range = m_plot->xAxis->range();
  EnvelopeView view;
  view.xMin = range.lower;
  view.xMax = range.upper;
  // Many curves: one column per 2 px (each still keeps its minimum and maximum).
  view.pixels = std::max(50, m_plot->axisRect()->width() / (m_manyCurves ? 2 : 1));
  view.logX = m_logX;
  const bool smoothed = m_store.smoothing() > 0;
  for (auto it = m_graphs.constBegin(); it != m_graphs.constEnd(); ++it) {
    const qint64 run = it.key().section(QLatin1Char('\n'), 0, 0).toLongLong();
    const MetricSeries* s = m_store.find(run, it.key().section(QLatin1Char('\n'), 1));
    if (!s) continue;
    const std::vector<double>* xs = xOf(run, *s);
    if (!xs) {
      it->raw->data()->clear();
      it->smooth->data()->clear();
      continue;
    }
    const std::vector<double>& x = *xs;
    view.xOffset = wall ? offsets.value(run, 0.0) : 0.0;
    const auto keep = minMaxEnvelope(x.data(), s->value.data(), s->size(), view, &s->valueIndex);
    setKept(it->raw, x, s->value, keep, view.xOffset);
    if (smoothed) {
      const auto keepSmooth =
          minMaxEnvelope(x.data(), s->smooth.data(), s->size(), view, &s->smoothIndex);
      setKept(it->smooth, x, s->smooth, keepSmooth, view.xOffset);
    } else {
      it->smooth->data()->clear();
    }
  }
  if (m_follow && !m_graphs.isEmpty())
    for (QCPAxis* axis : {m_plot->yAxis, m_plot->yAxis2}) fitValueAxis(axis);
  m_inRedraw = false;
  if (statusChanged) updateStatus();
}

void TrainingChartView::fitValueAxis(QCPAxis* axis) {
  // Log scale is the left axis' only (the agreement stays linear).
  const bool log = m_logY && axis == m_plot->yAxis;
  bool found = false;
  QCPRange y;
  for (auto it = m_graphs.constBegin(); it != m_graphs.constEnd(); ++it) {
    const QCPGraph* fitted = it->raw;
    if (fitted->valueAxis() != axis) continue;
    bool ok = false;
    const QCPRange r = fitted->getValueRange(ok, log ? QCP::sdPositive : QCP::sdBoth);
    if (!ok) continue;
    y = found ? QCPRange(std::min(y.lower, r.lower), std::max(y.upper, r.upper)) : r;
    found = true;
  }
  if (!found) return;
  if (log) {
    y = QCPRange(y.lower / 1.2, y.upper * 1.2);
  } else {
    const double pad = y.size() > 0 ? y.size() * 0.05 : std::max(1e-9, std::abs(y.lower) * 0.05);
    y = QCPRange(y.lower - pad, y.upper + pad);
  }
  axis->setRange(y);
}

void TrainingChartView::redraw() {
  updateGraphData();
  m_plot->replot(QCustomPlot::rpImmediateRefresh);
}

void TrainingChartView::onXRangeChanged() {
  if (m_inRedraw) return;
  // Zoom or pan (mouse, keys or a caller): the user holds the range now, and
  // the envelopes are per pixel of what is visible.
  m_follow = false;
  updateGraphData();
  m_plot->replot(QCustomPlot::rpQueuedReplot);
}

bool TrainingChartView::eventFilter(QObject* watched, QEvent* event) {
  if (watched == m_plot && event->type() == QEvent::Resize)
    QTimer::singleShot(0, this, [this] {
      updateGraphData();
      m_plot->replot(QCustomPlot::rpQueuedReplot);
    });
  return QWidget::eventFilter(watched, event);
}

void TrainingChartView::resetZoom() {
  m_follow = true;
  updateGraphData();
  m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void TrainingChartView::updateEmptyText() {
  QString text;
  if (m_feed->workspace().isEmpty())
    text = tr("No workspace open");
  else if (m_runs.isEmpty())
    text = tr("Select one or more runs to chart their metrics");
  else if (m_graphs.isEmpty())
    text = tr("The selected runs have recorded no metrics of this kind yet");
  m_emptyText->setText(text);
  m_emptyText->setVisible(!text.isEmpty());
}

void TrainingChartView::updateStatus() {
  if (!m_error.isEmpty()) {
    m_status->setText(m_error);
    return;
  }
  if (m_runs.isEmpty()) {
    m_status->setText(QString());
    return;
  }
  QString text = tr("Runs: %1 · points: %2 · read at %3")
                     .arg(QLocale().toString(static_cast<qlonglong>(m_runs.size())),
                          QLocale().toString(static_cast<qulonglong>(m_store.pointCount())),
                          QLocale().toString(QTime::currentTime(), QLocale::ShortFormat));
  if (m_xAxis == XAxis::AudioHours && !m_runsWithoutHours.isEmpty()) {
    const QString runs = m_runsWithoutHours.join(QStringLiteral(", "));
    text += QStringLiteral("\n") +
            (m_hoursFallback
                 ? tr("Hours of audio: no selected run recorded train/input_frames (%1; runs "
                      "trained before it was recorded), so the curves are drawn against the step.")
                       .arg(runs)
                 : tr("Hours of audio: not drawn, no train/input_frames recorded (runs trained "
                      "before it was recorded): %1. Choose Step or Wall time to see them.")
                       .arg(runs));
  }
  m_status->setText(text);
}

bool TrainingChartView::exportPng(const QString& path, int width, int height, QString* error) {
  updateGraphData();
  if (m_plot->savePng(path, width, height)) return true;
  if (error)
    *error = tr("%1: cannot write the PNG (hint: check that the folder exists and is writable)")
                 .arg(path);
  return false;
}

bool TrainingChartView::exportCsv(const QString& path, QString* error) const {
  QSaveFile file(path);
  if (!file.open(QIODevice::WriteOnly | QIODevice::Text)) {
    if (error)
      *error =
          tr("%1: cannot write: %2 (hint: pick a writable folder)").arg(path, file.errorString());
    return false;
  }
  QHash<qint64, QString> labels;
  for (qint64 run : m_runs) labels.insert(run, runLabel(run));
  QString writeError;
  if (!m_store.writeWideCsv(file, labels, &writeError) || !file.commit()) {
    if (error)
      *error = tr("%1: cannot write: %2 (hint: check the free space)")
                   .arg(path, writeError.isEmpty() ? file.errorString() : writeError);
    return false;
  }
  return true;
}

void TrainingChartView::exportPngInteractive() {
  const QString start = QDir(workspace().isEmpty() ? QDir::homePath() : workspace())
                            .filePath(QStringLiteral("training-charts.png"));
  const QString path = QFileDialog::getSaveFileName(this, tr("Export Chart as PNG"), start,
                                                    tr("PNG images (*.png)"));
  if (path.isEmpty()) return;
  QString error;
  if (!exportPng(path, 0, 0, &error)) emit exportFailed(tr("Cannot export the chart"), error);
}

void TrainingChartView::exportCsvInteractive() {
  const QString start = QDir(workspace().isEmpty() ? QDir::homePath() : workspace())
                            .filePath(QStringLiteral("training-metrics.csv"));
  const QString path = QFileDialog::getSaveFileName(this, tr("Export Metrics as CSV"), start,
                                                    tr("CSV files (*.csv)"));
  if (path.isEmpty()) return;
  QString error;
  if (!exportCsv(path, &error)) emit exportFailed(tr("Cannot export the metrics"), error);
}

}  // namespace understudy::ui::charts
