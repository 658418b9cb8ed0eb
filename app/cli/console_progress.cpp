#include "app/cli/console_progress.h"

#include <unistd.h>

#include <csignal>
#include <string>

namespace understudy::cli {

namespace {
std::atomic<bool> g_interrupted{false};
extern "C" void onSigint(int) {
  if (g_interrupted.exchange(true)) std::_Exit(130);  // second Ctrl-C: leave now
}
}  // namespace

ConsoleProgress::ConsoleProgress(bool quiet, std::FILE* out)
    : m_quiet(quiet), m_out(out), m_tty(::isatty(::fileno(out)) != 0) {}

ConsoleProgress::~ConsoleProgress() {
  if (m_lineOpen) std::fputc('\n', m_out);
}

void ConsoleProgress::installInterruptHandler() { std::signal(SIGINT, onSigint); }

void ConsoleProgress::installTerminateHandler() { std::signal(SIGTERM, onSigint); }

bool ConsoleProgress::cancelled() const { return g_interrupted.load(); }

std::string ConsoleProgress::render(const ProgressState& s) const {
  char buf[512];
  std::string counts = std::to_string(s.done);
  if (s.total > 0) counts += "/" + std::to_string(s.total);
  std::string pct;
  if (s.total > 0) {
    char p[16];
    std::snprintf(p, sizeof p, "%5.1f%%", 100.0 * s.done / s.total);
    pct = p;
  }
  std::snprintf(buf, sizeof buf, "%-10s %s %s  %s  %.1f %s/s  elapsed %s  ETA %s%s%s",
                s.task.c_str(), counts.c_str(), s.unit.c_str(), pct.c_str(), s.rate,
                s.unit.c_str(), formatDuration(s.elapsedSeconds).c_str(),
                formatDuration(s.etaSeconds).c_str(), s.detail.empty() ? "" : "  | ",
                s.detail.c_str());
  return buf;
}

void ConsoleProgress::onProgress(const ProgressState& s) {
  if (m_quiet) return;
  if (m_tty) {
    std::fprintf(m_out, "\r\033[K%s", render(s).c_str());
    m_lineOpen = true;
  } else if (s.elapsedSeconds - m_lastPlainLine >= 10.0) {
    // Not a terminal: one line every 10 s keeps CI logs readable.
    std::fprintf(m_out, "%s\n", render(s).c_str());
    m_lastPlainLine = s.elapsedSeconds;
  }
  std::fflush(m_out);
}

void ConsoleProgress::onFinish(const ProgressState& s) {
  if (m_quiet) return;
  if (m_tty) std::fprintf(m_out, "\r\033[K");
  std::fprintf(m_out, "%s\n", render(s).c_str());
  m_lineOpen = false;
  std::fflush(m_out);
}

}  // namespace understudy::cli
