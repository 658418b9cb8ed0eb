// The labeling-quality view (ui/labeling) on a real workspace: a soft-label
// store written with SoftLabelStore, its summary made by SoftLabelSummary
// from the records read back (as the labeler does, with true frame targets
// and the utterances' condition groups) and stored with
// Catalog::updateSoftLabelSummary. The view's bars, unit names and accuracy
// per condition must equal that summary; a second summary committed by
// another connection while the view is shown (a labeling run going on) must
// appear after refresh(), with its progress. Runs offscreen.
#include <SQLiteCpp/Statement.h>
#include <qcustomplot.h>

#include <QComboBox>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProgressBar>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "core/store/catalog.h"
#include "core/store/condition_groups.h"
#include "core/store/model_registry.h"
#include "core/store/run_store.h"
#include "core/store/soft_label_sets.h"
#include "core/store/soft_label_store.h"
#include "core/store/soft_label_summary.h"
#include "core/store/unit_inventory.h"
#include "core/store/workspace.h"
#include "ui/labeling/labeling_quality_view.h"

using namespace understudy;
using namespace understudy::ui;

namespace {

constexpr int kUnits = 12;  // units 10 and 11 are never a frame's top-1
constexpr int kK = 4;
constexpr int kUtterances = 6;
const char* const kFolder = "synth-teacher";

std::vector<std::string> unitNames() {
  return {"sil", "aa", "b", "d", "eh", "f", "g", "iy", "k", "l", "m", "n"};
}

std::string keyOf(int u) { return "utt" + std::to_string(u); }

// Utterances 0-1 clean, 2-3 babble at 4 dB, 4-5 white noise at 15 dB.
std::string metadataOf(int u) {
  if (u < 2) return R"({"noise":"none","snr_db":null,"voice":"en-us"})";
  if (u < 4) return R"({"noise":"babble","snr_db":4.0,"voice":"en-gb"})";
  return R"({"noise":"white","snr_db":15.0,"voice":"en-us"})";
}

int framesOf(int u) { return 20 + 7 * u; }

// One utterance's top-k labels: top unit (u*7+t) % 10, its probability
// spread over 0.4-0.95, the rest shared by the next three units.
void labelsOf(int u, std::vector<std::int32_t>& ids, std::vector<float>& probs) {
  const int frames = framesOf(u);
  ids.assign(static_cast<std::size_t>(frames) * kK, 0);
  probs.assign(ids.size(), 0.0f);
  for (int t = 0; t < frames; ++t) {
    const int top = (u * 7 + t) % 10;
    const float p1 = 0.4f + 0.55f * static_cast<float>((t * 13 + u) % 11) / 10.0f;
    const float rest[] = {p1, (1 - p1) * 0.6f, (1 - p1) * 0.3f, (1 - p1) * 0.1f};
    for (int j = 0; j < kK; ++j) {
      ids[static_cast<std::size_t>(t * kK + j)] = (top + j) % kUnits;
      probs[static_cast<std::size_t>(t * kK + j)] = std::min(rest[j], 1.0f);
    }
  }
}

// The true unit per frame: mostly the top-1, every 5th the second entry,
// every 7th unit 11 (in no top-k but top 8's).
std::vector<std::int32_t> truthOf(int u) {
  std::vector<std::int32_t> truth;
  for (int t = 0; t < framesOf(u); ++t) {
    const int top = (u * 7 + t) % 10;
    truth.push_back(t % 7 == 0 ? 11 : t % 5 == 0 ? (top + 1) % kUnits : top);
  }
  return truth;
}

// A workspace with a dataset of kUtterances, a teacher on the named units and
// a label run (running).
struct Fixture {
  QTemporaryDir dir;
  QString root;
  std::int64_t datasetId = 0;
  std::int64_t runId = 0;
  std::int64_t setId = 0;

  Fixture() : root(dir.filePath(QStringLiteral("ws"))) {
    Workspace ws = Workspace::create(root.toStdString());
    Catalog catalog(ws);
    DatasetRow d;
    d.name = "synth-unlabeled";
    d.kind = "unlabeled";
    d.source = "synthetic";
    d.numUtterances = kUtterances;
    std::vector<UtteranceRow> utts;
    for (int u = 0; u < kUtterances; ++u) {
      UtteranceRow r;
      r.key = keyOf(u);
      r.duration = framesOf(u) * 0.03;
      r.sampleRate = 16000;
      r.metadata = metadataOf(u);
      utts.push_back(r);
    }
    datasetId = catalog.registerDataset(d, utts);
    const std::int64_t inventory =
        recordUnitInventory(ws.db(), UnitInventory(unitNames()), "phones-12", "synthetic");
    ModelRow m;
    m.name = "teacher";
    m.role = "teacher";
    m.unitInventoryId = inventory;
    registerModel(ws.db(), m);
    runId =
        RunStore(ws.db()).startRun({"label", "label synth-unlabeled", "", "", "", std::nullopt});
  }

  std::filesystem::path storeDir(Workspace& ws) const {
    return ws.subdir(kSoftLabelsFolder) / kFolder;
  }

  // Labels utterances [first, last) into the store, then commits the set's
  // row and the summary of every utterance stored, as the labeler does at a
  // commit; through its own connection, like the labeler's process. Returns
  // the summary stored.
  SoftLabelSummary label(int first, int last, bool withSummary = true) {
    Workspace ws = Workspace::open(root.toStdString());
    Catalog catalog(ws);
    SoftLabelStoreOptions options;
    options.k = kK;
    options.numUnits = kUnits;
    options.model = "teacher";
    SoftLabelStore store = SoftLabelStore::openOrCreate(storeDir(ws), options);
    std::vector<std::int32_t> ids;
    std::vector<float> probs;
    for (int u = first; u < last; ++u) {
      labelsOf(u, ids, probs);
      store.append(keyOf(u), framesOf(u), ids.data(), probs.data());
    }
    store.commit();
    SoftLabelSetRow row;
    row.datasetId = datasetId;
    row.modelId = findModel(ws.db(), "teacher")->id;
    row.runId = runId;
    row.k = kK;
    row.path = std::string(kSoftLabelsFolder) + "/" + kFolder;
    row.numUtterances = static_cast<std::int64_t>(store.size());
    row.numFrames = static_cast<std::int64_t>(store.totalFrames());
    setId = catalog.registerSoftLabelSet(row);
    SoftLabelSummary summary(kUnits);
    if (!withSummary) return summary;
    for (int u = 0; u < last; ++u) {
      const std::vector<std::int32_t> truth = truthOf(u);
      summary.add(keyOf(u), store.read(keyOf(u)), &truth, conditionGroups(metadataOf(u)));
    }
    summary.setStoreBytes(SoftLabelStore::diskBytes(storeDir(ws)));
    catalog.updateSoftLabelSummary(setId, summary);
    return summary;
  }

  void finishRun() {
    Workspace ws = Workspace::open(root.toStdString());
    RunStore(ws.db()).finishRun(runId, RunStatus::Finished);
  }
};

std::vector<double> barValues(QCPBars* bars) {
  std::vector<double> out;
  for (auto it = bars->data()->constBegin(); it != bars->data()->constEnd(); ++it)
    out.push_back(it->value);
  return out;
}

std::vector<double> asDoubles(const std::vector<std::int64_t>& v) {
  return std::vector<double>(v.begin(), v.end());
}

// The bars of both histograms, the unit usage and the truth per condition
// equal `s`.
void compareWithSummary(const LabelingQualityView& view, const SoftLabelSummary& s) {
  QVERIFY(view.summary().has_value());
  QCOMPARE(view.summary()->frames(), s.frames());
  QCOMPARE(barValues(view.top1Bars()), asDoubles(s.top1Histogram()));
  QCOMPARE(barValues(view.entropyBars()), asDoubles(s.entropyHistogram()));
  QCOMPARE(static_cast<int>(s.entropyHistogram().size()), SoftLabelSummary::kEntropyBins);
  // Bin i of the top-1 histogram is [i/20, (i+1)/20): its bar stands at its middle.
  QCOMPARE(view.top1Bars()->data()->at(3)->key, 3.5 / SoftLabelSummary::kTop1Bins);
  QCOMPARE(view.entropyBars()->width(), s.entropyMax() / SoftLabelSummary::kEntropyBins);
  QVERIFY(view.entropyMessage().isEmpty());

  // Unit usage: every unit once, most frames first, the names of the model's inventory.
  const auto names = unitNames();
  const auto& counts = s.unitCounts();
  const QList<UnitUsage>& usage = view.unitUsage();
  QCOMPARE(usage.size(), kUnits);
  const std::vector<double> bars = barValues(view.unitBars());
  QCOMPARE(static_cast<int>(bars.size()), kUnits);
  std::vector<bool> seen(kUnits, false);
  for (int i = 0; i < kUnits; ++i) {
    const UnitUsage& x = usage[i];
    QVERIFY(!seen[static_cast<std::size_t>(x.unit)]);
    seen[static_cast<std::size_t>(x.unit)] = true;
    QCOMPARE(x.frames, counts[static_cast<std::size_t>(x.unit)]);
    QCOMPARE(x.name, QString::fromStdString(names[static_cast<std::size_t>(x.unit)]));
    QCOMPARE(bars[static_cast<std::size_t>(i)], static_cast<double>(x.frames));
    if (i > 0) QVERIFY(usage[i - 1].frames >= x.frames);
  }
  // The axis names the bars.
  auto ticker = view.unitPlot()->xAxis->ticker().dynamicCast<QCPAxisTickerText>();
  QVERIFY(ticker);
  for (int i = 0; i < kUnits; ++i) QCOMPARE(ticker->ticks().value(i + 1), usage[i].name);
  const QString unused = QString::number(kUnits - s.unitsUsed());
  QVERIFY2(view.overallText().contains(QStringLiteral(", %1 never").arg(unused)),
           qPrintable(view.overallText()));
  QVERIFY2(view.overallText().contains(QLocale().toString(s.meanTop1(), 'f', 3)),
           qPrintable(view.overallText()));

  // Against the truth: "all" first, then the condition groups, as the summary orders them.
  const auto truth = s.truth();
  QVERIFY(truth.size() >= 3);  // all, clean, a voice at least
  const std::vector<double> top1 = barValues(view.truthTop1Bars());
  const std::vector<double> topK = barValues(view.truthTopKBars());
  QCOMPARE(top1.size(), truth.size());
  QCOMPARE(topK.size(), truth.size());
  QTableWidget* table = view.truthTable();
  QCOMPARE(table->rowCount(), static_cast<int>(truth.size()));
  for (std::size_t i = 0; i < truth.size(); ++i) {
    const SoftLabelTruthTally& t = truth[i];
    QCOMPARE(top1[i], 100.0 * static_cast<double>(t.top1Correct) / static_cast<double>(t.frames));
    QCOMPARE(topK[i], 100.0 * static_cast<double>(t.inTopK) / static_cast<double>(t.frames));
    const int row = static_cast<int>(i);
    QCOMPARE(table->item(row, 0)->text(), QString::fromStdString(t.group));
    QCOMPARE(table->item(row, 2)->text(), QLocale().toString(static_cast<qlonglong>(t.frames)));
    QCOMPARE(table->item(row, 3)->text(), QLocale().toString(100.0 * t.top1Accuracy(), 'f', 1));
    QCOMPARE(table->item(row, 4)->text(), QLocale().toString(100.0 * t.topKRecall(), 'f', 1));
  }
  QVERIFY(view.truthMessage().isEmpty());
}

}  // namespace

class TestUiLabeling : public QObject {
  Q_OBJECT

 private slots:
  void drawsTheStoredSummary();
  void followsALabelingRunCommitByCommit();
  void setWithoutSummarySaysHowToMakeIt();
  void summaryWithoutEntropyHistogramAsksForARerun();
  void emptyWorkspaceAndClosing();
};

void TestUiLabeling::drawsTheStoredSummary() {
  Fixture f;
  const SoftLabelSummary s = f.label(0, kUtterances);
  f.finishRun();
  // The summary is what the labeler would have stored: groups and truth in it.
  QVERIFY(s.hasTruth());
  QVERIFY(s.unitsUsed() < kUnits);

  LabelingQualityView view;
  view.resize(1000, 800);
  view.show();
  QVERIFY(QTest::qWaitForWindowExposed(&view));
  QElapsedTimer clock;
  clock.start();
  QVERIFY(view.setWorkspacePath(f.root));
  qInfo("workspace opened and the summary drawn in %lld ms", clock.elapsed());
  QVERIFY(!view.isShowingEmptyState());
  QCOMPARE(view.currentSoftLabelSetId(), f.setId);
  compareWithSummary(view, s);
  QVERIFY2(view.setText().contains(QStringLiteral("synth-unlabeled")) &&
               view.setText().contains(QStringLiteral("teacher")) &&
               view.setText().contains(QStringLiteral("k = 4")) &&
               view.setText().contains(QStringLiteral("fp16")),
           qPrintable(view.setText()));
  QVERIFY2(view.progressText().startsWith(QStringLiteral("6 of 6 utterances")),
           qPrintable(view.progressText()));
  // The selector lists the set with its model, k, precision, size and run status.
  auto* box = view.findChild<QComboBox*>();
  QVERIFY(box);
  QCOMPARE(box->count(), 1);
  QCOMPARE(box->itemText(0), QStringLiteral("synth-unlabeled · teacher (synth-teacher) · k = 4 · "
                                            "fp16 · 6 utterances · finished"));
  QVERIFY(view.summaryMessage().isEmpty());

  // Selecting by folder, catalog path and id; an unknown name is refused.
  QVERIFY(view.selectSoftLabelSet(QString::fromLatin1(kFolder)));
  QVERIFY(view.selectSoftLabelSet(QStringLiteral("softlabels/synth-teacher")));
  QVERIFY(view.selectSoftLabelSet(QString::number(f.setId)));
  QVERIFY(!view.selectSoftLabelSet(QStringLiteral("nope")));
  QCOMPARE(view.currentSoftLabelSetId(), f.setId);
}

void TestUiLabeling::followsALabelingRunCommitByCommit() {
  Fixture f;
  const SoftLabelSummary first = f.label(0, 2);  // the labeler's first commit
  LabelingQualityView view;
  view.resize(1000, 800);
  view.show();
  QVERIFY(QTest::qWaitForWindowExposed(&view));
  QVERIFY(view.setWorkspacePath(f.root));
  compareWithSummary(view, first);
  const QString progress = view.progressText();
  QVERIFY2(progress.contains(QStringLiteral("2 of 6 utterances")) &&
               progress.startsWith(QStringLiteral("Labeling:")),
           qPrintable(progress));
  QProgressBar* bar = view.findChild<QProgressBar*>();
  QVERIFY(bar && bar->isVisible());
  QCOMPARE(bar->value(), 2);
  QCOMPARE(bar->maximum(), kUtterances);

  // Nothing committed since: a refresh reads nothing and keeps what is drawn.
  view.refresh();
  compareWithSummary(view, first);

  // The next commit, by another connection (the labeler's process).
  const SoftLabelSummary second = f.label(2, 5);
  QVERIFY(second.frames() > first.frames());
  compareWithSummary(view, first);  // not read before the poll
  QElapsedTimer clock;
  clock.start();
  view.refresh();
  qInfo("a new summary was read and drawn in %lld ms", clock.elapsed());
  compareWithSummary(view, second);
  QVERIFY2(view.progressText().contains(QStringLiteral("5 of 6 utterances")),
           qPrintable(view.progressText()));
  QCOMPARE(bar->value(), 5);
  QVERIFY2(view.findChild<QComboBox*>()->currentText().contains(QStringLiteral("5 utterances")),
           qPrintable(view.findChild<QComboBox*>()->currentText()));

  // The final rewrite of the summary (the labeler's, after closing the store:
  // only the bytes change): only updated_at moves, and that is enough.
  {
    Workspace ws = Workspace::open(f.root.toStdString());
    SoftLabelSummary last = second;
    last.setStoreBytes(second.storeBytes() + 4096);
    Catalog(ws).updateSoftLabelSummary(f.setId, last);
  }
  view.refresh();
  QCOMPARE(view.summary()->storeBytes(), second.storeBytes() + 4096);

  // The run ends: no progress bar, the count stays.
  f.finishRun();
  view.refresh();
  QVERIFY(!bar->isVisible());
  QVERIFY2(!view.progressText().startsWith(QStringLiteral("Labeling:")) &&
               view.progressText().contains(QStringLiteral("5 of 6 utterances")) &&
               view.progressText().contains(QStringLiteral("understudy-cli label")),
           qPrintable(view.progressText()));
  QVERIFY2(view.setText().contains(QStringLiteral("finished")), qPrintable(view.setText()));
}

void TestUiLabeling::setWithoutSummarySaysHowToMakeIt() {
  Fixture f;
  f.label(0, 3, /*withSummary=*/false);
  LabelingQualityView view;
  view.resize(1000, 800);
  view.show();
  QVERIFY(view.setWorkspacePath(f.root));
  QVERIFY(!view.isShowingEmptyState());
  QCOMPARE(view.currentSoftLabelSetId(), f.setId);
  QVERIFY(!view.summary().has_value());
  const QString message = view.summaryMessage();
  QVERIFY2(message.contains(QStringLiteral("No label summary")) &&
               message.contains(QStringLiteral("understudy-cli label")) &&
               message.contains(QStringLiteral("--dataset synth-unlabeled --model teacher")),
           qPrintable(message));
  QVERIFY(!view.top1Plot()->isVisible());
  QCOMPARE(view.top1Bars()->data()->size(), 0);
  // From the set's row: 3 of 6 labeled so far.
  QVERIFY2(view.progressText().contains(QStringLiteral("3 of 6")), qPrintable(view.progressText()));

  // The summary arrives: the message goes, the plots come.
  const SoftLabelSummary s = f.label(3, 4);
  view.refresh();
  QVERIFY(view.summaryMessage().isEmpty());
  QVERIFY(view.top1Plot()->isVisible());
  compareWithSummary(view, s);
}

void TestUiLabeling::summaryWithoutEntropyHistogramAsksForARerun() {
  Fixture f;
  const SoftLabelSummary s = f.label(0, kUtterances);
  {
    // A summary as written before the entropy histogram was kept: the stored
    // JSON without its two fields.
    Workspace ws = Workspace::open(f.root.toStdString());
    QJsonObject json = QJsonDocument::fromJson(QByteArray::fromStdString(s.toJson())).object();
    QVERIFY(json.contains(QStringLiteral("entropy_histogram")));
    json.remove(QStringLiteral("entropy_histogram"));
    json.remove(QStringLiteral("entropy_max"));
    SQLite::Statement update(ws.db(),
                             "UPDATE soft_label_summaries SET summary = ?, updated_at = "
                             "strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '+1 second') "
                             "WHERE soft_label_set_id = ?");
    update.bind(1, QJsonDocument(json).toJson(QJsonDocument::Compact).toStdString());
    update.bind(2, static_cast<int64_t>(f.setId));
    QCOMPARE(update.exec(), 1);
  }
  LabelingQualityView view;
  view.resize(1000, 800);
  view.show();
  QVERIFY(view.setWorkspacePath(f.root));
  QVERIFY(view.summary().has_value());
  QVERIFY(view.summary()->entropyHistogram().empty());
  QCOMPARE(view.entropyBars()->data()->size(), 0);
  QVERIFY2(view.entropyMessage().contains(QStringLiteral("Re-run label")) &&
               view.entropyMessage().contains(QStringLiteral("understudy-cli label")),
           qPrintable(view.entropyMessage()));
  // The rest is drawn as ever.
  QCOMPARE(barValues(view.top1Bars()), asDoubles(s.top1Histogram()));
}

void TestUiLabeling::emptyWorkspaceAndClosing() {
  LabelingQualityView view;
  QVERIFY(view.isShowingEmptyState());
  QVERIFY(view.emptyStateText().contains(QStringLiteral("No workspace")));
  Fixture f;  // no soft-label set yet
  QVERIFY(view.setWorkspacePath(f.root));
  QVERIFY(view.isShowingEmptyState());
  QVERIFY2(view.emptyStateText().contains(QStringLiteral("understudy-cli label")),
           qPrintable(view.emptyStateText()));
  const SoftLabelSummary s = f.label(0, 2);
  view.refresh();  // the first set appears
  QVERIFY(!view.isShowingEmptyState());
  QCOMPARE(view.currentSoftLabelSetId(), f.setId);
  compareWithSummary(view, s);

  QSignalSpy errors(&view, &LabelingQualityView::errorOccurred);
  QVERIFY(!view.setWorkspacePath(f.dir.filePath(QStringLiteral("missing"))));
  QCOMPARE(errors.size(), 1);
  QVERIFY(view.isShowingEmptyState());
  QVERIFY(view.setWorkspacePath(QString()));
  QVERIFY(view.isShowingEmptyState());
  QCOMPARE(view.currentSoftLabelSetId(), qint64(0));
}

QTEST_MAIN(TestUiLabeling)
#include "test_ui_labeling.moc"
