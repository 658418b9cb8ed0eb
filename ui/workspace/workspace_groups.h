// The four groups the workspace tree shows — Datasets, Models, Runs, Nodes — and,
// for each, the SQL that lists it, the column headers of its detail table, the
// one-line summary a tree row shows and what to say while it is empty.
// Column names follow core/store/schema.cpp (schema v1).
#pragma once

#include <QCoreApplication>
#include <QSqlRecord>
#include <QString>
#include <QStringList>
#include <functional>
#include <vector>

namespace understudy::ui {

enum class WorkspaceGroup { Datasets = 0, Models, Runs, Nodes };
constexpr int kWorkspaceGroupCount = 4;

struct WorkspaceGroupSpec {
  WorkspaceGroup group;
  QString key;          // "datasets", ... (stable; used by tests and --screenshot-group)
  QString title;        // "Datasets"
  QString emptyText;    // the tree's placeholder: "No datasets yet — import one with …"
  QString emptyTitle;   // the detail panel's empty state: "No datasets yet"
  QString emptyHint;    // … and its explanation: "Import one with …"
  QString sql;          // the detail table's query; column 0 is the row id
  QStringList headers;  // one per column of `sql`
  int nameColumn = 1;   // what a tree row shows as its name
  // The tree row's second column ("labeled · 120 utt. · 0.3 h").
  std::function<QString(const QSqlRecord&)> summary;
};

class WorkspaceGroups {
  Q_DECLARE_TR_FUNCTIONS(WorkspaceGroups)

 public:
  // Built on each call so that a translator installed later takes effect.
  static std::vector<WorkspaceGroupSpec> all();
  static WorkspaceGroupSpec spec(WorkspaceGroup group);
  // The group named by `key` ("datasets", "models", "runs", "nodes"); false if none.
  static bool fromKey(const QString& key, WorkspaceGroup* group);
  // Rows a detail table and the tree load at most (newest first); the status bar
  // still shows the true count.
  static constexpr int kRowLimit = 5000;
};

}  // namespace understudy::ui
