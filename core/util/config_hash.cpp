#include "core/util/config_hash.h"

#include "core/util/checksum.h"

namespace understudy {

std::string configHash(std::string_view canonicalText) { return toHex(checksum64(canonicalText)); }

std::string configHash(std::string_view kind, const std::vector<std::string>& parts) {
  std::string bytes;
  auto append = [&bytes](std::string_view part) {
    bytes += std::to_string(part.size());
    bytes += ':';
    bytes += part;
    bytes += ';';
  };
  append(kind);
  for (const auto& p : parts) append(p);
  return configHash(std::string_view(bytes));
}

}  // namespace understudy
