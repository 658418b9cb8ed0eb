// corpus import | list (| synth), and features.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <thread>

#include "app/cli/commands.h"
#include "app/cli/recorded_run.h"
#include "app/cli/console_progress.h"
#include "app/cli/event_stream.h"
#include "core/audio/fbank_config.h"
#include "core/corpus/dataset_importer.h"
#include "core/corpus/feature_extraction.h"
#include "core/corpus/kaldi_data_dir.h"
#include "core/store/catalog.h"
#include "core/store/run_store.h"
#include "core/store/workspace.h"
#include "core/util/config_hash.h"
#include "core/util/error.h"
#include "core/util/progress.h"
#include "core/util/yaml_config.h"

namespace understudy::cli {

namespace {

constexpr std::size_t kShowAtMost = 20;

struct ImportArgs {
  std::string workspace, name, kind, kaldiDir, manifest;
  bool allowPipes = false, downmix = false;
};

void printImportSummary(const corpus::ImportSummary& s, const std::string& sourcePath) {
  std::size_t bad = 0, fixed = 0;
  for (const auto& issue : s.issues) (issue.fixed ? fixed : bad)++;
  if (!s.issues.empty()) {
    std::printf("%s: %zu bad line(s), %zu fix(es) applied while reading (files untouched):\n",
                sourcePath.c_str(), bad, fixed);
    std::size_t shown = 0;
    for (const auto& issue : s.issues) {
      if (shown++ == kShowAtMost) {
        std::printf("  ... and %zu more (all stored in the dataset's metadata)\n",
                    s.issues.size() - kShowAtMost);
        break;
      }
      std::printf("  %s%s\n", issue.fixed ? "fixed: " : "", issue.toString().c_str());
    }
  }
  if (s.skipped > 0) {
    std::printf("Skipped %zu utterance(s):\n", s.skipped);
    for (const auto& [category, n] : s.skippedByCategory) {
      const std::string hint = corpus::skipCategoryHint(category);
      std::printf("  %6zu  %s%s%s\n", n, category.c_str(), hint.empty() ? "" : "  (hint: ",
                  hint.empty() ? "" : (hint + ")").c_str());
    }
    std::size_t shown = 0;
    for (const auto& u : s.skippedUtterances) {
      if (shown++ == kShowAtMost) {
        std::printf("  ... and %zu more (status 'skipped' in the workspace, with their reasons)\n",
                    s.skippedUtterances.size() - kShowAtMost);
        break;
      }
      std::printf("  %s: %s\n", u.key.c_str(), u.reason.c_str());
    }
  }
  std::printf("Imported dataset '%s' (%s): %zu utterance(s), %s of audio, %zu skipped.\n",
              s.name.c_str(), s.source.c_str(), s.imported, formatDuration(s.totalSeconds).c_str(),
              s.skipped);
}

void runImport(const ImportArgs& a, const GlobalOptions& global) {
  Workspace ws = Workspace::open(a.workspace);
  corpus::ImportOptions opt;
  opt.name = a.name;
  opt.kind = corpus::parseDatasetKind(a.kind);
  opt.allowPipes = a.allowPipes;
  opt.channels = a.downmix ? ChannelMode::Downmix : ChannelMode::First;
  const bool kaldi = !a.kaldiDir.empty();
  RunSpec spec;
  spec.kind = "import";
  spec.name = a.name;
  spec.config = fmt::format("name: {}\nkind: {}\n{}: {}\nallow_pipes: {}\ndownmix: {}\n",
                            a.name, a.kind, kaldi ? "kaldi_dir" : "manifest",
                            kaldi ? a.kaldiDir : a.manifest, a.allowPipes, a.downmix);
  recordedRun(ws, global, spec, [&](EventStream* events) {
    CommandProgress progress(global.quiet, events);
    corpus::DatasetImporter importer(ws, opt, &progress);
    corpus::ImportSummary s =
        kaldi ? importer.importKaldiDir(a.kaldiDir) : importer.importManifest(a.manifest);
    printImportSummary(s, kaldi ? a.kaldiDir : a.manifest);
    const double now = nowSeconds();
    return std::vector<MetricPoint>{
        {0, "import/utterances", static_cast<double>(s.imported), now},
        {0, "import/skipped", static_cast<double>(s.skipped), now},
        {0, "import/hours", s.totalSeconds / 3600.0, now}};
  });
}

void runList(const std::string& path) {
  Workspace ws = Workspace::open(path);
  Catalog catalog(ws);
  std::map<std::int64_t, std::string> featureSets;
  for (const FeatureSetRow& f : catalog.featureSets()) {
    std::string& list = featureSets[f.datasetId];
    if (!list.empty()) list += ", ";
    list += f.name;
    if (!f.complete()) list += " (" + f.status + ")";
  }
  struct Row {
    std::string name, kind, source, featureSets;
    long long ok, skipped;
    double hours;
  };
  std::vector<Row> rows;
  int width = 4;
  for (const DatasetSummary& s : catalog.datasetSummaries()) {
    auto it = featureSets.find(s.dataset.id);
    rows.push_back({s.dataset.name, s.dataset.kind, s.dataset.source,
                    it == featureSets.end() ? "-" : it->second,
                    static_cast<long long>(s.okUtterances),
                    static_cast<long long>(s.skippedUtterances), s.okSeconds / 3600.0});
    width = std::max(width, static_cast<int>(rows.back().name.size()));
  }
  if (rows.empty()) {
    std::printf("No datasets yet in %s (add one with `understudy-cli corpus import`).\n",
                ws.root().c_str());
    return;
  }
  std::printf("%-*s  %-9s %-9s %10s %8s %8s  %s\n", width, "name", "kind", "source", "utterances",
              "skipped", "hours", "feature sets");
  for (const Row& r : rows)
    std::printf("%-*s  %-9s %-9s %10lld %8lld %8.2f  %s\n", width, r.name.c_str(), r.kind.c_str(),
                r.source.c_str(), r.ok, r.skipped, r.hours, r.featureSets.c_str());
}

void runFixKaldiDir(const std::string& dir, const std::string& out) {
  std::vector<corpus::SourceIssue> issues = corpus::fixKaldiDataDir(dir, out);
  std::size_t bad = 0;
  for (const auto& issue : issues) {
    bad += issue.fixed ? 0 : 1;
    std::printf("  %s%s\n", issue.fixed ? "fixed: " : "dropped: ", issue.toString().c_str());
  }
  std::printf("Wrote a corrected copy of %s to %s (%zu bad line(s) dropped, %zu fix(es)); the "
              "original is unchanged.\n",
              dir.c_str(), out.c_str(), bad, issues.size() - bad);
}

struct FeaturesArgs {
  std::string workspace, dataset, config;
  int jobs = std::max(1u, std::thread::hardware_concurrency());
  int commitEvery = 50;
};

// Our YAML or a Kaldi fbank.conf (core/audio/fbank_config.h).
FbankOptions loadFbankConfig(const std::string& file) {
  return file.empty() ? FbankOptions{} : loadFbankConfigFile(file);
}

void printFeaturesSummary(const corpus::FeatureExtractionSummary& s);

void runFeatures(const FeaturesArgs& a, const GlobalOptions& global) {
  Workspace ws = Workspace::open(a.workspace);
  corpus::FeatureExtractionOptions opt;
  opt.fbank = loadFbankConfig(a.config);
  opt.jobs = a.jobs;
  opt.commitEvery = a.commitEvery;
  // Test hook: a pause after each commit lets tests interrupt a run at a known point.
  if (const char* delay = std::getenv("UNDERSTUDY_TEST_FEATURES_COMMIT_DELAY_MS")) {
    const int ms = std::atoi(delay);
    opt.afterCommit = [ms](std::size_t) {
      std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    };
  }
  RunSpec spec;
  spec.kind = "features";
  spec.name = a.dataset;
  spec.config = opt.fbank.toYaml();
  spec.configHash = configHash(spec.config);  // = the feature set's config_hash
  recordedRun(ws, global, spec, [&](EventStream* events) {
    CommandProgress progress(global.quiet, events);
    corpus::FeatureExtractionSummary s = corpus::extractFeatures(ws, a.dataset, opt, &progress);
    printFeaturesSummary(s);
    if (events) events->artifact(ws.root(), s.name, s.storePath, "features");
    const double now = nowSeconds();
    return std::vector<MetricPoint>{
        {0, "features/computed", static_cast<double>(s.computed), now},
        {0, "features/failed", static_cast<double>(s.failed), now},
        {0, "features/frames", static_cast<double>(s.storedFrames), now},
        {0, "features/real_time_factor", s.realTimeFactor(), now}};
  });
}

void printFeaturesSummary(const corpus::FeatureExtractionSummary& s) {
  for (std::size_t i = 0; i < s.failures.size() && i < kShowAtMost; ++i)
    std::printf("  skipped %s: %s\n", s.failures[i].key.c_str(), s.failures[i].reason.c_str());
  if (s.failures.size() > kShowAtMost)
    std::printf("  ... and %zu more skipped\n", s.failures.size() - kShowAtMost);
  std::printf(
      "Features '%s' in %s (%d dims): %zu computed, %zu already stored, %zu failed; store holds "
      "%llu utterances, %llu frames; %.2f h audio at %.0fx real time.\n",
      s.name.c_str(), s.storePath.c_str(), s.dims, s.computed, s.alreadyStored, s.failed,
      static_cast<unsigned long long>(s.storedUtterances),
      static_cast<unsigned long long>(s.storedFrames), s.audioSeconds / 3600.0,
      s.realTimeFactor());
  if (s.cmvnWritten) std::printf("Global CMVN statistics: %s/cmvn.stats\n", s.storePath.c_str());
}

}  // namespace

void addCorpusCommands(CLI::App& app, GlobalOptions& global) {
  auto* corpusSub = app.add_subcommand("corpus", "Datasets: import, list, synthesise");
  corpusSub->require_subcommand(1);
  {
    auto a = std::make_shared<ImportArgs>();
    auto* sub = corpusSub->add_subcommand(
        "import", "Import a Kaldi data dir or a NeMo JSONL manifest as a dataset");
    addWorkspaceOption(*sub, a->workspace);
    sub->add_option("--name", a->name, "Dataset name, unique in the workspace")->required();
    sub->add_option("--kind", a->kind, "labeled, unlabeled or test")
        ->required()
        ->check(CLI::IsMember({"labeled", "unlabeled", "test"}));
    auto* kaldi = sub->add_option("--kaldi-dir", a->kaldiDir,
                                  "Kaldi data dir (wav.scp [segments] [text] [utt2spk] [spk2utt])");
    auto* manifest =
        sub->add_option("--manifest", a->manifest, "NeMo JSONL manifest (audio_filepath, duration, text)");
    kaldi->excludes(manifest);
    manifest->excludes(kaldi);
    sub->add_flag("--allow-pipes", a->allowPipes,
                  "Run piped wav.scp entries ('cmd |'); they execute shell commands");
    sub->add_flag("--downmix", a->downmix,
                  "Average all channels of multi-channel audio (default: first channel)");
    sub->callback([a, &global] {
      if (a->kaldiDir.empty() == a->manifest.empty())
        throw CLI::RequiredError("exactly one of --kaldi-dir and --manifest");
      runImport(*a, global);
    });
  }
  {
    auto path = std::make_shared<std::string>();
    auto* sub = corpusSub->add_subcommand("list", "List the datasets of a workspace");
    addWorkspaceOption(*sub, *path);
    sub->callback([path] { runList(*path); });
  }
  {
    auto dir = std::make_shared<std::string>();
    auto out = std::make_shared<std::string>();
    auto* sub = corpusSub->add_subcommand(
        "fix-kaldi-dir",
        "Write a corrected copy of a Kaldi data dir (sorted, deduplicated, LF, bad lines dropped)");
    sub->add_option("--kaldi-dir", *dir, "The data dir to read (left untouched)")->required();
    sub->add_option("--out", *out, "New folder for the corrected copy")->required();
    sub->callback([dir, out] { runFixKaldiDir(*dir, *out); });
  }
#ifdef UNDERSTUDY_HAVE_SYNTH_CLI
  addCorpusSynthCommand(*corpusSub, global);
#endif

  {
    auto a = std::make_shared<FeaturesArgs>();
    auto* sub = app.add_subcommand(
        "features", "Compute fbank features of a dataset into WS/features/ (resumable)");
    addWorkspaceOption(*sub, a->workspace);
    sub->add_option("--dataset", a->dataset, "Dataset name (see `corpus list`)")->required();
    sub->add_option("--config", a->config,
                    "YAML with fbank keys (num_mel_bins, frame_shift_ms, ...), top level or "
                    "under `fbank:`, or a Kaldi fbank.conf (--num-mel-bins=64 lines; "
                    "docs/audio.md lists the supported options); default: 64 bins, 25/10 ms, "
                    "Kaldi defaults otherwise")
        ->check(CLI::ExistingFile);
    sub->add_option("--jobs", a->jobs, "Threads computing features")
        ->capture_default_str()
        ->check(CLI::Range(1, 256));
    sub->add_option("--commit-every", a->commitEvery,
                    "Utterances between store commits (resume granularity)")
        ->capture_default_str()
        ->check(CLI::Range(1, 1000000));
    sub->callback([a, &global] { runFeatures(*a, global); });
  }
}

}  // namespace understudy::cli
