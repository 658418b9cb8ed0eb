// bench_ui_browser: what the utterance browser (docs/gui.md "Utterances")
// costs on a dataset of a million utterances (docs/performance.md
// "Utterance browser").
//
// A workspace is made through core/store (Catalog::registerDataset, the
// per-utterance label statistics, EvaluationStore::write), or reused with
// --workspace DIR when it already holds the dataset. Then, in one process:
//
// 1. UtteranceBrowser (its model's worker thread, pages of 200 rows):
//    time from setWorkspacePath to the first rows shown; then, once the
//    condition list (read after the first list) is in, a text filter, a
//    duration range and a condition filter to their first rows; sorting by
//    duration and by confidence; scrolling to the end (scrollToBottom until
//    the last row is shown) and the pages that cost. Throughout, a 2 ms
//    timer on the GUI thread records the longest gap between its ticks: how
//    long the event loop was ever blocked.
// 2. The reference: QSqlQueryModel over the same rows and columns (one
//    SELECT with the same joins, ORDER BY and WHERE), on the GUI thread as
//    it must be used: setQuery to the first rows (it fetches 256), the same
//    filters, and to the end (fetchMore until everything is fetched: what a
//    QTableView needs before it can show the last row).
// Each figure is the median of --repeats runs (3); ratios are reference /
// browser within this run.
//
//   bench_ui_browser [--utterances 1000000] [--repeats 3] [--workspace DIR]
#include <QApplication>
#include <QElapsedTimer>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QSqlQueryModel>
#include <QSqlRecord>
#include <QTableView>
#include <QTemporaryDir>
#include <QTimer>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "bench/common/machine_info.h"
#include "core/store/catalog.h"
#include "core/store/evaluation_store.h"
#include "core/store/model_registry.h"
#include "core/store/soft_label_summary.h"
#include "core/store/workspace.h"
#include "ui/browser/utterance_browser.h"
#include "ui/browser/utterance_query.h"
#include "ui/browser/utterance_table_model.h"

using namespace understudy;
using namespace understudy::ui;

namespace {

const char* const kDataset = "million";
const char* const kWords[] = {"set",  "a",    "timer", "for",  "ten",   "minutes", "play",
                              "some", "music", "turn", "off",  "the",   "light",   "what",
                              "is",   "weather", "call", "mom", "stop", "alarm"};
const char* const kNoises[] = {"none", "babble", "hum", "pink", "white"};

std::string loadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

std::uint64_t mix(std::uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

double ms(const QElapsedTimer& t) { return static_cast<double>(t.nsecsElapsed()) / 1e6; }

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0.0 : v[v.size() / 2];
}

// The dataset, statistics for 90 % of it (a teacher's set) and a student's
// decode of every utterance, through the store's writers.
void makeWorkspace(const std::filesystem::path& root, long n) {
  QElapsedTimer clock;
  clock.start();
  Workspace ws = Workspace::create(root);
  Catalog catalog(ws);
  DatasetRow d;
  d.name = kDataset;
  d.kind = "test";
  d.source = "synthetic";
  d.condition = "noisy";
  d.numUtterances = n;
  std::vector<UtteranceRow> rows;
  rows.reserve(static_cast<std::size_t>(n));
  std::vector<SoftLabelUtteranceStats> stats;
  Evaluation e;
  for (long i = 0; i < n; ++i) {
    const std::uint64_t h = mix(static_cast<std::uint64_t>(i) + 1);
    UtteranceRow r;
    char key[32];
    std::snprintf(key, sizeof key, "utt-%07ld", i);
    r.key = key;
    r.audioPath = std::string("audio/million/") + key + ".wav";
    r.duration = 0.5 + static_cast<double>(h % 11000) / 1000.0;
    r.sampleRate = 16000;
    r.speaker = "spk" + std::to_string(h % 400);
    std::string text;
    const int words = 2 + static_cast<int>((h >> 16) % 9);
    for (int w = 0; w < words; ++w) {
      if (w) text += ' ';
      text += kWords[(h >> (20 + 2 * w)) % std::size(kWords)];
    }
    r.text = text;
    const std::string noise = kNoises[(h >> 40) % 5];
    r.metadata = "{\"voice\":\"en-us\",\"noise\":\"" + noise + "\",\"snr_db\":" +
                 (noise == "none" ? std::string("null")
                                  : std::to_string(static_cast<double>((h >> 44) % 3000) / 100.0)) +
                 ",\"noise_floor_db\":-60}";
    rows.push_back(std::move(r));
    if (i % 10 != 3) {
      SoftLabelUtteranceStats s;
      s.key = key;
      s.frames = static_cast<std::int64_t>(rows.back().duration * 33);
      s.meanTop1 = static_cast<double>((h >> 8) % 1000) / 1000.0;
      s.meanEntropy = static_cast<double>((h >> 24) % 2000) / 1000.0;
      stats.push_back(s);
    }
    UtteranceResult u;
    u.key = key;
    u.hypothesis = text;
    u.corr = words - static_cast<int>(i % 2);
    u.sub = static_cast<std::int64_t>(i % 2);
    u.ins = i % 7 == 0 ? 1 : 0;
    u.alignment = "REF: " + text + "\nHYP: " + text + "\n";
    e.utterances.push_back(std::move(u));
  }
  const std::int64_t datasetId = catalog.registerDataset(d, rows);
  rows.clear();
  std::printf("workspace         %ld utterances registered in %.1f s\n", n, ms(clock) / 1000.0);
  ModelRow teacher;
  teacher.name = "teacher";
  teacher.role = "teacher";
  const std::int64_t teacherId = registerModel(ws.db(), teacher);
  ModelRow student;
  student.name = "student";
  student.role = "student";
  const std::int64_t studentId = registerModel(ws.db(), student);
  SoftLabelSetRow set;
  set.datasetId = datasetId;
  set.modelId = teacherId;
  set.k = 8;
  set.path = "softlabels/million-teacher";
  const std::int64_t setId = catalog.registerSoftLabelSet(set);
  catalog.updateSoftLabelSummary(setId, SoftLabelSummary(10), stats);
  e.modelId = studentId;
  e.datasetId = datasetId;
  EvaluationStore(ws).write(e);
  std::printf("workspace         with statistics and results: %.1f s in all\n",
              ms(clock) / 1000.0);
}

// The longest the GUI thread's event loop went without running a 2 ms timer.
class StallMeter {
 public:
  StallMeter() {
    m_timer.setInterval(2);
    QObject::connect(&m_timer, &QTimer::timeout, [this] {
      m_worst = std::max(m_worst, ms(m_since));
      m_since.restart();
    });
  }
  void start() {
    m_worst = 0;
    m_since.start();
    m_timer.start();
  }
  double stop() {
    m_timer.stop();
    return m_worst;
  }

 private:
  QTimer m_timer;
  QElapsedTimer m_since;
  double m_worst = 0;
};

// Runs the event loop until `done` (or a minute), sleeping between events
// (a busy loop here would take a core from the worker being measured); a
// 1 ms timer wakes it to look at `done` again.
bool spinUntil(const std::function<bool()>& done) {
  QElapsedTimer t;
  t.start();
  QTimer wake;
  wake.start(1);
  while (!done()) {
    if (t.elapsed() > 60000) return false;
    QCoreApplication::processEvents(QEventLoop::AllEvents | QEventLoop::WaitForMoreEvents);
  }
  return true;
}

struct Timing {
  std::vector<double> browser, reference, stall;
  std::vector<double> list;  // the worker's time for the id list (of `browser`)
};

void row(const char* what, const Timing& t) {
  const double b = median(t.browser), r = median(t.reference);
  std::printf(
      "%-28s browser %7.1f ms (list %7.1f)  reference %8.1f ms  ratio %6.2fx  GUI stall %5.1f ms\n",
      what, b, median(t.list), r, b > 0 ? r / b : 0.0, median(t.stall));
}

}  // namespace

int main(int argc, char** argv) {
  if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
  long n = 1000000;
  int repeats = 3;
  std::string workspace;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (i + 1 < argc && arg == "--utterances")
      n = std::atol(argv[++i]);
    else if (i + 1 < argc && arg == "--repeats")
      repeats = std::atoi(argv[++i]);
    else if (i + 1 < argc && arg == "--workspace")
      workspace = argv[++i];
    else {
      std::fprintf(stderr,
                   "usage: bench_ui_browser [--utterances N] [--repeats R] [--workspace DIR]\n");
      return 2;
    }
  }
  if (n < 1000 || repeats < 1) {
    std::fprintf(stderr, "bench_ui_browser: --utterances >= 1000, --repeats >= 1\n");
    return 2;
  }
  QApplication app(argc, argv);
  std::printf("bench_ui_browser: %ld utterances, median of %d\n", n, repeats);
  std::printf("cpu               %s\n", understudy::bench::cpuModel().c_str());
  std::printf("Qt %s, SQLite %s, load average %s (start)\n", qVersion(),
              sqliteVersion().c_str(), loadAverage().c_str());

  QTemporaryDir tmp;
  const std::filesystem::path root =
      workspace.empty() ? std::filesystem::path(tmp.filePath("ws").toStdString())
                        : std::filesystem::path(workspace);
  if (!Workspace::isWorkspace(root)) makeWorkspace(root, n);
  const QString rootPath = QString::fromStdString(root.string());

  StallMeter stall;
  Timing first, text, duration, condition, sortDuration, sortConfidence, end;
  int pagesToEnd = 0;
  qint64 rowsToEnd = 0;
  long shown = 0;

  // --- 1. the browser ---------------------------------------------------------
  for (int rep = 0; rep < repeats; ++rep) {
    UtteranceBrowser browser;
    browser.resize(1280, 800);
    browser.show();
    UtteranceTableModel* model = browser.model();
    const auto timeToRows = [&](Timing& t, const std::function<void()>& change) {
      QElapsedTimer clock;
      stall.start();
      clock.start();
      change();
      spinUntil([&] {
        return !browser.isLoading() && (model->rowCount() == 0 || model->record(0) != nullptr);
      });
      t.browser.push_back(ms(clock));
      t.stall.push_back(stall.stop());
      t.list.push_back(model->lastListMs());
    };
    timeToRows(first, [&] {
      browser.setWorkspacePath(rootPath);
      browser.selectDataset(QString::fromLatin1(kDataset));
    });
    shown = model->rowCount();
    // The condition list is read after the first list (a pass of its own):
    // let it finish before timing the filters.
    spinUntil([&] { return !browser.conditions().isEmpty(); });
    timeToRows(text, [&] { browser.setTextFilter(QStringLiteral("weather")); });
    browser.clearFilters();
    spinUntil([&] { return !browser.isLoading(); });
    timeToRows(duration, [&] { browser.setDurationRange(2.0, 3.0); });
    browser.clearFilters();
    spinUntil([&] { return !browser.isLoading(); });
    timeToRows(condition, [&] { browser.setConditionFilter(QStringLiteral("babble")); });
    browser.clearFilters();
    spinUntil([&] { return !browser.isLoading(); });
    timeToRows(sortDuration, [&] { browser.sortBy(UtteranceColumn::Duration); });
    timeToRows(sortConfidence,
               [&] { browser.sortBy(UtteranceColumn::Confidence, Qt::DescendingOrder); });
    browser.sortBy(UtteranceColumn::Key);
    spinUntil([&] { return !browser.isLoading() && model->record(0); });
    const int pagesBefore = model->pagesRead();
    const qint64 rowsBefore = model->rowsRead();
    QElapsedTimer clock;
    stall.start();
    clock.start();
    browser.tableView()->scrollToBottom();
    spinUntil([&] { return model->record(model->rowCount() - 1) != nullptr; });
    end.browser.push_back(ms(clock));
    end.stall.push_back(stall.stop());
    pagesToEnd = model->pagesRead() - pagesBefore;
    rowsToEnd = model->rowsRead() - rowsBefore;
  }

  // --- 2. the reference: QSqlQueryModel on the GUI thread ----------------------
  {
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("ref"));
    db.setDatabaseName(QString::fromStdString((root / Workspace::kDatabaseName).string()));
    db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY"));
    if (!db.open()) {
      std::fprintf(stderr, "cannot open the reference connection\n");
      return 1;
    }
    qint64 datasetId = 0, setId = 0, evaluationId = 0;
    {
      QSqlQuery q(db);
      q.exec(QStringLiteral("SELECT id FROM datasets WHERE name = 'million'"));
      q.next();
      datasetId = q.value(0).toLongLong();
      q.exec(QStringLiteral("SELECT MAX(id) FROM soft_label_sets"));
      q.next();
      setId = q.value(0).toLongLong();
      q.exec(QStringLiteral("SELECT MAX(id) FROM evaluations"));
      q.next();
      evaluationId = q.value(0).toLongLong();
    }
    UtteranceReader reader(db, QStringLiteral("ref"));
    // The browser's own SELECT of ids, with every shown column instead of the id.
    const auto referenceSql = [&](const UtteranceQuery& query, QVariantList* binds) {
      QString sql = reader.orderedIdsSql(query, binds);
      const QString columns = QStringLiteral(
          "u.key, u.duration_s, u.text, u.speaker, json_extract(u.metadata, '$.noise'), "
          "json_extract(u.metadata, '$.snr_db'), s.mean_top1, s.mean_entropy, r.hypothesis, "
          "r.sub, r.del, r.ins FROM utterances u "
          "LEFT JOIN soft_label_utterances s ON s.soft_label_set_id = %1 AND s.utterance_id = u.id "
          "LEFT JOIN utterance_results r ON r.evaluation_id = %2 AND r.utterance_id = u.id ")
                                  .arg(setId)
                                  .arg(evaluationId);
      const int from = sql.indexOf(QStringLiteral(" WHERE "));
      return QStringLiteral("SELECT ") + columns + sql.mid(from + 1);
    };
    const auto timeReference = [&](Timing& t, const UtteranceQuery& query, bool toEnd) {
      QVariantList binds;
      const QString sql = referenceSql(query, &binds);
      QSqlQueryModel model;
      QTableView view;
      view.resize(1280, 800);
      view.show();
      QElapsedTimer clock;
      clock.start();
      QSqlQuery q(db);
      q.prepare(sql);
      for (const QVariant& b : binds) q.addBindValue(b);
      q.exec();
      model.setQuery(std::move(q));
      view.setModel(&model);
      if (toEnd) {
        while (model.canFetchMore()) model.fetchMore();
        view.scrollToBottom();
      }
      QCoreApplication::processEvents();
      t.reference.push_back(ms(clock));
    };
    UtteranceQuery base;
    base.datasetId = datasetId;
    base.softLabelSetId = setId;
    base.evaluationId = evaluationId;
    for (int rep = 0; rep < repeats; ++rep) {
      timeReference(first, base, false);
      UtteranceQuery q = base;
      q.filter.text = QStringLiteral("weather");
      timeReference(text, q, false);
      q = base;
      q.filter.minDuration = 2.0;
      q.filter.maxDuration = 3.0;
      timeReference(duration, q, false);
      q = base;
      q.filter.condition = QStringLiteral("babble");
      timeReference(condition, q, false);
      q = base;
      q.sortColumn = UtteranceColumn::Duration;
      timeReference(sortDuration, q, false);
      q.sortColumn = UtteranceColumn::Confidence;
      q.sortOrder = Qt::DescendingOrder;
      timeReference(sortConfidence, q, false);
      if (rep == 0) timeReference(end, base, true);  // once: it reads every row
    }
  }
  QSqlDatabase::removeDatabase(QStringLiteral("ref"));

  std::printf("rows listed       %ld\n", shown);
  row("open to first rows", first);
  row("text filter 'weather'", text);
  row("duration 2-3 s", duration);
  row("condition babble", condition);
  row("sort by duration", sortDuration);
  row("sort by confidence (desc)", sortConfidence);
  row("scroll to the end", end);
  std::printf("scroll to the end read %d pages (%lld rows of %ld)\n", pagesToEnd,
              static_cast<long long>(rowsToEnd), shown);
  std::printf("load average      %s (end)\n", loadAverage().c_str());
  return 0;
}
