// The --events output of a command: an EventWriter on stdout or on a file.
#pragma once

#include <fstream>
#include <memory>

#include "app/cli/commands.h"
#include "core/util/events.h"

namespace understudy::cli {

class EventStream {
 public:
  EventStream(const std::string& path, std::int64_t runId);
  EventWriter& writer() { return *m_writer; }

 private:
  std::ofstream m_file;
  std::unique_ptr<EventWriter> m_writer;
};

}  // namespace understudy::cli
