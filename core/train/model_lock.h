// An exclusive lock on a model folder, so that two `train` processes can never
// write the same WS/models/<name>/ (docs/training.md "One writer per model").
//
// The lock is flock(LOCK_EX) on WS/models/<name>/train.lock, held as long as
// the ModelFolderLock lives. The kernel releases it when the process dies,
// however it dies (SIGKILL included), so there is no stale lock to clean up.
// The holder writes "pid <pid> host <hostname>" into the file, and a second
// process that finds the folder locked names them in its error.
//
//   ModelFolderLock lock(ws.subdir("models") / cfg.name);  // throws if held
//   ... train, checkpoint, export ...
//
// flock() locks belong to the open file, not the process: a second
// ModelFolderLock on the same folder in the same process fails too.
#pragma once

#include <filesystem>
#include <string>

namespace understudy::train {

class ModelFolderLock {
 public:
  // Creates the folder if needed and takes the lock at once (no waiting).
  // Throws understudy::Error naming the folder and the holder if another
  // process holds it.
  explicit ModelFolderLock(std::filesystem::path modelDir);
  ~ModelFolderLock();
  ModelFolderLock(const ModelFolderLock&) = delete;
  ModelFolderLock& operator=(const ModelFolderLock&) = delete;

  const std::filesystem::path& lockFile() const { return m_lockFile; }
  static constexpr const char* kFileName = "train.lock";

 private:
  std::filesystem::path m_lockFile;
  int m_fd = -1;
};

}  // namespace understudy::train
