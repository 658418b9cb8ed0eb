// How the workbench finds `understudy-cli`, the program that does every write
// and every run on its behalf (the GUI only reads workspace.db).
//
//   QString error;
//   const QString cli = cliProgram(&error);      // empty + message when not found
//   process.start(cli, {"--events", "-", "run", recipe, "-w", ws});
//
// Looked up, first match wins:
//   1. the environment variable UNDERSTUDY_CLI (a path to the program; when it
//      is set but not an executable file this is an error, no silent fallback);
//   2. next to the GUI binary: QCoreApplication::applicationDirPath()/understudy-cli
//      (an installed bin/ folder);
//   3. the build-tree sibling: applicationDirPath()/../cli/understudy-cli
//      (build/<preset>/app/gui/understudy next to build/<preset>/app/cli/understudy-cli);
//   4. PATH (QStandardPaths::findExecutable).
#pragma once

#include <QString>
#include <QStringList>

namespace understudy::ui {

// The name of the environment variable that overrides the lookup.
inline constexpr const char* kCliEnvironmentVariable = "UNDERSTUDY_CLI";

// Absolute path of understudy-cli, or an empty string and *error (when given)
// set to a message that names every place looked at and what to do.
QString cliProgram(QString* error = nullptr);

// The candidate paths of steps 2 and 3 above, in order (for messages and tests).
QStringList cliProgramCandidatesNextToApplication();

}  // namespace understudy::ui
