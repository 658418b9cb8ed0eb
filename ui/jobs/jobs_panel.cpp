#include "ui/jobs/jobs_panel.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QPainter>
#include <QPlainTextEdit>
#include <QRegularExpression>
#include <QScrollBar>
#include <QSplitter>
#include <QSqlQuery>
#include <QStyledItemDelegate>
#include <QTableView>
#include <QToolBar>
#include <QVBoxLayout>

#include "ui/jobs/job.h"
#include "ui/jobs/job_controller.h"
#include "ui/jobs/job_event.h"
#include "ui/jobs/jobs_table_model.h"
#include "ui/workspace/workspace_connection.h"

namespace understudy::ui {

namespace {

// The progress column: a bar under the text where a fraction is known.
class ProgressDelegate : public QStyledItemDelegate {
 public:
  using QStyledItemDelegate::QStyledItemDelegate;
  void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override {
    const double fraction = index.data(JobsTableModel::ProgressFractionRole).toDouble();
    if (fraction < 0.0) {
      QStyledItemDelegate::paint(painter, option, index);
      return;
    }
    QStyleOptionProgressBar bar;
    bar.rect = option.rect.adjusted(1, 1, -1, -1);
    bar.minimum = 0;
    bar.maximum = 1000;
    bar.progress = static_cast<int>(std::clamp(fraction, 0.0, 1.0) * 1000.0);
    bar.text = option.fontMetrics.elidedText(index.data().toString(), Qt::ElideMiddle, bar.rect.width() - 8);
    bar.textVisible = true;
    bar.textAlignment = Qt::AlignCenter;
    bar.state = option.state | QStyle::State_Horizontal;
    bar.palette = option.palette;
    bar.fontMetrics = option.fontMetrics;
    const QWidget* widget = option.widget;
    QStyle* style = widget != nullptr ? widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ProgressBar, &bar, painter, widget);
  }
};

QDateTime utc(const QVariant& text) {
  if (text.isNull()) return {};
  QDateTime t = QDateTime::fromString(text.toString(), Qt::ISODateWithMs);
  if (t.isValid()) t.setTimeSpec(Qt::UTC);
  return t;
}

qint64 scalar(QSqlQuery& q) { return q.exec() && q.next() && !q.value(0).isNull() ? q.value(0).toLongLong() : -1; }

// A training run's step (its newest train/loss) out of max_steps from its config.
void trainProgress(const QSqlDatabase& db, qint64 runId, QString* text, double* fraction) {
  QSqlQuery config(db);
  config.prepare(QStringLiteral("SELECT config FROM runs WHERE id = ?"));
  config.addBindValue(runId);
  qint64 maxSteps = 0;
  if (config.exec() && config.next()) {
    static const QRegularExpression kMaxSteps(QStringLiteral("^max_steps: (\\d+)\\s*$"),
                                              QRegularExpression::MultilineOption);
    const auto m = kMaxSteps.match(config.value(0).toString());
    if (m.hasMatch()) maxSteps = m.captured(1).toLongLong();
  }
  QSqlQuery step(db);
  step.prepare(QStringLiteral("SELECT MAX(step) FROM metrics WHERE run_id = ? AND name = 'train/loss'"));
  step.addBindValue(runId);
  const qint64 at = scalar(step);
  if (at < 0) {
    *text = JobsPanel::tr("no step yet");
    return;
  }
  if (maxSteps > 0) {
    *text = JobsPanel::tr("step %1 of %2").arg(at).arg(maxSteps);
    *fraction = std::clamp(static_cast<double>(at) / static_cast<double>(maxSteps), 0.0, 1.0);
  } else {
    *text = JobsPanel::tr("step %1").arg(at);
  }
}

// What the database says about a running run's progress (runs this window did not start).
void databaseProgress(const QSqlDatabase& db, JobsRunRow& row) {
  if (row.kind == QLatin1String("train")) {
    trainProgress(db, row.id, &row.progressText, &row.progressFraction);
  } else if (row.kind == QLatin1String("recipe")) {
    QSqlQuery child(db);
    child.prepare(QStringLiteral(
        "SELECT id, kind, name FROM runs WHERE parent_run_id = ? AND status = 'running' ORDER BY id DESC LIMIT 1"));
    child.addBindValue(row.id);
    if (child.exec() && child.next()) {
      row.progressText = QStringLiteral("%1 %2").arg(child.value(1).toString(), child.value(2).toString());
      if (child.value(1).toString() == QLatin1String("train")) {
        QString text;
        double ignored = -1.0;  // a step's fraction is not the recipe's
        trainProgress(db, child.value(0).toLongLong(), &text, &ignored);
        row.progressText = JobsPanel::tr("%1 · %2").arg(row.progressText, text);
      }
    }
  }
}

}  // namespace

JobsPanel::JobsPanel(QWidget* parent)
    : QWidget(parent), m_controller(new JobController(this)), m_model(new JobsTableModel(m_controller, this)) {
  m_chooseRecipe = [](QWidget* owner) {
    return QFileDialog::getOpenFileName(owner, tr("Launch Recipe"), QString(),
                                        tr("Recipes (*.yaml *.yml);;All files (*)"));
  };
  buildUi();

  connect(m_controller, &JobController::errorOccurred, this, &JobsPanel::reportError);
  connect(m_controller, &JobController::jobAdded, this, [this] { m_model->jobsChanged(); });
  connect(m_controller, &JobController::jobChanged, this, [this](Job*) {
    m_model->jobsChanged();
    updateActions();
  });
  connect(m_controller, &JobController::jobFinished, this, [this](Job*) {
    reload();  // the run's final status is in the database now
    updateActions();
  });
  connect(m_controller, &JobController::jobLog, this, &JobsPanel::appendLog);

  m_pollTimer.setInterval(kDefaultPollIntervalMs);
  connect(&m_pollTimer, &QTimer::timeout, this, &JobsPanel::refresh);
  m_tickTimer.setInterval(1000);
  connect(&m_tickTimer, &QTimer::timeout, m_model, &JobsTableModel::tick);
  m_tickTimer.start();
  updateActions();
}

JobsPanel::~JobsPanel() {
  // The jobs go on (they are detached); the model must not outlive its rows' source.
  delete m_controller;
  m_controller = nullptr;
}

void JobsPanel::buildUi() {
  m_launchAction = new QAction(tr("&Launch Recipe…"), this);
  m_launchAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
  m_launchAction->setToolTip(tr("Run a recipe file in this workspace (understudy-cli run)"));
  m_stopAction = new QAction(tr("&Stop"), this);
  m_stopAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Period));
  m_stopAction->setToolTip(tr("Stop the selected job: the running step writes its checkpoint"));
  m_resumeAction = new QAction(tr("&Resume"), this);
  m_resumeAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R));
  m_resumeAction->setToolTip(
      tr("Run the selected recipe again: finished steps are reused, the interrupted one resumes"));
  for (QAction* a : {m_launchAction, m_stopAction, m_resumeAction}) {
    a->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    addAction(a);
  }
  connect(m_launchAction, &QAction::triggered, this, [this] {
    const QString path = m_chooseRecipe ? m_chooseRecipe(this) : QString();
    if (!path.isEmpty()) launchRecipe(path);
  });
  connect(m_stopAction, &QAction::triggered, this, &JobsPanel::stopSelected);
  connect(m_resumeAction, &QAction::triggered, this, &JobsPanel::resumeSelected);

  m_toolBar = new QToolBar(this);
  m_toolBar->setToolButtonStyle(Qt::ToolButtonTextOnly);
  m_toolBar->addAction(m_launchAction);
  m_toolBar->addAction(m_stopAction);
  m_toolBar->addAction(m_resumeAction);
  m_toolBar->addSeparator();
  m_showSteps = new QCheckBox(tr("Show recipe steps"), this);
  m_showSteps->setToolTip(tr("List every step of a recipe as its own run, not only the recipe"));
  m_toolBar->addWidget(m_showSteps);
  connect(m_showSteps, &QCheckBox::toggled, this, [this] { reload(); });

  m_table = new QTableView(this);
  m_table->setModel(m_model);
  m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
  m_table->setSelectionMode(QAbstractItemView::SingleSelection);
  m_table->setAlternatingRowColors(true);
  m_table->setWordWrap(false);
  m_table->setTextElideMode(Qt::ElideMiddle);
  m_table->verticalHeader()->hide();
  m_table->horizontalHeader()->setStretchLastSection(false);
  m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
  m_table->horizontalHeader()->setSectionResizeMode(JobsTableModel::ProgressColumn, QHeaderView::Stretch);
  m_table->setItemDelegateForColumn(JobsTableModel::ProgressColumn, new ProgressDelegate(m_table));
  connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this] {
    updateActions();
    showSelectedLog();
    emit runSelected(selectedRunId());
  });
  // After a reset (runs came or went) the selection is gone: keep the row that was selected.
  connect(m_model, &QAbstractItemModel::modelAboutToBeReset, this, [this] {
    m_logRunId = selectedRunId();
    if (Job* job = selectedJob(); job != nullptr && m_logRunId == 0) m_logRunId = -job->id() - 1;
  });
  connect(m_model, &QAbstractItemModel::modelReset, this, [this] {
    if (m_logRunId > 0) {
      selectRun(m_logRunId);
    } else if (m_logRunId < -1) {
      selectJob(static_cast<int>(-m_logRunId - 1));
    }
    m_table->resizeColumnsToContents();
  });

  m_logTitle = new QLabel(tr("Log"), this);
  m_log = new QPlainTextEdit(this);
  m_log->setReadOnly(true);
  m_log->setLineWrapMode(QPlainTextEdit::WidgetWidth);  // long messages (and German ones) stay readable
  m_log->setMaximumBlockCount(20000);
  m_log->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  m_log->setPlaceholderText(tr("Select a job to see its log."));

  auto* logBox = new QWidget(this);
  auto* logLayout = new QVBoxLayout(logBox);
  logLayout->setContentsMargins(0, 0, 0, 0);
  logLayout->addWidget(m_logTitle);
  logLayout->addWidget(m_log);

  auto* split = new QSplitter(Qt::Vertical, this);
  split->addWidget(m_table);
  split->addWidget(logBox);
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 2);

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(m_toolBar);
  layout->addWidget(split);
}

bool JobsPanel::setWorkspacePath(const QString& path) {
  m_pollTimer.stop();
  m_connection.reset();
  m_dataVersion = -1;
  m_controller->setWorkspacePath({});
  m_eventsFileRuns.clear();
  m_logFile.clear();
  m_logFileRunId = 0;
  if (path.isEmpty()) {
    m_model->setRuns({});
    updateActions();
    return true;
  }
  QString error;
  m_connection = WorkspaceConnection::open(path, &error);
  if (!m_connection) {
    m_model->setRuns({});
    reportError(tr("Cannot show the jobs of this workspace"), error);
    updateActions();
    return false;
  }
  m_controller->setWorkspacePath(m_connection->rootPath());
  reload();
  m_pollTimer.start();
  return true;
}

QString JobsPanel::workspacePath() const { return m_connection ? m_connection->rootPath() : QString(); }

bool JobsPanel::showsSteps() const { return m_showSteps->isChecked(); }
void JobsPanel::setShowSteps(bool show) { m_showSteps->setChecked(show); }

void JobsPanel::refresh() {
  if (!m_connection) return;
  followLogFile();
  const qint64 version = m_connection->dataVersion();
  if (version == m_dataVersion && version != -1) return;
  reload();
}

void JobsPanel::reload() {
  if (!m_connection) return;
  m_dataVersion = m_connection->dataVersion();
  const QSqlDatabase db = m_connection->database();
  QSqlQuery q(db);
  q.prepare(QStringLiteral("SELECT id, kind, name, status, started_at, finished_at, parent_run_id, error FROM runs "
                           "WHERE (? OR parent_run_id IS NULL) ORDER BY id DESC LIMIT %1")
                .arg(kMaxRows));
  q.addBindValue(showsSteps() ? 1 : 0);
  QVector<JobsRunRow> rows;
  if (q.exec()) {
    while (q.next()) {
      JobsRunRow r;
      r.id = q.value(0).toLongLong();
      r.kind = q.value(1).toString();
      r.name = q.value(2).toString();
      r.status = q.value(3).toString();
      r.startedAt = utc(q.value(4));
      r.finishedAt = utc(q.value(5));
      r.parentRunId = q.value(6).isNull() ? 0 : q.value(6).toLongLong();
      r.error = q.value(7).toString();
      rows.push_back(std::move(r));
    }
  }
  // Progress from the database only for what runs and is not this window's live job.
  for (JobsRunRow& r : rows) {
    if (r.status != QLatin1String("running")) continue;
    const Job* job = m_controller->jobForRun(r.id);
    if (job != nullptr && job->isActive() && job->recipeRunId() == r.id) continue;
    databaseProgress(db, r);
  }
  m_model->setRuns(rows);
  updateActions();
  emit refreshed();
}

qint64 JobsPanel::selectedRunId() const {
  const QModelIndex current = m_table->selectionModel()->currentIndex();
  return current.isValid() ? current.siblingAtColumn(0).data(JobsTableModel::RunIdRole).toLongLong() : 0;
}

Job* JobsPanel::selectedJob() const {
  const QModelIndex current = m_table->selectionModel()->currentIndex();
  return current.isValid() ? m_model->jobAt(current.row()) : nullptr;
}

bool JobsPanel::selectRun(qint64 runId) {
  const int row = m_model->rowOfRun(runId);
  if (row < 0) return false;
  m_table->selectionModel()->setCurrentIndex(m_model->index(row, 0),
                                             QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
  m_table->scrollTo(m_model->index(row, 0));
  return true;
}

bool JobsPanel::selectJob(int jobId) {
  const int row = m_model->rowOfJob(jobId);
  if (row < 0) return false;
  m_table->selectionModel()->setCurrentIndex(m_model->index(row, 0),
                                             QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
  m_table->scrollTo(m_model->index(row, 0));
  return true;
}

Job* JobsPanel::launchRecipe(const QString& recipePath) {
  Job* job = m_controller->launchRecipe(recipePath);
  if (job != nullptr) selectJob(job->id());
  return job;
}

void JobsPanel::stopSelected() {
  Job* job = selectedJob();
  if (job == nullptr || !job->isActive()) {
    reportError(tr("Cannot stop this run"),
                tr("Run %1 was not started from this window. Stop it where it runs (Ctrl-C in its terminal, "
                   "or SIGTERM to its process); it checkpoints the same way.")
                    .arg(selectedRunId()));
    return;
  }
  m_controller->stop(job);
}

QString JobsPanel::recipeFileForResume(QString* why) const {
  const QModelIndex current = m_table->selectionModel()->currentIndex();
  if (!current.isValid()) {
    *why = tr("No run is selected. Select a stopped or failed recipe run to resume it.");
    return {};
  }
  const JobsRunRow* run = m_model->runAt(current.row());
  if (run != nullptr && run->kind != QLatin1String("recipe") && run->parentRunId != 0)
    run = m_model->runById(run->parentRunId);  // a step resumes with its recipe
  if (run == nullptr || run->kind != QLatin1String("recipe")) {
    *why = tr("Run %1 is not part of a recipe; resume it from the command line (for training: "
              "understudy-cli train … --resume).")
               .arg(selectedRunId());
    return {};
  }
  if (run->status == QLatin1String("running") || run->status == QLatin1String("queued")) {
    *why = tr("Recipe run %1 is still running. Stop it first, or wait until it ends.").arg(run->id);
    return {};
  }
  // The runner keeps the recipe as run in WS/recipes/<name>/recipe.yaml.
  const QString path = QDir(workspacePath()).filePath(QStringLiteral("recipes/%1/recipe.yaml").arg(run->name));
  if (!QFileInfo::exists(path)) {
    *why = tr("%1: the recipe of run %2 is not in the workspace any more. Launch its recipe file again.")
               .arg(path)
               .arg(run->id);
    return {};
  }
  return path;
}

Job* JobsPanel::resumeSelected() {
  if (Job* job = selectedJob(); job != nullptr && job->recipeRunId() == selectedRunId()) {
    if (job->isActive()) {
      reportError(tr("Cannot resume this job"),
                  tr("%1: the job is still running. Stop it first, or wait until it ends.").arg(job->recipePath()));
      return nullptr;
    }
    Job* again = m_controller->resume(job);
    if (again != nullptr) selectJob(again->id());
    return again;
  }
  QString why;
  const QString recipe = recipeFileForResume(&why);
  if (recipe.isEmpty()) {
    reportError(tr("Cannot resume this run"), why);
    return nullptr;
  }
  return launchRecipe(recipe);
}

void JobsPanel::updateActions() {
  const bool open = m_connection != nullptr;
  m_launchAction->setEnabled(open);
  const Job* job = selectedJob();
  const bool ownActive = job != nullptr && job->isActive();
  m_stopAction->setEnabled(ownActive && job->state() != Job::State::Stopping);
  const QString status = m_table->selectionModel()->currentIndex().isValid()
                             ? m_table->selectionModel()->currentIndex().siblingAtColumn(0)
                                   .data(JobsTableModel::StatusRole).toString()
                             : QString();
  const bool ended = status == QLatin1String("failed") || status == QLatin1String("cancelled");
  m_resumeAction->setEnabled(open && !ownActive && ended);
}

void JobsPanel::showSelectedLog() {
  Job* job = selectedJob();
  const qint64 runId = selectedRunId();
  if (job == m_logJob && job != nullptr) return;
  // A step's log is its recipe's.
  qint64 recipeRunId = runId;
  if (const JobsRunRow* run = m_model->runById(runId); run != nullptr && run->parentRunId != 0)
    recipeRunId = run->parentRunId;
  if (job == nullptr && m_logJob == nullptr && !m_logFile.isEmpty() && recipeRunId == m_logFileRunId)
    return;  // that log file is shown and followed already
  m_logJob = job;
  m_logFile.clear();
  m_logFileRunId = 0;
  m_log->clear();
  if (job != nullptr) {
    m_logTitle->setText(job->recipeRunId() != 0 ? tr("Log of job %1 (recipe run %2)").arg(job->id()).arg(job->recipeRunId())
                                                : tr("Log of job %1").arg(job->id()));
    m_log->setPlainText(job->log());
    m_log->verticalScrollBar()->setValue(m_log->verticalScrollBar()->maximum());
    return;
  }
  if (runId == 0) {
    m_logTitle->setText(tr("Log"));
    return;
  }
  m_logFile = guiLogFileForRun(recipeRunId);
  m_logFileRunId = m_logFile.isEmpty() ? 0 : recipeRunId;
  if (!m_logFile.isEmpty()) {
    m_logTitle->setText(tr("Log of recipe run %1, launched from a workbench window: %2").arg(recipeRunId).arg(m_logFile));
    m_logFileOffset = 0;
    m_logFileDecoder.resetState();
    QFile file(m_logFile);
    if (file.open(QIODevice::ReadOnly) && file.size() > Job::kMaxLogChars) m_logFileOffset = file.size() - Job::kMaxLogChars;
    followLogFile();
    return;
  }
  m_logTitle->setText(tr("Run %1").arg(runId));
  QString text = tr("Run %1 was started outside this window: its log is in the terminal (or file) it was "
                    "started with. Its status and progress here come from the workspace database.")
                     .arg(runId);
  const int row = m_model->rowOfRun(runId);
  if (const JobsRunRow* run = m_model->runAt(row); run != nullptr && !run->error.isEmpty())
    text += QLatin1String("\n\n") + tr("Error: %1").arg(run->error);
  m_log->setPlainText(text);
}

QString JobsPanel::guiLogFileForRun(qint64 recipeRunId) {
  if (recipeRunId <= 0 || !m_connection) return {};
  const QDir folder(Job::filesFolder(workspacePath()));
  const QStringList files = folder.entryList({QStringLiteral("*.events.jsonl")}, QDir::Files, QDir::Name);
  QString found;
  for (const QString& name : files) {
    qint64& run = m_eventsFileRuns[name];
    if (run == 0) {
      // The recipe's `started` event comes first; its steps' events follow.
      QFile file(folder.filePath(name));
      if (file.open(QIODevice::ReadOnly)) {
        JobEventReader reader;
        for (const JobEvent& e : reader.feed(file.read(64 * 1024))) {
          if (e.type == QLatin1String("status") && e.name == QLatin1String("started") &&
              e.extraString("kind") == QLatin1String("recipe")) {
            run = e.run;
            break;
          }
        }
      }
    }
    if (run == recipeRunId) found = folder.filePath(name);
  }
  if (found.isEmpty()) return {};
  const QString log = found.chopped(int(sizeof(".events.jsonl")) - 1) + QStringLiteral(".log");
  return QFileInfo::exists(log) ? log : QString();
}

void JobsPanel::followLogFile() {
  if (m_logFile.isEmpty() || m_logJob != nullptr) return;
  QFile file(m_logFile);
  if (!file.open(QIODevice::ReadOnly)) return;
  if (file.size() < m_logFileOffset) m_logFileOffset = 0;
  if (file.size() == m_logFileOffset) return;
  const bool first = m_logFileOffset == 0 || m_log->document()->isEmpty();
  if (!file.seek(m_logFileOffset)) return;
  const QByteArray bytes = file.readAll();
  m_logFileOffset += bytes.size();
  const QString text = m_logFileDecoder.decode(bytes);
  if (first) {
    m_log->setPlainText(text);
    m_log->verticalScrollBar()->setValue(m_log->verticalScrollBar()->maximum());
    return;
  }
  QScrollBar* bar = m_log->verticalScrollBar();
  const bool atEnd = bar->value() == bar->maximum();
  m_log->moveCursor(QTextCursor::End);
  m_log->insertPlainText(text);
  if (atEnd) bar->setValue(bar->maximum());
}

void JobsPanel::appendLog(Job* job, const QString& text) {
  if (job != m_logJob) return;
  if (job->recipeRunId() != 0)
    m_logTitle->setText(tr("Log of job %1 (recipe run %2)").arg(job->id()).arg(job->recipeRunId()));
  QScrollBar* bar = m_log->verticalScrollBar();
  const bool atEnd = bar->value() == bar->maximum();
  m_log->moveCursor(QTextCursor::End);
  m_log->insertPlainText(text);
  if (atEnd) bar->setValue(bar->maximum());
}

void JobsPanel::reportError(const QString& title, const QString& message) { emit errorOccurred(title, message); }

}  // namespace understudy::ui
