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
#include <unordered_map>
#include <unordered_set>

#include "core/store/kaldi_io.h"
#include "core/util/atomic_file.h"
#include "core/util/checksum.h"
#include "core/util/error.h"

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "store files are little-endian");

namespace understudy {
namespace {

// Layout constants (docs/formats.md "Record stores").
constexpr char kIndexMagic[8] = {'U', 'S', 'R', 'E', 'C', 'I', 'D', 'X'};
constexpr char kShardMagic[8] = {'U', 'S', 'R', 'E', 'C', 'S', 'H', 'D'};
constexpr std::uint32_t kVersion = 1;
constexpr std::uint64_t kShardHeaderBytes = 64;
constexpr std::uint64_t kAlignment = 64;
constexpr const char* kIndexName = "index";
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

// Bounds-checked reader over the index bytes.
class IndexParser {
 public:
  IndexParser(const std::string& bytes, const std::filesystem::path& path)
      : m_bytes(bytes), m_path(path) {}
  template <typename T>
  T get() {
    T v;
    need(sizeof v);
    std::memcpy(&v, m_bytes.data() + m_pos, sizeof v);
    m_pos += sizeof v;
    return v;
  }
  std::string getString(std::size_t n) {
    need(n);
    std::string s = m_bytes.substr(m_pos, n);
    m_pos += n;
    return s;
  }
  std::size_t pos() const { return m_pos; }
  [[noreturn]] void corrupt(const std::string& what) const {
    throw US_ERROR("store index is corrupt: " + what + " (at byte " + std::to_string(m_pos) + ")")
        .file(m_path.string())
        .hint("the shards are intact; restore the index from a backup or rebuild the store");
  }

 private:
  void need(std::size_t n) const {
    if (m_pos + n > m_bytes.size()) corrupt("file ends early");
  }
  const std::string& m_bytes;
  const std::filesystem::path& m_path;
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
  ElementType type = ElementType::Float32;
  std::uint32_t cols = 0;
  std::uint64_t shardBytes = 0;
  std::uint64_t generation = 0;
  std::string kind;
  std::string metadata;
  std::vector<std::uint64_t> shardSizes;  // committed bytes per shard
  std::vector<RecordInfo> records;
};

std::string encodeIndex(const IndexData& d) {
  std::string out;
  out.append(kIndexMagic, 8);
  putPod<std::uint32_t>(out, kVersion);
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
  for (const RecordInfo& r : d.records) {
    putPod<std::uint32_t>(out, static_cast<std::uint32_t>(r.key.size()));
    out += r.key;
    putPod<std::uint32_t>(out, r.shard);
    putPod<std::uint64_t>(out, r.offset);
    putPod<std::uint32_t>(out, r.rows);
    putPod<std::uint32_t>(out, r.cols);
    putPod<std::uint64_t>(out, r.checksum);
  }
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
  if (version != kVersion) {
    throw US_ERROR("store index version " + std::to_string(version) + " is not supported (this "
                   "build reads version " + std::to_string(kVersion) + ")")
        .file(path.string())
        .hint("use a newer understudy, or re-create the store");
  }
  if (bytes.size() < 8 + 8) p.corrupt("file ends early");
  std::uint64_t stored;
  std::memcpy(&stored, bytes.data() + bytes.size() - 8, 8);
  if (checksum64(bytes.data(), bytes.size() - 8) != stored) p.corrupt("checksum mismatch");

  IndexData d;
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
  // Each record entry is at least 33 bytes: bound the count before reserving.
  if (recordCount > bytes.size() / 33) p.corrupt("record count too large");
  d.records.resize(static_cast<std::size_t>(recordCount));
  const std::size_t elem = elementSize(d.type);
  for (RecordInfo& r : d.records) {
    auto keyLength = p.get<std::uint32_t>();
    r.key = p.getString(keyLength);
    r.shard = p.get<std::uint32_t>();
    r.offset = p.get<std::uint64_t>();
    r.rows = p.get<std::uint32_t>();
    r.cols = p.get<std::uint32_t>();
    r.checksum = p.get<std::uint64_t>();
    if (r.shard >= shardCount ||
        r.offset + static_cast<std::uint64_t>(r.rows) * r.cols * elem > d.shardSizes[r.shard])
      p.corrupt("record '" + r.key + "' lies outside its shard");
  }
  if (p.pos() + 8 != bytes.size()) p.corrupt("trailing bytes");
  return d;
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
  IndexData index;
  std::unordered_map<std::string, std::size_t> byKey;  // committed key -> records[] slot
  std::uint64_t totalRows = 0;

  // Reading: one mapping per shard, replaced when the committed size grows.
  mutable std::mutex mapMutex;
  mutable std::vector<std::shared_ptr<Mapping>> mappings;

  // Writing.
  int lockFd = -1;
  int shardFd = -1;                // the shard being appended to
  std::uint32_t shardIndex = 0;    // its number
  std::uint64_t shardSize = 0;     // bytes written to it so far
  std::vector<std::uint64_t> pendingShardSizes;  // shard sizes including pending appends
  std::vector<RecordInfo> pending;
  std::unordered_set<std::string> pendingKeys;
  std::vector<int> unsyncedFds;    // finished shards not yet fsynced
  bool metadataChanged = false;
  std::string pendingMetadata;

  ~State() {
    for (int fd : unsyncedFds) ::close(fd);
    if (shardFd >= 0) ::close(shardFd);
    if (lockFd >= 0) ::close(lockFd);  // releases the flock
  }

  std::filesystem::path shardPath(std::uint32_t shard) const { return dir / shardName(shard); }

  IndexData readIndex() const {
    const auto path = dir / kIndexName;
    if (!std::filesystem::exists(path)) {
      throw US_ERROR("no record store here (index missing)")
          .file(path.string())
          .hint("create the store first, or check the path");
    }
    return decodeIndex(readFile(path), path);
  }

  void loadIndex() { installIndex(readIndex()); }

  void installIndex(IndexData d) {
    const auto path = dir / kIndexName;
    std::unordered_map<std::string, std::size_t> keys;
    keys.reserve(d.records.size());
    std::uint64_t rows = 0;
    for (std::size_t i = 0; i < d.records.size(); ++i) {
      if (!keys.emplace(d.records[i].key, i).second)
        throw US_ERROR("store index lists key twice").file(path.string()).key(d.records[i].key);
      rows += d.records[i].rows;
    }
    index = std::move(d);
    byKey = std::move(keys);
    totalRows = rows;
    std::lock_guard<std::mutex> lock(mapMutex);
    mappings.resize(index.shardSizes.size());
  }

  std::shared_ptr<Mapping> mapping(std::uint32_t shard, std::uint64_t needed) const {
    std::lock_guard<std::mutex> lock(mapMutex);
    if (shard >= mappings.size()) mappings.resize(shard + 1);
    auto& m = mappings[shard];
    if (m && m->length >= needed) return m;
    const std::uint64_t length = index.shardSizes[shard];
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

  void acquireWriteLock() {
    const auto path = dir / kLockName;
    lockFd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (lockFd < 0) throw US_ERROR("cannot create lock file: " + errnoText()).file(path.string());
    if (::flock(lockFd, LOCK_EX | LOCK_NB) != 0) {
      throw US_ERROR("another process is writing this store")
          .file(dir.string())
          .hint("wait for it to finish; readers may open the store at any time");
    }
  }

  // Cuts uncommitted bytes off the shards and removes shards the index does
  // not know (left by a writer killed before commit), then opens the last
  // shard for appending.
  void prepareForAppend() {
    const std::uint32_t count = static_cast<std::uint32_t>(index.shardSizes.size());
    for (std::uint32_t s = 0; s < count; ++s) {
      const auto path = shardPath(s);
      std::error_code ec;
      auto size = std::filesystem::file_size(path, ec);
      if (ec)
        throw US_ERROR("shard listed in the index is missing").file(path.string());
      if (size < index.shardSizes[s])
        throw US_ERROR("shard is shorter than the index says").file(path.string());
      if (size > index.shardSizes[s]) {
        std::filesystem::resize_file(path, index.shardSizes[s], ec);
        if (ec) throw US_ERROR("cannot truncate uncommitted data: " + ec.message()).file(path.string());
      }
    }
    for (std::uint32_t s = count;; ++s) {
      const auto path = shardPath(s);
      if (!std::filesystem::exists(path)) break;
      std::filesystem::remove(path);
    }
    // Temp files of an index commit that was cut short (AtomicFile names
    // them "index.tmp.<pid>.<n>"); we hold the lock, so none is in flight.
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
      const std::string name = entry.path().filename().string();
      if (name.rfind(std::string(kIndexName) + ".tmp.", 0) == 0)
        std::filesystem::remove(entry.path(), ec);
    }
    pendingShardSizes = index.shardSizes;
    if (count > 0) {
      shardIndex = count - 1;
      shardSize = index.shardSizes.back();
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
    std::uint32_t fields[3] = {kVersion, static_cast<std::uint32_t>(index.type), shard};
    std::memcpy(header + 8, fields, sizeof fields);
    writeAt(header, sizeof header, 0);
    shardIndex = shard;
    shardSize = kShardHeaderBytes;
    if (pendingShardSizes.size() <= shard) pendingShardSizes.resize(shard + 1);
    pendingShardSizes[shard] = shardSize;
  }

  void writeAt(const void* data, std::size_t size, std::uint64_t offset) {
    const char* p = static_cast<const char*>(data);
    while (size > 0) {
      ssize_t n = ::pwrite(shardFd, p, size, static_cast<off_t>(offset));
      if (n < 0) {
        if (errno == EINTR) continue;
        throw US_ERROR("cannot write shard: " + errnoText())
            .file(shardPath(shardIndex).string())
            .hint(errno == ENOSPC ? "the disk is full; the committed records are intact"
                                  : "the committed records are intact");
      }
      p += n;
      size -= static_cast<std::size_t>(n);
      offset += static_cast<std::uint64_t>(n);
    }
  }

  void requireWritable(std::string_view key) const {
    if (mode != Mode::Append)
      throw US_ERROR("store is open read-only").file(dir.string()).key(std::string(key));
  }
};

RecordStore::RecordStore(std::unique_ptr<State> state) : m(std::move(state)) {}
RecordStore::RecordStore(RecordStore&&) noexcept = default;
RecordStore& RecordStore::operator=(RecordStore&&) noexcept = default;
RecordStore::~RecordStore() = default;

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
  state->index.type = options.type;
  state->index.cols = options.cols;
  state->index.kind = options.kind;
  state->index.shardBytes = options.shardBytes;
  state->index.generation = 1;
  writeFileAtomically(dir / kIndexName, encodeIndex(state->index));
  return RecordStore(std::move(state));
}

RecordStore RecordStore::open(const std::filesystem::path& dir, Mode mode) {
  auto state = std::make_unique<State>();
  state->dir = dir;
  state->mode = mode;
  if (mode == Mode::Append) state->acquireWriteLock();
  state->loadIndex();
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
  return m->byKey.count(std::string(key)) > 0;
}

const RecordInfo* RecordStore::find(std::string_view key) const {
  auto it = m->byKey.find(std::string(key));
  return it == m->byKey.end() ? nullptr : &m->index.records[it->second];
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
  view.type = m->index.type;
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
    const std::string kind = m->index.kind.empty() ? "record" : m->index.kind;
    throw US_ERROR("checksum mismatch: the " + kind + " record at byte offset " +
                   std::to_string(info.offset) + " (" + std::to_string(view.byteSize()) +
                   " bytes) of " + shardName(info.shard) + " in store " + m->dir.string() +
                   " is corrupt on disk")
        .file(shardPath(info.shard).string())
        .utterance(info.key)
        .hint(repairHint(m->index.kind));
  }
  return view;
}

std::vector<RecordProblem> RecordStore::verifyAll(
    const std::function<void(const RecordInfo&)>& afterEach) const {
  std::vector<RecordProblem> bad;
  for (const RecordInfo& info : m->index.records) {
    const std::uint64_t bytes =
        static_cast<std::uint64_t>(info.rows) * info.cols * elementSize(m->index.type);
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
  out.reserve(m->index.records.size());
  for (const RecordInfo& r : m->index.records) out.push_back(r.key);
  return out;
}

const std::vector<RecordInfo>& RecordStore::records() const { return m->index.records; }
std::size_t RecordStore::size() const { return m->index.records.size(); }
std::uint64_t RecordStore::totalRows() const { return m->totalRows; }

bool RecordStore::refresh() {
  if (m->mode == Mode::Append) return false;  // the writer's own view is always current
  IndexData d = m->readIndex();
  if (d.generation == m->index.generation) return false;
  m->installIndex(std::move(d));
  return true;
}

void RecordStore::append(std::string_view key, const void* data, std::uint32_t rows,
                         std::uint32_t cols) {
  m->requireWritable(key);
  checkKaldiKey(key);
  std::string k(key);
  if (m->byKey.count(k) || m->pendingKeys.count(k)) {
    throw US_ERROR("duplicate key").file(m->dir.string()).key(k).hint(
        "each record key may be written once");
  }
  if (m->index.cols != 0 && cols != m->index.cols) {
    throw US_ERROR("record has " + std::to_string(cols) + " columns, the store holds " +
                   std::to_string(m->index.cols))
        .file(m->dir.string())
        .key(k);
  }
  const std::uint64_t bytes = static_cast<std::uint64_t>(rows) * cols * elementSize(m->index.type);
  if (m->shardFd < 0) {
    m->startShard(0);
  } else if (m->shardSize > kShardHeaderBytes &&
             alignUp(m->shardSize) + bytes > m->index.shardBytes) {
    m->startShard(m->shardIndex + 1);
  }
  const std::uint64_t offset = alignUp(m->shardSize);
  if (offset > m->shardSize) {
    static const char zeros[kAlignment] = {};
    m->writeAt(zeros, offset - m->shardSize, m->shardSize);
  }
  if (bytes > 0) m->writeAt(data, bytes, offset);
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
  // Data first, then the index that points at it.
  for (int fd : m->unsyncedFds) {
    if (::fdatasync(fd) != 0) throw US_ERROR("fsync failed: " + errnoText()).file(m->dir.string());
    ::close(fd);
  }
  m->unsyncedFds.clear();
  if (m->shardFd >= 0 && ::fdatasync(m->shardFd) != 0)
    throw US_ERROR("fsync failed: " + errnoText()).file(m->shardPath(m->shardIndex).string());
  if (m->pendingShardSizes.size() > m->index.shardSizes.size()) syncDirectory(m->dir);

  IndexData next = m->index;
  next.generation += 1;
  next.shardSizes = m->pendingShardSizes;
  if (m->metadataChanged) next.metadata = m->pendingMetadata;
  next.records.insert(next.records.end(), m->pending.begin(), m->pending.end());
  writeFileAtomically(m->dir / kIndexName, encodeIndex(next));

  const std::size_t firstNew = m->index.records.size();
  m->index = std::move(next);
  for (std::size_t i = firstNew; i < m->index.records.size(); ++i) {
    m->byKey.emplace(m->index.records[i].key, i);
    m->totalRows += m->index.records[i].rows;
  }
  {
    std::lock_guard<std::mutex> lock(m->mapMutex);
    m->mappings.resize(m->index.shardSizes.size());
  }
  m->pending.clear();
  m->pendingKeys.clear();
  m->metadataChanged = false;
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
ElementType RecordStore::elementType() const { return m->index.type; }
std::uint32_t RecordStore::cols() const { return m->index.cols; }
const std::string& RecordStore::kind() const { return m->index.kind; }
const std::string& RecordStore::metadata() const { return m->index.metadata; }
std::uint32_t RecordStore::shardCount() const {
  return static_cast<std::uint32_t>(m->index.shardSizes.size());
}
std::uint64_t RecordStore::generation() const { return m->index.generation; }
bool RecordStore::writable() const { return m->mode == Mode::Append; }

}  // namespace understudy
