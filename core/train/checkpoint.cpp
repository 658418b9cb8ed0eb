// Trainer checkpoints: one torch archive per checkpoint, written atomically.
//
//   model/        the module's parameters and buffers (Module::save)
//   optimizer/    the optimizer's state (momentum buffers, Adam moments, step counts)
//   step
//   stream_names, stream_epochs, stream_batches
//                 every data stream's position (epoch, next batch), by name
//   epoch, batch_index                  the first stream's position again, as
//                 checkpoints before stream positions held it (they are read
//                 as the labeled stream's position when stream_* are absent)
//   best_valid_loss, best_step, bad_validations, sched_halvings,
//   sched_best_loss, sched_bad          early stopping and newbob state
//   rng_state     the CPU generator's state (re-seeded per step anyway)
//   run_id, config                      provenance
//   dist/         the update synchroniser's state (update_synchroniser.h):
//                 global state (BMUF's global model and block momentum) and
//                 per-rank state gathered to rank 0 (GTC's residuals)
//   dist_algorithm, dist_world_size     who wrote dist/
//
// stream_batches count global batches (this rank's batch index x the number
// of ranks), so a run can resume with another number of ranks. Every rank
// calls saveCheckpoint() (the synchroniser's state is gathered); rank 0
// alone writes the file.
//
// Loading checks before it changes anything: every tensor the model has must
// be in the file with the same shape (and nothing else may be), and the
// config the checkpoint was written with may differ from this run's only in
// the keys resumableKeys() names. Only then are the optimizer state and the
// weights copied in.
#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "core/train/trainer.h"
#include "core/util/atomic_file.h"
#include "core/util/error.h"
#include "core/util/fault_point.h"
#include "core/util/log.h"

namespace understudy::train {

namespace {

std::int64_t checkpointStep(const std::filesystem::path& p) {
  static const std::regex pattern(R"(ckpt-(\d+)\.pt)");
  std::smatch m;
  const std::string name = p.filename().string();
  if (!std::regex_match(name, m, pattern)) return -1;
  return std::stoll(m[1].str());
}

c10::IValue readValue(torch::serialize::InputArchive& ar, const std::string& key,
                      const std::filesystem::path& path) {
  c10::IValue v;
  if (!ar.try_read(key, v))
    throw US_ERROR("checkpoint has no '" + key + "'").file(path.string()).hint("not a trainer checkpoint?");
  return v;
}

std::string describeShape(const torch::Tensor& t) { return fmt::format("[{}]", fmt::join(t.sizes(), ", ")); }

// The tensors of a Module::save archive, by dotted name ("lstm.weight_ih_l0"),
// read without touching `module`. The walk follows the module's own children;
// any other key at any level (a tensor or sub-module the module does not
// have) goes to `unexpected`.
void collectTensors(torch::serialize::InputArchive& ar, const torch::nn::Module& module,
                    const std::string& prefix, std::map<std::string, torch::Tensor>& out,
                    std::vector<std::string>& unexpected) {
  std::set<std::string> expected;
  for (const auto& p : module.named_parameters(/*recurse=*/false)) expected.insert(p.key());
  for (const auto& b : module.named_buffers(/*recurse=*/false)) expected.insert(b.key());
  for (const auto& c : module.named_children()) expected.insert(c.key());
  for (const auto& key : ar.keys()) {
    if (expected.count(key)) continue;
    unexpected.push_back(prefix + key);
  }
  for (const auto& p : module.named_parameters(/*recurse=*/false)) {
    torch::Tensor t;
    if (ar.try_read(p.key(), t)) out[prefix + p.key()] = t;
  }
  for (const auto& b : module.named_buffers(/*recurse=*/false)) {
    torch::Tensor t;
    if (ar.try_read(b.key(), t, /*is_buffer=*/true)) out[prefix + b.key()] = t;
  }
  for (const auto& c : module.named_children()) {
    torch::serialize::InputArchive sub;
    if (ar.try_read(c.key(), sub)) collectTensors(sub, *c.value(), prefix + c.key() + ".", out, unexpected);
  }
}

// Every data stream's position. A checkpoint written before streams had
// positions holds one (epoch, batch_index): the labeled stream's.
StreamPositions readStreamPositions(torch::serialize::InputArchive& ar, const std::filesystem::path& path) {
  StreamPositions out;
  c10::IValue names;
  if (!ar.try_read("stream_names", names)) {
    out.emplace_back(kLabeledStream, StreamPosition{readValue(ar, "epoch", path).toInt(),
                                                    readValue(ar, "batch_index", path).toInt()});
    return out;
  }
  const auto epochs = readValue(ar, "stream_epochs", path).toIntVector();
  const auto batches = readValue(ar, "stream_batches", path).toIntVector();
  const auto list = names.toListRef();
  if (epochs.size() != list.size() || batches.size() != list.size())
    throw US_ERROR(fmt::format("checkpoint has {} stream names but {} epochs and {} batch indices", list.size(),
                               epochs.size(), batches.size()))
        .file(path.string());
  for (std::size_t i = 0; i < list.size(); ++i)
    out.emplace_back(list[i].toStringRef(), StreamPosition{epochs[i], batches[i]});
  return out;
}

// A checkpoint that could not be written (a full disk, most often): which
// one, why, and that the previous one is intact (the temporary file is gone).
Error checkpointWriteError(const Error& cause, const std::filesystem::path& path, std::int64_t step,
                           const std::vector<std::filesystem::path>& kept) {
  std::string hint = cause.hintText().empty() ? std::string() : cause.hintText() + "; ";
  hint += kept.empty() ? "there is no earlier checkpoint"
                       : "the previous checkpoint " + kept.back().filename().string() + " is intact";
  hint += "; once there is room, continue with `understudy-cli train ... --resume`";
  return US_ERROR(fmt::format("cannot write the checkpoint of step {}: {}", step, cause.what_()))
      .file(path.string())
      .hint(hint);
}

std::function<void(const std::filesystem::path&)>& checkpointHook() {
  static std::function<void(const std::filesystem::path&)> hook;
  return hook;
}

}  // namespace

void Trainer::setCheckpointWriteHookForTesting(std::function<void(const std::filesystem::path&)> hook) {
  checkpointHook() = std::move(hook);
}

std::vector<std::filesystem::path> Trainer::listCheckpoints(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> found;
  if (dir.empty() || !std::filesystem::is_directory(dir)) return found;
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    if (entry.is_regular_file() && checkpointStep(entry.path()) >= 0) found.push_back(entry.path());
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) {
    return checkpointStep(a) < checkpointStep(b);
  });
  return found;
}

std::filesystem::path Trainer::saveCheckpoint() {
  if (m_checkpointDir.empty()) throw US_ERROR("no checkpoint folder configured");
  torch::serialize::OutputArchive distAr;
  m_sync->saveState(distAr);  // collective: every rank
  if (!m_sync->leader()) return {};
  std::filesystem::create_directories(m_checkpointDir);
  torch::serialize::OutputArchive ar;
  torch::serialize::OutputArchive modelAr;
  m_model->save(modelAr);
  ar.write("model", modelAr);
  torch::serialize::OutputArchive optimizerAr;
  m_optimizer->save(optimizerAr);
  ar.write("optimizer", optimizerAr);
  ar.write("step", c10::IValue(m_step));
  {
    c10::List<std::string> names;
    c10::List<std::int64_t> epochs, batches;
    for (const auto& [name, position] : m_batches.positions()) {
      names.push_back(name);
      epochs.push_back(position.epoch);
      batches.push_back(position.batch * m_sync->worldSize());
    }
    ar.write("stream_names", c10::IValue(names));
    ar.write("stream_epochs", c10::IValue(epochs));
    ar.write("stream_batches", c10::IValue(batches));
    ar.write("epoch", c10::IValue(m_batches.at(0).position().epoch));
    ar.write("batch_index", c10::IValue(m_batches.at(0).position().batch * m_sync->worldSize()));
  }
  ar.write("dist", distAr);
  ar.write("dist_algorithm", c10::IValue(m_sync->algorithm()));
  ar.write("dist_world_size", c10::IValue(static_cast<std::int64_t>(m_sync->worldSize())));
  ar.write("best_valid_loss", c10::IValue(m_bestValidLoss));
  ar.write("best_step", c10::IValue(m_bestStep));
  ar.write("bad_validations", c10::IValue(m_badValidations));
  ar.write("sched_halvings", c10::IValue(m_scheduler.state().halvings));
  ar.write("sched_best_loss", c10::IValue(m_scheduler.state().bestLoss));
  ar.write("sched_bad", c10::IValue(m_scheduler.state().badValidations));
  ar.write("run_id", c10::IValue(m_sinks.runId));
  ar.write("config", c10::IValue(m_config.toYaml()));
  {
    auto gen = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(gen.mutex());
    ar.write("rng_state", gen.get_state(), /*is_buffer=*/true);
  }
  std::ostringstream bytes;
  ar.save_to(bytes);
  const auto path = m_checkpointDir / fmt::format("ckpt-{:09d}.pt", m_step);
  try {
    AtomicFile out(path);
    out.write(bytes.str());
    out.sync();
    if (checkpointHook()) checkpointHook()(out.tempPath());  // tests: die between write and rename
    US_FAULT_POINT("train.checkpoint_before_rename");
    out.commit();
  } catch (const Error& e) {
    throw checkpointWriteError(e, path, m_step, listCheckpoints(m_checkpointDir));
  }
  US_FAULT_POINT("train.checkpoint_written");
  auto all = listCheckpoints(m_checkpointDir);
  const auto keep = static_cast<std::size_t>(m_config.keepCheckpoints);
  for (std::size_t i = 0; i + keep < all.size(); ++i) std::filesystem::remove(all[i]);
  log::debug("checkpoint {} written", path.string());
  return path;
}

void Trainer::loadCheckpoint(const std::filesystem::path& path) {
  torch::serialize::InputArchive ar;
  try {
    std::istringstream bytes(readFile(path));
    ar.load_from(bytes);
  } catch (const c10::Error& e) {
    throw US_ERROR(std::string("unreadable checkpoint: ") + e.what_without_backtrace())
        .file(path.string());
  }

  // 1. The architecture: every tensor by name and shape, before anything is copied.
  std::map<std::string, torch::Tensor> stored;
  try {
    torch::serialize::InputArchive modelAr;
    if (!ar.try_read("model", modelAr)) throw US_ERROR("checkpoint has no model").file(path.string());
    std::vector<std::string> unexpected;
    collectTensors(modelAr, *m_model, "", stored, unexpected);
    if (!unexpected.empty())
      throw US_ERROR("checkpoint was written for a different model: it has '" + unexpected.front() +
                     "', which this model does not")
          .file(path.string())
          .key(unexpected.front())
          .hint("resume with the model config that wrote it");
  } catch (const c10::Error& e) {
    throw US_ERROR(std::string("unreadable model in checkpoint: ") + e.what_without_backtrace())
        .file(path.string());
  }
  std::vector<std::pair<std::string, torch::Tensor>> targets;
  for (const auto& p : m_model->named_parameters()) targets.emplace_back(p.key(), p.value());
  for (const auto& b : m_model->named_buffers()) targets.emplace_back(b.key(), b.value());
  for (const auto& [name, target] : targets) {
    auto it = stored.find(name);
    if (it == stored.end())
      throw US_ERROR("checkpoint was written for a different model: it has no '" + name + "'")
          .file(path.string())
          .key(name)
          .hint("resume with the model config that wrote it");
    if (it->second.sizes() != target.sizes() || it->second.scalar_type() != target.scalar_type())
      throw US_ERROR(fmt::format("checkpoint was written for a different model: '{}' is {} {} in the "
                                 "checkpoint, this model's is {} {}",
                                 name, describeShape(it->second), c10::toString(it->second.scalar_type()),
                                 describeShape(target), c10::toString(target.scalar_type())))
          .file(path.string())
          .key(name)
          .hint("resume with the model config that wrote it");
  }

  // 2. The config: only keys that may change on resume may differ.
  {
    const std::string savedYaml = readValue(ar, "config", path).toStringRef();
    TrainerConfig saved;
    try {
      saved = TrainerConfig::loadString(savedYaml, path.string() + ":config");
    } catch (const Error& e) {
      throw US_ERROR("checkpoint's config does not load: " + e.message()).file(path.string());
    }
    const auto diffs = resumeConfigDifferences(saved, m_config);
    if (!diffs.empty()) {
      std::string list;
      for (const auto& d : diffs)
        list += fmt::format("{}{}: {} -> {}", list.empty() ? "" : "; ", d.key, d.before, d.after);
      throw US_ERROR(fmt::format("the config differs from the checkpoint's in {} key(s) that cannot "
                                 "change on resume: {}",
                                 diffs.size(), list))
          .file(path.string())
          .key(diffs.front().key)
          .hint("resume with the config that wrote the checkpoint (keys that may change: " +
                fmt::format("{}", fmt::join(resumableKeys(m_config), ", ")) +
                "), or train under another name");
    }
  }

  // 3. Scalars, read before anything is changed so a missing one changes nothing.
  const std::int64_t step = readValue(ar, "step", path).toInt();
  StreamPositions positions = readStreamPositions(ar, path);
  // Global batches taken -> this rank's batch index (rounded up: with another
  // number of ranks, a partly taken round of batches is skipped).
  const std::int64_t ranks = m_sync->worldSize();
  for (auto& [name, position] : positions) position.batch = (position.batch + ranks - 1) / ranks;
  m_batches.checkPositions(positions, path.string());
  const double bestValidLoss = readValue(ar, "best_valid_loss", path).toDouble();
  const std::int64_t bestStep = readValue(ar, "best_step", path).toInt();
  const std::int64_t badValidations = readValue(ar, "bad_validations", path).toInt();
  LrScheduleState s;
  s.halvings = readValue(ar, "sched_halvings", path).toInt();
  s.bestLoss = readValue(ar, "sched_best_loss", path).toDouble();
  s.badValidations = readValue(ar, "sched_bad", path).toInt();
  const std::int64_t runId = readValue(ar, "run_id", path).toInt();

  // 4. Now copy: optimizer state, weights, positions.
  try {
    torch::serialize::InputArchive optimizerAr;
    if (!ar.try_read("optimizer", optimizerAr))
      throw US_ERROR("checkpoint has no optimizer state").file(path.string());
    m_optimizer->load(optimizerAr);
  } catch (const c10::Error& e) {
    throw US_ERROR(std::string("checkpoint's optimizer state does not fit: ") +
                   e.what_without_backtrace())
        .file(path.string())
        .hint("resume with the same optimizer config that wrote it");
  }
  {
    torch::NoGradGuard noGrad;
    for (auto& [name, target] : targets) target.copy_(stored.at(name));
  }
  m_step = step;
  m_batches.restore(positions, path.string());
  m_bestValidLoss = bestValidLoss;
  m_bestStep = bestStep;
  m_badValidations = badValidations;
  m_scheduler.setState(s);
  m_runIdAtCheckpoint = runId;
  {
    torch::serialize::InputArchive distAr;
    const bool haveDist = ar.try_read("dist", distAr);
    m_sync->loadState(haveDist ? &distAr : nullptr, m_model->parameters(), path);
  }
  torch::Tensor rng;
  if (ar.try_read("rng_state", rng, /*is_buffer=*/true)) {
    auto gen = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_state(rng);
  }
}

std::size_t Trainer::removeStaleTempFiles(const std::filesystem::path& dir) {
  // AtomicFile's temp names: "<target>.tmp.<pid>.<n>". Only a writer that died
  // leaves one behind; the model folder lock means no live writer is at work.
  static const std::regex pattern(R"((ckpt-\d+|best)\.pt\.tmp\.\d+\.\d+)");
  std::size_t removed = 0;
  if (dir.empty() || !std::filesystem::is_directory(dir)) return removed;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    std::error_code ec;
    if (entry.is_regular_file() && std::regex_match(name, pattern) && std::filesystem::remove(entry.path(), ec))
      ++removed;
  }
  return removed;
}

bool Trainer::resumeFromLatest() {
  // Rank 0 holds the model folder's lock; the other ranks only read.
  if (const auto n = m_sync->leader() ? removeStaleTempFiles(m_checkpointDir) : 0)
    log::info("removed {} partial checkpoint file(s) a killed run left in {}", n, m_checkpointDir.string());
  auto all = listCheckpoints(m_checkpointDir);
  if (all.empty()) return false;
  loadCheckpoint(all.back());
  std::string where;
  for (const auto& [name, p] : m_batches.positions())
    where += fmt::format("{}{}: epoch {}, batch {}", where.empty() ? "" : "; ", name, p.epoch, p.batch);
  log::info("resumed from {} (step {}; {})", all.back().string(), m_step, where);
  return true;
}

bool Trainer::restoreBest() {
  if (m_checkpointDir.empty()) return false;
  // best.pt belongs to this run only if this run (or the checkpoint it
  // resumed) saw a validation: a file left by an earlier run is not ours.
  if (m_bestStep < 0) return false;
  const auto best = m_checkpointDir / "best.pt";
  if (!std::filesystem::exists(best)) return false;
  nn::loadWeights(m_model, best.string());
  return true;
}

}  // namespace understudy::train
