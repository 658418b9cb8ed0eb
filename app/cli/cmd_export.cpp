// export: a dataset's features, frame targets or soft labels as Kaldi
// archives (copy-feats / copy-int-vector / copy-post style; docs/formats.md
// "Exporting to Kaldi"); import: Kaldi posteriors as a dataset's soft-label
// set (docs/formats.md "Soft labels as Kaldi posteriors").
#include <cstdio>
#include <memory>
#include <string>

#include "app/cli/commands.h"
#include "app/cli/recorded_run.h"
#include "core/store/catalog.h"
#include "core/store/kaldi_export.h"
#include "core/store/record_store.h"
#include "core/store/run_store.h"
#include "core/store/soft_label_sets.h"
#include "core/store/soft_label_store.h"
#include "core/store/workspace.h"
#include "core/util/error.h"
#include "core/util/events.h"

namespace understudy::cli {

namespace {

struct ExportArgs {
  std::string workspace, dataset, what, ark, scp, featureSet, model, labels;
  bool text = false;
};

ExportWhat parseWhat(const std::string& what) {
  if (what == "targets") return ExportWhat::Targets;
  if (what == "softlabels") return ExportWhat::SoftLabels;
  return ExportWhat::Features;
}

void runSoftLabelExport(const ExportArgs& a, const GlobalOptions& global) {
  Workspace ws = Workspace::open(a.workspace);
  // Resolve before the run is recorded: a wrong name is a plain error.
  const SoftLabelSetRow set = locateSoftLabelSet(ws, a.dataset, a.model, a.labels);
  const std::filesystem::path storeDir = Catalog(ws).absolute(set.path);
  const SoftLabelStore store = SoftLabelStore::open(storeDir);

  RunSpec spec;
  spec.kind = "export";
  spec.name = a.dataset;
  spec.config = "dataset: " + a.dataset + "\nwhat: softlabels\nstore: " + set.path +
                "\nmodel: " + store.options().model + "\nark: " + a.ark + "\nscp: " + a.scp +
                "\ntext: " + (a.text ? "true" : "false") + "\n";
  KaldiExportSummary s;
  recordedRun(ws, global, spec, [&](EventStream* events) {
    CommandProgress progress(global.quiet, events);
    s = exportSoftLabelSetToKaldi(
        store, a.ark, a.scp,
        a.text ? KaldiArchiveWriter::Mode::Text : KaldiArchiveWriter::Mode::Binary, &progress);
    const double now = nowSeconds();
    return std::vector<MetricPoint>{{0, "export/utterances", static_cast<double>(s.records), now},
                                    {0, "export/frames", static_cast<double>(s.frames), now},
                                    {0, "export/bytes", static_cast<double>(s.arkBytes), now}};
  });
  // Human text: stdout, which `--events -` sends to stderr (event_stream.h).
  std::printf(
      "Exported softlabels of '%s' (%s: model %s, k %d, %s): %zu utterance(s), %llu frames, "
      "to %s (%s, %.1f MB)%s%s.\n",
      a.dataset.c_str(), set.path.c_str(), store.options().model.c_str(), store.k(),
      softLabelPrecisionName(store.precision()), s.records,
      static_cast<unsigned long long>(s.frames), a.ark.c_str(), a.text ? "text" : "binary",
      static_cast<double>(s.arkBytes) / 1e6, a.scp.empty() ? "" : " and ", a.scp.c_str());
}

void runExport(const ExportArgs& a, const GlobalOptions& global) {
  const ExportWhat what = parseWhat(a.what);
  if (what != ExportWhat::Features && !a.featureSet.empty())
    throw US_ERROR("--feature-set applies to --what features only").hint("drop --feature-set");
  if (what != ExportWhat::SoftLabels && !(a.model.empty() && a.labels.empty()))
    throw US_ERROR(std::string(a.model.empty() ? "--labels" : "--model") +
                   " applies to --what softlabels only")
        .hint(std::string("drop ") + (a.model.empty() ? "--labels" : "--model"));
  if (what == ExportWhat::SoftLabels) return runSoftLabelExport(a, global);
  Workspace ws = Workspace::open(a.workspace);
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

struct ImportArgs {
  std::string workspace, what, ark, scp, precision = "fp16";
  SoftLabelImportRequest request;
};

void runImport(ImportArgs& a, const GlobalOptions& global) {
  const std::filesystem::path from = a.ark.empty() ? a.scp : a.ark;
  // The reader takes a name ending in .scp for an scp, anything else for an ark.
  if (!a.scp.empty() && from.extension() != ".scp")
    throw US_ERROR("--scp takes a file whose name ends in .scp")
        .file(a.scp)
        .hint("rename it, e.g. post.scp");
  if (!a.ark.empty() && from.extension() == ".scp")
    throw US_ERROR("--ark names an .scp file").file(a.ark).hint("pass it with --scp");
  a.request.precision = parseSoftLabelPrecision(a.precision);
  Workspace ws = Workspace::open(a.workspace);
  // Resolve and check before the run is recorded: a wrong name is a plain error.
  const SoftLabelImportPlan plan = planSoftLabelImport(ws, a.request);
  if (plan.alreadyStored > 0)
    std::fprintf(stderr, "Resuming: %zu utterance(s) already in %s\n", plan.alreadyStored,
                 plan.storeDir.string().c_str());

  const SoftLabelStoreOptions& o = plan.options;
  RunSpec spec;
  spec.kind = "import";
  spec.name = a.request.dataset;
  spec.config = "dataset: " + a.request.dataset + "\nwhat: softlabels\nfrom: " + from.string() +
                "\nmodel: " + o.model + "\nstore: " + plan.path +
                "\ntop_k: " + std::to_string(o.k) +
                "\nprecision: " + softLabelPrecisionName(o.precision) +
                "\ntemperature: " + std::to_string(o.temperature) + "\n";
  SoftLabelSetImport r;
  recordedRun(ws, global, spec, [&](EventStream* events, std::int64_t runId) {
    CommandProgress progress(global.quiet, events);
    r = importSoftLabelSet(ws, plan, from, runId, &progress);
    const double now = nowSeconds();
    if (events) events->artifact(ws.root(), a.request.dataset, plan.storeDir, "softlabels");
    return std::vector<MetricPoint>{
        {0, "import/utterances", static_cast<double>(r.records.imported), now},
        {0, "import/skipped", static_cast<double>(r.records.skipped), now},
        {0, "import/left_out", static_cast<double>(r.records.leftOut), now},
        {0, "import/frames", static_cast<double>(r.set.numFrames), now},
        {0, "import/mean_top1", r.summary.meanTop1(), now},
        {0, "import/mean_entropy", r.summary.meanEntropy(), now}};
  });
  const SoftLabelImportResult& c = r.records;
  // Human text: stdout, which `--events -` sends to stderr (event_stream.h).
  std::printf(
      "Imported softlabels of '%s' from %s: %zu utterance(s) (%zu already stored) into %s "
      "(model %s, k %d, %s); the set holds %lld utterance(s), %lld frames.\n",
      a.request.dataset.c_str(), from.string().c_str(), c.imported, c.skipped, plan.path.c_str(),
      o.model.c_str(), o.k, softLabelPrecisionName(o.precision),
      static_cast<long long>(r.set.numUtterances), static_cast<long long>(r.set.numFrames));
  std::printf(
      "%.1f bytes/frame on disk, mean top-1 p %.3f, mean entropy %.3f nats, %d of %d units are a "
      "top-1\n",
      r.summary.bytesPerFrame(), r.summary.meanTop1(), r.summary.meanEntropy(),
      r.summary.unitsUsed(), r.summary.numUnits());
  for (const auto& t : r.summary.truth())
    if (t.group == "all")
      std::printf(
          "Against the dataset's frame targets: top-1 %.2f %%, in top-%d %.2f %% (%lld frames)\n",
          100.0 * t.top1Accuracy(), o.k, 100.0 * t.topKRecall(), static_cast<long long>(t.frames));
  if (c.framesTruncated > 0 || c.framesPadded > 0)
    std::printf(
        "%zu frame(s) had more than %d pairs (the %d largest kept, rescaled), %zu fewer "
        "(padded with p = 0).\n",
        c.framesTruncated, o.k, o.k, c.framesPadded);
  if (c.leftOut > 0)
    std::fprintf(stderr,
                 "Left out %zu record(s) whose key is not an utterance of '%s' (the first: %s).\n",
                 c.leftOut, a.request.dataset.c_str(), c.firstLeftOut.c_str());
  if (r.missing > 0)
    std::fprintf(stderr, "%zu of the %zu utterance(s) of '%s' have no soft labels in the set.\n",
                 r.missing, plan.datasetUtterances, a.request.dataset.c_str());
}

void addImportCommand(CLI::App& app, GlobalOptions& global) {
  auto a = std::make_shared<ImportArgs>();
  auto* sub = app.add_subcommand(
      "import",
      "Read Kaldi posteriors (ark or scp, binary or text) into a dataset's soft-label set under "
      "WS/softlabels (resumable; recorded as an `import` run)");
  addWorkspaceOption(*sub, a->workspace);
  sub->add_option("--dataset", a->request.dataset,
                  "Dataset the posteriors belong to (see `corpus list`)")
      ->required();
  sub->add_option("--what", a->what, "softlabels (Kaldi Posterior records)")
      ->required()
      ->check(CLI::IsMember({"softlabels"}));
  sub->add_option("--model", a->request.model,
                  "Model whose unit ids the posteriors hold (see `info`); it must exist")
      ->required();
  auto* ark = sub->add_option("--ark", a->ark, "Posterior archive to read");
  auto* scp =
      sub->add_option("--scp", a->scp, "Or an scp (name ending in .scp) pointing into arks");
  ark->excludes(scp);
  scp->excludes(ark);
  sub->add_option("--out", a->request.folder,
                  "Folder under WS/softlabels (default <dataset>-<model>, as `label` names it)");
  sub->add_option(
      "--top-k", a->request.k,
      "Pairs kept per frame: more are cut to the largest, fewer padded with p = 0 (default 20)");
  sub->add_option(
         "--precision", a->precision,
         "Stored probabilities: fp16 (4k bytes/frame) or u8 (8-bit log domain, 3k bytes/frame)")
      ->check(CLI::IsMember({"fp16", "u8", "log8"}));
  sub->add_option(
         "--temperature", a->request.temperature,
         "Softmax temperature the posteriors were made at, recorded with the set (default 1)")
      ->check(CLI::PositiveNumber);
  sub->callback([a, &global] {
    if (a->ark.empty() == a->scp.empty())
      throw CLI::RequiredError("exactly one of --ark and --scp");
    runImport(*a, global);
  });
}

}  // namespace

void addExportCommands(CLI::App& app, GlobalOptions& global) {
  auto a = std::make_shared<ExportArgs>();
  auto* sub = app.add_subcommand(
      "export",
      "Write a dataset's features (Kaldi float matrices), frame targets (int32 vectors) or soft "
      "labels (posteriors) to a Kaldi ark [+ scp], like copy-feats / copy-int-vector / copy-post");
  addWorkspaceOption(*sub, a->workspace);
  sub->add_option("--dataset", a->dataset, "Dataset name (see `corpus list`)")->required();
  sub->add_option("--what", a->what, "features, targets or softlabels")
      ->required()
      ->check(CLI::IsMember({"features", "targets", "softlabels"}));
  sub->add_option("--ark", a->ark, "Archive to write (replaced atomically)")->required();
  sub->add_option("--scp", a->scp,
                  "Also write an scp: `key ARK:offset` per utterance, ARK as given to --ark");
  sub->add_flag("--text", a->text, "Text archive (default binary, as Kaldi writes ark:)");
  sub->add_option("--feature-set", a->featureSet,
                  "Feature set to export (default: the dataset's newest complete one)");
  auto* model = sub->add_option("--model", a->model,
                                "softlabels: the set made with this teacher (default: the "
                                "dataset's only set)");
  auto* labels =
      sub->add_option("--labels", a->labels, "softlabels: the set in WS/softlabels/FOLDER");
  model->excludes(labels);
  labels->excludes(model);
  sub->callback([a, &global] { runExport(*a, global); });
  addImportCommand(app, global);  // its mirror image
}

}  // namespace understudy::cli
