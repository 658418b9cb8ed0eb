// core/recipe: config field tables (core/recipe/field_table.h) on a small
// struct written for the test: canonical YAML with every key in the table's
// order, round trips, the key reference, strict reading (unknown key and
// wrong type name key and line), the one range-error format with the key's
// line, cross-field rules through the same helper, --set overrides; and the
// test binary itself links no LibTorch (the configs must stay torch-free).
#include <QtTest>

#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include "core/recipe/field_table.h"
#include "core/util/error.h"
#include "core/util/yaml_config.h"
#include "support/expect_error.h"

using namespace understudy;
using namespace understudy::recipe;
using understudy::test::expectError;

namespace {

struct Inner {
  int steps = 5;
  double rate = 0.5;
};

struct Toy {
  std::string name = "toy";
  std::string mode = "a";
  double fraction = 0.1;
  std::int64_t count = 3;
  bool flag = true;
  std::vector<std::string> sets;
  std::string label;
  Inner inner;
  int every = 10;  // written under `checks:` (a group of the owner's own members)
};

const FieldTable<Inner>& innerFields() {
  static const auto table = FieldTable<Inner>()
                                .field("steps", &Inner::steps, "steps per block", Range::atLeast(1))
                                .field("rate", &Inner::rate, "block rate", Range::openClosed(0, 1));
  return table;
}

const FieldTable<Toy>& toyFields() {
  static const auto table =
      FieldTable<Toy>()
          .field("name", &Toy::name, "the toy's name")
          .field("mode", &Toy::mode, "how it plays", Range::oneOf({"a", "b"}))
          .field("fraction", &Toy::fraction, "share held out", Range::closedOpen(0, 1))
          .field("count", &Toy::count, "how many", Range::atLeast(0).note("0 = all"))
          .field("flag", &Toy::flag, "a switch")
          .field("sets", &Toy::sets, "dataset names")
          .field("label", &Toy::label, "a quoted label")
          .quoted()
          .section("inner", &Toy::inner, innerFields(), "the inner part")
          .group("checks", FieldTable<Toy>().field("every", &Toy::every, "steps between checks", Range::atLeast(1)),
                 "checks")
          .rule([](const Toy& t, const Scope& scope) {
            if (t.mode == "b" && t.count == 0) throw scope.outOfRange("count", t.count, ">= 1 when mode is b");
          });
  return table;
}

const char* kDefaultYaml =
    "name: toy\nmode: a\nfraction: 0.1\ncount: 3\nflag: true\nsets: []\nlabel: ''\n"
    "inner:\n  steps: 5\n  rate: 0.5\nchecks:\n  every: 10\n";

Toy read(const std::string& yaml, const std::string& name = "toy.yaml") {
  YamlSection s = YamlSection::loadString(yaml, name);
  Toy t;
  toyFields().read(s, t);
  validateAt(s, [&] { toyFields().validate(t, Scope("toy")); });
  return t;
}

}  // namespace

class TestRecipe : public QObject {
  Q_OBJECT

 private slots:
  // ---- the machinery, on Toy ------------------------------------------------

  void testToYamlWritesEveryKeyInTableOrder() {
    QCOMPARE(QString::fromStdString(toyFields().toYaml(Toy{})), QString(kDefaultYaml));
    Toy t;
    t.label = "x y";
    t.sets = {"a", "b"};
    QVERIFY(toyFields().toYaml(t, "  ").find("  sets: [a, b]\n  label: 'x y'\n") != std::string::npos);
  }

  void testKeysListEveryKeyWithDefaultRangeAndHelp() {
    const auto keys = toyFields().keys();
    QStringList names;
    for (const auto& k : keys) {
      names << QString::fromStdString(k.key);
      QVERIFY2(!k.help.empty(), k.key.c_str());
    }
    QCOMPARE(names.join(","), QString("name,mode,fraction,count,flag,sets,label,inner.steps,inner.rate,checks.every"));
    QCOMPARE(QString::fromStdString(keys[2].defaultValue), QString("0.1"));
    QCOMPARE(QString::fromStdString(keys[2].range), QString("[0, 1)"));
    QCOMPARE(QString::fromStdString(keys[1].range), QString("a | b"));
    QCOMPARE(QString::fromStdString(keys[3].range), QString(">= 0 (0 = all)"));
    QCOMPARE(QString::fromStdString(keys[8].key + "=" + keys[8].defaultValue + " " + keys[8].range),
             QString("inner.rate=0.5 (0, 1]"));
    QCOMPARE(QString::fromStdString(keys[0].range), QString(""));
  }

  void testRoundTripKeepsEveryValue() {
    Toy t;
    t.name = "other";
    t.mode = "b";
    t.fraction = 0.25;
    t.count = 7;
    t.flag = false;
    t.sets = {"x", "y"};
    t.label = "lab el";
    t.inner.steps = 9;
    t.inner.rate = 0.125;
    t.every = 4;
    const std::string yaml = toyFields().toYaml(t);
    const Toy back = read(yaml);
    QCOMPARE(QString::fromStdString(toyFields().toYaml(back)), QString::fromStdString(yaml));
    QCOMPARE(back.inner.steps, 9);
    QCOMPARE(back.every, 4);
    QCOMPARE(back.label, std::string("lab el"));
    QCOMPARE(back.flag, false);
    QVERIFY(yaml != kDefaultYaml);
  }

  void testAbsentKeysKeepTheirDefaults() {
    const Toy t = read("inner:\n  rate: 0.75\n");
    QCOMPARE(t.inner.rate, 0.75);
    QCOMPARE(t.inner.steps, 5);
    QCOMPARE(t.name, std::string("toy"));
    QCOMPARE(t.every, 10);
  }

  void testUnknownKeyNamesKeyAndLine() {
    for (const auto& [yaml, key, line] :
         std::vector<std::tuple<std::string, std::string, long>>{{"name: t\nnmae: u\n", "nmae", 2},
                                                                  {"inner:\n  steps: 2\n  rat: 0.1\n", "inner.rat", 3},
                                                                  {"checks:\n  evry: 3\n", "checks.evry", 2}}) {
      try {
        read(yaml);
        QFAIL(("accepted " + key).c_str());
      } catch (const Error& e) {
        QCOMPARE(QString::fromStdString(e.keyName()), QString::fromStdString(key));
        QCOMPARE(e.lineNumber().value_or(-1), line);
        QVERIFY2(e.message().find("unknown key") != std::string::npos, e.what());
        QCOMPARE(QString::fromStdString(e.filePath()), QString("toy.yaml"));
      }
    }
  }

  void testWrongTypeNamesKeyAndLine() {
    try {
      read("name: t\ninner:\n  steps: many\n");
      QFAIL("accepted steps: many");
    } catch (const Error& e) {
      QCOMPARE(QString::fromStdString(e.keyName()), QString("inner.steps"));
      QCOMPARE(e.lineNumber().value_or(-1), 3L);
    }
  }

  void testRangeErrorNamesKeyValueRangeAndLine_data() {
    QTest::addColumn<QString>("yaml");
    QTest::addColumn<QString>("message");
    QTest::addColumn<long>("line");
    QTest::newRow("closed-open") << "name: t\nfraction: 1\n"
                                 << "toy option fraction = 1 is out of range (allowed: [0, 1))" << 2L;
    QTest::newRow("choices") << "mode: c\n" << "toy option mode = c is out of range (allowed: a | b)" << 1L;
    QTest::newRow("at least, note") << "flag: false\ncount: -2\n"
                                    << "toy option count = -2 is out of range (allowed: >= 0 (0 = all))" << 2L;
    QTest::newRow("section") << "inner:\n  steps: 2\n  rate: 0\n"
                             << "toy option inner.rate = 0 is out of range (allowed: (0, 1])" << 3L;
    QTest::newRow("group") << "checks:\n  every: 0\n"
                           << "toy option checks.every = 0 is out of range (allowed: >= 1)" << 2L;
    QTest::newRow("nan") << "fraction: .nan\n" << "toy option fraction = nan is out of range (allowed: [0, 1))"
                         << 1L;
    QTest::newRow("rule") << "mode: b\n\ncount: 0\n"
                          << "toy option count = 0 is out of range (allowed: >= 1 when mode is b)" << 3L;
  }
  void testRangeErrorNamesKeyValueRangeAndLine() {
    QFETCH(QString, yaml);
    QFETCH(QString, message);
    QFETCH(long, line);
    try {
      read(yaml.toStdString());
      QFAIL("accepted a value out of range");
    } catch (const Error& e) {
      QCOMPARE(QString::fromStdString(e.what_()), message);
      QCOMPARE(e.lineNumber().value_or(-1), line);
      QCOMPARE(QString::fromStdString(e.filePath()), QString("toy.yaml"));
    }
  }

  void testRangeTexts() {
    QCOMPARE(QString::fromStdString(Range::open(0, 100).text()), QString("(0, 100)"));
    QCOMPARE(QString::fromStdString(Range::closed(1, 86400).text()), QString("[1, 86400]"));
    QCOMPARE(QString::fromStdString(Range::above(0).text()), QString("> 0"));
    QCOMPARE(QString::fromStdString(Range::below(1).note("negative = auto").text()), QString("< 1 (negative = auto)"));
    QVERIFY(Range::closedOpen(0, 1).contains(0.0));
    QVERIFY(!Range::closedOpen(0, 1).contains(1.0));
    QVERIFY(!Range::openClosed(0, 1).contains(0.0));
    QVERIFY(Range::openClosed(0, 1).contains(1.0));
    QVERIFY(!Range::atLeast(0).contains(std::numeric_limits<double>::infinity()));
    QVERIFY(Range::any().contains(std::numeric_limits<double>::infinity()));
  }

  void testSetOverridesKeysAsIfTheFileHeldThem() {
    YamlSection file = YamlSection::loadString("name: t\ninner:\n  steps: 2\n", "toy.yaml");
    YAML::Node root = file.node();
    applyOverrides(root, {"inner.rate=0.25", "name=renamed", "sets=[u, v]", "checks.every=3", "label="},
                   toyFields().keys());
    YamlSection s(root, "", "toy.yaml");
    Toy t;
    toyFields().read(s, t);
    QCOMPARE(t.inner.rate, 0.25);
    QCOMPARE(t.inner.steps, 2);
    QCOMPARE(t.name, std::string("renamed"));
    QCOMPARE(t.sets, (std::vector<std::string>{"u", "v"}));
    QCOMPARE(t.every, 3);
    QCOMPARE(t.label, std::string());

    // An empty document takes overrides too.
    YAML::Node empty = YamlSection::loadString("", "empty.yaml").node();
    applyOverrides(empty, {"inner.steps=8"}, toyFields().keys());
    YamlSection e(empty, "", "empty.yaml");
    Toy u;
    toyFields().read(e, u);
    QCOMPARE(u.inner.steps, 8);
  }

  void testSetRefusesUnknownKeysAndNamesItselfInErrors() {
    YAML::Node root = YamlSection::loadString("name: t\n").node();
    expectError([&] { applyOverrides(root, {"inner.rat=0.1"}, toyFields().keys()); },
                {"--set inner.rat=0.1", "unknown key", "inner.rat"});
    expectError([&] { applyOverrides(root, {"rate=0.1"}, toyFields().keys()); }, {"did you mean inner.rate?"});
    expectError([&] { applyOverrides(root, {"inner"}, toyFields().keys()); }, {"not KEY=VALUE"});
    expectError([&] { applyOverrides(root, {"inner=3"}, toyFields().keys()); }, {"unknown key"});

    // A value out of range names the --set, not a line of the file.
    const std::vector<std::string> sets{"inner.rate=2"};
    YAML::Node doc = YamlSection::loadString("name: t\n", "toy.yaml").node();
    applyOverrides(doc, sets, toyFields().keys());
    YamlSection s(doc, "", "toy.yaml");
    Toy t;
    toyFields().read(s, t);
    try {
      validateAt(s, [&] { toyFields().validate(t, Scope("toy")); });
      QFAIL("accepted inner.rate=2");
    } catch (const Error& e) {
      const Error blamed = blameOverride(e, sets);
      QCOMPARE(QString::fromStdString(blamed.filePath()), QString("--set inner.rate=2"));
      QVERIFY(!blamed.lineNumber());
      QCOMPARE(QString::fromStdString(blamed.keyName()), QString("inner.rate"));
      QVERIFY2(blamed.message().find("(allowed: (0, 1])") != std::string::npos, blamed.what());
    }
  }

  // ---- torch-free ---------------------------------------------------------------

  // The GUI links core/recipe and never LibTorch: this binary (recipe + util
  // + Qt Test) must not have loaded it. tests/core/recipe/CMakeLists.txt
  // checks the target's link libraries at configure time.
  void testBinaryLoadsNoLibTorch() {
    std::ifstream maps("/proc/self/maps");
    QVERIFY(maps.good());
    std::string line, libraries;
    int lines = 0;
    while (std::getline(maps, line)) {
      ++lines;
      if (line.find("libtorch") != std::string::npos || line.find("libc10") != std::string::npos)
        QFAIL(("test_recipe loaded LibTorch: " + line).c_str());
      if (line.find("libQt6Test") != std::string::npos) libraries = line;
    }
    QVERIFY(lines > 0);
    QVERIFY2(!libraries.empty(), "the check reads the loaded libraries: Qt Test must be among them");
  }
};

QTEST_GUILESS_MAIN(TestRecipe)
#include "test_recipe.moc"
