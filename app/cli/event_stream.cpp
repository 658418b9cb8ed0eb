#include "app/cli/event_stream.h"

#include <iostream>

#include "core/util/error.h"

namespace understudy::cli {

EventStream::EventStream(const std::string& path, std::int64_t runId) {
  if (path == "-") {
    m_writer = std::make_unique<EventWriter>(std::cout, runId);
    return;
  }
  m_file.open(path, std::ios::app);
  if (!m_file) throw US_ERROR("cannot open the events file for appending").file(path);
  m_writer = std::make_unique<EventWriter>(m_file, runId);
}

std::unique_ptr<EventStream> openEventStream(const GlobalOptions& global, std::int64_t runId) {
  if (global.eventsPath.empty()) return nullptr;
  return std::make_unique<EventStream>(global.eventsPath, runId);
}

}  // namespace understudy::cli
