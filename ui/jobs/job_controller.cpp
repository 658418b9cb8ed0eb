#include "ui/jobs/job_controller.h"

#include <QDir>
#include <QFileInfo>

#include "ui/jobs/cli_program.h"

namespace understudy::ui {

JobController::JobController(QObject* parent) : QObject(parent) {}

JobController::~JobController() {
  // Closing the window stops nothing: the jobs run in sessions of their own and write to files.
  for (Job* job : m_jobs) {
    job->disconnect(this);
    if (job->isActive())
      job->note(tr("the workbench window closed; the job goes on (process %1). Stop it with: kill -TERM %1")
                    .arg(job->pid()));
  }
}

Job* JobController::fail(const QString& message, QString* error) {
  if (error != nullptr) *error = message;
  emit errorOccurred(tr("Cannot launch the recipe"), message);
  return nullptr;
}

Job* JobController::launchRecipe(const QString& recipePath, QString* error) {
  if (m_workspacePath.isEmpty())
    return fail(tr("%1: no workspace is open. Open or create a workspace first (File → Open Workspace…).")
                    .arg(recipePath),
                error);
  const QFileInfo recipe(recipePath);
  if (!recipe.isFile() || !recipe.isReadable())
    return fail(tr("%1: the recipe file does not exist or cannot be read. Choose a recipe YAML file "
                   "(recipes/tiny.yaml is a small example).")
                    .arg(recipePath),
                error);
  QString program = m_program;
  if (program.isEmpty()) {
    QString lookupError;
    program = cliProgram(&lookupError);
    if (program.isEmpty()) return fail(lookupError, error);
  }
  auto* job = new Job(m_nextId++, program, recipe.absoluteFilePath(), QDir(m_workspacePath).absolutePath(), this);
  connect(job, &Job::stateChanged, this, &JobController::jobChanged);
  connect(job, &Job::progressChanged, this, &JobController::jobChanged);
  connect(job, &Job::logAppended, this, &JobController::jobLog);
  connect(job, &Job::finished, this, &JobController::jobFinished);
  m_jobs.push_back(job);
  emit jobAdded(job);
  job->start();
  return job;
}

Job* JobController::resume(Job* job, QString* error) {
  if (job == nullptr) return fail(tr("no job selected. Select a stopped or failed run to resume it."), error);
  if (job->isActive())
    return fail(tr("%1: the job is still running. Stop it first, or wait until it ends.").arg(job->recipePath()), error);
  const QString saved = m_workspacePath;
  m_workspacePath = job->workspacePath();
  Job* again = launchRecipe(job->recipePath(), error);
  m_workspacePath = saved;
  return again;
}

void JobController::stop(Job* job) {
  if (job != nullptr) job->stop(m_stopGraceMs);
}

void JobController::stopAll() {
  for (Job* job : m_jobs) stop(job);
}

Job* JobController::jobById(int id) const {
  for (Job* job : m_jobs)
    if (job->id() == id) return job;
  return nullptr;
}

Job* JobController::jobForRun(qint64 runId) const {
  if (runId <= 0) return nullptr;
  for (auto it = m_jobs.crbegin(); it != m_jobs.crend(); ++it)
    if ((*it)->ownsRun(runId)) return *it;
  return nullptr;
}

int JobController::activeJobCount() const {
  int n = 0;
  for (const Job* job : m_jobs) n += job->isActive() ? 1 : 0;
  return n;
}

}  // namespace understudy::ui
