// Command groups of understudy-cli. Each add*Commands() registers its
// subcommands on the app; the callbacks throw understudy::Error on failure and
// main() turns that into one line and exit code 1.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

namespace understudy::cli {

// Options every command shares.
struct GlobalOptions {
  std::string logLevel = "info";
  bool quiet = false;  // no progress lines
};

void addWorkspaceCommands(CLI::App& app, GlobalOptions& global);  // init, info, runs
void addCorpusCommands(CLI::App& app, GlobalOptions& global);     // corpus ..., features
void addTrainCommands(CLI::App& app, GlobalOptions& global);      // train
// `corpus synth`, registered by addCorpusCommands on its `corpus` subcommand.
void addCorpusSynthCommand(CLI::App& corpus, GlobalOptions& global);

// Adds the standard `-w,--workspace` option to a subcommand.
CLI::Option* addWorkspaceOption(CLI::App& sub, std::string& target);

}  // namespace understudy::cli
