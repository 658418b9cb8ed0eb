#include "ui/nodes/node_dialog.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace understudy::ui {

NodeDialog::NodeDialog(Mode mode, const NodeFields& initial, const QStringList& takenNames,
                       QWidget* parent)
    : QDialog(parent),
      m_mode(mode),
      m_taken(takenNames),
      m_name(new QLineEdit(initial.name, this)),
      m_host(new QLineEdit(initial.host, this)),
      m_user(new QLineEdit(initial.user, this)),
      m_port(new QSpinBox(this)),
      m_gpus(new QSpinBox(this)),
      m_workspacePath(new QLineEdit(initial.workspacePath, this)),
      m_binary(new QLineEdit(initial.binaryPath, this)),
      m_problem(new QLabel(this)),
      m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this)) {
  setWindowTitle(mode == Mode::Add ? tr("Add Node") : tr("Edit Node %1").arg(initial.name));

  m_name->setReadOnly(mode == Mode::Edit);
  m_name->setToolTip(mode == Mode::Edit ? tr("A node keeps its name; remove it and add it again "
                                             "to rename it.")
                                        : tr("Its name in this workspace; recipes and "
                                             "train --nodes use it."));
  m_host->setPlaceholderText(tr("gpu1.lab, 10.0.0.7 or a Host alias"));
  m_host->setToolTip(tr("An address or a Host alias of your ssh config."));
  m_user->setPlaceholderText(tr("the ssh config's, or yours"));
  m_user->setToolTip(tr("The ssh user. Empty: the ssh config's, or your own user name."));
  m_port->setRange(1, 65535);
  m_port->setValue(initial.port);
  m_port->setToolTip(tr("The ssh port. 22 leaves it to the ssh config."));
  m_gpus->setRange(0, 1024);
  m_gpus->setValue(initial.gpus);
  m_gpus->setSpecialValueText(tr("as many as the test finds"));
  m_gpus->setToolTip(tr("GPUs to use there. 0: as many as `nodes test` finds."));
  m_workspacePath->setPlaceholderText(tr("the same path as here"));
  m_workspacePath->setToolTip(
      tr("Where the node sees this workspace, on a shared file system."));
  m_binary->setPlaceholderText(tr("understudy-cli on the node's PATH"));
  m_binary->setToolTip(tr("The understudy-cli program on the node."));

  auto* form = new QFormLayout;
  form->setFieldGrowthPolicy(QFormLayout::ExpandingFieldsGrow);
  form->addRow(tr("&Name:"), m_name);
  form->addRow(tr("&Host:"), m_host);
  form->addRow(tr("SSH &user:"), m_user);
  form->addRow(tr("SSH &port:"), m_port);
  form->addRow(tr("&GPUs:"), m_gpus);
  form->addRow(tr("&Workspace path:"), m_workspacePath);
  form->addRow(tr("&Binary:"), m_binary);

  m_problem->setWordWrap(true);
  m_problem->setStyleSheet(QStringLiteral("color: #b01c1c;"));
  auto* note = new QLabel(
      tr("Nothing is checked over the network here: use Test afterwards. Passwords are never "
         "stored; ssh uses your keys and ssh config."),
      this);
  note->setWordWrap(true);

  auto* layout = new QVBoxLayout(this);
  layout->addLayout(form);
  layout->addWidget(m_problem);
  layout->addWidget(note);
  layout->addWidget(m_buttons);
  connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
  connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  for (QLineEdit* edit : {m_name, m_host, m_user, m_workspacePath, m_binary})
    connect(edit, &QLineEdit::textChanged, this, &NodeDialog::validate);
  connect(m_port, &QSpinBox::valueChanged, this, &NodeDialog::validate);
  connect(m_gpus, &QSpinBox::valueChanged, this, &NodeDialog::validate);
  (mode == Mode::Add ? m_name : m_host)->setFocus();
  setMinimumWidth(420);
  validate();
}

NodeFields NodeDialog::fields() const {
  NodeFields f;
  f.name = m_name->text();
  f.host = m_host->text();
  f.user = m_user->text();
  f.port = m_port->value();
  f.gpus = m_gpus->value();
  f.workspacePath = m_workspacePath->text();
  f.binaryPath = m_binary->text();
  return f;
}

QString NodeDialog::problemText() const { return m_problem->text(); }

bool NodeDialog::isAcceptable() const { return m_problem->text().isEmpty(); }

void NodeDialog::validate() {
  const NodeFields f = fields();
  QString problem = f.problem();
  if (problem.isEmpty() && m_mode == Mode::Add && m_taken.contains(f.name))
    problem = tr("A node named %1 is already registered; choose another name or edit that one.")
                  .arg(f.name);
  m_problem->setText(problem);
  m_problem->setVisible(!problem.isEmpty());
  m_buttons->button(QDialogButtonBox::Ok)->setEnabled(problem.isEmpty());
}

}  // namespace understudy::ui
