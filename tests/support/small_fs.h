// A small file system for disk-full tests: a tmpfs of a given size mounted on
// a folder, a ballast file that leaves an exact number of bytes free, and
// "space returns" (drop the ballast, or remount bigger).
//
//   SmallFs fs(dir, 16 << 20);
//   if (!fs.ok()) QSKIP(qPrintable(fs.whyNot()));
//   QVERIFY2(fs.leaveFree(64 * 1024), qPrintable(fs.whyNot()));
//   ... a command fails with ENOSPC ...
//   fs.releaseBallast();
//
// Mounting needs CAP_SYS_ADMIN: root, or a user + mount namespace of our own.
// US_SMALL_FS_TEST_MAIN re-runs a non-root test under `unshare -Urm` (the
// programs it starts share that namespace, so they see the mount); where
// neither works the mount fails, the test must QSKIP naming why, and the
// executable exits 77 (give the CTest entry SKIP_RETURN_CODE 77): never a
// silent pass. The destructor unmounts (lazily if something still holds a file
// open), so a failed test leaves no mount behind.
#pragma once

#include <QString>
#include <QtTest>

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

namespace understudy::test {

// Set when a SmallFs could not mount: US_SMALL_FS_TEST_MAIN then exits 77, so
// CTest (SKIP_RETURN_CODE 77) reports the test as skipped, not passed.
inline bool& smallFsRefused() {
  static bool refused = false;
  return refused;
}

class SmallFs {
 public:
  // Mounts a tmpfs of `sizeBytes` (rounded up to pages) on `dir`, created if
  // missing; whatever `dir` held is hidden until the unmount.
  SmallFs(const QString& dir, qint64 sizeBytes) : m_dir(dir.toStdString()) {
    std::error_code ec;
    std::filesystem::create_directories(m_dir, ec);
    const std::string options = "size=" + std::to_string(sizeBytes) + ",mode=0755";
    if (::mount("understudy-small-fs", m_dir.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, options.c_str()) != 0) {
      m_why = QString("cannot mount a %1-byte tmpfs on %2: %3 (disk-full tests need root, or user namespaces "
                      "for `unshare -Urm`)")
                  .arg(sizeBytes)
                  .arg(dir, QString::fromLocal8Bit(std::strerror(errno)));
      smallFsRefused() = true;
      return;
    }
    m_mounted = true;
  }
  ~SmallFs() { unmount(); }
  SmallFs(const SmallFs&) = delete;
  SmallFs& operator=(const SmallFs&) = delete;

  bool ok() const { return m_mounted; }
  QString whyNot() const { return m_why; }
  QString path() const { return QString::fromStdString(m_dir); }

  // Bytes an unprivileged writer may still use; -1 on error.
  qint64 freeBytes() const {
    struct statvfs s {};
    if (::statvfs(m_dir.c_str(), &s) != 0) return -1;
    return static_cast<qint64>(s.f_bavail) * static_cast<qint64>(s.f_frsize);
  }
  qint64 blockSize() const {
    struct statvfs s {};
    return ::statvfs(m_dir.c_str(), &s) == 0 ? static_cast<qint64>(s.f_frsize) : 4096;
  }

  // Grows the ballast file so that exactly `bytes` stay free (rounded down to
  // whole blocks). False, with whyNot(), if there is less than that.
  bool leaveFree(qint64 bytes) {
    bytes -= bytes % blockSize();
    releaseBallast();
    const qint64 free = freeBytes();
    if (free < bytes) {
      m_why = QString("only %1 bytes free on %2, %3 wanted").arg(free).arg(path()).arg(bytes);
      return false;
    }
    if (free > bytes) {
      const int fd = ::open(ballastPath().c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      const int rc = fd < 0 ? errno : ::posix_fallocate(fd, 0, static_cast<off_t>(free - bytes));
      if (fd >= 0) ::close(fd);
      if (rc != 0) {
        m_why = QString("cannot write the ballast %1: %2")
                    .arg(QString::fromStdString(ballastPath()), QString::fromLocal8Bit(std::strerror(rc)));
        return false;
      }
    }
    if (freeBytes() != bytes) {
      m_why = QString("the ballast left %1 bytes free on %2, not %3").arg(freeBytes()).arg(path()).arg(bytes);
      return false;
    }
    return true;
  }

  // Space returns: the ballast goes.
  void releaseBallast() { ::unlink(ballastPath().c_str()); }

  // Space returns another way: the file system grows (or shrinks) in place.
  bool resize(qint64 sizeBytes) {
    const std::string options = "size=" + std::to_string(sizeBytes);
    if (::mount("understudy-small-fs", m_dir.c_str(), "tmpfs", MS_REMOUNT | MS_NOSUID | MS_NODEV,
                options.c_str()) != 0) {
      m_why = QString("cannot remount %1 with %2: %3")
                  .arg(path(), QString::fromStdString(options), QString::fromLocal8Bit(std::strerror(errno)));
      return false;
    }
    return true;
  }

  void unmount() {
    if (!m_mounted) return;
    if (::umount2(m_dir.c_str(), 0) != 0) ::umount2(m_dir.c_str(), MNT_DETACH);  // busy: detach now, free later
    m_mounted = false;
  }

 private:
  std::string ballastPath() const { return m_dir + "/.ballast"; }

  std::string m_dir;
  bool m_mounted = false;
  QString m_why;
};

// Before Qt starts: a test that is not root runs itself again inside a new
// user and mount namespace (`unshare -Urm`), where it may mount a tmpfs. If
// unshare is missing or refused, the test runs on as it is and its SmallFs
// reports why it cannot mount.
inline void reexecInMountNamespaceUnlessRoot(int argc, char** argv) {
  if (::geteuid() == 0 || std::getenv("UNDERSTUDY_SMALL_FS_UNSHARED")) return;
  if (std::system("unshare -Urm true >/dev/null 2>&1") != 0) return;  // no namespaces here
  std::string self(4096, '\0');
  const ssize_t n = ::readlink("/proc/self/exe", &self[0], self.size() - 1);
  if (n <= 0) return;
  self.resize(static_cast<std::size_t>(n));
  ::setenv("UNDERSTUDY_SMALL_FS_UNSHARED", "1", 1);
  std::vector<std::string> words{"unshare", "-Urm", "--", self};
  for (int i = 1; i < argc; ++i) words.emplace_back(argv[i]);
  std::vector<char*> args;
  for (auto& w : words) args.push_back(&w[0]);
  args.push_back(nullptr);
  ::execvp("unshare", args.data());
  // Only reached if unshare could not be started: go on without the namespace.
}

}  // namespace understudy::test

#define US_SMALL_FS_TEST_MAIN(TestObject)                                   \
  int main(int argc, char** argv) {                                         \
    ::understudy::test::reexecInMountNamespaceUnlessRoot(argc, argv);       \
    QCoreApplication app(argc, argv);                                       \
    TestObject tc;                                                          \
    QTEST_SET_MAIN_SOURCE_PATH                                              \
    const int rc = QTest::qExec(&tc, argc, argv);                           \
    return rc == 0 && ::understudy::test::smallFsRefused() ? 77 : rc;       \
  }
