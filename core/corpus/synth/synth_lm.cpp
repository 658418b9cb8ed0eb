#include "core/corpus/synth/synth_lm.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>

#include "core/corpus/synth/command_grammar.h"
#include "core/corpus/synth/espeak_phone_map.h"
#include "core/corpus/synth/espeak_synthesizer.h"
#include "core/corpus/synth/forked_workers.h"
#include "core/corpus/synth/synth_rng.h"
#include "core/util/atomic_file.h"
#include "core/util/checksum.h"
#include "core/util/error.h"
#include "core/util/fault_point.h"
#include "core/util/log.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace understudy::synth {

namespace {

constexpr const char* kLmGenerator = "understudy-synth-lm/1";
constexpr const char* kInfoName = "info.json";
constexpr const char* kTextName = "text.txt";
constexpr const char* kLexiconName = "lexicon.txt";

std::string lmFingerprint(const SynthCorpusConfig& c) {
  return "profile=" + c.profile + " seed=" + std::to_string(c.seed) +
         " scale=" + std::to_string(c.scale) + " sentences=" + std::to_string(lmSentenceCount(c)) +
         " generator=" + kLmGenerator;
}

std::string entryOf(const std::string& word, const std::vector<std::string>& phones) {
  std::string e = word;
  for (const auto& p : phones) e += " " + p;
  return e;
}

// The non-empty lines of a text.
std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) out.push_back(line);
  return out;
}

struct AccentTask {
  std::string accent;
  fs::path resultPath;
  std::string header;
};

// Runs in a forked child: every vocabulary word's citation form and every
// word of every sentence in context, for one accent; writes the result file
// ("c <entry>" / "x <entry>" lines, then "end").
void phonemiseInChild(const AccentTask& task, const std::vector<std::string>& vocabulary,
                      const std::vector<std::string>& sentences) {
  EspeakSynthesizer tts;
  std::set<std::string> cited, context;
  for (const auto& word : vocabulary) {
    const auto phones = tts.citation(word, task.accent);
    if (phones.empty())
      throw US_ERROR("espeak-ng gives no phones for '" + word + "' in " + task.accent);
    cited.insert(entryOf(word, phones));
  }
  for (const auto& sentence : sentences)
    for (const auto& w : tts.pronounce(sentence, task.accent))
      if (!w.phones.empty()) context.insert(entryOf(w.word, w.phones));
  std::string out = task.header + "\n";
  for (const auto& e : cited) out += "c " + e + "\n";
  for (const auto& e : context) out += "x " + e + "\n";
  out += "end\n";
  writeFileAtomically(task.resultPath, out);
}

// Reads a result file; false if it is incomplete or of another build.
bool parseAccentResult(const fs::path& path, const std::string& header,
                       std::set<std::string>& cited, std::set<std::string>& context) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return false;
  const auto all = lines(readFile(path));
  if (all.size() < 2 || all.front() != header || all.back() != "end") return false;
  for (std::size_t i = 1; i + 1 < all.size(); ++i) {
    const std::string& l = all[i];
    if (l.size() < 3 || l[1] != ' ' || (l[0] != 'c' && l[0] != 'x')) return false;
    (l[0] == 'c' ? cited : context).insert(l.substr(2));
  }
  return true;
}

// Runs the tasks in forked children, at most `jobs` at once; a failed child is
// reported with its accent. Ctrl-C (the sink) stops them all.
void runAccentTasks(const std::vector<AccentTask>& tasks, int jobs,
                    const std::vector<std::string>& vocabulary,
                    const std::vector<std::string>& sentences, ProgressTracker& tracker) {
  ForkedTasks forked;
  forked.count = tasks.size();
  forked.jobs = jobs;
  forked.what = "lm/synth";
  forked.child = [&](std::size_t i, ChildChannel&) {
    phonemiseInChild(tasks[i], vocabulary, sentences);
  };
  forked.onSuccess = [&](std::size_t i) {
    tracker.advance(1, tasks[i].accent);
    US_FAULT_POINT("synth.lm_accent_done");
    return true;
  };
  forked.cancelled = [&] { return tracker.cancelled(); };
  forked.noResult = "exited without a result";
  const ForkedRun run = runForkedTasks(forked);
  if (run.cancelled) tracker.throwIfCancelled();
  if (!run.failures.empty()) {
    std::vector<std::string> failures;
    for (const auto& f : run.failures)
      failures.push_back("phonemiser for " + tasks[f.task].accent + ": " + f.why);
    for (const auto& f : failures) log::error("lm/synth: {}", f);
    throw US_ERROR("lm/synth: " + std::to_string(failures.size()) +
                   " phonemiser process(es) failed; first: " + failures.front())
        .hint(
            "finished accents are kept in lm/synth/.partial; fix the cause and run the same "
            "command again");
  }
}

std::set<std::string> readLexiconEntries(const fs::path& path, const std::string& what) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec))
    throw US_ERROR("lm/synth: " + what + " has no lexicon")
        .file(path.string())
        .hint(
            "the synthetic datasets' alignments are missing: build the corpus in a new "
            "workspace");
  const auto all = lines(readFile(path));
  return std::set<std::string>(all.begin(), all.end());
}

// The info.json of lm/synth, if there is one that parses.
std::optional<json> readInfo(const fs::path& dir) {
  std::error_code ec;
  const fs::path path = dir / kInfoName;
  if (!fs::is_regular_file(path, ec)) return std::nullopt;
  json info = json::parse(readFile(path), nullptr, false);
  if (!info.is_object()) return std::nullopt;
  return info;
}

bool sameConfig(const json& info, const SynthCorpusConfig& config) {
  return info.value("profile", std::string()) == config.profile &&
         info.value("seed", std::uint64_t(0)) == config.seed &&
         std::abs(info.value("scale", 0.0) - config.scale) < 1e-9;
}

// "" if `file` in `dir` has the checksum info.json records for it, else why not.
std::string checkFile(const fs::path& dir, const json& info, const std::string& key) {
  const json& f = info.value(key, json::object());
  const std::string name = f.value("path", std::string());
  std::error_code ec;
  if (name.empty() || !fs::is_regular_file(dir / name, ec))
    return (dir / (name.empty() ? key : name)).string() + " is missing";
  if (toHex(fileChecksum64(dir / name)) != f.value("checksum", std::string()))
    return (dir / name).string() + " differs from its checksum in info.json";
  return "";
}

}  // namespace

int lmSentenceCount(const SynthCorpusConfig& config) {
  const auto n = std::llround(synthProfile(config.profile).lmSentences * config.scale);
  return static_cast<int>(std::max<long long>(1, n));
}

std::vector<std::string> planLmText(const SynthCorpusConfig& config) {
  config.validate();
  const CommandGrammar grammar;
  SynthRng rng(config.seed, "lm/text");
  const int n = lmSentenceCount(config);
  std::vector<std::string> out;
  out.reserve(static_cast<std::size_t>(n));
  while (static_cast<int>(out.size()) < n) {
    std::string s = grammar.sentence(rng);
    if (!isHeldOutSentence(s, config.seed)) out.push_back(std::move(s));
  }
  return out;
}

std::vector<std::string> trainingAccents(const std::vector<DatasetPlan>& plans) {
  std::set<std::string> accents;
  for (const auto& plan : plans)
    if (!plan.heldOutText)
      for (const auto& v : plan.voices) accents.insert(v.voice);
  return {accents.begin(), accents.end()};
}

fs::path synthLmDir(const fs::path& workspaceRoot) { return workspaceRoot / "lm" / "synth"; }

void checkSynthLmConfig(const fs::path& workspaceRoot, const SynthCorpusConfig& config) {
  const fs::path dir = synthLmDir(workspaceRoot);
  const auto info = readInfo(dir);
  if (!info || sameConfig(*info, config)) return;
  throw US_ERROR("lm/synth already holds the LM text and lexicon of profile '" +
                 info->value("profile", std::string("?")) + "', seed " +
                 info->value("seed", json("?")).dump() + ", scale " +
                 info->value("scale", json("?")).dump() + "; asked for profile '" + config.profile +
                 "', seed " + std::to_string(config.seed) + ", scale " + json(config.scale).dump())
      .file((dir / kInfoName).string())
      .hint("use a new workspace, or the same --profile and --seed to resume");
}

SynthLmSummary buildSynthLm(Workspace& ws, const SynthCorpusConfig& config,
                            const std::vector<DatasetPlan>& plans, ProgressSink* progress) {
  const auto start = std::chrono::steady_clock::now();
  config.validate();
  checkSynthLmConfig(ws.root(), config);
  const fs::path dir = synthLmDir(ws.root());
  SynthLmSummary summary;

  // A complete lm/synth of the same configuration is kept as it is.
  if (const auto info = readInfo(dir);
      info && info->value("generator", std::string()) == kLmGenerator) {
    const std::string textProblem = checkFile(dir, *info, "text");
    const std::string lexiconProblem = checkFile(dir, *info, "lexicon");
    if (textProblem.empty() && lexiconProblem.empty()) {
      const json& t = (*info)["text"];
      const json& l = (*info)["lexicon"];
      summary.sentences = t.value("sentences", 0);
      summary.distinctSentences = t.value("distinct_sentences", 0);
      summary.lexiconWords = l.value("words", 0);
      summary.lexiconEntries = l.value("entries", 0);
      summary.fromCitation = l.value("from_citation", 0);
      summary.fromContext = l.value("from_context", 0);
      summary.fromAlignmentsOnly = l.value("from_alignments_only", 0);
      summary.trainingSpokenEntries = l.value("training_spoken_entries", 0);
      summary.accents = l.value("accents", std::vector<std::string>());
      const json coverage = info->value("test_coverage", json::object());
      for (const auto& [name, c] : coverage.items())
        summary.testCoverage.push_back({name, c.value("words", 0), c.value("words_covered", 0),
                                        c.value("entries", 0), c.value("entries_covered", 0)});
      summary.alreadyComplete = true;
      summary.wallSeconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      return summary;
    }
    log::warning("lm/synth: {}; building it again",
                 textProblem.empty() ? lexiconProblem : textProblem);
  }

  // The text.
  fs::create_directories(dir / ".partial");
  const std::vector<std::string> text = planLmText(config);
  std::string textBytes;
  for (const auto& s : text) textBytes += s + "\n";
  const std::set<std::string> distinctSet(text.begin(), text.end());
  const std::vector<std::string> distinct(distinctSet.begin(), distinctSet.end());
  summary.sentences = static_cast<int>(text.size());
  summary.distinctSentences = static_cast<int>(distinct.size());

  // Citation and in-context forms, one worker process per training accent.
  const std::vector<std::string> vocabulary = CommandGrammar().vocabulary();
  summary.accents = trainingAccents(plans);
  std::vector<AccentTask> pending;
  std::vector<AccentTask> all;
  for (const auto& accent : summary.accents) {
    AccentTask t;
    t.accent = accent;
    t.resultPath = dir / ".partial" / (accentCode(accent) + ".txt");
    t.header = "understudy-synth-lm-accent " + accent + " " + lmFingerprint(config) +
               " espeak-ng=" + espeakVersion();
    all.push_back(t);
    std::set<std::string> c, x;
    if (!parseAccentResult(t.resultPath, t.header, c, x)) pending.push_back(t);
  }
  ProgressTracker tracker(progress, "lm", static_cast<std::int64_t>(all.size()), "accent");
  tracker.set(static_cast<std::int64_t>(all.size() - pending.size()));
  runAccentTasks(pending, config.jobs, vocabulary, distinct, tracker);
  std::set<std::string> cited, context;
  for (const auto& t : all)
    if (!parseAccentResult(t.resultPath, t.header, cited, context))
      throw US_ERROR("lm/synth: the phonemiser's result for " + t.accent + " is incomplete")
          .file(t.resultPath.string())
          .hint("run the same command again");

  // The pronunciations the training sets actually speak.
  std::set<std::string> spoken;
  for (const auto& plan : plans) {
    if (plan.heldOutText) continue;
    const auto entries = readLexiconEntries(ws.subdir("alignments") / plan.name / "lexicon.txt",
                                            "dataset '" + plan.name + "'");
    spoken.insert(entries.begin(), entries.end());
  }

  std::set<std::string> lexicon = cited;
  lexicon.insert(context.begin(), context.end());
  summary.fromCitation = static_cast<int>(cited.size());
  summary.fromContext = static_cast<int>(lexicon.size() - cited.size());
  const std::size_t espeakEntries = lexicon.size();
  lexicon.insert(spoken.begin(), spoken.end());
  summary.fromAlignmentsOnly = static_cast<int>(lexicon.size() - espeakEntries);
  summary.trainingSpokenEntries = static_cast<int>(spoken.size());
  summary.lexiconEntries = static_cast<int>(lexicon.size());

  // Every entry: a grammar word and units of phones.txt; every grammar word has one.
  const std::set<std::string> vocabSet(vocabulary.begin(), vocabulary.end());
  std::set<std::string> words;
  std::string lexiconBytes;
  for (const auto& e : lexicon) {
    std::istringstream in(e);
    std::string word, phone;
    in >> word;
    int n = 0;
    while (in >> phone) {
      if (phone == "sil") throw US_ERROR("lm/synth: 'sil' inside the pronunciation '" + e + "'");
      espeakPhoneId(phone);  // throws for a unit outside phones.txt
      ++n;
    }
    if (n == 0 || !vocabSet.count(word))
      throw US_ERROR("lm/synth: bad lexicon entry '" + e + "'")
          .hint("not a grammar word with phones: a bug in the synthetic corpus");
    words.insert(word);
    lexiconBytes += e + "\n";
  }
  for (const auto& w : vocabulary)
    if (!words.count(w))
      throw US_ERROR("lm/synth: no pronunciation for the grammar word '" + w + "'");
  summary.lexiconWords = static_cast<int>(words.size());

  // How much of each test set's spoken pronunciations the lexicon holds (reported, never added).
  json coverage = json::object();
  for (const auto& plan : plans) {
    if (!plan.heldOutText) continue;
    const fs::path path = ws.subdir("alignments") / plan.name / "lexicon.txt";
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) continue;
    LexiconCoverage c;
    c.dataset = plan.name;
    std::map<std::string, bool> wordCovered;
    for (const auto& e : lines(readFile(path))) {
      const bool in = lexicon.count(e) > 0;
      ++c.entries;
      c.entriesCovered += in ? 1 : 0;
      const std::string word = e.substr(0, e.find(' '));
      auto it = wordCovered.emplace(word, true).first;
      it->second = it->second && in;
    }
    c.words = static_cast<int>(wordCovered.size());
    for (const auto& [w, ok] : wordCovered) c.wordsCovered += ok ? 1 : 0;
    coverage[c.dataset] = {{"words", c.words},
                           {"words_covered", c.wordsCovered},
                           {"entries", c.entries},
                           {"entries_covered", c.entriesCovered}};
    summary.testCoverage.push_back(c);
  }

  writeFileAtomically(dir / kTextName, textBytes);
  writeFileAtomically(dir / kLexiconName, lexiconBytes);
  std::vector<std::string> trainingSets;
  for (const auto& plan : plans)
    if (!plan.heldOutText) trainingSets.push_back(plan.name);
  json info;
  info["generator"] = kLmGenerator;
  info["espeak_ng"] = espeakVersion();
  info["profile"] = config.profile;
  info["seed"] = config.seed;
  info["scale"] = config.scale;
  info["text"] = {{"path", kTextName},
                  {"sentences", summary.sentences},
                  {"distinct_sentences", summary.distinctSentences},
                  {"checksum", toHex(checksum64(textBytes))}};
  info["lexicon"] = {{"path", kLexiconName},
                     {"words", summary.lexiconWords},
                     {"entries", summary.lexiconEntries},
                     {"from_citation", summary.fromCitation},
                     {"from_context", summary.fromContext},
                     {"from_alignments_only", summary.fromAlignmentsOnly},
                     {"training_spoken_entries", summary.trainingSpokenEntries},
                     {"accents", summary.accents},
                     {"training_datasets", trainingSets},
                     {"phones", "alignments/<dataset>/phones.txt"},
                     {"checksum", toHex(checksum64(lexiconBytes))}};
  info["test_coverage"] = coverage;
  writeFileAtomically(dir / kInfoName, info.dump(2) + "\n");
  std::error_code ec;
  fs::remove_all(dir / ".partial", ec);
  tracker.finish();

  summary.wallSeconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  log::info(
      "lm/synth: {} sentences ({} distinct); lexicon of {} pronunciations for {} words "
      "({} accents) in {:.1f} s",
      summary.sentences, summary.distinctSentences, summary.lexiconEntries, summary.lexiconWords,
      summary.accents.size(), summary.wallSeconds);
  for (const auto& c : summary.testCoverage)
    log::info("lm/synth: {}: {}/{} spoken pronunciations and {}/{} words fully in the lexicon",
              c.dataset, c.entriesCovered, c.entries, c.wordsCovered, c.words);
  return summary;
}

SynthLmFiles openSynthLm(const fs::path& workspaceRoot) {
  const fs::path dir = synthLmDir(workspaceRoot);
  const auto info = readInfo(dir);
  if (!info || info->value("generator", std::string()) != kLmGenerator)
    throw US_ERROR("no complete LM text and lexicon of the synthetic corpus in this workspace")
        .file((dir / kInfoName).string())
        .hint("run `understudy-cli corpus synth` with the workspace's --profile and --seed");
  for (const char* key : {"text", "lexicon"})
    if (const std::string problem = checkFile(dir, *info, key); !problem.empty())
      throw US_ERROR("lm/synth: " + problem)
          .file((dir / kInfoName).string())
          .hint(
              "run `understudy-cli corpus synth` again with the same --profile and --seed to "
              "rebuild it");
  SynthLmFiles f;
  f.text = dir / (*info)["text"].value("path", std::string(kTextName));
  f.lexicon = dir / (*info)["lexicon"].value("path", std::string(kLexiconName));
  f.profile = info->value("profile", std::string());
  f.seed = info->value("seed", std::uint64_t(0));
  f.sentences = (*info)["text"].value("sentences", 0);
  f.lexiconEntries = (*info)["lexicon"].value("entries", 0);
  return f;
}

}  // namespace understudy::synth
