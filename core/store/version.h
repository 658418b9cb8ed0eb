// Build identity shared by the CLI and the GUI.
#pragma once

#include <string>

namespace understudy {

// "0.1.0"
const char* versionString();
// "understudy 0.1.0 (LibTorch 1.13.1, SQLite 3.40.1, Qt-free core)"
std::string versionBanner();

}  // namespace understudy
