// The --events output of a command: an EventWriter on stdout or on a file.
//
// `--events -` gives stdout to the event stream alone. main() calls
// reserveStdoutForEvents() before any command runs: the real stdout moves to a
// private descriptor that only the event stream writes, and descriptor 1 —
// printf, std::cout, anything a library prints — is pointed at stderr. Every
// command prints its human text to stdout as usual; with `--events -` that
// text lands on stderr and stdout carries nothing but JSON lines.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <streambuf>
#include <string>

#include "app/cli/commands.h"
#include "core/util/events.h"

namespace understudy::cli {

// With `--events -`: moves stdout to the event stream and sends fd 1 to stderr.
// Does nothing otherwise. Call once, before any command prints.
void reserveStdoutForEvents(const GlobalOptions& global);

// The descriptor that was stdout when the program started: the event
// stream's private one after reserveStdoutForEvents(), else STDOUT_FILENO.
// A launcher hands it to the child that writes the events.
int originalStdoutDescriptor();

class EventStream {
 public:
  EventStream(const std::string& path, std::int64_t runId);
  ~EventStream();
  EventWriter& writer() { return *m_writer; }

  // An `artifact` event for `path` (absolute, or relative to `workspaceRoot`),
  // written relative to the workspace root as docs/events.md specifies.
  void artifact(const std::filesystem::path& workspaceRoot, const std::string& name,
                const std::filesystem::path& path, const std::string& kind,
                nlohmann::json extra = nlohmann::json::object(),
                std::optional<std::int64_t> step = std::nullopt);

 private:
  std::ofstream m_file;
  std::unique_ptr<std::streambuf> m_fdBuffer;  // the reserved stdout, for `-`
  std::unique_ptr<std::ostream> m_fdStream;
  std::unique_ptr<EventWriter> m_writer;
};

// `path` relative to `workspaceRoot` ("features/x"); relative paths are kept.
std::string workspaceRelative(const std::filesystem::path& workspaceRoot,
                              const std::filesystem::path& path);

}  // namespace understudy::cli
