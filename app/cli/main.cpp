// understudy-cli: the headless engine. One try/catch turns every error into
// one line and an exit code (1: the work failed, 2: the command line was wrong).
#include <CLI/CLI.hpp>
#include <cstdio>

#include "app/cli/commands.h"
#include "app/cli/console_progress.h"
#include "app/cli/event_stream.h"
#include "core/store/version.h"
#include "core/store/workspace.h"
#include "core/util/error.h"
#include "core/util/log.h"

namespace {

const char* const kExamples = R"(
Examples:
  understudy-cli run recipes/demo.yaml -w ~/exp/demo   a whole experiment, every step cached (docs/recipes.md)
  understudy-cli run recipes/demo.yaml -w ~/exp/demo --dry-run   its plan: cached, resume or run
  understudy-cli init ~/exp/demo                     create a workspace
  understudy-cli info -w ~/exp/demo                  tables, schema version, disk use
  understudy-cli runs -w ~/exp/demo                  every run, newest first
  understudy-cli corpus synth -w ~/exp/demo --profile tiny --seed 1
  understudy-cli features -w ~/exp/demo --dataset synth-labeled
  understudy-cli train -w ~/exp/demo --config teacher.yaml
  understudy-cli train -w ~/exp/demo --config teacher.yaml --workers 2   two local ranks
  understudy-cli evaluate -w ~/exp/demo --model teacher --dataset synth-test-noisy
  understudy-cli label -w ~/exp/demo --model teacher --dataset synth-unlabeled
  understudy-cli export -w ~/exp/demo --dataset synth-unlabeled --what softlabels --ark post.ark
  understudy-cli verify -w ~/exp/demo                every store's checksums
  understudy-cli compare -w ~/exp/demo --baseline teacher   WER of every model on every test set
  understudy-cli report -w ~/exp/demo                report.md + plots: WER table, labels, curves, bytes
  understudy-cli nodes test -w ~/exp/demo --all      ssh to every node: CPUs, GPUs, workspace, version
  understudy-cli simulate-scaling -w ~/exp/demo --run teacher   sync, GTC, BMUF projected to 512 workers

Exit codes: 0 success, 1 the work failed (the message says what, where and a hint),
2 the command line is wrong. Docs: README.md and docs/ in the source tree.)";

int fail(const std::string& message, int code) {
  std::fprintf(stderr, "understudy-cli: error: %s\n", message.c_str());
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace understudy;
  CLI::App app{"Understudy: semi-supervised teacher-student acoustic model training.",
               "understudy-cli"};
  app.set_version_flag("--version", versionBanner());
  app.require_subcommand(1);
  app.fallthrough();

  cli::GlobalOptions global;
  app.add_option("--log-level", global.logLevel, "debug, info, warning, error or off")
      ->capture_default_str();
  app.add_flag("-v,--verbose", global.verbose, "Debug detail (same as --log-level debug)");
  app.add_flag("-q,--quiet", global.quiet, "No progress lines");
  app.add_option("--events", global.eventsPath,
                 "Write JSON-lines events (docs/events.md) to this file; '-' for stdout "
                 "(human text then goes to stderr)");
  app.add_option("--parent-run", global.parentRunId,
                 "Record the command's run as a step of this run (set by `run RECIPE`)")
      ->group("Recipe steps");
  app.add_option("--step-key", global.stepKey,
                 "Record the command's run under this step key (set by `run RECIPE`; docs/recipes.md)")
      ->group("Recipe steps");
  app.parse_complete_callback([&] {
    log::setLevel(global.verbose ? log::Level::Debug : log::parseLevel(global.logLevel));
    // `--events -`: stdout carries only JSON lines; human text goes to stderr.
    cli::reserveStdoutForEvents(global);
  });

  cli::addWorkspaceCommands(app, global);
  cli::addVerifyCommands(app, global);
  cli::addCompareCommands(app, global);
  cli::addReportCommands(app, global);
  cli::addNodeCommands(app, global);
  cli::addSimulateCommands(app, global);
#ifdef UNDERSTUDY_HAVE_CORPUS_CLI
  cli::addCorpusCommands(app, global);
#endif
#ifdef UNDERSTUDY_HAVE_ALIGN_CLI
  cli::addTargetCommands(app, global);
#endif
#ifdef UNDERSTUDY_HAVE_TRAIN_CLI
  cli::addTrainCommands(app, global);
  cli::addEvaluateCommands(app, global);
  cli::addLabelCommands(app, global);
#endif
#ifdef UNDERSTUDY_HAVE_DECODE_CLI
  cli::addDecodeCommands(app, global);
#endif
#ifdef UNDERSTUDY_HAVE_RUN_CLI
  cli::addRunCommands(app, global);
#endif
  cli::addExportCommands(app, global);

  // Set after the subcommands exist: CLI11 copies the footer into subcommands made later.
  app.footer(kExamples);

  // A first Ctrl-C or SIGTERM (a launcher, the recipe runner, the GUI's stop,
  // a batch system) asks the work to stop at its next safe point: training
  // writes its checkpoint and marks the run cancelled. A second one leaves at once.
  cli::ConsoleProgress::installInterruptHandler();
  cli::ConsoleProgress::installTerminateHandler();
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::RequiredError& e) {
    return fail(std::string(e.what()) + " (see --help)", 2);
  } catch (const CLI::ParseError& e) {
    return fail(std::string(e.what()) + " (see --help)", 2);
  } catch (const Error& e) {
    return fail(e.message(), 1);
  } catch (const std::exception& e) {
    if (isDatabaseError(e)) return fail(databaseErrorMessage(e), 1);  // names workspace.db
    return fail(e.what(), 1);
  }
  return 0;
}
