// `understudy-cli train --workers 2 --nodes n1`: rank 1 started over ssh on a
// throwaway sshd on 127.0.0.1 (tests/support/sshd_fixture.h; skipped without
// /usr/sbin/sshd). The node's workspace_path is a symlink to the workspace
// whose name is full of shell metacharacters ($(touch PWNED), quotes, ;,
// spaces), and the config lies outside the workspace (copied into its run
// folder): the job trains, records its run with the validation loss of a
// local --workers 2 run, and nothing in the names runs. A SIGKILL of the
// remote rank (found by the pid it reported) fails the job within 2 s
// naming rank 1 and the node; a SIGSTOP of it fails the job within
// heartbeat_s + 2 s, and no process is left in either rank's process group
// (docs/distributed.md "Launching ranks", "Failures"). About 50 s.
#include <signal.h>

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest>
#include <cerrno>
#include <functional>

#include "support/dist_job_config.h"
#include "support/process_groups.h"
#include "support/sql_query.h"
#include "support/sshd_fixture.h"
#include "support/test_support.h"
#include "support/time_scale.h"

using understudy::test::groupGone;
using understudy::test::outputOf;
using understudy::test::readProcFile;
using understudy::test::waitFor;
using understudy::test::ProcessResult;
using understudy::test::queryText;
using understudy::test::runCli;
using understudy::test::speedBound;
using understudy::test::SshdFixture;

namespace {

QString lossOf(const QString& text) {
  const auto m = QRegularExpression("validation accuracy [0-9.]+% \\(loss ([0-9.]+)\\)").match(text);
  return m.hasMatch() ? m.captured(1) : QString();
}

}  // namespace

class TestTrainSsh : public QObject {
  Q_OBJECT

  SshdFixture m_sshd;
  QTemporaryDir m_dir;
  QString m_ws, m_db, m_nodeWs, m_configDir;

  QString writeConfig(const QString& name) const {
    return understudy::test::writeDistJobConfig(m_configDir + "/" + name + ".yaml", name);
  }

  // A `train --workers 2 --nodes n1` in the background, stdout collected.
  struct Job {
    QProcess process;
    QByteArray out;
    int local0 = 0, remote1 = 0;  // rank 0's pid here, rank 1's there (as the launcher printed them)
    void pump() {
      process.waitForReadyRead(20);
      out += process.readAllStandardOutput();
      const QString text = QString::fromUtf8(out);
      const auto m0 = QRegularExpression("# train: rank 0 is pid (\\d+)\\n").match(text);
      if (m0.hasMatch()) local0 = m0.captured(1).toInt();
      const auto m1 = QRegularExpression("# train: rank 1 on node n1 \\(127\\.0\\.0\\.1\\) is pid (\\d+) there\\n")
                          .match(text);
      if (m1.hasMatch()) remote1 = m1.captured(1).toInt();
    }
    bool waitUntil(const std::function<bool()>& condition, int timeoutMs) {
      return waitFor([&] { pump(); return condition(); }, timeoutMs);
    }
    QString err() { return QString::fromUtf8(process.readAllStandardError()); }
  };

  // No PWNED file where a remote shell could have run `touch PWNED`.
  void verifyNothingRan() {
    for (const QString& dir : {m_dir.path(), m_ws, QDir::homePath(), QDir::currentPath(), m_configDir})
      QVERIFY2(!QFile::exists(dir + "/PWNED"), qPrintable("a shell ran part of a name: " + dir + "/PWNED"));
  }

  // Starts a job with no step limit and waits for its first checkpoint and rank 1's pid there.
  QString startPastFirstCheckpoint(const QString& name, Job& job) {
    job.process.start(understudy::test::cliPath(), {"train", "-w", m_ws, "--config", writeConfig(name), "--workers",
                                                    "2", "--nodes", "n1", "--max-steps", "100000"});
    if (!job.process.waitForStarted(10000)) return "the launcher did not start";
    const QString checkpoints = m_ws + "/models/" + name + "/checkpoints";
    if (!job.waitUntil([&] { return job.local0 > 0 && job.remote1 > 0 && QFile::exists(checkpoints + "/ckpt-000000003.pt"); },
                       90000))
      return "no checkpoint or pids: " + QString::fromUtf8(job.out.right(1000)) + job.err().right(2000);
    return {};
  }

 private slots:
  void initTestCase() {
    US_REQUIRE_SSHD(m_sshd);
    m_sshd.exportConfig();
    QVERIFY(m_dir.isValid());
    m_ws = m_dir.filePath("ws");
    m_db = m_ws + "/workspace.db";
    m_configDir = m_dir.filePath("configs");
    QVERIFY(QDir().mkpath(m_configDir));
    const QList<QStringList> steps{
        {"init", m_ws},
        {"-q", "corpus", "synth", "-w", m_ws, "--profile", "tiny", "--scale", "0.2", "--seed", "1"},
        {"-q", "features", "-w", m_ws, "--dataset", "synth-labeled"},
        {"-q", "targets", "-w", m_ws, "--dataset", "synth-labeled"}};
    for (const QStringList& args : steps) {
      const ProcessResult r = runCli(args, 300000);
      QVERIFY2(r.exitCode == 0 && !r.crashed, qPrintable(args.join(' ') + ": " + outputOf(r)));
    }
    // Where the node sees the workspace: a symlink whose name a shell would run.
    m_nodeWs = m_dir.filePath("node ws $(touch PWNED) `touch PWNED` 'q' \"dq\" ; touch PWNED; x");
    QVERIFY(QFile::link(m_ws, m_nodeWs));
    const ProcessResult add =
        runCli({"nodes", "add", "-w", m_ws, "--name", "n1", "--host", m_sshd.host(), "--port",
                QString::number(m_sshd.port()), "--user", m_sshd.user(), "--workspace-path", m_nodeWs, "--binary",
                understudy::test::cliPath()});
    QVERIFY2(add.exitCode == 0, qPrintable(outputOf(add)));
  }

  void testARankOverSshTrainsAndTheRunIsRecorded() {
    const ProcessResult local =
        runCli({"train", "-w", m_ws, "--config", writeConfig("local-two"), "--workers", "2"}, 180000);
    QVERIFY2(local.exitCode == 0 && !local.crashed, qPrintable(outputOf(local)));
    const ProcessResult r =
        runCli({"train", "-w", m_ws, "--config", writeConfig("ssh-two"), "--workers", "2", "--nodes", "n1"}, 180000);
    QVERIFY2(r.exitCode == 0 && !r.crashed, qPrintable(outputOf(r)));
    QVERIFY2(r.out.contains("# train: 2 ranks, rank 0 here, rank 1 on n1 (rendezvous 127.0.0.1:"), r.out.constData());
    QVERIFY2(QRegularExpression("# train: rank 1 on node n1 \\(127\\.0\\.0\\.1\\) is pid \\d+ there\\n")
                 .match(QString::fromUtf8(r.out))
                 .hasMatch(),
             r.out.constData());
    QCOMPARE(queryText(m_db, "SELECT status FROM runs WHERE name = 'ssh-two'"), std::string("finished"));
    QVERIFY(QFileInfo::exists(m_ws + "/models/ssh-two/model.pt"));
    // Rank 1 ran there, in the node's workspace path, with the copied config.
    QFile rank1(m_ws + "/runs/train-ssh-two/rank1.log");
    QVERIFY2(rank1.open(QIODevice::ReadOnly), qPrintable(rank1.fileName()));
    const QString log1 = QString::fromUtf8(rank1.readAll());
    QVERIFY2(log1.contains("Rank 1 of 2: 6 steps, stopped by max_steps"), qPrintable(log1));
    QVERIFY2(log1.contains("# train: resolved config (" + m_nodeWs + "/runs/train-ssh-two/config.yaml)"),
             qPrintable(log1.left(2000)));
    QVERIFY(QFile::exists(m_ws + "/runs/train-ssh-two/config.yaml"));
    // The same arithmetic as two local ranks.
    const QString lossLocal = lossOf(QString::fromUtf8(local.err + local.out));
    QVERIFY(!lossLocal.isEmpty());
    QCOMPARE(lossOf(QString::fromUtf8(r.err + r.out)), lossLocal);
    verifyNothingRan();
  }

  void testAKilledRemoteRankFailsTheJobNamingTheNode() {
    Job job;
    const QString problem = startPastFirstCheckpoint("ssh-kill", job);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QElapsedTimer sinceKill;
    sinceKill.start();
    QCOMPARE(::kill(job.remote1, SIGKILL), 0);
    QVERIFY2(job.process.waitForFinished(20000), "the launcher did not exit after the remote rank was killed");
    const double seconds = sinceKill.elapsed() / 1000.0;
    qInfo("launcher exit %.2f s after SIGKILL of the remote rank", seconds);
    // 2 s to notice and stop the job, plus the clean-up's own ssh login on
    // the node (about 1 s on loopback; more on a loaded 2-core CI machine).
    QVERIFY2(seconds < speedBound(2.0 + 1.5),
             qPrintable(QString("%1 s, bound %2 s").arg(seconds).arg(speedBound(2.0 + 1.5))));
    QCOMPARE(job.process.exitCode(), 1);
    const QString err = job.err();
    QVERIFY2(err.contains(QString("rank 1 of 2 on node n1 (127.0.0.1, pid %1 there) failed first: its ssh exited "
                                  "with status 255 (the connection failed, or the rank was killed there)")
                              .arg(job.remote1)),
             qPrintable(err.right(3000)));
    QVERIFY2(err.contains("nothing of it left on n1"), qPrintable(err.right(3000)));
    QVERIFY2(groupGone(job.remote1, 3000), "the remote rank's process group is not empty");
    QVERIFY2(groupGone(job.local0, 3000), "rank 0's process group is not empty");
    QCOMPARE(queryText(m_db, "SELECT status FROM runs WHERE name = 'ssh-kill'"), std::string("failed"));
    verifyNothingRan();
  }

  void testAStoppedRemoteRankIsStalledAndKilledThere() {
    Job job;
    const QString problem = startPastFirstCheckpoint("ssh-stop", job);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QElapsedTimer sinceStop;
    sinceStop.start();
    QCOMPARE(::kill(job.remote1, SIGSTOP), 0);
    const bool exited = job.process.waitForFinished(20000);
    const double seconds = sinceStop.elapsed() / 1000.0;
    if (!exited) ::kill(-job.remote1, SIGKILL);
    QVERIFY2(exited, "the launcher did not exit after the remote rank was stopped");
    qInfo("launcher exit %.2f s after SIGSTOP of the remote rank (heartbeat_s 4)", seconds);
    // The heartbeat (configured: not stretched), then as for a killed rank:
    // 2 s plus the clean-up's login.
    QVERIFY2(seconds < 4.0 + speedBound(2.0 + 1.5),
             qPrintable(QString("%1 s, bound %2 s").arg(seconds).arg(4.0 + speedBound(2.0 + 1.5))));
    QCOMPARE(job.process.exitCode(), 1);
    const QString err = job.err();
    QVERIFY2(err.contains(QString("rank 1 of 2 on node n1 (127.0.0.1, pid %1 there) stalled: no heartbeat for 4.")
                              .arg(job.remote1)),
             qPrintable(err.right(3000)));
    QVERIFY2(err.contains("its process group on n1 killed over ssh"), qPrintable(err.right(3000)));
    const bool gone = groupGone(job.remote1, 3000);
    if (!gone) ::kill(-job.remote1, SIGKILL);
    QVERIFY2(gone, "the stopped remote rank is still there");
    QVERIFY2(groupGone(job.local0, 3000), "rank 0's process group is not empty");
    verifyNothingRan();
  }
};

QTEST_GUILESS_MAIN(TestTrainSsh)
#include "test_train_ssh.moc"
