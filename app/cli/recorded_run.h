// What every recorded CLI command shares: the console progress line plus
// `progress` events (CommandProgress), and the run's life in workspace.db and
// the event stream (recordedRun, over core/pipeline's StepRun).
#pragma once

#include <exception>
#include <string>
#include <type_traits>
#include <vector>

#include "app/cli/commands.h"
#include "app/cli/console_progress.h"
#include "app/cli/event_stream.h"
#include "core/pipeline/step.h"
#include "core/store/run_store.h"
#include "core/store/workspace.h"

namespace understudy::cli {

// The console line, plus `progress` events when --events is given.
class CommandProgress : public ProgressSink {
 public:
  CommandProgress(bool quiet, EventStream* events) : m_console(quiet), m_events(events) {}
  void onProgress(const ProgressState& s) override;
  void onFinish(const ProgressState& s) override;
  bool cancelled() const override { return m_console.cancelled(); }

 private:
  void emit(const ProgressState& s);
  ConsoleProgress m_console;
  EventStream* m_events;
};

// The recipe step this command is, from --parent-run and --step-key.
pipeline::StepContext stepContext(const GlobalOptions& global);

// A command's run and its event stream, opened together.
struct CommandRun {
  CommandRun(Workspace& ws, const GlobalOptions& global, const RunSpec& spec)
      : step(ws, spec, stepContext(global)), events(openEventStream(global, step.id())) {
    step.setEvents(events ? &events->writer() : nullptr);
  }
  pipeline::StepRun step;
  std::unique_ptr<EventStream> events;
};

// Records the command as a run (kind, name, config) and reports its status as
// events; `work(EventStream*)` or `work(EventStream*, runId)` returns the
// metrics to store. Any error marks the run failed or cancelled and is rethrown.
template <typename Work>
void recordedRun(Workspace& ws, const GlobalOptions& global, const RunSpec& spec, Work&& work) {
  CommandRun run(ws, global, spec);
  try {
    std::vector<MetricPoint> metrics;
    if constexpr (std::is_invocable_v<Work, EventStream*, std::int64_t>)
      metrics = work(run.events.get(), run.step.id());
    else
      metrics = work(run.events.get());
    run.step.finish(metrics);
  } catch (const std::exception& e) {
    run.step.fail(e);
    throw;
  }
}

}  // namespace understudy::cli
