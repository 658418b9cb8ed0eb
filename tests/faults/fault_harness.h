// The fault-injection harness of tests/faults (docs/faults.md): runs an
// understudy-cli job, SIGKILLs it at a seeded moment — at the N-th pass of a
// named fault point (UNDERSTUDY_FAULT=NAME@N, core/util/fault_point.h) or
// once the job has made a seeded fraction of its progress, after a seeded
// delay — watches what the job acknowledged before it died, and counts per
// job: faults tried, survived, data lost. Rows go to a TSV that
// scripts/fault-table turns into docs/faults.md's table.
#pragma once

#include <signal.h>

#include <QDateTime>
#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>
#include <QThread>

#include <algorithm>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "core/store/record_store.h"
#include "support/process_groups.h"
#include "support/test_support.h"

namespace understudy::faults {

namespace fs = std::filesystem;

// --- configuration (environment) -------------------------------------------

inline long envNumber(const char* name, long fallback) {
  const char* v = std::getenv(name);
  if (!v || !*v) return fallback;
  char* end = nullptr;
  const long n = std::strtol(v, &end, 10);
  return (end && *end == '\0') ? n : fallback;
}

// Rounds per job (one seed each): UNDERSTUDY_FAULT_ROUNDS, default 1 (the short form).
inline int rounds() { return static_cast<int>(std::max(1L, envNumber("UNDERSTUDY_FAULT_ROUNDS", 1))); }

// The seed of round `round` of job `job`: UNDERSTUDY_FAULT_SEED replays one
// (then there is one round); otherwise a fresh base per test run, printed.
inline std::uint64_t roundSeed(const std::string& job, int round) {
  static const std::uint64_t base = [] {
    const std::uint64_t b = (static_cast<std::uint64_t>(std::random_device{}()) << 20) ^
                            static_cast<std::uint64_t>(QDateTime::currentMSecsSinceEpoch());
    return b % 1000000007ULL;
  }();
  std::uint64_t h = base + 7919ULL * static_cast<std::uint64_t>(round);
  for (char c : job) h = h * 131 + static_cast<unsigned char>(c);
  return h % 1000000007ULL;
}
inline bool replaying() { return envNumber("UNDERSTUDY_FAULT_SEED", -1) >= 0; }
inline std::uint64_t replaySeed() { return static_cast<std::uint64_t>(envNumber("UNDERSTUDY_FAULT_SEED", 0)); }

// Where each slot appends its row: UNDERSTUDY_FAULT_TABLE, default
// <build>/Testing/faults.tsv.
inline QString tablePath() {
  const char* v = std::getenv("UNDERSTUDY_FAULT_TABLE");
  return (v && *v) ? QString::fromLocal8Bit(v) : QStringLiteral(UNDERSTUDY_BINARY_DIR "/Testing/faults.tsv");
}

// --- the count ---------------------------------------------------------------

struct Tally {
  std::string job;
  int rounds = 0;
  int tried = 0;     // kills that landed (the job died before it finished)
  int survived = 0;  // of those: verify ok after the kill and the resumed job equal to a straight run
  int lost = 0;      // acknowledged commits missing after a kill
  int named = 0;     // kills at a named fault point
  int timed = 0;     // kills after a fraction of progress
  std::set<std::string> points;  // named points that fired
  double seconds = 0;
};

// Appends "date job rounds tried survived lost named timed points seconds" to the table.
inline void appendRow(const Tally& t) {
  const QString path = tablePath();
  QDir().mkpath(QFileInfo(path).absolutePath());
  QFile f(path);
  if (!f.open(QIODevice::Append | QIODevice::Text)) return;
  if (f.size() == 0) f.write("date\tjob\trounds\ttried\tsurvived\tlost\tnamed\ttimed\tpoints\tseconds\n");
  std::string points;
  for (const auto& p : t.points) points += (points.empty() ? "" : ",") + p;
  f.write(QString("%1\t%2\t%3\t%4\t%5\t%6\t%7\t%8\t%9\t%10\n")
              .arg(QDateTime::currentDateTimeUtc().toString(Qt::ISODate))
              .arg(QString::fromStdString(t.job))
              .arg(t.rounds)
              .arg(t.tried)
              .arg(t.survived)
              .arg(t.lost)
              .arg(t.named)
              .arg(t.timed)
              .arg(QString::fromStdString(points.empty() ? "-" : points))
              .arg(t.seconds, 0, 'f', 1)
              .toUtf8());
}

// --- what a kill looks like -------------------------------------------------

struct Kill {
  bool named = false;
  std::string point;   // named: UNDERSTUDY_FAULT's NAME
  long pass = 0;       // named: its N
  double fraction = 0; // timed: of the job's progress, in (0.05, 0.95)
  int delayMs = 0;     // timed: then this long, in [0, 60]
  std::string text() const {
    return named ? point + "@" + std::to_string(pass)
                 : "after " + std::to_string(static_cast<int>(fraction * 100)) + " % + " +
                       std::to_string(delayMs) + " ms";
  }
};

// Passes of each named point in a straight run ("NAME<TAB>N" lines of
// UNDERSTUDY_FAULT_COUNTS): the most one process made (a pass number counts
// within one process; a recipe's steps and a job's ranks each write theirs).
inline std::map<std::string, long> readCounts(const QString& file) {
  std::map<std::string, long> out;
  QFile f(file);
  if (!f.open(QIODevice::ReadOnly)) return out;
  for (const QByteArray& line : f.readAll().split('\n')) {
    const QList<QByteArray> parts = line.split('\t');
    if (parts.size() != 2) continue;
    long& n = out[parts[0].toStdString()];
    n = std::max(n, parts[1].toLong());
  }
  return out;
}

// A kill drawn from `rng`: a named point (of those a straight run passes,
// `points` narrowing them when not empty) at a pass in [1, its count], or a
// fraction of progress plus a delay.
inline Kill drawKill(std::mt19937_64& rng, bool named, const std::map<std::string, long>& counts,
                     const std::vector<std::string>& points) {
  Kill k;
  std::vector<std::pair<std::string, long>> candidates;
  for (const auto& [name, n] : counts)
    if (n > 0 && (points.empty() || std::find(points.begin(), points.end(), name) != points.end()))
      candidates.emplace_back(name, n);
  if (named && !candidates.empty()) {
    const auto& [name, n] = candidates[rng() % candidates.size()];
    k.named = true;
    k.point = name;
    k.pass = 1 + static_cast<long>(rng() % static_cast<std::uint64_t>(n));
  } else {
    k.fraction = 0.05 + 0.9 * std::uniform_real_distribution<double>(0.0, 1.0)(rng);
    k.delayMs = static_cast<int>(rng() % 61);
  }
  return k;
}

// --- running a job to its kill ---------------------------------------------

struct Outcome {
  bool died = false;      // killed (SIGKILL), or failed because a part of it was killed
  int exitCode = 0;
  QString err;            // its stderr (tail)
  QByteArray out;         // its stdout
};

// Processes whose command line names `ws` (a job, its ranks or steps).
inline QList<int> processesOf(const QString& ws) {
  QList<int> found;
  for (int pid : understudy::test::allPids()) {
    if (pid == static_cast<int>(::getpid())) continue;
    if (understudy::test::readProcFile(pid, "cmdline").split('\0').contains(ws.toUtf8()) &&
        understudy::test::processAlive(pid))
      found << pid;
  }
  return found;
}

// Runs `args` with `kill` applied: UNDERSTUDY_FAULT for a named one; for a
// timed one, SIGKILL once progress() >= fraction, after delayMs. sample() is
// called every few ms while the job runs (what it acknowledged so far).
// Waits until no process of the job (ranks, steps) is left.
inline Outcome runWithKill(const QStringList& args, const Kill& kill, const QString& ws,
                           const std::function<double()>& progress, const std::function<void()>& sample,
                           int timeoutMs = 300000) {
  QProcess p;
  QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
  env.remove("UNDERSTUDY_FAULT_COUNTS");
  if (kill.named) env.insert("UNDERSTUDY_FAULT", QString::fromStdString(kill.text()));
  else env.remove("UNDERSTUDY_FAULT");
  p.setProcessEnvironment(env);
  p.setProcessChannelMode(QProcess::SeparateChannels);
  p.start(understudy::test::cliPath(), args);
  Outcome o;
  if (!p.waitForStarted(10000)) {
    o.exitCode = -1;
    o.err = "could not start " + understudy::test::cliPath();
    return o;
  }
  QElapsedTimer clock;
  clock.start();
  bool reached = false;
  QElapsedTimer sinceReached;
  while (!p.waitForFinished(5)) {
    if (sample) sample();
    if (!kill.named && !reached && progress() >= kill.fraction) {
      reached = true;
      sinceReached.start();
    }
    if (reached && sinceReached.elapsed() >= kill.delayMs) {
      ::kill(static_cast<pid_t>(p.processId()), SIGKILL);
      p.waitForFinished(30000);
      break;
    }
    if (clock.elapsed() > timeoutMs) {
      ::kill(static_cast<pid_t>(p.processId()), SIGKILL);
      p.waitForFinished(30000);
      o.exitCode = -1;
      o.err = "timed out";
      return o;
    }
  }
  if (sample) sample();
  o.err = QString::fromUtf8(p.readAllStandardError().right(4000));
  o.out = p.readAllStandardOutput();
  o.exitCode = p.exitStatus() == QProcess::CrashExit ? -9 : p.exitCode();
  o.died = p.exitStatus() == QProcess::CrashExit || (kill.named && o.exitCode != 0 && o.err.contains("fault point"));
  // A recipe's step or a rank killed at a fault point: the parent reports it and exits 1.
  if (kill.named && o.exitCode == 1) o.died = true;
  understudy::test::waitFor([&] { return processesOf(ws).isEmpty(); }, 20000);
  return o;
}

// --- comparing with a straight run -----------------------------------------

// A store record by record: "key rows cols checksum" lines in commit order,
// plus (exact) shard and offset and the index file's bytes.
inline std::string storeDigest(const fs::path& dir, bool exact) {
  const RecordStore s = RecordStore::open(dir);
  std::string out;
  for (const RecordInfo& r : s.records()) {
    out += r.key + " " + std::to_string(r.rows) + " " + std::to_string(r.cols) + " " + std::to_string(r.checksum);
    if (exact) out += " " + std::to_string(r.shard) + " " + std::to_string(r.offset);
    out += "\n";
  }
  if (!exact) {  // order-free: sorted lines
    QStringList lines = QString::fromStdString(out).split('\n', Qt::SkipEmptyParts);
    lines.sort();
    out = lines.join('\n').toStdString();
  }
  if (exact) {
    QFile index(QString::fromStdString((dir / "index").string()));
    if (index.open(QIODevice::ReadOnly)) out += "index " + index.readAll().toHex().toStdString();
  }
  return out;
}

// Every file under `dir` (relative path -> bytes), leaving out names matching `skip`.
inline std::map<QString, QByteArray> treeBytes(const QString& dir, const QStringList& skip = {}) {
  std::map<QString, QByteArray> out;
  QDirIterator it(dir, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
  while (it.hasNext()) {
    const QString path = it.next();
    const QString rel = QDir(dir).relativeFilePath(path);
    bool skipped = false;
    for (const QString& s : skip) skipped = skipped || rel.contains(s);
    if (skipped) continue;
    QFile f(path);
    if (f.open(QIODevice::ReadOnly)) out[rel] = f.readAll();
  }
  return out;
}

// The first difference of two trees ("" if equal).
inline std::string treeDifference(const QString& a, const QString& b, const QStringList& skip = {}) {
  const auto x = treeBytes(a, skip), y = treeBytes(b, skip);
  for (const auto& [rel, bytes] : x) {
    auto it = y.find(rel);
    if (it == y.end()) return "missing " + rel.toStdString();
    if (it->second != bytes) return "differs: " + rel.toStdString();
  }
  for (const auto& [rel, bytes] : y)
    if (!x.count(rel)) return "extra " + rel.toStdString();
  return {};
}

// The rows of `sql` on `db`, one line each, columns separated by '|'.
inline std::string rows(const QString& db, const std::string& sql) {
  SQLite::Database d(db.toStdString(), SQLite::OPEN_READONLY);
  d.setBusyTimeout(10000);
  SQLite::Statement q(d, sql);
  std::string out;
  while (q.executeStep()) {
    for (int c = 0; c < q.getColumnCount(); ++c)
      out += (c ? "|" : "") + (q.getColumn(c).isNull() ? std::string("NULL") : q.getColumn(c).getString());
    out += "\n";
  }
  return out;
}

inline bool copyTree(const QString& from, const QString& to) {
  QDir(to).removeRecursively();
  return QProcess::execute("cp", {"-a", from, to}) == 0;
}

}  // namespace understudy::faults
