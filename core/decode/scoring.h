// Word error rate scoring that agrees with NIST sclite to the count.
//
// alignWords() finds a minimum-edit-distance alignment of a reference and a
// hypothesis word sequence with sclite's costs (correct 0, substitution 4,
// insertion 3, deletion 3) and sclite's choice among alignments of equal cost,
// so that Corr, Sub, Del and Ins -- not only their total -- equal what
// `sclite` reports for the same pair. Words match case-insensitively (ASCII
// letters, as sclite does by default). trn files (`word word ... (utt-id)`)
// are read and written in the form sclite reads; scoreTrn() scores a whole
// set, treating a reference with no hypothesis line as an empty hypothesis
// (sclite would silently drop it: write the output of completeHypotheses()
// before handing a file to sclite).
//
//   UtteranceScore u = alignWords({"the", "cat", "sat"}, {"the", "bat"});
//   u.counts;                           // corr 1, sub 1, del 1, ins 0
//   formatPra(u);                       // sclite's pra block: id, Scores, REF, HYP, Eval
//
//   TrnFile refs = readTrn("ref.trn"), hyps = readTrn("hyp.trn");
//   ScoredSet set = scoreTrn(refs, hyps);
//   set.summary.kaldiWerLine();         // "%WER 12.34 [ 123 / 997, 10 ins, 20 del, 93 sub ]"
//   set.summary.scliteSumRow();         // "| Sum/Avg|  ... | Corr Sub Del Ins Err S.Err |"
//   writeTrn("hyp-all.trn", completeHypotheses(refs, hyps));   // for sclite
//
// docs/decoding.md, "Scoring", states the conventions and how to check our
// numbers with sclite.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace understudy::decode {

// sclite's word-to-word distances (its wwd_WORD): the alignment minimises
// their sum.
inline constexpr int kSubstitutionCost = 4;
inline constexpr int kInsertionCost = 3;
inline constexpr int kDeletionCost = 3;

struct WordCounts {
  long corr = 0;
  long sub = 0;
  long del = 0;
  long ins = 0;

  long refWords() const { return corr + sub + del; }
  long errors() const { return sub + del + ins; }
  WordCounts& operator+=(const WordCounts& other);
  bool operator==(const WordCounts& other) const;
  bool operator!=(const WordCounts& other) const { return !(*this == other); }
};

enum class EditOp { Correct, Substitution, Deletion, Insertion };

// One column of an alignment. Words are case-folded (lower case), as sclite
// shows them; `ref` is empty for an insertion, `hyp` for a deletion.
struct AlignedWord {
  EditOp op;
  std::string ref;
  std::string hyp;
};

struct UtteranceScore {
  std::string id;  // empty unless scored from trn files
  WordCounts counts;
  std::vector<AlignedWord> alignment;  // in word order
  // Reference words not in the vocabulary, in order (only when one is given).
  std::vector<std::string> oovWords;

  // sclite counts an utterance with any error as a sentence error; an empty
  // reference with an empty hypothesis is a correct sentence.
  bool sentenceError() const { return counts.errors() > 0; }
};

// Case-folded words (ASCII A-Z -> a-z, other bytes unchanged, like sclite
// without -e/-s). Build one from a lexicon's words to count OOVs.
using Vocabulary = std::unordered_set<std::string>;
std::string foldCase(std::string_view word);
Vocabulary makeVocabulary(const std::vector<std::string>& words);

UtteranceScore alignWords(const std::vector<std::string>& ref, const std::vector<std::string>& hyp);
// The same, and lists the reference words `vocabulary` lacks in oovWords.
UtteranceScore alignWords(const std::vector<std::string>& ref, const std::vector<std::string>& hyp,
                          const Vocabulary& vocabulary);

// sclite's alignment lines ("REF:  ...", "HYP:  ...", "Eval: ...", each
// ending in '\n'): errors upper case, gaps as '*' as wide as the word across,
// columns padded to the wider word, trailing blanks kept. Empty when both
// sides are empty (sclite prints no lines then). Unlike sclite, never wraps.
std::string formatAlignment(const UtteranceScore& utterance);
// sclite's pra block for one utterance: "id: (<id>)\nScores: (#C #S #D #I)
// c s d i\n" followed by formatAlignment().
std::string formatPra(const UtteranceScore& utterance);

struct ScoreSummary {
  long sentences = 0;
  long sentenceErrors = 0;
  WordCounts counts;
  long oovReferenceWords = 0;
  std::map<std::string, long> oovWordCounts;  // OOV word -> occurrences

  void add(const UtteranceScore& utterance);

  // Percent of reference words, as sclite computes it (0 when there are no
  // reference words, even with insertions).
  double percentOfRefWords(long count) const;
  double werPercent() const { return percentOfRefWords(counts.errors()); }
  double sentenceErrorPercent() const;

  // Kaldi compute-wer's line, "%WER 12.34 [ 123 / 997, 10 ins, 20 del, 93 sub ]",
  // the percentage computed in float as Kaldi does; "inf" with insertions but
  // no reference words, "0.00" when both are zero (Kaldi prints "nan" there).
  std::string kaldiWerLine() const;
  // The header and the Sum/Avg row of sclite's `-o sum` table, numbers
  // rounded as sclite rounds them (half away from zero: 6.25 -> "6.3").
  static std::string scliteSumHeader();
  std::string scliteSumRow() const;
  // "OOV: 3 of 997 reference words (0.30 %) are not in the vocabulary: foo (2), bar (1)"
  // listing up to `maxWords` words, most frequent first; "OOV: none" without.
  std::string oovLine(int maxWords = 10) const;
  // scliteSumHeader, scliteSumRow, kaldiWerLine and (if any) oovLine, one a line.
  std::string report() const;
};

// One line of a trn file: the words before "(id)". `line` is its 1-based
// line in the file read (0 when made in memory).
struct TrnUtterance {
  std::string id;
  std::vector<std::string> words;
  long line = 0;
};

struct TrnFile {
  std::string source;  // the file read, for errors; empty when made in memory
  std::vector<TrnUtterance> utterances;
};

// A word sclite reads as itself: no whitespace, none of the characters
// ( ) { } ; * and backslash (sclite's marks for the utterance id, optional
// deletion, alternation, tags, comments and escapes), and not "@" (its null
// word). Throws understudy::Error naming the word otherwise.
void checkTrnWord(std::string_view word);

// Parses trn text: blank lines and lines starting with ";;" or "**" are
// skipped (sclite skips them too); every other line must end in "(id)". Ids
// must be unique. Errors name `sourceName` and the line.
TrnFile parseTrn(std::string_view text, const std::string& sourceName);
TrnFile readTrn(const std::filesystem::path& path);
// "w1 w2 (id)\n" per utterance; an empty utterance is "(id)\n".
std::string formatTrn(const std::vector<TrnUtterance>& utterances);
void writeTrn(const std::filesystem::path& path, const std::vector<TrnUtterance>& utterances);

// The hypotheses in reference order with an empty one for every reference id
// that has none: the file to give sclite so it scores every reference.
// Throws if a hypothesis id has no reference (naming id, file and line).
std::vector<TrnUtterance> completeHypotheses(const TrnFile& refs, const TrnFile& hyps);

struct ScoredSet {
  std::vector<UtteranceScore> utterances;  // reference order
  ScoreSummary summary;
};

// Scores every reference utterance (a missing hypothesis counts as empty).
// A hypothesis whose id has no reference is an error naming the id, file and
// line. With a vocabulary, OOV reference words are counted.
ScoredSet scoreTrn(const TrnFile& refs, const TrnFile& hyps,
                   const Vocabulary* vocabulary = nullptr);

}  // namespace understudy::decode
