// `understudy-cli train --workers 2` end to end on a tiny synthetic workspace
// (corpus synth --scale 0.2 -> features -> targets; a tiny BLSTM, one thread
// per rank): rank 0 alone writes the run, metrics, events, checkpoints and
// model; a rank killed mid-training stops the job within seconds, the error
// names it, and no process is left in any rank's process group; a rank
// stopped with SIGSTOP is found stalled by its silent heartbeat and the job
// stops within heartbeat_s + 2 s, naming it, again leaving no process;
// `--workers 2 --resume` goes on from the checkpoint, and a SIGTERM to the
// launcher reaches the ranks, which checkpoint and stop; a launcher killed
// outright takes its ranks with it (docs/distributed.md "Launching ranks",
// "Failures"); while training, rank 0's c10d TCPStore is the only listening
// socket (on every interface, at MASTER_PORT) and every connection, Gloo's
// included, stays on 127.0.0.1 (docs/security.md "The rendezvous"). About
// 70 s on 2 cores.
#include <arpa/inet.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest>
#include <functional>

#include "support/dist_job_config.h"
#include "support/process_groups.h"
#include "support/sql_query.h"
#include "support/checkpoints.h"
#include "support/test_support.h"
#include "support/time_scale.h"

using understudy::test::allPids;
using understudy::test::groupGone;
using understudy::test::newestCheckpoint;
using understudy::test::outputOf;
using understudy::test::readProcFile;
using understudy::test::speedBound;
using understudy::test::waitFor;
using understudy::test::ProcessResult;
using understudy::test::processAlive;
using understudy::test::queryScalar;
using understudy::test::queryText;
using understudy::test::runCli;

namespace {

int parentOf(int pid) {
  const QByteArray stat = readProcFile(pid, "stat");
  const int close = stat.lastIndexOf(')');
  if (close < 0) return -1;
  const QList<QByteArray> fields = stat.mid(close + 2).split(' ');  // state ppid ...
  return fields.size() > 1 ? fields[1].toInt() : -1;
}

// Living `understudy-cli ... worker -w WS ...` processes of this workspace.
QList<int> workersOf(const QString& ws) {
  QList<int> found;
  for (int pid : allPids()) {
    const QList<QByteArray> args = readProcFile(pid, "cmdline").split('\0');
    if (args.contains("worker") && args.contains(ws.toUtf8()) && processAlive(pid)) found << pid;
  }
  return found;
}

// The launcher's children that became workers, by rank (RANK= in their environment).
QMap<int, int> ranksOf(int launcher) {
  QMap<int, int> byRank;
  for (int pid : allPids()) {
    if (parentOf(pid) != launcher || !readProcFile(pid, "cmdline").split('\0').contains("worker"))
      continue;
    for (const QByteArray& var : readProcFile(pid, "environ").split('\0'))
      if (var.startsWith("RANK=")) byRank[var.mid(5).toInt()] = pid;
  }
  return byRank;
}

// A TCP socket of a process, from /proc/<pid>/net/tcp and tcp6 (the
// namespace's table) joined with the process's own socket fds (by inode).
struct TcpSocket {
  QString local, remote;  // "127.0.0.1", "::", "::ffff:127.0.0.1"
  int localPort = 0, remotePort = 0;
  bool listening = false;  // state 0A; otherwise 01 = established, ...
  QString text() const {
    return QString("%1:%2 -> %3:%4%5").arg(local).arg(localPort).arg(remote).arg(remotePort)
        .arg(listening ? " LISTEN" : "");
  }
};

// The kernel's hex address: IPv4 one 32-bit word, IPv6 four, each in host order.
QString procAddress(const QByteArray& hex) {
  QByteArray bytes = QByteArray::fromHex(hex);
  for (int w = 0; w + 4 <= bytes.size(); w += 4) std::reverse(bytes.begin() + w, bytes.begin() + w + 4);
  char text[INET6_ADDRSTRLEN] = {};
  const int family = bytes.size() == 4 ? AF_INET : AF_INET6;
  return inet_ntop(family, bytes.constData(), text, sizeof text) ? QString(text) : QString(hex);
}

QList<TcpSocket> tcpSocketsOf(int pid) {
  QSet<QByteArray> inodes;
  const QString fdDir = QString("/proc/%1/fd").arg(pid);
  for (const QString& fd : QDir(fdDir).entryList(QDir::System | QDir::NoDotAndDotDot)) {
    char buf[64] = {};  // the link's raw text: "socket:[INODE]"
    const ssize_t n = ::readlink(qPrintable(fdDir + "/" + fd), buf, sizeof buf - 1);
    const QByteArray target(buf, n > 0 ? static_cast<int>(n) : 0);
    if (target.startsWith("socket:[")) inodes << target.mid(8, target.size() - 9);
  }
  QList<TcpSocket> out;
  for (const char* table : {"net/tcp", "net/tcp6"}) {
    const QList<QByteArray> lines = readProcFile(pid, table).split('\n');
    for (int i = 1; i < lines.size(); ++i) {  // line 0: the header
      const QList<QByteArray> f = lines[i].simplified().split(' ');
      if (f.size() < 10 || !inodes.contains(f[9])) continue;
      const QList<QByteArray> local = f[1].split(':'), remote = f[2].split(':');  // ADDR:PORT in hex
      if (local.size() != 2 || remote.size() != 2) continue;
      TcpSocket s;
      s.local = procAddress(local[0]);
      s.localPort = local[1].toInt(nullptr, 16);
      s.remote = procAddress(remote[0]);
      s.remotePort = remote[1].toInt(nullptr, 16);
      s.listening = f[3] == "0A";
      out << s;
    }
  }
  return out;
}

bool isLoopback(const QString& address) {
  return address == "127.0.0.1" || address == "::ffff:127.0.0.1" || address == "::1";
}

}  // namespace

class TestTrainWorkers : public QObject {
  Q_OBJECT

  QTemporaryDir m_dir;
  QString m_ws, m_db;

  QString writeConfig(const QString& name) const {
    return understudy::test::writeDistJobConfig(m_dir.filePath(name + ".yaml"), name);
  }

  // A `train --workers 2` in the background, its stdout collected as it comes.
  struct Job {
    QProcess process;
    QByteArray out;
    QMap<int, int> ranks;  // rank -> pid, from the launcher's "# train: rank R is pid P" lines
    void pump() {
      process.waitForReadyRead(20);
      out += process.readAllStandardOutput();
      const QRegularExpression line("# train: rank (\\d+) is pid (\\d+)\n");
      for (auto it = line.globalMatch(QString::fromUtf8(out)); it.hasNext();) {
        const auto m = it.next();
        ranks[m.captured(1).toInt()] = m.captured(2).toInt();
      }
    }
    bool waitUntil(const std::function<bool()>& condition, int timeoutMs) {
      return waitFor([&] { pump(); return condition(); }, timeoutMs);
    }
    QString err() { return QString::fromUtf8(process.readAllStandardError()); }
  };

  // Starts `train --workers 2` in the background; its two ranks are running
  // `worker` (their pids as the launcher printed them) when it returns.
  bool startJob(Job& job, const QStringList& args) const {
    job.process.start(understudy::test::cliPath(), args);
    if (!job.process.waitForStarted(10000)) return false;
    const int launcher = static_cast<int>(job.process.processId());
    return job.waitUntil([&] { return job.ranks.size() == 2 && ranksOf(launcher) == job.ranks; }, 30000);
  }

  QString modelDir(const QString& name) const { return m_ws + "/models/" + name; }

  // `train --workers 2` of `name` with no step limit, in the background, once
  // its first checkpoint is written (mid-training). "" or what went wrong.
  QString startPastFirstCheckpoint(const QString& name, Job& job) {
    const QString config = writeConfig(name);
    if (!startJob(job, {"train", "-w", m_ws, "--config", config, "--workers", "2", "--max-steps", "100000"}))
      return "the ranks did not start: " + job.err();
    if (!job.waitUntil([&] { return newestCheckpoint(modelDir(name) + "/checkpoints") >= 3; }, 60000))
      return "no checkpoint: " + job.err().right(2000);
    return {};
  }

  // Every rank's process group is empty; kills what is left if not (no orphans even when failing).
  void verifyNoProcessLeft(const QMap<int, int>& ranks) {
    QStringList left;
    for (auto it = ranks.begin(); it != ranks.end(); ++it)
      if (!groupGone(it.value(), 2000)) {
        left << QString("rank %1 (process group %2)").arg(it.key()).arg(it.value());
        ::kill(-it.value(), SIGKILL);
      }
    QVERIFY2(left.isEmpty(), qPrintable("processes left: " + left.join(", ")));
    QVERIFY(workersOf(m_ws).isEmpty());
  }

 private slots:
  void initTestCase() {
    QVERIFY(m_dir.isValid());
    m_ws = m_dir.filePath("ws");
    m_db = m_ws + "/workspace.db";
    const QList<QStringList> steps{
        {"init", m_ws},
        {"-q", "corpus", "synth", "-w", m_ws, "--profile", "tiny", "--scale", "0.2", "--seed", "1"},
        {"-q", "features", "-w", m_ws, "--dataset", "synth-labeled"},
        {"-q", "targets", "-w", m_ws, "--dataset", "synth-labeled"}};
    for (const QStringList& args : steps) {
      const ProcessResult r = runCli(args, 300000);
      QVERIFY2(r.exitCode == 0 && !r.crashed, qPrintable(args.join(' ') + ": " + outputOf(r)));
    }
  }

  void testTwoWorkersTrainAndRankZeroAloneWrites() {
    const QString config = writeConfig("dist-two");
    // -v: each checkpoint writer logs "checkpoint ... written" (rank 0 to our
    // stderr, rank 1 to its log); --events -: stdout must stay pure JSON.
    const ProcessResult r = runCli(
        {"-v", "--events", "-", "train", "-w", m_ws, "--config", config, "--workers", "2"}, 180000);
    QVERIFY2(r.exitCode == 0 && !r.crashed, qPrintable(outputOf(r)));

    int metrics = 0, bytesSent = 0;
    QString lastStatus;
    for (const QByteArray& line : r.out.split('\n')) {
      if (line.isEmpty()) continue;
      const QJsonDocument doc = QJsonDocument::fromJson(line);
      QVERIFY2(doc.isObject(),
               qPrintable("stdout line is not a JSON event: " + QString::fromUtf8(line.left(200))));
      const QJsonObject e = doc.object();
      if (e.value("type").toString() == "metric") ++metrics;
      if (e.value("name").toString() == "dist/bytes_sent") ++bytesSent;
      if (e.value("type").toString() == "status") lastStatus = e.value("name").toString();
    }
    QCOMPARE(lastStatus, QString("finished"));
    QCOMPARE(bytesSent, 6);  // log_every 1, 6 steps, one stream of events (rank 0's)
    QVERIFY(metrics > 6);

    // Exactly one run, recorded by rank 0, saying how it was spread.
    const std::string name = "name = 'dist-two'";
    QCOMPARE(queryScalar(m_db, "SELECT COUNT(*) FROM runs WHERE " + name, -1), 1.0);
    QCOMPARE(queryText(m_db, "SELECT status FROM runs WHERE " + name), std::string("finished"));
    const std::string recorded = queryText(m_db, "SELECT config FROM runs WHERE " + name);
    QVERIFY2(recorded.rfind("# distributed: 2 ranks, algorithm sync, backend gloo\n", 0) == 0,
             recorded.c_str());
    QCOMPARE(queryScalar(m_db,
                         "SELECT COUNT(*) FROM metrics WHERE name = 'dist/bytes_sent' AND value > "
                         "0 AND run_id = "
                         "(SELECT id FROM runs WHERE " +
                             name + ")",
                         -1),
             6.0);
    QVERIFY(QFileInfo::exists(modelDir("dist-two") + "/model.pt"));
    QCOMPARE(queryScalar(m_db, "SELECT COUNT(*) FROM models WHERE " + name, -1), 1.0);

    // Checkpoints at step 3 and the final one (6, after the last validation:
    // none in the loop at max_steps), written by rank 0 alone.
    QCOMPARE(newestCheckpoint(modelDir("dist-two") + "/checkpoints"), 6);
    const QRegularExpression written("checkpoint \\S+ckpt-\\d+\\.pt written");
    QCOMPARE(QString::fromUtf8(r.err).count(written), 2);
    QFile rank1(m_ws + "/runs/train-dist-two/rank1.log");
    QVERIFY2(rank1.open(QIODevice::ReadOnly), qPrintable(rank1.fileName()));
    const QString log1 = QString::fromUtf8(rank1.readAll());
    QCOMPARE(log1.count(written), 0);
    QVERIFY2(log1.contains("Rank 1 of 2: 6 steps, stopped by max_steps"), qPrintable(log1));
    QVERIFY2(r.err.contains("Trained 'dist-two'"), r.err.right(2000).constData());
  }

  void testAKilledRankStopsTheJobWithinSecondsNamingIt() {
    Job job;
    const QString problem = startPastFirstCheckpoint("dist-kill", job);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    const int victim = job.ranks.value(1);
    QElapsedTimer sinceKill;
    sinceKill.start();
    QCOMPARE(::kill(victim, SIGKILL), 0);
    QVERIFY2(job.process.waitForFinished(20000), "the launcher did not exit after a rank was killed");
    const double seconds = sinceKill.elapsed() / 1000.0;
    qInfo("launcher exit %.2f s after SIGKILL of rank 1", seconds);
    QVERIFY2(seconds < speedBound(2.0), qPrintable(QString("%1 s, bound %2 s").arg(seconds).arg(speedBound(2.0))));
    QCOMPARE(job.process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(job.process.exitCode(), 1);
    const QString err = job.err();
    QVERIFY2(err.contains(
                 QString("rank 1 of 2 (pid %1) failed first: it was killed by signal 9 (SIGKILL)")
                     .arg(victim)),
             qPrintable(err.right(3000)));
    QVERIFY2(err.contains(QString("rank 0 (pid %1").arg(job.ranks.value(0))),
             qPrintable(err.right(3000)));
    QVERIFY2(err.contains("the last lines of rank 1's log"), qPrintable(err.right(3000)));
    verifyNoProcessLeft(job.ranks);
    QCOMPARE(queryText(m_db, "SELECT status FROM runs WHERE name = 'dist-kill'"),
             std::string("failed"));
  }

  void testAStoppedRankIsFoundStalledAndTheJobStops() {
    Job job;
    const QString problem = startPastFirstCheckpoint("dist-stop", job);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    // Rank 0: it records the run, and stopped it cannot say how it ended,
    // so the launcher must.
    const int victim = job.ranks.value(0);
    QElapsedTimer sinceStop;
    sinceStop.start();
    QCOMPARE(::kill(victim, SIGSTOP), 0);
    const bool exited = job.process.waitForFinished(20000);
    const double seconds = sinceStop.elapsed() / 1000.0;
    if (!exited) verifyNoProcessLeft(job.ranks);
    QVERIFY2(exited, "the launcher did not exit after a rank was stopped");
    qInfo("launcher exit %.2f s after SIGSTOP of rank 0 (heartbeat_s 4)", seconds);
    QVERIFY2(seconds < 4.0 + speedBound(2.0),
             qPrintable(QString("%1 s, bound %2 s").arg(seconds).arg(4.0 + speedBound(2.0))));
    QCOMPARE(job.process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(job.process.exitCode(), 1);
    const QString err = job.err();
    QVERIFY2(err.contains(QString("rank 0 of 2 (pid %1) stalled: no heartbeat for 4.").arg(victim)),
             qPrintable(err.right(3000)));
    QVERIFY2(err.contains("rank 0 sent no heartbeat for distribution.heartbeat_s = 4 s"), qPrintable(err.right(3000)));
    verifyNoProcessLeft(job.ranks);
    QCOMPARE(queryText(m_db, "SELECT status FROM runs WHERE name = 'dist-stop'"), std::string("failed"));
    const std::string why = queryText(m_db, "SELECT error FROM runs WHERE name = 'dist-stop'");
    QVERIFY2(why.find(QString("rank 0 of 2 (pid %1) stalled").arg(victim).toStdString()) != std::string::npos,
             why.c_str());
  }

  void testResumeGoesOnFromTheCheckpointAndSigtermStopsTheRanksCleanly() {
    // The killed run's checkpoint.
    const QString config = m_dir.filePath("dist-kill.yaml");
    const QString checkpoints = modelDir("dist-kill") + "/checkpoints";
    const int resumed = newestCheckpoint(checkpoints);
    QVERIFY(resumed >= 3);
    Job job;
    QVERIFY2(startJob(job, {"train", "-w", m_ws, "--config", config, "--workers", "2", "--resume", "--max-steps",
                            "100000"}),
             qPrintable(job.err()));
    QVERIFY2(job.waitUntil([&] { return newestCheckpoint(checkpoints) >= resumed + 3; }, 60000),
             qPrintable(job.err().right(2000)));
    // As a batch system stops a job: SIGTERM to the launcher, which forwards it.
    QCOMPARE(::kill(static_cast<pid_t>(job.process.processId()), SIGTERM), 0);
    QVERIFY2(job.process.waitForFinished(30000), "the launcher did not exit after SIGTERM");
    QCOMPARE(job.process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(job.process.exitCode(), 1);
    const QString out = QString::fromUtf8(job.out + job.process.readAllStandardOutput());
    const QString err = job.err();
    QVERIFY2(out.contains(QString("# resuming at step %1\n").arg(resumed)),
             qPrintable(out.right(3000)));
    QVERIFY2(err.contains("training interrupted: SIGTERM was forwarded to the 2 ranks"),
             qPrintable(err.right(3000)));
    // The ranks agreed to stop and rank 0 wrote the checkpoint of that step.
    const QRegularExpression cancelled("training cancelled at step (\\d+); checkpoint saved");
    const auto m = cancelled.match(err);
    QVERIFY2(m.hasMatch(), qPrintable(err.right(3000)));
    QCOMPARE(newestCheckpoint(checkpoints), m.captured(1).toInt());
    verifyNoProcessLeft(job.ranks);
    // The resumed run's record: cancelled, the killed run its parent.
    QCOMPARE(queryText(m_db,
                       "SELECT status FROM runs WHERE name = 'dist-kill' ORDER BY id DESC LIMIT 1"),
             std::string("cancelled"));
    QCOMPARE(
        queryText(
            m_db,
            "SELECT parent_run_id FROM runs WHERE name = 'dist-kill' ORDER BY id DESC LIMIT 1"),
        queryText(m_db, "SELECT id FROM runs WHERE name = 'dist-kill' ORDER BY id LIMIT 1"));
  }

  // The claim in docs/security.md "The rendezvous", checked on a running
  // 2-rank job (MASTER_ADDR 127.0.0.1): rank 0 listens on exactly one socket,
  // the TCPStore at MASTER_PORT on every interface ([::], dual stack: LibTorch
  // 1.13 offers no address to bind it to); rank 1 listens on none; every
  // connection of both ranks, the Gloo pairs between them included, has
  // 127.0.0.1 at both ends (Gloo's device is bound to the address towards
  // MASTER_ADDR, core/dist/communicator.cpp).
  void testOnlyTheStoreListensAndGlooPairsStayOnLoopback() {
    Job job;
    const QString problem = startPastFirstCheckpoint("dist-sockets", job);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    int masterPort = 0;
    for (const QByteArray& var : readProcFile(job.ranks[0], "environ").split('\0'))
      if (var.startsWith("MASTER_PORT=")) masterPort = var.mid(12).toInt();
    QVERIFY(masterPort > 0);
    const QList<TcpSocket> rank0 = tcpSocketsOf(job.ranks[0]), rank1 = tcpSocketsOf(job.ranks[1]);
    QStringList seen;
    for (const auto& s : rank0) seen << "rank 0: " + s.text();
    for (const auto& s : rank1) seen << "rank 1: " + s.text();
    const QString all = seen.join("\n");
    qInfo("%s", qPrintable(all));
    job.process.kill();  // done looking; the ranks follow their launcher
    QVERIFY(job.process.waitForFinished(10000));
    verifyNoProcessLeft(job.ranks);

    QList<TcpSocket> listening;
    for (const auto& s : rank0 + rank1)
      if (s.listening) listening << s;
    QVERIFY2(listening.size() == 1, qPrintable(all));
    QCOMPARE(listening[0].localPort, masterPort);
    QVERIFY2(listening[0].local == "::" || listening[0].local == "0.0.0.0", qPrintable(all));
    bool rank0Listens = false;
    for (const auto& s : rank0) rank0Listens = rank0Listens || s.listening;
    QVERIFY2(rank0Listens, qPrintable(all));
    // Established: loopback at both ends, and at least one Gloo pair (neither end the store's port).
    int glooPairs = 0;
    for (const auto& s : rank0 + rank1) {
      if (s.listening) continue;
      QVERIFY2(isLoopback(s.local) && isLoopback(s.remote), qPrintable("not on loopback: " + s.text() + "\n" + all));
      if (s.localPort != masterPort && s.remotePort != masterPort) ++glooPairs;
    }
    QVERIFY2(glooPairs >= 2, qPrintable(all));  // one pair seen from both ranks
  }

  void testAKilledLauncherTakesItsRanksWithIt() {
    Job job;
    const QString problem = startPastFirstCheckpoint("dist-orphan", job);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    job.process.kill();  // SIGKILL: no chance to stop anything itself
    QVERIFY(job.process.waitForFinished(10000));
    verifyNoProcessLeft(job.ranks);
  }
};

QTEST_GUILESS_MAIN(TestTrainWorkers)
#include "test_train_workers.moc"
