// core/pipeline: the recipe report (collectReport, writeReport,
// inferReportSpec) on a workspace built here through core/store: 2 seeds × 2
// groups × 2 test sets plus a teacher and a group never decoded. Every
// expected number is computed in the test from the WERs it writes (mean,
// sample std, relative reduction against the baseline group's mean), not
// taken from the code under test.
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "core/pipeline/report.h"
#include "core/store/catalog.h"
#include "core/store/evaluation_store.h"
#include "core/store/model_registry.h"
#include "core/store/run_store.h"
#include "core/store/soft_label_summary.h"
#include "core/store/workspace.h"
#include "support/expect_error.h"
#include "support/workspace_fixtures.h"

using namespace understudy;
using namespace understudy::pipeline;
using understudy::test::expectError;
using understudy::test::addDataset;
using understudy::test::addTrainedModel;
using understudy::test::addWerEvaluation;
namespace fs = std::filesystem;

namespace {

// --- the reference computations ----------------------------------------------

double refMean(const std::vector<double>& v) {
  double s = 0.0;
  for (double x : v) s += x;
  return s / static_cast<double>(v.size());
}

double refSampleStd(const std::vector<double>& v) {
  const double m = refMean(v);
  double s = 0.0;
  for (double x : v) s += (x - m) * (x - m);
  return std::sqrt(s / static_cast<double>(v.size() - 1));
}

double refReduction(double baseline, double model) { return 100.0 * (baseline - model) / baseline; }

std::string f2(double v) {
  char b[64];
  std::snprintf(b, sizeof b, "%.2f", v);
  return b;
}

std::string pct(double v) {
  char b[64];
  std::snprintf(b, sizeof b, "%+.1f %%", v);
  return b;
}

// --- the workspace -------------------------------------------------------------

// WER in % of each model on each set (refWords = 100, so errors = WER); a
// model absent from a set's map was never decoded on it.
const std::map<std::string, std::map<std::string, double>> kWer = {
    {"teacher", {{"set-a", 10}, {"set-b", 12}}},
    {"interleave-seed1", {{"set-a", 15}, {"set-b", 27}}},
    {"interleave-seed2", {{"set-a", 18}}},
    {"baseline-seed1", {{"set-a", 20}, {"set-b", 30}}},
    {"baseline-seed2", {{"set-a", 24}, {"set-b", 36}}},
    {"segregated-seed1", {}},
};

SoftLabels labels(const std::vector<std::vector<std::uint16_t>>& ids) {
  SoftLabels s;
  s.frames = static_cast<int>(ids.size());
  s.k = 2;
  for (const auto& row : ids) {
    s.ids.insert(s.ids.end(), row.begin(), row.end());
    s.probs.insert(s.probs.end(), {0.75f, 0.25f});
  }
  return s;
}

std::vector<MetricPoint> points(const std::string& name, const std::vector<std::pair<int, double>>& v) {
  std::vector<MetricPoint> out;
  for (const auto& [step, value] : v) out.push_back({step, name, value, 0.0});
  return out;
}

std::vector<MetricPoint> operator+(std::vector<MetricPoint> a, const std::vector<MetricPoint>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

const char* const kGtc = "# distributed: 2 ranks, algorithm gtc, backend gloo\nname: x\nseed: 9\n";

// The whole fixture. Interleave's runs: valid accuracy, bytes (seed1: 100,
// 200, 600 -> mean 300; seed2: 1000) and GTC's fraction (seed1 only: 0.01, 0.03).
Workspace makeWorkspace(const fs::path& root) {
  Workspace ws = Workspace::create(root);
  const std::int64_t a = addDataset(ws, "set-a", "test", {"u1"});
  const std::int64_t b = addDataset(ws, "set-b", "test", {"u1"});
  addDataset(ws, "lab", "labeled", {"l1"});
  const std::int64_t unlab = addDataset(ws, "unlab", "unlabeled", {"x1", "x2"});

  std::map<std::string, std::int64_t> ids;
  ids["teacher"] = addTrainedModel(ws, "teacher", "teacher", "seed: 1\n",
                            points("valid/loss", {{10, 2.0}, {20, 1.5}}));
  ids["interleave-seed1"] =
      addTrainedModel(ws, "interleave-seed1", "student", kGtc,
               points("valid/frame_accuracy", {{10, 0.5}, {20, 0.6}}) +
                   points("dist/bytes_sent", {{1, 100}, {2, 200}, {3, 600}}) +
                   points("dist/fraction_sent", {{1, 0.01}, {2, 0.03}}) +
                   points("train/labeled/loss", {{1, 3.0}, {2, 1.0}}));
  ids["interleave-seed2"] = addTrainedModel(ws, "interleave-seed2", "student", kGtc,
                                     points("dist/bytes_sent", {{1, 1000}}));
  ids["baseline-seed1"] = addTrainedModel(ws, "baseline-seed1", "baseline", "seed: 1\n", {});
  ids["baseline-seed2"] = addTrainedModel(ws, "baseline-seed2", "baseline", "seed: 2\n", {});
  ids["segregated-seed1"] = addTrainedModel(ws, "segregated-seed1", "student", "seed: 1\n", {});
  const std::int64_t other = addTrainedModel(ws, "someone-else", "teacher", "", {});

  // An older evaluation of baseline-seed1 on set-a: the newest one counts.
  addWerEvaluation(ws, ids["baseline-seed1"], a, 50);
  for (const auto& [model, sets] : kWer)
    for (const auto& [set, wer] : sets) addWerEvaluation(ws, ids[model], set == "set-a" ? a : b, static_cast<std::int64_t>(wer));

  // Labels: x1 (clean) 4 frames, top-1 right on 2, truth in the top 2 on 4;
  // x2 (noise/hum) 2 frames, top-1 right on 0, truth in the top 2 on 1.
  SoftLabelSummary s(5);
  const std::vector<std::int32_t> t1 = {1, 2, 0, 0}, t2 = {1, 0};
  s.add("x1", labels({{1, 0}, {2, 0}, {3, 0}, {4, 0}}), &t1, {"clean"});
  s.add("x2", labels({{2, 1}, {3, 4}}), &t2, {"noise/hum"});
  s.setStoreBytes(600);
  Catalog catalog(ws);
  SoftLabelSetRow set;
  set.datasetId = unlab;
  set.modelId = ids["teacher"];
  set.k = 2;
  set.path = "softlabels/unlab-teacher";
  set.numFrames = 6;
  catalog.updateSoftLabelSummary(catalog.registerSoftLabelSet(set), s);
  // A newer set of the teacher elsewhere (listed, not the one shown), and
  // one of another model (not listed).
  SoftLabelSummary s2(5);
  s2.setStoreBytes(30);
  s2.add("x1", labels({{0, 1}}), nullptr, {});
  set.path = "softlabels/teacher-u8";
  set.quantization = "log8";
  set.numFrames = 1;
  catalog.updateSoftLabelSummary(catalog.registerSoftLabelSet(set), s2);
  set.modelId = other;
  set.path = "softlabels/by-someone-else";
  catalog.registerSoftLabelSet(set);
  return ws;
}

ReportSpec makeSpec() {
  ReportSpec spec;
  spec.recipeName = "fixture";
  spec.teacher = "teacher";
  spec.labeledSet = "lab";
  spec.unlabeledSet = "unlab";
  spec.testSets = {"set-a", "set-b"};
  spec.baselineGroup = "baseline";
  // The baseline neither first nor last: a reduction against the wrong group shows.
  spec.models = {{"teacher", "teacher", "teacher", 1, "", 1},
                 {"interleave-seed1", "interleave", "student", 1, "gtc", 2},
                 {"interleave-seed2", "interleave", "student", 2, "gtc", 2},
                 {"baseline-seed1", "baseline", "baseline", 1, "", 1},
                 {"baseline-seed2", "baseline", "baseline", 2, "", 1},
                 {"segregated-seed1", "segregated", "student", 1, "", 1}};
  return spec;
}

// Records what it is asked to draw and leaves a file, as a real sink does.
class RecordingSink : public PlotSink {
 public:
  std::map<std::string, BarChart> bars;
  std::map<std::string, LinePlot> lines;
  void drawLines(const LinePlot& plot, const fs::path& png) override {
    lines[png.filename().string()] = plot;
    std::ofstream(png) << "png";
  }
  void drawBars(const BarChart& chart, const fs::path& png) override {
    bars[png.filename().string()] = chart;
    std::ofstream(png) << "png";
  }
};

std::string readFile(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The cells of the markdown table row that starts with "| first |", trimmed.
std::vector<std::string> row(const std::string& md, const std::string& first, std::size_t from = 0) {
  const std::string start = "\n| " + first + " |";
  const std::size_t at = md.find(start, from);
  if (at == std::string::npos) return {};
  const std::string line = md.substr(at + 2, md.find('\n', at + 1) - at - 2);
  std::vector<std::string> cells;
  std::stringstream in(line.substr(1));
  std::string cell;
  while (std::getline(in, cell, '|')) {
    const auto b = cell.find_first_not_of(' '), e = cell.find_last_not_of(' ');
    cells.push_back(b == std::string::npos ? "" : cell.substr(b, e - b + 1));
  }
  return cells;
}

}  // namespace

class TestReport : public QObject {
  Q_OBJECT

 private slots:
  void testWerMeansSampleStdAndReductionsAgainstTheBaseline() {
    QTemporaryDir dir;
    Workspace ws = makeWorkspace(dir.path().toStdString());
    const ReportNumbers n = collectReport(ws, makeSpec());
    QCOMPARE(n.testSets, (std::vector<std::string>{"set-a", "set-b"}));
    QCOMPARE(n.groups.size(), std::size_t(4));
    const std::vector<std::string> groups = {"teacher", "interleave", "baseline", "segregated"};
    for (std::size_t g = 0; g < 4; ++g) QCOMPARE(n.groups[g].name, groups[g]);
    QVERIFY(n.baseline && *n.baseline == 2);

    const std::vector<double> baseA = {20, 24}, baseB = {30, 36}, interA = {15, 18};
    const WerStat& ba = n.wer[2][0];
    QCOMPARE(ba.values, baseA);  // the newest evaluation of baseline-seed1 (20, not 50)
    QVERIFY(std::fabs(ba.mean - refMean(baseA)) < 1e-9);
    QVERIFY(ba.stddev && std::fabs(*ba.stddev - refSampleStd(baseA)) < 1e-9);
    QVERIFY(std::fabs(*n.wer[2][1].stddev - refSampleStd(baseB)) < 1e-9);
    const WerStat& ia = n.wer[1][0];
    QVERIFY(std::fabs(ia.mean - refMean(interA)) < 1e-9);
    QVERIFY(ia.relativeReduction &&
            std::fabs(*ia.relativeReduction - refReduction(refMean(baseA), refMean(interA))) < 1e-9);
    // interleave on set-b: one of its two seeds decoded; no std from one value.
    const WerStat& ib = n.wer[1][1];
    QCOMPARE(ib.values, std::vector<double>{27});
    QCOMPARE(ib.missing, 1);
    QVERIFY(!ib.stddev);
    QVERIFY(std::fabs(*ib.relativeReduction - refReduction(refMean(baseB), 27)) < 1e-9);
    QVERIFY(std::fabs(*n.wer[0][1].relativeReduction - refReduction(refMean(baseB), 12)) < 1e-9);
    QVERIFY(n.wer[3][0].empty() && !n.wer[3][0].relativeReduction);
    QVERIFY(std::fabs(*n.wer[2][0].relativeReduction) < 1e-12);
  }

  void testMarkdownShowsEveryModelAndSetWithDashesForTheMissing() {
    QTemporaryDir dir;
    Workspace ws = makeWorkspace(dir.path().toStdString());
    const ReportSpec spec = makeSpec();
    RecordingSink sink;
    const ReportFiles files = writeReport(ws, spec, dir.filePath("out").toStdString(), &sink);
    const std::string md = readFile(files.markdown);

    const std::vector<double> baseA = {20, 24}, baseB = {30, 36}, interA = {15, 18};
    // The group table: mean ± sample std, "(1 of 2)" where a seed is missing.
    QCOMPARE(row(md, "baseline (baseline)"),
             (std::vector<std::string>{"baseline (baseline)", "baseline", "1, 2",
                                       f2(refMean(baseA)) + " ± " + f2(refSampleStd(baseA)),
                                       f2(refMean(baseB)) + " ± " + f2(refSampleStd(baseB))}));
    QCOMPARE(row(md, "interleave"),
             (std::vector<std::string>{"interleave", "student", "1, 2",
                                       f2(refMean(interA)) + " ± " + f2(refSampleStd(interA)),
                                       "27.00 (1 of 2)"}));
    QCOMPARE(row(md, "segregated"), (std::vector<std::string>{"segregated", "student", "1", "—", "—"}));
    // The reductions table follows the WER table: the second row of each group.
    const std::size_t reductions = md.find("Relative WER reduction");
    QVERIFY(reductions != std::string::npos);
    QCOMPARE(row(md, "interleave", reductions),
             (std::vector<std::string>{"interleave", pct(refReduction(refMean(baseA), refMean(interA))),
                                       pct(refReduction(refMean(baseB), 27))}));
    QCOMPARE(row(md, "teacher", reductions),
             (std::vector<std::string>{"teacher", pct(refReduction(refMean(baseA), 10)),
                                       pct(refReduction(refMean(baseB), 12))}));
    QCOMPARE(row(md, "segregated", reductions), (std::vector<std::string>{"segregated", "—", "—"}));

    // Every model × test set in the per-model table, "—" where never decoded.
    for (const ReportModel& m : spec.models) {
      const std::vector<std::string> cells = row(md, m.name, md.find("Each model:"));
      QCOMPARE(cells.size(), std::size_t(6));
      const auto& sets = kWer.at(m.name);
      for (std::size_t d = 0; d < 2; ++d) {
        const auto it = sets.find(spec.testSets[d]);
        QCOMPARE(cells[4 + d], it == sets.end() ? std::string("—") : f2(it->second));
      }
    }
    QVERIFY(md.find("segregated-seed1 was never decoded on set-a, set-b") != std::string::npos);
    QVERIFY(md.find("interleave-seed2 was never decoded on set-b") != std::string::npos);

    // The WER chart: test sets as categories, groups as series, means ± std.
    QVERIFY(sink.bars.count("wer.png"));
    const BarChart& wer = sink.bars["wer.png"];
    QCOMPARE(wer.categories, spec.testSets);
    QCOMPARE(wer.series.size(), std::size_t(4));
    QCOMPARE(wer.series[2].name, std::string("baseline"));
    QVERIFY(std::fabs(*wer.series[2].values[1] - refMean(baseB)) < 1e-9);
    QVERIFY(std::fabs(wer.series[2].errors[0] - refSampleStd(baseA)) < 1e-9);
    QVERIFY(!wer.series[3].values[0] && !wer.series[3].values[1]);
    QVERIFY(md.find("](wer.png)") != std::string::npos);
  }

  void testTeacherLabelsPerConditionAndStoragePerFrame() {
    QTemporaryDir dir;
    Workspace ws = makeWorkspace(dir.path().toStdString());
    RecordingSink sink;
    const std::string md =
        readFile(writeReport(ws, makeSpec(), dir.filePath("out").toStdString(), &sink).markdown);
    // Hand counts (makeWorkspace): all 2/6 top-1, 5/6 in the top 2; clean 2/4, 4/4; hum 0/2, 1/2.
    QCOMPARE(row(md, "all"), (std::vector<std::string>{"all", "2", "6", "33.3", "83.3"}));
    QCOMPARE(row(md, "clean"), (std::vector<std::string>{"clean", "1", "4", "50.0", "100.0"}));
    QCOMPARE(row(md, "noise/hum"), (std::vector<std::string>{"noise/hum", "1", "2", "0.0", "50.0"}));
    // Storage: 600 bytes / 6 frames; dense = 5 units × 4 bytes. The default
    // folder's set is the one shown, though a newer one exists.
    QCOMPARE(row(md, "`softlabels/unlab-teacher` (above)"),
             (std::vector<std::string>{"`softlabels/unlab-teacher` (above)", "2", "fp16", "6", "600",
                                       "100.0", "20"}));
    QCOMPARE(row(md, "`softlabels/teacher-u8`"),
             (std::vector<std::string>{"`softlabels/teacher-u8`", "2", "log8", "1", "30", "30.0", "20"}));
    QVERIFY(md.find("by-someone-else") == std::string::npos);
    const BarChart& chart = sink.bars["labeling.png"];
    QCOMPARE(chart.categories, (std::vector<std::string>{"all", "clean", "noise/hum"}));
    QVERIFY(std::fabs(*chart.series[0].values[1] - 50.0) < 1e-9);
    QVERIFY(std::fabs(*chart.series[1].values[2] - 50.0) < 1e-9);
  }

  void testLearningCurvesAndBytesPerStepPerAlgorithm() {
    QTemporaryDir dir;
    Workspace ws = makeWorkspace(dir.path().toStdString());
    RecordingSink sink;
    const std::string md =
        readFile(writeReport(ws, makeSpec(), dir.filePath("out").toStdString(), &sink).markdown);
    // Each model's mean over its logged steps, then the mean over the models:
    // (300 + 1000) / 2, not the pooled (100 + 200 + 600 + 1000) / 4.
    const double bytes = refMean({refMean({100, 200, 600}), refMean({1000})});
    QCOMPARE(row(md, "gtc"), (std::vector<std::string>{"gtc", "2", "interleave-seed1, interleave-seed2",
                                                        "4", std::to_string(static_cast<int>(bytes)),
                                                        "0.0200"}));
    QVERIFY(md.find("sending nothing: teacher, baseline-seed1, baseline-seed2, segregated-seed1") !=
            std::string::npos);
    const BarChart& chart = sink.bars["bytes.png"];
    QVERIFY(chart.logY);
    QCOMPARE(chart.categories, std::vector<std::string>{"gtc, 2 workers"});
    QVERIFY(std::fabs(*chart.series[0].values[0] - bytes) < 1e-9);
    // Validation accuracy in %, one series per model that has it.
    const LinePlot& acc = sink.lines["valid_accuracy.png"];
    QCOMPARE(acc.series.size(), std::size_t(1));
    QCOMPARE(acc.series[0].name, std::string("interleave-seed1"));
    QCOMPARE(acc.series[0].x, (std::vector<double>{10, 20}));
    QCOMPARE(acc.series[0].y, (std::vector<double>{50, 60}));
    QCOMPARE(row(md, "interleave-seed1", md.find("## Learning curves"))[7], std::string("60.0 at 20"));
    QCOMPARE(sink.lines["valid_loss.png"].series[0].name, std::string("teacher"));
  }

  // A training interrupted at step 12 (checkpoint at 10) and resumed at 11:
  // two runs with one key. Its curves join them: the first attempt's points
  // before step 11, then the second's. A run of the same name with another
  // key (another config) is not part of it.
  void testResumedTrainingCurvesJoinTheAttempts() {
    QTemporaryDir dir;
    Workspace ws = makeWorkspace(dir.path().toStdString());
    RunStore runs(ws.db());
    const auto attempt = [&](const std::string& key, std::vector<MetricPoint> metrics, RunStatus status) {
      const std::int64_t id = runs.startRun({"train", "resumed", "", "seed: 1\n", key, std::nullopt});
      runs.addMetrics(id, metrics);
      runs.finishRun(id, status);
      return id;
    };
    std::vector<MetricPoint> first, second, other;
    for (int step = 1; step <= 12; ++step) first.push_back({step, "train/loss", 3.0, 0});
    first = first + points("valid/frame_accuracy", {{5, 0.30}, {10, 0.40}, {12, 0.99}});
    for (int step = 11; step <= 20; ++step) second.push_back({step, "train/loss", 2.0, 0});
    second = second + points("valid/frame_accuracy", {{15, 0.50}, {20, 0.55}});
    other = points("train/loss", {{1, 9.0}}) + points("valid/frame_accuracy", {{2, 0.77}});
    attempt("key-other", other, RunStatus::Failed);
    attempt("key-1", first, RunStatus::Failed);
    const std::int64_t last = attempt("key-1", second, RunStatus::Finished);
    ModelRow m;
    m.name = "resumed";
    m.role = "student";
    m.runId = last;
    registerModel(ws.db(), m);
    ReportSpec spec = makeSpec();
    spec.models.push_back({"resumed", "resumed", "student", 1, "", 1});
    RecordingSink sink;
    const std::string md =
        readFile(writeReport(ws, spec, dir.filePath("out").toStdString(), &sink).markdown);
    const LinePlot& acc = sink.lines["valid_accuracy.png"];
    const auto s = std::find_if(acc.series.begin(), acc.series.end(), [](const auto& x) { return x.name == "resumed"; });
    QVERIFY(s != acc.series.end());
    QCOMPARE(s->x, (std::vector<double>{5, 10, 15, 20}));
    const std::vector<double> percent{30, 40, 50, 55};
    QCOMPARE(s->y.size(), percent.size());
    for (std::size_t i = 0; i < percent.size(); ++i) QVERIFY(std::fabs(s->y[i] - percent[i]) < 1e-9);
    // The best step is the second attempt's, not the first attempt's point
    // past the resume (0.99 at 12, trained again by the second attempt).
    QCOMPARE(row(md, "resumed", md.find("## Learning curves"))[7], std::string("55.0 at 20"));
  }

  void testWithoutPlotterNoPngsAndTheReportSaysWhy() {
    QTemporaryDir dir;
    Workspace ws = makeWorkspace(dir.path().toStdString());
    const fs::path out = dir.filePath("out").toStdString();
    RecordingSink sink;
    QCOMPARE(writeReport(ws, makeSpec(), out, &sink).plots.size(), std::size_t(6));
    QVERIFY(fs::exists(out / "wer.png"));
    // Again without one: the earlier PNGs go, the report says why.
    const ReportFiles files = writeReport(ws, makeSpec(), out, nullptr, "built without Qt6::Gui");
    QVERIFY(files.plots.empty());
    QVERIFY(!fs::exists(out / "wer.png"));
    const std::string md = readFile(files.markdown);
    QVERIFY(md.find("No plots: built without Qt6::Gui.") != std::string::npos);
    QVERIFY(md.find(".png") == std::string::npos);
  }

  void testNoWerChartWhenNothingWasDecoded() {
    QTemporaryDir dir;
    Workspace ws = makeWorkspace(dir.path().toStdString());
    ReportSpec spec = makeSpec();
    spec.models = {{"segregated-seed1", "segregated", "student", 1, "", 1}};
    RecordingSink sink;
    const std::string md =
        readFile(writeReport(ws, spec, dir.filePath("out").toStdString(), &sink).markdown);
    QVERIFY(!sink.bars.count("wer.png"));
    QVERIFY(md.find("wer.png") == std::string::npos);
    QCOMPARE(row(md, "segregated"), (std::vector<std::string>{"segregated", "student", "1", "—", "—"}));
  }

  void testSpecErrorsAndNotes() {
    QTemporaryDir dir;
    Workspace ws = makeWorkspace(dir.path().toStdString());
    ReportSpec spec = makeSpec();
    spec.models.push_back(spec.models[1]);
    expectError([&] { collectReport(ws, spec); }, {"interleave-seed1", "twice"});

    spec = makeSpec();
    spec.models.push_back({"ghost", "ghost", "student", 1, "", 1});
    spec.testSets.push_back("set-z");
    spec.baselineGroup = "nobody";
    const ReportNumbers n = collectReport(ws, spec);
    QCOMPARE(n.testSets.size(), std::size_t(2));
    const std::string notes = [&] {
      std::string s;
      for (const auto& x : n.notes) s += x + "\n";
      return s;
    }();
    QVERIFY(notes.find("ghost is not in the workspace") != std::string::npos);
    QVERIFY(notes.find("test set 'set-z' is not in the workspace") != std::string::npos);
    QVERIFY(notes.find("baseline group 'nobody'") != std::string::npos);
    QVERIFY(!n.baseline && !n.wer[1][0].relativeReduction);
  }

  void testSpecInferredFromTheWorkspace() {
    QTemporaryDir dir;
    Workspace ws = makeWorkspace(dir.path().toStdString());
    const ReportSpec spec = inferReportSpec(ws);
    QCOMPARE(spec.testSets, (std::vector<std::string>{"set-a", "set-b"}));
    QCOMPARE(spec.labeledSet, std::string("lab"));
    QCOMPARE(spec.unlabeledSet, std::string("unlab"));
    // The newest soft-label set is someone-else's: its model is the teacher.
    QCOMPARE(spec.teacher, std::string("someone-else"));
    QCOMPARE(spec.baselineGroup, std::string("baseline"));
    QCOMPARE(spec.models.size(), std::size_t(7));
    const ReportModel& m = spec.models[2];
    QCOMPARE(m.name, std::string("interleave-seed2"));
    QCOMPARE(m.group, std::string("interleave"));
    QCOMPARE(m.seed, std::uint64_t(2));  // the name's suffix wins over the config's seed: 9
    QCOMPARE(m.algorithm, std::string("gtc"));
    QCOMPARE(m.workers, 2);
    QCOMPARE(spec.models[0].group, std::string("teacher"));
    QCOMPARE(spec.models[0].algorithm, std::string());
  }
};

QTEST_GUILESS_MAIN(TestReport)
#include "test_report.moc"
