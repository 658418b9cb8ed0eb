#include "ui/browser/utterance_detail.h"

#include <qcustomplot.h>

#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QMetaType>
#include <QPushButton>
#include <QScrollArea>
#include <QSplitter>
#include <QThread>
#include <QVBoxLayout>
#include <algorithm>
#include <atomic>
#include <cmath>

#include "ui/browser/audio_player.h"
#include "ui/browser/utterance_detail_data.h"
#include "ui/workspace/workspace_connection.h"

Q_DECLARE_METATYPE(std::shared_ptr<understudy::ui::DetailData>)

namespace understudy::ui {

// The worker: reads one utterance's audio, fbank, soft labels and targets on
// its own thread. A request older than the newest one asked for is skipped,
// so scrolling through the table does not pile up loads.
class DetailLoader : public QObject {
  Q_OBJECT

 public:
  std::atomic<quint64> latestSerial{0};

 public:
  void load(const DetailRequest& request, quint64 serial) {
    if (serial < latestSerial.load()) return;
    auto data = std::make_shared<DetailData>(loadDetail(request));
    emit loaded(data, serial);
  }

 signals:
  void loaded(std::shared_ptr<understudy::ui::DetailData> data, quint64 serial);
};

namespace {

constexpr double kModelFrameSeconds = 0.030;  // one soft label / target per 30 ms
constexpr double kFbankShiftSeconds = 0.010;
constexpr double kFbankWindowSeconds = 0.025;
constexpr int kMaxUnitTicks = 10;

bool sameHypotheses(const QList<HypothesisRow>& a, const QList<HypothesisRow>& b) {
  if (a.size() != b.size()) return false;
  for (qsizetype i = 0; i < a.size(); ++i)
    if (a[i].evaluationId != b[i].evaluationId || a[i].alignment != b[i].alignment ||
        a[i].hypothesis != b[i].hypothesis)
      return false;
  return true;
}

// The same utterance, read from the same places, with the same results.
bool sameContent(const DetailRequest& a, const DetailRequest& b) {
  return a.utteranceId == b.utteranceId && a.audioPath == b.audioPath &&
         a.offsetSeconds == b.offsetSeconds && a.durationSeconds == b.durationSeconds &&
         a.text == b.text && a.softLabelSetId == b.softLabelSetId &&
         a.softLabelDir == b.softLabelDir && a.targetsDir == b.targetsDir &&
         sameHypotheses(a.hypotheses, b.hypotheses);
}

double modelFrameCentre(int t) { return (t + 0.5) * kModelFrameSeconds; }
double fbankFrameCentre(int i) { return i * kFbankShiftSeconds + kFbankWindowSeconds / 2; }

// A colour map over `frames` cells centred on centre(0..frames-1).
template <class Centre>
void setKeyRange(QCPColorMapData* data, int frames, Centre centre, const QCPRange& valueRange) {
  const double first = centre(0);
  const double last = frames > 1 ? centre(frames - 1) : first + 1e-6;
  data->setRange(QCPRange(first, last), valueRange);
}

QCPAxisRect* addLane(QCustomPlot* plot, QCPMarginGroup* margins, const QString& label, int stretch) {
  auto* rect = new QCPAxisRect(plot);
  rect->setMarginGroup(QCP::msLeft | QCP::msRight, margins);
  rect->axis(QCPAxis::atLeft)->setLabel(label);
  rect->axis(QCPAxis::atBottom)->setTickLabels(false);
  rect->setRangeZoom(Qt::Horizontal);
  rect->setRangeDrag(Qt::Horizontal);
  plot->plotLayout()->addElement(plot->plotLayout()->rowCount(), 0, rect);
  plot->plotLayout()->setRowStretchFactor(plot->plotLayout()->rowCount() - 1, stretch);
  return rect;
}

// White at 0, visible from a few percent on (a spread teacher's top-k is
// mostly below 0.2), dark at 1.
QCPColorGradient probabilityGradient() {
  QCPColorGradient g;
  g.setColorStopAt(0.0, Qt::white);
  g.setColorStopAt(0.05, QColor(0xff, 0xf1, 0x76));
  g.setColorStopAt(0.3, QColor(0xfb, 0x8c, 0x00));
  g.setColorStopAt(0.7, QColor(0xc6, 0x28, 0x28));
  g.setColorStopAt(1.0, QColor(0x3e, 0x00, 0x00));
  return g;
}

// A lane of one value per frame: QCustomPlot draws a one-row colour map with
// no height, so the values go into two identical rows spanning -0.5..0.5
// (the value axis' range); cell(t, 0) is frame t's value.
template <class Value>
void setLaneCells(QCPColorMapData* data, int frames, Value value) {
  data->setSize(frames, 2);
  setKeyRange(data, frames, modelFrameCentre, QCPRange(-0.25, 0.25));
  for (int t = 0; t < frames; ++t) {
    const double v = value(t);
    data->setCell(t, 0, v);
    data->setCell(t, 1, v);
  }
}

QCPColorMap* addColorMap(QCPAxisRect* rect, const QString& name) {
  auto* map = new QCPColorMap(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
  map->setObjectName(name);
  map->setInterpolate(false);
  map->setTightBoundary(true);
  return map;
}

// Tick labels with the unit names of `rows` (at most kMaxUnitTicks shown).
QSharedPointer<QCPAxisTickerText> unitTicker(const std::vector<int>& rows, const QStringList& names) {
  QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
  const int step = std::max<int>(1, static_cast<int>((rows.size() + kMaxUnitTicks - 1) / kMaxUnitTicks));
  for (std::size_t r = 0; r < rows.size(); r += static_cast<std::size_t>(step)) {
    const int id = rows[r];
    ticker->addTick(static_cast<double>(r), id < names.size() ? names[id] : QString::number(id));
  }
  return ticker;
}

}  // namespace

struct UtteranceDetail::Private {
  std::unique_ptr<WorkspaceConnection> ws;
  qint64 dataVersion = -1;
  qint64 utteranceId = -1;
  qint64 softLabelSetId = -1;
  quint64 serial = 0;
  bool loading = false;
  DetailRequest request;
  std::shared_ptr<DetailData> data;

  QThread thread;
  DetailLoader* loader = nullptr;
  AudioPlayer* player = nullptr;

  QLabel* title = nullptr;
  QLabel* reference = nullptr;
  QLabel* status = nullptr;
  QLabel* notes = nullptr;
  QPushButton* play = nullptr;
  QLabel* position = nullptr;
  QLabel* playbackNote = nullptr;
  QCustomPlot* plot = nullptr;
  QWidget* hypotheses = nullptr;
  QVBoxLayout* hypothesesLayout = nullptr;
  QScrollArea* hypothesesScroll = nullptr;  // hidden while there are no hypotheses
  QList<QCPItemStraightLine*> cursors;
  QCPMarginGroup* margins = nullptr;  // lines the lanes' left edges up
};

UtteranceDetail::UtteranceDetail(QWidget* parent) : QWidget(parent), d(std::make_unique<Private>()) {
  qRegisterMetaType<std::shared_ptr<DetailData>>();
  setFocusPolicy(Qt::StrongFocus);

  d->title = new QLabel(this);
  d->title->setObjectName(QStringLiteral("detailTitle"));
  d->title->setTextInteractionFlags(Qt::TextSelectableByMouse);
  d->reference = new QLabel(this);
  d->reference->setObjectName(QStringLiteral("detailReference"));
  d->reference->setWordWrap(true);
  d->reference->setTextInteractionFlags(Qt::TextSelectableByMouse);
  d->status = new QLabel(this);
  d->status->setObjectName(QStringLiteral("detailStatus"));
  d->notes = new QLabel(this);
  d->notes->setObjectName(QStringLiteral("detailNotes"));
  d->notes->setWordWrap(true);
  d->notes->setTextInteractionFlags(Qt::TextSelectableByMouse);
  d->notes->setStyleSheet(QStringLiteral("color: #8a5a00"));

  d->player = new AudioPlayer(this);
  d->play = new QPushButton(tr("Play"), this);
  d->play->setObjectName(QStringLiteral("playButton"));
  d->play->setToolTip(tr("Play or pause (Space); click a plot to move there"));
  d->play->setFocusPolicy(Qt::NoFocus);  // Space stays with the panel
  d->position = new QLabel(this);
  d->position->setObjectName(QStringLiteral("playPosition"));
  d->playbackNote = new QLabel(d->player->deviceProblem(), this);
  d->playbackNote->setObjectName(QStringLiteral("playbackNote"));
  d->playbackNote->setWordWrap(true);
  d->playbackNote->setStyleSheet(QStringLiteral("color: #8a5a00"));
  auto* playRow = new QHBoxLayout;
  playRow->addWidget(d->play);
  playRow->addWidget(d->position);
  playRow->addWidget(d->playbackNote, 1);

  d->plot = new QCustomPlot(this);
  d->plot->setObjectName(QStringLiteral("detailPlot"));
  d->plot->setInteractions(QCP::iRangeZoom);
  d->plot->setMinimumHeight(420);
  d->hypotheses = new QWidget;
  d->hypothesesLayout = new QVBoxLayout(d->hypotheses);
  d->hypothesesLayout->addStretch(1);
  d->hypothesesScroll = new QScrollArea(this);
  d->hypothesesScroll->setWidget(d->hypotheses);
  d->hypothesesScroll->setWidgetResizable(true);
  d->hypothesesScroll->setVisible(false);  // until an utterance with hypotheses is shown
  d->hypothesesScroll->setMinimumHeight(90);  // a model's header and its REF/HYP lines
  auto* splitter = new QSplitter(Qt::Vertical, this);
  splitter->addWidget(d->plot);
  splitter->addWidget(d->hypothesesScroll);
  splitter->setStretchFactor(0, 4);
  splitter->setStretchFactor(1, 1);
  splitter->setSizes({700, 160});

  auto* layout = new QVBoxLayout(this);
  layout->addWidget(d->title);
  layout->addWidget(d->reference);
  layout->addLayout(playRow);
  layout->addWidget(d->status);
  layout->addWidget(d->notes);
  layout->addWidget(splitter, 1);

  connect(d->play, &QPushButton::clicked, this, [this] { d->player->togglePlayPause(); });
  connect(d->player, &AudioPlayer::positionChanged, this, [this](double s) { moveCursor(s); });
  connect(d->player, &AudioPlayer::playingChanged, this,
          [this](bool playing) { d->play->setText(playing ? tr("Pause") : tr("Play")); });
  connect(d->player, &AudioPlayer::errorOccurred, d->playbackNote, &QLabel::setText);
  connect(d->plot, &QCustomPlot::mousePress, this, [this](QMouseEvent* e) { seekToPixel(e); });

  d->loader = new DetailLoader;
  d->loader->moveToThread(&d->thread);
  connect(d->loader, &DetailLoader::loaded, this,
          [this](std::shared_ptr<DetailData> data, quint64 serial) { onLoaded(std::move(data), serial); });
  d->thread.setObjectName(QStringLiteral("utterance-detail"));
  d->thread.start();
  clear();
}

UtteranceDetail::~UtteranceDetail() {
  d->loader->latestSerial = ~quint64(0);  // skip whatever is still queued
  d->thread.quit();
  d->thread.wait();
  delete d->loader;  // its thread has ended: nothing runs in it any more
}

bool UtteranceDetail::setWorkspacePath(const QString& path) {
  clear();
  d->ws.reset();
  d->dataVersion = -1;
  if (path.isEmpty()) return true;
  QString error;
  d->ws = WorkspaceConnection::open(path, &error);
  if (!d->ws) {
    emit errorOccurred(tr("Cannot open workspace"), error);
    return false;
  }
  d->dataVersion = d->ws->dataVersion();
  return true;
}

QString UtteranceDetail::workspacePath() const { return d->ws ? d->ws->rootPath() : QString(); }

void UtteranceDetail::showUtterance(qint64 utteranceId, qint64 softLabelSetId) {
  d->player->pause();
  d->utteranceId = utteranceId;
  d->softLabelSetId = softLabelSetId;
  if (!d->ws) {
    d->status->setText(tr("No workspace open."));
    return;
  }
  DetailRequest request;
  QString error;
  if (!queryDetailRequest(d->ws->database(), d->ws->rootPath(), utteranceId, softLabelSetId,
                          &request, &error)) {
    clear();
    d->status->setText(error);
    emit errorOccurred(tr("Cannot show the utterance"), error);
    return;
  }
  d->request = request;
  d->title->setText(tr("<b>%1</b> &nbsp; dataset %2")
                        .arg(request.key.toHtmlEscaped(), request.dataset.toHtmlEscaped()));
  d->reference->setText(request.text.isEmpty() ? tr("(no transcript)")
                                               : tr("Reference: %1").arg(request.text));
  d->status->setText(tr("Loading the audio, spectrogram, soft labels and targets…"));
  d->loading = true;
  d->loader->latestSerial = ++d->serial;
  DetailLoader* loader = d->loader;
  const quint64 serial = d->serial;
  QMetaObject::invokeMethod(
      loader, [loader, request, serial] { loader->load(request, serial); }, Qt::QueuedConnection);
}

void UtteranceDetail::clear() {
  d->player->pause();
  d->player->clearAudio();
  d->utteranceId = -1;
  d->loading = false;
  d->loader->latestSerial = ++d->serial;
  d->data.reset();
  d->title->setText(tr("No utterance selected"));
  d->reference->clear();
  d->status->setText(tr("Select an utterance to see its waveform, spectrogram, soft labels and "
                        "decoding results."));
  d->notes->clear();
  d->notes->hide();
  d->play->setEnabled(false);
  d->position->clear();
  resetPlot();
  setHypotheses({});
}

void UtteranceDetail::refresh() {
  if (!d->ws || d->utteranceId < 0) return;
  const qint64 version = d->ws->dataVersion();
  if (version == d->dataVersion) return;
  d->dataVersion = version;
  // Another process committed (a training step, a label batch, a decode).
  // Read again only when it concerns this utterance: a new set, targets or
  // result, or soft labels that were still being made.
  DetailRequest request;
  QString error;
  if (!queryDetailRequest(d->ws->database(), d->ws->rootPath(), d->utteranceId, d->softLabelSetId,
                          &request, &error)) {
    clear();
    d->status->setText(error);
    return;
  }
  // A set being labeled may hold the utterance now (cheap to look again;
  // not while it plays: the next commit comes soon enough).
  const bool labelsPending = d->data && request.softLabelSetId >= 0 &&
                             !d->data->softLabelProblem.isEmpty() && !d->player->isPlaying();
  if (labelsPending || !sameContent(request, d->request))
    showUtterance(d->utteranceId, d->softLabelSetId);
}

qint64 UtteranceDetail::utteranceId() const { return d->utteranceId; }
bool UtteranceDetail::isLoading() const { return d->loading; }
AudioPlayer* UtteranceDetail::player() const { return d->player; }

void UtteranceDetail::keyPressEvent(QKeyEvent* event) {
  if (event->key() == Qt::Key_Space && event->modifiers() == Qt::NoModifier) {
    togglePlayback();
    event->accept();
    return;
  }
  QWidget::keyPressEvent(event);
}

void UtteranceDetail::togglePlayback() {
  if (!d->player->deviceProblem().isEmpty()) {
    d->playbackNote->setText(d->player->deviceProblem());
    return;
  }
  d->player->togglePlayPause();
}

void UtteranceDetail::onLoaded(std::shared_ptr<DetailData> data, quint64 serial) {
  if (serial != d->serial) return;  // a newer utterance was asked for meanwhile
  d->loading = false;
  d->data = std::move(data);
  const DetailData& x = *d->data;
  d->status->clear();
  QStringList notes;
  for (const QString& n : {x.audioProblem, x.softLabelProblem, x.targetsProblem})
    if (!n.isEmpty()) notes << n;
  // Decoding needs a transcript to score against (not on unlabeled sets).
  if (d->request.hypotheses.isEmpty() && !d->request.text.isEmpty())
    notes << tr("No decoding results for this utterance; decode the dataset with: understudy-cli "
                "decode -w %1 --model MODEL --dataset %2")
                 .arg(d->request.workspaceRoot, d->request.dataset);
  d->notes->setText(notes.join(QLatin1Char('\n')));
  d->notes->setVisible(!notes.isEmpty());
  d->player->setAudio(x.samples, x.sampleRate);
  d->play->setEnabled(d->player->canPlay());
  buildPlots();
  setHypotheses(d->request.hypotheses);
  emit loaded(x.utteranceId);
}

void UtteranceDetail::resetPlot() {
  QCustomPlot* plot = d->plot;
  d->cursors.clear();
  plot->clearItems();
  plot->clearPlottables();
  plot->plotLayout()->clear();
  delete d->margins;
  d->margins = nullptr;
  plot->replot(QCustomPlot::rpQueuedReplot);
}

void UtteranceDetail::buildPlots() {
  resetPlot();
  const DetailData& x = *d->data;
  QCustomPlot* plot = d->plot;
  auto* margins = d->margins = new QCPMarginGroup(plot);
  QList<QCPAxisRect*> rects;
  double duration = x.sampleRate > 0 ? static_cast<double>(x.samples.size()) / x.sampleRate : 0.0;
  duration = std::max(duration, x.softLabels.frames * kModelFrameSeconds);
  duration = std::max(duration, static_cast<double>(x.targets.size()) * kModelFrameSeconds);

  if (!x.samples.empty()) {
    QCPAxisRect* rect = addLane(plot, margins, tr("wave"), 1);
    rect->axis(QCPAxis::atLeft)->ticker()->setTickCount(2);  // -1, 0, 1: a small lane
    auto* wave = plot->addGraph(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
    wave->setObjectName(QStringLiteral("waveform"));
    const QVector<double> keys(x.waveTimes.begin(), x.waveTimes.end());
    const QVector<double> values(x.waveValues.begin(), x.waveValues.end());
    wave->setData(keys, values, true);
    wave->setPen(QPen(QColor(0x37, 0x47, 0x4f)));
    rect->axis(QCPAxis::atLeft)->setRange(-1, 1);
    rects << rect;
  }
  if (x.fbankFrames > 0) {
    QCPAxisRect* rect = addLane(plot, margins, tr("mel"), 2);
    QCPColorMap* map = addColorMap(rect, QStringLiteral("spectrogram"));
    map->data()->setSize(x.fbankFrames, x.fbankDim);
    setKeyRange(map->data(), x.fbankFrames, fbankFrameCentre, QCPRange(0, x.fbankDim - 1));
    for (int i = 0; i < x.fbankFrames; ++i)
      for (int b = 0; b < x.fbankDim; ++b)
        map->data()->setCell(i, b, x.fbank[static_cast<std::size_t>(i) * x.fbankDim + b]);
    map->setGradient(QCPColorGradient(QCPColorGradient::gpThermal));
    map->rescaleDataRange(true);
    rect->axis(QCPAxis::atLeft)->setRange(-0.5, x.fbankDim - 0.5);
    rects << rect;
  }
  if (!x.targets.empty()) {
    QCPAxisRect* rect = addLane(plot, margins, tr("truth"), 1);
    QCPColorMap* lane = addColorMap(rect, QStringLiteral("alignmentLane"));
    const int frames = static_cast<int>(x.targets.size());
    setLaneCells(lane->data(), frames, [&](int t) { return x.targets[static_cast<std::size_t>(t)]; });
    QCPColorGradient hues(QCPColorGradient::gpHues);
    hues.setPeriodic(true);
    lane->setGradient(hues);
    lane->setDataRange(QCPRange(0, std::max(1, static_cast<int>(x.unitNames.size()))));
    rect->axis(QCPAxis::atLeft)->setRange(-0.5, 0.5);
    rect->axis(QCPAxis::atLeft)->setTicks(false);
    // One label per run of the same unit, at the run's middle.
    for (int begin = 0; begin < frames;) {
      int end = begin;
      while (end < frames && x.targets[static_cast<std::size_t>(end)] == x.targets[static_cast<std::size_t>(begin)]) ++end;
      const int id = x.targets[static_cast<std::size_t>(begin)];
      auto* text = new QCPItemText(plot);
      text->setClipAxisRect(rect);
      text->setClipToAxisRect(true);
      text->position->setAxes(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
      text->position->setCoords((begin + end) / 2.0 * kModelFrameSeconds, 0);
      text->setText(id < x.unitNames.size() ? x.unitNames[id] : QString::number(id));
      begin = end;
    }
    rects << rect;
  }
  if (x.softLabels.frames > 0) {
    const std::vector<int> rows = heatmapUnits(x.softLabels, x.targets);
    QCPAxisRect* rect = addLane(plot, margins, tr("soft labels"), 5);
    QCPColorMap* heat = addColorMap(rect, QStringLiteral("softLabelHeatmap"));
    QVariantList unitIds;
    for (int id : rows) unitIds << id;
    heat->setProperty("unitIds", unitIds);
    const int frames = x.softLabels.frames, k = x.softLabels.k;
    heat->data()->setSize(frames, static_cast<int>(rows.size()));
    setKeyRange(heat->data(), frames, modelFrameCentre,
                QCPRange(0, std::max<double>(0, static_cast<double>(rows.size()) - 1)));
    heat->data()->fill(0.0);  // units outside a frame's top-k: 0
    for (int t = 0; t < frames; ++t)
      for (int j = 0; j < k; ++j) {
        const int row = static_cast<int>(
            std::lower_bound(rows.begin(), rows.end(), x.softLabels.id(t, j)) - rows.begin());
        heat->data()->setCell(t, row, x.softLabels.prob(t, j));
      }
    // The colour scale (p from 0 to 1) at the lane's right.
    auto* scale = new QCPColorScale(plot);
    scale->setObjectName(QStringLiteral("softLabelScale"));
    scale->setLabel(tr("p"));
    scale->setBarWidth(8);
    heat->setColorScale(scale);
    scale->setGradient(probabilityGradient());  // the map takes the scale's
    scale->setDataRange(QCPRange(0, 1));
    plot->plotLayout()->addElement(plot->plotLayout()->rowCount() - 1, 1, scale);
    scale->setMarginGroup(QCP::msTop | QCP::msBottom, margins);
    rect->axis(QCPAxis::atLeft)->setTicker(unitTicker(rows, x.unitNames));
    rect->axis(QCPAxis::atLeft)->setRange(-0.5, static_cast<double>(rows.size()) - 0.5);
    if (!x.targets.empty()) {
      // The true unit as a line over the heatmap.
      auto* truth = plot->addGraph(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
      truth->setObjectName(QStringLiteral("truthOverHeatmap"));
      truth->setLineStyle(QCPGraph::lsStepCenter);
      truth->setPen(QPen(QColor(0x00, 0x96, 0x88), 1.5));
      truth->setName(tr("true unit"));
      for (std::size_t t = 0; t < x.targets.size(); ++t) {
        const auto row = std::lower_bound(rows.begin(), rows.end(), x.targets[t]) - rows.begin();
        truth->addData(modelFrameCentre(static_cast<int>(t)), static_cast<double>(row));
      }
    }
    rects << rect;

    QCPAxisRect* entropyRect = addLane(plot, margins, tr("entropy"), 1);
    auto* entropy = plot->addGraph(entropyRect->axis(QCPAxis::atBottom), entropyRect->axis(QCPAxis::atLeft));
    entropy->setObjectName(QStringLiteral("entropy"));
    for (int t = 0; t < frames; ++t) entropy->addData(modelFrameCentre(t), x.entropy[static_cast<std::size_t>(t)]);
    entropy->setLineStyle(QCPGraph::lsStepCenter);
    entropy->setPen(QPen(QColor(0x6a, 0x1b, 0x9a)));
    entropyRect->axis(QCPAxis::atLeft)->setRange(0, std::max(0.05, std::log(std::max(2, k))));
    rects << entropyRect;

    if (!x.targets.empty()) {
      // Where the teacher's top-1 is the true unit (1) and where not (0).
      QCPAxisRect* agreeRect = addLane(plot, margins, tr("top-1 = truth"), 1);
      QCPColorMap* agree = addColorMap(agreeRect, QStringLiteral("top1VsTruth"));
      const int n = std::min(frames, static_cast<int>(x.targets.size()));
      setLaneCells(agree->data(), n, [&](int t) {
        return x.softLabels.id(t, 0) == x.targets[static_cast<std::size_t>(t)] ? 1.0 : 0.0;
      });
      QCPColorGradient redGreen;
      redGreen.setColorStopAt(0, QColor(0xc6, 0x28, 0x28));
      redGreen.setColorStopAt(1, QColor(0xc8, 0xe6, 0xc9));
      agree->setGradient(redGreen);
      agree->setDataRange(QCPRange(0, 1));
      agreeRect->axis(QCPAxis::atLeft)->setRange(-0.5, 0.5);
      agreeRect->axis(QCPAxis::atLeft)->setTicks(false);
      rects << agreeRect;
    }
  }
  if (rects.isEmpty()) {
    plot->replot(QCustomPlot::rpQueuedReplot);
    return;
  }
  rects.last()->axis(QCPAxis::atBottom)->setTickLabels(true);
  rects.last()->axis(QCPAxis::atBottom)->setLabel(tr("time (s)"));
  for (QCPAxisRect* rect : rects) {
    QCPAxis* xAxis = rect->axis(QCPAxis::atBottom);
    xAxis->setRange(0, std::max(duration, kModelFrameSeconds));
    for (QCPAxisRect* other : rects)
      if (other != rect)
        connect(xAxis, qOverload<const QCPRange&>(&QCPAxis::rangeChanged),
                other->axis(QCPAxis::atBottom), qOverload<const QCPRange&>(&QCPAxis::setRange));
    auto* cursor = new QCPItemStraightLine(plot);
    cursor->setClipAxisRect(rect);
    cursor->point1->setAxes(xAxis, rect->axis(QCPAxis::atLeft));
    cursor->point2->setAxes(xAxis, rect->axis(QCPAxis::atLeft));
    cursor->setPen(QPen(QColor(0x00, 0x78, 0xd7), 1.5));
    d->cursors << cursor;
  }
  moveCursor(d->player->position());
}

void UtteranceDetail::moveCursor(double seconds) {
  for (QCPItemStraightLine* cursor : d->cursors) {
    cursor->point1->setCoords(seconds, 0);
    cursor->point2->setCoords(seconds, 1);
  }
  d->position->setText(d->data ? tr("%1 s").arg(seconds, 0, 'f', 2) : QString());
  d->plot->replot(QCustomPlot::rpQueuedReplot);
}

void UtteranceDetail::seekToPixel(QMouseEvent* event) {
  QCPAxisRect* rect = d->plot->axisRectAt(event->position());
  if (!rect || !d->data) return;
  const double seconds = rect->axis(QCPAxis::atBottom)->pixelToCoord(event->position().x());
  d->player->seek(seconds);
  if (d->player->durationSeconds() <= 0) moveCursor(std::max(0.0, seconds));
}

void UtteranceDetail::setHypotheses(const QList<HypothesisRow>& rows) {
  while (d->hypothesesLayout->count() > 1) {
    QLayoutItem* item = d->hypothesesLayout->takeAt(0);
    delete item->widget();
    delete item;
  }
  int at = 0;
  for (const HypothesisRow& h : rows) {
    auto* header = new QLabel(tr("<b>%1</b> (%2): %3 correct, %4 substituted, %5 deleted, %6 inserted")
                                  .arg(h.model.toHtmlEscaped(),
                                       h.role.isEmpty() ? tr("model") : h.role.toHtmlEscaped())
                                  .arg(h.corr).arg(h.sub).arg(h.del).arg(h.ins));
    auto* line = new QLabel;
    line->setObjectName(QStringLiteral("hypothesis:%1").arg(h.model));
    line->setProperty("evaluationId", h.evaluationId);
    line->setTextFormat(Qt::RichText);
    line->setTextInteractionFlags(Qt::TextSelectableByMouse);
    const QList<AlignedColumn> columns = parseScliteAlignment(h.alignment);
    line->setText(columns.isEmpty() ? QStringLiteral("<pre style=\"margin:0\">HYP: %1</pre>")
                                          .arg(h.hypothesis.toHtmlEscaped())
                                    : alignmentHtml(columns));
    d->hypothesesLayout->insertWidget(at++, header);
    d->hypothesesLayout->insertWidget(at++, line);
  }
  // No empty box under the plots when nothing was decoded (the notes say so).
  d->hypothesesScroll->setVisible(!rows.isEmpty());
}

}  // namespace understudy::ui

#include "utterance_detail.moc"
