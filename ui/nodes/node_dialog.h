// The Add Node / Edit Node dialog of the nodes view: name, host, ssh user and
// port, GPUs, the workspace path and the understudy-cli binary on the node.
// What the CLI would refuse is shown inline under the form and OK stays
// disabled until it is fixed. In Edit mode the name cannot change.
//
//   NodeDialog dialog(NodeDialog::Mode::Add, {}, takenNames, parent);
//   if (dialog.exec() == QDialog::Accepted) view->addNode(dialog.fields());
#pragma once

#include <QDialog>
#include <QStringList>

#include "ui/nodes/node_fields.h"

class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace understudy::ui {

class NodeDialog : public QDialog {
  Q_OBJECT

 public:
  enum class Mode { Add, Edit };

  // `takenNames`: names already registered (Add refuses them inline).
  NodeDialog(Mode mode, const NodeFields& initial, const QStringList& takenNames,
             QWidget* parent = nullptr);

  NodeFields fields() const;
  // The inline message ('' when the fields are acceptable).
  QString problemText() const;
  bool isAcceptable() const;

  QLineEdit* nameEdit() const { return m_name; }
  QLineEdit* hostEdit() const { return m_host; }
  QLineEdit* userEdit() const { return m_user; }
  QSpinBox* portSpin() const { return m_port; }
  QSpinBox* gpusSpin() const { return m_gpus; }
  QLineEdit* workspacePathEdit() const { return m_workspacePath; }
  QLineEdit* binaryEdit() const { return m_binary; }

 private:
  void validate();

  Mode m_mode;
  QStringList m_taken;
  QLineEdit* m_name;
  QLineEdit* m_host;
  QLineEdit* m_user;
  QSpinBox* m_port;
  QSpinBox* m_gpus;
  QLineEdit* m_workspacePath;
  QLineEdit* m_binary;
  QLabel* m_problem;
  QDialogButtonBox* m_buttons;
};

}  // namespace understudy::ui
