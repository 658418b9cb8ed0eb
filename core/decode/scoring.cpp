#include "core/decode/scoring.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <unordered_map>
#include <utility>

#include "core/util/atomic_file.h"
#include "core/util/error.h"

namespace understudy::decode {

namespace {

bool isBlank(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

std::string upperAscii(std::string_view word) {
  std::string out(word);
  for (char& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

std::string format(const char* fmt, double value) {
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, value);
  return buf;
}

// sclite's pct(): (num / den) * 100 in double, 0 when den is 0.
double sclitepercent(long num, long den) {
  return den == 0 ? 0.0 : static_cast<double>(num) / static_cast<double>(den) * 100.0;
}

// sclite's F_ROUND(x, 1): half away from zero through an int, then a float.
double scliteRound1(double x) {
  const int scaled = static_cast<int>(x * 10.0 + (x > 0.0 ? 0.5 : -0.5));
  return static_cast<float>(scaled) / 10.0;
}

std::vector<std::string> foldAll(const std::vector<std::string>& words) {
  std::vector<std::string> out;
  out.reserve(words.size());
  for (const auto& w : words) out.push_back(foldCase(w));
  return out;
}

}  // namespace

WordCounts& WordCounts::operator+=(const WordCounts& other) {
  corr += other.corr;
  sub += other.sub;
  del += other.del;
  ins += other.ins;
  return *this;
}

bool WordCounts::operator==(const WordCounts& other) const {
  return corr == other.corr && sub == other.sub && del == other.del && ins == other.ins;
}

std::string foldCase(std::string_view word) {
  std::string out(word);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

Vocabulary makeVocabulary(const std::vector<std::string>& words) {
  Vocabulary vocabulary;
  for (const auto& w : words) vocabulary.insert(foldCase(w));
  return vocabulary;
}

// sclite's Network_dpalign on two linear networks (docs/decoding.md,
// "Scoring"): cell (a, b) holds the least cost of aligning the first a
// reference words with the first b hypothesis words. Each cell keeps the move
// that reached it; sclite prefers the diagonal (correct or substitution) when
// it is no worse than either gap, then a deletion only if strictly cheaper
// than an insertion. The first row is all insertions, the first column all
// deletions, and the alignment is traced back from the last cell.
UtteranceScore alignWords(const std::vector<std::string>& ref,
                          const std::vector<std::string>& hyp) {
  const std::vector<std::string> r = foldAll(ref);
  const std::vector<std::string> h = foldAll(hyp);
  const std::size_t n = r.size(), m = h.size(), width = m + 1;
  std::vector<long> cost((n + 1) * width, 0);
  std::vector<EditOp> move((n + 1) * width, EditOp::Correct);
  for (std::size_t b = 1; b <= m; ++b) {
    cost[b] = cost[b - 1] + kInsertionCost;
    move[b] = EditOp::Insertion;
  }
  for (std::size_t a = 1; a <= n; ++a) {
    cost[a * width] = cost[(a - 1) * width] + kDeletionCost;
    move[a * width] = EditOp::Deletion;
    for (std::size_t b = 1; b <= m; ++b) {
      const bool same = r[a - 1] == h[b - 1];
      const long diagonal = cost[(a - 1) * width + b - 1] + (same ? 0 : kSubstitutionCost);
      const long deletion = cost[(a - 1) * width + b] + kDeletionCost;
      const long insertion = cost[a * width + b - 1] + kInsertionCost;
      std::size_t cell = a * width + b;
      if (diagonal <= deletion && diagonal <= insertion) {
        cost[cell] = diagonal;
        move[cell] = same ? EditOp::Correct : EditOp::Substitution;
      } else if (deletion < insertion) {
        cost[cell] = deletion;
        move[cell] = EditOp::Deletion;
      } else {
        cost[cell] = insertion;
        move[cell] = EditOp::Insertion;
      }
    }
  }

  UtteranceScore score;
  std::size_t a = n, b = m;
  while (a > 0 || b > 0) {
    const EditOp op = move[a * width + b];
    switch (op) {
      case EditOp::Correct:
        ++score.counts.corr;
        score.alignment.push_back({op, r[--a], h[--b]});
        break;
      case EditOp::Substitution:
        ++score.counts.sub;
        score.alignment.push_back({op, r[--a], h[--b]});
        break;
      case EditOp::Deletion:
        ++score.counts.del;
        score.alignment.push_back({op, r[--a], {}});
        break;
      case EditOp::Insertion:
        ++score.counts.ins;
        score.alignment.push_back({op, {}, h[--b]});
        break;
    }
  }
  std::reverse(score.alignment.begin(), score.alignment.end());
  return score;
}

UtteranceScore alignWords(const std::vector<std::string>& ref, const std::vector<std::string>& hyp,
                          const Vocabulary& vocabulary) {
  UtteranceScore score = alignWords(ref, hyp);
  for (const auto& w : ref) {
    std::string folded = foldCase(w);
    if (vocabulary.count(folded) == 0) score.oovWords.push_back(std::move(folded));
  }
  return score;
}

std::string formatAlignment(const UtteranceScore& utterance) {
  if (utterance.alignment.empty()) return {};
  std::string refLine = "REF:  ", hypLine = "HYP:  ", evalLine = "Eval: ";
  auto pad = [](std::string& line, const std::string& text, std::size_t width) {
    line += text;
    line.append(width - text.size() + 1, ' ');
  };
  for (const auto& w : utterance.alignment) {
    const bool correct = w.op == EditOp::Correct;
    // A gap is as wide as the word across from it (sclite prints stars).
    const std::string refText = w.op == EditOp::Insertion ? std::string(w.hyp.size(), '*')
                                                          : (correct ? w.ref : upperAscii(w.ref));
    const std::string hypText = w.op == EditOp::Deletion ? std::string(w.ref.size(), '*')
                                                         : (correct ? w.hyp : upperAscii(w.hyp));
    const std::size_t width = std::max(refText.size(), hypText.size());
    const char* eval = w.op == EditOp::Insertion      ? "I"
                       : w.op == EditOp::Deletion     ? "D"
                       : w.op == EditOp::Substitution ? "S"
                                                      : "";
    pad(refLine, refText, width);
    pad(hypLine, hypText, width);
    pad(evalLine, eval, width);
  }
  return refLine + "\n" + hypLine + "\n" + evalLine + "\n";
}

std::string formatPra(const UtteranceScore& utterance) {
  const WordCounts& c = utterance.counts;
  return "id: (" + utterance.id + ")\nScores: (#C #S #D #I) " + std::to_string(c.corr) + " " +
         std::to_string(c.sub) + " " + std::to_string(c.del) + " " + std::to_string(c.ins) + "\n" +
         formatAlignment(utterance);
}

void ScoreSummary::add(const UtteranceScore& utterance) {
  ++sentences;
  if (utterance.sentenceError()) ++sentenceErrors;
  counts += utterance.counts;
  for (const auto& w : utterance.oovWords) {
    ++oovReferenceWords;
    ++oovWordCounts[w];
  }
}

double ScoreSummary::percentOfRefWords(long count) const {
  return sclitepercent(count, counts.refWords());
}

double ScoreSummary::sentenceErrorPercent() const {
  return sclitepercent(sentenceErrors, sentences);
}

std::string ScoreSummary::kaldiWerLine() const {
  const long errors = counts.errors(), words = counts.refWords();
  std::string percent;
  if (words == 0) {
    percent = errors == 0 ? "0.00" : "inf";
  } else {
    // compute-wer: BaseFloat percent = 100.0 * float(errs) / float(words).
    const float p =
        static_cast<float>(100.0 * static_cast<float>(errors) / static_cast<float>(words));
    percent = format("%.2f", p);
  }
  return "%WER " + percent + " [ " + std::to_string(errors) + " / " + std::to_string(words) + ", " +
         std::to_string(counts.ins) + " ins, " + std::to_string(counts.del) + " del, " +
         std::to_string(counts.sub) + " sub ]";
}

std::string ScoreSummary::scliteSumHeader() {
  return "| SPKR   | # Snt # Wrd | Corr    Sub    Del    Ins    Err  S.Err |";
}

std::string ScoreSummary::scliteSumRow() const {
  char counts5[64];
  std::snprintf(counts5, sizeof counts5, "%5ld %6ld", sentences, counts.refWords());
  std::string row = std::string("| Sum/Avg|") + counts5 + " |";
  const double values[] = {percentOfRefWords(counts.corr),     percentOfRefWords(counts.sub),
                           percentOfRefWords(counts.del),      percentOfRefWords(counts.ins),
                           percentOfRefWords(counts.errors()), sentenceErrorPercent()};
  bool first = true;
  for (double v : values) {
    row += format(first ? "%5.1f" : " %6.1f", scliteRound1(v));
    first = false;
  }
  return row + " |";
}

std::string ScoreSummary::oovLine(int maxWords) const {
  if (oovReferenceWords == 0) return "OOV: none";
  std::vector<std::pair<std::string, long>> words(oovWordCounts.begin(), oovWordCounts.end());
  std::stable_sort(words.begin(), words.end(),
                   [](const auto& x, const auto& y) { return x.second > y.second; });
  std::string line = "OOV: " + std::to_string(oovReferenceWords) + " of " +
                     std::to_string(counts.refWords()) + " reference words (" +
                     format("%.2f", percentOfRefWords(oovReferenceWords)) +
                     " %) are not in the vocabulary: ";
  const std::size_t shown = std::min<std::size_t>(words.size(), std::max(maxWords, 0));
  for (std::size_t i = 0; i < shown; ++i) {
    if (i > 0) line += ", ";
    line += words[i].first + " (" + std::to_string(words[i].second) + ")";
  }
  if (shown < words.size()) line += ", ... (" + std::to_string(words.size()) + " distinct)";
  return line;
}

std::string ScoreSummary::report() const {
  std::string out = scliteSumHeader() + "\n" + scliteSumRow() + "\n" + kaldiWerLine() + "\n";
  if (oovReferenceWords > 0) out += oovLine() + "\n";
  return out;
}

void checkTrnWord(std::string_view word) {
  const std::string_view special = "(){};*\\";
  if (word.empty()) throw US_ERROR("empty word in a trn utterance");
  for (char c : word) {
    if (isBlank(c))
      throw US_ERROR("word '" + std::string(word) + "' contains whitespace")
          .hint("a trn word is one whitespace-free token");
    if (special.find(c) != std::string_view::npos)
      throw US_ERROR("word '" + std::string(word) + "' contains '" + std::string(1, c) +
                     "', which sclite reads as markup, not as part of a word")
          .hint(
              "sclite reads ( ) { } ; * and backslash as markup: map or drop them before scoring");
  }
  if (word == "@") throw US_ERROR("word '@' is sclite's null word").hint("drop it before scoring");
}

TrnFile parseTrn(std::string_view text, const std::string& sourceName) {
  TrnFile file;
  file.source = sourceName;
  std::unordered_map<std::string, long> seen;
  long lineNumber = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++lineNumber;
    if (line.substr(0, 2) == ";;" || line.substr(0, 2) == "**") continue;
    while (!line.empty() && isBlank(line.back())) line.remove_suffix(1);
    if (std::all_of(line.begin(), line.end(), isBlank)) continue;

    auto fail = [&](const std::string& what) {
      return US_ERROR(what).file(sourceName).line(lineNumber);
    };
    const std::size_t open = line.rfind('(');
    if (line.back() != ')' || open == std::string_view::npos)
      throw fail("trn line does not end in an utterance id '(id)'")
          .hint("each line is 'word word ... (utterance-id)'");
    TrnUtterance utterance;
    utterance.id = std::string(line.substr(open + 1, line.size() - open - 2));
    utterance.line = lineNumber;
    if (utterance.id.empty() || std::any_of(utterance.id.begin(), utterance.id.end(), isBlank))
      throw fail("trn utterance id '" + utterance.id + "' is empty or contains whitespace");
    std::string_view words = line.substr(0, open);
    std::size_t w = 0;
    while (w < words.size()) {
      while (w < words.size() && isBlank(words[w])) ++w;
      std::size_t e = w;
      while (e < words.size() && !isBlank(words[e])) ++e;
      if (e > w) utterance.words.emplace_back(words.substr(w, e - w));
      w = e;
    }
    for (const auto& word : utterance.words) {
      try {
        checkTrnWord(word);
      } catch (Error& e) {
        throw e.file(sourceName).line(lineNumber).utterance(utterance.id);
      }
    }
    auto [it, inserted] = seen.emplace(utterance.id, lineNumber);
    if (!inserted)
      throw fail("utterance id '" + utterance.id + "' appears twice (first on line " +
                 std::to_string(it->second) + ")")
          .utterance(utterance.id)
          .hint("keep one line per utterance");
    file.utterances.push_back(std::move(utterance));
  }
  return file;
}

TrnFile readTrn(const std::filesystem::path& path) {
  return parseTrn(readFile(path), path.string());
}

std::string formatTrn(const std::vector<TrnUtterance>& utterances) {
  std::string out;
  for (const auto& u : utterances) {
    if (u.id.empty() || std::any_of(u.id.begin(), u.id.end(), isBlank) ||
        u.id.find_first_of("()") != std::string::npos)
      throw US_ERROR("utterance id '" + u.id + "' cannot be written to a trn file")
          .hint("an id is non-empty, without whitespace or parentheses");
    for (const auto& word : u.words) {
      try {
        checkTrnWord(word);
      } catch (Error& e) {
        throw e.utterance(u.id);
      }
      out += word;
      out += ' ';
    }
    out += "(" + u.id + ")\n";
  }
  return out;
}

void writeTrn(const std::filesystem::path& path, const std::vector<TrnUtterance>& utterances) {
  writeFileAtomically(path, formatTrn(utterances));
}

namespace {

// Hypotheses by id; a hypothesis id with no reference is refused.
std::unordered_map<std::string, const TrnUtterance*> indexHypotheses(const TrnFile& refs,
                                                                     const TrnFile& hyps) {
  std::unordered_map<std::string, const TrnUtterance*> refIds, byId;
  for (const auto& r : refs.utterances) refIds.emplace(r.id, &r);
  for (const auto& h : hyps.utterances) {
    if (refIds.count(h.id) == 0) {
      Error e = US_ERROR("hypothesis utterance '" + h.id + "' has no reference" +
                         (refs.source.empty() ? std::string() : " in " + refs.source));
      e.utterance(h.id).hint("score hypotheses against the references of the same test set");
      if (!hyps.source.empty()) e.file(hyps.source);
      if (h.line > 0) e.line(h.line);
      throw e;
    }
    byId.emplace(h.id, &h);
  }
  return byId;
}

}  // namespace

std::vector<TrnUtterance> completeHypotheses(const TrnFile& refs, const TrnFile& hyps) {
  const auto byId = indexHypotheses(refs, hyps);
  std::vector<TrnUtterance> out;
  out.reserve(refs.utterances.size());
  for (const auto& r : refs.utterances) {
    auto it = byId.find(r.id);
    out.push_back(it == byId.end() ? TrnUtterance{r.id, {}, 0} : *it->second);
  }
  return out;
}

ScoredSet scoreTrn(const TrnFile& refs, const TrnFile& hyps, const Vocabulary* vocabulary) {
  const auto byId = indexHypotheses(refs, hyps);
  static const std::vector<std::string> kNoWords;
  ScoredSet set;
  set.utterances.reserve(refs.utterances.size());
  for (const auto& r : refs.utterances) {
    auto it = byId.find(r.id);
    const std::vector<std::string>& hyp = it == byId.end() ? kNoWords : it->second->words;
    UtteranceScore score =
        vocabulary ? alignWords(r.words, hyp, *vocabulary) : alignWords(r.words, hyp);
    score.id = r.id;
    set.summary.add(score);
    set.utterances.push_back(std::move(score));
  }
  return set;
}

}  // namespace understudy::decode
