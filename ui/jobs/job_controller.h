// The jobs this window started in one workspace: launches a recipe as a
// detached `understudy-cli --events FILE run RECIPE -w WS` (a Job, with its
// events and log in WS/runs/gui-jobs), stops it (SIGTERM, then SIGKILL after
// the grace period) and resumes it (the same recipe run again: the runner
// reuses finished steps and resumes the interrupted one). Deleting the
// controller (closing the window) leaves the jobs running.
// No widgets: the jobs panel shows it, the run wizard calls launchRecipe().
//
//   JobController jobs;
//   jobs.setWorkspacePath(ws);
//   connect(&jobs, &JobController::errorOccurred, reportError);
//   if (Job* job = jobs.launchRecipe("/path/recipe.yaml")) ...
#pragma once

#include <QList>
#include <QObject>
#include <QString>

#include "ui/jobs/job.h"

namespace understudy::ui {

class JobController : public QObject {
  Q_OBJECT

 public:
  static constexpr int kDefaultStopGraceMs = 10000;

  explicit JobController(QObject* parent = nullptr);
  // Stops nothing: each active job's log says the window closed, and the job goes on.
  ~JobController() override;

  // Where launched recipes run (`-w`). Jobs already started keep theirs.
  void setWorkspacePath(const QString& path) { m_workspacePath = path; }
  const QString& workspacePath() const { return m_workspacePath; }

  // How long a stopped job may take to checkpoint and exit before SIGKILL.
  int stopGraceMs() const { return m_stopGraceMs; }
  void setStopGraceMs(int ms) { m_stopGraceMs = ms; }

  // The program to run; empty (the default) means cliProgram() at each launch.
  void setProgram(const QString& program) { m_program = program; }

  // Starts the recipe in the workspace. Returns the job, or nullptr when it
  // cannot start (no workspace, recipe file missing, understudy-cli not found):
  // then errorOccurred() is emitted and *error (when given) holds the message.
  Job* launchRecipe(const QString& recipePath, QString* error = nullptr);
  // Runs the job's recipe again in its workspace (a new Job); the job must have ended.
  Job* resume(Job* job, QString* error = nullptr);
  void stop(Job* job);
  void stopAll();

  const QList<Job*>& jobs() const { return m_jobs; }
  Job* jobById(int id) const;
  // The job whose event stream carried this run id (the recipe's or a step's), or nullptr.
  Job* jobForRun(qint64 runId) const;
  int activeJobCount() const;

 signals:
  void jobAdded(understudy::ui::Job* job);
  void jobChanged(understudy::ui::Job* job);  // state or progress
  void jobFinished(understudy::ui::Job* job);
  void jobLog(understudy::ui::Job* job, const QString& text);
  void errorOccurred(const QString& title, const QString& message);

 private:
  Job* fail(const QString& message, QString* error);

  QString m_workspacePath;
  QString m_program;
  int m_stopGraceMs = kDefaultStopGraceMs;
  int m_nextId = 1;
  QList<Job*> m_jobs;
};

}  // namespace understudy::ui
