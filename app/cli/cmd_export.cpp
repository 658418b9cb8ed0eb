// export: a dataset's features or frame targets as Kaldi archives
// (copy-feats / copy-int-vector style; docs/formats.md "Exporting to Kaldi").
#include <cstdio>
#include <memory>
#include <string>

#include "app/cli/commands.h"
#include "app/cli/recorded_run.h"
#include "core/store/kaldi_export.h"
#include "core/store/record_store.h"
#include "core/store/run_store.h"
#include "core/store/workspace.h"
#include "core/util/error.h"
#include "core/util/events.h"

namespace understudy::cli {

namespace {

struct ExportArgs {
  std::string workspace, dataset, what, ark, scp, featureSet;
  bool text = false;
};

void runExport(const ExportArgs& a, const GlobalOptions& global) {
  Workspace ws = Workspace::open(a.workspace);
  const ExportWhat what = a.what == "targets" ? ExportWhat::Targets : ExportWhat::Features;
  if (what == ExportWhat::Targets && !a.featureSet.empty())
    throw US_ERROR("--feature-set applies to --what features only").hint("drop --feature-set");
  // Resolve before the run is recorded: a wrong dataset is a plain error.
  const std::filesystem::path storeDir = locateExportStore(ws, a.dataset, what, a.featureSet);
  const RecordStore store = RecordStore::open(storeDir);
  if (store.kind() != exportWhatName(what))
    throw US_ERROR("store holds '" + store.kind() + "' records, expected " + exportWhatName(what))
        .file(storeDir.string());

  RunSpec spec;
  spec.kind = "export";
  spec.name = a.dataset;
  spec.config = "dataset: " + a.dataset + "\nwhat: " + a.what + "\nstore: " +
                std::filesystem::relative(storeDir, ws.root()).string() + "\nark: " + a.ark +
                "\nscp: " + a.scp + "\ntext: " + (a.text ? "true" : "false") + "\n";
  KaldiExportSummary s;
  recordedRun(ws, global, spec, [&](EventStream* events) {
    CommandProgress progress(global.quiet, events);
    s = exportStoreToKaldi(store, a.ark, a.scp,
                           a.text ? KaldiArchiveWriter::Mode::Text : KaldiArchiveWriter::Mode::Binary,
                           &progress);
    const double now = nowSeconds();
    return std::vector<MetricPoint>{
        {0, "export/utterances", static_cast<double>(s.records), now},
        {0, "export/frames", static_cast<double>(s.frames), now},
        {0, "export/bytes", static_cast<double>(s.arkBytes), now}};
  });
  // Human text: stdout, which `--events -` sends to stderr (event_stream.h).
  std::printf("Exported %s of '%s': %zu utterance(s), %llu frames%s, to %s (%s, %.1f MB)%s%s.\n",
              exportWhatName(what), a.dataset.c_str(), s.records,
              static_cast<unsigned long long>(s.frames),
              what == ExportWhat::Features ? (" x " + std::to_string(s.dims) + " dims").c_str() : "",
              a.ark.c_str(), a.text ? "text" : "binary", static_cast<double>(s.arkBytes) / 1e6,
              a.scp.empty() ? "" : " and ", a.scp.c_str());
}

}  // namespace

void addExportCommands(CLI::App& app, GlobalOptions& global) {
  auto a = std::make_shared<ExportArgs>();
  auto* sub = app.add_subcommand(
      "export",
      "Write a dataset's features (Kaldi float matrices) or frame targets (int32 vectors) to a "
      "Kaldi ark [+ scp], like copy-feats / copy-int-vector");
  addWorkspaceOption(*sub, a->workspace);
  sub->add_option("--dataset", a->dataset, "Dataset name (see `corpus list`)")->required();
  sub->add_option("--what", a->what, "features or targets")
      ->required()
      ->check(CLI::IsMember({"features", "targets"}));
  sub->add_option("--ark", a->ark, "Archive to write (replaced atomically)")->required();
  sub->add_option("--scp", a->scp,
                  "Also write an scp: `key ARK:offset` per utterance, ARK as given to --ark");
  sub->add_flag("--text", a->text, "Text archive (default binary, as Kaldi writes ark:)");
  sub->add_option("--feature-set", a->featureSet,
                  "Feature set to export (default: the dataset's newest complete one)");
  sub->callback([a, &global] { runExport(*a, global); });
}

}  // namespace understudy::cli
