// core/store: the catalog's lookup rules, its errors (what was looked up,
// what exists, how to make it) and registration (all or nothing, idempotent).
#include <QTemporaryDir>
#include <QtTest>

#include <SQLiteCpp/Statement.h>

#include <cmath>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "core/store/catalog.h"
#include "core/store/unit_inventory.h"
#include "core/store/workspace.h"
#include "core/util/error.h"
#include "support/expect_error.h"

using namespace understudy;
using understudy::test::expectError;
namespace fs = std::filesystem;

namespace {

DatasetRow datasetSpec(const std::string& name, const std::string& kind = "labeled") {
  DatasetRow d;
  d.name = name;
  d.kind = kind;
  d.source = "manifest";
  return d;
}

UtteranceRow utt(const std::string& key, double duration = 1.0) {
  UtteranceRow u;
  u.key = key;
  u.audioPath = "/audio/" + key + ".wav";
  u.duration = duration;
  u.sampleRate = 16000;
  u.text = "a b";
  return u;
}

FeatureSetRow featureSpec(const DatasetRow& d, const std::string& hash, bool complete) {
  FeatureSetRow f;
  f.datasetId = d.id;
  f.name = d.name + "-" + hash;
  f.configHash = hash + "00000000";
  f.path = "features/" + f.name;
  f.dims = 80;
  f.status = complete ? "complete" : "partial";
  return f;
}

// Throws unless `f` throws an Error whose message contains every string.
}  // namespace

class TestCatalog : public QObject {
  Q_OBJECT

 private slots:
  void init() {
    m_dir = std::make_unique<QTemporaryDir>();
    m_ws = std::make_unique<Workspace>(Workspace::create(m_dir->filePath("ws").toStdString()));
    m_catalog = std::make_unique<Catalog>(*m_ws);
  }
  void cleanup() {
    m_catalog.reset();
    m_ws.reset();
    m_dir.reset();
  }

  void testDatasetIsFoundByItsExactNameOnly() {
    const std::int64_t id = m_catalog->registerDataset(datasetSpec("Synth-A"), {utt("u1")});
    QVERIFY(id > 0);
    const DatasetRow d = m_catalog->dataset("Synth-A");
    QCOMPARE(d.id, id);
    QCOMPARE(d.kind, std::string("labeled"));
    QVERIFY(!m_catalog->findDataset("synth-a"));  // case matters
    QVERIFY(!m_catalog->findDataset("Synth"));    // no prefix match
    QVERIFY(!m_catalog->findDataset("Synth-A-"));
  }

  void testUnknownDatasetListsTheKnownOnesAndHowToCreateOne() {
    expectError([&] { m_catalog->dataset("nope"); },
                {"no dataset named 'nope'", "no datasets yet", "understudy-cli corpus import",
                 "corpus synth"});
    m_catalog->registerDataset(datasetSpec("beta"), {utt("u1")});
    m_catalog->registerDataset(datasetSpec("alpha", "test"), {utt("u1")});
    expectError([&] { m_catalog->dataset("nope"); },
                {"no dataset named 'nope'", "datasets: alpha, beta", "understudy-cli corpus import"});
  }

  void testRegisterDatasetRefusesATakenNameAndChangesNothing() {
    m_catalog->registerDataset(datasetSpec("d"), {utt("u1"), utt("u2")});
    expectError([&] { m_catalog->registerDataset(datasetSpec("d"), {utt("u3")}); },
                {"a dataset named 'd' already exists"});
    QCOMPARE(m_catalog->datasets().size(), std::size_t(1));
    QCOMPARE(m_catalog->utterances(m_catalog->dataset("d").id).size(), std::size_t(2));
  }

  void testRegisterDatasetIsAllOrNothing() {
    // The second "u1" breaks uniqueness: neither the dataset nor u1 may remain.
    expectError([&] { m_catalog->registerDataset(datasetSpec("d"), {utt("u1"), utt("u1")}); },
                {"utterance 'u1'", "dataset 'd'"});
    QVERIFY(!m_catalog->findDataset("d"));
    expectError([&] { m_catalog->registerDataset(datasetSpec("d", "weird"), {utt("u1")}); },
                {"'weird'"});
    QVERIFY(m_catalog->datasets().empty());
    // With its alignment sets it is still one transaction, and they point at it.
    AlignmentSetRow exact;
    exact.name = "exact";
    exact.source = "synthetic";
    exact.path = "alignments/d";
    const std::int64_t id = m_catalog->registerDataset(datasetSpec("d"), {utt("u1")}, {exact});
    const DatasetRow d = m_catalog->dataset("d");
    QCOMPARE(d.id, id);
    const AlignmentSetRow a = m_catalog->alignmentSet(d, "exact");
    QCOMPARE(a.datasetId, id);
    QCOMPARE(a.unitInventoryId, std::int64_t(0));
  }

  void testUtterancesListsOkOnesByKeyAndSkippingCountsOnce() {
    DatasetRow spec = datasetSpec("d");
    spec.numUtterances = 3;
    spec.totalSeconds = 6.0;
    UtteranceRow skipped = utt("a0");
    skipped.status = "skipped";
    skipped.reason = "too short";
    skipped.text.reset();
    const std::int64_t id =
        m_catalog->registerDataset(spec, {utt("u3", 3.0), utt("u1", 1.0), skipped, utt("u2", 2.0)});
    std::vector<UtteranceRow> ok = m_catalog->utterances(id);
    QCOMPARE(ok.size(), std::size_t(3));
    QCOMPARE(ok[0].key, std::string("u1"));
    QCOMPARE(ok[2].key, std::string("u3"));
    QCOMPARE(ok[1].text.value_or(""), std::string("a b"));
    const std::vector<UtteranceRow> all = m_catalog->utterances(id, Catalog::Utterances::All);
    QCOMPARE(all.size(), std::size_t(4));
    QCOMPARE(all[0].key, std::string("a0"));
    QVERIFY(!all[0].text.has_value());  // no transcript stays NULL

    const SkippedUtterance s{ok[2].id, "features: bad audio", 3.0};
    m_catalog->skipUtterances(id, {s});
    m_catalog->skipUtterances(id, {s});  // again: already skipped, counts stay
    const DatasetRow d = m_catalog->dataset("d");
    QCOMPARE(d.numUtterances, std::int64_t(2));
    QCOMPARE(d.numSkipped, std::int64_t(1));
    QCOMPARE(d.totalSeconds, 3.0);
    ok = m_catalog->utterances(id);
    QCOMPARE(ok.size(), std::size_t(2));
    QCOMPARE(m_catalog->utterances(id, Catalog::Utterances::All)[3].reason,
             std::string("features: bad audio"));
  }

  void testFeatureSetWithoutANameIsTheNewestCompleteOne() {
    m_catalog->registerDataset(datasetSpec("d"), {utt("u1")});
    const DatasetRow d = m_catalog->dataset("d");
    addFeatureSet(d, "aaaa1111", true);
    const FeatureSetRow newer = addFeatureSet(d, "bbbb2222", true);
    addFeatureSet(d, "cccc3333", false);  // newest, but partial
    const FeatureSetRow f = m_catalog->featureSet(d);
    QCOMPARE(f.name, newer.name);
    QCOMPARE(f.id, newer.id);
    QCOMPARE(m_catalog->absolute(f.path), m_ws->root() / "features" / "d-bbbb2222");
  }

  void testFeatureSetByFullNameOrByItsHashSuffix() {
    m_catalog->registerDataset(datasetSpec("d"), {utt("u1")});
    m_catalog->registerDataset(datasetSpec("e"), {utt("u1")});
    const DatasetRow d = m_catalog->dataset("d");
    const DatasetRow e = m_catalog->dataset("e");
    const FeatureSetRow older = addFeatureSet(d, "aaaa1111", true);
    addFeatureSet(d, "bbbb2222", true);
    addFeatureSet(e, "cccc3333", true);
    QCOMPARE(m_catalog->featureSet(d, "d-aaaa1111").id, older.id);
    QCOMPARE(m_catalog->featureSet(d, "aaaa1111").id, older.id);
    // Another dataset's set is not this dataset's, by either form.
    QVERIFY(!m_catalog->findFeatureSet(d, "e-cccc3333"));
    QVERIFY(!m_catalog->findFeatureSet(d, "cccc3333"));
    QVERIFY(!m_catalog->findFeatureSet(d, "aaaa"));  // no prefix match
  }

  void testFeatureSetThatIsNotCompleteIsRefused() {
    m_catalog->registerDataset(datasetSpec("d"), {utt("u1")});
    const DatasetRow d = m_catalog->dataset("d");
    addFeatureSet(d, "aaaa1111", false);
    expectError([&] { m_catalog->featureSet(d); },
                {"features 'd-aaaa1111' of dataset 'd' are not complete", "understudy-cli features"});
    addFeatureSet(d, "bbbb2222", true);
    // Named, it is refused rather than replaced by the complete one.
    expectError([&] { m_catalog->featureSet(d, "aaaa1111"); }, {"not complete"});
    QCOMPARE(m_catalog->featureSet(d).name, std::string("d-bbbb2222"));
  }

  void testUnknownFeatureSetListsTheDatasetsSets() {
    m_catalog->registerDataset(datasetSpec("d"), {utt("u1")});
    const DatasetRow d = m_catalog->dataset("d");
    expectError([&] { m_catalog->featureSet(d); },
                {"dataset 'd' has no features", "understudy-cli features -w", "--dataset d"});
    addFeatureSet(d, "aaaa1111", true);
    addFeatureSet(d, "bbbb2222", false);
    expectError([&] { m_catalog->featureSet(d, "zzzz"); },
                {"has no features named 'zzzz'", "d-aaaa1111, d-bbbb2222 (partial)",
                 "understudy-cli features"});
  }

  void testRegisterFeatureSetTwiceKeepsOneRow() {
    m_catalog->registerDataset(datasetSpec("d"), {utt("u1")});
    const DatasetRow d = m_catalog->dataset("d");
    const FeatureSetRow a = m_catalog->registerFeatureSet(featureSpec(d, "aaaa1111", false));
    m_catalog->updateFeatureSet(a.id, 5, 500, true);
    const FeatureSetRow b = m_catalog->registerFeatureSet(featureSpec(d, "aaaa1111", false));
    QCOMPARE(b.id, a.id);
    QCOMPARE(b.numFrames, std::int64_t(500));  // the stored row, not the spec
    QVERIFY(b.complete());
    QCOMPARE(m_catalog->featureSets(d).size(), std::size_t(1));
    QCOMPARE(m_catalog->featureSets().size(), std::size_t(1));
  }

  void testAlignmentSetByExactNameAndReRegisteringKeepsItsId() {
    m_catalog->registerDataset(datasetSpec("d"), {utt("u1")});
    const DatasetRow d = m_catalog->dataset("d");
    AlignmentSetRow exact;
    exact.datasetId = d.id;
    exact.name = "exact";
    exact.path = "alignments/d";
    m_catalog->registerAlignmentSet(exact);
    expectError([&] { m_catalog->alignmentSet(d, Catalog::kTargetsAlignmentSet); },
                {"dataset 'd' has no frame targets", "its alignment sets: exact",
                 "understudy-cli targets -w"});
    expectError([&] { m_catalog->alignmentSet(d, "Exact"); },
                {"no alignment set named 'Exact'", "exact"});

    AlignmentSetRow targets;
    targets.datasetId = d.id;
    targets.name = Catalog::kTargetsAlignmentSet;
    targets.source = "kaldi";
    targets.path = "alignments/d/targets";
    targets.frameShiftMs = 30;
    targets.numUtterances = 7;
    const AlignmentSetRow first = m_catalog->registerAlignmentSet(targets, UnitInventory::pdfs(4), "pdf-4");
    QVERIFY(first.unitInventoryId > 0);
    targets.numUtterances = 9;
    targets.numRejected = 1;
    const AlignmentSetRow second = m_catalog->registerAlignmentSet(targets, UnitInventory::pdfs(4), "pdf-4");
    QCOMPARE(second.id, first.id);
    QCOMPARE(second.unitInventoryId, first.unitInventoryId);
    const AlignmentSetRow stored = m_catalog->alignmentSet(d, "targets");
    QCOMPARE(stored.numUtterances, std::int64_t(9));
    QCOMPARE(stored.numRejected, std::int64_t(1));
    QCOMPARE(stored.frameShiftMs, 30.0);
    QCOMPARE(m_catalog->alignmentSets(d).size(), std::size_t(2));
    // Other units under the same inventory name: refused, and the row keeps its counts.
    targets.numUtterances = 11;
    expectError([&] { m_catalog->registerAlignmentSet(targets, UnitInventory::pdfs(5), "pdf-4"); },
                {"different unit inventory"});
    QCOMPARE(m_catalog->alignmentSet(d, "targets").numUtterances, std::int64_t(9));
  }

  void testSoftLabelSetIsRegisteredOncePerStorePath() {
    m_catalog->registerDataset(datasetSpec("u", "unlabeled"), {utt("u1")});
    m_catalog->registerDataset(datasetSpec("v", "unlabeled"), {utt("u1")});
    const DatasetRow u = m_catalog->dataset("u");
    const DatasetRow v = m_catalog->dataset("v");
    // The models row is the model registry's; written here by hand.
    m_ws->db().exec("INSERT INTO models (name) VALUES ('teacher')");
    const std::int64_t model = m_ws->db().getLastInsertRowid();

    SoftLabelSetRow s;
    s.datasetId = u.id;
    s.modelId = model;
    s.k = 20;
    s.path = "softlabels/u-teacher";
    const std::int64_t id = m_catalog->registerSoftLabelSet(s);
    s.numUtterances = 3;
    s.numFrames = 300;
    s.quantization = "log8";
    QCOMPARE(m_catalog->registerSoftLabelSet(s), id);
    std::vector<SoftLabelSetRow> sets = m_catalog->softLabelSets(u);
    QCOMPARE(sets.size(), std::size_t(1));
    QCOMPARE(sets[0].numFrames, std::int64_t(300));
    QCOMPARE(sets[0].quantization, std::string("log8"));
    QCOMPARE(sets[0].runId, std::int64_t(0));
    m_catalog->updateSoftLabelSet(id, 4, 400);
    QCOMPARE(m_catalog->softLabelSets(u)[0].numUtterances, std::int64_t(4));

    SoftLabelSetRow other = s;
    other.datasetId = v.id;
    expectError([&] { m_catalog->registerSoftLabelSet(other); }, {"another dataset"});
    SoftLabelSetRow bad = s;
    bad.path = "softlabels/x";
    bad.modelId = model + 1;
    expectError([&] { m_catalog->registerSoftLabelSet(bad); }, {"no model with id"});
    bad.modelId = model;
    bad.k = 0;
    expectError([&] { m_catalog->registerSoftLabelSet(bad); }, {"k >= 1"});
    bad.k = 20;
    bad.quantization = "int4";
    expectError([&] { m_catalog->registerSoftLabelSet(bad); }, {"'int4'"});
    QVERIFY(m_catalog->softLabelSets(v).empty());
    QCOMPARE(m_catalog->softLabelSets(u).size(), std::size_t(1));
  }

  void testSoftLabelSetIsFoundByItsStorePath() {
    m_catalog->registerDataset(datasetSpec("u", "unlabeled"), {utt("u1")});
    m_ws->db().exec("INSERT INTO models (name) VALUES ('teacher')");
    SoftLabelSetRow s;
    s.datasetId = m_catalog->dataset("u").id;
    s.modelId = m_ws->db().getLastInsertRowid();
    s.k = 8;
    s.path = "softlabels/u-teacher";
    const std::int64_t id = m_catalog->registerSoftLabelSet(s);
    const auto found = m_catalog->findSoftLabelSet("softlabels/u-teacher");
    QVERIFY(found.has_value());
    QCOMPARE(found->id, id);
    QCOMPARE(found->k, 8);
    QVERIFY(!m_catalog->findSoftLabelSet("softlabels/u").has_value());
    QVERIFY(!m_catalog->findSoftLabelSet("u-teacher").has_value());
  }

  void testSoftLabelSummaryIsUpsertedAndReadBack() {
    m_catalog->registerDataset(datasetSpec("u", "unlabeled"), {utt("u1")});
    m_ws->db().exec("INSERT INTO models (name) VALUES ('teacher')");
    SoftLabelSetRow set;
    set.datasetId = m_catalog->dataset("u").id;
    set.modelId = m_ws->db().getLastInsertRowid();
    set.k = 2;
    set.path = "softlabels/u-teacher";
    const std::int64_t id = m_catalog->registerSoftLabelSet(set);
    set.path = "softlabels/other";
    const std::int64_t otherId = m_catalog->registerSoftLabelSet(set);
    QVERIFY(!m_catalog->softLabelSummary(id).has_value());

    // Without truth: the truth columns are NULL.
    SoftLabelSummary s(4);
    SoftLabels l;
    l.frames = 2;
    l.k = 2;
    l.ids = {1, 0, 3, 2};
    l.probs = {0.75f, 0.25f, 0.5f, 0.5f};
    s.add("u1", l, nullptr, {"clean"});
    s.setStoreBytes(50);
    m_catalog->updateSoftLabelSummary(id, s);
    auto back = m_catalog->softLabelSummary(id);
    QVERIFY(back.has_value());
    QCOMPARE(back->toJson(), s.toJson());
    QVERIFY(!m_catalog->softLabelSummary(otherId).has_value());
    // The scalar columns, NULL as NaN, and updated_at.
    auto row = [&](std::int64_t setId, std::string* updatedAt = nullptr) {
      SQLite::Statement q(m_ws->db(),
                          "SELECT utterances, frames, bytes_per_frame, mean_top1, mean_entropy, truth_frames, "
                          "truth_top1_accuracy, truth_topk_recall, updated_at FROM soft_label_summaries "
                          "WHERE soft_label_set_id = ?");
      q.bind(1, static_cast<int64_t>(setId));
      std::vector<double> out;
      if (!q.executeStep()) return out;
      for (int c = 0; c < 8; ++c) out.push_back(q.getColumn(c).isNull() ? std::nan("") : q.getColumn(c).getDouble());
      if (updatedAt) *updatedAt = q.getColumn(8).getString();
      return out;
    };
    auto sameColumns = [](const std::vector<double>& got, const std::vector<double>& want) {
      if (got.size() != want.size()) return false;
      for (std::size_t i = 0; i < got.size(); ++i)
        if (!(got[i] == want[i] || (std::isnan(got[i]) && std::isnan(want[i])))) return false;
      return true;
    };
    const double nul = std::nan("");
    std::string updatedAt;
    QVERIFY(sameColumns(row(id, &updatedAt), {1, 2, 25.0, 0.625, s.meanEntropy(), nul, nul, nul}));
    QVERIFY2(updatedAt.size() == 24 && updatedAt[10] == 'T', updatedAt.c_str());  // ISO-8601 UTC

    // With truth, replacing the row (still one row for the set). u2's top-1s
    // are units 1 and 3 (the first of a tie); its truth 0 and 2 are both in
    // the top-k, the third truth frame has no label frame.
    const std::vector<std::int32_t> truth = {0, 2, 1};
    s.add("u2", l, &truth, {"clean"});
    m_catalog->updateSoftLabelSummary(id, s);
    QCOMPARE(m_ws->db().execAndGet("SELECT COUNT(*) FROM soft_label_summaries").getInt(), 1);
    QVERIFY(sameColumns(row(id), {2, 4, 12.5, 0.625, s.meanEntropy(), 2, 0.0, 1.0}));
    QCOMPARE(m_catalog->softLabelSummary(id)->toJson(), s.toJson());

    expectError([&] { m_catalog->updateSoftLabelSummary(otherId + 100, s); },
                {"no soft-label set with id " + std::to_string(otherId + 100), "workspace.db"});

    // A summary that is not valid JSON names the set and the database.
    m_ws->db().exec("UPDATE soft_label_summaries SET summary = '{' WHERE soft_label_set_id = " + std::to_string(id));
    expectError([&] { m_catalog->softLabelSummary(id); },
                {"soft-label set " + std::to_string(id), "workspace.db", "not valid JSON"});

    // Deleting the set deletes its summary.
    m_ws->db().exec("DELETE FROM soft_label_sets WHERE id = " + std::to_string(id));
    QCOMPARE(m_ws->db().execAndGet("SELECT COUNT(*) FROM soft_label_summaries").getInt(), 0);
  }

  // The per-utterance rows go in with the summary, in one transaction: found
  // by the set's dataset and the key, replaced when written again, NULL truth
  // without truth; a key outside the dataset writes nothing at all.
  void testSoftLabelUtteranceRowsAreWrittenWithTheSummary() {
    m_catalog->registerDataset(datasetSpec("u", "unlabeled"), {utt("u1"), utt("u2"), utt("u3")});
    m_catalog->registerDataset(datasetSpec("other", "unlabeled"), {utt("x1"), utt("u1")});
    m_ws->db().exec("INSERT INTO models (name) VALUES ('teacher')");
    SoftLabelSetRow set;
    set.datasetId = m_catalog->dataset("u").id;
    set.modelId = m_ws->db().getLastInsertRowid();
    set.k = 2;
    set.path = "softlabels/u-teacher";
    const std::int64_t id = m_catalog->registerSoftLabelSet(set);

    SoftLabels l;
    l.frames = 2;
    l.k = 2;
    l.ids = {1, 0, 3, 2};
    l.probs = {0.75f, 0.25f, 0.5f, 0.5f};
    SoftLabelSummary s(4);
    const std::vector<std::int32_t> truth = {0, 2, 1};
    std::vector<SoftLabelUtteranceStats> rows = {s.add("u1", l, nullptr, {}), s.add("u2", l, &truth, {})};
    m_catalog->updateSoftLabelSummary(id, s, rows);

    auto rowOf = [&](const std::string& key) {
      SQLite::Statement q(m_ws->db(),
                          "SELECT r.frames, r.mean_top1, r.mean_entropy, r.truth_frames, r.truth_top1_correct, "
                          "r.truth_in_topk FROM soft_label_utterances r JOIN utterances u ON u.id = r.utterance_id "
                          "WHERE r.soft_label_set_id = ? AND u.key = ? AND u.dataset_id = ?");
      q.bind(1, static_cast<int64_t>(id));
      q.bind(2, key);
      q.bind(3, static_cast<int64_t>(set.datasetId));
      std::vector<double> out;
      if (!q.executeStep()) return out;
      for (int c = 0; c < 6; ++c) out.push_back(q.getColumn(c).isNull() ? -1.0 : q.getColumn(c).getDouble());
      return out;
    };
    // u1 and u2 hold the same labels: top-1 .75 and .5, entropy H(.75,.25) and ln 2.
    const double entropy = (-(0.75 * std::log(0.75) + 0.25 * std::log(0.25)) + std::log(2.0)) / 2.0;
    auto near = [](const std::vector<double>& got, const std::vector<double>& want) {
      if (got.size() != want.size()) return false;
      for (std::size_t i = 0; i < got.size(); ++i)
        if (std::abs(got[i] - want[i]) > 1e-15) return false;
      return true;
    };
    QVERIFY(near(rowOf("u1"), {2, 0.625, entropy, -1, -1, -1}));  // -1: NULL
    QVERIFY(near(rowOf("u2"), {2, 0.625, entropy, 2, 0, 2}));
    QVERIFY(rowOf("u3").empty());
    QCOMPARE(m_ws->db().execAndGet("SELECT COUNT(*) FROM soft_label_utterances").getInt(), 2);
    const auto back = m_catalog->softLabelUtteranceStats(id);
    QCOMPARE(back.size(), std::size_t(2));
    QCOMPARE(back[1].key, std::string("u2"));
    QVERIFY(back[1].hasTruth && !back[0].hasTruth);
    QCOMPARE(back[1].truthInTopK, std::int64_t(2));
    QCOMPARE(back[0].meanTop1, rows[0].meanTop1);

    // Written again (a resumed labeler): replaced, still one row each.
    rows[0].frames = 7;
    m_catalog->updateSoftLabelSummary(id, s, {rows[0]});
    QCOMPARE(m_ws->db().execAndGet("SELECT COUNT(*) FROM soft_label_utterances").getInt(), 2);
    QCOMPARE(rowOf("u1").at(0), 7.0);

    // x1 is an utterance of another dataset: nothing of the call is written,
    // neither the summary nor u3's row before it.
    SoftLabelSummary more = s;
    SoftLabelUtteranceStats u3 = more.add("u3", l, nullptr, {});
    SoftLabelUtteranceStats x1 = u3;
    x1.key = "x1";
    expectError([&] { m_catalog->updateSoftLabelSummary(id, more, {u3, x1}); },
                {"'x1'", "not an utterance of the set's dataset", "workspace.db"});
    QVERIFY(rowOf("u3").empty());
    QCOMPARE(m_catalog->softLabelSummary(id)->utterances(), std::int64_t(2));

    // Deleting the set deletes its rows; so does deleting the utterance.
    m_catalog->updateSoftLabelSummary(id, more, {u3});
    m_ws->db().exec("DELETE FROM utterances WHERE key = 'u3'");
    QCOMPARE(m_ws->db().execAndGet("SELECT COUNT(*) FROM soft_label_utterances").getInt(), 2);
    m_ws->db().exec("DELETE FROM soft_label_sets WHERE id = " + std::to_string(id));
    QCOMPARE(m_ws->db().execAndGet("SELECT COUNT(*) FROM soft_label_utterances").getInt(), 0);
  }

  void testDatasetSummariesCountOkAndSkippedUtterances() {
    UtteranceRow skipped = utt("u3", 5.0);
    skipped.status = "skipped";
    m_catalog->registerDataset(datasetSpec("d"), {utt("u1", 1.5), utt("u2", 2.5), skipped});
    m_catalog->registerDataset(datasetSpec("c"), {});
    const std::vector<DatasetSummary> s = m_catalog->datasetSummaries();
    QCOMPARE(s.size(), std::size_t(2));
    QCOMPARE(s[0].dataset.name, std::string("c"));
    QCOMPARE(s[0].okUtterances, std::int64_t(0));
    QCOMPARE(s[1].okUtterances, std::int64_t(2));
    QCOMPARE(s[1].skippedUtterances, std::int64_t(1));
    QCOMPARE(s[1].okSeconds, 4.0);
  }

 private:
  // A registered feature set, with its status set as asked.
  FeatureSetRow addFeatureSet(const DatasetRow& d, const std::string& hash, bool complete) {
    FeatureSetRow f = m_catalog->registerFeatureSet(featureSpec(d, hash, complete));
    m_catalog->updateFeatureSet(f.id, 1, 10, complete);
    f.status = complete ? "complete" : "partial";
    return f;
  }

  std::unique_ptr<QTemporaryDir> m_dir;
  std::unique_ptr<Workspace> m_ws;
  std::unique_ptr<Catalog> m_catalog;
};

QTEST_GUILESS_MAIN(TestCatalog)
#include "test_catalog.moc"
