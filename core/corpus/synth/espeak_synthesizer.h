// espeak-ng speech with exact phone and word timings (docs/corpus.md).
//
// espeak-ng has one global, non-thread-safe instance: at most one
// EspeakSynthesizer may exist in a process at a time (the corpus builder runs
// one per worker process). espeak-ng is initialised on first use and stays
// initialised until the process exits. Output is resampled from espeak-ng's
// 22,050 Hz to the requested rate; phone boundaries are scaled with it.
//
//   EspeakSynthesizer tts;
//   SynthesizedSpeech s = tts.synthesize("play jazz in the kitchen",
//                                        VoiceSpec{"en-gb-scotland", "f2", 170, 55, 40});
//   s.phones;   // contiguous segments covering [0, s.samples.size()), mapped units
//   s.words;    // each word's pronunciation as spoken
//
//   // The same words from the phonemiser alone (no audio; docs/corpus.md "LM text and lexicon"):
//   std::vector<WordPronunciation> w = tts.pronounce("play jazz in the kitchen", "en-gb-scotland");
//   std::vector<std::string> p = tts.citation("kitchen", "en-us");   // {"k", "I", "tS", "@", "n"}
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace understudy::synth {

struct VoiceSpec {
  std::string voice;    // espeak-ng voice: "en-us", "en-gb-x-rp", "gmw/en", ...
  std::string variant;  // "m3", "f2", "klatt2", ... (empty: the voice's default)
  int rate = 175;       // words per minute, 80..449 (espeakRATE; >= 450 breaks timings)
  int pitch = 50;       // 0..100
  int range = 50;       // 0..100

  std::string espeakName() const;  // "en-us+m3"
  // A compact id without '-' (sclite's speaker is the key up to the first '-'):
  // "us_m3_r175_p50_g40".
  std::string speakerId() const;
  void validate() const;
};

// Short accent code used in speaker ids ("en-gb-scotland" -> "sc").
std::string accentCode(const std::string& voice);

struct PhoneSegment {
  std::string phone;       // a unit of espeakUnits()
  std::int64_t start = 0;  // samples
  std::int64_t end = 0;    // exclusive
};

struct WordPronunciation {
  std::string word;
  std::vector<std::string> phones;  // without sil; empty if espeak-ng gave no event for it
};

struct SynthesizedSpeech {
  std::vector<float> samples;
  int sampleRate = 0;
  std::vector<PhoneSegment> phones;
  std::vector<WordPronunciation> words;  // one per word of the text, in order
};

class EspeakSynthesizer {
 public:
  // Initialises espeak-ng (synchronous output, phoneme events). Throws if the
  // data files are missing.
  explicit EspeakSynthesizer(int outputSampleRate = 16000);
  ~EspeakSynthesizer();
  EspeakSynthesizer(const EspeakSynthesizer&) = delete;
  EspeakSynthesizer& operator=(const EspeakSynthesizer&) = delete;

  // `text`: lower-case words separated by single spaces.
  SynthesizedSpeech synthesize(const std::string& text, const VoiceSpec& voice);
  int nativeSampleRate() const { return m_nativeRate; }

  // Each word of `text` (lower-case words, single spaces) as espeak-ng's
  // phonemiser says it in this sentence, without making audio
  // (espeak_TextToPhonemes on the whole sentence, its phones split among the
  // words with splitAmongWords). `voice` is an accent ("en-gb-scotland"; a
  // variant changes the sound, not the phonemes). The result equals
  // synthesize()'s `words` except where synthesis gives a phone no duration
  // (an /l/ or /r/ absorbed into the vowel before it: "twelve" is t w E l v
  // here, t w E v spoken).
  std::vector<WordPronunciation> pronounce(const std::string& text, const std::string& voice);
  // A word's phones as espeak-ng's phonemiser gives them in isolation.
  std::vector<std::string> citation(const std::string& word, const std::string& voice);

 private:
  // A word's citation form in the voice set last (cached per accent).
  std::vector<std::string> citationForm(const std::string& word, const std::string& voice);
  void useVoice(const std::string& espeakName);

  int m_nativeRate = 0;
  int m_outputRate = 16000;
  std::string m_voice;  // the espeak-ng voice set last
  std::map<std::string, std::vector<std::string>> m_citationCache;
};

// Splits the phones spoken for a group of words that espeak-ng voiced as one
// phonological word among those words, by a Levenshtein alignment to their
// citation forms. Returns one phone list per word, in order.
std::vector<std::vector<std::string>> splitAmongWords(
    const std::vector<std::string>& spoken, const std::vector<std::vector<std::string>>& citation);

// The espeak-ng library version string ("1.51").
std::string espeakVersion();

}  // namespace understudy::synth
