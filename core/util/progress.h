// Progress and cancellation, as an engine interface (after Sonic
// Visualiser's ProgressReporter). Engine code reports through a Progress
// object; the CLI renders it as a line with rate and ETA, the event stream
// carries it to the GUI. Engine code never prints.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

namespace understudy {

struct ProgressState {
  std::string task;        // "features", "synth", "train", ...
  std::int64_t done = 0;   // units done
  std::int64_t total = 0;  // 0 if unknown
  std::string unit;        // "utt", "step", ...
  double elapsedSeconds = 0.0;
  double rate = 0.0;        // units per second
  double etaSeconds = -1.0; // < 0 if unknown
  std::string detail;       // e.g. "loss 2.31 acc 41.2% 93x real time"
};

// Receives progress; `cancelled()` is polled by long loops, which then stop
// cleanly (throwing understudy::Error("cancelled")) at the next safe point.
class ProgressSink {
 public:
  virtual ~ProgressSink() = default;
  virtual void onProgress(const ProgressState& state) = 0;
  virtual void onFinish(const ProgressState& state) { onProgress(state); }
  virtual bool cancelled() const { return false; }
};

// Computes rate and ETA and throttles updates to a sink (default: 4 per second).
class ProgressTracker {
 public:
  ProgressTracker(ProgressSink* sink, std::string task, std::int64_t total, std::string unit,
                  double minIntervalSeconds = 0.25);
  void advance(std::int64_t n = 1, const std::string& detail = {});
  void set(std::int64_t done, const std::string& detail = {});
  void finish(const std::string& detail = {});
  bool cancelled() const { return m_sink && m_sink->cancelled(); }
  // Throws understudy::Error("cancelled") if the sink asks to stop.
  void throwIfCancelled() const;
  ProgressState state() const;

 private:
  void maybeEmit(bool force);

  ProgressSink* m_sink;
  ProgressState m_state;
  std::chrono::steady_clock::time_point m_start;
  std::chrono::steady_clock::time_point m_lastEmit;
  double m_minInterval;
};

std::string formatDuration(double seconds);  // "1h02m", "3m05s", "12s"

}  // namespace understudy
