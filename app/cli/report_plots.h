// The report's plots as PNG files, drawn with QImage + QPainter (the only
// use of Qt6::Gui in understudy-cli; core has no Qt). docs/recipes.md, "The report".
//
//   std::string whyNot;
//   auto plots = QtPlotSink::create(&whyNot);   // null when Qt cannot draw here
//   pipeline::writeReport(ws, spec, out, plots.get(), whyNot);
#pragma once

#include <memory>
#include <string>

#include "core/pipeline/report.h"

// Without Qt6::Gui (UNDERSTUDY_GUI=OFF builds) only writeReportWithPlots exists.
#ifdef UNDERSTUDY_HAVE_REPORT_PLOTS
#include <QtGlobal>
#endif

class QGuiApplication;

namespace understudy {
class Workspace;
}

namespace understudy::cli {

// pipeline::writeReport with the plots drawn by QtPlotSink when this build has
// Qt6::Gui (else none, and report.md says so). `understudy-cli report` and
// `understudy-cli run RECIPE` call it (defined in cmd_report.cpp).
pipeline::ReportFiles writeReportWithPlots(Workspace& ws, const pipeline::ReportSpec& spec,
                                           const std::filesystem::path& outDir);

#ifdef UNDERSTUDY_HAVE_REPORT_PLOTS
class QtPlotSink : public pipeline::PlotSink {
 public:
  // A sink that can draw: text needs a QGuiApplication, so one is made on the
  // "offscreen" platform when the process has none. Null, with the reason in
  // `whyNot`, when the process already has a non-GUI Qt application.
  static std::unique_ptr<QtPlotSink> create(std::string* whyNot);
  ~QtPlotSink() override;

  void drawLines(const pipeline::LinePlot& plot, const std::filesystem::path& png) override;
  void drawBars(const pipeline::BarChart& chart, const std::filesystem::path& png) override;

 private:
  QtPlotSink() = default;
  std::unique_ptr<QGuiApplication> m_app;  // ours, when the process had none
  QtMessageHandler m_previousHandler = nullptr;
  bool m_ownsHandler = false;
};
#endif  // UNDERSTUDY_HAVE_REPORT_PLOTS

}  // namespace understudy::cli
