#include "ui/charts/metric_series.h"

#include <QCoreApplication>
#include <QLocale>
#include <algorithm>
#include <cmath>
#include <limits>

#include "ui/widgets/csv_field.h"

namespace understudy::ui::charts {

void MetricSeries::append(double s, double v, double wallTime) {
  if (!step.empty() && s <= step.back()) {
    const auto from =
        static_cast<std::size_t>(std::lower_bound(step.begin(), step.end(), s) - step.begin());
    step.resize(from);
    value.resize(from);
    wall.resize(from);
    step.push_back(s);
    value.push_back(v);
    wall.push_back(wall.empty() ? wallTime : std::max(wall.back(), wallTime));
    valueIndex.rebuild(value.data(), value.size());
    resmooth();
    return;
  }
  step.push_back(s);
  value.push_back(v);
  wall.push_back(wall.empty() ? wallTime : std::max(wall.back(), wallTime));
  smooth.push_back(m_ema.add(v));
  valueIndex.append(value.data(), value.size());
  smoothIndex.append(smooth.data(), smooth.size());
}

void MetricSeries::clear() {
  step.clear();
  value.clear();
  wall.clear();
  smooth.clear();
  valueIndex.rebuild(nullptr, 0);
  smoothIndex.rebuild(nullptr, 0);
  m_ema.reset();
}

void MetricSeries::setSmoothing(double weight) {
  if (weight == m_ema.weight() && smooth.size() == value.size()) return;
  m_ema.setWeight(weight);
  resmooth();
}

void MetricSeries::resmooth() {
  m_ema.reset();
  smooth.resize(value.size());
  for (std::size_t i = 0; i < value.size(); ++i) smooth[i] = m_ema.add(value[i]);
  smoothIndex.rebuild(smooth.data(), smooth.size());
}

std::vector<double> audioHoursAt(const MetricSeries& inputFrames,
                                 const std::vector<double>& steps) {
  constexpr double kFramesPerHour = 100.0 * 3600.0;
  const std::vector<double>& at = inputFrames.step;
  std::vector<double> total(at.size());  // hours up to and including at[i]
  double frames = 0.0;
  for (std::size_t i = 0; i < at.size(); ++i) {
    if (std::isfinite(inputFrames.value[i])) frames += inputFrames.value[i];
    total[i] = frames / kFramesPerHour;
  }
  std::vector<double> out(steps.size(), 0.0);
  if (at.empty()) return out;
  std::size_t j = 0;  // the first logged step >= steps[k]
  for (std::size_t k = 0; k < steps.size(); ++k) {
    const double s = steps[k];
    while (j < at.size() && at[j] < s) ++j;
    if (j == at.size()) {
      out[k] = total.back();
    } else if (at[j] == s) {
      out[k] = total[j];
    } else {
      const double s0 = j > 0 ? at[j - 1] : 0.0;
      const double h0 = j > 0 ? total[j - 1] : 0.0;
      const double t = at[j] > s0 ? std::clamp((s - s0) / (at[j] - s0), 0.0, 1.0) : 1.0;
      out[k] = h0 + t * (total[j] - h0);
    }
  }
  return out;
}

QList<ChartPanel> allChartPanels() {
  return {ChartPanel::Loss,         ChartPanel::FrameAccuracy,   ChartPanel::KnowledgeDistillation,
          ChartPanel::LearningRate, ChartPanel::FramesPerSecond, ChartPanel::BytesPerStep,
          ChartPanel::Other};
}

QString chartPanelTitle(ChartPanel panel) {
  // The context is a literal each time: lupdate reads only literals.
  switch (panel) {
    case ChartPanel::Loss:
      return QCoreApplication::translate("TrainingChartView", "Loss");
    case ChartPanel::FrameAccuracy:
      return QCoreApplication::translate("TrainingChartView", "Frame accuracy");
    case ChartPanel::LearningRate:
      return QCoreApplication::translate("TrainingChartView", "Learning rate");
    case ChartPanel::FramesPerSecond:
      return QCoreApplication::translate("TrainingChartView", "Frames/s");
    case ChartPanel::BytesPerStep:
      return QCoreApplication::translate("TrainingChartView", "Bytes per step");
    case ChartPanel::Other:
      return QCoreApplication::translate("TrainingChartView", "Other metrics");
    case ChartPanel::KnowledgeDistillation:
      return QCoreApplication::translate("TrainingChartView", "KD stream: loss and agreement");
  }
  return {};
}

ChartPanel chartPanelOf(const QString& name) {
  const bool trainOrValid =
      name.startsWith(QLatin1String("train/")) || name.startsWith(QLatin1String("valid/"));
  if (trainOrValid &&
      (name.endsWith(QLatin1String("/loss")) || name.endsWith(QLatin1String("/kd_loss"))))
    return ChartPanel::Loss;
  if (trainOrValid && (name.endsWith(QLatin1String("/frame_accuracy")) ||
                       name.endsWith(QLatin1String("/teacher_agreement"))))
    return ChartPanel::FrameAccuracy;
  if (name == QLatin1String("train/lr")) return ChartPanel::LearningRate;
  if (name == QLatin1String("train/frames_per_second")) return ChartPanel::FramesPerSecond;
  if (name == QLatin1String("dist/bytes_sent") || name == QLatin1String("dist/bytes_received"))
    return ChartPanel::BytesPerStep;
  return ChartPanel::Other;
}

bool isTeacherAgreementMetric(const QString& name) {
  return name.startsWith(QLatin1String("train/")) &&
         name.endsWith(QLatin1String("/teacher_agreement"));
}

bool isKdStreamMetric(const QString& name) {
  return isTeacherAgreementMetric(name) ||
         (name.startsWith(QLatin1String("train/")) && name.endsWith(QLatin1String("/kd_loss")));
}

bool chartPanelShows(ChartPanel panel, const QString& name) {
  if (panel == ChartPanel::KnowledgeDistillation) return isKdStreamMetric(name);
  return chartPanelOf(name) == panel;
}

void MetricSeriesStore::retainRuns(const QList<qint64>& runIds) {
  for (auto it = m_series.begin(); it != m_series.end();)
    it = runIds.contains(it->first.first) ? std::next(it) : m_series.erase(it);
}

MetricSeries& MetricSeriesStore::series(qint64 runId, const QString& name) {
  auto& slot = m_series[{runId, name}];
  if (!slot) {
    slot = std::make_unique<MetricSeries>();
    slot->runId = runId;
    slot->name = name;
    slot->setSmoothing(m_smoothing);
  }
  return *slot;
}

const MetricSeries* MetricSeriesStore::find(qint64 runId, const QString& name) const {
  const auto it = m_series.find({runId, name});
  return it == m_series.end() ? nullptr : it->second.get();
}

void MetricSeriesStore::setSmoothing(double weight) {
  m_smoothing = weight;
  for (auto& [key, s] : m_series) s->setSmoothing(weight);
}

std::vector<const MetricSeries*> MetricSeriesStore::all() const {
  std::vector<const MetricSeries*> out;
  out.reserve(m_series.size());
  for (const auto& [key, s] : m_series) out.push_back(s.get());
  return out;
}

std::size_t MetricSeriesStore::pointCount() const {
  std::size_t n = 0;
  for (const auto& [key, s] : m_series) n += s->size();
  return n;
}

namespace {

QString number(double v) { return QString::number(v, 'g', QLocale::FloatingPointShortest); }

}  // namespace

bool MetricSeriesStore::writeWideCsv(QIODevice& out, const QHash<qint64, QString>& runLabel,
                                     QString* error) const {
  const std::vector<const MetricSeries*> columns = all();
  QByteArray text = "step";
  for (const MetricSeries* s : columns) {
    const QString run = runLabel.value(s->runId, QStringLiteral("run %1").arg(s->runId));
    text += ',' + csvField(run + QLatin1Char('/') + s->name).toUtf8();
  }
  text += '\n';
  std::vector<std::size_t> cursor(columns.size(), 0);
  const double none = std::numeric_limits<double>::infinity();
  auto flush = [&]() -> bool {
    if (out.write(text) == text.size()) {
      text.clear();
      return true;
    }
    if (error) *error = out.errorString();
    return false;
  };
  for (;;) {
    double step = none;
    for (std::size_t c = 0; c < columns.size(); ++c)
      if (cursor[c] < columns[c]->size()) step = std::min(step, columns[c]->step[cursor[c]]);
    if (step == none) break;
    text += number(step).toUtf8();
    for (std::size_t c = 0; c < columns.size(); ++c) {
      text += ',';
      if (cursor[c] < columns[c]->size() && columns[c]->step[cursor[c]] == step)
        text += number(columns[c]->value[cursor[c]++]).toUtf8();
    }
    text += '\n';
    if (text.size() > (1 << 20) && !flush()) return false;
  }
  return flush();
}

}  // namespace understudy::ui::charts
