// The utterance browser (docs/gui.md "Utterances"): one dataset's utterances
// in a virtual table (UtteranceTableModel: key, duration, text, speaker,
// condition, SNR, the teacher's confidence and entropy from a chosen
// soft-label set, the hypothesis and its errors from a chosen evaluation),
// filters (text, duration range, confidence range, condition), sorting on
// every column, and below the table the detail panel of the selected
// utterance (UtteranceDetail).
//
// The selectors read the catalog (datasets, soft-label sets, evaluations)
// through the view's own read-only connection; the table's rows come from the
// model's worker thread. Like every view, it never writes workspace.db.
//
//   auto* browser = new UtteranceBrowser;
//   browser->setWorkspacePath(session.rootPath());
//   connect(&session, &WorkspaceSession::refreshed, browser, &UtteranceBrowser::refresh);
//   connect(browser, &UtteranceBrowser::errorOccurred, window, &MainWindow::reportError);
//   browser->selectDataset("synth-test");        // the scripted selections (screenshots)
//   browser->selectEvaluation("student");
//   browser->selectUtterance("utt-000042");      // selected once the list holds it
#pragma once

#include <QString>
#include <QVector>
#include <QWidget>
#include <memory>
#include <optional>

#include "ui/browser/utterance_query.h"

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSplitter;
class QStackedWidget;
class QTableView;
class QTimer;

namespace understudy::ui {

class EmptyStateWidget;
class UtteranceDetail;
class UtteranceReader;
class UtteranceTableModel;
class WorkspaceConnection;

class UtteranceBrowser : public QWidget {
  Q_OBJECT

 public:
  explicit UtteranceBrowser(QWidget* parent = nullptr);
  ~UtteranceBrowser() override;

  // The workspace to show; empty closes it. Opens a read-only connection
  // (WorkspaceConnection::open); false (and errorOccurred) when it cannot.
  // The first dataset (by name) is shown.
  bool setWorkspacePath(const QString& path);
  QString workspacePath() const;

  // --- selectors (each returns false when there is no such choice) ----------
  bool selectDataset(const QString& name);
  QString currentDataset() const;
  qint64 currentDatasetId() const;
  // A soft-label set of the dataset by id; 0 selects none.
  bool selectSoftLabelSet(qint64 id);
  // ... or by its model's name (the newest set of that model).
  bool selectSoftLabelSet(const QString& modelName);
  qint64 currentSoftLabelSetId() const;
  // The newest evaluation of the model on the dataset; "" selects none.
  bool selectEvaluation(const QString& modelName);
  qint64 currentEvaluationId() const;

  // --- filters and sorting (applied at once; the list follows) --------------
  void setTextFilter(const QString& text);
  void setDurationRange(std::optional<double> min, std::optional<double> max);
  void setConfidenceRange(std::optional<double> min, std::optional<double> max);
  // "" = every condition.
  void setConditionFilter(const QString& condition);
  void clearFilters();
  UtteranceFilter filter() const;
  void sortBy(UtteranceColumn column, Qt::SortOrder order = Qt::AscendingOrder);
  // The conditions offered by the condition filter (read on a worker thread
  // after a dataset is chosen; empty until then).
  QStringList conditions() const;

  // --- selection --------------------------------------------------------------
  // Selects the utterance with this key of the current dataset: now if the
  // list holds it, else as soon as a list that holds it arrives. false when
  // the dataset has no such (usable) utterance.
  bool selectUtterance(const QString& key);
  // utterances.id of the selected row; 0 when none.
  qint64 selectedUtteranceId() const;

  // --- state, for tests and the screenshot script ---------------------------
  // "12,345 of 1,000,000 utterances" (and what is being read).
  QString countText() const;
  bool isLoading() const;
  int pagesRead() const;
  UtteranceTableModel* model() const { return m_model; }
  QTableView* tableView() const { return m_table; }
  // The panel below the table (the UtteranceDetail).
  UtteranceDetail* detailPanel() const { return m_detail; }
  bool isShowingEmptyState() const;

 public slots:
  // Reads the selectors and the list again if another connection committed
  // since the last read (PRAGMA data_version); cheap otherwise.
  void refresh();

 signals:
  void errorOccurred(const QString& title, const QString& message);
  // The row selection moved (0: none).
  void utteranceSelected(qint64 utteranceId);
  // A list for the current query is in place (rowCount is right).
  void listLoaded();

 private:
  void buildWidgets();
  void loadDatasets();
  void loadDatasetChoices();
  void applyQuery();
  void applyFilterWidgets();
  void setFilterWidgets(const UtteranceFilter& f);
  void onListLoaded();
  void onCurrentRowChanged();
  void onConditionsLoaded(qint64 datasetId, const QStringList& conditions);
  void updateCount();
  void updateEmptyState();
  void selectRowOf(qint64 utteranceId);
  void reportError(const QString& title, const QString& message);
  UtteranceQuery currentQuery() const;

  std::unique_ptr<WorkspaceConnection> m_connection;
  std::unique_ptr<UtteranceReader> m_reader;
  qint64 m_dataVersion = -1;
  UtteranceTableModel* m_model;
  QVector<DatasetChoice> m_datasets;
  QVector<SoftLabelSetChoice> m_softLabelSets;
  QVector<EvaluationChoice> m_evaluations;
  QStringList m_conditions;
  qint64 m_choicesDatasetId = -1;  // the dataset the set and evaluation lists are of
  qint64 m_conditionsWanted = 0;  // a dataset whose conditions to read after its first list
  qint64 m_selectedId = 0;
  qint64 m_pendingSelectId = 0;
  bool m_updatingWidgets = false;

  QComboBox* m_datasetBox = nullptr;
  QComboBox* m_softLabelBox = nullptr;
  QComboBox* m_evaluationBox = nullptr;
  QLineEdit* m_textFilter = nullptr;
  QDoubleSpinBox* m_minDuration = nullptr;
  QDoubleSpinBox* m_maxDuration = nullptr;
  QDoubleSpinBox* m_minConfidence = nullptr;
  QDoubleSpinBox* m_maxConfidence = nullptr;
  QComboBox* m_conditionBox = nullptr;
  QPushButton* m_clearFilters = nullptr;
  QLabel* m_count = nullptr;
  QTableView* m_table = nullptr;
  UtteranceDetail* m_detail = nullptr;
  QSplitter* m_splitter = nullptr;
  EmptyStateWidget* m_empty = nullptr;
  QStackedWidget* m_stack = nullptr;
  QTimer* m_filterDelay = nullptr;
};

}  // namespace understudy::ui
