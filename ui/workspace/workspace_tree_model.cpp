#include "ui/workspace/workspace_tree_model.h"

#include <QApplication>
#include <QColor>
#include <QFont>
#include <QLocale>
#include <QPalette>
#include <QSet>
#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QStyle>

#include "ui/workspace/workspace_connection.h"

namespace understudy::ui {

namespace {

// internalId: 0 for a group item, group index + 1 for a child.
constexpr quintptr kGroupItem = 0;

QStyle::StandardPixmap groupIcon(WorkspaceGroup group) {
  switch (group) {
    case WorkspaceGroup::Datasets:
      return QStyle::SP_DirIcon;
    case WorkspaceGroup::Models:
      return QStyle::SP_FileDialogDetailedView;
    case WorkspaceGroup::Runs:
      return QStyle::SP_MediaPlay;
    case WorkspaceGroup::Nodes:
      return QStyle::SP_ComputerIcon;
  }
  return QStyle::SP_DirIcon;
}

QColor statusColor(const QString& status) {
  if (status == QLatin1String("failed")) return QColor(0xb0, 0x20, 0x20);
  if (status == QLatin1String("running")) return QColor(0x1f, 0x5f, 0xb0);
  if (status == QLatin1String("cancelled")) return QColor(0x80, 0x80, 0x80);
  return {};
}

}  // namespace

WorkspaceTreeModel::WorkspaceTreeModel(QObject* parent) : QAbstractItemModel(parent) {
  for (auto& spec : WorkspaceGroups::all()) {
    Group group;
    group.spec = spec;
    group.model = new QSqlQueryModel(this);
    m_groups.push_back(std::move(group));
  }
}

WorkspaceTreeModel::~WorkspaceTreeModel() = default;

void WorkspaceTreeModel::setConnection(const WorkspaceConnection* connection) {
  m_connection = connection;
  for (int g = 0; g < static_cast<int>(m_groups.size()); ++g) {
    Group& group = m_groups[static_cast<std::size_t>(g)];
    // Drop the old connection's statements before that connection goes away.
    group.model->clear();
    // clear() leaves an empty query made by the old connection's driver, which
    // dies with the connection; a later clear() (closing again, or the
    // session's destructor after File > Close) would call through it and
    // crash. An empty query of no database holds Qt's null driver instead.
    group.model->setQuery(QSqlQuery(QSqlDatabase()));
    group.snapshot.clear();
    replaceRows(g, {});
  }
  // The cleared models hold no query, so this selects every group afresh.
  reload();
}

void WorkspaceTreeModel::reload() {
  m_lastError.clear();
  for (int g = 0; g < static_cast<int>(m_groups.size()); ++g) reloadGroup(g);
}

void WorkspaceTreeModel::reloadGroup(int groupIndex) {
  Group& group = m_groups[static_cast<std::size_t>(groupIndex)];
  if (!m_connection) return;

  // Read the rows once with a plain query and compare with what is shown; only a
  // change re-selects the model (a reset that would clear the user's selection).
  QSqlQuery query(m_connection->database());
  query.setForwardOnly(true);
  if (!query.exec(group.spec.sql)) {
    if (m_lastError.isEmpty())
      m_lastError = tr("%1: %2").arg(group.spec.title, query.lastError().text());
    return;
  }
  QVector<QVariantList> snapshot;
  QVector<Row> rows;
  while (query.next()) {
    const QSqlRecord record = query.record();
    QVariantList values;
    values.reserve(record.count());
    for (int c = 0; c < record.count(); ++c) values << record.value(c);
    snapshot << values;
    Row row;
    row.id = record.value(0).toLongLong();
    row.name = record.value(group.spec.nameColumn).toString();
    row.summary = group.spec.summary ? group.spec.summary(record) : QString();
    if (record.indexOf(QStringLiteral("status")) >= 0)
      row.status = record.value(QStringLiteral("status")).toString();
    rows << row;
  }
  query.finish();
  if (snapshot == group.snapshot && group.model->query().isSelect()) return;

  group.snapshot = snapshot;
  group.model->setQuery(group.spec.sql, m_connection->database());
  // Load every row now (the query is limited) so the statement finishes and
  // holds no read snapshot of the WAL between polls.
  while (group.model->canFetchMore()) group.model->fetchMore();
  for (int c = 0; c < group.spec.headers.size() && c < group.model->columnCount(); ++c)
    group.model->setHeaderData(c, Qt::Horizontal, group.spec.headers[c]);
  if (group.model->lastError().isValid() && m_lastError.isEmpty())
    m_lastError = tr("%1: %2").arg(group.spec.title, group.model->lastError().text());
  replaceRows(groupIndex, std::move(rows));
}

void WorkspaceTreeModel::replaceRows(int groupIndex, QVector<Row> rows) {
  Group& group = m_groups[static_cast<std::size_t>(groupIndex)];
  const QModelIndex parent = index(groupIndex, 0);

  if (group.rows.isEmpty() || rows.isEmpty()) {
    // To or from the placeholder (or nothing, while detached): replace everything.
    const int oldCount = displayedRowCount(group);
    if (oldCount > 0) {
      beginRemoveRows(parent, 0, oldCount - 1);
      group.rows.clear();
      group.showPlaceholder = false;
      endRemoveRows();
    }
    const int newCount = qMax(1, static_cast<int>(rows.size()));
    beginInsertRows(parent, 0, newCount - 1);
    group.showPlaceholder = rows.isEmpty();
    group.rows = std::move(rows);
    endInsertRows();
  } else {
    // Remove the rows that went and insert the ones that came, keeping every row that
    // stayed: a new run on top or a dataset added leaves the user's selection alone.
    QSet<qint64> newIds;
    for (const Row& row : rows) newIds.insert(row.id);
    QSet<qint64> oldIds;
    for (const Row& row : group.rows) oldIds.insert(row.id);

    for (int end = group.rows.size(); end > 0;) {
      if (newIds.contains(group.rows[end - 1].id)) {
        --end;
        continue;
      }
      int begin = end - 1;
      while (begin > 0 && !newIds.contains(group.rows[begin - 1].id)) --begin;
      beginRemoveRows(parent, begin, end - 1);
      group.rows.remove(begin, end - begin);
      endRemoveRows();
      end = begin;
    }

    // The rows that stayed must still be in the same order (a rename can move one
    // when a group sorts by name); otherwise rebuild the group.
    QVector<qint64> kept;
    for (const Row& row : rows)
      if (oldIds.contains(row.id)) kept << row.id;
    bool sameOrder = kept.size() == group.rows.size();
    for (int i = 0; sameOrder && i < kept.size(); ++i) sameOrder = kept[i] == group.rows[i].id;
    if (!sameOrder && !group.rows.isEmpty()) {
      beginRemoveRows(parent, 0, group.rows.size() - 1);
      group.rows.clear();
      endRemoveRows();
      oldIds.clear();
    }

    for (int i = 0; i < rows.size();) {
      if (oldIds.contains(rows[i].id)) {
        ++i;
        continue;
      }
      int last = i;
      while (last + 1 < rows.size() && !oldIds.contains(rows[last + 1].id)) ++last;
      beginInsertRows(parent, i, last);
      for (int k = i; k <= last; ++k) group.rows.insert(k, rows[k]);
      endInsertRows();
      i = last + 1;
    }
    // Names, summaries and statuses of the kept rows may have changed.
    group.rows = std::move(rows);
    group.showPlaceholder = false;
    emit dataChanged(index(0, 0, parent), index(group.rows.size() - 1, ColumnCount - 1, parent));
  }
  emit dataChanged(index(groupIndex, 0), index(groupIndex, ColumnCount - 1));
}

int WorkspaceTreeModel::displayedRowCount(const Group& group) const {
  return group.rows.isEmpty() ? (group.showPlaceholder ? 1 : 0) : group.rows.size();
}

QSqlQueryModel* WorkspaceTreeModel::groupModel(WorkspaceGroup group) const {
  return m_groups[static_cast<std::size_t>(group)].model;
}

int WorkspaceTreeModel::loadedRowCount(WorkspaceGroup group) const {
  return m_groups[static_cast<std::size_t>(group)].rows.size();
}

QModelIndex WorkspaceTreeModel::groupIndex(WorkspaceGroup group) const {
  return index(static_cast<int>(group), 0);
}

WorkspaceGroup WorkspaceTreeModel::groupOf(const QModelIndex& index) {
  return static_cast<WorkspaceGroup>(index.data(GroupRole).toInt());
}

QModelIndex WorkspaceTreeModel::index(int row, int column, const QModelIndex& parent) const {
  if (column < 0 || column >= ColumnCount || row < 0) return {};
  if (!parent.isValid()) {
    if (row >= static_cast<int>(m_groups.size())) return {};
    return createIndex(row, column, kGroupItem);
  }
  if (parent.internalId() != kGroupItem || parent.row() >= static_cast<int>(m_groups.size()))
    return {};
  const Group& group = m_groups[static_cast<std::size_t>(parent.row())];
  if (row >= displayedRowCount(group)) return {};
  return createIndex(row, column, static_cast<quintptr>(parent.row() + 1));
}

QModelIndex WorkspaceTreeModel::parent(const QModelIndex& child) const {
  if (!child.isValid() || child.internalId() == kGroupItem) return {};
  return createIndex(static_cast<int>(child.internalId() - 1), 0, kGroupItem);
}

int WorkspaceTreeModel::rowCount(const QModelIndex& parent) const {
  if (!parent.isValid()) return static_cast<int>(m_groups.size());
  if (parent.internalId() != kGroupItem || parent.column() != 0) return 0;
  return displayedRowCount(m_groups[static_cast<std::size_t>(parent.row())]);
}

int WorkspaceTreeModel::columnCount(const QModelIndex&) const { return ColumnCount; }

QVariant WorkspaceTreeModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid()) return {};
  const bool isGroup = index.internalId() == kGroupItem;
  const int groupRow = isGroup ? index.row() : static_cast<int>(index.internalId() - 1);
  const Group& group = m_groups[static_cast<std::size_t>(groupRow)];

  if (role == GroupRole) return static_cast<int>(group.spec.group);
  if (role == GroupKeyRole) return group.spec.key;

  if (isGroup) {
    switch (role) {
      case Qt::DisplayRole:
        if (index.column() == NameColumn) return group.spec.title;
        if (group.rows.size() >= WorkspaceGroups::kRowLimit)
          return tr("%1+").arg(QLocale().toString(WorkspaceGroups::kRowLimit));
        return QLocale().toString(static_cast<int>(group.rows.size()));
      case Qt::DecorationRole:
        if (index.column() == NameColumn && qApp)
          return QApplication::style()->standardIcon(groupIcon(group.spec.group));
        return {};
      case Qt::FontRole: {
        QFont font;
        font.setBold(true);
        return font;
      }
      case Qt::ToolTipRole:
        return group.spec.title;
      case PlaceholderRole:
        return false;
      default:
        return {};
    }
  }

  if (group.rows.isEmpty()) {  // the placeholder child
    switch (role) {
      case Qt::DisplayRole:
        // Plain tree text: the `command` quotes only help the rich empty-state panel.
        return index.column() == NameColumn ? QString(group.spec.emptyText).remove(QLatin1Char('`'))
                                            : QString();
      case Qt::ToolTipRole:
        return group.spec.emptyText;
      case Qt::ForegroundRole:
        return QApplication::palette().color(QPalette::Disabled, QPalette::Text);
      case Qt::FontRole: {
        QFont font;
        font.setItalic(true);
        return font;
      }
      case PlaceholderRole:
        return true;
      default:
        return {};
    }
  }

  const Row& row = group.rows[index.row()];
  switch (role) {
    case Qt::DisplayRole:
      return index.column() == NameColumn ? row.name : row.summary;
    case Qt::ToolTipRole:
      return row.summary.isEmpty() ? row.name : row.name + "\n" + row.summary;
    case Qt::ForegroundRole: {
      const QColor color = statusColor(row.status);
      return color.isValid() ? QVariant(color) : QVariant();
    }
    case RowIdRole:
      return row.id;
    case PlaceholderRole:
      return false;
    default:
      return {};
  }
}

QVariant WorkspaceTreeModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  return section == NameColumn ? tr("Name") : tr("Details");
}

Qt::ItemFlags WorkspaceTreeModel::flags(const QModelIndex& index) const {
  if (!index.isValid()) return Qt::NoItemFlags;
  // The placeholder can be pointed at (tooltip) but not selected.
  if (index.data(PlaceholderRole).toBool()) return Qt::ItemIsEnabled;
  return Qt::ItemIsEnabled | Qt::ItemIsSelectable;
}

}  // namespace understudy::ui
