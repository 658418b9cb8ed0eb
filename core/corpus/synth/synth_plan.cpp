#include "core/corpus/synth/synth_plan.h"

#include <algorithm>
#include <cstdio>
#include <set>

#include "core/corpus/synth/command_grammar.h"
#include "core/corpus/synth/synth_rng.h"
#include "core/util/error.h"

namespace understudy::synth {

namespace {

// Planned speech exceeds the target by this factor; synthesis keeps the
// shortest prefix that reaches the target, so estimates may be off by this much.
constexpr double kPlanMargin = 1.08;

template <typename T>
void shuffle(std::vector<T>& v, SynthRng& rng) {
  for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[rng.index(i)]);
}

struct Draw {
  int rate, pitch, range;
};

Draw drawProsody(SynthRng& rng) {
  return {rng.uniformInt(140, 230), rng.uniformInt(25, 75), rng.uniformInt(20, 80)};
}

// Voices with new prosody draws for the given families; every speaker id is
// new (not in `used`), which `used` then records.
std::vector<VoiceSpec> drawVoices(const std::vector<std::pair<std::string, std::string>>& families,
                                  SynthRng& rng, std::set<std::string>& used) {
  std::vector<VoiceSpec> voices;
  for (const auto& [voice, variant] : families) {
    for (int attempt = 0;; ++attempt) {
      if (attempt > 1000) throw US_ERROR("synthetic corpus: cannot draw a new speaker for " + voice);
      const Draw d = drawProsody(rng);
      VoiceSpec v{voice, variant, d.rate, d.pitch, d.range};
      if (used.insert(v.speakerId()).second) {
        voices.push_back(v);
        break;
      }
    }
  }
  return voices;
}

std::string keyFor(const VoiceSpec& voice, const std::string& dataset, std::size_t index) {
  char num[16];
  std::snprintf(num, sizeof num, "%06zu", index);
  return voice.speakerId() + "-" + dataset + "-" + num;
}

enum class ConditionMix { Mixed, Clean, Noisy };

AcousticCondition drawCondition(ConditionMix mix, std::size_t i, SynthRng& rng) {
  static const NoiseType kTypes[] = {NoiseType::White, NoiseType::Pink, NoiseType::Babble,
                                     NoiseType::Hum};
  static const double kBands[][2] = {{0.0, 5.0}, {5.0, 10.0}, {10.0, 20.0}};
  AcousticCondition c;
  c.leadingSilence = rng.uniform(0.15, 0.35);
  c.trailingSilence = rng.uniform(0.10, 0.30);
  c.humHz = rng.chance(0.5) ? 50 : 60;
  const double snrDraw = rng.uniform();
  const double rt60Draw = rng.uniform(0.2, 0.6);
  bool noisy = false;
  std::size_t step = i;  // counts noisy utterances
  if (mix == ConditionMix::Mixed) {
    // Every other utterance is noisy; noise types cycle, SNR bands change
    // every four noisy ones, a third of the noisy ones are reverberant.
    noisy = i % 2 == 1;
    step = i / 2;
  } else if (mix == ConditionMix::Noisy) {
    noisy = true;
  }
  if (!noisy) return c;
  c.noise = kTypes[step % 4];
  if (mix == ConditionMix::Noisy) {
    c.snrDb = 10.0 * snrDraw;  // test-noisy: 0-10 dB
  } else {
    const auto* band = kBands[(step / 4) % 3];
    c.snrDb = band[0] + (band[1] - band[0]) * snrDraw;
  }
  if (step % 3 == 2) c.rt60 = rt60Draw;
  return c;
}

DatasetPlan planDataset(const std::string& name, const std::string& kind, ConditionMix mix,
                        double targetSeconds, bool heldOut, std::vector<VoiceSpec> voices,
                        const SynthCorpusConfig& config, const CommandGrammar& grammar) {
  DatasetPlan plan;
  plan.name = name;
  plan.kind = kind;
  plan.condition = mix == ConditionMix::Mixed ? "mixed" : mix == ConditionMix::Clean ? "clean" : "noisy";
  plan.targetSeconds = targetSeconds;
  plan.heldOutText = heldOut;
  plan.voices = voices;
  plan.babbleVoices = voices;
  SynthRng rng(config.seed, "plan/" + name);
  double planned = 0.0;
  for (std::size_t i = 0; planned < kPlanMargin * targetSeconds || i < 4; ++i) {
    UtterancePlan u;
    u.index = i;
    do {
      u.text = grammar.sentence(rng);
    } while (isHeldOutSentence(u.text, config.seed) != heldOut);
    u.voice = voices[i % voices.size()];
    u.condition = drawCondition(mix, i, rng);
    u.seed = rng.next();
    u.key = keyFor(u.voice, name, i);
    planned += estimateSeconds(u.text, u.voice, u.condition);
    plan.utterances.push_back(std::move(u));
  }
  return plan;
}

}  // namespace

const std::vector<std::string>& accentVoices() {
  static const std::vector<std::string> v = {"en-us",  "en-gb-x-rp", "en-gb-scotland",
                                             "en-029", "en-us-nyc",  "en-gb-x-gbclan", "gmw/en"};
  return v;
}

const std::vector<std::string>& trainingVariants() {
  static const std::vector<std::string> v = {"m1", "m2", "m3", "m4", "m5", "m6", "m7",
                                             "f1", "f2", "f3", "f4", "klatt", "klatt2", "klatt3"};
  return v;
}

const std::vector<std::string>& unseenVariants() {
  static const std::vector<std::string> v = {"m8", "f5", "klatt4"};
  return v;
}

SynthProfile synthProfile(const std::string& name) {
  if (name == "tiny") return {"tiny", 180, 600, 120, 120, 60, 8, 24, 6, 3, 5000};
  if (name == "demo") return {"demo", 1800, 14400, 1200, 1200, 600, 8, 32, 12, 6, 50000};
  if (name == "large") return {"large", 10800, 144000, 3600, 3600, 1800, 12, 48, 16, 6, 200000};
  throw US_ERROR("unknown synthetic corpus profile '" + name + "'")
      .hint("profiles: tiny (3 min labeled), demo (30 min), large (3 h)");
}

std::vector<std::string> synthProfileNames() { return {"tiny", "demo", "large"}; }

void SynthCorpusConfig::validate() const {
  synthProfile(profile);
  if (jobs < 1 || jobs > 256)
    throw US_ERROR("synth.jobs = " + std::to_string(jobs) + " out of range 1..256");
  if (!(scale > 0.0 && scale <= 100.0))
    throw US_ERROR("synth.scale = " + std::to_string(scale) + " out of range (0, 100]");
  if (shardSize < 1 || shardSize > 100000)
    throw US_ERROR("synth.shard_size = " + std::to_string(shardSize) + " out of range 1..100000");
}

std::string SynthCorpusConfig::toYaml() const {
  return "synth:\n  profile: " + profile + "\n  seed: " + std::to_string(seed) +
         "\n  jobs: " + std::to_string(jobs) +
         "\n  narrow_unlabeled: " + (narrowUnlabeled ? "true" : "false") +
         "\n  scale: " + std::to_string(scale) + "\n  shard_size: " + std::to_string(shardSize) +
         "\n";
}

bool isHeldOutSentence(const std::string& sentence, std::uint64_t seed) {
  // One sentence in eight goes to the test pool, decided by a hash of the text.
  return (SynthRng::hashName(sentence) ^ (seed * 0x9e3779b97f4a7c15ull)) % 8 == 0;
}

double estimateSeconds(const std::string& text, const VoiceSpec& voice,
                       const AcousticCondition& condition) {
  // Fitted on espeak-ng 1.51 output (tiny profile): residual 0.13 s per utterance.
  return 0.21 + static_cast<double>(text.size()) * 0.0484 * 175.0 / voice.rate +
         condition.leadingSilence + condition.trailingSilence;
}

std::vector<DatasetPlan> planCorpus(const SynthCorpusConfig& config) {
  config.validate();
  const SynthProfile profile = synthProfile(config.profile);
  const CommandGrammar grammar;
  SynthRng rng(config.seed, "voices");
  std::set<std::string> used;

  // Labeled: every accent, distinct variants.
  std::vector<std::string> accents = accentVoices();
  std::vector<std::string> variants = trainingVariants();
  shuffle(accents, rng);
  shuffle(variants, rng);
  std::vector<std::pair<std::string, std::string>> labeledFamilies;
  for (int i = 0; i < profile.labeledVoices; ++i)
    labeledFamilies.push_back({accents[i % accents.size()], variants[i % variants.size()]});
  const auto labeledVoices = drawVoices(labeledFamilies, rng, used);

  // Unlabeled: the labeled families with new prosody, then other accent x variant pairs.
  std::vector<std::pair<std::string, std::string>> unlabeledFamilies = labeledFamilies;
  std::set<std::pair<std::string, std::string>> seen(labeledFamilies.begin(), labeledFamilies.end());
  shuffle(accents, rng);
  shuffle(variants, rng);
  for (std::size_t k = 0; static_cast<int>(unlabeledFamilies.size()) < profile.unlabeledVoices; ++k) {
    std::pair<std::string, std::string> f{accents[k % accents.size()],
                                          variants[(k + k / variants.size()) % variants.size()]};
    if (seen.insert(f).second || k > 10000) unlabeledFamilies.push_back(f);
  }
  const auto unlabeledVoices = drawVoices(unlabeledFamilies, rng, used);

  // Test: unseen speakers (new prosody) from the unlabeled families.
  std::vector<std::pair<std::string, std::string>> testFamilies = unlabeledFamilies;
  shuffle(testFamilies, rng);
  testFamilies.resize(std::min<std::size_t>(testFamilies.size(), profile.testVoices));
  const auto testVoices = drawVoices(testFamilies, rng, used);

  // Unseen variants: variants no other set uses.
  std::vector<std::pair<std::string, std::string>> unseenFamilies;
  shuffle(accents, rng);
  for (int i = 0; i < profile.unseenVariantVoices; ++i)
    unseenFamilies.push_back({accents[i % accents.size()],
                              unseenVariants()[i % unseenVariants().size()]});
  const auto unseenVoices = drawVoices(unseenFamilies, rng, used);

  const double s = config.scale;
  std::vector<DatasetPlan> plans;
  plans.push_back(planDataset("synth-labeled", "labeled", ConditionMix::Mixed,
                              s * profile.labeledSeconds, false, labeledVoices, config, grammar));
  plans.push_back(planDataset("synth-unlabeled", "unlabeled", ConditionMix::Mixed,
                              s * profile.unlabeledSeconds, false, unlabeledVoices, config, grammar));
  plans.push_back(planDataset("synth-test-clean", "test", ConditionMix::Clean,
                              s * profile.testCleanSeconds, true, testVoices, config, grammar));
  plans.push_back(planDataset("synth-test-noisy", "test", ConditionMix::Noisy,
                              s * profile.testNoisySeconds, true, testVoices, config, grammar));
  plans.push_back(planDataset("synth-test-unseen-variant", "test", ConditionMix::Clean,
                              s * profile.unseenVariantSeconds, true, unseenVoices, config, grammar));
  if (config.narrowUnlabeled) {
    // The unlabeled set's sentences and conditions, spoken by the labeled voices only.
    DatasetPlan narrow = plans[1];
    narrow.name = "synth-unlabeled-narrow";
    narrow.voices = labeledVoices;
    narrow.babbleVoices = labeledVoices;
    for (auto& u : narrow.utterances) {
      u.voice = labeledVoices[u.index % labeledVoices.size()];
      u.key = keyFor(u.voice, narrow.name, u.index);
    }
    plans.push_back(std::move(narrow));
  }
  return plans;
}

}  // namespace understudy::synth
