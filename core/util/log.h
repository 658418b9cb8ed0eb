// Logging with levels and a host-chosen sink (Kaldi's SetLogHandler idea).
//
// Engine code logs through `log::info(...)` etc. and never prints directly.
// The host (CLI, GUI, worker) installs a handler with `log::setHandler`;
// the default writes "[level] message" to stderr through spdlog.
#pragma once

#include <fmt/format.h>

#include <functional>
#include <string>
#include <string_view>

namespace understudy::log {

enum class Level { Debug = 0, Info = 1, Warning = 2, Error = 3, Off = 4 };

using Handler = std::function<void(Level, std::string_view message)>;

// Installs `handler` for every later message; an empty handler restores the default.
void setHandler(Handler handler);
void setLevel(Level level);
Level level();
Level parseLevel(std::string_view name);  // "debug", "info", "warning", "error", "off"
const char* levelName(Level level);

void write(Level level, std::string_view message);

template <typename... Args>
void debug(fmt::format_string<Args...> f, Args&&... args) {
  if (level() <= Level::Debug) write(Level::Debug, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void info(fmt::format_string<Args...> f, Args&&... args) {
  if (level() <= Level::Info) write(Level::Info, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void warning(fmt::format_string<Args...> f, Args&&... args) {
  if (level() <= Level::Warning)
    write(Level::Warning, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void error(fmt::format_string<Args...> f, Args&&... args) {
  if (level() <= Level::Error) write(Level::Error, fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace understudy::log
