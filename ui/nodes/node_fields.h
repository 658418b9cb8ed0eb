// What the Add and Edit dialogs of the nodes view collect, and the
// `understudy-cli nodes add|edit` arguments they become. The GUI never writes
// workspace.db: every change to a node is one CLI command (docs/gui.md "Nodes").
//
//   NodeFields f;
//   f.name = "gpu1"; f.host = "gpu1.lab";
//   QString why = f.problem();               // "" when the CLI will accept it
//   QStringList args = f.addArguments();    // {"--name=gpu1", "--host=gpu1.lab"}
#pragma once

#include <QCoreApplication>
#include <QString>
#include <QStringList>

namespace understudy::ui {

struct NodeInfo;

struct NodeFields {
  Q_DECLARE_TR_FUNCTIONS(NodeFields)

 public:
  QString name;
  QString host;
  QString user;           // '' = the ssh config's, or the local user
  int port = 22;          // 22 = the ssh config's
  int gpus = 0;           // 0 = as many as `nodes test` finds
  QString workspacePath;  // '' = the same path as here
  QString binaryPath;     // '' = understudy-cli on the node's PATH

  static NodeFields fromNode(const NodeInfo& node);

  // Why the CLI would refuse these fields ('' when it would not): the same
  // rules as `nodes add` (a name, a host not starting with '-', port and GPUs
  // in range). A taken name is checked by the caller.
  QString problem() const;

  // Options for `nodes add`, each as --option=value so a value that starts
  // with '-' stays a value.
  QStringList addArguments() const;
  // Options for `nodes edit` that change `before` into these fields; empty when
  // nothing changed. The name is not among them (a node keeps its name).
  QStringList editArguments(const NodeFields& before) const;

  bool operator==(const NodeFields& other) const;
  bool operator!=(const NodeFields& other) const { return !(*this == other); }
};

}  // namespace understudy::ui
