// understudy-cli end to end: real processes, real workspaces, the exit codes
// and one-line messages a user sees.
#include <QSet>
#include <QTemporaryDir>
#include <QtTest>

#include <SQLiteCpp/Database.h>

#include <unistd.h>

#include <fstream>

#include "support/test_support.h"

using understudy::test::outputOf;
using understudy::test::runCli;

class TestCli : public QObject {
  Q_OBJECT

 private:
  static QString oneLine(const QByteArray& err) { return QString::fromUtf8(err).trimmed(); }

 private slots:
  void testVersionPrintsBanner() {
    auto r = runCli({"--version"});
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.out.contains("understudy 0."), r.out.constData());
  }

  void testHelpHasExamples() {
    auto r = runCli({"--help"});
    QCOMPARE(r.exitCode, 0);
    QVERIFY(r.out.contains("Examples:"));
    QVERIFY(r.out.contains("init"));
  }

  void testKeysListsTheTrainerConfigTable() {
    if (!UNDERSTUDY_TEST_WITH_TRAIN) QSKIP("built with UNDERSTUDY_TORCH=OFF: understudy-cli has no keys command");
    auto r = runCli({"keys", "--tsv"});
    QVERIFY2(r.exitCode == 0, qPrintable(outputOf(r)));
    const QList<QByteArray> lines = r.out.trimmed().split('\n');
    QCOMPARE(lines.first(), QByteArray("key\tdefault\trange\thelp"));
    QSet<QByteArray> keys;
    for (int i = 1; i < lines.size(); ++i) {
      const QList<QByteArray> f = lines[i].split('\t');
      QCOMPARE(f.size(), 4);
      QVERIFY2(!keys.contains(f[0]), f[0].constData());
      QVERIFY2(!f[3].isEmpty(), f[0].constData());  // every key has help
      keys.insert(f[0]);
    }
    QVERIFY(keys.size() > 60);
    // Defaults and ranges as the trainer applies them (docs/training.md).
    QVERIFY(lines.contains("optimizer.lr\t0.001\t(0, 100)\tbase learning rate (the schedule scales it)"));
    QVERIFY(r.out.contains("\ndistribution.bmuf.block_steps\t50\t"));
    QVERIFY(r.out.contains("\nstreams.kind\tlabeled-only\t"));
  }

  void testInitThenInfoShowsEveryTable() {
    QTemporaryDir dir;
    const QString ws = dir.filePath("ws");
    auto init = runCli({"init", ws});
    QCOMPARE(init.exitCode, 0);
    QVERIFY(QFile::exists(ws + "/workspace.db"));
    for (const char* sub : {"audio", "features", "alignments", "softlabels", "models", "runs"})
      QVERIFY2(QDir(ws).exists(sub), sub);
    auto info = runCli({"info", "-w", ws});
    QCOMPARE(info.exitCode, 0);
    QVERIFY(info.out.contains("schema version  5"));
    for (const char* table :
         {"datasets", "utterances", "runs", "metrics", "evaluations", "nodes", "soft_label_summaries"})
      QVERIFY2(info.out.contains(table), table);
  }

  void testRunsListsRecordedRuns() {
    QTemporaryDir dir;
    const QString ws = dir.filePath("ws");
    QCOMPARE(runCli({"init", ws}).exitCode, 0);
    {
      SQLite::Database db((ws + "/workspace.db").toStdString(), SQLite::OPEN_READWRITE);
      db.exec("INSERT INTO runs (kind, name, status) VALUES ('train', 'teacher-blstm', 'finished')");
    }
    auto r = runCli({"runs", "-w", ws});
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.out.contains("teacher-blstm"), r.out.constData());
    QVERIFY(r.out.contains("finished"));
  }

  void testInitTwiceRefuses() {
    QTemporaryDir dir;
    const QString ws = dir.filePath("ws");
    QCOMPARE(runCli({"init", ws}).exitCode, 0);
    auto r = runCli({"init", ws});
    QCOMPARE(r.exitCode, 1);
    QVERIFY(oneLine(r.err).startsWith("understudy-cli: error:"));
    QVERIFY(r.err.contains("already exists"));
  }

  void testMissingWorkspaceIsOneLineExit1() {
    QTemporaryDir dir;
    auto r = runCli({"info", "-w", dir.filePath("missing")});
    QCOMPARE(r.exitCode, 1);
    QVERIFY(!r.crashed);
    QCOMPARE(oneLine(r.err).count('\n'), 0);
    QVERIFY(r.err.contains("does not exist"));
    QVERIFY(r.err.contains("understudy-cli init"));
  }

  void testUnwritableFolderIsOneLineExit1() {
    if (::geteuid() == 0) {
      // root writes anywhere; use a path under a regular file instead.
      QTemporaryDir dir;
      std::ofstream(dir.filePath("file").toStdString()) << "x";
      auto r = runCli({"init", dir.filePath("file/ws")});
      QCOMPARE(r.exitCode, 1);
      QVERIFY(r.err.contains("cannot create the workspace folder"));
      return;
    }
    QTemporaryDir dir;
    QFile::setPermissions(dir.path(), QFile::ReadOwner | QFile::ExeOwner);
    auto r = runCli({"init", dir.filePath("ws")});
    QFile::setPermissions(dir.path(), QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    QCOMPARE(r.exitCode, 1);
    QCOMPARE(oneLine(r.err).count('\n'), 0);
  }

  void testUnknownFlagIsUsageErrorExit2() {
    QTemporaryDir dir;
    const QString ws = dir.filePath("ws");
    QCOMPARE(runCli({"init", ws}).exitCode, 0);
    auto r = runCli({"info", "-w", ws, "--bogus"});
    QCOMPARE(r.exitCode, 2);
    QCOMPARE(oneLine(r.err).count('\n'), 0);
    QVERIFY2(r.err.contains("--bogus"), r.err.constData());
  }

  void testUnknownCommandIsUsageErrorExit2() {
    auto r = runCli({"frobnicate"});
    QCOMPARE(r.exitCode, 2);
    QCOMPARE(oneLine(r.err).count('\n'), 0);
  }

  void testCorruptDatabaseIsOneLineExit1() {
    QTemporaryDir dir;
    const QString ws = dir.filePath("ws");
    QDir().mkpath(ws);
    {
      std::ofstream out((ws + "/workspace.db").toStdString(), std::ios::binary);
      out << std::string(8192, '\x5a');
    }
    auto r = runCli({"info", "-w", ws});
    QCOMPARE(r.exitCode, 1);
    QVERIFY(!r.crashed);
    QCOMPARE(oneLine(r.err).count('\n'), 0);
    QVERIFY2(r.err.contains("corrupt or not an SQLite file"), r.err.constData());
  }

  void testFutureSchemaIsRefused() {
    QTemporaryDir dir;
    const QString ws = dir.filePath("ws");
    QCOMPARE(runCli({"init", ws}).exitCode, 0);
    {
      SQLite::Database db((ws + "/workspace.db").toStdString(), SQLite::OPEN_READWRITE);
      db.exec("PRAGMA user_version = 99");
    }
    auto r = runCli({"runs", "-w", ws});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("schema version 99"), r.err.constData());
  }
};

QTEST_GUILESS_MAIN(TestCli)
#include "test_cli.moc"
