#include "core/store/kaldi_export.h"

#include <unistd.h>

#include <algorithm>
#include <vector>

#include "core/store/catalog.h"
#include "core/store/record_store.h"
#include "core/store/soft_label_kaldi.h"
#include "core/store/soft_label_sets.h"
#include "core/store/workspace.h"
#include "core/util/error.h"
#include "core/util/progress.h"

namespace understudy {

namespace fs = std::filesystem;

namespace {

// An output path we can create: its folder exists, it is not a folder itself.
void checkOutputPath(const fs::path& path, const char* what) {
  std::error_code ec;
  if (fs::is_directory(path, ec))
    throw US_ERROR(std::string("the ") + what + " output is a folder")
        .file(path.string())
        .hint(std::string("give the ") + what + " a file name inside it");
  const fs::path parent = path.has_parent_path() ? path.parent_path() : fs::path(".");
  if (fs::exists(parent, ec) && !fs::is_directory(parent, ec))
    throw US_ERROR(std::string("cannot write the ") + what + ": " + parent.string() +
                   " is not a folder")
        .file(path.string())
        .hint("choose an output path inside a folder");
  if (!fs::is_directory(parent, ec))
    throw US_ERROR(std::string("cannot write the ") + what + ": folder " + parent.string() +
                   " does not exist")
        .file(path.string())
        .hint("create it first (mkdir -p " + parent.string() + ")");
  if (::access(parent.c_str(), W_OK) != 0)
    throw US_ERROR(std::string("cannot write the ") + what + ": folder " + parent.string() +
                   " is not writable")
        .file(path.string())
        .hint("choose a folder you can write to");
}

// Both output paths writable, and not the same file.
void checkOutputPaths(const fs::path& arkPath, const fs::path& scpPath) {
  checkOutputPath(arkPath, "ark");
  if (scpPath.empty()) return;
  checkOutputPath(scpPath, "scp");
  std::error_code ec1, ec2;
  const fs::path a = fs::weakly_canonical(arkPath, ec1), b = fs::weakly_canonical(scpPath, ec2);
  if (ec1 || ec2 ? arkPath == scpPath : a == b)
    throw US_ERROR("the ark and the scp are the same file")
        .file(arkPath.string())
        .hint("give the scp its own name, e.g. feats.scp");
}

}  // namespace

const char* exportWhatName(ExportWhat what) {
  switch (what) {
    case ExportWhat::Features:
      return "features";
    case ExportWhat::Targets:
      return "targets";
    case ExportWhat::SoftLabels:
      return "softlabels";
  }
  return "?";
}

fs::path locateExportStore(Workspace& ws, const std::string& dataset, ExportWhat what,
                           const std::string& featureSet) {
  Catalog catalog(ws);
  if (what == ExportWhat::SoftLabels)
    return catalog.absolute(locateSoftLabelSet(ws, dataset).path);  // checks the store exists
  const DatasetRow row = catalog.dataset(dataset);
  if (what == ExportWhat::Features) {
    const FeatureSetRow features = catalog.featureSet(row, featureSet);
    const fs::path dir = catalog.absolute(features.path);
    if (!RecordStore::exists(dir))
      throw US_ERROR("the feature store of '" + features.name + "' is missing")
          .file(dir.string())
          .hint("recompute it: understudy-cli features -w " + ws.root().string() + " --dataset " +
                dataset);
    return dir;
  }
  const AlignmentSetRow targets = catalog.alignmentSet(row, Catalog::kTargetsAlignmentSet);
  const fs::path dir = catalog.absolute(targets.path);
  if (!RecordStore::exists(dir))
    throw US_ERROR("the targets store of dataset '" + dataset + "' is missing")
        .file(dir.string())
        .hint("build them: understudy-cli targets -w " + ws.root().string() + " --dataset " +
              dataset);
  return dir;
}

KaldiExportSummary exportStoreToKaldi(const RecordStore& store, const fs::path& arkPath,
                                      const fs::path& scpPath, KaldiArchiveWriter::Mode mode,
                                      ProgressSink* progress) {
  const bool matrices = store.elementType() == ElementType::Float32;
  if (!matrices && !(store.elementType() == ElementType::Int32 && store.cols() == 1))
    throw US_ERROR(std::string("cannot export a store of ") + elementTypeName(store.elementType()) +
                   " records with " + std::to_string(store.cols()) +
                   " columns: only float32 matrices and int32 vectors")
        .file(store.dir().string());
  checkOutputPaths(arkPath, scpPath);

  std::vector<std::string> keys = store.keys();
  std::sort(keys.begin(), keys.end());  // byte order = C-locale order
  KaldiExportSummary summary;
  summary.dims = matrices ? static_cast<int>(store.cols()) : 1;
  KaldiArchiveWriter out(arkPath, mode, scpPath);
  ProgressTracker tracker(progress, "export", static_cast<std::int64_t>(keys.size()), "utt");
  std::vector<std::int32_t> vec;
  for (const std::string& key : keys) {
    tracker.throwIfCancelled();
    const RecordView v = store.read(key);  // checks the checksum
    if (matrices) {
      out.writeMatrix(key, static_cast<const float*>(v.data), static_cast<std::int32_t>(v.rows),
                      static_cast<std::int32_t>(v.cols));
      if (summary.dims == 0) summary.dims = static_cast<int>(v.cols);
    } else {
      const auto* p = static_cast<const std::int32_t*>(v.data);
      vec.assign(p, p + v.rows);
      out.writeIntVector(key, vec);
    }
    summary.frames += v.rows;
    ++summary.records;
    tracker.advance();
  }
  out.commit();
  summary.arkBytes = out.bytesWritten();
  tracker.finish();
  return summary;
}

KaldiExportSummary exportSoftLabelSetToKaldi(const SoftLabelStore& store, const fs::path& arkPath,
                                             const fs::path& scpPath, KaldiArchiveWriter::Mode mode,
                                             ProgressSink* progress) {
  checkOutputPaths(arkPath, scpPath);
  exportSoftLabelsToKaldi(store, arkPath, scpPath, mode == KaldiArchiveWriter::Mode::Binary,
                          progress);
  KaldiExportSummary summary;
  summary.records = store.size();
  summary.frames = store.totalFrames();
  summary.dims = store.k();
  summary.arkBytes = fs::file_size(arkPath);
  return summary;
}

}  // namespace understudy
