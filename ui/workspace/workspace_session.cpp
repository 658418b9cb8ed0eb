#include "ui/workspace/workspace_session.h"

#include <QFileInfo>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

#include "ui/settings/workbench_settings.h"
#include "ui/workspace/workspace_connection.h"
#include "ui/workspace/workspace_tree_model.h"

namespace understudy::ui {

WorkspaceSession::WorkspaceSession(QObject* parent)
    : QObject(parent), m_tree(new WorkspaceTreeModel(this)) {
  m_pollTimer.setInterval(qMax(100, settings::pollIntervalMs.value()));
  connect(&m_pollTimer, &QTimer::timeout, this, &WorkspaceSession::refresh);
}

WorkspaceSession::~WorkspaceSession() {
  // Models first: their statements must be finalised before the connection closes.
  m_tree->setConnection(nullptr);
  m_connection.reset();
}

QString WorkspaceSession::rootPath() const {
  return m_connection ? m_connection->rootPath() : QString();
}

void WorkspaceSession::setPollIntervalMs(int ms) { m_pollTimer.setInterval(qMax(10, ms)); }

bool WorkspaceSession::open(const QString& path) {
  QString error;
  auto connection = WorkspaceConnection::open(path, &error);
  if (!connection && !QFileInfo::exists(path)) {
    emit recentWorkspacesChanged(settings::removeRecentWorkspace(path));
  }
  return adopt(std::move(connection), path, error, tr("Cannot open workspace"));
}

bool WorkspaceSession::create(const QString& path) {
  QString error;
  auto connection = WorkspaceConnection::create(path, &error);
  return adopt(std::move(connection), path, error, tr("Cannot create workspace"));
}

bool WorkspaceSession::adopt(std::unique_ptr<WorkspaceConnection> connection,
                             const QString& requestedPath, const QString& error,
                             const QString& title) {
  if (!connection) {
    fail(title, error.isEmpty() ? tr("%1: unknown error").arg(requestedPath) : error);
    return false;
  }
  m_lastError.clear();
  // Rebind the models before the old connection closes.
  m_tree->setConnection(connection.get());
  m_connection = std::move(connection);
  m_dataVersion = -1;
  reload();
  m_pollTimer.start();
  emit recentWorkspacesChanged(settings::addRecentWorkspace(m_connection->rootPath()));
  emit workspaceChanged();
  emit refreshed();
  return true;
}

void WorkspaceSession::close() {
  if (!m_connection) return;
  m_pollTimer.stop();
  m_tree->setConnection(nullptr);
  m_connection.reset();
  m_schemaVersion = 0;
  m_counts = {};
  m_dataVersion = -1;
  emit workspaceChanged();
}

void WorkspaceSession::refresh() {
  if (!m_connection) return;
  const qint64 version = m_connection->dataVersion();
  if (version >= 0 && version == m_dataVersion) return;
  reload();
  emit refreshed();
}

void WorkspaceSession::reload() {
  m_dataVersion = m_connection->dataVersion();
  m_schemaVersion = m_connection->schemaVersion();
  m_tree->reload();

  QSqlQuery query(m_connection->database());
  if (query.exec(QStringLiteral("SELECT (SELECT COUNT(*) FROM datasets), "
                                "(SELECT COUNT(*) FROM models), (SELECT COUNT(*) FROM runs), "
                                "(SELECT COUNT(*) FROM nodes)")) &&
      query.next()) {
    m_counts.datasets = query.value(0).toLongLong();
    m_counts.models = query.value(1).toLongLong();
    m_counts.runs = query.value(2).toLongLong();
    m_counts.nodes = query.value(3).toLongLong();
    m_lastError = m_tree->lastError();
  } else {
    // A poll that cannot read (folder deleted, disk gone) is reported in the
    // status bar by the next refreshed(); it is not worth a dialog every 1.5 s.
    m_lastError =
        tr("cannot read %1: %2").arg(m_connection->databasePath(), query.lastError().text());
    m_dataVersion = -1;
  }
}

void WorkspaceSession::fail(const QString& title, const QString& message) {
  m_lastError = message;
  emit errorOccurred(title, message);
}

}  // namespace understudy::ui
