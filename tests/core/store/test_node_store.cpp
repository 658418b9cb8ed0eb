// core/store: nodes for distributed runs (NodeStore) and the schema 3 -> 4
// migration that gave them binary_path, version and last_error.
#include <QTemporaryDir>
#include <QtTest>

#include <SQLiteCpp/Database.h>

#include <filesystem>

#include "core/store/node_store.h"
#include "core/store/schema.h"
#include "core/store/workspace.h"
#include "support/expect_error.h"

using namespace understudy;
namespace fs = std::filesystem;

namespace {

NodeSpec spec(const std::string& name, const std::string& host, int port = 22, int gpus = 0) {
  NodeSpec s;
  s.name = name;
  s.host = host;
  s.port = port;
  s.gpus = gpus;
  return s;
}

NodeTestResult result(const std::string& status, const std::string& version = {}, int cpus = 0,
                      int gpus = 0, const std::string& error = {}) {
  NodeTestResult r;
  r.status = status;
  r.version = version;
  r.cpus = cpus;
  r.gpus = gpus;
  r.error = error;
  return r;
}

}  // namespace

class TestNodeStore : public QObject {
  Q_OBJECT

 private slots:
  void testAddFindListRemove() {
    QTemporaryDir dir;
    Workspace ws = Workspace::create(dir.filePath("ws").toStdString());
    NodeStore nodes(ws);
    QVERIFY(nodes.list().empty());
    NodeSpec b2 = spec("b2", "gpu2.lab", 2222, 4);
    b2.user = "ana";
    b2.workspacePath = "/shared/it's ws";
    b2.binaryPath = "/opt/us/understudy-cli";
    nodes.add(b2);
    nodes.add(spec("a1", "gpu1.lab"));
    const auto all = nodes.list();
    QCOMPARE(all.size(), std::size_t(2));
    QCOMPARE(all[0].name, std::string("a1"));  // by name
    QCOMPARE(all[0].port, 22);
    QCOMPARE(all[0].user, std::string());
    QCOMPARE(all[0].binaryPath, std::string());
    QCOMPARE(all[0].status, std::string("unknown"));
    QCOMPARE(all[0].lastSeen, std::string());
    const auto b = nodes.find("b2");
    QVERIFY(b.has_value());
    QCOMPARE(b->host, std::string("gpu2.lab"));
    QCOMPARE(b->user, std::string("ana"));
    QCOMPARE(b->port, 2222);
    QCOMPARE(b->workspacePath, std::string("/shared/it's ws"));
    QCOMPARE(b->binaryPath, std::string("/opt/us/understudy-cli"));
    QCOMPARE(b->gpus, 4);
    QVERIFY(!b->createdAt.empty());
    QVERIFY(!nodes.find("B2").has_value());  // exact name
    nodes.remove("b2");
    QVERIFY(!nodes.find("b2").has_value());
    QCOMPARE(nodes.list().size(), std::size_t(1));
    test::expectError([&] { nodes.remove("b2"); }, {"no node named 'b2'", "nodes: a1"});
  }

  void testDuplicateAndInvalidNodesAreRefused() {
    QTemporaryDir dir;
    Workspace ws = Workspace::create(dir.filePath("ws").toStdString());
    NodeStore nodes(ws);
    nodes.add(spec("n", "h1"));
    test::expectError([&] { nodes.add(spec("n", "h2")); },
                      {"a node named 'n' already exists", "host h1", "nodes remove"});
    test::expectError([&] { nodes.add(spec("", "h")); }, {"needs a name"});
    test::expectError([&] { nodes.add(spec("m", "")); }, {"'m' needs a host"});
    test::expectError([&] { nodes.add(spec("m", "-oProxyCommand=x")); }, {"starts with '-'"});
    test::expectError([&] { nodes.add(spec("m", "h", 0)); }, {"port 0"});
    test::expectError([&] { nodes.add(spec("m", "h", 65536)); }, {"65536"});
    test::expectError([&] { nodes.add(spec("m", "h", 22, -1)); }, {"-1 GPUs"});
    QCOMPARE(nodes.list().size(), std::size_t(1));
    QCOMPARE(nodes.list()[0].host, std::string("h1"));
  }

  // edit changes how a node is reached and keeps its row (id, created_at,
  // what the last contact found); a real change makes the status unknown.
  void testEditKeepsTheRowAndForgetsOnlyTheLastVerdict() {
    QTemporaryDir dir;
    Workspace ws = Workspace::create(dir.filePath("ws").toStdString());
    NodeStore nodes(ws);
    nodes.add(spec("n", "h1", 2222, 1));
    nodes.add(spec("other", "h9"));
    nodes.recordTest("n", result("error", "understudy 0.1.0", 16, 1, "no workspace.db"));
    const NodeRow before = nodes.get("n");

    NodeEdit change;
    change.host = "h2";
    change.workspacePath = "/shared/ws";
    const NodeRow after = nodes.edit("n", change);
    QCOMPARE(after.id, before.id);
    QCOMPARE(after.createdAt, before.createdAt);
    QCOMPARE(after.host, std::string("h2"));
    QCOMPARE(after.workspacePath, std::string("/shared/ws"));
    QCOMPARE(after.port, 2222);  // not given: kept
    QCOMPARE(after.gpus, 1);
    QCOMPARE(after.status, std::string("unknown"));
    QCOMPARE(after.lastError, std::string());
    QCOMPARE(after.lastSeen, before.lastSeen);
    QCOMPARE(after.version, std::string("understudy 0.1.0"));
    QCOMPARE(after.cpus, 16);
    QCOMPARE(nodes.get("n").host, std::string("h2"));  // stored, not only returned
    QCOMPARE(nodes.get("other").host, std::string("h9"));

    // Clearing a value with '' and a port change.
    NodeEdit clear;
    clear.workspacePath = "";
    clear.port = 22;
    clear.user = "ana";
    NodeRow row = nodes.edit("n", clear);
    QCOMPARE(row.workspacePath, std::string());
    QCOMPARE(row.port, 22);
    QCOMPARE(row.user, std::string("ana"));

    // The same value again is no change: a verdict stays.
    nodes.recordTest("n", result("ok", "understudy 0.1.0", 16, 1));
    NodeEdit same;
    same.user = "ana";
    QCOMPARE(nodes.edit("n", same).status, std::string("ok"));

    NodeEdit bad;
    bad.host = "-oProxyCommand=x";
    test::expectError([&] { nodes.edit("n", bad); }, {"starts with '-'"});
    bad = {};
    bad.port = 70000;
    test::expectError([&] { nodes.edit("n", bad); }, {"70000"});
    bad = {};
    bad.gpus = -2;
    test::expectError([&] { nodes.edit("n", bad); }, {"-2 GPUs"});
    test::expectError([&] { nodes.edit("n", NodeEdit{}); }, {"nothing to change", "--host"});
    test::expectError([&] { nodes.edit("x", same); }, {"no node named 'x'", "nodes: n, other"});
    QCOMPARE(nodes.get("n").host, std::string("h2"));  // refused edits changed nothing
    QCOMPARE(nodes.get("n").status, std::string("ok"));
  }

  void testRecordTestKeepsWhatAnUnreachableNodeLastShowed() {
    QTemporaryDir dir;
    Workspace ws = Workspace::create(dir.filePath("ws").toStdString());
    NodeStore nodes(ws);
    nodes.add(spec("n", "h"));
    nodes.recordTest("n", result("ok", "understudy-cli 0.4.0", 32, 2));
    NodeRow row = nodes.get("n");
    QCOMPARE(row.status, std::string("ok"));
    QCOMPARE(row.version, std::string("understudy-cli 0.4.0"));
    QCOMPARE(row.cpus, 32);
    QCOMPARE(row.gpus, 2);
    QCOMPARE(row.lastError, std::string());
    QVERIFY(row.lastSeen.size() >= 20);  // ISO time
    const std::string seen = row.lastSeen;

    nodes.recordTest("n", result("unreachable", {}, 0, 0, "Connection refused"));
    row = nodes.get("n");
    QCOMPARE(row.status, std::string("unreachable"));
    QCOMPARE(row.lastError, std::string("Connection refused"));
    QCOMPARE(row.lastSeen, seen);  // not seen now
    QCOMPARE(row.cpus, 32);        // what the last contact found
    QCOMPARE(row.version, std::string("understudy-cli 0.4.0"));

    nodes.recordTest("n", result("error", {}, 8, 0, "binary not found"));
    row = nodes.get("n");
    QCOMPARE(row.status, std::string("error"));
    QCOMPARE(row.version, std::string());
    QCOMPARE(row.cpus, 8);
    QCOMPARE(row.lastError, std::string("binary not found"));

    test::expectError([&] { nodes.recordTest("n", result("fine")); }, {"'fine'"});
    test::expectError([&] { nodes.recordTest("x", result("ok")); }, {"no node named 'x'"});
  }

  void testVersion3WorkspaceMigratesKeepingItsNodes() {
    QTemporaryDir dir;
    const fs::path root = dir.path().toStdString();
    {
      // A workspace as schema 3 made it, with a node.
      SQLite::Database db(root / "workspace.db", SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
      for (int v = 0; v < 3; ++v) db.exec(store::migrations().at(v));
      db.exec("PRAGMA user_version = 3");
      db.exec("INSERT INTO nodes (name, host, ssh_port, cpus) VALUES ('old', 'h', 2200, 16)");
    }
    Workspace ws = Workspace::open(root);
    QCOMPARE(ws.schemaVersion(), store::kSchemaVersion);
    const NodeRow row = NodeStore(ws).get("old");
    QCOMPARE(row.port, 2200);
    QCOMPARE(row.cpus, 16);
    QCOMPARE(row.binaryPath, std::string());
    QCOMPARE(row.version, std::string());
    QCOMPARE(row.lastError, std::string());
  }
};

QTEST_GUILESS_MAIN(TestNodeStore)
#include "test_node_store.moc"
