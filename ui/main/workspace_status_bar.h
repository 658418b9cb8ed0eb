// The main window's status bar: workspace path, schema version, and how many
// datasets, models, runs and nodes it holds (or the last read error).
#pragma once

#include <QStatusBar>

class QLabel;

namespace understudy::ui {

class WorkspaceSession;

class WorkspaceStatusBar : public QStatusBar {
  Q_OBJECT

 public:
  explicit WorkspaceStatusBar(QWidget* parent = nullptr);

  // Shows the session's current state; call after every refresh.
  void showSession(const WorkspaceSession& session);

  QString pathText() const;
  QString schemaText() const;
  QString countsText() const;

 private:
  QLabel* m_path;
  QLabel* m_schema;
  QLabel* m_counts;
};

}  // namespace understudy::ui
