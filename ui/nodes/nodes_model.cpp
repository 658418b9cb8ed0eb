#include "ui/nodes/nodes_model.h"

#include <QBrush>
#include <QColor>
#include <QFont>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

#include "ui/workspace/workspace_connection.h"

namespace understudy::ui {

QString NodeInfo::address() const {
  return (user.isEmpty() ? QString() : user + QLatin1Char('@')) + host +
         (port == 22 ? QString() : QStringLiteral(":%1").arg(port));
}

bool NodeInfo::operator==(const NodeInfo& o) const {
  return id == o.id && name == o.name && host == o.host && user == o.user && port == o.port &&
         workspacePath == o.workspacePath && binaryPath == o.binaryPath && cpus == o.cpus &&
         gpus == o.gpus && status == o.status && lastSeen == o.lastSeen && version == o.version &&
         lastError == o.lastError;
}

NodesModel::NodesModel(QObject* parent) : QAbstractTableModel(parent) {}

void NodesModel::setConnection(const WorkspaceConnection* connection) {
  m_connection = connection;
  m_testing.clear();
  if (!m_connection) {
    beginResetModel();
    m_nodes.clear();
    m_lastError.clear();
    endResetModel();
    return;
  }
  reload();
}

bool NodesModel::reload() {
  if (!m_connection) return false;
  QSqlQuery query(m_connection->database());
  query.setForwardOnly(true);
  // Times as the other tables show them: UTC, to the second.
  if (!query.exec(QStringLiteral(
          "SELECT id, name, host, ssh_user, ssh_port, workspace_path, binary_path, cpus, gpus, "
          "status, COALESCE(REPLACE(SUBSTR(last_seen, 1, 19), 'T', ' '), ''), version, "
          "last_error FROM nodes ORDER BY name LIMIT 5000"))) {
    m_lastError = tr("cannot read the nodes of %1: %2")
                      .arg(m_connection->databasePath(), query.lastError().text());
    return false;
  }
  QVector<NodeInfo> rows;
  while (query.next()) {
    NodeInfo n;
    n.id = query.value(0).toLongLong();
    n.name = query.value(1).toString();
    n.host = query.value(2).toString();
    n.user = query.value(3).toString();
    n.port = query.value(4).toInt();
    n.workspacePath = query.value(5).toString();
    n.binaryPath = query.value(6).toString();
    n.cpus = query.value(7).toInt();
    n.gpus = query.value(8).toInt();
    n.status = query.value(9).toString();
    n.lastSeen = query.value(10).toString();
    n.version = query.value(11).toString();
    n.lastError = query.value(12).toString();
    rows.push_back(n);
  }
  m_lastError.clear();
  if (rows == m_nodes) return true;
  if (rows.size() == m_nodes.size()) {
    bool sameNames = true;
    for (int i = 0; i < rows.size() && sameNames; ++i) sameNames = rows[i].name == m_nodes[i].name;
    if (sameNames) {  // values changed in place: no reset, the selection stays
      m_nodes = rows;
      emit dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
      return true;
    }
  }
  beginResetModel();
  m_nodes = rows;
  endResetModel();
  return true;
}

int NodesModel::rowOf(const QString& name) const {
  for (int i = 0; i < m_nodes.size(); ++i)
    if (m_nodes[i].name == name) return i;
  return -1;
}

const NodeInfo* NodesModel::node(const QString& name) const {
  const int row = rowOf(name);
  return row < 0 ? nullptr : &m_nodes[row];
}

void NodesModel::setTesting(const QString& name, bool testing) {
  if (testing == m_testing.contains(name)) return;
  if (testing) m_testing.insert(name);
  else m_testing.remove(name);
  const int row = rowOf(name);
  if (row >= 0) emit dataChanged(index(row, StatusColumn), index(row, StatusColumn));
}

int NodesModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(m_nodes.size());
}

int NodesModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : ColumnCount;
}

QString NodesModel::statusText(const QString& status) {
  if (status == QLatin1String("ok")) return tr("ok");
  if (status == QLatin1String("unreachable")) return tr("unreachable");
  if (status == QLatin1String("error")) return tr("error");
  if (status == QLatin1String("unknown")) return tr("not tested");
  return status;
}

QVariant NodesModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= m_nodes.size()) return {};
  const NodeInfo& n = m_nodes[index.row()];
  const bool testing = m_testing.contains(n.name);
  if (role == NameRole) return n.name;
  if (role == Qt::DisplayRole || role == Qt::ToolTipRole) {
    switch (index.column()) {
      case NameColumn: return n.name;
      case AddressColumn: return n.address();
      case StatusColumn: return testing ? tr("testing…") : statusText(n.status);
      case LastSeenColumn:
        return n.lastSeen.isEmpty() ? (role == Qt::ToolTipRole ? tr("never reached") : QString())
                                    : n.lastSeen;
      case VersionColumn: return n.version;
      case CpusColumn: return n.cpus > 0 ? QVariant(n.cpus) : QVariant();
      case GpusColumn:
        // 0 registered and never reached: as many as a test will find.
        if (n.gpus == 0 && n.lastSeen.isEmpty())
          return role == Qt::ToolTipRole ? QVariant(tr("as many as the test finds")) : QVariant();
        return n.gpus;
      case LastErrorColumn: return n.lastError;
      case WorkspacePathColumn:
        return n.workspacePath.isEmpty() ? tr("(same as here)") : n.workspacePath;
      case BinaryColumn:
        return n.binaryPath.isEmpty() ? tr("understudy-cli on PATH") : n.binaryPath;
      default: return {};
    }
  }
  if (role == Qt::TextAlignmentRole &&
      (index.column() == CpusColumn || index.column() == GpusColumn))
    return QVariant(Qt::AlignRight | Qt::AlignVCenter);
  if (role == Qt::ForegroundRole) {
    if (index.column() == StatusColumn && !testing) {
      if (n.status == QLatin1String("ok")) return QBrush(QColor(0x1b, 0x7f, 0x2a));
      if (n.status == QLatin1String("unreachable") || n.status == QLatin1String("error"))
        return QBrush(QColor(0xb0, 0x1c, 0x1c));
    }
    if (index.column() == LastErrorColumn) return QBrush(QColor(0xb0, 0x1c, 0x1c));
    if ((index.column() == WorkspacePathColumn && n.workspacePath.isEmpty()) ||
        (index.column() == BinaryColumn && n.binaryPath.isEmpty()))
      return QBrush(QColor(0x70, 0x70, 0x70));
  }
  if (role == Qt::FontRole && index.column() == StatusColumn && testing) {
    QFont font;
    font.setItalic(true);
    return font;
  }
  return {};
}

QVariant NodesModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  switch (section) {
    case NameColumn: return tr("Name");
    case AddressColumn: return tr("Address");
    case StatusColumn: return tr("Status");
    case LastSeenColumn: return tr("Last seen (UTC)");
    case VersionColumn: return tr("Version");
    case CpusColumn: return tr("CPUs");
    case GpusColumn: return tr("GPUs");
    case LastErrorColumn: return tr("Last error");
    case WorkspacePathColumn: return tr("Workspace path");
    case BinaryColumn: return tr("Binary");
    default: return {};
  }
}

}  // namespace understudy::ui
