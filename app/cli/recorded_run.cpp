#include "app/cli/recorded_run.h"

namespace understudy::cli {

void CommandProgress::onProgress(const ProgressState& s) {
  m_console.onProgress(s);
  emit(s);
}

void CommandProgress::onFinish(const ProgressState& s) {
  m_console.onFinish(s);
  emit(s);
}

void CommandProgress::emit(const ProgressState& s) {
  if (!m_events) return;
  m_events->writer().progress(s.task, s.done, s.total,
                              {{"unit", s.unit}, {"rate", s.rate}, {"detail", s.detail}});
}

void recordFailure(RunStore& runs, std::int64_t runId, EventStream* events,
                   const std::string& message) {
  const bool cancelled = message.find("cancelled") != std::string::npos;
  try {
    runs.finishRun(runId, cancelled ? RunStatus::Cancelled : RunStatus::Failed, message);
  } catch (const std::exception&) {
    // The database itself failed (e.g. a full disk): the original error is what the user needs.
  }
  if (events) events->writer().status(cancelled ? "cancelled" : "failed", {{"error", message}});
}

}  // namespace understudy::cli
