// understudy-cli verify on a workspace the CLI built (tiny synthetic corpus ->
// features -> targets): a clean workspace exits 0 with a per-store summary; one
// flipped byte in a record exits 1 naming the store, the shard and the
// utterance; `--events -` keeps stdout pure JSON lines; --dataset narrows it;
// a damaged page of workspace.db (SQLite's integrity_check) exits 1 naming it.
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <filesystem>
#include <fstream>

#include "core/store/record_store.h"
#include "support/test_support.h"

using understudy::test::runCli;
namespace fs = std::filesystem;

namespace {


std::string text(const QString& db, const std::string& sql) {
  SQLite::Database d(db.toStdString(), SQLite::OPEN_READONLY);
  SQLite::Statement q(d, sql);
  return q.executeStep() ? q.getColumn(0).getString() : std::string();
}

struct Victim {
  std::string key;
  std::string shard;  // file name
  std::uint64_t offset = 0;
};

// Flips one bit in the middle of the store's third record.
Victim corruptOneRecord(const fs::path& storeDir) {
  const understudy::RecordInfo info = understudy::RecordStore::open(storeDir).records().at(2);
  Victim v;
  v.key = info.key;
  char name[32];
  std::snprintf(name, sizeof name, "shard-%05u.bin", info.shard);
  v.shard = name;
  v.offset = info.offset;
  const std::uint64_t at = info.offset + static_cast<std::uint64_t>(info.rows) * info.cols * 2;
  std::fstream f(storeDir / name, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(static_cast<std::streamoff>(at));
  char c = 0;
  f.read(&c, 1);
  c ^= 0x04;
  f.seekp(static_cast<std::streamoff>(at));
  f.write(&c, 1);
  return v;
}

// Flips the last byte of the index utterances_by_dataset's root page: an
// index entry then points at a row that does not exist. Nothing but a full
// check notices (verify's own queries never read that index).
bool corruptAnIndexPage(const QString& db) {
  const int page = std::stoi(text(db, "SELECT rootpage FROM sqlite_master WHERE name = 'utterances_by_dataset'"));
  const int pageSize = std::stoi(text(db, "PRAGMA page_size"));
  std::fstream f(db.toStdString(), std::ios::in | std::ios::out | std::ios::binary);
  const std::streamoff at = static_cast<std::streamoff>(page) * pageSize - 1;
  f.seekg(at);
  char c = 0;
  f.read(&c, 1);
  c ^= 0x01;
  f.seekp(at);
  f.write(&c, 1);
  return f.good();
}

}  // namespace

class TestCliVerify : public QObject {
  Q_OBJECT

  QTemporaryDir m_dir;
  QString m_clean;        // built once by the CLI; never modified
  std::string m_features;  // its feature store, relative to the workspace
  std::string m_targets;   // its targets store, relative to the workspace

  // A copy of the clean workspace to break.
  QString copyOfClean(const QString& name) {
    const QString ws = m_dir.filePath(name);
    fs::copy(m_clean.toStdString(), ws.toStdString(), fs::copy_options::recursive);
    return ws;
  }

 private slots:
  void initTestCase() {
    m_clean = m_dir.filePath("clean");
    QCOMPARE(runCli({"init", m_clean}).exitCode, 0);
    auto synth = runCli({"-q", "corpus", "synth", "-w", m_clean, "--profile", "tiny", "--seed", "1"}, 300000);
    QVERIFY2(synth.exitCode == 0, qPrintable(understudy::test::outputOf(synth)));
    auto feats = runCli({"-q", "features", "-w", m_clean, "--dataset", "synth-labeled"}, 300000);
    QVERIFY2(feats.exitCode == 0, qPrintable(understudy::test::outputOf(feats)));
    auto targets = runCli({"-q", "targets", "-w", m_clean, "--dataset", "synth-labeled"});
    QVERIFY2(targets.exitCode == 0, qPrintable(understudy::test::outputOf(targets)));
    m_features = text(m_clean + "/workspace.db", "SELECT path FROM feature_sets");
    QVERIFY(!m_features.empty());
    // The keyed folder the dataset's "targets" row names (targets-<hash8>).
    m_targets = text(m_clean + "/workspace.db",
                     "SELECT path FROM alignment_sets WHERE name = 'targets'");
    QVERIFY2(m_targets.rfind("alignments/synth-labeled/targets-", 0) == 0, m_targets.c_str());
  }

  void testCleanWorkspaceExits0WithOneLinePerStore() {
    auto r = runCli({"-q", "verify", "-w", m_clean});
    QVERIFY2(r.exitCode == 0, qPrintable(understudy::test::outputOf(r)));
    const std::string records = std::to_string(
        understudy::RecordStore::open(m_clean.toStdString() + "/" + m_features).size());
    const QString out = QString::fromUtf8(r.out);
    QVERIFY2(out.contains(QString::fromStdString(m_features)), qPrintable(out));
    QVERIFY2(out.contains(QString::fromStdString(m_targets)), qPrintable(out));
    QVERIFY2(out.contains(QString::fromStdString(" " + records + " ")), qPrintable(out));
    QVERIFY2(out.contains("0 bad record(s)"), qPrintable(out));
    QVERIFY2(out.contains("workspace.db: integrity_check ok"), qPrintable(out));
    QVERIFY2(!out.contains("BAD"), qPrintable(out));
    // The synthetic corpus's text alignments (ali.txt) are not a record store.
    QVERIFY2(!out.contains("alignments/synth-labeled "), qPrintable(out));
    QCOMPARE(text(m_clean + "/workspace.db", "SELECT status FROM runs WHERE kind = 'verify' ORDER BY id DESC"),
             std::string("finished"));
  }

  void testFlippedFeatureByteExits1NamingStoreShardAndUtterance() {
    const QString ws = copyOfClean("bad-features");
    const Victim v = corruptOneRecord(ws.toStdString() + "/" + m_features);
    auto r = runCli({"-q", "verify", "-w", ws});
    QVERIFY2(r.exitCode == 1, qPrintable(understudy::test::outputOf(r)));
    // One error line, naming what a user needs to find and fix it.
    const QString err = QString::fromUtf8(r.err).trimmed();
    QVERIFY2(!err.contains('\n'), qPrintable(err));
    QVERIFY2(err.startsWith("understudy-cli: error: "), qPrintable(err));
    const std::vector<std::string> needles = {
        "utterance '" + v.key + "'", v.shard, "byte offset " + std::to_string(v.offset) + " ",
        m_features, "understudy-cli features", "--dataset synth-labeled"};
    for (const std::string& needle : needles)
      QVERIFY2(err.contains(QString::fromStdString(needle)),
               qPrintable(QString::fromStdString(needle) + " in: " + err));
    // The summary lists the bad record under its store; the targets store is still ok.
    const QString out = QString::fromUtf8(r.out);
    QVERIFY2(out.contains("1 BAD"), qPrintable(out));
    QVERIFY2(out.contains(QString::fromStdString("bad: utterance '" + v.key + "' in " + v.shard)),
             qPrintable(out));
    QVERIFY2(out.contains("1 bad record(s)"), qPrintable(out));
    QCOMPARE(text(ws + "/workspace.db", "SELECT status FROM runs WHERE kind = 'verify' ORDER BY id DESC"),
             std::string("failed"));
  }

  void testFlippedTargetByteIsFoundAndDatasetFilterNarrows() {
    const QString ws = copyOfClean("bad-targets");
    const Victim v = corruptOneRecord(ws.toStdString() + "/" + m_targets);
    auto r = runCli({"-q", "verify", "-w", ws, "--dataset", "synth-labeled"});
    QVERIFY2(r.exitCode == 1, qPrintable(understudy::test::outputOf(r)));
    QVERIFY2(r.err.contains(QByteArray::fromStdString("utterance '" + v.key + "'")), r.err.constData());
    QVERIFY2(r.err.contains(QByteArray::fromStdString(m_targets)), r.err.constData());
    QVERIFY2(r.err.contains("understudy-cli targets"), r.err.constData());
    // Another dataset's stores do not include the bad one.
    auto other = runCli({"-q", "verify", "-w", ws, "--dataset", "synth-unlabeled"});
    QVERIFY2(other.exitCode == 0, qPrintable(understudy::test::outputOf(other)));
    QVERIFY2(!other.out.contains("synth-labeled"), other.out.constData());
    auto unknown = runCli({"-q", "verify", "-w", ws, "--dataset", "no-such-set"});
    QCOMPARE(unknown.exitCode, 1);
    QVERIFY2(unknown.err.contains("no-such-set") && unknown.err.contains("synth-labeled"),
             unknown.err.constData());
  }

  void testDamagedDatabasePageExits1NamingWorkspaceDb() {
    const QString ws = copyOfClean("bad-db");
    QVERIFY(corruptAnIndexPage(ws + "/workspace.db"));
    const std::string runsBefore = text(ws + "/workspace.db", "SELECT COUNT(*) FROM runs");
    auto r = runCli({"-q", "verify", "-w", ws});
    QVERIFY2(r.exitCode == 1, qPrintable(understudy::test::outputOf(r)));
    const QString err = QString::fromUtf8(r.err).trimmed();
    QVERIFY2(!err.contains('\n'), qPrintable(err));
    QVERIFY2(err.contains(ws + "/workspace.db: workspace.db fails SQLite's integrity check"), qPrintable(err));
    QVERIFY2(err.contains("utterances_by_dataset"), qPrintable(err));
    QVERIFY2(err.contains("restore workspace.db from a backup"), qPrintable(err));
    QVERIFY2(r.out.contains("workspace.db: integrity_check found"), r.out.constData());
    // Nothing was written into the damaged database.
    QCOMPARE(text(ws + "/workspace.db", "SELECT COUNT(*) FROM runs"), runsBefore);
  }

  void testMissingStoreFolderIsReported() {
    const QString ws = copyOfClean("missing-targets");
    fs::remove_all(ws.toStdString() + "/" + m_targets);
    auto r = runCli({"-q", "verify", "-w", ws});
    QVERIFY2(r.exitCode == 1, qPrintable(understudy::test::outputOf(r)));
    QVERIFY2(r.out.contains("UNREADABLE"), r.out.constData());
    QVERIFY2(r.err.contains(QByteArray::fromStdString(m_targets)) && r.err.contains("missing"),
             r.err.constData());
  }

  void testEventsOnStdoutArePureJsonLines() {
    const QString ws = copyOfClean("events");
    const Victim v = corruptOneRecord(ws.toStdString() + "/" + m_features);
    auto r = runCli({"--events", "-", "verify", "-w", ws});
    QVERIFY2(r.exitCode == 1, qPrintable(understudy::test::outputOf(r)));
    bool started = false, failed = false, badMetric = false, progress = false;
    const QList<QByteArray> lines = r.out.trimmed().split('\n');
    QVERIFY(!lines.isEmpty());
    for (const QByteArray& line : lines) {
      QJsonParseError error{};
      const QJsonDocument doc = QJsonDocument::fromJson(line, &error);
      QVERIFY2(error.error == QJsonParseError::NoError && doc.isObject(), line.constData());
      const QJsonObject e = doc.object();
      if (e["type"] == "status" && e["name"] == "started") started = true;
      // Progress in records, with the total known up front (rate and ETA).
      if (e["type"] == "progress" && e["name"] == "verify" && e["total"].toInt() > 0 &&
          e["unit"] == "rec")
        progress = true;
      if (e["type"] == "status" && e["name"] == "failed") {
        failed = true;
        QVERIFY(e["error"].toString().contains(QString::fromStdString(v.key)));
      }
      if (e["type"] == "metric" && e["name"] == "verify/bad_records" &&
          e["path"].toString() == QString::fromStdString(m_features)) {
        badMetric = true;
        QCOMPARE(e["value"].toDouble(), 1.0);
        QCOMPARE(e["kind"].toString(), QString("features"));
      }
    }
    QVERIFY(started && failed && badMetric && progress);
    // The human summary went to stderr.
    QVERIFY2(r.err.contains("1 BAD"), r.err.constData());
  }
};

QTEST_GUILESS_MAIN(TestCliVerify)
#include "test_cli_verify.moc"
