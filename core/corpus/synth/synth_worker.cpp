#include "core/corpus/synth/synth_worker.h"

#include <cmath>
#include <sstream>

#include "core/corpus/synth/command_grammar.h"
#include "core/corpus/synth/synth_rng.h"

namespace understudy::synth {

namespace {

constexpr int kRate = 16000;
constexpr int kBabbleTalkers = 4;

// Prepends/appends silence and shifts the segments; the padding joins the
// neighbouring sil segment or becomes one.
void padSilence(SynthesizedSpeech& s, long lead, long trail) {
  std::vector<float> padded(static_cast<std::size_t>(lead), 0.0f);
  padded.insert(padded.end(), s.samples.begin(), s.samples.end());
  padded.resize(padded.size() + static_cast<std::size_t>(trail), 0.0f);
  for (auto& seg : s.phones) {
    seg.start += lead;
    seg.end += lead;
  }
  if (lead > 0) {
    if (!s.phones.empty() && s.phones.front().phone == "sil")
      s.phones.front().start = 0;
    else
      s.phones.insert(s.phones.begin(), PhoneSegment{"sil", 0, lead});
  }
  const auto total = static_cast<std::int64_t>(padded.size());
  if (trail > 0) {
    if (!s.phones.empty() && s.phones.back().phone == "sil")
      s.phones.back().end = total;
    else
      s.phones.push_back(PhoneSegment{"sil", total - trail, total});
  }
  s.samples = std::move(padded);
}

}  // namespace

std::vector<float> synthesizeUtterance(EspeakSynthesizer& tts, const DatasetPlan& dataset,
                                       const UtterancePlan& u, std::uint64_t corpusSeed,
                                       UtteranceResult& result) {
  SynthesizedSpeech speech = tts.synthesize(u.text, u.voice);
  padSilence(speech, std::lround(u.condition.leadingSilence * kRate),
             std::lround(u.condition.trailingSilence * kRate));

  std::vector<std::vector<float>> babble;
  if (u.condition.noise == NoiseType::Babble) {
    // Other talkers of the same voice pool saying other sentences of the same pool.
    static const CommandGrammar grammar;
    SynthRng rng(u.seed, "babble");
    for (int k = 0; k < kBabbleTalkers; ++k) {
      std::string text;
      do {
        text = grammar.sentence(rng);
      } while (isHeldOutSentence(text, corpusSeed) != dataset.heldOutText);
      const auto& voice = dataset.babbleVoices[rng.index(dataset.babbleVoices.size())];
      babble.push_back(tts.synthesize(text, voice).samples);
    }
  }
  applyCondition(speech.samples, kRate, u.condition, babble, u.seed);

  result.key = u.key;
  result.index = u.index;
  result.numSamples = static_cast<long>(speech.samples.size());
  result.phones = std::move(speech.phones);
  result.words = std::move(speech.words);
  return std::move(speech.samples);
}

std::string formatShardResults(const std::string& header, const std::vector<UtteranceResult>& results) {
  std::string out = header + "\n";
  for (const auto& r : results) {
    out += "utt " + r.key + " " + std::to_string(r.index) + " " + std::to_string(r.numSamples) + "\n";
    for (const auto& s : r.phones)
      out += "seg " + s.phone + " " + std::to_string(s.start) + " " + std::to_string(s.end) + "\n";
    for (const auto& w : r.words) {
      out += "word " + w.word;
      for (const auto& p : w.phones) out += " " + p;
      out += "\n";
    }
  }
  out += "end\n";
  return out;
}

bool parseShardResults(const std::string& text, const std::string& header,
                       std::vector<UtteranceResult>& results) {
  std::istringstream in(text);
  std::string line;
  if (!std::getline(in, line) || line != header) return false;
  std::vector<UtteranceResult> parsed;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string tag;
    fields >> tag;
    if (tag == "end") {
      results.insert(results.end(), parsed.begin(), parsed.end());
      return true;
    }
    if (tag == "utt") {
      UtteranceResult r;
      if (!(fields >> r.key >> r.index >> r.numSamples)) return false;
      parsed.push_back(std::move(r));
      continue;
    }
    if (parsed.empty()) return false;
    if (tag == "seg") {
      PhoneSegment s;
      if (!(fields >> s.phone >> s.start >> s.end)) return false;
      parsed.back().phones.push_back(s);
    } else if (tag == "word") {
      WordPronunciation w;
      if (!(fields >> w.word)) return false;
      std::string p;
      while (fields >> p) w.phones.push_back(p);
      parsed.back().words.push_back(std::move(w));
    } else {
      return false;
    }
  }
  return false;
}

}  // namespace understudy::synth
