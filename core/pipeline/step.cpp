#include "core/pipeline/step.h"

#include "core/store/workspace.h"
#include "core/util/config_hash.h"
#include "core/util/error.h"

namespace understudy::pipeline {

std::string StepPlan::key() const {
  std::vector<std::string> parts{configHash(std::string_view(config))};
  parts.insert(parts.end(), inputs.begin(), inputs.end());
  return configHash(kind, parts);
}

StepRun::StepRun(Workspace& ws, RunSpec spec, const StepContext& context)
    : m_runs(ws.db()), m_spec(std::move(spec)) {
  m_spec.configHash = context.stepKey.empty() ? configHash(std::string_view(m_spec.config)) : context.stepKey;
  if (context.parentRunId) m_spec.parentRunId = context.parentRunId;
  m_runs.reapOrphanedRuns();
  m_id = m_runs.startRun(m_spec);
}

StepRun::~StepRun() {
  if (!m_done) fail("stopped without finishing (an internal error ended the command)");
}

void StepRun::setEvents(EventWriter* events) {
  m_events = events;
  if (m_events) m_events->status("started", {{"kind", m_spec.kind}, {"name", m_spec.name}});
}

void StepRun::finish(const std::vector<MetricPoint>& metrics, nlohmann::json extra) {
  if (!metrics.empty()) m_runs.addMetrics(m_id, metrics);
  m_runs.finishRun(m_id, RunStatus::Finished);
  m_done = true;
  if (m_events) m_events->status("finished", std::move(extra));
}

void StepRun::fail(const std::string& message) {
  if (m_done) return;
  m_done = true;
  const bool cancelled = message.find("cancelled") != std::string::npos;
  try {
    m_runs.finishRun(m_id, cancelled ? RunStatus::Cancelled : RunStatus::Failed, message);
  } catch (const std::exception&) {
    // The database itself failed (e.g. a full disk): the original error is what the user needs.
  }
  if (m_events) m_events->status(cancelled ? "cancelled" : "failed", {{"error", message}});
}

void StepRun::fail(const std::exception& error) { fail(errorMessage(error)); }

void StepRun::cancel(const std::string& message, nlohmann::json extra) {
  if (m_done) return;
  m_done = true;
  try {
    m_runs.finishRun(m_id, RunStatus::Cancelled, message);
  } catch (const std::exception&) {
  }
  if (m_events) m_events->status("cancelled", std::move(extra));
}

std::string errorMessage(const std::exception& error) {
  if (const auto* e = dynamic_cast<const Error*>(&error)) return e->message();
  return databaseErrorMessage(error);  // an SQLite error names workspace.db; others: what()
}

}  // namespace understudy::pipeline
