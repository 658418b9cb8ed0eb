#include "ui/labeling/labeling_quality_view.h"

#include <qcustomplot.h>

#include <QComboBox>
#include <QDir>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QSplitter>
#include <QStackedWidget>
#include <QTableWidget>
#include <QVBoxLayout>
#include <algorithm>
#include <climits>
#include <cmath>

#include "ui/widgets/empty_state_widget.h"
#include "ui/workspace/workspace_connection.h"

namespace understudy::ui {

namespace {

// Above this many units the unit-usage axis shows ranks, not names; above
// kSmallTickUnits its names are set smaller (a phone set of ~70 fits).
constexpr int kMaxNamedUnits = 128;
constexpr int kSmallTickUnits = 40;

const QColor kBarColour(31, 119, 180);
const QColor kSecondBarColour(255, 127, 14);

QString number(qint64 n) { return QLocale().toString(static_cast<qlonglong>(n)); }

QString decimal(double v, int digits) { return QLocale().toString(v, 'f', digits); }

QString percent(double share) { return QLocale().toString(100.0 * share, 'f', 1); }

QString runStatusText(const QString& status) {
  if (status == QLatin1String("running")) return LabelingQualityView::tr("running");
  if (status == QLatin1String("finished")) return LabelingQualityView::tr("finished");
  if (status == QLatin1String("failed")) return LabelingQualityView::tr("failed");
  if (status == QLatin1String("cancelled")) return LabelingQualityView::tr("cancelled");
  if (status == QLatin1String("queued")) return LabelingQualityView::tr("queued");
  return status;
}

// Bars at x = 1 … n (or at `keys`), one per value.
void setBars(QCPBars* bars, const QVector<double>& keys, const QVector<double>& values,
             double width) {
  bars->setWidth(width);
  bars->setData(keys, values, /*alreadySorted=*/true);
}

void fitY(QCustomPlot* plot, double top) { plot->yAxis->setRange(0.0, top > 0 ? top * 1.08 : 1.0); }

}  // namespace

LabelingQualityView::LabelingQualityView(QWidget* parent) : QWidget(parent) {
  buildUi();
  updateTexts();
  updateEmptyState();
}

LabelingQualityView::~LabelingQualityView() = default;

QCustomPlot* LabelingQualityView::makePlot(const QString& title, const QString& xLabel,
                                           const QString& yLabel) {
  auto* plot = new QCustomPlot(m_plots);
  plot->setMinimumSize(220, 160);
  plot->plotLayout()->insertRow(0);
  plot->plotLayout()->addElement(
      0, 0,
      new QCPTextElement(plot, title, QFont(font().family(), font().pointSize(), QFont::Bold)));
  plot->xAxis->setLabel(xLabel);
  plot->yAxis->setLabel(yLabel);
  plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
  plot->axisRect()->setRangeDrag(Qt::Horizontal);
  plot->axisRect()->setRangeZoom(Qt::Horizontal);
  return plot;
}

void LabelingQualityView::buildUi() {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);

  auto* top = new QHBoxLayout;
  auto* setLabel = new QLabel(tr("Soft-label &set:"), this);
  m_setBox = new QComboBox(this);
  m_setBox->setSizeAdjustPolicy(QComboBox::AdjustToContents);
  m_setBox->setToolTip(tr("The soft-label set whose labels are shown"));
  setLabel->setBuddy(m_setBox);
  top->addWidget(setLabel);
  top->addWidget(m_setBox);
  top->addStretch(1);
  connect(m_setBox, qOverload<int>(&QComboBox::currentIndexChanged), this, [this](int index) {
    if (!m_fillingBox) showSet(index);
  });

  m_setLabel = new QLabel(this);
  m_setLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
  m_setLabel->setWordWrap(true);
  auto* progress = new QHBoxLayout;
  m_progressLabel = new QLabel(this);
  m_progressLabel->setWordWrap(true);
  m_progressBar = new QProgressBar(this);
  m_progressBar->setMaximumWidth(240);
  progress->addWidget(m_progressLabel, 1);
  progress->addWidget(m_progressBar);
  m_overallLabel = new QLabel(this);
  m_overallLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
  m_overallLabel->setWordWrap(true);
  m_summaryLabel = new QLabel(this);
  m_summaryLabel->setWordWrap(true);
  m_summaryLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);

  m_plots = new QWidget(this);
  auto* grid = new QGridLayout(m_plots);
  grid->setContentsMargins(0, 0, 0, 0);
  m_top1Plot = makePlot(tr("Top-1 probability"), tr("top-1 probability"), tr("frames"));
  m_entropyPlot = makePlot(tr("Entropy of the stored top-k"), tr("entropy (nats)"), tr("frames"));
  m_unitPlot = makePlot(tr("Unit usage"), tr("units, most frames first"), tr("frames as top-1"));
  m_truthPlot = makePlot(tr("Against the truth"), QString(), tr("% of frames"));
  m_top1Bars = new QCPBars(m_top1Plot->xAxis, m_top1Plot->yAxis);
  m_entropyBars = new QCPBars(m_entropyPlot->xAxis, m_entropyPlot->yAxis);
  m_unitBars = new QCPBars(m_unitPlot->xAxis, m_unitPlot->yAxis);
  m_truthTop1Bars = new QCPBars(m_truthPlot->xAxis, m_truthPlot->yAxis);
  m_truthTopKBars = new QCPBars(m_truthPlot->xAxis, m_truthPlot->yAxis);
  for (QCPBars* bars : {m_top1Bars, m_entropyBars, m_unitBars, m_truthTop1Bars}) {
    bars->setPen(QPen(kBarColour.darker(130)));
    bars->setBrush(kBarColour);
  }
  m_truthTopKBars->setPen(QPen(kSecondBarColour.darker(130)));
  m_truthTopKBars->setBrush(kSecondBarColour);
  m_truthTop1Bars->setName(tr("teacher's top-1 correct"));
  m_truthTopKBars->setName(tr("truth in the top-k"));
  auto* group = new QCPBarsGroup(m_truthPlot);
  group->append(m_truthTop1Bars);
  group->append(m_truthTopKBars);
  // The legend in one row under the title, off the bars.
  m_truthPlot->legend->setVisible(true);
  m_truthPlot->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
  m_truthPlot->legend->setBorderPen(Qt::NoPen);
  m_truthPlot->axisRect()->insetLayout()->take(m_truthPlot->legend);
  m_truthPlot->plotLayout()->insertRow(1);
  m_truthPlot->plotLayout()->addElement(1, 0, m_truthPlot->legend);
  m_truthPlot->plotLayout()->setRowStretchFactor(1, 0.001);
  m_truthPlot->yAxis->setRange(0, 105);
  m_top1Plot->xAxis->setRange(0, 1);
  m_unitPlot->xAxis->setTickLabelRotation(90);

  auto makeText = [this](QCustomPlot* plot) {
    auto* text = new QCPItemText(plot);
    text->position->setType(QCPItemPosition::ptAxisRectRatio);
    text->position->setCoords(0.5, 0.5);
    text->setColor(palette().color(QPalette::Disabled, QPalette::WindowText));
    text->setClipToAxisRect(false);
    text->setVisible(false);
    return text;
  };
  m_entropyText = makeText(m_entropyPlot);
  m_truthText = makeText(m_truthPlot);

  m_truthTable = new QTableWidget(0, 5, m_plots);
  m_truthTable->setHorizontalHeaderLabels({tr("Group"), tr("Utterances"), tr("Frames"),
                                           tr("Top-1 accuracy %"), tr("Truth in top-k %")});
  m_truthTable->verticalHeader()->setVisible(false);
  m_truthTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
  m_truthTable->setSelectionBehavior(QAbstractItemView::SelectRows);
  m_truthTable->horizontalHeader()->setStretchLastSection(true);

  auto* truth = new QSplitter(Qt::Vertical, m_plots);
  truth->addWidget(m_truthPlot);
  truth->addWidget(m_truthTable);
  truth->setStretchFactor(0, 3);
  truth->setStretchFactor(1, 2);
  truth->setSizes({300, 200});
  grid->addWidget(m_top1Plot, 0, 0);
  grid->addWidget(m_entropyPlot, 0, 1);
  grid->addWidget(m_unitPlot, 1, 0);
  grid->addWidget(truth, 1, 1);
  grid->setRowStretch(0, 2);
  grid->setRowStretch(1, 3);

  auto* page = new QWidget(this);
  auto* pageLayout = new QVBoxLayout(page);
  pageLayout->setContentsMargins(0, 0, 0, 0);
  pageLayout->addLayout(top);
  pageLayout->addWidget(m_setLabel);
  pageLayout->addLayout(progress);
  pageLayout->addWidget(m_overallLabel);
  pageLayout->addWidget(m_summaryLabel);
  pageLayout->addWidget(m_plots, 1);

  m_empty = new EmptyStateWidget(this);
  m_stack = new QStackedWidget(this);
  m_stack->addWidget(page);
  m_stack->addWidget(m_empty);
  layout->addWidget(m_stack);
}

// --- workspace and polling ---------------------------------------------------

bool LabelingQualityView::setWorkspacePath(const QString& path) {
  if (!path.isEmpty() && m_connection && m_connection->rootPath() == QDir(path).absolutePath()) {
    reload();
    return true;
  }
  m_connection.reset();
  m_dataVersion = -1;
  m_sets.clear();
  m_shown.reset();
  m_summary.reset();
  m_summaryError.clear();
  m_readError.clear();
  bool ok = true;
  if (!path.isEmpty()) {
    QString error;
    m_connection = WorkspaceConnection::open(path, &error);
    if (!m_connection) {
      emit errorOccurred(tr("Cannot show the soft labels"), error);
      ok = false;
    }
  }
  fillSetBox();
  if (m_connection)
    reload();
  else
    readAndDraw();
  return ok;
}

QString LabelingQualityView::workspacePath() const {
  return m_connection ? m_connection->rootPath() : QString();
}

void LabelingQualityView::refresh() {
  if (!m_connection) return;
  const qint64 version = m_connection->dataVersion();
  if (version >= 0 && version == m_dataVersion) return;
  reload();
}

void LabelingQualityView::reload() {
  if (!m_connection) return;
  m_dataVersion = m_connection->dataVersion();
  QString error;
  const QList<SoftLabelSetInfo> sets = readSoftLabelSets(m_connection->database(), &error);
  m_readError = error;
  if (!error.isEmpty()) {
    updateTexts();
    return;
  }
  QList<qint64> before, after;
  for (const auto& s : m_sets) before << s.id;
  for (const auto& s : sets) after << s.id;
  m_sets = sets;
  if (before != after)
    fillSetBox();
  else
    for (int i = 0; i < m_sets.size(); ++i) m_setBox->setItemText(i, setBoxText(m_sets[i]));
  // The shown set: redrawn only when its row or its summary's stamp moved.
  const int index = m_setBox->currentIndex();
  const bool moved = index < 0 || index >= m_sets.size() ? m_shown.has_value()
                                                         : !m_shown || *m_shown != m_sets[index];
  if (moved) readAndDraw();
  updateEmptyState();
}

QString LabelingQualityView::setBoxText(const SoftLabelSetInfo& s) {
  QString text = tr("%1 · %2 (%3) · k = %4 · %5 · %6 utterances")
                     .arg(s.dataset, s.model, s.folder)
                     .arg(s.k)
                     .arg(s.quantization, number(s.utterances));
  if (!s.runStatus.isEmpty()) text += QStringLiteral(" · ") + runStatusText(s.runStatus);
  return text;
}

void LabelingQualityView::fillSetBox() {
  const qint64 current = currentSoftLabelSetId();
  m_fillingBox = true;
  m_setBox->clear();
  int select = m_sets.isEmpty() ? -1 : 0;
  for (int i = 0; i < m_sets.size(); ++i) {
    const SoftLabelSetInfo& s = m_sets[i];
    m_setBox->addItem(setBoxText(s), s.id);
    if (s.id == current) select = i;
  }
  m_setBox->setCurrentIndex(select);
  m_fillingBox = false;
}

bool LabelingQualityView::selectSoftLabelSet(const QString& nameOrId) {
  bool isNumber = false;
  const qint64 id = nameOrId.toLongLong(&isNumber);
  for (int i = 0; i < m_sets.size(); ++i) {
    const SoftLabelSetInfo& s = m_sets[i];
    if ((isNumber && s.id == id) || s.path == nameOrId || s.folder == nameOrId) {
      if (m_setBox->currentIndex() == i)
        showSet(i);
      else
        m_setBox->setCurrentIndex(i);  // comes to showSet
      return true;
    }
  }
  return false;
}

qint64 LabelingQualityView::currentSoftLabelSetId() const {
  return m_setBox->currentIndex() >= 0 ? m_setBox->currentData().toLongLong() : 0;
}

void LabelingQualityView::showSet(int) {
  m_shown.reset();
  readAndDraw();
}

void LabelingQualityView::readAndDraw() {
  const int index = m_setBox->currentIndex();
  m_summary.reset();
  m_summaryError.clear();
  m_shown.reset();
  if (m_connection && index >= 0 && index < m_sets.size()) {
    m_shown = m_sets[index];
    SummaryRead read = readSoftLabelSummary(m_connection->database(), m_shown->id);
    m_summary = std::move(read.summary);
    m_summaryError = read.error;
  }
  drawSummary();
  updateTexts();
  updateEmptyState();
}

// --- drawing ----------------------------------------------------------------

void LabelingQualityView::drawSummary() {
  m_plots->setVisible(m_summary.has_value());
  if (!m_summary) {
    clearPlots();
    return;
  }
  drawTop1();
  drawEntropy();
  drawUnits();
  drawTruth();
  for (QCustomPlot* plot : {m_top1Plot, m_entropyPlot, m_unitPlot, m_truthPlot})
    plot->replot(QCustomPlot::rpQueuedReplot);
}

void LabelingQualityView::clearPlots() {
  for (QCPBars* bars : {m_top1Bars, m_entropyBars, m_unitBars, m_truthTop1Bars, m_truthTopKBars})
    bars->data()->clear();
  m_unitUsage.clear();
  m_truthTable->setRowCount(0);
  setPlotMessage(m_entropyPlot, m_entropyText, QString());
  setPlotMessage(m_truthPlot, m_truthText, QString());
}

void LabelingQualityView::drawTop1() {
  const auto& bins = m_summary->top1Histogram();
  const int n = static_cast<int>(bins.size());
  QVector<double> keys(n), values(n);
  double top = 0;
  for (int i = 0; i < n; ++i) {
    keys[i] = (i + 0.5) / n;  // bin i = [i/n, (i+1)/n)
    values[i] = static_cast<double>(bins[static_cast<std::size_t>(i)]);
    top = std::max(top, values[i]);
  }
  setBars(m_top1Bars, keys, values, n > 0 ? 1.0 / n : 1.0);
  m_top1Plot->xAxis->setRange(0, 1);
  fitY(m_top1Plot, top);
}

void LabelingQualityView::drawEntropy() {
  const auto& bins = m_summary->entropyHistogram();
  const double max = m_summary->entropyMax();
  if (bins.empty()) {
    m_entropyBars->data()->clear();
    setPlotMessage(m_entropyPlot, m_entropyText,
                   tr("This summary has no entropy histogram (it was written before they were "
                      "kept).\nRe-run label to compute it: understudy-cli label -w WS --dataset "
                      "%1 --model %2")
                       .arg(m_shown->dataset, m_shown->model));
    return;
  }
  setPlotMessage(m_entropyPlot, m_entropyText, QString());
  const int n = static_cast<int>(bins.size());
  const double width = max > 0 ? max / n : 1.0 / n;
  QVector<double> keys(n), values(n);
  double top = 0;
  for (int i = 0; i < n; ++i) {
    keys[i] = (i + 0.5) * width;  // bin i = [i·max/n, (i+1)·max/n)
    values[i] = static_cast<double>(bins[static_cast<std::size_t>(i)]);
    top = std::max(top, values[i]);
  }
  setBars(m_entropyBars, keys, values, width);
  m_entropyPlot->xAxis->setRange(0, width * n);
  m_entropyPlot->xAxis->setLabel(
      tr("entropy (nats; ln k = %1 is all k equally likely)").arg(decimal(max, 2)));
  fitY(m_entropyPlot, top);
}

void LabelingQualityView::drawUnits() {
  const QStringList names =
      readUnitNames(m_connection->database(), m_shown->unitInventoryId, m_summary->numUnits());
  m_unitUsage = sortedUnitUsage(m_summary->unitCounts(), names);
  const int n = static_cast<int>(m_unitUsage.size());
  QVector<double> keys(n), values(n);
  double top = 0;
  for (int i = 0; i < n; ++i) {
    keys[i] = i + 1;
    values[i] = static_cast<double>(m_unitUsage[i].frames);
    top = std::max(top, values[i]);
  }
  setBars(m_unitBars, keys, values, 0.8);
  QFont tickFont = font();
  if (n > kSmallTickUnits) tickFont.setPointSizeF(tickFont.pointSizeF() * 0.75);
  m_unitPlot->xAxis->setTickLabelFont(tickFont);
  if (n <= kMaxNamedUnits) {
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    for (int i = 0; i < n; ++i) ticker->addTick(i + 1, m_unitUsage[i].name);
    m_unitPlot->xAxis->setTicker(ticker);
    m_unitPlot->xAxis->setLabel(tr("units, most frames first"));
  } else {
    m_unitPlot->xAxis->setTicker(QSharedPointer<QCPAxisTicker>::create());
    m_unitPlot->xAxis->setLabel(tr("rank of the unit (most frames first)"));
  }
  m_unitPlot->xAxis->setRange(0.3, n + 0.7);
  fitY(m_unitPlot, top);
}

void LabelingQualityView::drawTruth() {
  const std::vector<SoftLabelTruthTally> rows = m_summary->truth();
  m_truthTable->setRowCount(static_cast<int>(rows.size()));
  QVector<double> keys, top1, topK;
  auto ticker = QSharedPointer<QCPAxisTickerText>::create();
  for (int i = 0; i < static_cast<int>(rows.size()); ++i) {
    const SoftLabelTruthTally& t = rows[static_cast<std::size_t>(i)];
    keys << i + 1;
    top1 << 100.0 * t.top1Accuracy();
    topK << 100.0 * t.topKRecall();
    ticker->addTick(i + 1, QString::fromStdString(t.group));
    const QStringList cells = {QString::fromStdString(t.group), number(t.utterances),
                               number(t.frames), percent(t.top1Accuracy()),
                               percent(t.topKRecall())};
    for (int c = 0; c < cells.size(); ++c) {
      auto* item = new QTableWidgetItem(cells[c]);
      if (c > 0) item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
      m_truthTable->setItem(i, c, item);
    }
  }
  m_truthTable->resizeColumnsToContents();
  setBars(m_truthTop1Bars, keys, top1, 0.35);
  setBars(m_truthTopKBars, keys, topK, 0.35);
  m_truthPlot->xAxis->setTicker(ticker);
  m_truthPlot->xAxis->setTickLabelRotation(rows.size() > 4 ? 45 : 0);
  m_truthPlot->xAxis->setRange(0.4, static_cast<double>(rows.size()) + 0.6);
  m_truthTable->setVisible(!rows.empty());
  m_truthPlot->legend->setVisible(!rows.empty());
  setPlotMessage(m_truthPlot, m_truthText,
                 rows.empty() ? tr("No truth to compare with: the dataset has no frame targets "
                                   "made with the model's units\n(synthetic data has them, "
                                   "from understudy-cli targets)")
                              : QString());
}

void LabelingQualityView::setPlotMessage(QCustomPlot* plot, QCPItemText* item,
                                         const QString& text) {
  item->setText(text);
  item->setVisible(!text.isEmpty());
  plot->replot(QCustomPlot::rpQueuedReplot);
}

// --- texts ------------------------------------------------------------------

void LabelingQualityView::updateTexts() {
  m_setLabel->setText(setText());
  m_progressLabel->setText(progressText());
  m_overallLabel->setText(overallText());
  m_overallLabel->setVisible(m_summary.has_value());
  m_summaryLabel->setText(summaryMessage());
  m_summaryLabel->setVisible(!summaryMessage().isEmpty());
  const bool running = m_shown && m_shown->runStatus == QLatin1String("running");
  m_progressBar->setVisible(running);
  if (m_shown) {
    const qint64 labeled = m_summary ? m_summary->utterances() : m_shown->utterances;
    const qint64 total = std::max<qint64>(m_shown->datasetUtterances, labeled);
    m_progressBar->setRange(0, static_cast<int>(std::min<qint64>(total, INT_MAX)));
    m_progressBar->setValue(static_cast<int>(std::min<qint64>(labeled, INT_MAX)));
  }
}

QString LabelingQualityView::setText() const {
  if (!m_shown) return {};
  const SoftLabelSetInfo& s = *m_shown;
  QString text = tr("Dataset %1 · model %2 · k = %3 · %4 · T = %5 · %6 utterances, %7 frames")
                     .arg(s.dataset, s.model)
                     .arg(s.k)
                     .arg(s.quantization, QLocale().toString(s.temperature), number(s.utterances),
                          number(s.frames));
  if (s.runId > 0) text += tr(" · label run %1: %2").arg(s.runId).arg(runStatusText(s.runStatus));
  return text;
}

QString LabelingQualityView::progressText() const {
  if (!m_shown) return {};
  const qint64 labeled = m_summary ? m_summary->utterances() : m_shown->utterances;
  const qint64 total = m_shown->datasetUtterances;
  const QString share =
      total > 0 ? percent(static_cast<double>(labeled) / static_cast<double>(total)) : QString();
  if (m_shown->runStatus == QLatin1String("running"))
    return tr("Labeling: %1 of %2 utterances labeled (%3 %); the charts follow each commit")
        .arg(number(labeled), number(total), share);
  if (labeled < total)
    return tr("%1 of %2 utterances of %3 labeled (%4 %): understudy-cli label resumes the rest")
        .arg(number(labeled), number(total), m_shown->dataset, share);
  return tr("%1 of %2 utterances of %3 labeled")
      .arg(number(labeled), number(total), m_shown->dataset);
}

QString LabelingQualityView::overallText() const {
  if (!m_summary) return {};
  const SoftLabelSummary& s = *m_summary;
  const int unused = s.numUnits() - s.unitsUsed();
  return tr("Mean top-1 %1 · mean entropy %2 nats · %3 bytes/frame · %4 frames · %5 of %6 units "
            "are some frame's top-1, %7 never")
      .arg(decimal(s.meanTop1(), 3), decimal(s.meanEntropy(), 3), decimal(s.bytesPerFrame(), 1),
           number(s.frames()), number(s.unitsUsed()), number(s.numUnits()), number(unused));
}

QString LabelingQualityView::entropyMessage() const {
  return m_entropyText->visible() ? m_entropyText->text() : QString();
}

QString LabelingQualityView::truthMessage() const {
  return m_truthText->visible() ? m_truthText->text() : QString();
}

QString LabelingQualityView::summaryMessage() const {
  if (!m_readError.isEmpty()) return m_readError;
  if (!m_shown) return {};
  if (!m_summaryError.isEmpty())
    return tr("The label summary of %1 cannot be read: %2").arg(m_shown->path, m_summaryError);
  if (!m_summary)
    return tr("No label summary for %1 yet: the labeler writes it at its first commit. For a set "
              "labeled before summaries were kept, run understudy-cli label -w WS --dataset %2 "
              "--model %3 again (it resumes and writes the summary).")
        .arg(m_shown->path, m_shown->dataset, m_shown->model);
  return {};
}

// --- empty state --------------------------------------------------------------

void LabelingQualityView::updateEmptyState() {
  if (!m_connection) {
    m_empty->setTitle(tr("No workspace open"));
    m_empty->setText(tr("Open a workspace to see the quality of its soft labels."));
  } else if (m_sets.isEmpty()) {
    m_empty->setTitle(tr("No soft labels yet"));
    m_empty->setText(
        tr("Label a dataset with a teacher, e.g. `understudy-cli label -w WS --model teacher "
           "--dataset synth-unlabeled`; its distributions show here while it runs."));
  }
  const bool empty = !m_connection || m_sets.isEmpty();
  m_stack->setCurrentWidget(empty ? static_cast<QWidget*>(m_empty) : m_stack->widget(0));
}

bool LabelingQualityView::isShowingEmptyState() const {
  return m_stack->currentWidget() == m_empty;
}

QString LabelingQualityView::emptyStateText() const {
  return m_empty->title() + QLatin1Char('\n') + m_empty->text();
}

}  // namespace understudy::ui
