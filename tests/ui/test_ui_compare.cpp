// The Compare view (ui/compare) over a real workspace written with core/store
// (Catalog, ModelRegistry, RunStore, EvaluationStore): every WER/Sub/Del/Ins
// cell equals the newest evaluation in the database (read here with its own
// query), the relative WER reduction is (WER_base − WER) / WER_base worked out
// here, "diff only" over three runs that differ in exactly one config key
// shows exactly that key, CSV export equals the table, and selecting models
// emits their training runs' ids. Offscreen (QT_QPA_PLATFORM=offscreen).
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <QAction>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "core/recipe/trainer_config.h"
#include "core/store/catalog.h"
#include "core/store/evaluation_store.h"
#include "core/store/model_registry.h"
#include "core/store/run_store.h"
#include "core/store/workspace.h"
#include "ui/compare/comparison_model.h"
#include "ui/compare/comparison_view.h"
#include "ui/widgets/csv_field.h"

using namespace understudy;
using namespace understudy::ui;

namespace {

using K = ComparisonModel::Kind;

std::int64_t addDataset(Workspace& ws, const std::string& name, const std::string& kind, int n,
                        double seconds) {
  DatasetRow d;
  d.name = name;
  d.kind = kind;
  d.numUtterances = n;
  d.totalSeconds = seconds;
  std::vector<UtteranceRow> utts;
  for (int i = 1; i <= n; ++i) {
    UtteranceRow u;
    u.key = "u" + std::to_string(i);
    u.text = "set a timer now";
    u.duration = seconds / n;
    utts.push_back(u);
  }
  return Catalog(ws).registerDataset(d, utts);
}

// A student's resolved config as `train` records it (TrainerConfig::toYaml),
// behind the "# distributed:" line when ranks shared the work.
std::string studentConfig(const std::string& name, double lr, const std::string& distributed = {},
                          const std::string& extra = {}) {
  const std::string yaml = "name: " + name +
                           "\nrole: student\nseed: 7\nmax_steps: 100\n"
                           "data: {train: [lab], soft: [unlab]}\nstreams: {kind: interleave}\n"
                           "model: {preset: student-tiny}\n"
                           "optimizer: {kind: adam, lr: " +
                           std::to_string(lr) + "}\n" + extra;
  const std::string resolved = recipe::TrainerConfig::loadString(yaml).toYaml();
  return distributed.empty() ? resolved : "# distributed: " + distributed + "\n" + resolved;
}

struct Trained {
  std::int64_t modelId = 0;
  std::int64_t runId = 0;
};

Trained train(Workspace& ws, const std::string& name, const std::string& role,
              const std::string& config, std::int64_t params) {
  RunStore runs(ws.db());
  // A decode run first, so that run ids and model ids differ.
  runs.startRun({"decode", name + "-other", "", "", "", std::nullopt});
  Trained t;
  t.runId = runs.startRun({"train", name, "", config, "", std::nullopt});
  runs.finishRun(t.runId, RunStatus::Finished);
  ModelRow m;
  m.name = name;
  m.role = role;
  m.numParams = params;
  m.runId = t.runId;
  t.modelId = registerModel(ws.db(), m);
  return t;
}

// An evaluation of the model on the set with these counts on one utterance.
std::int64_t evaluate(Workspace& ws, std::int64_t model, std::int64_t dataset, std::int64_t corr,
                      std::int64_t sub, std::int64_t del, std::int64_t ins) {
  Evaluation e;
  e.modelId = model;
  e.datasetId = dataset;
  UtteranceResult u;
  u.key = "u1";
  u.corr = corr;
  u.sub = sub;
  u.del = del;
  u.ins = ins;
  e.utterances = {u};
  return EvaluationStore(ws).write(e);
}

struct Stored {
  double wer = 0.0;
  qint64 sub = 0, del = 0, ins = 0;
};

// The newest evaluation of a model on a set, read here with a query of our
// own (ORDER BY id DESC), not the view's.
std::optional<Stored> newest(const QString& root, const QString& model, const QString& set) {
  SQLite::Database db((root + "/workspace.db").toStdString(), SQLite::OPEN_READONLY);
  SQLite::Statement q(db,
                      "SELECT e.wer, e.sub, e.del, e.ins FROM evaluations e "
                      "JOIN models m ON m.id = e.model_id JOIN datasets d ON d.id = e.dataset_id "
                      "WHERE m.name = ? AND d.name = ? ORDER BY e.id DESC LIMIT 1");
  q.bind(1, model.toStdString());
  q.bind(2, set.toStdString());
  if (!q.executeStep()) return std::nullopt;
  return Stored{q.getColumn(0).getDouble(), q.getColumn(1).getInt64(), q.getColumn(2).getInt64(),
                q.getColumn(3).getInt64()};
}

qint64 runOfModel(const QString& root, const QString& model) {
  SQLite::Database db((root + "/workspace.db").toStdString(), SQLite::OPEN_READONLY);
  SQLite::Statement q(db, "SELECT run_id FROM models WHERE name = ?");
  q.bind(1, model.toStdString());
  return q.executeStep() ? q.getColumn(0).getInt64() : -1;
}

// RFC 4180 fields of one CSV line (quotes doubled inside quoted fields).
QStringList csvFields(const QString& line) {
  QStringList out;
  QString field;
  bool quoted = false;
  for (int i = 0; i < line.size(); ++i) {
    const QChar c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out << field;
      field.clear();
    } else {
      field += c;
    }
  }
  out << field;
  return out;
}

}  // namespace

class TestUiCompare : public QObject {
  Q_OBJECT

  QTemporaryDir m_dir;
  QString m_root;
  std::map<std::string, Trained> m_models;
  std::int64_t m_clean = 0, m_noisy = 0;

  int rowOf(ComparisonView& view, const QString& model) {
    auto* proxy = static_cast<QSortFilterProxyModel*>(view.tableView()->model());
    for (int r = 0; r < proxy->rowCount(); ++r)
      if (proxy->index(r, 0).data().toString() == model) return r;
    return -1;
  }

  QStringList shownKeys(ComparisonView& view) {
    QStringList out;
    for (int c : view.shownColumns())
      if (view.model()->column(c).kind == K::Key) out << view.model()->column(c).key;
    return out;
  }

 private slots:
  // The CSV exports' fields (this view's and the charts'): RFC 4180 quoting.
  void testCsvFieldQuotesAsRfc4180() {
    using understudy::ui::csvField;
    QCOMPARE(csvField("plain text"), QString("plain text"));
    QCOMPARE(csvField("a,b"), QString("\"a,b\""));
    QCOMPARE(csvField("say \"hi\""), QString("\"say \"\"hi\"\"\""));
    QCOMPARE(csvField("two\nlines"), QString("\"two\nlines\""));
    QCOMPARE(csvField("cr\rhere"), QString("\"cr\rhere\""));
  }

  // The workspace: a teacher (its own data, one process), a baseline, three
  // students that differ in optimizer.lr only (the third's), and a GTC one.
  void initTestCase() {
    QVERIFY(m_dir.isValid());
    m_root = m_dir.path() + "/ws";
    Workspace ws = Workspace::create(m_root.toStdString());
    addDataset(ws, "lab", "labeled", 4, 7200.0);       // 2 h
    addDataset(ws, "unlab", "unlabeled", 4, 36000.0);  // 10 h
    m_clean = addDataset(ws, "t-clean", "test", 1, 60.0);  // scored whole
    // Two utterances, one scored: every cell partial, marked "*" as `compare` marks it.
    m_noisy = addDataset(ws, "t-noisy", "test", 2, 60.0);
    const std::int64_t dev = addDataset(ws, "dev", "labeled", 2, 60.0);

    const std::string teacher = recipe::TrainerConfig::loadString(
        "name: teacher\nrole: teacher\nseed: 1\ndata: {train: [lab]}\nmodel: {preset: teacher-tiny}\n")
                                    .toYaml();
    m_models["teacher"] = train(ws, "teacher", "teacher", teacher, 900000);
    m_models["baseline"] = train(
        ws, "baseline", "baseline",
        recipe::TrainerConfig::loadString("name: baseline\nrole: baseline\nseed: 7\nmax_steps: 100\n"
                                          "data: {train: [lab]}\nmodel: {preset: student-tiny}\n")
            .toYaml(),
        120000);
    m_models["s-a"] = train(ws, "s-a", "student", studentConfig("s-a", 0.001), 120000);
    m_models["s-b"] = train(ws, "s-b", "student", studentConfig("s-b", 0.001), 120000);
    m_models["s-c"] = train(ws, "s-c", "student", studentConfig("s-c", 0.002), 120000);
    m_models["s-gtc"] = train(ws, "s-gtc", "student",
                              studentConfig("s-gtc", 0.001, "2 ranks, algorithm gtc, backend gloo"),
                              120000);

    // WER = (sub + del + ins) / (corr + sub + del): the numbers below on 20 words (21 once).
    evaluate(ws, m_models["teacher"].modelId, m_clean, 18, 1, 1, 0);   // 10 %
    evaluate(ws, m_models["teacher"].modelId, m_noisy, 16, 2, 2, 1);   // 25 %
    evaluate(ws, m_models["baseline"].modelId, m_clean, 10, 5, 5, 2);  // 60 %: superseded
    evaluate(ws, m_models["baseline"].modelId, m_clean, 15, 3, 2, 1);  // 30 %
    evaluate(ws, m_models["baseline"].modelId, m_noisy, 12, 5, 3, 0);  // 40 %
    evaluate(ws, m_models["s-a"].modelId, m_clean, 16, 2, 2, 2);       // 30 %
    evaluate(ws, m_models["s-a"].modelId, m_noisy, 14, 4, 2, 1);       // 35 %
    evaluate(ws, m_models["s-b"].modelId, m_clean, 17, 2, 1, 0);       // 15 %
    evaluate(ws, m_models["s-c"].modelId, m_clean, 18, 1, 1, 1);       // 15 %
    evaluate(ws, m_models["s-c"].modelId, m_noisy, 10, 6, 4, 0);       // 50 %: superseded
    evaluate(ws, m_models["s-c"].modelId, m_noisy, 13, 4, 3, 0);       // 35 %
    evaluate(ws, m_models["s-gtc"].modelId, m_noisy, 16, 3, 2, 2);     // 7 / 21 = 33.33… %
    evaluate(ws, m_models["s-gtc"].modelId, dev, 20, 0, 0, 0);         // not a test set: no column
  }

  void testTableEqualsTheNewestEvaluations() {
    ComparisonView view;
    QVERIFY(view.setWorkspacePath(m_root));
    QVERIFY(!view.isShowingEmptyState());
    // It fits the window's smallest size (test_ui opens it at 900 x 560).
    QVERIFY2(view.minimumSizeHint().width() < 880 && view.minimumSizeHint().height() < 440,
             qPrintable(QString("%1 x %2").arg(view.minimumSizeHint().width()).arg(view.minimumSizeHint().height())));
    ComparisonModel* model = view.model();
    QCOMPARE(model->comparison().testSets, (QStringList{"t-clean", "t-noisy"}));
    QCOMPARE(model->rowCount(), 6);
    int cells = 0;
    for (int r = 0; r < model->rowCount(); ++r) {
      const QString name = model->modelAt(r).name;
      for (int t = 0; t < 2; ++t) {
        const QString set = model->comparison().testSets[t];
        const std::optional<Stored> want = newest(m_root, name, set);
        const auto at = [&](K kind) { return model->index(r, model->columnOf(kind, t)); };
        if (!want) {
          for (K k : {K::Wer, K::Sub, K::Del, K::Ins}) {
            QVERIFY2(at(k).data(ComparisonModel::SortRole).isNull(), qPrintable(name + " " + set));
            QCOMPARE(at(k).data().toString(), QString());
          }
          continue;
        }
        ++cells;
        QCOMPARE(at(K::Wer).data(ComparisonModel::SortRole).toDouble(), want->wer);
        QCOMPARE(at(K::Sub).data(ComparisonModel::SortRole).toLongLong(), want->sub);
        QCOMPARE(at(K::Del).data(ComparisonModel::SortRole).toLongLong(), want->del);
        QCOMPARE(at(K::Ins).data(ComparisonModel::SortRole).toLongLong(), want->ins);
        QCOMPARE(at(K::Wer).data().toString(),
                 QLocale().toString(want->wer, 'f', 2) + (set == "t-noisy" ? "*" : ""));
      }
    }
    QCOMPARE(cells, 10);  // 2 + 2 + 2 + 1 + 2 + 1
    // The superseded evaluations lose: baseline 30 % (not 60), s-c 35 % (not 50).
    const int baseline = model->rowOfModel("baseline"), sc = model->rowOfModel("s-c");
    QCOMPARE(model->index(baseline, model->columnOf(K::Wer, 0)).data(ComparisonModel::SortRole).toDouble(), 30.0);
    QCOMPARE(model->index(sc, model->columnOf(K::Sub, 1)).data(ComparisonModel::SortRole).toLongLong(), qint64(4));

    // What describes a model: parameters, hours named by its config, algorithm, seed.
    const int gtc = model->rowOfModel("s-gtc"), teacher = model->rowOfModel("teacher");
    const auto value = [&](int row, K kind) {
      return model->index(row, model->columnOf(kind)).data(ComparisonModel::SortRole);
    };
    QCOMPARE(value(teacher, K::Parameters).toLongLong(), qint64(900000));
    QCOMPARE(value(gtc, K::LabeledHours).toDouble(), 2.0);
    QCOMPARE(value(gtc, K::UnlabeledHours).toDouble(), 10.0);
    QCOMPARE(value(teacher, K::UnlabeledHours).toDouble(), 0.0);
    QCOMPARE(value(gtc, K::Algorithm).toString(), QString("gtc"));
    QCOMPARE(value(gtc, K::Workers).toInt(), 2);
    QCOMPARE(value(sc, K::Algorithm).toString(), QString("one process"));
    QCOMPARE(value(sc, K::Workers).toInt(), 1);
    QCOMPARE(value(sc, K::Seed).toString(), QString("7"));
    QCOMPARE(value(teacher, K::Role).toString(), QString("teacher"));
    QCOMPARE(model->index(sc, model->keyColumn("optimizer.lr")).data(ComparisonModel::SortRole).toDouble(), 0.002);
  }

  // A newer evaluation written while the view is open wins at the next refresh.
  void testRefreshShowsANewerEvaluation() {
    ComparisonView view;
    QVERIFY(view.setWorkspacePath(m_root));
    ComparisonModel* model = view.model();
    const int row = model->rowOfModel("s-b");
    QCOMPARE(model->index(row, model->columnOf(K::Wer, 0)).data(ComparisonModel::SortRole).toDouble(), 15.0);
    std::int64_t later = 0;
    {
      Workspace ws = Workspace::open(m_root.toStdString());
      later = evaluate(ws, m_models["s-b"].modelId, m_clean, 19, 1, 0, 0);  // 5 %
    }
    // Put the workspace back as the other tests expect it, whatever happens here.
    struct Restore {
      TestUiCompare* test;
      ~Restore() {
        Workspace ws = Workspace::open(test->m_root.toStdString());
        evaluate(ws, test->m_models["s-b"].modelId, test->m_clean, 17, 2, 1, 0);  // 15 %, newest
      }
    } restore{this};
    view.refresh();
    const int again = model->rowOfModel("s-b");
    QCOMPARE(model->index(again, model->columnOf(K::Wer, 0)).data(ComparisonModel::SortRole).toDouble(), 5.0);
    QCOMPARE(model->modelAt(again).cells[0]->evaluationId, qint64(later));
  }

  void testRelativeWerReduction() {
    ComparisonView view;
    QVERIFY(view.setWorkspacePath(m_root));
    ComparisonModel* model = view.model();
    // The model of role baseline is the default baseline.
    QCOMPARE(view.baseline(), QString("baseline"));
    QVERIFY(view.shownColumnNames().contains("t-clean.rel_reduction"));
    for (const QString& base : {QString("baseline"), QString("teacher")}) {
      QVERIFY(view.setBaseline(base));
      for (int r = 0; r < model->rowCount(); ++r)
        for (int t = 0; t < 2; ++t) {
          const QString set = model->comparison().testSets[t];
          const auto mine = newest(m_root, model->modelAt(r).name, set);
          const auto theirs = newest(m_root, base, set);
          const QVariant got =
              model->index(r, model->columnOf(K::RelativeReduction, t)).data(ComparisonModel::SortRole);
          if (!mine || !theirs) {
            QVERIFY(got.isNull());
            continue;
          }
          const double want = (theirs->wer - mine->wer) / theirs->wer * 100.0;
          QVERIFY2(std::abs(got.toDouble() - want) < 1e-9,
                   qPrintable(QString("%1 vs %2 on %3: %4, want %5")
                                  .arg(model->modelAt(r).name, base, set)
                                  .arg(got.toDouble())
                                  .arg(want)));
        }
    }
    // By hand: s-b on t-clean against the baseline's 30 %: (30 − 15) / 30 = +50 %.
    QVERIFY(view.setBaseline("baseline"));
    const QModelIndex sb = model->index(model->rowOfModel("s-b"), model->columnOf(K::RelativeReduction, 0));
    QCOMPARE(sb.data(ComparisonModel::SortRole).toDouble(), 50.0);
    QCOMPARE(sb.data().toString(), "+" + QLocale().toString(50.0, 'f', 1) + " %");
    // No baseline: no reduction columns.
    QVERIFY(view.setBaseline(QString()));
    QVERIFY(!view.shownColumnNames().contains("t-clean.rel_reduction"));
    QVERIFY(!view.setBaseline("no-such-model"));
  }

  void testDiffOnlyShowsExactlyTheKeyThatDiffers() {
    ComparisonView view;
    QVERIFY(view.setWorkspacePath(m_root));
    view.setKeyColumns({"streams.kind", "model.kind"});
    QCOMPARE(shownKeys(view), (QStringList{"model.kind", "streams.kind"}));  // config order
    QVERIFY(view.selectModels({"s-a", "s-b", "s-c"}));
    view.setDiffOnly(true);
    QCOMPARE(shownKeys(view), QStringList{"optimizer.lr"});
    // Role, parameters, hours, algorithm, workers and seed are equal too: hidden.
    QCOMPARE(view.shownColumnNames(),
             (QStringList{"model", "t-clean.wer", "t-clean.sub", "t-clean.del", "t-clean.ins",
                          "t-clean.rel_reduction", "t-noisy.wer", "t-noisy.sub", "t-noisy.del",
                          "t-noisy.ins", "t-noisy.rel_reduction", "optimizer.lr"}));
    // Two of them (the same lr): no key differs.
    QVERIFY(view.selectModels({"s-a", "s-b"}));
    QCOMPARE(shownKeys(view), QStringList{});
    // With the GTC run: the algorithm and workers differ, no key does (distribution.algorithm
    // is sync in every config: one process ignores it; the record's line says gtc).
    QVERIFY(view.selectModels({"s-a", "s-gtc"}));
    QCOMPARE(shownKeys(view), QStringList{});
    QVERIFY(view.shownColumnNames().contains("algorithm"));
    QVERIFY(view.shownColumnNames().contains("workers"));
    QVERIFY(!view.shownColumnNames().contains("seed"));
    // Fewer than two selected: across every row (the teacher's keys differ).
    QVERIFY(view.selectModels({"s-a"}));
    QVERIFY(shownKeys(view).contains("optimizer.lr"));
    QVERIFY(shownKeys(view).contains("data.soft"));
    QVERIFY(shownKeys(view).contains("model.kind"));  // the teacher is a blstm
    // Off again: the chosen keys.
    view.setDiffOnly(false);
    QCOMPARE(shownKeys(view), (QStringList{"model.kind", "streams.kind"}));  // config order
  }

  void testCsvExportEqualsTheTable() {
    ComparisonView view;
    QVERIFY(view.setWorkspacePath(m_root));
    view.setKeyColumns({"optimizer.lr", "data.soft"});
    // Sorted by the noisy set's WER, descending; only the students.
    view.tableView()->sortByColumn(view.model()->columnOf(K::Wer, 1), Qt::DescendingOrder);
    view.setFilter("student", view.model()->columnOf(K::Role));
    QCOMPARE(view.shownModels().size(), 4);

    const QString path = m_dir.path() + "/comparison.csv";
    QString error;
    QVERIFY2(view.exportCsv(path, &error), qPrintable(error));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QString text = QString::fromUtf8(file.readAll());
    QCOMPARE(text, view.toCsv());
    QStringList lines = text.split('\n');
    QCOMPARE(lines.takeLast(), QString());  // ends with a line break
    QCOMPARE(csvFields(lines.takeFirst()), view.shownColumnNames());
    QCOMPARE(lines.size(), view.shownModels().size());

    auto* proxy = static_cast<QSortFilterProxyModel*>(view.tableView()->model());
    const QList<int> columns = view.shownColumns();
    double lastNoisy = 2e9;
    for (int r = 0; r < lines.size(); ++r) {
      const QStringList fields = csvFields(lines[r]);
      QCOMPARE(fields.size(), columns.size());
      const QString name = fields[0];
      QCOMPARE(name, view.shownModels()[r]);
      for (int i = 0; i < columns.size(); ++i) {
        const QModelIndex cell = proxy->index(r, columns[i]);
        const QVariant raw = cell.data(ComparisonModel::SortRole);
        const ComparisonModel::Column& col = view.model()->column(columns[i]);
        if (raw.isNull()) {
          QCOMPARE(fields[i], QString());
        } else if (col.kind == K::Wer || col.kind == K::RelativeReduction ||
                   col.kind == K::LabeledHours || col.kind == K::UnlabeledHours) {
          QCOMPARE(fields[i].toDouble(), raw.toDouble());  // unformatted: exact
        } else if (col.kind == K::Sub || col.kind == K::Del || col.kind == K::Ins ||
                   col.kind == K::Parameters || col.kind == K::Workers) {
          QCOMPARE(fields[i], QString::number(raw.toLongLong()));  // no digit grouping
        } else {
          QCOMPARE(fields[i], cell.data().toString());  // text as the table shows it
        }
        // The WER columns against the database itself.
        if (col.kind == K::Wer) {
          const auto stored = newest(m_root, name, view.model()->comparison().testSets[col.testSet]);
          QCOMPARE(fields[i].isEmpty(), !stored.has_value());
          if (stored) QCOMPARE(fields[i].toDouble(), stored->wer);
        }
      }
      // Descending by the noisy WER (an empty cell sorts above every number).
      const int noisy = view.shownColumnNames().indexOf("t-noisy.wer");
      const double wer = fields[noisy].isEmpty() ? 1e9 : fields[noisy].toDouble();
      QVERIFY2(wer <= lastNoisy, qPrintable(lines[r]));
      lastNoisy = wer;
    }
    // data.soft is a YAML list with commas: one quoted field.
    QVERIFY(text.contains("\"[{dataset: unlab"));
  }

  void testSelectingModelsEmitsTheirTrainingRuns() {
    ComparisonView view;
    QVERIFY(view.setWorkspacePath(m_root));
    QSignalSpy spy(&view, &ComparisonView::runsSelected);
    view.tableView()->sortByColumn(view.model()->columnOf(K::Model), Qt::AscendingOrder);
    QVERIFY(view.selectModels({"s-gtc", "baseline"}));
    QVERIFY(!spy.isEmpty());
    const QList<qint64> runs = spy.takeLast().at(0).value<QList<qint64>>();
    // In the table's order (by name): baseline, s-gtc; the runs the db names.
    QCOMPARE(runs, (QList<qint64>{runOfModel(m_root, "baseline"), runOfModel(m_root, "s-gtc")}));
    QCOMPARE(runs, (QList<qint64>{m_models["baseline"].runId, m_models["s-gtc"].runId}));
    QVERIFY(runs[0] != m_models["baseline"].modelId);

    // A click on a row, as a person selects.
    const int row = rowOf(view, "teacher");
    QVERIFY(row >= 0);
    view.tableView()->selectRow(row);
    QVERIFY(!spy.isEmpty());
    QCOMPARE(spy.takeLast().at(0).value<QList<qint64>>(), QList<qint64>{m_models["teacher"].runId});
  }

  // The same numbers as `understudy-cli compare --csv` (two decimals there).
  void testSameNumbersAsTheCli() {
    ComparisonView view;
    QVERIFY(view.setWorkspacePath(m_root));
    QVERIFY(view.setBaseline("teacher"));
    QProcess cli;
    cli.start(UNDERSTUDY_TEST_CLI, {"compare", "-w", m_root, "--baseline", "teacher", "--csv"});
    QVERIFY2(cli.waitForFinished(120000), qPrintable(cli.errorString()));
    QVERIFY2(cli.exitCode() == 0, cli.readAllStandardError().constData());
    QStringList lines = QString::fromUtf8(cli.readAllStandardOutput()).split('\n', Qt::SkipEmptyParts);
    const QStringList header = csvFields(lines.takeFirst());
    QCOMPARE(header, (QStringList{"model", "t-clean.wer", "t-clean.rel_reduction", "t-noisy.wer",
                                  "t-noisy.rel_reduction"}));
    ComparisonModel* model = view.model();
    QCOMPARE(lines.size(), model->rowCount());  // every model here has an evaluation
    for (const QString& line : lines) {
      const QStringList fields = csvFields(line);
      const int row = model->rowOfModel(fields[0]);
      QVERIFY2(row >= 0, qPrintable(fields[0]));
      for (int t = 0; t < 2; ++t) {
        const QVariant wer = model->index(row, model->columnOf(K::Wer, t)).data(ComparisonModel::SortRole);
        const QVariant rel =
            model->index(row, model->columnOf(K::RelativeReduction, t)).data(ComparisonModel::SortRole);
        QCOMPARE(wer.isNull() ? QString() : QString::number(wer.toDouble(), 'f', 2), fields[1 + 2 * t]);
        QCOMPARE(rel.isNull() ? QString() : QString::number(rel.toDouble(), 'f', 2), fields[2 + 2 * t]);
      }
    }
  }

  // UNDERSTUDY_COMPARE_WORKSPACE=DIR: how long a read of that workspace takes
  // (docs/gui.md "Comparing experiments"), and a picture of the view in
  // UNDERSTUDY_COMPARE_GRAB (a PNG path) when set. Skipped otherwise.
  void measureAWorkspace() {
    const QString root = qEnvironmentVariable("UNDERSTUDY_COMPARE_WORKSPACE");
    if (root.isEmpty()) QSKIP("UNDERSTUDY_COMPARE_WORKSPACE not set");
    ComparisonView view;
    QElapsedTimer clock;
    clock.start();
    QVERIFY(view.setWorkspacePath(root));
    const qint64 openMs = clock.elapsed();
    QList<qint64> reads;
    for (int i = 0; i < 5; ++i) {
      clock.restart();
      view.reload();
      reads << clock.nsecsElapsed() / 1000;
    }
    clock.restart();
    for (int i = 0; i < 100; ++i) view.refresh();  // nothing changed: the poll's cost
    qInfo("%s: %d models, %lld test sets, %lld keys; open %lld ms; reload %s us; refresh %.1f us",
          qPrintable(root), view.model()->rowCount(),
          qlonglong(view.model()->comparison().testSets.size()),
          qlonglong(view.model()->comparison().keys.size()), openMs,
          qPrintable([&] { QStringList t; for (qint64 r : reads) t << QString::number(r); return t.join(' '); }()),
          clock.nsecsElapsed() / 1000.0 / 100);
    const QString grab = qEnvironmentVariable("UNDERSTUDY_COMPARE_GRAB");
    if (!grab.isEmpty()) {
      view.resize(1400, 420);
      view.show();
      QVERIFY(QTest::qWaitForWindowExposed(&view));
      view.selectModels(view.shownModels().mid(1, 3));
      view.grab().save(grab);
      view.setDiffOnly(true);
      view.grab().save(QString(grab).replace(".png", "-diff.png"));
      qInfo("%s", qPrintable(view.toCsv()));
    }
  }

  void testNoWorkspaceAndEmptyWorkspace() {
    ComparisonView view;
    QVERIFY(view.isShowingEmptyState());
    QTemporaryDir dir;
    Workspace::create((dir.path() + "/empty").toStdString());
    QVERIFY(view.setWorkspacePath(dir.path() + "/empty"));
    QVERIFY(view.isShowingEmptyState());
    QVERIFY(!view.exportCsvAction()->isEnabled());
    QSignalSpy errors(&view, &ComparisonView::errorOccurred);
    QVERIFY(!view.setWorkspacePath(dir.path() + "/missing"));
    QCOMPARE(errors.size(), 1);
  }
};

QTEST_MAIN(TestUiCompare)
#include "test_ui_compare.moc"
