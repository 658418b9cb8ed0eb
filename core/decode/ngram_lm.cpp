#include "core/decode/ngram_lm.h"

#include <charconv>
#include <cmath>
#include <cstring>
#include <string_view>

#include "core/util/atomic_file.h"
#include "core/util/error.h"

namespace understudy::decode {

namespace {

// Significant digits of every number we write: enough that a value read back
// prints the same (the second write of a file is byte-identical) and that the
// rounding moves a probability by ~1e-9 relative, far below what the
// sums-to-one checks tolerate; estimate() rounds its output to them so the
// model in memory is the model on disk (docs/decoding.md "Language model").
constexpr int kArpaDigits = 9;

std::string formatNumber(double v) {
  // to_chars is locale-independent (a GUI that set LC_NUMERIC must not write "-1,5").
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general, kArpaDigits);
  return std::string(buf, r.ptr);
}

std::optional<double> parseNumber(std::string_view s) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return std::nullopt;
  double v = 0;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size() || std::isnan(v)) return std::nullopt;
  return v;
}

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

std::vector<std::string_view> splitFields(std::string_view line) {
  std::vector<std::string_view> fields;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && isSpace(line[i])) ++i;
    const std::size_t start = i;
    while (i < line.size() && !isSpace(line[i])) ++i;
    if (i > start) fields.push_back(line.substr(start, i - start));
  }
  return fields;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && isSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && isSpace(s.back())) s.remove_suffix(1);
  return s;
}

// "\3-grams:" -> 3; nullopt for anything else.
std::optional<int> sectionOrder(std::string_view line) {
  if (line.size() < 9 || line.front() != '\\') return std::nullopt;
  const std::string_view tail = "-grams:";
  if (line.substr(line.size() - tail.size()) != tail) return std::nullopt;
  const std::string_view digits = line.substr(1, line.size() - 1 - tail.size());
  int n = 0;
  const auto r = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (r.ec != std::errc() || r.ptr != digits.data() + digits.size() || n < 1) return std::nullopt;
  return n;
}

std::string joinWords(const std::vector<std::string>& words) {
  std::string s;
  for (const auto& w : words) s += (s.empty() ? "" : " ") + w;
  return s;
}

// Splits text into lines (LF or CRLF), dropping a UTF-8 byte-order mark.
std::vector<std::string_view> splitLines(std::string_view text) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

constexpr const char* kArpaHint =
    "an ARPA file is '\\data\\', 'ngram N=count' lines, then one '\\N-grams:' section per "
    "order with 'log10prob w1 .. wN [log10backoff]' lines, then '\\end\\'";

}  // namespace

NgramLm NgramLm::readArpa(const std::filesystem::path& path) {
  if (!std::filesystem::exists(path)) {
    throw US_ERROR("ARPA language model not found")
        .file(path.string())
        .hint("give the path of an ARPA file (KenLM lmplz, SRILM ngram-count, or "
              "understudy's own)");
  }
  return parseArpa(readFile(path), path.string());
}

NgramLm NgramLm::parseArpa(const std::string& text, const std::string& sourceName) {
  const auto lines = splitLines(text);
  std::size_t i = 0;
  auto lineNo = [&](std::size_t index) { return static_cast<long>(index + 1); };
  auto fail = [&](const std::string& what, std::size_t index) {
    return US_ERROR(what).file(sourceName).line(lineNo(index)).hint(kArpaHint);
  };

  // Anything before \data\ (a toolkit's comment header) is skipped, as KenLM
  // and Kaldi do.
  while (i < lines.size() && trim(lines[i]) != "\\data\\") ++i;
  if (i == lines.size()) {
    throw US_ERROR("no '\\data\\' line: not an ARPA language model")
        .file(sourceName)
        .hint(kArpaHint);
  }
  const std::size_t dataLine = i++;

  // \data\: "ngram N=count" for N = 1, 2, ... in order.
  std::vector<std::size_t> declared;
  std::vector<std::size_t> declaredAt;
  for (; i < lines.size(); ++i) {
    const std::string_view line = trim(lines[i]);
    if (line.empty()) continue;
    if (line.front() == '\\') break;
    const std::size_t eq = line.find('=');
    const std::string_view head = eq == std::string_view::npos ? line : trim(line.substr(0, eq));
    const auto headFields = splitFields(head);
    if (eq == std::string_view::npos || headFields.size() != 2 || headFields[0] != "ngram") {
      throw fail("expected 'ngram N=count' in the \\data\\ section, found '" + std::string(line) +
                     "'",
                 i);
    }
    int n = 0;
    std::size_t count = 0;
    const auto nField = headFields[1];
    const auto countField = trim(line.substr(eq + 1));
    const auto rn = std::from_chars(nField.data(), nField.data() + nField.size(), n);
    const auto rc = std::from_chars(countField.data(), countField.data() + countField.size(), count);
    if (rn.ec != std::errc() || rn.ptr != nField.data() + nField.size() ||
        rc.ec != std::errc() || rc.ptr != countField.data() + countField.size() || countField.empty()) {
      throw fail("'" + std::string(line) + "' is not 'ngram N=count' with whole numbers", i);
    }
    if (n != static_cast<int>(declared.size()) + 1) {
      throw fail("'ngram " + std::to_string(n) + "=' where 'ngram " +
                     std::to_string(declared.size() + 1) + "=' was expected (orders go 1, 2, ...)",
                 i);
    }
    declared.push_back(count);
    declaredAt.push_back(i);
  }
  if (declared.empty()) throw fail("the \\data\\ section declares no 'ngram N=count'", dataLine);

  NgramLm lm;
  const int maxOrder = static_cast<int>(declared.size());
  lm.m_ngrams.resize(declared.size());
  std::vector<std::vector<long>> entryLines(declared.size());

  // One "\N-grams:" section per declared order, in order, then \end\.
  for (int n = 1; n <= maxOrder; ++n) {
    while (i < lines.size() && trim(lines[i]).empty()) ++i;
    if (i == lines.size()) {
      throw fail("the file ends before the \\" + std::to_string(n) + "-grams: section",
                 lines.empty() ? 0 : lines.size() - 1)
          .hint("the file may be truncated; the \\data\\ section declares " +
                std::to_string(maxOrder) + " orders");
    }
    const std::string_view header = trim(lines[i]);
    const auto headerOrder = sectionOrder(header);
    if (!headerOrder || *headerOrder != n) {
      throw fail("expected '\\" + std::to_string(n) + "-grams:', found '" + std::string(header) +
                     "'",
                 i);
    }
    const std::size_t headerLine = i++;
    auto& entries = lm.m_ngrams[n - 1];
    entries.reserve(declared[n - 1]);
    for (; i < lines.size(); ++i) {
      const std::string_view line = trim(lines[i]);
      if (line.empty()) continue;
      if (line.front() == '\\') break;
      const auto fields = splitFields(line);
      const std::size_t nf = fields.size();
      const bool withBackoff = nf == static_cast<std::size_t>(n) + 2;
      if (nf != static_cast<std::size_t>(n) + 1 && !withBackoff) {
        throw fail("a " + std::to_string(n) + "-gram line has " + std::to_string(nf) +
                       " fields; expected " + std::to_string(n + 1) +
                       (n < maxOrder ? " or " + std::to_string(n + 2) : std::string()) +
                       " (log10 probability, " + std::to_string(n) + " word(s)" +
                       (n < maxOrder ? ", optional log10 back-off)" : ")"),
                   i);
      }
      if (withBackoff && n == maxOrder) {
        throw fail("a back-off weight on a highest-order (" + std::to_string(n) +
                       "-gram) entry; nothing can back off from it",
                   i);
      }
      NgramEntry e;
      const auto prob = parseNumber(fields[0]);
      if (!prob) throw fail("'" + std::string(fields[0]) + "' is not a log10 probability", i);
      if (*prob > 0) {
        throw fail("log10 probability " + std::string(fields[0]) +
                       " is positive (a probability above 1)",
                   i);
      }
      // -inf (probability 0) is the ARPA convention -99, so every weight stays finite.
      e.logProb10 = std::isinf(*prob) ? -99.0 : *prob;
      e.words.reserve(n);
      for (int k = 1; k <= n; ++k) e.words.emplace_back(fields[k]);
      if (withBackoff) {
        const auto bow = parseNumber(fields[n + 1]);
        if (!bow) {
          throw fail("'" + std::string(fields[n + 1]) + "' is not a log10 back-off weight", i);
        }
        e.backoff10 = std::isinf(*bow) ? -99.0 : *bow;
      }
      entries.push_back(std::move(e));
      entryLines[n - 1].push_back(lineNo(i));
    }
    if (entries.size() != declared[n - 1]) {
      throw fail("the \\data\\ section says 'ngram " + std::to_string(n) + "=" +
                     std::to_string(declared[n - 1]) + "' (line " +
                     std::to_string(lineNo(declaredAt[n - 1])) + ") but the \\" +
                     std::to_string(n) + "-grams: section has " + std::to_string(entries.size()) +
                     " entries",
                 headerLine)
          .hint("the file is truncated or was edited by hand: correct the count in \\data\\");
    }
  }
  while (i < lines.size() && trim(lines[i]).empty()) ++i;
  if (i == lines.size()) {
    throw fail("no '\\end\\' after the \\" + std::to_string(maxOrder) + "-grams: section",
               lines.size() - 1)
        .hint("the file may be truncated");
  }
  if (trim(lines[i]) != "\\end\\") {
    const auto extra = sectionOrder(trim(lines[i]));
    throw fail(extra ? "a \\" + std::to_string(*extra) + "-grams: section the \\data\\ section " +
                           "does not declare (it declares " + std::to_string(maxOrder) +
                           " orders)"
                     : "expected '\\end\\', found '" + std::string(trim(lines[i])) + "'",
               i);
  }
  if (lm.m_ngrams[0].empty()) {
    throw fail("no 1-grams: a language model needs a vocabulary", dataLine);
  }
  lm.index(sourceName, &entryLines);
  return lm;
}

void NgramLm::index(const std::string& sourceName, const std::vector<std::vector<long>>* lines) {
  m_wordIds.clear();
  m_index.assign(m_ngrams.size(), {});
  m_unkId = -1;
  auto lineOf = [&](int n, std::size_t k) -> long {
    return lines ? (*lines)[n - 1][k] : 0;
  };
  auto raise = [&](const std::string& what, int n, std::size_t k) {
    Error e = US_ERROR(what);
    e.file(sourceName);
    if (lines) e.line(lineOf(n, k));
    return e;
  };
  const auto& unigrams = m_ngrams[0];
  for (std::size_t k = 0; k < unigrams.size(); ++k) {
    const std::string& w = unigrams[k].words[0];
    const auto id = static_cast<std::int32_t>(k);
    const auto [it, fresh] = m_wordIds.emplace(w, id);
    if (!fresh) {
      throw raise("the 1-gram '" + w + "' appears twice" +
                      (lines ? " (first on line " + std::to_string(lineOf(1, it->second)) + ")"
                             : std::string()),
                  1, k);
    }
    if (w == "<unk>") m_unkId = id;
  }
  std::vector<std::int32_t> ids;
  for (int n = 1; n <= static_cast<int>(m_ngrams.size()); ++n) {
    auto& idx = m_index[n - 1];
    const auto& entries = m_ngrams[n - 1];
    idx.reserve(entries.size());
    for (std::size_t k = 0; k < entries.size(); ++k) {
      ids.clear();
      for (const auto& w : entries[k].words) {
        const auto it = m_wordIds.find(w);
        if (it == m_wordIds.end()) {
          throw raise("the " + std::to_string(n) + "-gram '" + joinWords(entries[k].words) +
                          "' has the word '" + w + "', which is not among the 1-grams",
                      n, k)
              .hint("every word of an ARPA model needs a 1-gram entry");
        }
        ids.push_back(it->second);
      }
      std::string keyBytes(reinterpret_cast<const char*>(ids.data()), ids.size() * sizeof(ids[0]));
      const auto [it, fresh] = idx.emplace(std::move(keyBytes), k);
      if (!fresh) {
        throw raise("the " + std::to_string(n) + "-gram '" + joinWords(entries[k].words) +
                        "' appears twice" +
                        (lines ? " (first on line " + std::to_string(lineOf(n, it->second)) + ")"
                               : std::string()),
                    n, k);
      }
    }
  }
}

const NgramEntry* NgramLm::find(const std::int32_t* ids, std::size_t n) const {
  if (n == 0 || n > m_index.size()) return nullptr;
  for (std::size_t k = 0; k < n; ++k)
    if (ids[k] < 0) return nullptr;
  const std::string keyBytes(reinterpret_cast<const char*>(ids), n * sizeof(ids[0]));
  const auto& idx = m_index[n - 1];
  const auto it = idx.find(keyBytes);
  return it == idx.end() ? nullptr : &m_ngrams[n - 1][it->second];
}

void NgramLm::writeArpa(const std::filesystem::path& path) const {
  writeFileAtomically(path, toArpa());
}

std::string NgramLm::toArpa() const {
  // The layout KenLM and SRILM write: tab-separated fields, a blank line
  // between sections, counts in \data\.
  std::string out = "\\data\\\n";
  for (std::size_t n = 1; n <= m_ngrams.size(); ++n)
    out += "ngram " + std::to_string(n) + "=" + std::to_string(m_ngrams[n - 1].size()) + "\n";
  for (std::size_t n = 1; n <= m_ngrams.size(); ++n) {
    out += "\n\\" + std::to_string(n) + "-grams:\n";
    for (const auto& e : m_ngrams[n - 1]) {
      out += formatNumber(e.logProb10);
      for (std::size_t k = 0; k < e.words.size(); ++k) {
        out += k == 0 ? '\t' : ' ';
        out += e.words[k];
      }
      if (e.backoff10) {
        out += '\t';
        out += formatNumber(*e.backoff10);
      }
      out += '\n';
    }
  }
  out += "\n\\end\\\n";
  return out;
}

int NgramLm::order() const { return static_cast<int>(m_ngrams.size()); }

const std::vector<NgramEntry>& NgramLm::ngrams(int n) const {
  if (n < 1 || n > order()) {
    throw US_ERROR("asked for the " + std::to_string(n) + "-grams of an order-" +
                   std::to_string(order()) + " language model");
  }
  return m_ngrams[n - 1];
}

std::optional<double> NgramLm::logProb10(const std::vector<std::string>& history,
                                         const std::string& word) const {
  if (m_ngrams.empty()) return std::nullopt;
  auto idOf = [&](const std::string& w) -> std::int32_t {
    const auto it = m_wordIds.find(w);
    return it != m_wordIds.end() ? it->second : m_unkId;
  };
  // ids = the usable tail of the history, then the word.
  const std::size_t context = std::min(history.size(), m_ngrams.size() - 1);
  std::vector<std::int32_t> ids;
  ids.reserve(context + 1);
  for (std::size_t k = history.size() - context; k < history.size(); ++k)
    ids.push_back(idOf(history[k]));
  ids.push_back(idOf(word));
  if (ids.back() < 0) return std::nullopt;
  // Back-off (docs/decoding.md "Language model"): the longest n-gram present
  // gives the probability; each shorter history tried on the way adds its
  // back-off weight (0 when the history has none).
  double backoff = 0;
  for (std::size_t start = 0; start <= context; ++start) {
    if (const NgramEntry* e = find(ids.data() + start, ids.size() - start))
      return backoff + e->logProb10;
    if (const NgramEntry* h = find(ids.data() + start, context - start); h && h->backoff10)
      backoff += *h->backoff10;
  }
  return std::nullopt;  // unreachable: every vocabulary word has a 1-gram
}

std::vector<std::string> NgramLm::vocabulary() const {
  std::vector<std::string> words;
  if (m_ngrams.empty()) return words;
  words.reserve(m_ngrams[0].size());
  for (const auto& e : m_ngrams[0]) words.push_back(e.words[0]);
  return words;
}

NgramLm NgramLm::estimate(const std::vector<std::vector<std::string>>&, const KneserNeyOptions&) {
  throw US_ERROR("NgramLm::estimate is not implemented yet");
}

}  // namespace understudy::decode
