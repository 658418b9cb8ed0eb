// understudy: the Qt workbench. Wires the application together and nothing else:
// identity and settings scope, the translation for the system locale, the
// command line (`understudy [WORKSPACE]`) and the main window.
#include <QApplication>
#include <QComboBox>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QIcon>
#include <QLibraryInfo>
#include <QLocale>
#include <QSize>
#include <QTabWidget>
#include <QTimer>
#include <QTranslator>
#include <QWizard>
#include <cstdio>
#include <functional>

#include "core/store/version.h"
#include "ui/charts/metric_series.h"
#include "ui/charts/training_chart_view.h"
#include "ui/jobs/job.h"
#include "ui/jobs/jobs_panel.h"
#include "ui/main/main_window.h"
#include "ui/nodes/nodes_view.h"
#include "ui/wizard/run_wizard.h"
#include "ui/workspace/workspace_groups.h"
#include "ui/workspace/workspace_session.h"
#include "ui/workspace/workspace_view.h"

namespace {

// Translation context for the strings of main() (lupdate reads `Main::tr`).
class Main {
  Q_DECLARE_TR_FUNCTIONS(Main)
};

void installTranslators(QApplication& app) {
  const QLocale locale;
  // Ours, embedded by qt_add_translations under :/i18n/ (understudy_de.qm, ...).
  auto* own = new QTranslator(&app);
  if (own->load(locale, QStringLiteral("understudy"), QStringLiteral("_"),
                QStringLiteral(":/i18n")))
    app.installTranslator(own);
  // Qt's own strings (standard buttons, file dialogs), where the system has them.
  auto* qt = new QTranslator(&app);
  if (qt->load(locale, QStringLiteral("qtbase"), QStringLiteral("_"),
               QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
    app.installTranslator(qt);
}

// --screenshot: open, wait at least `delayMs` and until everything asked for
// has arrived (`notReady` says what is missing: the charts' points from
// their worker thread, the end of a node test), grab `target` (the main
// window or the wizard), save it and quit. Nothing ready within `giveUpMs`
// (30 s) is an error, not an empty picture. Used by scripts/screenshots
// under xvfb-run.
int takeScreenshot(QWidget* target, const QString& file, int delayMs, int giveUpMs,
                   std::function<QString()> notReady) {
  auto* clock = new QElapsedTimer;
  clock->start();
  auto* poll = new QTimer(target);
  QObject::connect(poll, &QTimer::timeout, target, [=] {
    if (clock->elapsed() < delayMs) return;
    const QString waiting = notReady ? notReady() : QString();
    if (!waiting.isEmpty()) {
      if (clock->elapsed() < delayMs + giveUpMs) return;
      std::fprintf(stderr, "understudy: --screenshot: gave up after %d ms waiting for %s\n",
                   giveUpMs, qPrintable(waiting));
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

bool chartPanelFromKey(const QString& key, understudy::ui::charts::ChartPanel* panel) {
  using understudy::ui::charts::ChartPanel;
  static const std::pair<const char*, ChartPanel> keys[] = {
      {"loss", ChartPanel::Loss},         {"accuracy", ChartPanel::FrameAccuracy},
      {"lr", ChartPanel::LearningRate},   {"fps", ChartPanel::FramesPerSecond},
      {"bytes", ChartPanel::BytesPerStep}, {"other", ChartPanel::Other}};
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

}  // namespace

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  QApplication::setOrganizationName(QStringLiteral("Understudy"));
  QApplication::setApplicationName(QStringLiteral("understudy"));
  QApplication::setApplicationVersion(QString::fromLatin1(understudy::versionString()));
  QApplication::setDesktopFileName(QStringLiteral("understudy"));
  QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/understudy.svg")));
  installTranslators(app);

  QCommandLineParser parser;
  parser.setApplicationDescription(
      Main::tr("Understudy workbench: browse a workspace's datasets, models, runs and nodes."));
  parser.addHelpOption();
  const QCommandLineOption versionOption(QStringList{"v", "version"},
                                         Main::tr("Print the version and exit."));
  parser.addOption(versionOption);
  parser.addPositionalArgument(QStringLiteral("workspace"),
                               Main::tr("Open this workspace on start."), Main::tr("[WORKSPACE]"));
  QCommandLineOption screenshotOption(QStringLiteral("screenshot"),
                                      QStringLiteral("Save a PNG of the window and exit."),
                                      QStringLiteral("file"));
  screenshotOption.setFlags(QCommandLineOption::HiddenFromHelp);
  QCommandLineOption groupOption(QStringLiteral("select-group"),
                                 QStringLiteral("Select datasets, models, runs or nodes."),
                                 QStringLiteral("group"));
  groupOption.setFlags(QCommandLineOption::HiddenFromHelp);
  QCommandLineOption viewOption(QStringLiteral("view"),
                                QStringLiteral("Bring a tab to the front: workspace, jobs, "
                                               "charts or nodes."),
                                QStringLiteral("view"));
  viewOption.setFlags(QCommandLineOption::HiddenFromHelp);
  QCommandLineOption sizeOption(QStringLiteral("window-size"),
                                QStringLiteral("Window size, WIDTHxHEIGHT."),
                                QStringLiteral("size"));
  sizeOption.setFlags(QCommandLineOption::HiddenFromHelp);
  // More hidden options for scripts/screenshots (documented in its header).
  QCommandLineOption runsOption(QStringLiteral("select-runs"),
                                QStringLiteral("Chart these runs, overlaid: ID,ID,..."),
                                QStringLiteral("ids"));
  QCommandLineOption panelOption(QStringLiteral("chart-panel"),
                                 QStringLiteral("Chart panel: loss, accuracy, lr, fps, bytes or other."),
                                 QStringLiteral("panel"));
  QCommandLineOption jobOption(QStringLiteral("select-job"),
                               QStringLiteral("Select this run in the jobs panel."),
                               QStringLiteral("id"));
  QCommandLineOption stepsOption(QStringLiteral("show-steps"),
                                 QStringLiteral("Jobs panel: show recipe steps."));
  QCommandLineOption nodeOption(QStringLiteral("select-node"),
                                QStringLiteral("Select this node in the nodes view."),
                                QStringLiteral("name"));
  QCommandLineOption testNodesOption(QStringLiteral("test-nodes"),
                                     QStringLiteral("Nodes view: test the selected node (else all); grab when done."));
  QCommandLineOption wizardRecipeOption(QStringLiteral("wizard-recipe"),
                                        QStringLiteral("Open this recipe in the run wizard."),
                                        QStringLiteral("file"));
  QCommandLineOption wizardPageOption(
      QStringLiteral("wizard-page"),
      QStringLiteral("Run wizard page to grab: kind, datasets, model, training, "
                     "distribution or review."),
      QStringLiteral("page"));
  QCommandLineOption wizardTabOption(QStringLiteral("wizard-tab"),
                                     QStringLiteral("Training page: this tab (0, 1, ...)."),
                                     QStringLiteral("index"));
  QCommandLineOption wizardStudentOption(
      QStringLiteral("wizard-student"),
      QStringLiteral("Training/distribution page: pick this student."), QStringLiteral("name"));
  QCommandLineOption wizardSizeOption(QStringLiteral("wizard-size"),
                                      QStringLiteral("Wizard size, WIDTHxHEIGHT."),
                                      QStringLiteral("size"));
  QCommandLineOption launchOption(
      QStringLiteral("launch-recipe"),
      QStringLiteral("Launch this recipe from the jobs panel; quit when the job ends."),
      QStringLiteral("file"));
  QCommandLineOption giveUpOption(QStringLiteral("give-up-ms"),
                                  QStringLiteral("Fail when not ready after this long (30000)."),
                                  QStringLiteral("ms"));
  QCommandLineOption delayOption(QStringLiteral("delay-ms"),
                                 QStringLiteral("Wait at least this long before the grab (600)."),
                                 QStringLiteral("ms"));
  for (QCommandLineOption* option :
       {&runsOption, &panelOption, &jobOption, &stepsOption, &nodeOption, &testNodesOption,
        &wizardRecipeOption, &wizardPageOption, &wizardTabOption, &wizardStudentOption,
        &wizardSizeOption, &launchOption, &giveUpOption, &delayOption})
    option->setFlags(QCommandLineOption::HiddenFromHelp);
  parser.addOptions({screenshotOption, groupOption, viewOption, sizeOption, runsOption, panelOption,
                     jobOption, stepsOption, nodeOption, testNodesOption, wizardRecipeOption,
                     wizardPageOption, wizardTabOption, wizardStudentOption, wizardSizeOption,
                     launchOption, giveUpOption, delayOption});
  parser.process(app);

  if (parser.isSet(versionOption)) {
    std::printf("%s\n", understudy::versionBanner().c_str());
    return 0;
  }
  const QStringList positional = parser.positionalArguments();
  if (positional.size() > 1) {
    std::fprintf(stderr, "%s\n",
                 qPrintable(Main::tr("understudy: error: at most one workspace "
                                     "(see --help)")));
    return 2;
  }

  understudy::ui::MainWindow window;
  const bool screenshot = parser.isSet(screenshotOption);
  if (screenshot) {
    // Nothing may block in a dialog when no one is there to close it.
    window.setErrorReporter([](const QString& title, const QString& message) {
      std::fprintf(stderr, "understudy: %s: %s\n", qPrintable(title), qPrintable(message));
    });
    const QStringList size = parser.value(sizeOption).split('x');
    if (size.size() == 2) window.resize(size[0].toInt(), size[1].toInt());
  }
  window.show();
  if (!positional.isEmpty()) {
    const bool opened = window.openWorkspace(positional.first());
    if (!opened && screenshot) return 1;
  }
  understudy::ui::WorkspaceGroup group;
  if (parser.isSet(groupOption) &&
      understudy::ui::WorkspaceGroups::fromKey(parser.value(groupOption), &group))
    window.workspaceView()->selectGroup(group);
  understudy::ui::MainWindow::View view;
  if (parser.isSet(viewOption) &&
      understudy::ui::MainWindow::viewFromKey(parser.value(viewOption), &view))
    window.showView(view);
  if (parser.isSet(launchOption) && !screenshot) {
    // The jobs panel's own Launch (what the wizard's Save and launch calls);
    // the window closes when the job ends: exit 0 when the recipe finished.
    understudy::ui::Job* job = window.jobsPanel()->launchRecipe(parser.value(launchOption));
    if (!job) return 1;
    QObject::connect(job, &understudy::ui::Job::finished, &app, [](understudy::ui::Job* done) {
      QCoreApplication::exit(done->state() == understudy::ui::Job::State::Finished ? 0 : 1);
    });
  }
  if (!screenshot) return QApplication::exec();

  // Screenshot mode only: what scripts/screenshots asks to be in the picture.
  auto fail = [](const QString& message) {
    std::fprintf(stderr, "understudy: --screenshot: %s\n", qPrintable(message));
    return 2;
  };
  std::function<QString()> notReady;
  QWidget* target = &window;
  if (parser.isSet(runsOption)) {
    QList<qint64> runs;
    for (const QString& id : parser.value(runsOption).split(',', Qt::SkipEmptyParts)) {
      bool ok = false;
      runs << id.toLongLong(&ok);
      if (!ok) return fail(QStringLiteral("--select-runs: '%1' is not a run id").arg(id));
    }
    window.showRunCharts(runs);
    if (parser.isSet(panelOption)) {
      understudy::ui::charts::ChartPanel panel;
      if (!chartPanelFromKey(parser.value(panelOption), &panel))
        return fail(QStringLiteral("--chart-panel: unknown panel '%1'").arg(parser.value(panelOption)));
      window.chartView()->setPanel(panel);
    }
    // Ready once the reader thread delivered points and a moment passed for the replot.
    auto* charts = window.chartView();
    auto* since = new QElapsedTimer;
    notReady = [charts, since]() -> QString {
      if (charts->store().pointCount() == 0) return QStringLiteral("the charts' points");
      if (!since->isValid()) since->start();
      return since->elapsed() < 500 ? QStringLiteral("the charts' replot") : QString();
    };
  }
  if (parser.isSet(stepsOption)) window.jobsPanel()->setShowSteps(true);
  if (parser.isSet(jobOption)) {
    window.jobsPanel()->reload();
    if (!window.jobsPanel()->selectRun(parser.value(jobOption).toLongLong()))
      return fail(QStringLiteral("--select-job: no run %1 in the jobs panel").arg(parser.value(jobOption)));
    window.showView(understudy::ui::MainWindow::View::Jobs);  // selecting a run charts it
  }
  if (parser.isSet(nodeOption) && !window.nodesView()->selectNode(parser.value(nodeOption)))
    return fail(QStringLiteral("--select-node: no node %1").arg(parser.value(nodeOption)));
  if (parser.isSet(testNodesOption)) {
    auto* nodes = window.nodesView();
    auto* done = new bool(false);
    QObject::connect(nodes, &understudy::ui::NodesView::commandFinished, nodes,
                     [done] { *done = true; });
    // Test Node on the selected node (--select-node), else Test All Nodes.
    if (nodes->selectedNode().isEmpty())
      nodes->testAll();
    else
      nodes->testSelected();
    auto previous = notReady;
    notReady = [done, nodes, previous]() -> QString {
      if (!*done || nodes->runningCommands() > 0) return QStringLiteral("the node test");
      return previous ? previous() : QString();
    };
  }
  if (parser.isSet(wizardPageOption) || parser.isSet(wizardRecipeOption)) {
    understudy::ui::RunWizard* wizard = window.openRunWizard(parser.value(wizardRecipeOption));
    if (!wizard) return fail(QStringLiteral("the run wizard did not open"));
    const QStringList wizardSize = parser.value(wizardSizeOption).split('x');
    if (wizardSize.size() == 2) wizard->resize(wizardSize[0].toInt(), wizardSize[1].toInt());
    int page = understudy::ui::RunWizard::KindPageId;
    if (parser.isSet(wizardPageOption) && !wizardPageFromKey(parser.value(wizardPageOption), &page))
      return fail(QStringLiteral("--wizard-page: unknown page '%1'").arg(parser.value(wizardPageOption)));
    // Next, as a user would press it; a page that refuses stops here (an error).
    while (wizard->currentId() != page) {
      const int before = wizard->currentId();
      wizard->next();
      if (wizard->currentId() == before || wizard->currentId() == -1)
        return fail(QStringLiteral("the wizard stopped at page %1 before '%2'")
                        .arg(before)
                        .arg(parser.value(wizardPageOption)));
    }
    if (parser.isSet(wizardTabOption)) {
      auto* tabs = wizard->currentPage()->findChild<QTabWidget*>();
      const int tab = parser.value(wizardTabOption).toInt();
      if (!tabs || tab < 0 || tab >= tabs->count())
        return fail(QStringLiteral("--wizard-tab: no tab %1 on this page").arg(tab));
      tabs->setCurrentIndex(tab);
    }
    if (parser.isSet(wizardStudentOption)) {
      // The page's Student drop-down (RunWizard names it "<page>/student").
      auto* students = wizard->findChild<QComboBox*>(parser.value(wizardPageOption) +
                                                     QStringLiteral("/student"));
      const int index = students ? students->findText(parser.value(wizardStudentOption)) : -1;
      if (index < 0)
        return fail(QStringLiteral("--wizard-student: no student %1 on this page")
                        .arg(parser.value(wizardStudentOption)));
      students->setCurrentIndex(index);
    }
    target = wizard;
  }
  const int delayMs = parser.isSet(delayOption) ? parser.value(delayOption).toInt() : 600;
  const int giveUpMs = parser.isSet(giveUpOption) ? parser.value(giveUpOption).toInt() : 30000;
  return takeScreenshot(target, parser.value(screenshotOption), delayMs, giveUpMs, notReady);
}
