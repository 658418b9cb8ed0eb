// understudy-cli report on a workspace the test builds itself (datasets,
// models with training runs and metrics, evaluations, a soft-label set with
// its summary; no training or decoding): report.md with the numbers worked
// out here, and the PNG plots the program draws, each a real picture of the
// plots' size with nothing drawn up to its edges (a clipped label would
// be). Seconds.
#include <QImage>
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/store/catalog.h"
#include "core/store/evaluation_store.h"
#include "core/store/model_registry.h"
#include "core/store/run_store.h"
#include "core/store/soft_label_summary.h"
#include "core/store/workspace.h"
#include "support/test_support.h"
#include "support/workspace_fixtures.h"

using understudy::test::outputOf;
using understudy::test::ProcessResult;
using understudy::test::runCli;
using understudy::test::addDataset;
using understudy::test::addTrainedModel;
using understudy::test::addWerEvaluation;
using namespace understudy;

namespace {

// A model trained by a run with `config`, whose metrics are a made-up
// descending loss and rising accuracy over 200 steps, plus bytes when distributed.
std::int64_t addModel(Workspace& ws, const std::string& name, const std::string& role,
                      const std::string& config, double bytes) {
  std::vector<MetricPoint> m;
  for (int step = 1; step <= 200; ++step) {
    m.push_back({step, "train/labeled/loss", 4.0 / std::sqrt(double(step)), 0.0});
    if (bytes > 0) m.push_back({step, "dist/bytes_sent", bytes, 0.0});
    if (step % 50 == 0) {
      m.push_back({step, "valid/loss", 3.0 - step / 100.0, 0.0});
      m.push_back({step, "valid/frame_accuracy", 0.3 + step / 500.0, 0.0});
    }
  }
  return addTrainedModel(ws, name, role, config, m);
}

std::string readFile(const QString& path) {
  std::ifstream in(path.toStdString());
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string f2(double v) {
  char b[64];
  std::snprintf(b, sizeof b, "%.2f", v);
  return b;
}

// Long condition names, so the labeling chart has to turn its category labels.
const std::vector<std::string> kConditions = {
    "clean", "noise/babble", "noise/hum", "noise/pink", "noise/white", "snr/0-5", "snr/5-10",
    "snr/10-20", "voice/en-029", "voice/en-gb-scotland", "voice/en-gb-x-gbclan", "voice/en-us-nyc"};

void buildWorkspace(const std::string& root) {
  Workspace ws = Workspace::create(root);
  const auto clean = addDataset(ws, "synth-test-clean", "test", {"u1"});
  const auto noisy = addDataset(ws, "synth-test-noisy", "test", {"u1"});
  std::vector<std::string> keys;
  for (std::size_t i = 0; i < kConditions.size(); ++i) keys.push_back("x" + std::to_string(i));
  const auto unlab = addDataset(ws, "synth-unlabeled", "unlabeled", keys);

  const char* gtc = "# distributed: 2 ranks, algorithm gtc, backend gloo\nseed: 1\n";
  const char* bmuf = "# distributed: 2 ranks, algorithm bmuf, backend gloo\nseed: 1\n";
  const auto teacher = addModel(ws, "teacher", "teacher", "seed: 1\n", 0);
  const auto b1 = addModel(ws, "baseline-seed1", "baseline", "seed: 1\n", 0);
  const auto b2 = addModel(ws, "baseline-seed2", "baseline", "seed: 2\n", 0);
  const auto s1 = addModel(ws, "interleave-gtc-seed1", "student", gtc, 21000);
  const auto s2 = addModel(ws, "interleave-bmuf-seed1", "student", bmuf, 16000);
  addWerEvaluation(ws, teacher, clean, 10), addWerEvaluation(ws, teacher, noisy, 20);
  addWerEvaluation(ws, b1, clean, 30), addWerEvaluation(ws, b1, noisy, 40);
  addWerEvaluation(ws, b2, clean, 34), addWerEvaluation(ws, b2, noisy, 47);
  addWerEvaluation(ws, s1, clean, 25), addWerEvaluation(ws, s1, noisy, 35);
  addWerEvaluation(ws, s2, clean, 28);  // never decoded on synth-test-noisy

  // One utterance per condition, 4 frames each, top-1 right on i % 4 + 1 of them.
  SoftLabelSummary summary(10);
  for (std::size_t i = 0; i < kConditions.size(); ++i) {
    SoftLabels l;
    l.frames = 4;
    l.k = 2;
    std::vector<std::int32_t> truth;
    for (int t = 0; t < 4; ++t) {
      const bool right = t <= static_cast<int>(i % 4);
      l.ids.insert(l.ids.end(), {static_cast<std::uint16_t>(right ? 1 : 2), 3});
      l.probs.insert(l.probs.end(), {0.75f, 0.25f});
      truth.push_back(1);
    }
    summary.add(keys[i], l, &truth, {kConditions[i]});
  }
  summary.setStoreBytes(4800);
  Catalog catalog(ws);
  SoftLabelSetRow set;
  set.datasetId = unlab;
  set.modelId = teacher;
  set.k = 2;
  set.path = "softlabels/synth-unlabeled-teacher";
  set.numFrames = 48;
  catalog.updateSoftLabelSummary(catalog.registerSoftLabelSet(set), summary);
}

}  // namespace

class TestReportCli : public QObject {
  Q_OBJECT

 private slots:
  void testReportAndPlots() {
    QTemporaryDir dir;
    const QString ws = dir.filePath("ws"), out = dir.filePath("out");
    buildWorkspace(ws.toStdString());
    const ProcessResult r = runCli({"report", "-w", ws, "--out", out});
    QVERIFY2(r.exitCode == 0 && !r.crashed, qPrintable(outputOf(r)));
    const QStringList lines = QString::fromUtf8(r.out).trimmed().split('\n');
    const QStringList expected = {"report.md",      "wer.png",        "labeling.png", "valid_accuracy.png",
                                  "valid_loss.png", "train_loss.png", "bytes.png"};
    QCOMPARE(lines.size(), expected.size());
    for (int i = 0; i < expected.size(); ++i) QCOMPARE(lines[i], out + "/" + expected[i]);
    QVERIFY2(r.err.isEmpty(), r.err.constData());  // Qt's start-up chatter stays out of stderr

    // The baseline group: mean ± sample std of (30, 34) and (40, 47); the
    // reduction of the GTC student on clean: (32 - 25) / 32.
    const std::string md = readFile(out + "/report.md");
    const double sdClean = std::sqrt(((30 - 32.0) * (30 - 32.0) + (34 - 32.0) * (34 - 32.0)) / 1.0);
    const double sdNoisy = std::sqrt(((40 - 43.5) * (40 - 43.5) + (47 - 43.5) * (47 - 43.5)) / 1.0);
    QVERIFY2(md.find("| baseline (baseline) | baseline | 1, 2 | 32.00 ± " + f2(sdClean) + " | 43.50 ± " +
                     f2(sdNoisy) + " |") != std::string::npos,
             md.c_str());
    QVERIFY(md.find("| interleave-gtc | +21.9 % | +19.5 % |") != std::string::npos);
    QVERIFY(md.find("| interleave-bmuf-seed1 | interleave-bmuf | 1 | bmuf × 2 | 28.00 | — |") !=
            std::string::npos);
    QVERIFY(md.find("interleave-bmuf-seed1 was never decoded on synth-test-noisy") != std::string::npos);

    for (int i = 1; i < expected.size(); ++i) {
      const QImage image(out + "/" + expected[i]);
      QVERIFY2(!image.isNull(), qPrintable(expected[i]));
      QCOMPARE(image.size(), QSize(1100, 620));
      int inked = 0, edge = 0;
      for (int y = 0; y < image.height(); ++y)
        for (int x = 0; x < image.width(); ++x) {
          if (image.pixel(x, y) == qRgb(255, 255, 255)) continue;
          ++inked;
          if (x < 3 || y < 3 || x >= image.width() - 3 || y >= image.height() - 3) ++edge;
        }
      QVERIFY2(inked > image.width() * image.height() / 100, qPrintable(expected[i] + " is blank"));
      QVERIFY2(edge == 0, qPrintable(expected[i] + ": " + QString::number(edge) +
                                     " pixels drawn at the edge (something is clipped)"));
    }
  }

  void testUnknownRecipeRun() {
    QTemporaryDir dir;
    const QString ws = dir.filePath("ws");
    buildWorkspace(ws.toStdString());
    const ProcessResult r = runCli({"report", "-w", ws, "--recipe-run", "999"});
    QCOMPARE(r.exitCode, 1);
    const QString err = QString::fromUtf8(r.err);
    QVERIFY2(err.contains("no run with id 999") && err.contains("understudy-cli runs -w"), qPrintable(err));
    QVERIFY(!QFile::exists(ws + "/report/report.md"));
  }
};

QTEST_GUILESS_MAIN(TestReportCli)
#include "test_report_cli.moc"
