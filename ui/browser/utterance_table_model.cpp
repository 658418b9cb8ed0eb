#include "ui/browser/utterance_table_model.h"

#include <QElapsedTimer>
#include <QLocale>
#include <algorithm>
#include <climits>

#include "ui/workspace/workspace_connection.h"
#include "ui/widgets/same_items.h"

namespace understudy::ui {

namespace {

bool isNumeric(UtteranceColumn c) {
  switch (c) {
    case UtteranceColumn::Key:
    case UtteranceColumn::Text:
    case UtteranceColumn::Speaker:
    case UtteranceColumn::Condition:
    case UtteranceColumn::Hypothesis: return false;
    default: return true;
  }
}

void startWorker(QThread& thread, UtteranceWorker* worker, const char* name) {
  thread.setObjectName(QString::fromLatin1(name));
  worker->moveToThread(&thread);
  QObject::connect(&thread, &QThread::finished, worker, &QObject::deleteLater);
  thread.start();
}

void stopWorker(QThread& thread, UtteranceWorker* worker) {
  QMetaObject::invokeMethod(worker, &UtteranceWorker::shutdown, Qt::BlockingQueuedConnection);
  thread.quit();
  thread.wait();
}

}  // namespace

// ---------------------------------------------------------------------------

UtteranceWorker::UtteranceWorker(std::shared_ptr<std::atomic<int>> latest)
    : m_latest(std::move(latest)) {}

UtteranceWorker::~UtteranceWorker() { shutdown(); }

void UtteranceWorker::shutdown() {
  m_reader.reset();
  m_connection.reset();
}

void UtteranceWorker::open(const QString& rootPath) {
  shutdown();
  m_openError.clear();
  if (rootPath.isEmpty()) return;
  QString error;
  m_connection = WorkspaceConnection::open(rootPath, &error);
  if (!m_connection) {
    m_openError = error;
    return;
  }
  m_reader = std::make_unique<UtteranceReader>(m_connection->database(),
                                               m_connection->databasePath());
  // A list statement still running when a newer request arrives stops.
  m_reader->setCancelCheck([this] { return stale(m_running); });
}

void UtteranceWorker::loadIds(const UtteranceQuery& query, int generation) {
  UtteranceIdList list;
  list.generation = generation;
  if (stale(generation)) return;  // a newer request is queued behind this one
  if (!m_reader) {
    list.error = m_openError;
    emit idsLoaded(list);
    return;
  }
  QElapsedTimer clock;
  clock.start();
  m_running = generation;
  if (m_reader->datasetSize(query.datasetId, &list.total, &list.error) &&
      !m_reader->orderedIds(query, &list.ids, &list.error) && m_reader->wasCancelled())
    return;  // superseded: the newer request answers
  list.ms = static_cast<double>(clock.nsecsElapsed()) / 1e6;
  emit idsLoaded(list);
}

void UtteranceWorker::loadPage(const UtteranceQuery& query, int generation, int epoch, int page,
                               const QVector<qint64>& ids) {
  if (stale(generation)) return;
  UtterancePage result;
  result.generation = generation;
  result.epoch = epoch;
  result.page = page;
  if (!m_reader)
    result.error = m_openError;
  else
    m_reader->rows(query, ids, &result.rows, &result.error);
  emit pageLoaded(result);
}

void UtteranceWorker::loadConditions(qint64 datasetId) {
  QStringList conditions;
  QString error;
  m_running = INT_MAX;  // never cancelled: a list request does not make it stale
  if (m_reader && m_reader->conditions(datasetId, &conditions, &error))
    emit conditionsLoaded(datasetId, conditions);
}

// ---------------------------------------------------------------------------

UtteranceTableModel::UtteranceTableModel(QObject* parent)
    : QAbstractTableModel(parent),
      m_latest(std::make_shared<std::atomic<int>>(0)),
      m_worker(new UtteranceWorker(m_latest)),
      m_conditionsWorker(new UtteranceWorker(std::make_shared<std::atomic<int>>(0))) {
  qRegisterMetaType<understudy::ui::UtteranceIdList>();
  qRegisterMetaType<understudy::ui::UtterancePage>();
  qRegisterMetaType<understudy::ui::UtteranceQuery>();
  qRegisterMetaType<QVector<qint64>>();
  connect(m_worker, &UtteranceWorker::idsLoaded, this, &UtteranceTableModel::onIdList,
          Qt::QueuedConnection);
  connect(m_worker, &UtteranceWorker::pageLoaded, this, &UtteranceTableModel::onPage,
          Qt::QueuedConnection);
  connect(m_conditionsWorker, &UtteranceWorker::conditionsLoaded, this,
          &UtteranceTableModel::conditionsLoaded, Qt::QueuedConnection);
  startWorker(m_thread, m_worker, "understudy-utterances");
  startWorker(m_conditionsThread, m_conditionsWorker, "understudy-conditions");
}

UtteranceTableModel::~UtteranceTableModel() {
  m_latest->store(INT_MAX);  // whatever runs now is stale: stop it
  stopWorker(m_thread, m_worker);
  stopWorker(m_conditionsThread, m_conditionsWorker);
}

void UtteranceTableModel::setWorkspace(const QString& rootPath) {
  m_workspace = rootPath;
  for (UtteranceWorker* w : {m_worker, m_conditionsWorker})
    QMetaObject::invokeMethod(
        w, [w, rootPath] { w->open(rootPath); }, Qt::QueuedConnection);
  beginResetModel();
  m_ids.clear();
  m_pages.clear();
  m_pending.clear();
  ++m_epoch;
  m_total = 0;
  endResetModel();
  ++m_generation;
  m_latest->store(m_generation);
  setLoading(false);
  emit listLoaded();
}

void UtteranceTableModel::setQuery(const UtteranceQuery& query) {
  if (query == m_query && (m_loading || !m_ids.isEmpty() || m_total > 0)) return;
  m_query = query;
  request();
}

void UtteranceTableModel::reload() {
  for (Page& p : m_pages) p.stale = true;
  request();
}

void UtteranceTableModel::request() {
  const int generation = ++m_generation;
  m_latest->store(generation);
  m_pending.clear();
  if (m_workspace.isEmpty() || m_query.datasetId <= 0) {
    onIdList(UtteranceIdList{generation, {}, 0, {}, 0.0});
    return;
  }
  setLoading(true);
  QMetaObject::invokeMethod(
      m_worker, [w = m_worker, q = m_query, generation] { w->loadIds(q, generation); },
      Qt::QueuedConnection);
}

void UtteranceTableModel::requestConditions(qint64 datasetId) {
  QMetaObject::invokeMethod(
      m_conditionsWorker, [w = m_conditionsWorker, datasetId] { w->loadConditions(datasetId); },
      Qt::QueuedConnection);
}

void UtteranceTableModel::setLoading(bool loading) {
  if (loading == m_loading) return;
  m_loading = loading;
  emit loadingChanged(loading);
}

void UtteranceTableModel::onIdList(const UtteranceIdList& list) {
  if (list.generation != m_generation) return;  // an older request's answer
  setLoading(false);
  if (!list.error.isEmpty()) {
    emit loadFailed(list.error);
    return;
  }
  m_lastListMs = list.ms;
  m_total = list.total;
  if (sameItems(list.ids, m_ids)) {
    // The same rows (reload, or a filter that selects the same): keep the
    // pages shown, marked stale, and read them again as they are shown.
    for (Page& p : m_pages) p.stale = true;
    if (!m_ids.isEmpty())
      emit dataChanged(index(0, 0), index(rowCount() - 1, kUtteranceColumnCount - 1));
  } else {
    beginResetModel();
    m_ids = list.ids;
    m_pages.clear();
    m_pending.clear();
    ++m_epoch;  // pages asked for from the old list are not this list's
    endResetModel();
  }
  emit listLoaded();
}

void UtteranceTableModel::onPage(const UtterancePage& page) {
  ++m_pagesRead;
  m_rowsRead += page.rows.size();
  if (page.generation != m_generation || page.epoch != m_epoch) return;
  m_pending.remove(page.page);
  if (!page.error.isEmpty()) {
    emit loadFailed(page.error);
    return;
  }
  Page& p = m_pages[page.page];
  p.rows = page.rows;
  p.stale = false;
  p.lastUsed = ++m_tick;
  evictPages();
  const int first = page.page * kPageSize;
  const int last = std::min(rowCount(), first + kPageSize) - 1;
  if (last >= first) {
    emit dataChanged(index(first, 0), index(last, kUtteranceColumnCount - 1));
    emit pageLoaded(first, last);
  }
}

void UtteranceTableModel::evictPages() {
  while (m_pages.size() > kMaxPages) {
    auto oldest = m_pages.begin();
    for (auto it = m_pages.begin(); it != m_pages.end(); ++it)
      if (it->lastUsed < oldest->lastUsed) oldest = it;
    m_pages.erase(oldest);
  }
}

void UtteranceTableModel::requestPage(int page) const {
  if (m_pending.contains(page)) return;
  const int first = page * kPageSize;
  const int count = std::min(kPageSize, static_cast<int>(m_ids.size()) - first);
  if (count <= 0) return;
  m_pending.insert(page);
  QMetaObject::invokeMethod(
      m_worker,
      [w = m_worker, q = m_query, g = m_generation, e = m_epoch, page,
       ids = m_ids.mid(first, count)] { w->loadPage(q, g, e, page, ids); },
      Qt::QueuedConnection);
}

qint64 UtteranceTableModel::utteranceId(int row) const {
  return row >= 0 && row < m_ids.size() ? m_ids[row] : 0;
}

int UtteranceTableModel::rowOfId(qint64 id) const {
  const auto it = std::find(m_ids.cbegin(), m_ids.cend(), id);
  return it == m_ids.cend() ? -1 : static_cast<int>(it - m_ids.cbegin());
}

const UtteranceRecord* UtteranceTableModel::record(int row) const {
  if (row < 0 || row >= m_ids.size()) return nullptr;
  const int page = row / kPageSize;
  auto it = m_pages.find(page);
  if (it == m_pages.end() || it->stale) requestPage(page);
  if (it == m_pages.end()) return nullptr;
  it->lastUsed = ++m_tick;
  const int offset = row - page * kPageSize;
  // A page lacks rows whose utterance went away since the list was read.
  if (offset >= it->rows.size() || it->rows[offset].id != m_ids[row]) return nullptr;
  return &it->rows[offset];
}

int UtteranceTableModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(m_ids.size());
}

int UtteranceTableModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : kUtteranceColumnCount;
}

QString UtteranceTableModel::display(const UtteranceRecord& r, UtteranceColumn column) const {
  const QVariant v = r.value(column);
  if (v.isNull()) return {};
  const QLocale locale;
  switch (column) {
    case UtteranceColumn::Duration: return locale.toString(v.toDouble(), 'f', 2);
    case UtteranceColumn::Snr: return locale.toString(v.toDouble(), 'f', 1);
    case UtteranceColumn::Confidence:
    case UtteranceColumn::Entropy: return locale.toString(v.toDouble(), 'f', 3);
    case UtteranceColumn::Wer: return locale.toString(v.toDouble(), 'f', 1);
    case UtteranceColumn::Sub:
    case UtteranceColumn::Del:
    case UtteranceColumn::Ins: return locale.toString(v.toLongLong());
    default: return v.toString();
  }
}

QVariant UtteranceTableModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= m_ids.size() || index.column() < 0 ||
      index.column() >= kUtteranceColumnCount)
    return {};
  const auto column = static_cast<UtteranceColumn>(index.column());
  if (role == UtteranceIdRole) return m_ids[index.row()];
  if (role == Qt::TextAlignmentRole)
    return static_cast<int>(isNumeric(column) ? Qt::AlignRight | Qt::AlignVCenter
                                              : Qt::AlignLeft | Qt::AlignVCenter);
  if (role != Qt::DisplayRole && role != Qt::ToolTipRole && role != RawValueRole) return {};
  const UtteranceRecord* r = record(index.row());
  if (!r) return role == Qt::DisplayRole && column == UtteranceColumn::Key ? tr("…") : QVariant();
  if (role == RawValueRole) return r->value(column);
  if (role == Qt::ToolTipRole) {
    if (column == UtteranceColumn::Text)
      return r->text.isNull() ? tr("No transcript") : r->text.toString();
    if (column == UtteranceColumn::Hypothesis && r->hasResult) return r->hypothesis;
    return {};
  }
  return display(*r, column);
}

QVariant UtteranceTableModel::headerData(int section, Qt::Orientation orientation,
                                         int role) const {
  if (orientation != Qt::Horizontal || section < 0 || section >= kUtteranceColumnCount)
    return QAbstractTableModel::headerData(section, orientation, role);
  const auto column = static_cast<UtteranceColumn>(section);
  if (role == Qt::DisplayRole) return utteranceColumnTitle(column);
  if (role == Qt::ToolTipRole) {
    switch (column) {
      case UtteranceColumn::Confidence:
        return tr("The teacher's mean top-1 probability over the utterance's frames "
                  "(the chosen soft-label set)");
      case UtteranceColumn::Entropy:
        return tr("The mean entropy of the teacher's top-k distribution per frame, in nats");
      case UtteranceColumn::Wer:
        return tr("Word error rate of the chosen evaluation: 100 × (Sub + Del + Ins) / "
                  "reference words");
      case UtteranceColumn::Condition:
        return tr("The noise of a synthetic utterance (clean, babble, hum, pink, white), "
                  "else the dataset's condition");
      default: return {};
    }
  }
  return {};
}

void UtteranceTableModel::sort(int column, Qt::SortOrder order) {
  if (column < 0 || column >= kUtteranceColumnCount) return;
  UtteranceQuery q = m_query;
  q.sortColumn = static_cast<UtteranceColumn>(column);
  q.sortOrder = order;
  setQuery(q);
}

}  // namespace understudy::ui
