#include "ui/main/screenshot_driver.h"

#include <QApplication>
#include <QComboBox>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QTabWidget>
#include <QTimer>
#include <QWizard>
#include <cstdio>
#include <memory>
#include <utility>

#include "ui/browser/utterance_browser.h"
#include "ui/browser/utterance_detail.h"
#include "ui/charts/metric_series.h"
#include "ui/compare/comparison_view.h"
#include "ui/labeling/labeling_quality_view.h"
#include "ui/charts/training_chart_view.h"
#include "ui/jobs/job.h"
#include "ui/jobs/jobs_panel.h"
#include "ui/main/main_window.h"
#include "ui/nodes/nodes_view.h"
#include "ui/wizard/run_wizard.h"
#include "ui/workspace/workspace_groups.h"
#include "ui/workspace/workspace_view.h"

namespace understudy::ui {

namespace {

QCommandLineOption hidden(const char* name, const char* description, const char* valueName = nullptr) {
  QCommandLineOption option(QString::fromLatin1(name), QString::fromLatin1(description),
                            valueName ? QString::fromLatin1(valueName) : QString());
  option.setFlags(QCommandLineOption::HiddenFromHelp);
  return option;
}

bool chartPanelFromKey(const QString& key, charts::ChartPanel* panel) {
  using charts::ChartPanel;
  static const std::pair<const char*, ChartPanel> keys[] = {
      {"loss", ChartPanel::Loss},         {"accuracy", ChartPanel::FrameAccuracy},
      {"lr", ChartPanel::LearningRate},   {"fps", ChartPanel::FramesPerSecond},
      {"bytes", ChartPanel::BytesPerStep}, {"other", ChartPanel::Other},
      {"kd", ChartPanel::KnowledgeDistillation}};
  for (const auto& [name, value] : keys)
    if (key == QLatin1String(name)) {
      *panel = value;
      return true;
    }
  return false;
}

bool wizardPageFromKey(const QString& key, int* page) {
  static const char* const keys[] = {"kind", "datasets", "model", "training", "distribution", "review"};
  for (int p = 0; p < 6; ++p)
    if (key == QLatin1String(keys[p])) {
      *page = p;  // RunWizard::PageId, in order
      return true;
    }
  return false;
}

// "WxH" -> size; false when malformed.
bool parseSize(const QString& text, int* width, int* height) {
  const QStringList parts = text.split('x');
  if (parts.size() != 2) return false;
  bool okW = false, okH = false;
  *width = parts[0].toInt(&okW);
  *height = parts[1].toInt(&okH);
  return okW && okH && *width > 0 && *height > 0;
}

}  // namespace

ScreenshotDriver::ScreenshotDriver(QCommandLineParser& parser)
    : m_parser(parser),
      m_screenshot(hidden("screenshot", "Save a PNG of the window and exit.", "file")),
      m_group(hidden("select-group", "Select datasets, models, runs or nodes.", "group")),
      m_view(hidden("view", "Bring a tab to the front (workspace, jobs, charts, nodes, ...).", "view")),
      m_size(hidden("window-size", "Window size, WIDTHxHEIGHT.", "size")),
      m_runs(hidden("select-runs", "Chart these runs, overlaid: ID,ID,...", "ids")),
      m_panel(hidden("chart-panel", "Chart panel: loss, accuracy, lr, fps, bytes, other or kd.", "panel")),
      m_job(hidden("select-job", "Select this run in the jobs panel.", "id")),
      m_steps(hidden("show-steps", "Jobs panel: show recipe steps.")),
      m_node(hidden("select-node", "Select this node in the nodes view.", "name")),
      m_testNodes(hidden("test-nodes", "Nodes view: test the selected node (else all); grab when done.")),
      m_wizardRecipe(hidden("wizard-recipe", "Open this recipe in the run wizard.", "file")),
      m_wizardPage(hidden("wizard-page",
                          "Run wizard page to grab: kind, datasets, model, training, distribution or review.",
                          "page")),
      m_wizardTab(hidden("wizard-tab", "Training page: this tab (0, 1, ...).", "index")),
      m_wizardStudent(hidden("wizard-student", "Training/distribution page: pick this student.", "name")),
      m_wizardSize(hidden("wizard-size", "Wizard size, WIDTHxHEIGHT.", "size")),
      m_launch(hidden("launch-recipe", "Launch this recipe from the jobs panel; quit when the job ends.",
                      "file")),
      m_giveUp(hidden("give-up-ms", "Fail when not ready after this long (30000).", "ms")),
      m_delay(hidden("delay-ms", "Wait at least this long before the grab (600).", "ms")),
      m_dataset(hidden("select-dataset", "Utterances: show this dataset.", "name")),
      m_softLabels(hidden("select-soft-labels", "Utterances: the soft-label set of this model.", "model")),
      m_evaluation(hidden("select-evaluation", "Utterances: this model's decoding results.", "model")),
      m_utterance(hidden("select-utterance", "Utterances: select this utterance (its detail panel).", "key")),
      m_filterText(hidden("filter-text", "Utterances: show only texts that contain this.", "text")),
      m_filterCondition(hidden("filter-condition", "Utterances: show only this condition.", "condition")),
      m_labelsSet(hidden("labels-set", "Labels: show this soft-label set (name or id).", "set")),
      m_baseline(hidden("compare-baseline", "Compare: relative WER against this model.", "model")),
      m_compareSelect(hidden("compare-select", "Compare: select these models: NAME,NAME,...", "models")),
      m_diffOnly(hidden("compare-diff-only", "Compare: hide columns equal across the selected models.")),
      m_compareColumns(hidden("compare-columns", "Compare: show these config keys as columns: KEY,KEY,...",
                              "keys")) {
  parser.addOptions({m_screenshot, m_group, m_view, m_size, m_runs, m_panel, m_job, m_steps, m_node,
                     m_testNodes, m_wizardRecipe, m_wizardPage, m_wizardTab, m_wizardStudent,
                     m_wizardSize, m_launch, m_giveUp, m_delay, m_dataset, m_softLabels, m_evaluation,
                     m_utterance, m_filterText, m_filterCondition, m_labelsSet, m_baseline,
                     m_compareSelect, m_diffOnly, m_compareColumns});
}

bool ScreenshotDriver::screenshotRequested() const { return m_parser.isSet(m_screenshot); }

void ScreenshotDriver::prepare(MainWindow& window) const {
  if (!screenshotRequested()) return;
  // Nothing may block in a dialog when no one is there to close it.
  window.setErrorReporter([](const QString& title, const QString& message) {
    std::fprintf(stderr, "understudy: %s: %s\n", qPrintable(title), qPrintable(message));
  });
  int width = 0, height = 0;
  if (parseSize(m_parser.value(m_size), &width, &height)) window.resize(width, height);
}

int ScreenshotDriver::exec(MainWindow& window) {
  auto fail = [](const QString& message) {
    std::fprintf(stderr, "understudy: %s\n", qPrintable(message));
    return 2;
  };
  applySelection(window);
  if (m_parser.isSet(m_launch) && !screenshotRequested()) return launchRecipe(window);
  if (!screenshotRequested()) return QApplication::exec();

  // Screenshot mode only: what scripts/screenshots asks to be in the picture.
  QWidget* target = &window;
  for (const QString& e : {applyCharts(window), applyJobsAndNodes(window), applyUtterances(window),
                           applyLabels(window), applyCompare(window), applyWizard(window, &target)})
    if (!e.isEmpty()) return fail(QStringLiteral("--screenshot: ") + e);
  return grab(target);
}

void ScreenshotDriver::applySelection(MainWindow& window) {
  WorkspaceGroup group;
  if (m_parser.isSet(m_group) && WorkspaceGroups::fromKey(m_parser.value(m_group), &group))
    window.workspaceView()->selectGroup(group);
  MainWindow::View view;
  if (m_parser.isSet(m_view) && MainWindow::viewFromKey(m_parser.value(m_view), &view))
    window.showView(view);
}

int ScreenshotDriver::launchRecipe(MainWindow& window) {
  // The jobs panel's own Launch (what the wizard's Save and launch calls);
  // the program ends when the job ends: exit 0 when the recipe finished.
  Job* job = window.jobsPanel()->launchRecipe(m_parser.value(m_launch));
  if (!job) return 1;
  QObject::connect(job, &Job::finished, qApp, [](Job* done) {
    QCoreApplication::exit(done->state() == Job::State::Finished ? 0 : 1);
  });
  return QApplication::exec();
}

QString ScreenshotDriver::applyCharts(MainWindow& window) {
  if (!m_parser.isSet(m_runs)) return {};
  QList<qint64> runs;
  for (const QString& id : m_parser.value(m_runs).split(',', Qt::SkipEmptyParts)) {
    bool ok = false;
    runs << id.toLongLong(&ok);
    if (!ok) return QStringLiteral("--select-runs: '%1' is not a run id").arg(id);
  }
  window.showRunCharts(runs);
  if (m_parser.isSet(m_panel)) {
    charts::ChartPanel panel;
    if (!chartPanelFromKey(m_parser.value(m_panel), &panel))
      return QStringLiteral("--chart-panel: unknown panel '%1'").arg(m_parser.value(m_panel));
    window.chartView()->setPanel(panel);
  }
  // Ready once the reader thread delivered points and a moment passed for the replot.
  auto* charts = window.chartView();
  auto since = std::make_shared<QElapsedTimer>();  // shared by the copies of the check
  waitFor([charts, since]() -> QString {
    if (charts->store().pointCount() == 0) return QStringLiteral("the charts' points");
    if (!since->isValid()) since->start();
    return since->elapsed() < 500 ? QStringLiteral("the charts' replot") : QString();
  });
  return {};
}

void ScreenshotDriver::waitFor(std::function<QString()> what) {
  auto previous = std::move(m_notReady);
  m_notReady = [previous, what]() -> QString {
    const QString first = previous ? previous() : QString();
    return first.isEmpty() ? what() : first;
  };
}

QString ScreenshotDriver::applyUtterances(MainWindow& window) {
  UtteranceBrowser* browser = window.utteranceBrowser();
  if (m_parser.isSet(m_dataset) && !browser->selectDataset(m_parser.value(m_dataset)))
    return QStringLiteral("--select-dataset: no dataset %1").arg(m_parser.value(m_dataset));
  if (m_parser.isSet(m_softLabels) && !browser->selectSoftLabelSet(m_parser.value(m_softLabels)))
    return QStringLiteral("--select-soft-labels: no soft labels of model %1 on this dataset")
        .arg(m_parser.value(m_softLabels));
  if (m_parser.isSet(m_evaluation) && !browser->selectEvaluation(m_parser.value(m_evaluation)))
    return QStringLiteral("--select-evaluation: model %1 was not decoded on this dataset")
        .arg(m_parser.value(m_evaluation));
  if (m_parser.isSet(m_filterText)) browser->setTextFilter(m_parser.value(m_filterText));
  if (m_parser.isSet(m_filterCondition)) browser->setConditionFilter(m_parser.value(m_filterCondition));
  const bool oneUtterance = m_parser.isSet(m_utterance);
  if (oneUtterance && !browser->selectUtterance(m_parser.value(m_utterance)))
    return QStringLiteral("--select-utterance: no utterance %1 in this dataset").arg(m_parser.value(m_utterance));
  if (!m_parser.isSet(m_dataset) && !oneUtterance) return {};
  // Ready: the list is in place and, for one utterance, its panel has loaded it.
  waitFor([browser, oneUtterance]() -> QString {
    if (browser->isLoading()) return QStringLiteral("the utterance list");
    if (!oneUtterance) return {};
    const qint64 id = browser->selectedUtteranceId();
    UtteranceDetail* detail = browser->detailPanel();
    if (id <= 0 || detail->utteranceId() != id || detail->isLoading())
      return QStringLiteral("the utterance's detail panel");
    return {};
  });
  return {};
}

QString ScreenshotDriver::applyLabels(MainWindow& window) {
  if (!m_parser.isSet(m_labelsSet)) return {};
  LabelingQualityView* labels = window.labelingView();
  if (!labels->selectSoftLabelSet(m_parser.value(m_labelsSet)))
    return QStringLiteral("--labels-set: no soft-label set %1").arg(m_parser.value(m_labelsSet));
  waitFor([labels]() -> QString {
    return labels->summary().has_value() ? QString() : QStringLiteral("the label summary");
  });
  return {};
}

QString ScreenshotDriver::applyCompare(MainWindow& window) {
  ComparisonView* compare = window.comparisonView();
  if (m_parser.isSet(m_baseline) && !compare->setBaseline(m_parser.value(m_baseline)))
    return QStringLiteral("--compare-baseline: no model %1").arg(m_parser.value(m_baseline));
  if (m_parser.isSet(m_compareColumns))
    compare->setKeyColumns(m_parser.value(m_compareColumns).split(',', Qt::SkipEmptyParts));
  if (m_parser.isSet(m_compareSelect) &&
      !compare->selectModels(m_parser.value(m_compareSelect).split(',', Qt::SkipEmptyParts)))
    return QStringLiteral("--compare-select: not every model of %1 is in the table")
        .arg(m_parser.value(m_compareSelect));
  if (m_parser.isSet(m_diffOnly)) compare->setDiffOnly(true);
  return {};
}

QString ScreenshotDriver::applyJobsAndNodes(MainWindow& window) {
  if (m_parser.isSet(m_steps)) window.jobsPanel()->setShowSteps(true);
  if (m_parser.isSet(m_job)) {
    window.jobsPanel()->reload();
    if (!window.jobsPanel()->selectRun(m_parser.value(m_job).toLongLong()))
      return QStringLiteral("--select-job: no run %1 in the jobs panel").arg(m_parser.value(m_job));
    window.showView(MainWindow::View::Jobs);  // selecting a run charts it
  }
  if (m_parser.isSet(m_node) && !window.nodesView()->selectNode(m_parser.value(m_node)))
    return QStringLiteral("--select-node: no node %1").arg(m_parser.value(m_node));
  if (m_parser.isSet(m_testNodes)) {
    auto* nodes = window.nodesView();
    auto* done = new bool(false);
    QObject::connect(nodes, &NodesView::commandFinished, nodes, [done] { *done = true; });
    // Test Node on the selected node (--select-node), else Test All Nodes.
    if (nodes->selectedNode().isEmpty())
      nodes->testAll();
    else
      nodes->testSelected();
    waitFor([done, nodes]() -> QString {
      return !*done || nodes->runningCommands() > 0 ? QStringLiteral("the node test") : QString();
    });
  }
  return {};
}

QString ScreenshotDriver::applyWizard(MainWindow& window, QWidget** target) {
  if (!m_parser.isSet(m_wizardPage) && !m_parser.isSet(m_wizardRecipe)) return {};
  RunWizard* wizard = window.openRunWizard(m_parser.value(m_wizardRecipe));
  if (!wizard) return QStringLiteral("the run wizard did not open");
  int width = 0, height = 0;
  if (parseSize(m_parser.value(m_wizardSize), &width, &height)) wizard->resize(width, height);
  int page = RunWizard::KindPageId;
  const QString pageKey = m_parser.value(m_wizardPage);
  if (m_parser.isSet(m_wizardPage) && !wizardPageFromKey(pageKey, &page))
    return QStringLiteral("--wizard-page: unknown page '%1'").arg(pageKey);
  // Next, as a user would press it; a page that refuses stops here (an error).
  while (wizard->currentId() != page) {
    const int before = wizard->currentId();
    wizard->next();
    if (wizard->currentId() == before || wizard->currentId() == -1)
      return QStringLiteral("the wizard stopped at page %1 before '%2'").arg(before).arg(pageKey);
  }
  if (m_parser.isSet(m_wizardTab)) {
    auto* tabs = wizard->currentPage()->findChild<QTabWidget*>();
    const int tab = m_parser.value(m_wizardTab).toInt();
    if (!tabs || tab < 0 || tab >= tabs->count())
      return QStringLiteral("--wizard-tab: no tab %1 on this page").arg(tab);
    tabs->setCurrentIndex(tab);
  }
  if (m_parser.isSet(m_wizardStudent)) {
    // The page's Student drop-down (RunWizard names it "<page>/student").
    auto* students = wizard->findChild<QComboBox*>(pageKey + QStringLiteral("/student"));
    const int index = students ? students->findText(m_parser.value(m_wizardStudent)) : -1;
    if (index < 0)
      return QStringLiteral("--wizard-student: no student %1 on this page").arg(m_parser.value(m_wizardStudent));
    students->setCurrentIndex(index);
  }
  *target = wizard;
  return {};
}

// Open, wait at least --delay-ms and until everything asked for has arrived
// (m_notReady says what is missing: the charts' points from their worker
// thread, the end of a node test), grab `target` (the main window or the
// wizard), save it and quit. Nothing ready within --give-up-ms (30 s) is an
// error, not an empty picture.
int ScreenshotDriver::grab(QWidget* target) {
  const int delayMs = m_parser.isSet(m_delay) ? m_parser.value(m_delay).toInt() : 600;
  const int giveUpMs = m_parser.isSet(m_giveUp) ? m_parser.value(m_giveUp).toInt() : 30000;
  const QString file = m_parser.value(m_screenshot);
  auto notReady = m_notReady;
  QElapsedTimer clock;  // copied into the slot; elapsed() reads the copy's start
  clock.start();
  auto* poll = new QTimer(target);
  QObject::connect(poll, &QTimer::timeout, target, [=] {
    if (clock.elapsed() < delayMs) return;
    const QString waiting = notReady ? notReady() : QString();
    if (!waiting.isEmpty()) {
      if (clock.elapsed() < delayMs + giveUpMs) return;
      std::fprintf(stderr, "understudy: --screenshot: gave up after %d ms waiting for %s\n", giveUpMs,
                   qPrintable(waiting));
      QCoreApplication::exit(1);
      return;
    }
    poll->stop();
    const bool ok = target->grab().save(file);
    if (!ok) std::fprintf(stderr, "understudy: cannot write %s\n", qPrintable(file));
    QCoreApplication::exit(ok ? 0 : 1);
  });
  poll->start(100);
  return QApplication::exec();
}

}  // namespace understudy::ui
