#include "ui/browser/utterance_browser.h"

#include <QAction>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QScrollArea>
#include <QSplitter>
#include <QSqlQuery>
#include <QStackedWidget>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>
#include <algorithm>

#include "ui/browser/utterance_detail.h"
#include "ui/browser/utterance_table_model.h"
#include "ui/widgets/empty_state_widget.h"
#include "ui/workspace/workspace_connection.h"

namespace understudy::ui {

namespace {

// Typing in a filter field waits this long for the next key before asking.
constexpr int kFilterDelayMs = 250;
constexpr double kMaxDurationS = 36000.0;

// A range spin box whose minimum means "no bound" (shown as "any").
QDoubleSpinBox* boundSpin(QWidget* parent, double max, int decimals, double step,
                          const QString& suffix, const QString& toolTip) {
  auto* spin = new QDoubleSpinBox(parent);
  spin->setRange(0.0, max);
  spin->setDecimals(decimals);
  spin->setSingleStep(step);
  spin->setSuffix(suffix);
  spin->setSpecialValueText(UtteranceBrowser::tr("any"));
  spin->setToolTip(toolTip);
  spin->setAccelerated(true);
  spin->setKeyboardTracking(true);
  return spin;
}

std::optional<double> boundOf(const QDoubleSpinBox* spin) {
  return spin->value() > spin->minimum() ? std::optional<double>(spin->value()) : std::nullopt;
}

void setBound(QDoubleSpinBox* spin, std::optional<double> v) {
  spin->setValue(v ? *v : spin->minimum());
}

}  // namespace

UtteranceBrowser::UtteranceBrowser(QWidget* parent)
    : QWidget(parent), m_model(new UtteranceTableModel(this)) {
  buildWidgets();
  connect(m_model, &UtteranceTableModel::listLoaded, this, &UtteranceBrowser::onListLoaded);
  connect(m_model, &UtteranceTableModel::loadingChanged, this, &UtteranceBrowser::updateCount);
  connect(m_model, &UtteranceTableModel::loadFailed, this, [this](const QString& message) {
    reportError(tr("Cannot read the utterances"), message);
  });
  connect(m_model, &UtteranceTableModel::conditionsLoaded, this,
          &UtteranceBrowser::onConditionsLoaded);
  updateEmptyState();
  updateCount();
}

UtteranceBrowser::~UtteranceBrowser() {
  m_model->setWorkspace({});
  m_reader.reset();
  m_connection.reset();
}

void UtteranceBrowser::buildWidgets() {
  m_datasetBox = new QComboBox(this);
  m_datasetBox->setSizeAdjustPolicy(QComboBox::AdjustToContents);
  m_datasetBox->setToolTip(tr("The dataset whose utterances the table lists"));
  m_softLabelBox = new QComboBox(this);
  m_softLabelBox->setSizeAdjustPolicy(QComboBox::AdjustToContents);
  m_softLabelBox->setToolTip(
      tr("The soft-label set whose teacher confidence and entropy the table shows"));
  m_evaluationBox = new QComboBox(this);
  m_evaluationBox->setSizeAdjustPolicy(QComboBox::AdjustToContents);
  m_evaluationBox->setToolTip(
      tr("The model whose newest decode of the dataset gives the hypothesis and errors"));
  m_count = new QLabel(this);
  m_count->setTextInteractionFlags(Qt::TextSelectableByMouse);

  auto* selectors = new QHBoxLayout;
  const auto addLabelled = [this](QHBoxLayout* row, const QString& text, QWidget* w) {
    auto* label = new QLabel(text, this);
    label->setBuddy(w);
    row->addWidget(label);
    row->addWidget(w);
  };
  addLabelled(selectors, tr("&Dataset:"), m_datasetBox);
  addLabelled(selectors, tr("&Soft labels:"), m_softLabelBox);
  addLabelled(selectors, tr("&Evaluation:"), m_evaluationBox);
  selectors->addStretch(1);
  selectors->addWidget(m_count);

  m_textFilter = new QLineEdit(this);
  m_textFilter->setPlaceholderText(tr("Text contains…"));
  m_textFilter->setClearButtonEnabled(true);
  m_textFilter->setToolTip(tr("Show the utterances whose transcript contains this text "
                              "(letters A–Z match either case)"));
  // Ctrl+F (the platform's Find) puts the cursor into the text filter.
  auto* find = new QAction(tr("Filter by Text"), this);
  find->setShortcut(QKeySequence::Find);
  find->setShortcutContext(Qt::WidgetWithChildrenShortcut);
  connect(find, &QAction::triggered, this, [this] {
    m_textFilter->setFocus(Qt::ShortcutFocusReason);
    m_textFilter->selectAll();
  });
  addAction(find);
  m_minDuration = boundSpin(this, kMaxDurationS, 2, 0.5, tr(" s"),
                            tr("Shortest duration shown, seconds"));
  m_maxDuration = boundSpin(this, kMaxDurationS, 2, 0.5, tr(" s"),
                            tr("Longest duration shown, seconds"));
  m_minConfidence = boundSpin(this, 1.0, 3, 0.05, QString(),
                              tr("Lowest teacher confidence (mean top-1 probability) shown"));
  m_maxConfidence = boundSpin(this, 1.0, 3, 0.05, QString(),
                              tr("Highest teacher confidence (mean top-1 probability) shown"));
  m_conditionBox = new QComboBox(this);
  m_conditionBox->setSizeAdjustPolicy(QComboBox::AdjustToContents);
  m_conditionBox->setToolTip(tr("Show one recording condition only"));
  m_clearFilters = new QPushButton(tr("C&lear Filters"), this);

  auto* filters = new QHBoxLayout;
  filters->addWidget(m_textFilter, 2);
  addLabelled(filters, tr("D&uration:"), m_minDuration);
  filters->addWidget(new QLabel(QStringLiteral("–"), this));
  filters->addWidget(m_maxDuration);
  addLabelled(filters, tr("C&onfidence:"), m_minConfidence);
  filters->addWidget(new QLabel(QStringLiteral("–"), this));
  filters->addWidget(m_maxConfidence);
  addLabelled(filters, tr("Co&ndition:"), m_conditionBox);
  filters->addWidget(m_clearFilters);

  m_table = new QTableView(this);
  m_table->setModel(m_model);
  m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
  m_table->setSelectionMode(QAbstractItemView::SingleSelection);
  m_table->setWordWrap(false);
  m_table->setTextElideMode(Qt::ElideRight);
  m_table->setAlternatingRowColors(true);
  m_table->verticalHeader()->hide();
  // Fixed row heights and Interactive columns: nothing ever measures every
  // row (a ResizeToContents column would read the whole dataset).
  m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
  m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
  QHeaderView* header = m_table->horizontalHeader();
  header->setSectionResizeMode(QHeaderView::Interactive);
  header->setStretchLastSection(false);
  header->setSortIndicator(static_cast<int>(UtteranceColumn::Key), Qt::AscendingOrder);
  m_table->setSortingEnabled(true);
  const int em = m_table->fontMetrics().horizontalAdvance(QLatin1Char('M'));
  const int widths[kUtteranceColumnCount] = {11, 5, 26, 6, 6, 5, 6, 6, 22, 3, 3, 3, 4};
  for (int c = 0; c < kUtteranceColumnCount; ++c) {
    const QString title = utteranceColumnTitle(static_cast<UtteranceColumn>(c));
    m_table->setColumnWidth(c, std::max(widths[c] * em,
                                        header->fontMetrics().horizontalAdvance(title) + 3 * em));
  }
  connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
          &UtteranceBrowser::onCurrentRowChanged);

  m_detail = new UtteranceDetail(this);
  connect(m_detail, &UtteranceDetail::errorOccurred, this, &UtteranceBrowser::errorOccurred);

  m_splitter = new QSplitter(Qt::Vertical, this);
  m_splitter->addWidget(m_table);
  // The panel scrolls inside its part of the splitter, so its plots' minimum
  // height never forces the window taller than the screen (or a 900 x 560 window).
  auto* detailScroll = new QScrollArea(this);
  detailScroll->setWidget(m_detail);
  detailScroll->setWidgetResizable(true);
  detailScroll->setFrameShape(QFrame::NoFrame);
  m_splitter->addWidget(detailScroll);
  m_splitter->setStretchFactor(0, 1);
  m_splitter->setStretchFactor(1, 3);
  m_splitter->setChildrenCollapsible(false);

  auto* page = new QWidget(this);
  auto* pageLayout = new QVBoxLayout(page);
  pageLayout->setContentsMargins(0, 0, 0, 0);
  pageLayout->addLayout(selectors);
  pageLayout->addLayout(filters);
  pageLayout->addWidget(m_splitter, 1);

  m_empty = new EmptyStateWidget(this);
  m_stack = new QStackedWidget(this);
  m_stack->addWidget(page);
  m_stack->addWidget(m_empty);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(m_stack);

  m_filterDelay = new QTimer(this);
  m_filterDelay->setSingleShot(true);
  m_filterDelay->setInterval(kFilterDelayMs);
  connect(m_filterDelay, &QTimer::timeout, this, &UtteranceBrowser::applyQuery);
  const auto later = [this] {
    if (!m_updatingWidgets) m_filterDelay->start();
  };
  connect(m_textFilter, &QLineEdit::textChanged, this, later);
  for (QDoubleSpinBox* spin : {m_minDuration, m_maxDuration, m_minConfidence, m_maxConfidence})
    connect(spin, &QDoubleSpinBox::valueChanged, this, later);
  connect(m_conditionBox, &QComboBox::currentIndexChanged, this, [this] {
    if (!m_updatingWidgets) applyQuery();
  });
  connect(m_clearFilters, &QPushButton::clicked, this, &UtteranceBrowser::clearFilters);
  connect(m_datasetBox, &QComboBox::currentIndexChanged, this, [this] {
    if (m_updatingWidgets) return;
    loadDatasetChoices();
    applyQuery();
  });
  for (QComboBox* box : {m_softLabelBox, m_evaluationBox})
    connect(box, &QComboBox::currentIndexChanged, this, [this] {
      if (m_updatingWidgets) return;
      applyQuery();
      if (m_selectedId > 0)
        m_detail->showUtterance(m_selectedId,
                                currentSoftLabelSetId() > 0 ? currentSoftLabelSetId() : -1);
    });
}

// --- workspace -----------------------------------------------------------------

bool UtteranceBrowser::setWorkspacePath(const QString& path) {
  if (!path.isEmpty() && m_connection && m_connection->rootPath() == QDir(path).absolutePath()) {
    refresh();
    return true;
  }
  m_model->setWorkspace({});
  m_detail->setWorkspacePath({});
  m_reader.reset();
  m_connection.reset();
  m_dataVersion = -1;
  m_choicesDatasetId = -1;
  m_selectedId = m_pendingSelectId = 0;
  bool ok = true;
  if (!path.isEmpty()) {
    QString error;
    m_connection = WorkspaceConnection::open(path, &error);
    if (!m_connection) {
      reportError(tr("Cannot show the utterances"), error);
      ok = false;
    } else {
      m_reader = std::make_unique<UtteranceReader>(m_connection->database(),
                                                   m_connection->databasePath());
      m_model->setWorkspace(m_connection->rootPath());
      m_detail->setWorkspacePath(m_connection->rootPath());
      m_dataVersion = m_connection->dataVersion();
    }
  }
  loadDatasets();
  applyQuery();
  return ok;
}

QString UtteranceBrowser::workspacePath() const {
  return m_connection ? m_connection->rootPath() : QString();
}

void UtteranceBrowser::refresh() {
  if (!m_connection) return;
  const qint64 version = m_connection->dataVersion();
  if (version == m_dataVersion) return;
  m_dataVersion = version;
  loadDatasets();  // keeps the chosen dataset, set and evaluation where they still exist
  applyQuery();
  m_model->reload();
  m_detail->refresh();
}

void UtteranceBrowser::reportError(const QString& title, const QString& message) {
  emit errorOccurred(title, message);
}

// --- selectors -------------------------------------------------------------------

void UtteranceBrowser::loadDatasets() {
  const QString previous = currentDataset();
  m_datasets.clear();
  QString error;
  if (m_reader && !m_reader->datasets(&m_datasets, &error))
    reportError(tr("Cannot list the datasets"), error);
  m_updatingWidgets = true;
  m_datasetBox->clear();
  const QLocale locale;
  int index = 0;
  for (int i = 0; i < m_datasets.size(); ++i) {
    const DatasetChoice& d = m_datasets[i];
    m_datasetBox->addItem(tr("%1 (%2, %3 utterances)")
                              .arg(d.name, d.kind, locale.toString(d.utterances)),
                          d.id);
    if (d.name == previous) index = i;
  }
  if (!m_datasets.isEmpty()) m_datasetBox->setCurrentIndex(index);
  m_updatingWidgets = false;
  loadDatasetChoices();
  updateEmptyState();
}

void UtteranceBrowser::loadDatasetChoices() {
  const qint64 datasetId = currentDatasetId();
  const qint64 previousSet = currentSoftLabelSetId();
  const QString previousModel =
      m_evaluationBox->currentIndex() > 0 ? m_evaluationBox->currentData(Qt::UserRole + 1).toString()
                                          : QString();
  const bool datasetChanged = m_choicesDatasetId != datasetId;
  m_choicesDatasetId = datasetId;
  m_softLabelSets.clear();
  m_evaluations.clear();
  QString error;
  if (m_reader && datasetId > 0) {
    if (!m_reader->softLabelSets(datasetId, &m_softLabelSets, &error))
      reportError(tr("Cannot list the soft-label sets"), error);
    error.clear();
    if (!m_reader->evaluations(datasetId, &m_evaluations, &error))
      reportError(tr("Cannot list the evaluations"), error);
  }
  const bool statistics = m_reader && m_reader->hasSoftLabelStatistics();
  const QLocale locale;

  m_updatingWidgets = true;
  m_softLabelBox->clear();
  m_softLabelBox->addItem(tr("none"), qint64(0));
  int setIndex = 0;
  for (const SoftLabelSetChoice& s : m_softLabelSets) {
    QString text = tr("%1, top-%2 (set %3)").arg(s.model).arg(s.k).arg(s.id);
    if (statistics && m_connection) {
      // Sets labeled before per-utterance statistics existed have none
      // until `understudy-cli label` runs on them again (a primary-key probe).
      QSqlQuery probe(m_connection->database());
      probe.prepare(QStringLiteral(
          "SELECT 1 FROM soft_label_utterances WHERE soft_label_set_id = ? LIMIT 1"));
      probe.addBindValue(s.id);
      if (probe.exec() && !probe.next()) text += tr(" — no per-utterance numbers yet");
    }
    m_softLabelBox->addItem(text, s.id);
    if (s.id == previousSet) setIndex = m_softLabelBox->count() - 1;
  }
  // A new dataset starts with its newest set (listed first).
  if (datasetChanged && m_softLabelSets.size() > 0) setIndex = 1;
  m_softLabelBox->setCurrentIndex(setIndex);
  m_softLabelBox->setEnabled(statistics && !m_softLabelSets.isEmpty());
  if (!statistics)
    m_softLabelBox->setToolTip(
        tr("This workspace keeps no per-utterance label statistics: open it with this version "
           "of Understudy (it adds the table) and run `understudy-cli label` again"));

  m_evaluationBox->clear();
  m_evaluationBox->addItem(tr("none"), qint64(0));
  int evalIndex = 0;
  qint64 newest = 0;
  for (const EvaluationChoice& e : m_evaluations) {
    m_evaluationBox->addItem(
        tr("%1 (WER %2 %)").arg(e.model, locale.toString(e.wer, 'f', 2)), e.id);
    m_evaluationBox->setItemData(m_evaluationBox->count() - 1, e.model, Qt::UserRole + 1);
    if (datasetChanged ? e.id > newest : e.model == previousModel) {
      evalIndex = m_evaluationBox->count() - 1;
      newest = e.id;
    }
  }
  m_evaluationBox->setCurrentIndex(evalIndex);
  m_evaluationBox->setEnabled(!m_evaluations.isEmpty());
  m_updatingWidgets = false;

  if (datasetChanged) {
    m_selectedId = 0;
    m_detail->clear();
    m_conditions.clear();
    m_updatingWidgets = true;
    m_conditionBox->clear();
    m_conditionBox->addItem(tr("all"), QString());
    m_updatingWidgets = false;
    // Read once the first list is in: the pass over the dataset would
    // otherwise share the CPU with it.
    m_conditionsWanted = datasetId;
  }
  const bool confidence = currentSoftLabelSetId() > 0;
  m_minConfidence->setEnabled(confidence);
  m_maxConfidence->setEnabled(confidence);
}

QString UtteranceBrowser::currentDataset() const {
  const int i = m_datasetBox->currentIndex();
  return i >= 0 && i < m_datasets.size() ? m_datasets[i].name : QString();
}

qint64 UtteranceBrowser::currentDatasetId() const {
  return m_datasetBox->currentIndex() >= 0 ? m_datasetBox->currentData().toLongLong() : 0;
}

qint64 UtteranceBrowser::currentSoftLabelSetId() const {
  return m_softLabelBox->currentIndex() >= 0 ? m_softLabelBox->currentData().toLongLong() : 0;
}

qint64 UtteranceBrowser::currentEvaluationId() const {
  return m_evaluationBox->currentIndex() >= 0 ? m_evaluationBox->currentData().toLongLong() : 0;
}

bool UtteranceBrowser::selectDataset(const QString& name) {
  for (int i = 0; i < m_datasets.size(); ++i)
    if (m_datasets[i].name == name) {
      m_datasetBox->setCurrentIndex(i);  // loads its choices and the list
      return true;
    }
  return false;
}

bool UtteranceBrowser::selectSoftLabelSet(qint64 id) {
  const int i = m_softLabelBox->findData(id);
  if (i < 0) return false;
  m_softLabelBox->setCurrentIndex(i);
  return true;
}

bool UtteranceBrowser::selectSoftLabelSet(const QString& modelName) {
  // Listed newest first: the first match is the model's newest set.
  for (const SoftLabelSetChoice& s : m_softLabelSets)
    if (s.model == modelName) return selectSoftLabelSet(s.id);
  return false;
}

bool UtteranceBrowser::selectEvaluation(const QString& modelName) {
  if (modelName.isEmpty()) {
    m_evaluationBox->setCurrentIndex(0);
    return true;
  }
  for (const EvaluationChoice& e : m_evaluations)
    if (e.model == modelName) {
      m_evaluationBox->setCurrentIndex(m_evaluationBox->findData(e.id));
      return true;
    }
  return false;
}

// --- filters -------------------------------------------------------------------

UtteranceFilter UtteranceBrowser::filter() const {
  UtteranceFilter f;
  f.text = m_textFilter->text();
  f.minDuration = boundOf(m_minDuration);
  f.maxDuration = boundOf(m_maxDuration);
  if (currentSoftLabelSetId() > 0) {
    f.minConfidence = boundOf(m_minConfidence);
    f.maxConfidence = boundOf(m_maxConfidence);
  }
  f.condition = m_conditionBox->currentData().toString();
  return f;
}

void UtteranceBrowser::setFilterWidgets(const UtteranceFilter& f) {
  m_updatingWidgets = true;
  m_textFilter->setText(f.text);
  setBound(m_minDuration, f.minDuration);
  setBound(m_maxDuration, f.maxDuration);
  setBound(m_minConfidence, f.minConfidence);
  setBound(m_maxConfidence, f.maxConfidence);
  int i = m_conditionBox->findData(f.condition);
  if (i < 0 && !f.condition.isEmpty()) {
    // Not read yet (or not in this dataset): offered anyway, so the filter holds.
    m_conditionBox->addItem(f.condition, f.condition);
    i = m_conditionBox->count() - 1;
  }
  m_conditionBox->setCurrentIndex(std::max(0, i));
  m_updatingWidgets = false;
  m_filterDelay->stop();
  applyQuery();
}

void UtteranceBrowser::setTextFilter(const QString& text) {
  UtteranceFilter f = filter();
  f.text = text;
  setFilterWidgets(f);
}

void UtteranceBrowser::setDurationRange(std::optional<double> min, std::optional<double> max) {
  UtteranceFilter f = filter();
  f.minDuration = min;
  f.maxDuration = max;
  setFilterWidgets(f);
}

void UtteranceBrowser::setConfidenceRange(std::optional<double> min, std::optional<double> max) {
  UtteranceFilter f = filter();
  f.minConfidence = min;
  f.maxConfidence = max;
  setFilterWidgets(f);
}

void UtteranceBrowser::setConditionFilter(const QString& condition) {
  UtteranceFilter f = filter();
  f.condition = condition;
  setFilterWidgets(f);
}

void UtteranceBrowser::clearFilters() { setFilterWidgets(UtteranceFilter{}); }

QStringList UtteranceBrowser::conditions() const { return m_conditions; }

void UtteranceBrowser::onConditionsLoaded(qint64 datasetId, const QStringList& conditions) {
  if (datasetId != currentDatasetId()) return;
  m_conditions = conditions;
  const QString current = m_conditionBox->currentData().toString();
  m_updatingWidgets = true;
  m_conditionBox->clear();
  m_conditionBox->addItem(tr("all"), QString());
  for (const QString& c : conditions) m_conditionBox->addItem(c, c);
  if (!current.isEmpty() && m_conditionBox->findData(current) < 0)
    m_conditionBox->addItem(current, current);
  m_conditionBox->setCurrentIndex(std::max(0, m_conditionBox->findData(current)));
  m_updatingWidgets = false;
}

void UtteranceBrowser::sortBy(UtteranceColumn column, Qt::SortOrder order) {
  m_table->sortByColumn(static_cast<int>(column), order);
}

// --- the list --------------------------------------------------------------------

UtteranceQuery UtteranceBrowser::currentQuery() const {
  UtteranceQuery q = m_model->query();  // keeps the sort the header set
  q.datasetId = currentDatasetId();
  q.softLabelSetId = currentSoftLabelSetId();
  q.evaluationId = currentEvaluationId();
  q.filter = filter();
  return q;
}

void UtteranceBrowser::applyQuery() {
  m_filterDelay->stop();
  const bool confidence = currentSoftLabelSetId() > 0;
  m_minConfidence->setEnabled(confidence);
  m_maxConfidence->setEnabled(confidence);
  m_model->setQuery(currentQuery());
  updateCount();
}

void UtteranceBrowser::onListLoaded() {
  updateCount();
  if (m_conditionsWanted > 0 && m_conditionsWanted == currentDatasetId()) {
    m_model->requestConditions(m_conditionsWanted);
    m_conditionsWanted = 0;
  }
  const qint64 wanted = m_pendingSelectId > 0 ? m_pendingSelectId : m_selectedId;
  if (wanted > 0) {
    const int row = m_model->rowOfId(wanted);
    if (row >= 0) {
      m_pendingSelectId = 0;
      selectRowOf(wanted);
    } else if (m_pendingSelectId == 0 && !m_model->isLoading()) {
      // The selected utterance is no longer listed (filtered out).
      m_table->selectionModel()->clearCurrentIndex();
      m_selectedId = 0;
      m_detail->clear();
      emit utteranceSelected(0);
    }
  }
  emit listLoaded();
}

void UtteranceBrowser::selectRowOf(qint64 utteranceId) {
  const int row = m_model->rowOfId(utteranceId);
  if (row < 0) return;
  const QModelIndex index = m_model->index(row, 0);
  m_table->selectionModel()->setCurrentIndex(
      index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
  m_table->scrollTo(index, QAbstractItemView::PositionAtCenter);
}

void UtteranceBrowser::onCurrentRowChanged() {
  const QModelIndex current = m_table->selectionModel()->currentIndex();
  const qint64 id = current.isValid() ? m_model->utteranceId(current.row()) : 0;
  if (id == m_selectedId) return;
  m_selectedId = id;
  if (id > 0)
    m_detail->showUtterance(id, currentSoftLabelSetId() > 0 ? currentSoftLabelSetId() : -1);
  else
    m_detail->clear();
  emit utteranceSelected(id);
}

bool UtteranceBrowser::selectUtterance(const QString& key) {
  qint64 id = 0;
  QString error;
  if (!m_reader || !m_reader->utteranceId(currentDatasetId(), key, &id, &error)) {
    if (!error.isEmpty()) reportError(tr("Cannot select the utterance"), error);
    return false;
  }
  if (id <= 0) return false;
  if (!m_model->isLoading() && m_model->rowOfId(id) >= 0) {
    m_pendingSelectId = 0;
    selectRowOf(id);
  } else {
    m_pendingSelectId = id;  // onListLoaded selects it
  }
  return true;
}

qint64 UtteranceBrowser::selectedUtteranceId() const { return m_selectedId; }

bool UtteranceBrowser::isLoading() const { return m_model->isLoading(); }

int UtteranceBrowser::pagesRead() const { return m_model->pagesRead(); }

QString UtteranceBrowser::countText() const { return m_count->text(); }

void UtteranceBrowser::updateCount() {
  const QLocale locale;
  QString text;
  if (currentDatasetId() > 0 && (m_model->totalUtterances() > 0 || !m_model->isLoading())) {
    text = tr("%1 of %2 utterances")
               .arg(locale.toString(m_model->rowCount()),
                    locale.toString(m_model->totalUtterances()));
  }
  if (m_model->isLoading())
    text = text.isEmpty() ? tr("Reading the utterances…") : text + tr(" — reading…");
  m_count->setText(text);
}

bool UtteranceBrowser::isShowingEmptyState() const { return m_stack->currentWidget() == m_empty; }

void UtteranceBrowser::updateEmptyState() {
  if (!m_connection) {
    m_empty->setTitle(tr("No workspace open"));
    m_empty->setText(tr("Open a workspace to browse its utterances."));
  } else if (m_datasets.isEmpty()) {
    m_empty->setTitle(tr("No datasets yet"));
    m_empty->setText(tr("Import one with `understudy-cli corpus import` or make one with "
                        "`understudy-cli corpus synth`; its utterances are listed here."));
  }
  m_stack->setCurrentWidget(m_connection && !m_datasets.isEmpty() ? m_stack->widget(0) : m_empty);
}

}  // namespace understudy::ui
