// core/store: workspace layout, schema migrations, WAL concurrency, runs and metrics.
#include <QTemporaryDir>
#include <QtTest>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <thread>

#include "core/store/run_store.h"
#include "core/store/schema.h"
#include "core/store/workspace.h"
#include "core/util/error.h"
#include "core/util/events.h"

using namespace understudy;
namespace fs = std::filesystem;

class TestWorkspace : public QObject {
  Q_OBJECT

 private slots:
  void testCreateMakesLayoutAndCurrentSchema() {
    QTemporaryDir dir;
    const fs::path root = dir.filePath("a/b/ws").toStdString();
    Workspace ws = Workspace::create(root);
    QCOMPARE(ws.schemaVersion(), store::kSchemaVersion);
    for (const char* sub : Workspace::kSubdirs) QVERIFY2(fs::is_directory(root / sub), sub);
    QCOMPARE(ws.db().execAndGet("PRAGMA journal_mode").getString(), std::string("wal"));
    for (const auto& table : store::tableNames()) {
      SQLite::Statement q(ws.db(), "SELECT COUNT(*) FROM sqlite_master WHERE type='table' AND name=?");
      q.bind(1, table);
      QVERIFY(q.executeStep());
      QVERIFY2(q.getColumn(0).getInt() == 1, table.c_str());
    }
  }

  void testMigrationFromEmptyDatabase() {
    QTemporaryDir dir;
    const fs::path root = dir.path().toStdString();
    {
      // A version-0 database: the file exists, with no tables at all.
      SQLite::Database db(root / "workspace.db", SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
      QCOMPARE(store::schemaVersion(db), 0);
    }
    Workspace ws = Workspace::open(root);
    QCOMPARE(ws.schemaVersion(), store::kSchemaVersion);
    ws.db().exec("INSERT INTO datasets (name, kind) VALUES ('d', 'labeled')");
    QCOMPARE(ws.info().rowCounts["datasets"], std::int64_t(1));
  }

  void testVersion1DatabaseMigratesKeepingItsRows() {
    QTemporaryDir dir;
    const fs::path root = dir.path().toStdString();
    {
      // A workspace as schema 1 made it: the v1 SQL, with a labeled set.
      SQLite::Database db(root / "workspace.db", SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
      db.exec(store::migrations().at(0));
      db.exec("PRAGMA user_version = 1");
      db.exec("INSERT INTO datasets (name, kind) VALUES ('u', 'unlabeled')");
      db.exec("INSERT INTO models (name) VALUES ('teacher')");
      db.exec("INSERT INTO soft_label_sets (dataset_id, model_id, k, path, num_frames) "
              "VALUES (1, 1, 20, 'softlabels/u-teacher', 1234)");
      QCOMPARE(db.execAndGet("SELECT COUNT(*) FROM sqlite_master WHERE name='soft_label_summaries'").getInt(), 0);
    }
    Workspace ws = Workspace::open(root);
    QCOMPARE(ws.schemaVersion(), store::kSchemaVersion);
    QCOMPARE(ws.db().execAndGet("SELECT num_frames FROM soft_label_sets WHERE path = 'softlabels/u-teacher'")
                 .getInt(),
             1234);
    QCOMPARE(ws.db().execAndGet("SELECT name FROM datasets").getString(), std::string("u"));
    // The new table is there and tied to its set.
    ws.db().exec("INSERT INTO soft_label_summaries (soft_label_set_id, frames, summary) VALUES (1, 1234, '{}')");
    QCOMPARE(ws.info().rowCounts["soft_label_summaries"], std::int64_t(1));
    QVERIFY_THROWS_EXCEPTION(SQLite::Exception,
                             ws.db().exec("INSERT INTO soft_label_summaries (soft_label_set_id) VALUES (2)"));
    ws.db().exec("DELETE FROM soft_label_sets");
    QCOMPARE(ws.info().rowCounts["soft_label_summaries"], std::int64_t(0));
  }

  void testVersion4DatabaseMigratesKeepingItsRows() {
    QTemporaryDir dir;
    const fs::path root = dir.path().toStdString();
    std::map<std::string, std::int64_t> before;
    {
      // A workspace as schema 4 made it: a labeled set with its summary, a
      // decoded utterance, a node.
      SQLite::Database db(root / "workspace.db", SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
      for (int v = 0; v < 4; ++v) db.exec(store::migrations().at(v));
      db.exec("PRAGMA user_version = 4");
      db.exec("INSERT INTO datasets (name, kind) VALUES ('u', 'unlabeled')");
      db.exec("INSERT INTO utterances (dataset_id, key) VALUES (1, 'u1'), (1, 'u2')");
      db.exec("INSERT INTO models (name) VALUES ('teacher')");
      db.exec("INSERT INTO soft_label_sets (dataset_id, model_id, k, path, num_frames) "
              "VALUES (1, 1, 20, 'softlabels/u-teacher', 1234)");
      db.exec("INSERT INTO soft_label_summaries (soft_label_set_id, frames, summary) VALUES (1, 1234, '{}')");
      db.exec("INSERT INTO evaluations (model_id, dataset_id, wer) VALUES (1, 1, 12.5)");
      db.exec("INSERT INTO utterance_results (evaluation_id, utterance_id, hypothesis) VALUES (1, 2, 'a b')");
      db.exec("INSERT INTO nodes (name, host, binary_path) VALUES ('n', 'h', '/opt/us')");
      for (const auto& table : store::tableNames())
        if (table != "soft_label_utterances")
          before[table] = db.execAndGet("SELECT COUNT(*) FROM " + table).getInt64();
      QCOMPARE(db.execAndGet("SELECT COUNT(*) FROM sqlite_master WHERE name='soft_label_utterances'").getInt(), 0);
    }
    Workspace ws = Workspace::open(root);
    QCOMPARE(ws.schemaVersion(), 5);
    QCOMPARE(store::kSchemaVersion, 5);
    const auto info = ws.info();
    for (const auto& [table, rows] : before) QCOMPARE(info.rowCounts.at(table), rows);
    QCOMPARE(before.at("utterances"), std::int64_t(2));
    QCOMPARE(ws.db().execAndGet("SELECT frames FROM soft_label_summaries").getInt(), 1234);
    QCOMPARE(ws.db().execAndGet("SELECT hypothesis FROM utterance_results").getString(), std::string("a b"));
    QCOMPARE(ws.db().execAndGet("SELECT binary_path FROM nodes").getString(), std::string("/opt/us"));
    // The new table is empty, tied to its set and its utterance, and indexed by utterance.
    QCOMPARE(info.rowCounts.at("soft_label_utterances"), std::int64_t(0));
    ws.db().exec("INSERT INTO soft_label_utterances (soft_label_set_id, utterance_id, frames, mean_top1, "
                 "mean_entropy) VALUES (1, 1, 10, 0.5, 1.25), (1, 2, 20, 0.75, 0.5)");
    QVERIFY_THROWS_EXCEPTION(SQLite::Exception,
                             ws.db().exec("INSERT INTO soft_label_utterances (soft_label_set_id, utterance_id, "
                                          "frames, mean_top1, mean_entropy) VALUES (1, 3, 1, 0, 0)"));
    QVERIFY_THROWS_EXCEPTION(SQLite::Exception,
                             ws.db().exec("INSERT INTO soft_label_utterances (soft_label_set_id, utterance_id, "
                                          "frames, mean_top1, mean_entropy) VALUES (1, 1, 1, 0, 0)"));
    QCOMPARE(ws.db().execAndGet("SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND "
                                "name = 'soft_label_utterances_by_utterance'").getInt(), 1);
    ws.db().exec("DELETE FROM utterances WHERE key = 'u2'");
    QCOMPARE(ws.info().rowCounts.at("soft_label_utterances"), std::int64_t(1));
    ws.db().exec("DELETE FROM soft_label_sets");
    QCOMPARE(ws.info().rowCounts.at("soft_label_utterances"), std::int64_t(0));
  }

  void testFailedMigrationChangesNothing() {
    QTemporaryDir dir;
    const fs::path root = dir.path().toStdString();
    {
      SQLite::Database db(root / "workspace.db", SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
      db.exec("CREATE TABLE runs (x INTEGER)");  // clashes with v1's runs table
    }
    QVERIFY_THROWS_EXCEPTION(Error, Workspace::open(root));
    SQLite::Database db(root / "workspace.db", SQLite::OPEN_READONLY);
    QCOMPARE(store::schemaVersion(db), 0);
    QCOMPARE(db.execAndGet("SELECT COUNT(*) FROM sqlite_master WHERE name='datasets'").getInt(), 0);
  }

  void testNewerSchemaIsRefusedAndUntouched() {
    QTemporaryDir dir;
    const fs::path root = dir.path().toStdString();
    { Workspace::create(root).db().exec("PRAGMA user_version = 7"); }
    const auto before = fs::last_write_time(root / "workspace.db");
    try {
      Workspace::open(root);
      QFAIL("a newer schema was opened");
    } catch (const Error& e) {
      QVERIFY(QString::fromStdString(e.message()).contains("schema version 7"));
      QVERIFY(!e.hintText().empty());
    }
    SQLite::Database db(root / "workspace.db", SQLite::OPEN_READONLY);
    QCOMPARE(store::schemaVersion(db), 7);
    QVERIFY(fs::last_write_time(root / "workspace.db") == before);
  }

  void testOpenRefusesMissingAndNonWorkspaceFolders() {
    QTemporaryDir dir;
    QVERIFY_THROWS_EXCEPTION(Error, Workspace::open(dir.filePath("missing").toStdString()));
    QVERIFY_THROWS_EXCEPTION(Error, Workspace::open(dir.path().toStdString()));
    Workspace::create(dir.filePath("ws").toStdString());
    QVERIFY_THROWS_EXCEPTION(Error, Workspace::create(dir.filePath("ws").toStdString()));
  }

  void testWriterAndConcurrentReaderOnOneWorkspace() {
    QTemporaryDir dir;
    const fs::path root = dir.path().toStdString();
    std::int64_t runId = 0;
    {
      Workspace ws = Workspace::create(root);
      runId = RunStore(ws.db()).startRun({"train", "concurrency", "", "", "", std::nullopt});
    }
    constexpr int kBatches = 200, kPerBatch = 25;
    std::atomic<bool> writerDone{false};
    std::atomic<int> readerErrors{0}, readerNonMonotonic{0}, reads{0};
    std::thread writer([&] {
      Workspace ws = Workspace::open(root);
      RunStore runs(ws.db());
      for (int b = 0; b < kBatches; ++b) {
        std::vector<MetricPoint> points;
        for (int i = 0; i < kPerBatch; ++i)
          points.push_back({b * kPerBatch + i, "train/loss", 1.0 / (1 + b), nowSeconds()});
        runs.addMetrics(runId, points);
      }
      writerDone = true;
    });
    std::thread reader([&] {
      Workspace ws = Workspace::open(root);
      long last = 0;
      while (!writerDone) {
        try {
          const long n = ws.db().execAndGet("SELECT COUNT(*) FROM metrics WHERE run_id = " +
                                            std::to_string(runId)).getInt64();
          if (n < last) ++readerNonMonotonic;
          if (n % kPerBatch != 0) ++readerNonMonotonic;  // transactions are all-or-nothing
          last = n;
          ++reads;
        } catch (const std::exception&) {
          ++readerErrors;
        }
      }
    });
    writer.join();
    reader.join();
    QCOMPARE(readerErrors.load(), 0);
    QCOMPARE(readerNonMonotonic.load(), 0);
    QVERIFY(reads.load() > 0);
    Workspace ws = Workspace::open(root);
    QCOMPARE(ws.info().rowCounts["metrics"], std::int64_t(kBatches * kPerBatch));
  }

  void testRunLifecycleAndMetricsInStepOrder() {
    QTemporaryDir dir;
    Workspace ws = Workspace::create(dir.path().toStdString());
    RunStore runs(ws.db());
    const auto parent = runs.startRun({"recipe", "demo", "steps: []", "", "", std::nullopt});
    const auto child = runs.startRun({"train", "teacher", "", "lr: 0.1", "abc", parent});
    runs.addMetrics(child, {{20, "loss", 1.5, 2.0}, {10, "loss", 2.5, 1.0}, {10, "acc", 0.3, 1.0}});
    runs.finishRun(child, RunStatus::Failed, "worker 1 exited with code 9");
    auto row = runs.run(child);
    QVERIFY(row.has_value());
    QCOMPARE(row->status, std::string("failed"));
    QCOMPARE(row->error, std::string("worker 1 exited with code 9"));
    QCOMPARE(row->parentRunId.value_or(-1), parent);
    QCOMPARE(row->numMetrics, std::int64_t(3));
    QVERIFY(!row->finishedAt.empty());
    auto loss = runs.metrics(child, "loss");
    QCOMPARE(loss.size(), std::size_t(2));
    QCOMPARE(loss[0].step, std::int64_t(10));
    QCOMPARE(loss[1].value, 1.5);
    auto all = runs.listRuns();
    QCOMPARE(all.size(), std::size_t(2));
    QCOMPARE(all[0].id, child);  // newest first
    QVERIFY_THROWS_EXCEPTION(Error, runs.finishRun(9999, RunStatus::Finished));
  }

  void testOrphanedRunsOfThisHostAreMarkedFailed() {
    QTemporaryDir dir;
    Workspace ws = Workspace::create(dir.path().toStdString());
    RunStore runs(ws.db());
    const auto alive = runs.startRun({"train", "alive", "", "", "", std::nullopt});  // our pid
    const auto killed = runs.startRun({"train", "killed", "", "", "", std::nullopt});
    const auto remote = runs.startRun({"train", "remote", "", "", "", std::nullopt});
    // A process that has exited: its pid no longer exists.
    const pid_t child = ::fork();
    if (child == 0) ::_exit(0);
    ::waitpid(child, nullptr, 0);
    ws.db().exec("UPDATE runs SET pid = " + std::to_string(child) + " WHERE id IN (" +
                 std::to_string(killed) + ", " + std::to_string(remote) + ")");
    ws.db().exec("UPDATE runs SET host = 'another-node' WHERE id = " + std::to_string(remote));
    QCOMPARE(runs.reapOrphanedRuns(), 1);
    QCOMPARE(runs.run(alive)->status, std::string("running"));
    QCOMPARE(runs.run(remote)->status, std::string("running"));
    const auto row = runs.run(killed);
    QCOMPARE(row->status, std::string("failed"));
    QVERIFY(QString::fromStdString(row->error).contains("ended without recording a result"));
    QVERIFY(!row->finishedAt.empty());
    QCOMPARE(runs.reapOrphanedRuns(), 0);
  }

  void testChartQueryUsesTheMetricsIndex() {
    QTemporaryDir dir;
    Workspace ws = Workspace::create(dir.path().toStdString());
    SQLite::Statement q(ws.db(),
                        "EXPLAIN QUERY PLAN SELECT step, value FROM metrics "
                        "WHERE run_id = 1 AND name = 'loss' ORDER BY step");
    std::string plan;
    while (q.executeStep()) plan += q.getColumn(3).getString() + "\n";
    QVERIFY2(QString::fromStdString(plan).contains("metrics_by_run_name_step"), plan.c_str());
    QVERIFY2(!QString::fromStdString(plan).contains("TEMP B-TREE"), plan.c_str());
  }

  void testForeignKeysAndChecksAreEnforced() {
    QTemporaryDir dir;
    Workspace ws = Workspace::create(dir.path().toStdString());
    QVERIFY_THROWS_EXCEPTION(SQLite::Exception,
                             ws.db().exec("INSERT INTO datasets (name, kind) VALUES ('x', 'weird')"));
    QVERIFY_THROWS_EXCEPTION(SQLite::Exception,
                             ws.db().exec("INSERT INTO utterances (dataset_id, key) VALUES (99, 'u')"));
  }

  // The CLI says "database: ..." for these without including SQLite headers.
  void testDatabaseErrorsAreRecognisedAsSuch() {
    QTemporaryDir dir;
    Workspace ws = Workspace::create(dir.path().toStdString());
    try {
      ws.db().exec("INSERT INTO datasets (name, kind) VALUES ('x', 'weird')");
      QFAIL("the CHECK constraint did not fire");
    } catch (const std::exception& e) {
      QVERIFY(isDatabaseError(e));
    }
    QVERIFY(!isDatabaseError(US_ERROR("not a database error")));
    QVERIFY(!isDatabaseError(std::runtime_error("nor this")));
    QVERIFY(sqliteVersion().rfind("3.", 0) == 0);
  }

  void testInfoCountsRowsAndDiskUse() {
    QTemporaryDir dir;
    Workspace ws = Workspace::create(dir.path().toStdString());
    ws.db().exec("INSERT INTO nodes (name, host) VALUES ('n1', 'localhost')");
    auto info = ws.info();
    QCOMPARE(info.schemaVersion, store::kSchemaVersion);
    QCOMPARE(info.rowCounts.size(), store::tableNames().size());
    QCOMPARE(info.rowCounts["nodes"], std::int64_t(1));
    QVERIFY(info.diskBytes >= fs::file_size(ws.databasePath()));
  }
};

QTEST_GUILESS_MAIN(TestWorkspace)
#include "test_workspace.moc"
