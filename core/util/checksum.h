// Checksums: XXH3-64 per store record (docs/formats.md), hex formatting.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace understudy {

std::uint64_t checksum64(const void* data, std::size_t size);
inline std::uint64_t checksum64(std::string_view bytes) {
  return checksum64(bytes.data(), bytes.size());
}
// Streams the file in blocks; throws understudy::Error if it cannot be read.
std::uint64_t fileChecksum64(const std::filesystem::path& path);
std::string toHex(std::uint64_t value);  // 16 lower-case hex digits

// Incremental XXH3-64 for data that arrives in pieces.
class Checksum64 {
 public:
  Checksum64();
  ~Checksum64();
  Checksum64(const Checksum64&) = delete;
  Checksum64& operator=(const Checksum64&) = delete;
  void update(const void* data, std::size_t size);
  std::uint64_t digest() const;

 private:
  void* m_state;
};

}  // namespace understudy
