#include "core/util/log.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <mutex>

#include "core/util/error.h"

namespace understudy::log {
namespace {

std::atomic<Level> g_level{Level::Info};
std::mutex g_mutex;
Handler g_handler;

spdlog::logger& defaultLogger() {
  static std::shared_ptr<spdlog::logger> logger = [] {
    auto l = spdlog::stderr_color_mt("understudy");
    l->set_pattern("[%l] %v");
    l->set_level(spdlog::level::trace);
    return l;
  }();
  return *logger;
}

spdlog::level::level_enum toSpdlog(Level level) {
  switch (level) {
    case Level::Debug: return spdlog::level::debug;
    case Level::Info: return spdlog::level::info;
    case Level::Warning: return spdlog::level::warn;
    case Level::Error: return spdlog::level::err;
    case Level::Off: return spdlog::level::off;
  }
  return spdlog::level::info;
}

}  // namespace

void setHandler(Handler handler) {
  std::lock_guard lock(g_mutex);
  g_handler = std::move(handler);
}

void setLevel(Level level) { g_level = level; }
Level level() { return g_level; }

Level parseLevel(std::string_view name) {
  if (name == "debug") return Level::Debug;
  if (name == "info") return Level::Info;
  if (name == "warning" || name == "warn") return Level::Warning;
  if (name == "error") return Level::Error;
  if (name == "off") return Level::Off;
  throw US_ERROR("unknown log level '" + std::string(name) + "'")
      .hint("use debug, info, warning, error or off");
}

const char* levelName(Level level) {
  switch (level) {
    case Level::Debug: return "debug";
    case Level::Info: return "info";
    case Level::Warning: return "warning";
    case Level::Error: return "error";
    case Level::Off: return "off";
  }
  return "info";
}

void write(Level level, std::string_view message) {
  if (level < g_level || level == Level::Off) return;
  std::lock_guard lock(g_mutex);
  if (g_handler) {
    g_handler(level, message);
  } else {
    defaultLogger().log(toSpdlog(level), message);
  }
}

}  // namespace understudy::log
