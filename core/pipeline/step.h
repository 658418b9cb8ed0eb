// Steps: the unit of work of every command and of a recipe (docs/recipes.md).
//
// A step reads inputs (datasets, the outputs of earlier steps), runs with a
// config, writes outputs, and is recorded as a run in workspace.db. Every
// command of understudy-cli records itself through StepRun; `run RECIPE`
// plans its steps as StepPlans, runs each as a child command that names its
// parent (the recipe's run) and its key, and skips a step whose key already
// has a finished run.
//
//   StepRun run(ws, {.kind = "label", .name = "synth-unlabeled", .config = yaml}, context);
//   auto events = openEventStream(global, run.id());   // app/cli
//   run.setEvents(events ? &events->writer() : nullptr);
//   try { ...; run.finish(metrics); } catch (const std::exception& e) { run.fail(e); throw; }
//
// Resume is the command's own business (stores commit whole records, the
// trainer checkpoints): a step run again with the same key continues where
// its last attempt stopped.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <vector>

#include "core/store/run_store.h"
#include "core/store/workspace.h"
#include "core/util/events.h"

namespace understudy::pipeline {

// Where a command runs from. `run RECIPE` sets both for each of its steps
// (the global options --parent-run and --step-key); a command typed by hand
// has neither.
struct StepContext {
  std::optional<std::int64_t> parentRunId;  // the recipe's run
  std::string stepKey;                      // the step's key; "" = the hash of the step's config
};

// A step of a recipe as planned: what it reads, how it is configured, what it
// writes and the command line that runs it.
struct StepPlan {
  std::string kind;                     // the run kind: corpus-synth, features, targets, train, label, decode
  std::string name;                     // the run name: a dataset, a model, "model on dataset"
  std::string config;                   // the step's canonical YAML
  std::vector<std::string> inputs;      // keys of the steps it reads, then the names it reads
  std::vector<std::string> outputs;     // what it writes, relative to the workspace
  std::vector<std::string> args;        // understudy-cli arguments that run it
  std::vector<std::string> resumeArgs;  // added when an earlier attempt stopped part-way
  // configHash(kind, {configHash(config), inputs...}): changes when the
  // config, or anything upstream, changes.
  std::string key() const;
};

// One step's life as a run: started in the constructor, then finished or
// failed exactly once. A StepRun destroyed without either (an exception that
// bypassed fail()) marks its run failed, so no row stays `running`.
class StepRun {
 public:
  // Reaps this host's orphaned runs, then records `spec` as a running run:
  // its config hash is context.stepKey when set (a recipe step), else
  // configHash(spec.config); its parent is context.parentRunId when set, else spec's.
  StepRun(Workspace& ws, RunSpec spec, const StepContext& context);
  ~StepRun();
  StepRun(const StepRun&) = delete;
  StepRun& operator=(const StepRun&) = delete;

  std::int64_t id() const { return m_id; }
  const RunSpec& spec() const { return m_spec; }
  RunStore& store() { return m_runs; }

  // Status events go here from now on (null: none); writes `started`.
  void setEvents(EventWriter* events);
  // Stores the metrics and marks the run finished (a `finished` event with `extra`).
  void finish(const std::vector<MetricPoint>& metrics = {}, nlohmann::json extra = nlohmann::json::object());
  // Marks the run cancelled when the message says "cancelled", else failed.
  // Never throws: when the database itself fails (a full disk) the original
  // error is what the user needs.
  void fail(const std::string& message);
  void fail(const std::exception& error);
  void cancel(const std::string& message, nlohmann::json extra = nlohmann::json::object());

 private:
  RunStore m_runs;
  RunSpec m_spec;
  std::int64_t m_id = 0;
  EventWriter* m_events = nullptr;
  bool m_done = false;
};

// The message of any exception, understudy::Error's full text included.
std::string errorMessage(const std::exception& error);

}  // namespace understudy::pipeline
