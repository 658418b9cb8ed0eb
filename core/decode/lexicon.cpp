#include "core/decode/lexicon.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>

#include "core/store/unit_inventory.h"
#include "core/util/atomic_file.h"
#include "core/util/error.h"
#include "core/util/log.h"
#include "core/util/text_fields.h"

namespace understudy::decode {

namespace {

// lexiconp.txt's probability column ("1.0", "0.5"): a decimal point is
// required, because phone names can be digits (espeak-ng's "0", "3").
bool looksLikeProbability(const std::string& s) {
  if (s.find('.') == std::string::npos) return false;
  char* end = nullptr;
  std::strtod(s.c_str(), &end);
  return end == s.c_str() + s.size();
}

// "word(2)" -> "word"; anything else unchanged.
std::string stripVariant(const std::string& word) {
  if (word.size() < 4 || word.back() != ')') return word;
  const auto open = word.rfind('(');
  if (open == std::string::npos || open == 0 || open + 2 >= word.size()) return word;
  for (std::size_t i = open + 1; i + 1 < word.size(); ++i)
    if (!std::isdigit(static_cast<unsigned char>(word[i]))) return word;
  return word.substr(0, open);
}

bool hasVariantSuffix(const std::string& word) { return stripVariant(word) != word; }

// "AH0" -> "AH"; "0", "a#", "i@3" (a symbol before the digit) unchanged.
std::string stripStressDigit(const std::string& phone) {
  if (phone.size() < 2 || !std::isdigit(static_cast<unsigned char>(phone.back()))) return phone;
  for (std::size_t i = 0; i + 1 < phone.size(); ++i)
    if (!std::isalpha(static_cast<unsigned char>(phone[i]))) return phone;
  return phone.substr(0, phone.size() - 1);
}

std::string formatProbability(double p) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.17g", p);
  return buffer;
}

// The lines with fields, a UTF-8 byte-order mark dropped. CMUdict's comments
// go: lines starting ";;;", and everything from a lone "#" field on
// (cmudict.dict's "abc  AE1 B K  # abbreviation").
std::vector<FieldLine> nonEmptyLines(std::string_view text, bool cmudictComments) {
  std::vector<FieldLine> lines =
      fieldLines(withoutByteOrderMark(text), cmudictComments ? ";;;" : "");
  if (!cmudictComments) return lines;
  for (auto& l : lines)
    l.fields.erase(std::find(l.fields.begin(), l.fields.end(), "#"), l.fields.end());
  lines.erase(std::remove_if(lines.begin(), lines.end(),
                             [](const FieldLine& l) { return l.fields.empty(); }),
              lines.end());
  return lines;
}

}  // namespace

const char* lexiconFormatName(LexiconFormat format) {
  switch (format) {
    case LexiconFormat::Auto: return "auto";
    case LexiconFormat::Kaldi: return "lexicon.txt";
    case LexiconFormat::KaldiProbabilities: return "lexiconp.txt";
    case LexiconFormat::Cmudict: return "cmudict";
  }
  return "?";
}

LexiconFormat Lexicon::detectFormat(std::string_view text) {
  const auto lines = nonEmptyLines(text, false);
  for (const auto& l : lines) {
    if (l.fields[0].rfind(";;;", 0) == 0 || hasVariantSuffix(l.fields[0]))
      return LexiconFormat::Cmudict;
  }
  if (!lines.empty() && lines.front().fields.size() >= 2 &&
      looksLikeProbability(lines.front().fields[1]))
    return LexiconFormat::KaldiProbabilities;
  return LexiconFormat::Kaldi;
}

Lexicon Lexicon::read(const std::filesystem::path& path, const LexiconReadOptions& options) {
  if (!std::filesystem::exists(path)) {
    throw US_ERROR("lexicon not found")
        .file(path.string())
        .hint("pass a Kaldi lexicon.txt / lexiconp.txt or a CMUdict-style dictionary");
  }
  return parse(readFile(path), path.string(), options);
}

Lexicon Lexicon::parse(std::string_view text, const std::string& sourceName,
                       const LexiconReadOptions& options) {
  const LexiconFormat format =
      options.format == LexiconFormat::Auto ? detectFormat(text) : options.format;
  const bool cmudict = format == LexiconFormat::Cmudict;
  const bool withProbabilities = format == LexiconFormat::KaldiProbabilities;
  const std::size_t firstPhone = withProbabilities ? 2 : 1;
  Lexicon lexicon;
  for (const auto& [number, fields] : nonEmptyLines(text, cmudict)) {
    const std::string word = cmudict ? stripVariant(fields[0]) : fields[0];
    if (fields.size() <= firstPhone) {
      throw US_ERROR("word '" + word + "' has no pronunciation")
          .file(sourceName)
          .line(number)
          .hint(withProbabilities ? "a lexiconp.txt line is '<word> <probability> <phone> ...'"
                                  : "a lexicon line is '<word> <phone> <phone> ...'");
    }
    Pronunciation p;
    p.source = sourceName;
    p.line = number;
    if (withProbabilities) {
      const std::string& field = fields[1];
      char* end = nullptr;
      const double v = std::strtod(field.c_str(), &end);
      if (!looksLikeProbability(field) || end != field.c_str() + field.size() || !(v > 0.0) ||
          v > 1.0) {
        throw US_ERROR("word '" + word + "': '" + field +
                       "' is not a pronunciation probability in (0, 1]")
            .file(sourceName)
            .line(number)
            .hint("a lexiconp.txt line is '<word> <probability> <phone> ...' on every line; "
                  "for a lexicon without probabilities drop the column everywhere");
      }
      p.probability = v;
    }
    for (std::size_t i = firstPhone; i < fields.size(); ++i)
      p.phones.push_back(options.stripStress ? stripStressDigit(fields[i]) : fields[i]);
    lexicon.add(word, std::move(p));
  }
  if (lexicon.empty()) {
    throw US_ERROR("the lexicon has no entries")
        .file(sourceName)
        .hint(std::string("expected ") + lexiconFormatName(format) + " lines");
  }
  return lexicon;
}

void Lexicon::add(const std::string& word, Pronunciation pronunciation) {
  if (word.empty()) throw US_ERROR("a lexicon word is empty").file(pronunciation.source);
  if (pronunciation.phones.empty()) {
    auto e = US_ERROR("word '" + word + "' has no pronunciation");
    if (!pronunciation.source.empty()) e.file(pronunciation.source).line(pronunciation.line);
    throw e;
  }
  auto& prons = m_entries[word];
  for (auto& existing : prons) {
    if (existing.phones == pronunciation.phones) {
      existing.probability = std::max(existing.probability, pronunciation.probability);
      return;
    }
  }
  prons.push_back(std::move(pronunciation));
}

void Lexicon::merge(const Lexicon& other) {
  for (const auto& [word, prons] : other.m_entries)
    for (const auto& p : prons) add(word, p);
}

const std::vector<Pronunciation>& Lexicon::pronunciations(const std::string& word) const {
  static const std::vector<Pronunciation> none;
  const auto it = m_entries.find(word);
  return it == m_entries.end() ? none : it->second;
}

std::vector<std::string> Lexicon::words() const {
  std::vector<std::string> out;
  out.reserve(m_entries.size());
  for (const auto& entry : m_entries) out.push_back(entry.first);
  return out;
}

int Lexicon::numPronunciations() const {
  std::size_t n = 0;
  for (const auto& entry : m_entries) n += entry.second.size();
  return static_cast<int>(n);
}

std::set<std::string> Lexicon::phones() const {
  std::set<std::string> out;
  for (const auto& entry : m_entries)
    for (const auto& p : entry.second) out.insert(p.phones.begin(), p.phones.end());
  return out;
}

std::string Lexicon::toText() const {
  std::string out;
  for (const auto& [word, prons] : m_entries) {
    for (const auto& p : prons) {
      out += word;
      out += ' ';
      out += formatProbability(p.probability);
      for (const auto& phone : p.phones) {
        out += ' ';
        out += phone;
      }
      out += '\n';
    }
  }
  return out;
}

LexiconUnits mapToUnits(const Lexicon& lexicon, const UnitInventory& units,
                        const std::set<std::string>& words, UnknownPhones unknownPhones) {
  LexiconUnits out;
  std::string firstSkipped;
  auto mapWord = [&](const std::string& word, const std::vector<Pronunciation>& prons) {
    std::vector<UnitPronunciation> mapped;
    for (const auto& p : prons) {
      UnitPronunciation up;
      up.probability = p.probability;
      bool ok = true;
      for (const auto& phone : p.phones) {
        const auto id = units.find(phone);
        if (id) {
          up.units.push_back(*id);
          continue;
        }
        if (unknownPhones == UnknownPhones::Error) {
          throw US_ERROR("phone '" + phone + "' of word '" + word +
                         "' is not in the unit inventory (" + std::to_string(units.size()) +
                         " units)")
              .file(p.source)
              .line(p.line)
              .hint("use the lexicon the model's units were made from, or skip such "
                    "pronunciations (graph option unknown_phones: skip)");
        }
        if (firstSkipped.empty())
          firstSkipped = p.source + ":" + std::to_string(p.line) + " '" + word + "' phone '" +
                         phone + "'";
        ok = false;
        break;
      }
      if (ok) {
        mapped.push_back(std::move(up));
      } else {
        ++out.skippedPronunciations;
      }
    }
    if (mapped.empty()) {
      out.wordsLeftWithout.push_back(word);
    } else {
      out.entries.emplace(word, std::move(mapped));
    }
  };
  if (words.empty()) {
    for (const auto& [word, prons] : lexicon.entries()) mapWord(word, prons);
  } else {
    for (const auto& word : words) {
      const auto& prons = lexicon.pronunciations(word);
      if (!prons.empty()) mapWord(word, prons);
    }
  }
  if (out.skippedPronunciations > 0) {
    log::warning("lexicon: skipped {} pronunciation(s) with phones outside the {}-unit "
                 "inventory (first: {}); {} word(s) left without a pronunciation",
                 out.skippedPronunciations, units.size(), firstSkipped,
                 out.wordsLeftWithout.size());
  }
  return out;
}

}  // namespace understudy::decode
