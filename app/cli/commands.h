// Command groups of understudy-cli. Each add*Commands() registers its
// subcommands on the app; the callbacks throw understudy::Error on failure and
// main() turns that into one line and exit code 1.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace understudy::cli {

// Options every command shares.
struct GlobalOptions {
  std::string logLevel = "info";
  bool verbose = false;  // -v: log level debug
  bool quiet = false;  // no progress lines
  std::string eventsPath;  // --events: JSON-lines events to this file ("-" = stdout)
  std::optional<std::int64_t> parentRunId;  // --parent-run: this command is a step of that run
  std::string stepKey;                      // --step-key: the recipe's key for this step
};

// The event stream requested with --events (docs/events.md), or null if none.
// Keeps the file open for the life of the returned object.
class EventStream;
std::unique_ptr<EventStream> openEventStream(const GlobalOptions& global, std::int64_t runId);

void addWorkspaceCommands(CLI::App& app, GlobalOptions& global);  // init, info, runs
void addCorpusCommands(CLI::App& app, GlobalOptions& global);     // corpus ..., features
void addTrainCommands(CLI::App& app, GlobalOptions& global);      // train, worker
void addEvaluateCommands(CLI::App& app, GlobalOptions& global);   // evaluate (frame accuracy, CE)
void addLabelCommands(CLI::App& app, GlobalOptions& global);      // label (teacher top-k soft labels)
void addDecodeCommands(CLI::App& app, GlobalOptions& global);     // decode (HLG search, WER)
void addTargetCommands(CLI::App& app, GlobalOptions& global);     // targets
void addVerifyCommands(CLI::App& app, GlobalOptions& global);     // verify
void addCompareCommands(CLI::App& app, GlobalOptions& global);    // compare (WER, models x test sets)
void addReportCommands(CLI::App& app, GlobalOptions& global);     // report (report.md + PNG plots)
void addExportCommands(CLI::App& app, GlobalOptions& global);     // export, import (Kaldi ark/scp)
void addRunCommands(CLI::App& app, GlobalOptions& global);        // run RECIPE (every step of an experiment)
void addNodeCommands(CLI::App& app, GlobalOptions& global);       // nodes add|list|remove|test (ssh)
void addSimulateCommands(CLI::App& app, GlobalOptions& global);   // simulate-scaling (docs/scaling.md)
// `corpus synth`, registered by addCorpusCommands on its `corpus` subcommand.
void addCorpusSynthCommand(CLI::App& corpus, GlobalOptions& global);

// Adds the standard `-w,--workspace` option to a subcommand.
CLI::Option* addWorkspaceOption(CLI::App& sub, std::string& target);

}  // namespace understudy::cli
