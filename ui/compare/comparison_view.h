// The Compare view (docs/gui.md "Comparing experiments"): every model × the
// test sets — WER, Sub/Del/Ins and the relative WER reduction against a
// chosen baseline, beside its parameters, the hours of labeled and unlabeled
// data it trained on, the algorithm, the seed, and any key of its training
// run's config (Columns…). Sortable; a text filter on any column; "Diff
// only" hides the describing columns whose values are equal across the
// selected models (all models when fewer than two are selected); CSV export
// of what is shown. Selecting models emits the ids of their training runs,
// whose curves the main window overlays.
//
// It reads workspace.db through its own read-only connection (never writes
// it); refresh() re-reads only when models, evaluations or datasets changed.
//
//   auto* compare = new ComparisonView;
//   compare->setWorkspacePath(session.rootPath());
//   connect(&session, &WorkspaceSession::refreshed, compare, &ComparisonView::refresh);
//   connect(compare, &ComparisonView::runsSelected, window, &MainWindow::showRunCharts);
#pragma once

#include <QList>
#include <QSet>
#include <QString>
#include <QStringList>
#include <QWidget>
#include <memory>

class QAction;
class QComboBox;
class QLabel;
class QLineEdit;
class QStackedWidget;
class QTableView;

namespace understudy::ui {

class ComparisonFilter;
class ComparisonModel;
class EmptyStateWidget;
class WorkspaceConnection;

class ComparisonView : public QWidget {
  Q_OBJECT

 public:
  explicit ComparisonView(QWidget* parent = nullptr);
  ~ComparisonView() override;

  // The workspace to show; empty closes it. false (and errorOccurred) when
  // it cannot be opened.
  bool setWorkspacePath(const QString& path);
  QString workspacePath() const;

  // The baseline model ('' none); false for a name the table does not have.
  bool setBaseline(const QString& model);
  QString baseline() const;
  void setDiffOnly(bool on);
  bool diffOnly() const;
  // The config keys shown as columns (when "diff only" is off).
  void setKeyColumns(const QStringList& keys);
  QStringList keyColumns() const;
  // Rows whose text in `column` (a model column; -1: any shown column)
  // contains `text`, case-insensitively.
  void setFilter(const QString& text, int column = -1);

  // Selects these models' rows (those shown); false if one is not shown.
  bool selectModels(const QStringList& names);
  QStringList selectedModels() const;
  // The models in the order the table shows them (sorted, filtered).
  QStringList shownModels() const;

  // Model columns shown, in the order the header shows them.
  QList<int> shownColumns() const;
  // Their CSV names ("model", "synth-test-clean.wer", "optimizer.lr").
  QStringList shownColumnNames() const;
  // The table as shown (rows and columns, in order), numbers unformatted.
  QString toCsv() const;
  bool exportCsv(const QString& path, QString* error);

  ComparisonModel* model() const { return m_model; }
  QTableView* tableView() const { return m_table; }
  bool isShowingEmptyState() const;

  QAction* diffOnlyAction() const { return m_diffAction; }
  QAction* chooseColumnsAction() const { return m_columnsAction; }
  QAction* exportCsvAction() const { return m_exportAction; }

 public slots:
  // Reads again if models, evaluations or datasets changed since the last read.
  void refresh();
  // Reads now.
  void reload();
  void chooseColumnsWithDialog();
  void exportCsvWithDialog();

 signals:
  void errorOccurred(const QString& title, const QString& message);
  // The training runs of the selected models (those that have one).
  void runsSelected(const QList<qint64>& runIds);

 private:
  void updateColumns();
  void updateBaselineChoices();
  void updateFilterColumns();
  void updateEmptyState();
  void onSelectionChanged();
  QList<int> selectedSourceRows() const;

  ComparisonModel* m_model;
  ComparisonFilter* m_proxy;
  std::unique_ptr<WorkspaceConnection> m_connection;
  qint64 m_dataVersion = -1;
  QString m_fingerprint;
  QStringList m_keyColumns;
  bool m_userChoseBaseline = false;
  QTableView* m_table = nullptr;
  QComboBox* m_baselineBox = nullptr;
  QLineEdit* m_filterEdit = nullptr;
  QComboBox* m_filterColumnBox = nullptr;
  QLabel* m_summary = nullptr;
  EmptyStateWidget* m_empty = nullptr;
  QStackedWidget* m_stack = nullptr;
  QAction* m_diffAction = nullptr;
  QAction* m_columnsAction = nullptr;
  QAction* m_exportAction = nullptr;
};

}  // namespace understudy::ui
