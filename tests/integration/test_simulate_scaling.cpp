// `understudy-cli simulate-scaling` on a real run: a tiny workspace the CLI
// builds (corpus synth --scale 0.2 -> features -> targets), a 6-step GTC run
// of `train --workers 2` (teacher-tiny, one thread per rank), then the
// projection: one row per algorithm and worker count, N = 1 at 100 %, sync's
// efficiency falling with N, GTC's fraction taken from the run, the PNG, and
// the errors for an unknown run and a run that is not a train run
// (docs/scaling.md). About 15 s on 2 cores.
#include <QFile>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>
#include <map>

#include "support/test_support.h"

using understudy::test::outputOf;
using understudy::test::ProcessResult;
using understudy::test::runCli;

namespace {

struct Row {
  QString algorithm;
  int workers = 0;
  double stepSeconds = 0, commSeconds = 0, bytes = 0, framesPerSecond = 0, batchesPerSecond = 0, efficiency = 0;
};

}  // namespace

class TestSimulateScaling : public QObject {
  Q_OBJECT

  QTemporaryDir m_dir;
  QString m_ws;

  QList<Row> rows(const QByteArray& tsv) {
    QList<Row> out;
    const QList<QByteArray> lines = tsv.trimmed().split('\n');
    if (lines.isEmpty() || !lines[0].startsWith("algorithm\tworkers\tstep_seconds")) return out;
    for (int i = 1; i < lines.size(); ++i) {
      const QList<QByteArray> f = lines[i].split('\t');
      if (f.size() != 8) return {};
      out.push_back({QString::fromUtf8(f[0]), f[1].toInt(), f[2].toDouble(), f[3].toDouble(), f[4].toDouble(),
                     f[5].toDouble(), f[6].toDouble(), f[7].toDouble()});
    }
    return out;
  }

 private slots:
  void initTestCase() {
    QVERIFY(m_dir.isValid());
    m_ws = m_dir.filePath("ws");
    const QString config = m_dir.filePath("gtc.yaml");
    QFile f(config);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("name: dist-gtc\nrole: teacher\nseed: 1\nthreads: 1\nmax_steps: 6\n"
            "data:\n  train: [synth-labeled]\n  validation_fraction: 0.1\n"
            "model:\n  preset: teacher-tiny\nbatching:\n  max_frames: 400\n"
            "optimizer:\n  kind: adam\n  lr: 0.003\nvalidation:\n  every: 1000\n"
            "distribution:\n  algorithm: gtc\n  timeout_s: 30\n  connect_timeout_s: 60\n"
            "  gtc:\n    target_fraction: 0.05\n  bmuf:\n    block_steps: 10\n");
    f.close();
    const QList<QStringList> steps{
        {"init", m_ws},
        {"-q", "corpus", "synth", "-w", m_ws, "--profile", "tiny", "--scale", "0.2", "--seed", "1"},
        {"-q", "features", "-w", m_ws, "--dataset", "synth-labeled"},
        {"-q", "targets", "-w", m_ws, "--dataset", "synth-labeled"},
        {"-q", "train", "-w", m_ws, "--config", config, "--workers", "2"}};
    for (const QStringList& args : steps) {
      const ProcessResult r = runCli(args, 300000);
      QVERIFY2(r.exitCode == 0 && !r.crashed, qPrintable(args.join(' ') + ": " + outputOf(r)));
    }
  }

  void tsvHasEveryAlgorithmAndWorkerCount() {
    const ProcessResult r = runCli({"simulate-scaling", "-w", m_ws, "--run", "dist-gtc", "--bandwidth", "1.25",
                                    "--latency", "20", "--tsv"});
    QVERIFY2(r.exitCode == 0 && !r.crashed, qPrintable(outputOf(r)));
    const QList<Row> table = rows(r.out);
    QCOMPARE(table.size(), 30);  // sync, gtc, bmuf x 1, 2, 4, ..., 512
    std::map<QString, QList<int>> workers;
    for (const Row& row : table) workers[row.algorithm].push_back(row.workers);
    const QList<int> expected{1, 2, 4, 8, 16, 32, 64, 128, 256, 512};
    QCOMPARE(workers["sync"], expected);
    QCOMPARE(workers["gtc"], expected);
    QCOMPARE(workers["bmuf"], expected);

    double previous = 2.0;
    for (int i = 0; i < table.size(); ++i) {
      const Row& row = table[i];
      if (row.workers == 1) {
        QCOMPARE(row.efficiency, 1.0);
        QCOMPARE(row.commSeconds, 0.0);
        QVERIFY(row.stepSeconds > 0);
      }
      // Throughput is N x one worker's x efficiency.
      const Row& one = table[i - i % 10];
      QVERIFY2(std::fabs(row.framesPerSecond - row.workers * one.framesPerSecond * row.efficiency) <=
                   1e-6 * row.framesPerSecond,
               qPrintable(QString("%1 N=%2").arg(row.algorithm).arg(row.workers)));
      if (row.algorithm != "sync") continue;
      QVERIFY2(row.efficiency < previous, qPrintable(QString("sync efficiency did not fall at N = %1: %2 after %3")
                                                         .arg(row.workers)
                                                         .arg(row.efficiency)
                                                         .arg(previous)));
      previous = row.efficiency;
    }
    // BMUF (tau_b = 10 from the run's config) sends a tenth of sync's bytes.
    for (int i = 1; i < 10; ++i) QVERIFY(std::fabs(table[20 + i].bytes * 10 - table[i].bytes) < 1e-6 * table[i].bytes);
    // The inputs went to stderr, saying what was measured.
    const QString err = QString::fromUtf8(r.err);
    QVERIFY2(err.contains("measured: T_c = ") && err.contains("mean dist/fraction_sent") &&
                 err.contains("config: tau_b = 10") && err.contains("check at N = 2 (gtc, as run)"),
             qPrintable(err));
  }

  void tableAndPlot() {
    const QString png = m_dir.filePath("scaling.png");
    QStringList args{"simulate-scaling", "-w", m_ws, "--run", "dist-gtc", "--workers", "1,2,8"};
    if (UNDERSTUDY_TEST_WITH_PLOTS) args << "--png" << png;
    const ProcessResult r = runCli(args);
    QVERIFY2(r.exitCode == 0 && !r.crashed, qPrintable(outputOf(r)));
    const QString out = QString::fromUtf8(r.out);
    QVERIFY2(out.contains("Projected scaling of run 'dist-gtc'") && out.contains("efficiency") &&
                 out.contains("Compute and communication do not overlap") && out.contains("Efficiency >= 80 %:"),
             qPrintable(out));
    QCOMPARE(out.count(QRegularExpression("^(sync|gtc|bmuf) +[128] ", QRegularExpression::MultilineOption)), 9);
    if (!UNDERSTUDY_TEST_WITH_PLOTS) QSKIP("this build's understudy-cli draws no plots (no Qt6::Gui)");
    QFile f(png);
    QVERIFY2(f.open(QIODevice::ReadOnly), qPrintable(out));
    QVERIFY(f.read(8) == QByteArray("\x89PNG\r\n\x1a\n", 8));
  }

  void errorsNameTheRun() {
    ProcessResult r = runCli({"simulate-scaling", "-w", m_ws, "--run", "no-such-run"});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("no run named 'no-such-run'") && r.err.contains("hint:") &&
                 r.err.contains("train runs here: dist-gtc"),
             qPrintable(outputOf(r)));
    r = runCli({"simulate-scaling", "-w", m_ws, "--run", "synth-labeled"});  // a features (and targets) run
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("run 'synth-labeled'") && r.err.contains("not a train run") && r.err.contains("hint:"),
             qPrintable(outputOf(r)));
    r = runCli({"simulate-scaling", "-w", m_ws, "--run", "dist-gtc", "--bandwidth", "0"});
    QCOMPARE(r.exitCode, 2);
  }
};

QTEST_GUILESS_MAIN(TestSimulateScaling)
#include "test_simulate_scaling.moc"
