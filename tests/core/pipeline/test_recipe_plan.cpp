// core/recipe's recipe parser and core/pipeline's planner: reading recipes (strict keys with lines, student defaults,
// seeds, what the recipe fills in) and planning their steps (order, commands,
// and keys that change exactly when a step's config or anything upstream does).
#include <QtTest>

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>
#include <string>

#include "core/pipeline/recipe_runner.h"
#include "core/recipe/recipe.h"
#include "core/util/error.h"

using namespace understudy;
using namespace understudy::pipeline;
using understudy::recipe::parseRecipe;

namespace {

const char* kRecipe = R"(name: t
corpus:
  synth: {profile: tiny, seed: 1}
datasets:
  labeled: [synth-labeled]
  unlabeled: [synth-unlabeled]
  tests: [synth-test-clean, synth-test-noisy]
teacher:
  name: teach
  max_steps: 10
  model: {preset: teacher-tiny}
students:
  defaults:
    max_steps: 20
    model: {preset: student-tiny}
    optimizer: {lr: 0.002}
  models:
    - name: base
      group: baseline
      streams: {kind: labeled-only}
    - name: inter
      seeds: [1, 2]
      streams: {kind: interleave, ratio: '1:4'}
      optimizer: {lr: 0.004}
    - name: gtc
      workers: 2
      streams: {kind: interleave}
      distribution: {algorithm: gtc}
evaluation:
  baseline: baseline
)";

std::map<std::string, std::string> keysByStep(const Recipe& r) {
  std::map<std::string, std::string> keys;
  for (const auto& s : planRecipe(r, "/ws")) keys[s.kind + " " + s.name] = s.key();
  return keys;
}

// The steps whose keys differ between two plans.
std::vector<std::string> changed(const Recipe& a, const Recipe& b) {
  std::vector<std::string> out;
  const auto ka = keysByStep(a), kb = keysByStep(b);
  for (const auto& [step, key] : ka)
    if (kb.at(step) != key) out.push_back(step);
  return out;
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  if (at == std::string::npos) throw std::runtime_error("test recipe lacks: " + from);
  return text.replace(at, from.size(), to);
}

}  // namespace

class TestRecipePlan : public QObject {
  Q_OBJECT

 private slots:
  void testStudentsMergeDefaultsExpandSeedsAndGetTheirData() {
    const Recipe r = parseRecipe(kRecipe, "t.yaml");
    QCOMPARE(r.students.size(), std::size_t(4));
    QCOMPARE(r.students[0].name, std::string("base"));
    QCOMPARE(r.students[0].role, std::string("baseline"));
    QCOMPARE(r.students[1].name, std::string("inter-seed1"));
    QCOMPARE(r.students[2].name, std::string("inter-seed2"));
    QCOMPARE(r.students[2].seed, std::uint64_t(2));
    QCOMPARE(r.students[1].group, std::string("inter"));
    QCOMPARE(r.students[1].role, std::string("student"));
    // The entry's key wins over the defaults; the defaults fill the rest.
    QVERIFY(r.students[1].configYaml.find("lr: 0.004") != std::string::npos);
    QVERIFY(r.students[0].configYaml.find("lr: 0.002") != std::string::npos);
    QVERIFY(r.students[0].configYaml.find("max_steps: 20") != std::string::npos);
    // data.train from datasets.labeled; data.soft from the unlabeled set and the teacher.
    QCOMPARE(r.students[1].trainSets, std::vector<std::string>{"synth-labeled"});
    QCOMPARE(r.students[1].softSets, std::vector<std::string>{"synth-unlabeled"});
    QVERIFY(r.students[1].configYaml.find("model: 'teach'") != std::string::npos);
    QVERIFY(r.students[0].softSets.empty());
    QCOMPARE(r.students[3].workers, 2);
    QCOMPARE(r.students[3].algorithm, std::string("gtc"));
    // A synthetic corpus: every set gets targets (the truth scores labels and tests).
    QCOMPARE(r.targetSets.size(), std::size_t(4));
  }

  void testPlanRunsStepsInOrderWithTheirCommands() {
    const auto plan = planRecipe(parseRecipe(kRecipe, "t.yaml"), "/ws");
    // synth, 4 features, 4 targets, teacher, label, 4 students, 5 models x 2 tests.
    QCOMPARE(plan.size(), std::size_t(1 + 4 + 4 + 1 + 1 + 4 + 10));
    QCOMPARE(plan.front().kind, std::string("synth"));
    auto index = [&](const std::string& kind, const std::string& name) {
      return std::find_if(plan.begin(), plan.end(), [&](const StepPlan& s) { return s.kind == kind && s.name == name; }) -
             plan.begin();
    };
    QVERIFY(index("train", "teach") < index("label", "teach@synth-unlabeled"));
    QVERIFY(index("label", "teach@synth-unlabeled") < index("train", "inter-seed1"));
    QVERIFY(index("train", "gtc") < index("decode", "teach@synth-test-clean"));
    const StepPlan& gtc = plan[static_cast<std::size_t>(index("train", "gtc"))];
    QCOMPARE(gtc.args.back(), std::string("2"));
    QCOMPARE(gtc.args[gtc.args.size() - 2], std::string("--workers"));
    QCOMPARE(gtc.resumeArgs, std::vector<std::string>{"--resume"});
    QVERIFY(gtc.config.find("workers: 2") != std::string::npos);
    // Ranks on nodes: --nodes and --master-addr on the command, the same key
    // (where the ranks run does not change what they compute).
    const Recipe onNodes = parseRecipe(
        replaced(kRecipe, "      workers: 2\n", "      workers: 2\n      nodes: [n1, n2]\n      master_addr: 10.0.0.1\n"),
        "t.yaml");
    const auto planOnNodes = planRecipe(onNodes, "/ws");
    const StepPlan& remote = planOnNodes[static_cast<std::size_t>(index("train", "gtc"))];
    const std::vector<std::string> tail(remote.args.end() - 6, remote.args.end());
    QCOMPARE(tail, (std::vector<std::string>{"--workers", "2", "--nodes", "n1,n2", "--master-addr", "10.0.0.1"}));
    QCOMPARE(remote.key(), gtc.key());
    // How closely the ranks are watched does not change what they compute
    // either: the heartbeat limit stays out of the key (it came after the
    // first workspaces were made; their finished models stay reused).
    const auto planWatched = planRecipe(
        parseRecipe(replaced(kRecipe, "      distribution: {algorithm: gtc}\n",
                             "      distribution: {algorithm: gtc, heartbeat_s: 30}\n"),
                    "t.yaml"),
        "/ws");
    const StepPlan& watched = planWatched[static_cast<std::size_t>(index("train", "gtc"))];
    QVERIFY(watched.config.find("heartbeat_s") == std::string::npos);
    QCOMPARE(watched.key(), gtc.key());
    // What the ranks compute does.
    const auto planTimeout = planRecipe(
        parseRecipe(replaced(kRecipe, "      distribution: {algorithm: gtc}\n",
                             "      distribution: {algorithm: gtc, gtc: {target_fraction: 0.02}}\n"),
                    "t.yaml"),
        "/ws");
    QVERIFY(planTimeout[static_cast<std::size_t>(index("train", "gtc"))].key() != gtc.key());
    // Every step has its own key.
    std::set<std::string> keys;
    for (const auto& s : plan) keys.insert(s.key());
    QCOMPARE(keys.size(), plan.size());
  }

  void testKeysChangeExactlyDownstreamOfAChange() {
    const Recipe base = parseRecipe(kRecipe, "t.yaml");
    // The same text: the same keys.
    QCOMPARE(changed(base, parseRecipe(kRecipe, "other-file.yaml")).size(), std::size_t(0));
    // One student's learning rate: that student and its decodes only.
    const auto one = changed(base, parseRecipe(replaced(kRecipe, "lr: 0.004", "lr: 0.005"), "t.yaml"));
    QCOMPARE(one, (std::vector<std::string>{"decode inter-seed1@synth-test-clean", "decode inter-seed1@synth-test-noisy",
                                            "decode inter-seed2@synth-test-clean", "decode inter-seed2@synth-test-noisy",
                                            "train inter-seed1", "train inter-seed2"}));
    // The teacher: itself, its labels, every student that reads them, every decode of those.
    const auto teacher = changed(base, parseRecipe(replaced(kRecipe, "max_steps: 10", "max_steps: 11"), "t.yaml"));
    QVERIFY(std::find(teacher.begin(), teacher.end(), "train teach") != teacher.end());
    QVERIFY(std::find(teacher.begin(), teacher.end(), "label teach@synth-unlabeled") != teacher.end());
    QVERIFY(std::find(teacher.begin(), teacher.end(), "train gtc") != teacher.end());
    QVERIFY(std::find(teacher.begin(), teacher.end(), "train base") == teacher.end());  // reads no labels
    QVERIFY(std::find(teacher.begin(), teacher.end(), "features synth-labeled") == teacher.end());
    QCOMPARE(teacher.size(), std::size_t(2 + 3 + 2 * 4));  // teacher, label, 3 soft students, decodes of the 4
    // The fbank options: everything.
    const auto fbank = changed(base, parseRecipe(std::string(kRecipe) + "features: {num_mel_bins: 40}\n", "t.yaml"));
    QCOMPARE(fbank.size() + 1, planRecipe(base, "/ws").size());  // all but the corpus
  }

  void testMistakesNameTheKeyAndLine() {
    auto expectAt = [](const std::string& text, int line, const std::string& words) {
      try {
        parseRecipe(text, "r.yaml");
        QFAIL(("accepted: " + words).c_str());
      } catch (const Error& e) {
        const std::string m = e.message();
        QVERIFY2(m.find("r.yaml") != std::string::npos && m.find(words) != std::string::npos, m.c_str());
        QVERIFY2(e.lineNumber() == line, (m + " (line " + std::to_string(e.lineNumber().value_or(-1)) + ")").c_str());
      }
    };
    expectAt(replaced(kRecipe, "  labeled: [synth-labeled]", "  labeled: [synth-labeled]\n  labelled: [x]"), 6,
             "labelled");
    // A trainer key in the third student, with its line in the recipe.
    expectAt(replaced(kRecipe, "      distribution: {algorithm: gtc}", "      distribution: {algorithm: gtc}\n      max_stepz: 3"),
             29, "max_stepz");
    expectAt(replaced(kRecipe, "streams: {kind: interleave}", "streams: {kind: interleaved}"), 27, "streams.kind");
    expectAt(replaced(kRecipe, "  baseline: baseline", "  baseline: nobody"), 30, "nobody");
    expectAt(replaced(kRecipe, "      streams: {kind: interleave, ratio: '1:4'}",
                      "      streams: {kind: interleave, ratio: '1:4'}\n      data: {soft: [elsewhere]}"),
             24, "elsewhere");
    expectAt(replaced(kRecipe, "    - name: gtc", "    - name: base"), 25, "named twice");
    expectAt(replaced(kRecipe, "      group: baseline\n", "      group: baseline\n      nodes: [n1]\n"), 20, "workers: 2 or more");
  }
};

QTEST_GUILESS_MAIN(TestRecipePlan)
#include "test_recipe_plan.moc"
