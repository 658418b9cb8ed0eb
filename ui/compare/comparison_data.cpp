#include "ui/compare/comparison_data.h"

#include <QCoreApplication>
#include <QSet>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

#include "core/recipe/training_record.h"
#include "core/store/evaluation_store.h"
#include "core/util/error.h"

namespace understudy::ui {

namespace {

// Translation context "ComparisonData" (lupdate reads Q_DECLARE_TR_FUNCTIONS).
struct Text {
  Q_DECLARE_TR_FUNCTIONS(ComparisonData)
};

QString failure(const QSqlQuery& q, const QString& what) {
  return Text::tr("Reading %1 from workspace.db failed: %2").arg(what, q.lastError().text());
}

QStringList toQt(const std::vector<std::string>& names) {
  QStringList out;
  for (const std::string& n : names) out << QString::fromStdString(n);
  return out;
}

// Total hours of the named datasets; none when one of them is unknown.
std::optional<double> hoursOf(const QStringList& names, const QHash<QString, double>& seconds) {
  double total = 0.0;
  for (const QString& n : names) {
    const auto it = seconds.find(n);
    if (it == seconds.end()) return std::nullopt;
    total += *it;
  }
  return total / 3600.0;
}

// The model's training run record: datasets, hours, algorithm, seed, keys.
void describeRecord(ComparedModel& m, const QString& config, const QHash<QString, double>& seconds,
                    QStringList& keys, QSet<QString>& seenKeys) {
  if (config.trimmed().isEmpty()) return;
  try {
    const recipe::TrainingRecord r = recipe::readTrainingRecord(
        config.toStdString(), "run " + std::to_string(m.runId) + " (runs.config)");
    m.hasRecord = true;
    m.labeledDatasets = toQt(r.labeledDatasets);
    m.unlabeledDatasets = toQt(r.unlabeledDatasets);
    m.labeledHours = hoursOf(m.labeledDatasets, seconds);
    m.unlabeledHours = hoursOf(m.unlabeledDatasets, seconds);
    m.algorithm = QString::fromStdString(r.algorithm);
    m.workers = r.workers;
    m.seed = r.seed ? QString::fromStdString(*r.seed) : QString();
    for (const auto& [key, value] : r.keys) {
      const QString k = QString::fromStdString(key);
      m.keys.insert(k, QString::fromStdString(value));
      // name, role and seed have their own columns (Model, Role, Seed).
      const bool ownColumn = k == QLatin1String("name") || k == QLatin1String("role") ||
                             k == QLatin1String("seed");
      if (!ownColumn && !seenKeys.contains(k)) {
        seenKeys.insert(k);
        keys << k;
      }
    }
  } catch (const Error& e) {
    m.recordError = QString::fromStdString(e.message());
  }
}

}  // namespace

std::optional<ComparisonData> readComparison(const QSqlDatabase& constDb, QString* error) {
  QSqlDatabase db = constDb;
  ComparisonData d;
  const bool inTransaction = db.transaction();  // one snapshot for every query
  const auto fail = [&](const QSqlQuery& q, const QString& what) {
    if (error) *error = failure(q, what);
    if (inTransaction) db.rollback();
    return std::nullopt;
  };

  QSqlQuery q(db);
  q.setForwardOnly(true);
  QHash<QString, double> seconds;
  if (!q.exec(QStringLiteral("SELECT name, total_seconds FROM datasets"))) return fail(q, Text::tr("datasets"));
  while (q.next()) seconds.insert(q.value(0).toString(), q.value(1).toDouble());

  QList<qint64> testSetIds;
  if (!q.exec(QString::fromLatin1(kEvaluatedTestSetsSql))) return fail(q, Text::tr("test sets"));
  while (q.next()) {
    testSetIds << q.value(0).toLongLong();
    d.testSets << q.value(1).toString();
  }

  QHash<qint64, int> rowOf;
  QSet<QString> seenKeys;
  if (!q.exec(QStringLiteral("SELECT m.id, m.name, m.role, m.num_params, COALESCE(m.run_id, 0), "
                             "COALESCE(r.config, '') FROM models m "
                             "LEFT JOIN runs r ON r.id = m.run_id ORDER BY m.id")))
    return fail(q, Text::tr("models"));
  while (q.next()) {
    ComparedModel m;
    m.id = q.value(0).toLongLong();
    m.name = q.value(1).toString();
    m.role = q.value(2).toString();
    m.numParams = q.value(3).toLongLong();
    m.runId = q.value(4).toLongLong();
    describeRecord(m, q.value(5).toString(), seconds, d.keys, seenKeys);
    for (int i = 0; i < d.testSets.size(); ++i) m.cells << std::nullopt;
    rowOf.insert(m.id, d.models.size());
    d.models << m;
  }

  QSqlQuery cells(db);
  cells.setForwardOnly(true);
  if (!cells.prepare(QString::fromLatin1(kNewestEvaluationsSql))) return fail(cells, Text::tr("evaluations"));
  for (int column = 0; column < testSetIds.size(); ++column) {
    cells.bindValue(0, testSetIds[column]);
    if (!cells.exec()) return fail(cells, Text::tr("evaluations"));
    while (cells.next()) {
      const auto row = rowOf.find(cells.value(0).toLongLong());
      if (row == rowOf.end()) continue;
      ComparisonCell c;
      c.evaluationId = cells.value(2).toLongLong();
      c.wer = cells.value(3).toDouble();
      c.refWords = cells.value(4).toLongLong();
      c.sub = cells.value(5).toLongLong();
      c.del = cells.value(6).toLongLong();
      c.ins = cells.value(7).toLongLong();
      c.sentences = cells.value(8).toLongLong();
      c.createdAt = cells.value(9).toString();
      c.stale = cells.value(10).toInt() != 0;
      c.datasetUtterances = cells.value(11).toLongLong();
      d.models[*row].cells[column] = c;
    }
  }
  if (inTransaction) db.rollback();
  return d;
}

QString comparisonFingerprint(const QSqlDatabase& db) {
  QSqlQuery q(db);
  if (!q.exec(QStringLiteral(
          "SELECT (SELECT COUNT(*) || ':' || IFNULL(MAX(id), 0) FROM evaluations), "
          "(SELECT COUNT(*) || ':' || IFNULL(MAX(created_at), '') FROM models), "
          "(SELECT COUNT(*) || ':' || IFNULL(SUM(total_seconds), 0) FROM datasets)")) ||
      !q.next())
    return QString();
  return q.value(0).toString() + QLatin1Char('/') + q.value(1).toString() + QLatin1Char('/') +
         q.value(2).toString();
}

}  // namespace understudy::ui
