// ARPA language model reader (core/decode/ngram_lm.h): parse, then look up
// every unigram after <s> (back-off through the index) and write it back.
#include "core/decode/ngram_lm.h"
#include "fuzz/fuzz_target.h"

US_FUZZ_TARGET(arpa) {
  using namespace understudy;
  const std::string text(reinterpret_cast<const char*>(data), size);
  return fuzz::expectOnlyErrors([&] {
    const decode::NgramLm lm = decode::NgramLm::parseArpa(text, "fuzz.arpa");
    const auto words = lm.vocabulary();
    for (std::size_t i = 0; i < words.size() && i < 64; ++i)
      (void)lm.logProb10({"<s>", words[i]}, words[(i + 1) % words.size()]);
    (void)lm.toArpa();
  });
}
