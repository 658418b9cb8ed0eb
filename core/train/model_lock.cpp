#include "core/train/model_lock.h"

#include "core/util/error.h"

namespace understudy::train {

namespace {

// Creates the folder first: the lock file lives in it.
std::filesystem::path lockPathIn(const std::filesystem::path& modelDir) {
  std::error_code ec;
  std::filesystem::create_directories(modelDir, ec);
  if (ec)
    throw US_ERROR("cannot create the model folder: " + ec.message()).file(modelDir.string());
  return modelDir / ModelFolderLock::kFileName;
}

}  // namespace

ModelFolderLock::ModelFolderLock(std::filesystem::path modelDir)
    : m_lock(lockPathIn(modelDir),
             "model folder " + modelDir.string() + " is in use by another train process",
             "wait for it to finish or stop it (Ctrl-C checkpoints), then --resume; "
             "or train under another name") {}

}  // namespace understudy::train
