// What every benchmark prints about the machine it ran on (docs/performance.md).
#pragma once

#include <fstream>
#include <string>

namespace understudy::bench {

// The CPU's "model name" from /proc/cpuinfo, or "unknown".
inline std::string cpuModel() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  return "unknown";
}

}  // namespace understudy::bench
