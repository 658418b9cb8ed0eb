// The utterance browser's table (docs/gui.md "Utterances"): a virtual model
// over one dataset's utterances that pages from workspace.db, so a dataset of
// a million utterances opens at once and scrolling reads only what is shown.
//
// Every query change (dataset, soft-label set, evaluation, filter, sort) goes
// to a worker thread with its own read-only connection, which runs one
// statement for the ordered list of matching utterance ids
// (UtteranceReader::orderedIds, 8 bytes a row: 8 MB for a million). rowCount()
// is that list's size. data() of a row whose page (kPageSize rows) is not held
// asks the worker for the page (one `WHERE id IN (...)` statement of primary-
// key lookups) and shows nothing until it arrives; the model keeps the
// kMaxPages most recently used pages. The GUI thread never runs a statement.
//
// Requests carry a generation: a newer request makes the worker abandon a
// statement still running for an older one (SQLite's progress handler), and
// the GUI drops any answer to an older one. reload() asks the same query again
// (the workspace changed): the rows shown stay until their new values arrive.
//
//   auto* model = new UtteranceTableModel(this);
//   model->setWorkspace(root);
//   UtteranceQuery q;  q.datasetId = 3;  model->setQuery(q);
//   connect(model, &UtteranceTableModel::listLoaded, ...);   // rowCount() is right now
#pragma once

#include <QAbstractTableModel>
#include <QHash>
#include <QSet>
#include <QThread>
#include <QVector>
#include <atomic>
#include <memory>

#include "ui/browser/utterance_query.h"

namespace understudy::ui {

class UtteranceWorker;
class WorkspaceConnection;

// The answer to one request for the ordered id list.
struct UtteranceIdList {
  int generation = 0;
  QVector<qint64> ids;
  qint64 total = 0;  // the dataset's usable utterances (unfiltered)
  QString error;
  double ms = 0.0;  // the worker's time for it
};

// The answer to one request for a page.
struct UtterancePage {
  int generation = 0;
  int epoch = 0;  // the model's list the page's ids were taken from
  int page = 0;
  QVector<UtteranceRecord> rows;  // in row order; empty with an error
  QString error;
};

class UtteranceTableModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  static constexpr int kPageSize = 200;
  static constexpr int kMaxPages = 64;
  // The raw value of a cell (UtteranceRecord::value), for sorting-free reads.
  static constexpr int RawValueRole = Qt::UserRole + 1;
  // The row's utterances.id.
  static constexpr int UtteranceIdRole = Qt::UserRole + 2;

  explicit UtteranceTableModel(QObject* parent = nullptr);
  ~UtteranceTableModel() override;

  // The workspace the worker reads (its own read-only connection); empty
  // closes it and empties the table.
  void setWorkspace(const QString& rootPath);
  QString workspace() const { return m_workspace; }

  // A new query: the list is asked for at once; until it arrives the old rows
  // stay (isLoading()). The same query again does nothing (see reload()).
  void setQuery(const UtteranceQuery& query);
  const UtteranceQuery& query() const { return m_query; }
  // Asks the current query again, for a workspace that changed.
  void reload();
  // Asks the worker for the distinct conditions of a dataset;
  // conditionsLoaded() follows.
  void requestConditions(qint64 datasetId);

  bool isLoading() const { return m_loading; }
  // The dataset's usable utterances, from the last list.
  qint64 totalUtterances() const { return m_total; }
  // The worker's time for the last list, ms.
  double lastListMs() const { return m_lastListMs; }
  // utterances.id of a row (0 outside the list) and the row of an id (-1).
  qint64 utteranceId(int row) const;
  int rowOfId(qint64 id) const;
  // A row's values when its page is held, else nullptr (and the page is asked for).
  const UtteranceRecord* record(int row) const;

  // Pages the worker delivered (current or not) since the model was made,
  // and the rows in them: what scrolling cost.
  int pagesRead() const { return m_pagesRead; }
  qint64 rowsRead() const { return m_rowsRead; }
  int cachedPages() const { return static_cast<int>(m_pages.size()); }

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation,
                      int role = Qt::DisplayRole) const override;
  // Sorting is a new query (the worker sorts in SQLite).
  void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;

 signals:
  // A new list is in place: rowCount() and totalUtterances() are its.
  void listLoaded();
  // A page arrived and its rows are shown.
  void pageLoaded(int firstRow, int lastRow);
  void loadingChanged(bool loading);
  // A list or page could not be read (the message names the database).
  void loadFailed(const QString& message);
  void conditionsLoaded(qint64 datasetId, const QStringList& conditions);

 private:
  struct Page {
    QVector<UtteranceRecord> rows;
    quint64 lastUsed = 0;
    bool stale = false;  // from before reload(): shown, and asked for again
  };

  void request();
  void requestPage(int page) const;
  void onIdList(const understudy::ui::UtteranceIdList& list);
  void onPage(const understudy::ui::UtterancePage& page);
  void setLoading(bool loading);
  void evictPages();
  QString display(const UtteranceRecord& r, UtteranceColumn column) const;

  std::shared_ptr<std::atomic<int>> m_latest;  // the newest generation asked for
  // The list and pages on one thread; the conditions (a pass over the
  // dataset that takes as long as a sort) on another, so that they never
  // hold up the first rows.
  QThread m_thread;
  UtteranceWorker* m_worker;
  QThread m_conditionsThread;
  UtteranceWorker* m_conditionsWorker;
  QString m_workspace;
  UtteranceQuery m_query;
  int m_generation = 0;  // of the newest request
  int m_epoch = 0;       // of the id list in place: a page of another list is dropped
  bool m_loading = false;
  QVector<qint64> m_ids;
  qint64 m_total = 0;
  double m_lastListMs = 0.0;
  mutable QHash<int, Page> m_pages;
  mutable QSet<int> m_pending;
  mutable quint64 m_tick = 0;
  int m_pagesRead = 0;
  qint64 m_rowsRead = 0;
};

// Internal: lives on UtteranceTableModel's thread.
class UtteranceWorker : public QObject {
  Q_OBJECT

 public:
  explicit UtteranceWorker(std::shared_ptr<std::atomic<int>> latest);
  ~UtteranceWorker() override;

 public slots:
  void open(const QString& rootPath);
  void loadIds(const understudy::ui::UtteranceQuery& query, int generation);
  void loadPage(const understudy::ui::UtteranceQuery& query, int generation, int epoch, int page,
                const QVector<qint64>& ids);
  void loadConditions(qint64 datasetId);
  void shutdown();

 signals:
  void idsLoaded(const understudy::ui::UtteranceIdList& list);
  void pageLoaded(const understudy::ui::UtterancePage& page);
  void conditionsLoaded(qint64 datasetId, const QStringList& conditions);

 private:
  bool stale(int generation) const { return generation < m_latest->load(); }

  std::shared_ptr<std::atomic<int>> m_latest;
  std::unique_ptr<WorkspaceConnection> m_connection;
  std::unique_ptr<UtteranceReader> m_reader;
  QString m_openError;
  int m_running = 0;  // the generation of the statement running now
};

}  // namespace understudy::ui

Q_DECLARE_METATYPE(understudy::ui::UtteranceIdList)
Q_DECLARE_METATYPE(understudy::ui::UtterancePage)
Q_DECLARE_METATYPE(understudy::ui::UtteranceQuery)
