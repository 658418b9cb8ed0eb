#include "app/cli/event_stream.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <iostream>

#include "core/util/error.h"

namespace understudy::cli {

namespace {

namespace fs = std::filesystem;

// The descriptor that was stdout before reserveStdoutForEvents(); -1 if not reserved.
int g_eventsFd = -1;

// An output buffer on a file descriptor; flush() writes everything it holds.
class FdBuffer : public std::streambuf {
 public:
  explicit FdBuffer(int fd) : m_fd(fd) {}
  ~FdBuffer() override { sync(); }

 protected:
  int overflow(int c) override {
    if (c != traits_type::eof()) m_pending.push_back(static_cast<char>(c));
    return traits_type::not_eof(c);
  }
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    m_pending.append(s, static_cast<std::size_t>(n));
    return n;
  }
  int sync() override {
    std::size_t written = 0;
    while (written < m_pending.size()) {
      const ssize_t n = ::write(m_fd, m_pending.data() + written, m_pending.size() - written);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        m_pending.clear();  // the reader went away: drop events rather than block or throw
        return -1;
      }
      written += static_cast<std::size_t>(n);
    }
    m_pending.clear();
    return 0;
  }

 private:
  int m_fd;
  std::string m_pending;
};

}  // namespace

void reserveStdoutForEvents(const GlobalOptions& global) {
  if (global.eventsPath != "-" || g_eventsFd >= 0) return;
  std::cout.flush();
  std::fflush(stdout);
  // Close-on-exec: a program we start (a piped wav.scp entry) must not hold the
  // stream open, or a reader would not see its end when we exit.
  const int saved = ::fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
  if (saved < 0 || ::dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
    throw US_ERROR("cannot give stdout to the event stream (dup failed)")
        .hint("write the events to a file instead: --events FILE");
  g_eventsFd = saved;
}

int originalStdoutDescriptor() { return g_eventsFd >= 0 ? g_eventsFd : STDOUT_FILENO; }

EventStream::EventStream(const std::string& path, std::int64_t runId) {
  if (path == "-") {
    if (g_eventsFd >= 0) {
      m_fdBuffer = std::make_unique<FdBuffer>(g_eventsFd);
      m_fdStream = std::make_unique<std::ostream>(m_fdBuffer.get());
      m_writer = std::make_unique<EventWriter>(*m_fdStream, runId);
    } else {
      m_writer = std::make_unique<EventWriter>(std::cout, runId);
    }
    return;
  }
  m_file.open(path, std::ios::app);
  if (!m_file) throw US_ERROR("cannot open the events file for appending").file(path);
  m_writer = std::make_unique<EventWriter>(m_file, runId);
}

EventStream::~EventStream() {
  m_writer.reset();
  if (m_fdStream) m_fdStream->flush();
}

void EventStream::artifact(const fs::path& workspaceRoot, const std::string& name,
                           const fs::path& path, const std::string& kind, nlohmann::json extra,
                           std::optional<std::int64_t> step) {
  m_writer->artifact(name, workspaceRelative(workspaceRoot, path), kind, std::move(extra), step);
}

std::string workspaceRelative(const fs::path& workspaceRoot, const fs::path& path) {
  if (path.is_relative()) return path.lexically_normal().generic_string();
  // Canonical forms, so a workspace given through a symlink or as "ws/../ws" still matches.
  auto canonical = [](const fs::path& p) {
    std::error_code ec;
    fs::path c = fs::weakly_canonical(p, ec);
    return ec ? p.lexically_normal() : c;
  };
  return canonical(path).lexically_relative(canonical(workspaceRoot)).generic_string();
}

std::unique_ptr<EventStream> openEventStream(const GlobalOptions& global, std::int64_t runId) {
  if (global.eventsPath.empty()) return nullptr;
  return std::make_unique<EventStream>(global.eventsPath, runId);
}

}  // namespace understudy::cli
