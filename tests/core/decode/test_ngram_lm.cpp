// core/decode NgramLm: ARPA read/write (hand-written files with lookups
// computed by hand, round trips, errors that name the line) and modified
// Kneser-Ney estimation against an independent Python transcription of the
// formulas (kneser_ney_reference.py) and against KenLM lmplz's own output
// (tests/data/decode), with every history's distribution summing to one.
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>
#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>

#include "core/decode/ngram_lm.h"
#include "core/util/atomic_file.h"
#include "core/util/error.h"
#include "support/test_support.h"

using understudy::Error;
using understudy::decode::KneserNeyOptions;
using understudy::decode::NgramEntry;
using understudy::decode::NgramLm;
using Sentences = std::vector<std::vector<std::string>>;

namespace {

// A trigram model written by hand in the styles other toolkits use: a comment
// header before \data\ (Kaldi, some SRILM builds), tabs and spaces mixed,
// blank lines, a missing back-off (</s>), scientific notation, -99 for <s>.
const char* kHandArpa =
    "This header is ignored, as KenLM and Kaldi ignore it.\n"
    "\n"
    "\\data\\\n"
    "ngram 1=5\n"
    "ngram  2 = 3\n"
    "ngram 3=1\n"
    "\n"
    "\\1-grams:\n"
    "-99\t<s>\t-0.5\n"
    "-6e-1 a  -0.25\n"
    "-0.7\tb\t-2E-1\n"
    "-1.0\t</s>\n"
    "\n"
    "-2\t<unk>\n"
    "\n"
    "\\2-grams:\n"
    "-0.3\t<s> a\t-0.1\n"
    "-0.4 a b -0.15\n"
    "-0.2\tb </s>\n"
    "\n"
    "\\3-grams:\n"
    "-0.05\t<s> a b\n"
    "\n"
    "\\end\\\n";

double lp(const NgramLm& lm, const std::vector<std::string>& history, const std::string& word) {
  const auto v = lm.logProb10(history, word);
  if (!v) throw std::runtime_error("no probability for '" + word + "'");
  return *v;
}

// The error parseArpa throws for `text`, or a failed QVERIFY.
Error arpaError(const std::string& text) {
  try {
    NgramLm::parseArpa(text, "bad.arpa");
  } catch (const Error& e) {
    return e;
  }
  throw std::runtime_error("parseArpa accepted a malformed file:\n" + text);
}

void compareEntries(const NgramLm& a, const NgramLm& b) {
  QCOMPARE(a.order(), b.order());
  for (int n = 1; n <= a.order(); ++n) {
    const auto& ea = a.ngrams(n);
    const auto& eb = b.ngrams(n);
    QCOMPARE(ea.size(), eb.size());
    for (std::size_t k = 0; k < ea.size(); ++k) {
      QVERIFY(ea[k].words == eb[k].words);
      QCOMPARE(ea[k].logProb10, eb[k].logProb10);  // bit for bit
      QCOMPARE(ea[k].backoff10.has_value(), eb[k].backoff10.has_value());
      if (ea[k].backoff10) QCOMPARE(*ea[k].backoff10, *eb[k].backoff10);
    }
  }
}

// Sentences of words w0 .. w<vocabularySize-1> drawn with Zipf weights
// 1/(i+1), lengths 0..9. std::mt19937 gives the same sequence everywhere (no
// std distribution, whose output may differ between standard libraries).
// With a few dozen words and a few hundred sentences every order has n-grams
// with adjusted counts 1, 2, 3 and 4, so the closed-form discounts are used.
Sentences randomSentences(int count, int vocabularySize, std::uint32_t seed) {
  std::vector<double> cumulative;
  double total = 0;
  for (int i = 0; i < vocabularySize; ++i) cumulative.push_back(total += 1.0 / (i + 1));
  std::mt19937 rng(seed);
  Sentences out;
  for (int s = 0; s < count; ++s) {
    std::vector<std::string> sentence;
    const int length = static_cast<int>(rng() % 10);
    for (int k = 0; k < length; ++k) {
      const double u = double(rng()) / 4294967296.0 * total;
      const auto i = std::upper_bound(cumulative.begin(), cumulative.end(), u) - cumulative.begin();
      sentence.push_back("w" + std::to_string(std::min<long>(i, vocabularySize - 1)));
    }
    out.push_back(std::move(sentence));
  }
  return out;
}

struct ReferenceModel {
  // words joined by ' ' -> (log10 prob, log10 back-off or NaN)
  std::map<std::string, std::pair<double, double>> ngrams[3];
  std::vector<std::string> discountLines;  // "t1 t2 t3 t4\tD1 D2 D3\tfallback"
};

// Runs kneser_ney_reference.py on the sentences (written one a line).
ReferenceModel referenceKneserNey(const Sentences& sentences, int order, bool addUnk) {
  QTemporaryDir tmp;
  const QString textPath = tmp.filePath("text.txt");
  std::string text;
  for (const auto& s : sentences) {
    for (std::size_t k = 0; k < s.size(); ++k) text += (k ? " " : "") + s[k];
    text += "\n";
  }
  understudy::writeFileAtomically(textPath.toStdString(), text);
  QStringList args = {UNDERSTUDY_SOURCE_DIR "/tests/core/decode/kneser_ney_reference.py", textPath,
                      QString::number(order)};
  if (!addUnk) args << "--no-unk";
  const auto r = understudy::test::runProcess("/usr/bin/python3", args, 60000);
  if (r.exitCode != 0 || r.crashed)
    throw std::runtime_error(understudy::test::outputOf(r).toStdString());
  ReferenceModel ref;
  std::istringstream in(r.out.toStdString());
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::istringstream fields(line);
    std::string field;
    while (std::getline(fields, field, '\t')) f.push_back(field);
    if (f.at(0) == "ngram") {
      const int n = std::stoi(f.at(1));
      ref.ngrams[n - 1][f.at(2)] = {std::stod(f.at(3)), f.at(4) == "-" ? NAN : std::stod(f.at(4))};
    } else {
      ref.discountLines.push_back(f.at(2) + "\t" + f.at(3) + "\t" + f.at(4));
    }
  }
  return ref;
}

std::string joined(const std::vector<std::string>& words) {
  std::string s;
  for (std::size_t k = 0; k < words.size(); ++k) s += (k ? " " : "") + words[k];
  return s;
}

// Every n-gram of `lm` equals the reference's to 1e-6 (probability and
// back-off, log10), and the two have the same n-grams.
void compareWithReference(const NgramLm& lm, const ReferenceModel& ref) {
  for (int n = 1; n <= lm.order(); ++n) {
    const auto& entries = lm.ngrams(n);
    QVERIFY2(entries.size() == ref.ngrams[n - 1].size(),
             qPrintable(QString("%1-grams: ours %2, reference %3")
                            .arg(n)
                            .arg(entries.size())
                            .arg(ref.ngrams[n - 1].size())));
    for (const auto& e : entries) {
      const std::string g = joined(e.words);
      const auto it = ref.ngrams[n - 1].find(g);
      QVERIFY2(it != ref.ngrams[n - 1].end(), ("not in the reference: " + g).c_str());
      const auto [refProb, refBackoff] = it->second;
      QVERIFY2(std::abs(e.logProb10 - refProb) <= 1e-6,
               qPrintable(QString("p(%1): ours %2, reference %3")
                              .arg(g.c_str())
                              .arg(e.logProb10, 0, 'g', 12)
                              .arg(refProb, 0, 'g', 12)));
      QVERIFY2(e.backoff10.has_value() == !std::isnan(refBackoff),
               ("back-off present in one model only: " + g).c_str());
      if (e.backoff10) {
        QVERIFY2(std::abs(*e.backoff10 - refBackoff) <= 1e-6,
                 qPrintable(QString("bow(%1): ours %2, reference %3")
                                .arg(g.c_str())
                                .arg(*e.backoff10, 0, 'g', 12)
                                .arg(refBackoff, 0, 'g', 12)));
      }
    }
  }
  // Discounts: the same count-of-counts, D's to 1e-9, the same fallback decision.
  QCOMPARE(lm.discounts().size(), ref.discountLines.size());
  for (std::size_t i = 0; i < ref.discountLines.size(); ++i) {
    const auto& d = lm.discounts()[i];
    std::istringstream in(ref.discountLines[i]);
    std::int64_t t[4];
    double D[3];
    int fallback = 0;
    in >> t[0] >> t[1] >> t[2] >> t[3] >> D[0] >> D[1] >> D[2] >> fallback;
    for (int k = 0; k < 4; ++k) QCOMPARE(d.countOfCounts[k], t[k]);
    QVERIFY2(
        std::abs(d.d1 - D[0]) < 1e-9 && std::abs(d.d2 - D[1]) < 1e-9 &&
            std::abs(d.d3plus - D[2]) < 1e-9,
        ("order " + std::to_string(i + 1) + " discounts differ: " + ref.discountLines[i]).c_str());
    QCOMPARE(d.fallback, fallback == 1);
  }
}

// For each history, sum over the vocabulary (every word but <s>) of
// P(w | history) by back-off lookup; returns the largest |sum - 1|.
double worstNormalisation(const NgramLm& lm,
                          const std::vector<std::vector<std::string>>& histories) {
  std::vector<std::string> vocabulary;
  for (const auto& w : lm.vocabulary())
    if (w != "<s>") vocabulary.push_back(w);
  double worst = 0;
  for (const auto& h : histories) {
    double sum = 0;
    for (const auto& w : vocabulary) sum += std::pow(10.0, *lm.logProb10(h, w));
    worst = std::max(worst, std::abs(sum - 1.0));
  }
  return worst;
}

// Every history the model has (each n-gram below the top order, with or
// without a back-off), the empty one, and a few it has never seen.
std::vector<std::vector<std::string>> allHistories(const NgramLm& lm) {
  std::vector<std::vector<std::string>> hs = {{}, {"zebra"}, {"zebra", "zebra"}, {"</s>", "<s>"}};
  for (int n = 1; n < lm.order(); ++n)
    for (const auto& e : lm.ngrams(n)) hs.push_back(e.words);
  return hs;
}

}  // namespace

class TestNgramLm : public QObject {
  Q_OBJECT

 private slots:
  void testHandWrittenArpaLoadsWithExactProbabilities() {
    const auto lm = NgramLm::parseArpa(kHandArpa, "hand.arpa");
    QCOMPARE(lm.order(), 3);
    QCOMPARE(lm.ngrams(1).size(), std::size_t(5));
    QCOMPARE(lm.ngrams(2).size(), std::size_t(3));
    QCOMPARE(lm.ngrams(3).size(), std::size_t(1));
    QVERIFY((lm.vocabulary() == std::vector<std::string>{"<s>", "a", "b", "</s>", "<unk>"}));
    const NgramEntry& a = lm.ngrams(1)[1];
    QCOMPARE(a.logProb10, -0.6);
    QCOMPARE(*a.backoff10, -0.25);
    QCOMPARE(*lm.ngrams(1)[2].backoff10, -0.2);
    QVERIFY(!lm.ngrams(1)[3].backoff10);  // </s>: none written
    QCOMPARE(lm.ngrams(1)[0].logProb10, -99.0);
    QVERIFY((lm.ngrams(2)[1].words == std::vector<std::string>{"a", "b"}));
    QCOMPARE(*lm.ngrams(2)[1].backoff10, -0.15);
  }

  void testBackoffLookupsMatchHandComputation() {
    const auto lm = NgramLm::parseArpa(kHandArpa, "hand.arpa");
    // Present trigram.
    QCOMPARE(lp(lm, {"<s>", "a"}, "b"), -0.05);
    // "<s> a </s>" absent: bow(<s> a) + ["a </s>" absent: bow(a) + p(</s>)].
    QCOMPARE(lp(lm, {"<s>", "a"}, "</s>"), -0.1 + -0.25 + -1.0);
    // "a b </s>" absent: bow(a b) + p(</s> | b).
    QCOMPARE(lp(lm, {"a", "b"}, "</s>"), -0.15 + -0.2);
    // "b a" absent: bow(b) + p(a).
    QCOMPARE(lp(lm, {"b"}, "a"), -0.2 + -0.6);
    // A history with no entry ("b b") adds no back-off weight.
    QCOMPARE(lp(lm, {"b", "b"}, "a"), -0.2 + -0.6);
    // An unknown word is <unk>: bow(<s>) + p(<unk>).
    QCOMPARE(lp(lm, {"<s>"}, "zebra"), -0.5 + -2.0);
    // An unknown history word is <unk> too: "<unk> a" has no entry, so p(b | a).
    QCOMPARE(lp(lm, {"zebra", "a"}, "b"), -0.4);
    // Only the last order-1 words of a long history count; none at all is the unigram.
    QCOMPARE(lp(lm, {"b", "b", "b", "<s>", "a"}, "b"), -0.05);
    QCOMPARE(lp(lm, {}, "a"), -0.6);
    QCOMPARE(lp(lm, {}, "<s>"), -99.0);
  }

  void testWithoutUnkAnUnknownWordHasNoProbability() {
    std::string text = kHandArpa;
    text.replace(text.find("ngram 1=5"), 9, "ngram 1=4");
    text.erase(text.find("-2\t<unk>\n"), 9);
    const auto lm = NgramLm::parseArpa(text, "no-unk.arpa");
    QVERIFY(!lm.logProb10({"<s>"}, "zebra"));
    // An unknown history word simply shortens the history.
    QCOMPARE(lp(lm, {"zebra", "a"}, "b"), -0.4);
  }

  void testCrlfAndByteOrderMarkAreTolerated() {
    std::string text = "\xEF\xBB\xBF";
    for (const char* c = kHandArpa; *c; ++c) {
      if (*c == '\n') text += '\r';
      text += *c;
    }
    const auto lm = NgramLm::parseArpa(text, "crlf.arpa");
    QCOMPARE(lp(lm, {"<s>", "a"}, "</s>"), -1.35);
    QCOMPARE(lm.vocabulary().front(), std::string("<s>"));
  }

  void testRoundTripGivesIdenticalEntriesAndText() {
    QTemporaryDir tmp;
    const auto lm = NgramLm::parseArpa(kHandArpa, "hand.arpa");
    const std::filesystem::path path = tmp.filePath("lm.arpa").toStdString();
    lm.writeArpa(path);
    const auto back = NgramLm::readArpa(path);
    compareEntries(lm, back);
    const std::string first = understudy::readFile(path);
    QCOMPARE(back.toArpa(), first);
    // Written as other toolkits do: counts in \data\, tab-separated fields.
    QVERIFY(first.rfind("\\data\\\nngram 1=5\nngram 2=3\nngram 3=1\n\n\\1-grams:\n-99\t<s>\t-0.5\n",
                        0) == 0);
    QVERIFY(first.find("\n-0.3\t<s> a\t-0.1\n") != std::string::npos);
    QVERIFY(first.find("\n-1\t</s>\n") != std::string::npos);
    QVERIFY(first.size() > 6 && first.substr(first.size() - 7) == "\n\\end\\\n");
  }

  void testNumbersKeepNineSignificantDigits() {
    // -0.123456789 survives, -1/3 is written with 9 digits and reads back as
    // what was written.
    const std::string text =
        "\\data\\\nngram 1=2\n\n\\1-grams:\n-0.123456789\ta\n-0.333333333333333333\tb\n\\end\\\n";
    const auto lm = NgramLm::parseArpa(text, "digits.arpa");
    const std::string out = lm.toArpa();
    QVERIFY2(out.find("-0.123456789\ta\n") != std::string::npos, out.c_str());
    QVERIFY2(out.find("-0.333333333\tb\n") != std::string::npos, out.c_str());
    QCOMPARE(NgramLm::parseArpa(out, "again").toArpa(), out);
  }

  void testMalformedArpaErrorsNameTheLine() {
    struct Case {
      const char* what;
      std::string from, to;
      long line;
      const char* says;
    };
    const std::vector<Case> cases = {
        {"count too high", "ngram  2 = 3", "ngram 2=4", 16, "'ngram 2=4' (line 5)"},
        {"count too low", "ngram 3=1", "ngram 3=0", 21, "has 1 entries"},
        {"not a number", "-0.4 a b", "-0.4x a b", 18, "'-0.4x' is not a log10 probability"},
        {"bad back-off", "<s> a\t-0.1", "<s> a\tminus", 17, "'minus' is not a log10 back-off"},
        {"too many fields", "-0.2\tb </s>", "-0.2\tb </s> x y", 19, "has 5 fields"},
        {"back-off at the top order", "-0.05\t<s> a b", "-0.05\t<s> a b -0.1", 22, "highest-order"},
        {"positive log prob", "-0.7\tb", "0.7\tb", 11, "is positive"},
        {"unknown word", "-0.4 a b -0.15", "-0.4 a c -0.15", 18, "'c', which is not among"},
        {"duplicate", "-0.2\tb </s>", "-0.4\ta b", 19, "appears twice (first on line 18)"},
        {"section out of order", "\\2-grams:", "\\3-grams:", 16, "expected '\\2-grams:'"},
        {"bad data line", "ngram 3=1", "ngram three=1", 6, "not 'ngram N=count'"},
        {"no \\end\\", "\\end\\", "", 24, "no '\\end\\'"},
        {"undeclared section", "\\end\\", "\\4-grams:\n\\end\\", 24, "does not declare"},
    };
    for (const auto& c : cases) {
      std::string text = kHandArpa;
      const auto at = text.find(c.from);
      QVERIFY2(at != std::string::npos, c.what);
      text.replace(at, c.from.size(), c.to);
      const Error e = arpaError(text);
      const std::string msg = e.message();
      QVERIFY2(e.lineNumber() && *e.lineNumber() == c.line,
               (std::string(c.what) + ": " + msg).c_str());
      QVERIFY2(e.filePath() == "bad.arpa", msg.c_str());
      QVERIFY2(msg.find(c.says) != std::string::npos, (std::string(c.what) + ": " + msg).c_str());
    }
    QVERIFY(std::string(arpaError("just text\n").what()).find("no '\\data\\' line") !=
            std::string::npos);
  }

  void testKneserNeyEqualsIndependentReference() {
    const Sentences text = randomSentences(300, 200, 20);
    for (int order : {1, 2, 3}) {
      const auto lm = NgramLm::estimate(text, {order, true});
      QCOMPARE(lm.order(), order);
      compareWithReference(lm, referenceKneserNey(text, order, true));
      for (std::size_t n = 1; n <= lm.discounts().size(); ++n) {
        const auto& d = lm.discounts()[n - 1];
        qInfo("order-%d model, %zu-grams: t = %lld %lld %lld %lld, D = %.4f %.4f %.4f%s", order, n,
              (long long)d.countOfCounts[0], (long long)d.countOfCounts[1],
              (long long)d.countOfCounts[2], (long long)d.countOfCounts[3], d.d1, d.d2, d.d3plus,
              d.fallback ? " (fallback)" : "");
      }
      // A text this size has adjusted counts 1..4 at every order: the closed form is used.
      for (const auto& d : lm.discounts()) QVERIFY(!d.fallback);
    }
    // Without <unk>: the uniform share goes to the seen words only.
    const auto noUnk = NgramLm::estimate(text, {2, false});
    compareWithReference(noUnk, referenceKneserNey(text, 2, false));
    QVERIFY(!noUnk.logProb10({"w1"}, "zebra"));
  }

  void testKneserNeyOnTinyTextFallsBackToFixedDiscounts() {
    // Count-of-counts with zeros (no trigram seen twice, ...): lmplz's
    // --discount_fallback values 0.5, 1, 1.5, and an empty sentence is "<s> </s>".
    const Sentences text = {{"a", "b"}, {"a"}, {}, {"b", "a", "b"}, {"<unk>", "a"}};
    const auto lm = NgramLm::estimate(text);
    compareWithReference(lm, referenceKneserNey(text, 3, true));
    // Unigrams: adjusted counts 1, 2, 3 are all seen (t4 = 0 is allowed: D3+ = 3).
    QVERIFY(!lm.discounts()[0].fallback);
    QCOMPARE(lm.discounts()[0].d3plus, 3.0);
    // Bigrams and trigrams: none with adjusted count 3 (t3 = 0), so the fallback.
    for (int n : {2, 3}) {
      const auto& d = lm.discounts()[n - 1];
      QCOMPARE(d.countOfCounts[2], std::int64_t(0));
      QVERIFY(d.fallback);
      QCOMPARE(d.d1, 0.5);
      QCOMPARE(d.d2, 1.0);
      QCOMPARE(d.d3plus, 1.5);
    }
    QVERIFY(lm.ngrams(2).size() > 0);
    QVERIFY(worstNormalisation(lm, allHistories(lm)) < 1e-6);
  }

  void testEstimateEqualsKenLmLmplz() {
    // A real lmplz file loads, and our estimate of the same text has the
    // same n-grams with the same values to lmplz's single precision.
    const std::string dir = UNDERSTUDY_SOURCE_DIR "/tests/data/decode/";
    const auto kenlm = NgramLm::readArpa(dir + "lmplz_trigram.arpa");
    Sentences text;
    std::istringstream in(understudy::readFile(dir + "lmplz_trigram.txt"));
    std::string line;
    while (std::getline(in, line)) {
      std::istringstream words(line);
      std::vector<std::string> sentence;
      for (std::string w; words >> w;) sentence.push_back(w);
      text.push_back(sentence);
    }
    QCOMPARE(text.size(), std::size_t(100));
    const auto ours = NgramLm::estimate(text);
    const double lmplzDiscounts[3][3] = {
        {0.838828, 0.970529, 0.763126}, {0.886792, 1.02453, 2.03259}, {0.831283, 1.37654, 2.16872}};
    double worst = 0;
    for (int n = 1; n <= 3; ++n) {
      const auto& d = ours.discounts()[n - 1];
      QVERIFY(std::abs(d.d1 - lmplzDiscounts[n - 1][0]) < 1e-5);
      QVERIFY(std::abs(d.d2 - lmplzDiscounts[n - 1][1]) < 1e-5);
      QVERIFY(std::abs(d.d3plus - lmplzDiscounts[n - 1][2]) < 1e-5);
      std::map<std::vector<std::string>, const NgramEntry*> theirs;
      for (const auto& e : kenlm.ngrams(n)) theirs[e.words] = &e;
      QCOMPARE(ours.ngrams(n).size(), theirs.size());
      for (const auto& e : ours.ngrams(n)) {
        const auto it = theirs.find(e.words);
        QVERIFY2(it != theirs.end(), ("not in lmplz's model: " + joined(e.words)).c_str());
        const NgramEntry& k = *it->second;
        if (n == 1 && e.words[0] == "<s>") {
          QCOMPARE(e.logProb10, -99.0);  // lmplz: 0 (probability 1), never used
          QCOMPARE(k.logProb10, 0.0);
        } else {
          worst = std::max(worst, std::abs(e.logProb10 - k.logProb10));
          QVERIFY2(std::abs(e.logProb10 - k.logProb10) < 1e-6,
                   qPrintable(QString("p(%1): ours %2, lmplz %3")
                                  .arg(joined(e.words).c_str())
                                  .arg(e.logProb10, 0, 'g', 10)
                                  .arg(k.logProb10, 0, 'g', 10)));
        }
        // lmplz writes 0 where the n-gram is no history; we write none.
        const double ourBackoff = e.backoff10.value_or(0), theirBackoff = k.backoff10.value_or(0);
        worst = std::max(worst, std::abs(ourBackoff - theirBackoff));
        QVERIFY2(std::abs(ourBackoff - theirBackoff) < 1e-6,
                 ("back-off of " + joined(e.words)).c_str());
      }
    }
    qInfo("our estimate vs lmplz's: largest log10 difference %.2g", worst);
  }

  void testEveryHistorySumsToOne() {
    const Sentences text = randomSentences(300, 200, 20);
    for (int order : {1, 2, 3}) {
      for (bool addUnk : {true, false}) {
        const auto lm = NgramLm::estimate(text, {order, addUnk});
        const auto histories = allHistories(lm);
        const double worst = worstNormalisation(lm, histories);
        qInfo("order %d%s: %zu histories, worst |sum - 1| = %.2e", order,
              addUnk ? "" : " (no <unk>)", histories.size(), worst);
        QVERIFY2(worst < 1e-6, qPrintable(QString("worst |sum - 1| = %1").arg(worst)));
      }
    }
  }

  void testSpecialTokensAndBackoffForm() {
    const Sentences text = randomSentences(300, 200, 20);
    const auto lm = NgramLm::estimate(text);
    const auto vocabulary = lm.vocabulary();
    QVERIFY((std::vector<std::string>(vocabulary.begin(), vocabulary.begin() + 3) ==
             std::vector<std::string>{"<unk>", "<s>", "</s>"}));
    QCOMPARE(*lm.logProb10({}, "<s>"), -99.0);
    const auto& bos = lm.ngrams(1)[1];
    QVERIFY(bos.backoff10.has_value());               // <s> is a history
    QVERIFY(!lm.ngrams(1)[2].backoff10.has_value());  // </s> never is
    // <unk> was never seen: its probability is the uniform share only, below every seen word's.
    for (std::size_t k = 2; k < lm.ngrams(1).size(); ++k)
      QVERIFY(lm.ngrams(1)[0].logProb10 < lm.ngrams(1)[k].logProb10);
    // Back-off weights exactly on the n-grams that are histories of longer ones.
    for (int n = 1; n < lm.order(); ++n) {
      std::set<std::vector<std::string>> histories;
      for (const auto& e : lm.ngrams(n + 1))
        histories.insert(std::vector<std::string>(e.words.begin(), e.words.end() - 1));
      for (const auto& e : lm.ngrams(n))
        QCOMPARE(e.backoff10.has_value(), histories.count(e.words) == 1);
    }
    // Deterministic: the same text gives the same file.
    QCOMPARE(NgramLm::estimate(text).toArpa(), lm.toArpa());
  }

  void testEstimatedModelRoundTripsThroughArpa() {
    QTemporaryDir tmp;
    const auto lm = NgramLm::estimate(randomSentences(300, 200, 7));
    const std::filesystem::path path = tmp.filePath("kn.arpa").toStdString();
    lm.writeArpa(path);
    const auto back = NgramLm::readArpa(path);
    compareEntries(lm, back);  // bit for bit: estimate() keeps what the file can hold
    QCOMPARE(back.toArpa(), understudy::readFile(path));
  }

  void testEstimationRefusesBadInput() {
    struct Case {
      Sentences text;
      int order;
      long line;  // 0: none
      const char* says;
    };
    const std::vector<Case> cases = {
        {{{"a"}, {"b", "<s>"}}, 3, 2, "sentence 2: the sentence marker '<s>'"},
        {{{"a"}, {"b"}, {"</s>"}}, 3, 3, "sentence marker '</s>'"},
        {{{"a", ""}}, 3, 1, "an empty word"},
        {{{"a b"}}, 3, 1, "whitespace in the word"},
        {{}, 3, 0, "no sentences"},
        {{{"a"}}, 4, 0, "order 4 is not supported"},
        {{{"a"}}, 0, 0, "order 0 is not supported"},
    };
    for (const auto& c : cases) {
      try {
        NgramLm::estimate(c.text, {c.order, true});
        QFAIL(c.says);
      } catch (const Error& e) {
        QVERIFY2(std::string(e.what()).find(c.says) != std::string::npos, e.what());
        QCOMPARE(e.lineNumber().value_or(0), c.line);
        QVERIFY2(!e.hintText().empty(), e.what());
      }
    }
  }

  void testFortyThousandSentencesEstimateQuickly() {
    const Sentences text = randomSentences(40000, 2000, 3);
    QElapsedTimer timer;
    timer.start();
    const auto lm = NgramLm::estimate(text);
    const double seconds = timer.nsecsElapsed() / 1e9;
    timer.restart();
    const std::string arpa = lm.toArpa();
    const double writeSeconds = timer.nsecsElapsed() / 1e9;
    timer.restart();
    const auto back = NgramLm::parseArpa(arpa, "big.arpa");
    const double readSeconds = timer.nsecsElapsed() / 1e9;
    qInfo("40000 sentences: estimate %.3f s (%zu/%zu/%zu n-grams), toArpa %.3f s, parseArpa %.3f s",
          seconds, lm.ngrams(1).size(), lm.ngrams(2).size(), lm.ngrams(3).size(), writeSeconds,
          readSeconds);
    QCOMPARE(back.ngrams(3).size(), lm.ngrams(3).size());
    // Generous for 2 shared cores; a quadratic slip takes minutes.
    QVERIFY2(seconds < 5.0, qPrintable(QString("estimate took %1 s").arg(seconds)));
  }

  void testMissingFileIsNamed() {
    try {
      NgramLm::readArpa("/nonexistent/lm.arpa");
      QFAIL("no error");
    } catch (const Error& e) {
      QCOMPARE(e.filePath(), std::string("/nonexistent/lm.arpa"));
    }
  }
};

QTEST_GUILESS_MAIN(TestNgramLm)
#include "test_ngram_lm.moc"
