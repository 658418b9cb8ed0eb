#include "ui/jobs/jobs_table_model.h"

#include <QFileInfo>

#include "ui/jobs/job.h"
#include "ui/jobs/job_controller.h"

namespace understudy::ui {

namespace {

const JobsRunRow* findRun(const QVector<JobsRunRow>& runs, qint64 runId) {
  for (const JobsRunRow& r : runs)
    if (r.id == runId) return &r;
  return nullptr;
}

QString durationText(qint64 seconds) {
  if (seconds < 0) return {};
  if (seconds < 60) return JobsTableModel::tr("%1 s").arg(seconds);
  if (seconds < 3600) return JobsTableModel::tr("%1 min %2 s").arg(seconds / 60).arg(seconds % 60);
  return JobsTableModel::tr("%1 h %2 min").arg(seconds / 3600).arg((seconds % 3600) / 60);
}

// The job's process has ended but the database still says its recipe runs:
// the runner was killed before it could record the end (the next `run` reaps it).
bool jobOutlivedByRun(const Job* job, const JobsRunRow& run) {
  return !job->isActive() && run.id == job->recipeRunId() && run.status == QLatin1String("running");
}

}  // namespace

JobsTableModel::JobsTableModel(JobController* controller, QObject* parent)
    : QAbstractTableModel(parent), m_controller(controller) {}

int JobsTableModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(m_entries.size());
}

int JobsTableModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant JobsTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  switch (section) {
    case RunColumn: return tr("Run");
    case KindColumn: return tr("Kind");
    case NameColumn: return tr("Name");
    case StatusColumn: return tr("Status");
    case ProgressColumn: return tr("Progress");
    case StartedColumn: return tr("Started (UTC)");
    case DurationColumn: return tr("Duration");
    case OriginColumn: return tr("Started by");
    default: return {};
  }
}

const JobsRunRow* JobsTableModel::runAt(int row) const {
  if (row < 0 || row >= m_entries.size() || m_entries[row].runIndex < 0) return nullptr;
  return &m_runs[m_entries[row].runIndex];
}

Job* JobsTableModel::jobAt(int row) const {
  if (row < 0 || row >= m_entries.size()) return nullptr;
  return m_entries[row].job.data();
}

int JobsTableModel::rowOfRun(qint64 runId) const {
  for (int i = 0; i < m_entries.size(); ++i)
    if (const JobsRunRow* r = runAt(i); r != nullptr && r->id == runId) return i;
  return -1;
}

int JobsTableModel::rowOfJob(int jobId) const {
  // The job's own row, or the row of its recipe's run.
  for (int i = 0; i < m_entries.size(); ++i) {
    const Job* job = m_entries[i].job.data();
    if (job != nullptr && job->id() == jobId && (m_entries[i].runIndex < 0 || runAt(i)->id == job->recipeRunId()))
      return i;
  }
  return -1;
}

const JobsRunRow* JobsTableModel::runById(qint64 runId) const { return findRun(m_runs, runId); }

QString JobsTableModel::statusText(const Entry& e) const {
  const Job* job = e.job.data();
  // While this window's job runs, its own state is the newer news (stopping, starting);
  // so it is when the job was killed before its run could record how it ended.
  if (job != nullptr && (job->isActive() || e.runIndex < 0 || jobOutlivedByRun(job, m_runs[e.runIndex])))
    return Job::stateName(job->state());
  if (e.runIndex >= 0) {
    const QString& status = m_runs[e.runIndex].status;
    if (status == QLatin1String("running")) return tr("running");
    if (status == QLatin1String("finished")) return tr("finished");
    if (status == QLatin1String("failed")) return tr("failed");
    if (status == QLatin1String("cancelled")) return tr("cancelled");
    if (status == QLatin1String("queued")) return tr("queued");
    return status;
  }
  return {};
}

QVariant JobsTableModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= m_entries.size()) return {};
  const Entry& e = m_entries[index.row()];
  const JobsRunRow* run = e.runIndex >= 0 ? &m_runs[e.runIndex] : nullptr;
  const Job* job = e.job.data();
  // This window's job speaks for its recipe's row; a step's row keeps the database's view.
  const bool jobRow = job != nullptr && (run == nullptr || run->id == job->recipeRunId());
  const bool outlived = jobRow && run != nullptr && jobOutlivedByRun(job, *run);

  switch (role) {
    case RunIdRole: return run != nullptr ? run->id : qint64(0);
    case JobIdRole: return job != nullptr ? job->id() : 0;
    case StatusRole:
      if (jobRow && (job->isActive() || run == nullptr || jobOutlivedByRun(job, *run)))
        return Job::databaseStatus(job->state());
      return run != nullptr ? run->status : QString();
    case ProgressFractionRole:
      if (jobRow && job->isActive()) return job->progress();
      if (run != nullptr && run->status == QLatin1String("running") && !outlived) return run->progressFraction;
      return -1.0;
    case Qt::ToolTipRole:
      if (jobRow && !job->errorMessage().isEmpty() && !job->isActive()) return job->errorMessage();
      if (run != nullptr && !run->error.isEmpty()) return run->error;
      if (jobRow) return job->recipePath();
      return {};
    case Qt::TextAlignmentRole:
      if (index.column() == RunColumn || index.column() == DurationColumn)
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
      return {};
    case Qt::DisplayRole: break;
    default: return {};
  }

  switch (index.column()) {
    case RunColumn: return run != nullptr ? QString::number(run->id) : QStringLiteral("—");
    case KindColumn: return run != nullptr ? run->kind : QStringLiteral("recipe");
    case NameColumn: return run != nullptr ? run->name : QFileInfo(job->recipePath()).fileName();
    case StatusColumn: return statusText(e);
    case ProgressColumn:
      if (jobRow && job->isActive()) return job->progressText();
      if (outlived) return job->errorMessage();
      if (run != nullptr && run->status == QLatin1String("running")) return run->progressText;
      if (run != nullptr && !run->error.isEmpty()) return run->error;
      if (jobRow) return job->errorMessage();
      return {};
    case StartedColumn:
      return run != nullptr ? run->startedAt.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")) : QString();
    case DurationColumn: {
      if (run != nullptr && !outlived) {
        const QDateTime end = run->finishedAt.isValid() ? run->finishedAt
                              : run->status == QLatin1String("running") ? QDateTime::currentDateTimeUtc()
                                                                          : QDateTime();
        return end.isValid() ? durationText(run->startedAt.secsTo(end)) : QString();
      }
      return job != nullptr ? durationText(job->elapsedMs() / 1000) : QString();
    }
    case OriginColumn:
      return job != nullptr ? tr("this window (job %1)").arg(job->id()) : tr("elsewhere");
    default: return {};
  }
}

QVector<JobsTableModel::Entry> JobsTableModel::merge(const QVector<JobsRunRow>& runs) const {
  QVector<Entry> entries;
  // Jobs without a listed run first, newest first.
  if (m_controller != nullptr) {
    const auto& jobs = m_controller->jobs();
    for (auto it = jobs.crbegin(); it != jobs.crend(); ++it) {
      Job* job = *it;
      const bool listed = job->recipeRunId() != 0 && findRun(runs, job->recipeRunId()) != nullptr;
      if (!listed) entries.push_back({-1, job});
    }
  }
  for (int i = 0; i < runs.size(); ++i) {
    Entry e;
    e.runIndex = i;
    if (m_controller != nullptr) e.job = m_controller->jobForRun(runs[i].id);
    entries.push_back(e);
  }
  return entries;
}

bool JobsTableModel::sameKeys(const QVector<Entry>& entries, const QVector<JobsRunRow>& runs) const {
  if (entries.size() != m_entries.size()) return false;
  for (int i = 0; i < entries.size(); ++i) {
    if (entries[i].job != m_entries[i].job) return false;
    const qint64 a = entries[i].runIndex >= 0 ? runs[entries[i].runIndex].id : 0;
    const qint64 b = m_entries[i].runIndex >= 0 ? m_runs[m_entries[i].runIndex].id : 0;
    if (a != b) return false;
  }
  return true;
}

void JobsTableModel::setRuns(const QVector<JobsRunRow>& runs) { adopt(merge(runs), runs); }

void JobsTableModel::jobsChanged() { adopt(merge(m_runs), m_runs); }

void JobsTableModel::adopt(const QVector<Entry>& entries, const QVector<JobsRunRow>& runs) {
  if (sameKeys(entries, runs)) {  // the same rows in the same order: the views keep their selection
    m_runs = runs;
    m_entries = entries;
    if (!m_entries.isEmpty()) emit dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
    return;
  }
  // Views read the old rows while modelAboutToBeReset is delivered (the jobs
  // panel remembers the selected run then), and the old entries index the
  // old runs: both change only once the reset is announced.
  beginResetModel();
  m_runs = runs;
  m_entries = entries;
  endResetModel();
}

void JobsTableModel::tick() {
  for (int i = 0; i < m_entries.size(); ++i) {
    const JobsRunRow* run = runAt(i);
    const Job* job = jobAt(i);
    if ((run != nullptr && run->status == QLatin1String("running")) || (job != nullptr && job->isActive()))
      emit dataChanged(index(i, DurationColumn), index(i, DurationColumn));
  }
}

}  // namespace understudy::ui
