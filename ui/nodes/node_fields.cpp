#include "ui/nodes/node_fields.h"

#include "ui/nodes/nodes_model.h"

namespace understudy::ui {

namespace {

// --option=value keeps a value that starts with '-' a value. An empty value
// goes as a separate argument: CLI11 reads "--option=" as "--option" and
// would take the next argument as its value.
QStringList option(const char* name, const QString& value) {
  const QString key = QString::fromLatin1(name);
  if (value.isEmpty()) return {key, QString()};
  return {key + QLatin1Char('=') + value};
}

}  // namespace

NodeFields NodeFields::fromNode(const NodeInfo& node) {
  NodeFields f;
  f.name = node.name;
  f.host = node.host;
  f.user = node.user;
  f.port = node.port;
  f.gpus = node.gpus;
  f.workspacePath = node.workspacePath;
  f.binaryPath = node.binaryPath;
  return f;
}

QString NodeFields::problem() const {
  if (name.trimmed().isEmpty()) return tr("Give the node a name.");
  if (name != name.trimmed()) return tr("The name starts or ends with a space.");
  if (host.trimmed().isEmpty())
    return tr("Give a host: an address or a Host alias of your ssh config.");
  if (host != host.trimmed()) return tr("The host starts or ends with a space.");
  if (host.startsWith(QLatin1Char('-')))
    return tr("The host must not start with '-' (ssh would read it as an option).");
  if (port < 1 || port > 65535) return tr("The ssh port must be between 1 and 65535.");
  if (gpus < 0) return tr("The number of GPUs cannot be negative.");
  return {};
}

QStringList NodeFields::addArguments() const {
  QStringList args{QStringLiteral("--name=") + name, QStringLiteral("--host=") + host};
  if (!user.isEmpty()) args << QStringLiteral("--user=") + user;
  if (port != 22) args << QStringLiteral("--port=%1").arg(port);
  if (gpus != 0) args << QStringLiteral("--gpus=%1").arg(gpus);
  if (!workspacePath.isEmpty()) args << QStringLiteral("--workspace-path=") + workspacePath;
  if (!binaryPath.isEmpty()) args << QStringLiteral("--binary=") + binaryPath;
  return args;
}

QStringList NodeFields::editArguments(const NodeFields& before) const {
  QStringList args;
  if (host != before.host) args << option("--host", host);
  if (user != before.user) args << option("--user", user);
  if (port != before.port) args << option("--port", QString::number(port));
  if (gpus != before.gpus) args << option("--gpus", QString::number(gpus));
  if (workspacePath != before.workspacePath) args << option("--workspace-path", workspacePath);
  if (binaryPath != before.binaryPath) args << option("--binary", binaryPath);
  return args;
}

bool NodeFields::operator==(const NodeFields& o) const {
  return name == o.name && host == o.host && user == o.user && port == o.port && gpus == o.gpus &&
         workspacePath == o.workspacePath && binaryPath == o.binaryPath;
}

}  // namespace understudy::ui
