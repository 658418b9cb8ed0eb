#include "core/store/feature_store.h"

#include <memory>

#include "core/store/kaldi_export.h"
#include "core/util/error.h"
#include "core/util/progress.h"

namespace understudy {

FloatMatrix FeatureMatrixView::toMatrix() const {
  FloatMatrix m;
  m.rows = frames;
  m.cols = dims;
  m.data.assign(data, data + static_cast<std::size_t>(frames) * static_cast<std::size_t>(dims));
  return m;
}

FeatureStore::FeatureStore(RecordStore records) : m_records(std::move(records)) {
  if (m_records.elementType() != ElementType::Float32 || m_records.kind() != kKind ||
      m_records.cols() == 0) {
    throw US_ERROR(std::string("not a feature store: it holds ") + m_records.kind() + " (" +
                   elementTypeName(m_records.elementType()) + ")")
        .file(m_records.dir().string());
  }
}

namespace {
RecordStoreOptions featureOptions(int dims, std::uint64_t shardBytes) {
  if (dims <= 0)
    throw US_ERROR("feature dims " + std::to_string(dims) + " must be positive");
  RecordStoreOptions o;
  o.type = ElementType::Float32;
  o.cols = static_cast<std::uint32_t>(dims);
  o.kind = FeatureStore::kKind;
  o.shardBytes = shardBytes;
  return o;
}
}  // namespace

FeatureStore FeatureStore::create(const std::filesystem::path& dir, int dims,
                                  std::uint64_t shardBytes) {
  return FeatureStore(RecordStore::create(dir, featureOptions(dims, shardBytes)));
}

FeatureStore FeatureStore::open(const std::filesystem::path& dir, Mode mode) {
  return FeatureStore(RecordStore::open(dir, mode));
}

FeatureStore FeatureStore::openOrCreate(const std::filesystem::path& dir, int dims,
                                        std::uint64_t shardBytes) {
  if (!exists(dir)) return create(dir, dims, shardBytes);
  FeatureStore store = open(dir, Mode::Append);
  if (store.dims() != dims) {
    throw US_ERROR("existing feature store has " + std::to_string(store.dims()) +
                   " dims, expected " + std::to_string(dims))
        .file(dir.string())
        .hint("the feature config changed: use a new folder");
  }
  return store;
}

void FeatureStore::append(std::string_view key, const float* data, int frames) {
  if (frames < 0)
    throw US_ERROR("negative frame count").file(dir().string()).key(std::string(key));
  m_records.append(key, data, static_cast<std::uint32_t>(frames), m_records.cols());
}

void FeatureStore::append(std::string_view key, const FloatMatrix& m) {
  if (m.cols != dims()) {
    throw US_ERROR("matrix has " + std::to_string(m.cols) + " columns, the store holds " +
                   std::to_string(dims()))
        .file(dir().string())
        .key(std::string(key));
  }
  append(key, m.data.data(), m.rows);
}

FeatureMatrixView FeatureStore::read(std::string_view key) const {
  RecordView r = m_records.read(key);
  FeatureMatrixView v;
  v.data = static_cast<const float*>(r.data);
  v.frames = static_cast<int>(r.rows);
  v.dims = static_cast<int>(r.cols);
  v.keepAlive = std::move(r.keepAlive);
  return v;
}

void exportToKaldi(const FeatureStore& store, const std::filesystem::path& arkPath,
                   const std::filesystem::path& scpPath, bool binary, ProgressSink* progress) {
  exportStoreToKaldi(store.records(), arkPath, scpPath,
                     binary ? KaldiArchiveWriter::Mode::Binary : KaldiArchiveWriter::Mode::Text,
                     progress);
}

KaldiImportResult importFromKaldi(const std::filesystem::path& arkOrScp,
                                  const std::filesystem::path& storeDir, ProgressSink* progress) {
  constexpr std::size_t kCommitEvery = 1000;
  KaldiImportResult result;
  std::unique_ptr<FeatureStore> store;
  std::size_t sinceCommit = 0;
  auto add = [&](const std::string& key, const FloatMatrix& m, const std::filesystem::path& from) {
    if (!store) {
      if (m.cols <= 0)
        throw US_ERROR("first matrix has no columns").file(from.string()).key(key);
      store = std::make_unique<FeatureStore>(FeatureStore::openOrCreate(storeDir, m.cols));
      result.dims = m.cols;
    }
    if (store->contains(key)) {
      ++result.skipped;
      return;
    }
    if (m.cols != store->dims() && m.rows > 0) {
      throw US_ERROR("matrix has " + std::to_string(m.cols) + " columns, the store holds " +
                     std::to_string(store->dims()))
          .file(from.string())
          .key(key);
    }
    store->append(key, m.data.data(), m.rows);
    ++result.imported;
    if (++sinceCommit >= kCommitEvery) {
      store->commit();
      sinceCommit = 0;
    }
  };

  forEachKaldiRecord(arkOrScp, progress, [&](const std::string& key, KaldiArchiveReader& in) {
    add(key, in.readMatrix(), in.path());
  });
  if (store) store->commit();
  return result;
}

}  // namespace understudy
