// The workspace tree: four groups (Datasets, Models, Runs, Nodes), each with one
// child per row of its table. Every group reads through its own QSqlQueryModel
// (the same model the detail table shows), so tree and table never disagree.
// An empty group shows one greyed placeholder child saying how to fill it.
//
//   WorkspaceTreeModel tree;
//   tree.setConnection(connection);   // selects every group
//   tree.reload();                    // re-selects; the tree changes only where rows did
#pragma once

#include <QAbstractItemModel>
#include <QSqlQueryModel>
#include <QVariant>
#include <QVector>
#include <vector>

#include "ui/workspace/workspace_groups.h"

namespace understudy::ui {

class WorkspaceConnection;

class WorkspaceTreeModel : public QAbstractItemModel {
  Q_OBJECT

 public:
  enum Column { NameColumn = 0, SummaryColumn, ColumnCount };
  enum Role {
    GroupRole = Qt::UserRole + 1,  // int(WorkspaceGroup) on every item
    RowIdRole,                     // the table row's id (children only)
    PlaceholderRole,               // true on an empty group's placeholder child
    GroupKeyRole,                  // "datasets", ...
  };

  explicit WorkspaceTreeModel(QObject* parent = nullptr);
  ~WorkspaceTreeModel() override;

  // Binds to `connection` (not owned; nullptr detaches) and selects every group.
  void setConnection(const WorkspaceConnection* connection);
  // Re-runs every group's query. A group's model is re-selected (a model reset)
  // only when its rows changed, so selections survive a poll that found nothing new.
  void reload();

  QSqlQueryModel* groupModel(WorkspaceGroup group) const;
  // Rows loaded for `group` (at most WorkspaceGroups::kRowLimit).
  int loadedRowCount(WorkspaceGroup group) const;
  QModelIndex groupIndex(WorkspaceGroup group) const;
  static WorkspaceGroup groupOf(const QModelIndex& index);
  // Empty when the last reload worked; otherwise the first query error.
  const QString& lastError() const { return m_lastError; }

  QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
  QModelIndex parent(const QModelIndex& child) const override;
  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation,
                      int role = Qt::DisplayRole) const override;
  Qt::ItemFlags flags(const QModelIndex& index) const override;

 private:
  struct Row {
    qint64 id = 0;
    QString name;
    QString summary;
    QString status;
  };
  struct Group {
    WorkspaceGroupSpec spec;
    QSqlQueryModel* model = nullptr;  // owned through QObject parenting
    QVector<QVariantList> snapshot;   // the last selected values, to detect change
    QVector<Row> rows;
    bool showPlaceholder = true;
  };

  void reloadGroup(int groupIndex);
  void replaceRows(int groupIndex, QVector<Row> rows);
  int displayedRowCount(const Group& group) const;

  std::vector<Group> m_groups;
  const WorkspaceConnection* m_connection = nullptr;
  QString m_lastError;
};

}  // namespace understudy::ui
