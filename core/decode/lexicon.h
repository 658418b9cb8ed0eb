// Pronunciation lexicons: word -> one or more phone sequences, read from Kaldi
// lexicon.txt / lexiconp.txt files and CMUdict-style dictionaries, merged, and
// mapped to the acoustic model's unit ids for the decoding graph.
//
//   auto lex = Lexicon::read("alignments/synth-labeled/lexicon.txt");
//   lex.merge(Lexicon::read("/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict"));
//   for (const auto& p : lex.pronunciations("after")) use(p.phones, p.probability);
//   auto prons = mapToUnits(lex, units, {"after", "alarm"}, UnknownPhones::Error);
//
// Formats (docs/decoding.md "Lexicon"):
//   - Kaldi lexicon.txt: `word p1 p2 ...`, a word on several lines for several
//     pronunciations (each gets probability 1, Kaldi's convention);
//   - Kaldi lexiconp.txt: `word prob p1 p2 ...`, prob in (0, 1] with a decimal
//     point (phone names may be digits);
//   - CMUdict style (CMUdict, pocketsphinx's cmudict-en-us.dict): `word(2) P1 P2`
//     marks the second pronunciation of `word`; `;;;` lines and ` # ...` tails
//     are comments; stress digits (AH0) can be stripped.
// Errors name the file and line. Words are kept as written (no case folding).
#pragma once

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace understudy {
class UnitInventory;
}

namespace understudy::decode {

struct Pronunciation {
  std::vector<std::string> phones;
  double probability = 1.0;  // lexiconp's column; 1 for lexicon.txt and CMUdict
  std::string source;        // file it was read from (for errors)
  long line = 0;
};

enum class LexiconFormat {
  Auto,         // CMUdict if a word has a "(N)" variant or there are ";;;" comments,
                // lexiconp if the first entry's second field is a probability,
                // else lexicon.txt
  Kaldi,        // word p1 p2 ...
  KaldiProbabilities,  // word prob p1 p2 ...
  Cmudict,      // word(N) P1 P2 ..., ;;; comments, " # ..." tails
};

struct LexiconReadOptions {
  LexiconFormat format = LexiconFormat::Auto;
  bool stripStress = false;  // "AH0" -> "AH": letters followed by one digit lose the digit
};

const char* lexiconFormatName(LexiconFormat format);

class Lexicon {
 public:
  static Lexicon read(const std::filesystem::path& path, const LexiconReadOptions& options = {});
  // `sourceName` names the text in errors.
  static Lexicon parse(std::string_view text, const std::string& sourceName,
                       const LexiconReadOptions& options = {});
  static LexiconFormat detectFormat(std::string_view text);

  // Adds one pronunciation; the same word with the same phones again is kept
  // once, with the larger probability. Throws on an empty word or phone list.
  void add(const std::string& word, Pronunciation pronunciation);
  // Union with `other` (the same dedup rule as add).
  void merge(const Lexicon& other);

  bool empty() const { return m_entries.empty(); }
  bool contains(const std::string& word) const { return m_entries.count(word) != 0; }
  // The word's pronunciations in the order first seen; empty if it is unknown.
  const std::vector<Pronunciation>& pronunciations(const std::string& word) const;
  const std::map<std::string, std::vector<Pronunciation>>& entries() const { return m_entries; }
  std::vector<std::string> words() const;  // C-locale order
  int numWords() const { return static_cast<int>(m_entries.size()); }
  int numPronunciations() const;
  std::set<std::string> phones() const;

  // lexiconp.txt text of every entry (words in C-locale order, probabilities
  // printed exactly): the lexicon's identity for the graph cache key.
  std::string toText() const;

 private:
  std::map<std::string, std::vector<Pronunciation>> m_entries;
};

// What to do with a pronunciation that uses a phone the unit inventory lacks.
enum class UnknownPhones {
  Error,  // throw, naming the file, line, word and phone (the default)
  Skip,   // drop that pronunciation, count it and log one warning
};

struct UnitPronunciation {
  std::vector<int> units;  // unit ids (UnitInventory)
  double probability = 1.0;
};

struct LexiconUnits {
  // Words of `words` that have at least one pronunciation left, in C-locale order.
  std::map<std::string, std::vector<UnitPronunciation>> entries;
  int skippedPronunciations = 0;
  std::vector<std::string> wordsLeftWithout;  // every pronunciation skipped
};

// Maps the pronunciations of the lexicon's words that are in `words` (all of
// them when `words` is empty) to unit ids. Words of `words` the lexicon lacks
// are ignored (the graph reports them).
LexiconUnits mapToUnits(const Lexicon& lexicon, const UnitInventory& units,
                        const std::set<std::string>& words,
                        UnknownPhones unknownPhones = UnknownPhones::Error);

}  // namespace understudy::decode
