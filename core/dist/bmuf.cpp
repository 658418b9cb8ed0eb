#include "core/dist/bmuf.h"

#include <fmt/format.h>

#include "core/dist/flat_parameters.h"
#include "core/util/error.h"
#include "core/util/log.h"

namespace understudy::dist {

Bmuf::Bmuf(std::shared_ptr<Communicator> comm, train::BmufConfig config)
    : CollectiveSynchroniser(std::move(comm)), m_config(config) {}

double Bmuf::etaForBlock(std::int64_t index) const {
  if (index < m_config.warmupBlocks) return 0.0;
  if (m_config.blockMomentum < 0) return 1.0 - 1.0 / static_cast<double>(worldSize());
  return m_config.blockMomentum;
}

torch::Tensor Bmuf::startPoint() const {
  // The look-ahead uses the momentum of the block about to start (index
  // m_blocksDone): the part of its update that is already known.
  if (!m_config.nesterov) return m_global;
  return m_global + etaForBlock(m_blocksDone) * m_delta;
}

void Bmuf::begin(const std::vector<torch::Tensor>& params) {
  CollectiveSynchroniser::begin(params);  // every rank holds rank 0's weights
  if (!m_global.defined()) {
    // A fresh run, or a checkpoint without BMUF state: the broadcast weights
    // are the global model, with no momentum yet.
    m_global = flattenValues(params);
    m_delta = torch::zeros_like(m_global);
    m_blocksDone = 0;
    m_localSteps = 0;
    return;
  }
  // Resumed (or run() again): the block starts from its start point on every
  // rank. A block cut short by a mid-block checkpoint starts over: the other
  // ranks' local models were not saved.
  if (m_localSteps > 0)
    log::info("bmuf: resumed {} steps into block {}; the block starts over from its start point",
              m_localSteps, m_blocksDone + 1);
  m_localSteps = 0;
  assignValues(startPoint(), params);
}

bool Bmuf::agreeToStop(bool localWantsStop) {
  m_stopWanted = m_stopWanted || localWantsStop;
  if (m_localSteps != 0) return false;  // inside a block: no communication
  const bool stop = CollectiveSynchroniser::agreeToStop(m_stopWanted);
  m_stopWanted = false;
  return stop;
}

void Bmuf::settleBlock(const std::vector<torch::Tensor>& params) {
  torch::NoGradGuard noGrad;
  torch::Tensor average = flattenValues(params);
  m_comm->allreduceSum(average);
  average.div_(static_cast<double>(worldSize()));
  // G = W_bar - (this block's start point): what the ranks' local steps
  // moved, on average. With Nesterov momentum the start point is
  // W_g + eta * Delta, and that look-ahead is not part of G: measured from
  // W_g instead, G would hold eta * Delta again, and the filter
  // Delta <- eta * Delta + zeta * G would carry eta * (1 + zeta) of the old
  // momentum into the new (1.0 for two ranks at the defaults): momentum that
  // never decays, and a model that drifts ever faster. startPoint() is the
  // block's start, bit for bit: neither W_g, Delta nor the block index has
  // changed since the block began.
  const torch::Tensor& blockGradient = average.sub_(startPoint());
  m_delta.mul_(etaForBlock(m_blocksDone)).add_(blockGradient, m_config.blockLr);
  m_global.add_(m_delta);
  ++m_blocksDone;
  m_localSteps = 0;
}

void Bmuf::afterOptimizerStep(const std::vector<torch::Tensor>& params, std::int64_t step) {
  if (!m_global.defined()) throw US_ERROR("bmuf: afterOptimizerStep before begin (trainer bug)");
  ++m_localSteps;
  if (m_localSteps >= m_config.blockSteps) {
    settleBlock(params);
    assignValues(startPoint(), params);
  }
  (void)step;
  closeStep();
}

void Bmuf::finish(const std::vector<torch::Tensor>& params) {
  if (!m_global.defined()) return;
  if (m_localSteps > 0) settleBlock(params);
  // The delivered model is the global one (not the Nesterov look-ahead).
  assignValues(m_global, params);
}

void Bmuf::withConsensusWeights(const std::vector<torch::Tensor>& params,
                                const std::function<void()>& fn) {
  if (!m_global.defined()) {
    fn();
    return;
  }
  const torch::Tensor local = flattenValues(params);
  assignValues(m_global, params);
  try {
    fn();
  } catch (...) {
    assignValues(local, params);
    throw;
  }
  assignValues(local, params);
}

void Bmuf::saveState(torch::serialize::OutputArchive& archive) {
  if (!m_global.defined()) return;
  torch::serialize::OutputArchive bmuf;
  bmuf.write("global_model", m_global.cpu());
  bmuf.write("momentum", m_delta.cpu());
  bmuf.write("blocks_done", c10::IValue(m_blocksDone));
  bmuf.write("local_steps", c10::IValue(m_localSteps));
  archive.write("bmuf", bmuf);
}

void Bmuf::loadState(torch::serialize::InputArchive* archive,
                     const std::vector<torch::Tensor>& params, const std::filesystem::path& where) {
  torch::serialize::InputArchive bmuf;
  if (!archive || !archive->try_read("bmuf", bmuf)) {
    // A checkpoint of sync, GTC or one process: begin() takes its weights as
    // the global model, with Delta = 0.
    m_global = torch::Tensor();
    m_delta = torch::Tensor();
    m_blocksDone = 0;
    m_localSteps = 0;
    return;
  }
  torch::Tensor global, delta;
  c10::IValue blocks, local;
  if (!bmuf.try_read("global_model", global) || !bmuf.try_read("momentum", delta) ||
      !bmuf.try_read("blocks_done", blocks) || !bmuf.try_read("local_steps", local))
    throw US_ERROR(
        "checkpoint's dist/bmuf state is incomplete (global_model, momentum, blocks_done, "
        "local_steps)")
        .file(where.string())
        .hint("the checkpoint is damaged; resume from an earlier one");
  const std::int64_t elements = countElements(params);
  if (global.numel() != elements || delta.numel() != elements)
    throw US_ERROR(fmt::format("checkpoint's BMUF global model has {} elements, the model {}",
                               global.numel(), elements))
        .file(where.string())
        .hint("resume with the model config that wrote the checkpoint");
  const torch::Tensor like = params.empty() ? global : params.front();
  m_global = global.reshape({-1}).to(like.device(), like.scalar_type()).clone();
  m_delta = delta.reshape({-1}).to(like.device(), like.scalar_type()).clone();
  m_blocksDone = blocks.toInt();
  m_localSteps = local.toInt();
}

}  // namespace understudy::dist
