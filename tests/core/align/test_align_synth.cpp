// End to end on the synthetic corpus: corpus synth -> features -> targets,
// checked by an independent reader (check_targets.py: the 30 ms rule and the
// priors recomputed from ali.txt, the store read from its documented bytes).
// Pins the contract that synthetic alignments match the fbank frame count.
#include <QTemporaryDir>
#include <QtTest>

#include "support/test_support.h"

using understudy::test::runCli;
using understudy::test::runProcess;

class TestAlignSynth : public QObject {
  Q_OBJECT

 private slots:
  void testSyntheticTargetsMatchIndependentReference() {
    QTemporaryDir tmp;
    const QString ws = tmp.filePath("ws");
    auto r = runCli({"init", ws});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    r = runCli({"-q", "corpus", "synth", "-w", ws, "--profile", "tiny", "--scale", "0.2", "-j", "2"},
               300000);
    QVERIFY2(r.exitCode == 0, r.err.constData());
    r = runCli({"-q", "features", "-w", ws, "--dataset", "synth-labeled"});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    r = runCli({"-q", "targets", "-w", ws, "--dataset", "synth-labeled"});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QVERIFY2(r.out.contains(" 0 rejected, 0 padded, 0 truncated"), r.out.constData());
    r = runProcess("/usr/bin/python3",
                   {UNDERSTUDY_SOURCE_DIR "/tests/core/align/check_targets.py", ws, "synth-labeled"});
    qInfo("%s", r.out.trimmed().constData());
    QVERIFY2(r.exitCode == 0, (r.out + r.err).constData());
  }
};

QTEST_GUILESS_MAIN(TestAlignSynth)
#include "test_align_synth.moc"
