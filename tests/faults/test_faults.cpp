// Fault injection (issue 26 item 1, docs/faults.md): synthesis, features,
// targets (first build and rebuild), labeling, training (one process and
// `--workers 2`) and a recipe, each SIGKILLed at seeded moments — a named
// fault point (core/util/fault_point.h) at a seeded pass, or a seeded
// fraction of its progress plus a seeded delay — and resumed, again and
// again. After every kill the workspace passes verify's checks (run in the
// test; `understudy-cli verify` itself after the last resume) and nothing the job
// had acknowledged (committed records, registered rows, checkpoints, metric
// rows) is missing; after the last resume the stores equal a straight run's
// record by record (and index bytes where the writer is deterministic), the
// models byte for byte, and training went on from its newest checkpoint.
//
// UNDERSTUDY_FAULT_ROUNDS=R: R seeds per job (default 1: the short form, one
// named and one timed kill per job); UNDERSTUDY_FAULT_KILLS=K kills per seed
// (default 2); UNDERSTUDY_FAULT_SEED=S replays one seed; every failure names
// its seed; UNDERSTUDY_FAULT_KEEP=1 keeps the workspaces. Each job appends a row to UNDERSTUDY_FAULT_TABLE (default
// <build>/Testing/faults.tsv): scripts/fault-table.
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>

#include "core/store/store_verify.h"
#include "core/store/workspace.h"
#include "faults/fault_harness.h"
#include "support/checkpoints.h"
#include "support/test_support.h"

using namespace understudy::faults;
using understudy::test::newestCheckpoint;
using understudy::test::outputOf;
using understudy::test::ProcessResult;

namespace {

const char* const kTrainConfig =
    "name: %1\nrole: teacher\nseed: 1\nthreads: 1\nmax_steps: %2\n"
    "data:\n  train: [synth-labeled]\n  validation_fraction: 0.2\n"
    "model:\n  preset: teacher-tiny\nbatching:\n  max_frames: 1500\n"
    "optimizer:\n  lr: 0.01\nvalidation:\n  every: 10\ncheckpoint:\n  every: %3\n  keep: 2\n";
const char* const kDistribution =
    "distribution:\n  algorithm: sync\n  timeout_s: 20\n  connect_timeout_s: 60\n  heartbeat_s: 4\n";
constexpr int kTrainSteps = 30, kTrainEvery = 5;
constexpr int kDistSteps = 9, kDistEvery = 3;

// A recipe small enough to run twice in a test: 12 steps, about 25 s.
const char* const kRecipe = R"(name: micro
jobs: 1
corpus:
  synth: {profile: tiny, seed: 1, scale: 0.2}
datasets:
  labeled: [synth-labeled]
  unlabeled: [synth-unlabeled]
  tests: [synth-test-clean]
teacher:
  name: micro-teacher
  seed: 1
  threads: 1
  max_steps: 12
  model: {preset: teacher-tiny}
  batching: {max_frames: 1500}
  optimizer: {kind: adam, lr: 0.01}
  validation: {every: 6}
  checkpoint: {every: 4, keep: 2}
labeling: {top_k: 5, precision: fp16}
students:
  defaults:
    seed: 1
    threads: 1
    max_steps: 12
    model: {preset: student-tiny}
    batching: {max_frames: 1500}
    optimizer: {kind: adam, lr: 0.01}
    validation: {every: 6}
    checkpoint: {every: 4, keep: 2}
  models:
    - name: micro-interleave
      group: interleave
      streams: {kind: interleave, ratio: '1:4', labeled_lr_multiplier: 2}
evaluation:
  baseline: interleave
  decode: {beam: 10, max_active: 2000}
)";

QString dbOf(const QString& ws) { return ws + "/workspace.db"; }

// Set when a sample could not read everything (a store or the database busy
// or changing under it): that sample is not used to call anything missing.
bool g_sampleIncomplete = false;

// The record store folder of `sql`'s first row (a path relative to the workspace), or "".
QString storeDir(const QString& ws, const std::string& sql) {
  if (!QFile::exists(dbOf(ws))) return {};
  try {
    const std::string rel = rows(dbOf(ws), sql);
    return rel.empty() ? QString() : ws + "/" + QString::fromStdString(rel).trimmed();
  } catch (const std::exception&) {
    return {};
  }
}

// "rec:<store>:<key>:<checksum>" of every committed record a reader sees now.
void committedRecords(const QString& dir, const std::string& tag, std::set<std::string>& out) {
  if (dir.isEmpty()) return;
  try {
    if (!understudy::RecordStore::exists(dir.toStdString())) return;
    const auto s = understudy::RecordStore::open(dir.toStdString());
    for (const auto& r : s.records()) out.insert("rec:" + tag + ":" + r.key + ":" + std::to_string(r.checksum));
  } catch (const std::exception&) {
    g_sampleIncomplete = true;
  }
}

std::size_t storeSize(const QString& dir) {
  try {
    if (dir.isEmpty() || !understudy::RecordStore::exists(dir.toStdString())) return 0;
    return understudy::RecordStore::open(dir.toStdString()).size();
  } catch (const std::exception&) {
    g_sampleIncomplete = true;
    return 0;
  }
}

// Lines of `sql` as a set of "tag:line" (rows a committed transaction put there).
void committedRows(const QString& ws, const std::string& tag, const std::string& sql, std::set<std::string>& out) {
  if (!QFile::exists(dbOf(ws))) return;
  try {
    for (const QString& line : QString::fromStdString(rows(dbOf(ws), sql)).split('\n', Qt::SkipEmptyParts))
      out.insert(tag + ":" + line.toStdString());
  } catch (const std::exception&) {
    g_sampleIncomplete = true;
  }
}

QByteArray fileBytes(const QString& path) {
  QFile f(path);
  return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// What a job is, for the harness.
struct Job {
  std::string name;
  QString before;    // the workspace it starts from (copied); "" = none (it makes its own)
  QString straight;  // the workspace after an uninterrupted run
  std::function<QStringList(const QString& ws)> args;
  QStringList resumeExtra;  // added once it was killed (train: --resume)
  std::map<std::string, long> counts;  // fault point passes of the straight run
  double straightSeconds = 10;
  std::function<double(const QString& ws)> progress;  // 0..1; empty: wall time / straight run's
  std::function<std::set<std::string>(const QString& ws)> acknowledged;
  std::function<std::string(const QString& ws)> compare;  // "" when equal to the straight run
  std::function<void(const QString& ws)> prepare;         // before the first kill (damage for a rebuild)
  bool verifyBetween = true;  // verify after each kill (not for a store damaged on purpose)
  int sampleEveryMs = 20;
  // Training: where its checkpoints are and how often it writes one.
  std::function<QString(const QString& ws)> checkpointDir;
  int checkpointEvery = 0;
  std::vector<std::string> focus;  // name prefixes of the job's own points: every other named kill picks one of them
  int shortFormKills = 2;  // kills per seed in the short form (the recipe: 1, named or timed by the seed)
};

// The newest train/loss step among "metric:STEP:VALUE" items (-1: none).
int newestMetricStep(const std::set<std::string>& items) {
  int best = -1;
  for (const auto& i : items)
    if (i.rfind("metric:", 0) == 0) best = std::max(best, std::atoi(i.c_str() + 7));
  return best;
}

}  // namespace

class TestFaults : public QObject {
  Q_OBJECT

  QTemporaryDir m_dir;
  QString m_synth, m_features, m_targets, m_teacher, m_label, m_workers;  // straight snapshots
  std::map<QString, std::map<std::string, long>> m_counts;  // per snapshot: its step's fault point passes
  std::map<QString, double> m_seconds;

  QString path(const QString& name) const { return m_dir.filePath(name); }

  QString writeFile(const QString& name, const QString& text) {
    const QString p = path(name);
    QFile f(p);
    if (!f.open(QIODevice::WriteOnly)) return {};
    f.write(text.toUtf8());
    return p;
  }
  QString trainConfig(const QString& name, int steps, int every, bool dist) {
    return writeFile(name + ".yaml", QString(kTrainConfig).arg(name).arg(steps).arg(every) + (dist ? kDistribution : ""));
  }

  // Runs `args` straight with UNDERSTUDY_FAULT_COUNTS, into snapshot `to`
  // (a copy of `from`); false with the output on failure.
  bool straightStep(const QString& from, const QString& to, const std::function<QStringList(const QString&)>& args,
                    QString& why) {
    if (!from.isEmpty() && !copyTree(from, to)) return why = "cannot copy " + from, false;
    const QString counts = to + ".counts";
    qputenv("UNDERSTUDY_FAULT_COUNTS", counts.toLocal8Bit());
    QElapsedTimer clock;
    clock.start();
    const ProcessResult r = understudy::test::runCli(args(to), 600000);
    qunsetenv("UNDERSTUDY_FAULT_COUNTS");
    m_seconds[to] = clock.elapsed() / 1000.0;
    m_counts[to] = readCounts(counts);
    if (r.exitCode != 0 || r.crashed) return why = args(to).join(' ') + ": " + outputOf(r), false;
    return true;
  }

  // The checks of `understudy-cli verify` in this process (PRAGMA
  // integrity_check, then every record of every store workspace.db lists):
  // after each kill, without a CLI start (LibTorch loads in about 1.3 s).
  bool verifiesHere(const QString& ws, QString& why) {
    if (!QFile::exists(dbOf(ws))) return true;  // killed before the workspace existed
    try {
      understudy::Workspace w = understudy::Workspace::open(ws.toStdString());
      const auto problems = understudy::checkDatabaseIntegrity(w);
      if (!problems.empty()) return why = "integrity_check: " + QString::fromStdString(problems.front()), false;
      const auto r = understudy::verifyWorkspace(w);
      for (const auto& st : r.stores)
        if (!st.ok())
          return why = QString::fromStdString(st.store.path.generic_string() + ": " +
                                              (st.error.empty() ? st.bad.front().reason : st.error)),
                 false;
      return true;
    } catch (const std::exception& e) {
      why = QString("verify: ") + e.what();
      return false;
    }
  }

  bool verifies(const QString& ws, QString& why) {
    const ProcessResult r = understudy::test::runCli({"-q", "verify", "-w", ws}, 120000);
    if (r.exitCode == 0 && !r.crashed) return true;
    why = "verify: " + outputOf(r);
    return false;
  }

  // One job: rounds() seeds, each K kills then a resume to the end.
  void runJob(const Job& job) {
    Tally tally;
    tally.job = job.name;
    QElapsedTimer clock;
    clock.start();
    const int kills = static_cast<int>(std::max(1L, envNumber("UNDERSTUDY_FAULT_KILLS", job.shortFormKills)));
    const int n = replaying() ? 1 : rounds();
    QString failure;
    for (int round = 0; round < n && failure.isEmpty(); ++round) {
      const std::uint64_t seed = replaying() ? replaySeed() : roundSeed(job.name, round);
      std::mt19937_64 rng(seed);
      const QString ws = path(QString::fromStdString(job.name) + "-r" + QString::number(round));
      if (!job.before.isEmpty()) copyTree(job.before, ws);
      if (job.prepare) job.prepare(ws);
      ++tally.rounds;
      std::set<std::string> acked;
      int diedHere = 0;
      QStringList history;
      QStringList args = job.args(ws);
      // Runs `args` once with `kill` (a timed kill past 100 % never comes), watching what it acknowledges.
      auto runPolled = [&](const QStringList& args, const Kill& kill) -> Outcome {
        // A timed kill's fraction is of what is left to do: the resumed job
        // starts where the last one stopped.
        const double start = job.progress ? std::min(job.progress(ws), 1.0) : 0.0;
        Kill aimed = kill;
        if (kill.fraction <= 1.0) aimed.fraction = start + kill.fraction * (1.0 - start);
        QElapsedTimer since;
        since.start();
        QElapsedTimer lastPoll;
        lastPoll.start();
        double progressNow = start;
        std::set<std::string> vanished;
        // What the job acknowledged, and how far it is (every sampleEveryMs).
        // Once acknowledged, always there: also while a resumed job runs.
        auto poll = [&] {
          if (lastPoll.elapsed() < job.sampleEveryMs) return;
          lastPoll.restart();
          if (job.acknowledged) {
            g_sampleIncomplete = false;
            const auto now = job.acknowledged(ws);
            if (!g_sampleIncomplete)
              for (const auto& a : acked)
                if (!now.count(a)) vanished.insert(a);
            acked.insert(now.begin(), now.end());
          }
          progressNow = job.progress ? job.progress(ws) : since.elapsed() / 1000.0 / job.straightSeconds;
        };
        if (job.acknowledged) {  // what was there before this run is acknowledged too
          const auto now = job.acknowledged(ws);
          acked.insert(now.begin(), now.end());
        }
        const Outcome o = runWithKill(args, aimed, ws, [&] { return progressNow; }, poll);
        if (!vanished.empty() && failure.isEmpty()) {
          tally.lost += static_cast<int>(vanished.size());
          failure = QString("while it ran (%1): %2 acknowledged item(s) vanished, e.g. %3")
                        .arg(QString::fromStdString(kill.text()))
                        .arg(vanished.size())
                        .arg(QString::fromStdString(*vanished.begin()));
        }
        return o;
      };
      for (int k = 0; k < kills && failure.isEmpty(); ++k) {
        // The short form: one named and one timed kill per job; otherwise drawn.
        const bool named = n == 1 && kills == 2 ? (k == 0) : (rng() % 2 == 0);
        std::vector<std::string> focus;
        if (!job.focus.empty() && rng() % 2 == 0)
          for (const auto& [point, passes] : job.counts)
            for (const auto& prefix : job.focus)
              if (point.rfind(prefix, 0) == 0) focus.push_back(point);
        const Kill kill = drawKill(rng, named, job.counts, focus);
        const Outcome o = runPolled(args, kill);
        history << QString::fromStdString(kill.text()) + (o.died ? " (killed)" : " (finished first)");
        if (o.exitCode == -1) failure = "the job hung or did not start: " + o.err;
        if (!o.died) {
          if (o.exitCode != 0 && failure.isEmpty())
            failure = QString("failed without a kill (exit %1): %2").arg(o.exitCode).arg(o.err);
          break;  // it finished first
        }
        ++tally.tried;
        ++diedHere;
        (kill.named ? tally.named : tally.timed) += 1;
        if (kill.named) tally.points.insert(kill.point);
        // After the kill: every artifact checks, nothing acknowledged is gone.
        QString why;
        if (job.verifyBetween && !verifiesHere(ws, why)) failure = "after the kill " + QString::fromStdString(kill.text()) + ": " + why;
        if (job.acknowledged) {
          const auto now = job.acknowledged(ws);
          QStringList missing;
          for (const auto& a : acked)
            if (!now.count(a)) missing << QString::fromStdString(a);
          tally.lost += missing.size();
          if (!missing.isEmpty() && failure.isEmpty())
            failure = QString("after the kill %1: %2 acknowledged item(s) missing, e.g. %3")
                          .arg(QString::fromStdString(kill.text()))
                          .arg(missing.size())
                          .arg(missing.first());
        }
        args = job.args(ws) + job.resumeExtra;
      }
      // The resume to the end, then the same checks as a straight run's.
      if (failure.isEmpty()) {
        const int newest = job.checkpointDir ? newestCheckpoint(job.checkpointDir(ws)) : -1;
        const int recorded = newestMetricStep(acked);  // before the last resume adds its own
        Kill never;
        never.fraction = 2.0;
        const Outcome last = runPolled(args, never);
        ProcessResult r;
        r.exitCode = last.exitCode;
        r.crashed = last.died;
        r.out = last.out;
        r.err = last.err.toUtf8();
        if (failure.isEmpty() && (r.exitCode != 0 || r.crashed)) failure = "resume: " + outputOf(r);
        QString why;
        if (failure.isEmpty() && !verifies(ws, why)) failure = "after the resume: " + why;
        if (failure.isEmpty() && diedHere > 0 && job.checkpointDir) {
          // Training went on from its newest checkpoint, and that one is at
          // most one interval behind the last step it had recorded.
          const QString out = QString::fromUtf8(r.out);
          if (newest > 0 && !out.contains(QString("# resuming at step %1\n").arg(newest)))
            failure = QString("did not resume from its newest checkpoint (step %1): %2").arg(newest).arg(outputOf(r));
          else if (recorded - std::max(newest, 0) > job.checkpointEvery)
            failure = QString("resumed from step %1 but had recorded step %2: more than one checkpoint interval (%3) lost")
                          .arg(newest).arg(recorded).arg(job.checkpointEvery);
        }
        if (failure.isEmpty()) {
          const std::string diff = job.compare(ws);
          if (!diff.empty()) failure = "differs from the straight run: " + QString::fromStdString(diff);
        }
      }
      if (failure.isEmpty()) tally.survived += diedHere;
      else failure = QString("job %1, seed %2 (replay: UNDERSTUDY_FAULT_SEED=%2 ctest -R test_faults), kills [%3]: %4")
                         .arg(QString::fromStdString(job.name)).arg(seed).arg(history.join(", ")).arg(failure);
      qInfo("%s seed %llu: %s", job.name.c_str(), static_cast<unsigned long long>(seed), qPrintable(history.join(", ")));
      if (failure.isEmpty()) QDir(ws).removeRecursively();
    }
    tally.seconds = clock.elapsed() / 1000.0;
    appendRow(tally);
    qInfo("%s: %d round(s), %d fault(s) tried, %d survived, %d lost, %.1f s", job.name.c_str(), tally.rounds,
          tally.tried, tally.survived, tally.lost, tally.seconds);
    QVERIFY2(failure.isEmpty(), qPrintable(failure));
    QVERIFY2(tally.tried > 0, "no kill landed: the job finished before every kill");
    QCOMPARE(tally.lost, 0);
  }

  // --- what each job acknowledges and how it compares ------------------------

  static QString featureStore(const QString& ws) {
    return storeDir(ws, "SELECT f.path FROM feature_sets f JOIN datasets d ON d.id = f.dataset_id WHERE d.name = 'synth-labeled'");
  }
  static QString targetStore(const QString& ws) {
    return storeDir(ws, "SELECT a.path FROM alignment_sets a JOIN datasets d ON d.id = a.dataset_id "
                        "WHERE d.name = 'synth-labeled' AND a.name = 'targets'");
  }
  static QString labelStore(const QString& ws) { return storeDir(ws, "SELECT path FROM soft_label_sets"); }

  // Training: checkpoints (every multiple of `every` up to the newest) and
  // train/loss rows, as "metric:step:value".
  static std::set<std::string> trainingAcknowledged(const QString& ws, const QString& model, int every) {
    std::set<std::string> out;
    const int newest = newestCheckpoint(ws + "/models/" + model + "/checkpoints");
    for (int s = every; s <= newest; s += every) out.insert("ckpt:" + std::to_string(s));
    committedRows(ws, "metric", "SELECT m.step || ':' || m.value FROM metrics m JOIN runs r ON r.id = m.run_id "
                  "WHERE r.name = '" + model.toStdString() + "' AND m.name = 'train/loss'", out);
    return out;
  }
  // model.pt and best.pt byte for byte, and every train/loss row (replayed
  // steps included) equal to the straight run's value at its step.
  std::string trainingDifference(const QString& ws, const QString& straight, const QString& model) const {
    for (const QString f : {"model.pt", "checkpoints/best.pt"}) {
      const QByteArray a = fileBytes(straight + "/models/" + model + "/" + f);
      if (a.isEmpty()) return "the straight run has no " + f.toStdString();
      if (fileBytes(ws + "/models/" + model + "/" + f) != a) return f.toStdString() + " differs";
    }
    const std::string sql = "SELECT DISTINCT m.step, m.value FROM metrics m JOIN runs r ON r.id = m.run_id WHERE r.name = '" +
                            model.toStdString() + "' AND m.name = 'train/loss' ORDER BY m.step";
    const std::string a = rows(dbOf(straight), sql), b = rows(dbOf(ws), sql);
    if (a != b) return "train/loss per step differs (a replayed step gave another loss, or a step is missing)";
    return {};
  }

 private slots:
  void initTestCase() {
    QVERIFY(m_dir.isValid());
    if (envNumber("UNDERSTUDY_FAULT_KEEP", 0) != 0) {  // to look at a failed round's workspace
      m_dir.setAutoRemove(false);
      qInfo("workspaces kept in %s", qPrintable(m_dir.path()));
    }
    const QString s0 = path("s-init");
    QCOMPARE(understudy::test::runCli({"init", s0}).exitCode, 0);
    QString why;
    m_synth = path("s-synth");
    QVERIFY2(straightStep(s0, m_synth, [](const QString& ws) {
      return QStringList{"-q", "corpus", "synth", "-w", ws, "--profile", "tiny", "--scale", "0.2", "--seed", "1"};
    }, why), qPrintable(why));
    m_features = path("s-features");
    QVERIFY2(straightStep(m_synth, m_features, [](const QString& ws) {
      return QStringList{"-q", "features", "-w", ws, "--dataset", "synth-labeled", "--jobs", "1", "--commit-every", "2"};
    }, why), qPrintable(why));
    m_targets = path("s-targets");
    QVERIFY2(straightStep(m_features, m_targets, [](const QString& ws) {
      return QStringList{"-q", "targets", "-w", ws, "--dataset", "synth-labeled"};
    }, why), qPrintable(why));
    const QString teacherCfg = trainConfig("fteacher", kTrainSteps, kTrainEvery, false);
    m_teacher = path("s-teacher");
    QVERIFY2(straightStep(m_targets, m_teacher, [=](const QString& ws) {
      return QStringList{"-q", "train", "-w", ws, "--config", teacherCfg};
    }, why), qPrintable(why));
    m_label = path("s-label");
    QVERIFY2(straightStep(m_teacher, m_label, [](const QString& ws) {
      return QStringList{"-q", "label", "-w", ws, "--model", "fteacher", "--dataset", "synth-labeled", "--threads", "1",
                         "--max-frames", "1500", "--commit-seconds", "0"};
    }, why), qPrintable(why));
    const QString distCfg = trainConfig("fdist", kDistSteps, kDistEvery, true);
    m_workers = path("s-workers");
    QVERIFY2(straightStep(m_targets, m_workers, [=](const QString& ws) {
      return QStringList{"-q", "train", "-w", ws, "--config", distCfg, "--workers", "2"};
    }, why), qPrintable(why));
  }

  void testSynthesis() {
    Job job;
    job.name = "synth";
    job.focus = {"synth."};
    job.before = path("s-init");
    job.straight = m_synth;
    job.args = [](const QString& ws) {
      return QStringList{"-q", "corpus", "synth", "-w", ws, "--profile", "tiny", "--scale", "0.2", "--seed", "1"};
    };
    job.counts = m_counts[m_synth];
    job.straightSeconds = m_seconds[m_synth];
    const double wavs = static_cast<double>(treeBytes(m_synth + "/audio").size());
    job.progress = [=](const QString& ws) {
      QDirIterator it(ws + "/audio", {"*.wav"}, QDir::Files, QDirIterator::Subdirectories);
      int n = 0;
      while (it.hasNext()) it.next(), ++n;
      return n / wavs;
    };
    job.acknowledged = [](const QString& ws) {
      std::set<std::string> out;
      committedRows(ws, "dataset", "SELECT name || ':' || num_utterances FROM datasets", out);
      return out;
    };
    job.compare = [this](const QString& ws) {
      for (const QString dir : {"audio", "alignments", "lm"}) {
        const std::string d = treeDifference(m_synth + "/" + dir, ws + "/" + dir);
        if (!d.empty()) return dir.toStdString() + ": " + d;
      }
      const std::string sql = "SELECT d.name, d.kind, d.num_utterances, d.total_seconds, d.metadata, u.key, u.audio_path, "
                              "u.duration_s, u.speaker, u.text, u.status FROM utterances u JOIN datasets d ON "
                              "d.id = u.dataset_id ORDER BY d.name, u.key";
      return rows(dbOf(m_synth), sql) == rows(dbOf(ws), sql) ? std::string() : std::string("datasets/utterances rows differ");
    };
    runJob(job);
  }

  void testFeatures() {
    Job job;
    job.name = "features";
    job.focus = {"store."};
    job.before = m_synth;
    job.straight = m_features;
    job.args = [](const QString& ws) {
      return QStringList{"-q", "features", "-w", ws, "--dataset", "synth-labeled", "--jobs", "1", "--commit-every", "2"};
    };
    job.counts = m_counts[m_features];
    job.straightSeconds = m_seconds[m_features];
    const double total = static_cast<double>(storeSize(featureStore(m_features)));
    job.progress = [=](const QString& ws) { return storeSize(featureStore(ws)) / total; };
    job.acknowledged = [](const QString& ws) {
      std::set<std::string> out;
      committedRecords(featureStore(ws), "features", out);
      return out;
    };
    job.compare = [this](const QString& ws) {
      const QString a = featureStore(m_features), b = featureStore(ws);
      if (b.isEmpty()) return std::string("no feature set");
      if (storeDigest(a.toStdString(), true) != storeDigest(b.toStdString(), true)) return std::string("store records or index differ");
      if (fileBytes(a + "/cmvn.stats") != fileBytes(b + "/cmvn.stats")) return std::string("cmvn.stats differs");
      const std::string sql = "SELECT name, config_hash, path, dims, num_utterances, num_frames, status FROM feature_sets";
      return rows(dbOf(m_features), sql) == rows(dbOf(ws), sql) ? std::string() : std::string("feature_sets rows differ");
    };
    runJob(job);
  }

  // A first build, then (odd rounds, or the second half of the short form) a
  // rebuild over a damaged set: the folder is swapped, so a kill must never
  // leave the dataset without its targets folder.
  void testTargets() {
    for (const bool rebuild : {false, true}) {
      Job job;
      job.name = rebuild ? "targets-rebuild" : "targets";
      job.before = rebuild ? m_targets : m_features;
      job.straight = m_targets;
      job.args = [](const QString& ws) { return QStringList{"-q", "targets", "-w", ws, "--dataset", "synth-labeled"}; };
      job.counts = m_counts[m_targets];
      job.straightSeconds = m_seconds[m_targets];
      job.focus = {"targets."};
      if (rebuild) {
        job.prepare = [](const QString& ws) {  // one flipped byte: built again, swapped in
          const QString dir = targetStore(ws);
          const auto first = understudy::RecordStore::open(dir.toStdString()).records().at(0);
          std::fstream shard((dir + "/shard-00000.bin").toStdString(), std::ios::in | std::ios::out | std::ios::binary);
          shard.seekp(static_cast<std::streamoff>(first.offset));
          shard.put(static_cast<char>(0x7f));
        };
        job.verifyBetween = false;  // the damaged set fails verify until it is rebuilt
        // The passes of a straight rebuild (the swap's points, which a first build never passes).
        const QString damaged = path("s-targets-damaged");
        QVERIFY(copyTree(m_targets, damaged));
        job.prepare(damaged);
        QString why;
        QVERIFY2(straightStep({}, damaged, job.args, why), qPrintable(why));
        job.counts = m_counts[damaged];
      }
      // The registered targets folder opens as a store with all its records.
      job.acknowledged = [](const QString& ws) {
        std::set<std::string> out;
        const QString dir = targetStore(ws);
        const std::size_t n = storeSize(dir);
        if (n > 0) out.insert("targets:" + dir.toStdString() + ":" + std::to_string(n));
        return out;
      };
      job.compare = [this](const QString& ws) {
        const QString a = targetStore(m_targets), b = targetStore(ws);
        if (b.isEmpty()) return std::string("no targets row");
        const std::string d = treeDifference(a, b, {"lock"});
        if (!d.empty()) return "targets folder: " + d;
        // Nothing of a killed build is left beside it.
        const QStringList beside = QDir(QFileInfo(b).absolutePath()).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
        if (beside.size() != QDir(QFileInfo(a).absolutePath()).entryList(QDir::Dirs | QDir::NoDotAndDotDot).size())
          return "left beside the targets folder: " + beside.join(' ').toStdString();
        const std::string sql = "SELECT name, source, path, num_utterances, num_rejected FROM alignment_sets ORDER BY path";
        return rows(dbOf(m_targets), sql) == rows(dbOf(ws), sql) ? std::string() : std::string("alignment_sets rows differ");
      };
      runJob(job);
    }
  }

  void testLabeling() {
    Job job;
    job.name = "label";
    job.focus = {"store.", "db.soft_label"};
    job.before = m_teacher;
    job.straight = m_label;
    job.args = [](const QString& ws) {
      return QStringList{"-q", "label", "-w", ws, "--model", "fteacher", "--dataset", "synth-labeled", "--threads", "1",
                         "--max-frames", "1500", "--commit-seconds", "0"};
    };
    job.counts = m_counts[m_label];
    job.straightSeconds = m_seconds[m_label];
    const double total = static_cast<double>(storeSize(labelStore(m_label)));
    job.progress = [=](const QString& ws) { return storeSize(labelStore(ws)) / total; };
    job.acknowledged = [](const QString& ws) {
      std::set<std::string> out;
      committedRecords(labelStore(ws), "softlabels", out);
      return out;
    };
    job.compare = [this](const QString& ws) {
      const QString a = labelStore(m_label), b = labelStore(ws);
      if (b.isEmpty()) return std::string("no soft-label set");
      const std::string d = treeDifference(a, b, {"lock"});
      if (!d.empty()) return "soft labels: " + d;
      const std::string sql = "SELECT u.key, r.frames, r.mean_top1, r.mean_entropy, r.truth_frames, r.truth_top1_correct, "
                              "r.truth_in_topk FROM soft_label_utterances r JOIN utterances u ON u.id = r.utterance_id "
                              "ORDER BY u.key";
      if (rows(dbOf(m_label), sql) != rows(dbOf(ws), sql)) return std::string("soft_label_utterances rows differ");
      const std::string summary = "SELECT utterances, frames, mean_top1, mean_entropy, summary FROM soft_label_summaries";
      return rows(dbOf(m_label), summary) == rows(dbOf(ws), summary) ? std::string() : std::string("summary differs");
    };
    runJob(job);
  }

  void testTraining() {
    const QString cfg = path("fteacher.yaml");
    Job job;
    job.name = "train";
    job.focus = {"train."};
    job.before = m_targets;
    job.straight = m_teacher;
    job.args = [=](const QString& ws) { return QStringList{"-q", "train", "-w", ws, "--config", cfg}; };
    job.resumeExtra = {"--resume"};
    job.counts = m_counts[m_teacher];
    job.straightSeconds = m_seconds[m_teacher];
    job.progress = [](const QString& ws) {
      try {
        const std::string s = rows(dbOf(ws), "SELECT MAX(step) FROM metrics WHERE name = 'train/loss'");
        return s.empty() || s == "NULL\n" ? 0.0 : std::stod(s) / kTrainSteps;
      } catch (const std::exception&) {
        return 0.0;
      }
    };
    job.acknowledged = [](const QString& ws) { return trainingAcknowledged(ws, "fteacher", kTrainEvery); };
    job.checkpointDir = [](const QString& ws) { return ws + "/models/fteacher/checkpoints"; };
    job.checkpointEvery = kTrainEvery;
    job.compare = [this](const QString& ws) { return trainingDifference(ws, m_teacher, "fteacher"); };
    runJob(job);
  }

  void testTrainingTwoWorkers() {
    const QString cfg = path("fdist.yaml");
    Job job;
    job.name = "train-workers2";
    job.focus = {"train."};
    job.before = m_targets;
    job.straight = m_workers;
    job.args = [=](const QString& ws) { return QStringList{"-q", "train", "-w", ws, "--config", cfg, "--workers", "2"}; };
    job.resumeExtra = {"--resume"};
    job.counts = m_counts[m_workers];
    job.straightSeconds = m_seconds[m_workers];
    job.progress = [](const QString& ws) {
      try {
        const std::string s = rows(dbOf(ws), "SELECT MAX(step) FROM metrics WHERE name = 'train/loss'");
        return s.empty() || s == "NULL\n" ? 0.0 : std::stod(s) / kDistSteps;
      } catch (const std::exception&) {
        return 0.0;
      }
    };
    job.acknowledged = [](const QString& ws) { return trainingAcknowledged(ws, "fdist", kDistEvery); };
    job.checkpointDir = [](const QString& ws) { return ws + "/models/fdist/checkpoints"; };
    job.checkpointEvery = kDistEvery;
    job.compare = [this](const QString& ws) { return trainingDifference(ws, m_workers, "fdist"); };
    runJob(job);
  }

  void testRecipe() {
    const QString recipe = writeFile("micro.yaml", kRecipe);
    const QString straight = path("recipe-straight");
    auto args = [=](const QString& ws) { return QStringList{"-q", "run", recipe, "-w", ws}; };
    QString why;
    QVERIFY2(straightStep({}, straight, args, why), qPrintable(why));
    Job job;
    job.name = "recipe";
    job.straight = straight;
    job.args = args;
    job.counts = m_counts[straight];
    job.straightSeconds = m_seconds[straight];
    job.sampleEveryMs = 200;
    job.shortFormKills = 1;  // two whole recipes already take about 60 s
    // Every record of every store the workspace lists, the models it registered.
    job.acknowledged = [](const QString& ws) {
      std::set<std::string> out;
      if (!QFile::exists(dbOf(ws))) return out;
      try {
        for (const QString& rel : QString::fromStdString(
                 rows(dbOf(ws), "SELECT path FROM feature_sets UNION SELECT path FROM soft_label_sets UNION "
                                "SELECT path FROM alignment_sets WHERE name = 'targets'")).split('\n', Qt::SkipEmptyParts))
          committedRecords(ws + "/" + rel, rel.toStdString(), out);
      } catch (const std::exception&) {
      }
      committedRows(ws, "model", "SELECT name FROM models", out);
      committedRows(ws, "evaluation", "SELECT m.name || ':' || d.name || ':' || e.wer FROM evaluations e JOIN models m "
                    "ON m.id = e.model_id JOIN datasets d ON d.id = e.dataset_id", out);
      return out;
    };
    job.compare = [=](const QString& ws) {
      const std::string stores = "SELECT path FROM feature_sets UNION SELECT path FROM soft_label_sets UNION "
                                 "SELECT path FROM alignment_sets WHERE name = 'targets' ORDER BY 1";
      const std::string listed = rows(dbOf(straight), stores);
      if (rows(dbOf(ws), stores) != listed) return std::string("another set of stores");
      for (const QString& rel : QString::fromStdString(listed).split('\n', Qt::SkipEmptyParts))
        if (storeDigest((straight + "/" + rel).toStdString(), false) != storeDigest((ws + "/" + rel).toStdString(), false))
          return "store " + rel.toStdString() + " differs";
      for (const QString m : {"micro-teacher", "micro-interleave"})
        if (fileBytes(straight + "/models/" + m + "/model.pt") != fileBytes(ws + "/models/" + m + "/model.pt"))
          return "models/" + m.toStdString() + "/model.pt differs";
      const std::string wer = "SELECT m.name, d.name, e.wer, e.sub, e.del, e.ins FROM evaluations e JOIN models m ON "
                              "m.id = e.model_id JOIN datasets d ON d.id = e.dataset_id WHERE e.id = (SELECT MAX(id) FROM "
                              "evaluations e2 WHERE e2.model_id = e.model_id AND e2.dataset_id = e.dataset_id) ORDER BY 1, 2";
      return rows(dbOf(straight), wer) == rows(dbOf(ws), wer) ? std::string() : std::string("WER table differs");
    };
    runJob(job);
  }
};

QTEST_GUILESS_MAIN(TestFaults)
#include "test_faults.moc"
