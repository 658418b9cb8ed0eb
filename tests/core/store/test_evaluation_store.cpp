// core/store: decoding results (EvaluationStore) — an evaluation and its
// utterances written in one transaction and read back exactly, totals and
// WER computed from the utterances, history kept with the newest shown, the
// models × test sets comparison of `compare` with relative WER reductions
// worked out by hand, and the schema-2 -> 3 migration keeping old rows.
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <QTemporaryDir>
#include <QtTest>
#include <atomic>
#include <cmath>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "core/store/catalog.h"
#include "core/store/evaluation_store.h"
#include "core/store/model_registry.h"
#include "core/store/run_store.h"
#include "core/store/schema.h"
#include "core/store/workspace.h"
#include "core/util/error.h"
#include "support/expect_error.h"

using namespace understudy;
using understudy::test::expectError;
namespace fs = std::filesystem;

namespace {

std::int64_t count(Workspace& ws, const std::string& table) {
  return ws.db().execAndGet("SELECT COUNT(*) FROM " + table).getInt64();
}

// A dataset of `n` utterances "u1" … "un" (with transcripts).
std::int64_t addDataset(Workspace& ws, const std::string& name, const std::string& kind, int n) {
  DatasetRow d;
  d.name = name;
  d.kind = kind;
  d.numUtterances = n;
  std::vector<UtteranceRow> utts;
  for (int i = 1; i <= n; ++i) {
    UtteranceRow u;
    u.key = "u" + std::to_string(i);
    u.text = "set a timer";
    utts.push_back(u);
  }
  return Catalog(ws).registerDataset(d, utts);
}

std::int64_t addModel(Workspace& ws, const std::string& name) {
  ModelRow m;
  m.name = name;
  m.role = "student";
  return registerModel(ws.db(), m);
}

UtteranceResult result(const std::string& key, std::int64_t corr, std::int64_t sub,
                       std::int64_t del, std::int64_t ins) {
  UtteranceResult u;
  u.key = key;
  u.corr = corr;
  u.sub = sub;
  u.del = del;
  u.ins = ins;
  return u;
}

// An evaluation whose WER is errors / refWords exactly: one utterance "u1"
// with refWords − errors correct words and `errors` substitutions.
Evaluation withWer(std::int64_t model, std::int64_t dataset, std::int64_t errors,
                   std::int64_t refWords) {
  Evaluation e;
  e.modelId = model;
  e.datasetId = dataset;
  e.utterances = {result("u1", refWords - errors, errors, 0, 0)};
  return e;
}

}  // namespace

class TestEvaluationStore : public QObject {
  Q_OBJECT

 private slots:
  void testWriteThenReadBackEveryField() {
    QTemporaryDir dir;
    Workspace ws = Workspace::create(dir.path().toStdString());
    const auto dataset = addDataset(ws, "synth-test-clean", "test", 3);
    const auto model = addModel(ws, "teacher");
    const auto run = RunStore(ws.db()).startRun({"decode", "teacher", "", "", "", std::nullopt});

    Evaluation e;
    e.modelId = model;
    e.datasetId = dataset;
    e.runId = run;
    e.rtf = 0.0271;
    // Keys out of order: the settings are stored with their keys sorted.
    e.settings = R"({"beam": 13, "acoustic_scale": 0.1, "lm": {"sha256": "ab12", "order": 3},
                    "tuned_on": "synth-labeled-heldout"})";
    UtteranceResult a = result("u2", 3, 1, 0, 1);
    a.hypothesis = "set the timer now";
    a.oovWords = 1;
    a.alignment = "REF: set A timer ***\nHYP: set THE timer NOW\n";
    a.words = {{"set", 0.12, 0.33},
               {"the", 0.33, 0.42},
               {"timer", 0.42, 0.9000000000000001},
               {"now", 0.9000000000000001, 1.25}};
    UtteranceResult b = result("u1", 4, 0, 0, 0);
    b.hypothesis = "play some jazz please";
    b.alignment = "REF: play some jazz please\nHYP: play some jazz please\n";
    b.words = {{"play", 0.0, 0.3}, {"some", 0.3, 0.5}, {"jazz", 0.5, 0.8}, {"please", 0.8, 1.1}};
    UtteranceResult c = result("u3", 0, 0, 2, 0);  // empty hypothesis: all deletions
    c.oovWords = 2;
    c.alignment = "REF: HELLO THERE\nHYP: ***** *****\n";
    e.utterances = {a, b, c};
    const std::int64_t id = EvaluationStore(ws).write(e);

    const auto row = EvaluationStore(ws).evaluation(id);
    QVERIFY(row.has_value());
    QCOMPARE(row->id, id);
    QCOMPARE(row->model, std::string("teacher"));
    QCOMPARE(row->modelId, model);
    QCOMPARE(row->dataset, std::string("synth-test-clean"));
    QCOMPARE(row->datasetId, dataset);
    QCOMPARE(row->runId, run);
    QVERIFY(row->rtf.has_value());
    QCOMPARE(*row->rtf, 0.0271);
    QCOMPARE(row->settings,
             std::string(R"({"acoustic_scale":0.1,"beam":13,"lm":{"order":3,"sha256":"ab12"},)"
                         R"("tuned_on":"synth-labeled-heldout"})"));
    QVERIFY(!row->createdAt.empty());

    // Totals by hand: corr 3+4+0, sub 1, del 2, ins 1; reference words
    // 4+4+2 = 10; errors 4 → 40 %; u2 and u3 have errors; OOV 1+0+2.
    QCOMPARE(row->numSentences, std::int64_t(3));
    QCOMPARE(row->corr, std::int64_t(7));
    QCOMPARE(row->sub, std::int64_t(1));
    QCOMPARE(row->del, std::int64_t(2));
    QCOMPARE(row->ins, std::int64_t(1));
    QCOMPARE(row->numRefWords, std::int64_t(10));
    QCOMPARE(row->errors(), std::int64_t(4));
    QCOMPARE(row->wer, 40.0);
    QCOMPARE(row->sentenceErrors, std::int64_t(2));
    QCOMPARE(row->oovWords, std::int64_t(3));

    // Utterances come back by key, every field as written (times bit for bit).
    const auto back = EvaluationStore(ws).utteranceResults(id);
    QCOMPARE(back.size(), std::size_t(3));
    const UtteranceResult* want[] = {&b, &a, &c};
    for (std::size_t i = 0; i < 3; ++i) {
      const UtteranceResult& w = *want[i];
      QCOMPARE(back[i].key, w.key);
      QCOMPARE(back[i].hypothesis, w.hypothesis);
      QCOMPARE(back[i].corr, w.corr);
      QCOMPARE(back[i].sub, w.sub);
      QCOMPARE(back[i].del, w.del);
      QCOMPARE(back[i].ins, w.ins);
      QCOMPARE(back[i].oovWords, w.oovWords);
      QCOMPARE(back[i].alignment, w.alignment);
      QVERIFY2(back[i].words == w.words, w.key.c_str());
    }
    // The columns hold what docs/decoding.md says they hold.
    QCOMPARE(ws.db()
                 .execAndGet("SELECT words FROM utterance_results r JOIN utterances u ON "
                             "u.id = r.utterance_id WHERE u.key = 'u1'")
                 .getString(),
             std::string(R"([{"end":0.3,"start":0.0,"word":"play"},{"end":0.5,"start":0.3,)"
                         R"("word":"some"},{"end":0.8,"start":0.5,"word":"jazz"},)"
                         R"({"end":1.1,"start":0.8,"word":"please"}])"));
    QCOMPARE(ws.db()
                 .execAndGet("SELECT json_extract(config, '$.acoustic_scale') FROM evaluations")
                 .getDouble(),
             0.1);

    // No rtf: NULL, and none when read back.
    Evaluation noRtf = withWer(model, dataset, 1, 4);
    const auto id2 = EvaluationStore(ws).write(noRtf);
    QVERIFY(!EvaluationStore(ws).evaluation(id2)->rtf.has_value());
    QVERIFY(ws.db()
                .execAndGet("SELECT rtf FROM evaluations WHERE id = " + std::to_string(id2))
                .isNull());
    QCOMPARE(EvaluationStore(ws).evaluation(id2)->runId, std::int64_t(0));
    QCOMPARE(EvaluationStore(ws).evaluation(id2)->settings, std::string("{}"));
    QVERIFY(!EvaluationStore(ws).evaluation(id2 + 1).has_value());
    expectError([&] { EvaluationStore(ws).utteranceResults(id2 + 1); },
                {"no evaluation with id " + std::to_string(id2 + 1)});
  }

  void testHistoryIsKeptAndTheNewestIsLatest() {
    QTemporaryDir dir;
    Workspace ws = Workspace::create(dir.path().toStdString());
    const auto clean = addDataset(ws, "clean", "test", 1);
    const auto noisy = addDataset(ws, "noisy", "test", 1);
    const auto teacher = addModel(ws, "teacher");
    const auto student = addModel(ws, "student");
    EvaluationStore store(ws);
    const auto first = store.write(withWer(teacher, clean, 2, 10));
    const auto other = store.write(withWer(student, clean, 1, 10));
    const auto second = store.write(withWer(teacher, clean, 1, 10));  // same settings again
    const auto noisyId = store.write(withWer(teacher, noisy, 3, 10));

    const auto history = store.evaluations(teacher, clean);
    QCOMPARE(history.size(), std::size_t(2));
    QCOMPARE(history[0].id, second);  // newest first
    QCOMPARE(history[1].id, first);
    QCOMPARE(history[1].wer, 20.0);  // the earlier one is untouched
    QCOMPARE(store.latest(teacher, clean)->id, second);
    QCOMPARE(store.latest(teacher, clean)->wer, 10.0);
    QCOMPARE(store.latest(student, clean)->id, other);
    QCOMPARE(store.latest(teacher, noisy)->id, noisyId);
    QVERIFY(!store.latest(student, noisy).has_value());
    QCOMPARE(store.evaluations().size(), std::size_t(4));
    QCOMPARE(store.evaluations(teacher).size(), std::size_t(3));
    QCOMPARE(store.evaluations(0, clean).size(), std::size_t(3));
    QCOMPARE(store.evaluations().front().id, noisyId);
    QCOMPARE(count(ws, "utterance_results"), std::int64_t(4));
  }

  void testRefusedWritesSayWhyAndLeaveNothing() {
    QTemporaryDir dir;
    Workspace ws = Workspace::create(dir.path().toStdString());
    const auto dataset = addDataset(ws, "set", "test", 3);
    const auto model = addModel(ws, "teacher");
    EvaluationStore store(ws);
    const Evaluation good = withWer(model, dataset, 1, 5);
    auto refused = [&](const std::function<void(Evaluation&)>& change,
                       const std::vector<std::string>& needles) {
      Evaluation e = good;
      change(e);
      expectError([&] { store.write(e); }, needles);
      QCOMPARE(count(ws, "evaluations"), std::int64_t(0));
      QCOMPARE(count(ws, "utterance_results"), std::int64_t(0));
    };
    refused([](Evaluation& e) { e.modelId = 99; }, {"no model with id 99"});
    refused([](Evaluation& e) { e.datasetId = 99; }, {"no dataset with id 99"});
    refused([](Evaluation& e) { e.runId = 99; }, {"no run with id 99"});
    refused([](Evaluation& e) { e.utterances.clear(); }, {"'teacher'", "'set'", "no utterances"});
    refused([](Evaluation& e) { e.utterances.push_back(result("u7", 1, 0, 0, 0)); },
            {"utterance 'u7'", "not in dataset 'set'"});
    refused([](Evaluation& e) { e.utterances.push_back(result("u1", 1, 0, 0, 0)); },
            {"utterance 'u1'", "appears twice"});
    refused([](Evaluation& e) { e.utterances.push_back(result("u2", 1, 0, -1, 0)); },
            {"utterance 'u2'", "negative count del"});
    refused([](Evaluation& e) { e.settings = "[1, 2]"; }, {"not a JSON object"});
    refused([](Evaluation& e) { e.settings = "{\"beam\": "; }, {"not valid JSON"});
    refused([](Evaluation& e) { e.rtf = -0.5; }, {"real-time factor"});
    refused([](Evaluation& e) { e.rtf = std::nan(""); }, {"real-time factor"});
    refused(
        [](Evaluation& e) {
          e.utterances[0].words = {{"a", 0.0, 0.2}, {"b", 0.5, 0.4}};
        },
        {"utterance 'u1'", "word 'b' has times 0.5 .. 0.4 s"});
    refused(
        [](Evaluation& e) {
          e.utterances[0].words = {{"a", -0.1, 0.2}};
        },
        {"utterance 'u1'", "word 'a'"});
    refused([](Evaluation& e) { e.utterances = {result("u1", 0, 0, 0, 2)}; },
            {"no reference words", "undefined"});
    QVERIFY(store.write(good) > 0);
  }

  void testAFailureHalfWayLeavesNoPartialEvaluation() {
    QTemporaryDir dir;
    Workspace ws = Workspace::create(dir.path().toStdString());
    const auto dataset = addDataset(ws, "set", "test", 50);
    const auto model = addModel(ws, "teacher");
    // The database fails the 40th utterance row (as a full disk would).
    ws.db().exec(
        "CREATE TEMP TRIGGER fail_late BEFORE INSERT ON utterance_results "
        "WHEN NEW.hypothesis = 'fail here' BEGIN SELECT RAISE(ABORT, 'disk full'); END");
    Evaluation e;
    e.modelId = model;
    e.datasetId = dataset;
    for (int i = 1; i <= 50; ++i) {
      e.utterances.push_back(result("u" + std::to_string(i), 2, 1, 0, 0));
      if (i == 40) e.utterances.back().hypothesis = "fail here";
    }
    QVERIFY_THROWS_EXCEPTION(std::exception, EvaluationStore(ws).write(e));
    QCOMPARE(count(ws, "evaluations"), std::int64_t(0));
    QCOMPARE(count(ws, "utterance_results"), std::int64_t(0));
    e.utterances[39].hypothesis = "fine";
    QVERIFY(EvaluationStore(ws).write(e) > 0);
    QCOMPARE(count(ws, "utterance_results"), std::int64_t(50));
  }

  void testAReaderInAnotherConnectionSeesNoneOrAllOfAnEvaluation() {
    QTemporaryDir dir;
    const fs::path root = dir.path().toStdString();
    constexpr int kUtterances = 1500, kEvaluations = 12;
    std::int64_t model = 0, dataset = 0;
    {
      Workspace ws = Workspace::create(root);
      dataset = addDataset(ws, "big", "test", kUtterances);
      model = addModel(ws, "teacher");
    }
    std::atomic<bool> done{false};
    std::atomic<int> partial{0}, reads{0}, errors{0}, lastSeen{0};
    std::thread reader([&] {
      Workspace ws = Workspace::open(root);
      // One statement is one snapshot: every evaluation it sees must have
      // all its utterance rows. One last read after the writer is done.
      SQLite::Statement q(ws.db(),
                          "SELECT COUNT(*), COALESCE(SUM(e.num_sentences != (SELECT COUNT(*) "
                          "FROM utterance_results r WHERE r.evaluation_id = e.id)), 0) "
                          "FROM evaluations e");
      for (bool last = false; !last;) {
        last = done;
        try {
          q.executeStep();
          lastSeen = q.getColumn(0).getInt();
          partial += q.getColumn(1).getInt();
          q.reset();
          ++reads;
        } catch (const std::exception&) {
          ++errors;
          q.reset();
        }
      }
    });
    while (reads.load() == 0 && errors.load() == 0) std::this_thread::yield();
    {
      Workspace ws = Workspace::open(root);
      Evaluation e;
      e.modelId = model;
      e.datasetId = dataset;
      for (int i = 1; i <= kUtterances; ++i) {
        e.utterances.push_back(result("u" + std::to_string(i), 5, i % 2, i % 3 == 0, 0));
        e.utterances.back().alignment = "REF: x\nHYP: y\n";
      }
      for (int n = 0; n < kEvaluations; ++n) EvaluationStore(ws).write(e);
    }
    done = true;
    reader.join();
    QCOMPARE(errors.load(), 0);
    QVERIFY(reads.load() > 1);
    QCOMPARE(lastSeen.load(), kEvaluations);
    QCOMPARE(partial.load(), 0);
  }

  void testRelativeWerReductionIsBaselineMinusModelOverBaseline() {
    QCOMPARE(*relativeWerReduction(10.0, 8.0), 20.0);
    QCOMPARE(*relativeWerReduction(12.5, 10.0), 20.0);
    QCOMPARE(*relativeWerReduction(8.0, 10.0), -25.0);  // worse than the baseline
    QCOMPARE(*relativeWerReduction(10.0, 10.0), 0.0);
    QCOMPARE(*relativeWerReduction(4.0, 0.0), 100.0);
    QVERIFY(std::abs(*relativeWerReduction(30.0, 27.0) - 10.0) < 1e-12);
    QVERIFY(!relativeWerReduction(0.0, 5.0).has_value());
    QVERIFY(!relativeWerReduction(0.0, 0.0).has_value());
  }

  void testCompareShowsTheNewestEvaluationOfEachModelOnEachTestSet() {
    QTemporaryDir dir;
    Workspace ws = Workspace::create(dir.path().toStdString());
    const auto noisy = addDataset(ws, "synth-test-noisy", "test", 1);
    const auto clean = addDataset(ws, "synth-test-clean", "test", 1);
    addDataset(ws, "synth-test-unseen", "test", 1);  // no evaluation: no column
    const auto labeled = addDataset(ws, "synth-labeled", "labeled", 1);
    const auto teacher = addModel(ws, "teacher");
    const auto studentB = addModel(ws, "student-b");
    const auto studentA = addModel(ws, "student-a");
    addModel(ws, "never-decoded");
    EvaluationStore store(ws);
    store.write(withWer(teacher, clean, 20, 100));  // superseded by the next
    store.write(withWer(teacher, clean, 10, 100));
    store.write(withWer(teacher, noisy, 30, 100));
    store.write(withWer(studentA, clean, 8, 100));
    store.write(withWer(studentA, noisy, 27, 100));
    store.write(withWer(studentB, clean, 12, 100));
    store.write(withWer(studentA, labeled, 1, 100));  // not a test set

    const WerComparison plain = store.compareWer();
    QCOMPARE(plain.datasets, (std::vector<std::string>{"synth-test-clean", "synth-test-noisy"}));
    QCOMPARE(plain.models, (std::vector<std::string>{"teacher", "student-b", "student-a"}));
    QVERIFY(plain.baseline.empty());
    QCOMPARE(plain.cell("teacher", "synth-test-clean")->wer, 10.0);
    QCOMPARE(plain.cell("teacher", "synth-test-clean")->errors, std::int64_t(10));
    QCOMPARE(plain.cell("teacher", "synth-test-clean")->numRefWords, std::int64_t(100));
    QCOMPARE(plain.cell("teacher", "synth-test-clean")->sub, std::int64_t(10));
    QCOMPARE(plain.cell("teacher", "synth-test-clean")->del, std::int64_t(0));
    QCOMPARE(plain.cell("teacher", "synth-test-clean")->ins, std::int64_t(0));
    QCOMPARE(plain.cell("teacher", "synth-test-noisy")->wer, 30.0);
    QCOMPARE(plain.cell("student-a", "synth-test-noisy")->wer, 27.0);
    QVERIFY(!plain.cell("student-b", "synth-test-noisy").has_value());
    QVERIFY(!plain.cell("student-a", "synth-test-clean")->relativeReduction.has_value());
    QVERIFY(!plain.cell("student-a", "synth-test-clean")->stale);
    QVERIFY(!plain.cell("student-a", "synth-test-clean")->partial());

    // Against the teacher: (10 − 8)/10 = 20 %, (30 − 27)/30 = 10 %, (10 − 12)/10 = −20 %.
    const WerComparison vs = store.compareWer({"teacher", {}});
    QCOMPARE(vs.baseline, std::string("teacher"));
    QCOMPARE(vs.models.front(), std::string("teacher"));
    QCOMPARE(*vs.cell("student-a", "synth-test-clean")->relativeReduction, 20.0);
    QVERIFY(std::abs(*vs.cell("student-a", "synth-test-noisy")->relativeReduction - 10.0) < 1e-12);
    QCOMPARE(*vs.cell("student-b", "synth-test-clean")->relativeReduction, -20.0);
    QCOMPARE(*vs.cell("teacher", "synth-test-clean")->relativeReduction, 0.0);
    QVERIFY(!vs.cell("student-b", "synth-test-noisy").has_value());

    // The baseline goes first; the others keep their order.
    const WerComparison vsA = store.compareWer({"student-a", {}});
    QCOMPARE(vsA.models, (std::vector<std::string>{"student-a", "teacher", "student-b"}));
    QCOMPARE(*vsA.cell("teacher", "synth-test-clean")->relativeReduction, -25.0);

    // Datasets named: in that order, any kind, one without evaluations kept.
    const WerComparison named =
        store.compareWer({"", {"synth-labeled", "synth-test-unseen", "synth-test-clean"}});
    QCOMPARE(named.datasets,
             (std::vector<std::string>{"synth-labeled", "synth-test-unseen", "synth-test-clean"}));
    QCOMPARE(named.models, (std::vector<std::string>{"teacher", "student-b", "student-a"}));
    QCOMPARE(named.cell("student-a", "synth-labeled")->wer, 1.0);
    QVERIFY(!named.cell("teacher", "synth-test-unseen").has_value());
    QCOMPARE(store.compareWer({"", {"synth-labeled"}}).models,
             (std::vector<std::string>{"student-a"}));

    expectError(
        [&] {
          store.compareWer({"", {"synth-test-clen"}});
        },
        {"no dataset named 'synth-test-clen'", "synth-labeled", "synth-test-clean"});
    expectError(
        [&] {
          store.compareWer({"techer", {}});
        },
        {"no model named 'techer'", "--baseline",
         "models: teacher, student-b, student-a, "
         "never-decoded"});
    expectError(
        [&] {
          store.compareWer({"never-decoded", {}});
        },
        {"'never-decoded' has no evaluation on synth-test-clean, synth-test-noisy",
         "understudy-cli decode", "models evaluated there: teacher, student-b, student-a"});
    expectError(
        [&] {
          store.compareWer({"student-b", {"synth-test-noisy"}});
        },
        {"'student-b' has no evaluation on synth-test-noisy"});
  }

  void testBaselineWithoutErrorsGivesNoRelativeReduction() {
    QTemporaryDir dir;
    Workspace ws = Workspace::create(dir.path().toStdString());
    const auto set = addDataset(ws, "t", "test", 1);
    const auto perfect = addModel(ws, "perfect");
    const auto other = addModel(ws, "other");
    EvaluationStore store(ws);
    store.write(withWer(perfect, set, 0, 10));
    store.write(withWer(other, set, 2, 10));
    const WerComparison c = store.compareWer({"perfect", {}});
    QCOMPARE(c.cell("perfect", "t")->wer, 0.0);
    QVERIFY(!c.cell("other", "t")->relativeReduction.has_value());
  }

  void testCompareFlagsStaleAndPartialEvaluations() {
    QTemporaryDir dir;
    Workspace ws = Workspace::create(dir.path().toStdString());
    const auto set = addDataset(ws, "t", "test", 3);
    const auto teacher = addModel(ws, "teacher");
    const auto student = addModel(ws, "student");
    EvaluationStore store(ws);
    Evaluation full = withWer(teacher, set, 1, 4);
    full.utterances.push_back(result("u2", 3, 0, 0, 0));
    full.utterances.push_back(result("u3", 3, 0, 0, 0));
    store.write(full);
    store.write(withWer(student, set, 1, 4));  // u1 only: 1 of 3 utterances
    // The teacher was trained again after its evaluation.
    ws.db().exec("UPDATE evaluations SET created_at = '2026-01-01T00:00:00.000Z'");
    ws.db().exec(
        "UPDATE models SET created_at = '2026-01-01T00:00:00.001Z' WHERE name = 'teacher'");
    ws.db().exec(
        "UPDATE models SET created_at = '2026-01-01T00:00:00.000Z' WHERE name = 'student'");
    const WerComparison c = store.compareWer();
    QVERIFY(c.cell("teacher", "t")->stale);
    QVERIFY(!c.cell("teacher", "t")->partial());
    QCOMPARE(c.cell("teacher", "t")->numSentences, std::int64_t(3));
    QVERIFY(!c.cell("student", "t")->stale);
    QVERIFY(c.cell("student", "t")->partial());
    QCOMPARE(c.cell("student", "t")->numSentences, std::int64_t(1));
    QCOMPARE(c.cell("student", "t")->datasetUtterances, std::int64_t(3));
    // A skipped utterance is not one the evaluation could have scored.
    ws.db().exec("UPDATE utterances SET status = 'skipped' WHERE key != 'u1'");
    QVERIFY(!store.compareWer().cell("student", "t")->partial());
  }

  void testNoEvaluationsGiveAnEmptyComparison() {
    QTemporaryDir dir;
    Workspace ws = Workspace::create(dir.path().toStdString());
    addDataset(ws, "t", "test", 1);
    addModel(ws, "teacher");
    const WerComparison c = EvaluationStore(ws).compareWer();
    QVERIFY(c.empty());
    QVERIFY(c.datasets.empty());
    QVERIFY(!c.cell("teacher", "t").has_value());
  }

  void testVersion2WorkspaceMigratesKeepingItsEvaluations() {
    QTemporaryDir dir;
    const fs::path root = dir.path().toStdString();
    {
      // A workspace as schema 2 made it, with an evaluation in the v2 columns.
      SQLite::Database db(root / "workspace.db", SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
      db.exec(store::migrations().at(0));
      db.exec(store::migrations().at(1));
      db.exec("PRAGMA user_version = 2");
      db.exec("INSERT INTO datasets (name, kind) VALUES ('t', 'test')");
      db.exec(
          "INSERT INTO utterances (dataset_id, key, text) VALUES (1, 'a', 'x y'), "
          "(1, 'b', 'z')");
      db.exec("INSERT INTO models (name) VALUES ('teacher')");
      db.exec(
          "INSERT INTO evaluations (model_id, dataset_id, wer, num_sentences, num_ref_words, "
          "corr, sub, del, ins, sentence_errors, config) VALUES "
          "(1, 1, 33.25, 2, 3, 2, 1, 0, 0, 1, '')");
      db.exec(
          "INSERT INTO utterance_results (evaluation_id, utterance_id, hypothesis, corr, sub) "
          "VALUES (1, 1, 'x q', 1, 1), (1, 2, 'z', 1, 0)");
      QCOMPARE(db.execAndGet("SELECT COUNT(*) FROM pragma_table_info('evaluations') "
                             "WHERE name = 'rtf'")
                   .getInt(),
               0);
    }
    Workspace ws = Workspace::open(root);
    QCOMPARE(ws.schemaVersion(), store::kSchemaVersion);
    EvaluationStore store(ws);
    const auto row = store.evaluation(1);
    QVERIFY(row.has_value());
    QCOMPARE(row->wer, 33.25);  // as stored, not recomputed
    QCOMPARE(row->numSentences, std::int64_t(2));
    QCOMPARE(row->numRefWords, std::int64_t(3));
    QCOMPARE(row->sub, std::int64_t(1));
    QCOMPARE(row->sentenceErrors, std::int64_t(1));
    QVERIFY(!row->rtf.has_value());
    QCOMPARE(row->oovWords, std::int64_t(0));
    QCOMPARE(row->settings, std::string("{}"));
    const auto utts = store.utteranceResults(1);
    QCOMPARE(utts.size(), std::size_t(2));
    QCOMPARE(utts[0].key, std::string("a"));
    QCOMPARE(utts[0].hypothesis, std::string("x q"));
    QCOMPARE(utts[0].sub, std::int64_t(1));
    QCOMPARE(utts[0].alignment, std::string());
    QVERIFY(utts[0].words.empty());
    QCOMPARE(store.compareWer().cell("teacher", "t")->wer, 33.25);
    // The indexes of schema 3 replace evaluations_by_model.
    for (const char* index : {"evaluations_by_model_dataset", "utterance_results_by_utterance"})
      QVERIFY2(ws.db().execAndGet(std::string("SELECT COUNT(*) FROM sqlite_master WHERE "
                                              "type = 'index' AND name = '") +
                                  index + "'")
                       .getInt() == 1,
               index);
    QCOMPARE(ws.db()
                 .execAndGet("SELECT COUNT(*) FROM sqlite_master WHERE name = "
                             "'evaluations_by_model'")
                 .getInt(),
             0);
    // New evaluations go in beside the old one.
    Evaluation e;
    e.modelId = 1;
    e.datasetId = 1;
    e.rtf = 0.5;
    e.utterances = {result("a", 2, 0, 0, 0)};
    e.utterances[0].words = {{"x", 0.0, 0.1}, {"y", 0.1, 0.2}};
    const auto id = store.write(e);
    QCOMPARE(store.latest(1, 1)->id, id);
    QCOMPARE(store.utteranceResults(id)[0].words.size(), std::size_t(2));
    QCOMPARE(store.evaluations().size(), std::size_t(2));
  }

  void testTheComparisonQueryUsesTheNewIndex() {
    QTemporaryDir dir;
    Workspace ws = Workspace::create(dir.path().toStdString());
    SQLite::Statement q(ws.db(),
                        "EXPLAIN QUERY PLAN SELECT MAX(id) FROM evaluations "
                        "WHERE model_id = 1 AND dataset_id = 2");
    std::string plan;
    while (q.executeStep()) plan += q.getColumn(3).getString() + "\n";
    QVERIFY2(QString::fromStdString(plan).contains("evaluations_by_model_dataset"), plan.c_str());
  }

  void testDeletingADatasetDeletesItsEvaluations() {
    QTemporaryDir dir;
    Workspace ws = Workspace::create(dir.path().toStdString());
    const auto set = addDataset(ws, "t", "test", 2);
    const auto keep = addDataset(ws, "k", "test", 1);
    const auto model = addModel(ws, "teacher");
    EvaluationStore store(ws);
    Evaluation e = withWer(model, set, 1, 3);
    e.utterances.push_back(result("u2", 1, 0, 0, 0));
    store.write(e);
    store.write(withWer(model, keep, 1, 3));
    ws.db().exec("DELETE FROM datasets WHERE name = 't'");
    QCOMPARE(count(ws, "evaluations"), std::int64_t(1));
    QCOMPARE(count(ws, "utterance_results"), std::int64_t(1));
    QCOMPARE(store.evaluations().front().dataset, std::string("k"));
  }
};

QTEST_GUILESS_MAIN(TestEvaluationStore)
#include "test_evaluation_store.moc"
