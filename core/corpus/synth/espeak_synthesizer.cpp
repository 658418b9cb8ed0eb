#include "core/corpus/synth/espeak_synthesizer.h"

#include <espeak-ng/speak_lib.h>

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

}  // namespace

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
        .hint("espeak-ng's timings overrun the audio from rate 450 on (TOOLCHAIN.md)");
  if (pitch < 0 || pitch > 100)
    throw US_ERROR("voice " + espeakName() + ": pitch " + std::to_string(pitch) + " out of range 0..100");
  if (range < 0 || range > 100)
    throw US_ERROR("voice " + espeakName() + ": range " + std::to_string(range) + " out of range 0..100");
}

EspeakSynthesizer::EspeakSynthesizer(int outputSampleRate) : m_outputRate(outputSampleRate) {
  if (g_alive)
    throw US_ERROR("EspeakSynthesizer: espeak-ng is already initialised in this process")
        .hint("espeak-ng is not thread-safe: use one synthesizer per process");
  m_nativeRate = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, nullptr,
                                   espeakINITIALIZE_PHONEME_EVENTS);
  if (m_nativeRate <= 0)
    throw US_ERROR("espeak-ng could not be initialised")
        .hint("install espeak-ng-data (scripts/install-deps)");
  espeak_SetSynthCallback(synthCallback);
  g_alive = true;
}

EspeakSynthesizer::~EspeakSynthesizer() {
  espeak_Terminate();
  g_alive = false;
}

SynthesizedSpeech EspeakSynthesizer::synthesize(const std::string& text, const VoiceSpec& voice) {
  voice.validate();
  if (espeak_SetVoiceByName(voice.espeakName().c_str()) != EE_OK)
    throw US_ERROR("espeak-ng does not know the voice '" + voice.espeakName() + "'")
        .hint("voices: en-us, en-us-nyc, en-gb-x-rp, en-gb-scotland, en-gb-x-gbclan, en-029, gmw/en "
              "with +m1..m8, +f1..f5, +klatt..klatt6");
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

  // Words: the text's words by character offset; each WORD event runs to the
  // next WORD or END event and owns the non-silence phones starting inside it.
  std::vector<std::size_t> wordStarts;
  for (std::size_t i = 0; i < text.size(); ++i)
    if (text[i] != ' ' && (i == 0 || text[i - 1] == ' ')) {
      wordStarts.push_back(i);
      std::size_t j = i;
      while (j < text.size() && text[j] != ' ') ++j;
      out.words.push_back({text.substr(i, j - i), {}});
    }
  std::vector<std::pair<std::size_t, std::int64_t>> wordEvents;  // word index, native start
  for (const auto& e : collector.events) {
    if (e.kind != RawEvent::Word) continue;
    for (std::size_t w = 0; w < wordStarts.size(); ++w)
      if (static_cast<int>(wordStarts[w]) + 1 == e.textPosition) wordEvents.push_back({w, e.sample});
  }
  for (std::size_t k = 0; k < wordEvents.size(); ++k) {
    const std::int64_t from = wordEvents[k].second;
    const std::int64_t to = k + 1 < wordEvents.size() ? wordEvents[k + 1].second : nativeLength;
    auto& pron = out.words[wordEvents[k].first].phones;
    for (const auto& seg : native)
      if (seg.start >= from && seg.start < to && seg.phone != "sil") pron.push_back(seg.phone);
  }
  return out;
}

std::string espeakVersion() {
  const char* path = nullptr;
  const char* version = espeak_Info(&path);
  return version ? version : "";
}

}  // namespace understudy::synth
