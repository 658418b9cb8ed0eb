// One open workspace as the GUI sees it: a named QSqlDatabase ("QSQLITE")
// connection on WS/workspace.db, opened only after understudy::Workspace::open
// has validated the folder (exists, is a workspace, schema not newer, migrated).
//
//   QString error;
//   auto ws = WorkspaceConnection::open(path, &error);   // nullptr + message on failure
//   QSqlQuery q(ws->database());
//
// Each instance owns a unique connection name, removed again on destruction,
// so several workspaces can be open side by side. Queries and models that use
// the connection must be gone before the WorkspaceConnection is destroyed.
#pragma once

#include <QCoreApplication>
#include <QSqlDatabase>
#include <QString>
#include <memory>

namespace understudy::ui {

class WorkspaceConnection {
  Q_DECLARE_TR_FUNCTIONS(WorkspaceConnection)

 public:
  // Validates and opens; returns nullptr and sets *error (the understudy::Error
  // message, with its hint) when the folder is not a usable workspace.
  static std::unique_ptr<WorkspaceConnection> open(const QString& path, QString* error);
  // Creates a new workspace folder (understudy::Workspace::create), then opens it.
  static std::unique_ptr<WorkspaceConnection> create(const QString& path, QString* error);

  ~WorkspaceConnection();
  WorkspaceConnection(const WorkspaceConnection&) = delete;
  WorkspaceConnection& operator=(const WorkspaceConnection&) = delete;

  const QString& rootPath() const { return m_rootPath; }
  QString databasePath() const;
  const QString& connectionName() const { return m_connectionName; }
  QSqlDatabase database() const;

  // PRAGMA user_version; -1 if the database cannot be read.
  int schemaVersion() const;
  // PRAGMA data_version: changes whenever another connection commits. Polling it
  // costs next to nothing, so the GUI re-selects its models only when it moved.
  qint64 dataVersion() const;

 private:
  WorkspaceConnection(QString rootPath, QString connectionName);
  static std::unique_ptr<WorkspaceConnection> connect(const QString& rootPath, QString* error);

  QString m_rootPath;
  QString m_connectionName;
};

}  // namespace understudy::ui
