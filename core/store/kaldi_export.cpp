#include "core/store/kaldi_export.h"

#include <SQLiteCpp/Statement.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

#include "core/store/record_store.h"
#include "core/store/workspace.h"
#include "core/util/error.h"
#include "core/util/progress.h"

namespace understudy {

namespace fs = std::filesystem;

namespace {

std::int64_t findDatasetId(Workspace& ws, const std::string& dataset) {
  SQLite::Statement q(ws.db(), "SELECT id FROM datasets WHERE name = ?");
  q.bind(1, dataset);
  if (q.executeStep()) return q.getColumn(0).getInt64();
  std::string known;
  SQLite::Statement all(ws.db(), "SELECT name FROM datasets ORDER BY name");
  while (all.executeStep()) known += (known.empty() ? "" : ", ") + all.getColumn(0).getString();
  throw US_ERROR("no dataset named '" + dataset + "' in the workspace")
      .file(ws.root().string())
      .hint(known.empty() ? "import or synthesize a dataset first (understudy-cli corpus import | "
                            "corpus synth)"
                          : "datasets: " + known);
}

fs::path resolve(Workspace& ws, const std::string& path) {
  const fs::path p(path);
  return p.is_absolute() ? p : ws.root() / p;
}

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

}  // namespace

const char* exportWhatName(ExportWhat what) {
  return what == ExportWhat::Features ? "features" : "targets";
}

fs::path locateExportStore(Workspace& ws, const std::string& dataset, ExportWhat what,
                           const std::string& featureSet) {
  const std::int64_t id = findDatasetId(ws, dataset);
  if (what == ExportWhat::Features) {
    SQLite::Statement q(ws.db(),
                        "SELECT name, path, status FROM feature_sets WHERE dataset_id = ? "
                        "AND (? = '' OR name = ? OR name = ?) "
                        "ORDER BY (status = 'complete') DESC, id DESC");
    q.bind(1, id);
    q.bind(2, featureSet);
    q.bind(3, featureSet);
    q.bind(4, dataset + "-" + featureSet);
    if (!q.executeStep())
      throw US_ERROR("dataset '" + dataset + "' has no features" +
                     (featureSet.empty() ? std::string() : " named '" + featureSet + "'"))
          .hint("compute them first: understudy-cli features -w " + ws.root().string() +
                " --dataset " + dataset);
    const std::string name = q.getColumn(0).getString();
    if (q.getColumn(2).getString() != "complete")
      throw US_ERROR("features '" + name + "' of dataset '" + dataset + "' are not complete")
          .hint("finish them: understudy-cli features -w " + ws.root().string() + " --dataset " +
                dataset);
    const fs::path dir = resolve(ws, q.getColumn(1).getString());
    if (!RecordStore::exists(dir))
      throw US_ERROR("the feature store of '" + name + "' is missing")
          .file(dir.string())
          .hint("recompute it: understudy-cli features -w " + ws.root().string() + " --dataset " +
                dataset);
    return dir;
  }
  SQLite::Statement q(ws.db(),
                      "SELECT path FROM alignment_sets WHERE dataset_id = ? AND name = 'targets' "
                      "ORDER BY id DESC");
  q.bind(1, id);
  const std::string hint =
      "build them: understudy-cli targets -w " + ws.root().string() + " --dataset " + dataset;
  if (!q.executeStep())
    throw US_ERROR("dataset '" + dataset + "' has no frame targets").hint(hint);
  const fs::path dir = resolve(ws, q.getColumn(0).getString());
  if (!RecordStore::exists(dir))
    throw US_ERROR("the targets store of dataset '" + dataset + "' is missing")
        .file(dir.string())
        .hint(hint);
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
  checkOutputPath(arkPath, "ark");
  if (!scpPath.empty()) {
    checkOutputPath(scpPath, "scp");
    std::error_code ec1, ec2;
    const fs::path a = fs::weakly_canonical(arkPath, ec1), b = fs::weakly_canonical(scpPath, ec2);
    if (ec1 || ec2 ? arkPath == scpPath : a == b)
      throw US_ERROR("the ark and the scp are the same file")
          .file(arkPath.string())
          .hint("give the scp its own name, e.g. feats.scp");
  }

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

}  // namespace understudy
