// `understudy-cli nodes add|list|remove|test` against a throwaway sshd on
// 127.0.0.1 (tests/support/sshd_fixture.h), and the fixture itself.
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <chrono>
#include <thread>

#include "support/sshd_fixture.h"
#include "support/test_support.h"

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
};

QTEST_GUILESS_MAIN(TestNodes)
#include "test_nodes.moc"
