// core/decode NgramLm: ARPA read/write (hand-written files with lookups
// computed by hand, round trips, errors that name the line).
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <string>

#include "core/decode/ngram_lm.h"
#include "core/util/atomic_file.h"
#include "core/util/error.h"

using understudy::Error;
using understudy::decode::NgramEntry;
using understudy::decode::NgramLm;

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
        {"back-off at the top order", "-0.05\t<s> a b", "-0.05\t<s> a b -0.1", 22,
         "highest-order"},
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
