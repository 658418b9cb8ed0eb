#include "core/util/checksum.h"

#include <xxhash.h>

#include <cstdio>
#include <fstream>
#include <vector>

#include "core/util/error.h"

namespace understudy {

std::uint64_t checksum64(const void* data, std::size_t size) { return XXH3_64bits(data, size); }

std::uint64_t fileChecksum64(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw US_ERROR("cannot open file for checksum").file(path.string());
  Checksum64 sum;
  std::vector<char> buffer(1 << 20);
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    sum.update(buffer.data(), static_cast<std::size_t>(in.gcount()));
  }
  return sum.digest();
}

std::string toHex(std::uint64_t value) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(value));
  return buf;
}

Checksum64::Checksum64() : m_state(XXH3_createState()) {
  XXH3_64bits_reset(static_cast<XXH3_state_t*>(m_state));
}
Checksum64::~Checksum64() { XXH3_freeState(static_cast<XXH3_state_t*>(m_state)); }
void Checksum64::update(const void* data, std::size_t size) {
  XXH3_64bits_update(static_cast<XXH3_state_t*>(m_state), data, size);
}
std::uint64_t Checksum64::digest() const {
  return XXH3_64bits_digest(static_cast<XXH3_state_t*>(m_state));
}

}  // namespace understudy
