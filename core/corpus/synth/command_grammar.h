// The voice-assistant command grammar behind the synthetic corpus.
//
// Sentences are drawn from templates in eleven domains (timers, alarms,
// reminders, music, weather, smart home, shopping lists, calls and messages,
// navigation, questions and trivia, calendar). Slots are filled from word
// lists (artists, cities, contacts, items, foods, ...); numbers, times and
// dates are spelled out as words. Every sentence is lower-case words made of
// the letters a-z separated by single spaces, so it is at once the text fed
// to espeak-ng and the transcript.
//
//   CommandGrammar grammar;
//   SynthRng rng(seed);
//   std::string s = grammar.sentence(rng);   // "set a timer for twenty minutes"
//   grammar.vocabulary();                     // every word any sentence can use
//
// Sampling is deterministic: the same RNG state gives the same sentence.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/corpus/synth/synth_rng.h"

namespace understudy::synth {

class CommandGrammar {
 public:
  CommandGrammar();

  // One sentence; consumes random numbers from `rng`.
  std::string sentence(SynthRng& rng) const;
  // Distinct words of all templates and slot lists, sorted (C locale).
  std::vector<std::string> vocabulary() const;
  // Names of the domains, in template order ("timer", "alarm", ...).
  std::vector<std::string> domains() const;
  // One sentence from a given domain (tests use it to cover every domain).
  std::string sentenceFromDomain(std::size_t domain, SynthRng& rng) const;

 private:
  std::string expand(const std::string& pattern, SynthRng& rng, int depth) const;
  const std::vector<std::string>& slot(const std::string& name) const;

  struct Domain {
    std::string name;
    std::vector<std::string> templates;
  };
  std::vector<Domain> m_domains;
};

// The number in words, 0 <= n < 10000 ("four thousand two hundred and six").
std::string numberToWords(int n);
// 1..31 -> "first" .. "thirty first".
std::string ordinalToWords(int n);

}  // namespace understudy::synth
