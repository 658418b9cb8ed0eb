// GTC (gradient threshold compression) over a real Gloo process group (2-3
// ranks on loopback): the word packing, the threshold rule, tau = 0 equals
// sync, conservation of gradient mass per rank, bit-identical weights, the
// bytes formula, threshold adaptation and checkpoints (docs/distributed.md
// "GTC").
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>
#include <limits>

#include "core/dist/gtc.h"
#include "support/expect_error.h"
#include "tests/core/dist/rank_scenarios.h"
#include "tests/core/dist/spawn_ranks.h"

using namespace understudy;
using namespace understudy::disttest;

namespace {

std::vector<torch::Tensor> outputOf(const JobOutcome& job, const std::string& name, int rank) {
  return rankOutput(job, name, rank);
}


JobOutcome runJob(const QTemporaryDir& dir, const char* name, const std::string& scenario,
                  int ranks, std::vector<std::string> args, double deadline = 120) {
  return runInFolder(dir.path().toStdString(), name, scenario, ranks, args, deadline);
}


// The stats columns of the synthetic scenario (scenarios_gtc.cpp).
enum Column { kSent = 0, kReceived, kSeconds, kFraction, kThreshold, kLongest, kDense };

// Bytes Gloo's TCP transport writes per message besides the payload
// (measured: LibTorch 1.13's Gloo on loopback, docs/distributed.md "GTC").
constexpr double kHeader = 288.0;

}  // namespace

class TestDistGtc : public QObject {
  Q_OBJECT

 private slots:
  void testPackingRoundTripsIndicesAndSigns() {
    const std::int64_t last = dist::kGtcMaxElements - 1;  // 2^31 - 1
    const auto indices = torch::tensor(
        {std::int64_t{0}, std::int64_t{1}, std::int64_t{5}, last, std::int64_t{0}, last},
        torch::kInt64);
    const auto negative = torch::tensor({true, false, true, true, false, false});
    const torch::Tensor words = dist::packSparseSigns(indices, negative);
    QCOMPARE(words.scalar_type(), torch::kInt32);
    // Bit 31 is the sign, bits 0-30 the index.
    QCOMPARE(words[0].item<std::int32_t>(), std::numeric_limits<std::int32_t>::min());
    QCOMPARE(words[1].item<std::int32_t>(), 1);
    QCOMPARE(words[4].item<std::int32_t>(), 0);
    QCOMPARE(words[5].item<std::int32_t>(), std::numeric_limits<std::int32_t>::max());
    QCOMPARE(words[3].item<std::int32_t>(), -1);
    const dist::SparseSigns back = dist::unpackSparseSigns(words);
    QVERIFY(torch::equal(back.indices, indices));
    QVERIFY(torch::equal(back.signs, torch::tensor({-1.f, 1.f, -1.f, -1.f, 1.f, 1.f})));

    // Many at once, any index of a 31-bit model.
    torch::manual_seed(3);
    const auto many = torch::randint(0, dist::kGtcMaxElements, {10000}, torch::kInt64);
    const auto signs = torch::rand({10000}) < 0.5;
    const dist::SparseSigns again =
        dist::unpackSparseSigns(dist::packSparseSigns(many, signs), torch::kFloat64);
    QVERIFY(torch::equal(again.indices, many));
    QVERIFY(torch::equal(again.signs.lt(0), signs));
    QCOMPARE(dist::unpackSparseSigns(dist::packSparseSigns(torch::zeros({0}, torch::kInt64),
                                                           torch::zeros({0}, torch::kBool)))
                 .indices.numel(),
             std::int64_t{0});

    // Past 31 bits: refused, naming the limit.
    test::expectError(
        [&] {
          (void)dist::packSparseSigns(torch::tensor({dist::kGtcMaxElements}),
                                      torch::tensor({false}));
        },
        {"2147483648", "31 bits"});
    test::expectError(
        [&] {
          (void)dist::packSparseSigns(torch::tensor({std::int64_t{-1}}), torch::tensor({false}));
        },
        {"-1"});
    dist::checkGtcElementCount(dist::kGtcMaxElements);
    test::expectError([&] { dist::checkGtcElementCount(dist::kGtcMaxElements + 1); },
                      {"2147483649 elements", "31 bits", "sync or bmuf"});
  }

  void testThresholdRuleMovesTauFastThenFollowsTheAverage() {
    const double target = 0.01;
    dist::GtcThresholdControl c;
    c.tau = 1.0;
    // Far from the target: tau x sqrt(fraction / target), within [1/2, 2].
    c.update(0.0225, target);
    QCOMPARE(c.tau, 1.5);
    QVERIFY(!c.settled);
    c.update(0.5, target);
    QCOMPARE(c.tau, 3.0);
    c.update(0.0, target);  // crossed the target (nothing sent): settled, and slow from now on
    QVERIFY(c.settled);
    QCOMPARE(c.tau, 3.0 / 1.05);
    // Settled: the average (weight 0.1) moves tau, at most 5 % per step.
    dist::GtcThresholdControl d;
    d.tau = 1.0;
    d.update(0.015, target);  // within a factor 2: settled at once
    QVERIFY(d.settled);
    QCOMPARE(d.averageFraction, 0.015);
    QCOMPARE(d.tau, 1.05);
    d.update(0.001, target);  // a drought after the rise: the average is still above the target
    QCOMPARE(d.averageFraction, 0.9 * 0.015 + 0.1 * 0.001);
    QCOMPARE(d.tau, 1.05 * 1.05);
    for (int i = 0; i < 20; ++i) d.update(0.0101, target);
    const double average = d.averageFraction, before = d.tau;
    d.update(0.0101, target);
    QCOMPARE(d.tau, before * std::sqrt((0.9 * average + 0.1 * 0.0101) / target));  // inside the 5 %
    // Never below the smallest normal float.
    dist::GtcThresholdControl e;
    e.tau = std::numeric_limits<float>::min();
    e.update(0.0, target);
    QCOMPARE(e.tau, static_cast<double>(std::numeric_limits<float>::min()));
  }

  void testThresholdZeroEqualsSync() {
    QTemporaryDir dir;
    const std::vector<std::string> common{"steps=6",       "utterances=24", "max_frames=60",
                                          "optimizer=sgd", "lr=0.5",        "momentum=0.9"};
    auto gtcArgs = common, syncArgs = common;
    gtcArgs.insert(gtcArgs.end(), {"algorithm=gtc", "gtc_threshold=0", "gtc_target_fraction=0.01"});
    syncArgs.push_back("algorithm=sync");
    const auto gtc = runJob(dir, "gtc0", "train", 2, gtcArgs);
    QVERIFY2(allSucceeded(gtc), describe(gtc).c_str());
    const auto sync = runJob(dir, "sync", "train", 2, syncArgs);
    QVERIFY2(allSucceeded(sync), describe(sync).c_str());
    const torch::Tensor w = outputOf(gtc, "weights", 0).at(0),
                        expected = outputOf(sync, "weights", 0).at(0);
    QCOMPARE(w.size(0), 7);
    QVERIFY((w[6] - w[0]).abs().max().item<double>() > 1e-3);
    for (int s = 0; s <= 6; ++s)
      QVERIFY2(torch::equal(w[s], expected[s]), qPrintable(QString("step %1").arg(s)));
    const torch::Tensor st = outputOf(gtc, "stats", 0).at(0),
                        syncStats = outputOf(sync, "stats", 0).at(0);
    for (int s = 0; s < 6; ++s) {
      QCOMPARE(st[s][3].item<double>(), 1.0);  // everything sent
      QCOMPARE(st[s][4].item<double>(), 0.0);  // tau stays 0 whatever the target fraction
      QCOMPARE(st[s][0].item<double>(),
               syncStats[s][0].item<double>());  // the same collectives: the same bytes
    }
  }

  void testEveryRankSendsExactlyWhatItsResidualLost() {
    QTemporaryDir dir;
    const int ranks = 3;
    const double tau = 0.05;
    const auto job = runJob(dir, "conservation", "gtc_synthetic", ranks,
                            {"elements=20000", "steps=12", "tau=0.05"});
    QVERIFY2(allSucceeded(job), describe(job).c_str());
    torch::Tensor sentByAll = torch::zeros({20000}, torch::kFloat64);
    const torch::Tensor applied = outputOf(job, "synthetic", 0).at(2);
    for (int r = 0; r < ranks; ++r) {
      const auto out = outputOf(job, "synthetic", r);
      const torch::Tensor &G = out.at(0), &S = out.at(1), &A = out.at(2),
                          R = out.at(3).to(torch::kFloat64), &stats = out.at(4);
      // Sum of what it sent + what it still holds = sum of its gradients.
      const double worst = (S + R - G).abs().max().item<double>();
      QVERIFY2(worst <= 1e-4 * tau,
               qPrintable(QString("rank %1: |S + R - G| up to %2").arg(r).arg(worst)));
      // Not trivially: every step sent some but not all, and the residual holds the rest.
      for (int s = 0; s < 12; ++s) {
        QCOMPARE(stats[s][kDense].item<double>(), 0.0);
        const double f = stats[s][kFraction].item<double>();
        QVERIFY2(f > 0.001 && f < 0.5, qPrintable(QString("step %1: fraction %2").arg(s).arg(f)));
      }
      QVERIFY(R.abs().max().item<double>() > 0.5 * tau);
      // Every rank handed its optimizer the same average, bit for bit.
      QVERIFY(torch::equal(A, applied));
      sentByAll += S;
    }
    // ... and that average is what all ranks sent, over N.
    const double gap = (applied * ranks - sentByAll).abs().max().item<double>();
    QVERIFY2(gap <= 1e-5 * tau, qPrintable(QString("N x applied - sum of sent: %1").arg(gap)));
  }

  void testEveryRanksWeightsAreBitIdenticalAfterEveryStep() {
    QTemporaryDir dir;
    const int ranks = 3;
    const auto job =
        runJob(dir, "identical", "train", ranks,
               {"algorithm=gtc", "gtc_threshold=0.001", "gtc_target_fraction=0.01", "steps=8",
                "utterances=36", "max_frames=60", "optimizer=adam", "lr=0.01"});
    QVERIFY2(allSucceeded(job), describe(job).c_str());
    const torch::Tensor w = outputOf(job, "weights", 0).at(0);
    QCOMPARE(w.size(0), 9);
    for (int r = 1; r < ranks; ++r)
      for (int s = 0; s <= 8; ++s)
        QVERIFY2(torch::equal(outputOf(job, "weights", r).at(0)[s], w[s]),
                 qPrintable(QString("rank %1 step %2").arg(r).arg(s)));
    // Sparse steps, and the weights moved.
    const torch::Tensor st = outputOf(job, "stats", 0).at(0);
    QVERIFY(st.select(1, 3).max().item<double>() < 0.2);
    QVERIFY((w[8] - w[0]).abs().max().item<double>() > 1e-3);
  }

  void testBytesSentPerStepMatchTheFormula() {
    QTemporaryDir dir;
    const int ranks = 3;
    const std::int64_t elements = 40000;
    // Step 5's gradients select every element: more than a dense exchange costs.
    const auto job = runJob(dir, "bytes", "gtc_synthetic", ranks,
                            {"elements=40000", "steps=8", "tau=0.05", "dense_at_step=5"});
    QVERIFY2(allSucceeded(job), describe(job).c_str());
    for (int r = 0; r < ranks; ++r) {
      const torch::Tensor st = outputOf(job, "synthetic", r).at(4);
      for (int s = 0; s < 8; ++s) {
        const bool dense = st[s][kDense].item<double>() > 0;
        QCOMPARE(dense, s == 4);
        const double longest = st[s][kLongest].item<double>();
        // docs/distributed.md "GTC": the counts (8 bytes per rank), then the
        // words padded to the longest list, or the dense ring allreduce; and
        // Gloo's framing, kHeader bytes per message: N-1 per allgather,
        // 2 (N-1) per ring allreduce.
        const double messages = (ranks - 1) * (dense ? 3.0 : 2.0);
        const double formula =
            8.0 * (ranks - 1) + messages * kHeader +
            (dense ? 2.0 * (ranks - 1) / ranks * 4.0 * elements : 4.0 * (ranks - 1) * longest);
        const double payload = formula - messages * kHeader;
        const double sent = st[s][kSent].item<double>(), received = st[s][kReceived].item<double>();
        if (r == 0)
          qInfo("rank %d step %d: longest %.0f, fraction %.4f, sent %.0f bytes, formula %.0f", r,
                s + 1, longest, st[s][kFraction].item<double>(), sent, formula);
        QVERIFY2(std::abs(sent - formula) <= 0.05 * formula,
                 qPrintable(QString("rank %1 step %2: sent %3 bytes, formula %4")
                                .arg(r)
                                .arg(s + 1)
                                .arg(sent)
                                .arg(formula)));
        // Received: the collectives' arithmetic, payload only.
        QVERIFY(std::abs(received - payload) <= 1e-9 * payload);
        if (!dense) QVERIFY(longest > 1000);  // thousands of words, as in the docs' measurement
      }
    }
  }

  void testThresholdAdaptsTowardTheTargetFraction() {
    QTemporaryDir dir;
    const double target = 0.01;
    // Real training, tau 10^4 x too small at the start: nearly everything
    // would be sent. Over steps 21-40 the fraction sent averages the target.
    const auto job =
        runJob(dir, "adapt", "train", 2,
               {"algorithm=gtc", "gtc_threshold=0.000001", "gtc_target_fraction=0.01", "steps=40",
                "utterances=24", "max_frames=60", "optimizer=adam", "lr=0.01"});
    QVERIFY2(allSucceeded(job), describe(job).c_str());
    const torch::Tensor st = outputOf(job, "stats", 0).at(0);
    QCOMPARE(st.size(0), 40);
    QVERIFY(torch::equal(st.select(1, 4),
                         outputOf(job, "stats", 1).at(0).select(1, 4)));  // one tau on all ranks
    QVERIFY(st[0][3].item<double>() > 50 * target);
    const double mean = st.select(1, 3).narrow(0, 20, 20).mean().item<double>();
    int inside = 0;
    for (int s = 20; s < 40; ++s)
      inside += std::abs(std::log(st[s][3].item<double>() / target)) <= std::log(2.0);
    qInfo(
        "steps 21-40: mean fraction %.4f, %d of 20 steps within a factor 2; tau %.3g at step 1, "
        "%.3g at step 40",
        mean, inside, st[0][4].item<double>(), st[39][4].item<double>());
    QVERIFY2(mean >= target / 1.5 && mean <= target * 1.5,
             qPrintable(QString("mean fraction %1").arg(mean)));
    QVERIFY2(inside >= 14, qPrintable(QString("%1 of 20 steps within a factor 2").arg(inside)));

    // Stationary gradients, tau 6x too small: every step of 41-60 within 20 %.
    const auto steady = runJob(dir, "steady", "gtc_synthetic", 2,
                               {"elements=20000", "steps=60", "tau=0.01", "target_fraction=0.02"});
    QVERIFY2(allSucceeded(steady), describe(steady).c_str());
    const torch::Tensor ss = outputOf(steady, "synthetic", 0).at(4);
    for (int s = 40; s < 60; ++s) {
      const double f = ss[s][kFraction].item<double>();
      QVERIFY2(std::abs(f / 0.02 - 1) <= 0.2,
               qPrintable(QString("step %1: fraction %2").arg(s + 1).arg(f)));
    }
  }

  void testResumeRestoresEveryRanksResidual() {
    QTemporaryDir dir;
    const std::string checkpoints = dir.filePath("checkpoints").toStdString();
    // tau settles at step 3: the threshold rule's state matters after the resume.
    const std::vector<std::string> common{"gtc_threshold=0.05",
                                          "gtc_target_fraction=0.02",
                                          "utterances=24",
                                          "max_frames=60",
                                          "optimizer=adam",
                                          "lr=0.01",
                                          "steps=8"};
    auto straightArgs = common, firstArgs = common, secondArgs = common;
    straightArgs.push_back("algorithm=gtc");
    firstArgs.insert(firstArgs.end(), {"checkpoints=" + checkpoints, "stop_at=4"});
    secondArgs.push_back("checkpoints=" + checkpoints);
    const auto straight = runJob(dir, "straight", "train", 2, straightArgs);
    QVERIFY2(allSucceeded(straight), describe(straight).c_str());
    const auto first = runJob(dir, "first", "gtc_resume", 2, firstArgs);
    QVERIFY2(allSucceeded(first), describe(first).c_str());
    const auto second = runJob(dir, "second", "gtc_resume", 2, secondArgs);
    QVERIFY2(allSucceeded(second), describe(second).c_str());
    for (int r = 0; r < 2; ++r) {
      // Each rank resumed with its own residual (not zero, not another rank's) ...
      const torch::Tensor saved = outputOf(first, "residual", r).at(0),
                          loaded = outputOf(second, "residual", r).at(0);
      QVERIFY(saved.abs().max().item<double>() > 0);
      QVERIFY2(torch::equal(loaded, saved), qPrintable(QString("rank %1").arg(r)));
      // ... and the threshold rule where it was (settled, with its average).
      const torch::Tensor control = outputOf(first, "residual", r).at(1);
      QCOMPARE(control[2].item<double>(), 1.0);
      QVERIFY(torch::equal(outputOf(second, "residual", r).at(1), control));
      // ... and the resumed run repeats the straight one bit for bit.
      const torch::Tensor w = outputOf(straight, "weights", r).at(0),
                          resumed = outputOf(second, "weights", r).at(0);
      QCOMPARE(resumed.size(0), 5);
      for (int s = 0; s <= 4; ++s)
        QVERIFY2(torch::equal(resumed[s], w[4 + s]),
                 qPrintable(QString("rank %1 step %2").arg(r).arg(4 + s)));
    }
    QVERIFY(
        !torch::equal(outputOf(first, "residual", 0).at(0), outputOf(first, "residual", 1).at(0)));

    // Another world size: the residuals cannot be shared out; they start at zero, with a warning.
    const auto three = runJob(dir, "three", "gtc_resume", 3, secondArgs);
    QVERIFY2(allSucceeded(three), describe(three).c_str());
    QVERIFY2(
        three.ranks[0].log.find("GTC residuals of 2 ranks, this job has 3") != std::string::npos,
        three.ranks[0].log.c_str());
    for (int r = 0; r < 3; ++r)
      QCOMPARE(outputOf(three, "residual", r).at(0).abs().max().item<double>(), 0.0);
  }
};

QTEST_GUILESS_MAIN(TestDistGtc)
#include "test_dist_gtc.moc"
