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

pipeline::StepContext stepContext(const GlobalOptions& global) {
  return {global.parentRunId, global.stepKey};
}

}  // namespace understudy::cli
