// The trainer: frame-level training of an AcousticModel: the teacher on
// labeled data, the student on labeled and teacher-labeled (soft) data by
// one of the schedules of docs/training.md "Student schedules".
//
// run() is the loop: pick the next step's stream, objective and learning-rate
// multiplier (nextStep), take that stream's next batch, trainStep() it, record metrics,
// validate every `validation.every` steps (frame accuracy, CE; drives newbob
// and early stopping), checkpoint every `checkpoint.every` steps.
// trainStep(batch, objective, lrScale) is one step: forward, the objective's
// masked mean loss over the valid model frames (objective.h; padded frames
// contribute exactly nothing), backward, clip the global gradient norm, set
// the scheduled learning rate times lrScale, step the optimizer. Metrics per
// step go to the workspace db (RunStore, batched), the JSON-lines event
// stream and a ProgressSink.
//
// Checkpoints (WS/models/<name>/checkpoints/ckpt-<step>.pt, atomic) hold the
// model, optimizer, scheduler and early-stopping state, the step, every data
// stream's position (batch_stream.h: epoch + batch index into that epoch's
// seeded order) and the RNG state. The RNG is re-seeded from (seed, step) before every step, so dropout
// masks depend on the step alone and a resumed run repeats the straight run
// bit for bit at a fixed thread count.
//
//   Trainer trainer(cfg, {labeled, soft, validation, validationSets}, checkpointDir);
//   trainer.setSinks({&progress, &events, &runStore, runId});
//   if (resume) trainer.resumeFromLatest();
//   TrainResult r = trainer.run();
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/nn/acoustic_model.h"
#include "core/store/run_store.h"
#include "core/train/batch.h"
#include "core/train/batch_stream.h"
#include "core/train/example_source.h"
#include "core/train/lr_schedule.h"
#include "core/train/objective.h"
#include "core/train/trainer_config.h"
#include "core/train/update_synchroniser.h"
#include "core/util/events.h"
#include "core/util/progress.h"

namespace understudy::train {

// glibc malloc settings the trainer applies (tuneAllocator) and the
// bench passes to python as MALLOC_MMAP_THRESHOLD_ / MALLOC_TRIM_THRESHOLD_.
inline constexpr int kMallocMmapThreshold = 64 << 20;
inline constexpr int kMallocTrimThreshold = 256 << 20;
void tuneAllocator();

struct ValidationResult {
  double loss = 0.0;
  double accuracy = 0.0;
  std::int64_t frames = 0;
  double sumLoss = 0.0;      // loss x frames
  std::int64_t correct = 0;  // accuracy x frames
};

struct TrainResult {
  std::int64_t steps = 0;        // steps done in total (including before a resume)
  std::int64_t epochs = 0;       // completed epochs
  std::string stopReason;        // "max_steps", "max_epochs", "early_stopping", "cancelled"
  bool cancelled = false;
  ValidationResult lastValidation;
  double bestValidationLoss = 0.0;
  std::int64_t bestStep = -1;
  double seconds = 0.0;
  double framesPerSecond = 0.0;  // 10 ms input frames per second of training
};

// What one training step did.
struct StepResult {
  LossResult loss;
  double lr = 0.0;        // the learning rate used: the scheduled rate x lrScale
  double gradNorm = 0.0;  // global L2 gradient norm before clipping
};

// What run() trained at one step, for observers (tests, tools).
struct StepRecord {
  std::int64_t step = 0;        // the step just completed (1-based, as the metrics)
  std::string stream;           // "labeled" or "soft"
  std::string objective;        // "ce" or "kd"
  double lrScale = 1.0;         // the schedule's multiplier for this step
  double optimizerLr = 0.0;     // the learning rate the optimizer's parameter groups held
  std::vector<std::string> keys;  // the batch's utterance keys
  StreamPosition position;      // the stream's position the batch was taken from
};

struct TrainerSinks {
  ProgressSink* progress = nullptr;
  EventWriter* events = nullptr;
  RunStore* runs = nullptr;
  std::int64_t runId = 0;
};

// The names of the data streams (checkpoints save positions by name).
inline constexpr const char* kLabeledStream = "labeled";
inline constexpr const char* kSoftStream = "soft";

// A dataset the trainer validates on by name (metrics valid/<name>/...).
struct NamedExampleSource {
  std::string name;
  std::shared_ptr<const ExampleSource> source;
};

// What a run learns from and is measured on.
struct TrainingData {
  std::shared_ptr<const ExampleSource> labeled;     // frame targets (cross-entropy)
  std::shared_ptr<const ExampleSource> soft;        // soft targets (distillation); null: none
  // valid/loss, valid/frame_accuracy: newbob, early stopping and best.pt
  // follow it. Null: the validation sets together, if any.
  std::shared_ptr<const ExampleSource> validation;
  std::vector<NamedExampleSource> validationSets;   // each reported as valid/<name>/...
};

class Trainer {
 public:
  // `validation` may be null (no validation). `checkpointDir` may be empty
  // (no checkpoints). The config must have model.num_units resolved.
  Trainer(TrainerConfig config, std::shared_ptr<const ExampleSource> train,
          std::shared_ptr<const ExampleSource> validation, std::filesystem::path checkpointDir);
  // The streams follow config.streams.kind: the labeled stream (`labeled`)
  // unless soft-only, the soft stream (`soft`, seed mixSeed(seed, 1)) unless
  // labeled-only; `data.soft` must be given exactly when a soft stream is.
  // `data.labeled` is needed in every case (units, dimensions).
  Trainer(TrainerConfig config, TrainingData data, std::filesystem::path checkpointDir);
  ~Trainer();

  void setSinks(const TrainerSinks& sinks) { m_sinks = sinks; }
  // Distributed training (docs/distributed.md): the synchroniser's hooks run
  // at every step, each data stream takes this rank's shard of its batches,
  // and only rank 0 writes checkpoints and best.pt. Call before resuming or
  // running. Without one: LocalSynchroniser (one process).
  void setSynchroniser(std::shared_ptr<UpdateSynchroniser> synchroniser);
  const UpdateSynchroniser& synchroniser() const { return *m_sync; }
  // Called after every step of run() with what it trained (tests, tools).
  void setStepObserver(std::function<void(const StepRecord&)> observer) { m_stepObserver = std::move(observer); }
  // Trains until max_steps / max_epochs / early stopping / cancel, or until
  // `stopAtStep` (> 0) is reached (then a checkpoint is written; tests).
  TrainResult run(std::int64_t stopAtStep = 0);
  // Frame accuracy and CE on the validation data (TrainingData::validation,
  // or else every validation set together), in eval mode.
  ValidationResult validate();
  // The same on one source.
  ValidationResult validateOn(const ExampleSource& source);
  // One optimizer step on `batch` (docs/training.md "One step"): re-seeds
  // the CPU generator from (seed, step()), sets the learning rate to the
  // scheduled rate x `lrScale`, runs the model in training mode, takes
  // `objective`'s loss, backpropagates, clips, steps the optimizer; step()
  // is one more afterwards. A non-finite loss throws before the optimizer
  // step (naming the step, the learning rate and the batch's first
  // utterance). Does not move the data position: run() does that. With
  // bptt.carry_state the batch holds whole utterances and runs in chunks of
  // bptt.chunk model frames, each from the state the previous one left
  // (truncated BPTT), gradients summed over the chunks: still one step.
  StepResult trainStep(const Batch& batch, const Objective& objective, double lrScale = 1.0);

  // Writes ckpt-<step>.pt atomically and prunes to `checkpoint.keep`.
  // Collective when distributed: every rank calls it, rank 0 writes (the
  // others get an empty path).
  std::filesystem::path saveCheckpoint();
  // Refuses (understudy::Error naming the file) a checkpoint written for
  // another architecture (the first tensor missing, extra or of another
  // shape) or with a config that differs beyond resumableKeys(); the model
  // is left untouched then.
  void loadCheckpoint(const std::filesystem::path& path);
  // Loads the newest checkpoint in the folder; false if there is none.
  bool resumeFromLatest();
  static std::vector<std::filesystem::path> listCheckpoints(const std::filesystem::path& dir);
  // Loads best.pt (the weights of the best validation) if this run (or the
  // checkpoint it resumed) validated and there is one; false otherwise.
  bool restoreBest();
  // Removes the temp files of checkpoints (and best.pt) whose writer was
  // killed between writing and renaming; returns how many. resumeFromLatest()
  // calls it. Only safe while holding the model folder's lock.
  static std::size_t removeStaleTempFiles(const std::filesystem::path& dir);
  // Tests: called with the temp file of every checkpoint after it is written
  // and synced, before it is renamed into place (empty: none).
  static void setCheckpointWriteHookForTesting(std::function<void(const std::filesystem::path&)> hook);

  nn::AcousticModel& model() { return m_model; }
  const TrainerConfig& config() const { return m_config; }
  std::int64_t step() const { return m_step; }
  // The lead stream's epoch: the labeled stream's, or the soft stream's in
  // a soft-only run (max_epochs counts these).
  std::int64_t epoch() const { return m_batches.at(0).position().epoch; }
  // The data streams and their positions, the lead stream first (the
  // teacher has one: "labeled").
  const BatchStream& batches() const { return m_batches; }
  // The learning rate the optimizer holds now (the last step's).
  double optimizerLr() const;
  // The run id stored in the last loaded checkpoint (0 if none).
  std::int64_t checkpointRunId() const { return m_runIdAtCheckpoint; }
  int threads() const;

 private:
  // What the next step trains on: which stream, with which objective and
  // learning-rate multiplier (docs/training.md "Student schedules"); from
  // the step number and the streams' positions alone.
  struct NextStep {
    std::size_t stream = 0;
    const Objective* objective = nullptr;
    double lrScale = 1.0;
  };
  NextStep nextStep() const;
  // Forward and backward of one batch: the whole utterances at once, or
  // (bptt.carry_state) chunk by chunk with the LSTM state carried.
  LossResult lossAndBackward(const Batch& batch, const Objective& objective);
  LossResult carriedStateLossAndBackward(const Batch& batch, const Objective& objective);
  [[noreturn]] void throwNonFiniteLoss(double value, double lr, const Batch& batch);
  static constexpr std::size_t kNoStream = static_cast<std::size_t>(-1);
  // Why the run stops before the next step ("" to go on). Starts the first
  // stream's next epoch when its current one is done.
  std::string stopReasonBeforeStep(std::int64_t stopAtStep);
  // Steps run() expects to take, for the progress total.
  std::int64_t expectedSteps() const;
  // The step's train/* metrics (every log_every steps), and dist/* ones when distributed.
  void recordStepMetrics(const StepResult& s, const NextStep& next, std::int64_t inputFrames, double seconds);
  void recordSyncMetrics(double stepSeconds);
  // Validates (validate() and every validation set), records the metrics;
  // true when early stopping fires.
  bool validateAndRecord(bool periodic);
  double applyLearningRate(double scale);
  // Records a validation and tracks the best (best.pt). Periodic ones also
  // drive newbob and early stopping: true when early stopping fires.
  bool noteValidation(const ValidationResult& v, bool periodic);
  void flushMetrics();
  void recordMetric(const std::string& name, double value);

  TrainerConfig m_config;
  std::shared_ptr<const ExampleSource> m_train;
  std::shared_ptr<const ExampleSource> m_soft;
  std::shared_ptr<const ExampleSource> m_validation;
  std::vector<NamedExampleSource> m_validationSets;
  std::filesystem::path m_checkpointDir;
  TrainerSinks m_sinks;
  std::function<void(const StepRecord&)> m_stepObserver;
  std::shared_ptr<UpdateSynchroniser> m_sync = std::make_shared<LocalSynchroniser>();
  nn::AcousticModel m_model{nullptr};
  std::unique_ptr<torch::optim::Optimizer> m_optimizer;
  LrScheduler m_scheduler;
  CrossEntropyObjective m_crossEntropy;
  DistillationObjective m_distillation;
  std::size_t m_labeledStream = kNoStream;  // index in m_batches
  std::size_t m_softStream = kNoStream;

  // Position and state that checkpoints carry.
  std::int64_t m_step = 0;
  BatchStream m_batches;  // every data stream's position
  double m_bestValidLoss = 1e300;
  std::int64_t m_bestStep = -1;
  std::int64_t m_badValidations = 0;
  std::int64_t m_runIdAtCheckpoint = 0;

  std::vector<MetricPoint> m_pending;
  ValidationResult m_lastValidation;
  // 10 ms input frames trained on since the last logged step (train/input_frames).
  // Not in checkpoints: a resumed run counts from its own first step.
  std::int64_t m_framesSinceLog = 0;
};

}  // namespace understudy::train
