#include "ui/compare/comparison_view.h"

#include <QAction>
#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QSaveFile>
#include <QSortFilterProxyModel>
#include <QStackedWidget>
#include <QTableView>
#include <QToolBar>
#include <QVBoxLayout>
#include <algorithm>

#include "ui/compare/comparison_model.h"
#include "ui/widgets/csv_field.h"
#include "ui/widgets/empty_state_widget.h"
#include "ui/workspace/workspace_connection.h"

namespace understudy::ui {

namespace {

constexpr int kMaxColumnWidth = 320;

// The config keys shown until the user chooses others (those a run has).
const QStringList kDefaultKeys{QStringLiteral("streams.kind"), QStringLiteral("optimizer.lr"),
                               QStringLiteral("max_steps")};

}  // namespace

// Sorts by the raw values; keeps the rows whose text in the searched columns
// (one, or every shown one) contains the filter text.
class ComparisonFilter : public QSortFilterProxyModel {
 public:
  using QSortFilterProxyModel::QSortFilterProxyModel;

  void setSearch(const QString& text, const QList<int>& columns) {
    if (text == m_text && columns == m_columns) return;
    m_text = text;
    m_columns = columns;
    invalidateFilter();
  }

 protected:
  bool filterAcceptsRow(int row, const QModelIndex& parent) const override {
    if (m_text.isEmpty()) return true;
    for (int c : m_columns)
      if (sourceModel()->index(row, c, parent).data().toString().contains(m_text, Qt::CaseInsensitive))
        return true;
    return false;
  }

 private:
  QString m_text;
  QList<int> m_columns;
};

ComparisonView::ComparisonView(QWidget* parent)
    : QWidget(parent), m_model(new ComparisonModel(this)), m_proxy(new ComparisonFilter(this)),
      m_keyColumns(kDefaultKeys) {
  m_proxy->setSourceModel(m_model);
  m_proxy->setSortRole(ComparisonModel::SortRole);
  m_proxy->setDynamicSortFilter(true);

  m_baselineBox = new QComboBox(this);
  m_baselineBox->setSizeAdjustPolicy(QComboBox::AdjustToContents);
  m_baselineBox->setToolTip(tr("Each WER gets its relative reduction against this model's"));
  connect(m_baselineBox, &QComboBox::activated, this, [this] {
    m_userChoseBaseline = true;
    setBaseline(m_baselineBox->currentData().toString());
  });

  m_filterEdit = new QLineEdit(this);
  m_filterEdit->setPlaceholderText(tr("Filter…"));
  m_filterEdit->setClearButtonEnabled(true);
  m_filterEdit->setMaximumWidth(m_filterEdit->fontMetrics().horizontalAdvance(QLatin1Char('x')) * 32);
  m_filterColumnBox = new QComboBox(this);
  m_filterColumnBox->setSizeAdjustPolicy(QComboBox::AdjustToContents);
  connect(m_filterEdit, &QLineEdit::textChanged, this, [this] { updateFilterColumns(); });
  connect(m_filterColumnBox, &QComboBox::activated, this, [this] { updateFilterColumns(); });

  m_columnsAction = new QAction(tr("&Columns…"), this);
  m_columnsAction->setStatusTip(tr("Choose which training config keys are columns"));
  connect(m_columnsAction, &QAction::triggered, this, &ComparisonView::chooseColumnsWithDialog);

  m_diffAction = new QAction(tr("&Diff Only"), this);
  m_diffAction->setCheckable(true);
  m_diffAction->setStatusTip(
      tr("Hide the columns whose values are equal across the selected models (all models when "
         "fewer than two are selected)"));
  connect(m_diffAction, &QAction::toggled, this, [this] { updateColumns(); });

  m_exportAction = new QAction(tr("&Export CSV…"), this);
  m_exportAction->setStatusTip(tr("Save the table as shown (rows and columns) as CSV"));
  connect(m_exportAction, &QAction::triggered, this, &ComparisonView::exportCsvWithDialog);

  auto* toolBar = new QToolBar(tr("Compare"), this);
  toolBar->setToolButtonStyle(Qt::ToolButtonTextOnly);
  toolBar->addWidget(new QLabel(tr("Baseline:"), this));
  toolBar->addWidget(m_baselineBox);
  toolBar->addSeparator();
  toolBar->addWidget(m_filterEdit);
  toolBar->addWidget(new QLabel(tr(" in "), this));
  toolBar->addWidget(m_filterColumnBox);
  toolBar->addSeparator();
  toolBar->addAction(m_columnsAction);
  toolBar->addAction(m_diffAction);
  toolBar->addAction(m_exportAction);

  m_table = new QTableView(this);
  m_table->setModel(m_proxy);
  m_table->setSortingEnabled(true);
  m_table->sortByColumn(0, Qt::AscendingOrder);
  m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
  m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
  m_table->setWordWrap(false);
  m_table->setTextElideMode(Qt::ElideMiddle);
  m_table->verticalHeader()->hide();
  m_table->horizontalHeader()->setSectionsMovable(true);
  m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
  connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this,
          &ComparisonView::onSelectionChanged);

  m_empty = new EmptyStateWidget(this);
  m_stack = new QStackedWidget(this);
  m_stack->addWidget(m_table);
  m_stack->addWidget(m_empty);

  m_summary = new QLabel(this);
  m_summary->setWordWrap(true);

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(toolBar);
  layout->addWidget(m_stack, 1);
  layout->addWidget(m_summary);

  updateBaselineChoices();
  updateColumns();
  updateEmptyState();
}

ComparisonView::~ComparisonView() {
  m_table->setModel(nullptr);
  m_connection.reset();
}

bool ComparisonView::setWorkspacePath(const QString& path) {
  if (!path.isEmpty() && m_connection && m_connection->rootPath() == QDir(path).absolutePath()) {
    reload();
    return true;
  }
  m_connection.reset();
  m_dataVersion = -1;
  m_fingerprint.clear();
  m_userChoseBaseline = false;
  m_model->setBaseline(QString());
  m_model->setComparison({});
  bool ok = true;
  if (!path.isEmpty()) {
    QString error;
    m_connection = WorkspaceConnection::open(path, &error);
    if (m_connection) {
      reload();
    } else {
      emit errorOccurred(tr("Cannot compare the experiments"), error);
      ok = false;
    }
  }
  updateBaselineChoices();
  updateColumns();
  updateEmptyState();
  return ok;
}

QString ComparisonView::workspacePath() const {
  return m_connection ? m_connection->rootPath() : QString();
}

void ComparisonView::refresh() {
  if (!m_connection) return;
  const qint64 version = m_connection->dataVersion();
  if (version >= 0 && version == m_dataVersion) return;
  m_dataVersion = version;
  // Training commits metrics all the time; re-read only when the table can change.
  if (comparisonFingerprint(m_connection->database()) == m_fingerprint) return;
  reload();
}

void ComparisonView::reload() {
  if (!m_connection) return;
  m_dataVersion = m_connection->dataVersion();
  const QString fingerprint = comparisonFingerprint(m_connection->database());
  QString error;
  std::optional<ComparisonData> data = readComparison(m_connection->database(), &error);
  if (!data) {
    emit errorOccurred(tr("Cannot compare the experiments"), error);
    return;
  }
  m_fingerprint = fingerprint;
  const QStringList selected = selectedModels();
  {
    const QSignalBlocker block(m_table->selectionModel());
    m_model->setComparison(std::move(*data));
  }
  updateBaselineChoices();
  m_table->resizeColumnsToContents();
  for (int c = 0; c < m_model->columnCount(); ++c)
    m_table->setColumnWidth(c, qMin(m_table->columnWidth(c), kMaxColumnWidth));
  updateEmptyState();
  if (!selected.isEmpty()) {
    const QSignalBlocker block(m_table->selectionModel());
    selectModels(selected);
  }
  updateColumns();  // after the selection: Diff Only compares the selected rows
}

bool ComparisonView::setBaseline(const QString& model) {
  if (!model.isEmpty() && m_model->rowOfModel(model) < 0) return false;
  m_model->setBaseline(model);
  const int at = m_baselineBox->findData(model);
  if (at >= 0) m_baselineBox->setCurrentIndex(at);
  updateColumns();
  return true;
}

QString ComparisonView::baseline() const { return m_model->baseline(); }

// Every model can be the baseline; until the user picks one, the first model
// of role "baseline" that has an evaluation is.
void ComparisonView::updateBaselineChoices() {
  QString baseline = m_model->baseline();
  if (m_model->rowOfModel(baseline) < 0) baseline.clear();
  if (!m_userChoseBaseline && baseline.isEmpty()) {
    for (int r = 0; r < m_model->rowCount(); ++r) {
      const ComparedModel& m = m_model->modelAt(r);
      const bool evaluated =
          std::any_of(m.cells.begin(), m.cells.end(), [](const auto& c) { return c.has_value(); });
      if (m.role == QLatin1String("baseline") && evaluated) {
        baseline = m.name;
        break;
      }
    }
  }
  const QSignalBlocker block(m_baselineBox);
  m_baselineBox->clear();
  m_baselineBox->addItem(tr("(none)"), QString());
  for (int r = 0; r < m_model->rowCount(); ++r)
    m_baselineBox->addItem(m_model->modelAt(r).name, m_model->modelAt(r).name);
  m_model->setBaseline(baseline);
  m_baselineBox->setCurrentIndex(qMax(0, m_baselineBox->findData(baseline)));
}

void ComparisonView::setDiffOnly(bool on) { m_diffAction->setChecked(on); }

bool ComparisonView::diffOnly() const { return m_diffAction->isChecked(); }

void ComparisonView::setKeyColumns(const QStringList& keys) {
  m_keyColumns = keys;
  updateColumns();
}

QStringList ComparisonView::keyColumns() const { return m_keyColumns; }

void ComparisonView::setFilter(const QString& text, int column) {
  const QSignalBlocker blockEdit(m_filterEdit);
  m_filterEdit->setText(text);
  const int at = m_filterColumnBox->findData(column);
  m_filterColumnBox->setCurrentIndex(qMax(0, at));
  updateFilterColumns();
}

// Shown: the model's name and its results always (the relative reduction
// with a baseline); what describes it unless "diff only" finds it equal
// across the rows; the chosen config keys, or with "diff only" every key
// whose values differ.
void ComparisonView::updateColumns() {
  using K = ComparisonModel::Kind;
  QList<int> equal;
  if (diffOnly()) {
    QList<int> rows = selectedSourceRows();
    if (rows.size() < 2) {
      rows.clear();
      for (int r = 0; r < m_model->rowCount(); ++r) rows << r;
    }
    equal = m_model->equalColumns(rows);
  }
  for (int c = 0; c < m_model->columnCount(); ++c) {
    const ComparisonModel::Column& col = m_model->column(c);
    bool show = true;
    if (col.kind == K::RelativeReduction)
      show = !m_model->baseline().isEmpty();
    else if (col.kind == K::Key)
      show = diffOnly() ? !equal.contains(c) : m_keyColumns.contains(col.key);
    else if (m_model->isDescriptive(c))
      show = !equal.contains(c);
    m_table->setColumnHidden(c, !show);
  }
  updateFilterColumns();
  int shownKeys = 0;
  for (int c : shownColumns()) shownKeys += m_model->column(c).kind == K::Key ? 1 : 0;
  m_summary->setText(
      diffOnly() ? tr("%n config key(s) differ", nullptr, shownKeys)
                 : tr("%1 models, %2 test sets; %n of %3 config keys shown", nullptr, shownKeys)
                       .arg(m_model->rowCount())
                       .arg(m_model->comparison().testSets.size())
                       .arg(m_model->comparison().keys.size()));
}

void ComparisonView::updateFilterColumns() {
  const QList<int> shown = shownColumns();
  int column = m_filterColumnBox->currentData().isValid() ? m_filterColumnBox->currentData().toInt() : -1;
  if (column >= 0 && !shown.contains(column)) column = -1;
  {
    const QSignalBlocker block(m_filterColumnBox);
    m_filterColumnBox->clear();
    m_filterColumnBox->addItem(tr("all columns"), -1);
    for (int c : shown)
      m_filterColumnBox->addItem(m_model->title(c), c);
    m_filterColumnBox->setCurrentIndex(qMax(0, m_filterColumnBox->findData(column)));
  }
  m_proxy->setSearch(m_filterEdit->text(), column >= 0 ? QList<int>{column} : shown);
}

void ComparisonView::updateEmptyState() {
  const bool empty = !m_connection || m_model->rowCount() == 0;
  if (!m_connection) {
    m_empty->setTitle(tr("No workspace open"));
    m_empty->setText(tr("Open a workspace to compare its models on its test sets."));
  } else if (m_model->rowCount() == 0) {
    m_empty->setTitle(tr("No models yet"));
    m_empty->setText(tr("Train a model (`understudy-cli run RECIPE`), then decode it on the test sets "
                        "(`understudy-cli decode --model MODEL --dataset SET`): its WER appears here."));
  }
  m_stack->setCurrentWidget(empty ? static_cast<QWidget*>(m_empty) : m_table);
  m_exportAction->setEnabled(!empty);
  m_diffAction->setEnabled(!empty);
  m_columnsAction->setEnabled(!empty);
}

bool ComparisonView::isShowingEmptyState() const { return m_stack->currentWidget() == m_empty; }

QList<int> ComparisonView::selectedSourceRows() const {
  QList<int> rows;
  for (const QModelIndex& index : m_table->selectionModel()->selectedRows())
    rows << m_proxy->mapToSource(index).row();
  std::sort(rows.begin(), rows.end());
  return rows;
}

void ComparisonView::onSelectionChanged() {
  if (diffOnly()) updateColumns();
  QList<int> proxyRows;
  for (const QModelIndex& index : m_table->selectionModel()->selectedRows()) proxyRows << index.row();
  std::sort(proxyRows.begin(), proxyRows.end());
  QList<qint64> runs;
  for (int row : proxyRows) {
    const qint64 run = m_model->modelAt(m_proxy->mapToSource(m_proxy->index(row, 0)).row()).runId;
    if (run > 0 && !runs.contains(run)) runs << run;
  }
  if (!runs.isEmpty()) emit runsSelected(runs);
}

bool ComparisonView::selectModels(const QStringList& names) {
  QItemSelection selection;
  bool all = true;
  for (const QString& name : names) {
    const int row = m_model->rowOfModel(name);
    const QModelIndex index = row < 0 ? QModelIndex() : m_proxy->mapFromSource(m_model->index(row, 0));
    if (!index.isValid()) {
      all = false;
      continue;
    }
    selection.select(index, index.siblingAtColumn(m_proxy->columnCount() - 1));
  }
  m_table->selectionModel()->select(selection, QItemSelectionModel::ClearAndSelect |
                                                   QItemSelectionModel::Rows);
  return all;
}

QStringList ComparisonView::selectedModels() const {
  QStringList out;
  for (int row : selectedSourceRows()) out << m_model->modelAt(row).name;
  return out;
}

QStringList ComparisonView::shownModels() const {
  QStringList out;
  for (int r = 0; r < m_proxy->rowCount(); ++r)
    out << m_model->modelAt(m_proxy->mapToSource(m_proxy->index(r, 0)).row()).name;
  return out;
}

QList<int> ComparisonView::shownColumns() const {
  QList<int> out;
  const QHeaderView* header = m_table->horizontalHeader();
  for (int visual = 0; visual < header->count(); ++visual) {
    const int c = header->logicalIndex(visual);
    if (!header->isSectionHidden(c)) out << c;
  }
  return out;
}

QStringList ComparisonView::shownColumnNames() const {
  QStringList out;
  for (int c : shownColumns()) out << m_model->csvName(c);
  return out;
}

QString ComparisonView::toCsv() const {
  const QList<int> columns = shownColumns();
  QStringList lines;
  QStringList header;
  for (int c : columns) header << csvField(m_model->csvName(c));
  lines << header.join(QLatin1Char(','));
  for (int r = 0; r < m_proxy->rowCount(); ++r) {
    QStringList fields;
    for (int c : columns)
      fields << csvField(m_proxy->index(r, c).data(ComparisonModel::ExportRole).toString());
    lines << fields.join(QLatin1Char(','));
  }
  return lines.join(QLatin1Char('\n')) + QLatin1Char('\n');
}

bool ComparisonView::exportCsv(const QString& path, QString* error) {
  QSaveFile file(path);
  if (!file.open(QIODevice::WriteOnly)) {
    if (error) *error = tr("Cannot write %1: %2").arg(path, file.errorString());
    return false;
  }
  file.write(toCsv().toUtf8());
  if (!file.commit()) {
    if (error) *error = tr("Cannot write %1: %2").arg(path, file.errorString());
    return false;
  }
  return true;
}

void ComparisonView::exportCsvWithDialog() {
  const QString start = QDir(workspacePath()).filePath(QStringLiteral("comparison.csv"));
  const QString path =
      QFileDialog::getSaveFileName(this, tr("Export Comparison"), start, tr("CSV files (*.csv)"));
  if (path.isEmpty()) return;
  QString error;
  if (!exportCsv(path, &error)) emit errorOccurred(tr("Cannot export the comparison"), error);
}

// A list of every config key, checked = a column; a filter narrows the list.
void ComparisonView::chooseColumnsWithDialog() {
  QDialog dialog(this);
  dialog.setWindowTitle(tr("Config Columns"));
  auto* filter = new QLineEdit(&dialog);
  filter->setPlaceholderText(tr("Filter keys…"));
  filter->setClearButtonEnabled(true);
  auto* list = new QListWidget(&dialog);
  for (const QString& key : m_model->comparison().keys) {
    auto* item = new QListWidgetItem(key, list);
    item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
    item->setCheckState(m_keyColumns.contains(key) ? Qt::Checked : Qt::Unchecked);
  }
  connect(filter, &QLineEdit::textChanged, list, [list](const QString& text) {
    for (int i = 0; i < list->count(); ++i)
      list->item(i)->setHidden(!list->item(i)->text().contains(text, Qt::CaseInsensitive));
  });
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
  connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
  auto* layout = new QVBoxLayout(&dialog);
  layout->addWidget(new QLabel(tr("Training config keys shown as columns:"), &dialog));
  layout->addWidget(filter);
  layout->addWidget(list, 1);
  layout->addWidget(buttons);
  dialog.resize(420, 520);
  if (dialog.exec() != QDialog::Accepted) return;
  QStringList keys;
  for (int i = 0; i < list->count(); ++i)
    if (list->item(i)->checkState() == Qt::Checked) keys << list->item(i)->text();
  setKeyColumns(keys);
}

}  // namespace understudy::ui
