// The workspace the window shows: opens/creates it (validated by core/store),
// owns its Qt Sql connection and the tree model, and polls for changes that
// jobs write from other processes (docs/design.md "Process model").
//
// The poll is cheap: every interval it reads `PRAGMA data_version`, and only when
// another connection committed does it re-select the (row-limited) group queries.
// No call blocks longer than the connection's short busy timeout.
//
//   WorkspaceSession session;
//   connect(&session, &WorkspaceSession::errorOccurred, showMessage);
//   if (session.open(path)) view->setModel(session.treeModel());
#pragma once

#include <QObject>
#include <QString>
#include <QStringList>
#include <QTimer>
#include <memory>

namespace understudy::ui {

class WorkspaceConnection;
class WorkspaceTreeModel;

struct WorkspaceCounts {
  qint64 datasets = 0;
  qint64 models = 0;
  qint64 runs = 0;
  qint64 nodes = 0;
};

class WorkspaceSession : public QObject {
  Q_OBJECT
  Q_PROPERTY(QString lastError READ lastError)
  Q_PROPERTY(QString rootPath READ rootPath NOTIFY workspaceChanged)

 public:
  explicit WorkspaceSession(QObject* parent = nullptr);
  ~WorkspaceSession() override;

  // Opens the workspace at `path`. On failure the current workspace stays open,
  // lastError() holds the message and errorOccurred() is emitted.
  bool open(const QString& path);
  // Creates a new workspace folder at `path` and opens it.
  bool create(const QString& path);
  void close();

  bool isOpen() const { return m_connection != nullptr; }
  QString rootPath() const;
  int schemaVersion() const { return m_schemaVersion; }
  const WorkspaceCounts& counts() const { return m_counts; }
  WorkspaceTreeModel* treeModel() const { return m_tree; }
  // The last failure's message (open/create/refresh); empty after a success.
  const QString& lastError() const { return m_lastError; }

  int pollIntervalMs() const { return m_pollTimer.interval(); }
  void setPollIntervalMs(int ms);

 public slots:
  // Re-selects now if the database changed since the last refresh.
  void refresh();

 signals:
  void workspaceChanged();
  // After every refresh that read the database (the first one included).
  void refreshed();
  void errorOccurred(const QString& title, const QString& message);
  void recentWorkspacesChanged(const QStringList& recent);

 private:
  bool adopt(std::unique_ptr<WorkspaceConnection> connection, const QString& requestedPath,
             const QString& error, const QString& title);
  void reload();
  void fail(const QString& title, const QString& message);

  std::unique_ptr<WorkspaceConnection> m_connection;
  WorkspaceTreeModel* m_tree;
  QTimer m_pollTimer;
  qint64 m_dataVersion = -1;
  int m_schemaVersion = 0;
  WorkspaceCounts m_counts;
  QString m_lastError;
};

}  // namespace understudy::ui
