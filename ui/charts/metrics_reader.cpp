#include "ui/charts/metrics_reader.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStringList>
#include <QTimer>
#include <QVariant>
#include <map>

#include "ui/workspace/workspace_connection.h"

namespace understudy::ui::charts {

namespace {

// Run ids are integers: safe to write into the statement.
QString idList(const QList<qint64>& ids) {
  QStringList parts;
  parts.reserve(ids.size());
  for (qint64 id : ids) parts << QString::number(id);
  return parts.join(QLatin1Char(','));
}

double isoToEpoch(const QString& text) {
  QDateTime t = QDateTime::fromString(text, Qt::ISODateWithMs);
  if (!t.isValid()) return 0.0;
  t.setTimeSpec(Qt::UTC);  // the store writes UTC ('...Z')
  return static_cast<double>(t.toMSecsSinceEpoch()) / 1000.0;
}

}  // namespace

MetricsReader::MetricsReader(QString connectionName, QString databasePath)
    : m_connectionName(std::move(connectionName)), m_databasePath(std::move(databasePath)) {}

void MetricsReader::setRuns(const QList<qint64>& runIds) {
  m_runs.clear();
  for (qint64 id : runIds)
    if (!m_runs.contains(id)) m_runs << id;
  for (auto it = m_loaded.begin(); it != m_loaded.end();)
    it = m_runs.contains(*it) ? std::next(it) : m_loaded.erase(it);
}

void MetricsReader::fail(MetricBatch& batch, const QString& what, const QString& sqlError) {
  batch.error =
      QCoreApplication::translate("TrainingChartView", "cannot read metrics from %1 (%2): %3")
          .arg(m_databasePath, what, sqlError);
}

MetricBatch MetricsReader::poll() {
  MetricBatch batch;
  if (m_runs.isEmpty()) return batch;
  QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
  bool newRuns = false;
  for (qint64 id : m_runs) newRuns = newRuns || !m_loaded.contains(id);

  // One read transaction: every query sees the same snapshot. It is ended
  // (rolled back: nothing was written) on every path, or the connection would
  // keep reading this snapshot for ever.
  if (!db.transaction()) {
    fail(batch, QStringLiteral("BEGIN"), db.lastError().text());
    return batch;
  }
  QSqlQuery q(db);
  const auto end = [&db, &q, &batch, this] {
    q.finish();
    if (!db.rollback() && batch.error.isEmpty())
      fail(batch, QStringLiteral("ROLLBACK"), db.lastError().text());
  };
  if (!q.exec(QStringLiteral("PRAGMA data_version")) || !q.next()) {
    fail(batch, QStringLiteral("data_version"), q.lastError().text());
    end();
    return batch;
  }
  const qint64 version = q.value(0).toLongLong();
  if (version == m_dataVersion && !newRuns) {
    end();
    return batch;
  }
  batch.changed = true;
  if (!q.exec(QStringLiteral("SELECT COALESCE(MAX(rowid), 0) FROM metrics")) || !q.next()) {
    fail(batch, QStringLiteral("MAX(rowid)"), q.lastError().text());
    end();
    return batch;
  }
  const qint64 hi = q.value(0).toLongLong();
  q.finish();
  if (hi < m_cursor) m_loaded.clear();  // rows went away: read the selected runs afresh

  bool ok = true;
  if (!m_loaded.isEmpty() && hi > m_cursor) ok = loadNew(hi, batch);
  for (qint64 id : m_runs)
    if (ok && !m_loaded.contains(id)) {
      ok = loadRun(id, hi, batch);
      if (ok) m_loaded.insert(id);
    }
  if (ok) ok = loadRunInfo(batch);
  end();  // nothing was written; ends the read transaction
  if (!ok || !batch.error.isEmpty()) return batch;
  m_cursor = hi;
  m_dataVersion = version;
  return batch;
}

bool MetricsReader::loadRun(qint64 runId, qint64 hi, MetricBatch& batch) {
  QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
  q.setForwardOnly(true);
  q.prepare(
      QStringLiteral("SELECT name, step, value, wall_time FROM metrics "
                     "WHERE run_id = ? AND rowid <= ? ORDER BY name, step"));
  q.addBindValue(runId);
  q.addBindValue(hi);
  if (!q.exec()) {
    fail(batch, QStringLiteral("run %1").arg(runId), q.lastError().text());
    return false;
  }
  MetricChunk* chunk = nullptr;
  while (q.next()) {
    const QString name = q.value(0).toString();
    if (!chunk || chunk->name != name) {
      batch.chunks.push_back(MetricChunk{runId, name, true, {}, {}, {}});
      chunk = &batch.chunks.back();
    }
    chunk->step.push_back(q.value(1).toDouble());
    chunk->value.push_back(q.value(2).toDouble());
    chunk->wall.push_back(q.value(3).toDouble());
    ++batch.rowsRead;
  }
  return true;
}

bool MetricsReader::loadNew(qint64 hi, MetricBatch& batch) {
  QList<qint64> known;
  for (qint64 id : m_runs)
    if (m_loaded.contains(id)) known << id;
  QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
  q.setForwardOnly(true);
  q.prepare(QStringLiteral("SELECT run_id, name, step, value, wall_time FROM metrics "
                           "WHERE rowid > ? AND rowid <= ? AND run_id IN (%1) ORDER BY rowid")
                .arg(idList(known)));
  q.addBindValue(m_cursor);
  q.addBindValue(hi);
  if (!q.exec()) {
    fail(batch, QStringLiteral("new rows"), q.lastError().text());
    return false;
  }
  std::map<std::pair<qint64, QString>, int> index;
  while (q.next()) {
    const qint64 run = q.value(0).toLongLong();
    const QString name = q.value(1).toString();
    auto [it, added] = index.try_emplace({run, name}, batch.chunks.size());
    if (added) batch.chunks.push_back(MetricChunk{run, name, false, {}, {}, {}});
    MetricChunk& chunk = batch.chunks[it->second];
    chunk.step.push_back(q.value(2).toDouble());
    chunk.value.push_back(q.value(3).toDouble());
    chunk.wall.push_back(q.value(4).toDouble());
    ++batch.rowsRead;
  }
  return true;
}

bool MetricsReader::loadRunInfo(MetricBatch& batch) {
  QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
  if (!q.exec(QStringLiteral("SELECT id, name, kind, status, started_at FROM runs WHERE id IN (%1)")
                  .arg(idList(m_runs)))) {
    fail(batch, QStringLiteral("runs"), q.lastError().text());
    return false;
  }
  while (q.next()) {
    RunInfo info;
    info.id = q.value(0).toLongLong();
    info.name = q.value(1).toString();
    info.kind = q.value(2).toString();
    info.status = q.value(3).toString();
    info.startedAt = isoToEpoch(q.value(4).toString());
    batch.runs.insert(info.id, info);
  }
  return true;
}

// ---------------------------------------------------------------------------

MetricsWorker::MetricsWorker() : m_timer(new QTimer(this)) {
  connect(m_timer, &QTimer::timeout, this, &MetricsWorker::poll);
}

MetricsWorker::~MetricsWorker() { closeConnection(); }

void MetricsWorker::closeConnection() {
  m_reader.reset();
  m_connection.reset();
}

void MetricsWorker::open(const QString& rootPath, int generation) {
  closeConnection();
  m_generation = generation;
  m_openError.clear();
  if (!rootPath.isEmpty()) {
    QString error;
    m_connection = WorkspaceConnection::open(rootPath, &error);
    if (m_connection) {
      m_reader = std::make_unique<MetricsReader>(m_connection->connectionName(),
                                                 m_connection->databasePath());
      m_reader->setRuns(m_runs);
    } else {
      m_openError = error;
    }
  }
  poll();
}

void MetricsWorker::setRuns(const QList<qint64>& runIds) {
  m_runs = runIds;
  if (m_reader) m_reader->setRuns(runIds);
  poll();
}

void MetricsWorker::setIntervalMs(int ms) { m_timer->start(qMax(20, ms)); }

void MetricsWorker::poll() {
  MetricBatch batch;
  if (m_reader) {
    batch = m_reader->poll();
  } else {
    batch.error = m_openError;
  }
  batch.generation = m_generation;
  emit polled(batch);
}

void MetricsWorker::shutdown() {
  m_timer->stop();
  closeConnection();
}

// ---------------------------------------------------------------------------

MetricsFeed::MetricsFeed(QObject* parent) : QObject(parent), m_worker(new MetricsWorker) {
  qRegisterMetaType<understudy::ui::charts::MetricBatch>();
  qRegisterMetaType<QList<qint64>>();
  m_thread.setObjectName(QStringLiteral("understudy-metrics"));
  m_worker->moveToThread(&m_thread);
  connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
  connect(m_worker, &MetricsWorker::polled, this, &MetricsFeed::onBatch, Qt::QueuedConnection);
  m_thread.start();
  setIntervalMs(m_intervalMs);
}

MetricsFeed::~MetricsFeed() {
  QMetaObject::invokeMethod(m_worker, &MetricsWorker::shutdown, Qt::BlockingQueuedConnection);
  m_thread.quit();
  m_thread.wait();
}

void MetricsFeed::setWorkspace(const QString& rootPath) {
  m_workspace = rootPath;
  const int generation = ++m_generation;
  QMetaObject::invokeMethod(
      m_worker, [w = m_worker, rootPath, generation] { w->open(rootPath, generation); },
      Qt::QueuedConnection);
}

void MetricsFeed::setRuns(const QList<qint64>& runIds) {
  QMetaObject::invokeMethod(
      m_worker, [w = m_worker, runIds] { w->setRuns(runIds); }, Qt::QueuedConnection);
}

void MetricsFeed::setIntervalMs(int ms) {
  m_intervalMs = qMax(20, ms);
  QMetaObject::invokeMethod(
      m_worker, [w = m_worker, ms = m_intervalMs] { w->setIntervalMs(ms); }, Qt::QueuedConnection);
}

void MetricsFeed::pollNow() {
  QMetaObject::invokeMethod(m_worker, &MetricsWorker::poll, Qt::QueuedConnection);
}

void MetricsFeed::onBatch(const MetricBatch& batch) {
  if (batch.generation != m_generation) return;
  emit batchReady(batch);
}

}  // namespace understudy::ui::charts
