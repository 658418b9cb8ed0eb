// One writer at a time: an exclusive flock() on a lock file that also records
// who holds it, so a refused process can say who is in the way.
//
//   LockFile lock(storeDir / "lock", "features/fbank80 is being written by another process",
//                 "wait for it or stop it; readers may open the store at any time");
//   ... write ...                       // released when `lock` dies
//
// A second LockFile on the same path (another process, or the same process
// through another open file) throws understudy::Error:
//
//   <path>: features/fbank80 is being written by another process (pid 4242 on
//   host vm, since 2026-12-02 06:10:03 UTC: understudy-cli features -w ws
//   --dataset d); (hint: wait for it or stop it; ...)
//
// The holder record is four lines written over the file in one pwrite()
// after the lock is taken ("pid N", "host H", "started ISO", "command ARGV"):
// the command is /proc/self/cmdline, shell-quoted, the program's directory
// left off. The kernel drops an flock when its process dies, however it dies
// (SIGKILL included), so there is never a stale lock to clean up; a stale
// *record* (the previous holder's, read in the moment between a new holder's
// flock and its write) is recognised by its pid being gone on this host and
// read again. The file stays after release (removing it would race with a
// process that has it open and is about to lock it).
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace understudy {

struct LockHolder {
  long pid = 0;
  std::string host;
  std::string started;  // "2026-12-02 06:10:03 UTC"
  std::string command;  // "understudy-cli features -w ws --dataset d"

  // "pid 4242 on host vm, since 2026-12-02 06:10:03 UTC: understudy-cli features ..."
  std::string describe() const;
  // The record as written into the lock file.
  std::string encode() const;
  // Parses a record; nullopt if it has no pid line (empty, or unreadable).
  static std::optional<LockHolder> decode(const std::string& text);
  // This process: pid, host name, now, its command line.
  static LockHolder self();
};

class LockFile {
 public:
  // Creates the file if needed and takes the lock at once (no waiting).
  // Refused: throws understudy::Error "<refusal> (<holder>)" with .file(path)
  // and .hint(hint); `refusal` names what is held and by what, e.g.
  // "features/fbank80 is being written by another process". Other failures
  // (cannot create the file) throw naming the path too.
  LockFile(std::filesystem::path path, const std::string& refusal, const std::string& hint);
  ~LockFile();
  LockFile(LockFile&& other) noexcept;
  LockFile& operator=(LockFile&& other) noexcept;
  LockFile(const LockFile&) = delete;
  LockFile& operator=(const LockFile&) = delete;

  const std::filesystem::path& path() const { return m_path; }

  // The holder recorded in the file at `path` (the last process that took the
  // lock: it may have ended since); nullopt if there is no file or no record.
  static std::optional<LockHolder> recordedHolder(const std::filesystem::path& path);

 private:
  std::filesystem::path m_path;
  int m_fd = -1;
};

}  // namespace understudy
