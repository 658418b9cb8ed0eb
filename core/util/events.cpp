#include "core/util/events.h"

#include <chrono>
#include <ostream>

#include "core/util/error.h"

namespace understudy {

namespace {
const char* const kReservedKeys[] = {"time", "run", "type", "name", "step", "value"};

bool isReserved(const std::string& key) {
  for (const char* reserved : kReservedKeys)
    if (key == reserved) return true;
  return false;
}
}  // namespace

double nowSeconds() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

nlohmann::json Event::toJson() const {
  nlohmann::json j;
  j["time"] = time;
  j["run"] = runId;
  j["type"] = type;
  j["name"] = name;
  if (step) j["step"] = *step;
  if (value) j["value"] = *value;
  if (extra.is_object()) {
    for (auto it = extra.begin(); it != extra.end(); ++it) {
      if (!isReserved(it.key())) j[it.key()] = it.value();
    }
  }
  return j;
}

std::string Event::toLine() const { return toJson().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace); }

Event Event::fromLine(const std::string& line, long lineNumber) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(line);
  } catch (const nlohmann::json::parse_error& e) {
    throw US_ERROR(std::string("not a JSON event: ") + e.what()).line(lineNumber);
  }
  if (!j.is_object()) throw US_ERROR("event is not a JSON object").line(lineNumber);
  for (const char* required : {"time", "type"}) {
    if (!j.contains(required))
      throw US_ERROR(std::string("event lacks the field '") + required + "'").line(lineNumber);
  }
  Event e;
  try {
    e.time = j.at("time").get<double>();
    e.runId = j.value("run", std::int64_t{0});
    e.type = j.at("type").get<std::string>();
    e.name = j.value("name", std::string());
    if (j.contains("step") && !j["step"].is_null()) e.step = j["step"].get<std::int64_t>();
    if (j.contains("value") && !j["value"].is_null()) e.value = j["value"].get<double>();
  } catch (const nlohmann::json::exception& ex) {
    throw US_ERROR(std::string("event field has the wrong type: ") + ex.what()).line(lineNumber);
  }
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (!isReserved(it.key())) e.extra[it.key()] = it.value();
  }
  return e;
}

EventWriter::EventWriter(std::ostream& out, std::int64_t runId) : m_out(out), m_runId(runId) {}

void EventWriter::write(Event event) {
  if (event.time == 0.0) event.time = nowSeconds();
  if (event.runId == 0) event.runId = m_runId;
  const std::string line = event.toLine();
  std::lock_guard lock(m_mutex);
  m_out << line << '\n';
  m_out.flush();
}

void EventWriter::metric(const std::string& name, std::int64_t step, double value,
                         nlohmann::json extra) {
  Event e;
  e.type = event_type::kMetric;
  e.name = name;
  e.step = step;
  e.value = value;
  e.extra = std::move(extra);
  write(std::move(e));
}

void EventWriter::progress(const std::string& name, std::int64_t done, std::int64_t total,
                           nlohmann::json extra) {
  Event e;
  e.type = event_type::kProgress;
  e.name = name;
  e.step = done;
  e.value = total > 0 ? static_cast<double>(done) / static_cast<double>(total) : 0.0;
  e.extra = std::move(extra);
  e.extra["done"] = done;
  e.extra["total"] = total;
  write(std::move(e));
}

void EventWriter::status(const std::string& name, nlohmann::json extra) {
  Event e;
  e.type = event_type::kStatus;
  e.name = name;
  e.extra = std::move(extra);
  write(std::move(e));
}

void EventWriter::artifact(const std::string& name, const std::string& path,
                           const std::string& kind, nlohmann::json extra,
                           std::optional<std::int64_t> step) {
  Event e;
  e.type = event_type::kArtifact;
  e.name = name;
  e.step = step;
  e.extra = std::move(extra);
  e.extra["path"] = path;
  e.extra["kind"] = kind;
  write(std::move(e));
}

}  // namespace understudy
