#include "core/store/version.h"

#include "core/store/schema.h"
#include "core/store/workspace.h"

#ifndef UNDERSTUDY_VERSION
#define UNDERSTUDY_VERSION "0.0.0"
#endif

namespace understudy {

const char* versionString() { return UNDERSTUDY_VERSION; }

std::string versionBanner() {
  return std::string("understudy ") + UNDERSTUDY_VERSION + " (workspace schema " +
         std::to_string(store::kSchemaVersion) + ", SQLite " + sqliteVersion() + ")";
}

}  // namespace understudy
