// Helpers shared by the test executables (header-only, Qt allowed: tests are not core).
#pragma once

#include <QByteArray>
#include <QFile>
#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>
#include <QtTest>

#include <cstdlib>
#include <string>

namespace understudy::test {

// Whether process `pid` exists and is not a zombie (/proc/<pid>/stat: the
// state letter after the command name's closing parenthesis).
inline bool processAlive(int pid) {
  QFile f(QStringLiteral("/proc/%1/stat").arg(pid));
  if (!f.open(QIODevice::ReadOnly)) return false;
  const QByteArray stat = f.readAll();
  const int close = stat.lastIndexOf(')');
  return close > 0 && close + 2 < stat.size() && stat[close + 2] != 'Z';
}

struct ProcessResult {
  int exitCode = -1;
  bool crashed = false;
  QByteArray out;
  QByteArray err;
};

// Runs a program to completion (default 120 s) and captures its output.
inline ProcessResult runProcess(const QString& program, const QStringList& args,
                                int timeoutMs = 120000, const QString& workDir = {}) {
  QProcess p;
  if (!workDir.isEmpty()) p.setWorkingDirectory(workDir);
  p.start(program, args);
  ProcessResult r;
  if (!p.waitForStarted(10000)) {
    r.err = ("could not start " + program).toUtf8();
    return r;
  }
  if (!p.waitForFinished(timeoutMs)) {
    p.kill();
    p.waitForFinished();
    r.err = ("timed out: " + program + " " + args.join(' ')).toUtf8();
    return r;
  }
  r.crashed = p.exitStatus() == QProcess::CrashExit;
  r.exitCode = p.exitCode();
  r.out = p.readAllStandardOutput();
  r.err = p.readAllStandardError();
  return r;
}

// Exit code plus the tails of stdout and stderr, for a failure message.
inline QString outputOf(const ProcessResult& r) {
  return QString("exit %1%2\nstdout: %3\nstderr: %4")
      .arg(r.exitCode)
      .arg(r.crashed ? " (crashed)" : "")
      .arg(QString::fromUtf8(r.out.right(3000)))
      .arg(QString::fromUtf8(r.err.right(3000)));
}

// The understudy-cli built with this tree (CTest sets UNDERSTUDY_CLI).
inline QString cliPath() {
  const char* env = std::getenv("UNDERSTUDY_CLI");
  return env ? QString::fromLocal8Bit(env)
             : QStringLiteral(UNDERSTUDY_BINARY_DIR "/app/cli/understudy-cli");
}

inline ProcessResult runCli(const QStringList& args, int timeoutMs = 120000) {
  return runProcess(cliPath(), args, timeoutMs);
}

// XXH3-64 of `text` as 16 hex digits, computed by python3's xxhash module (an
// independent check of core/util/config_hash.h); empty if that module is missing.
inline std::string pythonXxh3Hex(const std::string& text) {
  ProcessResult r = runProcess(
      QStringLiteral("/usr/bin/python3"),
      {"-c", "import sys, xxhash; print(xxhash.xxh3_64_hexdigest(sys.argv[1].encode()))",
       QString::fromStdString(text)},
      60000);
  if (r.exitCode != 0 || r.crashed) return {};
  return r.out.trimmed().toStdString();
}

// The interpreter that can `import torch` (Debian's /usr/bin/python3, where
// python3-torch and python3-torchaudio live; a python3 earlier on PATH may lack them).
// Empty if none can: tests then QFAIL with a clear message.
inline QString referencePython() {
  for (const QString& candidate : {QStringLiteral("/usr/bin/python3"), QStringLiteral("python3")}) {
    ProcessResult r = runProcess(candidate, {"-c", "import torch, torchaudio"}, 60000);
    if (r.exitCode == 0 && !r.crashed) return candidate;
  }
  return {};
}

#define US_REQUIRE_REFERENCE_PYTHON(var)                                                   \
  const QString var = ::understudy::test::referencePython();                             \
  if (var.isEmpty())                                                                      \
    QFAIL("no python3 with torch and torchaudio: run ./scripts/install-deps (python3-torch, " \
          "python3-torchaudio)");

}  // namespace understudy::test
