#include "core/corpus/synth/synth_corpus.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "core/audio/audio_io.h"
#include "core/corpus/synth/espeak_phone_map.h"
#include "core/corpus/synth/forked_workers.h"
#include "core/corpus/synth/synth_worker.h"
#include "core/store/catalog.h"
#include "core/util/atomic_file.h"
#include "core/util/checksum.h"
#include "core/util/error.h"
#include "core/util/fault_point.h"
#include "core/util/log.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace understudy::synth {

namespace {

constexpr int kRate = 16000;
constexpr const char* kGenerator = "understudy-synth/1";

struct Shard {
  std::size_t dataset = 0;  // index into the plans
  std::size_t first = 0;    // utterance range [first, first + count)
  std::size_t count = 0;
  fs::path resultPath;
  std::string header;
};

fs::path partialDir(Workspace& ws, const std::string& dataset) {
  return ws.subdir("audio") / dataset / ".partial";
}

std::string configFingerprint(const SynthCorpusConfig& c) {
  return "profile=" + c.profile + " seed=" + std::to_string(c.seed) +
         " scale=" + std::to_string(c.scale) + " shard_size=" + std::to_string(c.shardSize) +
         " generator=" + kGenerator;
}

// Runs in the forked child: synthesises one shard in plan order, writes the
// wavs and the shard result file, sends "<seconds>" per utterance.
void runShardInChild(const Workspace& ws, const DatasetPlan& plan, const Shard& shard,
                     std::uint64_t corpusSeed, ChildChannel& out) {
  EspeakSynthesizer tts(kRate);
  const fs::path audioDir = ws.subdir("audio") / plan.name;
  std::vector<UtteranceResult> results;
  for (std::size_t i = shard.first; i < shard.first + shard.count; ++i) {
    const UtterancePlan& u = plan.utterances[i];
    UtteranceResult r;
    std::vector<float> audio;
    try {
      audio = synthesizeUtterance(tts, plan, u, corpusSeed, r);
      writeWav((audioDir / (u.key + ".wav")).string(), audio, kRate);
    } catch (Error& e) {
      if (e.utteranceId().empty()) e.utterance(u.key);
      throw;
    }
    results.push_back(std::move(r));
    out.send(std::to_string(static_cast<double>(audio.size()) / kRate));
  }
  writeFileAtomically(shard.resultPath, formatShardResults(shard.header, results));
}

long frameCount(long numSamples) { return numSamples < 400 ? 0 : 1 + (numSamples - 400) / 160; }

std::string framesLine(const UtteranceResult& r) {
  std::string line = r.key;
  const long frames = frameCount(r.numSamples);
  std::size_t seg = 0;
  for (long t = 0; t < frames; ++t) {
    const long centre = t * 160 + 200;
    while (seg + 1 < r.phones.size() && r.phones[seg].end <= centre) ++seg;
    line += " " + std::to_string(espeakPhoneId(r.phones[seg].phone));
  }
  return line + "\n";
}

std::string formatSeconds(long samples) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.7f", static_cast<double>(samples) / kRate);
  return buf;
}

json utteranceMetadata(const UtterancePlan& u) {
  json m;
  m["voice"] = u.voice.voice;
  m["variant"] = u.voice.variant;
  m["rate"] = u.voice.rate;
  m["pitch"] = u.voice.pitch;
  m["range"] = u.voice.range;
  m["noise"] = noiseTypeName(u.condition.noise);
  m["snr_db"] = u.condition.noisy() ? json(std::round(u.condition.snrDb * 100.0) / 100.0) : json();
  if (u.condition.noise == NoiseType::Hum) m["hum_hz"] = u.condition.humHz;
  m["reverb"] = u.condition.reverberant();
  m["rt60_s"] = std::round(u.condition.rt60 * 1000.0) / 1000.0;
  m["noise_floor_db"] = u.condition.floorDb;
  m["leading_silence_s"] = std::round(u.condition.leadingSilence * 1e4) / 1e4;
  m["trailing_silence_s"] = std::round(u.condition.trailingSilence * 1e4) / 1e4;
  m["seed"] = toHex(u.seed);
  m["synthetic"] = true;
  return m;
}

// Writes the alignment files and the database rows of one finished dataset.
SynthDatasetSummary finaliseDataset(Workspace& ws, const DatasetPlan& plan,
                                    std::vector<UtteranceResult> results,
                                    const SynthCorpusConfig& config) {
  std::sort(results.begin(), results.end(),
            [](const UtteranceResult& a, const UtteranceResult& b) { return a.index < b.index; });
  // Keep the shortest prefix of the plan that reaches the target.
  double total = 0.0;
  std::size_t keep = 0;
  while (keep < results.size() && total < plan.targetSeconds) {
    total += static_cast<double>(results[keep].numSamples) / kRate;
    ++keep;
  }
  if (total < 0.9 * plan.targetSeconds)
    log::warning("{}: {:.1f} s of speech, less than the planned {:.1f} s", plan.name, total,
                 plan.targetSeconds);
  results.resize(keep);
  // The folder holds exactly the kept utterances: trimmed ones and temp files
  // of workers stopped mid-write (Ctrl-C, a crash) go.
  const fs::path audioDir = ws.subdir("audio") / plan.name;
  std::set<std::string> keptFiles;
  for (const auto& r : results) keptFiles.insert(r.key + ".wav");
  for (const auto& entry : fs::directory_iterator(audioDir))
    if (entry.is_regular_file() && !keptFiles.count(entry.path().filename().string()))
      fs::remove(entry.path());
  std::sort(results.begin(), results.end(),
            [](const UtteranceResult& a, const UtteranceResult& b) { return a.key < b.key; });

  const fs::path aliDir = ws.subdir("alignments") / plan.name;
  fs::create_directories(aliDir);
  std::string ali, ctm;
  std::set<std::string> lexicon;
  int missingPronunciations = 0;
  for (const auto& r : results) {
    ali += framesLine(r);
    for (const auto& s : r.phones)
      ctm += r.key + " 1 " + formatSeconds(s.start) + " " + formatSeconds(s.end - s.start) + " " +
             s.phone + "\n";
    for (const auto& w : r.words) {
      if (w.phones.empty()) {
        ++missingPronunciations;
        continue;
      }
      std::string entry = w.word;
      for (const auto& p : w.phones) entry += " " + p;
      lexicon.insert(entry);
    }
  }
  if (missingPronunciations > 0)
    log::warning("{}: {} spoken words had no word event from espeak-ng", plan.name,
                 missingPronunciations);
  std::string lexiconText;
  for (const auto& e : lexicon) lexiconText += e + "\n";
  writeFileAtomically(aliDir / "phones.txt", espeakPhonesTable());
  writeFileAtomically(aliDir / "ali.txt", ali);
  writeFileAtomically(aliDir / "lexicon.txt", lexiconText);
  writeFileAtomically(aliDir / "phones.ctm", ctm);
  US_FAULT_POINT("synth.alignments_written");

  std::map<std::size_t, const UtterancePlan*> byIndex;
  for (const auto& u : plan.utterances) byIndex[u.index] = &u;
  std::set<std::string> speakers;
  int noisy = 0;
  for (const auto& r : results) {
    speakers.insert(byIndex.at(r.index)->voice.speakerId());
    noisy += byIndex.at(r.index)->condition.noisy() ? 1 : 0;
  }
  json meta;
  meta["generator"] = kGenerator;
  meta["espeak_ng"] = espeakVersion();
  meta["profile"] = config.profile;
  meta["seed"] = config.seed;
  meta["scale"] = config.scale;
  meta["shard_size"] = config.shardSize;
  meta["target_seconds"] = plan.targetSeconds;
  meta["held_out_text"] = plan.heldOutText;
  meta["noisy_fraction"] = results.empty() ? 0.0 : static_cast<double>(noisy) / results.size();
  meta["speakers"] = std::vector<std::string>(speakers.begin(), speakers.end());
  meta["true_alignment"] = "alignments/" + plan.name;
  if (plan.name == "synth-unlabeled-narrow") meta["narrow_of"] = "synth-unlabeled";

  DatasetRow dataset;
  dataset.name = plan.name;
  dataset.kind = plan.kind;
  dataset.source = "synthetic";
  dataset.sourcePath = "espeak-ng " + espeakVersion();
  dataset.condition = plan.condition;
  dataset.numUtterances = static_cast<std::int64_t>(results.size());
  dataset.totalSeconds = total;
  dataset.metadata = meta.dump();
  std::vector<UtteranceRow> utterances;
  utterances.reserve(results.size());
  for (const auto& r : results) {
    const UtterancePlan& u = *byIndex.at(r.index);
    UtteranceRow row;
    row.key = r.key;
    row.audioPath = "audio/" + plan.name + "/" + r.key + ".wav";
    row.duration = static_cast<double>(r.numSamples) / kRate;
    row.sampleRate = kRate;
    row.speaker = u.voice.speakerId();
    row.text = u.text;
    row.metadata = utteranceMetadata(u).dump();
    utterances.push_back(std::move(row));
  }
  // The true 10 ms alignment comes with the dataset, in the same transaction.
  AlignmentSetRow exact;
  exact.name = "exact";
  exact.source = "synthetic";
  exact.path = "alignments/" + plan.name;
  exact.frameShiftMs = 10;
  exact.numUtterances = static_cast<std::int64_t>(results.size());
  Catalog(ws).registerDataset(dataset, utterances, {exact});

  std::error_code ec;
  fs::remove_all(partialDir(ws, plan.name), ec);

  SynthDatasetSummary s;
  s.name = plan.name;
  s.kind = plan.kind;
  s.numUtterances = static_cast<int>(results.size());
  s.numSpeakers = static_cast<int>(speakers.size());
  s.totalSeconds = total;
  s.targetSeconds = plan.targetSeconds;
  return s;
}

// The dataset row of an earlier build: same configuration -> complete, else refuse.
bool datasetComplete(Workspace& ws, const DatasetPlan& plan, const SynthCorpusConfig& config,
                     SynthDatasetSummary& summary) {
  const std::optional<DatasetRow> row = Catalog(ws).findDataset(plan.name);
  if (!row) return false;
  const std::string& source = row->source;
  json meta = json::parse(row->metadata, nullptr, false);
  if (!meta.is_object()) meta = json::object();
  const bool same = source == "synthetic" && meta.is_object() &&
                    meta.value("profile", std::string()) == config.profile &&
                    meta.value("seed", std::uint64_t(0)) == config.seed &&
                    std::abs(meta.value("scale", 0.0) - config.scale) < 1e-9 &&
                    meta.value("generator", std::string()) == kGenerator;
  if (!same)
    throw US_ERROR("dataset '" + plan.name + "' already exists in this workspace (source '" +
                   source + "', profile '" + meta.value("profile", std::string("?")) + "', seed " +
                   meta.value("seed", json("?")).dump() + ", scale " +
                   meta.value("scale", json("?")).dump() + "); asked for profile '" +
                   config.profile + "', seed " + std::to_string(config.seed) + ", scale " +
                   json(config.scale).dump())
        .file(ws.databasePath().string())
        .hint("use a new workspace, or the same --profile and --seed to resume");
  summary.name = plan.name;
  summary.kind = row->kind;
  summary.numUtterances = static_cast<int>(row->numUtterances);
  summary.totalSeconds = row->totalSeconds;
  summary.targetSeconds = plan.targetSeconds;
  summary.numSpeakers = static_cast<int>(meta.value("speakers", json::array()).size());
  summary.alreadyComplete = true;
  return true;
}

}  // namespace

long numFbankFrames(long numSamples) { return frameCount(numSamples); }

SynthCorpusSummary buildSynthCorpus(Workspace& ws, const SynthCorpusConfig& config,
                                    ProgressSink* progress) {
  config.validate();
  const auto wallStart = std::chrono::steady_clock::now();
  checkSynthLmConfig(ws.root(), config);  // refuse before anything is written
  const std::vector<DatasetPlan> plans = planCorpus(config);
  const std::string fingerprint = configFingerprint(config);

  SynthCorpusSummary summary;
  std::vector<bool> pending(plans.size(), false);
  std::map<std::size_t, SynthDatasetSummary> done;
  for (std::size_t d = 0; d < plans.size(); ++d) {
    SynthDatasetSummary s;
    if (datasetComplete(ws, plans[d], config, s))
      done[d] = s;
    else
      pending[d] = true;
  }

  // Shards of every pending dataset; finished shards of an interrupted build are reused.
  std::vector<Shard> shards;
  std::vector<std::vector<UtteranceResult>> results(plans.size());
  std::int64_t totalUtterances = 0, reusedUtterances = 0;
  for (std::size_t d = 0; d < plans.size(); ++d) {
    if (!pending[d]) continue;
    const auto& plan = plans[d];
    fs::create_directories(ws.subdir("audio") / plan.name);
    fs::create_directories(partialDir(ws, plan.name));
    for (std::size_t first = 0; first < plan.utterances.size();
         first += static_cast<std::size_t>(config.shardSize)) {
      Shard s;
      s.dataset = d;
      s.first = first;
      s.count = std::min<std::size_t>(config.shardSize, plan.utterances.size() - first);
      char name[32];
      std::snprintf(name, sizeof name, "shard-%05zu.txt", first / config.shardSize);
      s.resultPath = partialDir(ws, plan.name) / name;
      s.header = "understudy-synth-shard " + plan.name + " " + std::to_string(s.first) + " " +
                 std::to_string(s.count) + " " + fingerprint;
      totalUtterances += static_cast<std::int64_t>(s.count);
      std::error_code ec;
      if (fs::exists(s.resultPath, ec) &&
          parseShardResults(readFile(s.resultPath), s.header, results[d])) {
        reusedUtterances += static_cast<std::int64_t>(s.count);
        continue;
      }
      shards.push_back(s);
    }
  }

  ProgressTracker tracker(totalUtterances > 0 ? progress : nullptr, "synth", totalUtterances, "utt");
  tracker.set(reusedUtterances);
  if (reusedUtterances > 0)
    log::info("synth: reusing {} utterances from an interrupted build", reusedUtterances);

  // Worker processes: at most `jobs` at once, each one shard, fresh espeak-ng.
  double audioSeconds = 0.0;
  ForkedTasks forked;
  forked.count = shards.size();
  forked.jobs = config.jobs;
  forked.what = "synth";
  forked.child = [&](std::size_t i, ChildChannel& out) {
    runShardInChild(ws, plans[shards[i].dataset], shards[i], config.seed, out);
  };
  forked.onLine = [&](std::size_t, const std::string& line) {
    audioSeconds += std::atof(line.c_str());
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - wallStart).count();
    char detail[64];
    std::snprintf(detail, sizeof detail, "%.0fx real time",
                  elapsed > 0 ? audioSeconds / elapsed : 0.0);
    tracker.advance(1, detail);
  };
  forked.onSuccess = [&](std::size_t i) {
    US_FAULT_POINT("synth.shard_done");
    const Shard& s = shards[i];
    return parseShardResults(readFile(s.resultPath), s.header, results[s.dataset]);
  };
  forked.cancelled = [&] { return progress && progress->cancelled(); };
  const ForkedRun run = runForkedTasks(forked);
  if (run.cancelled) tracker.throwIfCancelled();
  if (!run.failures.empty()) {
    std::vector<std::string> failures;
    for (const auto& f : run.failures) {
      const Shard& s = shards[f.task];
      failures.push_back("worker for " + plans[s.dataset].name + " utterances " +
                         std::to_string(s.first) + ".." + std::to_string(s.first + s.count - 1) +
                         ": " + f.why);
    }
    for (const auto& f : failures) log::error("synth: {}", f);
    throw US_ERROR("synthetic corpus: " + std::to_string(failures.size()) +
                   " worker(s) failed; first: " + failures.front())
        .hint("finished shards are kept; fix the cause and run the same command again");
  }

  for (std::size_t d = 0; d < plans.size(); ++d)
    if (pending[d]) done[d] = finaliseDataset(ws, plans[d], std::move(results[d]), config);
  tracker.finish();
  for (auto& [d, s] : done) summary.datasets.push_back(s);
  summary.audioSeconds = audioSeconds;
  summary.wallSeconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wallStart).count();
  // The LM text and lexicon need the training sets' spoken pronunciations.
  summary.lm = buildSynthLm(ws, config, plans, progress);
  return summary;
}

}  // namespace understudy::synth
