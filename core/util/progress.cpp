#include "core/util/progress.h"

#include <cmath>
#include <cstdio>

#include "core/util/error.h"

namespace understudy {

ProgressTracker::ProgressTracker(ProgressSink* sink, std::string task, std::int64_t total,
                                 std::string unit, double minIntervalSeconds)
    : m_sink(sink), m_start(std::chrono::steady_clock::now()), m_minInterval(minIntervalSeconds) {
  m_state.task = std::move(task);
  m_state.total = total;
  m_state.unit = std::move(unit);
  m_lastEmit = m_start - std::chrono::hours(1);
}

void ProgressTracker::advance(std::int64_t n, const std::string& detail) {
  set(m_state.done + n, detail);
}

void ProgressTracker::set(std::int64_t done, const std::string& detail) {
  m_state.done = done;
  if (!detail.empty()) m_state.detail = detail;
  maybeEmit(false);
}

void ProgressTracker::finish(const std::string& detail) {
  if (!detail.empty()) m_state.detail = detail;
  maybeEmit(true);
  if (m_sink) m_sink->onFinish(state());
}

void ProgressTracker::throwIfCancelled() const {
  if (cancelled()) throw US_ERROR(m_state.task + " cancelled").hint("completed work is kept; run again to resume");
}

ProgressState ProgressTracker::state() const {
  ProgressState s = m_state;
  s.elapsedSeconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count();
  s.rate = s.elapsedSeconds > 0 ? static_cast<double>(s.done) / s.elapsedSeconds : 0.0;
  s.etaSeconds = (s.total > 0 && s.rate > 0)
                     ? static_cast<double>(s.total - s.done) / s.rate
                     : -1.0;
  return s;
}

void ProgressTracker::maybeEmit(bool force) {
  if (!m_sink) return;
  auto now = std::chrono::steady_clock::now();
  if (!force && std::chrono::duration<double>(now - m_lastEmit).count() < m_minInterval) return;
  m_lastEmit = now;
  if (!force) m_sink->onProgress(state());
}

std::string formatDuration(double seconds) {
  if (seconds < 0 || !std::isfinite(seconds)) return "?";
  long s = std::lround(seconds);
  char buf[32];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%ldh%02ldm", s / 3600, (s % 3600) / 60);
  else if (s >= 60)
    std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
  else
    std::snprintf(buf, sizeof buf, "%lds", s);
  return buf;
}

}  // namespace understudy
