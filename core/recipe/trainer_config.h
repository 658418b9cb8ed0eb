// TrainerConfig: everything one training run needs, read strictly from YAML
// (unknown keys fail with key and line), validated with messages that name the
// key, its value and the allowed range (and its line), and written back as
// YAML that is stored with the run and printed when it starts. Torch-free:
// the CLI, the recipe runner and the GUI's wizard link it without LibTorch.
//
// Every key is declared once, in TrainerConfig::fields() (core/recipe/
// field_table.h): its member, default, range and help. docs/training.md
// lists the keys (`understudy-cli config keys` prints them from the table).
//
//   TrainerConfig cfg = TrainerConfig::loadFile("teacher.yaml", {"optimizer.lr=0.01"});
//   cfg.resolveUnits(numUnitsFromTargets);   // fills or checks model.num_units
//   std::cout << cfg.toYaml();
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/recipe/field_table.h"
#include "core/recipe/model_options.h"
#include "core/util/yaml_config.h"

namespace understudy::recipe {

// How the trainer cuts an epoch into batches (core/train/example_source.h).
struct BatchingOptions {
  std::int64_t maxFrames = 20000;  // padded 10 ms frames per batch (batch size x longest)
  bool bucket = true;
  int bucketWindow = 50;           // batches' worth of utterances sorted together
  bool shuffle = true;
};

// The learning-rate schedule (core/train/lr_schedule.h has the formulas,
// docs/training.md "Schedules").
struct LrScheduleConfig {
  std::string kind = "constant";  // constant | exponential | cosine | newbob
  std::int64_t warmupSteps = 0;
  double decayRate = 0.5;          // exponential: factor per decay_steps
  std::int64_t decaySteps = 1000;  // exponential
  double minLr = 0.0;              // cosine floor
  double newbobFactor = 0.5;       // newbob: multiply on a plateau
  double newbobThreshold = 0.0;    // newbob: relative improvement needed
  std::int64_t newbobPatience = 1; // newbob: plateaus in a row before halving

  static const FieldTable<LrScheduleConfig>& fields();
  void validate() const;  // errors name schedule.<key>
};

// A teacher-labeled dataset: its features and one of its soft-label sets
// (core/store/soft_label_sets.h locateSoftLabelSet picks the set).
struct SoftDataConfig {
  std::string dataset;  // a workspace dataset with features
  std::string model;    // the teacher that labeled it; "" = any
  std::string labels;   // the set's folder under WS/softlabels; "" = by model, or the dataset's only set
};

struct DataConfig {
  std::vector<std::string> train;       // labeled dataset names in the workspace (frame targets)
  std::vector<SoftDataConfig> soft;     // teacher-labeled datasets (the student's soft stream)
  std::vector<std::string> validation;  // datasets with targets, each reported as valid/<name>/...
  double validationFraction = 0.1;      // held out of `train` by a hash of the key (valid/...)
  std::string featureSet;               // feature_sets.name; empty: the dataset's complete set
  std::int64_t maxUtterances = 0;       // 0 = all; else at most this many per stream (quick experiments)
};

// Which data streams a run trains on, in what order (docs/training.md
// "Student schedules"). Objectives: cross-entropy on labeled batches,
// distillation on soft-labeled ones.
struct StreamsConfig {
  std::string kind = "labeled-only";  // labeled-only | soft-only | interleave | segregated
  int labeledBatches = 1;             // interleave: `ratio` labeled:soft, batches per cycle
  int softBatches = 4;
  double labeledLrMultiplier = 1.0;   // interleave, segregated: lr x this on labeled steps
  std::int64_t softEpochs = 1;        // segregated: soft-labeled epochs before the labeled ones

  bool trainsLabeled() const { return kind != "soft-only"; }
  bool trainsSoft() const { return kind != "labeled-only"; }
  std::string ratio() const;  // "1:4"
};

struct DistillationConfig {
  double temperature = 1.0;  // divides the student's logits in the KD loss
};

struct BpttConfig {
  std::string mode = "full";  // full | chunked
  int chunk = 40;             // model frames (30 ms) per chunk when chunked
  bool carryState = false;    // chunked: carry LSTM state across chunks (else each chunk starts from zero)
};

struct OptimizerConfig {
  std::string kind = "adam";  // adam | sgd
  double lr = 1e-3;
  double momentum = 0.9;      // sgd
  bool nesterov = false;      // sgd
  double weightDecay = 0.0;
  double beta1 = 0.9;         // adam
  double beta2 = 0.999;       // adam
  double eps = 1e-8;          // adam
};

// GTC: gradient threshold compression (docs/distributed.md "GTC").
struct GtcConfig {
  double threshold = 1e-3;       // tau: residual elements with |r| >= tau are sent as +-tau; 0 = dense (exact)
  double targetFraction = 0.01;  // adapt tau every step toward sending this fraction of elements; 0 = tau fixed
};

// BMUF: blockwise model-update filtering (docs/distributed.md "BMUF").
struct BmufConfig {
  int blockSteps = 50;           // tau_b: local optimizer steps per block
  double blockMomentum = -1.0;   // eta; < 0 = 1 - 1/N for N ranks
  double blockLr = 1.0;          // zeta
  bool nesterov = true;          // next block starts from W_g + eta Delta (else from W_g)
  int warmupBlocks = 0;          // first blocks with eta = 0
};

// How ranks combine their work when `train --workers N` (or a launcher)
// runs several; one process ignores it.
struct DistributionConfig {
  std::string algorithm = "sync";   // sync | gtc | bmuf
  std::string backend = "auto";     // auto | gloo | nccl (auto: nccl for CUDA tensors, else gloo)
  double timeoutSeconds = 120.0;    // a collective waiting longer fails the job (a stalled rank)
  double connectTimeoutSeconds = 120.0;  // all ranks must have joined the rendezvous by then
  // train --workers: a rank silent on its heartbeat this long has stalled
  // and stops the job (ranks beat every second); 0 = off.
  double heartbeatSeconds = 10.0;
  GtcConfig gtc;
  BmufConfig bmuf;
};

struct TrainerConfig {
  std::string name = "model";   // model name (models.name, WS/models/<name>/)
  std::string role = "teacher"; // teacher | student | baseline
  DataConfig data;
  std::string modelPreset;      // the preset the model section started from ("" = none)
  ModelOptions model;
  BatchingOptions batching;
  BpttConfig bptt;
  StreamsConfig streams;
  DistillationConfig distillation;
  OptimizerConfig optimizer;
  LrScheduleConfig schedule;
  double gradClip = 5.0;              // max global grad norm; 0 = off
  std::int64_t validateEvery = 200;   // steps; 0 = only at the end
  std::int64_t patience = 0;          // early stopping: validations without improvement; 0 = off
  std::int64_t maxSteps = 1000;       // 0 = no step limit (then max_epochs must be set)
  std::int64_t maxEpochs = 0;         // 0 = no epoch limit
  int threads = 2;                    // intra-op threads; 0 = all cores (bench/train: 2 beat 1 by 1.3-1.4x)
  std::uint64_t seed = 1;
  std::int64_t checkpointEvery = 500; // steps; 0 = only at the end / on cancel
  int keepCheckpoints = 3;
  bool keepBest = true;               // final model = best validation loss, not the last step
  std::int64_t logEvery = 1;          // steps between metric rows
  DistributionConfig distribution;

  // Where model.num_units came from (for the units-mismatch error).
  std::string sourceFile;
  std::optional<long> numUnitsLine;

  // The keys, sections and rules; keys() lists them with defaults, ranges and help.
  static const FieldTable<TrainerConfig>& fields();

  void validate() const;
  std::string toYaml() const;
  static TrainerConfig fromYaml(YamlSection& s);
  // `overrides`: --set KEY=VALUE, applied as if the file held them (an error
  // about one names the --set).
  static TrainerConfig loadFile(const std::string& path, const std::vector<std::string>& overrides = {});
  static TrainerConfig loadString(const std::string& text, const std::string& name = "<string>",
                                  const std::vector<std::string>& overrides = {});
  // Sets model.num_units to the targets' inventory size, or, if the config set
  // it, throws naming model.num_units and its line when the two differ.
  void resolveUnits(int numUnitsOfTargets);
};

// One key whose value differs between two configs, as written by toYaml().
struct ConfigDifference {
  std::string key;     // "optimizer.lr"
  std::string before;  // the checkpoint's value ("(absent)" if it has none)
  std::string after;   // this run's value
};

// The keys whose values `train --resume` may change (docs/training.md
// "What a resumed run may change" gives the reason for each). max_steps is
// among them unless the schedule is cosine, whose decay spans max_steps.
std::vector<std::string> resumableKeys(const TrainerConfig& config);

// Every key of toYaml() whose value differs between the config a checkpoint
// was written with and the config of the run resuming it, except
// resumableKeys(now), in toYaml() order.
std::vector<ConfigDifference> resumeConfigDifferences(const TrainerConfig& saved,
                                                      const TrainerConfig& now);

}  // namespace understudy::recipe
