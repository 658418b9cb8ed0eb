// core/dist/launcher.h with /bin/sh as the ranks (no training, about 5 s):
// the torchrun environment reaches every rank, a failing or killed rank stops
// the others (SIGTERM, then SIGKILL after the grace) and the report names it
// with its pid, status or signal and log tail, a signal to the launcher is
// forwarded to every rank, and a rank whose program cannot start fails.
#include <signal.h>
#include <unistd.h>

#include <QTemporaryDir>
#include <QtTest>
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/dist/environment.h"
#include "core/dist/launcher.h"

using namespace understudy::dist;

namespace {

RankProcess shell(int rank, int world, const std::string& script, const std::string& log) {
  RankProcess p;
  p.rank = rank;
  p.program = "/bin/sh";
  p.argv = {"sh", "-c", script};
  DistEnvironment env;
  env.masterAddr = "127.0.0.1";
  env.masterPort = 29500;
  env.rank = rank;
  env.worldSize = world;
  env.localRank = rank;
  p.env = torchrunVariables(env);
  p.logFile = log;
  return p;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool alive(int pid) { return ::kill(pid, 0) == 0; }

}  // namespace

class TestDistLauncher : public QObject {
  Q_OBJECT

  QTemporaryDir m_dir;
  std::string log(const QString& name) const { return m_dir.filePath(name).toStdString(); }

 private slots:
  void testEveryRankGetsTheTorchrunEnvironmentAndAllSucceed() {
    std::vector<RankProcess> ranks;
    for (int r = 0; r < 3; ++r)
      ranks.push_back(shell(r, 3, "echo $MASTER_ADDR $MASTER_PORT $RANK $WORLD_SIZE $LOCAL_RANK",
                            log(QString("env%1/rank.log").arg(r))));
    const LaunchReport report = launchRanks(ranks);
    QVERIFY2(report.succeeded(), report.summary().c_str());
    for (int r = 0; r < 3; ++r)
      QCOMPARE(slurp(ranks[static_cast<std::size_t>(r)].logFile),
               "127.0.0.1 29500 " + std::to_string(r) + " 3 " + std::to_string(r) + "\n");
  }

  void testAFailingRankStopsTheOthersAndIsNamed() {
    std::vector<RankProcess> ranks{
        shell(0, 3, "exec sleep 30", log("fail0.log")),
        shell(1, 3, "echo loading; echo 'error: bad data' >&2; exit 3", log("fail1.log")),
        shell(2, 3, "exec sleep 30", log("fail2.log"))};
    const auto start = std::chrono::steady_clock::now();
    const LaunchReport report = launchRanks(ranks);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    QVERIFY2(seconds < 2.0, qPrintable(QString::number(seconds)));
    QVERIFY(!report.succeeded());
    QCOMPARE(report.firstFailure(), 1);
    QCOMPARE(report.ranks[1].exitCode, 3);
    QCOMPARE(report.stopped, (std::vector<int>{0, 2}));
    for (int r : {0, 2}) {
      QCOMPARE(report.ranks[static_cast<std::size_t>(r)].signal, SIGTERM);
      QCOMPARE(report.ranks[static_cast<std::size_t>(r)].stoppedWith, SIGTERM);
    }
    QCOMPARE(report.firstFailureLogTail, std::string("loading\nerror: bad data"));
    const std::string s = report.summary();
    const std::string expected = "rank 1 of 3 (pid " + std::to_string(report.ranks[1].pid) +
                                 ") failed first: it exited with status 3";
    QVERIFY2(s.find(expected) != std::string::npos, s.c_str());
    QVERIFY2(s.find("its last log line: \"error: bad data\"") != std::string::npos, s.c_str());
    QVERIFY2(s.find("the launcher stopped rank 0 (pid " + std::to_string(report.ranks[0].pid) +
                    ", ended by SIGTERM)") != std::string::npos,
             s.c_str());
  }

  void testARankIgnoringSigtermIsKilledAfterTheGrace() {
    std::vector<RankProcess> ranks{shell(0, 2, "sleep 0.3; kill -9 $$", log("kill0.log")),
                                   shell(1, 2, "trap '' TERM; exec sleep 30", log("kill1.log"))};
    LaunchOptions options;
    options.killGraceSeconds = 0.5;
    const auto start = std::chrono::steady_clock::now();
    const LaunchReport report = launchRanks(ranks, options);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    QVERIFY2(seconds >= 0.75 && seconds < 2.5, qPrintable(QString::number(seconds)));
    QCOMPARE(report.firstFailure(), 0);
    QCOMPARE(report.ranks[0].signal, SIGKILL);
    QCOMPARE(report.ranks[1].stoppedWith, SIGKILL);
    QCOMPARE(report.ranks[1].signal, SIGKILL);
    const std::string s = report.summary();
    QVERIFY2(s.find("rank 0 of 2 (pid " + std::to_string(report.ranks[0].pid) +
                    ") failed first: it was killed by signal 9 (SIGKILL)") != std::string::npos,
             s.c_str());
    QVERIFY2(s.find("killed with SIGKILL: SIGTERM did not end it") != std::string::npos, s.c_str());
  }

  void testASignalToTheLauncherReachesEveryRankOnce() {
    // Each rank counts the SIGINTs it gets for half a second, then reports.
    const std::string script =
        "n=0; trap 'n=$((n+1))' INT; i=0; "
        "while [ $i -lt 40 ]; do sleep 0.05; i=$((i+1)); done; echo $n; exit 5";
    std::vector<RankProcess> ranks{shell(0, 2, script, log("int0.log")),
                                   shell(1, 2, script, log("int1.log"))};
    LaunchOptions options;
    options.onStarted = [](int rank, int) {
      if (rank == 1)
        std::thread([] {
          std::this_thread::sleep_for(std::chrono::milliseconds(300));
          ::kill(::getpid(), SIGINT);
        }).detach();
    };
    const LaunchReport report = launchRanks(ranks, options);
    QCOMPARE(report.forwardedSignal, SIGINT);
    // Ranks exiting non-zero after the signal are stopping as asked: no failure, nothing stopped.
    QVERIFY(report.failed.empty());
    QVERIFY(report.stopped.empty());
    for (const auto& r : ranks) QCOMPARE(slurp(r.logFile), std::string("1\n"));
    QVERIFY2(report.summary().find("SIGINT was forwarded to the 2 ranks: rank 0 (pid") == 0,
             report.summary().c_str());
  }

  void testAProgramThatCannotStartFailsItsRank() {
    std::vector<RankProcess> ranks{shell(0, 2, "exec sleep 30", log("exec0.log")),
                                   shell(1, 2, "", log("exec1.log"))};
    ranks[1].program = "/nonexistent/understudy-cli";
    const LaunchReport report = launchRanks(ranks);
    QCOMPARE(report.firstFailure(), 1);
    QCOMPARE(report.ranks[1].exitCode, 127);
    QVERIFY2(
        report.firstFailureLogTail.find("cannot execute the rank's program") != std::string::npos,
        report.firstFailureLogTail.c_str());
    QVERIFY(!alive(report.ranks[0].pid));
  }
};

QTEST_GUILESS_MAIN(TestDistLauncher)
#include "test_dist_launcher.moc"
