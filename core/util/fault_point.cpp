#include "core/util/fault_point.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <string>

namespace understudy::fault {

std::atomic<int> g_state{-1};

namespace {

struct Config {
  std::string target;      // UNDERSTUDY_FAULT's NAME ("" = none armed)
  long targetPass = 0;     // its N
  std::string countsFile;  // UNDERSTUDY_FAULT_COUNTS
};

Config& config() {
  static Config c;
  return c;
}

std::atomic<long> g_targetPasses{0};
std::mutex g_countsMutex;
std::map<std::string, long>& counts() {
  static auto* c = new std::map<std::string, long>;  // never destroyed: passes may come during exit
  return *c;
}

void writeCounts() {
  const Config& c = config();
  std::string text;
  {
    std::lock_guard<std::mutex> lock(g_countsMutex);
    for (const auto& [name, n] : counts()) text += name + "\t" + std::to_string(n) + "\n";
  }
  if (text.empty()) return;
  const int fd = ::open(c.countsFile.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return;
  ssize_t ignored = ::write(fd, text.data(), text.size());  // one write: O_APPEND keeps lines whole
  (void)ignored;
  ::close(fd);
}

// Reads the environment once; "NAME@N" with N >= 1, anything else arms nothing.
void readEnvironment() {
  static std::once_flag once;
  std::call_once(once, [] {
    Config& c = config();
    if (const char* spec = std::getenv("UNDERSTUDY_FAULT")) {
      const std::string s(spec);
      const auto at = s.rfind('@');
      if (at != std::string::npos && at > 0) {
        char* end = nullptr;
        const long n = std::strtol(s.c_str() + at + 1, &end, 10);
        if (end && *end == '\0' && n >= 1) {
          c.target = s.substr(0, at);
          c.targetPass = n;
        }
      }
    }
    if (const char* file = std::getenv("UNDERSTUDY_FAULT_COUNTS"); file && *file) {
      c.countsFile = file;
      std::atexit(writeCounts);
    }
    g_state.store(c.target.empty() && c.countsFile.empty() ? 0 : 1, std::memory_order_relaxed);
  });
}

// Whether this pass of `name` is the armed one (and counts it).
bool hit(const char* name) {
  readEnvironment();
  const Config& c = config();
  if (!c.countsFile.empty()) {
    std::lock_guard<std::mutex> lock(g_countsMutex);
    ++counts()[name];
  }
  if (c.target.empty() || c.target != name) return false;
  return g_targetPasses.fetch_add(1, std::memory_order_relaxed) + 1 == c.targetPass;
}

[[noreturn]] void die(const char* name) {
  const std::string line = "understudy: fault point " + std::string(name) + " pass " +
                           std::to_string(config().targetPass) + ": SIGKILL\n";
  ssize_t ignored = ::write(2, line.data(), line.size());
  (void)ignored;
  ::raise(SIGKILL);
  ::_exit(137);  // not reached
}

}  // namespace

void passSlow(const char* name) {
  if (hit(name)) die(name);
}

void passTornSlow(const char* name, int fd, off_t keepBytes) {
  if (!hit(name)) return;
  if (::ftruncate(fd, keepBytes) != 0) {
  }
  die(name);
}

}  // namespace understudy::fault
