// What the utterance browser (docs/gui.md "Utterances") asks workspace.db, and
// the synchronous reader that asks it. The browser's model runs the reader on
// its worker thread (utterance_table_model.h); tests and the benchmark may
// drive it directly.
//
// One request is an UtteranceQuery: a dataset, optionally a soft-label set
// (its per-utterance teacher confidence and entropy, soft_label_utterances)
// and an evaluation (its per-utterance hypothesis and errors,
// utterance_results), filters and a sort column. Answering it takes two
// kinds of statement:
//   orderedIds()  SELECT u.id ... WHERE <dataset, filters> ORDER BY <column>, u.id
//                 one pass over the dataset's rows (joins only what the filter
//                 or sort needs): the ordered list of utterance ids, 8 bytes each.
//                 A numeric column is sorted in C++ instead: SELECT u.id, <value>
//                 unordered, then the same order (faster than SQLite's sorter);
//   rows()        SELECT <every column> ... WHERE u.id IN (<a page of ids>)
//                 primary-key lookups only: what one page of the table shows.
// The model keeps the id list and a few pages; nothing reads the whole table's
// columns.
//
//   UtteranceReader reader(db, dbPath);
//   UtteranceQuery q;  q.datasetId = 3;  q.filter.text = "timer";
//   q.sortColumn = UtteranceColumn::Duration;
//   QString error;
//   QVector<qint64> ids = reader.orderedIds(q, &error);
//   QVector<UtteranceRecord> page = reader.rows(q, ids.mid(0, 200), &error);
//
// Conventions: the utterances shown are a dataset's usable ones (status 'ok');
// the condition of an utterance is its metadata's noise type ("clean" for
// 'none', as the condition groups say), else the dataset's condition, else
// empty; SNR is the metadata's snr_db (none when clean or unknown). Sorting
// puts rows without a value last in either direction and breaks ties by id.
// The text filter is a substring of the transcript, case-insensitive for
// ASCII letters (SQLite LIKE). A confidence range drops rows without a value.
#pragma once

#include <QCoreApplication>
#include <QSqlDatabase>
#include <QString>
#include <QStringList>
#include <QVariant>
#include <QVector>

class QSqlQuery;
#include <functional>
#include <optional>

namespace understudy::ui {

// The browser's columns, in display order.
enum class UtteranceColumn {
  Key,
  Duration,
  Text,
  Speaker,
  Condition,
  Snr,
  Confidence,
  Entropy,
  Hypothesis,
  Sub,
  Del,
  Ins,
  Wer,
};
constexpr int kUtteranceColumnCount = static_cast<int>(UtteranceColumn::Wer) + 1;

struct UtteranceFilter {
  QString text;  // substring of the transcript; empty: any
  std::optional<double> minDuration, maxDuration;      // seconds, inclusive
  std::optional<double> minConfidence, maxConfidence;  // mean top-1, inclusive
  QString condition;                                   // exact; empty: any

  bool isEmpty() const;
  bool operator==(const UtteranceFilter& o) const;
  bool operator!=(const UtteranceFilter& o) const { return !(*this == o); }
};

struct UtteranceQuery {
  qint64 datasetId = 0;
  qint64 softLabelSetId = 0;  // 0: none
  qint64 evaluationId = 0;    // 0: none
  UtteranceFilter filter;
  UtteranceColumn sortColumn = UtteranceColumn::Key;
  Qt::SortOrder sortOrder = Qt::AscendingOrder;

  bool operator==(const UtteranceQuery& o) const;
  bool operator!=(const UtteranceQuery& o) const { return !(*this == o); }
};

// One row of the table as read by rows().
struct UtteranceRecord {
  qint64 id = 0;
  QString key;
  double duration = 0.0;  // seconds
  QVariant text;          // null: no transcript
  QString speaker;
  QString condition;
  std::optional<double> snrDb;
  std::optional<double> confidence;  // soft_label_utterances.mean_top1
  std::optional<double> entropy;     // soft_label_utterances.mean_entropy, nats
  bool hasResult = false;            // the evaluation scored this utterance
  QString hypothesis;
  qint64 corr = 0, sub = 0, del = 0, ins = 0;

  // 100 (sub + del + ins) / (corr + sub + del); none without a result or
  // without reference words.
  std::optional<double> wer() const;
  // The value of a column for display and sorting in the view: a number
  // (double or qint64), a string, or a null QVariant (no value).
  QVariant value(UtteranceColumn column) const;
};

// A dataset to choose, with its utterance count (datasets.num_utterances).
struct DatasetChoice {
  qint64 id = 0;
  QString name;
  QString kind;
  qint64 utterances = 0;
};

// A soft-label set of the dataset, with its model.
struct SoftLabelSetChoice {
  qint64 id = 0;
  QString model;
  int k = 0;
  qint64 numUtterances = 0;
  QString createdAt;
};

// The newest evaluation of one model on the dataset.
struct EvaluationChoice {
  qint64 id = 0;
  QString model;
  double wer = 0.0;
  qint64 numSentences = 0;
};

class UtteranceReader {
  Q_DECLARE_TR_FUNCTIONS(UtteranceReader)

 public:
  // `db`: an open (read-only) connection used on the calling thread only;
  // `databasePath` for messages.
  UtteranceReader(QSqlDatabase db, QString databasePath);

  // The long statements (orderedIds(), conditions()) give up, returning
  // false with *error empty, as soon as `cancelled` returns true; it is
  // called every few thousand SQLite steps, on the reader's thread. Empty:
  // never.
  void setCancelCheck(std::function<bool()> cancelled);
  // Whether the last failure was such a cancellation.
  bool wasCancelled() const { return m_wasCancelled; }

  // The catalog lists the browser's selectors show: small tables, indexed
  // reads (fit for the GUI thread).
  bool datasets(QVector<DatasetChoice>* out, QString* error);
  bool softLabelSets(qint64 datasetId, QVector<SoftLabelSetChoice>* out, QString* error);
  bool evaluations(qint64 datasetId, QVector<EvaluationChoice>* out, QString* error);
  // The distinct conditions of the dataset's usable utterances, sorted
  // (one pass over them).
  bool conditions(qint64 datasetId, QStringList* out, QString* error);
  // The dataset's usable utterances (an index count).
  bool datasetSize(qint64 datasetId, qint64* out, QString* error);
  // utterances.id of a key of the dataset; 0 when there is none.
  bool utteranceId(qint64 datasetId, const QString& key, qint64* out, QString* error);

  // The ids the query selects, in its order. false and *error when it fails
  // (or was cancelled).
  bool orderedIds(const UtteranceQuery& query, QVector<qint64>* out, QString* error);
  // The rows of these ids (any number; in the order of `ids`; ids that no
  // longer exist are left out).
  bool rows(const UtteranceQuery& query, const QVector<qint64>& ids,
            QVector<UtteranceRecord>* out, QString* error);

  // Whether the workspace has soft_label_utterances (schema 5 or later).
  bool hasSoftLabelStatistics();

  // The SELECT orderedIds() runs for `query` and its bound values (for
  // tests and the benchmark's reference model).
  QString orderedIdsSql(const UtteranceQuery& query, QVariantList* binds);

 private:
  QString idsSql(const UtteranceQuery& query, QVariantList* binds, bool sortValueColumn);
  QString datasetCondition(qint64 datasetId, QString* error);
  QString failure(const QString& what, const QString& sqlError) const;
  bool runCancellable(QSqlQuery& query);

  QSqlDatabase m_db;
  QString m_databasePath;
  std::function<bool()> m_cancelled;
  bool m_wasCancelled = false;
  int m_hasStatistics = -1;  // -1: not checked yet
};

// Column titles (translated), for the model's header and the docs.
QString utteranceColumnTitle(UtteranceColumn column);

}  // namespace understudy::ui
