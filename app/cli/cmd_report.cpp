// report: report.md and PNG plots of a workspace's models from workspace.db
// (core/pipeline/report.h; docs/recipes.md, "The report"). `run RECIPE`
// writes the same at its end, with the spec it knows from the recipe; alone,
// the spec is read from the workspace (inferReportSpec).
#include <cstdio>
#include <memory>
#include <string>

#include "app/cli/commands.h"
#include "app/cli/report_plots.h"
#include "core/pipeline/report.h"
#include "core/store/workspace.h"

namespace understudy::cli {

pipeline::ReportFiles writeReportWithPlots(Workspace& ws, const pipeline::ReportSpec& spec,
                                           const std::filesystem::path& outDir) {
#ifdef UNDERSTUDY_HAVE_REPORT_PLOTS
  std::string whyNot;
  const std::unique_ptr<QtPlotSink> plots = QtPlotSink::create(&whyNot);
  return pipeline::writeReport(ws, spec, outDir, plots.get(), whyNot);
#else
  return pipeline::writeReport(ws, spec, outDir, nullptr,
                               "this understudy-cli was built without Qt6::Gui (UNDERSTUDY_GUI=OFF)");
#endif
}

namespace {

struct ReportArgs {
  std::string workspace, out;
  std::int64_t recipeRun = 0;
};

void runReport(const ReportArgs& a) {
  Workspace ws = Workspace::open(a.workspace);
  const pipeline::ReportSpec spec = pipeline::inferReportSpec(ws, a.recipeRun);
  const std::filesystem::path out = a.out.empty() ? pipeline::defaultReportDir(ws) : std::filesystem::path(a.out);
  const pipeline::ReportFiles files = writeReportWithPlots(ws, spec, out);
  std::printf("%s\n", files.markdown.string().c_str());
  for (const auto& png : files.plots) std::printf("%s\n", png.string().c_str());
}

}  // namespace

void addReportCommands(CLI::App& app, GlobalOptions&) {
  auto* sub = app.add_subcommand(
      "report",
      "Write report.md and PNG plots: WER of every model group on every test set with its "
      "relative reduction against the baseline, the teacher's labeling accuracy per condition, "
      "learning curves, bytes sent per step, label storage per frame");
  auto a = std::make_shared<ReportArgs>();
  addWorkspaceOption(*sub, a->workspace);
  sub->add_option("--recipe-run", a->recipeRun,
                  "Only the models and labels made under this run (a `run RECIPE` run id; "
                  "default: every model of the workspace)");
  sub->add_option("--out", a->out, "Folder for report.md and the plots (default: WS/report)");
  sub->callback([a] { runReport(*a); });
}

}  // namespace understudy::cli
