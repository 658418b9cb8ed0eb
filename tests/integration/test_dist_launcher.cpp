// core/dist/launcher.h with /bin/sh as the ranks (no training, about 5 s):
// the torchrun environment reaches every rank, a failing or killed rank stops
// the others (SIGTERM, then SIGKILL after the grace) and the report names it
// with its pid, status or signal and log tail, a signal to the launcher is
// forwarded to every rank, and a rank whose program cannot start fails;
// heartbeats: a rank that falls silent (SIGSTOP) is found stalled, killed
// with its process group and named first; a "remote" rank (sh standing in
// for ssh) reports its pid on stdout and is killed there by process group.
#include <signal.h>
#include <unistd.h>

#include <cerrno>

#include <QTemporaryDir>
#include <QtTest>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/dist/environment.h"
#include "core/dist/launcher.h"
#include "support/process_groups.h"

using namespace understudy::dist;
using understudy::test::groupGone;

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

double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

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
    // Rank 0 dies once rank 1 ignores SIGTERM (it says so with a file: on a
    // loaded machine its shell may not have run `trap` yet after a fixed wait).
    const std::string ready = log("kill1.ready");
    std::vector<RankProcess> ranks{
        shell(0, 2, "while [ ! -e '" + ready + "' ]; do sleep 0.01; done; sleep 0.3; kill -9 $$", log("kill0.log")),
        shell(1, 2, "trap '' TERM; : > '" + ready + "'; exec sleep 30", log("kill1.log"))};
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
    // Each rank counts the SIGINTs it gets for two seconds, then reports.
    // It says when its trap is set (a file), and the SIGINT comes after both
    // are: on a loaded machine a shell can take longer than any fixed wait.
    const std::string ready0 = log("int0.ready"), ready1 = log("int1.ready");
    auto script = [](const std::string& ready) {
      return "n=0; trap 'n=$((n+1))' INT; : > '" + ready + "'; i=0; "
             "while [ $i -lt 40 ]; do sleep 0.05; i=$((i+1)); done; echo $n; exit 5";
    };
    std::vector<RankProcess> ranks{shell(0, 2, script(ready0), log("int0.log")),
                                   shell(1, 2, script(ready1), log("int1.log"))};
    LaunchOptions options;
    options.onStarted = [ready0, ready1](int rank, int) {
      if (rank == 1)
        std::thread([ready0, ready1] {
          for (int i = 0; i < 200 && !(std::filesystem::exists(ready0) && std::filesystem::exists(ready1)); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
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

  void testAStalledRankIsKilledWithItsGroupAndNamedFirst() {
    // Rank 0 beats on fd 3 five times a second; rank 1 reports its pid,
    // leaves a child in its process group and stops itself.
    std::vector<RankProcess> ranks{
        shell(0, 2, "while :; do echo beat >&3; sleep 0.2; done", log("stall0.log")),
        shell(1, 2, "echo $UNDERSTUDY_HEARTBEAT_FD; echo pid $$ >&3; sleep 30 & echo $! > " + log("stall1.child") +
                        "; kill -STOP $$",
              log("stall1.log"))};
    LaunchOptions options;
    options.heartbeatSeconds = 1.0;
    options.killGraceSeconds = 0.5;
    std::vector<std::pair<int, int>> reported;
    options.onReported = [&](int rank, int pid) { reported.emplace_back(rank, pid); };
    const auto start = std::chrono::steady_clock::now();
    const LaunchReport report = launchRanks(ranks, options);
    const double seconds = secondsSince(start);
    QVERIFY2(seconds >= 0.9 && seconds < 2.5, qPrintable(QString::number(seconds)));
    QCOMPARE(report.firstFailure(), 1);
    QCOMPARE(report.failed.size(), std::size_t{1});
    QVERIFY(report.ranks[1].stalledAfter >= 1.0);
    QCOMPARE(report.ranks[1].signal, SIGKILL);
    QCOMPARE(report.ranks[1].reportedPid, report.ranks[1].pid);
    QCOMPARE(reported, (std::vector<std::pair<int, int>>{{1, report.ranks[1].pid}}));
    QCOMPARE(report.ranks[0].stalledAfter, 0.0);
    QCOMPARE(report.stopped, (std::vector<int>{0}));
    QCOMPARE(report.ranks[0].signal, SIGTERM);
    QCOMPARE(slurp(ranks[1].logFile), std::string("3\n"));
    const std::string s = report.summary();
    QVERIFY2(s.find("rank 1 of 2 (pid " + std::to_string(report.ranks[1].pid) + ") stalled: no heartbeat for 1.") == 0,
             s.c_str());
    QVERIFY2(s.find("the launcher killed it with SIGKILL") != std::string::npos, s.c_str());
    // Nothing left in either rank's process group, the stopped rank's child included.
    const int child = std::stoi(slurp(log("stall1.child")));
    QVERIFY(child > 0);
    for (int pgid : {report.ranks[0].pid, report.ranks[1].pid})
      QVERIFY2(groupGone(pgid, 1000), qPrintable(QString("process group %1 is not empty").arg(pgid)));
  }

  void testWithoutHeartbeatsARankIsNeverStalled() {
    // Heartbeats off (the default): no fd 3, no variable, and silence is fine.
    std::vector<RankProcess> ranks{
        shell(0, 2, "sleep 1.2; echo \"[$UNDERSTUDY_HEARTBEAT_FD]\"; [ ! -e /proc/self/fd/3 ]", log("off0.log")),
        shell(1, 2, "sleep 1.2", log("off1.log"))};
    const LaunchReport report = launchRanks(ranks);
    QVERIFY2(report.succeeded(), report.summary().c_str());
    QCOMPARE(slurp(ranks[0].logFile), std::string("[]\n"));
  }

  void testAStalledRemoteRankIsKilledThereByProcessGroup() {
    // sh stands in for ssh: the "remote" rank runs in a session of its own
    // (as under sshd), writes its pid on stdout (the heartbeat channel) and
    // stops; `sh -c 'kill -s KILL -- -PID'` stands in for the remote kill.
    std::vector<RankProcess> ranks{shell(0, 2, "while :; do echo beat >&3; sleep 0.2; done", log("remote0.log")),
                                   shell(1, 2,
                                         "setsid -w sh -c 'echo pid $$; echo stopping >&2; sleep 30 & kill -STOP $$'; "
                                         "sleep 30",
                                         log("remote1.log"))};
    ranks[1].remote = RankProcess::Remote{"fake", "127.0.0.1", {"sh", "-c"}};
    LaunchOptions options;
    options.heartbeatSeconds = 1.0;
    options.killGraceSeconds = 0.5;
    const auto start = std::chrono::steady_clock::now();
    const LaunchReport report = launchRanks(ranks, options);
    const double seconds = secondsSince(start);
    QVERIFY2(seconds >= 0.9 && seconds < 3.0, qPrintable(QString::number(seconds)));
    QCOMPARE(report.firstFailure(), 1);
    const int there = report.ranks[1].reportedPid;
    QVERIFY(there > 0 && there != report.ranks[1].pid);
    QCOMPARE(report.ranks[1].remoteKillStatus, 0);
    QVERIFY2(groupGone(there, 1000), "the stopped remote rank's process group is still there");
    QVERIFY(groupGone(report.ranks[1].pid, 1000));
    const std::string s = report.summary();
    QVERIFY2(s.find("rank 1 of 2 on node fake (127.0.0.1, pid " + std::to_string(there) +
                    " there) stalled: no heartbeat for 1.") == 0,
             s.c_str());
    QVERIFY2(s.find("its process group on fake killed over ssh") != std::string::npos, s.c_str());
    // Its stderr is its log; stdout was the channel.
    QCOMPARE(slurp(ranks[1].logFile), std::string("stopping\n"));
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
