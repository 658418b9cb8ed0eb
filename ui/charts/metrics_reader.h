// Reads the `metrics` table of workspace.db incrementally, for the training
// charts. Nothing here runs on the GUI thread: MetricsFeed owns a worker thread
// with its own read-only connection, polls on a timer there and hands each
// poll's new points to the GUI thread as one MetricBatch.
//
// One poll, in one read transaction:
//   PRAGMA data_version          unchanged and no new run selected: done (µs)
//   SELECT MAX(rowid)            hi: everything up to hi is read by this poll
//   new runs: WHERE run_id = ? AND rowid <= hi ORDER BY name, step   (index
//   metrics_by_run_name_step) known runs: WHERE rowid > last AND rowid <= hi AND run_id IN (..) (a
//   rowid range: only the new rows) SELECT .. FROM runs WHERE id IN (..)   names, status, start
//   times
// and `last` becomes hi. Metrics rows are only ever appended (a run's are
// deleted with it); should MAX(rowid) ever fall below `last`, every selected
// run is read again from the start.
#pragma once

#include <QHash>
#include <QList>
#include <QMetaType>
#include <QObject>
#include <QSet>
#include <QString>
#include <QThread>
#include <QVector>
#include <memory>

class QTimer;

namespace understudy::ui {
class WorkspaceConnection;
}

namespace understudy::ui::charts {

struct RunInfo {
  qint64 id = 0;
  QString name;
  QString kind;
  QString status;
  double startedAt = 0.0;  // seconds since the Unix epoch; 0 when unknown
};

struct MetricChunk {
  qint64 runId = 0;
  QString name;
  bool replace = false;  // the series' whole history (a newly selected run): drop what is held
  QVector<double> step, value, wall;
};

struct MetricBatch {
  int generation = 0;    // MetricsFeed's workspace generation; stale batches are dropped
  bool changed = false;  // the database changed since the previous poll
  QVector<MetricChunk> chunks;
  QHash<qint64, RunInfo> runs;  // filled whenever `changed`
  QString error;                // a poll that could not read (with the database path)
  qint64 rowsRead = 0;
};

// The synchronous reader (one connection, one thread). Used by MetricsFeed's
// worker; tests may drive it directly.
class MetricsReader {
 public:
  // `connectionName`: an open read-only QSqlDatabase connection of this thread.
  explicit MetricsReader(QString connectionName, QString databasePath = {});
  void setRuns(const QList<qint64>& runIds);
  MetricBatch poll();

 private:
  bool loadRun(qint64 runId, qint64 hi, MetricBatch& batch);
  bool loadNew(qint64 hi, MetricBatch& batch);
  bool loadRunInfo(MetricBatch& batch);
  void fail(MetricBatch& batch, const QString& what, const QString& sqlError);

  QString m_connectionName;
  QString m_databasePath;
  QList<qint64> m_runs;
  QSet<qint64> m_loaded;
  qint64 m_cursor = 0;
  qint64 m_dataVersion = -1;
};

class MetricsWorker;

// The reader on its own thread, polled every intervalMs(). Signals arrive in
// the thread that created the feed (the GUI thread).
class MetricsFeed : public QObject {
  Q_OBJECT

 public:
  explicit MetricsFeed(QObject* parent = nullptr);
  ~MetricsFeed() override;

  // Opens the workspace at `rootPath` on the worker's connection ("" closes).
  void setWorkspace(const QString& rootPath);
  QString workspace() const { return m_workspace; }
  void setRuns(const QList<qint64>& runIds);
  void setIntervalMs(int ms);
  int intervalMs() const { return m_intervalMs; }
  // Polls once now (asynchronously), besides the timer.
  void pollNow();

 signals:
  // Every poll, also one that found nothing new (so a caller can count polls).
  void batchReady(const understudy::ui::charts::MetricBatch& batch);

 private:
  void onBatch(const understudy::ui::charts::MetricBatch& batch);

  QThread m_thread;
  MetricsWorker* m_worker;
  QString m_workspace;
  int m_generation = 0;
  int m_intervalMs = 500;
};

// Internal: lives on MetricsFeed's thread.
class MetricsWorker : public QObject {
  Q_OBJECT

 public:
  MetricsWorker();
  ~MetricsWorker() override;

 public slots:
  void open(const QString& rootPath, int generation);
  void setRuns(const QList<qint64>& runIds);
  void setIntervalMs(int ms);
  void poll();
  void shutdown();

 signals:
  void polled(const understudy::ui::charts::MetricBatch& batch);

 private:
  void closeConnection();

  QTimer* m_timer;
  std::unique_ptr<WorkspaceConnection> m_connection;
  std::unique_ptr<MetricsReader> m_reader;
  QList<qint64> m_runs;
  int m_generation = 0;
  QString m_openError;
};

}  // namespace understudy::ui::charts

Q_DECLARE_METATYPE(understudy::ui::charts::MetricBatch)
