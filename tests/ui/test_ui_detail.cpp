// The utterance detail panel (ui/browser/utterance_detail): on a small real
// workspace made here with the core writers (a WAV from core/audio, a
// SoftLabelStore, a TargetStore, evaluations with sclite alignments from
// core/decode's scorer), the heatmap's cells are the store's probabilities,
// the alignment lane is the targets, the coloured words of each hypothesis
// are exactly the stored alignment's errors, playback without an audio device
// says so and crashes nothing (Space, Play, a click to seek), and a missing
// soft-label store or audio file is reported while the rest still shows.
// Runs offscreen (QT_QPA_PLATFORM=offscreen, set by CTest).
#include <qcustomplot.h>

#include <QLabel>
#include <QPushButton>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>
#include <vector>

#include "core/align/target_store.h"
#include "core/audio/audio_io.h"
#include "core/decode/scoring.h"
#include "core/store/catalog.h"
#include "core/store/evaluation_store.h"
#include "core/store/model_registry.h"
#include "core/store/record_store.h"
#include "core/store/soft_label_store.h"
#include "core/store/unit_inventory.h"
#include "core/store/workspace.h"
#include "ui/browser/audio_player.h"
#include "ui/browser/utterance_detail.h"
#include "ui/browser/utterance_detail_data.h"

using namespace understudy;
using namespace understudy::ui;
using namespace understudy::decode;
namespace fs = std::filesystem;

namespace {

constexpr int kRate = 16000;
constexpr int kUnits = 7;
constexpr int kTopK = 3;
const std::vector<std::string> kUnitNames = {"sil", "a", "b", "c", "d", "e", "f"};

std::vector<std::string> words(const std::string& text) {
  std::vector<std::string> out;
  for (const QString& w : QString::fromStdString(text).split(QLatin1Char(' '), Qt::SkipEmptyParts))
    out.push_back(w.toStdString());
  return out;
}

// The true unit of frame t: runs of 4 frames cycling through the units.
std::int32_t truth(int t) { return (t / 4) % kUnits; }

// Frame t's top-k: mostly the truth first; every 5th frame the teacher is wrong.
void softLabelFrame(int t, std::int32_t* ids, float* probs) {
  const std::int32_t top = t % 5 == 2 ? (truth(t) + 1) % kUnits : truth(t);
  ids[0] = top;
  ids[1] = (top + 2) % kUnits;
  ids[2] = (top + 3) % kUnits;
  const float p0 = 0.5f + 0.01f * static_cast<float>(t % 30);
  probs[0] = p0;
  probs[1] = (1.0f - p0) * 0.75f;
  probs[2] = 1.0f - p0 - probs[1];
}

QCPAbstractPlottable* plottable(QCustomPlot* plot, const QString& name) {
  for (int i = 0; i < plot->plottableCount(); ++i)
    if (plot->plottable(i)->objectName() == name) return plot->plottable(i);
  return nullptr;
}

}  // namespace

class TestUiDetail : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase();
  void heatmapCellsAreTheStoresProbabilities();
  void alignmentLaneIsTheTargets();
  void hypothesisColoursMarkExactlyTheStoredErrors();
  void playbackWithoutADeviceReportsItAndDoesNotCrash();
  void missingSoftLabelsAreReportedAndTheWaveformStillShows();
  void missingAudioIsReportedAndTheSoftLabelsStillShow();
  void longWaveformsKeepEveryPeak();
  void playbackWithADevicePlaysPausesSeeksAndEnds();

 private:
  // Shows the utterance and waits for the worker thread's result.
  void show(UtteranceDetail& detail, qint64 id);

  QTemporaryDir m_dir;
  fs::path m_root;
  std::vector<float> m_fileSamples;  // the whole WAV
  qint64 m_u1 = 0, m_gone = 0, m_unlabeled = 0;
  int m_u1Frames = 0;
  std::map<std::string, std::string> m_alignments;  // model -> stored alignment text
};

void TestUiDetail::initTestCase() {
  QVERIFY(m_dir.isValid());
  m_root = fs::path(m_dir.path().toStdString()) / "ws";
  Workspace ws = Workspace::create(m_root);
  Catalog catalog(ws);

  // 2 s of a rising tone; the utterance is 1.2 s from 0.5 s (as a Kaldi segment).
  for (int i = 0; i < 2 * kRate; ++i)
    m_fileSamples.push_back(0.5f * static_cast<float>(std::sin(0.002 * i * i / kRate * 440.0)));
  fs::create_directories(m_root / "audio");
  writeWav((m_root / "audio/rec.wav").string(), m_fileSamples, kRate);

  const UnitInventory units(kUnitNames);
  const std::int64_t inventory = recordUnitInventory(ws.db(), units, "phones-7-test", "test");
  ModelRow teacher;
  teacher.name = "teacher";
  teacher.role = "teacher";
  teacher.unitInventoryId = inventory;
  const std::int64_t teacherId = registerModel(ws.db(), teacher);
  ModelRow student = teacher;
  student.name = "student-a";
  student.role = "student";
  const std::int64_t studentId = registerModel(ws.db(), student);

  auto utterance = [](std::string key, std::string audio, double offset, double duration,
                      std::string text) {
    UtteranceRow u;
    u.key = std::move(key);
    u.audioPath = std::move(audio);
    u.offset = offset;
    u.duration = duration;
    u.sampleRate = kRate;
    u.text = std::move(text);
    return u;
  };
  const std::string reference = "the cat sat on the mat";
  DatasetRow ds;
  ds.name = "ds";
  ds.kind = "test";
  ds.source = "synthetic";
  const std::int64_t dsId = catalog.registerDataset(
      ds, {utterance("u1", "audio/rec.wav", 0.5, 1.2, reference),
           utterance("u2", "audio/gone.wav", 0.0, 0.9, "a b")});
  DatasetRow ds2 = ds;
  ds2.name = "ds2";
  catalog.registerDataset(ds2, {utterance("v1", "audio/rec.wav", 0.0, 2.0, "x")});
  SQLite::Statement ids(ws.db(), "SELECT u.id, u.key FROM utterances u ORDER BY u.id");
  while (ids.executeStep()) {
    const std::string key = ids.getColumn(1).getString();
    const qint64 id = ids.getColumn(0).getInt64();
    (key == "u1" ? m_u1 : key == "u2" ? m_gone : m_unlabeled) = id;
  }

  // Targets and soft labels: 40 frames of 30 ms for u1, 30 for u2.
  m_u1Frames = 40;
  const std::map<std::string, int> frames = {{"u1", m_u1Frames}, {"u2", 30}};
  const fs::path targetsDir = m_root / "alignments/ds/targets-test";
  RecordStoreOptions ro;
  ro.type = ElementType::Int32;
  ro.cols = 1;
  ro.kind = TargetStore::kKind;
  RecordStore targets = RecordStore::create(targetsDir, ro);
  SoftLabelStoreOptions so;
  so.k = kTopK;
  so.numUnits = kUnits;
  so.model = "teacher";
  SoftLabelStore labels = SoftLabelStore::create(m_root / "softlabels/ds-teacher", so);
  for (const auto& [key, n] : frames) {
    std::vector<std::int32_t> y(static_cast<std::size_t>(n)), top(static_cast<std::size_t>(n) * kTopK);
    std::vector<float> p(top.size());
    for (int t = 0; t < n; ++t) {
      y[static_cast<std::size_t>(t)] = truth(t);
      softLabelFrame(t, &top[static_cast<std::size_t>(t) * kTopK], &p[static_cast<std::size_t>(t) * kTopK]);
    }
    targets.append(key, y.data(), static_cast<std::uint32_t>(n), 1);
    labels.append(key, n, top.data(), p.data());
  }
  targets.commit();
  labels.commit();
  units.save(targetsDir / TargetStore::kUnitsFile);
  AlignmentSetRow alignmentSet;
  alignmentSet.datasetId = dsId;
  alignmentSet.name = Catalog::kTargetsAlignmentSet;
  alignmentSet.source = "synthetic";
  alignmentSet.path = "alignments/ds/targets-test";
  alignmentSet.frameShiftMs = 30;
  catalog.registerAlignmentSet(alignmentSet);
  SoftLabelSetRow set;
  set.datasetId = dsId;
  set.modelId = teacherId;
  set.k = kTopK;
  set.path = "softlabels/ds-teacher";
  catalog.registerSoftLabelSet(set);

  // Decoding results of both models, alignments as `decode` stores them.
  EvaluationStore evals(ws);
  const std::map<std::string, std::pair<std::int64_t, std::string>> hyps = {
      {"teacher", {teacherId, "the bat sat on the mat"}},
      {"student-a", {studentId, "a cat sat the mat now"}}};
  for (const auto& [model, h] : hyps) {
    const UtteranceScore score = alignWords(words(reference), words(h.second));
    Evaluation e;
    e.modelId = h.first;
    e.datasetId = dsId;
    UtteranceResult r;
    r.key = "u1";
    r.hypothesis = h.second;
    r.corr = score.counts.corr;
    r.sub = score.counts.sub;
    r.del = score.counts.del;
    r.ins = score.counts.ins;
    r.alignment = formatAlignment(score);
    m_alignments[model] = r.alignment;
    e.utterances.push_back(r);
    evals.write(e);
  }
}

void TestUiDetail::show(UtteranceDetail& detail, qint64 id) {
  QSignalSpy loaded(&detail, &UtteranceDetail::loaded);
  detail.showUtterance(id);
  // The reading happens on the worker thread: showUtterance returned at once.
  QVERIFY(detail.isLoading());
  QVERIFY(loaded.wait(10000));
  QCOMPARE(loaded.first().first().toLongLong(), id);
  QVERIFY(!detail.isLoading());
}

void TestUiDetail::heatmapCellsAreTheStoresProbabilities() {
  UtteranceDetail detail;
  QVERIFY(detail.setWorkspacePath(QString::fromStdString(m_root.string())));
  show(detail, m_u1);
  auto* plot = detail.findChild<QCustomPlot*>(QStringLiteral("detailPlot"));
  QVERIFY(plot);
  auto* heat = qobject_cast<QCPColorMap*>(plottable(plot, QStringLiteral("softLabelHeatmap")));
  QVERIFY(heat);

  const SoftLabels stored = SoftLabelStore::open(m_root / "softlabels/ds-teacher").read("u1");
  QCOMPARE(stored.frames, m_u1Frames);
  const QVariantList rows = heat->property("unitIds").toList();
  // Rows: the units in this utterance's top-k (or its targets), by id.
  std::set<int> expectedRows(stored.ids.begin(), stored.ids.end());
  for (int t = 0; t < m_u1Frames; ++t) expectedRows.insert(truth(t));
  QCOMPARE(rows.size(), static_cast<qsizetype>(expectedRows.size()));
  QCOMPARE(heat->data()->keySize(), stored.frames);
  QCOMPARE(heat->data()->valueSize(), static_cast<int>(rows.size()));
  for (int t = 0; t < stored.frames; ++t)
    for (int r = 0; r < rows.size(); ++r) {
      double expected = 0.0;  // not in the frame's top-k
      for (int j = 0; j < stored.k; ++j)
        if (stored.id(t, j) == rows[r].toInt()) expected = stored.prob(t, j);
      // Exactly: the store's float, not a rounding of it.
      QVERIFY2(heat->data()->cell(t, r) == expected,
               qPrintable(QStringLiteral("frame %1, unit %2: %3, the store holds %4")
                              .arg(t).arg(rows[r].toInt()).arg(heat->data()->cell(t, r), 0, 'g', 17)
                              .arg(expected, 0, 'g', 17)));
    }
  // The frames sit on the 30 ms grid of the other plots (centres 15 ms, 45 ms, ...).
  QCOMPARE(heat->data()->keyRange().lower, 0.015);
  QVERIFY(std::abs(heat->data()->keyRange().upper - (m_u1Frames - 0.5) * 0.03) < 1e-12);
  auto* entropy = qobject_cast<QCPGraph*>(plottable(plot, QStringLiteral("entropy")));
  QVERIFY(entropy);
  QCOMPARE(entropy->dataCount(), stored.frames);
  double h0 = 0;
  for (int j = 0; j < stored.k; ++j) {
    const double p = stored.prob(0, j);
    h0 -= p * std::log(p);
  }
  QCOMPARE(entropy->data()->at(0)->value, h0);
}

void TestUiDetail::alignmentLaneIsTheTargets() {
  UtteranceDetail detail;
  QVERIFY(detail.setWorkspacePath(QString::fromStdString(m_root.string())));
  show(detail, m_u1);
  auto* plot = detail.findChild<QCustomPlot*>(QStringLiteral("detailPlot"));
  auto* lane = qobject_cast<QCPColorMap*>(plottable(plot, QStringLiteral("alignmentLane")));
  QVERIFY(lane);
  const std::vector<std::int32_t> targets =
      TargetStore::open(m_root / "alignments/ds/targets-test").read("u1");
  QCOMPARE(lane->data()->keySize(), static_cast<int>(targets.size()));
  for (int t = 0; t < static_cast<int>(targets.size()); ++t)
    QVERIFY(lane->data()->cell(t, 0) == static_cast<double>(targets[static_cast<std::size_t>(t)]));
  QCOMPARE(lane->data()->keyRange(), QCPRange(0.015, (targets.size() - 0.5) * 0.03));
  // The truth-against-top-1 lane: 0 exactly where the teacher's top-1 is not the truth.
  auto* agree = qobject_cast<QCPColorMap*>(plottable(plot, QStringLiteral("top1VsTruth")));
  QVERIFY(agree);
  const SoftLabels stored = SoftLabelStore::open(m_root / "softlabels/ds-teacher").read("u1");
  int wrong = 0;
  for (int t = 0; t < stored.frames; ++t) {
    const bool same = stored.id(t, 0) == targets[static_cast<std::size_t>(t)];
    wrong += same ? 0 : 1;
    QCOMPARE(agree->data()->cell(t, 0), same ? 1.0 : 0.0);
  }
  QCOMPARE(wrong, m_u1Frames / 5);
}

void TestUiDetail::hypothesisColoursMarkExactlyTheStoredErrors() {
  UtteranceDetail detail;
  QVERIFY(detail.setWorkspacePath(QString::fromStdString(m_root.string())));
  show(detail, m_u1);
  static const QRegularExpression span(QStringLiteral("<span[^>]*data-op=\"(.)\">([^<]*)</span>"));
  for (const auto& [model, alignment] : m_alignments) {
    auto* line = detail.findChild<QLabel*>(QStringLiteral("hypothesis:%1").arg(QString::fromStdString(model)));
    QVERIFY2(line, model.c_str());
    // What the stored alignment holds (its Eval line marks the errors):
    // every error column's REF word, then its HYP word.
    const UtteranceScore score =
        alignWords(words("the cat sat on the mat"),
                   words(model == "teacher" ? "the bat sat on the mat" : "a cat sat the mat now"));
    QCOMPARE(formatAlignment(score), alignment);
    QStringList expected, refErrors, hypErrors;
    for (const AlignedWord& w : score.alignment) {
      if (w.op == EditOp::Correct) continue;
      const char op = w.op == EditOp::Substitution ? 'S' : w.op == EditOp::Deletion ? 'D' : 'I';
      const QString ref = w.op == EditOp::Insertion ? QString(static_cast<int>(w.hyp.size()), QLatin1Char('*'))
                                                    : QString::fromStdString(w.ref).toUpper();
      const QString hyp = w.op == EditOp::Deletion ? QString(static_cast<int>(w.ref.size()), QLatin1Char('*'))
                                                   : QString::fromStdString(w.hyp).toUpper();
      refErrors << QStringLiteral("%1 %2").arg(QLatin1Char(op)).arg(ref);
      hypErrors << QStringLiteral("%1 %2").arg(QLatin1Char(op)).arg(hyp);
    }
    QVERIFY(!refErrors.isEmpty());
    expected = refErrors + hypErrors;
    QStringList coloured;
    for (auto it = span.globalMatch(line->text()); it.hasNext();) {
      const auto m = it.next();
      coloured << QStringLiteral("%1 %2").arg(m.captured(1), m.captured(2));
    }
    QCOMPARE(coloured, expected);
  }
  auto labels = detail.findChildren<QLabel*>(QRegularExpression(QStringLiteral("^hypothesis:")));
  QCOMPARE(labels.size(), 2);
}

void TestUiDetail::playbackWithoutADeviceReportsItAndDoesNotCrash() {
  // A player given no device (as QMediaDevices gives none on this machine).
  AudioPlayer player(QAudioDevice(), nullptr);
  QVERIFY(!player.deviceProblem().isEmpty());
  player.setAudio(m_fileSamples, kRate);
  QVERIFY(!player.canPlay());
  QSignalSpy errors(&player, &AudioPlayer::errorOccurred);
  player.play();
  QCOMPARE(errors.size(), 1);
  QVERIFY(!player.isPlaying());
  player.seek(1.25);
  QCOMPARE(player.position(), 1.25);

  if (!AudioPlayer::defaultOutput().isNull())
    QSKIP("this machine has an audio output device; the panel part needs none");
  UtteranceDetail detail;
  QVERIFY(detail.setWorkspacePath(QString::fromStdString(m_root.string())));
  detail.resize(900, 800);
  detail.show();
  QVERIFY(QTest::qWaitForWindowExposed(&detail));
  show(detail, m_u1);
  auto* note = detail.findChild<QLabel*>(QStringLiteral("playbackNote"));
  QVERIFY(note->text().contains(QStringLiteral("No audio output device")));
  auto* play = detail.findChild<QPushButton*>(QStringLiteral("playButton"));
  QVERIFY(!play->isEnabled());
  QTest::keyClick(&detail, Qt::Key_Space);
  QTest::mouseClick(play, Qt::LeftButton);
  QVERIFY(!detail.player()->isPlaying());
  // A click on a plot still moves the cursor (the position to play from).
  auto* plot = detail.findChild<QCustomPlot*>(QStringLiteral("detailPlot"));
  QCPAxisRect* rect = plot->axisRect(0);
  QTRY_VERIFY(rect->width() > 100);  // laid out by the queued replot
  const int x = rect->left() + rect->width() / 2;
  const double seconds = rect->axis(QCPAxis::atBottom)->pixelToCoord(x);
  QTest::mouseClick(plot, Qt::LeftButton, {}, QPoint(x, rect->top() + rect->height() / 2));
  QVERIFY2(std::abs(detail.player()->position() - seconds) < 1e-9,
           qPrintable(QStringLiteral("at %1 s, clicked %2 s (rect %3 px wide)")
                          .arg(detail.player()->position()).arg(seconds).arg(rect->width())));
  QVERIFY(seconds > 0.3 && seconds < 0.9);
  // Everything else is there.
  QVERIFY(plottable(plot, QStringLiteral("softLabelHeatmap")));
  QVERIFY(plottable(plot, QStringLiteral("waveform")));
}

void TestUiDetail::missingSoftLabelsAreReportedAndTheWaveformStillShows() {
  UtteranceDetail detail;
  QVERIFY(detail.setWorkspacePath(QString::fromStdString(m_root.string())));
  show(detail, m_unlabeled);
  auto* notes = detail.findChild<QLabel*>(QStringLiteral("detailNotes"));
  QVERIFY2(notes->text().contains(QStringLiteral("understudy-cli label -w ")), qPrintable(notes->text()));
  QVERIFY(notes->text().contains(QStringLiteral("--model teacher --dataset ds2")));
  auto* plot = detail.findChild<QCustomPlot*>(QStringLiteral("detailPlot"));
  QVERIFY(!plottable(plot, QStringLiteral("softLabelHeatmap")));
  auto* wave = qobject_cast<QCPGraph*>(plottable(plot, QStringLiteral("waveform")));
  QVERIFY(wave);
  QCOMPARE(wave->dataCount(), 2 * kRate);
  const Audio file = readAudio((m_root / "audio/rec.wav").string());
  QCOMPARE(wave->data()->at(kRate)->value, static_cast<double>(file.samples[kRate]));
  QVERIFY(plottable(plot, QStringLiteral("spectrogram")));

  // The same for a set whose store folder is gone.
  const fs::path store = m_root / "softlabels/ds-teacher", away = m_root / "softlabels-away";
  fs::rename(store, away);
  show(detail, m_u1);
  fs::rename(away, store);
  QVERIFY2(notes->text().contains(QStringLiteral("is missing")), qPrintable(notes->text()));
  wave = qobject_cast<QCPGraph*>(plottable(plot, QStringLiteral("waveform")));
  QVERIFY(wave);
  // u1 is 1.2 s from 0.5 s of the file.
  QCOMPARE(wave->dataCount(), static_cast<int>(1.2 * kRate));
  QVERIFY(plottable(plot, QStringLiteral("alignmentLane")));
  QVERIFY(!plottable(plot, QStringLiteral("softLabelHeatmap")));
}

void TestUiDetail::missingAudioIsReportedAndTheSoftLabelsStillShow() {
  UtteranceDetail detail;
  QVERIFY(detail.setWorkspacePath(QString::fromStdString(m_root.string())));
  show(detail, m_gone);
  auto* notes = detail.findChild<QLabel*>(QStringLiteral("detailNotes"));
  QVERIFY2(notes->text().contains(QStringLiteral("gone.wav is gone")), qPrintable(notes->text()));
  QVERIFY(notes->text().contains(QStringLiteral("understudy-cli decode")));
  auto* plot = detail.findChild<QCustomPlot*>(QStringLiteral("detailPlot"));
  QVERIFY(!plottable(plot, QStringLiteral("waveform")));
  auto* heat = qobject_cast<QCPColorMap*>(plottable(plot, QStringLiteral("softLabelHeatmap")));
  QVERIFY(heat);
  QCOMPARE(heat->data()->keySize(), 30);
  QVERIFY(!detail.findChild<QPushButton*>(QStringLiteral("playButton"))->isEnabled());
}

void TestUiDetail::longWaveformsKeepEveryPeak() {
  // 30 s: drawn as each run's minimum and maximum, so no peak is lost.
  std::vector<float> samples(30 * kRate);
  for (std::size_t i = 0; i < samples.size(); ++i)
    samples[i] = 0.1f * static_cast<float>(std::sin(0.05 * static_cast<double>(i)));
  samples[123457] = 0.9f;   // a one-sample click
  samples[300001] = -0.8f;
  std::vector<double> times, values;
  waveformPoints(samples, kRate, kMaxWavePoints, &times, &values);
  QVERIFY(values.size() <= kMaxWavePoints);
  QVERIFY(values.size() > kMaxWavePoints / 2);
  QVERIFY(std::is_sorted(times.begin(), times.end()));
  const auto click = std::find(values.begin(), values.end(), static_cast<double>(0.9f));
  QVERIFY(click != values.end());
  QCOMPARE(times[static_cast<std::size_t>(click - values.begin())], 123457.0 / kRate);
  QVERIFY(std::find(values.begin(), values.end(), static_cast<double>(-0.8f)) != values.end());
  // Short ones: every sample.
  samples.resize(kRate);
  waveformPoints(samples, kRate, kMaxWavePoints, &times, &values);
  QCOMPARE(values.size(), samples.size());
}

// Needs an audio output (skipped without one, as on CI). A sound server's
// null sink will do: pulseaudio -n -L module-null-sink -L module-native-protocol-unix
void TestUiDetail::playbackWithADevicePlaysPausesSeeksAndEnds() {
  const QAudioDevice device = AudioPlayer::defaultOutput();
  if (device.isNull()) QSKIP("no audio output device here");
  AudioPlayer player(device, nullptr);
  QVERIFY(player.deviceProblem().isEmpty());
  const std::vector<float> samples(m_fileSamples.begin(), m_fileSamples.begin() + kRate * 6 / 10);
  player.setAudio(samples, kRate);
  QVERIFY(player.canPlay());
  QSignalSpy errors(&player, &AudioPlayer::errorOccurred);
  QSignalSpy moved(&player, &AudioPlayer::positionChanged);
  player.play();
  QVERIFY2(errors.isEmpty(), errors.isEmpty() ? "" : qPrintable(errors.first().first().toString()));
  QVERIFY(player.isPlaying());
  // The cursor moves with what the device has played (processedUSecs).
  QTRY_VERIFY_WITH_TIMEOUT(player.position() > 0.1, 3000);
  player.pause();
  QVERIFY(!player.isPlaying());
  const double pausedAt = player.position();
  QTest::qWait(150);
  QCOMPARE(player.position(), pausedAt);
  player.seek(0.45);
  QCOMPARE(player.position(), 0.45);
  player.play();
  QVERIFY(player.isPlaying());
  QVERIFY(player.position() >= 0.45);
  // 0.15 s left: it stops at the end by itself, the cursor there.
  QTRY_VERIFY_WITH_TIMEOUT(!player.isPlaying(), 5000);
  QCOMPARE(player.position(), player.durationSeconds());
  QVERIFY(moved.size() > 3);
  QVERIFY(errors.isEmpty());

  // In the panel: Space plays and pauses.
  UtteranceDetail detail;
  QVERIFY(detail.setWorkspacePath(QString::fromStdString(m_root.string())));
  show(detail, m_u1);
  QVERIFY(detail.findChild<QPushButton*>(QStringLiteral("playButton"))->isEnabled());
  QTest::keyClick(&detail, Qt::Key_Space);
  QVERIFY(detail.player()->isPlaying());
  QTest::keyClick(&detail, Qt::Key_Space);
  QVERIFY(!detail.player()->isPlaying());
}

QTEST_MAIN(TestUiDetail)
#include "test_ui_detail.moc"
