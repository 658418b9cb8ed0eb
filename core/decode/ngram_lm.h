// Back-off n-gram language models: ARPA read and write, modified Kneser-Ney
// estimation from text (orders 1-3), and probability lookup with back-off.
//
//   auto lm = NgramLm::estimate(sentences);                 // trigram, modified Kneser-Ney
//   lm.writeArpa(ws / "lm" / "lm.arpa");                    // atomic
//   auto same = NgramLm::readArpa(path);                    // KenLM, SRILM, Kaldi files too
//   double lp = *same.logProb10({"<s>", "set"}, "a");       // log10 P(a | <s> set)
//   for (const NgramEntry& e : same.ngrams(2)) ...          // what the G transducer is built from
//
// Probabilities are log10 as in ARPA files; the decoding graph converts them
// to -ln weights. `<s>` has log10 probability -99 by convention (it is only
// ever a history), `</s>` ends every sentence and `<unk>` is present when the
// model has one. Estimation follows KenLM's lmplz (interpolated modified
// Kneser-Ney, three discounts per order, unigrams interpolated with the
// uniform distribution) and writes 9 significant digits; docs/decoding.md
// "Language model" has the formulas and the ARPA conventions.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace understudy::decode {

// One n-gram of an ARPA file: its words (history then the predicted word), the
// log10 probability and, for n-grams that are a history of a longer one, the
// log10 back-off weight.
struct NgramEntry {
  std::vector<std::string> words;
  double logProb10 = 0;
  std::optional<double> backoff10;
};

struct KneserNeyOptions {
  int order = 3;       // 1..3
  bool addUnk = true;  // give <unk> a unigram probability
};

// What estimate() used for one order: the count-of-counts of the adjusted
// counts (countOfCounts[k-1] = n-grams with adjusted count k, k = 1..4) and
// the discounts for adjusted counts 1, 2 and 3+. `fallback` is true when the
// closed form could not be used (a zero count-of-counts or a discount out of
// range) and the fixed 0.5, 1, 1.5 were (docs/decoding.md "Language model").
struct KneserNeyDiscounts {
  std::int64_t countOfCounts[4] = {0, 0, 0, 0};
  double d1 = 0, d2 = 0, d3plus = 0;
  bool fallback = false;
};

class NgramLm {
 public:
  // ARPA text from any toolkit; errors name the file and line.
  static NgramLm readArpa(const std::filesystem::path& path);
  static NgramLm parseArpa(const std::string& text, const std::string& sourceName);
  // Interpolated modified Kneser-Ney as KenLM's lmplz estimates it, in
  // back-off form. Sentences are word lists without <s> and </s> (they are
  // added; an empty sentence counts as "<s> </s>"). A word that is empty, has
  // whitespace or is <s> or </s> is an Error whose line() is the sentence's
  // 1-based index (the line of a one-sentence-a-line text); <unk> in the text
  // is counted like any word.
  static NgramLm estimate(const std::vector<std::vector<std::string>>& sentences,
                          const KneserNeyOptions& options = {});

  void writeArpa(const std::filesystem::path& path) const;  // atomic
  std::string toArpa() const;

  int order() const;
  // The n-grams of order n (1 <= n <= order()), in the file's order.
  const std::vector<NgramEntry>& ngrams(int n) const;
  // log10 P(word | history) with back-off; history may be longer than
  // order()-1 (its tail is used). A word outside the vocabulary gets <unk>'s
  // probability, or nullopt when there is no <unk>.
  std::optional<double> logProb10(const std::vector<std::string>& history,
                                  const std::string& word) const;
  // Words of the unigram table, in file order.
  std::vector<std::string> vocabulary() const;
  // Per order (index n-1): what estimate() used; empty for a model read from ARPA.
  const std::vector<KneserNeyDiscounts>& discounts() const { return m_discounts; }

 private:
  // Builds the word ids and the per-order indexes from m_ngrams; duplicate
  // n-grams and n-grams with words missing from the unigrams are Errors
  // (`lines`, when given, holds each entry's line in `sourceName`).
  void index(const std::string& sourceName, const std::vector<std::vector<long>>* lines = nullptr);
  // The entry of the n-gram with these word ids (binary search in m_sorted);
  // nullptr when absent or when an id is -1 (not in the vocabulary).
  const NgramEntry* find(const std::int32_t* ids, std::size_t n) const;

  std::vector<std::vector<NgramEntry>> m_ngrams;            // [n-1]
  std::unordered_map<std::string, std::int32_t> m_wordIds;  // unigram table order
  std::vector<std::vector<std::int32_t>> m_ids;             // [n-1]: entry k's word ids at k*n
  std::vector<std::vector<std::uint32_t>> m_sorted;         // [n-1]: entries in word-id order
  std::int32_t m_unkId = -1;
  std::vector<KneserNeyDiscounts> m_discounts;
};

}  // namespace understudy::decode
