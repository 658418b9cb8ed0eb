// Trainer checkpoints: one torch archive per checkpoint, written atomically.
//
//   model/        the module's parameters and buffers (Module::save)
//   optimizer/    the optimizer's state (momentum buffers, Adam moments, step counts)
//   step, epoch, batch_index            the data position
//   best_valid_loss, best_step, bad_validations, sched_halvings,
//   sched_best_loss, sched_bad          early stopping and newbob state
//   rng_state     the CPU generator's state (re-seeded per step anyway)
//   run_id, config                      provenance
#include <fmt/format.h>

#include <algorithm>
#include <regex>
#include <sstream>

#include "core/train/trainer.h"
#include "core/util/atomic_file.h"
#include "core/util/error.h"
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

}  // namespace

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
  std::filesystem::create_directories(m_checkpointDir);
  torch::serialize::OutputArchive ar;
  torch::serialize::OutputArchive modelAr;
  m_model->save(modelAr);
  ar.write("model", modelAr);
  torch::serialize::OutputArchive optimizerAr;
  m_optimizer->save(optimizerAr);
  ar.write("optimizer", optimizerAr);
  ar.write("step", c10::IValue(m_step));
  ar.write("epoch", c10::IValue(m_epoch));
  ar.write("batch_index", c10::IValue(m_batchIndex));
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
  writeFileAtomically(path, bytes.str());
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
  try {
    torch::serialize::InputArchive modelAr;
    if (!ar.try_read("model", modelAr)) throw US_ERROR("checkpoint has no model").file(path.string());
    m_model->load(modelAr);
    torch::serialize::InputArchive optimizerAr;
    if (!ar.try_read("optimizer", optimizerAr))
      throw US_ERROR("checkpoint has no optimizer state").file(path.string());
    m_optimizer->load(optimizerAr);
  } catch (const c10::Error& e) {
    throw US_ERROR(std::string("checkpoint does not fit this model/optimizer: ") +
                   e.what_without_backtrace())
        .file(path.string())
        .hint("resume with the same model and optimizer config that wrote it");
  }
  m_step = readValue(ar, "step", path).toInt();
  m_epoch = readValue(ar, "epoch", path).toInt();
  m_batchIndex = readValue(ar, "batch_index", path).toInt();
  m_bestValidLoss = readValue(ar, "best_valid_loss", path).toDouble();
  m_bestStep = readValue(ar, "best_step", path).toInt();
  m_badValidations = readValue(ar, "bad_validations", path).toInt();
  LrScheduleState s;
  s.halvings = readValue(ar, "sched_halvings", path).toInt();
  s.bestLoss = readValue(ar, "sched_best_loss", path).toDouble();
  s.badValidations = readValue(ar, "sched_bad", path).toInt();
  m_scheduler.setState(s);
  m_runIdAtCheckpoint = readValue(ar, "run_id", path).toInt();
  torch::Tensor rng;
  if (ar.try_read("rng_state", rng, /*is_buffer=*/true)) {
    auto gen = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_state(rng);
  }
}

bool Trainer::resumeFromLatest() {
  auto all = listCheckpoints(m_checkpointDir);
  if (all.empty()) return false;
  loadCheckpoint(all.back());
  log::info("resumed from {} (step {}, epoch {}, batch {})", all.back().string(), m_step, m_epoch,
            m_batchIndex);
  return true;
}

bool Trainer::restoreBest() {
  if (m_checkpointDir.empty()) return false;
  const auto best = m_checkpointDir / "best.pt";
  if (!std::filesystem::exists(best)) return false;
  nn::loadWeights(m_model, best.string());
  return true;
}

}  // namespace understudy::train
