// BMUF over a real Gloo process group (1-3 ranks on loopback): the block
// update against the equations of docs/distributed.md "BMUF", its limits
// (sync SGD, local training), bytes per step, stop agreement, consensus
// weights, checkpoint state and resume.
#include <QTemporaryDir>
#include <cmath>
#include <QtTest>

#include "tests/core/dist/rank_scenarios.h"
#include "tests/core/dist/spawn_ranks.h"

using namespace understudy;
using namespace understudy::disttest;

namespace {

torch::Tensor outputOf(const JobOutcome& job, const std::string& name, int rank) {
  return rankOutput(job, name, rank).at(0);
}


JobOutcome runJob(const QTemporaryDir& dir, const std::string& scenario, const char* name,
                  int ranks, const std::vector<std::string>& args) {
  return runInFolder(dir.path().toStdString(), name, scenario, ranks, args, 120);
}


double maxRelative(const torch::Tensor& a, const torch::Tensor& b) {
  return ((a - b).abs().max() / b.abs().max().clamp_min(1e-12)).item<double>();
}

// Per-step weights of two runs: |a_s - b_s| / |b_s - b_0| for each step s >= 1.
void expectSameSteps(const torch::Tensor& a, const torch::Tensor& b, double tolerance,
                     const QString& what) {
  QCOMPARE(a.size(0), b.size(0));
  double worst = 0;
  for (std::int64_t s = 1; s < b.size(0); ++s) {
    const double rel = ((a[s] - b[s]).norm() / (b[s] - b[0]).norm()).item<double>();
    worst = std::max(worst, rel);
    QVERIFY2(rel <= tolerance,
             qPrintable(QString("%1, step %2: relative difference %3").arg(what).arg(s).arg(rel)));
  }
  qInfo("%s: largest relative difference %g", qPrintable(what), worst);
  // Training moved the weights.
  QVERIFY((b[b.size(0) - 1] - b[0]).abs().max().item<double>() > 1e-3);
}

// The bytes a ring allreduce of `floats` 4-byte floats sends per rank.
double ringBytes(int ranks, std::int64_t floats) {
  return 2.0 * (ranks - 1) / ranks * 4.0 * static_cast<double>(floats);
}

// The block update, transcribed from docs/distributed.md "BMUF" for the
// "bmuf_blocks" scenario: checks every rank's W_g, Delta and block start
// point after every block against the ranks' recorded local models (in
// double; the ranks compute in float, hence 1e-5).
struct BlockCase {
  int ranks, tau, blocks, partial, warmup;
  double eta, zeta;  // eta < 0: 1 - 1/N
  bool nesterov;
};

void checkBlocks(const JobOutcome& job, const BlockCase& c) {
  std::vector<torch::Tensor> rows;
  for (int r = 0; r < c.ranks; ++r) rows.push_back(outputOf(job, "blocks", r).to(torch::kFloat64));
  const double eta = c.eta < 0 ? 1.0 - 1.0 / c.ranks : c.eta;
  const auto etaOf = [&](int block) { return block < c.warmup ? 0.0 : eta; };
  // begin(): rank 0's initial weights everywhere, W_g = them, Delta = 0.
  torch::Tensor wg = rows[0][0][0].clone();
  torch::Tensor delta = torch::zeros_like(wg);
  for (int r = 0; r < c.ranks; ++r) {
    QVERIFY(torch::equal(rows[r][0][1], wg));
    QVERIFY(torch::equal(rows[r][0][2], wg));
    QVERIFY(torch::equal(rows[r][0][3], delta));
    if (r > 0) QVERIFY(!torch::equal(rows[r][0][0], wg));  // it did start elsewhere
  }
  const int settled = c.blocks + (c.partial > 0 ? 1 : 0);
  torch::Tensor start = wg.clone();  // where the block began on every rank
  for (int b = 0; b < settled; ++b) {
    torch::Tensor sum = torch::zeros_like(wg);
    for (int r = 0; r < c.ranks; ++r) sum += rows[r][b + 1][0];
    const torch::Tensor g = sum / c.ranks - start;  // from the block's start point
    delta = etaOf(b) * delta + c.zeta * g;
    wg = wg + delta;
    const bool last = b == c.blocks;  // the partial block: finish() delivers W_g
    start = last || !c.nesterov ? wg : wg + etaOf(b + 1) * delta;
    for (int r = 0; r < c.ranks; ++r) {
      const QString where = QString("rank %1 block %2").arg(r).arg(b + 1);
      QVERIFY2(maxRelative(rows[r][b + 1][2], wg) <= 1e-5, qPrintable(where + ": W_g"));
      QVERIFY2(maxRelative(rows[r][b + 1][3], delta) <= 1e-5, qPrintable(where + ": Delta"));
      QVERIFY2(maxRelative(rows[r][b + 1][1], start) <= 1e-5, qPrintable(where + ": start point"));
      // Bit-identical on every rank after the boundary.
      QVERIFY2(torch::equal(rows[r][b + 1][1], rows[0][b + 1][1]),
               qPrintable(where + ": ranks differ"));
      QVERIFY2(torch::equal(rows[r][b + 1][2], rows[0][b + 1][2]),
               qPrintable(where + ": ranks' W_g differ"));
    }
    // The local models did differ before the boundary.
    QVERIFY(!torch::equal(rows[1][b + 1][0], rows[0][b + 1][0]));
  }
  // Neither the momentum nor the filter is trivial in these cases.
  QVERIFY(delta.abs().max().item<double>() > 1e-3);
}

// Stop agreement and silence inside blocks (the first case of
// testBlockUpdateFollowsTheEquations: rank 1 wishes to stop before the second
// step of block 2).
void checkStopsAndCommunication(const JobOutcome& job, const BlockCase& c) {
  const int steps = c.blocks * c.tau + c.partial;
  for (int r = 0; r < c.ranks; ++r) {
    const torch::Tensor st = outputOf(job, "steps", r);
    QCOMPARE(st.size(0), steps);
    for (int s = 0; s < steps; ++s) {
      const QString where = QString("rank %1 step %2").arg(r).arg(s + 1);
      const bool first = s % c.tau == 0, boundary = s % c.tau == c.tau - 1 && s < c.blocks * c.tau;
      // The wish takes effect at the next block boundary, on every rank.
      QVERIFY2(st[s][0].item<double>() == (s == 2 * c.tau ? 1.0 : 0.0),
               qPrintable(where + ": stop"));
      // Only the first step of a block (the stop flag) and the boundary communicate.
      QVERIFY2(st[s][2].item<double>() == (first || boundary ? 1.0 : 0.0),
               qPrintable(where + ": communicated"));
      if (!first && !boundary)
        QVERIFY2(st[s][1].item<double>() == 0.0, qPrintable(where + ": bytes"));
    }
  }
}

// withConsensusWeights and saveState/loadState, both before the last full
// block (Nesterov after the warm-up, so the start point is not W_g).
void checkConsensusAndSavedState(const JobOutcome& job, const BlockCase& c) {
  const int before = c.blocks - 1, last = c.blocks;  // rows after blocks-1 and blocks blocks
  for (int r = 0; r < c.ranks; ++r) {
    const torch::Tensor rows = outputOf(job, "blocks", r);
    // W_g inside, the local weights (the block's start point) restored after.
    const torch::Tensor cw = outputOf(job, "consensus", r);
    QVERIFY(torch::equal(cw[0], cw[2]));
    QVERIFY(torch::equal(cw[1], rows[before][1]));
    QVERIFY(!torch::equal(cw[0], cw[1]));
    // A Bmuf loaded from the saved state starts the last full block where
    // the first one did and ends it with the same W_g and Delta.
    const torch::Tensor resumed = outputOf(job, "resumed", r);
    QVERIFY(torch::equal(resumed[0], rows[before][1]));
    QVERIFY(torch::equal(resumed[1], rows[last][2]));
    QVERIFY(torch::equal(resumed[2], rows[last][3]));
  }
}

}  // namespace

class TestDistBmuf : public QObject {
  Q_OBJECT

 private slots:
  void testBlockUpdateFollowsTheEquations() {
    QTemporaryDir dir;
    const std::vector<BlockCase> cases{
        // Nesterov, two warm-up blocks (the second's Delta and start point
        // would differ without), eta = 1 - 1/N = 2/3, zeta < 1, a partial
        // block settled by finish().
        {3, 2, 3, 1, 2, -1.0, 0.8, true},
        // Classic, eta given, zeta > 1.
        {2, 3, 3, 0, 0, 0.6, 1.2, false},
    };
    for (std::size_t i = 0; i < cases.size(); ++i) {
      const BlockCase& c = cases[i];
      std::vector<std::string> args{"tau=" + std::to_string(c.tau),
                                    "blocks=" + std::to_string(c.blocks),
                                    "partial=" + std::to_string(c.partial),
                                    "warmup=" + std::to_string(c.warmup),
                                    "eta=" + std::to_string(c.eta),
                                    "zeta=" + std::to_string(c.zeta),
                                    std::string("nesterov=") + (c.nesterov ? "1" : "0")};
      // The first case: rank 1 wishes to stop before the second step of block 2.
      if (i == 0) args.insert(args.end(), {"stop_rank=1", "stop_block=1", "stop_step=1"});
      const auto job =
          runJob(dir, "bmuf_blocks", ("blocks" + std::to_string(i)).c_str(), c.ranks, args);
      QVERIFY2(allSucceeded(job), describe(job).c_str());
      checkBlocks(job, c);
      if (QTest::currentTestFailed()) return;
      if (i == 0) {
        checkStopsAndCommunication(job, c);
        if (QTest::currentTestFailed()) return;
        checkConsensusAndSavedState(job, c);
        if (QTest::currentTestFailed()) return;
      }
    }
  }

  // A closed form that needs no transcription of the update: when every rank
  // moves every weight by the same d in each block, the block gradient is d
  // (measured from where the block began), so the block momentum is the
  // geometric sum Delta_k = zeta d (1 - eta^k) / (1 - eta): it settles at
  // zeta d / (1 - eta), however long the run, and W_g has moved by the sum of
  // the Deltas. Measuring G from W_g while the block starts at the Nesterov
  // look-ahead W_g + eta Delta would count eta Delta twice; with two ranks
  // (eta = 1/2, zeta = 1) the momentum would then never decay and Delta
  // would grow by d every block, without bound.
  void testSteadyDescentMomentumSettlesAtItsGeometricSum() {
    QTemporaryDir dir;
    const int ranks = 2, tau = 3, blocks = 12;
    const double zeta = 1.0, eta = 1.0 - 1.0 / ranks, d = 0.01 * tau;
    const auto job = runJob(dir, "bmuf_blocks", "steady", ranks,
                            {"tau=" + std::to_string(tau), "blocks=" + std::to_string(blocks), "partial=0",
                             "warmup=0", "eta=-1", "zeta=1", "nesterov=1", "same_step=1"});
    QVERIFY2(allSucceeded(job), describe(job).c_str());
    const torch::Tensor rows = outputOf(job, "blocks", 0).to(torch::kFloat64);
    const torch::Tensor w0 = rows[0][2];
    double moved = 0;
    for (int k = 1; k <= blocks; ++k) {
      const double expected = zeta * d * (1 - std::pow(eta, k)) / (1 - eta);
      moved += expected;
      const QString where = QString("block %1").arg(k);
      QVERIFY2(std::abs(rows[k][3].min().item<double>() - expected) <= 1e-5 &&
                   std::abs(rows[k][3].max().item<double>() - expected) <= 1e-5,
               qPrintable(where + QString(": Delta %1, expected %2").arg(rows[k][3].max().item<double>()).arg(expected)));
      const torch::Tensor wgMoved = rows[k][2] - w0;
      QVERIFY2(std::abs(wgMoved.max().item<double>() - moved) <= 1e-4,
               qPrintable(where + QString(": W_g moved %1, expected %2").arg(wgMoved.max().item<double>()).arg(moved)));
    }
    // Settled: within 0.1 % of zeta d / (1 - eta) = 2 d.
    QVERIFY(std::abs(rows[blocks][3].max().item<double>() - zeta * d / (1 - eta)) <= 1e-3 * zeta * d / (1 - eta));
  }

  void testOneBlockStepWithoutMomentumEqualsSync() {
    QTemporaryDir dir;
    // The ranks' float weights are rounded once more than sync's (each rank's
    // step, then the sum): ~1 ulp, the same at any learning rate, so a large
    // one keeps it well under 1e-5 of the movement (3.5e-6 at lr 1, 7e-6 at 0.5).
    const std::vector<std::string> common{"steps=6",    "utterances=36", "optimizer=sgd",
                                          "momentum=0", "lr=1.0",        "max_frames=60"};
    auto bmufArgs = common;
    bmufArgs.insert(bmufArgs.end(),
                    {"algorithm=bmuf", "bmuf_block_steps=1", "bmuf_momentum=0", "bmuf_block_lr=1"});
    const auto sync = runJob(dir, "train", "sync", 2, common);
    QVERIFY2(allSucceeded(sync), describe(sync).c_str());
    const auto bmuf = runJob(dir, "train", "bmuf", 2, bmufArgs);
    QVERIFY2(allSucceeded(bmuf), describe(bmuf).c_str());
    for (int r = 0; r < 2; ++r)
      expectSameSteps(outputOf(bmuf, "weights", r), outputOf(sync, "weights", 0), 1e-5,
                      QString("rank %1").arg(r));
    // Every step is a boundary: the bytes of sync (one allreduce of |w| and the stop flag).
    const torch::Tensor bs = outputOf(bmuf, "stats", 0), ss = outputOf(sync, "stats", 0);
    for (int s = 0; s < 6; ++s) {
      const double b = bs[s][0].item<double>(), expected = ss[s][0].item<double>();
      QVERIFY2(std::abs(b - expected) <= 0.05 * expected,
               qPrintable(QString("step %1: %2 vs %3").arg(s).arg(b).arg(expected)));
    }
  }

  void testOneRankEqualsLocalTraining() {
    QTemporaryDir dir;
    // Adam: its moments must carry across blocks as in one process. 7 steps:
    // two blocks of 3 and a partial one.
    const std::vector<std::string> common{"steps=7",        "optimizer=adam", "lr=0.01",
                                          "max_frames=60",  "algorithm=bmuf", "bmuf_block_steps=3",
                                          "bmuf_block_lr=1"};
    const auto one = runJob(dir, "train", "one", 1, common);  // eta = 1 - 1/1 = 0
    QVERIFY2(allSucceeded(one), describe(one).c_str());
    const auto local = runJob(dir, "train", "local", 0, common);
    QVERIFY2(allSucceeded(local), describe(local).c_str());
    expectSameSteps(outputOf(one, "weights", 0), outputOf(local, "weights", 0), 1e-6, "N = 1");
  }

  void testBoundaryBytesRanksAgreeAndLocalStepsAreSilent() {
    QTemporaryDir dir;
    const int ranks = 2, tau = 4, steps = 8;
    const auto job = runJob(
        dir, "train", "bytes", ranks,
        {"steps=8", "max_frames=60", "algorithm=bmuf", "bmuf_block_steps=4", "bmuf_nesterov=1"});
    QVERIFY2(allSucceeded(job), describe(job).c_str());
    const auto sync = runJob(dir, "train", "sync", ranks, {"steps=2", "max_frames=60"});
    QVERIFY2(allSucceeded(sync), describe(sync).c_str());
    const torch::Tensor w0 = outputOf(job, "weights", 0);
    const std::int64_t params = w0.size(1);
    const double block = ringBytes(ranks, params);
    for (int r = 0; r < ranks; ++r) {
      const torch::Tensor st = outputOf(job, "stats", r);
      QCOMPARE(st.size(0), steps);
      double total = 0;
      for (int s = 0; s < steps; ++s) {
        const double sent = st[s][0].item<double>(), received = st[s][1].item<double>();
        total += sent;
        const QString where = QString("rank %1 step %2: %3 bytes").arg(r).arg(s + 1).arg(sent);
        if (r == 0)
          qInfo("rank 0 step %d: %.0f bytes sent (block formula %.0f)", s + 1, sent, block);
        if (s % tau == tau - 1) {  // the boundary: one allreduce of the model
          QVERIFY2(std::abs(sent - block) <= 0.05 * block,
                   qPrintable(where + QString(", formula %1").arg(block)));
          QVERIFY(std::abs(received - block) <= 0.05 * block);
        } else if (s % tau == 0) {  // the stop flag before the block's first step
          QVERIFY2(sent > 0 && sent < 0.01 * block, qPrintable(where));
        } else {
          QVERIFY2(sent == 0 && st[s][2].item<double>() == 0, qPrintable(where));
        }
      }
      // Per step on average: 1/tau_b of sync's (measured: sync's first step).
      const double syncPerStep = outputOf(sync, "stats", r)[0][0].item<double>();
      if (r == 0)
        qInfo("|w| = %lld; %.0f bytes per step on average, sync %.0f",
              static_cast<long long>(params), total / steps, syncPerStep);
      QVERIFY2(std::abs(total / steps - syncPerStep / tau) <= 0.05 * syncPerStep / tau,
               qPrintable(QString("rank %1: %2 bytes per step, sync %3")
                              .arg(r)
                              .arg(total / steps)
                              .arg(syncPerStep)));
      // Right after each boundary every rank holds the same weights; inside
      // a block each its own.
      const torch::Tensor w = outputOf(job, "weights", r);
      for (int s = 1; s <= steps; ++s) {
        if (s % tau == 0)
          QVERIFY2(torch::equal(w[s], w0[s]), qPrintable(QString("rank %1 step %2").arg(r).arg(s)));
        else if (r > 0)
          QVERIFY2(!torch::equal(w[s], w0[s]),
                   qPrintable(QString("rank %1 step %2").arg(r).arg(s)));
      }
    }
  }

  void testResumeAtABoundaryContinuesTheBlocksExactly() {
    QTemporaryDir dir;
    // Nesterov with eta = 0.5: the resumed run must start from W_g + eta Delta,
    // although the checkpoint (written after finish()) holds W_g.
    const auto job =
        runJob(dir, "bmuf_resume", "resume", 2,
               {"steps=9", "stop_at=6", "bmuf_block_steps=3", "optimizer=sgd", "lr=0.3"});
    QVERIFY2(allSucceeded(job), describe(job).c_str());
    for (int r = 0; r < 2; ++r) {
      const torch::Tensor straight = outputOf(job, "straight", r),
                          resumed = outputOf(job, "resumed", r);
      QCOMPARE(straight.size(0), 11);
      QCOMPARE(resumed.size(0), 11);
      for (int s = 0; s < 11; ++s)
        QVERIFY2(maxRelative(resumed[s], straight[s]) <= 1e-6,
                 qPrintable(QString("rank %1 step %2").arg(r).arg(s)));
    }
  }

  void testResumeMidBlockRestartsTheBlock() {
    QTemporaryDir dir;
    // Checkpoint at step 4, one step into block 2 (tau_b = 3): the resumed run
    // starts block 2 over with 3 full steps, boundaries at 7 and 10.
    const auto job = runJob(
        dir, "bmuf_resume", "mid", 2,
        {"steps=10", "stop_at=4", "mid_block=1", "bmuf_block_steps=3", "optimizer=sgd", "lr=0.3"});
    QVERIFY2(allSucceeded(job), describe(job).c_str());
    const torch::Tensor r0 = outputOf(job, "resumed", 0), r1 = outputOf(job, "resumed", 1);
    const torch::Tensor s0 = outputOf(job, "straight", 0);
    QCOMPARE(r0.size(0), 12);
    for (int s : {3, 7, 10})
      QVERIFY2(torch::equal(r0[s], r1[s]), qPrintable(QString("step %1").arg(s)));
    for (int s : {4, 5, 6, 8, 9})
      QVERIFY2(!torch::equal(r0[s], r1[s]), qPrintable(QString("step %1").arg(s)));
    // Up to the checkpoint's block start both runs agree; then they part.
    for (int s = 0; s <= 3; ++s) QVERIFY(torch::equal(r0[s], s0[s]));
    QVERIFY(!torch::equal(r0[6], s0[6]));
  }
};

QTEST_GUILESS_MAIN(TestDistBmuf)
#include "test_dist_bmuf.moc"
