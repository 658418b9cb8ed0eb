#include "core/align/target_builder.h"

#include <fcntl.h>   // AT_FDCWD
#include <signal.h>  // kill(pid, 0)
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <cstdio>  // renameat2, RENAME_EXCHANGE (glibc >= 2.28)
#include <fstream>
#include <functional>
#include <optional>
#include <unordered_set>

#include <yaml-cpp/yaml.h>

#include "core/align/priors.h"
#include "core/align/target_store.h"
#include "core/store/catalog.h"
#include "core/store/feature_store.h"
#include "core/store/kaldi_io.h"
#include "core/store/record_store.h"
#include "core/store/unit_inventory.h"
#include "core/store/workspace.h"
#include "core/util/atomic_file.h"
#include "core/util/checksum.h"
#include "core/util/config_hash.h"
#include "core/util/error.h"
#include "core/util/fault_point.h"
#include "core/util/log.h"
#include "core/util/progress.h"

namespace fs = std::filesystem;

namespace understudy {

namespace {

constexpr const char* kFolderAlignments = "ali.txt";
constexpr const char* kFolderPhones = "phones.txt";

// Calls `visit(key, alignment)` for every record of an ark (text or binary)
// or of the arks an scp points into.
void forEachAlignment(const fs::path& path,
                      const std::function<void(const std::string&, std::vector<std::int32_t>)>& visit) {
  if (path.extension() == ".scp") {
    for (const ScpEntry& entry : readScp(path)) visit(entry.key, readScpIntVector(entry));
    return;
  }
  KaldiArchiveReader reader(path);
  while (reader.next()) {
    std::string key = reader.key();
    visit(key, reader.readIntVector());
  }
}

// Dense source-id -> unit-id table (-1: not a unit).
std::vector<int> symbolTable(const UnitInventory& units) {
  std::int64_t maxSymbol = -1;
  for (const auto s : units.symbolIds()) maxSymbol = std::max(maxSymbol, s);
  std::vector<int> table(static_cast<std::size_t>(maxSymbol + 1), -1);
  for (int u = 0; u < units.size(); ++u)
    table[static_cast<std::size_t>(units.symbolIds()[static_cast<std::size_t>(u)])] = u;
  return table;
}

// Removes a folder on scope exit unless released.
class TempDirGuard {
 public:
  explicit TempDirGuard(fs::path dir) : m_dir(std::move(dir)) {}
  ~TempDirGuard() {
    if (m_dir.empty()) return;
    std::error_code ec;
    fs::remove_all(m_dir, ec);
  }
  void release() { m_dir.clear(); }

 private:
  fs::path m_dir;
};

// Replaces `target` by `fresh` (both folders) so that `target` exists at
// every moment, even when the process is killed half-way: an existing target
// is swapped with `fresh` in one step (renameat2 RENAME_EXCHANGE), then the
// old files, now under `fresh`'s name, are removed (a kill before that leaves
// them as a `.tmp-PID` folder, which the next build removes). A reader never
// sees a mix of old and new files. Where the file system cannot exchange, two
// renames (a moment without `target`).
void replaceFolder(const fs::path& fresh, const fs::path& target) {
  std::error_code ec;
  if (fs::exists(target)) {
    if (::renameat2(AT_FDCWD, fresh.c_str(), AT_FDCWD, target.c_str(), RENAME_EXCHANGE) == 0) {
      US_FAULT_POINT("targets.after_swap");
      syncDirectory(target.parent_path());
      fs::remove_all(fresh, ec);
      return;
    }
    if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP)
      throw US_ERROR(std::string("cannot replace the targets folder: ") + std::strerror(errno))
          .file(target.string())
          .hint("the new targets are in " + fresh.string());
    const fs::path old = target.string() + ".old-" + std::to_string(::getpid());
    fs::rename(target, old);
    US_FAULT_POINT("targets.between_renames");
    fs::rename(fresh, target);
    syncDirectory(target.parent_path());
    fs::remove_all(old, ec);
    return;
  }
  fs::rename(fresh, target);
  syncDirectory(target.parent_path());
}

// Removes `<folder>.tmp-PID` and `<folder>.old-PID` beside `target` that a
// build killed before it could clean up left behind (PID no longer running).
void removeLeftoversOfKilledBuilds(const fs::path& target) {
  const std::string name = target.filename().string();
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(target.parent_path(), ec)) {
    const std::string other = entry.path().filename().string();
    for (const std::string suffix : {".tmp-", ".old-"}) {
      const std::string prefix = name + suffix;
      if (other.size() <= prefix.size() || other.compare(0, prefix.size(), prefix) != 0) continue;
      const std::string pidText = other.substr(prefix.size());
      if (pidText.find_first_not_of("0123456789") != std::string::npos || pidText.size() > 9) continue;
      const pid_t pid = static_cast<pid_t>(std::stol(pidText));
      if (::kill(pid, 0) == 0 || errno != ESRCH) continue;  // running (or not ours to ask)
      log::info("targets: removing {}, left by a build that was stopped", entry.path().string());
      fs::remove_all(entry.path(), ec);
    }
  }
}

// Where a dataset's alignments and their units come from.
struct ResolvedSource {
  bool folder = false;
  fs::path aliPath;
  fs::path unitsPath;  // empty: pdf0..max
};

ResolvedSource resolveSource(Workspace& ws, const std::string& dataset,
                             const AlignmentSource& source) {
  if (dataset.empty() || dataset.find('/') != std::string::npos || dataset == "." ||
      dataset == "..") {
    throw US_ERROR("'" + dataset + "' is not a valid dataset name");
  }
  const fs::path datasetAlignDir = ws.subdir("alignments") / dataset;
  const fs::path given = source.path.empty() ? datasetAlignDir : source.path;
  ResolvedSource r;
  r.folder = fs::is_directory(given);
  r.aliPath = given;
  r.unitsPath = source.units;
  if (r.folder) {
    r.aliPath = given / kFolderAlignments;
    if (r.unitsPath.empty()) r.unitsPath = given / kFolderPhones;
    if (!fs::exists(r.aliPath)) {
      throw US_ERROR("no alignments for dataset '" + dataset + "' (expected ali.txt here)")
          .file(given.string())
          .hint(source.path.empty()
                    ? "synthetic datasets write WS/alignments/<dataset>/ali.txt; for Kaldi pdf "
                      "alignments pass --alignments pdf.ark"
                    : "pass a folder with ali.txt + phones.txt, or a Kaldi ark/scp");
    }
  } else if (!fs::exists(given)) {
    throw US_ERROR("alignment archive not found").file(given.string());
  }
  return r;
}

// A path as the config names it: workspace-relative when inside the workspace.
std::string configPath(const Workspace& ws, const fs::path& path) {
  if (path.empty()) return {};
  const fs::path abs = fs::absolute(path).lexically_normal();
  const fs::path rel = abs.lexically_relative(fs::absolute(ws.root()).lexically_normal());
  if (!rel.empty() && *rel.begin() != "..") return rel.generic_string();
  return abs.generic_string();
}

// The number of lines of a file (rejected.txt), 0 if absent.
int countLines(const fs::path& path) {
  std::ifstream in(path);
  int n = 0;
  std::string line;
  while (std::getline(in, line)) ++n;
  return n;
}

// The keyed folder holds the targets of this config: a store that opens,
// whose metadata names the same full hash and whose every record passes its
// checksum (a damaged set is built again: `verify` says to re-run `targets`).
bool builtWith(const fs::path& dir, const std::string& hash) {
  if (!RecordStore::exists(dir)) return false;
  try {
    if (TargetStore::open(dir).configHash() != hash) return false;
    if (!RecordStore::open(dir).verifyAll().empty()) {
      log::warning("targets in {} have bad records: building them again", dir.string());
      return false;
    }
    return true;
  } catch (const Error&) {
    return false;  // unreadable: built again
  }
}

}  // namespace

std::string TargetsConfig::toYaml() const {
  YAML::Emitter e;
  e << YAML::BeginMap;
  e << YAML::Key << "alignments" << YAML::Value << alignments;
  e << YAML::Key << "alignments_xxh3" << YAML::Value << alignmentsXxh3;
  e << YAML::Key << "units" << YAML::Value << units;
  e << YAML::Key << "units_xxh3" << YAML::Value << unitsXxh3;
  e << YAML::Key << "feature_set" << YAML::Value << featureSet;
  e << YAML::Key << "feature_config_hash" << YAML::Value << featureConfigHash;
  e << YAML::Key << "inventory" << YAML::Value << inventory;
  e << YAML::Key << "subsample" << YAML::Value << frames.subsample;
  e << YAML::Key << "tolerance" << YAML::Value << frames.tolerance;
  e << YAML::EndMap;
  return std::string(e.c_str()) + "\n";
}

std::string TargetsConfig::hash() const { return configHash(toYaml()); }

TargetsConfig resolveTargetsConfig(Workspace& ws, const std::string& dataset,
                                   const AlignmentSource& source,
                                   const TargetBuildOptions& options) {
  options.validate();
  const ResolvedSource r = resolveSource(ws, dataset, source);
  Catalog catalog(ws);
  const FeatureSetRow features = catalog.featureSet(catalog.dataset(dataset), options.featureSet);
  TargetsConfig c;
  c.alignments = configPath(ws, r.folder ? r.aliPath.parent_path() : r.aliPath);
  c.alignmentsXxh3 = toHex(fileChecksum64(r.aliPath));
  c.units = configPath(ws, r.unitsPath);
  if (!r.unitsPath.empty()) c.unitsXxh3 = toHex(fileChecksum64(r.unitsPath));
  c.featureSet = features.name;
  c.featureConfigHash = features.configHash;
  c.inventory = options.inventoryName;
  c.frames = options.frames;
  return c;
}

TargetsSummary buildTargets(Workspace& ws, const std::string& dataset,
                            const AlignmentSource& source, ProgressSink* progress,
                            const TargetBuildOptions& options) {
  options.validate();
  const auto start = std::chrono::steady_clock::now();
  const ResolvedSource resolved = resolveSource(ws, dataset, source);
  Catalog catalog(ws);
  const DatasetRow row = catalog.dataset(dataset);
  const TargetsConfig config = resolveTargetsConfig(ws, dataset, source, options);
  const bool folder = resolved.folder;
  const fs::path& aliPath = resolved.aliPath;
  const fs::path& unitsPath = resolved.unitsPath;

  TargetsSummary summary;
  summary.dataset = dataset;
  summary.source = (folder && row.source == "synthetic") ? "synthetic" : "kaldi";
  summary.configYaml = config.toYaml();
  summary.configHash = configHash(summary.configYaml);
  summary.dir = ws.subdir("alignments") / dataset / config.folderName();

  // The register step: the dataset's "targets" row points at this set.
  auto registerSet = [&](const UnitInventory& units) {
    AlignmentSetRow set;
    set.datasetId = row.id;
    set.name = Catalog::kTargetsAlignmentSet;
    set.source = summary.source;
    set.path = fs::relative(summary.dir, ws.root()).generic_string();
    set.frameShiftMs = 10.0 * options.frames.subsample;
    set.numUtterances = summary.numUtterances;
    set.numRejected = summary.numRejected;
    set = catalog.registerAlignmentSet(set, units, summary.inventoryName);
    summary.unitInventoryId = set.unitInventoryId;
    summary.alignmentSetId = set.id;
  };

  if (builtWith(summary.dir, summary.configHash)) {
    // Done before with this config: nothing is written, the row points here
    // again. A build killed after its swap left the old files beside it.
    removeLeftoversOfKilledBuilds(summary.dir);
    const TargetStore done = TargetStore::open(summary.dir);
    summary.alreadyBuilt = true;
    summary.numUtterances = static_cast<int>(done.size());
    summary.numTargetFrames = static_cast<std::int64_t>(done.totalFrames());
    summary.numUnits = done.units().size();
    summary.inventoryName = done.inventoryName();
    summary.numRejected = countLines(summary.dir / TargetStore::kRejectedFile);
    registerSet(done.units());
    summary.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    log::debug("targets for '{}': already built with config {} in {}", dataset,
               summary.configHash, summary.dir.string());
    return summary;
  }

  UnitInventory units;
  std::string inventoryPrefix;
  if (!unitsPath.empty()) {
    units = UnitInventory::fromPhonesTable(unitsPath);
    inventoryPrefix = folder ? "phones" : "units";
  } else {
    // pdf alignments without names: pdf0..pdf<max id>.
    std::int32_t maxId = -1;
    forEachAlignment(aliPath, [&](const std::string& key, std::vector<std::int32_t> ali) {
      for (const auto v : ali) {
        if (v < 0) {
          throw US_ERROR("negative pdf id " + std::to_string(v)).file(aliPath.string()).utterance(key);
        }
        maxId = std::max(maxId, v);
      }
    });
    if (maxId < 0) throw US_ERROR("the alignment archive holds no frames").file(aliPath.string());
    units = UnitInventory::pdfs(maxId + 1);
    inventoryPrefix = "pdf";
  }
  const std::vector<int> toUnit = symbolTable(units);

  // Frame counts from the features.
  const fs::path featureDir = catalog.absolute(catalog.featureSet(row, options.featureSet).path);
  const FeatureStore features = FeatureStore::open(featureDir);

  summary.numUnits = units.size();
  summary.inventoryName = options.inventoryName.empty()
                              ? defaultUnitInventoryName(units, inventoryPrefix)
                              : options.inventoryName;

  fs::create_directories(summary.dir.parent_path());
  removeLeftoversOfKilledBuilds(summary.dir);
  const fs::path tmpDir =
      summary.dir.parent_path() / (config.folderName() + ".tmp-" + std::to_string(::getpid()));
  fs::remove_all(tmpDir);
  TempDirGuard guard(tmpDir);

  UnitPriors priors(units.size());
  std::unordered_set<std::string> seen;
  ProgressTracker tracker(progress, "targets", static_cast<std::int64_t>(features.size()), "utt");
  {
    RecordStoreOptions storeOptions;
    storeOptions.type = ElementType::Int32;
    storeOptions.cols = 1;
    storeOptions.kind = TargetStore::kKind;
    RecordStore store = RecordStore::create(tmpDir, storeOptions);
    store.setMetadata(summary.configYaml + TargetStore::kConfigHashKey + " " + summary.configHash +
                      "\n" + TargetStore::kInventoryKey + " " + summary.inventoryName +
                      "\nsource: " + summary.source + "\nnum_units: " +
                      std::to_string(units.size()) + "\n");

    std::vector<std::int32_t> mapped;
    forEachAlignment(aliPath, [&](const std::string& key, std::vector<std::int32_t> ali) {
      tracker.throwIfCancelled();
      if (!seen.insert(key).second) {
        summary.rejected.push_back({key, "appears twice in the alignments (second one ignored)"});
        return;
      }
      mapped.resize(ali.size());
      for (std::size_t t = 0; t < ali.size(); ++t) {
        const std::int32_t v = ali[t];
        if (v < 0 || static_cast<std::size_t>(v) >= toUnit.size() ||
            toUnit[static_cast<std::size_t>(v)] < 0) {
          throw US_ERROR("alignment id " + std::to_string(v) + " at frame " + std::to_string(t) +
                         " is not a unit of the inventory (" + std::to_string(units.size()) +
                         " units" +
                         (unitsPath.empty() ? std::string() : " from " + unitsPath.string()) + ")")
              .file(aliPath.string())
              .utterance(key)
              .hint("the units file does not belong to these alignments; pass the phones.txt "
                    "or pdf names they were written with (--units)");
        }
        mapped[t] = toUnit[static_cast<std::size_t>(v)];
      }
      const RecordInfo* feats = features.records().find(key);
      if (!feats) {
        summary.rejected.push_back({key, "no features (utterance skipped or not in the dataset)"});
        return;
      }
      const FrameTargetResult r = makeFrameTargets(mapped, feats->rows, options.frames);
      if (!r.ok()) {
        summary.rejected.push_back({key, r.rejectReason});
        tracker.advance();
        return;
      }
      if (r.lengthDifference < 0) ++summary.numPadded;
      if (r.lengthDifference > 0) ++summary.numTruncated;
      store.append(key, r.targets.data(), static_cast<std::uint32_t>(r.targets.size()), 1);
      priors.accumulate(r.targets);
      ++summary.numUtterances;
      summary.numTargetFrames += static_cast<std::int64_t>(r.targets.size());
      tracker.advance();
    });
    for (const std::string& key : features.keys()) {
      if (!seen.count(key)) summary.rejected.push_back({key, "no alignment"});
    }
    store.commit();
  }
  summary.numRejected = static_cast<int>(summary.rejected.size());
  if (summary.numUtterances == 0) {
    throw US_ERROR("no utterance of dataset '" + dataset + "' got targets (" +
                   std::to_string(summary.numRejected) + " rejected" +
                   (summary.rejected.empty() ? std::string()
                                             : ", e.g. " + summary.rejected.front().key + ": " +
                                                   summary.rejected.front().reason) +
                   ")")
        .file(aliPath.string())
        .hint("do the alignments belong to this dataset and its features?");
  }

  units.save(tmpDir / TargetStore::kUnitsFile);
  priors.save(tmpDir / TargetStore::kPriorsFile);
  priors.saveCounts(tmpDir / TargetStore::kCountsFile);
  std::string rejectedText;
  for (const auto& r : summary.rejected) rejectedText += r.key + " " + r.reason + "\n";
  writeFileAtomically(tmpDir / TargetStore::kRejectedFile, rejectedText);

  US_FAULT_POINT("targets.before_swap");
  replaceFolder(tmpDir, summary.dir);
  guard.release();

  registerSet(units);
  summary.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  tracker.finish(std::to_string(summary.numUtterances) + " utt, " +
                 std::to_string(summary.numRejected) + " rejected");
  log::debug("targets for '{}': {} utterances, {} frames at {} ms, {} units, {} rejected", dataset,
            summary.numUtterances, summary.numTargetFrames, 10 * options.frames.subsample,
            summary.numUnits, summary.numRejected);
  return summary;
}

TargetsSummary importKaldiAlignments(Workspace& ws, const std::string& dataset,
                                     const fs::path& arkPath, const fs::path& unitNames,
                                     ProgressSink* progress, const TargetBuildOptions& options) {
  if (fs::is_directory(arkPath)) {
    throw US_ERROR("expected a Kaldi ark or scp of pdf alignments, found a folder")
        .file(arkPath.string())
        .hint("gunzip -c exp/tri3_ali/ali.*.gz | ali-to-pdf exp/tri3_ali/final.mdl ark:- "
              "ark:pdf.ark");
  }
  return buildTargets(ws, dataset, AlignmentSource{arkPath, unitNames}, progress, options);
}

}  // namespace understudy
