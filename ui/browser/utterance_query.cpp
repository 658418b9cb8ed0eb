#include "ui/browser/utterance_query.h"

#include <sqlite3.h>

#include <QHash>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>
#include <QStringList>
#include <algorithm>
#include <vector>

namespace understudy::ui {

namespace {

// SQLite calls the progress handler every this many virtual-machine steps
// (about 0.1 ms of work): often enough that a stale sort stops at once.
constexpr int kProgressSteps = 4000;

// A page of ids is bounded by the page size, but rows() accepts any number:
// SQLite's default limit of bound parameters does not apply (the ids are
// written into the statement), the statement length does (1 GB).
QString idList(const QVector<qint64>& ids) {
  QStringList parts;
  parts.reserve(ids.size());
  for (qint64 id : ids) parts << QString::number(id);
  return parts.join(QLatin1Char(','));
}

// A text as an SQL string literal.
QString sqlLiteral(const QString& text) {
  return QLatin1Char('\'') + QString(text).replace(QLatin1Char('\''), QStringLiteral("''")) +
         QLatin1Char('\'');
}

// The LIKE pattern of a substring: %, _ and the escape character taken literally.
QString likePattern(const QString& substring) {
  QString escaped;
  escaped.reserve(substring.size() + 2);
  for (QChar c : substring) {
    if (c == QLatin1Char('\\') || c == QLatin1Char('%') || c == QLatin1Char('_'))
      escaped += QLatin1Char('\\');
    escaped += c;
  }
  return QLatin1Char('%') + escaped + QLatin1Char('%');
}

// The metadata field `path`, NULL for metadata that is not JSON (an imported
// row with a malformed field must not make the whole query fail).
QString metadataField(const char* path) {
  return QStringLiteral("CASE WHEN json_valid(u.metadata) THEN json_extract(u.metadata, '%1') END")
      .arg(QLatin1String(path));
}

// How a query's columns are computed. Tables that are not joined (no set or
// evaluation chosen, a workspace without soft_label_utterances) read as NULL.
struct Expressions {
  bool softLabels = false;   // alias s is joinable
  bool results = false;      // alias r is joinable
  QString datasetCondition;  // '' when the dataset has none

  QString condition() const {
    const QString noise = metadataField("$.noise");
    const QString fallback =
        datasetCondition.isEmpty() ? QStringLiteral("NULL") : sqlLiteral(datasetCondition);
    return QStringLiteral("COALESCE(CASE %1 WHEN 'none' THEN 'clean' ELSE %1 END, %2)")
        .arg(noise, fallback);
  }
  QString soft(const char* column) const {
    return softLabels ? QStringLiteral("s.%1").arg(QLatin1String(column)) : QStringLiteral("NULL");
  }
  QString result(const char* column) const {
    return results ? QStringLiteral("r.%1").arg(QLatin1String(column)) : QStringLiteral("NULL");
  }
  QString wer() const {
    if (!results) return QStringLiteral("NULL");
    return QStringLiteral(
        "CASE WHEN r.corr + r.sub + r.del > 0 "
        "THEN 100.0 * (r.sub + r.del + r.ins) / (r.corr + r.sub + r.del) END");
  }

  // The value a column sorts by.
  QString sortKey(UtteranceColumn column) const {
    switch (column) {
      case UtteranceColumn::Key: return QStringLiteral("u.key");
      case UtteranceColumn::Duration: return QStringLiteral("u.duration_s");
      case UtteranceColumn::Text: return QStringLiteral("u.text COLLATE NOCASE");
      case UtteranceColumn::Speaker: return QStringLiteral("u.speaker COLLATE NOCASE");
      case UtteranceColumn::Condition: return condition() + QStringLiteral(" COLLATE NOCASE");
      case UtteranceColumn::Snr: return metadataField("$.snr_db");
      case UtteranceColumn::Confidence: return soft("mean_top1");
      case UtteranceColumn::Entropy: return soft("mean_entropy");
      case UtteranceColumn::Hypothesis:
        return results ? QStringLiteral("r.hypothesis COLLATE NOCASE") : QStringLiteral("NULL");
      case UtteranceColumn::Sub: return result("sub");
      case UtteranceColumn::Del: return result("del");
      case UtteranceColumn::Ins: return result("ins");
      case UtteranceColumn::Wer: return wer();
    }
    return QStringLiteral("NULL");
  }
};

bool sortNeedsSoftLabels(UtteranceColumn c) {
  return c == UtteranceColumn::Confidence || c == UtteranceColumn::Entropy;
}

bool sortNeedsResults(UtteranceColumn c) {
  return c == UtteranceColumn::Hypothesis || c == UtteranceColumn::Sub ||
         c == UtteranceColumn::Del || c == UtteranceColumn::Ins || c == UtteranceColumn::Wer;
}

QString softLabelJoin(qint64 setId) {
  return QStringLiteral(
             " LEFT JOIN soft_label_utterances s ON s.soft_label_set_id = %1 AND "
             "s.utterance_id = u.id")
      .arg(setId);
}

QString resultJoin(qint64 evaluationId) {
  return QStringLiteral(
             " LEFT JOIN utterance_results r ON r.evaluation_id = %1 AND r.utterance_id = u.id")
      .arg(evaluationId);
}

std::optional<double> optionalDouble(const QVariant& v) {
  if (v.isNull()) return std::nullopt;
  bool ok = false;
  const double d = v.toDouble(&ok);
  return ok ? std::optional<double>(d) : std::nullopt;
}

QVariant toVariant(const std::optional<double>& v) { return v ? QVariant(*v) : QVariant(); }

bool sortsByNumber(UtteranceColumn c) {
  switch (c) {
    case UtteranceColumn::Duration:
    case UtteranceColumn::Snr:
    case UtteranceColumn::Confidence:
    case UtteranceColumn::Entropy:
    case UtteranceColumn::Sub:
    case UtteranceColumn::Del:
    case UtteranceColumn::Ins:
    case UtteranceColumn::Wer: return true;
    default: return false;
  }
}

struct SortRow {
  qint64 id;
  double value;
  bool has;  // a number; NULL (and anything not a number) sorts last
};

// The order of `ORDER BY value <dir> NULLS LAST, id <dir>`.
void sortIdsByValue(std::vector<SortRow>& rows, Qt::SortOrder order, QVector<qint64>* out) {
  const bool up = order == Qt::AscendingOrder;
  std::sort(rows.begin(), rows.end(), [up](const SortRow& a, const SortRow& b) {
    if (a.has != b.has) return a.has;
    if (a.has && a.value != b.value) return up ? a.value < b.value : a.value > b.value;
    return up ? a.id < b.id : a.id > b.id;
  });
  out->reserve(static_cast<qsizetype>(rows.size()));
  for (const SortRow& r : rows) out->push_back(r.id);
}

// The sqlite3 connection under a QSQLITE connection; nullptr for another driver.
sqlite3* sqliteHandle(const QSqlDatabase& db) {
  const QVariant v = db.driver()->handle();
  if (!v.isValid() || qstrcmp(v.typeName(), "sqlite3*") != 0) return nullptr;
  return *static_cast<sqlite3* const*>(v.constData());
}

int progressHandler(void* reader) {
  return (*static_cast<std::function<bool()>*>(reader))() ? 1 : 0;
}

}  // namespace

bool UtteranceFilter::isEmpty() const { return *this == UtteranceFilter{}; }

bool UtteranceFilter::operator==(const UtteranceFilter& o) const {
  return text == o.text && minDuration == o.minDuration && maxDuration == o.maxDuration &&
         minConfidence == o.minConfidence && maxConfidence == o.maxConfidence &&
         condition == o.condition;
}

bool UtteranceQuery::operator==(const UtteranceQuery& o) const {
  return datasetId == o.datasetId && softLabelSetId == o.softLabelSetId &&
         evaluationId == o.evaluationId && filter == o.filter && sortColumn == o.sortColumn &&
         sortOrder == o.sortOrder;
}

std::optional<double> UtteranceRecord::wer() const {
  const qint64 refWords = corr + sub + del;
  if (!hasResult || refWords <= 0) return std::nullopt;
  return 100.0 * static_cast<double>(sub + del + ins) / static_cast<double>(refWords);
}

QVariant UtteranceRecord::value(UtteranceColumn column) const {
  switch (column) {
    case UtteranceColumn::Key: return key;
    case UtteranceColumn::Duration: return duration;
    case UtteranceColumn::Text: return text;
    case UtteranceColumn::Speaker: return speaker;
    case UtteranceColumn::Condition: return condition.isEmpty() ? QVariant() : QVariant(condition);
    case UtteranceColumn::Snr: return toVariant(snrDb);
    case UtteranceColumn::Confidence: return toVariant(confidence);
    case UtteranceColumn::Entropy: return toVariant(entropy);
    case UtteranceColumn::Hypothesis: return hasResult ? QVariant(hypothesis) : QVariant();
    case UtteranceColumn::Sub: return hasResult ? QVariant(sub) : QVariant();
    case UtteranceColumn::Del: return hasResult ? QVariant(del) : QVariant();
    case UtteranceColumn::Ins: return hasResult ? QVariant(ins) : QVariant();
    case UtteranceColumn::Wer: return toVariant(wer());
  }
  return {};
}

QString utteranceColumnTitle(UtteranceColumn column) {
  switch (column) {
    case UtteranceColumn::Key: return UtteranceReader::tr("Key");
    case UtteranceColumn::Duration: return UtteranceReader::tr("Duration (s)");
    case UtteranceColumn::Text: return UtteranceReader::tr("Text");
    case UtteranceColumn::Speaker: return UtteranceReader::tr("Speaker");
    case UtteranceColumn::Condition: return UtteranceReader::tr("Condition");
    case UtteranceColumn::Snr: return UtteranceReader::tr("SNR (dB)");
    case UtteranceColumn::Confidence: return UtteranceReader::tr("Confidence");
    case UtteranceColumn::Entropy: return UtteranceReader::tr("Entropy (nats)");
    case UtteranceColumn::Hypothesis: return UtteranceReader::tr("Hypothesis");
    case UtteranceColumn::Sub: return UtteranceReader::tr("Sub");
    case UtteranceColumn::Del: return UtteranceReader::tr("Del");
    case UtteranceColumn::Ins: return UtteranceReader::tr("Ins");
    case UtteranceColumn::Wer: return UtteranceReader::tr("WER (%)");
  }
  return {};
}

UtteranceReader::UtteranceReader(QSqlDatabase db, QString databasePath)
    : m_db(std::move(db)), m_databasePath(std::move(databasePath)) {}

void UtteranceReader::setCancelCheck(std::function<bool()> cancelled) {
  m_cancelled = std::move(cancelled);
}

QString UtteranceReader::failure(const QString& what, const QString& sqlError) const {
  return tr("cannot read %1 from %2: %3").arg(what, m_databasePath, sqlError);
}

bool UtteranceReader::hasSoftLabelStatistics() {
  if (m_hasStatistics < 0) {
    QSqlQuery q(m_db);
    m_hasStatistics =
        q.exec(QStringLiteral("SELECT 1 FROM sqlite_master WHERE type = 'table' AND "
                              "name = 'soft_label_utterances'")) &&
                q.next()
            ? 1
            : 0;
  }
  return m_hasStatistics == 1;
}

// Runs a prepared statement with the progress handler installed (when there
// is a cancel check); a cancelled run returns false with m_wasCancelled set.
bool UtteranceReader::runCancellable(QSqlQuery& query) {
  m_wasCancelled = false;
  sqlite3* handle = m_cancelled ? sqliteHandle(m_db) : nullptr;
  if (handle) sqlite3_progress_handler(handle, kProgressSteps, progressHandler, &m_cancelled);
  const bool ok = query.exec();
  if (handle) sqlite3_progress_handler(handle, 0, nullptr, nullptr);
  if (!ok && m_cancelled && m_cancelled()) m_wasCancelled = true;
  return ok;
}

bool UtteranceReader::datasets(QVector<DatasetChoice>* out, QString* error) {
  out->clear();
  QSqlQuery q(m_db);
  q.setForwardOnly(true);
  // num_utterances, as the importer counted them: a COUNT over a million
  // rows would take tens of milliseconds (this runs on the GUI thread).
  if (!q.exec(QStringLiteral(
          "SELECT id, name, kind, num_utterances FROM datasets ORDER BY name"))) {
    *error = failure(tr("the datasets"), q.lastError().text());
    return false;
  }
  while (q.next())
    out->push_back({q.value(0).toLongLong(), q.value(1).toString(), q.value(2).toString(),
                    q.value(3).toLongLong()});
  return true;
}

bool UtteranceReader::softLabelSets(qint64 datasetId, QVector<SoftLabelSetChoice>* out,
                                    QString* error) {
  out->clear();
  QSqlQuery q(m_db);
  q.setForwardOnly(true);
  q.prepare(QStringLiteral(
      "SELECT s.id, COALESCE(m.name, ''), s.k, s.num_utterances, s.created_at "
      "FROM soft_label_sets s LEFT JOIN models m ON m.id = s.model_id "
      "WHERE s.dataset_id = ? ORDER BY s.id DESC"));
  q.addBindValue(datasetId);
  if (!q.exec()) {
    *error = failure(tr("the soft-label sets"), q.lastError().text());
    return false;
  }
  while (q.next())
    out->push_back({q.value(0).toLongLong(), q.value(1).toString(), q.value(2).toInt(),
                    q.value(3).toLongLong(), q.value(4).toString()});
  return true;
}

bool UtteranceReader::evaluations(qint64 datasetId, QVector<EvaluationChoice>* out,
                                  QString* error) {
  out->clear();
  QSqlQuery q(m_db);
  q.setForwardOnly(true);
  // The newest evaluation of each model, the rule of `understudy-cli compare`
  // (kNewestEvaluationsSql in core/store) without its count of the dataset's
  // utterances, which would scan them on the GUI thread.
  q.prepare(QStringLiteral(
      "SELECT e.id, m.name, e.wer, e.num_sentences FROM evaluations e "
      "JOIN models m ON m.id = e.model_id WHERE e.dataset_id = ? AND e.id = "
      "(SELECT MAX(x.id) FROM evaluations x WHERE x.model_id = e.model_id AND "
      "x.dataset_id = e.dataset_id) ORDER BY m.name"));
  q.addBindValue(datasetId);
  if (!q.exec()) {
    *error = failure(tr("the evaluations"), q.lastError().text());
    return false;
  }
  while (q.next())
    out->push_back({q.value(0).toLongLong(), q.value(1).toString(), q.value(2).toDouble(),
                    q.value(3).toLongLong()});
  return true;
}

QString UtteranceReader::datasetCondition(qint64 datasetId, QString* error) {
  QSqlQuery q(m_db);
  q.prepare(QStringLiteral("SELECT condition FROM datasets WHERE id = ?"));
  q.addBindValue(datasetId);
  if (!q.exec()) {
    *error = failure(tr("dataset %1").arg(datasetId), q.lastError().text());
    return {};
  }
  return q.next() ? q.value(0).toString() : QString();
}

bool UtteranceReader::conditions(qint64 datasetId, QStringList* out, QString* error) {
  out->clear();
  Expressions e;
  QString conditionError;
  e.datasetCondition = datasetCondition(datasetId, &conditionError);
  if (!conditionError.isEmpty()) {
    *error = conditionError;
    return false;
  }
  QSqlQuery q(m_db);
  q.setForwardOnly(true);
  q.prepare(QStringLiteral("SELECT DISTINCT %1 FROM utterances u "
                           "WHERE u.dataset_id = ? AND u.status = 'ok'")
                .arg(e.condition()));
  q.addBindValue(datasetId);
  if (!runCancellable(q)) {
    if (!m_wasCancelled) *error = failure(tr("the conditions"), q.lastError().text());
    return false;
  }
  while (q.next())
    if (!q.value(0).isNull()) *out << q.value(0).toString();
  std::sort(out->begin(), out->end());
  return true;
}

bool UtteranceReader::datasetSize(qint64 datasetId, qint64* out, QString* error) {
  QSqlQuery q(m_db);
  q.prepare(QStringLiteral(
      "SELECT COUNT(*) FROM utterances WHERE dataset_id = ? AND status = 'ok'"));
  q.addBindValue(datasetId);
  if (!q.exec() || !q.next()) {
    *error = failure(tr("the size of dataset %1").arg(datasetId), q.lastError().text());
    return false;
  }
  *out = q.value(0).toLongLong();
  return true;
}

bool UtteranceReader::utteranceId(qint64 datasetId, const QString& key, qint64* out,
                                  QString* error) {
  QSqlQuery q(m_db);
  q.prepare(QStringLiteral(
      "SELECT id FROM utterances WHERE dataset_id = ? AND key = ? AND status = 'ok'"));
  q.addBindValue(datasetId);
  q.addBindValue(key);
  if (!q.exec()) {
    *error = failure(tr("utterance %1").arg(key), q.lastError().text());
    return false;
  }
  *out = q.next() ? q.value(0).toLongLong() : 0;
  return true;
}

QString UtteranceReader::orderedIdsSql(const UtteranceQuery& query, QVariantList* binds) {
  return idsSql(query, binds, /*sortValueColumn=*/false);
}

// With sortValueColumn, the statement returns (id, sort value) unordered,
// for sortIdsByValue(); without, the ids in the query's order.
QString UtteranceReader::idsSql(const UtteranceQuery& query, QVariantList* binds,
                                bool sortValueColumn) {
  const UtteranceFilter& f = query.filter;
  const bool confidenceFilter = f.minConfidence || f.maxConfidence;
  Expressions e;
  e.softLabels = query.softLabelSetId > 0 && hasSoftLabelStatistics() &&
                 (confidenceFilter || sortNeedsSoftLabels(query.sortColumn));
  e.results = query.evaluationId > 0 && sortNeedsResults(query.sortColumn);
  if (!f.condition.isEmpty() || query.sortColumn == UtteranceColumn::Condition) {
    QString ignored;
    e.datasetCondition = datasetCondition(query.datasetId, &ignored);
  }

  QString sql = sortValueColumn
                    ? QStringLiteral("SELECT u.id, %1 FROM utterances u").arg(e.sortKey(query.sortColumn))
                    : QStringLiteral("SELECT u.id FROM utterances u");
  if (e.softLabels) sql += softLabelJoin(query.softLabelSetId);
  if (e.results) sql += resultJoin(query.evaluationId);
  sql += QStringLiteral(" WHERE u.dataset_id = ? AND u.status = 'ok'");
  binds->clear();
  *binds << query.datasetId;
  if (!f.text.isEmpty()) {
    sql += QStringLiteral(" AND u.text LIKE ? ESCAPE '\\'");
    *binds << likePattern(f.text);
  }
  if (f.minDuration) {
    sql += QStringLiteral(" AND u.duration_s >= ?");
    *binds << *f.minDuration;
  }
  if (f.maxDuration) {
    sql += QStringLiteral(" AND u.duration_s <= ?");
    *binds << *f.maxDuration;
  }
  if (f.minConfidence) {
    sql += QStringLiteral(" AND %1 >= ?").arg(e.soft("mean_top1"));
    *binds << *f.minConfidence;
  }
  if (f.maxConfidence) {
    sql += QStringLiteral(" AND %1 <= ?").arg(e.soft("mean_top1"));
    *binds << *f.maxConfidence;
  }
  if (!f.condition.isEmpty()) {
    // The metadata's noise compared directly (one JSON read a row, half the
    // time of the display expression); the dataset's own condition only
    // where it is the one asked for.
    const QString noise = metadataField("$.noise");
    sql += QStringLiteral(" AND (%1 = ?").arg(noise);
    *binds << (f.condition == QLatin1String("clean") ? QStringLiteral("none") : f.condition);
    if (e.datasetCondition == f.condition) sql += QStringLiteral(" OR %1 IS NULL").arg(noise);
    sql += QLatin1Char(')');
  }
  if (sortValueColumn) return sql;
  const QString direction =
      query.sortOrder == Qt::AscendingOrder ? QStringLiteral("ASC") : QStringLiteral("DESC");
  sql += QStringLiteral(" ORDER BY %1 %2 NULLS LAST, u.id %2")
             .arg(e.sortKey(query.sortColumn), direction);
  return sql;
}

// The list is read through SQLite's own API on the Qt driver's connection:
// for a million rows, QSqlQuery's per-row QVariant bookkeeping costs more
// than the statement itself (docs/performance.md, "Utterance browser").
bool UtteranceReader::orderedIds(const UtteranceQuery& query, QVector<qint64>* out,
                                 QString* error) {
  out->clear();
  m_wasCancelled = false;
  QVariantList binds;
  // A numeric column is sorted here, over (id, value) pairs read in one
  // pass: SQLite's sorter takes 2-3 times as long for a million rows
  // (docs/performance.md, "Utterance browser"). Text columns and the key
  // (an index) stay in SQL.
  const bool sortHere = sortsByNumber(query.sortColumn);
  const QString sql = idsSql(query, &binds, sortHere);
  const QString what = tr("the utterances of dataset %1").arg(query.datasetId);
  sqlite3* handle = sqliteHandle(m_db);
  if (!handle) {
    *error = failure(what, tr("not an SQLite connection"));
    return false;
  }
  sqlite3_stmt* statement = nullptr;
  const QByteArray text = sql.toUtf8();
  if (sqlite3_prepare_v2(handle, text.constData(), static_cast<int>(text.size()), &statement,
                         nullptr) != SQLITE_OK) {
    *error = failure(what, QString::fromUtf8(sqlite3_errmsg(handle)));
    sqlite3_finalize(statement);
    return false;
  }
  int index = 0;
  for (const QVariant& b : binds) {
    ++index;
    switch (b.typeId()) {
      case QMetaType::Double: sqlite3_bind_double(statement, index, b.toDouble()); break;
      case QMetaType::QString: {
        const QByteArray utf8 = b.toString().toUtf8();
        sqlite3_bind_text(statement, index, utf8.constData(), static_cast<int>(utf8.size()),
                          SQLITE_TRANSIENT);
        break;
      }
      default: sqlite3_bind_int64(statement, index, b.toLongLong()); break;
    }
  }
  if (m_cancelled) sqlite3_progress_handler(handle, kProgressSteps, progressHandler, &m_cancelled);
  int rc = SQLITE_ROW;
  std::vector<SortRow> keyed;
  if (sortHere) {
    while ((rc = sqlite3_step(statement)) == SQLITE_ROW) {
      const int type = sqlite3_column_type(statement, 1);
      const bool has = type == SQLITE_INTEGER || type == SQLITE_FLOAT;
      keyed.push_back({sqlite3_column_int64(statement, 0),
                       has ? sqlite3_column_double(statement, 1) : 0.0, has});
    }
  } else {
    while ((rc = sqlite3_step(statement)) == SQLITE_ROW)
      out->push_back(sqlite3_column_int64(statement, 0));
  }
  if (m_cancelled) sqlite3_progress_handler(handle, 0, nullptr, nullptr);
  const bool ok = rc == SQLITE_DONE;
  if (!ok) {
    if (rc == SQLITE_INTERRUPT && m_cancelled && m_cancelled())
      m_wasCancelled = true;
    else
      *error = failure(what, QString::fromUtf8(sqlite3_errmsg(handle)));
    out->clear();
  }
  sqlite3_finalize(statement);
  if (ok && sortHere) sortIdsByValue(keyed, query.sortOrder, out);
  return ok;
}

bool UtteranceReader::rows(const UtteranceQuery& query, const QVector<qint64>& ids,
                           QVector<UtteranceRecord>* out, QString* error) {
  out->clear();
  if (ids.isEmpty()) return true;
  Expressions e;
  e.softLabels = query.softLabelSetId > 0 && hasSoftLabelStatistics();
  e.results = query.evaluationId > 0;
  QString conditionError;
  e.datasetCondition = datasetCondition(query.datasetId, &conditionError);
  if (!conditionError.isEmpty()) {
    *error = conditionError;
    return false;
  }

  QString sql = QStringLiteral(
                    "SELECT u.id, u.key, u.duration_s, u.text, u.speaker, %1, %2, %3, %4, %5, "
                    "%6, %7, %8, %9, %10 FROM utterances u")
                    .arg(e.condition(), metadataField("$.snr_db"), e.soft("mean_top1"),
                         e.soft("mean_entropy"),
                         e.results ? QStringLiteral("r.utterance_id IS NOT NULL")
                                   : QStringLiteral("0"),
                         e.result("hypothesis"), e.result("corr"), e.result("sub"),
                         e.result("del"))
                    .arg(e.result("ins"));
  if (e.softLabels) sql += softLabelJoin(query.softLabelSetId);
  if (e.results) sql += resultJoin(query.evaluationId);
  sql += QStringLiteral(" WHERE u.id IN (%1)").arg(idList(ids));

  QSqlQuery q(m_db);
  q.setForwardOnly(true);
  if (!q.exec(sql)) {
    *error = failure(tr("utterance rows"), q.lastError().text());
    return false;
  }
  QHash<qint64, UtteranceRecord> byId;
  byId.reserve(ids.size());
  while (q.next()) {
    UtteranceRecord r;
    r.id = q.value(0).toLongLong();
    r.key = q.value(1).toString();
    r.duration = q.value(2).toDouble();
    r.text = q.value(3);
    r.speaker = q.value(4).toString();
    r.condition = q.value(5).toString();
    r.snrDb = optionalDouble(q.value(6));
    r.confidence = optionalDouble(q.value(7));
    r.entropy = optionalDouble(q.value(8));
    r.hasResult = q.value(9).toInt() != 0;
    if (r.hasResult) {
      r.hypothesis = q.value(10).toString();
      r.corr = q.value(11).toLongLong();
      r.sub = q.value(12).toLongLong();
      r.del = q.value(13).toLongLong();
      r.ins = q.value(14).toLongLong();
    }
    byId.insert(r.id, r);
  }
  out->reserve(ids.size());
  for (qint64 id : ids) {
    const auto it = byId.constFind(id);
    if (it != byId.constEnd()) out->push_back(*it);
  }
  return true;
}

}  // namespace understudy::ui
