// What every recorded CLI command shares: the console progress line plus
// `progress` events (CommandProgress), and the run's life in workspace.db and
// the event stream (recordedRun).
#pragma once

#include <exception>
#include <string>
#include <type_traits>
#include <vector>

#include "app/cli/commands.h"
#include "app/cli/console_progress.h"
#include "app/cli/event_stream.h"
#include "core/store/run_store.h"
#include "core/store/workspace.h"
#include "core/util/error.h"

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

// Marks a run failed (or cancelled, when the error says so) in the database
// and the event stream.
void recordFailure(RunStore& runs, std::int64_t runId, EventStream* events,
                   const std::string& message);

// Records the command as a run (kind, name, config) and reports its status as
// events; `work(EventStream*)` or `work(EventStream*, runId)` returns the
// metrics to store. Any error marks
// the run failed or cancelled and is rethrown.
template <typename Work>
void recordedRun(Workspace& ws, const GlobalOptions& global, const RunSpec& spec, Work&& work) {
  RunStore runs(ws.db());
  runs.reapOrphanedRuns();
  const std::int64_t runId = runs.startRun(spec);
  auto events = openEventStream(global, runId);
  if (events) events->writer().status("started", {{"kind", spec.kind}, {"name", spec.name}});
  try {
    std::vector<MetricPoint> metrics;
    if constexpr (std::is_invocable_v<Work, EventStream*, std::int64_t>)
      metrics = work(events.get(), runId);
    else
      metrics = work(events.get());
    runs.addMetrics(runId, metrics);
    runs.finishRun(runId, RunStatus::Finished);
    if (events) events->writer().status("finished");
  } catch (const Error& e) {
    recordFailure(runs, runId, events.get(), e.message());
    throw;
  } catch (const std::exception& e) {
    recordFailure(runs, runId, events.get(), e.what());
    throw;
  }
}

}  // namespace understudy::cli
