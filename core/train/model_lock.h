// An exclusive lock on a model folder, so that two `train` processes can never
// write the same WS/models/<name>/ (docs/training.md "One writer per model").
//
// The lock is flock(LOCK_EX) on WS/models/<name>/train.lock, held as long as
// the ModelFolderLock lives. The kernel releases it when the process dies,
// however it dies (SIGKILL included), so there is no stale lock to clean up.
// The holder records its pid, host, start time and command line in the file
// (core/util/lock_file.h), and a second process that finds the folder locked
// names them in its error.
//
//   ModelFolderLock lock(ws.subdir("models") / cfg.name);  // throws if held
//   ... train, checkpoint, export ...
//
// flock() locks belong to the open file, not the process: a second
// ModelFolderLock on the same folder in the same process fails too.
#pragma once

#include <filesystem>
#include <string>

#include "core/util/lock_file.h"

namespace understudy::train {

class ModelFolderLock {
 public:
  // Creates the folder if needed and takes the lock at once (no waiting).
  // Throws understudy::Error naming the folder and the holder if another
  // process holds it.
  explicit ModelFolderLock(std::filesystem::path modelDir);

  const std::filesystem::path& lockFile() const { return m_lock.path(); }
  static constexpr const char* kFileName = "train.lock";

 private:
  LockFile m_lock;
};

}  // namespace understudy::train
