// Full disks (issue 26 item 2): features, labeling and training write into a
// small tmpfs (tests/support/small_fs.h) left with a few exact amounts of free
// space, and the workspace database itself sits on one. Each run must fail
// with exit 1 and one line naming the file it could not write and saying
// "the disk is full" (SQLite's own "database or disk is full" does not
// count). Then `understudy-cli verify` passes, PRAGMA integrity_check is ok,
// the run row is failed with that message, every committed record is the
// straight run's; and once space returns, running the command again (train:
// --resume) leaves the bytes of a straight run. Without root or user
// namespaces the tests skip, naming why.
#include <QTemporaryDir>
#include <QtTest>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>

#include "core/store/record_store.h"
#include "support/small_fs.h"
#include "support/test_support.h"

using understudy::test::outputOf;
using understudy::test::ProcessResult;
using understudy::test::runCli;
using understudy::test::SmallFs;
namespace fs = std::filesystem;

namespace {

constexpr qint64 kFsBytes = 32 << 20;

const char* const kTeacherYaml =
    "name: t\nrole: teacher\nseed: 1\nthreads: 1\nmax_steps: 6\n"
    "data:\n  train: [synth-labeled]\n  validation_fraction: 0.1\n"
    "model:\n  preset: teacher-tiny\nbatching:\n  max_frames: 3000\n"
    "validation:\n  every: 2\ncheckpoint:\n  every: 2\n  keep: 2\n";

std::string bytesOf(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// A copy of workspace `from` at `to` that shares its audio (a symlink) and
// leaves `emptySubdir` (if any) empty, to be mounted over.
void copyWorkspace(const fs::path& from, const fs::path& to, const std::string& emptySubdir = {}) {
  fs::create_directories(to);
  for (const auto& e : fs::directory_iterator(from)) {
    const std::string name = e.path().filename().string();
    if (name == "audio") {
      fs::create_directory_symlink(fs::absolute(e.path()), to / name);
    } else if (name == emptySubdir) {
      fs::create_directories(to / name);
    } else {
      fs::copy(e.path(), to / name, fs::copy_options::recursive);
    }
  }
}

std::string sqlText(const QString& ws, const std::string& sql) {
  SQLite::Database db((ws + "/workspace.db").toStdString(), SQLite::OPEN_READONLY);
  SQLite::Statement q(db, sql);
  return q.executeStep() && !q.getColumn(0).isNull() ? q.getColumn(0).getString() : std::string();
}

// Every file of a store but its lock, by name.
std::map<std::string, std::string> storeFiles(const fs::path& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_regular_file() && e.path().filename() != "lock") out[e.path().filename().string()] = bytesOf(e.path());
  return out;
}

}  // namespace

// A command that must succeed (a macro: QVERIFY returns from the test function).
#define US_REQUIRE_OK(call)                                                      \
  do {                                                                           \
    const ProcessResult result_ = (call);                                        \
    QVERIFY2(result_.exitCode == 0 && !result_.crashed, qPrintable(outputOf(result_))); \
  } while (0)

// A helper's QVERIFY returns from the helper only: stop the test function too.
#define US_STOP_IF_FAILED()                \
  do {                                     \
    if (QTest::currentTestFailed()) return; \
  } while (0)

class TestDiskFull : public QObject {
  Q_OBJECT

  QTemporaryDir m_tmp;
  QString m_base;            // corpus, labeled features and targets, test-clean features
  QString m_teacher;         // m_base + the teacher 't'
  QString m_teacherCfg;
  fs::path m_straightFeatures, m_straightLabels, m_straightModel;
  int m_case = 0;

  QString dir(const QString& name) const { return m_tmp.filePath(name); }


  // The checks after a run that hit the full disk: exit 1, one line naming
  // `where` and the full disk; verify and integrity_check ok; the run row
  // failed with the message (when the database could record it).
  void checkFailedCleanly(const ProcessResult& r, const QString& ws, const QString& where, const std::string& kind,
                          bool runRowRecorded) {
    QVERIFY2(r.exitCode == 1 && !r.crashed, qPrintable(outputOf(r)));
    QVERIFY2(r.err.contains(where.toUtf8()) && r.err.contains("the disk is full"), qPrintable(outputOf(r)));
    if (runRowRecorded) {
      const std::string last = "(SELECT MAX(id) FROM runs WHERE kind = '" + kind + "')";
      QCOMPARE(sqlText(ws, "SELECT status FROM runs WHERE id = " + last), std::string("failed"));
      const std::string error = sqlText(ws, "SELECT error FROM runs WHERE id = " + last);
      QVERIFY2(error.find("the disk is full") != std::string::npos && r.err.contains(QByteArray::fromStdString(error)),
               error.c_str());
    }
    const ProcessResult verify = runCli({"-q", "verify", "-w", ws});
    QVERIFY2(verify.exitCode == 0 && verify.out.contains(" 0 bad record(s)"), qPrintable(outputOf(verify)));
    QCOMPARE(sqlText(ws, "PRAGMA integrity_check"), std::string("ok"));
  }

  // Every record the failed run committed is the straight run's.
  static void checkCommittedRecords(const fs::path& store, const fs::path& straight) {
    if (!understudy::RecordStore::exists(store)) return;  // failed before its first index
    const auto failed = understudy::RecordStore::open(store);
    const auto good = understudy::RecordStore::open(straight);
    for (const auto& info : failed.records()) {
      const auto* want = good.find(info.key);
      QVERIFY2(want && want->checksum == info.checksum && want->rows == info.rows, info.key.c_str());
    }
    qInfo("%zu record(s) committed before the disk filled", failed.size());
  }

  // A store (features or soft labels) written into a small file system left
  // with `free` bytes: fails cleanly, then the same command again (space
  // back) gives the straight run's files.
  void storeIntoAFullDisk(const QString& from, const std::string& subdir, const QStringList& command,
                          const std::string& kind, const fs::path& straight, qint64 free) {
    const QString ws = dir(QString("case-%1").arg(++m_case));
    copyWorkspace(from.toStdString(), ws.toStdString(), subdir);
    SmallFs small(ws + "/" + QString::fromStdString(subdir), kFsBytes);
    QVERIFY2(small.ok(), qPrintable(small.whyNot()));
    // The folder's other stores (the workspace lists them) move onto the small disk too.
    fs::copy(fs::path(from.toStdString()) / subdir, small.path().toStdString(), fs::copy_options::recursive);
    // One more page for the event stream's first lines, so `free` is what the store finds.
    QVERIFY2(small.leaveFree(free + small.blockSize()), qPrintable(small.whyNot()));
    // The event stream goes to the full disk too: losing it must not stop or crash the command.
    const QStringList args = QStringList{"-q", "--events", small.path() + "/events.jsonl"} + command + QStringList{"-w", ws};
    const fs::path store = fs::path(small.path().toStdString()) / straight.filename();

    const ProcessResult r = runCli(args);
    checkFailedCleanly(r, ws, small.path() + "/" + QString::fromStdString(straight.filename().string()), kind, true);
    US_STOP_IF_FAILED();
    checkCommittedRecords(store, straight);
    US_STOP_IF_FAILED();

    small.releaseBallast();
    US_REQUIRE_OK(runCli(args));
    QVERIFY2(storeFiles(store) == storeFiles(straight), "the resumed store differs from the straight run's");
  }

 private slots:
  void initTestCase() {
    QVERIFY(m_tmp.isValid());
    {
      SmallFs probe(dir("probe"), 1 << 20);
      if (!probe.ok()) QSKIP(qPrintable(probe.whyNot()));
    }
    m_base = dir("base");
    m_teacherCfg = dir("teacher.yaml");
    std::ofstream(m_teacherCfg.toStdString()) << kTeacherYaml;
    US_REQUIRE_OK(runCli({"init", m_base}));
    US_REQUIRE_OK(runCli({"-q", "corpus", "synth", "-w", m_base, "--profile", "tiny", "--seed", "1"}, 300000));
    for (const char* set : {"synth-labeled", "synth-test-clean"})
      US_REQUIRE_OK(runCli({"-q", "features", "-w", m_base, "--dataset", set}));
    US_REQUIRE_OK(runCli({"-q", "targets", "-w", m_base, "--dataset", "synth-labeled"}));

    m_teacher = dir("teacher");
    copyWorkspace(m_base.toStdString(), m_teacher.toStdString());
    US_REQUIRE_OK(runCli({"-q", "train", "-w", m_teacher, "--config", m_teacherCfg}));
    m_straightModel = fs::path(m_teacher.toStdString()) / "models/t";

    const QString features = dir("straight-features");
    copyWorkspace(m_base.toStdString(), features.toStdString());
    US_REQUIRE_OK(runCli({"-q", "features", "-w", features, "--dataset", "synth-test-noisy", "--commit-every", "10"}));
    m_straightFeatures = fs::path(features.toStdString()) / "features" /
                         sqlText(features, "SELECT f.name FROM feature_sets f JOIN datasets d ON d.id = f.dataset_id "
                                           "WHERE d.name = 'synth-test-noisy'");

    const QString labels = dir("straight-labels");
    copyWorkspace(m_teacher.toStdString(), labels.toStdString());
    US_REQUIRE_OK(runCli({"-q", "label", "-w", labels, "--model", "t", "--dataset", "synth-test-clean", "--commit-seconds", "0", "--max-frames", "3000"}));
    m_straightLabels = fs::path(labels.toStdString()) / "softlabels/synth-test-clean-t";
    QVERIFY(fs::exists(m_straightFeatures / "index") && fs::exists(m_straightLabels / "index"));
  }

  // Free space: none; two pages (the lock file's holder line and the new
  // index fit, a shard or the journal's first block does not); half the store.
  void testFeaturesOnAFullDisk_data() {
    QTest::addColumn<qint64>("free");
    const auto half = static_cast<qint64>(fs::file_size(m_straightFeatures / "shard-00000.bin") / 2);
    for (qint64 free : {qint64(0), qint64(8192), half})
      QTest::newRow(qPrintable(QString("%1 bytes free").arg(free))) << free;
  }
  void testFeaturesOnAFullDisk() {
    QFETCH(qint64, free);
    storeIntoAFullDisk(m_base, "features", {"features", "--dataset", "synth-test-noisy", "--commit-every", "10"}, "features",
                       m_straightFeatures, free);
  }

  void testLabelingOnAFullDisk_data() {
    QTest::addColumn<qint64>("free");
    const auto half = static_cast<qint64>(fs::file_size(m_straightLabels / "shard-00000.bin") / 2);
    for (qint64 free : {qint64(8192), half})
      QTest::newRow(qPrintable(QString("%1 bytes free").arg(free))) << free;
  }
  // With two pages free (the lock file's holder line and the new index fit)
  // the store's first commit, its settings, fails: the rerun must start it
  // over. Half the store: some batches are committed first.
  void testLabelingOnAFullDisk() {
    QFETCH(qint64, free);
    storeIntoAFullDisk(m_teacher, "softlabels", {"label", "--model", "t", "--dataset", "synth-test-clean", "--commit-seconds", "0", "--max-frames", "3000"}, "label",
                       m_straightLabels, free);
  }

  // Checkpoints every 2 steps (best.pt at each better validation): no room
  // for the first best.pt; room for best.pt but not the first checkpoint;
  // room for those two but not the next ones.
  void testTrainingCheckpointsOnAFullDisk_data() {
    QTest::addColumn<qint64>("free");
    const auto best = static_cast<qint64>(fs::file_size(m_straightModel / "checkpoints/best.pt"));
    const auto ckpt = static_cast<qint64>(fs::file_size(m_straightModel / "checkpoints/ckpt-000000006.pt"));
    for (qint64 free : {qint64(0), best + ckpt / 2, best + ckpt + ckpt / 2})
      QTest::newRow(qPrintable(QString("%1 bytes free").arg(free))) << free;
  }
  void testTrainingCheckpointsOnAFullDisk() {
    QFETCH(qint64, free);
    const QString ws = dir(QString("case-%1").arg(++m_case));
    copyWorkspace(m_base.toStdString(), ws.toStdString(), "models");
    SmallFs small(ws + "/models", kFsBytes);
    QVERIFY2(small.ok(), qPrintable(small.whyNot()));
    QVERIFY2(small.leaveFree(free), qPrintable(small.whyNot()));
    const QStringList args{"-q", "train", "-w", ws, "--config", m_teacherCfg};

    const ProcessResult r = runCli(args);
    checkFailedCleanly(r, ws, small.path() + "/t/checkpoints/", "train", true);
    US_STOP_IF_FAILED();
    const fs::path checkpoints = small.path().toStdString() + "/t/checkpoints";
    QVERIFY2(r.err.contains("cannot write the checkpoint") || r.err.contains("cannot save the best weights"),
             r.err.constData());
    QVERIFY2(r.err.contains("is intact"), r.err.constData());  // what the user still has
    for (const auto& e : fs::directory_iterator(checkpoints))  // no half-written file stays
      QVERIFY2(e.path().string().find(".tmp.") == std::string::npos, e.path().c_str());
    QVERIFY(!fs::exists(small.path().toStdString() + "/t/model.pt"));

    small.releaseBallast();
    US_REQUIRE_OK(runCli(args + QStringList{"--resume"}));
    QVERIFY2(bytesOf(checkpoints / "../model.pt") == bytesOf(m_straightModel / "model.pt"),
             "model.pt differs from the straight run's");
    QVERIFY2(bytesOf(checkpoints / "best.pt") == bytesOf(m_straightModel / "checkpoints/best.pt"),
             "best.pt differs from the straight run's");
  }

  // workspace.db on the full file system too: SQLite's failure (SQLITE_FULL,
  // or an I/O error on its WAL index) names the database and the full disk.
  // A run the database could not record is marked failed by the next
  // command (the pid is gone); nothing is lost and the rerun matches.
  void testWorkspaceDatabaseOnAFullDisk_data() {
    QTest::addColumn<qint64>("free");
    for (qint64 free : {qint64(8192), qint64(32768)})
      QTest::newRow(qPrintable(QString("%1 bytes free").arg(free))) << free;
  }
  void testWorkspaceDatabaseOnAFullDisk() {
    QFETCH(qint64, free);
    const QString root = dir(QString("case-%1").arg(++m_case));
    SmallFs small(root, kFsBytes);
    QVERIFY2(small.ok(), qPrintable(small.whyNot()));
    const QString ws = root + "/ws";
    copyWorkspace(m_base.toStdString(), ws.toStdString());
    QVERIFY2(small.leaveFree(free), qPrintable(small.whyNot()));
    const QStringList args{"-q", "features", "-w", ws, "--dataset", "synth-test-noisy", "--commit-every", "10"};

    const ProcessResult r = runCli(args);
    QVERIFY2(r.exitCode == 1 && !r.crashed, qPrintable(outputOf(r)));
    QVERIFY2(r.err.contains(ws.toUtf8() + "/") && r.err.contains("the disk is full"), qPrintable(outputOf(r)));
    qInfo("%s", r.err.trimmed().constData());

    small.releaseBallast();
    QCOMPARE(sqlText(ws, "PRAGMA integrity_check"), std::string("ok"));
    US_REQUIRE_OK(runCli({"-q", "verify", "-w", ws}));
    const fs::path store = fs::path(ws.toStdString()) / "features" / m_straightFeatures.filename();
    checkCommittedRecords(store, m_straightFeatures);
    US_STOP_IF_FAILED();
    US_REQUIRE_OK(runCli(args));
    QVERIFY2(storeFiles(store) == storeFiles(m_straightFeatures), "the rerun's store differs from the straight run's");
    // The rerun marked a run the full database could not finish recording as
    // failed (its pid is gone): every earlier features run of the set failed.
    QCOMPARE(sqlText(ws, "SELECT COUNT(*) FROM runs WHERE kind = 'features' AND name = 'synth-test-noisy' AND "
                         "status <> 'failed' AND id < (SELECT MAX(id) FROM runs)"),
             std::string("0"));
  }
};

US_SMALL_FS_TEST_MAIN(TestDiskFull)
#include "test_disk_full.moc"
