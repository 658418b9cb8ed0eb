// bench_decode: how fast recognition runs, on one thread, at the operating
// point its WER shows, beside pocketsphinx on the same audio
// (docs/performance.md "decode").
//
// On a dataset's transcribed utterances (default: the demo workspace's
// synth-test-clean with its teacher-demo model), one run, single thread
// (torch intra- and inter-op threads 1, one search thread):
//
// 1. Full recognition, per utterance, as a recogniser meets audio: read the
//    WAV file (readAudio at the feature set's rate), fbank (core/audio/fbank.h
//    with the options of the feature set the dataset's features were made
//    with), the model's CMVN, the forward pass (InferenceMode, batch of one),
//    log-softmax, and Decoder::decode. Each stage is timed; RTF = the sum of
//    every utterance's time / the audio's duration, by wall clock and by
//    process CPU time. A few utterances run first, untimed (warm-up).
// 2. Search alone: Decoder::decode again over the log-posteriors pass 1 kept.
//    For context, not in the goal: the same model's forward batched over
//    utterances as `understudy-cli decode` runs it (computeLogPosteriors:
//    length-bucketed batches of <= 20,000 padded frames, still 1 thread) on
//    pass 1's CMVN-normalised features; a BLSTM is cheaper per frame in
//    batches (matrix products) than one utterance at a time (matrix-vector).
// 3. WER of pass 1's hypotheses (core/decode/scoring.h, sclite's counts), so
//    the speed is read at a real operating point; the features are checked
//    against the dataset's feature store (they must be the same numbers).
// 4. The peer: Debian's pocketsphinx_batch (packages pocketsphinx and
//    pocketsphinx-en-us, its default en-us acoustic model, LM and dictionary)
//    on an evenly spaced subset of the same utterances (--peer-utterances),
//    the same WAV files. Its time without model load is the "TOTAL ...
//    seconds wall" (and "seconds CPU") of its log, the per-utterance sums as
//    ours; with model load, the process's. RTFs divide by the files' duration
//    (its "seconds speech" leaves out what its voice activity detector drops). Its hypotheses are
//    scored with our scorer against the same references; ours on the same subset come from pass 1.
// Not in any RTF: model load, lexicon read, LM estimate, graph load or build
// (reported on their own).
//
// The workspace is only read, except that the decoding graph is built into
// WS/graphs when it is not cached there (as `understudy-cli decode` does).
//
//   bench_decode [--workspace WS] [--model teacher-demo] [--dataset synth-test-clean]
//                [--utterances N] [--peer-utterances 20] [--no-peer]
//                [--acoustic-scale A] [--prior-scale B] [--beam B] [--max-active N]
//                [--warmup 5] [--pocketsphinx-model /usr/share/pocketsphinx/model/en-us]
#include <fmt/format.h>
#include <sys/resource.h>
#include <torch/torch.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bench/common/machine_info.h"
#include "core/audio/audio_io.h"
#include "core/audio/fbank.h"
#include "core/corpus/synth/synth_lm.h"
#include "core/decode/decoder.h"
#include "core/decode/graph_options.h"
#include "core/decode/lexicon.h"
#include "core/decode/ngram_lm.h"
#include "core/decode/recognizer.h"
#include "core/decode/scoring.h"
#include "core/store/catalog.h"
#include "core/store/feature_store.h"
#include "core/store/workspace.h"
#include "core/train/example_source.h"
#include "core/train/model_bundle.h"
#include "core/train/posteriors.h"
#include "core/util/error.h"
#include "core/util/log.h"
#include "core/util/yaml_config.h"

using namespace understudy;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

constexpr double kFullGoal = 0.03;    // issue 20: full recognition RTF
constexpr double kSearchGoal = 0.01;  // issue 20: search alone

struct Args {
  fs::path workspace = UNDERSTUDY_SOURCE_DIR "/demo-workspace";  // scripts/demo's default
  std::string model = "teacher-demo";
  std::string dataset = "synth-test-clean";
  int utterances = 0;  // 0: all
  int peerUtterances = 20;
  bool peer = true;
  int warmup = 5;
  decode::DecoderOptions decoder;
  std::string pocketsphinxModel = "/usr/share/pocketsphinx/model/en-us";
};

double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// user + system CPU seconds of this process (who = RUSAGE_SELF) or of its
// waited-for children (RUSAGE_CHILDREN).
double cpuSeconds(int who) {
  rusage u{};
  getrusage(who, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6;
}

// This process's CPU seconds, all threads (finer than getrusage).
double processCpu() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

std::string loadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

std::vector<std::string> splitWords(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

std::string shellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// An executable on PATH, or empty.
std::string findProgram(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const fs::path p = fs::path(dir.empty() ? "." : dir) / name;
    if (::access(p.c_str(), X_OK) == 0) return p.string();
  }
  return {};
}

struct Utterance {
  std::string key;
  fs::path audio;  // absolute
  double offset = 0, duration = 0;
  std::string text;
};

// What pass 1 measured for one utterance.
struct Measured {
  double audioSeconds = 0;
  double read = 0, fbank = 0, model = 0, search = 0;  // wall seconds
  double total() const { return read + fbank + model + search; }
  double cpu = 0;  // process CPU seconds, all four stages
  int featureFrames = 0;
  std::vector<float> features;  // fbank output, before CMVN (for the store check)
  int modelFrames = 0, units = 0;
  std::vector<float> logPosteriors;
  std::string hypothesis;
  decode::DecodeStatus status = decode::DecodeStatus::NoPath;
};

struct Totals {
  double audio = 0, read = 0, fbank = 0, model = 0, search = 0, cpu = 0;
  double total() const { return read + fbank + model + search; }
  void add(const Measured& m) {
    audio += m.audioSeconds;
    cpu += m.cpu;
    read += m.read;
    fbank += m.fbank;
    model += m.model;
    search += m.search;
  }
};

// The utterances of `indices`, scored against their references.
decode::ScoreSummary scoreHypotheses(const std::vector<Utterance>& utts,
                                     const std::vector<std::size_t>& indices,
                                     const std::vector<std::string>& hypotheses,
                                     const decode::Vocabulary* vocabulary) {
  decode::ScoreSummary s;
  for (std::size_t n = 0; n < indices.size(); ++n) {
    const auto ref = splitWords(utts[indices[n]].text), hyp = splitWords(hypotheses[n]);
    s.add(vocabulary ? decode::alignWords(ref, hyp, *vocabulary) : decode::alignWords(ref, hyp));
  }
  return s;
}

// ---- the peer --------------------------------------------------------------------

struct PeerResult {
  bool ran = false;
  std::string why;          // when it did not
  double audioSeconds = 0;  // pocketsphinx's "seconds speech" (after its voice activity detection)
  double wallNoLoad = 0, cpuNoLoad = 0;      // its TOTAL line: the per-utterance sums
  double wallWithLoad = 0, cpuWithLoad = 0;  // the whole process
  std::vector<std::string> hypotheses;       // in the order given
  decode::Vocabulary dictionary;             // its dictionary's words
};

PeerResult runPocketsphinx(const Args& a, const std::vector<Utterance>& utts,
                           const std::vector<std::size_t>& subset, const fs::path& tmp) {
  PeerResult r;
  const std::string batch = findProgram("pocketsphinx_batch");
  if (batch.empty()) {
    r.why =
        "pocketsphinx_batch is not installed (Debian packages pocketsphinx and pocketsphinx-en-us; "
        "`scripts/install-deps --tests` installs them)";
    return r;
  }
  const fs::path m = a.pocketsphinxModel;
  const fs::path hmm = m / "en-us", lm = m / "en-us.lm.bin", dict = m / "cmudict-en-us.dict";
  for (const auto& p : {hmm, lm, dict})
    if (!fs::exists(p)) {
      r.why = "the pocketsphinx model file " + p.string() +
              " is missing (Debian package pocketsphinx-en-us, or --pocketsphinx-model DIR)";
      return r;
    }
  // The control file names each WAV without its extension; pocketsphinx reads
  // the 16 kHz 16-bit files themselves. Anything else (another format or
  // rate, a segment of a longer file) is written out first as read for pass 1.
  std::ofstream ctl(tmp / "peer.ctl");
  for (std::size_t n = 0; n < subset.size(); ++n) {
    const Utterance& u = utts[subset[n]];
    fs::path wav = u.audio;
    bool direct = u.offset == 0 && wav.extension() == ".wav";
    if (direct) {
      const AudioInfo info = probeAudio(wav.string());
      direct = info.sampleRate == 16000 && info.channels == 1 &&
               info.format.find("PCM_16") != std::string::npos;
    }
    if (!direct) {
      wav = tmp / fmt::format("peer-{:05d}.wav", n);
      const Audio audio = readAudio(u.audio.string(), {}, u.offset, u.duration);
      writeWav(wav.string(), audio.samples, audio.sampleRate);
    }
    fs::path stem = wav;
    ctl << stem.replace_extension("").string() << "\n";
  }
  ctl.close();
  const fs::path hyp = tmp / "peer.hyp", log = tmp / "peer.log";
  const std::string cmd = shellQuote(batch) + " -adcin yes -cepdir / -cepext .wav -ctl " +
                          shellQuote((tmp / "peer.ctl").string()) + " -hyp " +
                          shellQuote(hyp.string()) + " -hmm " + shellQuote(hmm.string()) + " -lm " +
                          shellQuote(lm.string()) + " -dict " + shellQuote(dict.string()) +
                          " -logfn " + shellQuote(log.string());
  std::printf("running %s\n", cmd.c_str());
  std::fflush(stdout);
  const double cpu0 = cpuSeconds(RUSAGE_CHILDREN);
  const auto start = Clock::now();
  const int rc = std::system(cmd.c_str());
  r.wallWithLoad = secondsSince(start);
  r.cpuWithLoad = cpuSeconds(RUSAGE_CHILDREN) - cpu0;
  if (rc != 0)
    throw US_ERROR(fmt::format("pocketsphinx_batch failed (status {})", rc))
        .file(log.string())
        .hint("its log says why");

  // "INFO: batch.c(777): TOTAL 20.99 seconds speech, 11.72 seconds CPU, 23.11 seconds wall"
  std::ifstream in(log);
  bool found = false;
  for (std::string line; std::getline(in, line);) {
    const auto at = line.find("TOTAL ");
    if (at == std::string::npos || line.find("seconds speech") == std::string::npos) continue;
    found = std::sscanf(line.c_str() + at,
                        "TOTAL %lf seconds speech, %lf seconds CPU, %lf seconds wall",
                        &r.audioSeconds, &r.cpuNoLoad, &r.wallNoLoad) == 3;
  }
  if (!found)
    throw US_ERROR("pocketsphinx's log has no 'TOTAL ... seconds speech' line")
        .file(log.string())
        .hint("a pocketsphinx other than Debian's 0.8+5prealpha writes another log");

  // "words words (path/to/utt -12345)", one line per control-file entry, in order.
  std::ifstream hin(hyp);
  for (std::string line; std::getline(hin, line);) {
    const auto open = line.rfind('(');
    r.hypotheses.push_back(open == std::string::npos ? line : line.substr(0, open));
  }
  if (r.hypotheses.size() != subset.size())
    throw US_ERROR(fmt::format("pocketsphinx wrote {} hypotheses for {} utterances",
                               r.hypotheses.size(), subset.size()))
        .file(hyp.string());

  std::ifstream din(dict);
  for (std::string line; std::getline(din, line);) {
    std::string word = line.substr(0, line.find_first_of(" \t"));
    if (const auto v = word.find('('); v != std::string::npos) word.erase(v);
    if (!word.empty()) r.dictionary.insert(decode::foldCase(word));
  }
  r.ran = true;
  return r;
}

const char* verdict(bool ok) { return ok ? "goal met" : "GOAL MISSED"; }

}  // namespace

int main(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string key = argv[i];
    if (key == "--no-peer") {
      a.peer = false;
      continue;
    }
    if (i + 1 >= argc) {
      std::fprintf(stderr, "option %s needs a value\n", key.c_str());
      return 2;
    }
    const std::string v = argv[++i];
    if (key == "--workspace")
      a.workspace = v;
    else if (key == "--model")
      a.model = v;
    else if (key == "--dataset")
      a.dataset = v;
    else if (key == "--utterances")
      a.utterances = std::stoi(v);
    else if (key == "--peer-utterances")
      a.peerUtterances = std::stoi(v);
    else if (key == "--warmup")
      a.warmup = std::stoi(v);
    else if (key == "--acoustic-scale")
      a.decoder.acousticScale = std::stod(v);
    else if (key == "--prior-scale")
      a.decoder.priorScale = std::stod(v);
    else if (key == "--beam")
      a.decoder.beam = std::stod(v);
    else if (key == "--max-active")
      a.decoder.maxActive = std::stoi(v);
    else if (key == "--pocketsphinx-model")
      a.pocketsphinxModel = v;
    else {
      std::fprintf(
          stderr,
          "unknown option %s (see the comment at the top of bench/decode/bench_decode.cpp)\n",
          key.c_str());
      return 2;
    }
  }
  log::setLevel(log::Level::Warning);
  torch::set_num_threads(1);
  at::set_num_interop_threads(1);

  const char* coretype = std::getenv("OPENBLAS_CORETYPE");
  const char* waitPolicy = std::getenv("OMP_WAIT_POLICY");
  std::printf(
      "bench/decode: real-time factor of recognition (features + model + search) and of "
      "search alone, one thread; WER; pocketsphinx on the same audio\n");
  std::printf("cpu               %s (%u logical cores)\n", bench::cpuModel().c_str(),
              std::thread::hardware_concurrency());
  std::printf("OPENBLAS_CORETYPE %s\n", coretype ? coretype : "(unset)");
  std::printf("OMP_WAIT_POLICY   %s\n", waitPolicy ? waitPolicy : "(unset)");
  std::printf("torch threads     %d intra-op, %d inter-op\n", torch::get_num_threads(),
              torch::get_num_interop_threads());
  std::printf("load average      %s (start)\n", loadAverage().c_str());
  std::fflush(stdout);

  const fs::path tmp = fs::temp_directory_path() / ("bench_decode." + std::to_string(::getpid()));
  try {
    a.decoder.validate();
    if (!Workspace::isWorkspace(a.workspace))
      throw US_ERROR("no workspace at " + a.workspace.string())
          .hint("make the demo workspace with scripts/demo, or pass --workspace WS");
    Workspace ws = Workspace::open(a.workspace);

    // ---- setup, not in any RTF ----
    auto start = Clock::now();
    train::ModelBundle model = train::ModelBundle::load(ws, a.model);
    const double modelLoadSeconds = secondsSince(start);

    Catalog catalog(ws);
    const DatasetRow dataset = catalog.dataset(a.dataset);
    const FeatureSetRow featureSet = catalog.featureSet(dataset);
    YamlSection yaml = YamlSection::loadString(featureSet.config, "feature set " + featureSet.name);
    const FbankOptions fbankOptions = FbankOptions::fromYaml(yaml);
    const Fbank fbank(fbankOptions);
    if (fbank.dim() != model.model->options.input_dim())
      throw US_ERROR(fmt::format("feature set '{}' has {}-dim features, model '{}' expects {}",
                                 featureSet.name, fbank.dim(), a.model,
                                 model.model->options.input_dim()));
    const FeatureStore store = FeatureStore::open(catalog.absolute(featureSet.path));
    AudioReadOptions readOptions;
    readOptions.targetSampleRate = static_cast<int>(std::lround(fbankOptions.sampleFrequency));
    {
      const auto meta = nlohmann::json::parse(dataset.metadata, nullptr, false);
      if (meta.is_object() && meta.value("channels", std::string()) == "downmix")
        readOptions.channels = ChannelMode::Downmix;
    }

    std::vector<Utterance> utts;
    for (const auto& u : catalog.utterances(dataset.id)) {
      if (!u.text) continue;
      if (u.audioPath.find('|') != std::string::npos)
        throw US_ERROR("utterance audio is a command, not a file")
            .utterance(u.key)
            .hint("benchmark a dataset whose audio is in files");
      utts.push_back({u.key, catalog.absolute(u.audioPath), u.offset, u.duration, *u.text});
    }
    std::sort(utts.begin(), utts.end(),
              [](const Utterance& x, const Utterance& y) { return x.key < y.key; });
    if (a.utterances > 0 && static_cast<std::size_t>(a.utterances) < utts.size())
      utts.resize(a.utterances);
    if (utts.empty())
      throw US_ERROR("dataset '" + a.dataset + "' has no transcribed utterances")
          .hint("pick a test set");

    start = Clock::now();
    const synth::SynthLmFiles lmFiles = synth::openSynthLm(ws.root());
    const decode::Lexicon lexicon = decode::Lexicon::read(lmFiles.lexicon);
    std::vector<std::vector<std::string>> sentences;
    {
      std::ifstream in(lmFiles.text);
      for (std::string line; std::getline(in, line);)
        if (auto w = splitWords(line); !w.empty()) sentences.push_back(std::move(w));
    }
    const decode::NgramLm lm = decode::NgramLm::estimate(sentences, {});
    const double languageSeconds = secondsSince(start);

    start = Clock::now();
    const decode::Recognizer recognizer = decode::Recognizer::loadOrBuild(
        ws.root() / "graphs", lexicon, lm, model.units, decode::GraphOptions{});
    const double graphSeconds = secondsSince(start);
    std::vector<int> silence;
    if (model.units.silenceId() >= 0) silence.push_back(model.units.silenceId());
    start = Clock::now();
    const decode::Decoder decoder =
        recognizer.decoder(model.priors.logPriors(), a.decoder, silence);
    const double decoderSeconds = secondsSince(start);
    const decode::Vocabulary vocabulary = decode::makeVocabulary(recognizer.words());
    const auto& g = recognizer.graph();
    const auto& mo = model.model->options;

    std::printf("workspace         %s\n", a.workspace.c_str());
    std::printf(
        "model             %s: %s %lldx%lld, %d units, %lld parameters (loaded in %.2f s)\n",
        a.model.c_str(), mo.kind().c_str(), static_cast<long long>(mo.layers()),
        static_cast<long long>(mo.cells()), model.units.size(),
        static_cast<long long>(mo.closedFormParameterCount()), modelLoadSeconds);
    std::printf("features          %s: %d-dim fbank as its feature set %s was made\n",
                a.dataset.c_str(), fbank.dim(), featureSet.name.c_str());
    std::printf(
        "language          lm/synth: %d words in the lexicon, %zu sentences -> KN %d-gram "
        "(%.2f s)\n",
        lexicon.numWords(), sentences.size(), lm.order(), languageSeconds);
    std::printf(
        "graph             %s %s in %.2f s: %lld states, %lld arcs, %d words; decoder made in "
        "%.2f s\n",
        g.key.c_str(), g.fromCache ? "loaded from the cache" : "built", graphSeconds,
        static_cast<long long>(g.states), static_cast<long long>(g.arcs), g.graphWords,
        decoderSeconds);
    std::printf("decoder options   acoustic scale %g, prior scale %g, beam %g, max active %d\n",
                a.decoder.acousticScale, a.decoder.priorScale, a.decoder.beam, a.decoder.maxActive);
    std::fflush(stdout);

    // ---- pass 1: full recognition, per utterance ----
    torch::InferenceMode inference;
    model.model->eval();
    auto recognise = [&](const Utterance& u, Measured& m) {
      const double cpuStart = processCpu();
      auto t = Clock::now();
      const Audio audio = readAudio(u.audio.string(), readOptions, u.offset, u.duration);
      m.read = secondsSince(t);
      m.audioSeconds = audio.durationSeconds();

      t = Clock::now();
      m.features = fbank.compute(audio.samples);
      m.featureFrames = fbank.numFrames(static_cast<std::int64_t>(audio.samples.size()));
      m.fbank = secondsSince(t);

      t = Clock::now();
      std::vector<float> x = m.features;
      model.cmvn.apply(x.data(), m.featureFrames, fbank.dim());
      const auto input =
          torch::from_blob(x.data(), {1, m.featureFrames, fbank.dim()}, torch::kFloat32);
      const auto lengths = torch::full({1}, m.featureFrames, torch::kInt64);
      auto [logits, outLengths] = model.model->forward(input, lengths);
      const auto logp = torch::log_softmax(logits, 2).contiguous();
      m.modelFrames = static_cast<int>(outLengths[0].item<std::int64_t>());
      m.units = static_cast<int>(logp.size(2));
      const float* row = logp.data_ptr<float>();
      m.logPosteriors.assign(row, row + static_cast<std::size_t>(m.modelFrames) * m.units);
      m.model = secondsSince(t);

      t = Clock::now();
      const decode::DecodeResult r =
          decoder.decode({m.modelFrames, m.units, m.logPosteriors.data()}, u.key);
      m.search = secondsSince(t);
      m.cpu = processCpu() - cpuStart;
      m.hypothesis = r.text();
      m.status = r.status;
    };
    for (int i = 0; i < std::min<int>(a.warmup, static_cast<int>(utts.size())); ++i) {
      Measured m;
      recognise(utts[static_cast<std::size_t>(i)], m);
    }
    std::vector<Measured> measured(utts.size());
    const double cpu0 = cpuSeconds(RUSAGE_SELF);
    const auto wall0 = Clock::now();
    for (std::size_t i = 0; i < utts.size(); ++i) recognise(utts[i], measured[i]);
    const double fullWall = secondsSince(wall0), fullCpu = cpuSeconds(RUSAGE_SELF) - cpu0;
    Totals all;
    for (const auto& m : measured) all.add(m);

    // ---- pass 2: search alone over pass 1's posteriors ----
    std::vector<double> searchAlone(utts.size()), searchAloneCpu(utts.size());
    const double scpu0 = cpuSeconds(RUSAGE_SELF);
    const auto swall0 = Clock::now();
    std::size_t differ = 0;
    for (std::size_t i = 0; i < utts.size(); ++i) {
      const Measured& m = measured[i];
      const double c = processCpu();
      const auto t = Clock::now();
      const decode::DecodeResult r =
          decoder.decode({m.modelFrames, m.units, m.logPosteriors.data()}, utts[i].key);
      searchAlone[i] = secondsSince(t);
      searchAloneCpu[i] = processCpu() - c;
      if (r.text() != m.hypothesis) ++differ;
    }
    const double searchWall = secondsSince(swall0), searchCpu = cpuSeconds(RUSAGE_SELF) - scpu0;
    double searchSum = 0;
    for (double s : searchAlone) searchSum += s;

    // ---- for context: the forward batched over utterances, 1 thread ----
    train::InMemoryExampleSource normalised(fbank.dim(), model.units.size());
    for (std::size_t i = 0; i < utts.size(); ++i) {
      std::vector<float> x = measured[i].features;
      model.cmvn.apply(x.data(), measured[i].featureFrames, fbank.dim());
      normalised.add(utts[i].key, std::move(x), {});
    }
    train::PosteriorOptions batchedOptions;
    batchedOptions.threads = 1;
    const auto bwall0 = Clock::now();
    const auto batched = train::computeLogPosteriors(model.model, normalised, batchedOptions);
    const double batchedSeconds = secondsSince(bwall0);
    double batchedDiff = 0;
    for (std::size_t i = 0; i < utts.size(); ++i) {
      if (batched[i].logProbs.size() != measured[i].logPosteriors.size())
        throw US_ERROR(
            fmt::format("the batched forward gave {} model frames, one at a time gave {}",
                        batched[i].frames, measured[i].modelFrames))
            .utterance(utts[i].key);
      for (std::size_t k = 0; k < measured[i].logPosteriors.size(); ++k)
        batchedDiff = std::max(
            batchedDiff,
            static_cast<double>(std::abs(batched[i].logProbs[k] - measured[i].logPosteriors[k])));
    }

    // ---- the features against the store, WER ----
    double maxDiff = 0;
    std::size_t notStored = 0, frameMismatch = 0;
    for (std::size_t i = 0; i < utts.size(); ++i) {
      if (!store.contains(utts[i].key)) {
        ++notStored;
        continue;
      }
      const FeatureMatrixView v = store.read(utts[i].key);
      if (v.frames != measured[i].featureFrames) {
        ++frameMismatch;
        continue;
      }
      for (std::size_t k = 0; k < measured[i].features.size(); ++k)
        maxDiff =
            std::max(maxDiff, static_cast<double>(std::abs(v.data[k] - measured[i].features[k])));
    }
    std::vector<std::size_t> everyIndex(utts.size());
    std::vector<std::string> ourHyps(utts.size());
    int notFinal = 0, noPath = 0;
    for (std::size_t i = 0; i < utts.size(); ++i) {
      everyIndex[i] = i;
      ourHyps[i] = measured[i].hypothesis;
      notFinal += measured[i].status == decode::DecodeStatus::NotFinal;
      noPath += measured[i].status == decode::DecodeStatus::NoPath;
    }
    const decode::ScoreSummary ourScore = scoreHypotheses(utts, everyIndex, ourHyps, &vocabulary);

    std::vector<double> perUtt(utts.size());
    for (std::size_t i = 0; i < utts.size(); ++i)
      perUtt[i] = measured[i].total() / measured[i].audioSeconds;
    std::sort(perUtt.begin(), perUtt.end());
    auto quantile = [&](double q) {
      return perUtt[static_cast<std::size_t>(q * (perUtt.size() - 1) + 0.5)];
    };

    const double fullRtf = all.total() / all.audio, searchRtf = searchSum / all.audio;
    std::printf(
        "\n%s: %zu utterances, %.1f s of audio (%.1f min); warm-up %d utterances, untimed\n",
        a.dataset.c_str(), utts.size(), all.audio, all.audio / 60,
        std::min<int>(a.warmup, static_cast<int>(utts.size())));
    std::printf(
        "features check    %zu utterances against %s: max |diff| %.3g%s\n",
        utts.size() - notStored - frameMismatch, featureSet.name.c_str(), maxDiff,
        notStored + frameMismatch
            ? fmt::format(" ({} not stored, {} with other frame counts)", notStored, frameMismatch)
                  .c_str()
            : "");
    std::printf("\n%-34s %10s %8s %8s\n", "full recognition, per stage", "seconds", "RTF", "share");
    for (const auto& [name, s] :
         {std::pair{"read WAV", all.read}, std::pair{"fbank", all.fbank},
          std::pair{"CMVN + forward + log-softmax", all.model},
          std::pair{"search (Decoder::decode)", all.search}, std::pair{"total", all.total()}})
      std::printf("%-34s %10.3f %8.4f %7.1f%%\n", name, s, s / all.audio, 100 * s / all.total());
    std::printf("(loop wall clock %.3f s; process CPU %.3f s = RTF %.4f by CPU time)\n", fullWall,
                fullCpu, fullCpu / all.audio);
    std::printf("per utterance RTF: median %.4f, 90th percentile %.4f, max %.4f\n", quantile(0.5),
                quantile(0.9), perUtt.back());
    std::printf(
        "\nsearch alone (pass 2 over pass 1's log-posteriors): %.3f s, RTF %.4f (process CPU "
        "%.3f s, RTF %.4f; loop wall %.3f s)%s\n",
        searchSum, searchRtf, searchCpu, searchCpu / all.audio, searchWall,
        differ ? fmt::format("; {} hypotheses DIFFER from pass 1", differ).c_str()
               : "; same hypotheses as pass 1");
    std::printf(
        "\nfor context, the forward batched as `understudy-cli decode` runs it (<= %lld padded "
        "frames a batch, 1 thread): %.3f s, RTF %.4f (%.1fx faster than one utterance at a time; "
        "log-posteriors within %.2g of pass 1's)\n",
        static_cast<long long>(batchedOptions.maxFrames), batchedSeconds,
        batchedSeconds / all.audio, all.model / batchedSeconds, batchedDiff);
    std::printf("\nWER of pass 1 (%d not final, %d without a path):\n%s", notFinal, noPath,
                ourScore.report().c_str());

    // The verdict is by wall clock; by CPU time is what an idle core would give.
    double searchCpuSum = 0;
    for (double c : searchAloneCpu) searchCpuSum += c;
    const double fullCpuRtf = all.cpu / all.audio, searchCpuRtf = searchCpuSum / all.audio;
    std::printf("\n%-40s %8s %6s %8s %8s %8s  %s\n", "goal (issue 20)", "RTF", "goal", "RTF/goal",
                "RTF CPU", "CPU/goal", "(by wall clock)");
    std::printf("%-40s %8.4f %6.2f %7.2fx %8.4f %7.2fx  %s\n",
                "full recognition (features+model+search)", fullRtf, kFullGoal, fullRtf / kFullGoal,
                fullCpuRtf, fullCpuRtf / kFullGoal, verdict(fullRtf <= kFullGoal));
    std::printf("%-40s %8.4f %6.2f %7.2fx %8.4f %7.2fx  %s\n", "search alone", searchRtf,
                kSearchGoal, searchRtf / kSearchGoal, searchCpuRtf, searchCpuRtf / kSearchGoal,
                verdict(searchRtf <= kSearchGoal));
    std::fflush(stdout);

    // ---- the peer ----
    if (!a.peer) {
      std::printf("\npocketsphinx: skipped (--no-peer)\n");
    } else {
      std::vector<std::size_t> subset;
      const std::size_t n = std::min<std::size_t>(std::max(a.peerUtterances, 1), utts.size());
      for (std::size_t k = 0; k < n; ++k)
        subset.push_back(k * utts.size() / n);  // evenly spaced over the keys
      fs::create_directories(tmp);
      std::printf("\npocketsphinx on %zu of the %zu utterances (evenly spaced, same WAV files):\n",
                  subset.size(), utts.size());
      const PeerResult peer = runPocketsphinx(a, utts, subset, tmp);
      if (!peer.ran) {
        std::printf("pocketsphinx: SKIPPED: %s\n", peer.why.c_str());
      } else {
        Totals ours;
        std::vector<std::string> oursOnSubset;
        for (auto i : subset) {
          ours.add(measured[i]);
          oursOnSubset.push_back(measured[i].hypothesis);
        }
        double oursSearch = 0, oursSearchCpu = 0;
        for (auto i : subset) {
          oursSearch += searchAlone[i];
          oursSearchCpu += searchAloneCpu[i];
        }
        const decode::ScoreSummary oursScore =
            scoreHypotheses(utts, subset, oursOnSubset, &vocabulary);
        const decode::ScoreSummary peerScore =
            scoreHypotheses(utts, subset, peer.hypotheses, &peer.dictionary);
        std::printf("%-44s %9s %9s %10s %10s %7s\n", "same audio", "audio s", "RTF wall", "RTF CPU",
                    "+ load", "WER %");
        std::printf("%-44s %9.1f %9.4f %10.4f %10s %7.2f\n", "understudy (teacher, 1 thread), full",
                    ours.audio, ours.total() / ours.audio, ours.cpu / ours.audio, "-",
                    oursScore.werPercent());
        std::printf("%-44s %9.1f %9.4f %10.4f %10s %7s\n", "understudy, search alone", ours.audio,
                    oursSearch / ours.audio, oursSearchCpu / ours.audio, "-", "");
        // RTF over the files' duration (ours.audio): pocketsphinx's "seconds
        // speech" leaves out what its voice activity detector dropped.
        std::printf("%-44s %9.1f %9.4f %10.4f %10.4f %7.2f\n",
                    "pocketsphinx_batch (en-us, 1 thread)", ours.audio,
                    peer.wallNoLoad / ours.audio, peer.cpuNoLoad / ours.audio,
                    peer.wallWithLoad / ours.audio, peerScore.werPercent());
        std::printf(
            "(ours: the per-utterance sums of pass 1 and pass 2 on these utterances; "
            "pocketsphinx: its log's TOTAL line, %.2f s wall, %.2f s CPU, without model load; '+ "
            "load': its process's wall clock, %.2f s (CPU %.2f s); it counted %.1f s of speech)\n",
            peer.wallNoLoad, peer.cpuNoLoad, peer.wallWithLoad, peer.cpuWithLoad,
            peer.audioSeconds);
        std::printf(
            "pocketsphinx / understudy full recognition: %.1fx the time by wall clock, "
            "%.1fx by CPU\n",
            peer.wallNoLoad / ours.total(), peer.cpuNoLoad / ours.cpu);
        std::printf("pocketsphinx on these utterances:\n%s", peerScore.report().c_str());
        std::printf("understudy on these utterances:\n%s", oursScore.report().c_str());
      }
    }
    fs::remove_all(tmp);
  } catch (const Error& e) {
    fs::remove_all(tmp);
    std::fprintf(stderr, "bench_decode: %s\n", e.what());
    return 1;
  }
  std::printf("load average      %s (end)\n", loadAverage().c_str());
  return 0;
}
