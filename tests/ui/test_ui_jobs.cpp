// The jobs panel (docs/gui.md "Jobs") driven the way the workbench drives it:
// how understudy-cli is found; a real tiny recipe launched through JobsPanel
// (detached, `--events FILE`) finishes and shows as finished, next to a run
// started from a terminal; a job stopped during training leaves a checkpoint
// and its cancelled run resumes to the end; a job that ignores SIGTERM is
// killed after the grace period; a job outlives its panel (the window
// closing) and a new panel shows it and its log file. Runs offscreen.
#include <QAction>
#include <QDir>
#include <QFile>
#include <QPlainTextEdit>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>
#include <memory>

#include <csignal>
#include <unistd.h>

#include <SQLiteCpp/Database.h>

#include "core/store/workspace.h"
#include "support/sql_query.h"
#include "ui/jobs/cli_program.h"
#include "ui/jobs/job.h"
#include "ui/jobs/job_controller.h"
#include "ui/jobs/job_event.h"
#include "ui/jobs/jobs_panel.h"
#include "ui/jobs/jobs_table_model.h"

using namespace understudy::ui;
using understudy::test::queryText;

namespace {

constexpr int kJobTimeoutMs = 120000;

// Synthesis (a third of the tiny corpus), features and targets of the labeled set: ~10 s.
const char* const kPrepRecipe = R"(name: jobs-prep
jobs: 2
corpus:
  synth: {profile: tiny, seed: 1, scale: 0.3}
datasets:
  labeled: [synth-labeled]
)";

// The same steps (cached after kPrepRecipe) and a small model trained for
// 200 steps with a checkpoint every 5: long enough to stop in the middle.
const char* const kTrainRecipe = R"(name: jobs-train
jobs: 2
corpus:
  synth: {profile: tiny, seed: 1, scale: 0.3}
datasets:
  labeled: [synth-labeled]
teacher:
  name: jobs-teacher
  seed: 1
  threads: 1
  max_steps: 200
  model: {preset: student-tiny}
  batching: {max_frames: 1000}
  optimizer: {kind: adam, lr: 0.003}
  validation: {every: 0}
  checkpoint: {every: 5, keep: 2}
)";

// The cached steps of kPrepRecipe and a short training (20 steps, a few seconds):
// long enough to close the window while it trains.
const char* const kOutliveRecipe = R"(name: jobs-outlive
jobs: 2
corpus:
  synth: {profile: tiny, seed: 1, scale: 0.3}
datasets:
  labeled: [synth-labeled]
teacher:
  name: outlive-teacher
  seed: 1
  threads: 1
  max_steps: 20
  model: {preset: student-tiny}
  batching: {max_frames: 1000}
  optimizer: {kind: adam, lr: 0.003}
  validation: {every: 0}
  checkpoint: {every: 10, keep: 1}
)";

// Fields 5 and 6 of /proc/PID/stat: process group and session.
std::pair<qint64, qint64> groupAndSession(qint64 pid) {
  QFile f(QStringLiteral("/proc/%1/stat").arg(pid));
  if (!f.open(QIODevice::ReadOnly)) return {-1, -1};
  const QByteArray text = f.readAll();
  const QList<QByteArray> fields = text.mid(text.lastIndexOf(')') + 2).split(' ');
  if (fields.size() < 4) return {-1, -1};
  return {fields[2].toLongLong(), fields[3].toLongLong()};
}

QByteArray readAll(const QString& path) {
  QFile f(path);
  return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

bool writeFile(const QString& path, const QByteArray& text, bool executable = false) {
  QFile f(path);
  if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate)) return false;
  f.write(text);
  f.close();
  if (executable) f.setPermissions(f.permissions() | QFileDevice::ExeOwner | QFileDevice::ExeUser);
  return true;
}

QString cellText(JobsPanel& panel, int row, int column) {
  return panel.model()->index(row, column).data().toString();
}

// Restores an environment variable when the scope ends.
class EnvGuard {
 public:
  explicit EnvGuard(const char* name) : m_name(name), m_had(qEnvironmentVariableIsSet(name)), m_value(qgetenv(name)) {}
  ~EnvGuard() {
    if (m_had)
      qputenv(m_name, m_value);
    else
      qunsetenv(m_name);
  }

 private:
  const char* m_name;
  bool m_had;
  QByteArray m_value;
};

struct ErrorRecorder {
  QStringList messages;
  void attach(JobsPanel& panel) {
    QObject::connect(&panel, &JobsPanel::errorOccurred, &panel,
                     [this](const QString&, const QString& message) { messages << message; });
  }
};

}  // namespace

class TestUiJobs : public QObject {
  Q_OBJECT

  QTemporaryDir m_tmp;
  QString m_cli;
  QString m_ws;

 private slots:
  // A case that fails can leave a detached job behind (the stand-in that
  // ignores SIGTERM would run forever): end every process this test started,
  // known by its working folder (a job starts in its recipe's folder) or its
  // command line being in this test's folder.
  void cleanupTestCase() {
    const QByteArray mine = m_tmp.path().toUtf8();
    for (const QString& entry : QDir("/proc").entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
      bool ok = false;
      const qint64 pid = entry.toLongLong(&ok);
      if (!ok || pid == QCoreApplication::applicationPid()) continue;
      QFile cmdline("/proc/" + entry + "/cmdline");
      const bool inMine = QFileInfo("/proc/" + entry + "/cwd").symLinkTarget().startsWith(m_tmp.path()) ||
                          (cmdline.open(QIODevice::ReadOnly) && cmdline.readAll().contains(mine));
      if (inMine) {
        qWarning("ending process %lld, left running by a failed case", pid);
        ::kill(static_cast<pid_t>(pid), SIGKILL);
      }
    }
  }

  void initTestCase() {
    QVERIFY(m_tmp.isValid());
    // CTest sets UNDERSTUDY_CLI; run by hand, the binary this test was built against.
    if (!qEnvironmentVariableIsSet(kCliEnvironmentVariable)) qputenv(kCliEnvironmentVariable, UNDERSTUDY_CLI_PATH);
    m_cli = qEnvironmentVariable(kCliEnvironmentVariable);
    QVERIFY2(QFileInfo(m_cli).isExecutable(), qPrintable(m_cli));
    m_ws = m_tmp.filePath("ws");
    understudy::Workspace::create(m_ws.toStdString());
    QVERIFY(writeFile(m_tmp.filePath("prep.yaml"), kPrepRecipe));
    QVERIFY(writeFile(m_tmp.filePath("train.yaml"), kTrainRecipe));
  }

  void testCliProgramLookup() {
    EnvGuard env(kCliEnvironmentVariable);
    EnvGuard path("PATH");
    QString error;
    QCOMPARE(cliProgram(&error), QFileInfo(m_cli).absoluteFilePath());

    // Set but wrong: an error that names the variable and the value, no silent fallback.
    qputenv(kCliEnvironmentVariable, "/nonexistent/understudy-cli");
    QVERIFY(cliProgram(&error).isEmpty());
    QVERIFY2(error.contains("UNDERSTUDY_CLI") && error.contains("/nonexistent/understudy-cli"), qPrintable(error));

    // Unset: next to the application (installed, and the build tree's app/cli sibling), then PATH.
    qunsetenv(kCliEnvironmentVariable);
    const QStringList next = cliProgramCandidatesNextToApplication();
    QCOMPARE(next.size(), 2);
    QCOMPARE(next[0], QCoreApplication::applicationDirPath() + "/understudy-cli");
    QCOMPARE(next[1], QDir::cleanPath(QCoreApplication::applicationDirPath() + "/../cli/understudy-cli"));
    const QString bin = m_tmp.filePath("bin");
    QVERIFY(QDir().mkpath(bin));
    QVERIFY(QFile::link(m_cli, bin + "/understudy-cli"));
    qputenv("PATH", bin.toLocal8Bit());
    QCOMPARE(cliProgram(&error), bin + "/understudy-cli");

    qputenv("PATH", m_tmp.filePath("empty").toLocal8Bit());
    error.clear();
    QVERIFY(cliProgram(&error).isEmpty());
    for (const QString& where : next) QVERIFY2(error.contains(where), qPrintable(error));
    QVERIFY2(error.contains("PATH") && error.contains("UNDERSTUDY_CLI"), qPrintable(error));
  }

  void testEventReaderKeepsPartialLines() {
    JobEventReader reader;
    QList<JobEvent> events = reader.feed(R"({"time":1.5,"run":7,"type":"progress","name":"recipe","step":2,"value":0.5,)");
    QVERIFY(events.isEmpty());
    events = reader.feed(R"("detail":"[3/4] train t","done":2,"total":4})" "\nnot json\n");
    QCOMPARE(events.size(), 1);
    QCOMPARE(events[0].run, qint64(7));
    QCOMPARE(events[0].type, QString("progress"));
    QCOMPARE(events[0].step.value_or(-1), qint64(2));
    QCOMPARE(events[0].value.value_or(-1), 0.5);
    QCOMPARE(events[0].extraString("detail"), QString("[3/4] train t"));
    QVERIFY(!events[0].extras.contains("run"));
    QCOMPARE(reader.malformedLines(), 1);
    QVERIFY2(reader.lastError().contains("line 2"), qPrintable(reader.lastError()));
  }

  void testLaunchRefusedWithAMessage() {
    JobsPanel panel;
    ErrorRecorder errors;
    errors.attach(panel);
    QVERIFY(panel.launchRecipe(m_tmp.filePath("prep.yaml")) == nullptr);  // no workspace yet
    QVERIFY2(errors.messages.size() == 1 && errors.messages[0].contains("no workspace"),
             qPrintable(errors.messages.join('|')));
    QVERIFY(!panel.launchAction()->isEnabled());

    QVERIFY(panel.setWorkspacePath(m_ws));
    QVERIFY(panel.launchAction()->isEnabled());
    QVERIFY(panel.launchRecipe(m_tmp.filePath("missing.yaml")) == nullptr);
    QVERIFY2(errors.messages.size() == 2 && errors.messages[1].contains("missing.yaml"),
             qPrintable(errors.messages.join('|')));

    EnvGuard env(kCliEnvironmentVariable);
    qputenv(kCliEnvironmentVariable, "/nonexistent/understudy-cli");
    QVERIFY(panel.launchRecipe(m_tmp.filePath("prep.yaml")) == nullptr);
    QVERIFY2(errors.messages.size() == 3 && errors.messages[2].contains("/nonexistent/understudy-cli"),
             qPrintable(errors.messages.join('|')));
    QCOMPARE(panel.controller()->jobs().size(), 0);
  }

  void testTinyRecipeFinishesInThePanel() {
    JobsPanel panel;
    ErrorRecorder errors;
    errors.attach(panel);
    panel.setPollIntervalMs(100);
    QVERIFY(panel.setWorkspacePath(m_ws));
    Job* job = panel.launchRecipe(m_tmp.filePath("prep.yaml"));
    QVERIFY(job != nullptr);
    QCOMPARE(panel.selectedJob(), job);
    QTRY_VERIFY_WITH_TIMEOUT(!job->isActive(), kJobTimeoutMs);
    QVERIFY2(job->state() == Job::State::Finished, qPrintable(job->log()));
    QVERIFY(job->recipeRunId() > 0);
    QCOMPARE(job->progress(), 1.0);
    QCOMPARE(job->eventReader().malformedLines(), 0);
    // The steps' events came through the same stream: synth, features, targets.
    QCOMPARE(job->runIds().size(), 4);
    QVERIFY2(job->log().contains("Recipe 'jobs-prep' finished: 3 steps, 3 ran"), qPrintable(job->log()));
    // The log view follows the selected job.
    QVERIFY(panel.logView()->toPlainText().contains("Recipe 'jobs-prep' finished"));

    // The panel lists the recipe's run, as finished, started by this window.
    const int row = panel.model()->rowOfRun(job->recipeRunId());
    QVERIFY(row >= 0);
    QCOMPARE(cellText(panel, row, JobsTableModel::StatusColumn), QString("finished"));
    QCOMPARE(cellText(panel, row, JobsTableModel::KindColumn), QString("recipe"));
    QCOMPARE(cellText(panel, row, JobsTableModel::NameColumn), QString("jobs-prep"));
    QVERIFY(cellText(panel, row, JobsTableModel::OriginColumn).contains("this window"));
    QCOMPARE(panel.model()->rowCount(), 1);  // the steps are hidden ...
    panel.setShowSteps(true);                 // ... until asked for
    QCOMPARE(panel.model()->rowCount(), 4);
    panel.setShowSteps(false);

    // A run started from a terminal appears on a later poll, as someone else's.
    QProcess terminal;
    terminal.start(m_cli, {"-q", "run", m_tmp.filePath("prep.yaml"), "-w", m_ws});
    QVERIFY(terminal.waitForFinished(kJobTimeoutMs));
    QCOMPARE(terminal.exitCode(), 0);
    const qint64 other = QString::fromStdString(
        queryText(m_ws + "/workspace.db", "SELECT MAX(id) FROM runs WHERE kind = 'recipe'")).toLongLong();
    QVERIFY(other > job->recipeRunId());
    QTRY_VERIFY_WITH_TIMEOUT(panel.model()->rowOfRun(other) >= 0, 5000);
    const int otherRow = panel.model()->rowOfRun(other);
    QCOMPARE(otherRow, 0);  // newest first
    QCOMPARE(cellText(panel, otherRow, JobsTableModel::StatusColumn), QString("finished"));
    QCOMPARE(cellText(panel, otherRow, JobsTableModel::OriginColumn), QString("elsewhere"));
    QVERIFY(panel.model()->index(otherRow, 0).data(JobsTableModel::JobIdRole).toInt() == 0);
    QVERIFY(panel.selectRun(other));
    QVERIFY(!panel.resumeAction()->isEnabled());  // finished: nothing to resume
    QVERIFY(!panel.stopAction()->isEnabled());
    QVERIFY2(panel.logView()->toPlainText().contains("started outside this window"),
             qPrintable(panel.logView()->toPlainText()));

    // A recipe that failed in a terminal resumes from here, from the copy the runner kept in the workspace.
    QVERIFY(writeFile(m_tmp.filePath("broken.yaml"), "name: jobs-broken\njobs: 1\ndatasets:\n  labeled: [no-such-set]\n"));
    terminal.start(m_cli, {"-q", "run", m_tmp.filePath("broken.yaml"), "-w", m_ws});
    QVERIFY(terminal.waitForFinished(kJobTimeoutMs));
    QCOMPARE(terminal.exitCode(), 1);
    const qint64 failed = QString::fromStdString(
        queryText(m_ws + "/workspace.db", "SELECT MAX(id) FROM runs WHERE kind = 'recipe'")).toLongLong();
    QTRY_VERIFY_WITH_TIMEOUT(panel.model()->rowOfRun(failed) >= 0, 5000);
    QVERIFY(panel.selectRun(failed));
    QCOMPARE(cellText(panel, panel.model()->rowOfRun(failed), JobsTableModel::StatusColumn), QString("failed"));
    QVERIFY2(panel.logView()->toPlainText().contains("no-such-set"), qPrintable(panel.logView()->toPlainText()));
    QVERIFY(panel.resumeAction()->isEnabled());
    Job* retry = panel.resumeSelected();
    QVERIFY(retry != nullptr);
    QCOMPARE(retry->recipePath(), m_ws + "/recipes/jobs-broken/recipe.yaml");
    QTRY_VERIFY_WITH_TIMEOUT(!retry->isActive(), kJobTimeoutMs);
    QCOMPARE(retry->state(), Job::State::Failed);
    QVERIFY2(retry->errorMessage().contains("features no-such-set failed"), qPrintable(retry->errorMessage()));
    QVERIFY(retry->recipeRunId() > failed);
    QTRY_COMPARE_WITH_TIMEOUT(
        cellText(panel, panel.model()->rowOfRun(retry->recipeRunId()), JobsTableModel::StatusColumn), QString("failed"),
        5000);
    QVERIFY2(errors.messages.isEmpty(), qPrintable(errors.messages.join('|')));
  }

  // Closing the window stops nothing: a job launched through the panel runs
  // in a session of its own with its events and log in files, keeps training
  // after its panel (and controller) are gone, and finishes; a panel opened
  // later on the workspace shows the run and follows its log file.
  void testJobOutlivesItsWindow() {
    QVERIFY(writeFile(m_tmp.filePath("outlive.yaml"), kOutliveRecipe));
    const QString db = m_ws + "/workspace.db";
    qint64 pid = 0;
    qint64 recipeRun = 0;
    QString logPath;
    QString eventsPath;
    {
      auto panel = std::make_unique<JobsPanel>();
      ErrorRecorder errors;
      errors.attach(*panel);
      QVERIFY(panel->setWorkspacePath(m_ws));
      Job* job = panel->launchRecipe(m_tmp.filePath("outlive.yaml"));
      QVERIFY(job != nullptr);
      pid = job->pid();
      QVERIFY(pid > 0);
      logPath = job->logPath();
      eventsPath = job->eventsPath();
      QCOMPARE(QFileInfo(logPath).absolutePath(), m_ws + "/runs/gui-jobs");
      QVERIFY2(QFileInfo(logPath).fileName().contains(QRegularExpression("^[0-9]{8}-[0-9]{6}-outlive\\.log$")),
               qPrintable(logPath));
      QCOMPARE(eventsPath, logPath.chopped(4) + ".events.jsonl");
      // Detached: neither this process's group nor its session.
      const auto [group, session] = groupAndSession(pid);
      QVERIFY2(group > 0 && session > 0, qPrintable(QString::number(pid)));
      QVERIFY(group != ::getpgrp());
      QVERIFY(session != ::getsid(0));
      QTRY_VERIFY_WITH_TIMEOUT(job->progressDetail().contains("train outlive-teacher") || !job->isActive(), kJobTimeoutMs);
      QVERIFY2(job->isActive(), qPrintable("ended before training: " + job->errorMessage() + "\n" + job->log()));
      recipeRun = job->recipeRunId();
      QVERIFY(recipeRun > 0);
      QVERIFY2(errors.messages.isEmpty(), qPrintable(errors.messages.join('|')));
      QElapsedTimer closing;
      closing.start();
      panel.reset();  // the window closes
      QVERIFY2(closing.elapsed() < 1000, qPrintable(QString::number(closing.elapsed())));  // no waiting for jobs
    }
    QVERIFY(Job::processAlive(pid));
    QCOMPARE(queryText(db, "SELECT status FROM runs WHERE id = " + std::to_string(recipeRun)), std::string("running"));

    // A window opened later shows the run (from the database) and its log (from the file), followed as it grows.
    JobsPanel again;
    again.setPollIntervalMs(100);
    QVERIFY(again.setWorkspacePath(m_ws));
    QVERIFY(again.selectRun(recipeRun));
    QCOMPARE(again.guiLogFileForRun(recipeRun), logPath);
    const QString first = again.logView()->toPlainText();
    QVERIFY2(first.contains(QString("[workbench] started as process %1").arg(pid)), qPrintable(first));
    QVERIFY2(!first.contains("Recipe 'jobs-outlive' finished"), qPrintable(first));
    QCOMPARE(cellText(again, again.model()->rowOfRun(recipeRun), JobsTableModel::OriginColumn), QString("elsewhere"));
    QTRY_VERIFY_WITH_TIMEOUT(
        cellText(again, again.model()->rowOfRun(recipeRun), JobsTableModel::StatusColumn) != "running", kJobTimeoutMs);
    QCOMPARE(cellText(again, again.model()->rowOfRun(recipeRun), JobsTableModel::StatusColumn), QString("finished"));
    QTRY_VERIFY_WITH_TIMEOUT(again.logView()->toPlainText().contains("Recipe 'jobs-outlive' finished: 4 steps, 1 ran"),
                             5000);
    QVERIFY2(again.logView()->toPlainText().startsWith(first), "the log view was not followed, it was replaced");
    QTRY_VERIFY_WITH_TIMEOUT(!Job::processAlive(pid), 5000);
    QCOMPARE(queryText(db, "SELECT status FROM runs WHERE kind = 'train' AND name = 'outlive-teacher'"),
             std::string("finished"));

    // The files hold the whole story: the log says the window closed and the job went on;
    // the events end with the recipe's `finished`.
    const QString log = QString::fromUtf8(readAll(logPath));
    QVERIFY2(log.contains("the workbench window closed; the job goes on"), qPrintable(log));
    QVERIFY2(log.contains("Recipe 'jobs-outlive' finished"), qPrintable(log));
    JobEventReader reader;
    const QList<JobEvent> events = reader.feed(readAll(eventsPath));
    QCOMPARE(reader.malformedLines(), 0);
    QVERIFY(!events.isEmpty());
    QCOMPARE(events.back().run, recipeRun);
    QCOMPARE(events.back().type, QString("status"));
    QCOMPARE(events.back().name, QString("finished"));
  }

  void testStoppedJobLeavesACheckpointAndResumes() {
    JobsPanel panel;
    ErrorRecorder errors;
    errors.attach(panel);
    panel.setPollIntervalMs(100);
    QVERIFY(panel.setWorkspacePath(m_ws));
    panel.show();  // shortcuts need a shown panel
    QVERIFY(QTest::qWaitForWindowExposed(&panel));

    // Launch through the action, with the file dialog replaced.
    panel.setRecipeChooser([this](QWidget*) { return m_tmp.filePath("train.yaml"); });
    panel.launchAction()->trigger();
    QCOMPARE(panel.controller()->jobs().size(), 1);
    Job* job = panel.controller()->jobs().front();
    const QString checkpoints = m_ws + "/models/jobs-teacher/checkpoints";
    QTRY_VERIFY_WITH_TIMEOUT(!QDir(checkpoints).entryList({"ckpt-*"}, QDir::Files).isEmpty() || !job->isActive(),
                             kJobTimeoutMs);
    QVERIFY2(job->isActive(), qPrintable("ended before its first checkpoint:\n" + job->log()));
    // Another window sees the same run, as someone else's, with the training step from the database.
    {
      JobsPanel other;
      other.setPollIntervalMs(100);
      other.setShowSteps(true);
      QVERIFY(other.setWorkspacePath(m_ws));
      QTRY_VERIFY_WITH_TIMEOUT(other.model()->rowOfRun(job->recipeRunId()) >= 0, 5000);
      const int recipeRow = other.model()->rowOfRun(job->recipeRunId());
      QCOMPARE(cellText(other, recipeRow, JobsTableModel::OriginColumn), QString("elsewhere"));
      QCOMPARE(cellText(other, recipeRow, JobsTableModel::StatusColumn), QString("running"));
      QTRY_VERIFY_WITH_TIMEOUT(
          cellText(other, other.model()->rowOfRun(job->recipeRunId()), JobsTableModel::ProgressColumn)
              .contains(QRegularExpression("^train jobs-teacher · step [0-9]+ of 200$")),
          5000);
      const qint64 trainRun = QString::fromStdString(queryText(
          m_ws + "/workspace.db", "SELECT id FROM runs WHERE kind = 'train' AND name = 'jobs-teacher'")).toLongLong();
      const QModelIndex trainRow = other.model()->index(other.model()->rowOfRun(trainRun), 0);
      const double fraction = trainRow.data(JobsTableModel::ProgressFractionRole).toDouble();
      QVERIFY2(fraction > 0.0 && fraction < 1.0, qPrintable(QString::number(fraction)));
      QVERIFY(other.selectRun(job->recipeRunId()));
      QVERIFY(!other.stopAction()->isEnabled());  // not this window's job: stop it where it runs
    }
    QCOMPARE(panel.selectedJob(), job);
    QVERIFY(panel.stopAction()->isEnabled());
    QVERIFY(!panel.resumeAction()->isEnabled());
    QTest::keySequence(panel.tableView(), panel.stopAction()->shortcut());  // Ctrl+.
    QCOMPARE(job->state(), Job::State::Stopping);
    QTRY_VERIFY_WITH_TIMEOUT(!job->isActive(), 30000);
    QVERIFY2(job->state() == Job::State::Cancelled, qPrintable(job->log()));
    QVERIFY2(job->errorMessage().contains("cancelled"), qPrintable(job->errorMessage()));
    QVERIFY2(job->log().contains("checkpoint saved"), qPrintable(job->log()));

    // The database says so too: the training step and the recipe were cancelled, not failed,
    // and the step left a checkpoint to resume from.
    const QString db = m_ws + "/workspace.db";
    QCOMPARE(queryText(db, "SELECT status FROM runs WHERE kind = 'train' AND name = 'jobs-teacher'"),
             std::string("cancelled"));
    QCOMPARE(queryText(db, "SELECT status FROM runs WHERE id = " + std::to_string(job->recipeRunId())),
             std::string("cancelled"));
    QVERIFY(!QDir(checkpoints).entryList({"ckpt-*"}, QDir::Files).isEmpty());
    const qint64 stoppedAt =
        QString::fromStdString(queryText(db, "SELECT MAX(step) FROM metrics m JOIN runs r ON r.id = m.run_id "
                                             "WHERE r.name = 'jobs-teacher' AND m.name = 'train/loss'")).toLongLong();
    QVERIFY2(stoppedAt >= 5 && stoppedAt < 200, qPrintable(QString::number(stoppedAt)));

    const int row = panel.model()->rowOfRun(job->recipeRunId());
    QVERIFY(row >= 0);
    QCOMPARE(cellText(panel, row, JobsTableModel::StatusColumn), QString("cancelled"));
    QCOMPARE(panel.selectedRunId(), job->recipeRunId());
    QVERIFY(!panel.stopAction()->isEnabled());
    QVERIFY(panel.resumeAction()->isEnabled());

    // Resume (Ctrl+Shift+R): the same recipe again; the training step continues from its checkpoint.
    QTest::keySequence(panel.tableView(), panel.resumeAction()->shortcut());
    QCOMPARE(panel.controller()->jobs().size(), 2);
    Job* again = panel.controller()->jobs().back();
    QCOMPARE(again->recipePath(), job->recipePath());
    QTRY_VERIFY_WITH_TIMEOUT(!again->isActive(), kJobTimeoutMs);
    QVERIFY2(again->state() == Job::State::Finished, qPrintable(again->log()));
    QVERIFY2(again->log().contains("resuming") && again->log().contains("--resume"), qPrintable(again->log()));
    QVERIFY2(again->log().contains("# resuming at step"), qPrintable(again->log()));
    QVERIFY2(!again->log().contains("starting from scratch"), qPrintable(again->log()));
    QCOMPARE(queryText(db, "SELECT COUNT(*) FROM runs WHERE kind = 'train' AND name = 'jobs-teacher' AND status = "
                           "'finished'"),
             std::string("1"));
    // The resumed run trained only the steps after the checkpoint.
    const qint64 firstResumed = QString::fromStdString(queryText(
        db, "SELECT MIN(step) FROM metrics m JOIN runs r ON r.id = m.run_id WHERE r.name = 'jobs-teacher' AND "
            "r.status = 'finished' AND m.name = 'train/loss'")).toLongLong();
    QVERIFY2(firstResumed > 1, qPrintable(QString::number(firstResumed)));
    QVERIFY(QFile::exists(m_ws + "/models/jobs-teacher/model.pt"));
    QTRY_COMPARE_WITH_TIMEOUT(cellText(panel, panel.model()->rowOfRun(again->recipeRunId()),
                                       JobsTableModel::StatusColumn),
                              QString("finished"), 5000);
    QVERIFY2(errors.messages.isEmpty(), qPrintable(errors.messages.join('|')));
  }

  void testJobIgnoringSigtermIsKilledAfterTheGracePeriod() {
    // A stand-in for understudy-cli that reports a recipe run, then ignores SIGTERM.
    const QString fake = m_tmp.filePath("stubborn-cli");
    QVERIFY(writeFile(fake,
                      "#!/bin/sh\n"
                      "trap '' TERM\n"
                      "[ \"$1\" = --events ] || exit 3\n"  // --events FILE run RECIPE -w WS
                      "echo '{\"time\":1,\"run\":99,\"type\":\"status\",\"name\":\"started\",\"kind\":\"recipe\"}' >> \"$2\"\n"
                      "echo '{\"time\":1,\"run\":99,\"type\":\"progress\",\"name\":\"recipe\",\"step\":1,"
                      "\"value\":0.25,\"detail\":\"[2/4] train x\"}' >> \"$2\"\n"
                      "while :; do sleep 0.05; done\n",
                      true));
    // Its run, as the real runner would have recorded it (in a workspace of its own).
    const QString ws = m_tmp.filePath("ws-stubborn");
    understudy::Workspace::create(ws.toStdString());
    {
      SQLite::Database db((ws + "/workspace.db").toStdString(), SQLite::OPEN_READWRITE, 5000);
      db.exec("INSERT INTO runs (id, kind, name, status) VALUES (99, 'recipe', 'stubborn', 'running')");
    }
    JobsPanel panel;
    QVERIFY(panel.setWorkspacePath(ws));
    JobController& jobs = *panel.controller();
    jobs.setProgram(fake);
    jobs.setStopGraceMs(500);
    Job* job = panel.launchRecipe(m_tmp.filePath("prep.yaml"));
    QVERIFY(job != nullptr);
    QTRY_COMPARE_WITH_TIMEOUT(job->state(), Job::State::Running, 10000);
    QCOMPARE(job->recipeRunId(), qint64(99));
    QCOMPARE(job->progress(), 0.25);
    QCOMPARE(job->progressText(), QString("[2/4] train x"));
    QElapsedTimer clock;
    clock.start();
    jobs.stop(job);
    QTest::qWait(200);
    QCOMPARE(job->state(), Job::State::Stopping);  // SIGTERM alone does not end it
    QTRY_VERIFY_WITH_TIMEOUT(!job->isActive(), 10000);
    QCOMPARE(job->state(), Job::State::Killed);
    QVERIFY2(clock.elapsed() >= 450, qPrintable(QString::number(clock.elapsed())));
    QVERIFY2(job->errorMessage().contains("SIGKILL"), qPrintable(job->errorMessage()));
    // The killed runner could not record its end: the database still says running, the panel says killed.
    QCOMPARE(queryText(ws + "/workspace.db", "SELECT status FROM runs WHERE id = 99"), std::string("running"));
    panel.reload();
    const int row = panel.model()->rowOfRun(99);
    QVERIFY(row >= 0);
    QCOMPARE(cellText(panel, row, JobsTableModel::StatusColumn), QString("killed"));
    QVERIFY2(cellText(panel, row, JobsTableModel::ProgressColumn).contains("SIGKILL"),
             qPrintable(cellText(panel, row, JobsTableModel::ProgressColumn)));
    QCOMPARE(panel.selectedRunId(), qint64(99));
    QVERIFY(panel.resumeAction()->isEnabled());
  }

  // A job whose process vanishes without its recipe recording how it ended
  // (killed outside the workbench) is shown as lost, naming its log file.
  void testJobKilledOutsideTheWorkbenchIsLost() {
    const QString fake = m_tmp.filePath("lost-cli");
    QVERIFY(writeFile(fake,
                      "#!/bin/sh\n"
                      "echo '{\"time\":1,\"run\":7,\"type\":\"status\",\"name\":\"started\",\"kind\":\"recipe\"}' >> \"$2\"\n"
                      "echo 'working on it' >&2\n"
                      "exec sleep 30\n",
                      true));
    const QString ws = m_tmp.filePath("ws-lost");
    understudy::Workspace::create(ws.toStdString());
    JobsPanel panel;
    QVERIFY(panel.setWorkspacePath(ws));
    panel.controller()->setProgram(fake);
    Job* job = panel.launchRecipe(m_tmp.filePath("prep.yaml"));
    QVERIFY(job != nullptr);
    QTRY_COMPARE_WITH_TIMEOUT(job->state(), Job::State::Running, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(job->log().contains("working on it"), 5000);  // its stderr, through the log file
    QCOMPARE(::kill(static_cast<pid_t>(job->pid()), SIGKILL), 0);
    QTRY_VERIFY_WITH_TIMEOUT(!job->isActive(), 5000);
    QCOMPARE(job->state(), Job::State::Lost);
    QVERIFY2(job->errorMessage().contains("ended without recording how") &&
                 job->errorMessage().contains(job->logPath()),
             qPrintable(job->errorMessage()));
    QVERIFY(readAll(job->logPath()).contains("[workbench] lost\n"));
    const int row = panel.model()->rowOfJob(job->id());
    QVERIFY(row >= 0);
    QCOMPARE(cellText(panel, row, JobsTableModel::StatusColumn), QString("lost"));
    QCOMPARE(cellText(panel, row, JobsTableModel::ProgressColumn), job->errorMessage());
  }
};

QTEST_MAIN(TestUiJobs)
#include "test_ui_jobs.moc"
