// understudy-cli label on the tiny synthetic corpus: a tiny teacher trained
// for a few steps labels synth-unlabeled, and
//   - every stored frame equals an independent python3-torch computation
//     (label_reference.py) of top-k softmax(z/T) on the same features, and
//     keeps the invariants (ids distinct, p non-increasing, Σp = 1, id 0 is
//     the argmax);
//   - the summary in workspace.db agrees with the store and the targets, and
//     its top-1 accuracy against the truth equals `evaluate`'s frame accuracy;
//   - every labeled utterance has its soft_label_utterances row, equal to
//     the store read back, and labeling again fills rows that are missing;
//   - u8 labels have the same ids in 3 bytes per entry;
//   - a labeler SIGKILLed several times and resumed leaves the same bytes as
//     a straight run;
//   - Ctrl-C commits and marks the run cancelled, a second labeler on the
//     same folder is refused;
//   - a flipped byte is caught naming the utterance; bad arguments are refused
//     before anything is recorded.
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QtTest>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <signal.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "core/align/target_store.h"
#include "core/store/soft_label_store.h"
#include "support/sql_query.h"
#include "support/test_support.h"

using understudy::test::queryText;
using understudy::test::runCli;
namespace fs = std::filesystem;

namespace {
const QString kRecipes = QStringLiteral(UNDERSTUDY_SOURCE_DIR "/resources/recipes/");
const QString kReference = QStringLiteral(UNDERSTUDY_SOURCE_DIR "/tests/core/train/label_reference.py");
const QString kModel = QStringLiteral("teacher-tiny");
const QString kDataset = QStringLiteral("synth-unlabeled");


double scalar(const QString& db, const std::string& sql) { return understudy::test::queryScalar(db, sql, 0.0); }

std::string bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// A soft_label_utterances row, by utterance key.
struct LabelRow {
  std::int64_t frames = 0;
  double meanTop1 = 0.0, meanEntropy = 0.0;
  std::int64_t truthFrames = -1, truthTop1Correct = -1, truthInTopK = -1;  // -1: NULL
  bool operator==(const LabelRow& o) const {
    return frames == o.frames && meanTop1 == o.meanTop1 && meanEntropy == o.meanEntropy &&
           truthFrames == o.truthFrames && truthTop1Correct == o.truthTop1Correct && truthInTopK == o.truthInTopK;
  }
};

std::map<std::string, LabelRow> utteranceRows(const QString& db, const QString& folder) {
  SQLite::Database d(db.toStdString(), SQLite::OPEN_READONLY);
  d.setBusyTimeout(10000);
  SQLite::Statement q(d, "SELECT u.key, r.frames, r.mean_top1, r.mean_entropy, r.truth_frames, "
                         "r.truth_top1_correct, r.truth_in_topk FROM soft_label_utterances r "
                         "JOIN utterances u ON u.id = r.utterance_id JOIN soft_label_sets s ON "
                         "s.id = r.soft_label_set_id WHERE s.path = ?");
  q.bind(1, "softlabels/" + folder.toStdString());
  std::map<std::string, LabelRow> out;
  auto count = [&](int c) { return q.getColumn(c).isNull() ? std::int64_t(-1) : q.getColumn(c).getInt64(); };
  while (q.executeStep())
    out[q.getColumn(0).getString()] = {q.getColumn(1).getInt64(), q.getColumn(2).getDouble(),
                                       q.getColumn(3).getDouble(), count(4), count(5), count(6)};
  return out;
}

// Every regular file of a folder, by name, but the writer's lock file (it
// names its last holder: pid, start time, command line; core/util/lock_file.h).
std::map<std::string, std::string> folderBytes(const fs::path& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_regular_file() && e.path().filename() != "lock") out[e.path().filename().string()] = bytes(e.path());
  return out;
}
}  // namespace

class TestLabel : public QObject {
  Q_OBJECT

  QTemporaryDir m_dir;
  QString m_ws;
  QString m_db;

  void mustRun(const QStringList& args) {
    auto r = runCli(args, 300000);
    QVERIFY2(r.exitCode == 0, qPrintable(args.join(' ') + "\n" + understudy::test::outputOf(r)));
  }
  fs::path softLabels(const QString& folder) const { return fs::path(m_ws.toStdString()) / "softlabels" / folder.toStdString(); }
  std::string summaryOf(const QString& folder, const std::string& column) const {
    return queryText(m_db, "SELECT s." + column + " FROM soft_label_summaries s JOIN soft_label_sets t ON "
                      "t.id = s.soft_label_set_id WHERE t.path = 'softlabels/" + folder.toStdString() + "'");
  }

 private slots:
  void initTestCase() {
    m_ws = m_dir.filePath("ws");
    m_db = m_ws + "/workspace.db";
    mustRun({"init", m_ws});
    mustRun({"-q", "corpus", "synth", "-w", m_ws, "--profile", "tiny", "--seed", "1"});
    for (const QString d : {"synth-labeled", "synth-unlabeled"}) {
      mustRun({"-q", "features", "-w", m_ws, "--dataset", d});
      mustRun({"-q", "targets", "-w", m_ws, "--dataset", d});
    }
    mustRun({"-q", "features", "-w", m_ws, "--dataset", "synth-test-clean"});  // no targets
    mustRun({"-q", "train", "-w", m_ws, "--config", kRecipes + "teacher-tiny.yaml", "--max-steps", "30"});
    mustRun({"-q", "label", "-w", m_ws, "--model", kModel, "--dataset", kDataset, "--threads", "1"});
  }

  void testStoredLabelsMatchIndependentPythonTorch_data() {
    QTest::addColumn<QString>("folder");
    QTest::addColumn<QString>("temperature");
    QTest::newRow("T=1") << kDataset + "-" + kModel << "1";
    QTest::newRow("T=2.5") << "t2.5" << "2.5";
  }

  void testStoredLabelsMatchIndependentPythonTorch() {
    QFETCH(QString, folder);
    QFETCH(QString, temperature);
    US_REQUIRE_REFERENCE_PYTHON(python);
    const QString ark = m_dir.filePath("unlabeled.ark");
    if (!QFile::exists(ark))
      mustRun({"-q", "export", "-w", m_ws, "--dataset", kDataset, "--what", "features", "--ark", ark});
    if (!fs::exists(softLabels(folder)))
      mustRun({"-q", "label", "-w", m_ws, "--model", kModel, "--dataset", kDataset, "--threads", "1",
               "--temperature", temperature, "--out", folder});
    auto ref = understudy::test::runProcess(
        python, {kReference, m_ws + "/models/" + kModel, ark, "20", temperature}, 300000);
    QVERIFY2(ref.exitCode == 0, qPrintable(understudy::test::outputOf(ref)));

    const auto store = understudy::SoftLabelStore::open(softLabels(folder));
    QCOMPARE(store.options().temperature, temperature.toDouble());
    QCOMPARE(store.k(), 20);
    std::istringstream lines(ref.out.toStdString());
    std::string line, cachedKey;
    understudy::SoftLabels labels;
    std::set<std::string> keys;
    std::int64_t frames = 0, nearTies = 0;
    double worst = 0.0;
    while (std::getline(lines, line)) {
      std::istringstream f(line);
      std::string key;
      int t;
      f >> key >> t;
      if (key != cachedKey) {
        QVERIFY2(store.contains(key), key.c_str());
        labels = store.read(key);
        cachedKey = key;
        keys.insert(key);
      }
      QVERIFY2(t < labels.frames, qPrintable(QString("%1: reference has frame %2 of %3").arg(key.c_str()).arg(t).arg(labels.frames)));
      std::vector<int> refIds(20);
      std::vector<double> refP(21);
      for (int j = 0; j < 20; ++j) f >> refIds[j] >> refP[j];
      f >> refP[20];
      QVERIFY2(f, line.c_str());
      double sum = 0.0;
      std::set<int> distinct;
      for (int j = 0; j < 20; ++j) {
        const double p = refP[j];
        const float stored = labels.prob(t, j);
        distinct.insert(labels.id(t, j));
        sum += stored;
        if (j > 0) QVERIFY2(stored <= labels.prob(t, j - 1), "probabilities not non-increasing");
        // fp16: half an ulp is 2^-11 relative; plus float32 arithmetic. The
        // j-th largest probability does not depend on how ties are ordered.
        const double err = std::abs(stored - p);
        worst = std::max(worst, err / std::max(p, 1e-7));
        QVERIFY2(err <= p * 4.9e-4 + 1e-6,
                 qPrintable(QString("%1 frame %2 entry %3: p %4, reference %5").arg(key.c_str()).arg(t).arg(j)
                                .arg(stored, 0, 'g', 9).arg(p, 0, 'g', 9)));
        // A unit whose probability is within 1e-4 of a neighbour's may trade
        // places with it under other rounding; every other id must agree.
        const bool nearTie = (j > 0 && refP[j - 1] - p <= 1e-4 * p) || p - refP[j + 1] <= 1e-4 * p;
        if (nearTie) {
          ++nearTies;
          continue;
        }
        QVERIFY2(labels.id(t, j) == refIds[j],
                 qPrintable(QString("%1 frame %2 entry %3: id %4, reference %5").arg(key.c_str()).arg(t).arg(j)
                                .arg(labels.id(t, j)).arg(refIds[j])));
      }
      QCOMPARE(static_cast<int>(distinct.size()), 20);
      QVERIFY2(std::abs(sum - 1.0) <= 1e-3, qPrintable(QString("%1 frame %2: sum %3").arg(key.c_str()).arg(t).arg(sum)));
      ++frames;
    }
    qInfo("%lld frames of %zu utterances compared, %lld of %lld entries near-tied, worst relative p error %.2e",
          static_cast<long long>(frames), keys.size(), static_cast<long long>(nearTies),
          static_cast<long long>(frames * 20), worst);
    QCOMPARE(keys.size(), store.size());
    QCOMPARE(static_cast<std::uint64_t>(frames), store.totalFrames());
    QVERIFY(nearTies * 100 < frames * 20);
  }

  // The db summary is what the store holds; its truth columns are what the
  // store and the targets say, and top-1 accuracy is evaluate's accuracy.
  void testSummaryAgreesWithStoreTargetsAndEvaluate() {
    const QString folder = kDataset + "-" + kModel;
    const auto store = understudy::SoftLabelStore::open(softLabels(folder));
    const auto targets = understudy::TargetStore::open(
        understudy::TargetStore::datasetDir(fs::path(m_ws.toStdString()), kDataset.toStdString()));
    std::int64_t frames = 0, compared = 0, top1 = 0, inTopK = 0;
    double sumTop1 = 0.0;
    for (const auto& key : store.keys()) {
      const auto s = store.read(key);
      const auto truth = targets.read(key);
      frames += s.frames;
      for (int t = 0; t < s.frames; ++t) sumTop1 += s.prob(t, 0);
      const int n = std::min<int>(s.frames, static_cast<int>(truth.size()));
      for (int t = 0; t < n; ++t) {
        ++compared;
        if (s.id(t, 0) == truth[t]) ++top1;
        for (int j = 0; j < s.k; ++j)
          if (s.id(t, j) == truth[t] && s.prob(t, j) > 0.0f) {
            ++inTopK;
            break;
          }
      }
    }
    QCOMPARE(std::stoll(summaryOf(folder, "frames")), static_cast<long long>(frames));
    QCOMPARE(std::stoll(summaryOf(folder, "truth_frames")), static_cast<long long>(compared));
    QVERIFY(std::abs(std::stod(summaryOf(folder, "mean_top1")) - sumTop1 / frames) < 1e-9);
    const double acc = std::stod(summaryOf(folder, "truth_top1_accuracy"));
    const double recall = std::stod(summaryOf(folder, "truth_topk_recall"));
    QVERIFY(std::abs(acc - static_cast<double>(top1) / compared) < 1e-12);
    QVERIFY(std::abs(recall - static_cast<double>(inTopK) / compared) < 1e-12);
    QVERIFY(recall >= acc);
    QCOMPARE(scalar(m_db, "SELECT num_frames FROM soft_label_sets WHERE path = 'softlabels/" + folder.toStdString() + "'"),
             static_cast<double>(frames));
    // The same argmax scored by evaluate.
    mustRun({"-q", "evaluate", "-w", m_ws, "--model", kModel, "--dataset", kDataset});
    const double evalAcc = scalar(
        m_db, "SELECT value FROM metrics WHERE name = 'eval/frame_accuracy' AND run_id = "
              "(SELECT MAX(id) FROM runs WHERE kind = 'evaluate')");
    qInfo("labels: top-1 %.4f, in top-20 %.4f; evaluate: %.4f", acc, recall, evalAcc);
    QVERIFY2(std::abs(evalAcc - acc) < 1e-9, "label's top-1 accuracy differs from evaluate's frame accuracy");
    // The run and its metrics.
    QCOMPARE(queryText(m_db, "SELECT status FROM runs WHERE kind = 'label' ORDER BY id LIMIT 1"), std::string("finished"));
    QVERIFY(std::abs(scalar(m_db, "SELECT value FROM metrics WHERE name = 'label/truth_top1_accuracy' AND run_id = "
                                  "(SELECT MIN(id) FROM runs WHERE kind = 'label')") - acc) < 1e-12);
  }

  // One row per labeled utterance: its frames are the store's, its mean
  // top-1 and entropy what the store reads back, its truth counts what the
  // targets say. Rows that are missing (a set labeled before schema 5) come
  // back when `label` runs again, with every record resumed.
  void testEveryLabeledUtteranceHasItsRow() {
    const QString folder = kDataset + "-" + kModel;
    const auto store = understudy::SoftLabelStore::open(softLabels(folder));
    const auto targets = understudy::TargetStore::open(
        understudy::TargetStore::datasetDir(fs::path(m_ws.toStdString()), kDataset.toStdString()));
    auto rows = utteranceRows(m_db, folder);
    QCOMPARE(rows.size(), store.size());
    std::int64_t truthFrames = 0;
    for (const auto& key : store.keys()) {
      QVERIFY2(rows.count(key), ("no row for " + key).c_str());
      const LabelRow& r = rows.at(key);
      const auto s = store.read(key);
      QCOMPARE(r.frames, static_cast<std::int64_t>(s.frames));
      QCOMPARE(r.frames, static_cast<std::int64_t>(store.frames(key)));
      double top1 = 0.0, entropy = 0.0;
      for (int t = 0; t < s.frames; ++t) {
        top1 += s.prob(t, 0);
        for (int j = 0; j < s.k; ++j)
          if (s.prob(t, j) > 0.0f) entropy -= s.prob(t, j) * std::log(static_cast<double>(s.prob(t, j)));
      }
      QVERIFY2(std::abs(r.meanTop1 - top1 / s.frames) < 1e-12,
               qPrintable(QString("%1: mean_top1 %2, store %3").arg(key.c_str()).arg(r.meanTop1).arg(top1 / s.frames)));
      QVERIFY2(std::abs(r.meanEntropy - entropy / s.frames) < 1e-12,
               qPrintable(QString("%1: mean_entropy %2, store %3").arg(key.c_str()).arg(r.meanEntropy).arg(entropy / s.frames)));
      const auto truth = targets.read(key);
      QCOMPARE(r.truthFrames, static_cast<std::int64_t>(std::min<std::size_t>(truth.size(), s.frames)));
      QVERIFY(r.truthTop1Correct >= 0 && r.truthTop1Correct <= r.truthInTopK && r.truthInTopK <= r.truthFrames);
      truthFrames += r.truthFrames;
    }
    QCOMPARE(std::to_string(truthFrames), summaryOf(folder, "truth_frames"));

    {
      SQLite::Database d(m_db.toStdString(), SQLite::OPEN_READWRITE);
      d.setBusyTimeout(10000);
      d.exec("DELETE FROM soft_label_utterances");
    }
    mustRun({"-q", "label", "-w", m_ws, "--model", kModel, "--dataset", kDataset, "--threads", "1"});
    QVERIFY(utteranceRows(m_db, folder) == rows);
  }

  void testU8LabelsKeepTheIdsInThreeBytesPerEntry() {
    auto r = runCli({"label", "-w", m_ws, "--model", kModel, "--dataset", kDataset, "--precision", "u8", "--out",
                     "u8", "--threads", "1"}, 300000);
    QVERIFY2(r.exitCode == 0, qPrintable(understudy::test::outputOf(r)));
    QVERIFY2(r.out.contains("in top-20") && r.out.contains("noise/"), r.out.constData());
    const auto fp16 = understudy::SoftLabelStore::open(softLabels(kDataset + "-" + kModel));
    const auto u8 = understudy::SoftLabelStore::open(softLabels("u8"));
    QCOMPARE(u8.precision(), understudy::SoftLabelPrecision::Log8);
    QCOMPARE(u8.keys(), fp16.keys());
    for (const auto& key : fp16.keys()) QVERIFY2(u8.read(key).ids == fp16.read(key).ids, key.c_str());
    const double perFrame = std::stod(summaryOf("u8", "bytes_per_frame"));
    qInfo("u8: %.2f bytes/frame on disk; fp16: %s", perFrame, summaryOf(kDataset + "-" + kModel, "bytes_per_frame").c_str());
    QVERIFY(perFrame > 60.0 && perFrame <= 62.0);
  }

  // SIGKILLed three times at random moments (after some commits), resumed
  // each time: the store's files equal a straight run's, byte for byte.
  void testKilledAndResumedLabelerLeavesTheBytesOfAStraightRun() {
    const QStringList common{"-q", "label", "-w", m_ws, "--model", kModel, "--dataset", kDataset, "--threads",
                             "1", "--max-frames", "1500", "--commit-seconds", "0"};
    mustRun(QStringList(common) << "--out" << "straight");
    const double total = scalar(m_db, "SELECT num_utterances FROM soft_label_sets WHERE path = 'softlabels/straight'");
    QVERIFY(total > 100);
    const std::string done = "SELECT num_utterances FROM soft_label_sets WHERE path = 'softlabels/killed'";
    int kills = 0;
    for (const double share : {0.1, 0.4, 0.7}) {
      QProcess p;
      p.start(understudy::test::cliPath(), QStringList(common) << "--out" << "killed");
      QVERIFY(p.waitForStarted());
      QElapsedTimer t;
      t.start();
      while (t.elapsed() < 120000 && p.state() == QProcess::Running && scalar(m_db, done) < share * total)
        QTest::qWait(5);
      QTest::qWait(static_cast<int>(QRandomGenerator::global()->bounded(30)));
      if (p.state() != QProcess::Running) break;  // finished first: no more kills possible
      ::kill(static_cast<pid_t>(p.processId()), SIGKILL);
      QVERIFY(p.waitForFinished(60000));
      QCOMPARE(p.exitStatus(), QProcess::CrashExit);
      ++kills;
      qInfo("killed with %.0f of %.0f utterances committed", scalar(m_db, done), total);
    }
    QVERIFY2(kills >= 2, "the labeler finished before it could be killed twice");
    auto r = runCli(QStringList(common) << "--out" << "killed", 300000);
    QVERIFY2(r.exitCode == 0, qPrintable(understudy::test::outputOf(r)));
    QVERIFY2(r.err.contains("Resuming"), r.err.constData());
    const auto a = folderBytes(softLabels("straight")), b = folderBytes(softLabels("killed"));
    QCOMPARE(a.size(), b.size());
    for (const auto& [name, content] : a) {
      QVERIFY2(b.count(name), name.c_str());
      QVERIFY2(b.at(name) == content, ("differs from the straight run's: " + name).c_str());
    }
    QCOMPARE(summaryOf("killed", "summary"), summaryOf("straight", "summary"));
    const auto straightRows = utteranceRows(m_db, "straight");
    QCOMPARE(straightRows.size(), static_cast<std::size_t>(total));
    QVERIFY(utteranceRows(m_db, "killed") == straightRows);
  }

  // Ctrl-C: the labeler commits what it has, the run is marked cancelled,
  // and a second labeler on the same folder meanwhile is refused; the same
  // command then finishes the store.
  void testInterruptedLabelerCommitsAndResumes() {
    // Small batches, a commit after each: slow enough to be caught running.
    const QStringList common{"-q", "label", "-w", m_ws, "--model", kModel, "--dataset", kDataset, "--threads",
                             "1", "--max-frames", "300", "--commit-seconds", "0", "--out", "interrupted"};
    const std::string done = "SELECT num_utterances FROM soft_label_sets WHERE path = 'softlabels/interrupted'";
    QProcess p;
    p.start(understudy::test::cliPath(), common);
    QVERIFY(p.waitForStarted());
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < 120000 && p.state() == QProcess::Running && scalar(m_db, done) < 20) QTest::qWait(5);
    QVERIFY2(p.state() == QProcess::Running, "the labeler ended before it could be interrupted");
    auto second = runCli(common);
    QCOMPARE(second.exitCode, 1);
    QVERIFY2(second.err.contains("softlabels/interrupted"), qPrintable(understudy::test::outputOf(second)));
    const double seen = scalar(m_db, done);
    ::kill(static_cast<pid_t>(p.processId()), SIGINT);
    QVERIFY(p.waitForFinished(60000));
    QCOMPARE(p.exitCode(), 1);
    QVERIFY2(p.readAllStandardError().contains("cancelled"), "no 'cancelled' message");
    QCOMPARE(queryText(m_db, "SELECT status FROM runs WHERE kind = 'label' AND config LIKE '%output: interrupted%' "
                        "ORDER BY id LIMIT 1"),
             std::string("cancelled"));
    const auto partial = understudy::SoftLabelStore::open(softLabels("interrupted"));
    QVERIFY(static_cast<double>(partial.size()) >= seen);
    QCOMPARE(static_cast<double>(partial.size()), scalar(m_db, done));
    auto r = runCli(common, 300000);
    QVERIFY2(r.exitCode == 0, qPrintable(understudy::test::outputOf(r)));
    auto sortedKeys = [&](const char* folder) {
      auto keys = understudy::SoftLabelStore::open(softLabels(folder)).keys();
      std::sort(keys.begin(), keys.end());
      return keys;
    };
    QCOMPARE(sortedKeys("interrupted"), sortedKeys("straight"));
    QCOMPARE(summaryOf("interrupted", "frames"), summaryOf("straight", "frames"));
  }

  void testFlippedByteIsCaughtNamingTheUtterance() {
    const fs::path dir = softLabels("straight");
    const auto store = understudy::SoftLabelStore::open(dir);
    const std::string key = store.keys().at(store.size() / 2);
    const auto info = *store.records().find(key);
    {
      std::fstream f(dir / "shard-00000.bin", std::ios::in | std::ios::out | std::ios::binary);
      f.seekg(static_cast<std::streamoff>(info.offset + 7));
      char c;
      f.get(c);
      f.seekp(static_cast<std::streamoff>(info.offset + 7));
      f.put(static_cast<char>(c ^ 0x20));
    }
    auto r = runCli({"verify", "-w", m_ws, "--dataset", kDataset});
    QVERIFY(r.exitCode != 0);
    QVERIFY2(r.out.contains(key.c_str()) || r.err.contains(key.c_str()), qPrintable(understudy::test::outputOf(r)));
  }

  void testBadArgumentsAreRefusedBeforeAnythingIsRecorded() {
    const double runs = scalar(m_db, "SELECT COUNT(*) FROM runs");
    auto unknown = runCli({"label", "-w", m_ws, "--model", "no-such", "--dataset", kDataset});
    QCOMPARE(unknown.exitCode, 1);
    QVERIFY2(unknown.err.contains("no-such") && unknown.err.contains(kModel.toUtf8()), unknown.err.constData());
    auto bigK = runCli({"label", "-w", m_ws, "--model", kModel, "--dataset", kDataset, "--top-k", "5000"});
    QCOMPARE(bigK.exitCode, 1);
    QVERIFY2(bigK.err.contains("--top-k"), bigK.err.constData());
    int units = 0;
    {
      std::ifstream in(m_ws.toStdString() + "/models/" + kModel.toStdString() + "/units.txt");
      for (std::string line; std::getline(in, line);) units += !line.empty();
    }
    QVERIFY(units > 20);
    auto moreThanUnits = runCli({"label", "-w", m_ws, "--model", kModel, "--dataset", kDataset, "--top-k",
                                 QString::number(units + 1)});
    QCOMPARE(moreThanUnits.exitCode, 1);
    QVERIFY2(moreThanUnits.err.contains(qPrintable(QString("the %1 units").arg(units))), moreThanUnits.err.constData());
    auto other = runCli({"label", "-w", m_ws, "--model", kModel, "--dataset", kDataset, "--precision", "u8"});
    QCOMPARE(other.exitCode, 1);
    QVERIFY2(other.err.contains("precision fp16 (asked log8)") && other.err.contains("--out"), other.err.constData());
    auto badPrecision = runCli({"label", "-w", m_ws, "--model", kModel, "--dataset", kDataset, "--precision", "fp8"});
    QCOMPARE(badPrecision.exitCode, 1);
    QVERIFY2(badPrecision.err.contains("fp8"), badPrecision.err.constData());
    QCOMPARE(scalar(m_db, "SELECT COUNT(*) FROM runs"), runs);
  }
};

QTEST_GUILESS_MAIN(TestLabel)
#include "test_label.moc"
