// Synchronous SGD over a real Gloo process group (2-3 ranks on loopback),
// the rank environment, data sharding, byte accounting and dead or stalled
// peers (docs/distributed.md).
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>
#include <cstdlib>
#include <map>
#include <set>

#include "core/dist/environment.h"
#include "core/train/batch_stream.h"
#include "support/expect_error.h"
#include "support/test_support.h"
#include "tests/core/dist/rank_scenarios.h"
#include "tests/core/dist/spawn_ranks.h"

using namespace understudy;
using namespace understudy::disttest;

namespace {

std::function<const char*(const char*)> fakeEnv(std::map<std::string, std::string> vars) {
  auto shared = std::make_shared<std::map<std::string, std::string>>(std::move(vars));
  return [shared](const char* name) -> const char* {
    const auto it = shared->find(name);
    return it == shared->end() ? nullptr : it->second.c_str();
  };
}

torch::Tensor weightsOf(const JobOutcome& job, int rank) {
  return rankOutput(job, "weights", rank).at(0);
}

torch::Tensor statsOf(const JobOutcome& job, int rank) {
  return rankOutput(job, "stats", rank).at(0);
}


JobOutcome runJob(const QTemporaryDir& dir, const char* name, int ranks, std::vector<std::string> args,
                  double deadline = 120) {
  return runInFolder(dir.path().toStdString(), name, "train", ranks, args, deadline);
}


}  // namespace

class TestDistSync : public QObject {
  Q_OBJECT

 private slots:
  void testTorchrunEnvironmentIsRead() {
    const auto env = dist::readDistEnvironment(fakeEnv(
        {{"MASTER_ADDR", "10.0.0.1"}, {"MASTER_PORT", "29500"}, {"RANK", "3"}, {"WORLD_SIZE", "4"}, {"LOCAL_RANK", "1"}}));
    QCOMPARE(env.masterAddr, std::string("10.0.0.1"));
    QCOMPARE(env.masterPort, 29500);
    QCOMPARE(env.rank, 3);
    QCOMPARE(env.worldSize, 4);
    QCOMPARE(env.localRank, 1);
    QCOMPARE(env.source, std::string("torchrun"));
  }

  void testSlurmEnvironmentIsTheFallback() {
    const auto env = dist::readDistEnvironment(fakeEnv({{"MASTER_ADDR", "node1"},
                                                        {"MASTER_PORT", "29400"},
                                                        {"SLURM_PROCID", "5"},
                                                        {"SLURM_NTASKS", "8"},
                                                        {"SLURM_LOCALID", "1"}}));
    QCOMPARE(env.rank, 5);
    QCOMPARE(env.worldSize, 8);
    QCOMPARE(env.localRank, 1);
    QCOMPARE(env.source, std::string("slurm"));
  }

  void testTheLocalAddressTowardsAHostIsOnItsRoute() {
    // Loopback reaches loopback; an address of this machine is itself; an unknown host gives "".
    QCOMPARE(QString::fromStdString(dist::localAddressTowards("127.0.0.1", 29500)), QString("127.0.0.1"));
    QCOMPARE(QString::fromStdString(dist::localAddressTowards("127.0.0.2", 29500)), QString("127.0.0.1"));
    QCOMPARE(QString::fromStdString(dist::localAddressTowards("localhost", 29500)).startsWith("127.0.0.1") ||
                 dist::localAddressTowards("localhost", 29500) == "::1",
             true);
    QCOMPARE(QString::fromStdString(dist::localAddressTowards("no-such-host.invalid", 29500)), QString());
  }

  void testMissingOrBadVariablesAreNamed() {
    test::expectError([&] { (void)dist::readDistEnvironment(fakeEnv({{"MASTER_PORT", "1"}, {"RANK", "0"}, {"WORLD_SIZE", "1"}})); }, {"MASTER_ADDR"});
    test::expectError([&] { (void)dist::readDistEnvironment(fakeEnv({{"MASTER_ADDR", "a"}, {"MASTER_PORT", "1"}, {"RANK", "0"}})); }, {"WORLD_SIZE is not set"});
    test::expectError([&] { (void)dist::readDistEnvironment(
                        fakeEnv({{"MASTER_ADDR", "a"}, {"MASTER_PORT", "1"}, {"RANK", "2"}, {"WORLD_SIZE", "2"}})); }, {"RANK='2'"});
    test::expectError([&] { (void)dist::readDistEnvironment(
                        fakeEnv({{"MASTER_ADDR", "a"}, {"MASTER_PORT", "http"}, {"RANK", "0"}, {"WORLD_SIZE", "1"}})); }, {"MASTER_PORT='http'"});
  }

  void testShardsSplitEachEpochIntoEqualDisjointParts() {
    auto data = equalLengthCorpus(23, 30, 3);
    train::BatchingOptions b;
    b.maxFrames = 60;  // 2 utterances per batch: 12 batches, the last with one
    b.bucket = false;
    const auto all = train::planEpochBatches(std::vector<int>(23, 30), b, 5, 0);
    QCOMPARE(all.size(), std::size_t{12});
    for (int ranks : {1, 3, 5}) {
      std::set<std::size_t> seen;
      std::size_t taken = 0;
      for (int r = 0; r < ranks; ++r) {
        train::DataStream s("labeled", data, b, 5, {r, ranks});
        QCOMPARE(s.batchesInEpoch(), all.size() / ranks);
        for (std::size_t i = 0; i < s.batchesInEpoch(); ++i) {
          const auto& batch = s.nextBatch();
          QCOMPARE(batch, all[i * ranks + r]);  // the global plan's batch i*N + r
          for (auto u : batch) QVERIFY(seen.insert(u).second);
          taken += 1;
          s.advance();
        }
      }
      QCOMPARE(taken, all.size() / ranks * ranks);
    }
    test::expectError([&] { (void)train::DataStream("labeled", equalLengthCorpus(3, 30, 3), b, 5, {0, 4}); }, {"fewer than the 4 ranks"});
  }

  void testSyncEqualsOneProcessWithTheUnionOfTheRanksBatches() {
    QTemporaryDir dir;
    for (int ranks : {2, 3}) {
      // Each rank: 2 utterances of 30 frames per batch; the reference: 2N.
      const std::vector<std::string> common{"steps=6", "utterances=36", "optimizer=sgd", "lr=0.5", "momentum=0.9"};
      auto distArgs = common;
      distArgs.push_back("max_frames=60");
      auto refArgs = common;
      refArgs.push_back("max_frames=" + std::to_string(60 * ranks));
      const auto job = runJob(dir, ranks == 2 ? "sync2" : "sync3", ranks, distArgs);
      QVERIFY2(allSucceeded(job), describe(job).c_str());
      const auto ref = runJob(dir, ranks == 2 ? "ref2" : "ref3", 0, refArgs);
      QVERIFY2(allSucceeded(ref), describe(ref).c_str());
      const torch::Tensor w = weightsOf(job, 0), expected = weightsOf(ref, 0);
      QCOMPARE(w.size(0), 7);
      for (int s = 1; s <= 6; ++s) {
        const double rel = ((w[s] - expected[s]).norm() / (expected[s] - expected[0]).norm()).item<double>();
        QVERIFY2(rel <= 1e-5, qPrintable(QString("N=%1 step %2: relative difference %3").arg(ranks).arg(s).arg(rel)));
      }
      // The weights moved, and every rank holds exactly the same ones after every step.
      QVERIFY((w[6] - w[0]).abs().max().item<double>() > 1e-3);
      for (int r = 1; r < ranks; ++r) QVERIFY2(torch::equal(weightsOf(job, r), w), qPrintable(QString("rank %1").arg(r)));
    }
  }

  void testBytesSentPerStepMatchTheRingAllreduceFormula() {
    QTemporaryDir dir;
    const int ranks = 2;
    const auto job = runJob(dir, "bytes", ranks, {"steps=4", "max_frames=60"});
    QVERIFY2(allSucceeded(job), describe(job).c_str());
    const std::int64_t params = weightsOf(job, 0).size(1);
    // docs/distributed.md: a ring allreduce of P floats sends 2 (N-1)/N x 4P
    // bytes per rank; the stop flag adds one 4-byte allreduce.
    const double formula = 2.0 * (ranks - 1) / ranks * 4.0 * static_cast<double>(params + 1);
    for (int r = 0; r < ranks; ++r) {
      const torch::Tensor st = statsOf(job, r);
      QCOMPARE(st.size(0), 4);
      for (int s = 0; s < 4; ++s) {
        const double sent = st[s][0].item<double>(), received = st[s][1].item<double>();
        QVERIFY2(std::abs(sent - formula) <= 0.05 * formula,
                 qPrintable(QString("rank %1 step %2: sent %3 bytes, formula %4").arg(r).arg(s).arg(sent).arg(formula)));
        QVERIFY(std::abs(received - formula) <= 0.05 * formula);
        QVERIFY(st[s][2].item<double>() > 0);  // time inside collectives
      }
    }
  }

  void testAKilledRankFailsTheOthersWithinSecondsNamingThemselves() {
    QTemporaryDir dir;
    const auto job = runJob(dir, "killed", 3, {"steps=100000", "die_at_step=3", "die_rank=1", "timeout_s=60"}, 90);
    QVERIFY(!job.timedOut);
    QCOMPARE(job.ranks[1].exitCode, -SIGKILL);
    for (int r : {0, 2}) {
      QVERIFY2(job.ranks[r].exitCode == 1, describe(job).c_str());
      QVERIFY2(job.ranks[r].seconds - job.ranks[1].seconds < 5.0, describe(job).c_str());
      QVERIFY2(job.ranks[r].log.find("rank " + std::to_string(r) + " of 3:") != std::string::npos,
               job.ranks[r].log.c_str());
    }
    for (int pid : job.pids) QVERIFY(!test::processAlive(pid));
  }

  void testAStalledRankFailsTheOthersAtTheTimeout() {
    QTemporaryDir dir;
    const double timeout = 3.0;
    const auto job = runJob(dir, "stalled", 2, {"steps=100000", "stall_at_step=2", "die_rank=1", "timeout_s=3"}, 25);
    // Rank 1 stopped itself (the deadline killed it); rank 0 gave up at the timeout.
    QCOMPARE(job.ranks[0].exitCode, 1);
    QVERIFY2(job.ranks[0].seconds < 20.0, describe(job).c_str());
    QVERIFY2(job.ranks[0].log.find("rank 0 of 2:") != std::string::npos, job.ranks[0].log.c_str());
    QVERIFY2(job.ranks[0].log.find("distribution.timeout_s = 3 s") != std::string::npos, job.ranks[0].log.c_str());
    (void)timeout;
  }
};

QTEST_GUILESS_MAIN(TestDistSync)
#include "test_dist_sync.moc"
