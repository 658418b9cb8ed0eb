#include "core/train/trainer.h"

#include <fmt/format.h>
#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <thread>

#include "core/util/error.h"
#include "core/util/log.h"

namespace understudy::train {

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

}  // namespace

void tuneAllocator() {
  // Autograd frees and re-allocates MB-sized temporaries every time step.
  // With glibc's default (dynamic) mmap threshold many of them come from fresh
  // mmap()s, and every page of them faults on first touch: measured 2.8x
  // slower LSTM steps in python3-torch (docs/performance.md "train"). Keep
  // them on the heap and keep the heap.
  mallopt(M_MMAP_THRESHOLD, kMallocMmapThreshold);
  mallopt(M_TRIM_THRESHOLD, kMallocTrimThreshold);
}

Batch collateBatch(const std::vector<TrainingExample>& examples, int subsample) {
  if (examples.empty()) throw US_ERROR("empty batch");
  const std::int64_t batchSize = static_cast<std::int64_t>(examples.size());
  const int dims = examples.front().dims;
  int longest = 0;
  for (const auto& e : examples) {
    if (e.dims != dims)
      throw US_ERROR(fmt::format("feature dimension {} differs from {}", e.dims, dims)).utterance(e.key);
    longest = std::max(longest, e.frames);
  }
  const std::int64_t outFrames = (longest + subsample - 1) / subsample;
  Batch b;
  b.features = torch::zeros({batchSize, longest, dims}, torch::kFloat32);
  b.lengths = torch::empty({batchSize}, torch::kInt64);
  b.targets = torch::full({batchSize, outFrames}, -1, torch::kInt64);
  float* feats = b.features.data_ptr<float>();
  auto* lengths = b.lengths.data_ptr<std::int64_t>();
  auto* targets = b.targets.data_ptr<std::int64_t>();
  for (std::int64_t i = 0; i < batchSize; ++i) {
    const auto& e = examples[static_cast<std::size_t>(i)];
    std::copy(e.feats, e.feats + static_cast<std::size_t>(e.frames) * dims,
              feats + i * longest * dims);
    lengths[i] = e.frames;
    b.inputFrames += e.frames;
    const std::int64_t valid =
        std::min<std::int64_t>((e.frames + subsample - 1) / subsample,
                               static_cast<std::int64_t>(e.targets.size()));
    for (std::int64_t j = 0; j < valid; ++j) targets[i * outFrames + j] = e.targets[static_cast<std::size_t>(j)];
  }
  return b;
}

LossResult maskedCrossEntropy(const torch::Tensor& logits, const torch::Tensor& outLengths,
                              const torch::Tensor& targets) {
  const std::int64_t frames = std::min(logits.size(1), targets.size(1));
  const std::int64_t units = logits.size(2);
  auto t = targets.narrow(1, 0, frames);
  auto positions = torch::arange(frames, torch::kInt64).unsqueeze(0);
  auto mask = (t >= 0) & (positions < outLengths.to(torch::kInt64).unsqueeze(1));
  // Select the valid frames: padded positions are not in the graph at all, so
  // they add exactly zero to the loss and to every gradient.
  auto index = mask.reshape({-1}).nonzero().squeeze(1);
  auto selected = logits.narrow(1, 0, frames).reshape({-1, units}).index_select(0, index);
  auto selectedTargets = t.reshape({-1}).index_select(0, index);
  LossResult r;
  r.frames = index.size(0);
  if (r.frames == 0) {
    r.loss = logits.sum() * 0.0;
    return r;
  }
  r.loss = torch::nn::functional::cross_entropy(selected, selectedTargets);
  {
    torch::NoGradGuard noGrad;
    r.correct = selected.argmax(1).eq(selectedTargets).sum().item<std::int64_t>();
    r.sumLoss = r.loss.item<double>() * static_cast<double>(r.frames);
  }
  return r;
}

Trainer::Trainer(TrainerConfig config, std::shared_ptr<const ExampleSource> train,
                 std::shared_ptr<const ExampleSource> validation, std::filesystem::path checkpointDir)
    : m_config(std::move(config)),
      m_train(std::move(train)),
      m_validation(std::move(validation)),
      m_checkpointDir(std::move(checkpointDir)),
      m_scheduler(m_config.schedule, m_config.optimizer.lr, m_config.maxSteps) {
  if (!m_train || m_train->size() == 0)
    throw US_ERROR("no training utterances").hint("check data.train and the targets of its datasets");
  m_config.resolveUnits(m_train->numUnits());
  m_config.validate();
  if (m_train->dims() != m_config.model.input_dim())
    throw US_ERROR(fmt::format("features have {} dims but model.input_dim is {}", m_train->dims(),
                               m_config.model.input_dim()))
        .key("model.input_dim");
  if (m_validation && m_validation->numUnits() != m_train->numUnits())
    throw US_ERROR("validation targets use a different unit inventory than the training targets");

  const int threads = m_config.threads > 0
                          ? m_config.threads
                          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  torch::set_num_threads(threads);
  tuneAllocator();

  if (m_config.bptt.mode == "chunked")
    m_train = std::make_shared<ChunkedExampleSource>(m_train, m_config.bptt.chunk,
                                                     static_cast<int>(m_config.model.subsample()));
  m_trainLengths.resize(m_train->size());
  for (std::size_t i = 0; i < m_train->size(); ++i) m_trainLengths[i] = m_train->frames(i);

  // The initial weights depend on the seed only.
  torch::manual_seed(m_config.seed);
  m_model = nn::AcousticModel(m_config.model);
  const auto& o = m_config.optimizer;
  if (o.kind == "adam") {
    m_optimizer = std::make_unique<torch::optim::Adam>(
        m_model->parameters(), torch::optim::AdamOptions(o.lr)
                                   .betas({o.beta1, o.beta2})
                                   .eps(o.eps)
                                   .weight_decay(o.weightDecay));
  } else {
    m_optimizer = std::make_unique<torch::optim::SGD>(
        m_model->parameters(), torch::optim::SGDOptions(o.lr)
                                   .momentum(o.momentum)
                                   .nesterov(o.nesterov)
                                   .weight_decay(o.weightDecay));
  }
}

Trainer::~Trainer() = default;

int Trainer::threads() const { return torch::get_num_threads(); }

double Trainer::applyLearningRate() {
  const double lr = m_scheduler.lrAt(m_step);
  for (auto& group : m_optimizer->param_groups()) group.options().set_lr(lr);
  return lr;
}

void Trainer::recordMetric(const std::string& name, double value) {
  const double now = nowSeconds();
  if (m_sinks.runs) m_pending.push_back({m_step, name, value, now});
  if (m_sinks.events) m_sinks.events->metric(name, m_step, value);
}

void Trainer::flushMetrics() {
  if (m_sinks.runs && !m_pending.empty()) m_sinks.runs->addMetrics(m_sinks.runId, m_pending);
  m_pending.clear();
}

ValidationResult Trainer::validate() {
  ValidationResult r;
  if (!m_validation || m_validation->size() == 0) return r;
  torch::NoGradGuard noGrad;
  m_model->eval();
  std::vector<int> lengths(m_validation->size());
  for (std::size_t i = 0; i < lengths.size(); ++i) lengths[i] = m_validation->frames(i);
  BatchingOptions opts = m_config.batching;
  opts.shuffle = false;
  const int subsample = static_cast<int>(m_config.model.subsample());
  double sumLoss = 0.0;
  std::int64_t correct = 0;
  for (const auto& indices : planEpochBatches(lengths, opts, 0, 0)) {
    std::vector<TrainingExample> examples;
    for (auto i : indices) examples.push_back(m_validation->get(i));
    Batch b = collateBatch(examples, subsample);
    auto [logits, outLengths] = m_model->forward(b.features, b.lengths);
    LossResult l = maskedCrossEntropy(logits, outLengths, b.targets);
    sumLoss += l.sumLoss;
    correct += l.correct;
    r.frames += l.frames;
  }
  m_model->train();
  if (r.frames > 0) {
    r.loss = sumLoss / static_cast<double>(r.frames);
    r.accuracy = static_cast<double>(correct) / static_cast<double>(r.frames);
  }
  return r;
}

TrainResult Trainer::run(std::int64_t stopAtStep) {
  TrainResult result;
  m_model->train();
  const int subsample = static_cast<int>(m_config.model.subsample());
  auto plan = planEpochBatches(m_trainLengths, m_config.batching, m_config.seed, m_epoch);
  const std::int64_t startStep = m_step;
  std::int64_t total = 0;
  if (m_config.maxSteps > 0) total = m_config.maxSteps - startStep;
  else total = m_config.maxEpochs * static_cast<std::int64_t>(plan.size()) -
               (m_epoch * static_cast<std::int64_t>(plan.size()) + m_batchIndex);
  ProgressTracker progress(m_sinks.progress, "train", std::max<std::int64_t>(0, total), "step");
  const auto start = Clock::now();
  auto lastFlush = Clock::now();
  std::int64_t framesDone = 0;
  double stepSeconds = 0.0;
  bool validatedAtCurrentStep = false;
  const double clip = m_config.gradClip > 0 ? m_config.gradClip
                                            : std::numeric_limits<double>::infinity();

  while (true) {
    if (m_config.maxSteps > 0 && m_step >= m_config.maxSteps) {
      result.stopReason = "max_steps";
      break;
    }
    if (stopAtStep > 0 && m_step >= stopAtStep) {
      result.stopReason = "stop_at_step";
      break;
    }
    // A run that ended at max_epochs was checkpointed at (max_epochs, batch
    // 0): resumed, it has nothing left to do.
    if (m_config.maxEpochs > 0 && m_epoch >= m_config.maxEpochs) {
      result.stopReason = "max_epochs";
      break;
    }
    if (m_batchIndex >= static_cast<std::int64_t>(plan.size())) {
      ++m_epoch;
      m_batchIndex = 0;
      if (m_config.maxEpochs > 0 && m_epoch >= m_config.maxEpochs) {
        result.stopReason = "max_epochs";
        break;
      }
      plan = planEpochBatches(m_trainLengths, m_config.batching, m_config.seed, m_epoch);
    }
    if (progress.cancelled()) {
      result.stopReason = "cancelled";
      result.cancelled = true;
      break;
    }

    const auto stepStart = Clock::now();
    std::vector<TrainingExample> examples;
    for (auto i : plan[static_cast<std::size_t>(m_batchIndex)]) examples.push_back(m_train->get(i));
    Batch batch = collateBatch(examples, subsample);
    // Dropout masks depend on (seed, step) only: resume-safe.
    torch::manual_seed(mixSeed(m_config.seed, static_cast<std::uint64_t>(m_step) + 1));
    const double lr = applyLearningRate();
    m_optimizer->zero_grad();
    auto [logits, outLengths] = m_model->forward(batch.features, batch.lengths);
    LossResult loss = maskedCrossEntropy(logits, outLengths, batch.targets);
    if (!std::isfinite(loss.loss.item<double>())) {
      // Stop before the step: the weights and the last checkpoint stay usable.
      flushMetrics();
      throw US_ERROR(fmt::format("training loss is {} at step {} (lr {:.3g})",
                                 loss.loss.item<double>(), m_step + 1, lr))
          .utterance(examples.front().key)
          .hint("lower optimizer.lr or grad_clip, then continue from the last checkpoint with --resume");
    }
    loss.loss.backward();
    const double gradNorm = torch::nn::utils::clip_grad_norm_(m_model->parameters(), clip);
    m_optimizer->step();
    ++m_step;
    ++m_batchIndex;
    validatedAtCurrentStep = false;
    const double seconds = secondsSince(stepStart);
    stepSeconds += seconds;
    framesDone += batch.inputFrames;

    const double accuracy =
        loss.frames > 0 ? static_cast<double>(loss.correct) / static_cast<double>(loss.frames) : 0.0;
    const double fps = seconds > 0 ? static_cast<double>(batch.inputFrames) / seconds : 0.0;
    if (m_step % m_config.logEvery == 0) {
      recordMetric("train/loss", loss.loss.item<double>());
      recordMetric("train/frame_accuracy", accuracy);
      recordMetric("train/lr", lr);
      recordMetric("train/frames_per_second", fps);
      recordMetric("train/grad_norm", gradNorm);
    }
    if (!std::isfinite(gradNorm))
      log::warning("step {}: gradient norm is {} (the step was still taken)", m_step, gradNorm);
    progress.set(m_step - startStep,
                 fmt::format("step {}  loss {:.3f}  acc {:.1f}%  {:.0f} frames/s", m_step,
                             loss.loss.item<double>(), 100.0 * accuracy,
                             stepSeconds > 0 ? static_cast<double>(framesDone) / stepSeconds : 0.0));

    bool stop = false;
    if (m_config.validateEvery > 0 && m_step % m_config.validateEvery == 0 && m_validation) {
      ValidationResult v = validate();
      validatedAtCurrentStep = true;
      m_lastValidation = v;
      recordMetric("valid/loss", v.loss);
      recordMetric("valid/frame_accuracy", v.accuracy);
      if (m_scheduler.onValidation(v.loss))
        log::info("step {}: validation loss {:.4f} did not improve; learning rate now {:.3g}", m_step,
                  v.loss, m_scheduler.lrAt(m_step));
      if (v.loss < m_bestValidLoss) {
        m_bestValidLoss = v.loss;
        m_bestStep = m_step;
        m_badValidations = 0;
        if (m_config.keepBest && !m_checkpointDir.empty()) {
          std::filesystem::create_directories(m_checkpointDir);
          nn::saveWeights(m_model, (m_checkpointDir / "best.pt").string());
        }
      } else if (m_config.patience > 0 && ++m_badValidations >= m_config.patience) {
        result.stopReason = "early_stopping";
        stop = true;
      }
      flushMetrics();
      lastFlush = Clock::now();
    }
    if (m_config.checkpointEvery > 0 && m_step % m_config.checkpointEvery == 0 &&
        !m_checkpointDir.empty()) {
      flushMetrics();
      saveCheckpoint();
    }
    if (m_pending.size() >= 500 || secondsSince(lastFlush) > 2.0) {
      flushMetrics();
      lastFlush = Clock::now();
    }
    if (stop) break;
  }

  // A last validation for the final weights, unless this step was just validated.
  if (!result.cancelled && result.stopReason != "stop_at_step" && m_validation &&
      !validatedAtCurrentStep && m_step > startStep) {
    ValidationResult v = validate();
    m_lastValidation = v;
    recordMetric("valid/loss", v.loss);
    recordMetric("valid/frame_accuracy", v.accuracy);
    if (v.loss < m_bestValidLoss) {
      m_bestValidLoss = v.loss;
      m_bestStep = m_step;
      if (m_config.keepBest && !m_checkpointDir.empty()) {
        std::filesystem::create_directories(m_checkpointDir);
        nn::saveWeights(m_model, (m_checkpointDir / "best.pt").string());
      }
    }
  }
  flushMetrics();
  if (!m_checkpointDir.empty() && (m_step > startStep || result.cancelled)) saveCheckpoint();

  result.steps = m_step;
  result.epochs = m_epoch;
  result.lastValidation = m_lastValidation;
  result.bestValidationLoss = m_bestValidLoss;
  result.bestStep = m_bestStep;
  result.seconds = secondsSince(start);
  result.framesPerSecond = stepSeconds > 0 ? static_cast<double>(framesDone) / stepSeconds : 0.0;
  progress.finish(fmt::format("step {}  {}  valid acc {:.1f}%", m_step, result.stopReason,
                              100.0 * m_lastValidation.accuracy));
  return result;
}

}  // namespace understudy::train
