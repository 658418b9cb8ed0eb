// The console rendering of engine progress: one self-overwriting line on a
// terminal ("features  1200/3000 utt  40.0%  85.3 utt/s  ETA 21s  | 310x real time"),
// plain periodic lines when stderr is not a terminal (logs, CI).
#pragma once

#include <atomic>
#include <cstdio>

#include "core/util/progress.h"

namespace understudy::cli {

class ConsoleProgress : public ProgressSink {
 public:
  explicit ConsoleProgress(bool quiet = false, std::FILE* out = stderr);
  ~ConsoleProgress() override;
  void onProgress(const ProgressState& state) override;
  void onFinish(const ProgressState& state) override;
  bool cancelled() const override;

  // SIGINT sets this; long loops then stop at their next safe point.
  static void installInterruptHandler();
  // SIGTERM does what a first Ctrl-C does (installed for every command: a
  // launcher, the recipe runner, the GUI or a batch system stopping a job;
  // training agrees to stop and checkpoints).
  static void installTerminateHandler();

 private:
  std::string render(const ProgressState& state) const;

  bool m_quiet;
  std::FILE* m_out;
  bool m_tty;
  double m_lastPlainLine = -1e9;
  bool m_lineOpen = false;
};

}  // namespace understudy::cli
