#include "core/store/record_store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include "core/store/kaldi_io.h"
#include "core/util/atomic_file.h"
#include "core/util/checksum.h"
#include "core/util/error.h"
#include "core/util/fault_point.h"
#include "core/util/lock_file.h"

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "store files are little-endian");

namespace understudy {
namespace {

// Layout constants (docs/formats.md "Record stores").
constexpr char kIndexMagic[8] = {'U', 'S', 'R', 'E', 'C', 'I', 'D', 'X'};
constexpr char kShardMagic[8] = {'U', 'S', 'R', 'E', 'C', 'S', 'H', 'D'};
constexpr char kJournalMagic[8] = {'U', 'S', 'R', 'E', 'C', 'J', 'N', 'L'};
constexpr char kBlockMagic[8] = {'U', 'S', 'R', 'E', 'C', 'B', 'L', 'K'};
// Index format: 1 = the index alone is the committed state (read, upgraded by
// the next writer); 2 = the index plus the journal's committed blocks.
constexpr std::uint32_t kIndexVersion = 2;
constexpr std::uint32_t kOldestIndexVersion = 1;
constexpr std::uint32_t kShardVersion = 1;    // shard layout unchanged since version 1
constexpr std::uint32_t kJournalVersion = 2;  // journals exist from index version 2 on
constexpr std::uint64_t kShardHeaderBytes = 64;
constexpr std::uint64_t kAlignment = 64;
constexpr std::uint64_t kJournalHeaderBytes = 32;
constexpr std::uint64_t kBlockHeaderBytes = 48;
constexpr std::uint64_t kBlockMinBytes = kBlockHeaderBytes + 8;
constexpr std::uint32_t kMetadataUnchanged = 0xFFFFFFFFu;
constexpr std::size_t kMinEntryBytes = 33;  // 32 bytes + a key of at least one byte
constexpr const char* kIndexName = "index";
constexpr const char* kJournalName = "journal";
constexpr const char* kLockName = "lock";

std::string errnoText() { return std::strerror(errno); }

std::string shardName(std::uint32_t shard) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "shard-%05u.bin", shard);
  return buf;
}

std::uint64_t alignUp(std::uint64_t v) { return (v + kAlignment - 1) / kAlignment * kAlignment; }

template <typename T>
void putPod(std::string& out, T v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof v);
}

template <typename T>
T podAt(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// Bounds-checked reader over index or journal bytes [begin, end).
class IndexParser {
 public:
  IndexParser(const char* begin, const char* end, const std::filesystem::path& path,
              std::string what = "store index", std::uint64_t fileOffset = 0)
      : m_begin(begin), m_end(end), m_path(path), m_what(std::move(what)), m_base(fileOffset) {}
  IndexParser(const std::string& bytes, const std::filesystem::path& path)
      : IndexParser(bytes.data(), bytes.data() + bytes.size(), path) {}
  template <typename T>
  T get() {
    need(sizeof(T));
    T v = podAt<T>(m_begin + m_pos);
    m_pos += sizeof(T);
    return v;
  }
  std::string getString(std::size_t n) {
    need(n);
    std::string s(m_begin + m_pos, n);
    m_pos += n;
    return s;
  }
  std::size_t pos() const { return m_pos; }
  std::size_t size() const { return static_cast<std::size_t>(m_end - m_begin); }
  [[noreturn]] void corrupt(const std::string& what) const {
    throw US_ERROR(m_what + " is corrupt: " + what + " (at byte " + std::to_string(m_base + m_pos) +
                   ")")
        .file(m_path.string())
        .hint(m_what == "store index"
                  ? "the shards are intact; restore the index from a backup or rebuild the store"
                  : "the records committed before this block are intact; restore the store from "
                    "a backup or rebuild it");
  }

 private:
  void need(std::size_t n) const {
    if (n > size() || m_pos > size() - n) corrupt("file ends early");
  }
  const char* m_begin;
  const char* m_end;
  const std::filesystem::path& m_path;
  std::string m_what;
  std::uint64_t m_base;
  std::size_t m_pos = 0;
};

// A read-only mapping of the first `length` bytes of a shard.
struct Mapping {
  void* addr = nullptr;
  std::size_t length = 0;
  ~Mapping() {
    if (addr) ::munmap(addr, length);
  }
};

struct IndexData {
  std::uint32_t version = kIndexVersion;  // of the index file it was read from
  ElementType type = ElementType::Float32;
  std::uint32_t cols = 0;
  std::uint64_t shardBytes = 0;
  std::uint64_t generation = 0;
  std::string kind;
  std::string metadata;
  std::vector<std::uint64_t> shardSizes;  // committed bytes per shard
  std::vector<RecordInfo> records;
};

void putEntry(std::string& out, const RecordInfo& r) {
  putPod<std::uint32_t>(out, static_cast<std::uint32_t>(r.key.size()));
  out += r.key;
  putPod<std::uint32_t>(out, r.shard);
  putPod<std::uint64_t>(out, r.offset);
  putPod<std::uint32_t>(out, r.rows);
  putPod<std::uint32_t>(out, r.cols);
  putPod<std::uint64_t>(out, r.checksum);
}

RecordInfo getEntry(IndexParser& p) {
  RecordInfo r;
  auto keyLength = p.get<std::uint32_t>();
  if (keyLength == 0) p.corrupt("empty record key");
  r.key = p.getString(keyLength);
  r.shard = p.get<std::uint32_t>();
  r.offset = p.get<std::uint64_t>();
  r.rows = p.get<std::uint32_t>();
  r.cols = p.get<std::uint32_t>();
  r.checksum = p.get<std::uint64_t>();
  return r;
}

// True if the record's payload lies inside the committed part of its shard.
// rows × cols × elem is not computed: it can pass 2^64 (fuzz_record_store
// found 2^31 × 2^31 floats wrapping to 0 bytes, which then "fit").
bool insideShard(const RecordInfo& r, const std::vector<std::uint64_t>& shardSizes,
                 std::size_t elem) {
  if (r.shard >= shardSizes.size()) return false;
  if (r.offset < kShardHeaderBytes || r.offset > shardSizes[r.shard]) return false;
  const std::uint64_t rowBytes = static_cast<std::uint64_t>(r.cols) * elem;
  return rowBytes == 0 || r.rows <= (shardSizes[r.shard] - r.offset) / rowBytes;
}

// Why an index or journal entry cannot be a committed record of a store
// whose records have `storeCols` columns (0: any); empty if it can be.
std::string entryProblem(const RecordInfo& r, const std::vector<std::uint64_t>& shardSizes,
                         std::size_t elem, std::uint32_t storeCols) {
  if (storeCols != 0 && r.cols != storeCols)
    return "record '" + r.key + "' has " + std::to_string(r.cols) + " columns, the store " +
           std::to_string(storeCols);
  if (!insideShard(r, shardSizes, elem)) return "record '" + r.key + "' lies outside its shard";
  return {};
}

std::string encodeIndex(const IndexData& d) {
  std::string out;
  out.append(kIndexMagic, 8);
  putPod<std::uint32_t>(out, kIndexVersion);
  putPod<std::uint32_t>(out, static_cast<std::uint32_t>(d.type));
  putPod<std::uint32_t>(out, d.cols);
  putPod<std::uint32_t>(out, static_cast<std::uint32_t>(d.shardSizes.size()));
  putPod<std::uint64_t>(out, d.records.size());
  putPod<std::uint64_t>(out, d.generation);
  putPod<std::uint64_t>(out, d.shardBytes);
  putPod<std::uint32_t>(out, static_cast<std::uint32_t>(d.kind.size()));
  putPod<std::uint32_t>(out, static_cast<std::uint32_t>(d.metadata.size()));
  out += d.kind;
  out += d.metadata;
  for (std::uint64_t s : d.shardSizes) putPod<std::uint64_t>(out, s);
  for (const RecordInfo& r : d.records) putEntry(out, r);
  putPod<std::uint64_t>(out, checksum64(out));
  return out;
}

IndexData decodeIndex(const std::string& bytes, const std::filesystem::path& path) {
  IndexParser p(bytes, path);
  if (bytes.size() < 8 || std::memcmp(bytes.data(), kIndexMagic, 8) != 0) {
    throw US_ERROR("not a record-store index (bad magic)")
        .file(path.string())
        .hint("point at a folder written by understudy's feature/alignment/soft-label store");
  }
  p.getString(8);
  auto version = p.get<std::uint32_t>();
  if (version < kOldestIndexVersion || version > kIndexVersion) {
    throw US_ERROR("store index version " + std::to_string(version) + " is not supported (this "
                   "build reads versions " + std::to_string(kOldestIndexVersion) + " to " +
                   std::to_string(kIndexVersion) + ")")
        .file(path.string())
        .hint("use a newer understudy, or re-create the store");
  }
  if (bytes.size() < 8 + 8) p.corrupt("file ends early");
  std::uint64_t stored;
  std::memcpy(&stored, bytes.data() + bytes.size() - 8, 8);
  if (checksum64(bytes.data(), bytes.size() - 8) != stored) p.corrupt("checksum mismatch");

  IndexData d;
  d.version = version;
  auto type = p.get<std::uint32_t>();
  if (type < 1 || type > 4) p.corrupt("unknown element type " + std::to_string(type));
  d.type = static_cast<ElementType>(type);
  d.cols = p.get<std::uint32_t>();
  auto shardCount = p.get<std::uint32_t>();
  auto recordCount = p.get<std::uint64_t>();
  d.generation = p.get<std::uint64_t>();
  d.shardBytes = p.get<std::uint64_t>();
  auto kindLength = p.get<std::uint32_t>();
  auto metadataLength = p.get<std::uint32_t>();
  d.kind = p.getString(kindLength);
  d.metadata = p.getString(metadataLength);
  if (shardCount > bytes.size() / 8) p.corrupt("shard count too large");
  d.shardSizes.resize(shardCount);
  for (auto& s : d.shardSizes) s = p.get<std::uint64_t>();
  // Bound the count by the smallest entry before reserving.
  if (recordCount > bytes.size() / kMinEntryBytes) p.corrupt("record count too large");
  d.records.resize(static_cast<std::size_t>(recordCount));
  const std::size_t elem = elementSize(d.type);
  for (RecordInfo& r : d.records) {
    r = getEntry(p);
    const std::string problem = entryProblem(r, d.shardSizes, elem, d.cols);
    if (!problem.empty()) p.corrupt(problem);
  }
  if (p.pos() + 8 != bytes.size()) p.corrupt("trailing bytes");
  return d;
}

std::string encodeJournalHeader(std::uint64_t baseGeneration) {
  std::string out;
  out.append(kJournalMagic, 8);
  putPod<std::uint32_t>(out, kJournalVersion);
  putPod<std::uint32_t>(out, 0);
  putPod<std::uint64_t>(out, baseGeneration);
  putPod<std::uint64_t>(out, checksum64(out));
  return out;
}

// A block header is valid if its magic and its own checksum agree; only then
// is its length to be trusted.
bool validBlockHeader(const char* p, std::uint64_t available) {
  return available >= kBlockHeaderBytes && std::memcmp(p, kBlockMagic, 8) == 0 &&
         checksum64(p, 40) == podAt<std::uint64_t>(p + 40);
}

// Identity of a file: the index is only ever replaced by rename (new inode),
// the journal only grows or is removed.
struct FileStamp {
  dev_t dev = 0;
  ino_t ino = 0;
  std::int64_t mtimeNs = 0;
  std::uint64_t size = 0;
  bool sameFile(const FileStamp& o) const { return dev == o.dev && ino == o.ino; }
  bool sameVersion(const FileStamp& o) const { return sameFile(o) && mtimeNs == o.mtimeNs; }
};

FileStamp stampOf(const struct stat& st) {
  FileStamp s;
  s.dev = st.st_dev;
  s.ino = st.st_ino;
  s.mtimeNs = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  s.size = static_cast<std::uint64_t>(st.st_size);
  return s;
}

// An open file descriptor closed on scope exit.
struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {}
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
};

// Bytes [from, to) of an open file.
std::string readRange(int fd, std::uint64_t from, std::uint64_t to,
                      const std::filesystem::path& path) {
  std::string out(static_cast<std::size_t>(to > from ? to - from : 0), '\0');
  std::size_t done = 0;
  while (done < out.size()) {
    ssize_t n = ::pread(fd, &out[done], out.size() - done, static_cast<off_t>(from + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      throw US_ERROR("cannot read: " + errnoText()).file(path.string());
    }
    if (n == 0) break;  // the file shrank meanwhile
    done += static_cast<std::size_t>(n);
  }
  out.resize(done);
  return out;
}

void writeAllAt(int fd, const void* data, std::size_t size, std::uint64_t offset,
                const std::filesystem::path& path) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t n = ::pwrite(fd, p, size, static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      throw US_ERROR("cannot write: " + errnoText())
          .file(path.string())
          .hint(errno == ENOSPC ? "the disk is full; the committed records are intact"
                                : "the committed records are intact");
    }
    p += n;
    size -= static_cast<std::size_t>(n);
    offset += static_cast<std::uint64_t>(n);
  }
}

// The committed state: the index plus the journal's committed blocks, and
// where reading the journal stopped (so refresh() reads only what is new).
struct Committed {
  IndexData index;
  std::unordered_map<std::string, std::size_t> byKey;  // key -> index.records[] slot
  std::uint64_t totalRows = 0;
  std::uint64_t indexFileGeneration = 0;  // generation of the `index` file itself
  FileStamp indexStamp;
  bool journalSeen = false;     // a journal with a complete header was read
  bool journalStale = false;    // it extends an older index (compaction done, removal cut short)
  FileStamp journalStamp;
  std::uint64_t journalBase = 0;    // the index generation it extends
  std::uint64_t journalOffset = 0;  // bytes of it consumed: header + committed blocks
  std::uint64_t journalTail = 0;    // bytes after that (a torn or unfinished block)
};

}  // namespace

namespace {

std::string encodeBlock(std::uint64_t generation, const std::vector<std::uint64_t>& oldSizes,
                        const std::vector<std::uint64_t>& newSizes, const std::string* metadata,
                        const std::vector<RecordInfo>& entries) {
  std::size_t first = 0;
  while (first < oldSizes.size() && first < newSizes.size() && oldSizes[first] == newSizes[first])
    ++first;
  std::uint64_t length = kBlockHeaderBytes + 8 * (newSizes.size() - first) +
                         (metadata ? metadata->size() : 0);
  for (const RecordInfo& r : entries) length += 32 + r.key.size();
  length = (length + 7) / 8 * 8 + 8;

  std::string out;
  out.reserve(static_cast<std::size_t>(length));
  out.append(kBlockMagic, 8);
  putPod<std::uint64_t>(out, length);
  putPod<std::uint64_t>(out, generation);
  putPod<std::uint32_t>(out, static_cast<std::uint32_t>(newSizes.size()));
  putPod<std::uint32_t>(out, static_cast<std::uint32_t>(first));
  putPod<std::uint32_t>(out, static_cast<std::uint32_t>(entries.size()));
  putPod<std::uint32_t>(out, metadata ? static_cast<std::uint32_t>(metadata->size())
                                      : kMetadataUnchanged);
  putPod<std::uint64_t>(out, checksum64(out));  // the header's own check
  for (std::size_t s = first; s < newSizes.size(); ++s) putPod<std::uint64_t>(out, newSizes[s]);
  if (metadata) out += *metadata;
  for (const RecordInfo& r : entries) putEntry(out, r);
  out.resize(static_cast<std::size_t>(length - 8), '\0');
  putPod<std::uint64_t>(out, checksum64(out));  // the commit marker
  return out;
}

// Decodes one block whose checksums are valid and applies it to `c`, all or
// nothing; every field is bounds-checked against the state it extends.
void applyBlock(Committed& c, const char* p, std::uint64_t length, std::uint64_t fileOffset,
                const std::filesystem::path& path) {
  IndexParser bp(p, p + (length - 8), path, "store journal", fileOffset);
  bp.getString(8);
  bp.get<std::uint64_t>();  // length, already checked
  const auto generation = bp.get<std::uint64_t>();
  const auto shardCount = bp.get<std::uint32_t>();
  const auto first = bp.get<std::uint32_t>();
  const auto recordCount = bp.get<std::uint32_t>();
  const auto metadataLength = bp.get<std::uint32_t>();
  bp.get<std::uint64_t>();  // header checksum, already checked
  const std::size_t oldCount = c.index.shardSizes.size();
  if (shardCount < oldCount || first > oldCount || first > shardCount)
    bp.corrupt("shard counts out of order (" + std::to_string(oldCount) + " shards before, " +
               std::to_string(shardCount) + " after, sizes from shard " + std::to_string(first) +
               ")");
  if (shardCount - first > bp.size() / 8) bp.corrupt("shard count too large");
  std::vector<std::uint64_t> sizes = c.index.shardSizes;
  sizes.resize(shardCount);
  for (std::size_t s = first; s < shardCount; ++s) {
    const auto v = bp.get<std::uint64_t>();
    if (v < kShardHeaderBytes || (s < oldCount && v < c.index.shardSizes[s]))
      bp.corrupt(shardName(static_cast<std::uint32_t>(s)) + " would shrink or lose its header");
    sizes[s] = v;
  }
  std::optional<std::string> metadata;
  if (metadataLength != kMetadataUnchanged) metadata = bp.getString(metadataLength);
  if (recordCount > bp.size() / kMinEntryBytes) bp.corrupt("record count too large");
  std::vector<RecordInfo> records(recordCount);
  std::unordered_set<std::string> blockKeys;
  const std::size_t elem = elementSize(c.index.type);
  for (RecordInfo& r : records) {
    r = getEntry(bp);
    const std::string problem = entryProblem(r, sizes, elem, c.index.cols);
    if (!problem.empty()) bp.corrupt(problem);
    if (c.byKey.count(r.key) || !blockKeys.insert(r.key).second)
      bp.corrupt("record '" + r.key + "' is committed twice");
  }
  if (bp.size() - bp.pos() >= 8) bp.corrupt("trailing bytes in the block");
  for (std::size_t i = bp.pos(); i < bp.size(); ++i)
    if (p[i] != 0) bp.corrupt("padding is not zero");

  c.index.generation = generation;
  c.index.shardSizes = std::move(sizes);
  if (metadata) c.index.metadata = std::move(*metadata);
  // No reserve(size + n) here: it would defeat the vector's geometric growth
  // and copy every entry on every block (O(N) per commit).
  for (RecordInfo& r : records) {
    c.byKey.emplace(r.key, c.index.records.size());
    c.totalRows += r.rows;
    c.index.records.push_back(std::move(r));
  }
}

// Applies the committed blocks in `data` (the journal's bytes from file
// offset `dataOffset` to its end as read), starting at c.journalOffset.
// Stops at a torn or unfinished last block; a bad block followed by a valid
// one is corruption (commits are written one after another, each synced
// before the next begins, so only the last can be torn).
void replayBlocks(Committed& c, const std::string& data, std::uint64_t dataOffset,
                  const std::filesystem::path& path) {
  const std::uint64_t end = dataOffset + data.size();
  std::uint64_t& pos = c.journalOffset;  // advanced block by block, so a throw keeps the prefix
  auto at = [&](std::uint64_t offset) { return data.data() + (offset - dataOffset); };
  auto corrupt = [&](const std::string& what) {
    return US_ERROR("store journal is corrupt: " + what + " (block at byte " +
                    std::to_string(pos) + ", generation " +
                    std::to_string(c.index.generation + 1) + ")")
        .file(path.string())
        .hint("the records committed before this block are intact, and `index` holds those of "
              "the last clean close; restore the store from a backup or rebuild it");
  };
  c.journalTail = 0;
  while (pos < end) {
    const char* p = at(pos);
    const std::uint64_t available = end - pos;
    if (available < kBlockHeaderBytes) break;  // torn header
    bool good = false;
    if (validBlockHeader(p, available)) {
      const auto length = podAt<std::uint64_t>(p + 8);
      const auto generation = podAt<std::uint64_t>(p + 16);
      if (length < kBlockMinBytes || length % 8 != 0)
        throw corrupt("bad block length " + std::to_string(length));
      if (generation != c.index.generation + 1)
        throw corrupt("block of generation " + std::to_string(generation) + " out of sequence");
      if (length > available) break;  // torn: the file ends inside the block
      if (checksum64(p, length - 8) == podAt<std::uint64_t>(p + length - 8)) {
        applyBlock(c, p, length, pos, path);
        pos += length;
        good = true;
      }
    }
    if (good) continue;
    // A bad block: the torn tail of an interrupted commit, unless a valid
    // block header follows it.
    for (std::uint64_t q = pos + 8; q + kBlockHeaderBytes <= end; q += 8)
      if (validBlockHeader(at(q), end - q))
        throw corrupt("the block fails its checksum and committed blocks follow it");
    break;
  }
  c.journalTail = end - pos;
}

}  // namespace

namespace {

// The generation of the index a journal extends, or nothing if its header is
// not complete (a writer died creating it, or is creating it now).
std::optional<std::uint64_t> journalBase(const std::string& bytes,
                                         const std::filesystem::path& path) {
  if (bytes.size() >= kJournalHeaderBytes && std::memcmp(bytes.data(), kJournalMagic, 8) == 0 &&
      checksum64(bytes.data(), 24) == podAt<std::uint64_t>(bytes.data() + 24)) {
    const auto version = podAt<std::uint32_t>(bytes.data() + 8);
    if (version != kJournalVersion) {
      throw US_ERROR("store journal version " + std::to_string(version) +
                     " is not supported (this build reads version " +
                     std::to_string(kJournalVersion) + ")")
          .file(path.string())
          .hint("use a newer understudy");
    }
    return podAt<std::uint64_t>(bytes.data() + 16);
  }
  for (std::uint64_t q = 8; q + kBlockHeaderBytes <= bytes.size(); q += 8) {
    if (validBlockHeader(bytes.data() + q, bytes.size() - q)) {
      throw US_ERROR("store journal is corrupt: bad header, and committed blocks follow it")
          .file(path.string())
          .hint("`index` holds the records of the last clean close; restore the store from a "
                "backup or rebuild it");
    }
  }
  return std::nullopt;
}

}  // namespace

std::size_t elementSize(ElementType type) {
  switch (type) {
    case ElementType::Float32:
    case ElementType::Int32:
      return 4;
    case ElementType::UInt16:
      return 2;
    case ElementType::UInt8:
      return 1;
  }
  return 1;
}

const char* elementTypeName(ElementType type) {
  switch (type) {
    case ElementType::Float32:
      return "float32";
    case ElementType::Int32:
      return "int32";
    case ElementType::UInt16:
      return "uint16";
    case ElementType::UInt8:
      return "uint8";
  }
  return "?";
}

void RecordStoreOptions::validate() const {
  auto t = static_cast<std::uint32_t>(type);
  if (t < 1 || t > 4)
    throw US_ERROR("record_store.type " + std::to_string(t) + " is not one of 1..4");
  if (shardBytes < (1u << 16))
    throw US_ERROR("record_store.shard_bytes " + std::to_string(shardBytes) +
                   " is too small (minimum 65536)");
}

struct RecordStore::State {
  std::filesystem::path dir;
  Mode mode = Mode::ReadOnly;
  Committed c;                    // what readers see (the writer's own commits included)

  // Reading: one mapping per shard, replaced when the committed size grows.
  mutable std::mutex mapMutex;
  mutable std::vector<std::shared_ptr<Mapping>> mappings;

  // Writing.
  std::optional<LockFile> writeLock;  // released last, after every fd below is closed
  int shardFd = -1;                // the shard being appended to
  std::uint32_t shardIndex = 0;    // its number
  std::uint64_t shardSize = 0;     // bytes written to it so far
  std::vector<std::uint64_t> pendingShardSizes;  // shard sizes including pending appends
  std::vector<RecordInfo> pending;
  std::unordered_set<std::string> pendingKeys;
  std::vector<int> unsyncedFds;    // finished shards not yet fsynced
  bool metadataChanged = false;
  std::string pendingMetadata;
  int journalFd = -1;              // this writer's journal, once it has committed
  std::uint64_t journalSize = 0;   // its committed length

  ~State() {
    for (int fd : unsyncedFds) ::close(fd);
    if (shardFd >= 0) ::close(shardFd);
    if (journalFd >= 0) ::close(journalFd);
  }

  std::filesystem::path shardPath(std::uint32_t shard) const { return dir / shardName(shard); }
  std::filesystem::path indexPath() const { return dir / kIndexName; }
  std::filesystem::path journalPath() const { return dir / kJournalName; }

  // Reads the index, then the journal's committed blocks on top of it.
  Committed loadCommitted() const {
    const auto path = indexPath();
    const auto jpath = journalPath();
    for (int attempt = 0;; ++attempt) {
      Committed next;
      {
        Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
        if (fd.fd < 0) {
          if (errno == ENOENT) {
            throw US_ERROR("no record store here (index missing)")
                .file(path.string())
                .hint("create the store first, or check the path");
          }
          throw US_ERROR("cannot open index: " + errnoText()).file(path.string());
        }
        struct stat st {};
        if (::fstat(fd.fd, &st) != 0) throw US_ERROR("cannot stat: " + errnoText()).file(path.string());
        next.indexStamp = stampOf(st);
        next.index = decodeIndex(readRange(fd.fd, 0, next.indexStamp.size, path), path);
        next.indexFileGeneration = next.index.generation;
      }
      next.byKey.reserve(next.index.records.size());
      for (std::size_t i = 0; i < next.index.records.size(); ++i) {
        if (!next.byKey.emplace(next.index.records[i].key, i).second)
          throw US_ERROR("store index lists key twice").file(path.string()).key(next.index.records[i].key);
        next.totalRows += next.index.records[i].rows;
      }
      Fd jfd(::open(jpath.c_str(), O_RDONLY | O_CLOEXEC));
      if (jfd.fd < 0) {
        if (errno == ENOENT) return next;
        throw US_ERROR("cannot open journal: " + errnoText()).file(jpath.string());
      }
      struct stat st {};
      if (::fstat(jfd.fd, &st) != 0) throw US_ERROR("cannot stat: " + errnoText()).file(jpath.string());
      const FileStamp stamp = stampOf(st);
      const std::string bytes = readRange(jfd.fd, 0, stamp.size, jpath);
      const auto base = journalBase(bytes, jpath);
      if (!base) return next;
      if (*base > next.index.generation) {
        // The index was replaced between our two reads (a writer compacted).
        if (attempt < 100) continue;
        throw US_ERROR("the store keeps changing while it is opened").file(dir.string());
      }
      next.journalSeen = true;
      next.journalStamp = stamp;
      next.journalBase = *base;
      next.journalOffset = kJournalHeaderBytes;
      if (*base < next.index.generation) {
        next.journalStale = true;  // already folded into the index
        return next;
      }
      replayBlocks(next, bytes, 0, jpath);
      return next;
    }
  }

  void install(Committed next) {
    c = std::move(next);
    std::lock_guard<std::mutex> lock(mapMutex);
    mappings.clear();  // a replaced index may describe rewritten shards
    mappings.resize(c.index.shardSizes.size());
  }

  // refresh() for readers: only the journal's new bytes unless the index changed.
  bool refresh() {
    const std::uint64_t before = c.index.generation;
    struct stat st {};
    if (::stat(indexPath().c_str(), &st) != 0 || !stampOf(st).sameVersion(c.indexStamp)) {
      install(loadCommitted());
      return c.index.generation != before;
    }
    const auto jpath = journalPath();
    Fd jfd(::open(jpath.c_str(), O_RDONLY | O_CLOEXEC));
    if (jfd.fd < 0) return false;  // nothing committed since the index, or a writer is closing
    if (::fstat(jfd.fd, &st) != 0) throw US_ERROR("cannot stat: " + errnoText()).file(jpath.string());
    const FileStamp stamp = stampOf(st);
    if (c.journalSeen) {
      // Another journal (a later writer's) may have got the same inode: the
      // base generation in its header tells them apart.
      const auto base = journalBase(readRange(jfd.fd, 0, kJournalHeaderBytes, jpath), jpath);
      if (!stamp.sameFile(c.journalStamp) || !base || *base != c.journalBase) {
        install(loadCommitted());
        return c.index.generation != before;
      }
      if (c.journalStale || stamp.size <= c.journalOffset + c.journalTail) return false;
      replayBlocks(c, readRange(jfd.fd, c.journalOffset, stamp.size, jpath), c.journalOffset,
                   jpath);
    } else {
      // A writer's first commit since this index was written.
      const std::string bytes = readRange(jfd.fd, 0, stamp.size, jpath);
      const auto base = journalBase(bytes, jpath);
      if (!base) return false;
      if (*base != c.index.generation) {
        install(loadCommitted());
        return c.index.generation != before;
      }
      c.journalSeen = true;
      c.journalStamp = stamp;
      c.journalBase = *base;
      c.journalOffset = kJournalHeaderBytes;
      replayBlocks(c, bytes, 0, jpath);
    }
    std::lock_guard<std::mutex> lock(mapMutex);
    mappings.resize(c.index.shardSizes.size());
    return c.index.generation != before;
  }

  std::shared_ptr<Mapping> mapping(std::uint32_t shard, std::uint64_t needed) const {
    std::lock_guard<std::mutex> lock(mapMutex);
    if (shard >= mappings.size()) mappings.resize(shard + 1);
    auto& m = mappings[shard];
    if (m && m->length >= needed) return m;
    const std::uint64_t length = c.index.shardSizes[shard];
    const auto path = shardPath(shard);
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
      throw US_ERROR("cannot open shard: " + errnoText()).file(path.string());
    struct stat st {};
    ::fstat(fd, &st);
    if (static_cast<std::uint64_t>(st.st_size) < length) {
      ::close(fd);
      throw US_ERROR("shard is shorter than the index says: " + std::to_string(st.st_size) +
                     " bytes, expected at least " + std::to_string(length))
          .file(path.string())
          .hint("the shard was truncated or replaced; rebuild the store");
    }
    auto fresh = std::make_shared<Mapping>();
    fresh->addr = ::mmap(nullptr, length, PROT_READ, MAP_SHARED, fd, 0);
    ::close(fd);
    if (fresh->addr == MAP_FAILED) {
      fresh->addr = nullptr;
      throw US_ERROR("cannot map shard: " + errnoText()).file(path.string());
    }
    fresh->length = length;
    m = fresh;
    return m;
  }

  // One writer per store: the lock file names the holder, and a second writer
  // is refused naming the store as the workspace does ("features/<name>").
  void acquireWriteLock() {
    const std::string store = (dir.parent_path().filename() / dir.filename()).generic_string();
    writeLock.emplace(dir / kLockName, store + " is being written by another process",
                      "wait for it or stop it; readers may open the store at any time");
  }

  // Folds the committed state into a freshly written `index` (atomic
  // replace), then removes the journal. Killed in between, the journal is
  // stale (it extends an older generation) and is ignored and removed later.
  void compact() {
    if (c.index.generation != c.indexFileGeneration || c.index.version != kIndexVersion) {
      writeFileAtomically(indexPath(), encodeIndex(c.index));
      c.index.version = kIndexVersion;
      c.indexFileGeneration = c.index.generation;
    }
    US_FAULT_POINT("store.after_index_replace");
    if (journalFd >= 0) {
      ::close(journalFd);
      journalFd = -1;
    }
    std::error_code ec;
    if (std::filesystem::remove(journalPath(), ec)) syncDirectory(dir);
    if (ec) throw US_ERROR("cannot remove the journal: " + ec.message()).file(journalPath().string());
    c.journalSeen = false;
    c.journalStale = false;
    c.journalOffset = c.journalTail = 0;
    journalSize = 0;
  }

  // Folds a journal left by a killed writer into the index (and upgrades a
  // version-1 index), cuts uncommitted bytes off the shards and removes
  // shards the index does not know, then opens the last shard for appending.
  void prepareForAppend() {
    if (std::filesystem::exists(journalPath()) || c.index.version != kIndexVersion) compact();
    const std::uint32_t count = static_cast<std::uint32_t>(c.index.shardSizes.size());
    for (std::uint32_t s = 0; s < count; ++s) {
      const auto path = shardPath(s);
      std::error_code ec;
      auto size = std::filesystem::file_size(path, ec);
      if (ec)
        throw US_ERROR("shard listed in the index is missing").file(path.string());
      if (size < c.index.shardSizes[s])
        throw US_ERROR("shard is shorter than the index says").file(path.string());
      if (size > c.index.shardSizes[s]) {
        std::filesystem::resize_file(path, c.index.shardSizes[s], ec);
        if (ec) throw US_ERROR("cannot truncate uncommitted data: " + ec.message()).file(path.string());
      }
    }
    for (std::uint32_t s = count;; ++s) {
      const auto path = shardPath(s);
      if (!std::filesystem::exists(path)) break;
      std::filesystem::remove(path);
    }
    // Temp files of an index replace that was cut short (AtomicFile names
    // them "index.tmp.<pid>.<n>"); we hold the lock, so none is in flight.
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
      const std::string name = entry.path().filename().string();
      if (name.rfind(std::string(kIndexName) + ".tmp.", 0) == 0)
        std::filesystem::remove(entry.path(), ec);
    }
    pendingShardSizes = c.index.shardSizes;
    if (count > 0) {
      shardIndex = count - 1;
      shardSize = c.index.shardSizes.back();
      shardFd = ::open(shardPath(shardIndex).c_str(), O_RDWR | O_CLOEXEC);
      if (shardFd < 0)
        throw US_ERROR("cannot open shard for appending: " + errnoText())
            .file(shardPath(shardIndex).string());
    }
  }

  void startShard(std::uint32_t shard) {
    if (shardFd >= 0) unsyncedFds.push_back(shardFd);
    const auto path = shardPath(shard);
    shardFd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (shardFd < 0) throw US_ERROR("cannot create shard: " + errnoText()).file(path.string());
    char header[kShardHeaderBytes] = {};
    std::memcpy(header, kShardMagic, 8);
    std::uint32_t fields[3] = {kShardVersion, static_cast<std::uint32_t>(c.index.type), shard};
    std::memcpy(header + 8, fields, sizeof fields);
    writeAt(header, sizeof header, 0);
    shardIndex = shard;
    shardSize = kShardHeaderBytes;
    if (pendingShardSizes.size() <= shard) pendingShardSizes.resize(shard + 1);
    pendingShardSizes[shard] = shardSize;
  }

  void writeAt(const void* data, std::size_t size, std::uint64_t offset) {
    writeAllAt(shardFd, data, size, offset, shardPath(shardIndex));
  }

  // Creates this writer's journal: header, fsync, fsync of the folder.
  void startJournal() {
    const auto path = journalPath();
    journalFd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (journalFd < 0) throw US_ERROR("cannot create journal: " + errnoText()).file(path.string());
    const std::string header = encodeJournalHeader(c.index.generation);
    writeAllAt(journalFd, header.data(), header.size(), 0, path);
    if (::fdatasync(journalFd) != 0)
      throw US_ERROR("fsync failed: " + errnoText()).file(path.string());
    syncDirectory(dir);
    journalSize = header.size();
  }

  void requireWritable(std::string_view key) const {
    if (mode != Mode::Append)
      throw US_ERROR("store is open read-only").file(dir.string()).key(std::string(key));
  }
};

RecordStore::RecordStore(std::unique_ptr<State> state) : m(std::move(state)) {}
RecordStore::RecordStore(RecordStore&&) noexcept = default;
RecordStore& RecordStore::operator=(RecordStore&& other) noexcept {
  if (this != &other) {
    close();
    m = std::move(other.m);
  }
  return *this;
}
RecordStore::~RecordStore() { close(); }

void RecordStore::close() noexcept {
  if (!m) return;
  if (m->mode == Mode::Append && m->journalFd >= 0) {
    try {
      m->compact();
    } catch (...) {
      // The journal stays; it is valid, and the next open replays it.
    }
  }
  m.reset();
}

bool RecordStore::exists(const std::filesystem::path& dir) {
  return std::filesystem::exists(dir / kIndexName);
}

RecordStore RecordStore::create(const std::filesystem::path& dir,
                                const RecordStoreOptions& options) {
  options.validate();
  if (exists(dir)) {
    throw US_ERROR("a store already exists here")
        .file(dir.string())
        .hint("open it to append (resume), or delete the folder to start over");
  }
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw US_ERROR("cannot create store folder: " + ec.message()).file(dir.string());
  auto state = std::make_unique<State>();
  state->dir = dir;
  state->mode = Mode::Append;
  state->acquireWriteLock();
  // Remove leftovers of a store whose first commit never happened.
  for (std::uint32_t s = 0; std::filesystem::exists(state->shardPath(s)); ++s)
    std::filesystem::remove(state->shardPath(s));
  std::filesystem::remove(state->journalPath(), ec);
  IndexData& index = state->c.index;
  index.type = options.type;
  index.cols = options.cols;
  index.kind = options.kind;
  index.shardBytes = options.shardBytes;
  index.generation = 1;
  writeFileAtomically(state->indexPath(), encodeIndex(index));
  state->c.indexFileGeneration = index.generation;
  return RecordStore(std::move(state));
}

RecordStore RecordStore::open(const std::filesystem::path& dir, Mode mode) {
  auto state = std::make_unique<State>();
  state->dir = dir;
  state->mode = mode;
  if (mode == Mode::Append) state->acquireWriteLock();
  state->install(state->loadCommitted());
  if (mode == Mode::Append) state->prepareForAppend();
  return RecordStore(std::move(state));
}

RecordStore RecordStore::openOrCreate(const std::filesystem::path& dir,
                                      const RecordStoreOptions& options) {
  if (!exists(dir)) return create(dir, options);
  RecordStore store = open(dir, Mode::Append);
  if (store.elementType() != options.type || store.cols() != options.cols ||
      store.kind() != options.kind) {
    throw US_ERROR("existing store holds " + store.kind() + " (" +
                   elementTypeName(store.elementType()) + " × " + std::to_string(store.cols()) +
                   "), expected " + options.kind + " (" + elementTypeName(options.type) + " × " +
                   std::to_string(options.cols) + ")")
        .file(dir.string())
        .hint("use another folder, or delete this one");
  }
  return store;
}

bool RecordStore::contains(std::string_view key) const {
  return m->c.byKey.count(std::string(key)) > 0;
}

const RecordInfo* RecordStore::find(std::string_view key) const {
  auto it = m->c.byKey.find(std::string(key));
  return it == m->c.byKey.end() ? nullptr : &m->c.index.records[it->second];
}

RecordView RecordStore::readUnverified(std::string_view key) const {
  const RecordInfo* info = find(key);
  if (!info) {
    throw US_ERROR(hasPending(key) ? "record not committed yet" : "no such record")
        .file(m->dir.string())
        .key(std::string(key))
        .hint(hasPending(key) ? "call commit() first" : "check the key and the store folder");
  }
  RecordView view;
  view.rows = info->rows;
  view.cols = info->cols;
  view.type = m->c.index.type;
  const std::uint64_t end = info->offset + view.byteSize();
  auto mapping = m->mapping(info->shard, end);
  view.data = static_cast<const char*>(mapping->addr) + info->offset;
  view.keepAlive = mapping;
  return view;
}

namespace {
// What to do about a corrupt record, by store kind.
std::string repairHint(const std::string& kind) {
  const std::string first = "run `understudy-cli verify -w WS` to list every bad record, then ";
  if (kind == "features")
    return first + "delete this store's folder and re-run `understudy-cli features` for its dataset";
  if (kind == "targets") return first + "re-run `understudy-cli targets` for its dataset";
  return first + "rebuild this store";
}
}  // namespace

RecordView RecordStore::read(std::string_view key) const {
  RecordView view = readUnverified(key);
  const RecordInfo& info = *find(key);
  if (checksum64(view.data, view.byteSize()) != info.checksum) {
    const std::string kind = m->c.index.kind.empty() ? "record" : m->c.index.kind;
    throw US_ERROR("checksum mismatch: the " + kind + " record at byte offset " +
                   std::to_string(info.offset) + " (" + std::to_string(view.byteSize()) +
                   " bytes) of " + shardName(info.shard) + " in store " + m->dir.string() +
                   " is corrupt on disk")
        .file(shardPath(info.shard).string())
        .utterance(info.key)
        .hint(repairHint(m->c.index.kind));
  }
  return view;
}

std::vector<RecordProblem> RecordStore::verifyAll(
    const std::function<void(const RecordInfo&)>& afterEach) const {
  std::vector<RecordProblem> bad;
  for (const RecordInfo& info : m->c.index.records) {
    const std::uint64_t bytes =
        static_cast<std::uint64_t>(info.rows) * info.cols * elementSize(m->c.index.type);
    std::string reason;
    try {
      RecordView v = readUnverified(info.key);
      if (checksum64(v.data, v.byteSize()) != info.checksum) reason = "checksum mismatch";
    } catch (const Error& e) {
      reason = e.what_();  // the shard is missing, short or unreadable
    }
    if (!reason.empty()) bad.push_back({info.key, info.shard, info.offset, bytes, reason});
    if (afterEach) afterEach(info);
  }
  return bad;
}

std::vector<std::string> RecordStore::keys() const {
  std::vector<std::string> out;
  out.reserve(m->c.index.records.size());
  for (const RecordInfo& r : m->c.index.records) out.push_back(r.key);
  return out;
}

const std::vector<RecordInfo>& RecordStore::records() const { return m->c.index.records; }
std::size_t RecordStore::size() const { return m->c.index.records.size(); }
std::uint64_t RecordStore::totalRows() const { return m->c.totalRows; }

bool RecordStore::refresh() {
  if (m->mode == Mode::Append) return false;  // the writer's own view is always current
  return m->refresh();
}

void RecordStore::append(std::string_view key, const void* data, std::uint32_t rows,
                         std::uint32_t cols) {
  m->requireWritable(key);
  checkKaldiKey(key);
  std::string k(key);
  if (m->c.byKey.count(k) || m->pendingKeys.count(k)) {
    throw US_ERROR("duplicate key").file(m->dir.string()).key(k).hint(
        "each record key may be written once");
  }
  if (m->c.index.cols != 0 && cols != m->c.index.cols) {
    throw US_ERROR("record has " + std::to_string(cols) + " columns, the store holds " +
                   std::to_string(m->c.index.cols))
        .file(m->dir.string())
        .key(k);
  }
  const std::uint64_t bytes =
      static_cast<std::uint64_t>(rows) * cols * elementSize(m->c.index.type);
  if (m->shardFd < 0) {
    m->startShard(0);
  } else if (m->shardSize > kShardHeaderBytes &&
             alignUp(m->shardSize) + bytes > m->c.index.shardBytes) {
    m->startShard(m->shardIndex + 1);
  }
  const std::uint64_t offset = alignUp(m->shardSize);
  if (offset > m->shardSize) {
    static const char zeros[kAlignment] = {};
    m->writeAt(zeros, offset - m->shardSize, m->shardSize);
  }
  if (bytes > 0) m->writeAt(data, bytes, offset);
  US_FAULT_POINT("store.after_shard_append");
  m->shardSize = offset + bytes;
  m->pendingShardSizes[m->shardIndex] = m->shardSize;

  RecordInfo info;
  info.key = std::move(k);
  info.shard = m->shardIndex;
  info.offset = offset;
  info.rows = rows;
  info.cols = cols;
  info.checksum = checksum64(data, bytes);
  m->pendingKeys.insert(info.key);
  m->pending.push_back(std::move(info));
}

void RecordStore::commit() {
  m->requireWritable("");
  if (m->pending.empty() && !m->metadataChanged) return;
  // Data first, then the journal block that points at it.
  for (int fd : m->unsyncedFds) {
    if (::fdatasync(fd) != 0) throw US_ERROR("fsync failed: " + errnoText()).file(m->dir.string());
    ::close(fd);
  }
  m->unsyncedFds.clear();
  if (m->shardFd >= 0 && ::fdatasync(m->shardFd) != 0)
    throw US_ERROR("fsync failed: " + errnoText()).file(m->shardPath(m->shardIndex).string());
  if (m->pendingShardSizes.size() > m->c.index.shardSizes.size()) syncDirectory(m->dir);
  US_FAULT_POINT("store.after_shard_fsync");

  // One block of the new entries; its last 8 bytes (a checksum of the block)
  // are the commit marker. Cost: O(records added), not O(records in store).
  if (m->journalFd < 0) m->startJournal();
  IndexData& index = m->c.index;
  const std::string block =
      encodeBlock(index.generation + 1, index.shardSizes, m->pendingShardSizes,
                  m->metadataChanged ? &m->pendingMetadata : nullptr, m->pending);
  try {
    writeAllAt(m->journalFd, block.data(), block.size(), m->journalSize, m->journalPath());
    US_FAULT_POINT_TORN("store.mid_journal_block", m->journalFd, m->journalSize + block.size() / 2);
    if (::fdatasync(m->journalFd) != 0)
      throw US_ERROR("fsync failed: " + errnoText()).file(m->journalPath().string());
  } catch (...) {
    // Cut the half-written block off, so a retried commit() starts clean.
    if (::ftruncate(m->journalFd, static_cast<off_t>(m->journalSize)) != 0) {
    }
    throw;
  }
  US_FAULT_POINT("store.after_journal_fsync");
  m->journalSize += block.size();

  index.generation += 1;
  index.shardSizes = m->pendingShardSizes;
  if (m->metadataChanged) index.metadata = std::move(m->pendingMetadata);
  for (RecordInfo& r : m->pending) {
    m->c.byKey.emplace(r.key, index.records.size());
    m->c.totalRows += r.rows;
    index.records.push_back(std::move(r));
  }
  {
    std::lock_guard<std::mutex> lock(m->mapMutex);
    m->mappings.resize(index.shardSizes.size());
  }
  m->pending.clear();
  m->pendingKeys.clear();
  m->metadataChanged = false;
  m->pendingMetadata.clear();
}

bool RecordStore::hasPending(std::string_view key) const {
  return m->pendingKeys.count(std::string(key)) > 0;
}
std::size_t RecordStore::pendingCount() const { return m->pending.size(); }

void RecordStore::setMetadata(std::string text) {
  m->requireWritable("");
  m->pendingMetadata = std::move(text);
  m->metadataChanged = true;
}

const std::filesystem::path& RecordStore::dir() const { return m->dir; }
std::filesystem::path RecordStore::shardPath(std::uint32_t shard) const {
  return m->shardPath(shard);
}
ElementType RecordStore::elementType() const { return m->c.index.type; }
std::uint32_t RecordStore::cols() const { return m->c.index.cols; }
const std::string& RecordStore::kind() const { return m->c.index.kind; }
const std::string& RecordStore::metadata() const { return m->c.index.metadata; }
std::uint32_t RecordStore::shardCount() const {
  return static_cast<std::uint32_t>(m->c.index.shardSizes.size());
}
std::uint64_t RecordStore::generation() const { return m->c.index.generation; }
bool RecordStore::writable() const { return m->mode == Mode::Append; }

}  // namespace understudy
