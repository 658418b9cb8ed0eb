#include "core/train/trainer_config.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <sstream>
#include <utility>

#include "core/util/error.h"

namespace understudy::train {

namespace {

template <typename T>
Error outOfRange(const std::string& key, const T& value, const std::string& range) {
  return Error(fmt::format("trainer option {} = {} is out of range (allowed: {})", key, value,
                           range),
               __FILE__, __LINE__)
      .key(key);
}

std::string indentLines(const std::string& text, const std::string& indent) {
  std::istringstream in(text);
  std::string line, out;
  while (std::getline(in, line)) out += indent + line + "\n";
  return out;
}

std::string yamlList(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + items[i];
  return out + "]";
}

std::string quoted(const std::string& s) { return "'" + s + "'"; }

std::string softList(const std::vector<SoftDataConfig>& items) {
  std::vector<std::string> out;
  for (const auto& s : items)
    out.push_back(fmt::format("{{dataset: {}, model: {}, labels: {}}}", quoted(s.dataset), quoted(s.model),
                              quoted(s.labels)));
  return yamlList(out);
}

// data.soft: a list of {dataset, model, labels} maps; a plain name is {dataset: name}.
void readSoftData(YamlSection& d, DataConfig& data) {
  d.accept("soft");
  if (!d.has("soft")) return;
  const YAML::Node list = d.node()["soft"];
  if (!list.IsSequence())
    throw d.errorAt("soft", "must be a list of {dataset, model, labels}").hint(
        "data: { soft: [{dataset: synth-unlabeled, model: teacher-tiny}] }");
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

// Reads the model section: an optional `preset` and then any
// AcousticModelOptions key overriding it.
void readModel(YamlSection& s, TrainerConfig& c) {
  if (s.read("preset", c.modelPreset) && !c.modelPreset.empty()) {
    try {
      c.model = nn::AcousticModelOptions::preset(c.modelPreset);
    } catch (const Error& e) {
      throw s.errorAt("preset", e.what_()).hint(e.hintText());
    }
  }
  auto& m = c.model;
  std::string kind = m.kind();
  std::int64_t v = 0;
  double d = 0;
  if (s.read("kind", kind)) m.kind(kind);
  if (s.read("input_dim", v = m.input_dim())) m.input_dim(v);
  if (s.read("stack", v = m.stack())) m.stack(v);
  if (s.read("subsample", v = m.subsample())) m.subsample(v);
  if (s.read("layers", v = m.layers())) m.layers(v);
  if (s.read("cells", v = m.cells())) m.cells(v);
  if (s.read("projection", v = m.projection())) m.projection(v);
  if (s.read("dropout", d = m.dropout())) m.dropout(d);
  if (s.read("num_units", v = m.num_units())) {
    m.num_units(v);
    c.numUnitsLine = s.node()["num_units"].Mark().line + 1;
  }
  s.finish();
  // Range errors point at the key's line.
  s.validate([&] {
    auto probe = m;
    if (probe.num_units() == 0) probe.num_units(1);  // filled in later from the targets
    probe.validate();
  });
}

// toYaml()'s text as (dotted key, value) pairs in document order; a sequence
// is one value ("[a, b]").
// A value in one line: "[a, b]", "[{dataset: u, model: t}]".
std::string inlineValue(const YAML::Node& node) {
  std::string v;
  if (node.IsSequence()) {
    for (std::size_t i = 0; i < node.size(); ++i) v += (i ? ", " : "") + inlineValue(node[i]);
    return "[" + v + "]";
  }
  if (node.IsMap()) {
    for (const auto& item : node) v += (v.empty() ? "" : ", ") + item.first.Scalar() + ": " + inlineValue(item.second);
    return "{" + v + "}";
  }
  return node.IsNull() ? std::string() : node.Scalar();
}

void flatten(const YAML::Node& node, const std::string& prefix,
             std::vector<std::pair<std::string, std::string>>& out) {
  if (node.IsMap()) {
    for (const auto& item : node)
      flatten(item.second, prefix.empty() ? item.first.Scalar() : prefix + "." + item.first.Scalar(), out);
  } else {
    out.emplace_back(prefix, inlineValue(node));
  }
}

std::vector<std::pair<std::string, std::string>> flatConfig(const TrainerConfig& c) {
  std::vector<std::pair<std::string, std::string>> out;
  flatten(YAML::Load(c.toYaml()), "", out);
  return out;
}

}  // namespace

std::string StreamsConfig::ratio() const { return fmt::format("{}:{}", labeledBatches, softBatches); }

std::vector<std::string> resumableKeys(const TrainerConfig& config) {
  std::vector<std::string> keys = {"max_epochs",       "threads",        "log_every",
                                   "checkpoint.every", "checkpoint.keep", "validation.patience",
                                   "model.preset",
                                   // Distribution: resuming with another algorithm starts its state afresh.
                                   "distribution.algorithm", "distribution.backend", "distribution.timeout_s",
                                   "distribution.connect_timeout_s", "distribution.gtc.threshold",
                                   "distribution.gtc.target_fraction", "distribution.bmuf.block_steps",
                                   "distribution.bmuf.block_momentum", "distribution.bmuf.block_lr",
                                   "distribution.bmuf.nesterov", "distribution.bmuf.warmup_blocks"};
  if (config.schedule.kind != "cosine") keys.insert(keys.begin(), "max_steps");
  return keys;
}

std::vector<ConfigDifference> resumeConfigDifferences(const TrainerConfig& saved,
                                                      const TrainerConfig& now) {
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

void TrainerConfig::validate() const {
  if (name.empty() || name.find_first_of(" \t/\\") != std::string::npos)
    throw outOfRange("name", "'" + name + "'", "non-empty, no spaces or slashes");
  if (role != "teacher" && role != "student" && role != "baseline")
    throw outOfRange("role", role, "teacher | student | baseline");
  if (!(data.validationFraction >= 0.0 && data.validationFraction < 1.0))
    throw outOfRange("data.validation_fraction", data.validationFraction, "[0, 1)");
  if (data.maxUtterances < 0) throw outOfRange("data.max_utterances", data.maxUtterances, ">= 0");
  {
    auto probe = model;
    if (probe.num_units() == 0) probe.num_units(1);
    try {
      probe.validate();
    } catch (const Error& e) {
      throw Error(e.what_(), __FILE__, __LINE__).key("model." + e.keyName()).hint(e.hintText());
    }
  }
  if (batching.maxFrames < 1) throw outOfRange("batching.max_frames", batching.maxFrames, ">= 1");
  if (batching.bucketWindow < 1)
    throw outOfRange("batching.bucket_window", batching.bucketWindow, ">= 1");
  if (bptt.mode != "full" && bptt.mode != "chunked")
    throw outOfRange("bptt.mode", bptt.mode, "full | chunked");
  if (bptt.chunk < 1) throw outOfRange("bptt.chunk", bptt.chunk, ">= 1 model frame");
  if (bptt.mode == "chunked" && model.bidirectional())
    throw outOfRange("bptt.mode", bptt.mode, "full for a blstm model")
        .hint("a bidirectional model needs whole utterances; chunk only the lstm student");
  if (bptt.carryState && bptt.mode != "chunked")
    throw outOfRange("bptt.carry_state", "true", "false with bptt.mode full")
        .hint("carry_state chooses how chunks begin; set bptt.mode: chunked or drop carry_state");
  if (bptt.carryState && model.stack() > model.subsample())
    throw outOfRange("bptt.carry_state", "true", fmt::format("false when model.stack ({}) > model.subsample ({})",
                                                             model.stack(), model.subsample()))
        .hint("with carried state a model frame may not read the next chunk's frames; "
              "use stack <= subsample or carry_state: false");
  for (std::size_t i = 0; i < data.soft.size(); ++i)
    if (data.soft[i].dataset.empty())
      throw outOfRange(fmt::format("data.soft[{}].dataset", i), "''", "a dataset name");
  const auto& st = streams;
  if (st.kind != "labeled-only" && st.kind != "soft-only" && st.kind != "interleave" && st.kind != "segregated")
    throw outOfRange("streams.kind", st.kind, "labeled-only | soft-only | interleave | segregated");
  if (st.labeledBatches < 1 || st.softBatches < 1)
    throw outOfRange("streams.ratio", "'" + st.ratio() + "'", "LABELED:SOFT, both >= 1");
  if (!(st.labeledLrMultiplier > 0.0 && st.labeledLrMultiplier <= 100.0))
    throw outOfRange("streams.labeled_lr_multiplier", st.labeledLrMultiplier, "(0, 100]");
  if (st.labeledLrMultiplier != 1.0 && st.kind != "interleave" && st.kind != "segregated")
    throw outOfRange("streams.labeled_lr_multiplier", st.labeledLrMultiplier, "1 for " + st.kind)
        .hint("the multiplier sets labeled steps apart from soft-labeled ones; with one stream change optimizer.lr");
  if (st.softEpochs < 1) throw outOfRange("streams.soft_epochs", st.softEpochs, ">= 1");
  if (!st.trainsSoft() && !data.soft.empty())
    throw outOfRange("data.soft", fmt::format("{} dataset(s)", data.soft.size()), "none for streams.kind labeled-only")
        .hint("train on them with streams.kind interleave, segregated or soft-only, or remove data.soft");
  if (!(distillation.temperature > 0.0 && distillation.temperature <= 100.0))
    throw outOfRange("distillation.temperature", distillation.temperature, "(0, 100]");
  const auto& o = optimizer;
  if (o.kind != "adam" && o.kind != "sgd") throw outOfRange("optimizer.kind", o.kind, "adam | sgd");
  if (!(o.lr > 0.0 && o.lr < 100.0)) throw outOfRange("optimizer.lr", o.lr, "(0, 100)");
  if (!(o.momentum >= 0.0 && o.momentum < 1.0))
    throw outOfRange("optimizer.momentum", o.momentum, "[0, 1)");
  if (o.nesterov && o.kind == "sgd" && o.momentum <= 0.0)
    throw outOfRange("optimizer.nesterov", "true", "false when momentum is 0");
  if (!(o.weightDecay >= 0.0)) throw outOfRange("optimizer.weight_decay", o.weightDecay, ">= 0");
  if (!(o.beta1 >= 0.0 && o.beta1 < 1.0)) throw outOfRange("optimizer.betas[0]", o.beta1, "[0, 1)");
  if (!(o.beta2 >= 0.0 && o.beta2 < 1.0)) throw outOfRange("optimizer.betas[1]", o.beta2, "[0, 1)");
  if (!(o.eps > 0.0)) throw outOfRange("optimizer.eps", o.eps, "> 0");
  schedule.validate();
  if (!(gradClip >= 0.0)) throw outOfRange("grad_clip", gradClip, ">= 0 (0 = off)");
  if (validateEvery < 0) throw outOfRange("validation.every", validateEvery, ">= 0");
  if (patience < 0) throw outOfRange("validation.patience", patience, ">= 0 (0 = off)");
  if (maxSteps < 0) throw outOfRange("max_steps", maxSteps, ">= 0");
  if (maxEpochs < 0) throw outOfRange("max_epochs", maxEpochs, ">= 0");
  if (maxSteps == 0 && maxEpochs == 0)
    throw outOfRange("max_steps", maxSteps, ">= 1 when max_epochs is 0").hint("set max_steps or max_epochs");
  if (schedule.kind == "cosine" && maxSteps == 0)
    throw outOfRange("schedule.kind", schedule.kind, "not cosine without max_steps");
  if (threads < 0 || threads > 256) throw outOfRange("threads", threads, "0..256 (0 = all cores)");
  if (checkpointEvery < 0) throw outOfRange("checkpoint.every", checkpointEvery, ">= 0");
  if (keepCheckpoints < 1) throw outOfRange("checkpoint.keep", keepCheckpoints, ">= 1");
  if (logEvery < 1) throw outOfRange("log_every", logEvery, ">= 1");
  const auto& d = distribution;
  if (d.algorithm != "sync" && d.algorithm != "gtc" && d.algorithm != "bmuf")
    throw outOfRange("distribution.algorithm", d.algorithm, "sync | gtc | bmuf");
  if (d.backend != "auto" && d.backend != "gloo" && d.backend != "nccl")
    throw outOfRange("distribution.backend", d.backend, "auto | gloo | nccl");
  if (!(d.timeoutSeconds >= 1.0 && d.timeoutSeconds <= 86400.0))
    throw outOfRange("distribution.timeout_s", d.timeoutSeconds, "1..86400 seconds");
  if (!(d.connectTimeoutSeconds >= 1.0 && d.connectTimeoutSeconds <= 86400.0))
    throw outOfRange("distribution.connect_timeout_s", d.connectTimeoutSeconds, "1..86400 seconds");
  if (!(d.gtc.threshold >= 0.0 && std::isfinite(d.gtc.threshold)))
    throw outOfRange("distribution.gtc.threshold", d.gtc.threshold, ">= 0 (0 = dense)");
  if (!(d.gtc.targetFraction >= 0.0 && d.gtc.targetFraction < 1.0))
    throw outOfRange("distribution.gtc.target_fraction", d.gtc.targetFraction, "0 (fixed threshold) .. < 1");
  if (d.bmuf.blockSteps < 1) throw outOfRange("distribution.bmuf.block_steps", d.bmuf.blockSteps, ">= 1");
  if (!(d.bmuf.blockMomentum < 1.0))
    throw outOfRange("distribution.bmuf.block_momentum", d.bmuf.blockMomentum, "< 1 (negative = 1 - 1/N)");
  if (!(d.bmuf.blockLr > 0.0 && d.bmuf.blockLr <= 10.0))
    throw outOfRange("distribution.bmuf.block_lr", d.bmuf.blockLr, "> 0 .. 10");
  if (d.bmuf.warmupBlocks < 0) throw outOfRange("distribution.bmuf.warmup_blocks", d.bmuf.warmupBlocks, ">= 0");
}

std::string TrainerConfig::toYaml() const {
  std::string y;
  y += fmt::format("name: {}\nrole: {}\nseed: {}\nthreads: {}\n", name, role, seed, threads);
  y += fmt::format("max_steps: {}\nmax_epochs: {}\ngrad_clip: {}\nlog_every: {}\n", maxSteps,
                   maxEpochs, gradClip, logEvery);
  y += fmt::format(
      "data:\n  train: {}\n  soft: {}\n  validation: {}\n  validation_fraction: {}\n  feature_set: '{}'\n"
      "  max_utterances: {}\n",
      yamlList(data.train), softList(data.soft), yamlList(data.validation), data.validationFraction,
      data.featureSet, data.maxUtterances);
  y += "model:\n";
  if (!modelPreset.empty()) y += "  preset: " + modelPreset + "\n";
  y += indentLines(model.toYaml(), "  ");
  y += fmt::format("batching:\n  max_frames: {}\n  bucket: {}\n  bucket_window: {}\n  shuffle: {}\n",
                   batching.maxFrames, batching.bucket, batching.bucketWindow, batching.shuffle);
  y += fmt::format("bptt:\n  mode: {}\n  chunk: {}\n  carry_state: {}\n", bptt.mode, bptt.chunk,
                   bptt.carryState);
  y += fmt::format("streams:\n  kind: {}\n  ratio: '{}'\n  labeled_lr_multiplier: {}\n  soft_epochs: {}\n",
                   streams.kind, streams.ratio(), streams.labeledLrMultiplier, streams.softEpochs);
  y += fmt::format("distillation:\n  temperature: {}\n", distillation.temperature);
  y += fmt::format(
      "optimizer:\n  kind: {}\n  lr: {}\n  momentum: {}\n  nesterov: {}\n  weight_decay: {}\n"
      "  betas: [{}, {}]\n  eps: {}\n",
      optimizer.kind, optimizer.lr, optimizer.momentum, optimizer.nesterov, optimizer.weightDecay,
      optimizer.beta1, optimizer.beta2, optimizer.eps);
  y += "schedule:\n" + schedule.toYaml("  ");
  y += fmt::format("validation:\n  every: {}\n  patience: {}\n  keep_best: {}\n", validateEvery,
                   patience, keepBest);
  y += fmt::format("checkpoint:\n  every: {}\n  keep: {}\n", checkpointEvery, keepCheckpoints);
  const auto& d = distribution;
  y += fmt::format("distribution:\n  algorithm: {}\n  backend: {}\n  timeout_s: {}\n  connect_timeout_s: {}\n",
                   d.algorithm, d.backend, d.timeoutSeconds, d.connectTimeoutSeconds);
  y += fmt::format("  gtc:\n    threshold: {}\n    target_fraction: {}\n", d.gtc.threshold, d.gtc.targetFraction);
  y += fmt::format(
      "  bmuf:\n    block_steps: {}\n    block_momentum: {}\n    block_lr: {}\n    nesterov: {}\n"
      "    warmup_blocks: {}\n",
      d.bmuf.blockSteps, d.bmuf.blockMomentum, d.bmuf.blockLr, d.bmuf.nesterov, d.bmuf.warmupBlocks);
  return y;
}

TrainerConfig TrainerConfig::fromYaml(YamlSection& s) {
  TrainerConfig c;
  c.sourceFile = s.file();
  s.read("name", c.name);
  s.read("role", c.role);
  s.read("seed", c.seed);
  s.read("threads", c.threads);
  s.read("max_steps", c.maxSteps);
  s.read("max_epochs", c.maxEpochs);
  s.read("grad_clip", c.gradClip);
  s.read("log_every", c.logEvery);
  {
    YamlSection d = s.child("data");
    d.read("train", c.data.train);
    readSoftData(d, c.data);
    d.read("validation", c.data.validation);
    d.read("validation_fraction", c.data.validationFraction);
    d.read("feature_set", c.data.featureSet);
    d.read("max_utterances", c.data.maxUtterances);
    d.finish();
  }
  {
    YamlSection m = s.child("model");
    readModel(m, c);
  }
  {
    YamlSection b = s.child("batching");
    b.read("max_frames", c.batching.maxFrames);
    b.read("bucket", c.batching.bucket);
    b.read("bucket_window", c.batching.bucketWindow);
    b.read("shuffle", c.batching.shuffle);
    b.finish();
  }
  {
    YamlSection b = s.child("bptt");
    b.read("mode", c.bptt.mode);
    b.read("chunk", c.bptt.chunk);
    b.read("carry_state", c.bptt.carryState);
    b.finish();
  }
  {
    YamlSection st = s.child("streams");
    st.read("kind", c.streams.kind);
    readRatio(st, c.streams);
    st.read("labeled_lr_multiplier", c.streams.labeledLrMultiplier);
    st.read("soft_epochs", c.streams.softEpochs);
    st.finish();
  }
  {
    YamlSection k = s.child("distillation");
    k.read("temperature", c.distillation.temperature);
    k.finish();
  }
  {
    YamlSection o = s.child("optimizer");
    o.read("kind", c.optimizer.kind);
    o.read("lr", c.optimizer.lr);
    o.read("momentum", c.optimizer.momentum);
    o.read("nesterov", c.optimizer.nesterov);
    o.read("weight_decay", c.optimizer.weightDecay);
    std::vector<double> betas;
    if (o.read("betas", betas)) {
      if (betas.size() != 2) throw o.errorAt("betas", "needs two values [beta1, beta2]").key("optimizer.betas");
      c.optimizer.beta1 = betas[0];
      c.optimizer.beta2 = betas[1];
    }
    o.read("eps", c.optimizer.eps);
    o.finish();
  }
  {
    YamlSection sc = s.child("schedule");
    c.schedule.read(sc);
  }
  {
    YamlSection v = s.child("validation");
    v.read("every", c.validateEvery);
    v.read("patience", c.patience);
    v.read("keep_best", c.keepBest);
    v.finish();
  }
  {
    YamlSection k = s.child("checkpoint");
    k.read("every", c.checkpointEvery);
    k.read("keep", c.keepCheckpoints);
    k.finish();
  }
  {
    YamlSection d = s.child("distribution");
    d.read("algorithm", c.distribution.algorithm);
    d.read("backend", c.distribution.backend);
    d.read("timeout_s", c.distribution.timeoutSeconds);
    d.read("connect_timeout_s", c.distribution.connectTimeoutSeconds);
    {
      YamlSection g = d.child("gtc");
      g.read("threshold", c.distribution.gtc.threshold);
      g.read("target_fraction", c.distribution.gtc.targetFraction);
      g.finish();
    }
    {
      YamlSection b = d.child("bmuf");
      b.read("block_steps", c.distribution.bmuf.blockSteps);
      b.read("block_momentum", c.distribution.bmuf.blockMomentum);
      b.read("block_lr", c.distribution.bmuf.blockLr);
      b.read("nesterov", c.distribution.bmuf.nesterov);
      b.read("warmup_blocks", c.distribution.bmuf.warmupBlocks);
      b.finish();
    }
    d.finish();
  }
  s.finish();
  // Range errors name the key and, where the file has it, its line.
  try {
    c.validate();
  } catch (const Error& e) {
    const std::string& key = e.keyName();
    // Walk "a.b.c" down to the map holding the leaf (reset() rebinds; plain
    // assignment would overwrite the tree in yaml-cpp).
    YAML::Node node;
    node.reset(s.node());
    std::string leaf = key;
    for (std::size_t dot; node && node.IsMap() && (dot = leaf.find('.')) != std::string::npos;) {
      const YAML::Node& parent = node;
      YAML::Node next = parent[leaf.substr(0, dot)];
      node.reset(next);
      leaf = leaf.substr(dot + 1);
    }
    leaf = leaf.substr(0, leaf.find('['));
    Error out(e.what_(), __FILE__, __LINE__);
    out.file(s.file()).key(key).hint(e.hintText());
    if (node && node.IsMap()) {
      const YAML::Node& parent = node;
      if (parent[leaf]) out.line(parent[leaf].Mark().line + 1);
    }
    throw out;
  }
  return c;
}

TrainerConfig TrainerConfig::loadFile(const std::string& path) {
  YamlSection s = YamlSection::loadFile(path);
  return fromYaml(s);
}

TrainerConfig TrainerConfig::loadString(const std::string& text, const std::string& name) {
  YamlSection s = YamlSection::loadString(text, name);
  return fromYaml(s);
}

void TrainerConfig::resolveUnits(int numUnitsOfTargets) {
  if (model.num_units() == 0) {
    model.num_units(numUnitsOfTargets);
    return;
  }
  if (model.num_units() != numUnitsOfTargets) {
    Error e(fmt::format("model.num_units = {} but the targets use a unit inventory of {} units",
                        model.num_units(), numUnitsOfTargets),
            __FILE__, __LINE__);
    e.key("model.num_units").hint("remove model.num_units (it is taken from the targets) or fix it");
    if (!sourceFile.empty()) e.file(sourceFile);
    if (numUnitsLine) e.line(*numUnitsLine);
    throw e;
  }
}

}  // namespace understudy::train
