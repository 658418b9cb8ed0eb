// Soft-label stores to and from Kaldi Posterior archives (binary or text),
// e.g. for `copy-post`, `post-to-feats` or a Kaldi nnet3 KD recipe
// (docs/formats.md, "Soft labels as Kaldi posteriors").
//
//   exportSoftLabelsToKaldi(SoftLabelStore::open(dir), "post.ark", "post.scp", true);
//   importSoftLabelsFromKaldi("post.ark", dir2, options);
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>

#include "core/store/soft_label_store.h"

namespace understudy {

class ProgressSink;

// Every utterance (keys in C-locale order, as Kaldi tools expect), each
// frame as its (id, p) pairs in stored order (decreasing p) with the
// dequantised probabilities; pairs with p = 0 are left out. The ark (and
// the scp, if scpPath is not empty) appear atomically.
void exportSoftLabelsToKaldi(const SoftLabelStore& store, const std::filesystem::path& arkPath,
                             const std::filesystem::path& scpPath, bool binary,
                             ProgressSink* progress = nullptr);

struct SoftLabelImportResult {
  std::size_t imported = 0;
  std::size_t skipped = 0;          // keys already in the store (resumed import)
  std::size_t framesTruncated = 0;  // frames with more than k pairs: the k largest kept, rescaled
  std::size_t framesPadded = 0;     // frames with fewer than k pairs: padded with p = 0
  std::size_t leftOut = 0;          // records `keep` refused (not stored)
  std::string firstLeftOut;         // the key of the first of them
};

// Reads posteriors from an ark, or from an scp (by extension `.scp`), into
// the store at storeDir (created with `options`, or resumed: keys already
// there are skipped). Per frame the pairs are sorted by decreasing weight
// (ties: smaller id first); more than k pairs keep the k largest, rescaled to
// sum to 1; fewer are padded with the smallest unused ids at p = 0. A
// duplicate or out-of-range id, a negative weight or a sum off 1 by more
// than 1e-3 is refused naming the file, utterance and frame. Commits every
// 1000 utterances. With `keep`, a record whose key it refuses is read (so
// it must still be well-formed) but not stored, and counted in leftOut.
SoftLabelImportResult importSoftLabelsFromKaldi(
    const std::filesystem::path& arkOrScp, const std::filesystem::path& storeDir,
    const SoftLabelStoreOptions& options, ProgressSink* progress = nullptr,
    const std::function<bool(const std::string& key)>& keep = {});

}  // namespace understudy
