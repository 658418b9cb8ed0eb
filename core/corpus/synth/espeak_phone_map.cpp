#include "core/corpus/synth/espeak_phone_map.h"

#include <algorithm>
#include <map>

#include "core/util/error.h"

namespace understudy::synth {

namespace {

// The en-us phones espeak-ng 1.51 speaks for the grammar's whole vocabulary
// (measured; `A~` from one French loan word is mapped to `A:` instead).
const char* const kUnits[] = {
    "sil", "0",  "3",  "3:", "?",  "@",  "@-", "@2", "@L", "A:", "A@", "D",  "E",  "I",
    "I#",  "I2", "N",  "O2", "O:", "O@", "OI", "S",  "T",  "U",  "U@", "V",  "Z",  "a",
    "a#",  "aI", "aI3", "aI@", "aU", "aa", "b",  "d",  "dZ", "e@", "eI", "f",  "g",  "h",
    "i",   "i:", "i@", "i@3", "j",  "k",  "l",  "m",  "n",  "n-", "o@", "oU", "p",  "r",
    "r-",  "s",  "t",  "t#", "t2", "tS", "u:", "v",  "w",  "x",  "z"};

// Accent-only (and rare) mnemonics onto the en-us phone they align with.
const std::map<std::string, std::string>& accentMap() {
  static const std::map<std::string, std::string> map = {
      // accent-only phones onto the en-us phone they align with
      {"t[", "T"}, {"aI2", "aI"}, {"w#", "w"}, {"@5", "@"}, {"IR", "3:"}, {"VR", "3:"},
      // pauses
      {"_", "sil"}, {"_:", "sil"}, {"_!", "sil"}, {"_^_", "sil"}, {"_|", "sil"},
      {"_::", "sil"}, {"_;_", "sil"}, {"||", "sil"}, {"_X1", "sil"},
      // other accent tables of espeak-ng 1.51 (en, en-rp, en-sc, en-n, en-wi, en-wm)
      {"O", "O:"}, {"A~", "A:"}, {"O~", "O:"}, {"A#", "A:"}, {"a/", "a"}, {"a2", "a"},
      {"a#2", "a#"}, {"e#", "E"}, {"E#", "E"}, {"E2", "E"}, {"e:", "eI"}, {"o:", "oU"},
      {"oU#", "oU"}, {"02", "0"}, {"0#", "0"}, {"I2#", "I2"}, {"@#", "@"}, {"aU@", "aU"},
      {"d#", "d"}, {"z#", "z"}, {"z/2", "z"}, {"l/", "l"}, {"l/2", "l"}, {"l/3", "l"},
      {"r/", "r"}, {"R", "r"}, {"R2", "r"}, {"d[", "D"}, {"l#", "l"}, {"t/", "t"},
  };
  return map;
}

const std::map<std::string, int>& unitIds() {
  static const std::map<std::string, int> ids = [] {
    std::map<std::string, int> m;
    int id = 1;
    for (const char* u : kUnits) m[u] = id++;
    return m;
  }();
  return ids;
}

}  // namespace

const std::vector<std::string>& espeakUnits() {
  static const std::vector<std::string> units(std::begin(kUnits), std::end(kUnits));
  return units;
}

std::string mapEspeakPhone(const std::string& mnemonic) {
  if (mnemonic == ";") return "";
  const auto& map = accentMap();
  if (auto it = map.find(mnemonic); it != map.end()) return it->second;
  const auto& ids = unitIds();
  if (ids.count(mnemonic)) return mnemonic;
  for (std::size_t n = mnemonic.size(); n > 1; --n) {
    const std::string prefix = mnemonic.substr(0, n - 1);
    if (auto it = map.find(prefix); it != map.end()) return it->second;
    if (ids.count(prefix)) return prefix;
  }
  return "@";
}

std::string espeakPhonesTable() {
  std::string out = "<eps> 0\n";
  int id = 1;
  for (const char* u : kUnits) out += std::string(u) + " " + std::to_string(id++) + "\n";
  return out;
}

int espeakPhoneId(const std::string& unit) {
  const auto& ids = unitIds();
  auto it = ids.find(unit);
  if (it == ids.end()) throw US_ERROR("unknown phone '" + unit + "'").hint("see espeakUnits()");
  return it->second;
}

}  // namespace understudy::synth
