// core/pipeline: the scaling simulator's formulas (scaling_model.h,
// docs/scaling.md "The models") on cases computed by hand in the comments, and
// readScalingInputs on runs written here through core/store: what it measures
// from the metrics, what it takes from the config, and its errors.
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>
#include <string>
#include <vector>

#include "core/pipeline/scaling_model.h"
#include "core/store/model_registry.h"
#include "core/store/run_store.h"
#include "core/store/workspace.h"
#include "support/expect_error.h"

using namespace understudy;
using namespace understudy::pipeline;
using understudy::test::expectError;

namespace {

// |w| = 1,000,000 (S = 4 |w| = 4,000,000 bytes), T_c = 100 ms, F = 1,000
// frames, f = 1 %, tau_b = 50; B = 1e9 bytes/s, alpha = 10 us.
ScalingInputs inputs() {
  ScalingInputs in;
  in.numParams = 1000000;
  in.computeSeconds = 0.1;
  in.framesPerStep = 1000;
  in.gtcFraction = 0.01;
  in.blockSteps = 50;
  return in;
}

NetworkModel network() { return {1e9, 10e-6}; }

void near(double actual, double expected, double relative, const char* what) {
  const double tolerance = std::max(std::fabs(expected) * relative, 1e-15);
  QVERIFY2(std::fabs(actual - expected) <= tolerance,
           qPrintable(QString("%1: %2, expected %3").arg(what).arg(actual, 0, 'g', 12).arg(expected, 0, 'g', 12)));
}

const char* kConfig =
    "# distributed: 2 ranks, algorithm gtc, backend gloo\n"
    "name: m\nrole: student\nbatching:\n  max_frames: 3000\n"
    "distribution:\n  algorithm: gtc\n  gtc:\n    target_fraction: 0.02\n  bmuf:\n    block_steps: 25\n";

// A model row of `params` elements made by `runId`.
void addModel(Workspace& ws, const std::string& name, std::int64_t runId, std::int64_t params) {
  ModelRow m;
  m.name = name;
  m.role = "student";
  m.runId = runId;
  m.numParams = params;
  registerModel(ws.db(), m);
}

}  // namespace

class TestScalingModel : public QObject {
  Q_OBJECT

 private slots:
  void oneWorkerHasNoCommunicationAndEfficiencyOne() {
    for (const char* algorithm : {"sync", "gtc", "bmuf"}) {
      const ScalingPoint p = projectPoint(inputs(), algorithm, 1, network());
      QCOMPARE(p.commSeconds, 0.0);
      QCOMPARE(p.bytesSent, 0.0);
      QCOMPARE(p.efficiency, 1.0);
      QCOMPARE(p.stepSeconds, 0.1);
      near(p.framesPerSecond, 10000.0, 1e-12, "frames/s at N = 1");  // 1,000 frames / 0.1 s
    }
  }

  void syncAtTwoAndFourWorkers() {
    // N = 2: gradients 2 (1)/2 x 4e6 = 4e6 bytes -> 4 ms, + 2 (1) x 10 us = 20 us;
    // stop flag 2 (1)/2 x 4 = 4 bytes -> 4 ns, + 20 us. comm = 4.040004 ms,
    // bytes 4,000,004; step 104.040004 ms; efficiency 0.1 / 0.104040004 =
    // 0.96116874; frames/s 2 x 1000 / 0.104040004 = 19223.3749.
    const ScalingPoint two = projectPoint(inputs(), "sync", 2, network());
    near(two.bytesSent, 4000004.0, 1e-12, "sync bytes N=2");
    near(two.commSeconds, 0.004040004, 1e-9, "sync comm N=2");
    near(two.stepSeconds, 0.104040004, 1e-9, "sync step N=2");
    near(two.efficiency, 0.96116874428, 1e-9, "sync efficiency N=2");
    near(two.framesPerSecond, 19223.3748857, 1e-9, "sync frames/s N=2");
    near(two.batchesPerSecond, 2 / 0.104040004, 1e-9, "sync batches/s N=2");
    // N = 4: 2 (3)/4 x 4e6 = 6e6 bytes -> 6 ms, + 6 x 10 us; flag 6 bytes, + 60 us.
    // comm = 6.120006 ms, efficiency 0.1 / 0.106120006 = 0.94232939.
    const ScalingPoint four = projectPoint(inputs(), "sync", 4, network());
    near(four.bytesSent, 6000006.0, 1e-12, "sync bytes N=4");
    near(four.commSeconds, 0.006120006, 1e-9, "sync comm N=4");
    near(four.efficiency, 0.94232938509, 1e-9, "sync efficiency N=4");
  }

  void bmufCommunicatesOneBlockthOfSync() {
    // tau_b = 50: N = 4 moves 6,000,006 / 50 = 120,000.12 bytes and spends
    // 6.120006 / 50 = 0.12240012 ms per step on average; efficiency 0.99877750.
    const ScalingPoint p = projectPoint(inputs(), "bmuf", 4, network());
    near(p.bytesSent, 120000.12, 1e-12, "bmuf bytes N=4");
    near(p.commSeconds, 0.00012240012, 1e-9, "bmuf comm N=4");
    near(p.efficiency, 0.99877749515, 1e-9, "bmuf efficiency N=4");
    for (int n : {2, 8, 64, 512}) {
      const ScalingPoint sync = projectPoint(inputs(), "sync", n, network());
      const ScalingPoint bmuf = projectPoint(inputs(), "bmuf", n, network());
      near(bmuf.bytesSent * 50, sync.bytesSent, 1e-12, "bmuf bytes x 50 = sync");
      near(bmuf.commSeconds * 50, sync.commSeconds, 1e-12, "bmuf comm x 50 = sync");
    }
  }

  void gtcBytesGrowWithWorkersAtFixedFraction() {
    // L = 1 % of 1e6 = 10,000 words. N = 2: 1 x (8 + 40,000) + flag 4 = 40,012
    // bytes; comm = (8 B + 10 us) + (40,000 B + 10 us) + (4 B + 20 us)
    // = 8 ns + 40 us + 4 ns + 40 us = 80.012 us.
    const ScalingPoint two = projectPoint(inputs(), "gtc", 2, network());
    near(two.bytesSent, 40012.0, 1e-12, "gtc bytes N=2");
    near(two.commSeconds, 80.012e-6, 1e-9, "gtc comm N=2");
    // N = 4: 3 x 40,008 + 6 = 120,030 bytes; comm 3 x (8 + 40,000) B / 1e9 +
    // 3 x 10 us x 2 + (6 B + 60 us) = 120.024 us + 60 us + 60.006 us = 240.03 us.
    const ScalingPoint four = projectPoint(inputs(), "gtc", 4, network());
    near(four.bytesSent, 120030.0, 1e-12, "gtc bytes N=4");
    near(four.commSeconds, 240.03e-6, 1e-9, "gtc comm N=4");
    // Every rank receives every other rank's list: (N - 1) lists per rank.
    double previous = 0.0;
    for (int n : powersOfTwo(512)) {
      const ScalingPoint p = projectPoint(inputs(), "gtc", n, network());
      if (n > 1) {
        QVERIFY2(p.bytesSent > previous, qPrintable(QString("gtc bytes do not grow at N = %1").arg(n)));
        near(p.bytesSent - ringAllreduceBytes(kStopFlagBytes, n), (n - 1) * 40008.0, 1e-12, "gtc (N-1) lists");
      }
      previous = p.bytesSent;
    }
  }

  void syncEfficiencyFallsWithWorkers() {
    const std::vector<ScalingPoint> points = projectScaling(inputs(), network(), powersOfTwo(512));
    QCOMPARE(points.size(), std::size_t(30));  // 3 algorithms x 1, 2, ..., 512
    double previous = 2.0;
    for (const ScalingPoint& p : points) {
      if (p.algorithm != "sync") continue;
      QVERIFY2(p.efficiency < previous, qPrintable(QString("sync efficiency at N = %1").arg(p.workers)));
      previous = p.efficiency;
    }
    // sync at 512: 2 (511)/512 x 4e6 = 7,984,375 bytes -> 7.984375 ms; latency
    // 4 x 511 x 10 us = 20.44 ms; flag 7.98 ns: comm 28.424383 ms, efficiency
    // 0.1 / 0.128424383 = 0.7786. At 256: 7.96875 + 10.2 ms -> 0.84621. So 80 %
    // holds up to 256.
    QCOMPARE(lastWorkersAtOrAbove(points, "sync", 0.8), 256);
    QCOMPARE(lastWorkersAtOrAbove(points, "bmuf", 0.8), 512);
    QCOMPARE(lastWorkersAtOrAbove(points, "sync", 0.999), 1);
    QCOMPARE(powersOfTwo(512).back(), 512);
    QCOMPARE(powersOfTwo(100).back(), 64);
  }

  void inputsFromADistributedRun() {
    QTemporaryDir dir;
    Workspace ws = Workspace::create(dir.filePath("ws").toStdString());
    RunStore runs(ws.db());
    const std::int64_t id = runs.startRun({"train", "m", "", kConfig, "", std::nullopt});
    // Steps 1 and 2: compute 0.1 and 0.3 s (mean 0.2); comm 0.02 and 0.04 s;
    // frames/s 10,000 and 5,000 -> frames 10,000 x 0.12 = 1,200 and 5,000 x
    // 0.34 = 1,700, mean 1,450; fraction 0.01 and 0.03 (mean 0.02); bytes 100, 300.
    runs.addMetrics(id, {{1, "dist/compute_seconds", 0.1, 0},   {2, "dist/compute_seconds", 0.3, 0},
                         {1, "dist/comm_seconds", 0.02, 0},     {2, "dist/comm_seconds", 0.04, 0},
                         {1, "train/frames_per_second", 1e4, 0}, {2, "train/frames_per_second", 5e3, 0},
                         {1, "dist/fraction_sent", 0.01, 0},    {2, "dist/fraction_sent", 0.03, 0},
                         {1, "dist/bytes_sent", 100, 0},        {2, "dist/bytes_sent", 300, 0}});
    runs.finishRun(id, RunStatus::Finished);
    addModel(ws, "m", id, 1234);
    const ScalingInputs in = readScalingInputs(ws, "m");
    QCOMPARE(in.runId, id);
    QCOMPARE(in.runWorkers, 2);
    QCOMPARE(in.runAlgorithm, std::string("gtc"));
    QCOMPARE(in.numParams, std::int64_t(1234));
    QCOMPARE(in.blockSteps, 25);
    QCOMPARE(in.stepsRecorded, std::int64_t(2));
    near(in.computeSeconds, 0.2, 1e-12, "T_c");
    near(in.framesPerStep, 1450.0, 1e-12, "F");
    near(in.gtcFraction, 0.02, 1e-12, "f measured");
    near(in.measuredBytesSent, 200.0, 1e-12, "bytes measured");
    // By id too.
    QCOMPARE(readScalingInputs(ws, std::to_string(id)).runName, std::string("m"));
  }

  void inputsFromAOneProcessRun() {
    QTemporaryDir dir;
    Workspace ws = Workspace::create(dir.filePath("ws").toStdString());
    RunStore runs(ws.db());
    // No dist/ metrics: F = max_frames 3,000 (assumed); T_c = mean(3000 / 30,000,
    // 3000 / 10,000) = mean(0.1, 0.3) = 0.2 s; f = target_fraction 0.02.
    const std::string config = std::string(kConfig).substr(std::string(kConfig).find('\n') + 1);
    const std::int64_t id = runs.startRun({"train", "one", "", config, "", std::nullopt});
    runs.addMetrics(id, {{1, "train/frames_per_second", 3e4, 0}, {2, "train/frames_per_second", 1e4, 0}});
    runs.finishRun(id, RunStatus::Finished);
    addModel(ws, "one", id, 99);
    const ScalingInputs in = readScalingInputs(ws, "one");
    QCOMPARE(in.runWorkers, 1);
    QVERIFY(in.runAlgorithm.empty());
    near(in.framesPerStep, 3000.0, 1e-12, "F assumed");
    near(in.computeSeconds, 0.2, 1e-12, "T_c from frames/s");
    near(in.gtcFraction, 0.02, 1e-12, "f from the config");
    QCOMPARE(in.measuredBytesSent, -1.0);
    bool saysAssumed = false;
    for (const auto& line : in.provenance) saysAssumed |= line.rfind("assumed: F", 0) == 0;
    QVERIFY(saysAssumed);
  }

  void errorsNameTheRunAndHint() {
    QTemporaryDir dir;
    Workspace ws = Workspace::create(dir.filePath("ws").toStdString());
    RunStore runs(ws.db());
    const std::int64_t train = runs.startRun({"train", "trained", "", kConfig, "", std::nullopt});
    runs.addMetrics(train, {{1, "train/frames_per_second", 3e4, 0}});
    runs.finishRun(train, RunStatus::Finished);
    addModel(ws, "trained", train, 10);
    runs.finishRun(runs.startRun({"label", "trained@set", "", "", "", std::nullopt}), RunStatus::Finished);
    runs.finishRun(runs.startRun({"train", "empty", "", kConfig, "", std::nullopt}), RunStatus::Cancelled);
    const std::int64_t noModel = runs.startRun({"train", "unfinished", "", kConfig, "", std::nullopt});
    runs.addMetrics(noModel, {{1, "train/frames_per_second", 3e4, 0}});

    expectError([&] { readScalingInputs(ws, "nosuch"); },
                {"no run named 'nosuch'", "workspace.db", "understudy-cli runs -w", "train runs here: ", "trained"});
    expectError([&] { readScalingInputs(ws, "trained@set"); },
                {"'trained@set'", "is a label run, not a train run", "hint: name a `train` run", "trained"});
    expectError([&] { readScalingInputs(ws, "empty"); },
                {"run 'empty'", "has no training steps recorded", "status: cancelled", "--resume"});
    expectError([&] { readScalingInputs(ws, "unfinished"); },
                {"run 'unfinished'", "no model with its parameter count", "--resume"});
  }
};

QTEST_GUILESS_MAIN(TestScalingModel)
#include "test_scaling_model.moc"
