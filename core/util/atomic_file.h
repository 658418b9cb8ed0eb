// Atomic file writes: temp file in the same folder + fsync + rename + fsync(dir).
//
// A reader sees either the old file or the complete new one, never a mix,
// even if the writer is killed or the disk fills up midway.
//
//   AtomicFile out(path);        // creates "<path>.tmp.<pid>.<n>"
//   out.write(bytes);            // throws understudy::Error on ENOSPC etc.
//   out.commit();                // fsync, rename over `path`, fsync the folder
//
// Destroying an AtomicFile that was not committed removes the temp file.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

namespace understudy {

class AtomicFile {
 public:
  explicit AtomicFile(std::filesystem::path target);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  void write(const void* data, std::size_t size);
  void write(std::string_view text) { write(text.data(), text.size()); }
  // Flushes to the temp file without making it visible (used by tests).
  void sync();
  void commit();

  const std::filesystem::path& target() const { return m_target; }
  const std::filesystem::path& tempPath() const { return m_temp; }

 private:
  std::filesystem::path m_target;
  std::filesystem::path m_temp;
  int m_fd = -1;
  bool m_committed = false;
};

// Replaces `target` atomically with `contents`.
void writeFileAtomically(const std::filesystem::path& target, std::string_view contents);
// fsync()s a folder so a rename inside it is durable.
void syncDirectory(const std::filesystem::path& dir);
std::string readFile(const std::filesystem::path& path);

}  // namespace understudy
