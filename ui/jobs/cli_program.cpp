#include "ui/jobs/cli_program.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>

namespace understudy::ui {

namespace {

constexpr const char* kProgramName = "understudy-cli";

bool isExecutableFile(const QString& path) {
  const QFileInfo info(path);
  return info.exists() && info.isFile() && info.isExecutable();
}

// `text` comes wrapped in QT_TRANSLATE_NOOP("CliProgram", ...), which is what lupdate reads
// (a function named translate() would hide it from lupdate).
QString cliText(const char* text) { return QCoreApplication::translate("CliProgram", text); }

}  // namespace

QStringList cliProgramCandidatesNextToApplication() {
  QStringList candidates;
  if (QCoreApplication::instance() == nullptr) return candidates;
  const QDir appDir(QCoreApplication::applicationDirPath());
  candidates << QDir::cleanPath(appDir.filePath(QString::fromLatin1(kProgramName)));
  candidates << QDir::cleanPath(appDir.filePath(QStringLiteral("../cli/") + QString::fromLatin1(kProgramName)));
  return candidates;
}

QString cliProgram(QString* error) {
  const QString fromEnvironment = qEnvironmentVariable(kCliEnvironmentVariable);
  if (!fromEnvironment.isEmpty()) {
    if (isExecutableFile(fromEnvironment)) return QFileInfo(fromEnvironment).absoluteFilePath();
    if (error != nullptr) {
      *error = cliText(QT_TRANSLATE_NOOP(
                   "CliProgram",
                   "%1 is set to %2, which is not an executable file. "
                   "Point %1 at understudy-cli, or unset it to use the one next to the workbench or on PATH."))
                   .arg(QString::fromLatin1(kCliEnvironmentVariable), fromEnvironment);
    }
    return {};
  }

  const QStringList candidates = cliProgramCandidatesNextToApplication();
  for (const QString& candidate : candidates) {
    if (isExecutableFile(candidate)) return candidate;
  }

  const QString onPath = QStandardPaths::findExecutable(QString::fromLatin1(kProgramName));
  if (!onPath.isEmpty()) return QFileInfo(onPath).absoluteFilePath();

  if (error != nullptr) {
    QStringList looked;
    looked << cliText(QT_TRANSLATE_NOOP("CliProgram", "%1 (not set)"))
                  .arg(QString::fromLatin1(kCliEnvironmentVariable));
    looked << candidates;
    looked << cliText(QT_TRANSLATE_NOOP("CliProgram", "PATH"));
    *error = cliText(QT_TRANSLATE_NOOP("CliProgram",
                                       "understudy-cli was not found; looked in: %1. "
                                       "Install understudy-cli next to the workbench or on PATH, "
                                       "or set %2 to its path."))
                 .arg(looked.join(QStringLiteral(", ")), QString::fromLatin1(kCliEnvironmentVariable));
  }
  return {};
}

}  // namespace understudy::ui
