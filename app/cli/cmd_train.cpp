// train: a teacher or student from a recipe-style YAML config: cross-entropy
// on labeled data, distillation on teacher-labeled data, on the schedule the
// config names (docs/training.md). With --workers N, `train` starts N local
// ranks of `worker` and waits for them (docs/distributed.md); `worker` is one
// rank of a distributed run, also under torchrun or srun.
#include <fmt/format.h>
#include <signal.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/cli/commands.h"
#include "app/cli/console_progress.h"
#include "app/cli/event_stream.h"
#include "app/cli/recorded_run.h"
#include "core/align/target_store.h"
#include "core/store/node_store.h"
#include "core/store/run_store.h"
#include "core/store/workspace.h"
#include "core/train/model_bundle.h"
#include "core/train/model_lock.h"
#include "core/train/trainer.h"
#include "core/train/workspace_data.h"
#include "core/util/checksum.h"
#include "core/util/error.h"
#include "core/util/log.h"
#ifdef UNDERSTUDY_HAVE_DIST_CLI
#include "core/dist/communicator.h"
#include "core/dist/environment.h"
#include "core/dist/heartbeat.h"
#include "core/dist/launcher.h"
#include "core/dist/make_synchroniser.h"
#include "core/dist/remote.h"
#endif

namespace understudy::cli {

namespace {

namespace fs = std::filesystem;

struct TrainArgs {
  std::string workspace, config;
  bool resume = false;
  std::int64_t maxSteps = -1;
  int threads = -1;
  int workers = 0;     // train --workers N: N local ranks (0: this process trains)
  int masterPort = 0;  // train --master-port (0: a free one)
  std::string masterAddr;          // train --master-addr ("": 127.0.0.1 when every rank is on loopback)
  std::vector<std::string> nodes;  // train --nodes: ranks 1..N-1 on these nodes, round-robin
  std::vector<std::string> overrides;  // --set KEY=VALUE, in order
};

// " --set KEY=VALUE ..." for the commands this one suggests (a resume must
// repeat them, or its config differs from the checkpoint's).
std::string setOptions(const TrainArgs& a) {
  std::string out;
  for (const auto& o : a.overrides)
    out += " --set " + (o.find_first_of(" '\"[]{}*?$") == std::string::npos ? o : "'" + o + "'");
  return out;
}

// This process's part in a run: the whole of it (`train`), or one rank of a
// distributed one (`worker`). Rank 0 alone holds the model folder's lock and
// writes the run record, metrics, events and the model; every rank trains.
struct RankRole {
  int rank = 0;
  int worldSize = 1;
  struct Connected {
    std::shared_ptr<train::UpdateSynchroniser> synchroniser;
    std::string description;  // "2 ranks, algorithm sync, backend gloo"
  };
  // Joins the other ranks once the config is known; null: one process.
  std::function<Connected(const train::TrainerConfig&)> connect;
  bool leader() const { return rank == 0; }
};

// `train` (one process) and each rank of `worker`: the same steps, with the
// writes left to rank 0.
void runTraining(const TrainArgs& a, const GlobalOptions& global, const RankRole& role) {
  train::TrainerConfig cfg = train::TrainerConfig::loadFile(a.config, a.overrides);
  if (a.maxSteps >= 0) cfg.maxSteps = a.maxSteps;
  if (a.threads >= 0) cfg.threads = a.threads;
  Workspace ws = Workspace::open(a.workspace);
  const fs::path modelDir = ws.subdir("models") / cfg.name;
  // One writer per model folder, held until this process ends (or dies).
  std::optional<train::ModelFolderLock> lock;
  if (role.leader()) lock.emplace(modelDir);
  train::WorkspaceData data = train::loadWorkspaceData(ws, cfg);
  cfg.resolveUnits(data.units.size());
  cfg.validate();

  // Every rank checks (they only read the folder), so all of them refuse alike.
  const fs::path checkpointDir = modelDir / "checkpoints";
  const bool haveCheckpoints = !train::Trainer::listCheckpoints(checkpointDir).empty();
  if (haveCheckpoints && !a.resume)
    throw US_ERROR("model '" + cfg.name + "' already has checkpoints")
        .file(checkpointDir.string())
        .hint("continue it with --resume, or pick another name (or delete the folder)");

  // Human-readable lines (main() sends stdout to stderr when `--events -` owns it).
  std::FILE* out = stdout;
  std::fprintf(out, "# train: resolved config (%s)\n%s", a.config.c_str(), cfg.toYaml().c_str());
  std::fprintf(out, "# data: %zu training utterances (%lld frames), %zu validation, %d units\n",
               data.train->size(), static_cast<long long>(data.trainFrames),
               data.validation ? data.validation->size() : std::size_t{0}, data.units.size());
  if (data.soft)
    std::fprintf(out, "# soft-labeled data: %zu utterances (%lld frames)\n", data.soft->size(),
                 static_cast<long long>(data.softFrames));
  for (const auto& [name, source] : data.validationSets)
    std::fprintf(out, "# validation set %s: %zu utterances\n", name.c_str(), source->size());
  std::fflush(out);

  train::Trainer trainer(cfg, train::trainingData(data), checkpointDir);
  std::string distributed;  // "2 ranks, algorithm sync, backend gloo"; empty: one process
  if (role.connect) {
    RankRole::Connected c = role.connect(cfg);
    trainer.setSynchroniser(c.synchroniser);  // before resuming: the checkpoint's dist/ state
    distributed = c.description;
    std::fprintf(out, "# distributed: rank %d of %s\n", role.rank, distributed.c_str());
  }
  {
    std::string streams;
    for (std::size_t i = 0; i < trainer.batches().size(); ++i)
      streams +=
          fmt::format("{}{} {} batches per epoch", i ? ", " : "", trainer.batches().at(i).name(),
                      trainer.batches().at(i).batchesInEpoch());
    std::fprintf(out, "# streams: %s: %s%s\n", cfg.streams.kind.c_str(), streams.c_str(),
                 distributed.empty() ? "" : " (this rank's share)");
    std::fflush(out);  // before the trainer's log lines on stderr
  }
  std::optional<std::int64_t> parent;
  if (a.resume) {
    if (trainer.resumeFromLatest()) {
      if (trainer.checkpointRunId() > 0) parent = trainer.checkpointRunId();
      std::fprintf(out, "# resuming at step %lld\n", static_cast<long long>(trainer.step()));
    } else {
      log::warning("--resume: no checkpoint in {}; starting from scratch", checkpointDir.string());
    }
  }
  std::fflush(out);

  ConsoleProgress progress(
      global.quiet);  // also how a Ctrl-C (or a worker's SIGTERM) reaches the trainer
  if (!role.leader()) {
    // No run record, metrics, events or model: rank 0 writes them.
    trainer.setSinks({&progress, nullptr, nullptr, 0});
    const train::TrainResult r = trainer.run();
    if (r.cancelled)
      throw US_ERROR(
          fmt::format("rank {}: training cancelled at step {}; rank 0 saved the checkpoint",
                      role.rank, r.steps));
    std::fprintf(out, "Rank %d of %d: %lld steps, stopped by %s; rank 0 writes the model.\n",
                 role.rank, role.worldSize, static_cast<long long>(r.steps), r.stopReason.c_str());
    return;
  }

  RunSpec spec;
  spec.kind = "train";
  spec.name = cfg.name;
  // The record says how the run was spread (a comment: the YAML stays a config).
  spec.config =
      (distributed.empty() ? std::string() : "# distributed: " + distributed + "\n") + cfg.toYaml();
  spec.parentRunId = parent;  // the run this one resumes, unless a recipe names its own parent
  CommandRun run(ws, global, spec);
  const std::int64_t runId = run.step.id();
  EventStream* events = run.events.get();
  trainer.setSinks({&progress, events ? &events->writer() : nullptr, &run.step.store(), runId});

  train::TrainResult r;
  try {
    r = trainer.run();
  } catch (const std::exception& e) {
    run.step.fail(e);
    throw;
  }
  if (r.cancelled) {
    run.step.cancel("cancelled at step " + std::to_string(r.steps), {{"step", r.steps}});
    throw US_ERROR("training cancelled at step " + std::to_string(r.steps) + "; checkpoint saved")
        .file(checkpointDir.string())
        .hint("continue with: understudy-cli train -w " + a.workspace + " --config " + a.config +
              setOptions(a) + (role.connect ? " --workers " + std::to_string(role.worldSize) : std::string()) +
              " --resume");
  }

  try {
    const bool best = cfg.keepBest && trainer.restoreBest();
    // Priors over every training dataset's targets, weighted by frames.
    std::vector<fs::path> targetDirs;
    for (const auto& name : cfg.data.train)
      targetDirs.push_back(TargetStore::datasetDir(ws, name));
    train::ModelBundle bundle;
    bundle.name = cfg.name;
    bundle.role = cfg.role;
    bundle.model = trainer.model();
    bundle.cmvn = data.cmvn;
    bundle.units = data.units;
    bundle.priors = train::pooledTargetPriors(targetDirs);
    bundle.runId = runId;
    bundle.unitInventoryId = data.unitInventoryId;
    const std::int64_t modelId = bundle.save(ws);
    const fs::path weights = bundle.dir / train::ModelBundle::kWeightsFile;
    if (events) events->artifact(ws.root(), cfg.name, weights, "model", {{"model_id", modelId}}, r.steps);
    run.step.finish({}, {{"steps", r.steps}, {"stop", r.stopReason}});
    std::fprintf(
        out,
        "Trained '%s' (%s): %lld steps, stopped by %s, %.0f frames/s, validation accuracy %.1f%% "
        "(loss %.4f)%s.\n  -> %s\n",
        cfg.name.c_str(), cfg.role.c_str(), static_cast<long long>(r.steps), r.stopReason.c_str(),
        r.framesPerSecond, 100.0 * r.lastValidation.accuracy, r.lastValidation.loss,
        best ? fmt::format(", kept best step {}", r.bestStep).c_str() : "", weights.c_str());
  } catch (const std::exception& e) {
    run.step.fail(e);
    throw;
  }
}

#ifdef UNDERSTUDY_HAVE_DIST_CLI

// `worker`: one rank of a distributed run, its place from the environment
// (torchrun's variables, or Slurm's).
void runWorker(const TrainArgs& a, const GlobalOptions& global) {
  // First: the launcher's stall watch counts from the rank's start.
  dist::startHeartbeatFromEnvironment();
  const dist::DistEnvironment env = dist::readDistEnvironment();
  ConsoleProgress::installTerminateHandler();
  RankRole role;
  role.rank = env.rank;
  role.worldSize = env.worldSize;
  role.connect = [env](const train::TrainerConfig& cfg) {
    std::fprintf(stdout, "# rank %d of %d (%s environment): joining %s:%d\n", env.rank,
                 env.worldSize, env.source.c_str(), env.masterAddr.c_str(), env.masterPort);
    std::fflush(stdout);
    auto comm = dist::Communicator::connect(env, dist::communicatorOptions(cfg.distribution));
    RankRole::Connected c;
    c.synchroniser = dist::makeSynchroniser(cfg.distribution, comm);
    c.description = fmt::format("{} ranks, algorithm {}, backend {}", comm->size(),
                                cfg.distribution.algorithm, comm->backend());
    return c;
  };
  runTraining(a, global, role);
}

// Where rank r > 0 of `train --workers` writes its stdout and stderr: the
// last job's, per model (rank 0 shares the launcher's terminal).
fs::path rankLogDir(const fs::path& workspaceRoot, const std::string& model) {
  return workspaceRoot / "runs" / ("train-" + model);
}

// " --nodes a,b --master-addr X" for the commands this one suggests.
std::string nodeOptions(const TrainArgs& a) {
  if (a.nodes.empty()) return {};
  std::string names;
  for (const auto& n : a.nodes) names += (names.empty() ? "" : ",") + n;
  return " --nodes " + names + (a.masterAddr.empty() ? "" : " --master-addr " + a.masterAddr);
}

bool isLoopback(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

// `train --workers N [--nodes A,B]`: N ranks of `worker` with torchrun's
// environment: rank 0 here (this same program: it hosts the rendezvous and
// alone writes the workspace), the others here too, or with --nodes on those
// nodes over ssh, round-robin. Waits for them and reports the first failure.
void launchWorkers(const TrainArgs& a, const GlobalOptions& global) {
  const train::TrainerConfig cfg =
      train::TrainerConfig::loadFile(a.config, a.overrides);  // the name, and errors once
  Workspace workspace = Workspace::open(a.workspace);
  const fs::path logDir = rankLogDir(workspace.root(), cfg.name);
  const int port = a.masterPort > 0 ? a.masterPort : dist::freeLocalPort();

  // The nodes, as the workspace registered them.
  std::vector<dist::RemoteNode> nodes;
  for (const std::string& name : a.nodes) {
    const NodeRow row = NodeStore(workspace).get(name);
    nodes.push_back({row.name, row.host, row.user, row.port, row.workspacePath, row.binaryPath});
  }
  if (!nodes.empty() && a.workers < 2)
    throw US_ERROR(fmt::format("--nodes with --workers {}: rank 0 runs here, the nodes get ranks 1 to N-1",
                               a.workers))
        .hint("use --workers 2 or more");
  std::string masterAddr = a.masterAddr;
  if (masterAddr.empty()) {
    const bool loopback =
        std::all_of(nodes.begin(), nodes.end(), [](const dist::RemoteNode& n) { return isLoopback(n.host); });
    if (!loopback)
      throw US_ERROR("--master-addr is needed with --nodes: the address the nodes reach this machine at")
          .hint("rank 0 runs here and hosts the rendezvous; give this machine's address on the network the "
                "nodes share, e.g. --master-addr 10.0.0.1");
    masterAddr = "127.0.0.1";
  }
  const std::string ssh = nodes.empty() ? std::string() : dist::findSsh();
  // The config as the nodes see it: under the workspace, or copied into the run folder.
  std::string configInWorkspace = a.config;
  if (!nodes.empty() && dist::pathOnNode(a.config, workspace.root().string(), "/").empty()) {
    std::error_code ec;
    fs::create_directories(logDir, ec);
    const fs::path copy = logDir / "config.yaml";
    fs::copy_file(a.config, copy, fs::copy_options::overwrite_existing, ec);
    if (ec)
      throw US_ERROR("cannot copy the config into the run folder for the nodes: " + ec.message())
          .file(copy.string())
          .hint("check that the workspace is writable, or put the config inside the workspace");
    configInWorkspace = copy.string();
  }

  auto workerArgs = [&](const std::string& ws, const std::string& config) {
    std::vector<std::string> args{"worker", "-w", ws, "--config", config};
    for (const auto& o : a.overrides) args.insert(args.end(), {"--set", o});
    if (a.resume) args.push_back("--resume");
    if (a.maxSteps >= 0) args.insert(args.end(), {"--max-steps", std::to_string(a.maxSteps)});
    if (a.threads >= 0) args.insert(args.end(), {"--threads", std::to_string(a.threads)});
    return args;
  };
  std::vector<int> perNode(nodes.size(), 0);  // ranks placed on each node so far (LOCAL_RANK)
  std::vector<dist::RankProcess> ranks;
  std::string placement;  // "rank 1 on gpu1, rank 2 on gpu2"
  for (int r = 0; r < a.workers; ++r) {
    dist::DistEnvironment env;
    env.masterAddr = masterAddr;
    env.masterPort = port;
    env.rank = r;
    env.worldSize = a.workers;
    env.localRank = r;
    std::vector<std::string> options{"--log-level", global.logLevel};
    if (global.verbose) options.push_back("-v");
    if (r > 0 && !nodes.empty()) {
      const std::size_t n = static_cast<std::size_t>(r - 1) % nodes.size();
      const dist::RemoteNode& node = nodes[n];
      env.localRank = perNode[n]++;
      const std::string nodeWs = node.workspacePath.empty() ? workspace.root().string() : node.workspacePath;
      const std::string config = dist::pathOnNode(configInWorkspace, workspace.root().string(), nodeWs);
      options.push_back("-q");
      const std::vector<std::string> args = workerArgs(nodeWs, config);
      options.insert(options.end(), args.begin(), args.end());
      ranks.push_back(dist::remoteRank(node, ssh, r, dist::torchrunVariables(env), options, nodeWs,
                                       (logDir / fmt::format("rank{}.log", r)).string()));
      placement += fmt::format("{}rank {} on {}", placement.empty() ? "" : ", ", r, node.name);
      continue;
    }
    dist::RankProcess p;
    p.rank = r;
    p.program = "/proc/self/exe";  // this very binary, even if the file was replaced since
    p.argv = {"understudy-cli"};
    p.argv.insert(p.argv.end(), options.begin(), options.end());
    if (r == 0) {
      // Rank 0 speaks for the job: the user's options, the launcher's
      // terminal, and with `--events -` the real stdout for the JSON lines.
      if (global.quiet) p.argv.push_back("-q");
      if (!global.eventsPath.empty()) p.argv.insert(p.argv.end(), {"--events", global.eventsPath});
      // A recipe step: rank 0 records the run under the recipe's key and parent.
      if (global.parentRunId)
        p.argv.insert(p.argv.end(), {"--parent-run", std::to_string(*global.parentRunId)});
      if (!global.stepKey.empty()) p.argv.insert(p.argv.end(), {"--step-key", global.stepKey});
      p.stdoutFd = originalStdoutDescriptor();
    } else {
      p.argv.push_back("-q");
      p.logFile = (logDir / fmt::format("rank{}.log", r)).string();
    }
    const std::vector<std::string> args = workerArgs(a.workspace, a.config);
    p.argv.insert(p.argv.end(), args.begin(), args.end());
    p.env = dist::torchrunVariables(env);
    ranks.push_back(std::move(p));
  }
  std::string logs;
  if (a.workers == 2) logs = fmt::format(", rank 1 logs to {}", (logDir / "rank1.log").string());
  if (a.workers > 2)
    logs = fmt::format(", ranks 1-{} log to {}/rank<r>.log", a.workers - 1, logDir.string());
  if (nodes.empty())
    std::fprintf(stdout, "# train: %d local ranks (rendezvous %s:%d); rank 0 prints here%s\n", a.workers,
                 masterAddr.c_str(), port, logs.c_str());
  else
    std::fprintf(stdout, "# train: %d ranks, rank 0 here, %s (rendezvous %s:%d); rank 0 prints here%s\n",
                 a.workers, placement.c_str(), masterAddr.c_str(), port, logs.c_str());
  std::fflush(stdout);

  dist::LaunchOptions options;
  options.heartbeatSeconds = cfg.distribution.heartbeatSeconds;
  // Each rank's pid (on its machine) and process group, for whoever watches the job.
  options.onStarted = [&](int rank, int pid) {
    if (!ranks[static_cast<std::size_t>(rank)].remote)
      std::fprintf(stdout, "# train: rank %d is pid %d\n", rank, pid);
    std::fflush(stdout);
  };
  options.onReported = [&](int rank, int pid) {
    const auto& remote = ranks[static_cast<std::size_t>(rank)].remote;
    if (!remote) return;
    std::fprintf(stdout, "# train: rank %d on node %s (%s) is pid %d there\n", rank, remote->node.c_str(),
                 remote->host.c_str(), pid);
    std::fflush(stdout);
  };
  const dist::LaunchReport report = dist::launchRanks(ranks, options);
  if (report.succeeded()) return;
  // Rank 0 records its own end; one killed or stalled could not: the
  // launcher marks its run failed with the reason.
  if (!report.ranks.empty() && !report.ranks.front().ok())
    RunStore(workspace.db()).failRunsOfProcess(report.ranks.front().pid,
                                               "distributed training failed: " + report.summary());
  const std::string resume =
      fmt::format("understudy-cli train -w {} --config {}{} --workers {}{} --resume", a.workspace,
                  a.config, setOptions(a), a.workers, nodeOptions(a));
  if (report.forwardedSignal != 0 && report.failed.empty())
    throw US_ERROR("training interrupted: " + report.summary())
        .hint("the ranks agree to stop and rank 0 saves a checkpoint; continue with: " + resume);
  const int first = report.firstFailure();
  const std::string log =
      first >= 0 ? report.logFiles[static_cast<std::size_t>(first)] : std::string();
  if (!report.firstFailureLogTail.empty()) {
    std::string block;
    for (std::size_t b = 0, e; b < report.firstFailureLogTail.size(); b = e + 1) {
      e = report.firstFailureLogTail.find('\n', b);
      if (e == std::string::npos) e = report.firstFailureLogTail.size();
      block += "  | " + report.firstFailureLogTail.substr(b, e - b) + "\n";
    }
    std::fprintf(stderr, "understudy-cli: the last lines of rank %d's log (%s):\n%s", first,
                 log.c_str(), block.c_str());
  }
  // The first failure an error (not a death) after the collective timeout,
  // and a rank that did not even answer SIGTERM: most likely the others
  // timed out waiting for that one.
  bool stalled =
      first >= 0 && report.ranks[static_cast<std::size_t>(first)].signal == 0 &&
      report.ranks[static_cast<std::size_t>(first)].seconds >= cfg.distribution.timeoutSeconds;
  stalled = stalled && std::any_of(report.stopped.begin(), report.stopped.end(), [&](int r) {
              return report.ranks[static_cast<std::size_t>(r)].stoppedWith == SIGKILL;
            });
  std::string hint = a.workers > 1 ? "the other ranks' logs are in " + logDir.string() + "; " : "";
  if (first >= 0 && report.ranks[static_cast<std::size_t>(first)].stalledAfter > 0)
    hint += fmt::format(
        "rank {} sent no heartbeat for distribution.heartbeat_s = {:g} s (a stopped or frozen process, or a "
        "machine that hangs); ",
        first, cfg.distribution.heartbeatSeconds);
  else if (stalled)
    hint += fmt::format(
        "the rank killed with SIGKILL had probably stalled (the others give up after "
        "distribution.timeout_s = {:g} s); ",
        cfg.distribution.timeoutSeconds);
  hint += "after fixing the cause, continue from the last checkpoint with: " + resume;
  throw US_ERROR("distributed training failed: " + report.summary()).hint(hint);
}

#endif  // UNDERSTUDY_HAVE_DIST_CLI

}  // namespace

void addTrainCommands(CLI::App& app, GlobalOptions& global) {
  auto* sub = app.add_subcommand(
      "train", "Train a teacher or student acoustic model (frame CE, top-k distillation)");
  auto a = std::make_shared<TrainArgs>();
  auto addCommon = [](CLI::App& cmd, TrainArgs& args) {
    addWorkspaceOption(cmd, args.workspace);
    cmd.add_option("--config", args.config,
                   "Trainer YAML (docs/training.md; resources/recipes/*.yaml)")
        ->required()
        ->check(CLI::ExistingFile);
    cmd.add_flag("--resume", args.resume, "Continue from the newest checkpoint of this model");
    cmd.add_option("--max-steps", args.maxSteps, "Override max_steps from the config");
    cmd.add_option("--threads", args.threads, "Override threads from the config (0 = all cores)");
    // One KEY=VALUE per --set; the key is checked against the config's field
    // table and the value read as if the file held it (docs/training.md).
    cmd.add_option("--set", args.overrides,
                   "Override a config key, as if the file held it: --set optimizer.lr=0.01 (repeatable; "
                   "keys as in docs/training.md \"Config keys and defaults\")")
        ->expected(1)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
        ->type_name("KEY=VALUE");
  };
  addCommon(*sub, *a);
#ifdef UNDERSTUDY_HAVE_DIST_CLI
  sub->add_option("--workers", a->workers,
                  "Train on N local ranks (processes of `worker`), combined as distribution: says "
                  "(docs/distributed.md)")
      ->check(CLI::Range(1, 1024));
  sub->add_option("--master-port", a->masterPort,
                  "With --workers: the rendezvous port (default: a free one)")
      ->check(CLI::Range(1, 65535));
  sub->add_option("--master-addr", a->masterAddr,
                  "With --workers: the address the ranks reach rank 0 (this machine) at; the rendezvous "
                  "listens on it alone (default 127.0.0.1; needed with --nodes beyond loopback)");
  sub->add_option("--nodes", a->nodes,
                  "With --workers N: ranks 1..N-1 on these registered nodes over ssh, round-robin "
                  "(rank 0 runs here; `understudy-cli nodes`, docs/distributed.md)")
      ->delimiter(',')
      ->type_name("NAME[,NAME...]");
  sub->callback([a, &global] {
    if (a->workers > 0)
      launchWorkers(*a, global);
    else
      runTraining(*a, global, RankRole{});
  });

  auto* worker = app.add_subcommand(
      "worker",
      "One rank of a distributed training run; its place from MASTER_ADDR, MASTER_PORT, RANK, "
      "WORLD_SIZE, "
      "LOCAL_RANK (torchrun) or SLURM_PROCID, SLURM_NTASKS (srun) (docs/distributed.md)");
  auto w = std::make_shared<TrainArgs>();
  addCommon(*worker, *w);
  worker->callback([w, &global] { runWorker(*w, global); });
#else
  sub->callback([a, &global] { runTraining(*a, global, RankRole{}); });
#endif
}

}  // namespace understudy::cli
