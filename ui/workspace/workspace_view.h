// The workspace browser: the group tree on the left, the selected group's table
// on the right (or its empty state). Selecting a tree row selects the same row
// in the table. Table selection and scroll position survive a refresh.
#pragma once

#include <QWidget>

#include "ui/workspace/workspace_groups.h"

class QLabel;
class QSplitter;
class QStackedWidget;
class QTableView;
class QTreeView;

namespace understudy::ui {

class EmptyStateWidget;
class WorkspaceTreeModel;

class WorkspaceView : public QWidget {
  Q_OBJECT

 public:
  explicit WorkspaceView(WorkspaceTreeModel* tree, QWidget* parent = nullptr);

  void selectGroup(WorkspaceGroup group);
  WorkspaceGroup currentGroup() const { return m_group; }
  // True while the detail side shows the group's empty state instead of a table.
  bool isShowingEmptyState() const;
  QString emptyStateText() const;

  QTreeView* treeView() const { return m_treeView; }
  QTableView* detailView() const { return m_table; }
  QSplitter* splitter() const { return m_splitter; }

 private:
  void showGroup(WorkspaceGroup group);
  void onTreeSelectionChanged();
  void updateDetailState();
  void selectTableRow(qint64 rowId);
  void rememberTableState();
  void restoreTableState();
  // Sizes the table's columns to header and values (capped); growOnly keeps wider ones.
  void fitColumns(bool growOnly);
  int fittedWidth(int column) const;
  void fitTreeNameColumn();
  void spanPlaceholders(const QModelIndex& groupIndex);

  WorkspaceTreeModel* m_tree;
  QTreeView* m_treeView;
  QSplitter* m_splitter;
  QLabel* m_heading;
  QStackedWidget* m_detailStack;
  QTableView* m_table;
  EmptyStateWidget* m_emptyState;
  WorkspaceGroup m_group = WorkspaceGroup::Datasets;
  qint64 m_selectedRowId = -1;
  int m_scrollValue = 0;
  int m_fittedColumnCount = -1;  // the table's column count when its columns were last fitted
};

}  // namespace understudy::ui
