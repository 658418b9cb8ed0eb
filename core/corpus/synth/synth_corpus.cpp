#include "core/corpus/synth/synth_corpus.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <thread>

#include "core/audio/audio_io.h"
#include "core/corpus/synth/espeak_phone_map.h"
#include "core/corpus/synth/synth_worker.h"
#include "core/store/catalog.h"
#include "core/util/atomic_file.h"
#include "core/util/checksum.h"
#include "core/util/error.h"
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

struct Worker {
  pid_t pid = -1;
  int pipe = -1;
  std::size_t shard = 0;
  std::string buffer;    // partial progress lines
  std::string error;     // "E <message>" from the child
};

fs::path partialDir(Workspace& ws, const std::string& dataset) {
  return ws.subdir("audio") / dataset / ".partial";
}

std::string configFingerprint(const SynthCorpusConfig& c) {
  return "profile=" + c.profile + " seed=" + std::to_string(c.seed) +
         " scale=" + std::to_string(c.scale) + " shard_size=" + std::to_string(c.shardSize) +
         " generator=" + kGenerator;
}

void writeAll(int fd, const std::string& text) {
  const char* p = text.data();
  std::size_t left = text.size();
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n <= 0) return;
    p += n;
    left -= static_cast<std::size_t>(n);
  }
}

// Runs in the forked child: synthesises one shard in plan order, writes the
// wavs and the shard result file, reports "<seconds>\n" per utterance.
[[noreturn]] void runShardInChild(const Workspace& ws, const DatasetPlan& plan, const Shard& shard,
                                  std::uint64_t corpusSeed, int pipe) {
  int code = 0;
  try {
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
      writeAll(pipe, std::to_string(static_cast<double>(audio.size()) / kRate) + "\n");
    }
    writeFileAtomically(shard.resultPath, formatShardResults(shard.header, results));
  } catch (const Error& e) {
    writeAll(pipe, "E " + e.message() + "\n");
    code = 1;
  } catch (const std::exception& e) {
    writeAll(pipe, std::string("E ") + e.what() + "\n");
    code = 1;
  }
  ::close(pipe);
  // _exit: the parent's SQLite connection and stdio buffers must not be touched.
  ::_exit(code);
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
  std::fflush(nullptr);
  std::vector<Worker> running;
  std::size_t next = 0;
  std::vector<std::string> failures;
  double audioSeconds = 0.0;
  bool cancelled = false;
  auto drain = [&](Worker& w) {
    char buf[4096];
    for (;;) {
      const ssize_t n = ::read(w.pipe, buf, sizeof buf);
      if (n <= 0) break;
      w.buffer.append(buf, static_cast<std::size_t>(n));
    }
    std::size_t pos;
    while ((pos = w.buffer.find('\n')) != std::string::npos) {
      const std::string line = w.buffer.substr(0, pos);
      w.buffer.erase(0, pos + 1);
      if (line.rfind("E ", 0) == 0) {
        w.error = line.substr(2);
      } else {
        audioSeconds += std::atof(line.c_str());
        const double elapsed =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - wallStart).count();
        char detail[64];
        std::snprintf(detail, sizeof detail, "%.0fx real time",
                      elapsed > 0 ? audioSeconds / elapsed : 0.0);
        tracker.advance(1, detail);
      }
    }
  };
  while (next < shards.size() || !running.empty()) {
    if (!cancelled && progress && progress->cancelled()) {
      cancelled = true;
      for (auto& w : running) ::kill(w.pid, SIGTERM);
    }
    while (!cancelled && failures.empty() && next < shards.size() &&
           static_cast<int>(running.size()) < config.jobs) {
      int fds[2];
      if (::pipe(fds) != 0) throw US_ERROR(std::string("synth: pipe() failed: ") + std::strerror(errno));
      const pid_t pid = ::fork();
      if (pid < 0) {
        ::close(fds[0]);
        ::close(fds[1]);
        throw US_ERROR(std::string("synth: fork() failed: ") + std::strerror(errno))
            .hint("lower --jobs");
      }
      if (pid == 0) {
        // The worker: default crash/termination behaviour, and Ctrl-C is the
        // parent's to handle (it stops the workers with SIGTERM).
        for (int sig : {SIGTERM, SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL}) ::signal(sig, SIG_DFL);
        ::signal(SIGINT, SIG_IGN);
        ::close(fds[0]);
        runShardInChild(ws, plans[shards[next].dataset], shards[next], config.seed, fds[1]);
      }
      ::close(fds[1]);
      ::fcntl(fds[0], F_SETFL, O_NONBLOCK);
      running.push_back({pid, fds[0], next, {}, {}});
      ++next;
    }
    if (!failures.empty() || cancelled) next = shards.size();  // start nothing new
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    for (std::size_t i = 0; i < running.size();) {
      Worker& w = running[i];
      drain(w);
      int status = 0;
      const pid_t r = ::waitpid(w.pid, &status, WNOHANG);
      if (r == 0) {
        ++i;
        continue;
      }
      drain(w);
      ::close(w.pipe);
      const Shard& s = shards[w.shard];
      const std::string where = plans[s.dataset].name + " utterances " + std::to_string(s.first) +
                                ".." + std::to_string(s.first + s.count - 1);
      const bool ok = r == w.pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
      if (ok && parseShardResults(readFile(s.resultPath), s.header, results[s.dataset])) {
        // finished
      } else if (!cancelled) {
        std::string why = !w.error.empty() ? w.error
                          : (r == w.pid && WIFSIGNALED(status))
                              ? "killed by signal " + std::to_string(WTERMSIG(status))
                              : "exited without a complete result";
        failures.push_back("worker for " + where + ": " + why);
      }
      running.erase(running.begin() + static_cast<std::ptrdiff_t>(i));
    }
  }
  if (cancelled) tracker.throwIfCancelled();
  if (!failures.empty()) {
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
