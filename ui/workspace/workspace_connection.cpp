#include "ui/workspace/workspace_connection.h"

#include <SQLiteCpp/Exception.h>

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>
#include <atomic>

#include "core/store/workspace.h"
#include "core/util/error.h"

namespace understudy::ui {

namespace {

// Short enough that a poll never stalls the event loop for long; WAL readers
// are rarely blocked at all (only by a checkpoint that truncates the log).
constexpr int kBusyTimeoutMs = 250;

QString nextConnectionName() {
  static std::atomic<int> counter{0};
  return QStringLiteral("understudy-workspace-%1").arg(++counter);
}

}  // namespace

WorkspaceConnection::WorkspaceConnection(QString rootPath, QString connectionName)
    : m_rootPath(std::move(rootPath)), m_connectionName(std::move(connectionName)) {}

WorkspaceConnection::~WorkspaceConnection() {
  {
    QSqlDatabase db = QSqlDatabase::database(m_connectionName, /*open=*/false);
    if (db.isValid()) db.close();
  }
  QSqlDatabase::removeDatabase(m_connectionName);
}

QString WorkspaceConnection::databasePath() const {
  return QDir(m_rootPath).filePath(QString::fromLatin1(Workspace::kDatabaseName));
}

QSqlDatabase WorkspaceConnection::database() const {
  return QSqlDatabase::database(m_connectionName, /*open=*/false);
}

namespace {

// Runs `openOrCreate` (Workspace::open or ::create) and returns the workspace
// root, or an empty string with `error` set to the one-line message.
template <typename OpenOrCreate>
QString workspaceRoot(OpenOrCreate&& openOrCreate, QString* error) {
  try {
    Workspace ws = openOrCreate();
    return QString::fromStdString(ws.root().string());
  } catch (const Error& e) {
    if (error) *error = QString::fromStdString(e.message());
  } catch (const SQLite::Exception& e) {
    if (error)
      *error = WorkspaceConnection::tr("database error: %1").arg(QString::fromUtf8(e.what()));
  } catch (const std::exception& e) {
    if (error) *error = QString::fromUtf8(e.what());
  }
  return {};
}

}  // namespace

std::unique_ptr<WorkspaceConnection> WorkspaceConnection::open(const QString& path,
                                                               QString* error) {
  // Validates the folder and schema, and migrates an older schema forward,
  // exactly as the CLI does; the SQLiteCpp connection is closed again at once.
  const QString root = workspaceRoot([&] { return Workspace::open(path.toStdString()); }, error);
  return root.isEmpty() ? nullptr : connect(root, error);
}

std::unique_ptr<WorkspaceConnection> WorkspaceConnection::create(const QString& path,
                                                                 QString* error) {
  const QString root = workspaceRoot([&] { return Workspace::create(path.toStdString()); }, error);
  return root.isEmpty() ? nullptr : connect(root, error);
}

std::unique_ptr<WorkspaceConnection> WorkspaceConnection::connect(const QString& rootPath,
                                                                  QString* error) {
  if (!QSqlDatabase::isDriverAvailable(QStringLiteral("QSQLITE"))) {
    if (error)
      *error =
          tr("the Qt SQLite driver (QSQLITE) is not installed (hint: install "
             "libqt6sql6-sqlite)");
    return nullptr;
  }
  std::unique_ptr<WorkspaceConnection> connection(
      new WorkspaceConnection(rootPath, nextConnectionName()));
  {
    QSqlDatabase db =
        QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connection->m_connectionName);
    db.setDatabaseName(connection->databasePath());
    // Read-only: the GUI never writes behind a job's back; jobs write through the CLI.
    db.setConnectOptions(
        QStringLiteral("QSQLITE_OPEN_READONLY;QSQLITE_BUSY_TIMEOUT=%1").arg(kBusyTimeoutMs));
    if (!db.open()) {
      if (error)
        *error = tr("%1: cannot open the database: %2")
                     .arg(connection->databasePath(), db.lastError().text());
      return nullptr;
    }
  }
  return connection;
}

int WorkspaceConnection::schemaVersion() const {
  QSqlQuery query(database());
  if (!query.exec(QStringLiteral("PRAGMA user_version")) || !query.next()) return -1;
  return query.value(0).toInt();
}

qint64 WorkspaceConnection::dataVersion() const {
  QSqlQuery query(database());
  if (!query.exec(QStringLiteral("PRAGMA data_version")) || !query.next()) return -1;
  return query.value(0).toLongLong();
}

}  // namespace understudy::ui
