#include "core/corpus/synth/command_grammar.h"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include "core/corpus/synth/grammar_words.h"
#include "core/util/error.h"

namespace understudy::synth {

namespace {

const char* const kOnes[] = {"zero",    "one",     "two",       "three",    "four",
                             "five",    "six",     "seven",     "eight",    "nine",
                             "ten",     "eleven",  "twelve",    "thirteen", "fourteen",
                             "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"};
const char* const kTens[] = {"", "", "twenty", "thirty", "forty", "fifty",
                             "sixty", "seventy", "eighty", "ninety"};
const char* const kOrdinalOnes[] = {"",        "first",     "second",     "third",
                                    "fourth",  "fifth",     "sixth",      "seventh",
                                    "eighth",  "ninth",     "tenth",      "eleventh",
                                    "twelfth", "thirteenth", "fourteenth", "fifteenth",
                                    "sixteenth", "seventeenth", "eighteenth", "nineteenth"};

std::vector<std::string> splitEntries(const char* entries) {
  std::vector<std::string> out;
  std::string current;
  for (const char* p = entries; *p; ++p) {
    if (*p == ',') {
      out.push_back(current);
      current.clear();
    } else {
      current += *p;
    }
  }
  out.push_back(current);
  return out;
}

std::vector<std::string> numberRange(int lo, int hi) {
  std::vector<std::string> out;
  for (int n = lo; n <= hi; ++n) out.push_back(numberToWords(n));
  return out;
}

// Slot lists by name: the tables of grammar_words.cpp plus the numeric ones.
const std::map<std::string, std::vector<std::string>>& slotTable() {
  static const std::map<std::string, std::vector<std::string>> table = [] {
    std::map<std::string, std::vector<std::string>> t;
    for (const auto& s : grammarSlots()) t[s.name] = splitEntries(s.entries);
    t["n1_9"] = numberRange(1, 9);
    t["n1_10"] = numberRange(1, 10);
    t["n1_12"] = numberRange(1, 12);
    t["n2_12"] = numberRange(2, 12);
    t["n1_59"] = numberRange(1, 59);
    t["n10_59"] = numberRange(10, 59);
    t["n60_79"] = numberRange(60, 79);
    t["n1_100"] = numberRange(1, 100);
    std::vector<std::string> big = numberRange(1, 100);
    for (int n : {120, 144, 150, 200, 250, 256, 300, 365, 400, 500, 625, 750, 900, 1000,
                  1200, 1500, 2000, 2500, 5000, 9999})
      big.push_back(numberToWords(n));
    t["n1_1000"] = big;
    std::vector<std::string> ordinals;
    for (int n = 1; n <= 31; ++n) ordinals.push_back(ordinalToWords(n));
    t["ordinal"] = ordinals;
    return t;
  }();
  return table;
}

void collectWords(const std::string& text, std::set<std::string>& words) {
  std::string word;
  bool inSlot = false;
  for (char c : text + " ") {
    if (c == '{') inSlot = true;
    if (c == '}') {
      inSlot = false;
      continue;
    }
    if (inSlot) continue;
    if (c >= 'a' && c <= 'z') {
      word += c;
    } else if (!word.empty()) {
      words.insert(word);
      word.clear();
    }
  }
}

}  // namespace

std::string numberToWords(int n) {
  if (n < 0 || n >= 10000) throw US_ERROR("numberToWords: " + std::to_string(n) + " out of range");
  if (n < 20) return kOnes[n];
  if (n < 100) return std::string(kTens[n / 10]) + (n % 10 ? std::string(" ") + kOnes[n % 10] : "");
  if (n < 1000) {
    std::string s = std::string(kOnes[n / 100]) + " hundred";
    return n % 100 ? s + " and " + numberToWords(n % 100) : s;
  }
  std::string s = numberToWords(n / 1000) + " thousand";
  if (n % 1000 == 0) return s;
  return n % 1000 < 100 ? s + " and " + numberToWords(n % 1000) : s + " " + numberToWords(n % 1000);
}

std::string ordinalToWords(int n) {
  if (n < 1 || n > 99) throw US_ERROR("ordinalToWords: " + std::to_string(n) + " out of range");
  if (n < 20) return kOrdinalOnes[n];
  static const char* const tensOrdinal[] = {"", "", "twentieth", "thirtieth", "fortieth",
                                            "fiftieth", "sixtieth", "seventieth", "eightieth",
                                            "ninetieth"};
  if (n % 10 == 0) return tensOrdinal[n / 10];
  return std::string(kTens[n / 10]) + " " + kOrdinalOnes[n % 10];
}

CommandGrammar::CommandGrammar() {
  for (const auto& d : grammarDomains()) m_domains.push_back({d.name, splitEntries(d.entries)});
  // Every slot a template names must exist: checked once here, not at sampling time.
  for (const auto& d : m_domains)
    for (const auto& t : d.templates) {
      SynthRng probe(0);
      expand(t, probe, 0);
    }
}

const std::vector<std::string>& CommandGrammar::slot(const std::string& name) const {
  const auto& table = slotTable();
  auto it = table.find(name);
  if (it == table.end()) throw US_ERROR("command grammar: unknown slot {" + name + "}");
  return it->second;
}

std::string CommandGrammar::expand(const std::string& pattern, SynthRng& rng, int depth) const {
  if (depth > 8) throw US_ERROR("command grammar: slots nest too deeply in '" + pattern + "'");
  std::string out;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] != '{') {
      out += pattern[i];
      continue;
    }
    const std::size_t close = pattern.find('}', i);
    if (close == std::string::npos)
      throw US_ERROR("command grammar: unclosed '{' in '" + pattern + "'");
    const auto& entries = slot(pattern.substr(i + 1, close - i - 1));
    out += expand(entries[rng.index(entries.size())], rng, depth + 1);
    i = close;
  }
  return out;
}

std::string CommandGrammar::sentence(SynthRng& rng) const {
  // Domains are equally likely; templates within a domain too.
  return sentenceFromDomain(rng.index(m_domains.size()), rng);
}

std::string CommandGrammar::sentenceFromDomain(std::size_t domain, SynthRng& rng) const {
  const auto& templates = m_domains.at(domain).templates;
  // Fixed phrases ("take me home") would repeat verbatim hundreds of times:
  // a template without slots is kept one time in four.
  const std::string* chosen = &templates[rng.index(templates.size())];
  while (chosen->find('{') == std::string::npos && !rng.chance(0.25))
    chosen = &templates[rng.index(templates.size())];
  std::string raw = expand(*chosen, rng, 0);
  // Normalise spacing: single spaces, no leading/trailing blanks.
  std::istringstream in(raw);
  std::string word, out;
  while (in >> word) out += (out.empty() ? "" : " ") + word;
  return out;
}

std::vector<std::string> CommandGrammar::domains() const {
  std::vector<std::string> names;
  for (const auto& d : m_domains) names.push_back(d.name);
  return names;
}

std::vector<std::string> CommandGrammar::vocabulary() const {
  std::set<std::string> words;
  for (const auto& d : m_domains)
    for (const auto& t : d.templates) collectWords(t, words);
  for (const auto& [name, entries] : slotTable())
    for (const auto& e : entries) collectWords(e, words);
  return {words.begin(), words.end()};
}

}  // namespace understudy::synth
