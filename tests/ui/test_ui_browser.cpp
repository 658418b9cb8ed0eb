// The utterance browser (ui/browser): over a real workspace of 100,000
// synthetic utterances (written through core/store: Catalog, the model
// registry, the per-utterance label statistics, EvaluationStore), the table
// opens with the right row count and scrolls to the end reading a few pages
// only; every filter gives the count the test computes from the data it
// wrote; sorting by duration puts the shortest and longest first and last;
// the confidence and entropy columns equal the store's soft_label_utterances,
// the hypothesis and errors its utterance_results. Runs offscreen
// (QT_QPA_PLATFORM=offscreen, set by CTest).
#include <QElapsedTimer>
#include <QHeaderView>
#include <QLineEdit>
#include <QLocale>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>
#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/store/catalog.h"
#include "core/store/evaluation_store.h"
#include "core/store/model_registry.h"
#include "core/store/soft_label_summary.h"
#include "core/store/workspace.h"
#include "ui/browser/utterance_browser.h"
#include "ui/browser/utterance_table_model.h"

using namespace understudy;
using namespace understudy::ui;

namespace {

constexpr int kRows = 100000;
const char* const kWords[] = {"set",   "a",     "timer", "for",   "ten",  "minutes", "play",
                              "some",  "music", "turn",  "off",   "the",  "light",   "what",
                              "is",    "weather", "call", "mom",  "stop", "Timer"};
const char* const kNoises[] = {"none", "babble", "hum", "pink", "white"};

// What the fixture wrote for one utterance, to compute expectations from.
struct Utt {
  std::string key;
  double duration = 0;
  std::optional<std::string> text;
  std::string speaker;
  std::string noise;
  std::optional<double> snr;
  std::optional<double> top1, entropy;  // the soft-label statistics, when written
  bool scored = false;                  // the evaluation has a result for it
};

std::uint64_t mix(std::uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

bool containsIgnoringAsciiCase(const std::string& text, const std::string& part) {
  auto lower = [](std::string s) {
    for (char& c : s)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return s;
  };
  return lower(text).find(lower(part)) != std::string::npos;
}

std::string conditionOf(const Utt& u) { return u.noise == "none" ? "clean" : u.noise; }

// Waits until the browser's list for the current query is in place.
bool waitForList(UtteranceBrowser& browser, int timeoutMs = 30000) {
  QElapsedTimer clock;
  clock.start();
  QCoreApplication::processEvents();
  while (browser.isLoading()) {
    if (clock.elapsed() > timeoutMs) return false;
    QTest::qWait(5);
  }
  return true;
}

// The record of a row, waiting for its page.
const UtteranceRecord* waitForRecord(UtteranceTableModel* model, int row, int timeoutMs = 10000) {
  QElapsedTimer clock;
  clock.start();
  const UtteranceRecord* r = model->record(row);
  while (!r && clock.elapsed() < timeoutMs) {
    QTest::qWait(5);
    r = model->record(row);
  }
  return r;
}

}  // namespace

class TestUiBrowser : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase();
  void opensAndScrollsToTheEndReadingFewPages();
  void filtersGiveTheRightCounts();
  void sortingByDurationPutsShortestAndLongestAtTheEnds();
  void confidenceColumnsEqualTheStoredStatistics();
  void hypothesisAndErrorsEqualTheStoredResults();
  void aDatasetWithoutNoiseShowsItsOwnCondition();
  void staleAnswersAreDropped();
  void selectUtteranceSelectsItsRow();
  // Last: it adds an evaluation to the shared workspace.
  void refreshShowsWhatAnotherConnectionCommitted();

 private:
  std::size_t count(const std::function<bool(const Utt&)>& keep) const {
    return static_cast<std::size_t>(std::count_if(m_utts.begin(), m_utts.end(), keep));
  }
  void openBrowser(UtteranceBrowser& browser);

  QTemporaryDir m_dir;
  QString m_root;
  std::vector<Utt> m_utts;
  std::map<std::string, std::size_t> m_byKey;
  std::int64_t m_setId = 0;
  std::int64_t m_evaluationId = 0;
  std::int64_t m_bigId = 0;
  std::int64_t m_teacherId = 0;
};

void TestUiBrowser::initTestCase() {
  QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
  QVERIFY(m_dir.isValid());
  m_root = m_dir.filePath(QStringLiteral("ws"));
  QElapsedTimer clock;
  clock.start();
  Workspace ws = Workspace::create(m_root.toStdString());
  Catalog catalog(ws);

  DatasetRow big;
  big.name = "big";
  big.kind = "test";
  big.source = "synthetic";
  big.condition = "noisy";
  std::vector<UtteranceRow> rows;
  rows.reserve(kRows);
  m_utts.reserve(kRows);
  for (int i = 0; i < kRows; ++i) {
    const std::uint64_t h = mix(static_cast<std::uint64_t>(i) + 1);
    Utt u;
    char key[32];
    std::snprintf(key, sizeof key, "utt-%06d", i);
    u.key = key;
    u.duration = 0.5 + static_cast<double>(h % 11000) / 1000.0;
    if (i == 77777) u.duration = 0.125;  // the one shortest
    if (i == 12345) u.duration = 30.5;   // the one longest
    if (i % 997 != 5) {
      std::string text;
      const int words = 2 + static_cast<int>((h >> 16) % 7);
      for (int w = 0; w < words; ++w) {
        if (w) text += ' ';
        text += kWords[(h >> (20 + 2 * w)) % std::size(kWords)];
      }
      if (i % 1000 == 3) text += " 50%";  // a LIKE wildcard, taken literally
      if (i % 1000 == 4) text += " 50 percent";
      u.text = text;
    }
    u.speaker = "spk" + std::to_string(h % 40);
    u.noise = kNoises[(h >> 40) % 5];
    if (u.noise != "none") u.snr = std::round(static_cast<double>((h >> 44) % 3000)) / 100.0;
    if (i % 10 != 3) {
      u.top1 = static_cast<double>((h >> 8) % 1000) / 1000.0;
      u.entropy = static_cast<double>((h >> 24) % 2000) / 1000.0;
    }
    u.scored = i % 2 == 0 && u.text.has_value();

    UtteranceRow row;
    row.key = u.key;
    row.audioPath = "audio/big/" + u.key + ".wav";
    row.duration = u.duration;
    row.sampleRate = 16000;
    row.speaker = u.speaker;
    row.text = u.text;
    row.metadata = "{\"voice\":\"en-us\",\"noise\":\"" + u.noise + "\",\"snr_db\":" +
                   (u.snr ? std::to_string(*u.snr) : std::string("null")) + "}";
    rows.push_back(std::move(row));
    m_byKey[u.key] = m_utts.size();
    m_utts.push_back(std::move(u));
  }
  // A few skipped rows, which the browser does not list.
  for (int i = 0; i < 3; ++i) {
    UtteranceRow row;
    row.key = "skipped-" + std::to_string(i);
    row.status = "skipped";
    row.reason = "unreadable audio";
    rows.push_back(row);
  }
  big.numUtterances = kRows;
  const std::int64_t bigId = catalog.registerDataset(big, rows);

  DatasetRow imported;
  imported.name = "imported";
  imported.kind = "labeled";
  imported.source = "kaldi";
  imported.condition = "studio";
  std::vector<UtteranceRow> importedRows;
  for (int i = 0; i < 10; ++i) {
    UtteranceRow row;
    row.key = "imp-" + std::to_string(i);
    row.duration = 1.0 + i;
    row.text = "hello world";
    importedRows.push_back(row);
  }
  imported.numUtterances = 10;
  catalog.registerDataset(imported, importedRows);
  m_bigId = bigId;

  ModelRow teacher;
  teacher.name = "teacher";
  teacher.role = "teacher";
  const std::int64_t teacherId = registerModel(ws.db(), teacher);
  m_teacherId = teacherId;
  ModelRow student;
  student.name = "student";
  student.role = "student";
  const std::int64_t studentId = registerModel(ws.db(), student);

  // An older set without statistics, then the set the browser shows by default.
  SoftLabelSetRow old;
  old.datasetId = bigId;
  old.modelId = teacherId;
  old.k = 4;
  old.path = "softlabels/big-old";
  catalog.registerSoftLabelSet(old);
  SoftLabelSetRow set = old;
  set.path = "softlabels/big-teacher";
  set.k = 8;
  m_setId = catalog.registerSoftLabelSet(set);
  std::vector<SoftLabelUtteranceStats> stats;
  for (const Utt& u : m_utts)
    if (u.top1) {
      SoftLabelUtteranceStats s;
      s.key = u.key;
      s.frames = 100;
      s.meanTop1 = *u.top1;
      s.meanEntropy = *u.entropy;
      stats.push_back(s);
    }
  catalog.updateSoftLabelSummary(m_setId, SoftLabelSummary(10), stats);

  EvaluationStore evaluations(ws);
  Evaluation e;
  e.modelId = studentId;
  e.datasetId = bigId;
  for (std::size_t i = 0; i < m_utts.size(); ++i) {
    const Utt& u = m_utts[i];
    if (!u.scored) continue;
    UtteranceResult r;
    r.key = u.key;
    r.hypothesis = *u.text + (i % 3 == 0 ? " extra" : "");
    r.corr = static_cast<std::int64_t>(i % 5);
    r.sub = static_cast<std::int64_t>(i % 3);
    r.del = static_cast<std::int64_t>(i % 2);
    r.ins = i % 3 == 0 ? 1 : 0;
    e.utterances.push_back(r);
  }
  m_evaluationId = evaluations.write(e);
  qInfo("fixture: %d utterances, %zu statistics rows, %zu results written in %lld ms", kRows,
        stats.size(), e.utterances.size(), static_cast<long long>(clock.elapsed()));
}

void TestUiBrowser::openBrowser(UtteranceBrowser& browser) {
  browser.resize(1200, 800);
  browser.show();
  QVERIFY(browser.setWorkspacePath(m_root));
  QVERIFY(browser.selectDataset(QStringLiteral("big")));
  QVERIFY(waitForList(browser));
}

void TestUiBrowser::opensAndScrollsToTheEndReadingFewPages() {
  UtteranceBrowser browser;
  QElapsedTimer clock;
  clock.start();
  openBrowser(browser);
  UtteranceTableModel* model = browser.model();
  QCOMPARE(model->rowCount(), kRows);
  QCOMPARE(model->totalUtterances(), qint64(kRows));
  QCOMPARE(browser.countText(), QStringLiteral("100,000 of 100,000 utterances"));
  const UtteranceRecord* first = waitForRecord(model, 0);
  QVERIFY(first);
  qInfo("first rows after %lld ms", static_cast<long long>(clock.elapsed()));
  QCOMPARE(first->key, QStringLiteral("utt-000000"));

  // Scroll to the end: the last rows arrive, and only pages shown are read.
  browser.tableView()->scrollToBottom();
  QTRY_VERIFY_WITH_TIMEOUT(model->record(kRows - 1) != nullptr, 10000);
  QCOMPARE(model->record(kRows - 1)->key, QStringLiteral("utt-099999"));
  QTest::qWait(50);  // pages still pending arrive
  const int pages = browser.pagesRead();
  qInfo("pages read: %d (%lld rows of %d)", pages, static_cast<long long>(model->rowsRead()),
        kRows);
  QVERIFY2(pages >= 2, "the first and the last page");
  QVERIFY2(model->rowsRead() <= kRows / 50,
           qPrintable(QStringLiteral("%1 rows read").arg(model->rowsRead())));
  QVERIFY(model->cachedPages() <= UtteranceTableModel::kMaxPages);
}

void TestUiBrowser::filtersGiveTheRightCounts() {
  UtteranceBrowser browser;
  openBrowser(browser);
  UtteranceTableModel* model = browser.model();
  QCOMPARE(browser.currentSoftLabelSetId(), qint64(m_setId));  // the newest set

  struct Case {
    const char* name;
    std::function<void()> apply;
    std::function<bool(const Utt&)> keep;
  };
  const std::vector<Case> cases = {
      {"text 'timer' (either case)",
       [&] { browser.setTextFilter(QStringLiteral("timer")); },
       [](const Utt& u) { return u.text && containsIgnoringAsciiCase(*u.text, "timer"); }},
      {"text '50%' (the % taken literally)",
       [&] { browser.setTextFilter(QStringLiteral("50%")); },
       [](const Utt& u) { return u.text && u.text->find("50%") != std::string::npos; }},
      {"duration 2..5 s",
       [&] { browser.setDurationRange(2.0, 5.0); },
       [](const Utt& u) { return u.duration >= 2.0 && u.duration <= 5.0; }},
      {"duration >= 11 s",
       [&] { browser.setDurationRange(11.0, std::nullopt); },
       [](const Utt& u) { return u.duration >= 11.0; }},
      {"confidence 0.3..0.6",
       [&] { browser.setConfidenceRange(0.3, 0.6); },
       [](const Utt& u) { return u.top1 && *u.top1 >= 0.3 && *u.top1 <= 0.6; }},
      {"condition babble",
       [&] { browser.setConditionFilter(QStringLiteral("babble")); },
       [](const Utt& u) { return conditionOf(u) == "babble"; }},
      {"condition clean",
       [&] { browser.setConditionFilter(QStringLiteral("clean")); },
       [](const Utt& u) { return conditionOf(u) == "clean"; }},
  };
  for (const Case& c : cases) {
    browser.clearFilters();
    c.apply();
    QVERIFY2(waitForList(browser), c.name);
    const std::size_t expected = count(c.keep);
    QVERIFY2(expected > 0 && expected < std::size_t(kRows), c.name);
    QVERIFY2(std::size_t(model->rowCount()) == expected,
             qPrintable(QStringLiteral("%1: %2 rows, expected %3")
                            .arg(QLatin1String(c.name))
                            .arg(model->rowCount())
                            .arg(expected)));
  }

  // All at once.
  browser.clearFilters();
  browser.setTextFilter(QStringLiteral("the"));
  browser.setDurationRange(1.0, 8.0);
  browser.setConfidenceRange(0.2, std::nullopt);
  browser.setConditionFilter(QStringLiteral("hum"));
  QVERIFY(waitForList(browser));
  const std::size_t expected = count([](const Utt& u) {
    return u.text && containsIgnoringAsciiCase(*u.text, "the") && u.duration >= 1.0 &&
           u.duration <= 8.0 && u.top1 && *u.top1 >= 0.2 && conditionOf(u) == "hum";
  });
  QCOMPARE(std::size_t(model->rowCount()), expected);
  QCOMPARE(browser.countText(),
           QStringLiteral("%1 of 100,000 utterances").arg(QLocale().toString(qint64(expected))));
  // The condition list was read from the data.
  QTRY_COMPARE(browser.conditions(),
               (QStringList{"babble", "clean", "hum", "pink", "white"}));
  browser.clearFilters();
  QVERIFY(waitForList(browser));
  QCOMPARE(model->rowCount(), kRows);
}

void TestUiBrowser::sortingByDurationPutsShortestAndLongestAtTheEnds() {
  UtteranceBrowser browser;
  openBrowser(browser);
  UtteranceTableModel* model = browser.model();
  browser.sortBy(UtteranceColumn::Duration, Qt::AscendingOrder);
  QVERIFY(waitForList(browser));
  QCOMPARE(model->rowCount(), kRows);
  QCOMPARE(waitForRecord(model, 0)->key, QStringLiteral("utt-077777"));
  QCOMPARE(waitForRecord(model, kRows - 1)->key, QStringLiteral("utt-012345"));
  // Rows in between are in order too (a page from the middle).
  for (int row = kRows / 2; row < kRows / 2 + 199; ++row)
    QVERIFY(waitForRecord(model, row)->duration <= waitForRecord(model, row + 1)->duration);
  QCOMPARE(browser.tableView()->horizontalHeader()->sortIndicatorSection(),
           int(UtteranceColumn::Duration));

  browser.sortBy(UtteranceColumn::Duration, Qt::DescendingOrder);
  QVERIFY(waitForList(browser));
  QCOMPARE(waitForRecord(model, 0)->key, QStringLiteral("utt-012345"));
  QCOMPARE(waitForRecord(model, kRows - 1)->key, QStringLiteral("utt-077777"));

  // Confidence descending: rows without a value come last.
  browser.sortBy(UtteranceColumn::Confidence, Qt::DescendingOrder);
  QVERIFY(waitForList(browser));
  const std::size_t withValue = count([](const Utt& u) { return u.top1.has_value(); });
  QVERIFY(waitForRecord(model, int(withValue) - 1)->confidence.has_value());
  QVERIFY(!waitForRecord(model, int(withValue))->confidence.has_value());
  double best = 0;
  for (const Utt& u : m_utts)
    if (u.top1) best = std::max(best, *u.top1);
  QCOMPARE(*waitForRecord(model, 0)->confidence, best);
}

void TestUiBrowser::confidenceColumnsEqualTheStoredStatistics() {
  // The store's rows, read back through its own API.
  Workspace ws = Workspace::open(m_root.toStdString());
  Catalog catalog(ws);
  std::map<std::string, SoftLabelUtteranceStats> stored;
  for (const SoftLabelUtteranceStats& s : catalog.softLabelUtteranceStats(m_setId))
    stored[s.key] = s;
  QVERIFY(stored.size() > std::size_t(kRows / 2));

  UtteranceBrowser browser;
  openBrowser(browser);
  QVERIFY(browser.selectSoftLabelSet(qint64(m_setId)));
  QVERIFY(waitForList(browser));
  UtteranceTableModel* model = browser.model();
  int withValue = 0, without = 0;
  for (int row : {0, 1, 2, 3, 4, 13, 50003, 50013, 99999, 99993}) {
    const UtteranceRecord* r = waitForRecord(model, row);
    QVERIFY(r);
    const auto it = stored.find(r->key.toStdString());
    if (it == stored.end()) {
      QVERIFY2(!r->confidence && !r->entropy, qPrintable(r->key));
      QVERIFY(model->data(model->index(row, int(UtteranceColumn::Confidence))).toString().isEmpty());
      ++without;
    } else {
      QVERIFY2(r->confidence && *r->confidence == it->second.meanTop1, qPrintable(r->key));
      QVERIFY2(r->entropy && *r->entropy == it->second.meanEntropy, qPrintable(r->key));
      QCOMPARE(model->data(model->index(row, int(UtteranceColumn::Confidence)),
                           UtteranceTableModel::RawValueRole)
                   .toDouble(),
               it->second.meanTop1);
      ++withValue;
    }
  }
  QVERIFY(withValue > 0 && without > 0);

  // "none": the columns are empty.
  QVERIFY(browser.selectSoftLabelSet(qint64(0)));
  QVERIFY(waitForList(browser));
  QTRY_VERIFY(model->record(0) && !model->record(0)->confidence);
}

void TestUiBrowser::hypothesisAndErrorsEqualTheStoredResults() {
  Workspace ws = Workspace::open(m_root.toStdString());
  EvaluationStore store(ws);
  std::map<std::string, UtteranceResult> stored;
  for (const UtteranceResult& r : store.utteranceResults(m_evaluationId)) stored[r.key] = r;

  UtteranceBrowser browser;
  openBrowser(browser);
  QCOMPARE(browser.currentEvaluationId(), qint64(m_evaluationId));  // the newest, by default
  QVERIFY(browser.selectEvaluation(QStringLiteral("student")));
  QVERIFY(!browser.selectEvaluation(QStringLiteral("no-such-model")));
  UtteranceTableModel* model = browser.model();
  int scored = 0, unscored = 0;
  for (int row : {0, 1, 2, 3, 6, 9, 12, 40000, 40001, 99998, 99999}) {
    const UtteranceRecord* r = waitForRecord(model, row);
    QVERIFY(r);
    const auto it = stored.find(r->key.toStdString());
    if (it == stored.end()) {
      QVERIFY2(!r->hasResult && !r->wer(), qPrintable(r->key));
      ++unscored;
      continue;
    }
    const UtteranceResult& s = it->second;
    QCOMPARE(r->hypothesis, QString::fromStdString(s.hypothesis));
    QCOMPARE(r->sub, qint64(s.sub));
    QCOMPARE(r->del, qint64(s.del));
    QCOMPARE(r->ins, qint64(s.ins));
    const QVariant wer = model->data(model->index(row, int(UtteranceColumn::Wer)),
                                     UtteranceTableModel::RawValueRole);
    if (s.refWords() == 0) {
      QVERIFY(wer.isNull());
    } else {
      QCOMPARE(wer.toDouble(), 100.0 * double(s.errors()) / double(s.refWords()));
    }
    QCOMPARE(model->data(model->index(row, int(UtteranceColumn::Ins))).toString(),
             QString::number(s.ins));
    ++scored;
  }
  QVERIFY(scored > 0 && unscored > 0);

  // Sorting by WER descending: the first row has the highest WER of the data.
  browser.sortBy(UtteranceColumn::Wer, Qt::DescendingOrder);
  QVERIFY(waitForList(browser));
  double worst = 0;
  for (const auto& [key, s] : stored)
    if (s.refWords() > 0) worst = std::max(worst, 100.0 * double(s.errors()) / double(s.refWords()));
  QCOMPARE(*waitForRecord(model, 0)->wer(), worst);
}

void TestUiBrowser::aDatasetWithoutNoiseShowsItsOwnCondition() {
  UtteranceBrowser browser;
  openBrowser(browser);
  QVERIFY(browser.selectDataset(QStringLiteral("imported")));
  QVERIFY(waitForList(browser));
  UtteranceTableModel* model = browser.model();
  QCOMPARE(model->rowCount(), 10);
  QCOMPARE(waitForRecord(model, 0)->condition, QStringLiteral("studio"));
  QVERIFY(!waitForRecord(model, 0)->snrDb);
  QCOMPARE(browser.currentSoftLabelSetId(), qint64(0));  // it has none
  QCOMPARE(browser.currentEvaluationId(), qint64(0));
  QTRY_COMPARE(browser.conditions(), QStringList{QStringLiteral("studio")});
  // Filtering by the dataset's condition keeps its utterances without a noise field.
  browser.setConditionFilter(QStringLiteral("studio"));
  QVERIFY(waitForList(browser));
  QCOMPARE(model->rowCount(), 10);
  browser.setConditionFilter(QStringLiteral("clean"));
  QVERIFY(waitForList(browser));
  QCOMPARE(model->rowCount(), 0);
}

void TestUiBrowser::staleAnswersAreDropped() {
  UtteranceBrowser browser;
  openBrowser(browser);
  UtteranceTableModel* model = browser.model();
  // Three requests in a row: only the last one's list may arrive.
  QSignalSpy lists(model, &UtteranceTableModel::listLoaded);
  browser.sortBy(UtteranceColumn::Text, Qt::AscendingOrder);
  browser.sortBy(UtteranceColumn::Snr, Qt::DescendingOrder);
  browser.setTextFilter(QStringLiteral("weather"));
  QVERIFY(waitForList(browser));
  QTest::qWait(100);
  QCOMPARE(lists.count(), 1);
  QCOMPARE(std::size_t(model->rowCount()),
           count([](const Utt& u) { return u.text && containsIgnoringAsciiCase(*u.text, "weather"); }));
  // In SNR order, descending, clean ones (no SNR) last.
  const UtteranceRecord* first = waitForRecord(model, 0);
  const UtteranceRecord* last = waitForRecord(model, model->rowCount() - 1);
  QVERIFY(first->snrDb && !last->snrDb);
}

void TestUiBrowser::selectUtteranceSelectsItsRow() {
  UtteranceBrowser browser;
  openBrowser(browser);
  // Ctrl+F goes to the text filter (focusing the table makes row 0 current).
  browser.activateWindow();
  browser.tableView()->setFocus();
  QTest::keyClick(browser.tableView(), Qt::Key_F, Qt::ControlModifier);
  QTRY_VERIFY(qobject_cast<QLineEdit*>(QApplication::focusWidget()) != nullptr);
  QSignalSpy selected(&browser, &UtteranceBrowser::utteranceSelected);
  QVERIFY(!browser.selectUtterance(QStringLiteral("no-such-key")));
  QVERIFY(browser.selectUtterance(QStringLiteral("utt-054321")));
  QTRY_VERIFY(browser.selectedUtteranceId() > 0);
  const int row = browser.tableView()->currentIndex().row();
  QCOMPARE(row, 54321);
  QCOMPARE(selected.count(), 1);
  // Sorting moves the row; the selection follows the utterance.
  browser.sortBy(UtteranceColumn::Duration, Qt::DescendingOrder);
  QVERIFY(waitForList(browser));
  const int moved = browser.tableView()->currentIndex().row();
  QCOMPARE(waitForRecord(browser.model(), moved)->key, QStringLiteral("utt-054321"));
  // Filtered out: the selection goes.
  browser.setTextFilter(QStringLiteral("no text has this"));
  QVERIFY(waitForList(browser));
  QCOMPARE(browser.model()->rowCount(), 0);
  QCOMPARE(browser.selectedUtteranceId(), qint64(0));
}

void TestUiBrowser::refreshShowsWhatAnotherConnectionCommitted() {
  UtteranceBrowser browser;
  openBrowser(browser);
  QVERIFY(!browser.selectEvaluation(QStringLiteral("teacher")));
  std::int64_t id = 0;
  {
    // Another connection (the CLI's, in real use) decodes the dataset with the teacher.
    Workspace ws = Workspace::open(m_root.toStdString());
    Evaluation e;
    e.modelId = m_teacherId;
    e.datasetId = m_bigId;
    UtteranceResult r;
    r.key = "utt-000000";
    r.hypothesis = "fresh words";
    r.corr = 1;
    r.sub = 1;
    e.utterances.push_back(r);
    id = EvaluationStore(ws).write(e);
  }
  const UtteranceRecord* before = waitForRecord(browser.model(), 0);
  QVERIFY(before && before->hypothesis != QStringLiteral("fresh words"));
  browser.refresh();
  QVERIFY(browser.selectEvaluation(QStringLiteral("teacher")));
  QCOMPARE(browser.currentEvaluationId(), qint64(id));
  QVERIFY(waitForList(browser));
  QTRY_VERIFY(browser.model()->record(0) &&
              browser.model()->record(0)->hypothesis == QStringLiteral("fresh words"));
  QCOMPARE(*browser.model()->record(0)->wer(), 50.0);
}

QTEST_MAIN(TestUiBrowser)
#include "test_ui_browser.moc"
