#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <system_error>

#include "fuzz/fuzz_target.h"

namespace understudy::fuzz {

namespace fs = std::filesystem;

std::vector<std::string> splitParts(const std::uint8_t* data, std::size_t size,
                                    std::size_t maxParts) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> parts;
  while (parts.size() + 1 < maxParts) {
    const std::size_t at = rest.find(kPartSeparator);
    if (at == std::string_view::npos) break;
    parts.emplace_back(rest.substr(0, at));
    rest.remove_prefix(at + kPartSeparator.size());
  }
  parts.emplace_back(rest);
  return parts;
}

void noteError(const understudy::Error& e) {
  static const bool show = [] {
    const char* v = std::getenv("UNDERSTUDY_FUZZ_SHOW_ERRORS");
    return v && *v && std::string(v) != "0";
  }();
  if (show) std::fprintf(stderr, "understudy::Error: %s\n", e.what());
}

namespace {
fs::path scratchRoot() {
  std::error_code ec;
  if (::access("/dev/shm", W_OK) == 0 && fs::is_directory("/dev/shm", ec)) return "/dev/shm";
  const char* tmp = std::getenv("TMPDIR");
  return tmp && *tmp ? fs::path(tmp) : fs::path("/tmp");
}
}  // namespace

ScratchDir::ScratchDir()
    : m_path(scratchRoot() / ("understudy-fuzz-" + std::to_string(::getpid()))) {
  fs::create_directories(m_path);
}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  fs::remove_all(m_path, ec);
}

ScratchDir& ScratchDir::instance() {
  static ScratchDir dir;
  return dir;
}

const fs::path& ScratchDir::fresh() {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(m_path, ec)) fs::remove_all(entry.path(), ec);
  return m_path;
}

fs::path ScratchDir::write(const std::string& name, std::string_view bytes) const {
  const fs::path file = m_path / name;
  fs::create_directories(file.parent_path());
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return file;
}

}  // namespace understudy::fuzz

// ---------------------------------------------------------------- record stores

#include <cstring>

#include "core/util/checksum.h"

namespace understudy::fuzz {

namespace {

// Layout: docs/formats.md "Record stores" (core/store/record_store.cpp).
constexpr std::size_t kJournalHeaderBytes = 32;
constexpr std::size_t kBlockHeaderBytes = 48;
constexpr char kJournalMagic[8] = {'U', 'S', 'R', 'E', 'C', 'J', 'N', 'L'};
constexpr char kBlockMagic[8] = {'U', 'S', 'R', 'E', 'C', 'B', 'L', 'K'};

void putChecksumAt(std::string& bytes, std::size_t at, std::size_t coveredBytes) {
  const std::uint64_t sum = checksum64(bytes.data(), coveredBytes);
  std::memcpy(&bytes[at], &sum, 8);
}

void fixIndexChecksum(std::string& index) {
  if (index.size() >= 16) putChecksumAt(index, index.size() - 8, index.size() - 8);
}

void fixJournalChecksums(std::string& journal) {
  if (journal.size() < kJournalHeaderBytes || std::memcmp(journal.data(), kJournalMagic, 8) != 0)
    return;
  putChecksumAt(journal, 24, 24);
  std::size_t pos = kJournalHeaderBytes;
  while (pos + kBlockHeaderBytes <= journal.size() &&
         std::memcmp(journal.data() + pos, kBlockMagic, 8) == 0) {
    std::string block = journal.substr(pos);
    putChecksumAt(block, 40, 40);
    std::uint64_t length;
    std::memcpy(&length, block.data() + 8, 8);
    const bool whole = length >= kBlockHeaderBytes + 8 && length % 8 == 0 && length <= block.size();
    if (whole) putChecksumAt(block, length - 8, length - 8);
    journal.replace(pos, block.size(), block);
    if (!whole) break;
    pos += length;
  }
}

}  // namespace

std::filesystem::path writeRecordStore(const std::uint8_t* data, std::size_t size,
                                       const std::string& name) {
  auto parts = splitParts(data, size, 3);
  const ScratchDir& scratch = ScratchDir::instance();
  fixIndexChecksum(parts[0]);
  scratch.write(name + "/index", parts[0]);
  if (parts.size() > 1) {
    fixJournalChecksums(parts[1]);
    scratch.write(name + "/journal", parts[1]);
  }
  if (parts.size() > 2) scratch.write(name + "/shard-00000.bin", parts[2]);
  return scratch.path() / name;
}

}  // namespace understudy::fuzz
