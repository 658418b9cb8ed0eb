// understudy-cli export: features and frame targets of a workspace built by
// the CLI itself (tiny synthetic corpus → features → targets), read back by an
// independent Kaldi reader (check_kaldi_export.py, plain python) and compared
// with the records as this test reads them from the stores.
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <cstdint>
#include <fstream>
#include <string>

#include "core/store/kaldi_export.h"
#include "core/store/record_store.h"
#include "core/store/workspace.h"
#include "support/test_support.h"

using understudy::test::runCli;
using understudy::test::runProcess;
using namespace understudy;

class TestExport : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir m_dir;
  QString m_ws;

  // Every record of the dataset's store, in the dump format check_kaldi_export.py reads.
  void dumpStore(ExportWhat what, const QString& path) {
    Workspace ws = Workspace::open(m_ws.toStdString());
    const RecordStore store = RecordStore::open(locateExportStore(ws, "synth-labeled", what));
    std::ofstream out(path.toStdString(), std::ios::binary);
    for (const std::string& key : store.keys()) {
      const RecordView v = store.read(key);
      const auto n = static_cast<std::uint32_t>(key.size());
      const auto rows = static_cast<std::int32_t>(v.rows), cols = static_cast<std::int32_t>(v.cols);
      out.write(reinterpret_cast<const char*>(&n), 4);
      out.write(key.data(), n);
      out.write(reinterpret_cast<const char*>(&rows), 4);
      out.write(reinterpret_cast<const char*>(&cols), 4);
      out.write(static_cast<const char*>(v.data), static_cast<std::streamsize>(v.byteSize()));
    }
  }

  void exportAndCheck(const char* what, bool text) {
    const QString base = m_dir.filePath(QStringLiteral("%1-%2").arg(what, text ? "text" : "binary"));
    const QString ark = base + ".ark", scp = base + ".scp";
    QStringList args{"-q", "export", "-w", m_ws, "--dataset", "synth-labeled", "--what", what,
                     "--ark", ark, "--scp", scp};
    if (text) args << "--text";
    auto r = runCli(args);
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QVERIFY2(r.out.contains("Exported"), r.out.constData());
    // Larger than the writer's 1 MiB buffer, so the scp offsets span flushes.
    if (QString(what) == "features") QVERIFY(QFileInfo(ark).size() > (1 << 20));
    const QString dump = base + ".dump";
    dumpStore(QString(what) == "features" ? ExportWhat::Features : ExportWhat::Targets, dump);
    r = runProcess("/usr/bin/python3", {UNDERSTUDY_SOURCE_DIR "/tests/integration/check_kaldi_export.py",
                                        dump, ark, scp, what, text ? "text" : "binary"});
    qInfo("%s %s: %s", what, text ? "text" : "binary", r.out.trimmed().constData());
    QVERIFY2(r.exitCode == 0, (r.out + r.err).constData());
    QVERIFY(r.out.startsWith("ok: "));
  }

  static bool noTempFilesIn(const QString& dir) {
    return QDir(dir).entryList({"*.tmp.*"}, QDir::Files).isEmpty();
  }

 private slots:
  void initTestCase() {
    QVERIFY(m_dir.isValid());
    m_ws = m_dir.filePath("ws");
    auto r = runCli({"init", m_ws});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    // Scale 0.3: the features make a binary ark over 1 MiB (see exportAndCheck).
    r = runCli({"-q", "corpus", "synth", "-w", m_ws, "--profile", "tiny", "--scale", "0.3", "-j", "2"},
               300000);
    QVERIFY2(r.exitCode == 0, r.err.constData());
    r = runCli({"-q", "features", "-w", m_ws, "--dataset", "synth-labeled", "--jobs", "2"});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    r = runCli({"-q", "targets", "-w", m_ws, "--dataset", "synth-labeled"});
    QVERIFY2(r.exitCode == 0, r.err.constData());
  }

  void testBinaryFeaturesReadBackByAnIndependentReader() { exportAndCheck("features", false); }
  void testTextFeaturesReadBackByAnIndependentReader() { exportAndCheck("features", true); }
  void testBinaryTargetsReadBackByAnIndependentReader() { exportAndCheck("targets", false); }
  void testTextTargetsReadBackByAnIndependentReader() { exportAndCheck("targets", true); }

  void testEventsOnStdoutAreOnlyJsonLines() {
    const QString ark = m_dir.filePath("events.ark");
    auto r = runCli({"--events", "-", "export", "-w", m_ws, "--dataset", "synth-labeled", "--what",
                     "features", "--ark", ark});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    bool progress = false, finished = false;
    for (const QByteArray& line : r.out.split('\n')) {
      if (line.isEmpty()) continue;
      QJsonParseError error;
      const QJsonDocument doc = QJsonDocument::fromJson(line, &error);
      QVERIFY2(error.error == QJsonParseError::NoError && doc.isObject(), line.constData());
      const QJsonObject e = doc.object();
      progress |= e["type"].toString() == "progress" && e["name"].toString() == "export";
      finished |= e["type"].toString() == "status" && e["name"].toString() == "finished";
    }
    QVERIFY2(progress, r.out.constData());
    QVERIFY2(finished, r.out.constData());
    QVERIFY2(r.err.contains("Exported features"), r.err.constData());  // human text on stderr
  }

  void testUnknownDatasetListsTheKnownOnes() {
    auto r = runCli({"export", "-w", m_ws, "--dataset", "nope", "--what", "features", "--ark",
                     m_dir.filePath("x.ark")});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("no dataset named 'nope'"), r.err.constData());
    QVERIFY2(r.err.contains("synth-labeled"), r.err.constData());
    QVERIFY(!QFile::exists(m_dir.filePath("x.ark")));
  }

  void testDatasetWithoutFeaturesOrTargetsNamesTheCommandToRun() {
    // synth-unlabeled has neither features nor targets in this workspace.
    auto r = runCli({"export", "-w", m_ws, "--dataset", "synth-unlabeled", "--what", "features",
                     "--ark", m_dir.filePath("x.ark")});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("has no features"), r.err.constData());
    QVERIFY2(r.err.contains("understudy-cli features -w"), r.err.constData());
    r = runCli({"export", "-w", m_ws, "--dataset", "synth-unlabeled", "--what", "targets", "--ark",
                m_dir.filePath("x.ark")});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("has no frame targets"), r.err.constData());
    QVERIFY2(r.err.contains("understudy-cli targets -w"), r.err.constData());
  }

  void testUnwritableOutputIsOneLineErrorAndLeavesNothing() {
    auto r = runCli({"export", "-w", m_ws, "--dataset", "synth-labeled", "--what", "features",
                     "--ark", m_dir.filePath("missing/feats.ark")});
    QCOMPARE(r.exitCode, 1);
    QCOMPARE(r.err.trimmed().count('\n'), 0);
    QVERIFY2(r.err.contains("does not exist"), r.err.constData());
    QVERIFY2(r.err.contains("mkdir -p"), r.err.constData());

    {
      std::ofstream(m_dir.filePath("plain-file").toStdString()) << "x";
    }
    r = runCli({"export", "-w", m_ws, "--dataset", "synth-labeled", "--what", "targets", "--ark",
                m_dir.filePath("ok.ark"), "--scp", m_dir.filePath("plain-file/ali.scp")});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("is not a folder"), r.err.constData());
    QVERIFY(!QFile::exists(m_dir.filePath("ok.ark")));  // nothing written before the check
    QVERIFY(noTempFilesIn(m_dir.path()));

    r = runCli({"export", "-w", m_ws, "--dataset", "synth-labeled", "--what", "targets", "--ark",
                m_dir.path()});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("output is a folder"), r.err.constData());
  }

  void testExportReplacesAnOldArchiveAtomically() {
    const QString ark = m_dir.filePath("replace.ark");
    {
      std::ofstream(ark.toStdString()) << "old contents";
    }
    auto r = runCli({"-q", "export", "-w", m_ws, "--dataset", "synth-labeled", "--what", "targets",
                     "--ark", ark});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QFile f(ark);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QVERIFY(!f.readAll().startsWith("old contents"));
    QVERIFY(noTempFilesIn(m_dir.path()));
  }
};

QTEST_GUILESS_MAIN(TestExport)
#include "test_export.moc"
