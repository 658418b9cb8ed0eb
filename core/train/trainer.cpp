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

Trainer::Trainer(TrainerConfig config, std::shared_ptr<const ExampleSource> train,
                 std::shared_ptr<const ExampleSource> validation, std::filesystem::path checkpointDir)
    : Trainer(std::move(config), TrainingData{std::move(train), nullptr, std::move(validation), {}},
              std::move(checkpointDir)) {}

Trainer::Trainer(TrainerConfig config, TrainingData data, std::filesystem::path checkpointDir)
    : m_config(std::move(config)),
      m_train(std::move(data.labeled)),
      m_soft(std::move(data.soft)),
      m_validation(std::move(data.validation)),
      m_validationSets(std::move(data.validationSets)),
      m_checkpointDir(std::move(checkpointDir)),
      m_scheduler(m_config.schedule, m_config.optimizer.lr, m_config.maxSteps),
      m_distillation(m_config.distillation.temperature) {
  if (!m_train || m_train->size() == 0)
    throw US_ERROR("no training utterances").hint("check data.train and the targets of its datasets");
  m_config.resolveUnits(m_train->numUnits());
  m_config.validate();
  if (m_train->dims() != m_config.model.inputDim)
    throw US_ERROR(fmt::format("features have {} dims but model.input_dim is {}", m_train->dims(),
                               m_config.model.inputDim))
        .key("model.input_dim");
  const auto& streams = m_config.streams;
  if (streams.trainsSoft() && (!m_soft || m_soft->size() == 0))
    throw US_ERROR("streams.kind " + streams.kind + " trains on soft-labeled data, and there is none")
        .key("data.soft")
        .hint("name a teacher-labeled dataset: data: { soft: [{dataset: synth-unlabeled, model: TEACHER}] } "
              "(understudy-cli label makes its soft labels)");
  if (!streams.trainsSoft() && m_soft)
    throw US_ERROR("soft-labeled data given to a labeled-only run").key("streams.kind");
  if (m_soft && (m_soft->numUnits() != m_train->numUnits() || m_soft->dims() != m_train->dims()))
    throw US_ERROR(fmt::format("soft-labeled data has {} units and {}-dim features, the labeled data {} and {}",
                               m_soft->numUnits(), m_soft->dims(), m_train->numUnits(), m_train->dims()))
        .key("data.soft");
  if (m_validation && m_validation->numUnits() != m_train->numUnits())
    throw US_ERROR("validation targets use a different unit inventory than the training targets");
  for (const auto& v : m_validationSets)
    if (!v.source || v.source->numUnits() != m_train->numUnits() || v.source->dims() != m_train->dims())
      throw US_ERROR("validation set '" + v.name + "' has another unit inventory or feature dimension than the "
                     "training data")
          .key("data.validation");

  const int threads = m_config.threads > 0
                          ? m_config.threads
                          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  torch::set_num_threads(threads);
  tuneAllocator();

  // Chunked without carried state: the sources cut the utterances into
  // independent pieces. With carried state: whole utterances, chunked per step.
  if (m_config.bptt.mode == "chunked" && !m_config.bptt.carryState) {
    const int subsample = static_cast<int>(m_config.model.subsample);
    m_train = std::make_shared<ChunkedExampleSource>(m_train, m_config.bptt.chunk, subsample);
    if (m_soft) m_soft = std::make_shared<ChunkedExampleSource>(m_soft, m_config.bptt.chunk, subsample);
  }
  // The lead stream (max_epochs, epoch()) comes first: labeled, unless soft-only.
  if (streams.trainsLabeled())
    m_labeledStream = m_batches.add(DataStream(kLabeledStream, m_train, m_config.batching, m_config.seed));
  if (streams.trainsSoft())
    m_softStream = m_batches.add(DataStream(kSoftStream, m_soft, m_config.batching, mixSeed(m_config.seed, 1)));

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

void Trainer::setSynchroniser(std::shared_ptr<UpdateSynchroniser> synchroniser) {
  if (!synchroniser) synchroniser = std::make_shared<LocalSynchroniser>();
  if (m_step != 0) throw US_ERROR("the synchroniser must be set before training or resuming");
  m_sync = std::move(synchroniser);
  for (std::size_t i = 0; i < m_batches.size(); ++i) m_batches.at(i).setShard({m_sync->rank(), m_sync->worldSize()});
}

int Trainer::threads() const { return torch::get_num_threads(); }

double Trainer::optimizerLr() const {
  return m_optimizer->param_groups().front().options().get_lr();
}

double Trainer::applyLearningRate(double scale) {
  const double lr = m_scheduler.lrAt(m_step) * scale;
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

namespace {

// Several validation results as one: frames, losses and correct frames summed.
ValidationResult pooled(const std::vector<ValidationResult>& parts) {
  ValidationResult r;
  for (const auto& p : parts) {
    r.sumLoss += p.sumLoss;
    r.correct += p.correct;
    r.frames += p.frames;
  }
  if (r.frames > 0) {
    r.loss = r.sumLoss / static_cast<double>(r.frames);
    r.accuracy = static_cast<double>(r.correct) / static_cast<double>(r.frames);
  }
  return r;
}

}  // namespace

ValidationResult Trainer::validateOn(const ExampleSource& source) {
  ValidationResult r;
  if (source.size() == 0) return r;
  torch::NoGradGuard noGrad;
  m_model->eval();
  // This rank's share: every worldSize()-th utterance.
  const auto rank = static_cast<std::size_t>(m_sync->rank());
  const auto ranks = static_cast<std::size_t>(m_sync->worldSize());
  std::vector<std::size_t> mine;
  std::vector<int> lengths;
  for (std::size_t i = rank; i < source.size(); i += ranks) {
    mine.push_back(i);
    lengths.push_back(source.frames(i));
  }
  if (mine.empty()) return r;
  BatchingOptions opts = m_config.batching;
  opts.shuffle = false;
  const int subsample = static_cast<int>(m_config.model.subsample);
  for (const auto& indices : planEpochBatches(lengths, opts, 0, 0)) {
    std::vector<TrainingExample> examples;
    for (auto i : indices) examples.push_back(source.get(mine[i]));
    Batch b = collateBatch(examples, subsample);
    auto [logits, outLengths] = m_model->forward(b.features, b.lengths);
    LossResult l = maskedCrossEntropy(logits, outLengths, b.targets);
    r.sumLoss += l.sumLoss;
    r.correct += l.correct;
    r.frames += l.frames;
  }
  m_model->train();
  return pooled({r});
}

ValidationResult Trainer::validate() {
  if (m_validation) return validateOn(*m_validation);
  std::vector<ValidationResult> parts;
  for (const auto& v : m_validationSets) parts.push_back(validateOn(*v.source));
  return pooled(parts);
}

void Trainer::throwNonFiniteLoss(double value, double lr, const Batch& batch) {
  // Stop before the step: the weights and the last checkpoint stay usable.
  flushMetrics();
  Error error = US_ERROR(fmt::format("training loss is {} at step {} (lr {:.3g})", value, m_step + 1, lr));
  if (!batch.keys.empty()) error.utterance(batch.keys.front());
  throw error.hint("lower optimizer.lr or grad_clip, then continue from the last checkpoint with --resume");
}

LossResult Trainer::lossAndBackward(const Batch& batch, const Objective& objective) {
  if (m_config.bptt.carryState) return carriedStateLossAndBackward(batch, objective);
  auto [logits, outLengths] = m_model->forward(batch.features, batch.lengths);
  LossResult loss = objective.loss(logits, outLengths, batch);
  const double value = loss.loss.item<double>();
  if (!std::isfinite(value)) throwNonFiniteLoss(value, optimizerLr(), batch);
  loss.loss.backward();
  return loss;
}

namespace {

// Model frames [first, first + count) of a whole-utterance batch's targets.
Batch chunkOf(const Batch& batch, torch::Tensor features, torch::Tensor lengths, std::int64_t first,
              std::int64_t count) {
  Batch c;
  c.features = std::move(features);
  c.lengths = std::move(lengths);
  const auto cut = [&](const torch::Tensor& t) {
    if (!t.defined()) return t;
    const std::int64_t begin = std::min(first, t.size(1));
    return t.slice(1, begin, std::min(first + count, t.size(1)));
  };
  c.targets = cut(batch.targets);
  c.softIds = cut(batch.softIds);
  c.softProbs = cut(batch.softProbs);
  c.keys = batch.keys;
  return c;
}

}  // namespace

LossResult Trainer::carriedStateLossAndBackward(const Batch& batch, const Objective& objective) {
  // Truncated BPTT with carried state (docs/training.md "Chunked BPTT"):
  // each chunk starts from the values of the state the previous chunk left,
  // cut from autograd, and is backpropagated at once, so memory holds one
  // chunk's graph. Each chunk adds its summed loss; dividing the summed
  // gradients by the batch's frames gives the batch mean's gradient.
  const std::int64_t subsample = m_config.model.subsample;
  const std::int64_t modelFrames = m_config.bptt.chunk;
  const std::int64_t frames = batch.features.size(1);
  nn::StreamState state;
  LossResult total;
  for (std::int64_t first = 0; first < frames; first += subsample * modelFrames) {
    auto [features, lengths] = m_model->sliceChunk(batch.features, batch.lengths, first, subsample * modelFrames);
    nn::StreamingOutput out = m_model->forward(features, lengths, state);
    const Batch chunk = chunkOf(batch, std::move(features), std::move(lengths), first / subsample, modelFrames);
    LossResult part = objective.loss(out.logits, out.outLengths, chunk);
    if (!std::isfinite(part.sumLoss)) throwNonFiniteLoss(part.sumLoss, optimizerLr(), batch);
    if (part.frames > 0) (part.loss * static_cast<double>(part.frames)).backward();
    state = out.state.detach();
    total.frames += part.frames;
    total.correct += part.correct;
    total.sumLoss += part.sumLoss;
  }
  if (total.frames > 0) {
    const double scale = 1.0 / static_cast<double>(total.frames);
    for (auto& p : m_model->parameters())
      if (p.grad().defined()) p.grad().mul_(scale);
  }
  total.loss = torch::tensor(total.frames > 0 ? total.sumLoss / static_cast<double>(total.frames) : 0.0);
  return total;
}

StepResult Trainer::trainStep(const Batch& batch, const Objective& objective, double lrScale) {
  m_model->train();
  // Dropout masks depend on (seed, step, rank) only: resume-safe; rank 0's
  // are those of a one-process run.
  std::uint64_t seed = mixSeed(m_config.seed, static_cast<std::uint64_t>(m_step) + 1);
  if (m_sync->rank() > 0) seed = mixSeed(seed, static_cast<std::uint64_t>(m_sync->rank()));
  torch::manual_seed(seed);
  StepResult r;
  r.lr = applyLearningRate(lrScale);
  m_optimizer->zero_grad();
  r.loss = lossAndBackward(batch, objective);
  const auto params = m_model->parameters();
  m_sync->reduceGradients(params);
  const double clip = m_config.gradClip > 0 ? m_config.gradClip : std::numeric_limits<double>::infinity();
  r.gradNorm = torch::nn::utils::clip_grad_norm_(params, clip);
  m_optimizer->step();
  ++m_step;
  m_sync->afterOptimizerStep(params, m_step);
  return r;
}

bool Trainer::noteValidation(const ValidationResult& v, bool periodic) {
  m_lastValidation = v;
  recordMetric("valid/loss", v.loss);
  recordMetric("valid/frame_accuracy", v.accuracy);
  // Newbob and early stopping count the periodic validations only.
  if (periodic && m_scheduler.onValidation(v.loss))
    log::info("step {}: validation loss {:.4f} did not improve; learning rate now {:.3g}", m_step, v.loss,
              m_scheduler.lrAt(m_step));
  if (v.loss < m_bestValidLoss) {
    m_bestValidLoss = v.loss;
    m_bestStep = m_step;
    if (periodic) m_badValidations = 0;
    if (m_config.keepBest && !m_checkpointDir.empty() && m_sync->leader()) {
      std::filesystem::create_directories(m_checkpointDir);
      const auto best = m_checkpointDir / "best.pt";
      try {
        m_sync->withConsensusWeights(m_model->parameters(), [&] { nn::saveWeights(m_model, best.string()); });
      } catch (const Error& e) {
        throw US_ERROR(fmt::format("cannot save the best weights so far (step {}): {}", m_step, e.what_()))
            .file(best.string())
            .hint((e.hintText().empty() ? std::string() : e.hintText() + "; ") +
                  "the checkpoints are intact; once there is room, continue with `understudy-cli train ... --resume`");
      }
    }
    return false;
  }
  return periodic && m_config.patience > 0 && ++m_badValidations >= m_config.patience;
}

Trainer::NextStep Trainer::nextStep() const {
  const auto& st = m_config.streams;
  const NextStep labeled{m_labeledStream, &m_crossEntropy, st.labeledLrMultiplier};
  const NextStep soft{m_softStream, &m_distillation, 1.0};
  if (st.kind == "labeled-only") return labeled;
  if (st.kind == "soft-only") return soft;
  if (st.kind == "interleave") {
    // Cycles of labeledBatches labeled steps, then softBatches soft ones, from step 0.
    const std::int64_t cycle = st.labeledBatches + st.softBatches;
    return m_step % cycle < st.labeledBatches ? labeled : soft;
  }
  // segregated: soft until softEpochs soft epochs are complete, then labeled.
  const DataStream& s = m_batches.at(m_softStream);
  const std::int64_t softEpochsDone = s.position().epoch + (s.epochDone() ? 1 : 0);
  return softEpochsDone < st.softEpochs ? soft : labeled;
}

std::string Trainer::stopReasonBeforeStep(std::int64_t stopAtStep) {
  if (m_config.maxSteps > 0 && m_step >= m_config.maxSteps) return "max_steps";
  if (stopAtStep > 0 && m_step >= stopAtStep) return "stop_at_step";
  DataStream& lead = m_batches.at(0);
  const auto epochsDone = [&] { return m_config.maxEpochs > 0 && lead.position().epoch >= m_config.maxEpochs; };
  // A run that ended at max_epochs was checkpointed at (max_epochs, batch
  // 0): resumed, it has nothing left to do.
  if (epochsDone()) return "max_epochs";
  if (lead.epochDone()) {
    lead.startNextEpoch();
    if (epochsDone()) return "max_epochs";
  }
  return {};
}

void Trainer::recordStepMetrics(const StepResult& s, const NextStep& next, std::int64_t inputFrames,
                                double seconds) {
  m_framesSinceLog += inputFrames;
  if (m_step % m_config.logEvery == 0) {
    const double loss = s.loss.loss.item<double>();
    // The step's objective: CE on a labeled step, KD on a soft-labeled one.
    recordMetric("train/loss", loss);
    recordMetric("train/frame_accuracy", s.loss.accuracy());
    const std::string prefix = "train/" + m_batches.at(next.stream).name() + "/";
    const bool kd = next.objective == &m_distillation;
    recordMetric(prefix + (kd ? "kd_loss" : "loss"), loss);
    recordMetric(prefix + (kd ? "teacher_agreement" : "frame_accuracy"), s.loss.accuracy());
    recordMetric("train/lr", s.lr);
    recordMetric("train/frames_per_second", seconds > 0 ? static_cast<double>(inputFrames) / seconds : 0.0);
    recordMetric("train/grad_norm", s.gradNorm);
    // Every step's frames since the previous logged one, so that the logged
    // points add up to all the audio trained on up to this step.
    recordMetric("train/input_frames", static_cast<double>(m_framesSinceLog));
    m_framesSinceLog = 0;
  }
  if (!std::isfinite(s.gradNorm))
    log::warning("step {}: gradient norm is {} (the step was still taken)", m_step, s.gradNorm);
}

void Trainer::recordSyncMetrics(double stepSeconds) {
  if (m_sync->algorithm() == "local" || m_step % m_config.logEvery != 0) return;
  const SyncStats st = m_sync->lastStats();
  recordMetric("dist/bytes_sent", st.bytesSent);
  recordMetric("dist/bytes_received", st.bytesReceived);
  recordMetric("dist/comm_seconds", st.commSeconds);
  recordMetric("dist/compute_seconds", std::max(0.0, stepSeconds - st.commSeconds));
  if (st.fractionSent >= 0) recordMetric("dist/fraction_sent", st.fractionSent);
  if (st.threshold >= 0) recordMetric("dist/threshold", st.threshold);
}

namespace {

// Validation sums as numbers for UpdateSynchroniser::sumOverRanks, and back.
void pack(const ValidationResult& v, std::vector<double>& out) {
  out.insert(out.end(), {v.sumLoss, static_cast<double>(v.correct), static_cast<double>(v.frames)});
}

ValidationResult unpack(const std::vector<double>& in, std::size_t index) {
  ValidationResult part;
  part.sumLoss = in[3 * index];
  part.correct = static_cast<std::int64_t>(std::llround(in[3 * index + 1]));
  part.frames = static_cast<std::int64_t>(std::llround(in[3 * index + 2]));
  return pooled({part});
}

}  // namespace

bool Trainer::validateAndRecord(bool periodic) {
  // Every rank validates its share of the utterances with the consensus
  // weights; the sums over ranks give every rank the same results, so newbob
  // and early stopping decide alike everywhere.
  std::vector<double> values;
  m_sync->withConsensusWeights(m_model->parameters(), [&] {
    std::vector<ValidationResult> sets;
    for (const auto& v : m_validationSets) sets.push_back(validateOn(*v.source));
    // Without a held-out split the validation sets together are the validation (validate()).
    pack(m_validation ? validateOn(*m_validation) : pooled(sets), values);
    for (const auto& v : sets) pack(v, values);
  });
  values = m_sync->sumOverRanks(std::move(values));
  std::vector<ValidationResult> sets;
  for (std::size_t i = 0; i < m_validationSets.size(); ++i) sets.push_back(unpack(values, i + 1));
  const bool stop = noteValidation(unpack(values, 0), periodic);
  for (std::size_t i = 0; i < sets.size(); ++i) {
    recordMetric("valid/" + m_validationSets[i].name + "/loss", sets[i].loss);
    recordMetric("valid/" + m_validationSets[i].name + "/frame_accuracy", sets[i].accuracy);
  }
  return stop;
}

std::int64_t Trainer::expectedSteps() const {
  if (m_config.maxSteps > 0) return m_config.maxSteps - m_step;
  // max_epochs of the lead stream; the other stream's steps come on top.
  const DataStream& lead = m_batches.at(0);
  const auto perEpoch = static_cast<std::int64_t>(lead.batchesInEpoch());
  std::int64_t steps = m_config.maxEpochs * perEpoch - (lead.position().epoch * perEpoch + lead.position().batch);
  const auto& st = m_config.streams;
  if (st.kind == "interleave") steps = steps * (st.labeledBatches + st.softBatches) / st.labeledBatches;
  if (st.kind == "segregated") {
    const DataStream& s = m_batches.at(m_softStream);
    const auto softPerEpoch = static_cast<std::int64_t>(s.batchesInEpoch());
    steps += std::max<std::int64_t>(0, st.softEpochs * softPerEpoch -
                                           (s.position().epoch * softPerEpoch + s.position().batch));
  }
  return steps;
}

TrainResult Trainer::run(std::int64_t stopAtStep) {
  TrainResult result;
  m_model->train();
  const int subsample = static_cast<int>(m_config.model.subsample);
  // Epochs (max_epochs, the progress total, TrainResult::epochs) count the first stream's.
  const DataStream& lead = m_batches.at(0);
  const std::int64_t startStep = m_step;
  ProgressTracker progress(m_sinks.progress, "train", std::max<std::int64_t>(0, expectedSteps()), "step");
  const auto start = Clock::now();
  auto lastFlush = Clock::now();
  std::int64_t framesDone = 0;
  double stepSeconds = 0.0;
  bool validatedAtCurrentStep = false;
  m_sync->begin(m_model->parameters());

  while (true) {
    result.stopReason = stopReasonBeforeStep(stopAtStep);
    if (!result.stopReason.empty()) break;
    if (m_sync->agreeToStop(progress.cancelled())) {
      result.stopReason = "cancelled";
      result.cancelled = true;
      break;
    }

    const auto stepStart = Clock::now();
    const NextStep next = nextStep();
    DataStream& stream = m_batches.at(next.stream);
    if (stream.epochDone()) stream.startNextEpoch();  // a stream other than the lead wraps around
    const StreamPosition position = stream.position();
    const Batch batch = collateBatch(stream.examples(), subsample);
    const StepResult s = trainStep(batch, *next.objective, next.lrScale);
    stream.advance();
    validatedAtCurrentStep = false;
    const double seconds = secondsSince(stepStart);
    stepSeconds += seconds;
    framesDone += batch.inputFrames;

    recordStepMetrics(s, next, batch.inputFrames, seconds);
    recordSyncMetrics(seconds);
    if (m_stepObserver)
      m_stepObserver({m_step, stream.name(), next.objective->name(), next.lrScale, optimizerLr(), batch.keys,
                      position});
    progress.set(m_step - startStep,
                 fmt::format("step {}{}  loss {:.3f}  acc {:.1f}%  {:.0f} frames/s", m_step,
                             m_batches.size() > 1 ? " " + stream.name() : std::string(),
                             s.loss.loss.item<double>(), 100.0 * s.loss.accuracy(),
                             stepSeconds > 0 ? static_cast<double>(framesDone) / stepSeconds : 0.0));

    bool stop = false;
    if (m_config.validateEvery > 0 && m_step % m_config.validateEvery == 0 &&
        (m_validation || !m_validationSets.empty())) {
      validatedAtCurrentStep = true;
      if (validateAndRecord(/*periodic=*/true)) {
        result.stopReason = "early_stopping";
        stop = true;
      }
      flushMetrics();
      lastFlush = Clock::now();
    }
    // Not at max_steps: the checkpoint after the last validation (below) is
    // that step's, so a run killed before it resumes to validate again.
    const bool lastStep = m_config.maxSteps > 0 && m_step >= m_config.maxSteps;
    if (m_config.checkpointEvery > 0 && m_step % m_config.checkpointEvery == 0 &&
        !m_checkpointDir.empty() && !lastStep) {
      flushMetrics();
      saveCheckpoint();
    }
    if (m_pending.size() >= 500 || secondsSince(lastFlush) > 2.0) {
      flushMetrics();
      lastFlush = Clock::now();
    }
    if (stop) break;
  }

  m_sync->finish(m_model->parameters());
  // A last validation for the final weights, unless this step was just validated.
  if (!result.cancelled && result.stopReason != "stop_at_step" && (m_validation || !m_validationSets.empty()) &&
      !validatedAtCurrentStep && m_step > startStep)
    validateAndRecord(/*periodic=*/false);
  flushMetrics();
  if (!m_checkpointDir.empty() && (m_step > startStep || result.cancelled)) saveCheckpoint();

  result.steps = m_step;
  result.epochs = lead.position().epoch;
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
