// Word lists and templates of the command grammar (grammar_words.cpp).
// Each list is one string of entries separated by ','; an entry is words
// separated by spaces and may name other slots in braces.
#pragma once

#include <utility>
#include <vector>

namespace understudy::synth {

struct GrammarTable {
  const char* name;
  const char* entries;
};

// Slot lists: {"artist", "miles davis,nina simone,..."}.
const std::vector<GrammarTable>& grammarSlots();
// Templates per domain: {"timer", "set a timer for {duration},..."}.
const std::vector<GrammarTable>& grammarDomains();

}  // namespace understudy::synth
