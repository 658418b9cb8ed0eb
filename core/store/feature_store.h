// FeatureStore: fbank features (float32, frames × dims, row-major) of one
// dataset and feature config, e.g. WS/features/<dataset>-<confighash>/.
// A thin typed layer over RecordStore (sharded, mmap-read, append-only,
// atomic commits, XXH3 per record; layout in docs/formats.md), plus Kaldi
// ark/scp export and import.
//
//   auto store = FeatureStore::create(dir, 64);
//   store.append("utt1", feats.data(), frames);
//   store.commit();
//   FeatureMatrixView v = FeatureStore::open(dir).read("utt1");  // v.row(t)[d]
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/store/kaldi_io.h"
#include "core/store/record_store.h"

namespace understudy {

class ProgressSink;

// Points into the memory-mapped shard; valid while the view (or a copy) lives.
struct FeatureMatrixView {
  const float* data = nullptr;
  int frames = 0;
  int dims = 0;
  std::shared_ptr<const void> keepAlive;

  const float* row(int t) const { return data + static_cast<std::size_t>(t) * dims; }
  FloatMatrix toMatrix() const;
};

class FeatureStore {
 public:
  using Mode = RecordStore::Mode;
  static constexpr const char* kKind = "features";

  static FeatureStore create(const std::filesystem::path& dir, int dims,
                             std::uint64_t shardBytes = 256ull << 20);
  static FeatureStore open(const std::filesystem::path& dir, Mode mode = Mode::ReadOnly);
  // Opens for appending (resume), creating the store if it does not exist.
  static FeatureStore openOrCreate(const std::filesystem::path& dir, int dims,
                                   std::uint64_t shardBytes = 256ull << 20);
  static bool exists(const std::filesystem::path& dir) { return RecordStore::exists(dir); }

  bool contains(std::string_view key) const { return m_records.contains(key); }
  // Throws on a duplicate key, an invalid key or a read-only store.
  void append(std::string_view key, const float* data, int frames);
  void append(std::string_view key, const FloatMatrix& m);
  void commit() { m_records.commit(); }
  // Checks the record's checksum on every read (RecordStore::read): a corrupt
  // record throws understudy::Error naming shard, utterance and byte offset.
  FeatureMatrixView read(std::string_view key) const;
  std::vector<std::string> keys() const { return m_records.keys(); }
  std::vector<RecordProblem> verifyAll() const { return m_records.verifyAll(); }
  bool refresh() { return m_records.refresh(); }
  void setMetadata(std::string text) { m_records.setMetadata(std::move(text)); }
  const std::string& metadata() const { return m_records.metadata(); }

  std::size_t size() const { return m_records.size(); }
  std::uint64_t totalFrames() const { return m_records.totalRows(); }
  int dims() const { return static_cast<int>(m_records.cols()); }
  const std::filesystem::path& dir() const { return m_records.dir(); }

  RecordStore& records() { return m_records; }
  const RecordStore& records() const { return m_records; }

 private:
  explicit FeatureStore(RecordStore records);
  RecordStore m_records;
};

// Writes every record (keys in C-locale order, as Kaldi tools expect) to an
// ark, and to an scp if scpPath is not empty. Both appear atomically.
void exportToKaldi(const FeatureStore& store, const std::filesystem::path& arkPath,
                   const std::filesystem::path& scpPath, bool binary,
                   ProgressSink* progress = nullptr);

struct KaldiImportResult {
  std::size_t imported = 0;
  std::size_t skipped = 0;  // keys already in the store (resumed import)
  int dims = 0;
};

// Reads float matrices from an ark, or from an scp (by extension `.scp`),
// into the store at storeDir (created with the first matrix's dims, or
// resumed: keys already there are skipped). Commits every 1000 records.
KaldiImportResult importFromKaldi(const std::filesystem::path& arkOrScp,
                                  const std::filesystem::path& storeDir,
                                  ProgressSink* progress = nullptr);

}  // namespace understudy
