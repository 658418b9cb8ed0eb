// The jobs panel's table: the workspace's runs (newest first, read from
// workspace.db by the panel) merged with the jobs this window launched.
// A job shows under its recipe's run once the database has that run; before
// that (starting, or a recipe that failed before recording anything) it has
// a row of its own without a run id. Status and progress of this window's
// jobs come from their event streams, those of other runs from the database.
#pragma once

#include <QAbstractTableModel>
#include <QDateTime>
#include <QPointer>
#include <QVector>

namespace understudy::ui {

class Job;
class JobController;

// One row of `runs` as the panel reads it, plus what it derived for running rows.
struct JobsRunRow {
  qint64 id = 0;
  QString kind;
  QString name;
  QString status;
  QDateTime startedAt;   // UTC
  QDateTime finishedAt;  // UTC; invalid while running
  qint64 parentRunId = 0;
  QString error;
  QString progressText;      // from the database, for running runs ("train tiny-teacher · step 7 of 200")
  double progressFraction = -1.0;
};

class JobsTableModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  enum Column { RunColumn, KindColumn, NameColumn, StatusColumn, ProgressColumn, StartedColumn, DurationColumn,
                OriginColumn, ColumnCount };
  enum Role {
    ProgressFractionRole = Qt::UserRole + 1,  // double in [0, 1], or -1: no bar
    RunIdRole,                                 // qint64, 0 for a job that has no run yet
    JobIdRole,                                 // int, 0 for a run this window did not start
    StatusRole                                 // the database's status word (running, finished, ...)
  };

  explicit JobsTableModel(JobController* controller, QObject* parent = nullptr);

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

  // New database rows. Updates cells in place when the same runs are listed
  // (so a selection survives); resets the model when runs came or went.
  void setRuns(const QVector<JobsRunRow>& runs);
  // A job started, changed state or progress: re-merge.
  void jobsChanged();
  // Re-paints the durations of what is still running (once a second).
  void tick();

  const QVector<JobsRunRow>& runs() const { return m_runs; }
  // The run at `row` (nullptr for a job-only row) and the job behind a row (nullptr if none).
  const JobsRunRow* runAt(int row) const;
  Job* jobAt(int row) const;
  int rowOfRun(qint64 runId) const;
  int rowOfJob(int jobId) const;
  const JobsRunRow* runById(qint64 runId) const;

 private:
  struct Entry {
    int runIndex = -1;  // into m_runs, or -1
    QPointer<Job> job;
  };
  // This window's jobs merged with `runs`; the entries index `runs`.
  QVector<Entry> merge(const QVector<JobsRunRow>& runs) const;
  // Whether `entries` (indexing `runs`) name the rows shown now, in order.
  bool sameKeys(const QVector<Entry>& entries, const QVector<JobsRunRow>& runs) const;
  // Swaps `runs` and `entries` in: dataChanged when the rows are the same, else a model reset.
  void adopt(const QVector<Entry>& entries, const QVector<JobsRunRow>& runs);
  QString statusText(const Entry& e) const;

  JobController* m_controller;
  QVector<JobsRunRow> m_runs;
  QVector<Entry> m_entries;
};

}  // namespace understudy::ui
