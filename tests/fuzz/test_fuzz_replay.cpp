// test_fuzz_replay: every fuzz harness (tests/fuzz/fuzz_<target>.cpp) over
// its seed corpus (corpus/<target>/) and every input a fuzzer once failed on
// (regressions/<target>/), in any build, so a fixed finding stays fixed
// without clang (docs/fuzzing.md). An input fails when the harness lets
// anything but understudy::Error out (or crashes).
#include <QDir>
#include <QtTest>

#include <cstdint>
#include <exception>
#include <fstream>
#include <iterator>
#include <string>
#include <typeinfo>

#include "fuzz/fuzz_target.h"

using Harness = int (*)(const std::uint8_t*, std::size_t);
#define US_DECLARE_HARNESS(name) int understudyFuzz_##name(const std::uint8_t*, std::size_t);
US_DECLARE_HARNESS(kaldi_io)
US_DECLARE_HARNESS(kaldi_data_dir)
US_DECLARE_HARNESS(manifest)
US_DECLARE_HARNESS(arpa)
US_DECLARE_HARNESS(recipe)
US_DECLARE_HARNESS(record_store)
US_DECLARE_HARNESS(soft_label_store)
US_DECLARE_HARNESS(fbank_config)

class TestFuzzReplay : public QObject {
  Q_OBJECT

 private:
  // One row per file of corpus/<target>/ and regressions/<target>/; the
  // corpus must not be empty (a harness without seeds fuzzes blind).
  static void addInputs(const char* target) {
    QTest::addColumn<QString>("file");
    const QDir root(QStringLiteral(UNDERSTUDY_SOURCE_DIR "/tests/fuzz"));
    int seeds = 0;
    for (const char* kind : {"corpus", "regressions"}) {
      const QDir dir(root.filePath(QStringLiteral("%1/%2").arg(kind, target)));
      for (const QString& name : dir.entryList(QDir::Files, QDir::Name)) {
        if (name == QLatin1String("README.md")) continue;
        const QString rel = QStringLiteral("%1/%2/%3").arg(kind, target, name);
        QTest::newRow(qPrintable(rel)) << dir.filePath(name);
        if (QLatin1String(kind) == QLatin1String("corpus")) ++seeds;
      }
    }
    if (seeds == 0) QTest::newRow("no seeds") << QString();
  }

  static void replay(Harness harness) {
    QFETCH(QString, file);
    QVERIFY2(!file.isEmpty(), "tests/fuzz/corpus/<target>/ holds no seed for this harness");
    std::ifstream in(file.toStdString(), std::ios::binary);
    QVERIFY2(in, qPrintable(QStringLiteral("cannot read %1").arg(file)));
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    try {
      harness(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    } catch (const std::exception& e) {
      QFAIL(qPrintable(QStringLiteral("%1: the parser let a %2 out instead of understudy::Error: %3")
                           .arg(file, QString::fromLatin1(typeid(e).name()),
                                QString::fromStdString(e.what()))));
    } catch (...) {
      QFAIL(qPrintable(QStringLiteral("%1: the parser threw a non-std exception").arg(file)));
    }
  }

 private slots:
  void testKaldiIo_data() { addInputs("kaldi_io"); }
  void testKaldiIo() { replay(understudyFuzz_kaldi_io); }
  void testKaldiDataDir_data() { addInputs("kaldi_data_dir"); }
  void testKaldiDataDir() { replay(understudyFuzz_kaldi_data_dir); }
  void testManifest_data() { addInputs("manifest"); }
  void testManifest() { replay(understudyFuzz_manifest); }
  void testArpa_data() { addInputs("arpa"); }
  void testArpa() { replay(understudyFuzz_arpa); }
  void testRecipe_data() { addInputs("recipe"); }
  void testRecipe() { replay(understudyFuzz_recipe); }
  void testRecordStore_data() { addInputs("record_store"); }
  void testRecordStore() { replay(understudyFuzz_record_store); }
  void testSoftLabelStore_data() { addInputs("soft_label_store"); }
  void testSoftLabelStore() { replay(understudyFuzz_soft_label_store); }
  void testFbankConfig_data() { addInputs("fbank_config"); }
  void testFbankConfig() { replay(understudyFuzz_fbank_config); }
};

QTEST_GUILESS_MAIN(TestFuzzReplay)
#include "test_fuzz_replay.moc"
