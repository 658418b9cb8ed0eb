// core/util: errors, events, atomic files, checksums, YAML config, progress,
// shell quoting.
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/util/atomic_file.h"
#include "core/util/checksum.h"
#include "core/util/config_hash.h"
#include "core/util/error.h"
#include "core/util/events.h"
#include "core/util/log.h"
#include "core/util/progress.h"
#include "core/util/shell_quote.h"
#include "core/util/text_fields.h"
#include "core/util/yaml_config.h"
#include "core/util/yaml_flatten.h"

using namespace understudy;
namespace fs = std::filesystem;

class TestUtil : public QObject {
  Q_OBJECT

 private slots:
  // A config as dotted keys, in document order: nested maps joined with '.',
  // a sequence one value in flow style, a null an empty value, comments not keys.
  void testFlattenYamlGivesDottedKeysInDocumentOrder() {
    const FlatYaml flat = flattenYaml(
        "# distributed: 2 ranks, algorithm gtc, backend gloo\n"
        "name: s1\n"
        "data:\n"
        "  train: [lab, lab2]\n"
        "  soft:\n"
        "    - {dataset: unlab, model: teacher}\n"
        "  feature_set: ''\n"
        "optimizer:\n"
        "  lr: 0.003\n"
        "  nested: {deep: {er: 1}}\n"
        "empty_map: {}\n"
        "none: ~\n"
        "list: []\n");
    const FlatYaml want{{"name", "s1"},
                        {"data.train", "[lab, lab2]"},
                        {"data.soft", "[{dataset: unlab, model: teacher}]"},
                        {"data.feature_set", ""},
                        {"optimizer.lr", "0.003"},
                        {"optimizer.nested.deep.er", "1"},
                        {"none", ""},
                        {"list", "[]"}};
    QCOMPARE(flat, want);
    QVERIFY(flattenYaml("").empty());
    QVERIFY(flattenYaml("# only a comment\n").empty());
    QCOMPARE(flattenYaml("just text"), (FlatYaml{{"", "just text"}}));
    try {
      flattenYaml("a: 1\nb: [unclosed\n", "run 7");
      QFAIL("malformed YAML was accepted");
    } catch (const Error& e) {
      QVERIFY2(e.message().find("run 7") != std::string::npos, e.message().c_str());
      QVERIFY2(e.message().find("malformed YAML") != std::string::npos, e.message().c_str());
    }
  }

  void testErrorMessageNamesFileLineUtteranceAndHint() {
    Error e = US_ERROR("duration mismatch");
    e.file("data/wav.scp").line(12).utterance("spk1-utt3").hint("fix the segments file");
    QCOMPARE(QString::fromStdString(e.message()),
             QString("data/wav.scp:12: utterance 'spk1-utt3': duration mismatch "
                     "(hint: fix the segments file)"));
    QCOMPARE(QString(e.what()), QString::fromStdString(e.message()));
    QVERIFY(QString(e.sourceFile()).endsWith("test_util.cpp"));
    QVERIFY(e.sourceLine() > 0);
  }

  void testLogHandlerReceivesOnlyEnabledLevels() {
    std::vector<std::pair<log::Level, std::string>> seen;
    log::setHandler([&](log::Level l, std::string_view m) { seen.emplace_back(l, std::string(m)); });
    log::setLevel(log::Level::Warning);
    log::info("hidden {}", 1);
    log::warning("shown {}", 2);
    log::error("also {}", 3);
    log::setHandler({});
    log::setLevel(log::Level::Info);
    QCOMPARE(seen.size(), std::size_t(2));
    QCOMPARE(seen[0].second, std::string("shown 2"));
    QCOMPARE(seen[1].first, log::Level::Error);
    QVERIFY_THROWS_EXCEPTION(Error, log::parseLevel("loud"));
  }

  void testEventStreamRoundTrip() {
    std::stringstream stream;
    EventWriter writer(stream, 42);
    writer.metric("train/loss", 120, 2.3125, {{"epoch", 1}});
    writer.progress("features", 30, 120);
    writer.status("finished", {{"model", "teacher"}});
    std::vector<Event> events;
    std::string line;
    long n = 0;
    while (std::getline(stream, line)) events.push_back(Event::fromLine(line, ++n));
    QCOMPARE(events.size(), std::size_t(3));
    QCOMPARE(events[0].runId, std::int64_t(42));
    QCOMPARE(events[0].type, std::string("metric"));
    QCOMPARE(events[0].name, std::string("train/loss"));
    QCOMPARE(*events[0].step, std::int64_t(120));
    QCOMPARE(*events[0].value, 2.3125);
    QCOMPARE(events[0].extra["epoch"].get<int>(), 1);
    QVERIFY(events[0].time > 1.7e9);
    QCOMPARE(events[1].extra["total"].get<int>(), 120);
    QCOMPARE(*events[1].value, 0.25);
    QVERIFY(!events[2].step.has_value());
    QCOMPARE(events[2].extra["model"].get<std::string>(), std::string("teacher"));
    // Serialising what was parsed gives the same line back.
    Event again = Event::fromLine(events[0].toLine());
    QCOMPARE(again.toLine(), events[0].toLine());
  }

  void testEventParseErrorsNameTheLine() {
    try {
      Event::fromLine("{\"type\": \"metric\"", 7);
      QFAIL("no error");
    } catch (const Error& e) {
      QCOMPARE(e.lineNumber().value_or(-1), 7L);
    }
    QVERIFY_THROWS_EXCEPTION(Error, Event::fromLine("{\"name\": \"x\"}"));  // no time/type
    QVERIFY_THROWS_EXCEPTION(Error, Event::fromLine("[1,2]"));
  }

  void testAtomicWriteReplacesWholeFile() {
    QTemporaryDir dir;
    const fs::path target = dir.filePath("index").toStdString();
    writeFileAtomically(target, "old contents");
    writeFileAtomically(target, "new contents, longer than before");
    QCOMPARE(QString::fromStdString(readFile(target)), QString("new contents, longer than before"));
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files).size(), 1);  // no temp left behind
  }

  void testAtomicFileNotCommittedLeavesOldFileAndNoTemp() {
    QTemporaryDir dir;
    const fs::path target = dir.filePath("model.bin").toStdString();
    writeFileAtomically(target, "old");
    {
      AtomicFile out(target);
      out.write("half-written new");
    }  // destroyed without commit, as after an exception
    QCOMPARE(QString::fromStdString(readFile(target)), QString("old"));
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files).size(), 1);
  }

  void testAtomicWriterKilledBetweenWriteAndRenameLeavesOldFile() {
    QTemporaryDir dir;
    const fs::path target = dir.filePath("store.index").toStdString();
    writeFileAtomically(target, "committed version 1");
    const pid_t child = ::fork();
    if (child == 0) {
      AtomicFile out(target);
      out.write(std::string(1 << 20, 'x'));
      out.sync();  // the new bytes are on disk, but not yet renamed
      ::kill(::getpid(), SIGKILL);
      ::_exit(0);
    }
    int status = 0;
    ::waitpid(child, &status, 0);
    QVERIFY(WIFSIGNALED(status));
    QCOMPARE(WTERMSIG(status), SIGKILL);
    QCOMPARE(QString::fromStdString(readFile(target)), QString("committed version 1"));
    // The killed writer's temp file is there, and it never replaced the target.
    QStringList temps = QDir(dir.path()).entryList({"store.index.tmp.*"}, QDir::Files);
    QCOMPARE(temps.size(), 1);
    QCOMPARE(QFileInfo(dir.filePath(temps[0])).size(), qint64(1 << 20));
  }

  void testAtomicFileReportsUnwritableFolder() {
    QVERIFY_THROWS_EXCEPTION(Error, AtomicFile(fs::path("/nonexistent-dir/x/y")));
  }

  void testChecksumMatchesIncrementalAndDetectsChange() {
    std::string data(100000, '\0');
    for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 7 + 3);
    const std::uint64_t whole = checksum64(data);
    Checksum64 inc;
    inc.update(data.data(), 12345);
    inc.update(data.data() + 12345, data.size() - 12345);
    QCOMPARE(inc.digest(), whole);
    data[50000] ^= 1;
    QVERIFY(checksum64(data) != whole);
    QCOMPARE(toHex(0x1234abcdULL), std::string("000000001234abcd"));
    // XXH3-64 of the empty input, from the xxHash specification's test vectors.
    QCOMPARE(checksum64("", 0), 0x2D06800538D394C2ULL);
  }

  void testFileChecksumEqualsBufferChecksum() {
    QTemporaryDir dir;
    const fs::path p = dir.filePath("f").toStdString();
    writeFileAtomically(p, "some bytes for hashing");
    QCOMPARE(fileChecksum64(p), checksum64(std::string_view("some bytes for hashing")));
  }

  void testFileChecksumCoversEveryBlockOfALargeFile() {
    // fileChecksum64 streams 1 MiB blocks: 2.5 MiB + 7 bytes spans three
    // blocks, the last one partial. The reference is the one-shot XXH3 of
    // the same bytes in memory.
    QTemporaryDir dir;
    const fs::path p = dir.filePath("big").toStdString();
    std::string data((5u << 19) + 7, '\0');
    std::uint32_t s = 99;
    for (char& c : data) c = static_cast<char>((s = s * 1664525u + 1013904223u) >> 24);
    writeFileAtomically(p, data);
    QCOMPARE(fileChecksum64(p), checksum64(data));
    data.back() ^= 1;  // the last byte counts
    writeFileAtomically(p, data);
    QCOMPARE(fileChecksum64(p), checksum64(data));
    // An empty file (an empty record): XXH3-64 of no bytes, from the xxHash spec.
    writeFileAtomically(p, "");
    QCOMPARE(fileChecksum64(p), 0x2D06800538D394C2ULL);
    QVERIFY_THROWS_EXCEPTION(Error, fileChecksum64(dir.filePath("missing").toStdString()));
  }

  void testAtomicFileInAnUnwritableFolderNamesTheFile() {
    // sysfs accepts no new files, even for root (a chmod'ed folder would not
    // stop root, which runs these tests in containers).
    try {
      AtomicFile out(fs::path("/sys/understudy-test-file"));
      QFAIL("a file was created in /sys");
    } catch (const Error& e) {
      QVERIFY2(e.filePath().rfind("/sys/understudy-test-file.tmp.", 0) == 0, e.what());
      QVERIFY2(e.hintText().find("writable") != std::string::npos, e.what());
    }
  }

  void testAtomicFileFailedRenameLeavesTargetAndNoTemp() {
    // The target is an existing folder: writing works, the rename fails.
    QTemporaryDir dir;
    const fs::path target = dir.filePath("folder").toStdString();
    fs::create_directories(target / "inside");
    {
      AtomicFile out(target);
      out.write("bytes");
      try {
        out.commit();
        QFAIL("a file replaced a folder");
      } catch (const Error& e) {
        QCOMPARE(e.filePath(), target.string());
      }
    }
    QVERIFY(fs::is_directory(target / "inside"));
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden).size(), 0);  // no temp left
  }

  void testConfigHashIsXxh3HexAndStepKeysKeepPartsApart() {
    QCOMPARE(configHash(std::string_view("")), std::string("2d06800538d394c2"));  // XXH3-64 of no bytes
    QCOMPARE(configHash(std::string_view("lr: 0.001\n")).size(), std::size_t(16));
    QVERIFY(configHash(std::string_view("lr: 0.001\n")) != configHash(std::string_view("lr: 0.002\n")));
    // The same parts cut differently, or under another kind, are other steps.
    QVERIFY(configHash("train", {"ab", "c"}) != configHash("train", {"a", "bc"}));
    QVERIFY(configHash("train", {"ab"}) != configHash("label", {"ab"}));
    QCOMPARE(configHash("train", {"ab", "c"}), configHash("train", {"ab", "c"}));
  }
  void testYamlReadsKnownKeysAndKeepsDefaults() {
    auto top = YamlSection::loadString("model:\n  layers: 5\n  kind: blstm\nseed: 7\n", "t.yaml");
    auto model = top.child("model");
    int layers = 1, cells = 256, seed = 0;
    std::string kind;
    model.read("layers", layers);
    model.read("cells", cells);
    model.read("kind", kind);
    model.finish();
    top.read("seed", seed);
    top.finish();
    QCOMPARE(layers, 5);
    QCOMPARE(cells, 256);
    QCOMPARE(kind, std::string("blstm"));
    QCOMPARE(seed, 7);
  }

  void testYamlUnknownKeyNamesKeyAndLine() {
    auto top = YamlSection::loadString("model:\n  layers: 5\n  layrs: 6\n", "cfg.yaml");
    auto model = top.child("model");
    int layers = 0;
    model.read("layers", layers);
    try {
      model.finish();
      QFAIL("unknown key accepted");
    } catch (const Error& e) {
      QCOMPARE(e.keyName(), std::string("model.layrs"));
      QCOMPARE(e.lineNumber().value_or(-1), 3L);
      QCOMPARE(e.filePath(), std::string("cfg.yaml"));
    }
  }

  void testYamlWrongTypeAndMalformedDocument() {
    auto top = YamlSection::loadString("layers: five\n", "c.yaml");
    int layers = 0;
    try {
      top.read("layers", layers);
      QFAIL("wrong type accepted");
    } catch (const Error& e) {
      QCOMPARE(e.keyName(), std::string("layers"));
      QCOMPARE(e.lineNumber().value_or(-1), 1L);
    }
    try {
      YamlSection::loadString("a: [1, 2\nb: 3\n", "bad.yaml");
      QFAIL("malformed YAML accepted");
    } catch (const Error& e) {
      QVERIFY(e.lineNumber().has_value());
      QCOMPARE(e.filePath(), std::string("bad.yaml"));
    }
  }

  void testProgressTrackerComputesRateAndEta() {
    struct Sink : ProgressSink {
      std::vector<ProgressState> states;
      bool stop = false;
      void onProgress(const ProgressState& s) override { states.push_back(s); }
      bool cancelled() const override { return stop; }
    } sink;
    ProgressTracker tracker(&sink, "features", 100, "utt", 0.0);
    tracker.advance(10);
    QTest::qWait(50);
    tracker.advance(10);
    QVERIFY(!sink.states.empty());
    const ProgressState s = tracker.state();
    QCOMPARE(s.done, std::int64_t(20));
    QVERIFY(s.rate > 0);
    QVERIFY(s.etaSeconds > 0);
    // ETA is the remaining work at the observed rate.
    QVERIFY(std::abs(s.etaSeconds - 80.0 / s.rate) < 1e-6 * s.etaSeconds + 1e-3);
    tracker.throwIfCancelled();
    sink.stop = true;
    QVERIFY_THROWS_EXCEPTION(Error, tracker.throwIfCancelled());
    QCOMPARE(formatDuration(3725), std::string("1h02m"));
    QCOMPARE(formatDuration(65), std::string("1m05s"));
  }

  void testFieldLinesSplitAtWhitespaceAndCountEveryLine() {
    using Fields = std::vector<std::string>;
    const std::string text =
        "a 1\r\n"          // CRLF
        "\n"               // blank: counted, left out
        "  b\t\t2  x \n"   // tabs, leading and trailing blanks
        ";;; note\n"       // a comment only when asked
        " ;;; indented\n"  // not at the line's start: never a comment
        "\v\f \r\n"        // whitespace only
        "last";            // no final newline
    const auto lines = fieldLines(text);
    QCOMPARE(lines.size(), std::size_t(5));
    QCOMPARE(lines[0].number, 1L);
    QCOMPARE(lines[0].fields, (Fields{"a", "1"}));
    QCOMPARE(lines[1].number, 3L);
    QCOMPARE(lines[1].fields, (Fields{"b", "2", "x"}));
    QCOMPARE(lines[2].number, 4L);
    QCOMPARE(lines[2].fields, (Fields{";;;", "note"}));
    QCOMPARE(lines[3].fields, (Fields{";;;", "indented"}));
    QCOMPARE(lines[4].number, 7L);
    QCOMPARE(lines[4].fields, (Fields{"last"}));

    const auto uncommented = fieldLines(text, ";;;");
    QCOMPARE(uncommented.size(), std::size_t(4));
    QCOMPARE(uncommented[2].number, 5L);
    QCOMPARE(uncommented[2].fields, (Fields{";;;", "indented"}));
    QCOMPARE(uncommented[3].number, 7L);
    QVERIFY(fieldLines("").empty());
    QVERIFY(fieldLines(" \n\t\n").empty());

    // A byte-order mark only at the very start is dropped.
    QCOMPARE(withoutByteOrderMark("\xEF\xBB\xBFsil 0\n"), std::string_view("sil 0\n"));
    QCOMPARE(withoutByteOrderMark("sil\xEF\xBB\xBF"), std::string_view("sil\xEF\xBB\xBF"));
    QCOMPARE(withoutByteOrderMark("\xEF\xBB"), std::string_view("\xEF\xBB"));
    QCOMPARE(fieldLines("\xEF\xBB\xBF<eps> 0\n")[0].fields[0], std::string("\xEF\xBB\xBF<eps>"));
  }
  // What /bin/sh makes of `script`, run in `folder`: each word printf sees,
  // NUL-terminated.
  static std::vector<std::string> wordsTheShellSees(const QString& folder, const std::string& script) {
    QProcess sh;
    sh.setWorkingDirectory(folder);
    sh.start("/bin/sh", {"-c", QString::fromStdString(script)});
    if (!sh.waitForFinished(10000) || sh.exitCode() != 0) return {"<sh failed>"};
    const QByteArray out = sh.readAllStandardOutput();
    std::vector<std::string> words;
    std::string word;
    for (char c : out) {
      if (c == '\0') {
        words.push_back(word);
        word.clear();
      } else {
        word += c;
      }
    }
    if (!word.empty()) words.push_back("<unterminated>" + word);
    return words;
  }

  // The one ssh command line: BatchMode always (no password prompt), the
  // test's config file when UNDERSTUDY_SSH_CONFIG is set, -p / -l only when
  // they differ from ssh's defaults, and "--" before the host.
  void testSshArgvHasBatchModeConfigPortUserAndDashDash() {
    qunsetenv("UNDERSTUDY_SSH_CONFIG");
    const std::vector<std::string> plain = understudy::sshArgv({"gpu1", "", 22}, 20);
    const std::vector<std::string> plainWanted = {"ssh", "-o", "BatchMode=yes", "-o",
                                                  "ConnectTimeout=20", "--", "gpu1"};
    QVERIFY(plain == plainWanted);
    qputenv("UNDERSTUDY_SSH_CONFIG", "/tmp/x config");
    const std::vector<std::string> full = understudy::sshArgv({"-oProxyCommand=x", "me", 2222}, 5);
    qunsetenv("UNDERSTUDY_SSH_CONFIG");
    const std::vector<std::string> fullWanted = {
        "ssh", "-F", "/tmp/x config", "-o", "BatchMode=yes", "-o", "ConnectTimeout=5",
        "-p", "2222", "-l", "me", "--", "-oProxyCommand=x"};
    QVERIFY(full == fullWanted);
  }

  void testShellQuoteRoundTripsNastyWordsThroughSh() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::vector<std::string> nasty = {
        "plain",        "two words", "it's",  "say \"hi\"", "$(touch PWNED)", "`touch PWNED`",
        "a; touch PWNED", "x && touch PWNED", "line\nbreak", "", "*", "~", "~/x", "-n",
        "--version",    "$HOME",     "\\",    "'",         "''",             "'\\''",
        "tab\there",    "a|b>c<d",   "#not a comment", "\xC3\xA9t\xC3\xA9", "!", "{a,b}"};
    // Each word alone.
    for (const std::string& word : nasty) {
      const auto seen = wordsTheShellSees(dir.path(), "printf '%s\\0' " + shellQuote(word));
      QCOMPARE(seen, std::vector<std::string>{word});
    }
    // All of them as one command line: the same words, in order.
    QCOMPARE(wordsTheShellSees(dir.path(), "printf '%s\\0' " + shellCommand(nasty)), nasty);
    // Quoted twice (a command line handed to another `sh -c`) still arrives whole.
    const std::string inner = shellCommand({"printf", "%s\\0"}) + " " + shellCommand(nasty);
    QCOMPARE(wordsTheShellSees(dir.path(), shellCommand({"sh", "-c", inner})), nasty);
    // Nothing was run.
    QVERIFY(!QFileInfo::exists(dir.filePath("PWNED")));
    QCOMPARE(shellQuote(""), std::string("''"));
    QCOMPARE(shellQuote("it's"), std::string("'it'\\''s'"));
    QCOMPARE(shellCommand({}), std::string());
  }
};

QTEST_GUILESS_MAIN(TestUtil)
#include "test_util.moc"
