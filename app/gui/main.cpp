// understudy: the Qt workbench. Wires the application together and nothing else:
// identity and settings scope, the translation for the system locale, the
// command line (`understudy [WORKSPACE]`) and the main window. The hidden
// options scripts/screenshots drives live in ui/main/screenshot_driver.
#include <QApplication>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QIcon>
#include <QLibraryInfo>
#include <QLocale>
#include <QTranslator>
#include <cstdio>

#include "core/store/version.h"
#include "ui/main/main_window.h"
#include "ui/main/screenshot_driver.h"

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
  // Hidden options for scripts/screenshots (ui/main/screenshot_driver.h).
  understudy::ui::ScreenshotDriver automation(parser);
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
  automation.prepare(window);
  window.show();
  if (!positional.isEmpty()) {
    const bool opened = window.openWorkspace(positional.first());
    if (!opened && automation.screenshotRequested()) return 1;
  }
  return automation.exec(window);
}
