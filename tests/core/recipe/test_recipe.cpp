// core/recipe: config field tables (core/recipe/field_table.h) on a small
// struct written for the test: canonical YAML with every key in the table's
// order, round trips, the key reference, strict reading (unknown key and
// wrong type name key and line), the one range-error format with the key's
// line, cross-field rules through the same helper, --set overrides; and the
// test binary itself links no LibTorch (the configs must stay torch-free).
// Then the trainer config declared with it (core/recipe/trainer_config.h):
// round trip, the table's keys = toYaml()'s keys = docs/training.md's key
// reference with the same defaults, errors with key and line, --set, a
// checkpoint config from before later sections resuming, ModelOptions.
// And the recipe schema (core/recipe/recipe.h), parsed here without LibTorch
// (test_recipe_plan covers its keys and planning).
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "core/recipe/field_table.h"
#include "core/recipe/model_options.h"
#include "core/recipe/recipe.h"
#include "core/recipe/trainer_config.h"
#include "core/recipe/training_record.h"
#include "core/util/error.h"
#include "core/util/yaml_config.h"
#include "support/expect_error.h"

using namespace understudy;
using namespace understudy::recipe;
using understudy::test::expectError;

namespace {

struct Inner {
  int steps = 5;
  double rate = 0.5;
};

struct Toy {
  std::string name = "toy";
  std::string mode = "a";
  double fraction = 0.1;
  std::int64_t count = 3;
  bool flag = true;
  std::vector<std::string> sets;
  std::string label;
  Inner inner;
  int every = 10;  // written under `checks:` (a group of the owner's own members)
};

const FieldTable<Inner>& innerFields() {
  static const auto table = FieldTable<Inner>()
                                .field("steps", &Inner::steps, "steps per block", Range::atLeast(1))
                                .field("rate", &Inner::rate, "block rate", Range::openClosed(0, 1));
  return table;
}

const FieldTable<Toy>& toyFields() {
  static const auto table =
      FieldTable<Toy>()
          .field("name", &Toy::name, "the toy's name")
          .field("mode", &Toy::mode, "how it plays", Range::oneOf({"a", "b"}))
          .field("fraction", &Toy::fraction, "share held out", Range::closedOpen(0, 1))
          .field("count", &Toy::count, "how many", Range::atLeast(0).note("0 = all"))
          .field("flag", &Toy::flag, "a switch")
          .field("sets", &Toy::sets, "dataset names")
          .field("label", &Toy::label, "a quoted label")
          .quoted()
          .section("inner", &Toy::inner, innerFields(), "the inner part")
          .group("checks", FieldTable<Toy>().field("every", &Toy::every, "steps between checks", Range::atLeast(1)),
                 "checks")
          .rule([](const Toy& t, const Scope& scope) {
            if (t.mode == "b" && t.count == 0) throw scope.outOfRange("count", t.count, ">= 1 when mode is b");
          });
  return table;
}

const char* kDefaultYaml =
    "name: toy\nmode: a\nfraction: 0.1\ncount: 3\nflag: true\nsets: []\nlabel: ''\n"
    "inner:\n  steps: 5\n  rate: 0.5\nchecks:\n  every: 10\n";

Toy read(const std::string& yaml, const std::string& name = "toy.yaml") {
  YamlSection s = YamlSection::loadString(yaml, name);
  Toy t;
  toyFields().read(s, t);
  validateAt(s, [&] { toyFields().validate(t, Scope("toy")); });
  return t;
}

// A YAML document as dotted keys and one-line values ("[a, b]", "{k: v}"),
// in document order.
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

void flatten(const YAML::Node& node, const std::string& prefix, std::vector<std::pair<std::string, std::string>>& out) {
  if (node.IsMap()) {
    for (const auto& item : node)
      flatten(item.second, prefix.empty() ? item.first.Scalar() : prefix + "." + item.first.Scalar(), out);
  } else {
    out.emplace_back(prefix, inlineValue(node));
  }
}

std::vector<std::pair<std::string, std::string>> flatYaml(const std::string& text) {
  std::vector<std::pair<std::string, std::string>> out;
  flatten(YAML::Load(text), "", out);
  return out;
}

// A trainer config unlike the default in every section.
TrainerConfig unusualConfig() {
  TrainerConfig c;
  c.name = "student-x";
  c.role = "student";
  c.seed = 99;
  c.threads = 3;
  c.maxSteps = 123;
  c.maxEpochs = 4;
  c.gradClip = 2.5;
  c.logEvery = 7;
  c.data.train = {"a", "b"};
  c.data.soft = {{"u", "teacher", "top20"}, {"v", "", ""}};
  c.data.validation = {"dev"};
  c.data.validationFraction = 0.2;
  c.data.featureSet = "fbank64-0123abcd";
  c.data.maxUtterances = 50;
  c.modelPreset = "student-tiny";
  c.model = ModelOptions::preset("student-tiny");
  c.model.cells = 48;
  c.model.projection = 24;
  c.model.dropout = 0.125;
  c.model.numUnits = 70;
  c.batching.maxFrames = 1234;
  c.batching.bucket = false;
  c.batching.bucketWindow = 9;
  c.batching.shuffle = false;
  c.bptt.mode = "chunked";
  c.bptt.chunk = 20;
  c.bptt.carryState = true;
  c.streams.kind = "interleave";
  c.streams.labeledBatches = 2;
  c.streams.softBatches = 5;
  c.streams.labeledLrMultiplier = 0.5;
  c.streams.softEpochs = 3;
  c.distillation.temperature = 2;
  c.optimizer.kind = "sgd";
  c.optimizer.lr = 0.05;
  c.optimizer.momentum = 0.8;
  c.optimizer.nesterov = true;
  c.optimizer.weightDecay = 1e-5;
  c.optimizer.beta1 = 0.85;
  c.optimizer.beta2 = 0.98;
  c.optimizer.eps = 1e-7;
  c.schedule.kind = "newbob";
  c.schedule.warmupSteps = 10;
  c.schedule.decayRate = 0.25;
  c.schedule.decaySteps = 77;
  c.schedule.minLr = 1e-4;
  c.schedule.newbobFactor = 0.7;
  c.schedule.newbobThreshold = 0.01;
  c.schedule.newbobPatience = 2;
  c.validateEvery = 11;
  c.patience = 3;
  c.keepBest = false;
  c.checkpointEvery = 13;
  c.keepCheckpoints = 5;
  c.distribution.algorithm = "bmuf";
  c.distribution.backend = "gloo";
  c.distribution.timeoutSeconds = 30;
  c.distribution.connectTimeoutSeconds = 45;
  c.distribution.heartbeatSeconds = 7;
  c.distribution.gtc.threshold = 0.002;
  c.distribution.gtc.targetFraction = 0.05;
  c.distribution.bmuf.blockSteps = 17;
  c.distribution.bmuf.blockMomentum = 0.5;
  c.distribution.bmuf.blockLr = 1.5;
  c.distribution.bmuf.nesterov = false;
  c.distribution.bmuf.warmupBlocks = 2;
  return c;
}

// The YAML block under docs/training.md's "Config keys and defaults".
std::string documentedKeys() {
  std::ifstream in(std::string(UNDERSTUDY_SOURCE_DIR) + "/docs/training.md");
  std::string line, block;
  bool inSection = false, inBlock = false;
  while (std::getline(in, line)) {
    if (line.rfind("## ", 0) == 0) inSection = line == "## Config keys and defaults";
    if (!inSection) continue;
    if (line.rfind("```", 0) == 0) {
      if (inBlock) break;
      inBlock = true;
      continue;
    }
    if (inBlock) block += line + "\n";
  }
  return block;
}

std::string errorLine(const Error& e) {
  return e.message() + " [key " + e.keyName() + ", line " + std::to_string(e.lineNumber().value_or(-1)) + "]";
}

}  // namespace

class TestRecipe : public QObject {
  Q_OBJECT

 private slots:
  // What a train run's record says: its datasets (data.train, data.soft), its
  // algorithm and ranks from the "# distributed:" line, its seed, every key.
  void testTrainingRecordReadsDatasetsAlgorithmSeedAndKeys() {
    const std::string resolved =
        TrainerConfig::loadString("name: s\nrole: student\nseed: 9\n"
                                  "data: {train: [lab, lab2], soft: [unlab, {dataset: more, model: t}]}\n"
                                  "streams: {kind: interleave}\ndistribution: {algorithm: bmuf}\n")
            .toYaml();
    const TrainingRecord one = readTrainingRecord(resolved);
    QCOMPARE(one.labeledDatasets, (std::vector<std::string>{"lab", "lab2"}));
    QCOMPARE(one.unlabeledDatasets, (std::vector<std::string>{"unlab", "more"}));
    QCOMPARE(one.algorithm, std::string());  // one process: the config's algorithm is unused
    QCOMPARE(one.workers, 1);
    QCOMPARE(one.seed.value_or(""), std::string("9"));
    const auto key = [&](const TrainingRecord& r, const std::string& k) {
      for (const auto& [name, value] : r.keys)
        if (name == k) return value;
      return std::string("(absent)");
    };
    QCOMPARE(key(one, "distribution.algorithm"), std::string("bmuf"));
    QCOMPARE(key(one, "optimizer.lr"), std::string("0.001"));

    const TrainingRecord ranks =
        readTrainingRecord("# distributed: 4 ranks, algorithm bmuf, backend gloo\n" + resolved);
    QCOMPARE(ranks.algorithm, std::string("bmuf"));
    QCOMPARE(ranks.workers, 4);
    QCOMPARE(ranks.keys, one.keys);  // the line is a comment, not a key

    const TrainingRecord bare = readTrainingRecord("name: x\n");
    QVERIFY(bare.labeledDatasets.empty() && bare.unlabeledDatasets.empty());
    QVERIFY(!bare.seed.has_value());
  }

  // ---- the machinery, on Toy ------------------------------------------------

  void testToYamlWritesEveryKeyInTableOrder() {
    QCOMPARE(QString::fromStdString(toyFields().toYaml(Toy{})), QString(kDefaultYaml));
    Toy t;
    t.label = "x y";
    t.sets = {"a", "b"};
    QVERIFY(toyFields().toYaml(t, "  ").find("  sets: [a, b]\n  label: 'x y'\n") != std::string::npos);
  }

  void testKeysListEveryKeyWithDefaultRangeAndHelp() {
    const auto keys = toyFields().keys();
    QStringList names;
    for (const auto& k : keys) {
      names << QString::fromStdString(k.key);
      QVERIFY2(!k.help.empty(), k.key.c_str());
    }
    QCOMPARE(names.join(","), QString("name,mode,fraction,count,flag,sets,label,inner.steps,inner.rate,checks.every"));
    QCOMPARE(QString::fromStdString(keys[2].defaultValue), QString("0.1"));
    QCOMPARE(QString::fromStdString(keys[2].range), QString("[0, 1)"));
    QCOMPARE(QString::fromStdString(keys[1].range), QString("a | b"));
    QCOMPARE(QString::fromStdString(keys[3].range), QString(">= 0 (0 = all)"));
    QCOMPARE(QString::fromStdString(keys[8].key + "=" + keys[8].defaultValue + " " + keys[8].range),
             QString("inner.rate=0.5 (0, 1]"));
    QCOMPARE(QString::fromStdString(keys[0].range), QString(""));
  }

  void testRoundTripKeepsEveryValue() {
    Toy t;
    t.name = "other";
    t.mode = "b";
    t.fraction = 0.25;
    t.count = 7;
    t.flag = false;
    t.sets = {"x", "y"};
    t.label = "lab el";
    t.inner.steps = 9;
    t.inner.rate = 0.125;
    t.every = 4;
    const std::string yaml = toyFields().toYaml(t);
    const Toy back = read(yaml);
    QCOMPARE(QString::fromStdString(toyFields().toYaml(back)), QString::fromStdString(yaml));
    QCOMPARE(back.inner.steps, 9);
    QCOMPARE(back.every, 4);
    QCOMPARE(back.label, std::string("lab el"));
    QCOMPARE(back.flag, false);
    QVERIFY(yaml != kDefaultYaml);
  }

  void testAbsentKeysKeepTheirDefaults() {
    const Toy t = read("inner:\n  rate: 0.75\n");
    QCOMPARE(t.inner.rate, 0.75);
    QCOMPARE(t.inner.steps, 5);
    QCOMPARE(t.name, std::string("toy"));
    QCOMPARE(t.every, 10);
  }

  void testUnknownKeyNamesKeyAndLine() {
    for (const auto& [yaml, key, line] :
         std::vector<std::tuple<std::string, std::string, long>>{{"name: t\nnmae: u\n", "nmae", 2},
                                                                  {"inner:\n  steps: 2\n  rat: 0.1\n", "inner.rat", 3},
                                                                  {"checks:\n  evry: 3\n", "checks.evry", 2}}) {
      try {
        read(yaml);
        QFAIL(("accepted " + key).c_str());
      } catch (const Error& e) {
        QCOMPARE(QString::fromStdString(e.keyName()), QString::fromStdString(key));
        QCOMPARE(e.lineNumber().value_or(-1), line);
        QVERIFY2(e.message().find("unknown key") != std::string::npos, e.what());
        QCOMPARE(QString::fromStdString(e.filePath()), QString("toy.yaml"));
      }
    }
  }

  void testWrongTypeNamesKeyAndLine() {
    try {
      read("name: t\ninner:\n  steps: many\n");
      QFAIL("accepted steps: many");
    } catch (const Error& e) {
      QCOMPARE(QString::fromStdString(e.keyName()), QString("inner.steps"));
      QCOMPARE(e.lineNumber().value_or(-1), 3L);
    }
  }

  void testRangeErrorNamesKeyValueRangeAndLine_data() {
    QTest::addColumn<QString>("yaml");
    QTest::addColumn<QString>("message");
    QTest::addColumn<long>("line");
    QTest::newRow("closed-open") << "name: t\nfraction: 1\n"
                                 << "toy option fraction = 1 is out of range (allowed: [0, 1))" << 2L;
    QTest::newRow("choices") << "mode: c\n" << "toy option mode = c is out of range (allowed: a | b)" << 1L;
    QTest::newRow("at least, note") << "flag: false\ncount: -2\n"
                                    << "toy option count = -2 is out of range (allowed: >= 0 (0 = all))" << 2L;
    QTest::newRow("section") << "inner:\n  steps: 2\n  rate: 0\n"
                             << "toy option inner.rate = 0 is out of range (allowed: (0, 1])" << 3L;
    QTest::newRow("group") << "checks:\n  every: 0\n"
                           << "toy option checks.every = 0 is out of range (allowed: >= 1)" << 2L;
    QTest::newRow("nan") << "fraction: .nan\n" << "toy option fraction = nan is out of range (allowed: [0, 1))"
                         << 1L;
    QTest::newRow("rule") << "mode: b\n\ncount: 0\n"
                          << "toy option count = 0 is out of range (allowed: >= 1 when mode is b)" << 3L;
  }
  void testRangeErrorNamesKeyValueRangeAndLine() {
    QFETCH(QString, yaml);
    QFETCH(QString, message);
    QFETCH(long, line);
    try {
      read(yaml.toStdString());
      QFAIL("accepted a value out of range");
    } catch (const Error& e) {
      QCOMPARE(QString::fromStdString(e.what_()), message);
      QCOMPARE(e.lineNumber().value_or(-1), line);
      QCOMPARE(QString::fromStdString(e.filePath()), QString("toy.yaml"));
    }
  }

  void testRangeTexts() {
    QCOMPARE(QString::fromStdString(Range::open(0, 100).text()), QString("(0, 100)"));
    QCOMPARE(QString::fromStdString(Range::closed(1, 86400).text()), QString("[1, 86400]"));
    QCOMPARE(QString::fromStdString(Range::above(0).text()), QString("> 0"));
    QCOMPARE(QString::fromStdString(Range::below(1).note("negative = auto").text()), QString("< 1 (negative = auto)"));
    QVERIFY(Range::closedOpen(0, 1).contains(0.0));
    QVERIFY(!Range::closedOpen(0, 1).contains(1.0));
    QVERIFY(!Range::openClosed(0, 1).contains(0.0));
    QVERIFY(Range::openClosed(0, 1).contains(1.0));
    QVERIFY(!Range::atLeast(0).contains(std::numeric_limits<double>::infinity()));
    QVERIFY(Range::any().contains(std::numeric_limits<double>::infinity()));
  }

  void testSetOverridesKeysAsIfTheFileHeldThem() {
    YamlSection file = YamlSection::loadString("name: t\ninner:\n  steps: 2\n", "toy.yaml");
    YAML::Node root = file.node();
    applyOverrides(root, {"inner.rate=0.25", "name=renamed", "sets=[u, v]", "checks.every=3", "label="},
                   toyFields().keys());
    YamlSection s(root, "", "toy.yaml");
    Toy t;
    toyFields().read(s, t);
    QCOMPARE(t.inner.rate, 0.25);
    QCOMPARE(t.inner.steps, 2);
    QCOMPARE(t.name, std::string("renamed"));
    QCOMPARE(t.sets, (std::vector<std::string>{"u", "v"}));
    QCOMPARE(t.every, 3);
    QCOMPARE(t.label, std::string());

    // An empty document takes overrides too.
    YAML::Node empty = YamlSection::loadString("", "empty.yaml").node();
    applyOverrides(empty, {"inner.steps=8"}, toyFields().keys());
    YamlSection e(empty, "", "empty.yaml");
    Toy u;
    toyFields().read(e, u);
    QCOMPARE(u.inner.steps, 8);
  }

  void testSetRefusesUnknownKeysAndNamesItselfInErrors() {
    YAML::Node root = YamlSection::loadString("name: t\n").node();
    expectError([&] { applyOverrides(root, {"inner.rat=0.1"}, toyFields().keys()); },
                {"--set inner.rat=0.1", "unknown key", "inner.rat"});
    expectError([&] { applyOverrides(root, {"rate=0.1"}, toyFields().keys()); }, {"did you mean inner.rate?"});
    expectError([&] { applyOverrides(root, {"inner"}, toyFields().keys()); }, {"not KEY=VALUE"});
    expectError([&] { applyOverrides(root, {"inner=3"}, toyFields().keys()); }, {"unknown key"});

    // A value out of range names the --set, not a line of the file.
    const std::vector<std::string> sets{"inner.rate=2"};
    YAML::Node doc = YamlSection::loadString("name: t\n", "toy.yaml").node();
    applyOverrides(doc, sets, toyFields().keys());
    YamlSection s(doc, "", "toy.yaml");
    Toy t;
    toyFields().read(s, t);
    try {
      validateAt(s, [&] { toyFields().validate(t, Scope("toy")); });
      QFAIL("accepted inner.rate=2");
    } catch (const Error& e) {
      const Error blamed = blameOverride(e, sets);
      QCOMPARE(QString::fromStdString(blamed.filePath()), QString("--set inner.rate=2"));
      QVERIFY(!blamed.lineNumber());
      QCOMPARE(QString::fromStdString(blamed.keyName()), QString("inner.rate"));
      QVERIFY2(blamed.message().find("(allowed: (0, 1])") != std::string::npos, blamed.what());
    }
  }

  // ---- the trainer config ---------------------------------------------------------

  void testTrainerConfigRoundTripsEveryKey() {
    const TrainerConfig c = unusualConfig();
    c.validate();
    const std::string yaml = c.toYaml();
    const TrainerConfig back = TrainerConfig::loadString(yaml, "back.yaml");
    QCOMPARE(QString::fromStdString(back.toYaml()), QString::fromStdString(yaml));
    // Every value differs from the default, so a key read into the wrong
    // member (or not read) shows as a difference.
    const auto defaults = flatYaml(TrainerConfig().toYaml());
    const auto values = flatYaml(yaml);
    for (const auto& [key, value] : values) {
      if (key == "model.input_dim" || key == "model.stack" || key == "model.subsample" || key == "model.layers" ||
          key == "model.kind")
        continue;  // kept from the preset or its default
      for (const auto& [dkey, dvalue] : defaults)
        if (dkey == key) QVERIFY2(dvalue != value, key.c_str());
    }
    QCOMPARE(back.streams.labeledBatches, 2);
    QCOMPARE(back.streams.softBatches, 5);
    QCOMPARE(back.optimizer.beta1, 0.85);
    QCOMPARE(back.data.soft.size(), std::size_t{2});
    QCOMPARE(back.data.soft[0].labels, std::string("top20"));
    QCOMPARE(back.model.numUnits, std::int64_t{70});
    QCOMPARE(back.modelPreset, std::string("student-tiny"));
    QCOMPARE(back.distribution.bmuf.warmupBlocks, 2);
    QVERIFY(resumeConfigDifferences(c, back).empty());
  }

  void testTableKeysAreToYamlKeysInOrder() {
    TrainerConfig c = unusualConfig();  // with model.preset, which a default config leaves out
    std::vector<std::string> written, listed;
    for (const auto& [key, value] : flatYaml(c.toYaml())) written.push_back(key);
    for (const auto& k : TrainerConfig::fields().keys()) {
      listed.push_back(k.key);
      QVERIFY2(!k.help.empty(), k.key.c_str());
    }
    QCOMPARE(written, listed);
    QCOMPARE(listed.size(), std::size_t{68});
    QCOMPARE(QString::fromStdString(listed.front() + " " + listed.back()),
             QString("name distribution.bmuf.warmup_blocks"));
    // Each default in the reference is what a default config writes.
    const auto defaults = flatYaml(TrainerConfig().toYaml());
    for (const auto& k : TrainerConfig::fields().keys()) {
      if (k.key == "model.preset") continue;  // unset: not written
      const auto it = std::find_if(defaults.begin(), defaults.end(), [&](const auto& d) { return d.first == k.key; });
      QVERIFY2(it != defaults.end(), k.key.c_str());
      QCOMPARE(QString::fromStdString(inlineValue(YAML::Load(k.defaultValue))), QString::fromStdString(it->second));
    }
  }

  // The toYaml() text checkpoints and run records store: the keys, order
  // and formats of the config before the field tables (resume compares it).
  void testDefaultTextIsTheStoredFormat() {
    const std::string yaml = TrainerConfig().toYaml();
    for (const char* piece :
         {"name: model\nrole: teacher\nseed: 1\nthreads: 2\nmax_steps: 1000\nmax_epochs: 0\ngrad_clip: 5\n"
          "log_every: 1\ndata:\n  train: []\n  soft: []\n  validation: []\n  validation_fraction: 0.1\n"
          "  feature_set: ''\n  max_utterances: 0\nmodel:\n  kind: blstm\n",
          "  num_units: 0\nbatching:\n  max_frames: 20000\n", "streams:\n  kind: labeled-only\n  ratio: '1:4'\n",
          "  betas: [0.9, 0.999]\n  eps: 1e-08\nschedule:\n",
          "validation:\n  every: 200\n  patience: 0\n  keep_best: true\ncheckpoint:\n  every: 500\n  keep: 3\n"
          "distribution:\n",
          "  bmuf:\n    block_steps: 50\n    block_momentum: -1\n    block_lr: 1\n    nesterov: true\n"
          "    warmup_blocks: 0\n"})
      QVERIFY2(yaml.find(piece) != std::string::npos, piece);
    TrainerConfig s = unusualConfig();
    QVERIFY(s.toYaml().find("  soft: [{dataset: 'u', model: 'teacher', labels: 'top20'}, "
                            "{dataset: 'v', model: '', labels: ''}]\n") != std::string::npos);
    QVERIFY(s.toYaml().find("model:\n  preset: student-tiny\n  kind: lstm\n") != std::string::npos);
  }

  void testDocsKeyReferenceIsTheTable() {
    const std::string docs = documentedKeys();
    QVERIFY2(docs.size() > 500, "docs/training.md has no YAML block under \"## Config keys and defaults\"");
    const auto documented = flatYaml(docs);
    std::vector<std::string> docKeys, tableKeys;
    for (const auto& [key, value] : documented) docKeys.push_back(key);
    const auto keys = TrainerConfig::fields().keys();
    for (const auto& k : keys) tableKeys.push_back(k.key);
    QCOMPARE(docKeys, tableKeys);
    for (std::size_t i = 0; i < keys.size(); ++i)
      QVERIFY2(inlineValue(YAML::Load(keys[i].defaultValue)) == documented[i].second,
               (keys[i].key + ": the table says " + keys[i].defaultValue + ", the docs " + documented[i].second).c_str());
  }

  void testTrainerUnknownKeyNamesKeyAndLine() {
    try {
      TrainerConfig::loadString("name: t\ndistribution:\n  bmuf:\n    block_steps: 3\n    blok_lr: 1\n", "t.yaml");
      QFAIL("accepted distribution.bmuf.blok_lr");
    } catch (const Error& e) {
      QCOMPARE(QString::fromStdString(e.keyName()), QString("distribution.bmuf.blok_lr"));
      QCOMPARE(e.lineNumber().value_or(-1), 5L);
      QCOMPARE(QString::fromStdString(e.filePath()), QString("t.yaml"));
    }
  }

  void testTrainerRangeErrorNamesKeyValueRangeAndLine_data() {
    QTest::addColumn<QString>("yaml");
    QTest::addColumn<QString>("message");
    QTest::addColumn<long>("line");
    QTest::newRow("lr") << "name: t\noptimizer:\n  kind: sgd\n  lr: 200\n"
                        << "trainer option optimizer.lr = 200 is out of range (allowed: (0, 100))" << 4L;
    QTest::newRow("model stack") << "model:\n  preset: teacher-tiny\n  stack: 16\n"
                                 << "trainer option model.stack = 16 is out of range (allowed: [1, 15])" << 3L;
    QTest::newRow("model rule") << "model:\n  stack: 4\n"
                                << "trainer option model.stack = 4 is out of range (allowed: an odd number 1..15: "
                                   "[t-k .. t+k] is centred on t)"
                                << 2L;
    QTest::newRow("beta") << "optimizer:\n  betas: [0.9, 1.5]\n"
                          << "trainer option optimizer.betas[1] = 1.5 is out of range (allowed: [0, 1))" << 2L;
    QTest::newRow("schedule") << "schedule:\n  kind: linear\n"
                              << "trainer option schedule.kind = linear is out of range (allowed: constant | "
                                 "exponential | cosine | newbob)"
                              << 2L;
    QTest::newRow("heartbeat rule") << "distribution:\n  heartbeat_s: 1.5\n"
                                    << "trainer option distribution.heartbeat_s = 1.5 is out of range (allowed: 0 "
                                       "(off) or >= 2)"
                                    << 2L;
    QTest::newRow("threads") << "threads: 300\n"
                             << "trainer option threads = 300 is out of range (allowed: [0, 256] (0 = all cores))"
                             << 1L;
    QTest::newRow("cross-section") << "model:\n  kind: blstm\nbptt:\n  mode: chunked\n"
                                   << "trainer option bptt.mode = chunked is out of range (allowed: full for a "
                                      "blstm model)"
                                   << 4L;
    QTest::newRow("multiplier") << "streams:\n  labeled_lr_multiplier: 2\n"
                                << "trainer option streams.labeled_lr_multiplier = 2 is out of range (allowed: 1 for "
                                   "labeled-only)"
                                << 2L;
    QTest::newRow("gtc") << "distribution:\n  gtc:\n    target_fraction: 1\n"
                         << "trainer option distribution.gtc.target_fraction = 1 is out of range (allowed: [0, 1) "
                            "(0 = tau fixed))"
                         << 3L;
  }
  void testTrainerRangeErrorNamesKeyValueRangeAndLine() {
    QFETCH(QString, yaml);
    QFETCH(QString, message);
    QFETCH(long, line);
    try {
      TrainerConfig::loadString(yaml.toStdString(), "bad.yaml");
      QFAIL("accepted a value out of range");
    } catch (const Error& e) {
      QCOMPARE(QString::fromStdString(e.what_()), message);
      QCOMPARE(e.lineNumber().value_or(-1), line);
      QCOMPARE(QString::fromStdString(e.filePath()), QString("bad.yaml"));
    }
  }

  void testSetOverridesTrainerKeys() {
    const std::string yaml = "name: t\nmodel:\n  preset: teacher-tiny\n  cells: 32\noptimizer:\n  lr: 0.01\n";
    const TrainerConfig c = TrainerConfig::loadString(
        yaml, "t.yaml",
        {"optimizer.lr=0.05", "distribution.bmuf.block_steps=7", "model.layers=4", "data.train=[a, b]",
         "streams.kind=interleave", "streams.ratio=2:3", "optimizer.betas=[0.8, 0.9]"});
    QCOMPARE(c.optimizer.lr, 0.05);
    QCOMPARE(c.distribution.bmuf.blockSteps, 7);
    QCOMPARE(c.model.layers, std::int64_t{4});
    QCOMPARE(c.model.cells, std::int64_t{32});  // the file's key still overrides the preset
    QCOMPARE(c.model.kind, std::string("blstm"));
    QCOMPARE(c.data.train, (std::vector<std::string>{"a", "b"}));
    QCOMPARE(c.streams.ratio(), std::string("2:3"));
    QCOMPARE(c.optimizer.beta1, 0.8);
    // The same as writing the keys in the file.
    const TrainerConfig same = TrainerConfig::loadString(
        "name: t\nmodel:\n  preset: teacher-tiny\n  cells: 32\n  layers: 4\noptimizer:\n  lr: 0.05\n"
        "  betas: [0.8, 0.9]\ndata: {train: [a, b]}\nstreams: {kind: interleave, ratio: '2:3'}\n"
        "distribution: {bmuf: {block_steps: 7}}\n");
    QCOMPARE(QString::fromStdString(c.toYaml()), QString::fromStdString(same.toYaml()));
  }

  void testSetErrorsNameTheSet() {
    expectError([] { TrainerConfig::loadString("name: t\n", "t.yaml", {"optimizer.learning_rate=0.1"}); },
                {"--set optimizer.learning_rate=0.1", "unknown key"});
    expectError([] { TrainerConfig::loadString("name: t\n", "t.yaml", {"lr=0.1"}); }, {"did you mean optimizer.lr?"});
    try {
      TrainerConfig::loadString("name: t\noptimizer:\n  lr: 0.01\n", "t.yaml", {"optimizer.lr=-1"});
      QFAIL("accepted --set optimizer.lr=-1");
    } catch (const Error& e) {
      QCOMPARE(QString::fromStdString(e.filePath()), QString("--set optimizer.lr=-1"));
      QVERIFY2(!e.lineNumber(), errorLine(e).c_str());
      QCOMPARE(QString::fromStdString(e.what_()),
               QString("trainer option optimizer.lr = -1 is out of range (allowed: (0, 100))"));
    }
    try {
      TrainerConfig::loadString("name: t\n", "t.yaml", {"batching.max_frames=many"});
      QFAIL("accepted --set batching.max_frames=many");
    } catch (const Error& e) {
      QCOMPARE(QString::fromStdString(e.filePath()), QString("--set batching.max_frames=many"));
      QCOMPARE(QString::fromStdString(e.keyName()), QString("batching.max_frames"));
    }
  }

  void testLoadFileTakesOverrides() {
    QTemporaryDir dir;
    const std::string path = dir.filePath("teacher.yaml").toStdString();
    std::ofstream(path) << "name: t\noptimizer:\n  lr: 0.01\n";
    QCOMPARE(TrainerConfig::loadFile(path, {"optimizer.lr=0.02"}).optimizer.lr, 0.02);
    QCOMPARE(TrainerConfig::loadFile(path).optimizer.lr, 0.01);
    expectError([&] { TrainerConfig::loadFile(path, {"optimizer.lr=0"}); },
                {"--set optimizer.lr=0: key 'optimizer.lr': trainer option optimizer.lr = 0 is out of range"});
    expectError([&] { TrainerConfig::loadFile(path, {"optimizer.lrr=0"}); }, {"--set optimizer.lrr=0", "unknown key"});
  }

  // A checkpoint written before the streams, distillation and distribution
  // sections existed: its config loads, and resuming it with today's
  // defaults finds no difference; a changed key still shows.
  void testAConfigFromBeforeLaterSectionsResumes() {
    const std::string old =
        "name: teacher-demo\nrole: teacher\nseed: 1\nthreads: 2\nmax_steps: 300\nmax_epochs: 0\ngrad_clip: 5\n"
        "log_every: 1\ndata:\n  train: [synth-labeled]\n  validation: []\n  validation_fraction: 0.1\n"
        "  feature_set: ''\n  max_utterances: 0\nmodel:\n  preset: teacher-tiny\n  kind: blstm\n  input_dim: 64\n"
        "  stack: 3\n  subsample: 3\n  layers: 2\n  cells: 64\n  projection: 0\n  dropout: 0\n  num_units: 40\n"
        "batching:\n  max_frames: 20000\n  bucket: true\n  bucket_window: 50\n  shuffle: true\nbptt:\n"
        "  mode: full\n  chunk: 40\n  carry_state: false\noptimizer:\n  kind: adam\n  lr: 0.002\n  momentum: 0.9\n"
        "  nesterov: false\n  weight_decay: 0\n  betas: [0.9, 0.999]\n  eps: 1e-08\nschedule:\n  kind: cosine\n"
        "  warmup_steps: 30\n  decay_rate: 0.5\n  decay_steps: 1000\n  min_lr: 0.0001\n  newbob_factor: 0.5\n"
        "  newbob_threshold: 0\n  newbob_patience: 1\nvalidation:\n  every: 100\n  patience: 0\n  keep_best: true\n"
        "checkpoint:\n  every: 100\n  keep: 2\n";
    const TrainerConfig saved = TrainerConfig::loadString(old, "ckpt:config");
    TrainerConfig now = saved;
    now.sourceFile.clear();
    QVERIFY(resumeConfigDifferences(saved, now).empty());
    now.optimizer.lr = 0.004;
    now.distribution.algorithm = "gtc";  // may change on resume
    const auto diffs = resumeConfigDifferences(saved, now);
    QCOMPARE(diffs.size(), std::size_t{1});
    QCOMPARE(QString::fromStdString(diffs[0].key + ": " + diffs[0].before + " -> " + diffs[0].after),
             QString("optimizer.lr: 0.002 -> 0.004"));
  }

  // ---- model options ------------------------------------------------------------------

  void testModelOptionsPresetsAndParameterCount() {
    ModelOptions t = ModelOptions::preset("teacher-paper");
    t.numUnits = 3000;
    t.validate();
    // docs/models.md: 78.33 M and 23.86 M parameters at 3,000 units.
    QCOMPARE(t.closedFormParameterCount(), std::int64_t{78330808});
    ModelOptions s = ModelOptions::preset("student-paper");
    s.numUnits = 3000;
    QCOMPARE(s.closedFormParameterCount(), std::int64_t{23862200});
    QCOMPARE(QString::fromStdString(ModelOptions::preset("student-tiny").kind), QString("lstm"));
    expectError([] { ModelOptions::preset("teacher-huge"); }, {"teacher-huge", "teacher-paper"});
    // validate() needs the units; the table lets 0 pass (filled in from the targets).
    expectError([] { ModelOptions::preset("teacher-tiny").validate(); },
                {"acoustic model option num_units = 0 is out of range (allowed: [1, 65535])", "unit inventory"});
    ModelOptions::fields().validate(ModelOptions::preset("teacher-tiny"), Scope("acoustic model"));
    ModelOptions p = t;
    p.projection = p.cells;
    expectError([&] { p.validate(); }, {"projection = 832", "(< cells)"});
  }

  void testModelOptionsYamlRoundTripAndStrictKeys() {
    ModelOptions m = ModelOptions::preset("student-paper");
    m.numUnits = 3000;
    m.dropout = 0.25;
    YamlSection s = YamlSection::loadString(m.toYaml());
    QVERIFY(ModelOptions::fromYaml(s) == m);
    QCOMPARE(QString::fromStdString(m.toYaml()),
             QString("kind: lstm\ninput_dim: 64\nstack: 3\nsubsample: 3\nlayers: 5\ncells: 1024\nprojection: 512\n"
                     "dropout: 0.25\nnum_units: 3000\n"));
    YamlSection bad = YamlSection::loadString("kind: lstm\nlayers: 0\n", "arch.yaml");
    try {
      ModelOptions::fromYaml(bad);
      QFAIL("accepted layers: 0");
    } catch (const Error& e) {
      QCOMPARE(QString::fromStdString(e.keyName()), QString("layers"));
      QCOMPARE(e.lineNumber().value_or(-1), 2L);
    }
  }

  // ---- recipes ------------------------------------------------------------------

  // The recipe parser is part of this torch-free module (the GUI's wizard
  // parses the recipes it writes): a teacher and a student read, the trainer
  // sections completed from the datasets, errors at their line.
  void testRecipeParsesHere() {
    const std::string text =
        "name: r\n"
        "datasets: {labeled: [l], unlabeled: [u], tests: [t]}\n"
        "teacher:\n"
        "  name: teach\n"
        "  model: {preset: teacher-tiny}\n"
        "students:\n"
        "  models:\n"
        "    - name: stu\n"
        "      streams: {kind: interleave}\n"
        "      seeds: [1, 2]\n";
    const Recipe r = parseRecipe(text, "r.yaml");
    QCOMPARE(QString::fromStdString(r.teacher.name), QString("teach"));
    QCOMPARE(r.students.size(), std::size_t(2));
    QCOMPARE(QString::fromStdString(r.students[1].name), QString("stu-seed2"));
    QCOMPARE(r.students[0].softSets, std::vector<std::string>{"u"});
    QCOMPARE(r.students[0].trainSets, std::vector<std::string>{"l"});
    try {
      parseRecipe(text + "labeling: {top_k: 0}\n", "r.yaml");
      QFAIL("accepted top_k: 0");
    } catch (const Error& e) {
      QCOMPARE(QString::fromStdString(e.keyName()), QString("labeling.top_k"));
      QCOMPARE(e.lineNumber().value_or(-1), 11L);
      QVERIFY2(e.message().find("recipe option labeling.top_k = 0 is out of range (allowed: [1, 1000])") !=
                   std::string::npos,
               e.message().c_str());
    }
    try {
      parseRecipe(text + "      workers: 65\n", "r.yaml");
      QFAIL("accepted workers: 65");
    } catch (const Error& e) {
      QCOMPARE(QString::fromStdString(e.keyName()), QString("students.models[0].workers"));
      QCOMPARE(e.lineNumber().value_or(-1), 11L);
      QVERIFY2(e.message().find("= 65 is out of range (allowed: [1, 64])") != std::string::npos, e.message().c_str());
    }
    // The tables the wizard's forms come from.
    const auto labeling = RecipeLabeling::fields().keys();
    QCOMPARE(labeling.size(), std::size_t(3));
    QCOMPARE(QString::fromStdString(labeling[1].key + " " + labeling[1].defaultValue + " " + labeling[1].range),
             QString("precision fp16 fp16 | u8"));
    const auto placement = StudentPlacement::fields().keys();
    QCOMPARE(QString::fromStdString(placement[1].key + " " + placement[1].defaultValue + " " + placement[1].range),
             QString("workers 1 [1, 64]"));
  }

  // ---- torch-free ---------------------------------------------------------------

  // The GUI links core/recipe and never LibTorch: this binary (recipe + util
  // + Qt Test) must not have loaded it. tests/core/recipe/CMakeLists.txt
  // checks the target's link libraries at configure time.
  void testBinaryLoadsNoLibTorch() {
    std::ifstream maps("/proc/self/maps");
    QVERIFY(maps.good());
    std::string line, libraries;
    int lines = 0;
    while (std::getline(maps, line)) {
      ++lines;
      if (line.find("libtorch") != std::string::npos || line.find("libc10") != std::string::npos)
        QFAIL(("test_recipe loaded LibTorch: " + line).c_str());
      if (line.find("libQt6Test") != std::string::npos) libraries = line;
    }
    QVERIFY(lines > 0);
    QVERIFY2(!libraries.empty(), "the check reads the loaded libraries: Qt Test must be among them");
  }
};

QTEST_GUILESS_MAIN(TestRecipe)
#include "test_recipe.moc"
