// The synthetic voice-assistant corpus: grammar, phone map, espeak-ng timings,
// conditions and the workspace output (docs/corpus.md).
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <QtTest>
#include <cmath>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "core/audio/audio_io.h"
#include "core/corpus/synth/acoustic_conditions.h"
#include "core/corpus/synth/command_grammar.h"
#include "core/corpus/synth/espeak_phone_map.h"
#include "core/corpus/synth/espeak_synthesizer.h"
#include "core/corpus/synth/synth_corpus.h"
#include "core/corpus/synth/synth_lm.h"
#include "core/corpus/synth/synth_plan.h"
#include "core/store/workspace.h"
#include "core/util/atomic_file.h"
#include "core/util/error.h"
#include "support/test_support.h"

namespace fs = std::filesystem;
using namespace understudy;
using namespace understudy::synth;
using nlohmann::json;

namespace {

const char* const kDatasets[] = {"synth-labeled", "synth-unlabeled", "synth-test-clean",
                                 "synth-test-noisy", "synth-test-unseen-variant"};

struct Utt {
  std::string key, audioPath, speaker, text;
  double duration = 0;
  int sampleRate = 0;
  json meta;
};

std::vector<Utt> utterances(Workspace& ws, const std::string& dataset) {
  SQLite::Statement q(ws.db(),
                      "SELECT u.key, u.audio_path, u.speaker, u.text, u.duration_s, u.sample_rate, "
                      "u.metadata FROM utterances u JOIN datasets d ON d.id = u.dataset_id "
                      "WHERE d.name = ? ORDER BY u.key");
  q.bind(1, dataset);
  std::vector<Utt> out;
  while (q.executeStep()) {
    Utt u;
    u.key = q.getColumn(0).getString();
    u.audioPath = q.getColumn(1).getString();
    u.speaker = q.getColumn(2).getString();
    u.text = q.getColumn(3).getString();
    u.duration = q.getColumn(4).getDouble();
    u.sampleRate = q.getColumn(5).getInt();
    u.meta = json::parse(q.getColumn(6).getString());
    out.push_back(std::move(u));
  }
  return out;
}

// ali.txt as key -> ids.
std::map<std::string, std::vector<int>> readAlignments(const fs::path& file) {
  std::map<std::string, std::vector<int>> out;
  std::istringstream in(readFile(file));
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string key;
    f >> key;
    int id;
    auto& v = out[key];
    while (f >> id) v.push_back(id);
  }
  return out;
}

std::string voiceTuple(const json& m) {
  return m["voice"].get<std::string>() + "+" + m["variant"].get<std::string>() + "/" +
         std::to_string(m["rate"].get<int>()) + "/" + std::to_string(m["pitch"].get<int>()) + "/" +
         std::to_string(m["range"].get<int>());
}
std::string family(const json& m) {
  return m["voice"].get<std::string>() + "+" + m["variant"].get<std::string>();
}

// Every file under the workspace's audio/, alignments/ and lm/ folders, by relative path.
std::map<std::string, std::string> corpusFiles(const fs::path& root) {
  std::map<std::string, std::string> files;
  for (const char* sub : {"audio", "alignments", "lm"})
    for (const auto& e : fs::recursive_directory_iterator(root / sub))
      if (e.is_regular_file()) files[fs::relative(e.path(), root).string()] = readFile(e.path());
  return files;
}

std::vector<std::string> fileLines(const fs::path& file) {
  std::vector<std::string> out;
  std::istringstream in(readFile(file));
  std::string line;
  while (std::getline(in, line)) out.push_back(line);
  return out;
}

// True if `spoken` is `said` with some /l/ and /r/ left out: the phones to
// which synthesis gives no duration.
bool sameButDroppedLiquids(const std::vector<std::string>& said, const std::vector<std::string>& spoken) {
  std::size_t j = 0;
  for (const auto& p : said) {
    if (j < spoken.size() && spoken[j] == p)
      ++j;
    else if (p != "l" && p != "r")
      return false;
  }
  return j == spoken.size();
}

std::string datasetKind(Workspace& ws, const std::string& name) {
  SQLite::Statement q(ws.db(), "SELECT kind FROM datasets WHERE name = ?");
  q.bind(1, name);
  return q.executeStep() ? q.getColumn(0).getString() : std::string();
}

class CancelAfter : public ProgressSink {
 public:
  explicit CancelAfter(std::int64_t n) : m_n(n) {}
  void onProgress(const ProgressState& s) override { m_done = s.done; }
  bool cancelled() const override { return m_done >= m_n; }

 private:
  std::int64_t m_n;
  std::int64_t m_done = 0;
};

// Cancels once a phonemiser result (<accent>.txt, not a temp file) is in `dir`.
class CancelAfterFirstAccent : public ProgressSink {
 public:
  explicit CancelAfterFirstAccent(fs::path dir) : m_dir(std::move(dir)) {}
  void onProgress(const ProgressState&) override {}
  bool cancelled() const override {
    std::error_code ec;
    if (!fs::is_directory(m_dir, ec)) return false;
    for (const auto& e : fs::directory_iterator(m_dir, ec))
      if (e.path().extension() == ".txt") return true;
    return false;
  }

 private:
  fs::path m_dir;
};

}  // namespace

class TestSynth : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir m_tmp;
  fs::path m_tiny;  // full tiny profile, seed 11, built once

  fs::path build(const std::string& name, std::uint64_t seed, double scale, int jobs,
                 int shardSize = 24) {
    const fs::path root = fs::path(m_tmp.path().toStdString()) / name;
    Workspace ws = Workspace::create(root);
    SynthCorpusConfig c;
    c.profile = "tiny";
    c.seed = seed;
    c.scale = scale;
    c.jobs = jobs;
    c.shardSize = shardSize;
    buildSynthCorpus(ws, c);
    return root;
  }

 private slots:
  void initTestCase() {
    QVERIFY(m_tmp.isValid());
    m_tiny = build("tiny", 11, 1.0, 2);
  }

  void testGrammarHasAtLeast1500DistinctWords() {
    CommandGrammar g;
    const auto vocab = g.vocabulary();
    QVERIFY2(vocab.size() >= 1500, std::to_string(vocab.size()).c_str());
    // Sentences use only vocabulary words, lower-case a-z, single spaces.
    std::set<std::string> v(vocab.begin(), vocab.end());
    SynthRng rng(3);
    std::set<std::string> seenWords;
    for (int i = 0; i < 5000; ++i) {
      const std::string s = g.sentence(rng);
      QVERIFY(!s.empty() && s.front() != ' ' && s.back() != ' ');
      QVERIFY2(s.find("  ") == std::string::npos, s.c_str());
      std::istringstream in(s);
      std::string w;
      while (in >> w) {
        for (char c : w) QVERIFY2(c >= 'a' && c <= 'z', s.c_str());
        QVERIFY2(v.count(w), (w + " in: " + s).c_str());
        seenWords.insert(w);
      }
    }
    QVERIFY2(seenWords.size() > 1000, std::to_string(seenWords.size()).c_str());
    QCOMPARE(static_cast<int>(g.domains().size()), 11);
  }

  void testGrammarIsDeterministic() {
    CommandGrammar g;
    SynthRng a(42), b(42), c(43);
    std::string sa, sb, sc;
    for (int i = 0; i < 50; ++i) {
      sa += g.sentence(a) + "|";
      sb += g.sentence(b) + "|";
      sc += g.sentence(c) + "|";
    }
    QCOMPARE(sa, sb);
    QVERIFY(sa != sc);
  }

  void testNumbersAreSpelledOut() {
    QCOMPARE(numberToWords(0), std::string("zero"));
    QCOMPARE(numberToWords(17), std::string("seventeen"));
    QCOMPARE(numberToWords(42), std::string("forty two"));
    QCOMPARE(numberToWords(300), std::string("three hundred"));
    QCOMPARE(numberToWords(365), std::string("three hundred and sixty five"));
    QCOMPARE(numberToWords(2025), std::string("two thousand and twenty five"));
    QCOMPARE(numberToWords(9999), std::string("nine thousand nine hundred and ninety nine"));
    QCOMPARE(ordinalToWords(1), std::string("first"));
    QCOMPARE(ordinalToWords(12), std::string("twelfth"));
    QCOMPARE(ordinalToWords(20), std::string("twentieth"));
    QCOMPARE(ordinalToWords(31), std::string("thirty first"));
  }

  void testPhoneMapIsOneInventory() {
    const auto& units = espeakUnits();
    QCOMPARE(units.front(), std::string("sil"));
    QVERIFY(units.size() >= 60 && units.size() <= 70);
    // Accent-only phones map onto en-us phones (docs/design.md "The synthetic corpus").
    QCOMPARE(mapEspeakPhone("t["), std::string("T"));
    QCOMPARE(mapEspeakPhone("aI2"), std::string("aI"));
    QCOMPARE(mapEspeakPhone("w#"), std::string("w"));
    QCOMPARE(mapEspeakPhone("@5"), std::string("@"));
    QCOMPARE(mapEspeakPhone("IR"), std::string("3:"));
    QCOMPARE(mapEspeakPhone("VR"), std::string("3:"));
    for (const char* pause : {"_", "_:", "_!"}) QCOMPARE(mapEspeakPhone(pause), std::string("sil"));
    QCOMPARE(mapEspeakPhone(";"), std::string());
    // Kaldi symbol table: <eps> 0, sil 1, then the units with consecutive ids.
    std::istringstream in(espeakPhonesTable());
    std::string name;
    int id, expected = 0;
    std::set<std::string> names;
    while (in >> name >> id) {
      QCOMPARE(id, expected++);
      names.insert(name);
      if (id == 0) QCOMPARE(name, std::string("<eps>"));
      if (id == 1) QCOMPARE(name, std::string("sil"));
    }
    QCOMPARE(expected, static_cast<int>(units.size()) + 1);
    // Every mnemonic of espeak-ng's English tables maps into the inventory.
    for (const char* m : {"0", "02", "A~", "O", "e#", "a/", "i@3", "aU@", "I2#", "r/", "l/", "@L",
                          "t#", "n-", "x", "?", "oU#", "z/2", "zz9"})
      QVERIFY2(names.count(mapEspeakPhone(m)), m);
  }

  void testNoiseAtRequestedSnrByConstruction() {
    std::vector<float> speech(16000 * 2);
    for (std::size_t i = 0; i < speech.size(); ++i)
      speech[i] = 0.3f * std::sin(0.05f * static_cast<float>(i)) * (i % 4000 < 2000 ? 1.0f : 0.1f);
    for (NoiseType t : {NoiseType::White, NoiseType::Pink, NoiseType::Hum, NoiseType::Babble}) {
      std::vector<std::vector<float>> babble = {speech, std::vector<float>(speech.rbegin(), speech.rend())};
      const auto noise = makeNoise(t, speech.size(), 16000, 50, babble, 5);
      QVERIFY(std::abs(meanPower(noise) - 1.0) < 1e-3);
      AcousticCondition c;
      c.noise = t;
      c.snrDb = 6.0;
      c.floorDb = -200;  // no floor: the difference is exactly the noise
      std::vector<float> noisy = speech;
      applyCondition(noisy, 16000, c, babble, 5);
      std::vector<float> diff(speech.size());
      for (std::size_t i = 0; i < diff.size(); ++i) diff[i] = noisy[i] - speech[i];
      const double snr = 10 * std::log10(meanPower(speech) / meanPower(diff));
      QVERIFY2(std::abs(snr - 6.0) < 0.01, std::to_string(snr).c_str());
    }
    // Reverberation: the impulse response decays 60 dB over RT60.
    const auto h = makeReverbImpulse(0.4, 16000, 9);
    QCOMPARE(h.size(), std::size_t(6400));
    double early = 0, late = 0;
    for (std::size_t i = 100; i < 900; ++i) early += h[i] * h[i];
    for (std::size_t i = 5500; i < 6300; ++i) late += h[i] * h[i];
    const double dbDrop = 10 * std::log10(early / late);
    // 5400 samples of a 60 dB / 6400-sample decay: 50.6 dB.
    QVERIFY2(std::abs(dbDrop - 50.6) < 3.0, std::to_string(dbDrop).c_str());
    // FFT convolution against the direct sum.
    std::vector<float> x(3000), hh(500);
    SynthRng r(1);
    for (auto& v : x) v = static_cast<float>(r.normal());
    for (auto& v : hh) v = static_cast<float>(r.normal());
    const auto y = convolveSame(x, hh);
    for (std::size_t n : {0, 1, 499, 1234, 2999}) {
      double ref = 0;
      for (std::size_t k = 0; k <= n && k < hh.size(); ++k) ref += double(hh[k]) * x[n - k];
      QVERIFY(std::abs(ref - y[n]) < 1e-3);
    }
  }

  void testTinyProfileSizesWithinTenPercent() {
    Workspace ws = Workspace::open(m_tiny);
    const SynthProfile p = synthProfile("tiny");
    const std::map<std::string, double> targets = {
        {"synth-labeled", p.labeledSeconds},
        {"synth-unlabeled", p.unlabeledSeconds},
        {"synth-test-clean", p.testCleanSeconds},
        {"synth-test-noisy", p.testNoisySeconds},
        {"synth-test-unseen-variant", p.unseenVariantSeconds}};
    QCOMPARE(targets.at("synth-labeled"), 180.0);
    QCOMPARE(targets.at("synth-unlabeled"), 600.0);
    QCOMPARE(targets.at("synth-test-clean"), 120.0);
    for (const auto& [name, target] : targets) {
      double sum = 0;
      for (const auto& u : utterances(ws, name)) sum += u.duration;
      SQLite::Statement q(ws.db(),
                          "SELECT kind, source, condition, num_utterances, total_seconds, metadata "
                          "FROM datasets WHERE name = ?");
      q.bind(1, name);
      QVERIFY2(q.executeStep(), name.c_str());
      QCOMPARE(q.getColumn(1).getString(), std::string("synthetic"));
      QVERIFY(std::abs(q.getColumn(4).getDouble() - sum) < 1e-6);
      const json meta = json::parse(q.getColumn(5).getString());
      QCOMPARE(meta["profile"].get<std::string>(), std::string("tiny"));
      QCOMPARE(meta["seed"].get<int>(), 11);
      QVERIFY2(std::abs(sum - target) <= 0.1 * target,
               (name + ": " + std::to_string(sum) + " s vs " + std::to_string(target)).c_str());
      SQLite::Statement a(ws.db(),
                          "SELECT a.source, a.path, a.frame_shift_ms, a.num_utterances FROM "
                          "alignment_sets a JOIN datasets d ON d.id = a.dataset_id WHERE d.name = ?");
      a.bind(1, name);
      QVERIFY(a.executeStep());
      QCOMPARE(a.getColumn(0).getString(), std::string("synthetic"));
      QCOMPARE(a.getColumn(1).getString(), "alignments/" + name);
      QCOMPARE(a.getColumn(2).getDouble(), 10.0);
      QCOMPARE(a.getColumn(3).getInt(), q.getColumn(3).getInt());
    }
    QCOMPARE(datasetKind(ws, "synth-labeled"), std::string("labeled"));
    QCOMPARE(datasetKind(ws, "synth-unlabeled"), std::string("unlabeled"));
    QCOMPARE(datasetKind(ws, "synth-test-noisy"), std::string("test"));
  }

  void testAlignmentsCoverTheAudio() {
    Workspace ws = Workspace::open(m_tiny);
    const std::string phonesTable = readFile(m_tiny / "alignments/synth-labeled/phones.txt");
    std::map<int, std::string> idToPhone;
    {
      std::istringstream in(phonesTable);
      std::string n;
      int id;
      while (in >> n >> id) idToPhone[id] = n;
    }
    for (const char* name : kDatasets) {
      const fs::path dir = m_tiny / "alignments" / name;
      QCOMPARE(readFile(dir / "phones.txt"), phonesTable);  // one inventory for the corpus
      const auto ali = readAlignments(dir / "ali.txt");
      const auto utts = utterances(ws, name);
      QCOMPARE(ali.size(), utts.size());
      // ctm: phone durations per utterance.
      std::map<std::string, double> ctmSum;
      std::map<std::string, double> ctmEnd;
      std::map<std::string, std::vector<std::pair<double, std::string>>> ctmStarts;
      std::map<std::string, int> phoneToId;
      for (const auto& [id, phone] : idToPhone) phoneToId[phone] = id;
      {
        std::istringstream in(readFile(dir / "phones.ctm"));
        std::string key, chan, phone;
        double start, dur;
        while (in >> key >> chan >> start >> dur >> phone) {
          QVERIFY2(std::abs(start - ctmEnd[key]) < 1e-6, key.c_str());  // contiguous
          ctmSum[key] += dur;
          ctmEnd[key] = start + dur;
          ctmStarts[key].push_back({start, phone});
        }
      }
      // Keys in C-locale order, and the ali.txt order is the same.
      std::vector<std::string> aliKeys;
      {
        std::istringstream in(readFile(dir / "ali.txt"));
        std::string line;
        while (std::getline(in, line)) aliKeys.push_back(line.substr(0, line.find(' ')));
      }
      QVERIFY(std::is_sorted(aliKeys.begin(), aliKeys.end()));
      for (const auto& u : utts) {
        QCOMPARE(u.key.substr(0, u.key.find('-')), u.speaker);
        QCOMPARE(u.key.substr(u.speaker.size() + 1, std::strlen(name)), std::string(name));
        QCOMPARE(u.audioPath, "audio/" + std::string(name) + "/" + u.key + ".wav");
        QCOMPARE(u.sampleRate, 16000);
        const AudioInfo info = probeAudio((m_tiny / u.audioPath).string());
        QCOMPARE(info.sampleRate, 16000);
        QCOMPARE(info.channels, 1);
        QVERIFY(info.format.find("PCM_16") != std::string::npos);
        const long frames = 1 + (static_cast<long>(info.frames) - 400) / 160;
        QVERIFY2(ali.count(u.key), u.key.c_str());
        QCOMPARE(static_cast<long>(ali.at(u.key).size()), frames);
        QVERIFY(std::abs(ctmSum[u.key] - info.frames / 16000.0) < 1e-5);
        QVERIFY(std::abs(u.duration - info.frames / 16000.0) < 1e-9);
        for (int id : ali.at(u.key)) QVERIFY2(id >= 1 && idToPhone.count(id), u.key.c_str());
        // Each frame's label is the ctm phone under its centre sample t*160+200.
        const auto& segs = ctmStarts[u.key];
        std::size_t k = 0;
        for (std::size_t t = 0; t < ali.at(u.key).size(); ++t) {
          const double centre = (t * 160.0 + 200.0) / 16000.0;
          while (k + 1 < segs.size() && segs[k + 1].first <= centre + 1e-9) ++k;
          QVERIFY2(phoneToId.at(segs[k].second) == ali.at(u.key)[t], u.key.c_str());
        }
        // Speech, not silence, sits between the first and last frame.
        QCOMPARE(ali.at(u.key).front(), 1);
        QCOMPARE(ali.at(u.key).back(), 1);
      }
    }
  }

  void testSilenceFramesAreQuietOnCleanSpeech() {
    // An independent check of the timings: on clean utterances the frames the
    // alignment calls sil carry far less energy than the phone frames.
    Workspace ws = Workspace::open(m_tiny);
    const auto ali = readAlignments(m_tiny / "alignments/synth-test-clean/ali.txt");
    double silE = 0, speechE = 0;
    long silN = 0, speechN = 0;
    for (const auto& u : utterances(ws, "synth-test-clean")) {
      const Audio a = readAudio((m_tiny / u.audioPath).string());
      const auto& ids = ali.at(u.key);
      for (std::size_t t = 0; t < ids.size(); ++t) {
        double e = 0;
        for (std::size_t i = t * 160 + 120; i < t * 160 + 280; ++i) e += a.samples[i] * a.samples[i];
        (ids[t] == 1 ? silE : speechE) += e;
        (ids[t] == 1 ? silN : speechN)++;
      }
    }
    QVERIFY(silN > 0 && speechN > 0);
    const double ratioDb = 10 * std::log10((speechE / speechN) / (silE / silN));
    QVERIFY2(ratioDb > 15.0, std::to_string(ratioDb).c_str());
  }

  void testLexiconCoversTranscripts() {
    Workspace ws = Workspace::open(m_tiny);
    for (const char* name : kDatasets) {
      std::set<std::string> words;
      std::istringstream in(readFile(m_tiny / "alignments" / name / "lexicon.txt"));
      std::string line, prev;
      std::set<int> validIds;
      while (std::getline(in, line)) {
        QVERIFY(line > prev);  // sorted, unique
        prev = line;
        std::istringstream f(line);
        std::string w, p;
        f >> w;
        int n = 0;
        while (f >> p) {
          QVERIFY2(p != "sil", line.c_str());
          espeakPhoneId(p);  // throws for a phone outside phones.txt
          ++n;
        }
        QVERIFY2(n > 0, line.c_str());
        words.insert(w);
      }
      for (const auto& u : utterances(ws, name)) {
        QVERIFY(!u.text.empty());
        std::istringstream t(u.text);
        std::string w;
        while (t >> w) QVERIFY2(words.count(w), (std::string(name) + ": " + w).c_str());
      }
    }
  }

  void testTestSetsAreUnseen() {
    Workspace ws = Workspace::open(m_tiny);
    std::set<std::string> trainText, trainSpeakers, trainTuples, trainFamilies, unlabeledFamilies;
    for (const char* name : {"synth-labeled", "synth-unlabeled"})
      for (const auto& u : utterances(ws, name)) {
        trainText.insert(u.text);
        trainSpeakers.insert(u.speaker);
        trainTuples.insert(voiceTuple(u.meta));
        trainFamilies.insert(family(u.meta));
        if (std::string(name) == "synth-unlabeled") unlabeledFamilies.insert(family(u.meta));
      }
    std::set<std::string> testSpeakers;
    for (const char* name : {"synth-test-clean", "synth-test-noisy", "synth-test-unseen-variant"})
      for (const auto& u : utterances(ws, name)) {
        QVERIFY2(!trainText.count(u.text), u.text.c_str());
        QVERIFY2(!trainSpeakers.count(u.speaker), u.speaker.c_str());
        QVERIFY2(!trainTuples.count(voiceTuple(u.meta)), u.key.c_str());
        if (std::string(name) == "synth-test-unseen-variant") {
          for (const auto& f : trainFamilies)
            QVERIFY2(f.substr(f.find('+')) != "+" + u.meta["variant"].get<std::string>(), f.c_str());
        } else {
          QVERIFY2(unlabeledFamilies.count(family(u.meta)), u.key.c_str());
          testSpeakers.insert(u.speaker);
        }
      }
    QVERIFY(testSpeakers.size() >= 4);
  }

  void testVoiceAndConditionCoverage() {
    Workspace ws = Workspace::open(m_tiny);
    int badSnr = 0;
    auto stats = [&](const std::string& name, std::set<std::string>& combos, int& noisy,
                     std::set<std::string>& types, int& reverb) -> int {
      const auto utts = utterances(ws, name);
      for (const auto& u : utts) {
        combos.insert(voiceTuple(u.meta));
        const std::string noise = u.meta["noise"];
        if (noise != "none") {
          ++noisy;
          types.insert(noise);
          const double snr = u.meta["snr_db"];
          badSnr += (snr >= 0.0 && snr <= 20.0) ? 0 : 1;
        }
        reverb += u.meta["reverb"].get<bool>() ? 1 : 0;
      }
      return static_cast<int>(utts.size());
    };
    std::set<std::string> combos, types;
    int noisy = 0, reverb = 0;
    int n = stats("synth-labeled", combos, noisy, types, reverb);
    QVERIFY2(combos.size() >= 6, std::to_string(combos.size()).c_str());
    QVERIFY2(std::abs(noisy - n / 2.0) <= 0.1 * n + 1, std::to_string(noisy).c_str());
    QCOMPARE(types, (std::set<std::string>{"babble", "hum", "pink", "white"}));
    QVERIFY(reverb > 0);
    combos.clear();
    types.clear();
    noisy = reverb = 0;
    n = stats("synth-unlabeled", combos, noisy, types, reverb);
    QVERIFY2(combos.size() >= 24, std::to_string(combos.size()).c_str());
    QVERIFY(std::abs(noisy - n / 2.0) <= 0.1 * n + 1);
    combos.clear();
    types.clear();
    noisy = reverb = 0;
    n = stats("synth-test-noisy", combos, noisy, types, reverb);
    QCOMPARE(noisy, n);
    for (const auto& u : utterances(ws, "synth-test-noisy")) QVERIFY(u.meta["snr_db"].get<double>() <= 10.0);
    combos.clear();
    noisy = reverb = 0;
    stats("synth-test-clean", combos, noisy, types, reverb);
    QCOMPARE(noisy + reverb, 0);
    QCOMPARE(badSnr, 0);
  }

  void testMeasuredSnrMatchesRequest() {
    // Noise power from the samples the alignment calls silence (noise only;
    // 15 ms kept clear of every phone), speech power as the rest of the
    // utterance's power: the SNR measured from the wav alone.
    Workspace ws = Workspace::open(m_tiny);
    int checked = 0;
    for (const char* name : {"synth-labeled", "synth-unlabeled", "synth-test-noisy"}) {
      std::map<std::string, std::vector<std::pair<long, long>>> silence;
      std::istringstream ctm(readFile(m_tiny / "alignments" / name / "phones.ctm"));
      std::string key, chan, phone;
      double start, dur;
      while (ctm >> key >> chan >> start >> dur >> phone)
        if (phone == "sil") {
          const long a = std::lround(start * 16000) + 240, b = std::lround((start + dur) * 16000) - 240;
          if (b > a) silence[key].push_back({a, b});
        }
      for (const auto& u : utterances(ws, name)) {
        const std::string noise = u.meta["noise"];
        if (noise == "none" || noise == "babble" || u.meta["reverb"].get<bool>()) continue;
        const Audio a = readAudio((m_tiny / u.audioPath).string());
        double pn = 0, pt = 0;
        long nn = 0;
        for (const auto& [from, to] : silence[u.key])
          for (long i = from; i < to; ++i, ++nn) pn += double(a.samples[i]) * a.samples[i];
        for (float v : a.samples) pt += double(v) * v;
        QVERIFY2(nn >= 1600, u.key.c_str());
        pn /= nn;
        pt /= a.samples.size();
        const double measured = 10 * std::log10((pt - pn) / pn);
        const double requested = u.meta["snr_db"];
        QVERIFY2(std::abs(measured - requested) <= 1.5,
                 (u.key + " " + noise + ": measured " + std::to_string(measured) + " dB, asked " +
                  std::to_string(requested))
                     .c_str());
        ++checked;
      }
    }
    QVERIFY2(checked >= 20, std::to_string(checked).c_str());
  }

  void testLmTextIsFromTheTrainingPoolOnly() {
    Workspace ws = Workspace::open(m_tiny);
    SynthCorpusConfig c;
    c.profile = "tiny";
    c.seed = 11;
    QCOMPARE(lmSentenceCount(c), 5000);
    const auto text = fileLines(m_tiny / "lm/synth/text.txt");
    QCOMPARE(static_cast<int>(text.size()), 5000);
    QCOMPARE(text, planLmText(c));  // deterministic in (profile, seed)
    std::set<std::string> testText;
    for (const char* name : {"synth-test-clean", "synth-test-noisy", "synth-test-unseen-variant"})
      for (const auto& u : utterances(ws, name)) testText.insert(u.text);
    const auto vocab = CommandGrammar().vocabulary();
    const std::set<std::string> v(vocab.begin(), vocab.end());
    std::set<std::string> distinct;
    for (const auto& line : text) {
      QVERIFY2(!isHeldOutSentence(line, 11), line.c_str());
      QVERIFY2(!testText.count(line), line.c_str());
      std::istringstream in(line);
      std::string w;
      int n = 0;
      while (in >> w) {
        QVERIFY2(v.count(w), line.c_str());
        ++n;
      }
      QVERIFY2(n > 0 && line.find("  ") == std::string::npos, line.c_str());
      distinct.insert(line);
    }
    QVERIFY2(distinct.size() > 3000, std::to_string(distinct.size()).c_str());
    // The held-out pool is about one sentence in eight: the text avoids it by choice.
    SynthRng rng(11, "lm/text");
    int heldOut = 0;
    for (int i = 0; i < 2000; ++i) heldOut += isHeldOutSentence(CommandGrammar().sentence(rng), 11) ? 1 : 0;
    QVERIFY2(heldOut > 150, std::to_string(heldOut).c_str());
    const json info = json::parse(readFile(m_tiny / "lm/synth/info.json"));
    QCOMPARE(info["text"]["sentences"].get<int>(), 5000);
    QCOMPARE(info["text"]["distinct_sentences"].get<int>(), static_cast<int>(distinct.size()));
    QCOMPARE(info["profile"].get<std::string>(), std::string("tiny"));
    QCOMPARE(info["seed"].get<int>(), 11);
    c.seed = 12;
    QVERIFY(planLmText(c) != text);
    c.scale = 0.1;
    QCOMPARE(lmSentenceCount(c), 500);
  }

  void testLmLexiconCoversTheVocabularyAndTrainingPronunciations() {
    Workspace ws = Workspace::open(m_tiny);
    const auto lexicon = fileLines(m_tiny / "lm/synth/lexicon.txt");
    const std::set<std::string> entries(lexicon.begin(), lexicon.end());
    QCOMPARE(entries.size(), lexicon.size());         // unique
    QVERIFY(std::is_sorted(lexicon.begin(), lexicon.end()));  // C locale: byte order
    std::map<std::string, int> pronunciations;
    for (const auto& e : lexicon) {
      std::istringstream f(e);
      std::string w, p;
      f >> w;
      int n = 0;
      while (f >> p) {
        QVERIFY2(p != "sil", e.c_str());
        espeakPhoneId(p);  // a unit of alignments/<d>/phones.txt
        ++n;
      }
      QVERIFY2(n > 0, e.c_str());
      ++pronunciations[w];
    }
    for (const auto& w : CommandGrammar().vocabulary()) QVERIFY2(pronunciations.count(w), w.c_str());
    QCOMPARE(pronunciations.size(), CommandGrammar().vocabulary().size());
    QVERIFY(pronunciations.at("the") >= 3);  // D @2, D I2, D i:, ...
    // Every pronunciation the training sets speak, in every accent they use.
    std::set<std::string> trainingAccents;
    int spoken = 0;
    for (const char* name : {"synth-labeled", "synth-unlabeled"}) {
      for (const auto& u : utterances(ws, name)) trainingAccents.insert(u.meta["voice"].get<std::string>());
      for (const auto& e : fileLines(m_tiny / "alignments" / name / "lexicon.txt")) {
        QVERIFY2(entries.count(e), (std::string(name) + ": " + e).c_str());
        ++spoken;
      }
    }
    const json info = json::parse(readFile(m_tiny / "lm/synth/info.json"));
    const json& lex = info["lexicon"];
    QCOMPARE(lex["entries"].get<int>(), static_cast<int>(lexicon.size()));
    QCOMPARE(lex["words"].get<int>(), static_cast<int>(pronunciations.size()));
    QCOMPARE(lex["accents"].get<std::vector<std::string>>(),
             std::vector<std::string>(trainingAccents.begin(), trainingAccents.end()));
    QCOMPARE(lex["from_citation"].get<int>() + lex["from_context"].get<int>() +
                 lex["from_alignments_only"].get<int>(),
             static_cast<int>(lexicon.size()));
    // espeak-ng's phonemiser alone (citation and in-context forms of the
    // training accents) gives nearly all of them: the rest are /l/ and /r/
    // that synthesis gave no duration.
    const int onlyFromAlignments = lex["from_alignments_only"].get<int>();
    QVERIFY(spoken >= lex["training_spoken_entries"].get<int>());
    QVERIFY2(onlyFromAlignments <= 0.03 * lex["training_spoken_entries"].get<int>(),
             std::to_string(onlyFromAlignments).c_str());
    QVERIFY2(lex["from_context"].get<int>() >= 100, lex.dump().c_str());
    // Test sets: coverage reported, their pronunciations never added.
    for (const char* name : {"synth-test-clean", "synth-test-noisy", "synth-test-unseen-variant"}) {
      const auto test = fileLines(m_tiny / "alignments" / name / "lexicon.txt");
      const json& c = info["test_coverage"][name];
      QCOMPARE(c["entries"].get<int>(), static_cast<int>(test.size()));
      int covered = 0;
      for (const auto& e : test) covered += entries.count(e) ? 1 : 0;
      QCOMPARE(c["entries_covered"].get<int>(), covered);
      QVERIFY2(covered >= 0.95 * test.size(), c.dump().c_str());
    }
    const SynthLmFiles files = openSynthLm(m_tiny);
    QCOMPARE(files.lexicon, m_tiny / "lm/synth/lexicon.txt");
    QCOMPARE(files.sentences, 5000);
    QCOMPARE(files.lexiconEntries, static_cast<int>(lexicon.size()));
  }

  void testLmIsRebuiltWhenDamagedAndRefusedForAnotherSeed() {
    const fs::path root = build("lm-damaged", 3, 0.1, 2);
    const fs::path lexicon = root / "lm/synth/lexicon.txt";
    const std::string before = readFile(lexicon);
    const std::string info = readFile(root / "lm/synth/info.json");
    QVERIFY(!fs::exists(root / "lm/synth/.partial"));
    writeFileAtomically(lexicon, before + "zebra z i: b r @\n");
    try {
      openSynthLm(root);
      QFAIL("a changed lexicon must be refused");
    } catch (const Error& e) {
      QVERIFY2(std::string(e.message()).find("lexicon.txt differs") != std::string::npos,
               e.message().c_str());
    }
    Workspace ws = Workspace::open(root);
    SynthCorpusConfig c;
    c.profile = "tiny";
    c.seed = 3;
    c.scale = 0.1;
    SynthCorpusSummary s = buildSynthCorpus(ws, c);
    QVERIFY(!s.lm.alreadyComplete);
    QCOMPARE(readFile(lexicon), before);
    QCOMPARE(readFile(root / "lm/synth/info.json"), info);
    s = buildSynthCorpus(ws, c);
    QVERIFY(s.lm.alreadyComplete);
    QCOMPARE(s.lm.sentences, 500);
    // lm/synth of another seed is refused before anything is written.
    const fs::path other = fs::path(m_tmp.path().toStdString()) / "lm-other-seed";
    Workspace ws2 = Workspace::create(other);
    fs::create_directories(other / "lm/synth");
    fs::copy_file(root / "lm/synth/info.json", other / "lm/synth/info.json");
    c.seed = 4;
    try {
      buildSynthCorpus(ws2, c);
      QFAIL("lm/synth of seed 3 must be refused for seed 4");
    } catch (const Error& e) {
      QVERIFY2(std::string(e.message()).find("seed 3") != std::string::npos, e.message().c_str());
      QVERIFY(!e.hintText().empty());
    }
    SQLite::Statement q(ws2.db(), "SELECT count(*) FROM datasets");
    QVERIFY(q.executeStep());
    QCOMPARE(q.getColumn(0).getInt(), 0);
  }

  void testInterruptedLmResumesFromFinishedAccents() {
    const fs::path root = fs::path(m_tmp.path().toStdString()) / "lm-resume";
    Workspace ws = Workspace::create(root);
    SynthCorpusConfig c;
    c.profile = "tiny";
    c.seed = 2;
    c.scale = 0.1;
    c.jobs = 1;
    const fs::path partial = root / "lm/synth/.partial";
    CancelAfterFirstAccent cancel(partial);
    QVERIFY_EXCEPTION_THROWN(buildSynthCorpus(ws, c, &cancel), Error);
    QVERIFY(!fs::exists(root / "lm/synth/info.json"));
    std::vector<fs::path> finished;
    for (const auto& e : fs::directory_iterator(partial))
      if (e.path().extension() == ".txt") finished.push_back(e.path());
    QVERIFY2(!finished.empty() && finished.size() < 7, std::to_string(finished.size()).c_str());
    // A finished accent is not phonemised again: a line added to its result shows up.
    std::string result = readFile(finished.front());
    QVERIFY(result.size() > 4 && result.substr(result.size() - 4) == "end\n");
    result.insert(result.size() - 4, "x kitchen k k k\n");
    writeFileAtomically(finished.front(), result);
    const SynthCorpusSummary s = buildSynthCorpus(ws, c);
    for (const auto& d : s.datasets) QVERIFY2(d.alreadyComplete, d.name.c_str());
    QVERIFY(!s.lm.alreadyComplete);
    const auto lexicon = fileLines(root / "lm/synth/lexicon.txt");
    QVERIFY(std::find(lexicon.begin(), lexicon.end(), "kitchen k k k") != lexicon.end());
    QVERIFY(!fs::exists(partial));
    openSynthLm(root);
  }

  void testSameSeedIsByteIdenticalAndOtherSeedDiffers() {
    // Two builds with different --jobs through the CLI and the library: same bytes.
    const fs::path a = build("seed5-a", 5, 0.15, 2);
    const fs::path b = fs::path(m_tmp.path().toStdString()) / "seed5-b";
    auto r = test::runCli({"init", QString::fromStdString(b.string())});
    QCOMPARE(r.exitCode, 0);
    r = test::runCli({"corpus", "synth", "-w", QString::fromStdString(b.string()), "--profile",
                      "tiny", "--seed", "5", "--scale", "0.15", "--jobs", "1", "-q"},
                     120000);
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QVERIFY(r.out.contains("synth-test-unseen-variant"));
    const auto fa = corpusFiles(a), fb = corpusFiles(b);
    QVERIFY(fa.size() > 10);
    QCOMPARE(fa.size(), fb.size());
    for (const auto& [path, bytes] : fa) {
      QVERIFY2(fb.count(path), path.c_str());
      QVERIFY2(fb.at(path) == bytes, path.c_str());
    }
    const fs::path c = build("seed6", 6, 0.15, 2);
    QVERIFY(readFile(c / "alignments/synth-labeled/ali.txt") !=
            readFile(a / "alignments/synth-labeled/ali.txt"));
    const auto fc = corpusFiles(c);
    int same = 0;
    for (const auto& [path, bytes] : fc)
      if (path.find(".wav") != std::string::npos && fa.count(path) && fa.at(path) == bytes) ++same;
    QCOMPARE(same, 0);
  }

  void testRerunSkipsAndOtherSeedRefuses() {
    Workspace ws = Workspace::open(m_tiny);
    SynthCorpusConfig c;
    c.profile = "tiny";
    c.seed = 11;
    const auto before = readFile(m_tiny / "alignments/synth-unlabeled/ali.txt");
    const auto filesBefore = corpusFiles(m_tiny);
    const SynthCorpusSummary s = buildSynthCorpus(ws, c);
    QCOMPARE(s.datasets.size(), std::size_t(5));
    for (const auto& d : s.datasets) QVERIFY2(d.alreadyComplete, d.name.c_str());
    QCOMPARE(readFile(m_tiny / "alignments/synth-unlabeled/ali.txt"), before);
    QVERIFY(s.lm.alreadyComplete);
    QCOMPARE(s.lm.sentences, 5000);
    QVERIFY(corpusFiles(m_tiny) == filesBefore);  // lm/ included, untouched
    c.seed = 12;
    QVERIFY_EXCEPTION_THROWN(buildSynthCorpus(ws, c), Error);
  }

  void testInterruptedBuildResumesToTheSameCorpus() {
    // Same shard size on both sides: shard boundaries are part of the corpus.
    const fs::path whole = build("resume-ref", 8, 0.2, 2, 6);
    const fs::path root = fs::path(m_tmp.path().toStdString()) / "resume";
    Workspace ws = Workspace::create(root);
    SynthCorpusConfig c;
    c.profile = "tiny";
    c.seed = 8;
    c.scale = 0.2;
    c.shardSize = 6;
    CancelAfter cancel(12);
    QVERIFY_EXCEPTION_THROWN(buildSynthCorpus(ws, c, &cancel), Error);
    SQLite::Statement q(ws.db(), "SELECT count(*) FROM datasets");
    QVERIFY(q.executeStep());
    QCOMPARE(q.getColumn(0).getInt(), 0);
    const SynthCorpusSummary s = buildSynthCorpus(ws, c);
    QCOMPARE(s.datasets.size(), std::size_t(5));
    const auto fw = corpusFiles(whole), fr = corpusFiles(root);
    QCOMPARE(fr.size(), fw.size());
    for (const auto& [path, bytes] : fw) QVERIFY2(fr.count(path) && fr.at(path) == bytes, path.c_str());
  }

  void testWorkerFailureIsReportedAndTheRestResumes() {
    const fs::path root = fs::path(m_tmp.path().toStdString()) / "failing";
    Workspace ws = Workspace::create(root);
    SynthCorpusConfig c;
    c.profile = "tiny";
    c.seed = 9;
    c.scale = 0.1;
    // A folder where one utterance's wav must go: that worker's write fails.
    const std::string key = planCorpus(c)[0].utterances[3].key;
    const fs::path blocker = root / "audio/synth-labeled" / (key + ".wav");
    fs::create_directories(blocker);
    try {
      buildSynthCorpus(ws, c);
      QFAIL("the build should fail");
    } catch (const Error& e) {
      const std::string m = e.message();
      QVERIFY2(m.find(key) != std::string::npos, m.c_str());
      QVERIFY2(m.find("synth-labeled utterances 0..") != std::string::npos, m.c_str());
      QVERIFY2(!e.hintText().empty(), m.c_str());
    }
    SQLite::Statement q(ws.db(), "SELECT count(*) FROM datasets");
    QVERIFY(q.executeStep());
    QCOMPARE(q.getColumn(0).getInt(), 0);
    fs::remove(blocker);
    const SynthCorpusSummary s = buildSynthCorpus(ws, c);
    QCOMPARE(s.datasets.size(), std::size_t(5));
    QVERIFY(fs::is_regular_file(blocker));
  }

  void testNarrowUnlabeledUsesLabeledVoices() {
    const fs::path root = fs::path(m_tmp.path().toStdString()) / "narrow";
    Workspace ws = Workspace::create(root);
    SynthCorpusConfig c;
    c.profile = "tiny";
    c.seed = 4;
    c.scale = 0.1;
    c.narrowUnlabeled = true;
    buildSynthCorpus(ws, c);
    std::set<std::string> labeledSpeakers, unlabeledText;
    for (const auto& u : utterances(ws, "synth-labeled")) labeledSpeakers.insert(u.speaker);
    for (const auto& u : utterances(ws, "synth-unlabeled")) unlabeledText.insert(u.text);
    const auto narrow = utterances(ws, "synth-unlabeled-narrow");
    QVERIFY(!narrow.empty());
    int shared = 0;
    for (const auto& u : narrow) {
      QVERIFY2(labeledSpeakers.count(u.speaker), u.speaker.c_str());
      shared += unlabeledText.count(u.text) ? 1 : 0;
    }
    QVERIFY(shared >= 0.8 * narrow.size());
    QCOMPARE(datasetKind(ws, "synth-unlabeled-narrow"), std::string("unlabeled"));
  }

  void testSynthesizerSegmentsCoverTheAudio() {
    // Last: after espeak-ng ran in this process, forked workers would inherit
    // its state (the builder's workers start from a process that never used it).
    EspeakSynthesizer tts;
    QCOMPARE(tts.nativeSampleRate(), 22050);
    const std::string text = "set a timer for twenty five minutes and play jazz in the kitchen";
    for (const auto& voice : accentVoices()) {
      SynthesizedSpeech s = tts.synthesize(text, VoiceSpec{voice, "m3", 180, 50, 40});
      QCOMPARE(s.sampleRate, 16000);
      QVERIFY(!s.phones.empty());
      QCOMPARE(s.phones.front().start, std::int64_t(0));
      QCOMPARE(s.phones.back().end, static_cast<std::int64_t>(s.samples.size()));
      for (std::size_t i = 0; i < s.phones.size(); ++i) {
        QVERIFY(s.phones[i].end > s.phones[i].start);
        if (i) QCOMPARE(s.phones[i].start, s.phones[i - 1].end);
        QVERIFY2(espeakPhoneId(s.phones[i].phone) >= 1, s.phones[i].phone.c_str());
      }
      QCOMPARE(s.words.size(), std::size_t(13));
      for (const auto& w : s.words) QVERIFY2(!w.phones.empty(), (voice + ": " + w.word).c_str());
      // "jazz" is /dZ a z/ in every accent.
      QCOMPARE(s.words[9].word, std::string("jazz"));
      QCOMPARE(s.words[9].phones.front(), std::string("dZ"));
    }
    QVERIFY_EXCEPTION_THROWN(tts.synthesize("hello", VoiceSpec{"en-us", "m3", 450, 50, 50}), Error);
    QVERIFY_EXCEPTION_THROWN(tts.synthesize("hello", VoiceSpec{"xx-nope", "", 175, 50, 50}), Error);
  }

  void testPhonemiserGivesTheSpokenPronunciations() {
    // After testSynthesizerSegmentsCoverTheAudio (espeak-ng runs in this process).
    // pronounce() (no audio) against synthesize()'s words, per accent: equal
    // but for an /l/ or /r/ that synthesis gives no duration.
    EspeakSynthesizer tts;
    CommandGrammar g;
    SynthRng rng(21);
    std::vector<std::string> sentences = {"set an alarm for twelve and play the album in the kitchen",
                                          "what is the weather in tel aviv"};
    for (int i = 0; i < 25; ++i) sentences.push_back(g.sentence(rng));
    int words = 0, equal = 0;
    for (const auto& voice : accentVoices()) {
      for (const auto& text : sentences) {
        const auto said = tts.pronounce(text, voice);
        const auto spoken = tts.synthesize(text, VoiceSpec{voice, "f2", 190, 50, 50}).words;
        QCOMPARE(said.size(), spoken.size());
        for (std::size_t i = 0; i < said.size(); ++i) {
          QCOMPARE(said[i].word, spoken[i].word);
          const std::string where = voice + " [" + text + "] " + said[i].word;
          QVERIFY2(sameButDroppedLiquids(said[i].phones, spoken[i].phones), where.c_str());
          ++words;
          equal += said[i].phones == spoken[i].phones ? 1 : 0;
        }
      }
      QCOMPARE(tts.citation("jazz", voice).front(), std::string("dZ"));
    }
    QVERIFY2(equal >= 0.97 * words, (std::to_string(equal) + "/" + std::to_string(words)).c_str());
    // In context: "the" before a vowel is not "the" before a consonant.
    const auto a = tts.pronounce("play the album", "en-us"), b = tts.pronounce("play the song", "en-us");
    QVERIFY(a[1].phones != b[1].phones);
  }
};

QTEST_GUILESS_MAIN(TestSynth)
#include "test_synth.moc"
