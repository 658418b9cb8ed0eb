// One phone inventory for every espeak-ng English accent (docs/design.md
// "The synthetic corpus"): the en-us phones espeak-ng produces for the command
// grammar, plus `sil`. Accent-only phones map onto the en-us phone they align
// with (`t[`→`T`, `aI2`→`aI`, `w#`→`w`, `@5`→`@`, `IR`→`3:`, `VR`→`3:`, ...),
// every pause (`_:`, `_`, `_!`) onto `sil`; the hiatus mark `;` carries no
// phone of its own and is merged into the phone before it.
//
//   const auto& units = espeakUnits();          // {"sil", "0", "3", "3:", ...}
//   std::string u = mapEspeakPhone("t[");         // "T"
//   std::string table = espeakPhonesTable();      // "<eps> 0\nsil 1\n0 2\n..."
#pragma once

#include <string>
#include <vector>

namespace understudy::synth {

// The units, `sil` first, the rest in C-locale order. Ids in phones.txt are
// index + 1 (0 is <eps>).
const std::vector<std::string>& espeakUnits();
// A unit name for an espeak-ng phoneme mnemonic; "" for the hiatus mark `;`
// (merged into the previous phone). Unknown mnemonics fall back to the
// longest known prefix ("aI2x" → "aI"), then to "@".
std::string mapEspeakPhone(const std::string& mnemonic);
// The Kaldi symbol table: "<eps> 0", "sil 1", then every other unit.
std::string espeakPhonesTable();
// The phones.txt id of a unit (1 = sil); throws for an unknown unit.
int espeakPhoneId(const std::string& unit);

}  // namespace understudy::synth
