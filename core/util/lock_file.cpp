#include "core/util/lock_file.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <climits>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iterator>
#include <sstream>
#include <thread>
#include <utility>
#include <vector>

#include "core/util/error.h"
#include "core/util/shell_quote.h"

namespace understudy {

namespace {

constexpr std::size_t kMaxCommandChars = 400;  // a record stays far below a page
constexpr int kStaleRereads = 20;              // x kStaleWait: how long a new holder may take to write
constexpr auto kStaleWait = std::chrono::milliseconds(10);

std::string errnoText() { return std::strerror(errno); }

std::string hostName() {
  char buf[HOST_NAME_MAX + 1] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "unknown";
  return buf;
}

std::string utcNow() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buf;
}

// A word as a user would type it: bare when a shell would read it back
// unchanged, shell-quoted otherwise.
std::string readableWord(const std::string& word) {
  const bool plain = !word.empty() && word.find_first_not_of(
                                          "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                          "0123456789_-./=:,+@%") == std::string::npos;
  return plain ? word : shellQuote(word);
}

// This process's argv, quoted where needed, the program without its directory; one line.
std::string commandLine() {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  const std::string raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::string> words;
  std::string word;
  for (char ch : raw) {
    if (ch != '\0') {
      word += ch == '\n' ? ' ' : ch;
      continue;
    }
    words.push_back(std::move(word));
    word.clear();
  }
  if (!word.empty()) words.push_back(std::move(word));
  if (words.empty()) return "?";
  words.front() = std::filesystem::path(words.front()).filename().string();
  std::string out;
  for (const std::string& w : words) out += (out.empty() ? "" : " ") + readableWord(w);
  if (out.size() > kMaxCommandChars) out = out.substr(0, kMaxCommandChars) + " ...";
  return out;
}

bool pidAlive(long pid) { return pid > 0 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM); }

std::string readAll(int fd) {
  char buf[2048];
  const ssize_t n = ::pread(fd, buf, sizeof buf, 0);
  return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
}

// The holder of a lock we were just refused. A record that is missing, or
// names a process of this host that has ended, was left by an earlier holder:
// the new one has the lock but has not written its record yet; read again.
// After kStaleRereads the record is shown as it is (a holder in another pid
// namespace of this host looks ended but is not).
std::optional<LockHolder> currentHolder(int fd) {
  const std::string myHost = hostName();
  for (int attempt = 0;; ++attempt) {
    std::optional<LockHolder> h = LockHolder::decode(readAll(fd));
    const bool stale = !h || (h->host == myHost && !pidAlive(h->pid));
    if (!stale || attempt == kStaleRereads) return h;
    std::this_thread::sleep_for(kStaleWait);
  }
}

}  // namespace

std::string LockHolder::describe() const {
  std::string s = "pid " + std::to_string(pid) + " on host " + host;
  if (!started.empty()) s += ", since " + started;
  if (!command.empty()) s += ": " + command;
  return s;
}

std::string LockHolder::encode() const {
  return "pid " + std::to_string(pid) + "\nhost " + host + "\nstarted " + started + "\ncommand " +
         command + "\n";
}

std::optional<LockHolder> LockHolder::decode(const std::string& text) {
  LockHolder h;
  bool havePid = false, haveHost = false, haveStarted = false, haveCommand = false;
  std::istringstream in(text);
  std::string line;
  // Only whole lines count, and only the first of each key: bytes of a longer
  // earlier record may follow the newest one until the holder truncates the file.
  while (std::getline(in, line) && !in.eof()) {
    const auto space = line.find(' ');
    const std::string key = line.substr(0, space);
    const std::string value = space == std::string::npos ? std::string() : line.substr(space + 1);
    if (key == "pid" && !havePid) {
      try {
        h.pid = std::stol(value);
      } catch (const std::exception&) {
        return std::nullopt;
      }
      havePid = true;
    } else if (key == "host" && !haveHost) {
      h.host = value;
      haveHost = true;
    } else if (key == "started" && !haveStarted) {
      h.started = value;
      haveStarted = true;
    } else if (key == "command" && !haveCommand) {
      h.command = value;
      haveCommand = true;
    }
  }
  if (!havePid) return std::nullopt;
  return h;
}

LockHolder LockHolder::self() {
  LockHolder h;
  h.pid = static_cast<long>(::getpid());
  h.host = hostName();
  h.started = utcNow();
  h.command = commandLine();
  return h;
}

LockFile::LockFile(std::filesystem::path path, const std::string& refusal, const std::string& hint)
    : m_path(std::move(path)) {
  m_fd = ::open(m_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (m_fd < 0) throw US_ERROR("cannot open the lock file: " + errnoText()).file(m_path.string());
  while (::flock(m_fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EINTR) continue;
    const int err = errno;
    std::optional<LockHolder> holder;
    if (err == EWOULDBLOCK) holder = currentHolder(m_fd);
    ::close(m_fd);
    m_fd = -1;
    if (err != EWOULDBLOCK)
      throw US_ERROR(std::string("cannot lock: ") + std::strerror(err)).file(m_path.string());
    throw US_ERROR(refusal + " (" +
                   (holder ? holder->describe() : std::string("its pid is not recorded yet")) + ")")
        .file(m_path.string())
        .hint(hint);
  }
  // The record goes over the old one in one write, then the file is cut to
  // it; a reader in between sees the new record first (decode() keeps the
  // first of each line). Best effort: the lock itself is what counts.
  const std::string record = LockHolder::self().encode();
  if (::pwrite(m_fd, record.data(), record.size(), 0) == static_cast<ssize_t>(record.size())) {
    [[maybe_unused]] const int rc = ::ftruncate(m_fd, static_cast<off_t>(record.size()));
  }
}

LockFile::~LockFile() {
  if (m_fd >= 0) ::close(m_fd);  // releases the lock
}

LockFile::LockFile(LockFile&& other) noexcept
    : m_path(std::move(other.m_path)), m_fd(std::exchange(other.m_fd, -1)) {}

LockFile& LockFile::operator=(LockFile&& other) noexcept {
  if (this != &other) {
    if (m_fd >= 0) ::close(m_fd);
    m_path = std::move(other.m_path);
    m_fd = std::exchange(other.m_fd, -1);
  }
  return *this;
}

std::optional<LockHolder> LockFile::recordedHolder(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::optional<LockHolder> h = LockHolder::decode(readAll(fd));
  ::close(fd);
  return h;
}

}  // namespace understudy
