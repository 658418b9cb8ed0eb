// The labeling-quality view (docs/gui.md "Labeling quality"): for one
// soft-label set, what the teacher's labels look like, from the label summary
// the labeler commits with its records (soft_label_summaries):
//   - the set: dataset, model, k, precision, utterances and frames, its label
//     run's status, and while that run labels, how far it is;
//   - overall numbers: mean top-1 probability, mean entropy, bytes per frame,
//     frames, units used;
//   - histograms of the top-1 probability and of the entropy per frame;
//   - unit usage: frames per unit as the top-1, most used first, named from
//     the model's unit inventory, with the units never used counted;
//   - where the dataset has true frame targets (synthetic data): the teacher's
//     top-1 accuracy and truth-in-top-k, overall and per condition group
//     (bars and a table).
//
// Live: refresh() (the session's poll) checks PRAGMA data_version, then the
// sets' rows and their summary's updated_at; a moved stamp redraws from the
// new summary, so a labeling run in progress is followed commit by commit.
// Reads through its own read-only connection; never writes workspace.db.
//
//   auto* labels = new LabelingQualityView;
//   labels->setWorkspacePath(session.rootPath());
//   connect(&session, &WorkspaceSession::refreshed, labels, &LabelingQualityView::refresh);
//   connect(labels, &LabelingQualityView::errorOccurred, window, &MainWindow::reportError);
#pragma once

#include <QList>
#include <QWidget>
#include <memory>
#include <optional>

#include "core/store/soft_label_summary.h"
#include "ui/labeling/soft_label_set_reader.h"

class QCPBars;
class QCPItemText;
class QComboBox;
class QCustomPlot;
class QLabel;
class QProgressBar;
class QStackedWidget;
class QTableWidget;

namespace understudy::ui {

class EmptyStateWidget;
class WorkspaceConnection;

class LabelingQualityView : public QWidget {
  Q_OBJECT

 public:
  explicit LabelingQualityView(QWidget* parent = nullptr);
  ~LabelingQualityView() override;

  // The workspace to show; empty closes it. Opens a read-only connection
  // (WorkspaceConnection::open); false (and errorOccurred) when it cannot.
  bool setWorkspacePath(const QString& path);
  QString workspacePath() const;

  // The set to show, by id ("12"), catalog path ("softlabels/train-teacher")
  // or folder ("train-teacher"); false when the workspace has no such set.
  bool selectSoftLabelSet(const QString& nameOrId);
  // The shown set's id; 0 when none.
  qint64 currentSoftLabelSetId() const;
  QList<SoftLabelSetInfo> softLabelSets() const { return m_sets; }
  // The summary drawn (none: no set, no summary yet, or unreadable).
  const std::optional<SoftLabelSummary>& summary() const { return m_summary; }

  // What is drawn, for tests and the screenshot script.
  QCustomPlot* top1Plot() const { return m_top1Plot; }
  QCustomPlot* entropyPlot() const { return m_entropyPlot; }
  QCustomPlot* unitPlot() const { return m_unitPlot; }
  QCustomPlot* truthPlot() const { return m_truthPlot; }
  QCPBars* top1Bars() const { return m_top1Bars; }
  QCPBars* entropyBars() const { return m_entropyBars; }
  QCPBars* unitBars() const { return m_unitBars; }
  QCPBars* truthTop1Bars() const { return m_truthTop1Bars; }
  QCPBars* truthTopKBars() const { return m_truthTopKBars; }
  QTableWidget* truthTable() const { return m_truthTable; }
  // The units in the order of unitBars() (bar i at x = i + 1).
  const QList<UnitUsage>& unitUsage() const { return m_unitUsage; }
  // The set's line (dataset, model, k, precision, counts, run).
  QString setText() const;
  // How far labeling is: "<n> of <m> utterances labeled …".
  QString progressText() const;
  // Mean top-1, mean entropy, bytes/frame, frames, units used.
  QString overallText() const;
  // What the entropy plot says instead of bars ('' while it draws them).
  QString entropyMessage() const;
  // What the truth plot says instead of bars ('' while it draws them).
  QString truthMessage() const;
  // Why nothing is drawn for the chosen set (no summary yet, unreadable
  // summary); '' when the plots show.
  QString summaryMessage() const;
  bool isShowingEmptyState() const;
  QString emptyStateText() const;

 public slots:
  // Reads again if another connection committed since the last read.
  void refresh();
  // Reads the sets now; redraws the shown one if its row or summary moved.
  void reload();

 signals:
  void errorOccurred(const QString& title, const QString& message);

 private:
  void buildUi();
  QCustomPlot* makePlot(const QString& title, const QString& xLabel, const QString& yLabel);
  void fillSetBox();
  // A set in the selector: dataset, model, folder, k, precision, utterances, run status.
  static QString setBoxText(const SoftLabelSetInfo& set);
  void showSet(int index);
  void readAndDraw();
  void drawSummary();
  void drawTop1();
  void drawEntropy();
  void drawUnits();
  void drawTruth();
  void clearPlots();
  void updateTexts();
  void updateEmptyState();
  static void setPlotMessage(QCustomPlot* plot, QCPItemText* item, const QString& text);

  std::unique_ptr<WorkspaceConnection> m_connection;
  qint64 m_dataVersion = -1;
  QList<SoftLabelSetInfo> m_sets;
  std::optional<SoftLabelSetInfo> m_shown;  // the row the plots were drawn from
  std::optional<SoftLabelSummary> m_summary;
  QString m_summaryError;
  QString m_readError;
  QList<UnitUsage> m_unitUsage;
  bool m_fillingBox = false;

  QStackedWidget* m_stack = nullptr;
  EmptyStateWidget* m_empty = nullptr;
  QComboBox* m_setBox = nullptr;
  QLabel* m_setLabel = nullptr;
  QLabel* m_progressLabel = nullptr;
  QProgressBar* m_progressBar = nullptr;
  QLabel* m_overallLabel = nullptr;
  QLabel* m_summaryLabel = nullptr;
  QWidget* m_plots = nullptr;
  QCustomPlot* m_top1Plot = nullptr;
  QCustomPlot* m_entropyPlot = nullptr;
  QCustomPlot* m_unitPlot = nullptr;
  QCustomPlot* m_truthPlot = nullptr;
  QCPBars* m_top1Bars = nullptr;
  QCPBars* m_entropyBars = nullptr;
  QCPBars* m_unitBars = nullptr;
  QCPBars* m_truthTop1Bars = nullptr;
  QCPBars* m_truthTopKBars = nullptr;
  QCPItemText* m_entropyText = nullptr;
  QCPItemText* m_truthText = nullptr;
  QTableWidget* m_truthTable = nullptr;
};

}  // namespace understudy::ui
