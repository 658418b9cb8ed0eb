// Concurrent writers and readers of one workspace, through understudy-cli
// (issue 26 item 3; docs/security.md "Concurrent writers").
//
// - Two `features` on the same dataset: the second is refused at once naming
//   the store and the holder (pid, host, command); the first, slowed by the
//   test hook UNDERSTUDY_TEST_FEATURES_COMMIT_DELAY_MS, ends with the store of
//   a straight run. Two `label` into the same soft-label set: the same, with
//   the first held still (SIGSTOP) while the second tries. Two `train` of one
//   model name: test_train_cli::testCtrlCCheckpointsAndResumeFinishes.
// - A reader in another process (this executable with --reader: the
//   workbench's read-only Qt Sql connection, ui/workspace/workspace_connection,
//   plus RecordStore open/refresh/read) loops while `features` writes: every
//   record it reads passes its checksum, the store only ever holds whole
//   commits, workspace.db never counts more utterances than the store holds,
//   and a run marked finished always has its final metrics.
// - A process SIGKILLed inside a SQLite transaction (the fault points
//   db.dataset_before_commit and db.metrics_before_commit, core/util/fault_point.h):
//   PRAGMA integrity_check is ok, `verify` passes, and none of that
//   transaction's rows are there.
// Also LockFile itself (core/util/lock_file.h): the holder record, and the
// refusal inside one process.
#include <QCoreApplication>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QTemporaryDir>
#include <QtTest>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <signal.h>
#include <unistd.h>

#include <climits>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "core/store/record_store.h"
#include "core/util/error.h"
#include "core/util/lock_file.h"
#include "support/test_support.h"
#include "support/time_scale.h"

#ifdef UNDERSTUDY_TEST_WITH_UI
#include "ui/workspace/workspace_connection.h"
#endif

using understudy::test::outputOf;
using understudy::test::runCli;
using understudy::test::scaledMs;
namespace fs = std::filesystem;

namespace {

const char* const kTeacherConfig =
    "name: cteacher\nrole: teacher\nseed: 1\nthreads: 1\nmax_steps: 2\n"
    "data:\n  train: [synth-labeled]\n  validation_fraction: 0.2\n"
    "model:\n  preset: teacher-tiny\nbatching:\n  max_frames: 1500\n"
    "optimizer:\n  lr: 0.01\nvalidation:\n  every: 10\ncheckpoint:\n  every: 5\n  keep: 1\n";

// The features both writers compute (59 utterances at --scale 0.2).
const char* const kDataset = "synth-unlabeled";
constexpr int kUtterances = 59;
constexpr int kCommitEvery = 3;  // 59 = 19 x 3 + 2: the last commit is short

QStringList featuresArgs(const QString& ws) {
  return {"features", "-w", ws, "--dataset", kDataset, "--jobs", "1", "--commit-every",
          QString::number(kCommitEvery)};
}

QStringList labelArgs(const QString& ws) {
  return {"-q", "label", "-w", ws, "--model", "cteacher", "--dataset", kDataset, "--threads", "1",
          "--max-frames", "1500", "--commit-seconds", "0"};
}

std::string text(const QString& ws, const std::string& sql) {
  SQLite::Database d((ws + "/workspace.db").toStdString(), SQLite::OPEN_READONLY);
  SQLite::Statement q(d, sql);
  return q.executeStep() ? q.getColumn(0).getString() : std::string();
}

long long number(const QString& ws, const std::string& sql) {
  const std::string s = text(ws, sql);
  return s.empty() ? -1 : std::stoll(s);
}

// A store folder as workspace.db has it, relative to the workspace.
std::string featureStoreOf(const QString& ws) {
  return text(ws, std::string("SELECT f.path FROM feature_sets f JOIN datasets d ON d.id = f.dataset_id "
                              "WHERE d.name = '") + kDataset + "'");
}

std::string softLabelStoreOf(const QString& ws) {
  return text(ws, std::string("SELECT s.path FROM soft_label_sets s JOIN datasets d ON d.id = s.dataset_id "
                              "WHERE d.name = '") + kDataset + "'");
}

// Empty if the two stores hold the same records in the same order, byte for byte.
std::string storeDifference(const fs::path& a, const fs::path& b) {
  const understudy::RecordStore x = understudy::RecordStore::open(a);
  const understudy::RecordStore y = understudy::RecordStore::open(b);
  if (x.size() != y.size())
    return std::to_string(x.size()) + " records vs " + std::to_string(y.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    const auto& p = x.records()[i];
    const auto& q = y.records()[i];
    if (p.key != q.key) return "record " + std::to_string(i) + ": key " + p.key + " vs " + q.key;
    const understudy::RecordView u = x.read(p.key), v = y.read(q.key);
    if (u.rows != v.rows || u.cols != v.cols || u.byteSize() != v.byteSize() ||
        std::memcmp(u.data, v.data, u.byteSize()) != 0)
      return "record " + p.key + " differs";
  }
  if (x.metadata() != y.metadata()) return "metadata differs";
  return {};
}

QString copyWorkspace(const QString& from, const QString& to) {
  fs::copy(from.toStdString(), to.toStdString(), fs::copy_options::recursive);
  return to;
}

std::string hostName() {
  char buf[HOST_NAME_MAX + 1] = {};
  ::gethostname(buf, sizeof buf - 1);
  return buf;
}

// Waits until the lock file under `storesRoot` (any store folder) names `pid`
// as its holder; returns that lock file, or an empty path after `timeoutMs`.
fs::path waitForHolder(const fs::path& storesRoot, qint64 pid, int timeoutMs) {
  QElapsedTimer t;
  t.start();
  while (t.elapsed() < timeoutMs) {
    std::error_code ec;
    for (fs::recursive_directory_iterator it(storesRoot, ec), end; !ec && it != end; it.increment(ec)) {
      if (it->path().filename() != "lock") continue;
      const auto h = understudy::LockFile::recordedHolder(it->path());
      if (h && h->pid == pid) return it->path();
    }
    QThread::msleep(2);
  }
  return {};
}

// The state letter of /proc/<pid>/stat ('T' = stopped); 0 if gone.
char processState(qint64 pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto close = stat.rfind(')');
  return close != std::string::npos && close + 2 < stat.size() ? stat[close + 2] : 0;
}

// ---- the reader process -----------------------------------------------------

// What the workbench reads, through its own kind of connection: read-only,
// busy timeout, never a write.
class GuiReader {
 public:
  explicit GuiReader(const QString& ws) {
#ifdef UNDERSTUDY_TEST_WITH_UI
    QString error;
    m_connection = understudy::ui::WorkspaceConnection::open(ws, &error);
    if (!m_connection) m_error = error;
#else
    m_name = QStringLiteral("reader");
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_name);
    db.setDatabaseName(ws + "/workspace.db");
    db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY;QSQLITE_BUSY_TIMEOUT=5000"));
    if (!db.open()) m_error = db.lastError().text();
#endif
  }
  const QString& error() const { return m_error; }
  QSqlDatabase db() const {
#ifdef UNDERSTUDY_TEST_WITH_UI
    return m_connection->database();
#else
    return QSqlDatabase::database(m_name);
#endif
  }

 private:
#ifdef UNDERSTUDY_TEST_WITH_UI
  std::unique_ptr<understudy::ui::WorkspaceConnection> m_connection;
#else
  QString m_name;
#endif
  QString m_error;
};

// One query's rows as strings ("" for NULL); a failed query throws.
std::vector<QStringList> rows(const QSqlDatabase& db, const QString& sql) {
  QSqlQuery q(db);
  if (!q.exec(sql)) throw std::runtime_error(("query failed: " + q.lastError().text()).toStdString());
  std::vector<QStringList> out;
  while (q.next()) {
    QStringList row;
    for (int i = 0; i < q.record().count(); ++i) row << q.value(i).toString();
    out.push_back(row);
  }
  return out;
}

// Loops until the workspace's features run has ended (then one last pass) or
// `seconds` pass. Exit 0: no violation, and it saw the store grow in at least
// 3 steps (so it really read while the writer wrote); 2: a violation, named
// on stderr; 3: it never overlapped the writer.
int readerMain(const QString& ws, int seconds) {
  GuiReader gui(ws);
  if (!gui.error().isEmpty()) {
    std::fprintf(stderr, "reader: cannot open: %s\n", qPrintable(gui.error()));
    return 2;
  }
  const QSqlDatabase db = gui.db();
  std::optional<understudy::RecordStore> store;
  std::set<std::size_t> sizesSeen;
  std::size_t checkedRecords = 0;
  long passes = 0;
  QElapsedTimer t;
  t.start();
  auto fail = [&](const std::string& what) {
    std::fprintf(stderr, "reader: VIOLATION after %ld passes: %s\n", passes, what.c_str());
    return 2;
  };
  bool lastPass = false;
  while (t.elapsed() < seconds * 1000LL) {
    ++passes;
    try {
      // The runs the workbench lists, first: a run it sees finished must
      // already have its final rows.
      bool featuresRunEnded = false;
      for (const QStringList& r : rows(db, "SELECT id, status, (SELECT COUNT(*) FROM metrics m "
                                           "WHERE m.run_id = runs.id) FROM runs WHERE kind = 'features'")) {
        if (r[1] == "finished" && r[2].toInt() == 0)
          return fail("run " + r[0].toStdString() + " is finished but has no metrics");
        if (r[1] != "running") featuresRunEnded = true;
      }
      // The feature set's row, then the store: the row never counts more
      // utterances than the store (read after it) holds.
      const auto sets = rows(db, QString("SELECT f.path, f.num_utterances, f.status FROM feature_sets f "
                                         "JOIN datasets d ON d.id = f.dataset_id WHERE d.name = '%1'")
                                     .arg(kDataset));
      if (!sets.empty()) {
        const fs::path dir = fs::path(ws.toStdString()) / sets[0][0].toStdString();
        if (!store && understudy::RecordStore::exists(dir)) store = understudy::RecordStore::open(dir);
        if (store) {
          // Now and then a fresh open, otherwise refresh(): both must give whole commits.
          if (passes % 7 == 0)
            store = understudy::RecordStore::open(dir);
          else
            store->refresh();
          const std::size_t n = store->size();
          if (sets[0][1].toLongLong() > static_cast<long long>(n))
            return fail("feature_sets.num_utterances " + sets[0][1].toStdString() + " > the store's " +
                        std::to_string(n) + " records");
          if (n % kCommitEvery != 0 && n != static_cast<std::size_t>(kUtterances))
            return fail("the store holds " + std::to_string(n) + " records: not a whole commit of " +
                        std::to_string(kCommitEvery));
          if (sets[0][2] == "complete" && n != static_cast<std::size_t>(kUtterances))
            return fail("feature set complete with " + std::to_string(n) + " records");
          for (std::size_t i = checkedRecords; i < n; ++i) {
            const understudy::RecordView v = store->read(store->records()[i].key);  // checks the checksum
            if (v.rows == 0 || v.cols != 64) return fail("record " + store->records()[i].key + " is empty");
          }
          checkedRecords = n;
          sizesSeen.insert(n);
        }
      }
      if (lastPass) break;
      lastPass = featuresRunEnded;
    } catch (const std::exception& e) {
      return fail(e.what());
    }
  }
  std::fprintf(stderr, "reader: %ld passes, %zu store sizes seen, %zu records checked\n", passes,
               sizesSeen.size(), checkedRecords);
  if (!lastPass) return fail("the features run did not end within the time");
  return sizesSeen.size() >= 3 ? 0 : 3;
}

}  // namespace

class TestConcurrency : public QObject {
  Q_OBJECT

  QTemporaryDir m_dir;
  QString m_synth;     // init + corpus synth (tiny, scale 0.2)
  QString m_features;  // + a straight `features` of kDataset: the reference store
  QString m_teacher;   // + features and targets of synth-labeled, teacher "cteacher"
  QString m_labeled;   // + a straight `label` of kDataset: the reference soft labels

  QString path(const QString& name) const { return m_dir.filePath(name); }

  // Runs the CLI and QVERIFYs exit 0 through the caller's `ok`.
  static bool cli(const QStringList& args, QString* why) {
    const auto r = runCli(args, scaledMs(300000));
    if (r.exitCode == 0 && !r.crashed) return true;
    *why = args.join(' ') + ": " + outputOf(r);
    return false;
  }

 private slots:
  void initTestCase() {
    QString why;
    m_synth = path("synth");
    QVERIFY2(cli({"-q", "init", m_synth}, &why), qPrintable(why));
    QVERIFY2(cli({"-q", "corpus", "synth", "-w", m_synth, "--profile", "tiny", "--seed", "1", "--scale", "0.2"}, &why),
             qPrintable(why));
    QCOMPARE(number(m_synth, std::string("SELECT num_utterances FROM datasets WHERE name = '") + kDataset + "'"),
             static_cast<long long>(kUtterances));
    m_features = copyWorkspace(m_synth, path("features"));
    QVERIFY2(cli(QStringList{"-q"} + featuresArgs(m_features), &why), qPrintable(why));
    m_teacher = copyWorkspace(m_features, path("teacher"));
    QVERIFY2(cli({"-q", "features", "-w", m_teacher, "--dataset", "synth-labeled"}, &why), qPrintable(why));
    QVERIFY2(cli({"-q", "targets", "-w", m_teacher, "--dataset", "synth-labeled"}, &why), qPrintable(why));
    const QString cfg = path("cteacher.yaml");
    {
      QFile f(cfg);
      QVERIFY(f.open(QIODevice::WriteOnly));
      f.write(kTeacherConfig);
    }
    QVERIFY2(cli({"-q", "train", "-w", m_teacher, "--config", cfg}, &why), qPrintable(why));
    m_labeled = copyWorkspace(m_teacher, path("labeled"));
    QVERIFY2(cli(labelArgs(m_labeled), &why), qPrintable(why));
    QVERIFY(!softLabelStoreOf(m_labeled).empty());
  }

  // ---- LockFile ----------------------------------------------------------------

  void testHolderRecordRoundTripsAndIgnoresATornTail() {
    understudy::LockHolder h;
    h.pid = 4242;
    h.host = "node-1";
    h.started = "2026-12-02 06:10:03 UTC";
    h.command = "understudy-cli features -w 'my ws' --dataset d";
    const auto back = understudy::LockHolder::decode(h.encode());
    QVERIFY(back);
    QCOMPARE(back->describe(), h.describe());
    QCOMPARE(QString::fromStdString(h.describe()),
             QString("pid 4242 on host node-1, since 2026-12-02 06:10:03 UTC: understudy-cli features -w 'my ws' "
                     "--dataset d"));
    // A new record written over a longer old one, before the holder cuts the
    // file: the old tail (and an unfinished last line) is not read.
    understudy::LockHolder old = h;
    old.pid = 7;
    old.command = std::string(300, 'x');
    std::string overwritten = old.encode();
    const std::string fresh = h.encode();
    overwritten.replace(0, fresh.size(), fresh);
    QCOMPARE(understudy::LockHolder::decode(overwritten)->describe(), h.describe());
    QVERIFY(!understudy::LockHolder::decode(""));
    QVERIFY(!understudy::LockHolder::decode("pid 12"));  // no newline: unfinished
  }

  void testSecondHolderInThisProcessIsRefusedNamingUs() {
    QTemporaryDir tmp;
    const fs::path lock = fs::path(tmp.path().toStdString()) / "lock";
    {
      understudy::LockFile held(lock, "the thing is being written by another process", "wait");
      const auto me = understudy::LockFile::recordedHolder(lock);
      QVERIFY(me);
      QCOMPARE(me->pid, static_cast<long>(::getpid()));
      QCOMPARE(me->host, hostName());
      QVERIFY2(me->command.rfind("test_concurrency", 0) == 0, me->command.c_str());  // argv[0], no directory
      try {
        understudy::LockFile second(lock, "the thing is being written by another process", "wait for it");
        QFAIL("a second holder was let in");
      } catch (const understudy::Error& e) {
        const QString msg = QString::fromStdString(e.message());
        QVERIFY2(msg.startsWith(QString::fromStdString(lock.string()) +
                                ": the thing is being written by another process (pid " +
                                QString::number(::getpid()) + " on host "),
                 qPrintable(msg));
        QVERIFY2(msg.contains(" UTC: test_concurrency") && msg.endsWith("(hint: wait for it)"), qPrintable(msg));
      }
    }
    understudy::LockFile next(lock, "x", "y");  // released with its holder
  }

  // ---- two writers -------------------------------------------------------------

  void testSecondFeaturesOnTheSameDatasetIsRefusedNamingTheHolder() {
    const QString ws = copyWorkspace(m_synth, path("two-features"));
    QProcess first;
    auto env = QProcessEnvironment::systemEnvironment();
    // 20 commits: >= 5 s for the second CLI to start and meet the lock.
    env.insert("UNDERSTUDY_TEST_FEATURES_COMMIT_DELAY_MS", QString::number(scaledMs(250)));
    first.setProcessEnvironment(env);
    first.start(understudy::test::cliPath(), QStringList{"-v"} + featuresArgs(ws));
    QVERIFY(first.waitForStarted());
    QByteArray err;  // -v: "committed n/N" per commit
    while (!err.contains("committed 3/") && first.state() == QProcess::Running) {
      first.waitForReadyRead(100);
      err += first.readAllStandardError();
    }
    QVERIFY2(err.contains("committed 3/"), err.constData());

    const auto second = runCli(QStringList{"-q"} + featuresArgs(ws), scaledMs(60000));
    QVERIFY2(understudy::test::processAlive(static_cast<int>(first.processId())),
             "the first writer ended before the second tried");
    QCOMPARE(second.exitCode, 1);
    const QString msg = QString::fromUtf8(second.err).trimmed();
    const std::string store = featureStoreOf(ws);
    const QString expected =
        QString("%1 is being written by another process (pid %2 on host %3, since ")
            .arg(QString::fromStdString(store))
            .arg(first.processId())
            .arg(QString::fromStdString(hostName()));
    QVERIFY2(msg.contains(expected), qPrintable(expected + "\nin: " + msg));
    QVERIFY2(msg.contains(" UTC: understudy-cli -v features -w " + ws + " --dataset " + kDataset), qPrintable(msg));
    QVERIFY2(msg.contains("(hint: wait for it or stop it"), qPrintable(msg));
    QVERIFY2(!msg.contains('\n'), qPrintable(msg));

    QVERIFY(first.waitForFinished(scaledMs(60000)));
    QCOMPARE(first.exitStatus(), QProcess::NormalExit);
    QCOMPARE(first.exitCode(), 0);
    // The first wrote alone: its store is a straight run's, and its row says so.
    const std::string diff = storeDifference(fs::path(ws.toStdString()) / store,
                                             fs::path(m_features.toStdString()) / featureStoreOf(m_features));
    QVERIFY2(diff.empty(), diff.c_str());
    QCOMPARE(text(ws, "SELECT status FROM feature_sets"), std::string("complete"));
    QCOMPARE(number(ws, "SELECT num_utterances FROM feature_sets"), static_cast<long long>(kUtterances));
    // The refused one is a failed run with that message; the first finished.
    QCOMPARE(text(ws, "SELECT group_concat(status, ',') FROM (SELECT status FROM runs WHERE kind = 'features' "
                      "ORDER BY id)"),
             std::string("finished,failed"));
    QVERIFY(text(ws, "SELECT error FROM runs WHERE status = 'failed'").find("is being written by another process") !=
            std::string::npos);
  }

  void testSecondLabelIntoTheSameSoftLabelSetIsRefused() {
    const QString ws = copyWorkspace(m_teacher, path("two-labels"));
    QProcess first;
    first.start(understudy::test::cliPath(), labelArgs(ws));
    QVERIFY(first.waitForStarted());
    // Hold the first still while it holds the store's lock: the second tries
    // while it is surely there, whatever the machine's speed.
    const fs::path lock = waitForHolder(ws.toStdString() + "/softlabels", first.processId(), scaledMs(60000));
    QVERIFY2(!lock.empty(), "the first label never took a soft-label store's lock");
    QCOMPARE(::kill(static_cast<pid_t>(first.processId()), SIGSTOP), 0);
    QElapsedTimer t;
    t.start();
    while (processState(first.processId()) != 'T' && t.elapsed() < scaledMs(10000)) QThread::msleep(2);
    QCOMPARE(processState(first.processId()), 'T');

    const auto second = runCli(labelArgs(ws), scaledMs(60000));
    ::kill(static_cast<pid_t>(first.processId()), SIGCONT);
    QCOMPARE(second.exitCode, 1);
    const QString msg = QString::fromUtf8(second.err).trimmed();
    const QString storeName = QString::fromStdString(
        (lock.parent_path().parent_path().filename() / lock.parent_path().filename()).generic_string());
    QVERIFY2(msg.contains(storeName + " is being written by another process (pid " +
                          QString::number(first.processId()) + " on host "),
             qPrintable(storeName + "\nin: " + msg));
    QVERIFY2(msg.contains(": understudy-cli -q label -w " + ws + " --model cteacher"), qPrintable(msg));

    QVERIFY(first.waitForFinished(scaledMs(60000)));
    QCOMPARE(first.exitCode(), 0);
    QCOMPARE(number(ws, "SELECT COUNT(*) FROM soft_label_sets"), 1LL);
    const std::string diff = storeDifference(fs::path(ws.toStdString()) / softLabelStoreOf(ws),
                                             fs::path(m_labeled.toStdString()) / softLabelStoreOf(m_labeled));
    QVERIFY2(diff.empty(), diff.c_str());
  }

  // ---- a reader while a job writes -------------------------------------------------

  void testAReaderInAnotherProcessNeverSeesAPartialCommitStoreOrRun() {
    const QString ws = copyWorkspace(m_synth, path("reader"));
    QProcess writer;
    auto env = QProcessEnvironment::systemEnvironment();
    env.insert("UNDERSTUDY_TEST_FEATURES_COMMIT_DELAY_MS", "40");
    writer.setProcessEnvironment(env);
    writer.start(understudy::test::cliPath(), QStringList{"-q"} + featuresArgs(ws));
    QVERIFY(writer.waitForStarted());
    const auto reader = understudy::test::runProcess(QCoreApplication::applicationFilePath(),
                                                     {"--reader", ws, QString::number(scaledMs(60000) / 1000)},
                                                     scaledMs(90000));
    QVERIFY(writer.waitForFinished(scaledMs(60000)));
    QCOMPARE(writer.exitCode(), 0);
    qInfo("%s", reader.err.trimmed().constData());
    QVERIFY2(reader.exitCode == 0, qPrintable(outputOf(reader)));
    const std::string diff = storeDifference(fs::path(ws.toStdString()) / featureStoreOf(ws),
                                             fs::path(m_features.toStdString()) / featureStoreOf(m_features));
    QVERIFY2(diff.empty(), diff.c_str());
  }

  // ---- killed inside a transaction -----------------------------------------------

  void testKilledInsideATransactionLeavesAnIntactDatabaseWithoutItsRows_data() {
    QTest::addColumn<QString>("point");
    QTest::newRow("dataset registration") << "db.dataset_before_commit";
    QTest::newRow("a run's final metrics") << "db.metrics_before_commit";
  }

  void testKilledInsideATransactionLeavesAnIntactDatabaseWithoutItsRows() {
    QFETCH(QString, point);
    const bool datasets = point == "db.dataset_before_commit";
    QString ws = path("killed-" + point);
    QString why;
    QStringList args;
    if (datasets) {
      QVERIFY2(cli({"-q", "init", ws}, &why), qPrintable(why));
      args = {"-q", "corpus", "synth", "-w", ws, "--profile", "tiny", "--seed", "1", "--scale", "0.2"};
    } else {
      copyWorkspace(m_synth, ws);
      args = QStringList{"-q"} + featuresArgs(ws);
    }
    QProcess p;
    auto env = QProcessEnvironment::systemEnvironment();
    env.insert("UNDERSTUDY_FAULT", point + "@1");
    p.setProcessEnvironment(env);
    p.start(understudy::test::cliPath(), args);
    QVERIFY(p.waitForFinished(scaledMs(120000)));
    const QByteArray err = p.readAllStandardError();
    QVERIFY2(p.exitStatus() == QProcess::CrashExit, err.constData());
    QVERIFY2(err.contains("fault point " + point.toUtf8() + " pass 1: SIGKILL"), err.constData());
    // What the killed process left: its WAL, with the transaction's frames
    // never committed. A reader opening it recovers to the last commit.
    {
      SQLite::Database db((ws + "/workspace.db").toStdString(), SQLite::OPEN_READONLY);
      SQLite::Statement check(db, "PRAGMA integrity_check");
      QVERIFY(check.executeStep());
      QCOMPARE(check.getColumn(0).getString(), std::string("ok"));
      QVERIFY(!check.executeStep());
      if (datasets) {
        QCOMPARE(db.execAndGet("SELECT COUNT(*) FROM datasets").getInt(), 0);
        QCOMPARE(db.execAndGet("SELECT COUNT(*) FROM utterances").getInt(), 0);
      } else {
        // The run is there (its own earlier transaction), its final metrics are not.
        QCOMPARE(db.execAndGet("SELECT COUNT(*) FROM runs WHERE kind = 'features'").getInt(), 1);
        QCOMPARE(db.execAndGet("SELECT COUNT(*) FROM metrics m JOIN runs r ON r.id = m.run_id "
                               "WHERE r.kind = 'features'").getInt(), 0);
        QCOMPARE(db.execAndGet("SELECT status FROM runs WHERE kind = 'features'").getString(),
                 std::string("running"));
      }
    }
    const auto verify = runCli({"verify", "-w", ws});
    QVERIFY2(verify.exitCode == 0, qPrintable(outputOf(verify)));
    QVERIFY2(verify.out.contains("workspace.db: integrity_check ok"), verify.out.constData());
    if (!datasets)  // verify's own run reaped the dead one: failed, with a reason
      QCOMPARE(text(ws, "SELECT status FROM runs WHERE kind = 'features'"), std::string("failed"));
  }
};

int main(int argc, char** argv) {
  if (argc == 4 && std::strcmp(argv[1], "--reader") == 0) {
    QCoreApplication app(argc, argv);  // Qt Sql loads its driver as a plugin
    return readerMain(QString::fromLocal8Bit(argv[2]), std::atoi(argv[3]));
  }
  QCoreApplication app(argc, argv);
  TestConcurrency test;
  QTEST_SET_MAIN_SOURCE_PATH
  return QTest::qExec(&test, argc, argv);
}

#include "test_concurrency.moc"
