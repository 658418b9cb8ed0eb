// The registered nodes of a workspace (docs/distributed.md, "Nodes") as a
// table: name, address, status, last seen, version, CPUs, GPUs, workspace
// path, binary and last error. Read from the `nodes` table through a read-only
// WorkspaceConnection; the model never writes. A refresh resets the model only
// when the rows really changed, so a poll does not disturb the selection.
//
//   NodesModel model;
//   model.setConnection(connection);   // selects at once; nullptr detaches
//   model.reload();                     // after another process changed nodes
#pragma once

#include <QAbstractTableModel>
#include <QSet>
#include <QString>
#include <QVector>

namespace understudy::ui {

class WorkspaceConnection;

// One row of the `nodes` table as the view shows it.
struct NodeInfo {
  qint64 id = 0;
  QString name;
  QString host;
  QString user;
  int port = 22;
  QString workspacePath;
  QString binaryPath;
  int cpus = 0;
  int gpus = 0;
  QString status;  // unknown, ok, unreachable, error
  QString lastSeen;
  QString version;
  QString lastError;

  // [user@]host[:port], as `understudy-cli nodes list` writes it.
  QString address() const;
  bool operator==(const NodeInfo& other) const;
  bool operator!=(const NodeInfo& other) const { return !(*this == other); }
};

class NodesModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  enum Column {
    NameColumn,
    AddressColumn,
    StatusColumn,
    LastSeenColumn,
    VersionColumn,
    CpusColumn,
    GpusColumn,
    WorkspacePathColumn,
    BinaryColumn,
    LastErrorColumn,  // last: it takes the rest of the width
    ColumnCount
  };
  // The node's name, for any column.
  static constexpr int NameRole = Qt::UserRole + 1;

  explicit NodesModel(QObject* parent = nullptr);

  // Binds to `connection` (not owned; nullptr empties the model) and selects.
  void setConnection(const WorkspaceConnection* connection);
  // Reads the table again; returns false (lastError() says why) when it cannot.
  bool reload();
  const QString& lastError() const { return m_lastError; }

  const QVector<NodeInfo>& nodes() const { return m_nodes; }
  // Row of the node named `name`, or -1.
  int rowOf(const QString& name) const;
  const NodeInfo* node(const QString& name) const;

  // Nodes whose `nodes test` is running now: their status reads "testing…".
  void setTesting(const QString& name, bool testing);
  bool isTesting(const QString& name) const { return m_testing.contains(name); }

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation,
                      int role = Qt::DisplayRole) const override;

  // The status as the user reads it (translated), e.g. "unreachable".
  static QString statusText(const QString& status);

 private:
  const WorkspaceConnection* m_connection = nullptr;
  QVector<NodeInfo> m_nodes;
  QSet<QString> m_testing;
  QString m_lastError;
};

}  // namespace understudy::ui
