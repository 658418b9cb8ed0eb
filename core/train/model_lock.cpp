#include "core/train/model_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>

#include "core/util/error.h"

namespace understudy::train {

namespace {

std::string hostName() {
  char buf[HOST_NAME_MAX + 1] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "unknown";
  return buf;
}

// What the holder wrote: "pid 123 host name". Empty if unreadable.
std::string readHolder(int fd) {
  char buf[256] = {};
  const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
  if (n <= 0) return {};
  std::string s(buf, static_cast<std::size_t>(n));
  while (!s.empty() && (s.back() == '\n' || s.back() == '\0')) s.pop_back();
  return s;
}

}  // namespace

ModelFolderLock::ModelFolderLock(std::filesystem::path modelDir)
    : m_lockFile(modelDir / kFileName) {
  std::error_code ec;
  std::filesystem::create_directories(modelDir, ec);
  if (ec)
    throw US_ERROR("cannot create the model folder: " + ec.message()).file(modelDir.string());
  m_fd = ::open(m_lockFile.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (m_fd < 0)
    throw US_ERROR(std::string("cannot open the model folder's lock file: ") + std::strerror(errno))
        .file(m_lockFile.string());
  while (::flock(m_fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EINTR) continue;
    const int err = errno;
    const std::string holder = err == EWOULDBLOCK ? readHolder(m_fd) : std::string();
    ::close(m_fd);
    m_fd = -1;
    if (err != EWOULDBLOCK)
      throw US_ERROR(std::string("cannot lock the model folder: ") + std::strerror(err))
          .file(m_lockFile.string());
    throw US_ERROR("model folder " + modelDir.string() + " is in use by another train process" +
                   (holder.empty() ? std::string() : " (" + holder + ")"))
        .file(m_lockFile.string())
        .hint("wait for it to finish or stop it (Ctrl-C checkpoints), then --resume; "
              "or train under another name");
  }
  const std::string me = "pid " + std::to_string(::getpid()) + " host " + hostName() + "\n";
  if (::ftruncate(m_fd, 0) == 0) {
    // Best effort: the lock itself is what counts.
    [[maybe_unused]] const ssize_t n = ::pwrite(m_fd, me.data(), me.size(), 0);
  }
}

ModelFolderLock::~ModelFolderLock() {
  if (m_fd >= 0) ::close(m_fd);  // releases the lock; the file stays (removing it would race)
}

}  // namespace understudy::train
