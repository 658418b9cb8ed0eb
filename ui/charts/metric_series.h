// What the training charts hold in memory: one MetricSeries per (run, metric
// name), in step order, with its debiased EMA kept up to date as points
// arrive, and the wide CSV written from them. No QCustomPlot, no SQL.
#pragma once

#include <QHash>
#include <QIODevice>
#include <QList>
#include <QString>
#include <QStringList>
#include <map>
#include <memory>
#include <utility>
#include <vector>

#include "ui/charts/envelope.h"
#include "ui/charts/smoothing.h"

namespace understudy::ui::charts {

struct MetricSeries {
  qint64 runId = 0;
  QString name;
  std::vector<double> step;  // strictly increasing
  std::vector<double> value;
  std::vector<double> wall;    // seconds since the Unix epoch, non-decreasing
  std::vector<double> smooth;  // debiased EMA of value, same length
  ExtremaIndex valueIndex;     // block extremes of value, for fast envelopes
  ExtremaIndex smoothIndex;    // and of smooth

  // Appends one point. A step at or before the last one means the run was
  // resumed from an earlier checkpoint and records those steps again: the
  // points from that step on are dropped first, so the latest record wins.
  void append(double step, double value, double wallTime);
  void setSmoothing(double weight);
  void clear();
  std::size_t size() const { return step.size(); }

 private:
  void resmooth();
  DebiasedEma m_ema;
};

// The charts' panels: which metric names each one draws (docs/gui.md,
// "Training charts"). Names come from the trainer (core/train/trainer.cpp).
// KnowledgeDistillation draws a student's KD streams, their loss
// (train/<stream>/kd_loss, left axis) beside their agreement with the teacher
// (train/<stream>/teacher_agreement, right axis); those metrics are in the
// Loss and FrameAccuracy panels too.
enum class ChartPanel {
  Loss,
  FrameAccuracy,
  LearningRate,
  FramesPerSecond,
  BytesPerStep,
  Other,
  KnowledgeDistillation
};
QList<ChartPanel> allChartPanels();
QString chartPanelTitle(ChartPanel panel);
// The panel of one metric (never KnowledgeDistillation: see chartPanelShows).
ChartPanel chartPanelOf(const QString& metricName);
// A KD stream's train/<stream>/kd_loss or train/<stream>/teacher_agreement.
bool isKdStreamMetric(const QString& metricName);
// train/<stream>/teacher_agreement: drawn on the right axis of the KD panel.
bool isTeacherAgreementMetric(const QString& metricName);
// Whether `panel` draws the metric.
bool chartPanelShows(ChartPanel panel, const QString& metricName);

// The metric the trainer records for hours of audio: the 10 ms input frames
// the rank trained on since the previous logged step (docs/training.md "Metrics").
inline const QString kInputFramesMetric = QStringLiteral("train/input_frames");

// Hours of audio trained on up to and including each of `steps` (ascending),
// from a run's train/input_frames series: the running sum of its values
// / 100 / 3600. At a logged step, exactly that sum; between two logged steps,
// linear in the step; before the first, linear from 0 h at step 0; after the
// last, the last sum (the frames since are not recorded yet). Non-decreasing.
std::vector<double> audioHoursAt(const MetricSeries& inputFrames, const std::vector<double>& steps);

class MetricSeriesStore {
 public:
  using Key = std::pair<qint64, QString>;

  void clear() { m_series.clear(); }
  // Forgets the runs not in `runIds`.
  void retainRuns(const QList<qint64>& runIds);
  MetricSeries& series(qint64 runId, const QString& name);
  const MetricSeries* find(qint64 runId, const QString& name) const;
  void setSmoothing(double weight);
  double smoothing() const { return m_smoothing; }
  // Every series, ordered by run id, then name.
  std::vector<const MetricSeries*> all() const;
  std::size_t pointCount() const;

  // The wide CSV: a header `step,<label of run>/<metric>,...` and one row per
  // step any series has, its raw values (an empty cell where a series has no
  // point at that step). `runLabel` names a run's columns ("run 12" when absent).
  // Returns false and sets *error when the device cannot be written.
  bool writeWideCsv(QIODevice& out, const QHash<qint64, QString>& runLabel,
                    QString* error = nullptr) const;

 private:
  std::map<Key, std::unique_ptr<MetricSeries>> m_series;
  double m_smoothing = 0.0;
};

}  // namespace understudy::ui::charts
