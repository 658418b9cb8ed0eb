// `understudy-cli nodes add|list|remove|test` against a throwaway sshd on
// 127.0.0.1 (tests/support/sshd_fixture.h), and the fixture itself.
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <sys/socket.h>

#include <chrono>
#include <thread>

#include "core/store/node_store.h"
#include "core/store/workspace.h"
#include "support/free_port.h"
#include "support/sshd_fixture.h"
#include "support/test_support.h"

using namespace understudy;
using namespace understudy::test;

namespace {

// Polls for up to `ms` until `pid` is gone.
bool goneWithin(int pid, int ms) {
  for (int waited = 0; waited < ms; waited += 20) {
    if (!processAlive(pid)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return !processAlive(pid);
}

// A port on 127.0.0.1 nothing listens on (free when asked).
int closedPort() { return understudy::test::unusedLoopbackPort(); }

// A new workspace made by the CLI, at `path`.
bool initWorkspace(const QString& path) { return runCli({"init", path}).exitCode == 0; }

NodeRow nodeRow(const QString& ws, const char* name) {
  Workspace w = Workspace::open(ws.toStdString());
  return NodeStore(w).get(name);
}

// The local understudy-cli's --version line.
QString localVersion() { return QString::fromUtf8(runCli({"--version"}).out.trimmed()); }

}  // namespace

class TestNodes : public QObject {
  Q_OBJECT

 private slots:
  // The fixture logs in as the current user through its alias, and its
  // destructor leaves neither sshd nor a remote command behind.
  void testSshdFixtureRunsCommandsAndLeavesNoProcess() {
    int listener = -1;
    int remote = -1;
    QProcess session;
    {
      SshdFixture sshd;
      US_REQUIRE_SSHD(sshd);
      listener = sshd.pid();
      QVERIFY(processAlive(listener));
      const ProcessResult who = runProcess(
          "ssh", {"-F", sshd.sshConfigPath(), sshd.alias(), "id -un"}, 30000);
      QVERIFY2(who.exitCode == 0, qPrintable(outputOf(who) + "\nsshd log:\n" + sshd.log()));
      QCOMPARE(QString::fromLocal8Bit(who.out.trimmed()), sshd.user());
      // By host and port too, with the same keys.
      const ProcessResult direct = runProcess(
          "ssh", {"-F", sshd.sshConfigPath(), "-p", QString::number(sshd.port()), "-l",
                  sshd.user(), sshd.host(), "echo ok"}, 30000);
      QVERIFY2(direct.exitCode == 0 && direct.out.trimmed() == "ok", qPrintable(outputOf(direct)));

      // A remote command still running when the fixture goes.
      session.start("ssh", {"-F", sshd.sshConfigPath(), sshd.alias(), "echo $$; exec sleep 60"});
      QVERIFY(session.waitForReadyRead(30000));
      remote = session.readLine().trimmed().toInt();
      QVERIFY(remote > 0);
      QVERIFY(processAlive(remote));
    }
    QVERIFY2(goneWithin(remote, 2000), "the remote command outlived the fixture");
    QVERIFY2(goneWithin(listener, 2000), "sshd outlived the fixture");
    QVERIFY(session.waitForFinished(10000));
    QVERIFY(session.exitCode() != 0);  // its connection was cut
  }

  // add by alias and by host/port/user, test --all: both ok, with this
  // build's version line, the node's CPUs and a last_seen time.
  void testAddThenTestRecordsOkWithTheLocalVersion() {
    SshdFixture sshd;
    US_REQUIRE_SSHD(sshd);
    sshd.exportConfig();
    QTemporaryDir dir;
    const QString ws = dir.filePath("ws");
    QVERIFY(initWorkspace(ws));
    const ProcessResult add = runCli({"nodes", "add", "-w", ws, "--name", "n1", "--host",
                                      sshd.alias(), "--binary", cliPath()});
    QVERIFY2(add.exitCode == 0, qPrintable(outputOf(add)));
    const ProcessResult add2 = runCli(
        {"nodes", "add", "-w", ws, "--name", "n2", "--host", sshd.host(), "--port",
         QString::number(sshd.port()), "--user", sshd.user(), "--binary", cliPath()});
    QVERIFY2(add2.exitCode == 0, qPrintable(outputOf(add2)));
    QCOMPARE(nodeRow(ws, "n1").status, std::string("unknown"));

    const ProcessResult test = runCli({"nodes", "test", "-w", ws, "--all"}, 60000);
    QVERIFY2(test.exitCode == 0, qPrintable(outputOf(test) + "\nsshd log:\n" + sshd.log()));
    const QString version = localVersion();
    QVERIFY(version.startsWith("understudy "));
    for (const char* name : {"n1", "n2"}) {
      const NodeRow row = nodeRow(ws, name);
      QCOMPARE(row.status, std::string("ok"));
      QCOMPARE(QString::fromStdString(row.version), version);
      QVERIFY(row.cpus > 0);
      QVERIFY(row.gpus >= 0);
      QVERIFY(!row.lastSeen.empty());
      QCOMPARE(row.lastError, std::string());
    }
    QVERIFY2(test.out.contains("n1") && test.out.contains(" ok "), test.out.constData());

    const ProcessResult list = runCli({"nodes", "list", "-w", ws, "--tsv"});
    QCOMPARE(list.exitCode, 0);
    const QStringList lines = QString::fromUtf8(list.out).split('\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 3);
    QVERIFY(lines[0].startsWith("name\thost\tuser\tport\t"));
    QVERIFY2(lines[2].startsWith("n2\t127.0.0.1\t" + sshd.user() + "\t" +
                                 QString::number(sshd.port()) + "\t"),
             qPrintable(lines[2]));
    QVERIFY(lines[2].contains("\tok\t"));
  }

  // A node whose port is closed is unreachable: recorded, named with its host
  // and ssh's own words, the command exits 1; the good node is still ok.
  void testClosedPortIsUnreachableAndNamed() {
    SshdFixture sshd;
    US_REQUIRE_SSHD(sshd);
    sshd.exportConfig();
    QTemporaryDir dir;
    const QString ws = dir.filePath("ws");
    QVERIFY(initWorkspace(ws));
    const int port = closedPort();
    QVERIFY(port > 0);
    QCOMPARE(runCli({"nodes", "add", "-w", ws, "--name", "good", "--host", sshd.alias(),
                     "--binary", cliPath()}).exitCode, 0);
    QCOMPARE(runCli({"nodes", "add", "-w", ws, "--name", "gone", "--host", "127.0.0.1",
                     "--port", QString::number(port)}).exitCode, 0);
    const ProcessResult test = runCli({"nodes", "test", "-w", ws, "--all"}, 60000);
    QCOMPARE(test.exitCode, 1);
    const QString err = QString::fromUtf8(test.err);
    const QString where = QString("127.0.0.1:%1").arg(port);
    QVERIFY2(err.contains("node 'gone' (" + where + ") unreachable"), qPrintable(err));
    QVERIFY2(err.contains("Connection refused"), qPrintable(err));
    QVERIFY2(err.contains("hint: check that `ssh -o BatchMode=yes"), qPrintable(err));
    QVERIFY2(!err.contains("'good'"), qPrintable(err));
    const NodeRow gone = nodeRow(ws, "gone");
    QCOMPARE(gone.status, std::string("unreachable"));
    QVERIFY(QString::fromStdString(gone.lastError).contains("Connection refused"));
    QCOMPARE(gone.lastSeen, std::string());
    QCOMPARE(nodeRow(ws, "good").status, std::string("ok"));
    // Testing only the good node passes.
    QCOMPARE(runCli({"nodes", "test", "-w", ws, "good"}, 60000).exitCode, 0);
  }

  // A binary that is not there, and a workspace the node does not see: both
  // reported for the node, with the shell's words.
  void testWrongBinaryAndWorkspaceAreReported() {
    SshdFixture sshd;
    US_REQUIRE_SSHD(sshd);
    sshd.exportConfig();
    QTemporaryDir dir;
    const QString ws = dir.filePath("ws");
    QVERIFY(initWorkspace(ws));
    const QString missing = dir.filePath("no such/understudy-cli");
    QCOMPARE(runCli({"nodes", "add", "-w", ws, "--name", "nobin", "--host", sshd.alias(),
                     "--binary", missing}).exitCode, 0);
    QCOMPARE(runCli({"nodes", "add", "-w", ws, "--name", "nows", "--host", sshd.alias(),
                     "--binary", cliPath(), "--workspace-path", dir.filePath("elsewhere")})
                 .exitCode, 0);
    // An understudy-cli of another version.
    const QString old = dir.filePath("old-understudy-cli");
    {
      QFile script(old);
      QVERIFY(script.open(QIODevice::WriteOnly));
      script.write("#!/bin/sh\necho 'understudy 0.0.1 (workspace schema 1)'\n");
    }
    QVERIFY(QFile::setPermissions(old, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
    QCOMPARE(runCli({"nodes", "add", "-w", ws, "--name", "old", "--host", sshd.alias(),
                     "--binary", old}).exitCode, 0);
    const ProcessResult test =
        runCli({"nodes", "test", "-w", ws, "nobin", "nows", "old"}, 60000);
    QCOMPARE(test.exitCode, 1);
    const QString err = QString::fromUtf8(test.err);
    QVERIFY2(err.contains("node 'nobin' (" + sshd.alias() + ") error: understudy-cli '" +
                          missing + "' did not run (exit status 127)"),
             qPrintable(err));
    QVERIFY2(err.contains("not found"), qPrintable(err));
    QVERIFY2(err.contains("--binary PATH"), qPrintable(err));
    QVERIFY2(err.contains("node 'nows'") &&
                 err.contains("no workspace.db in '" + dir.filePath("elsewhere") + "'"),
             qPrintable(err));
    const NodeRow nobin = nodeRow(ws, "nobin");
    QCOMPARE(nobin.status, std::string("error"));
    QVERIFY(QString::fromStdString(nobin.lastError).contains("did not run"));
    QVERIFY(nobin.cpus > 0);  // reached: what it found is kept
    QCOMPARE(nodeRow(ws, "nows").status, std::string("error"));
    QVERIFY2(err.contains("node 'old'") &&
                 err.contains("its understudy-cli is 'understudy 0.0.1 (workspace schema 1)', "
                              "this one is '" + localVersion() + "'"),
             qPrintable(err));
    QCOMPARE(nodeRow(ws, "old").version, std::string("understudy 0.0.1 (workspace schema 1)"));
    QCOMPARE(nodeRow(ws, "old").status, std::string("error"));
  }

  void testDuplicatesRefusedAndRemove() {
    QTemporaryDir dir;
    const QString ws = dir.filePath("ws");
    QVERIFY(initWorkspace(ws));
    QCOMPARE(runCli({"nodes", "add", "-w", ws, "--name", "a", "--host", "h1"}).exitCode, 0);
    const ProcessResult dup = runCli({"nodes", "add", "-w", ws, "--name", "a", "--host", "h2"});
    QCOMPARE(dup.exitCode, 1);
    QVERIFY2(dup.err.contains("a node named 'a' already exists"), dup.err.constData());
    QCOMPARE(nodeRow(ws, "a").host, std::string("h1"));
    const ProcessResult list = runCli({"nodes", "list", "-w", ws});
    QCOMPARE(list.exitCode, 0);
    QVERIFY2(list.out.contains("h1") && list.out.contains("unknown"), list.out.constData());
    QCOMPARE(runCli({"nodes", "remove", "-w", ws, "a"}).exitCode, 0);
    QVERIFY(runCli({"nodes", "list", "-w", ws}).out.contains("No nodes"));
    const ProcessResult again = runCli({"nodes", "remove", "-w", ws, "a"});
    QCOMPARE(again.exitCode, 1);
    QVERIFY2(again.err.contains("no node named 'a'"), again.err.constData());
    // test needs names or --all.
    QCOMPARE(runCli({"nodes", "test", "-w", ws}).exitCode, 1);
  }

  // A workspace path and a binary path full of shell metacharacters reach
  // the node's shell as data: the test passes and nothing in them runs.
  void testShellMetacharactersInPathsPassLiterally() {
    SshdFixture sshd;
    US_REQUIRE_SSHD(sshd);
    sshd.exportConfig();
    QTemporaryDir dir;
    const QString ws = dir.filePath("ws");
    QVERIFY(initWorkspace(ws));
    const QString nasty = "ws $(touch PWNED); 'q\" x `touch PWNED` && touch PWNED\n*";
    const QString link = dir.filePath(nasty);
    QVERIFY(QFile::link(ws, link));
    QVERIFY(QDir(dir.filePath("bin $(touch PWNED); 'q\"")).mkpath("."));
    const QString binary = dir.filePath("bin $(touch PWNED); 'q\"/understudy-cli");
    QVERIFY(QFile::link(cliPath(), binary));
    QCOMPARE(runCli({"nodes", "add", "-w", ws, "--name", "n; touch PWNED", "--host",
                     sshd.alias(), "--workspace-path", link, "--binary", binary}).exitCode, 0);
    const ProcessResult test = runCli({"nodes", "test", "-w", ws, "n; touch PWNED"}, 60000);
    QVERIFY2(test.exitCode == 0, qPrintable(outputOf(test)));
    const NodeRow row = nodeRow(ws, "n; touch PWNED");
    QCOMPARE(row.status, std::string("ok"));
    QCOMPARE(QString::fromStdString(row.workspacePath), link);
    QCOMPARE(QString::fromStdString(row.version), localVersion());
    // Neither here, nor in the node's home or working folder, nor next to the paths.
    for (const QString& folder : {dir.path(), ws, sshd.folder(), QDir::homePath(),
                                  QDir::currentPath(), QString("/")})
      QVERIFY2(!QFile::exists(folder + "/PWNED"), qPrintable(folder + "/PWNED exists"));
  }
};

QTEST_GUILESS_MAIN(TestNodes)
#include "test_nodes.moc"
