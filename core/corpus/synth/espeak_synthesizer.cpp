#include "core/corpus/synth/espeak_synthesizer.h"

#include <espeak-ng/speak_lib.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/audio/resampler.h"
#include "core/corpus/synth/espeak_phone_map.h"
#include "core/util/error.h"

namespace understudy::synth {

namespace {

struct RawEvent {
  enum Kind { Phone, Word, End } kind;
  std::int64_t sample = 0;
  std::string name;  // phone mnemonic
  int textPosition = 0;  // word: 1-based character position
};

struct Collector {
  std::vector<short> samples;
  std::vector<RawEvent> events;
};

bool g_alive = false;

int synthCallback(short* wav, int numSamples, espeak_EVENT* events) {
  auto* collector = static_cast<Collector*>(events ? events->user_data : nullptr);
  if (!collector) return 0;
  if (wav && numSamples > 0) collector->samples.insert(collector->samples.end(), wav, wav + numSamples);
  for (espeak_EVENT* e = events; e->type != espeakEVENT_LIST_TERMINATED; ++e) {
    if (e->type == espeakEVENT_PHONEME) {
      collector->events.push_back(
          {RawEvent::Phone, e->sample, std::string(e->id.string, strnlen(e->id.string, 8)), 0});
    } else if (e->type == espeakEVENT_WORD) {
      collector->events.push_back({RawEvent::Word, e->sample, {}, e->text_position});
    } else if (e->type == espeakEVENT_END || e->type == espeakEVENT_MSG_TERMINATED) {
      collector->events.push_back({RawEvent::End, e->sample, {}, 0});
    }
  }
  return 0;
}

std::int64_t scaleSample(std::int64_t s, int from, int to) {
  return std::llround(static_cast<double>(s) * to / static_cast<double>(from));
}

// The phonemiser's output for `text` in the voice set last, as mapped units
// (no pauses, no hiatus marks, no stress marks).
std::vector<std::string> phonemiserUnits(const std::string& text) {
  std::vector<std::string> phones;
  const void* ptr = text.c_str();
  while (ptr) {
    const char* r = espeak_TextToPhonemes(&ptr, espeakCHARS_UTF8, '|' << 8);
    if (!r) break;
    std::string name;
    for (const char* c = r;; ++c) {
      if (*c == '|' || *c == ' ' || *c == '\0') {
        if (!name.empty()) {
          const std::string unit = mapEspeakPhone(name);
          if (!unit.empty() && unit != "sil") phones.push_back(unit);
          name.clear();
        }
        if (*c == '\0') break;
      } else if (*c != '\'' && *c != ',') {
        name += *c;  // stress marks are not part of the phone
      }
    }
  }
  return phones;
}

// Substitution cost in half units (splitAmongWords): a vowel for another vowel 1, else 2.
bool isVowelUnit(const std::string& p) {
  static constexpr char kVowelStarts[] = "03@AEIOUVaeiou";
  return !p.empty() && std::memchr(kVowelStarts, p.front(), sizeof kVowelStarts - 1) != nullptr;
}
int substitutionCost(const std::string& a, const std::string& b) {
  return a == b ? 0 : (isVowelUnit(a) && isVowelUnit(b)) ? 1 : 2;
}

}  // namespace

std::vector<std::vector<std::string>> splitAmongWords(
    const std::vector<std::string>& spoken, const std::vector<std::vector<std::string>>& citation) {
  std::vector<std::vector<std::string>> out(citation.size());
  if (citation.empty()) return out;
  // Levenshtein alignment of the spoken phones to the concatenated citation
  // forms; a spoken phone goes to the word of the phone it aligns with,
  // an inserted one to the word of the phone before it.
  std::vector<std::string> ref;
  std::vector<std::size_t> owner;
  for (std::size_t w = 0; w < citation.size(); ++w)
    for (const auto& p : citation[w]) {
      ref.push_back(p);
      owner.push_back(w);
    }
  // Costs in half units: a vowel for another vowel costs 1 (weak forms such as
  // "for" /f O@/ -> /f 3/), any other substitution, insertion or deletion 2.
  const auto sub = substitutionCost;
  const std::size_t n = ref.size(), m = spoken.size();
  std::vector<std::vector<int>> d(n + 1, std::vector<int>(m + 1, 0));
  for (std::size_t i = 0; i <= n; ++i) d[i][0] = static_cast<int>(2 * i);
  for (std::size_t j = 0; j <= m; ++j) d[0][j] = static_cast<int>(2 * j);
  for (std::size_t i = 1; i <= n; ++i)
    for (std::size_t j = 1; j <= m; ++j)
      d[i][j] = std::min({d[i - 1][j] + 2, d[i][j - 1] + 2,
                          d[i - 1][j - 1] + sub(ref[i - 1], spoken[j - 1])});
  std::vector<std::size_t> label(m, 0);
  std::vector<bool> labelled(m, false);
  std::size_t i = n, j = m;
  while (j > 0) {
    if (i > 0 && d[i][j] == d[i - 1][j - 1] + sub(ref[i - 1], spoken[j - 1])) {
      label[j - 1] = owner[i - 1];
      labelled[j - 1] = true;
      --i;
      --j;
    } else if (i > 0 && d[i][j] == d[i - 1][j] + 2) {
      --i;
    } else {
      --j;  // insertion: labelled below
    }
  }
  std::size_t current = 0;
  for (std::size_t k = 0; k < m; ++k) {
    if (labelled[k])
      current = std::max(current, label[k]);
    out[current].push_back(spoken[k]);
  }
  return out;
}

std::vector<std::string> EspeakSynthesizer::citationForm(const std::string& word,
                                                         const std::string& voice) {
  const std::string key = voice + " " + word;
  if (auto it = m_citationCache.find(key); it != m_citationCache.end()) return it->second;
  const std::vector<std::string> phones = phonemiserUnits(word);
  m_citationCache[key] = phones;
  return phones;
}

std::string VoiceSpec::espeakName() const { return variant.empty() ? voice : voice + "+" + variant; }

std::string accentCode(const std::string& voice) {
  if (voice == "en-us") return "us";
  if (voice == "en-us-nyc") return "ny";
  if (voice == "en-gb-x-rp") return "rp";
  if (voice == "en-gb-scotland") return "sc";
  if (voice == "en-gb-x-gbclan") return "gb";
  if (voice == "en-029") return "wi";
  if (voice == "gmw/en" || voice == "en") return "en";
  std::string code;
  for (char c : voice)
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) code += c;
  return code;
}

std::string VoiceSpec::speakerId() const {
  return accentCode(voice) + "_" + (variant.empty() ? std::string("def") : variant) + "_r" +
         std::to_string(rate) + "_p" + std::to_string(pitch) + "_g" + std::to_string(range);
}

void VoiceSpec::validate() const {
  if (voice.empty()) throw US_ERROR("voice: empty espeak-ng voice name");
  if (rate < 80 || rate > 449)
    throw US_ERROR("voice " + espeakName() + ": rate " + std::to_string(rate) +
                   " out of range 80..449")
        .hint("espeak-ng's timings overrun the audio by up to 3 % from rate 450 on");
  if (pitch < 0 || pitch > 100)
    throw US_ERROR("voice " + espeakName() + ": pitch " + std::to_string(pitch) + " out of range 0..100");
  if (range < 0 || range > 100)
    throw US_ERROR("voice " + espeakName() + ": range " + std::to_string(range) + " out of range 0..100");
}

EspeakSynthesizer::EspeakSynthesizer(int outputSampleRate) : m_outputRate(outputSampleRate) {
  if (g_alive)
    throw US_ERROR("EspeakSynthesizer: espeak-ng is already in use in this process")
        .hint("espeak-ng is not thread-safe: use one synthesizer per process");
  // espeak-ng stays initialised until the process exits: in 1.51, espeak_Terminate
  // after a second espeak_Initialize in one address space (a forked worker of a
  // process that had used it) waits forever on its queue thread.
  static int nativeRate = 0;
  if (nativeRate <= 0) {
    nativeRate = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, nullptr,
                                   espeakINITIALIZE_PHONEME_EVENTS);
    if (nativeRate <= 0)
      throw US_ERROR("espeak-ng could not be initialised")
          .hint("install espeak-ng-data (scripts/install-deps)");
    espeak_SetSynthCallback(synthCallback);
  }
  m_nativeRate = nativeRate;
  g_alive = true;
}

EspeakSynthesizer::~EspeakSynthesizer() { g_alive = false; }

void EspeakSynthesizer::useVoice(const std::string& espeakName) {
  m_voice.clear();
  if (espeak_SetVoiceByName(espeakName.c_str()) != EE_OK)
    throw US_ERROR("espeak-ng does not know the voice '" + espeakName + "'")
        .hint("voices: en-us, en-us-nyc, en-gb-x-rp, en-gb-scotland, en-gb-x-gbclan, en-029, gmw/en "
              "with +m1..m8, +f1..f5, +klatt..klatt6");
  m_voice = espeakName;
}

std::vector<std::string> EspeakSynthesizer::citation(const std::string& word,
                                                     const std::string& voice) {
  if (m_voice != voice) useVoice(voice);
  return citationForm(word, voice);
}

std::vector<WordPronunciation> EspeakSynthesizer::pronounce(const std::string& text,
                                                            const std::string& voice) {
  if (m_voice != voice) useVoice(voice);
  std::vector<WordPronunciation> out;
  std::vector<std::vector<std::string>> cited;
  for (std::size_t i = 0; i < text.size();) {
    std::size_t j = text.find(' ', i);
    if (j == std::string::npos) j = text.size();
    if (j > i) {
      out.push_back({text.substr(i, j - i), {}});
      cited.push_back(citationForm(out.back().word, voice));
    }
    i = j + 1;
  }
  // The phones of the whole sentence, split among its words by alignment to
  // their citation forms. (Splitting each phonological word's phones among its
  // own words, as synthesize() does per WORD event, gave the same lexicon for
  // the tiny profile's 5,000 LM sentences in all seven accents.)
  auto split = splitAmongWords(phonemiserUnits(text), cited);
  for (std::size_t w = 0; w < out.size(); ++w) out[w].phones = std::move(split[w]);
  return out;
}

SynthesizedSpeech EspeakSynthesizer::synthesize(const std::string& text, const VoiceSpec& voice) {
  voice.validate();
  useVoice(voice.espeakName());
  espeak_SetParameter(espeakRATE, voice.rate, 0);
  espeak_SetParameter(espeakPITCH, voice.pitch, 0);
  espeak_SetParameter(espeakRANGE, voice.range, 0);

  Collector collector;
  const espeak_ERROR err = espeak_Synth(text.c_str(), text.size() + 1, 0, POS_CHARACTER, 0,
                                        espeakCHARS_UTF8, nullptr, &collector);
  if (err != EE_OK) throw US_ERROR("espeak-ng failed on '" + text + "'");
  const auto nativeLength = static_cast<std::int64_t>(collector.samples.size());
  if (nativeLength == 0) throw US_ERROR("espeak-ng produced no audio for '" + text + "'");

  // Phone segments at the native rate: each event runs to the next one; `;`
  // (hiatus) extends the phone before it; zero-length events are dropped.
  std::vector<PhoneSegment> native;
  std::vector<const RawEvent*> phones;
  for (const auto& e : collector.events)
    if (e.kind == RawEvent::Phone) phones.push_back(&e);
  for (std::size_t i = 0; i < phones.size(); ++i) {
    const std::int64_t start = std::min(phones[i]->sample, nativeLength);
    const std::int64_t end =
        i + 1 < phones.size() ? std::min(phones[i + 1]->sample, nativeLength) : nativeLength;
    const std::string unit = mapEspeakPhone(phones[i]->name);
    if (end <= start) continue;
    if (unit.empty() || (!native.empty() && unit == "sil" && native.back().phone == "sil")) {
      if (!native.empty()) {
        native.back().end = end;
        continue;
      }
    }
    native.push_back({unit.empty() ? "sil" : unit, start, end});
  }
  if (native.empty()) native.push_back({"sil", 0, nativeLength});
  // Audio before the first phone event is silence.
  if (native.front().start > 0) {
    if (native.front().phone == "sil")
      native.front().start = 0;
    else
      native.insert(native.begin(), PhoneSegment{"sil", 0, native.front().start});
  }
  native.back().end = nativeLength;

  SynthesizedSpeech out;
  std::vector<float> floats(collector.samples.size());
  for (std::size_t i = 0; i < floats.size(); ++i) floats[i] = collector.samples[i] / 32768.0f;
  out.samples = resample(floats, m_nativeRate, m_outputRate);
  out.sampleRate = m_outputRate;
  const auto length = static_cast<std::int64_t>(out.samples.size());
  for (const auto& seg : native) {
    const std::int64_t start = std::min(scaleSample(seg.start, m_nativeRate, m_outputRate), length);
    if (!out.phones.empty() && start <= out.phones.back().start) continue;  // vanished when scaled
    if (!out.phones.empty()) out.phones.back().end = start;
    out.phones.push_back({seg.phone, start, length});
  }

  // Words. espeak-ng sends one WORD event per phonological word: unstressed
  // function words ("the", "a", "in") share the event of a neighbour. Each
  // event owns the non-silence phones that start before the next one; a span
  // holding several words is split among them by aligning it to the words'
  // citation forms (splitAmongWords).
  std::vector<std::size_t> wordStarts;
  for (std::size_t i = 0; i < text.size(); ++i)
    if (text[i] != ' ' && (i == 0 || text[i - 1] == ' ')) {
      wordStarts.push_back(i);
      std::size_t j = i;
      while (j < text.size() && text[j] != ' ') ++j;
      out.words.push_back({text.substr(i, j - i), {}});
    }
  // Stream order decides ownership: a phone belongs to the last WORD event
  // before it (a phone and the next word's event can share a sample).
  std::vector<std::pair<std::size_t, std::size_t>> wordEvents;  // first word index, event index
  std::vector<std::pair<std::size_t, std::string>> spokenPhones;  // event index, unit
  for (std::size_t i = 0; i < collector.events.size(); ++i) {
    const auto& e = collector.events[i];
    if (e.kind == RawEvent::Word) {
      for (std::size_t w = 0; w < wordStarts.size(); ++w)
        if (static_cast<int>(wordStarts[w]) + 1 == e.textPosition &&
            (wordEvents.empty() || w > wordEvents.back().first))
          wordEvents.push_back({w, i});
    } else if (e.kind == RawEvent::Phone) {
      std::int64_t next = nativeLength;
      for (std::size_t j = i + 1; j < collector.events.size(); ++j)
        if (collector.events[j].kind == RawEvent::Phone) {
          next = collector.events[j].sample;
          break;
        }
      const std::string unit = mapEspeakPhone(e.name);
      if (std::min(next, nativeLength) > std::min(e.sample, nativeLength) && !unit.empty() &&
          unit != "sil")
        spokenPhones.push_back({i, unit});
    }
  }
  if (wordEvents.empty() && !out.words.empty()) wordEvents.push_back({0, 0});
  if (!wordEvents.empty()) {
    wordEvents.front().first = 0;   // words before the first event join it
    wordEvents.front().second = 0;  // and so do phones
  }
  for (std::size_t k = 0; k < wordEvents.size(); ++k) {
    const std::size_t from = wordEvents[k].second;
    const std::size_t to =
        k + 1 < wordEvents.size() ? wordEvents[k + 1].second : collector.events.size();
    const std::size_t firstWord = wordEvents[k].first;
    const std::size_t endWord = k + 1 < wordEvents.size() ? wordEvents[k + 1].first : out.words.size();
    std::vector<std::string> spoken;
    for (const auto& [index, unit] : spokenPhones)
      if (index >= from && index < to) spoken.push_back(unit);
    if (endWord - firstWord == 1) {
      out.words[firstWord].phones = std::move(spoken);
      continue;
    }
    std::vector<std::vector<std::string>> citation;
    for (std::size_t w = firstWord; w < endWord; ++w)
      citation.push_back(citationForm(out.words[w].word, voice.voice));
    auto split = splitAmongWords(spoken, citation);
    for (std::size_t w = firstWord; w < endWord; ++w) out.words[w].phones = std::move(split[w - firstWord]);
  }
  return out;
}

std::string espeakVersion() {
  const char* path = nullptr;
  const char* version = espeak_Info(&path);
  return version ? version : "";
}

}  // namespace understudy::synth
