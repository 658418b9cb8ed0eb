// The `understudy --screenshot` options scripts/screenshots drives
// (ui/main/screenshot_driver.cpp, hidden from --help): the grab waits for what was asked
// for, and a wizard page that cannot be reached is an error, not a picture
// of another page.
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include <QDir>
#include <QImage>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include "core/store/workspace.h"

namespace {

const char* const kGuiBinary = UNDERSTUDY_BINARY_DIR "/app/gui/understudy";

struct GuiRun {
  int exitCode = -1;
  QString err;
};

GuiRun runGui(const QStringList& args) {
  QProcess p;
  QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
  env.insert("QT_QPA_PLATFORM", "offscreen");
  env.insert("LC_ALL", "C.UTF-8");
  env.insert("LANGUAGE", "en");
  p.setProcessEnvironment(env);
  p.start(QString::fromUtf8(kGuiBinary), args);
  GuiRun run;
  if (!p.waitForStarted(10000) || !p.waitForFinished(45000)) {
    p.kill();
    p.waitForFinished();
    run.err = "did not start or finish: " + p.errorString();
    return run;
  }
  run.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
  run.err = QString::fromUtf8(p.readAllStandardError());
  return run;
}

// How many pixels of `image` are far from grey: the coloured curves.
int colouredPixels(const QImage& image) {
  int n = 0;
  for (int y = 0; y < image.height(); ++y)
    for (int x = 0; x < image.width(); ++x) {
      const QColor c = image.pixelColor(x, y);
      if (std::max({c.red(), c.green(), c.blue()}) - std::min({c.red(), c.green(), c.blue()}) > 60) ++n;
    }
  return n;
}

}  // namespace

class TestUiScreenshot : public QObject {
  Q_OBJECT

  QTemporaryDir m_dir;
  QString m_ws;

 private slots:
  void initTestCase() {
    QVERIFY(m_dir.isValid());
    m_ws = m_dir.filePath("ws");
    understudy::Workspace::create(m_ws.toStdString());
    // A finished training run with a loss curve, as another process writes it;
    // 200,000 points, so that reading them takes longer than the first tick of
    // the grab's timer (a grab that did not wait would show an empty chart).
    SQLite::Database db(QDir(m_ws).filePath("workspace.db").toStdString(), SQLite::OPEN_READWRITE);
    SQLite::Transaction transaction(db);
    db.exec("INSERT INTO runs (id, kind, name, status) VALUES (1, 'train', 'curve', 'finished')");
    db.exec("INSERT INTO runs (id, kind, name, status) VALUES (2, 'train', 'no-points', 'running')");
    SQLite::Statement insert(db, "INSERT INTO metrics (run_id, step, name, value, wall_time) "
                                 "VALUES (1, ?, 'train/loss', ?, ?)");
    for (int step = 1; step <= 200000; ++step) {
      insert.bind(1, step);
      insert.bind(2, 4.0 / (1.0 + 0.0001 * step) + (step % 7) * 0.05);
      insert.bind(3, 1.7e9 + step);
      insert.exec();
      insert.reset();
    }
    transaction.commit();
  }

  // --select-runs: the picture is taken once the reader thread delivered the
  // points (no delay to hide behind), so the curve is in it.
  void testChartsAreDrawnWhenGrabbed() {
    const QString png = m_dir.filePath("charts.png");
    const GuiRun run = runGui({m_ws, "--screenshot", png, "--window-size", "900x560", "--view", "charts",
                               "--select-runs", "1", "--delay-ms", "0"});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    const QImage charted(png);
    QCOMPARE(charted.size(), QSize(900, 560));
    const QString emptyPng = m_dir.filePath("charts-empty.png");
    const GuiRun empty = runGui({m_ws, "--screenshot", emptyPng, "--window-size", "900x560", "--view", "charts",
                                 "--delay-ms", "0"});
    QVERIFY2(empty.exitCode == 0, qPrintable(empty.err));
    // The curve (and its legend) are coloured; the empty chart has no colour but the selection's.
    const int curve = colouredPixels(charted);
    const int none = colouredPixels(QImage(emptyPng));
    QVERIFY2(curve > none + 500, qPrintable(QString("coloured pixels: %1 charted, %2 empty").arg(curve).arg(none)));
  }

  // A run without points: no picture of an empty chart, but exit 1 and why.
  void testChartsWithoutPointsAreAnError() {
    const QString png = m_dir.filePath("no-points.png");
    const GuiRun run = runGui({m_ws, "--screenshot", png, "--view", "charts", "--select-runs", "2",
                               "--give-up-ms", "1500"});
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains("gave up after 1500 ms waiting for the charts' points"), qPrintable(run.err));
    QVERIFY(!QFile::exists(png));
  }

  // Wrong values are refused with a message, exit 2, no picture.
  void testBadOptionsAreRefused() {
    const QString png = m_dir.filePath("bad.png");
    GuiRun run = runGui({m_ws, "--screenshot", png, "--select-runs", "1,x"});
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains("'x' is not a run id"), qPrintable(run.err));
    run = runGui({m_ws, "--screenshot", png, "--select-runs", "1", "--chart-panel", "speed"});
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains("unknown panel 'speed'"), qPrintable(run.err));
    run = runGui({m_ws, "--screenshot", png, "--select-node", "nowhere"});
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains("no node nowhere"), qPrintable(run.err));
    // The utterances, labels and compare tabs' options name what is not there.
    run = runGui({m_ws, "--screenshot", png, "--view", "utterances", "--select-dataset", "nodata"});
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains("--select-dataset: no dataset nodata"), qPrintable(run.err));
    run = runGui({m_ws, "--screenshot", png, "--view", "labels", "--labels-set", "7"});
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains("--labels-set: no soft-label set 7"), qPrintable(run.err));
    run = runGui({m_ws, "--screenshot", png, "--view", "compare", "--compare-baseline", "nomodel"});
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains("--compare-baseline: no model nomodel"), qPrintable(run.err));
    QVERIFY(!QFile::exists(png));
  }

  // The wizard: the first page is grabbed at the size asked; a page behind
  // one whose Next is refused (no datasets in this workspace) is an error.
  void testWizardPages() {
    const QString png = m_dir.filePath("wizard.png");
    GuiRun run = runGui({m_ws, "--screenshot", png, "--wizard-page", "kind", "--wizard-size", "860x660"});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    QCOMPARE(QImage(png).size(), QSize(860, 660));
    const QString review = m_dir.filePath("review.png");
    run = runGui({m_ws, "--screenshot", review, "--wizard-page", "review"});
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains("the wizard stopped at page 1 before 'review'"), qPrintable(run.err));
    QVERIFY(!QFile::exists(review));
  }
};

QTEST_GUILESS_MAIN(TestUiScreenshot)
#include "test_ui_screenshot.moc"
