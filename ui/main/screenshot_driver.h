// The workbench's hidden automation options (not in --help), for
// scripts/screenshots: pick what the window shows, grab it into a PNG once
// everything asked for has arrived, or launch a recipe from the jobs panel
// and quit when it ends. Kept out of main() so the program's entry point
// stays a few lines of wiring; the options are listed in scripts/screenshots.
//
//   QCommandLineParser parser;
//   ScreenshotDriver automation(parser);   // declares its options
//   parser.process(app);
//   MainWindow window;
//   automation.prepare(window);            // before show()
//   window.show(); window.openWorkspace(...);
//   return automation.exec(window);        // QApplication::exec() or the grab
#pragma once

#include <QCommandLineOption>
#include <QString>
#include <functional>

class QCommandLineParser;
class QWidget;

namespace understudy::ui {

class MainWindow;

class ScreenshotDriver {
 public:
  // Adds the hidden options to `parser`, which must outlive this object.
  explicit ScreenshotDriver(QCommandLineParser& parser);

  // --screenshot FILE was given.
  bool screenshotRequested() const;
  // Screenshot mode: errors go to stderr instead of dialogs; --window-size.
  void prepare(MainWindow& window) const;
  // After the workspace opened: applies the options and runs the event loop
  // (the ordinary one, or the screenshot's: wait, grab, quit). Returns the
  // process's exit code: 2 for an option that cannot be applied.
  int exec(MainWindow& window);

 private:
  // --select-group and --view (any mode; unknown keys are ignored, as before).
  void applySelection(MainWindow& window);
  // Each applies one group of options; an empty string is success, else the
  // error message (exit 2).
  QString applyCharts(MainWindow& window);
  QString applyJobsAndNodes(MainWindow& window);
  QString applyWizard(MainWindow& window, QWidget** target);
  QString applyUtterances(MainWindow& window);
  QString applyLabels(MainWindow& window);
  QString applyCompare(MainWindow& window);
  // Adds a wait: the grab waits until `what` returns '' too.
  void waitFor(std::function<QString()> what);
  int launchRecipe(MainWindow& window);
  int grab(QWidget* target);

  QCommandLineParser& m_parser;
  QCommandLineOption m_screenshot, m_group, m_view, m_size, m_runs, m_panel, m_job, m_steps,
      m_node, m_testNodes, m_wizardRecipe, m_wizardPage, m_wizardTab, m_wizardStudent,
      m_wizardSize, m_launch, m_giveUp, m_delay, m_dataset, m_softLabels, m_evaluation, m_utterance,
      m_filterText, m_filterCondition, m_labelsSet, m_baseline, m_compareSelect, m_diffOnly,
      m_compareColumns;
  // What the grab still waits for ('' = ready), composed as options add waits.
  std::function<QString()> m_notReady;
};

}  // namespace understudy::ui
