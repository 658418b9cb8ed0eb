// The JSON-lines event stream (docs/events.md).
//
// One JSON object per line:
//   {"time":1732521600.123,"run":7,"type":"metric","name":"train/loss","step":120,"value":2.31}
// plus any extra fields. The CLI writes events on stdout (or a file) while it
// works; the GUI and rank 0's coordinator read them line by line.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <iosfwd>
#include <mutex>
#include <optional>
#include <string>

namespace understudy {

// Event types written today; readers must accept unknown types.
namespace event_type {
inline constexpr const char* kMetric = "metric";      // a scalar at a step
inline constexpr const char* kProgress = "progress";  // done/total of a long task
inline constexpr const char* kStatus = "status";      // run started/finished/failed
inline constexpr const char* kLog = "log";            // a log line
inline constexpr const char* kArtifact = "artifact";  // a file produced (model, store)
}  // namespace event_type

struct Event {
  double time = 0.0;  // seconds since the Unix epoch (UTC)
  std::int64_t runId = 0;
  std::string type;
  std::string name;
  std::optional<std::int64_t> step;
  std::optional<double> value;
  nlohmann::json extra = nlohmann::json::object();  // additional fields, flattened

  nlohmann::json toJson() const;
  std::string toLine() const;  // compact JSON, no trailing newline
  // Throws understudy::Error naming `lineNumber` when the line is not an event.
  static Event fromLine(const std::string& line, long lineNumber = 0);
};

double nowSeconds();

// Writes one event per line to a stream, thread-safe, flushed per event so a
// reader following the stream sees whole lines promptly.
class EventWriter {
 public:
  EventWriter(std::ostream& out, std::int64_t runId);

  void write(Event event);
  void metric(const std::string& name, std::int64_t step, double value,
              nlohmann::json extra = nlohmann::json::object());
  void progress(const std::string& name, std::int64_t done, std::int64_t total,
                nlohmann::json extra = nlohmann::json::object());
  void status(const std::string& name, nlohmann::json extra = nlohmann::json::object());
  // A file or folder the run produced: `path` relative to the workspace root,
  // `kind` what it is ("model", "features", "targets", ...).
  void artifact(const std::string& name, const std::string& path, const std::string& kind,
                nlohmann::json extra = nlohmann::json::object(),
                std::optional<std::int64_t> step = std::nullopt);

  std::int64_t runId() const { return m_runId; }

 private:
  std::ostream& m_out;
  std::int64_t m_runId;
  std::mutex m_mutex;
};

}  // namespace understudy
