#include "core/recipe/trainer_config.h"

#include <fmt/format.h>

#include <algorithm>
#include <sstream>
#include <utility>

#include "core/util/error.h"
#include "core/util/yaml_flatten.h"

namespace understudy::recipe {

namespace {

std::string quoted(const std::string& s) { return "'" + s + "'"; }

// data.soft: a list of {dataset, model, labels} maps; a plain name is {dataset: name}.
void readSoftData(YamlSection& d, DataConfig& data) {
  if (!d.has("soft")) return;
  const YAML::Node list = d.node()["soft"];
  if (!list.IsSequence())
    throw d.errorAt("soft", "must be a list of {dataset, model, labels}").hint(
        "data: { soft: [{dataset: synth-unlabeled, model: teacher-tiny}] }");
  data.soft.clear();
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string where = fmt::format("{}.soft[{}]", d.path(), i);
    SoftDataConfig item;
    if (list[i].IsScalar()) {
      item.dataset = list[i].Scalar();
    } else {
      YamlSection entry(list[i], where, d.file());
      entry.read("dataset", item.dataset);
      entry.read("model", item.model);
      entry.read("labels", item.labels);
      entry.finish();
    }
    if (item.dataset.empty())
      throw d.errorAt(list[i], "names no dataset").key(where + ".dataset").hint("{dataset: NAME, model: TEACHER}");
    data.soft.push_back(std::move(item));
  }
}

std::string softList(const std::vector<SoftDataConfig>& items) {
  std::vector<std::string> out;
  for (const auto& s : items)
    out.push_back(fmt::format("{{dataset: {}, model: {}, labels: {}}}", quoted(s.dataset), quoted(s.model),
                              quoted(s.labels)));
  return yamlValue(out);
}

// streams.ratio "L:S": L labeled batches, then S soft-labeled ones.
void readRatio(YamlSection& s, StreamsConfig& c) {
  std::string text;
  if (!s.read("ratio", text)) return;
  int labeled = 0, soft = 0;
  char colon = 0, extra = 0;
  std::istringstream in(text);
  if (!(in >> labeled >> colon >> soft) || colon != ':' || (in >> extra) || labeled < 1 || soft < 1)
    throw s.errorAt("ratio", "'" + text + "' is not LABELED:SOFT batches, both >= 1").hint("ratio: '1:4'");
  c.labeledBatches = labeled;
  c.softBatches = soft;
}

// model.preset: the preset's options, then the section's other keys override them.
void readPreset(YamlSection& s, TrainerConfig& c) {
  if (!s.read("preset", c.modelPreset) || c.modelPreset.empty()) return;
  try {
    c.model = ModelOptions::preset(c.modelPreset);
  } catch (const Error& e) {
    throw s.errorAt("preset", e.what_()).hint(e.hintText());
  }
}

const FieldTable<DataConfig>& dataFields() {
  using D = DataConfig;
  static const FieldTable<D> table =
      FieldTable<D>()
          .field("train", &D::train, "labeled datasets in the workspace (their frame targets)")
          .custom("soft", "teacher-labeled datasets: [{dataset, model, labels}] (the student's soft stream)",
                  "a list of {dataset, model, labels}; a plain name = {dataset: name}", readSoftData,
                  [](const D& d) { return std::optional<std::string>(softList(d.soft)); })
          .field("validation", &D::validation, "datasets with targets, each reported as valid/<name>/...")
          .field("validation_fraction", &D::validationFraction,
                 "share of `train` held out (by a hash of the key) as valid/...", Range::closedOpen(0, 1))
          .field("feature_set", &D::featureSet, "feature_sets.name; empty: each dataset's complete set")
          .quoted()
          .field("max_utterances", &D::maxUtterances, "at most this many utterances per stream (quick runs)",
                 Range::atLeast(0).note("0 = all"))
          .rule([](const D& d, const Scope& scope) {
            for (std::size_t i = 0; i < d.soft.size(); ++i)
              if (d.soft[i].dataset.empty()) throw scope.outOfRange(fmt::format("soft[{}].dataset", i), "''", "a dataset name");
          });
  return table;
}

const FieldTable<BatchingOptions>& batchingFields() {
  using B = BatchingOptions;
  static const FieldTable<B> table =
      FieldTable<B>()
          .field("max_frames", &B::maxFrames, "padded 10 ms frames per batch (batch size x longest utterance)",
                 Range::atLeast(1))
          .field("bucket", &B::bucket, "sort utterances of similar length into the same batches")
          .field("bucket_window", &B::bucketWindow, "batches' worth of utterances sorted together",
                 Range::atLeast(1))
          .field("shuffle", &B::shuffle, "shuffle each epoch's batches (seeded)");
  return table;
}

const FieldTable<BpttConfig>& bpttFields() {
  using B = BpttConfig;
  static const FieldTable<B> table =
      FieldTable<B>()
          .field("mode", &B::mode, "full: whole utterances; chunked: truncated BPTT (lstm only)",
                 Range::oneOf({"full", "chunked"}))
          .field("chunk", &B::chunk, "model frames (30 ms) per chunk when chunked", Range::atLeast(1))
          .field("carry_state", &B::carryState, "chunked: carry the LSTM state across chunks (else zero)");
  return table;
}

const FieldTable<StreamsConfig>& streamsFields() {
  using S = StreamsConfig;
  static const FieldTable<S> table =
      FieldTable<S>()
          .field("kind", &S::kind, "which data streams train, in what order (docs/training.md \"Student schedules\")",
                 Range::oneOf({"labeled-only", "soft-only", "interleave", "segregated"}))
          .custom("ratio", "interleave: L labeled batches, then S soft-labeled ones, per cycle",
                  "'L:S', both >= 1", readRatio,
                  [](const S& s) { return std::optional<std::string>(quoted(s.ratio())); })
          .field("labeled_lr_multiplier", &S::labeledLrMultiplier,
                 "interleave, segregated: learning rate x this on labeled steps", Range::openClosed(0, 100))
          .field("soft_epochs", &S::softEpochs, "segregated: soft-labeled epochs before the labeled ones",
                 Range::atLeast(1))
          .rule([](const S& s, const Scope& scope) {
            if (s.labeledBatches < 1 || s.softBatches < 1)
              throw scope.outOfRange("ratio", quoted(s.ratio()), "LABELED:SOFT, both >= 1");
            if (s.labeledLrMultiplier != 1.0 && s.kind != "interleave" && s.kind != "segregated")
              throw scope.outOfRange("labeled_lr_multiplier", s.labeledLrMultiplier, "1 for " + s.kind)
                  .hint("the multiplier sets labeled steps apart from soft-labeled ones; with one stream change "
                        "optimizer.lr");
          });
  return table;
}

const FieldTable<DistillationConfig>& distillationFields() {
  using D = DistillationConfig;
  static const FieldTable<D> table = FieldTable<D>().field(
      "temperature", &D::temperature, "divides the student's logits in the distillation loss",
      Range::openClosed(0, 100));
  return table;
}

const FieldTable<OptimizerConfig>& optimizerFields() {
  using O = OptimizerConfig;
  static const FieldTable<O> table =
      FieldTable<O>()
          .field("kind", &O::kind, "the optimizer", Range::oneOf({"adam", "sgd"}))
          .field("lr", &O::lr, "base learning rate (the schedule scales it)", Range::open(0, 100))
          .field("momentum", &O::momentum, "sgd: momentum", Range::closedOpen(0, 1))
          .field("nesterov", &O::nesterov, "sgd: Nesterov momentum")
          .field("weight_decay", &O::weightDecay, "L2 weight decay", Range::atLeast(0))
          .custom(
              "betas", "adam: [beta1, beta2], each in [0, 1)", "[b1, b2], each [0, 1)",
              [](YamlSection& s, O& o) {
                std::vector<double> betas;
                if (!s.read("betas", betas)) return;
                if (betas.size() != 2) throw s.errorAt("betas", "needs two values [beta1, beta2]");
                o.beta1 = betas[0];
                o.beta2 = betas[1];
              },
              [](const O& o) { return std::optional<std::string>(fmt::format("[{}, {}]", o.beta1, o.beta2)); })
          .field("eps", &O::eps, "adam: epsilon", Range::above(0))
          .rule([](const O& o, const Scope& scope) {
            if (o.nesterov && o.kind == "sgd" && o.momentum <= 0.0)
              throw scope.outOfRange("nesterov", "true", "false when momentum is 0");
            const Range beta = Range::closedOpen(0, 1);
            if (!beta.contains(o.beta1)) throw scope.outOfRange("betas[0]", o.beta1, beta.text());
            if (!beta.contains(o.beta2)) throw scope.outOfRange("betas[1]", o.beta2, beta.text());
          });
  return table;
}

const FieldTable<GtcConfig>& gtcFields() {
  using G = GtcConfig;
  static const FieldTable<G> table =
      FieldTable<G>()
          .field("threshold", &G::threshold, "tau: residual elements with |r| >= tau are sent as +-tau",
                 Range::atLeast(0).note("0 = dense, exact"))
          .field("target_fraction", &G::targetFraction, "adapt tau each step toward sending this share of elements",
                 Range::closedOpen(0, 1).note("0 = tau fixed"));
  return table;
}

const FieldTable<BmufConfig>& bmufFields() {
  using B = BmufConfig;
  static const FieldTable<B> table =
      FieldTable<B>()
          .field("block_steps", &B::blockSteps, "tau_b: local optimizer steps per block", Range::atLeast(1))
          .field("block_momentum", &B::blockMomentum, "eta, the block momentum",
                 Range::below(1).note("negative = 1 - 1/N for N ranks"))
          .field("block_lr", &B::blockLr, "zeta, the block learning rate", Range::openClosed(0, 10))
          .field("nesterov", &B::nesterov, "the next block starts from W_g + eta Delta (else from W_g)")
          .field("warmup_blocks", &B::warmupBlocks, "first blocks with eta = 0", Range::atLeast(0));
  return table;
}

const FieldTable<DistributionConfig>& distributionFields() {
  using D = DistributionConfig;
  static const FieldTable<D> table =
      FieldTable<D>()
          .field("algorithm", &D::algorithm, "how ranks combine their work (docs/distributed.md)",
                 Range::oneOf({"sync", "gtc", "bmuf"}))
          .field("backend", &D::backend, "collectives: auto = nccl for CUDA tensors, else gloo",
                 Range::oneOf({"auto", "gloo", "nccl"}))
          .field("timeout_s", &D::timeoutSeconds, "a collective waiting longer fails the job (a stalled rank)",
                 Range::closed(1, 86400))
          .field("connect_timeout_s", &D::connectTimeoutSeconds, "every rank must have joined the rendezvous by then",
                 Range::closed(1, 86400))
          .field("heartbeat_s", &D::heartbeatSeconds,
                 "train --workers: a rank silent this long has stalled and stops the job",
                 Range::closed(0, 86400).note("0 = off; ranks beat every second, so 0 or >= 2"))
          .section("gtc", &D::gtc, gtcFields(), "gradient threshold compression")
          .section("bmuf", &D::bmuf, bmufFields(), "blockwise model-update filtering");
  return table;
}

const FieldTable<TrainerConfig>& modelGroupFields() {
  using T = TrainerConfig;
  static const FieldTable<T> table =
      FieldTable<T>()
          .custom("preset", "start from a preset's shape; the section's other keys override it",
                  "teacher-paper | student-paper | teacher-small | student-small | teacher-tiny | student-tiny",
                  readPreset,
                  [](const T& t) {
                    return t.modelPreset.empty() ? std::nullopt : std::optional<std::string>(t.modelPreset);
                  })
          .members(&T::model, ModelOptions::fields());
  return table;
}

const FieldTable<TrainerConfig>& validationGroupFields() {
  using T = TrainerConfig;
  static const FieldTable<T> table =
      FieldTable<T>()
          .field("every", &T::validateEvery, "steps between validations", Range::atLeast(0).note("0 = only at the end"))
          .field("patience", &T::patience, "early stopping: validations without improvement",
                 Range::atLeast(0).note("0 = off"))
          .field("keep_best", &T::keepBest, "the final model is the best validated one, not the last step");
  return table;
}

const FieldTable<TrainerConfig>& checkpointGroupFields() {
  using T = TrainerConfig;
  static const FieldTable<T> table =
      FieldTable<T>()
          .field("every", &T::checkpointEvery, "steps between checkpoints",
                 Range::atLeast(0).note("0 = only at the end or on cancel"))
          .field("keep", &T::keepCheckpoints, "newest checkpoints kept", Range::atLeast(1));
  return table;
}

// Cross-section rules of a whole trainer config.
void trainerRules(const TrainerConfig& c, const Scope& scope) {
  if (c.name.empty() || c.name.find_first_of(" \t/\\") != std::string::npos)
    throw scope.outOfRange("name", quoted(c.name), "non-empty, no spaces or slashes");
  if (c.bptt.mode == "chunked" && c.model.bidirectional())
    throw scope.outOfRange("bptt.mode", c.bptt.mode, "full for a blstm model")
        .hint("a bidirectional model needs whole utterances; chunk only the lstm student");
  if (c.bptt.carryState && c.bptt.mode != "chunked")
    throw scope.outOfRange("bptt.carry_state", "true", "false with bptt.mode full")
        .hint("carry_state chooses how chunks begin; set bptt.mode: chunked or drop carry_state");
  if (c.bptt.carryState && c.model.stack > c.model.subsample)
    throw scope
        .outOfRange("bptt.carry_state", "true",
                    fmt::format("false when model.stack ({}) > model.subsample ({})", c.model.stack, c.model.subsample))
        .hint("with carried state a model frame may not read the next chunk's frames; "
              "use stack <= subsample or carry_state: false");
  if (!c.streams.trainsSoft() && !c.data.soft.empty())
    throw scope.outOfRange("data.soft", fmt::format("{} dataset(s)", c.data.soft.size()), "none for streams.kind labeled-only")
        .hint("train on them with streams.kind interleave, segregated or soft-only, or remove data.soft");
  if (c.maxSteps == 0 && c.maxEpochs == 0)
    throw scope.outOfRange("max_steps", c.maxSteps, ">= 1 when max_epochs is 0").hint("set max_steps or max_epochs");
  if (c.schedule.kind == "cosine" && c.maxSteps == 0)
    throw scope.outOfRange("schedule.kind", c.schedule.kind, "not cosine without max_steps");
  if (c.distribution.heartbeatSeconds > 0 && c.distribution.heartbeatSeconds < 2)
    throw scope.outOfRange("distribution.heartbeat_s", c.distribution.heartbeatSeconds, "0 (off) or >= 2")
        .hint("ranks write a heartbeat every second; a shorter limit would find healthy ranks stalled");
}

// toYaml()'s text as (dotted key, value) pairs in document order.
std::vector<std::pair<std::string, std::string>> flatConfig(const TrainerConfig& c) {
  return flattenYaml(c.toYaml());
}

}  // namespace

const FieldTable<LrScheduleConfig>& LrScheduleConfig::fields() {
  using L = LrScheduleConfig;
  static const FieldTable<L> table =
      FieldTable<L>()
          .field("kind", &L::kind, "learning-rate schedule after the warm-up (docs/training.md \"Schedules\")",
                 Range::oneOf({"constant", "exponential", "cosine", "newbob"}))
          .field("warmup_steps", &L::warmupSteps, "linear warm-up steps", Range::atLeast(0))
          .field("decay_rate", &L::decayRate, "exponential: factor per decay_steps", Range::openClosed(0, 1))
          .field("decay_steps", &L::decaySteps, "exponential: steps per decay_rate", Range::atLeast(1))
          .field("min_lr", &L::minLr, "cosine: the floor", Range::atLeast(0))
          .field("newbob_factor", &L::newbobFactor, "newbob: multiply the rate by this on a plateau", Range::open(0, 1))
          .field("newbob_threshold", &L::newbobThreshold, "newbob: relative improvement a validation needs",
                 Range::closedOpen(0, 1))
          .field("newbob_patience", &L::newbobPatience, "newbob: plateaus in a row before a cut", Range::atLeast(1));
  return table;
}

void LrScheduleConfig::validate() const { fields().validate(*this, Scope("trainer", "schedule")); }

std::string StreamsConfig::ratio() const { return fmt::format("{}:{}", labeledBatches, softBatches); }

const FieldTable<TrainerConfig>& TrainerConfig::fields() {
  using T = TrainerConfig;
  static const FieldTable<T> table =
      FieldTable<T>()
          .field("name", &T::name, "model name (models.name, WS/models/<name>/)")
          .field("role", &T::role, "what the model is for", Range::oneOf({"teacher", "student", "baseline"}))
          .field("seed", &T::seed, "seeds initialisation, dropout, shuffling and the held-out split")
          .field("threads", &T::threads, "intra-op threads", Range::closed(0, 256).note("0 = all cores"))
          .field("max_steps", &T::maxSteps, "stop after this many optimizer steps", Range::atLeast(0).note("0 = no limit"))
          .field("max_epochs", &T::maxEpochs, "stop after this many epochs", Range::atLeast(0).note("0 = no limit"))
          .field("grad_clip", &T::gradClip, "largest global gradient norm", Range::atLeast(0).note("0 = off"))
          .field("log_every", &T::logEvery, "steps between metric rows", Range::atLeast(1))
          .section("data", &T::data, dataFields(), "what the run trains and validates on")
          .group("model", modelGroupFields(), "the acoustic model (docs/models.md)")
          .section("batching", &T::batching, batchingFields(), "how epochs are cut into batches")
          .section("bptt", &T::bptt, bpttFields(), "backpropagation through time")
          .section("streams", &T::streams, streamsFields(), "labeled and soft-labeled streams")
          .section("distillation", &T::distillation, distillationFields(), "the distillation loss")
          .section("optimizer", &T::optimizer, optimizerFields(), "the optimizer")
          .section("schedule", &T::schedule, LrScheduleConfig::fields(), "the learning-rate schedule")
          .group("validation", validationGroupFields(), "validation and early stopping")
          .group("checkpoint", checkpointGroupFields(), "checkpoints")
          .section("distribution", &T::distribution, distributionFields(),
                   "how ranks combine their work with train --workers N (one process ignores it)")
          .rule(trainerRules);
  return table;
}

std::vector<std::string> resumableKeys(const TrainerConfig& config) {
  std::vector<std::string> keys = {"max_epochs",       "threads",        "log_every",
                                   "checkpoint.every", "checkpoint.keep", "validation.patience",
                                   "model.preset",
                                   // Distribution: resuming with another algorithm starts its state afresh.
                                   "distribution.algorithm", "distribution.backend", "distribution.timeout_s",
                                   "distribution.connect_timeout_s", "distribution.heartbeat_s", "distribution.gtc.threshold",
                                   "distribution.gtc.target_fraction", "distribution.bmuf.block_steps",
                                   "distribution.bmuf.block_momentum", "distribution.bmuf.block_lr",
                                   "distribution.bmuf.nesterov", "distribution.bmuf.warmup_blocks"};
  if (config.schedule.kind != "cosine") keys.insert(keys.begin(), "max_steps");
  return keys;
}

std::vector<ConfigDifference> resumeConfigDifferences(const TrainerConfig& saved, const TrainerConfig& now) {
  const auto mayChange = resumableKeys(now);
  const auto before = flatConfig(saved);
  const auto after = flatConfig(now);
  auto find = [](const std::vector<std::pair<std::string, std::string>>& kv, const std::string& key) {
    return std::find_if(kv.begin(), kv.end(), [&](const auto& p) { return p.first == key; });
  };
  std::vector<ConfigDifference> diffs;
  auto consider = [&](const std::string& key, const std::string& old, const std::string& cur) {
    if (old == cur || std::find(mayChange.begin(), mayChange.end(), key) != mayChange.end()) return;
    diffs.push_back({key, old, cur});
  };
  for (const auto& [key, value] : after) {
    auto it = find(before, key);
    consider(key, it == before.end() ? "(absent)" : it->second, value);
  }
  for (const auto& [key, value] : before)
    if (find(after, key) == after.end()) consider(key, value, "(absent)");
  return diffs;
}

void TrainerConfig::validate() const { fields().validate(*this, Scope("trainer")); }

std::string TrainerConfig::toYaml() const { return fields().toYaml(*this); }

TrainerConfig TrainerConfig::fromYaml(YamlSection& s) {
  TrainerConfig c;
  c.sourceFile = s.file();
  fields().read(s, c);
  if (s.has("model")) {
    const YAML::Node& model = s.node()["model"];
    if (model.IsMap() && model["num_units"]) c.numUnitsLine = model["num_units"].Mark().line + 1;
  }
  // Range errors name the key and, where the file has it, its line.
  validateAt(s, [&] { c.validate(); });
  return c;
}

TrainerConfig TrainerConfig::loadFile(const std::string& path, const std::vector<std::string>& overrides) {
  const YamlSection file = YamlSection::loadFile(path);
  YAML::Node root = file.node();
  applyOverrides(root, overrides, fields().keys());
  YamlSection s(root, "", file.file());
  try {
    return fromYaml(s);
  } catch (const Error& e) {
    throw blameOverride(e, overrides);
  }
}

TrainerConfig TrainerConfig::loadString(const std::string& text, const std::string& name,
                                        const std::vector<std::string>& overrides) {
  const YamlSection file = YamlSection::loadString(text, name);
  YAML::Node root = file.node();
  applyOverrides(root, overrides, fields().keys());
  YamlSection s(root, "", file.file());
  try {
    return fromYaml(s);
  } catch (const Error& e) {
    throw blameOverride(e, overrides);
  }
}

void TrainerConfig::resolveUnits(int numUnitsOfTargets) {
  if (model.numUnits == 0) {
    model.numUnits = numUnitsOfTargets;
    return;
  }
  if (model.numUnits != numUnitsOfTargets) {
    Error e(fmt::format("model.num_units = {} but the targets use a unit inventory of {} units", model.numUnits,
                        numUnitsOfTargets),
            __FILE__, __LINE__);
    e.key("model.num_units").hint("remove model.num_units (it is taken from the targets) or fix it");
    if (!sourceFile.empty()) e.file(sourceFile);
    if (numUnitsLine) e.line(*numUnitsLine);
    throw e;
  }
}

}  // namespace understudy::recipe
