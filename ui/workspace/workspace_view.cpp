#include "ui/workspace/workspace_view.h"

#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QScrollBar>
#include <QSplitter>
#include <QSqlQueryModel>
#include <QStackedWidget>
#include <QStyledItemDelegate>
#include <QTableView>
#include <QTreeView>
#include <QVBoxLayout>

#include "ui/widgets/empty_state_widget.h"
#include "ui/workspace/workspace_tree_model.h"

namespace understudy::ui {

namespace {

// A fitted column may always be this wide, however narrow the view.
constexpr int kMinColumnCap = 240;

// The tree elides names in the middle; an empty group's sentence reads better
// cut at its end (its tooltip has it whole).
class TreeItemDelegate : public QStyledItemDelegate {
 public:
  using QStyledItemDelegate::QStyledItemDelegate;

 protected:
  void initStyleOption(QStyleOptionViewItem* option, const QModelIndex& index) const override {
    QStyledItemDelegate::initStyleOption(option, index);
    if (index.data(WorkspaceTreeModel::PlaceholderRole).toBool())
      option->textElideMode = Qt::ElideRight;
  }
};

}  // namespace

WorkspaceView::WorkspaceView(WorkspaceTreeModel* tree, QWidget* parent)
    : QWidget(parent),
      m_tree(tree),
      m_treeView(new QTreeView(this)),
      m_splitter(new QSplitter(Qt::Horizontal, this)),
      m_heading(new QLabel(this)),
      m_detailStack(new QStackedWidget(this)),
      m_table(new QTableView(this)),
      m_emptyState(new EmptyStateWidget(this)) {
  m_treeView->setModel(m_tree);
  m_treeView->setUniformRowHeights(true);
  m_treeView->setAlternatingRowColors(false);
  m_treeView->setSelectionMode(QAbstractItemView::SingleSelection);
  m_treeView->setEditTriggers(QAbstractItemView::NoEditTriggers);
  // Long dataset names keep both ends ("synth-te…-variant"): the ends tell them apart.
  m_treeView->setTextElideMode(Qt::ElideMiddle);
  m_treeView->setItemDelegate(new TreeItemDelegate(m_treeView));
  m_treeView->header()->setStretchLastSection(true);
  m_treeView->header()->setSectionResizeMode(WorkspaceTreeModel::NameColumn,
                                             QHeaderView::Interactive);
  m_treeView->setColumnWidth(WorkspaceTreeModel::NameColumn, 200);
  m_treeView->expandAll();
  for (int g = 0; g < kWorkspaceGroupCount; ++g)
    spanPlaceholders(m_tree->groupIndex(static_cast<WorkspaceGroup>(g)));

  m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
  m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
  m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
  m_table->setAlternatingRowColors(true);
  m_table->setWordWrap(false);
  m_table->setTextElideMode(Qt::ElideMiddle);  // only values wider than the cap (paths, errors)
  m_table->verticalHeader()->setVisible(false);
  m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 8);
  m_table->horizontalHeader()->setStretchLastSection(true);
  m_table->horizontalHeader()->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);

  QFont headingFont = m_heading->font();
  headingFont.setBold(true);
  headingFont.setPointSizeF(headingFont.pointSizeF() * 1.15);
  m_heading->setFont(headingFont);
  m_heading->setContentsMargins(4, 4, 4, 4);

  m_detailStack->addWidget(m_table);
  m_detailStack->addWidget(m_emptyState);

  auto* detail = new QWidget(this);
  auto* detailLayout = new QVBoxLayout(detail);
  detailLayout->setContentsMargins(0, 0, 0, 0);
  detailLayout->setSpacing(4);
  detailLayout->addWidget(m_heading);
  detailLayout->addWidget(m_detailStack, 1);

  m_splitter->addWidget(m_treeView);
  m_splitter->addWidget(detail);
  m_splitter->setStretchFactor(0, 0);
  m_splitter->setStretchFactor(1, 1);
  m_splitter->setSizes({400, 700});
  m_splitter->setChildrenCollapsible(false);

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(6, 6, 6, 6);
  layout->addWidget(m_splitter);

  connect(m_treeView->selectionModel(), &QItemSelectionModel::selectionChanged, this,
          &WorkspaceView::onTreeSelectionChanged);
  // New rows arrive as inserted children: keep groups expanded, refresh the heading.
  connect(m_tree, &QAbstractItemModel::rowsInserted, this, [this](const QModelIndex& parent) {
    if (parent.isValid()) {
      m_treeView->expand(parent);
      spanPlaceholders(parent);
    }
    fitTreeNameColumn();
    updateDetailState();
  });
  connect(m_tree, &QAbstractItemModel::dataChanged, this, [this] {
    fitTreeNameColumn();
    updateDetailState();
  });
  for (int g = 0; g < kWorkspaceGroupCount; ++g) {
    QSqlQueryModel* model = m_tree->groupModel(static_cast<WorkspaceGroup>(g));
    connect(model, &QAbstractItemModel::modelAboutToBeReset, this, [this, g] {
      if (static_cast<int>(m_group) == g) rememberTableState();
    });
    // Queued: the table view handles the reset after this connection would run, and
    // its reset shows hidden columns and drops the selection again.
    connect(
        model, &QAbstractItemModel::modelReset, this,
        [this, g] {
          if (static_cast<int>(m_group) == g) restoreTableState();
        },
        Qt::QueuedConnection);
  }
  showGroup(WorkspaceGroup::Datasets);
}

void WorkspaceView::selectGroup(WorkspaceGroup group) {
  m_treeView->selectionModel()->setCurrentIndex(
      m_tree->groupIndex(group), QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
  showGroup(group);
}

bool WorkspaceView::isShowingEmptyState() const {
  return m_detailStack->currentWidget() == m_emptyState;
}

QString WorkspaceView::emptyStateText() const { return m_emptyState->text(); }

void WorkspaceView::showGroup(WorkspaceGroup group) {
  const bool changed = group != m_group || m_table->model() == nullptr;
  m_group = group;
  if (changed) {
    m_table->setModel(m_tree->groupModel(group));
    m_table->hideColumn(0);  // the row id: the tree and the database need it, people don't
    m_selectedRowId = -1;
    m_fittedColumnCount = -1;
  }
  updateDetailState();
  if (changed) fitColumns(false);
}

int WorkspaceView::fittedWidth(int column) const {
  // As wide as the header and the values, but no single column (an error, a path)
  // takes the table: wider values are elided in the middle.
  const int header = m_table->horizontalHeader()->sectionSizeHint(column);
  // QTableView makes sizeHintForColumn protected; QAbstractItemView has it public.
  const int content = static_cast<const QAbstractItemView*>(m_table)->sizeHintForColumn(column);
  const int cap = qMax(kMinColumnCap, m_table->viewport()->width() / 2);
  return qMax(header, qMin(content, cap));
}

void WorkspaceView::fitColumns(bool growOnly) {
  QAbstractItemModel* model = m_table->model();
  if (!model) return;
  // Columns that just appeared (the query ran for the first time) have Qt's
  // default width, not one we chose: fit them from scratch.
  if (model->columnCount() != m_fittedColumnCount) growOnly = false;
  m_fittedColumnCount = model->columnCount();
  for (int c = 0; c < model->columnCount(); ++c) {
    if (m_table->isColumnHidden(c)) continue;
    const int width = fittedWidth(c);
    if (!growOnly || m_table->columnWidth(c) < width) m_table->setColumnWidth(c, width);
  }
}

void WorkspaceView::fitTreeNameColumn() {
  // Wide enough for every group title and item name, placeholders aside (they span
  // both columns), up to 60 % of the tree; longer names are elided in the middle.
  const int indent = m_treeView->indentation();
  int widest = m_treeView->header()->sectionSizeHint(WorkspaceTreeModel::NameColumn);
  for (int g = 0; g < kWorkspaceGroupCount; ++g) {
    const QModelIndex group = m_tree->groupIndex(static_cast<WorkspaceGroup>(g));
    widest = qMax(widest, m_treeView->sizeHintForIndex(group).width() + indent);
    for (int r = 0; r < m_tree->rowCount(group); ++r) {
      const QModelIndex child = m_tree->index(r, WorkspaceTreeModel::NameColumn, group);
      if (child.data(WorkspaceTreeModel::PlaceholderRole).toBool()) continue;
      widest = qMax(widest, m_treeView->sizeHintForIndex(child).width() + 2 * indent);
    }
  }
  const int cap = qMax(kMinColumnCap, m_treeView->viewport()->width() * 3 / 5);
  const int width = qMin(widest, cap);
  if (m_treeView->columnWidth(WorkspaceTreeModel::NameColumn) < width)
    m_treeView->setColumnWidth(WorkspaceTreeModel::NameColumn, width);
}

void WorkspaceView::spanPlaceholders(const QModelIndex& groupIndex) {
  // The empty-state text reads across both columns instead of being cut at the first.
  for (int r = 0; r < m_tree->rowCount(groupIndex); ++r) {
    const bool placeholder =
        m_tree->index(r, 0, groupIndex).data(WorkspaceTreeModel::PlaceholderRole).toBool();
    m_treeView->setFirstColumnSpanned(r, groupIndex, placeholder);
  }
}

void WorkspaceView::onTreeSelectionChanged() {
  const QModelIndexList selected = m_treeView->selectionModel()->selectedRows();
  if (selected.isEmpty()) return;
  const QModelIndex index = selected.first();
  showGroup(WorkspaceTreeModel::groupOf(index));
  if (index.parent().isValid() && !index.data(WorkspaceTreeModel::PlaceholderRole).toBool())
    selectTableRow(index.data(WorkspaceTreeModel::RowIdRole).toLongLong());
}

void WorkspaceView::updateDetailState() {
  const WorkspaceGroupSpec spec = WorkspaceGroups::spec(m_group);
  const int rows = m_tree->loadedRowCount(m_group);
  m_heading->setText(rows >= WorkspaceGroups::kRowLimit
                         ? tr("%1 — newest %2 shown").arg(spec.title).arg(rows)
                         : tr("%1 — %2").arg(spec.title).arg(rows));
  if (rows == 0) {
    m_emptyState->setTitle(spec.emptyTitle);
    m_emptyState->setText(spec.emptyHint);
    m_detailStack->setCurrentWidget(m_emptyState);
  } else {
    m_detailStack->setCurrentWidget(m_table);
  }
}

void WorkspaceView::selectTableRow(qint64 rowId) {
  QAbstractItemModel* model = m_table->model();
  if (!model) return;
  for (int r = 0; r < model->rowCount(); ++r) {
    if (model->index(r, 0).data().toLongLong() == rowId) {
      m_table->selectRow(r);
      m_table->scrollTo(model->index(r, 1));
      m_selectedRowId = rowId;
      return;
    }
  }
}

void WorkspaceView::rememberTableState() {
  const QModelIndexList rows =
      m_table->selectionModel() ? m_table->selectionModel()->selectedRows(0) : QModelIndexList();
  m_selectedRowId = rows.isEmpty() ? -1 : rows.first().data().toLongLong();
  m_scrollValue = m_table->verticalScrollBar()->value();
}

void WorkspaceView::restoreTableState() {
  m_table->hideColumn(0);
  if (m_selectedRowId >= 0) {
    const qint64 id = m_selectedRowId;
    selectTableRow(id);
  }
  m_table->verticalScrollBar()->setValue(m_scrollValue);
  updateDetailState();
  // New values (an error, a longer name) widen their column; a column the user
  // made wider stays as it is.
  fitColumns(true);
}

}  // namespace understudy::ui
