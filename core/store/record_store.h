// RecordStore: the sharded, append-only, checksummed array store under the
// feature, target and soft-label stores (byte layout in docs/formats.md).
//
// A store is a folder:
//   index              versioned header + one entry per record (key, shard,
//                      offset, rows, cols, XXH3-64 checksum); replaced
//                      atomically when a writer closes (compaction)
//   journal            while a writer is open (or after one was killed): the
//                      commits since `index` was written, one checksummed
//                      block of new entries per commit(), appended and fsynced
//   shard-00000.bin    64-byte header, then record payloads (rows × cols
//   shard-00001.bin    elements, row-major, little-endian), each at a
//   ...                64-byte aligned offset; a new shard starts once the
//                      current one passes `shardBytes`
//   lock               flock()ed by the one writer
//
// Every record has the same element type; `cols` is fixed per store (or 0 =
// chosen per record). Writers append and then commit(); a commit costs
// O(records added) (fsync of the shard, one journal block, fsync). A writer
// killed before or during commit() leaves exactly the earlier commits (a torn
// last journal block is ignored), and the bytes it appended past the
// committed end are cut off when the store is next opened for appending
// (resume), which also folds the journal into `index`. Readers memory-map
// the shards and see the index plus the journal's committed blocks;
// refresh() reads only what was committed since. One writer and any
// number of readers (processes or threads) may use a store at the same time.
// One RecordStore object may serve read()/find() from several threads at
// once; refresh(), append() and commit() need it to themselves (give each
// reader thread its own object if it refreshes).
//
//   auto store = RecordStore::create(dir, {ElementType::Int32, 0, "alignments"});
//   store.append("utt1", ali.data(), ali.size(), 1);
//   store.commit();
//   RecordView v = RecordStore::open(dir).read("utt1");
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace understudy {

enum class ElementType : std::uint32_t { Float32 = 1, Int32 = 2, UInt16 = 3, UInt8 = 4 };
std::size_t elementSize(ElementType type);
const char* elementTypeName(ElementType type);

// Where one committed record lives.
struct RecordInfo {
  std::string key;
  std::uint32_t shard = 0;
  std::uint64_t offset = 0;  // byte offset of the payload inside the shard file
  std::uint32_t rows = 0;    // frames
  std::uint32_t cols = 0;    // elements per row
  std::uint64_t checksum = 0;  // XXH3-64 of the payload bytes
};

// A record that failed verifyAll(): its checksum does not match, or its
// shard cannot be read.
struct RecordProblem {
  std::string key;
  std::uint32_t shard = 0;
  std::uint64_t offset = 0;  // byte offset of the payload inside the shard file
  std::uint64_t bytes = 0;   // payload size
  std::string reason;        // "checksum mismatch", or why the shard cannot be read
};

// A committed record, read in place from the memory-mapped shard. The view
// keeps its mapping alive, so it stays valid after refresh() or commit().
struct RecordView {
  const void* data = nullptr;
  std::uint32_t rows = 0;
  std::uint32_t cols = 0;
  ElementType type = ElementType::Float32;
  std::shared_ptr<const void> keepAlive;

  std::size_t byteSize() const {
    return static_cast<std::size_t>(rows) * cols * elementSize(type);
  }
};

struct RecordStoreOptions {
  ElementType type = ElementType::Float32;
  std::uint32_t cols = 0;  // 0 = any per record
  std::string kind;        // "features", "alignments", "softlabels", ... (stored, checked by wrappers)
  std::uint64_t shardBytes = 256ull << 20;  // start a new shard past this size

  // Throws understudy::Error naming the bad field.
  void validate() const;
};

class RecordStore {
 public:
  enum class Mode { ReadOnly, Append };

  // New empty store (the folder is created); throws if `dir` already holds one.
  static RecordStore create(const std::filesystem::path& dir, const RecordStoreOptions& options);
  static RecordStore open(const std::filesystem::path& dir, Mode mode = Mode::ReadOnly);
  // Opens for appending, creating the store first if needed; an existing
  // store must match options.type, options.cols and options.kind.
  static RecordStore openOrCreate(const std::filesystem::path& dir,
                                  const RecordStoreOptions& options);
  static bool exists(const std::filesystem::path& dir);

  RecordStore(RecordStore&&) noexcept;
  RecordStore& operator=(RecordStore&&) noexcept;
  // close()s.
  ~RecordStore();
  // A writer folds its journal into a freshly written `index` (atomic
  // replace, O(records in store), once) and removes the journal; if that
  // fails (disk full), the journal stays and the next open replays it.
  // Uncommitted appends are dropped. Then releases the lock and every
  // mapping (views read earlier stay valid); the object is empty afterwards
  // and may only be destroyed or assigned to.
  void close() noexcept;

  // --- reading (committed records only) ---
  bool contains(std::string_view key) const;
  // nullptr if absent; valid until the next refresh() or commit().
  const RecordInfo* find(std::string_view key) const;
  // Reads a record and checks its payload against the XXH3-64 checksum in the
  // index, every time. Throws understudy::Error naming the key if it is
  // absent; on a mismatch, naming the shard file, the utterance (key), the
  // byte offset and the store, with a hint to run `understudy-cli verify`.
  RecordView read(std::string_view key) const;
  // The same without the checksum: only for code that checks the bytes itself
  // (verifyAll) and for bench_train, which measures what the check costs.
  // Nothing that feeds training or export may use it.
  RecordView readUnverified(std::string_view key) const;
  // Checks every committed record in commit order (reads everything); returns
  // the bad ones. `afterEach` (optional) is called after each record, e.g. for
  // progress; an exception it throws (cancellation) stops the check.
  std::vector<RecordProblem> verifyAll(
      const std::function<void(const RecordInfo&)>& afterEach = {}) const;
  std::vector<std::string> keys() const;  // in commit order
  const std::vector<RecordInfo>& records() const;
  std::size_t size() const;
  std::uint64_t totalRows() const;
  // Picks up commits made since (by another process or object): reads the
  // journal's new blocks, or everything if a writer has replaced the index
  // meanwhile. True if the generation changed. Always a committed prefix.
  bool refresh();

  // --- writing (Mode::Append) ---
  // Keys: non-empty, no whitespace, unique. Throws on a duplicate key, a
  // wrong column count or a read-only store. Not visible until commit().
  void append(std::string_view key, const void* data, std::uint32_t rows, std::uint32_t cols);
  // Makes every appended record durable and visible: fsync of the shards,
  // then one checksummed block appended to the journal and fsynced. Costs
  // O(records added); the index file is rewritten only by close().
  void commit();
  bool hasPending(std::string_view key) const;
  std::size_t pendingCount() const;
  // Free-form text kept in the index (e.g. the feature config); committed with commit().
  void setMetadata(std::string text);

  // --- properties ---
  const std::filesystem::path& dir() const;
  std::filesystem::path shardPath(std::uint32_t shard) const;  // dir/shard-NNNNN.bin
  ElementType elementType() const;
  std::uint32_t cols() const;
  const std::string& kind() const;
  const std::string& metadata() const;
  std::uint32_t shardCount() const;
  std::uint64_t generation() const;  // bumped by every commit
  bool writable() const;

 private:
  struct State;
  explicit RecordStore(std::unique_ptr<State> state);
  std::unique_ptr<State> m;
};

}  // namespace understudy
