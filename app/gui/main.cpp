// understudy: the Qt workbench. Wires the application together and nothing else:
// identity and settings scope, the translation for the system locale, the
// command line (`understudy [WORKSPACE]`) and the main window.
#include <QApplication>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QIcon>
#include <QLibraryInfo>
#include <QLocale>
#include <QSize>
#include <QTimer>
#include <QTranslator>
#include <cstdio>

#include "core/store/version.h"
#include "ui/main/main_window.h"
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

// --screenshot: open, wait for the first refresh and for layout, grab the window,
// save it and quit. Used by scripts/screenshots under xvfb-run.
int takeScreenshot(understudy::ui::MainWindow& window, const QString& file) {
  QTimer::singleShot(600, &window, [&window, file] {
    const bool ok = window.grab().save(file);
    if (!ok) std::fprintf(stderr, "understudy: cannot write %s\n", qPrintable(file));
    QCoreApplication::exit(ok ? 0 : 1);
  });
  return QApplication::exec();
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
  parser.addOptions({screenshotOption, groupOption, viewOption, sizeOption});
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
  if (screenshot) return takeScreenshot(window, parser.value(screenshotOption));
  return QApplication::exec();
}
