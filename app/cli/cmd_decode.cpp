// decode: words from a model's posteriors through the HLG graph, scored
// against the dataset's transcripts with sclite's conventions, recorded in
// workspace.db as an evaluation (docs/decoding.md "The decode command").
// The engines are core/train/posteriors.h (the model), core/decode (graph,
// search, scoring) and core/store/evaluation_store.h; this file wires them.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "app/cli/commands.h"
#include "app/cli/recorded_run.h"
#include "core/corpus/synth/synth_lm.h"
#include "core/decode/decoder.h"
#include "core/decode/graph_options.h"
#include "core/decode/lexicon.h"
#include "core/decode/ngram_lm.h"
#include "core/decode/recognizer.h"
#include "core/decode/scoring.h"
#include "core/store/catalog.h"
#include "core/store/evaluation_store.h"
#include "core/store/run_store.h"
#include "core/store/workspace.h"
#include "core/train/model_bundle.h"
#include "core/train/posteriors.h"
#include "core/train/workspace_data.h"
#include "core/util/atomic_file.h"
#include "core/util/checksum.h"
#include "core/util/error.h"
#include "core/util/events.h"
#include "core/util/log.h"

namespace understudy::cli {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

struct DecodeArgs {
  std::string workspace, model, dataset, featureSet;
  std::vector<std::string> lexicons;
  std::string lm;
  double acousticScale = decode::DecoderOptions{}.acousticScale;
  double priorScale = decode::DecoderOptions{}.priorScale;
  double beam = decode::DecoderOptions{}.beam;
  int maxActive = decode::DecoderOptions{}.maxActive;
  double silenceProbability = decode::GraphOptions{}.silenceProbability;
  std::string tuneOn;
  double tuneFraction = 0.1;
  int threads = 0;       // search threads (0 = one per core)
  int torchThreads = 0;  // acoustic model threads (0 = torch's default)
  std::int64_t maxFrames = 20000;
  std::string out;
};

std::vector<std::string> splitWords(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

// ---- the lexicon and the language model --------------------------------------

struct Language {
  decode::Lexicon lexicon;
  decode::NgramLm lm;
  nlohmann::json identity;  // files and checksums, for the evaluation's settings
};

std::string fileChecksum(const fs::path& path) { return toHex(checksum64(readFile(path))); }

// An ARPA file has a line "\data\" before its first section (KenLM and SRILM
// may put text before it); anything else is taken as text, a sentence a line.
bool looksLikeArpa(const fs::path& path) {
  std::ifstream in(path);
  std::string line;
  for (int i = 0; i < 200 && std::getline(in, line); ++i) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line == "\\data\\") return true;
  }
  return false;
}

Language loadLanguage(const Workspace& ws, const DecodeArgs& a) {
  std::vector<fs::path> lexiconPaths(a.lexicons.begin(), a.lexicons.end());
  fs::path lmPath = a.lm;
  if (lexiconPaths.empty() || lmPath.empty()) {
    const fs::path synthDir = synth::synthLmDir(ws.root());
    if (!fs::exists(synthDir))
      throw US_ERROR("no lexicon or language model given, and the workspace has no synthetic-corpus LM")
          .file(synthDir.string())
          .hint("pass --lexicon FILE and --lm FILE (an ARPA file or a text, one sentence a line); "
                "`corpus synth` writes lm/synth/ for the built-in corpus");
    const synth::SynthLmFiles files = synth::openSynthLm(ws.root());
    if (lexiconPaths.empty()) lexiconPaths.push_back(files.lexicon);
    if (lmPath.empty()) lmPath = files.text;
  }
  Language lang;
  lang.identity["lexicons"] = nlohmann::json::array();
  for (std::size_t i = 0; i < lexiconPaths.size(); ++i) {
    decode::Lexicon part = decode::Lexicon::read(lexiconPaths[i]);
    if (i == 0)
      lang.lexicon = std::move(part);
    else
      lang.lexicon.merge(part);
    lang.identity["lexicons"].push_back(
        {{"path", fs::absolute(lexiconPaths[i]).string()}, {"xxh3", fileChecksum(lexiconPaths[i])}});
  }
  nlohmann::json lm = {{"path", fs::absolute(lmPath).string()}, {"xxh3", fileChecksum(lmPath)}};
  if (looksLikeArpa(lmPath)) {
    lang.lm = decode::NgramLm::readArpa(lmPath);
    lm["kind"] = "arpa";
  } else {
    std::ifstream in(lmPath);
    if (!in) throw US_ERROR("cannot read the LM text").file(lmPath.string());
    std::vector<std::vector<std::string>> sentences;
    for (std::string line; std::getline(in, line);) {
      auto words = splitWords(line);
      if (!words.empty()) sentences.push_back(std::move(words));
    }
    if (sentences.empty())
      throw US_ERROR("the LM text holds no sentence").file(lmPath.string())
          .hint("give a text with one sentence a line, or an ARPA file");
    lang.lm = decode::NgramLm::estimate(sentences, {});
    lm["kind"] = "text";
    lm["estimated"] = "modified Kneser-Ney, order " + std::to_string(lang.lm.order());
    lm["sentences"] = sentences.size();
  }
  lm["order"] = lang.lm.order();
  lang.identity["lm"] = lm;
  return lang;
}

// ---- utterances, posteriors, search, scores ------------------------------------

// The examples `indices` of a source, as a source of their own.
class SubsetSource final : public train::ExampleSource {
 public:
  SubsetSource(std::shared_ptr<const train::ExampleSource> base, std::vector<std::size_t> indices)
      : m_base(std::move(base)), m_indices(std::move(indices)) {}
  std::size_t size() const override { return m_indices.size(); }
  int frames(std::size_t i) const override { return m_base->frames(m_indices.at(i)); }
  train::TrainingExample get(std::size_t i) const override { return m_base->get(m_indices.at(i)); }
  int dims() const override { return m_base->dims(); }
  int numUnits() const override { return m_base->numUnits(); }

 private:
  std::shared_ptr<const train::ExampleSource> m_base;
  std::vector<std::size_t> m_indices;
};

// A dataset's transcribed utterances and their model posteriors.
struct DecodeSet {
  std::string dataset;
  std::string featureSet;
  std::vector<UtteranceRow> references;  // with a transcript, in key order
  std::map<std::string, train::UtterancePosteriors> posteriors;  // by key
  double audioSeconds = 0.0;     // of the references
  double posteriorSeconds = 0.0;
  std::size_t withoutFeatures = 0;  // references with no feature record
};

// `keep(key)` picks the utterances (all by default).
DecodeSet loadDecodeSet(Workspace& ws, train::ModelBundle& model, const std::string& dataset,
                        const DecodeArgs& a, ProgressSink* progress,
                        const std::function<bool(const std::string&)>& keep = {}) {
  Catalog catalog(ws);
  const DatasetRow row = catalog.dataset(dataset);
  DecodeSet set;
  set.dataset = dataset;
  for (auto& u : catalog.utterances(row.id))
    if (u.text && (!keep || keep(u.key))) set.references.push_back(std::move(u));
  if (set.references.empty())
    throw US_ERROR("dataset '" + dataset + "' has no transcribed utterances" + (keep ? " in the tuning split" : ""))
        .hint("decode a dataset with transcripts (`corpus list` shows them)");
  std::sort(set.references.begin(), set.references.end(),
            [](const UtteranceRow& x, const UtteranceRow& y) { return x.key < y.key; });
  std::map<std::string, bool> wanted;
  for (const auto& r : set.references) {
    wanted[r.key] = true;
    set.audioSeconds += r.duration;
  }

  train::DatasetFeatures features = train::openDatasetFeatures(ws, model, dataset, a.featureSet);
  set.featureSet = features.featureSet;
  std::vector<std::size_t> indices;
  for (std::size_t i = 0; i < features.source->size(); ++i)
    if (wanted.count(features.source->key(i))) indices.push_back(i);
  set.withoutFeatures = set.references.size() - indices.size();
  SubsetSource subset(features.source, indices);
  train::PosteriorOptions options;
  options.maxFrames = a.maxFrames;
  options.threads = a.torchThreads;
  options.progress = progress;
  const auto start = Clock::now();
  for (auto& p : train::computeLogPosteriors(model.model, subset, options)) set.posteriors[p.key] = std::move(p);
  set.posteriorSeconds = secondsSince(start);
  return set;
}

struct Hypotheses {
  std::map<std::string, decode::DecodeResult> byKey;
  double searchSeconds = 0.0;
  int notFinal = 0;
  int noPath = 0;
};

Hypotheses search(const decode::Decoder& decoder, const DecodeSet& set, int threads, ProgressSink* progress) {
  std::vector<decode::LogPosteriors> batch;
  std::vector<std::string> keys;
  for (const auto& [key, p] : set.posteriors) {
    batch.push_back({p.frames, p.units, p.logProbs.data()});
    keys.push_back(key);
  }
  Hypotheses h;
  const auto start = Clock::now();
  std::vector<decode::DecodeResult> results = decoder.decodeMany(batch, threads, keys, progress);
  h.searchSeconds = secondsSince(start);
  for (std::size_t i = 0; i < results.size(); ++i) {
    if (results[i].status == decode::DecodeStatus::NotFinal) ++h.notFinal;
    if (results[i].status == decode::DecodeStatus::NoPath) ++h.noPath;
    h.byKey[keys[i]] = std::move(results[i]);
  }
  return h;
}

// The 1-best words of an utterance; none when it was not decoded (no features).
std::vector<std::string> hypothesisWords(const Hypotheses& h, const std::string& key) {
  std::vector<std::string> words;
  auto it = h.byKey.find(key);
  if (it != h.byKey.end())
    for (const auto& w : it->second.words) words.push_back(w.word);
  return words;
}

// Every reference scored; one without features or a hypothesis is scored
// against an empty hypothesis (all deletions), as sclite scores an empty line.
struct Scores {
  std::vector<decode::UtteranceScore> utterances;  // reference order
  decode::ScoreSummary summary;
};

Scores score(const DecodeSet& set, const Hypotheses& h, const decode::Vocabulary& vocabulary) {
  Scores s;
  for (const auto& ref : set.references) {
    decode::UtteranceScore u = decode::alignWords(splitWords(*ref.text), hypothesisWords(h, ref.key), vocabulary);
    u.id = ref.key;
    s.summary.add(u);
    s.utterances.push_back(std::move(u));
  }
  return s;
}

// ---- tuning the scales ----------------------------------------------------------

struct Tuning {
  double acousticScale = 0;
  double priorScale = 0;
  nlohmann::json record;  // the grid and where it was measured
};

const std::vector<double> kAcousticScaleGrid = {0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0};
const std::vector<double> kPriorScaleGrid = {0.0, 0.5, 1.0};

Tuning tuneScales(Workspace& ws, train::ModelBundle& model, const decode::Recognizer& recognizer,
                  const decode::DecoderOptions& base, const std::vector<int>& silence,
                  const decode::Vocabulary& vocabulary, const DecodeArgs& a, ProgressSink* progress) {
  Catalog catalog(ws);
  const DatasetRow row = catalog.dataset(a.tuneOn);
  if (row.kind == "test")
    throw US_ERROR("--tune-on " + a.tuneOn + " is a test set: scales tuned on it would flatter its WER")
        .hint("tune on the held-out part of a labeled set, e.g. --tune-on synth-labeled");
  if (a.tuneOn == a.dataset)
    throw US_ERROR("--tune-on names the dataset being decoded").hint("tune on another (labeled) dataset");
  if (!(a.tuneFraction > 0.0 && a.tuneFraction <= 1.0))
    throw US_ERROR(fmt::format("--tune-fraction {} is outside (0, 1]", a.tuneFraction));
  const DecodeSet set = loadDecodeSet(ws, model, a.tuneOn, a, progress, [&](const std::string& key) {
    return train::inHeldOutSplit(key, a.tuneFraction);
  });
  Tuning best;
  best.record = {{"dataset", a.tuneOn},
                 {"fraction", a.tuneFraction},
                 {"utterances", set.references.size()},
                 {"grid", nlohmann::json::array()}};
  double bestWer = std::numeric_limits<double>::infinity();
  for (double as : kAcousticScaleGrid)
    for (double ps : kPriorScaleGrid) {
      decode::DecoderOptions o = base;
      o.acousticScale = as;
      o.priorScale = ps;
      const decode::Decoder decoder = recognizer.decoder(model.priors.logPriors(), o, silence);
      const Scores s = score(set, search(decoder, set, a.threads, nullptr), vocabulary);
      const double wer = s.summary.werPercent();
      best.record["grid"].push_back({{"acoustic_scale", as}, {"prior_scale", ps}, {"wer", wer}});
      log::info("tuning on {} ({} utterances): acoustic scale {}, prior scale {}: WER {:.2f} %", a.tuneOn,
                set.references.size(), as, ps, wer);
      if (wer < bestWer) {
        bestWer = wer;
        best.acousticScale = as;
        best.priorScale = ps;
      }
    }
  best.record["wer"] = bestWer;
  return best;
}

// ---- the command ----------------------------------------------------------------

fs::path outputDir(const Workspace& ws, const DecodeArgs& a) {
  return a.out.empty() ? ws.root() / "decode" / a.model / a.dataset : fs::path(a.out);
}

void writeOutputs(const fs::path& dir, const DecodeSet& set, const Hypotheses& h, const Scores& s) {
  fs::create_directories(dir);
  std::vector<decode::TrnUtterance> refs, hyps;
  std::string pra;
  for (std::size_t i = 0; i < set.references.size(); ++i) {
    const auto& ref = set.references[i];
    refs.push_back({ref.key, splitWords(*ref.text), 0});
    hyps.push_back({ref.key, hypothesisWords(h, ref.key), 0});
    pra += decode::formatPra(s.utterances[i]) + "\n";
  }
  decode::writeTrn(dir / "ref.trn", refs);
  decode::writeTrn(dir / "hyp.trn", hyps);  // an empty "(id)" line for every reference without words
  writeFileAtomically(dir / "per_utt.pra", pra);
  writeFileAtomically(dir / "wer.txt", s.summary.report());
}

std::vector<UtteranceResult> utteranceResults(const DecodeSet& set, const Hypotheses& h, const Scores& s) {
  std::vector<UtteranceResult> out;
  for (std::size_t i = 0; i < set.references.size(); ++i) {
    const auto& u = s.utterances[i];
    UtteranceResult r;
    r.key = set.references[i].key;
    auto it = h.byKey.find(r.key);
    if (it != h.byKey.end()) {
      r.hypothesis = it->second.text();
      for (const auto& w : it->second.words) r.words.push_back({w.word, w.startSeconds(), w.endSeconds()});
    }
    r.corr = u.counts.corr;
    r.sub = u.counts.sub;
    r.del = u.counts.del;
    r.ins = u.counts.ins;
    r.oovWords = static_cast<std::int64_t>(u.oovWords.size());
    r.alignment = decode::formatAlignment(u);
    out.push_back(std::move(r));
  }
  return out;
}

void runDecode(const DecodeArgs& a, const GlobalOptions& global) {
  if (a.threads < 0 || a.torchThreads < 0) throw US_ERROR("--threads and --torch-threads must be >= 0");
  if (a.maxFrames < 1) throw US_ERROR("--max-frames must be >= 1");
  decode::DecoderOptions options;
  options.acousticScale = a.acousticScale;
  options.priorScale = a.priorScale;
  options.beam = a.beam;
  options.maxActive = a.maxActive;
  options.validate();
  decode::GraphOptions graphOptions;
  graphOptions.silenceProbability = a.silenceProbability;
  graphOptions.validate();

  Workspace ws = Workspace::open(a.workspace);
  // Resolve everything that can be wrong before the run is recorded.
  train::ModelBundle model = train::ModelBundle::load(ws, a.model);
  const std::int64_t datasetId = Catalog(ws).dataset(a.dataset).id;
  const Language lang = loadLanguage(ws, a);

  RunSpec spec;
  spec.kind = "decode";
  spec.name = a.model + "@" + a.dataset;
  nlohmann::json settings = lang.identity;
  std::vector<MetricPoint> metrics;
  decode::ScoreSummary summary;
  double rtf = 0, searchRtf = 0;
  fs::path outDir = outputDir(ws, a);
  nlohmann::json tuned;
  spec.config = fmt::format("model: {}\ndataset: {}\n{}silence_probability: {}\ntune_on: {}\n", a.model,
                            a.dataset, options.toYaml(), a.silenceProbability, a.tuneOn);
  recordedRun(ws, global, spec, [&](EventStream* events, std::int64_t runId) {
    CommandProgress progress(global.quiet, events);
    const auto graphStart = Clock::now();
    const decode::Recognizer recognizer =
        decode::Recognizer::loadOrBuild(ws.root() / "graphs", lang.lexicon, lang.lm, model.units, graphOptions);
    const decode::GraphSummary& graph = recognizer.graph();
    log::info("decoding graph {} ({}): {} states, {} arcs, {} words; {} LM words without a pronunciation",
              graph.key, graph.fromCache ? "cached" : fmt::format("built in {:.1f} s", secondsSince(graphStart)),
              graph.states, graph.arcs, graph.graphWords, graph.lmWordsNotInLexicon.size());
    std::vector<int> silence;
    if (model.units.silenceId() >= 0) silence.push_back(model.units.silenceId());
    const decode::Vocabulary vocabulary = decode::makeVocabulary(recognizer.words());

    if (!a.tuneOn.empty()) {
      const Tuning t = tuneScales(ws, model, recognizer, options, silence, vocabulary, a, &progress);
      options.acousticScale = t.acousticScale;
      options.priorScale = t.priorScale;
      tuned = t.record;
      settings["tuned"] = t.record;
    }

    const DecodeSet set = loadDecodeSet(ws, model, a.dataset, a, &progress);
    if (set.withoutFeatures > 0)
      log::warning("{} of {} transcribed utterances of '{}' have no features: scored as empty hypotheses",
                   set.withoutFeatures, set.references.size(), a.dataset);
    const decode::Decoder decoder = recognizer.decoder(model.priors.logPriors(), options, silence);
    const Hypotheses h = search(decoder, set, a.threads, &progress);
    const Scores s = score(set, h, vocabulary);
    summary = s.summary;
    rtf = set.audioSeconds > 0 ? (set.posteriorSeconds + h.searchSeconds) / set.audioSeconds : 0.0;
    searchRtf = set.audioSeconds > 0 ? h.searchSeconds / set.audioSeconds : 0.0;

    settings["acoustic_scale"] = options.acousticScale;
    settings["prior_scale"] = options.priorScale;
    settings["beam"] = options.beam;
    settings["max_active"] = options.maxActive;
    settings["silence_probability"] = a.silenceProbability;
    settings["graph"] = graph.key;
    settings["feature_set"] = set.featureSet;
    settings["search_rtf"] = searchRtf;
    settings["not_final"] = h.notFinal;
    settings["no_path"] = h.noPath;
    settings["without_features"] = set.withoutFeatures;

    writeOutputs(outDir, set, h, s);
    Evaluation e;
    e.modelId = model.id;
    e.datasetId = datasetId;
    e.runId = runId;
    e.rtf = rtf;
    e.settings = settings.dump();
    e.utterances = utteranceResults(set, h, s);
    EvaluationStore(ws).write(e);

    const double now = nowSeconds();
    metrics = {{0, "decode/wer", summary.werPercent(), now},
               {0, "decode/sentence_error_rate", summary.sentenceErrorPercent(), now},
               {0, "decode/ref_words", static_cast<double>(summary.counts.refWords()), now},
               {0, "decode/utterances", static_cast<double>(summary.sentences), now},
               {0, "decode/oov_words", static_cast<double>(summary.oovReferenceWords), now},
               {0, "decode/rtf", rtf, now},
               {0, "decode/search_rtf", searchRtf, now},
               {0, "decode/acoustic_scale", options.acousticScale, now},
               {0, "decode/prior_scale", options.priorScale, now},
               {0, "decode/not_final", static_cast<double>(h.notFinal), now}};
    if (events)
      for (const auto& m : metrics) events->writer().metric(m.name, m.step, m.value);
    return metrics;
  });

  // Human text: stdout, which `--events -` sends to stderr (event_stream.h).
  std::printf("Model '%s' on '%s': acoustic scale %g, prior scale %g%s\n", a.model.c_str(), a.dataset.c_str(),
              options.acousticScale, options.priorScale,
              tuned.is_null() ? ""
                              : fmt::format(" (tuned on {} held-out utterances of {}: WER {:.2f} %)",
                                            tuned["utterances"].get<std::size_t>(), a.tuneOn,
                                            tuned["wer"].get<double>())
                                    .c_str());
  std::printf("%s", summary.report().c_str());
  std::printf("RTF %.4f (model + search), search alone %.4f\n", rtf, searchRtf);
  std::printf("Hypotheses, references and alignments: %s/{hyp.trn,ref.trn,per_utt.pra,wer.txt}\n",
              outDir.string().c_str());
}

}  // namespace

void addDecodeCommands(CLI::App& app, GlobalOptions& global) {
  auto a = std::make_shared<DecodeArgs>();
  auto* sub = app.add_subcommand(
      "decode",
      "Recognise a dataset with a model (HLG graph, Viterbi beam search), score the words against its "
      "transcripts like sclite and record the WER as an evaluation");
  addWorkspaceOption(*sub, a->workspace);
  sub->add_option("--model", a->model, "Model name (see `info`; models/<name>)")->required();
  sub->add_option("--dataset", a->dataset, "Dataset with transcripts (see `corpus list`)")->required();
  sub->add_option("--feature-set", a->featureSet, "Feature set (default: the dataset's newest complete one)");
  sub->add_option("--lexicon", a->lexicons,
                  "Pronunciation lexicon (Kaldi lexicon.txt/lexiconp.txt or CMUdict); repeat to merge "
                  "(default: the synthetic corpus's lm/synth/lexicon.txt)");
  sub->add_option("--lm", a->lm,
                  "Language model: an ARPA file, or a text (one sentence a line) to estimate a modified "
                  "Kneser-Ney trigram from (default: lm/synth/text.txt)");
  sub->add_option("--acoustic-scale", a->acousticScale, "Acoustic scale a (default 0.333)");
  sub->add_option("--prior-scale", a->priorScale, "Prior scale: a * (log q - b * log prior) (default 1)");
  sub->add_option("--beam", a->beam, "Beam, in cost (default 15)");
  sub->add_option("--max-active", a->maxActive, "At most this many paths per frame (default 7000)");
  sub->add_option("--silence-probability", a->silenceProbability,
                  "Optional silence between words in the graph (default 0.5)");
  sub->add_option("--tune-on", a->tuneOn,
                  "Choose the acoustic and prior scales by WER on the held-out part of this (non-test) "
                  "dataset first, e.g. synth-labeled");
  sub->add_option("--tune-fraction", a->tuneFraction,
                  "Share of --tune-on's utterances, by the hash split training holds out (default 0.1)");
  sub->add_option("--threads", a->threads, "Search threads (0 = one per core)");
  sub->add_option("--torch-threads", a->torchThreads, "Acoustic model threads (0 = torch's default)");
  sub->add_option("--max-frames", a->maxFrames, "Padded 10 ms frames per model batch (default 20000)");
  sub->add_option("--out", a->out, "Folder for hyp.trn, ref.trn, per_utt.pra, wer.txt "
                                   "(default WS/decode/<model>/<dataset>)");
  sub->callback([a, &global] { runDecode(*a, global); });
}

}  // namespace understudy::cli
