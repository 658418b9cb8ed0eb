// The options of the decoding graph (graph.h), in a header without OpenFst so
// that code which also includes LibTorch can set them (recognizer.h).
#pragma once

#include <string>

#include "core/decode/lexicon.h"

namespace understudy::decode {

struct GraphOptions {
  // Probability of the optional silence at the start and after each word
  // (Kaldi's make_lexicon_fst --sil-prob); 0 = no optional silence. [0, 1).
  double silenceProbability = 0.5;
  // A pronunciation with a phone outside the unit inventory: Error or Skip.
  UnknownPhones unknownPhones = UnknownPhones::Error;

  void validate() const;         // throws understudy::Error naming the field
  std::string toString() const;  // "silence_probability=0.5 unknown_phones=error"
};

}  // namespace understudy::decode
