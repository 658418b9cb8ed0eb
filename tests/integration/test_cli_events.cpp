// `--events -` end to end: every command, run as a user would with its events
// on stdout, writes nothing there but complete JSON lines of the schema in
// docs/events.md; its human text goes to stderr; each artifact names a `kind`
// and a workspace-relative `path` that exists. Output is quiet by default
// (per-item detail only with -v). One workspace, built step by step on the
// tiny synthetic corpus (about 20 s on 2 cores).
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

#include "support/test_support.h"

using understudy::test::outputOf;
using understudy::test::ProcessResult;
using understudy::test::runCli;

namespace {

const QString kRecipes = QStringLiteral(UNDERSTUDY_SOURCE_DIR "/resources/recipes/");

bool isInteger(const QJsonValue& v) {
  return v.isDouble() && std::floor(v.toDouble()) == v.toDouble();
}

// Why `e` breaks docs/events.md (empty when it does not). `ws` is the workspace root.
QString schemaProblem(const QJsonObject& e, const QString& ws) {
  if (!e.value("time").isDouble() || e.value("time").toDouble() < 1.0e9)
    return "`time` is not seconds since the epoch";
  if (!isInteger(e.value("run")) || e.value("run").toDouble() < 0)
    return "`run` is not a non-negative integer";
  if (!e.value("type").isString()) return "`type` is not a string";
  if (!e.value("name").isString() || e.value("name").toString().isEmpty())
    return "`name` is not a non-empty string";
  if (e.contains("step") && !isInteger(e.value("step"))) return "`step` is not an integer";
  if (e.contains("value") && !e.value("value").isDouble()) return "`value` is not a number";

  const QString type = e.value("type").toString();
  const QString name = e.value("name").toString();
  if (type == "metric") {
    if (!e.contains("step") || !e.contains("value")) return "a metric without `step` or `value`";
  } else if (type == "progress") {
    if (!e.contains("step") || !e.contains("value")) return "progress without `step` or `value`";
    const double f = e.value("value").toDouble();
    if (f < 0.0 || f > 1.0) return "progress `value` outside [0, 1]";
    if (!isInteger(e.value("done")) || !isInteger(e.value("total")))
      return "progress without integer `done` and `total`";
  } else if (type == "status") {
    static const QSet<QString> kStatuses{"started", "finished", "failed", "cancelled"};
    if (!kStatuses.contains(name)) return "unknown status `" + name + "`";
    if (name == "failed" && !e.value("error").isString()) return "`failed` without `error`";
  } else if (type == "log") {
    if (!e.value("message").isString()) return "a log event without `message`";
  } else if (type == "artifact") {
    if (!e.value("kind").isString() || e.value("kind").toString().isEmpty())
      return "an artifact without `kind`";
    const QString path = e.value("path").toString();
    if (path.isEmpty() || QDir::isAbsolutePath(path)) return "artifact `path` is not relative";
    if (QDir::cleanPath(path).startsWith("..")) return "artifact `path` leaves the workspace";
    if (!QFileInfo::exists(ws + "/" + path)) return "artifact `path` does not exist in the workspace";
  } else {
    return "unknown `type` `" + type + "`";
  }
  return {};
}

}  // namespace

class TestCliEvents : public QObject {
  Q_OBJECT

  QTemporaryDir m_dir;
  QString m_ws;

  struct Stream {
    ProcessResult result;
    QList<QJsonObject> events;
    QString problem;  // empty when the command succeeded and every line is an event
  };

  // Runs `understudy-cli --events - ARGS`; every stdout line must be a complete
  // event of the documented schema.
  Stream runWithEvents(const QStringList& args) const {
    Stream s;
    s.result = runCli(QStringList{"--events", "-"} + args, 300000);
    const ProcessResult& r = s.result;
    const QString what = args.mid(0, 2).join(' ');
    if (r.exitCode != 0 || r.crashed) {
      s.problem = what + ": " + outputOf(r);
      return s;
    }
    if (r.out.isEmpty()) return s;
    if (!r.out.endsWith('\n')) {
      s.problem = what + ": the last stdout line is incomplete";
      return s;
    }
    const QList<QByteArray> lines = r.out.chopped(1).split('\n');
    for (int i = 0; i < lines.size(); ++i) {
      QJsonParseError error{};
      const QJsonDocument doc = QJsonDocument::fromJson(lines[i], &error);
      const QString where = QString("%1: stdout line %2 `%3`")
                                .arg(what)
                                .arg(i + 1)
                                .arg(QString::fromUtf8(lines[i].left(200)));
      if (error.error != QJsonParseError::NoError || !doc.isObject()) {
        s.problem = where + " is not a JSON object";
        return s;
      }
      const QString problem = schemaProblem(doc.object(), m_ws);
      if (!problem.isEmpty()) {
        s.problem = where + ": " + problem;
        return s;
      }
      s.events.append(doc.object());
    }
    return s;
  }

  // A recorded command's stream: `started` first, `finished` last, one nonzero
  // run id throughout, and an artifact of each of `kinds`.
  static QString recordedRunProblem(const QList<QJsonObject>& events, const QStringList& kinds) {
    auto is = [](const QJsonObject& e, const char* type, const char* name) {
      return e.value("type").toString() == type && e.value("name").toString() == name;
    };
    if (events.size() < 2 || !is(events.first(), "status", "started") ||
        !is(events.last(), "status", "finished"))
      return "the stream does not go from status `started` to `finished`";
    const double run = events.first().value("run").toDouble();
    if (run <= 0) return "a recorded run with run id 0";
    QSet<QString> seen;
    for (const QJsonObject& e : events) {
      if (e.value("run").toDouble() != run) return "more than one run id in one stream";
      if (e.value("type").toString() == "artifact") seen.insert(e.value("kind").toString());
    }
    for (const QString& kind : kinds)
      if (!seen.contains(kind)) return "no artifact of kind " + kind;
    return {};
  }

 private slots:
  void initTestCase() {
    QVERIFY(m_dir.isValid());
    m_ws = m_dir.filePath("ws");
  }

  // The steps below share one workspace and run in this order.

  void testInitWritesNoHumanTextToStdout() {
    const Stream s = runWithEvents({"init", m_ws});
    QVERIFY2(s.problem.isEmpty(), qPrintable(s.problem));
    QVERIFY(s.events.isEmpty());
    QVERIFY2(s.result.err.contains("Created workspace"), s.result.err.constData());
  }

  void testSynthStreamsOnlyEvents() {
    const Stream s =
        runWithEvents({"corpus", "synth", "-w", m_ws, "--profile", "tiny", "--seed", "1"});
    QVERIFY2(s.problem.isEmpty(), qPrintable(s.problem));
    const QString problem = recordedRunProblem(s.events, {"audio", "alignments"});
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QVERIFY2(s.result.err.contains("Synthesised"), s.result.err.constData());
  }

  void testImportStreamsOnlyEvents() {
    // A tiny Kaldi data dir: two of the synthetic test utterances.
    const QString dir = m_dir.filePath("kaldi");
    QVERIFY(QDir().mkpath(dir));
    QFile scp(dir + "/wav.scp");
    QVERIFY(scp.open(QIODevice::WriteOnly));
    QDirIterator it(m_ws + "/audio/synth-test-clean", {"*.wav"}, QDir::Files);
    QStringList wavs;
    while (it.hasNext() && wavs.size() < 2) wavs << it.next();
    QCOMPARE(wavs.size(), 2);
    wavs.sort();
    for (int i = 0; i < wavs.size(); ++i) scp.write(QString("utt%1 %2\n").arg(i).arg(wavs[i]).toUtf8());
    scp.close();

    const Stream s = runWithEvents(
        {"corpus", "import", "-w", m_ws, "--name", "two", "--kind", "unlabeled", "--kaldi-dir", dir});
    QVERIFY2(s.problem.isEmpty(), qPrintable(s.problem));
    const QString problem = recordedRunProblem(s.events, {});
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QVERIFY2(s.result.err.contains("Imported dataset 'two'"), s.result.err.constData());
  }

  void testListingCommandsWriteNoHumanTextToStdout() {
    const struct {
      QStringList args;
      const char* onStderr;
    } commands[] = {{{"corpus", "list", "-w", m_ws}, "synth-labeled"},
                    {{"info", "-w", m_ws}, "schema version"},
                    {{"runs", "-w", m_ws}, "finished"},
                    {{"compare", "-w", m_ws}, "No evaluations yet"}};
    for (const auto& c : commands) {
      const Stream s = runWithEvents(c.args);
      QVERIFY2(s.problem.isEmpty(), qPrintable(s.problem));
      QVERIFY(s.events.isEmpty());
      QVERIFY2(s.result.err.contains(c.onStderr), s.result.err.constData());
    }
  }

  void testFeaturesStreamsOnlyEvents() {
    const Stream s = runWithEvents({"features", "-w", m_ws, "--dataset", "synth-labeled"});
    QVERIFY2(s.problem.isEmpty(), qPrintable(s.problem));
    const QString problem = recordedRunProblem(s.events, {"features"});
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QVERIFY2(s.result.err.contains("Features 'synth-labeled-"), s.result.err.constData());
  }

  void testFeaturesIsQuietByDefaultAndDetailedWithVerbose() {
    // Per-commit lines are debug detail: none by default, one per commit with -v.
    auto quiet = runCli({"features", "-w", m_ws, "--dataset", "synth-test-clean", "--commit-every",
                         "10", "--jobs", "1"}, 300000);
    QVERIFY2(quiet.exitCode == 0, qPrintable(outputOf(quiet)));
    QVERIFY2(!quiet.err.contains("committed") && !quiet.err.contains("[info]"),
             quiet.err.constData());
    QVERIFY2(quiet.out.contains("Features 'synth-test-clean-"), quiet.out.constData());
    auto verbose = runCli({"-v", "features", "-w", m_ws, "--dataset", "synth-test-noisy",
                           "--commit-every", "10", "--jobs", "1"}, 300000);
    QVERIFY2(verbose.exitCode == 0, qPrintable(outputOf(verbose)));
    QVERIFY2(verbose.err.contains("[debug] features: committed 10/"), verbose.err.constData());
  }

  void testTargetsStreamsOnlyEvents() {
    const Stream s = runWithEvents({"targets", "-w", m_ws, "--dataset", "synth-labeled"});
    QVERIFY2(s.problem.isEmpty(), qPrintable(s.problem));
    const QString problem = recordedRunProblem(s.events, {"targets"});
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QVERIFY2(s.result.err.contains("Targets for 'synth-labeled'"), s.result.err.constData());
  }

  void testVerifyExportAndFixKaldiDirWriteOnlyEventsToStdout() {
    const Stream verify = runWithEvents({"verify", "-w", m_ws});
    QVERIFY2(verify.problem.isEmpty(), qPrintable(verify.problem));
    QVERIFY2(verify.result.err.contains("Verified"), verify.result.err.constData());
    const Stream exported = runWithEvents({"export", "-w", m_ws, "--dataset", "synth-labeled",
                                           "--what", "targets", "--ark", m_dir.filePath("t.ark"),
                                           "--scp", m_dir.filePath("t.scp")});
    QVERIFY2(exported.problem.isEmpty(), qPrintable(exported.problem));
    QVERIFY(QFileInfo(m_dir.filePath("t.ark")).size() > 0);
    const Stream fixed = runWithEvents({"corpus", "fix-kaldi-dir", "--kaldi-dir",
                                        m_dir.filePath("kaldi"), "--out", m_dir.filePath("fixed")});
    QVERIFY2(fixed.problem.isEmpty(), qPrintable(fixed.problem));
    QVERIFY(fixed.events.isEmpty());
    QVERIFY2(fixed.result.err.contains("Wrote a corrected copy"), fixed.result.err.constData());
  }

  void testTrainStreamsOnlyEvents() {
#if UNDERSTUDY_TEST_WITH_TRAIN
    const Stream s = runWithEvents(
        {"train", "-w", m_ws, "--config", kRecipes + "teacher-tiny.yaml", "--max-steps", "3"});
    QVERIFY2(s.problem.isEmpty(), qPrintable(s.problem));
    const QString problem = recordedRunProblem(s.events, {"model"});
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    int metrics = 0;
    for (const QJsonObject& e : s.events) {
      if (e.value("type").toString() == "metric") ++metrics;
      if (e.value("type").toString() == "artifact")
        QCOMPARE(e.value("path").toString(), QString("models/teacher-tiny/model.pt"));
    }
    QVERIFY(metrics >= 3);  // train/loss at least, every step
    QVERIFY2(s.result.err.contains("# train: resolved config"), s.result.err.constData());
    QVERIFY2(s.result.err.contains("Trained 'teacher-tiny'"), s.result.err.constData());
#else
    QSKIP("built with UNDERSTUDY_TORCH=OFF: understudy-cli has no train command");
#endif
  }
};

QTEST_GUILESS_MAIN(TestCliEvents)
#include "test_cli_events.moc"
