#include "core/util/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/util/error.h"
#include "core/util/fault_point.h"

namespace understudy {
namespace {

std::atomic<unsigned> g_counter{0};

std::string errnoText() { return std::strerror(errno); }

}  // namespace

AtomicFile::AtomicFile(std::filesystem::path target) : m_target(std::move(target)) {
  m_temp = m_target;
  m_temp += ".tmp." + std::to_string(::getpid()) + "." + std::to_string(g_counter++);
  m_fd = ::open(m_temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (m_fd < 0) {
    throw US_ERROR("cannot create temporary file: " + errnoText())
        .file(m_temp.string())
        .hint("check that the folder exists and is writable");
  }
}

AtomicFile::~AtomicFile() {
  if (m_fd >= 0) ::close(m_fd);
  if (!m_committed) {
    std::error_code ignored;
    std::filesystem::remove(m_temp, ignored);
  }
}

void AtomicFile::write(const void* data, std::size_t size) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t n = ::write(m_fd, p, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw US_ERROR("write failed: " + errnoText())
          .file(m_target.string())
          .hint(errno == ENOSPC ? "the disk is full; free space and retry — the old file is intact"
                                : "the old file is intact");
    }
    p += n;
    size -= static_cast<std::size_t>(n);
  }
}

void AtomicFile::sync() {
  if (::fsync(m_fd) != 0)
    throw US_ERROR("fsync failed: " + errnoText()).file(m_temp.string());
}

void AtomicFile::commit() {
  if (m_committed) return;
  sync();
  if (::close(m_fd) != 0) {
    m_fd = -1;
    throw US_ERROR("close failed: " + errnoText()).file(m_temp.string());
  }
  m_fd = -1;
  US_FAULT_POINT("atomic_file.before_rename");
  if (::rename(m_temp.c_str(), m_target.c_str()) != 0)
    throw US_ERROR("rename failed: " + errnoText()).file(m_target.string());
  m_committed = true;
  syncDirectory(m_target.has_parent_path() ? m_target.parent_path() : ".");
}

void writeFileAtomically(const std::filesystem::path& target, std::string_view contents) {
  AtomicFile out(target);
  out.write(contents);
  out.commit();
}

void syncDirectory(const std::filesystem::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;  // not fatal: some filesystems refuse directory fds
  ::fsync(fd);
  ::close(fd);
}

std::string readFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw US_ERROR("cannot open file for reading").file(path.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace understudy
