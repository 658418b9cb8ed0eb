#include "core/decode/ngram_lm.h"

#include <algorithm>
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
        .hint(
            "give the path of an ARPA file (KenLM lmplz, SRILM ngram-count, or "
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
      throw fail(
          "expected 'ngram N=count' in the \\data\\ section, found '" + std::string(line) + "'", i);
    }
    int n = 0;
    std::size_t count = 0;
    const auto nField = headFields[1];
    const auto countField = trim(line.substr(eq + 1));
    const auto rn = std::from_chars(nField.data(), nField.data() + nField.size(), n);
    const auto rc =
        std::from_chars(countField.data(), countField.data() + countField.size(), count);
    if (rn.ec != std::errc() || rn.ptr != nField.data() + nField.size() || rc.ec != std::errc() ||
        rc.ptr != countField.data() + countField.size() || countField.empty()) {
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
      throw fail(
          "expected '\\" + std::to_string(n) + "-grams:', found '" + std::string(header) + "'", i);
    }
    const std::size_t headerLine = i++;
    auto& entries = lm.m_ngrams[n - 1];
    // The declared count is only a hint: a line per n-gram must follow
    // (fuzz_arpa: 'ngram 1=99999999999999' reserved petabytes).
    entries.reserve(std::min(declared[n - 1], lines.size() - i));
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
        throw fail(
            "log10 probability " + std::string(fields[0]) + " is positive (a probability above 1)",
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
                           "does not declare (it declares " + std::to_string(maxOrder) + " orders)"
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
  m_ids.assign(m_ngrams.size(), {});
  m_sorted.assign(m_ngrams.size(), {});
  m_unkId = -1;
  auto lineOf = [&](int n, std::size_t k) -> long { return lines ? (*lines)[n - 1][k] : 0; };
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
  // Each order's word ids, flat, and its entries sorted by them (ties in file
  // order) for binary search: no string hashing beyond the vocabulary.
  for (int n = 1; n <= static_cast<int>(m_ngrams.size()); ++n) {
    const auto& entries = m_ngrams[n - 1];
    auto& ids = m_ids[n - 1];
    ids.resize(entries.size() * n);
    for (std::size_t k = 0; k < entries.size(); ++k) {
      for (int j = 0; j < n; ++j) {
        const auto it = m_wordIds.find(entries[k].words[j]);
        if (it == m_wordIds.end()) {
          throw raise("the " + std::to_string(n) + "-gram '" + joinWords(entries[k].words) +
                          "' has the word '" + entries[k].words[j] +
                          "', which is not among the 1-grams",
                      n, k)
              .hint("every word of an ARPA model needs a 1-gram entry");
        }
        ids[k * n + j] = it->second;
      }
    }
    auto& sorted = m_sorted[n - 1];
    sorted.resize(entries.size());
    for (std::size_t k = 0; k < sorted.size(); ++k) sorted[k] = static_cast<std::uint32_t>(k);
    const std::int32_t* base = ids.data();
    auto less = [base, n](std::uint32_t x, std::uint32_t y) {
      return std::lexicographical_compare(base + x * n, base + x * n + n, base + y * n,
                                          base + y * n + n);
    };
    std::stable_sort(sorted.begin(), sorted.end(), less);
    for (std::size_t k = 1; k < sorted.size(); ++k) {
      if (!less(sorted[k - 1], sorted[k])) {
        throw raise("the " + std::to_string(n) + "-gram '" + joinWords(entries[sorted[k]].words) +
                        "' appears twice" +
                        (lines ? " (first on line " + std::to_string(lineOf(n, sorted[k - 1])) + ")"
                               : std::string()),
                    n, sorted[k]);
      }
    }
  }
}

const NgramEntry* NgramLm::find(const std::int32_t* ids, std::size_t n) const {
  if (n == 0 || n > m_sorted.size()) return nullptr;
  for (std::size_t k = 0; k < n; ++k)
    if (ids[k] < 0) return nullptr;
  const std::int32_t* base = m_ids[n - 1].data();
  const auto& sorted = m_sorted[n - 1];
  const auto it = std::lower_bound(
      sorted.begin(), sorted.end(), ids, [base, n](std::uint32_t x, const std::int32_t* key) {
        return std::lexicographical_compare(base + x * n, base + x * n + n, key, key + n);
      });
  if (it == sorted.end() || !std::equal(ids, ids + n, base + *it * n)) return nullptr;
  return &m_ngrams[n - 1][*it];
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

// --- Interpolated modified Kneser-Ney (docs/decoding.md "Language model") ---

namespace {

// An n-gram (n <= 3) as one integer: its word ids, 21 bits each, first word
// highest, so dropping the last word is a shift and dropping the first a mask.
using NgramKey = std::uint64_t;
constexpr int kIdBits = 21;
constexpr std::int64_t kMaxWords = (std::int64_t{1} << kIdBits) - 1;
constexpr std::int32_t kUnkId = 0, kBosId = 1, kEosId = 2;

NgramKey dropLast(NgramKey key) { return key >> kIdBits; }
NgramKey dropFirst(NgramKey key, int n) {
  return n <= 1 ? 0 : key & ((NgramKey{1} << (kIdBits * (n - 1))) - 1);
}
std::int32_t firstWord(NgramKey key, int n) {
  return static_cast<std::int32_t>(key >> (kIdBits * (n - 1)));
}
// Word j (0 = first) of an n-gram.
std::int32_t wordAt(NgramKey key, int n, int j) {
  return static_cast<std::int32_t>((key >> (kIdBits * (n - 1 - j))) & kMaxWords);
}

// The distinct n-grams of one order in key order (= the order they are
// written in, see below) with a count each.
struct Counted {
  NgramKey key;
  std::int64_t count;
};

// Sorts keys and counts each distinct one.
std::vector<Counted> countSorted(std::vector<NgramKey>& keys) {
  std::sort(keys.begin(), keys.end());
  std::vector<Counted> out;
  for (std::size_t i = 0; i < keys.size();) {
    std::size_t j = i + 1;
    while (j < keys.size() && keys[j] == keys[i]) ++j;
    out.push_back({keys[i], static_cast<std::int64_t>(j - i)});
    i = j;
  }
  return out;
}

// Index of `key` in `counted` (which must hold it).
std::size_t indexOf(const std::vector<Counted>& counted, NgramKey key) {
  return static_cast<std::size_t>(
      std::lower_bound(counted.begin(), counted.end(), key,
                       [](const Counted& c, NgramKey k) { return c.key < k; }) -
      counted.begin());
}

// Chen & Goodman (1998) eq. 26 as lmplz computes it; lmplz's
// --discount_fallback values where the closed form fails.
KneserNeyDiscounts discountsFromCountOfCounts(const std::int64_t (&t)[4]) {
  KneserNeyDiscounts d;
  std::copy(std::begin(t), std::end(t), std::begin(d.countOfCounts));
  bool usable = t[0] > 0 && t[1] > 0 && t[2] > 0;
  double D[3] = {0, 0, 0};
  if (usable) {
    const double y = double(t[0]) / (double(t[0]) + 2.0 * double(t[1]));
    for (int k = 1; k <= 3; ++k) {
      D[k - 1] = k - (k + 1) * y * double(t[k]) / double(t[k - 1]);
      usable = usable && D[k - 1] >= 0 && D[k - 1] <= k;
    }
  }
  d.fallback = !usable;
  d.d1 = usable ? D[0] : 0.5;
  d.d2 = usable ? D[1] : 1.0;
  d.d3plus = usable ? D[2] : 1.5;
  return d;
}

double discountFor(const KneserNeyDiscounts& d, std::int64_t count) {
  return count == 1 ? d.d1 : count == 2 ? d.d2 : d.d3plus;
}

// The value as it is written to ARPA (kArpaDigits significant digits), so the
// estimated model in memory equals the model read back from its file.
double asWritten(double v) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general, kArpaDigits);
  double out = 0;
  std::from_chars(buf, r.ptr, out);
  return out;
}

double log10AsWritten(double p) { return p > 0 ? std::min(0.0, asWritten(std::log10(p))) : -99.0; }

void checkWord(const std::string& w, std::size_t sentence) {
  const char* problem = nullptr;
  if (w.empty())
    problem = "an empty word";
  else if (w == "<s>" || w == "</s>")
    problem = "the sentence marker";
  else if (std::any_of(w.begin(), w.end(), [](char c) { return isSpace(c) || c == '\n'; }))
    problem = "whitespace in the word";
  if (!problem) return;
  throw US_ERROR("sentence " + std::to_string(sentence + 1) + ": " + problem + " '" + w +
                 "' in the language model text")
      .line(static_cast<long>(sentence + 1))
      .hint("give words without whitespace; <s> and </s> are added around every sentence");
}

}  // namespace

NgramLm NgramLm::estimate(const std::vector<std::vector<std::string>>& sentences,
                          const KneserNeyOptions& options) {
  const int order = options.order;
  if (order < 1 || order > 3) {
    throw US_ERROR("n-gram order " + std::to_string(order) + " is not supported")
        .hint(
            "estimate orders 1 to 3 (a larger order: estimate it with KenLM's lmplz and read "
            "its ARPA file)");
  }
  if (sentences.empty()) {
    throw US_ERROR("no sentences to estimate a language model from")
        .hint("give the LM text, one sentence a line");
  }

  // The text as word ids, every sentence "<s> w1 .. wm </s>".
  std::vector<std::string> words = {"<unk>", "<s>", "</s>"};
  std::unordered_map<std::string, std::int32_t> firstSeen = {
      {"<unk>", kUnkId}, {"<s>", kBosId}, {"</s>", kEosId}};
  std::vector<std::int32_t> tokens;
  std::vector<std::size_t> starts;  // where each sentence's <s> is
  for (std::size_t s = 0; s < sentences.size(); ++s) {
    starts.push_back(tokens.size());
    tokens.push_back(kBosId);
    for (const auto& w : sentences[s]) {
      if (w != "<unk>") checkWord(w, s);
      const auto [it, fresh] = firstSeen.try_emplace(w, static_cast<std::int32_t>(words.size()));
      if (fresh) {
        if (static_cast<std::int64_t>(words.size()) >= kMaxWords) {
          throw US_ERROR("the language model text has more than " + std::to_string(kMaxWords) +
                         " distinct words")
              .line(static_cast<long>(s + 1))
              .hint("estimate so large a vocabulary with KenLM's lmplz and read its ARPA file");
        }
        words.push_back(w);
      }
      tokens.push_back(it->second);
    }
    tokens.push_back(kEosId);
  }
  starts.push_back(tokens.size());
  // Renumber the words in the order they are written: <unk>, <s>, </s>, then
  // byte order. Sorting n-gram keys then sorts the entries as the file lists them.
  {
    std::vector<std::int32_t> byName(words.size());
    for (std::size_t k = 0; k < words.size(); ++k) byName[k] = static_cast<std::int32_t>(k);
    std::sort(byName.begin() + 3, byName.end(),
              [&](std::int32_t x, std::int32_t y) { return words[x] < words[y]; });
    std::vector<std::int32_t> renumbered(words.size());
    std::vector<std::string> named(words.size());
    for (std::size_t r = 0; r < byName.size(); ++r) {
      renumbered[byName[r]] = static_cast<std::int32_t>(r);
      named[r] = std::move(words[byName[r]]);
    }
    for (auto& t : tokens) t = renumbered[t];
    words = std::move(named);
  }

  // Raw counts of every n-gram of the sentences (the lone <s> is a history
  // only, never an event).
  std::vector<std::vector<Counted>> raw(order);
  {
    std::vector<std::vector<NgramKey>> keys(order);
    for (auto& k : keys) k.reserve(tokens.size());
    for (std::size_t s = 0; s + 1 < starts.size(); ++s) {
      for (std::size_t i = starts[s]; i < starts[s + 1]; ++i) {
        NgramKey key = 0;
        for (int n = 1; n <= order && i + n <= starts[s + 1]; ++n) {
          key = (key << kIdBits) | static_cast<NgramKey>(tokens[i + n - 1]);
          if (i > starts[s] || n > 1) keys[n - 1].push_back(key);
        }
      }
    }
    for (int n = 1; n <= order; ++n) raw[n - 1] = countSorted(keys[n - 1]);
  }

  // Adjusted counts a(g): raw counts at the highest order and for n-grams that
  // start with <s> (nothing can precede them); otherwise the number of
  // distinct words seen before g (Kneser-Ney's continuation count).
  std::vector<std::vector<Counted>> adjusted(order);
  adjusted[order - 1] = raw[order - 1];
  for (int n = order - 1; n >= 1; --n) {
    std::vector<NgramKey> suffixes;
    suffixes.reserve(raw[n].size());
    for (const auto& longer : raw[n]) suffixes.push_back(dropFirst(longer.key, n + 1));
    const auto continuations = countSorted(suffixes);
    adjusted[n - 1] = raw[n - 1];
    std::size_t j = 0;
    for (auto& g : adjusted[n - 1]) {
      if (firstWord(g.key, n) == kBosId) continue;
      while (continuations[j].key < g.key) ++j;  // every such g follows some word
      g.count = continuations[j].count;
    }
  }

  // Discounts per order from the count-of-counts of the adjusted counts.
  std::vector<KneserNeyDiscounts> discounts(order);
  for (int n = 1; n <= order; ++n) {
    std::int64_t t[4] = {0, 0, 0, 0};
    for (const auto& g : adjusted[n - 1])
      if (g.count >= 1 && g.count <= 4) ++t[g.count - 1];
    discounts[n - 1] = discountsFromCountOfCounts(t);
  }

  // Per history h (n-grams of a history are adjacent in key order): the sum
  // of a(h w) over w, and gamma(h), the mass the discounts free,
  // (D1 N1(h) + D2 N2(h) + D3+ N3+(h)) / sum.
  struct History {
    NgramKey key;
    double total = 0;
    double freed = 0;
    double gamma() const { return freed / total; }
  };
  std::vector<std::vector<History>> histories(order);
  std::vector<std::vector<std::uint32_t>> historyOf(order);  // per n-gram
  for (int n = 1; n <= order; ++n) {
    auto& hs = histories[n - 1];
    for (const auto& g : adjusted[n - 1]) {
      const NgramKey h = dropLast(g.key);
      if (hs.empty() || hs.back().key != h) hs.push_back({h, 0, 0});
      hs.back().total += double(g.count);
      hs.back().freed += discountFor(discounts[n - 1], g.count);
      historyOf[n - 1].push_back(static_cast<std::uint32_t>(hs.size() - 1));
    }
  }

  // Interpolated probabilities, lowest order first:
  //   p(w | h) = (a(h w) - D(a(h w))) / sum + gamma(h) p(w | h minus its first word),
  // and the unigrams interpolate with the uniform distribution over every
  // word but <s> (<unk> included, with a(<unk>) = 0 unless the text has it).
  const bool unkSeen = adjusted[0].front().key == NgramKey(kUnkId);
  const bool withUnk = options.addUnk || unkSeen;
  std::vector<std::vector<double>> prob(order);
  const History& root = histories[0].front();
  const double uniform = 1.0 / double(adjusted[0].size() + (withUnk && !unkSeen ? 1 : 0));
  for (int n = 1; n <= order; ++n) {
    const auto& grams = adjusted[n - 1];
    auto& p = prob[n - 1];
    p.resize(grams.size());
    for (std::size_t i = 0; i < grams.size(); ++i) {
      const History& h = histories[n - 1][historyOf[n - 1][i]];
      const double lower =
          n == 1 ? uniform : prob[n - 2][indexOf(adjusted[n - 2], dropFirst(grams[i].key, n))];
      p[i] = (double(grams[i].count) - discountFor(discounts[n - 1], grams[i].count)) / h.total +
             h.gamma() * lower;
    }
  }

  // ARPA entries in key order: unigrams <unk>, <s>, </s>, then the words in
  // byte order; longer n-grams in that order word by word. An n-gram that is
  // a history of a longer one gets gamma as its back-off weight (the
  // interpolated model and its back-off form then agree on every probability).
  NgramLm lm;
  lm.m_ngrams.resize(order);
  lm.m_discounts = discounts;
  for (int n = 1; n <= order; ++n) {
    auto& entries = lm.m_ngrams[n - 1];
    entries.reserve(adjusted[n - 1].size() + 2);
    const auto& longer = n < order ? histories[n] : std::vector<History>{};
    std::size_t j = 0;  // in `longer`, sorted like the n-grams
    auto add = [&](NgramKey key, double logProb10) {
      NgramEntry e;
      e.words.reserve(n);
      for (int w = 0; w < n; ++w) e.words.push_back(words[wordAt(key, n, w)]);
      e.logProb10 = logProb10;
      while (j < longer.size() && longer[j].key < key) ++j;
      if (j < longer.size() && longer[j].key == key)
        e.backoff10 = log10AsWritten(longer[j].gamma());
      entries.push_back(std::move(e));
    };
    const auto& grams = adjusted[n - 1];
    std::size_t i = 0;
    if (n == 1) {
      if (unkSeen)
        add(grams[i].key, log10AsWritten(prob[0][i])), ++i;
      else if (withUnk)
        add(kUnkId, log10AsWritten(root.gamma() * uniform));
      add(kBosId, -99.0);  // only ever a history
    }
    for (; i < grams.size(); ++i) add(grams[i].key, log10AsWritten(prob[n - 1][i]));
  }
  lm.index("estimate");
  return lm;
}

}  // namespace understudy::decode
