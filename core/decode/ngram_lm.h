// Back-off n-gram language models: ARPA read and write, modified Kneser-Ney
// estimation from text (orders 1-3), and probability lookup with back-off.
//
//   auto lm = NgramLm::estimate(sentences, {.order = 3});   // modified Kneser-Ney
//   lm.writeArpa(ws / "lm" / "lm.arpa");                    // atomic
//   auto same = NgramLm::readArpa(path);                    // KenLM, SRILM, Kaldi files too
//   double lp = same.logProb10({"<s>", "set"}, "a");        // log10 P(a | <s> set)
//
// Probabilities are log10 as in ARPA files; the decoding graph converts them
// to -ln weights. `<s>` has log10 probability -99 by convention (it is only
// ever a history), `</s>` ends every sentence and `<unk>` is present when the
// model has one. docs/decoding.md describes the estimation.
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
  int order = 3;              // 1..3
  bool addUnk = true;         // give <unk> a unigram probability
};

class NgramLm {
 public:
  // ARPA text from any toolkit; errors name the file and line.
  static NgramLm readArpa(const std::filesystem::path& path);
  static NgramLm parseArpa(const std::string& text, const std::string& sourceName);
  // Sentences as word lists, without <s> and </s> (they are added).
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

 private:
  // Builds the word ids and the per-order indexes from m_ngrams; duplicate
  // n-grams and n-grams with words missing from the unigrams are Errors
  // (`lines`, when given, holds each entry's line in `sourceName`).
  void index(const std::string& sourceName,
             const std::vector<std::vector<long>>* lines = nullptr);
  // The entry of the n-gram with these word ids (m_index's key is the ids'
  // bytes); nullptr when absent or when an id is -1 (not in the vocabulary).
  const NgramEntry* find(const std::int32_t* ids, std::size_t n) const;

  std::vector<std::vector<NgramEntry>> m_ngrams;  // [n-1]
  std::unordered_map<std::string, std::int32_t> m_wordIds;  // unigram table order
  std::vector<std::unordered_map<std::string, std::size_t>> m_index;  // [n-1]: key -> entry
  std::int32_t m_unkId = -1;
};

}  // namespace understudy::decode
