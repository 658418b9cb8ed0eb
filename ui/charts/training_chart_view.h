// Live training charts: the metrics that runs record in workspace.db, read on
// a worker thread (MetricsFeed) and drawn with QCustomPlot (docs/gui.md,
// "Training charts").
//
//   auto* charts = new TrainingChartView(parent);
//   charts->setWorkspaceSession(session);   // or setWorkspace("/data/exp9")
//   charts->setRuns({12, 14});              // overlaid; updates while they write
//
// Each panel (loss, frame accuracy, KD stream, learning rate, frames/s, bytes
// per step, other metrics) draws its metrics for every selected run: one
// colour per run, one line style per metric; the KD stream panel puts a
// student's KD loss on the left axis and its agreement with the teacher on the
// right one. When a series has more points than the plot has
// pixel columns, only its per-column min/max envelope is drawn (envelope.h),
// recomputed on every zoom, pan and resize; the debiased EMA (smoothing.h) is
// drawn over the faint raw curve.
#pragma once

#include <QHash>
#include <QList>
#include <QPointer>
#include <QString>
#include <QStringList>
#include <QWidget>
#include <vector>

#include "ui/charts/metric_series.h"
#include "ui/charts/metrics_reader.h"

class QCheckBox;
class QCPAxis;
class QComboBox;
class QCPGraph;
class QCPItemText;
class QCustomPlot;
class QLabel;
class QSlider;

namespace understudy::ui {
class WorkspaceSession;
}

namespace understudy::ui::charts {

class TrainingChartView : public QWidget {
  Q_OBJECT

 public:
  // AudioHours: hours of audio the run trained on (its train/input_frames
  // added up; rank 0's in a distributed run), see audioHoursAt().
  enum class XAxis { Step, WallTime, AudioHours };

  explicit TrainingChartView(QWidget* parent = nullptr);
  ~TrainingChartView() override;

  // The workspace folder to read (""/none: the chart empties). Opens its own
  // read-only connection on the reader's thread.
  void setWorkspace(const QString& rootPath);
  // Follows the session's workspace (open, switch, close).
  void setWorkspaceSession(WorkspaceSession* session);
  QString workspace() const;
  // The runs to draw, overlaid (the first one gets the first colour). Each
  // newly selected run is read in full, then only its new rows.
  void setRuns(const QList<qint64>& runIds);
  QList<qint64> runs() const { return m_runs; }

  void setPanel(ChartPanel panel);
  ChartPanel panel() const { return m_panel; }
  void setXAxis(XAxis axis);
  XAxis xAxis() const { return m_xAxis; }
  // Hours of audio: the selected runs drawn in this panel that recorded no
  // train/input_frames (older runs), by label; they are left out, and when no
  // run has it the curves are drawn against the step instead.
  QStringList runsWithoutAudioHours() const { return m_runsWithoutHours; }
  void setLogX(bool on);
  void setLogY(bool on);
  // The EMA weight b in [0, 0.999]; 0 draws the raw series alone.
  void setSmoothing(double weight);
  double smoothing() const;
  // How often the database is polled (default 500 ms).
  void setPollIntervalMs(int ms);

  bool exportPng(const QString& path, int width = 0, int height = 0, QString* error = nullptr);
  // One row per step, one column per run × metric (every metric held, all panels).
  bool exportCsv(const QString& path, QString* error = nullptr) const;

  const MetricSeriesStore& store() const { return m_store; }
  QCustomPlot* plot() const { return m_plot; }
  // The graph drawing a series in the current panel (nullptr if none);
  // `smoothed` picks the EMA curve over the raw one.
  QCPGraph* graphFor(qint64 runId, const QString& metric, bool smoothed = false) const;
  // The line under the toolbar: runs, points, last update, or the read error.
  QString statusText() const;
  // Polls the database now (asynchronously; refreshed() follows).
  void refreshNow();
  // Decimates every drawn series for the current view and replots now.
  void redraw();

 signals:
  // After each poll of the database has been applied (also one that found nothing new).
  void refreshed();
  // A poll could not read the database (shown in the status line, no dialog).
  void readFailed(const QString& message);
  // An export chosen from the toolbar failed (title, message with path and
  // hint): connect it to the window's error reporter. The view shows no dialogs.
  void exportFailed(const QString& title, const QString& message);

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  struct Graphs {
    QCPGraph* raw = nullptr;
    QCPGraph* smooth = nullptr;
  };

  void buildUi();
  void applyBatch(const MetricBatch& batch);
  void rebuildGraphs();
  // The value axes of the panel (the KD panel's right axis for the agreement).
  void setUpValueAxes();
  QCPAxis* valueAxisFor(const QString& metric) const;
  // Fits the axis to its curves (follow mode).
  void fitValueAxis(QCPAxis* axis);
  void addGraphsFor(const MetricSeries& series);
  void updateGraphData();
  void fitRanges();
  void updateStyles();
  void updateEmptyText();
  void updateStatus();
  double xOffset(qint64 runId) const;
  // The x of each point of `s` on the hours axis (cached until new points arrive).
  const std::vector<double>& audioHoursOf(const MetricSeries& s);
  void updateXAxisLabel(bool hoursFallback);
  QString runLabel(qint64 runId) const;
  void onXRangeChanged();
  void exportPngInteractive();
  void exportCsvInteractive();
  void resetZoom();

  MetricsFeed* m_feed;
  QPointer<WorkspaceSession> m_session;
  MetricSeriesStore m_store;
  QList<qint64> m_runs;
  QHash<qint64, RunInfo> m_runInfo;
  ChartPanel m_panel = ChartPanel::Loss;
  XAxis m_xAxis = XAxis::Step;
  bool m_logX = false;
  bool m_logY = false;
  bool m_follow = true;  // ranges follow the data until the user zooms or pans
  bool m_inRedraw = false;
  QHash<QString, Graphs> m_graphs;  // key: "<run>\n<metric>"
  QString m_error;
  qint64 m_lastRowsRead = 0;
  QHash<QString, std::vector<double>> m_hoursX;  // key as m_graphs
  QStringList m_runsWithoutHours;
  bool m_hoursFallback = false;
  // More curves than kMaxAntialiasedCurves: no antialiasing and envelope
  // columns of 2 px (each still keeps its minimum and maximum).
  bool m_manyCurves = false;

  QComboBox* m_panelBox;
  QComboBox* m_xAxisBox;
  QCheckBox* m_logXBox;
  QCheckBox* m_logYBox;
  QSlider* m_smoothingSlider;
  QLabel* m_smoothingValue;
  QLabel* m_status;
  QCustomPlot* m_plot;
  QCPItemText* m_emptyText;
};

}  // namespace understudy::ui::charts
