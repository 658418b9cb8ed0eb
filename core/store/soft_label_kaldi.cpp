#include "core/store/soft_label_kaldi.h"

#include <algorithm>

#include "core/store/kaldi_io.h"
#include "core/util/error.h"
#include "core/util/progress.h"

namespace understudy {

void exportSoftLabelsToKaldi(const SoftLabelStore& store, const std::filesystem::path& arkPath,
                             const std::filesystem::path& scpPath, bool binary,
                             ProgressSink* progress) {
  std::vector<std::string> keys = store.keys();
  std::sort(keys.begin(), keys.end());  // byte order = C-locale order
  KaldiArchiveWriter out(arkPath,
                         binary ? KaldiArchiveWriter::Mode::Binary : KaldiArchiveWriter::Mode::Text,
                         scpPath);
  ProgressTracker tracker(progress, "export", static_cast<std::int64_t>(keys.size()), "utt");
  Posterior post;
  for (const std::string& key : keys) {
    tracker.throwIfCancelled();
    SoftLabels s = store.read(key);
    post.assign(static_cast<std::size_t>(s.frames), {});
    for (int t = 0; t < s.frames; ++t) {
      auto& frame = post[static_cast<std::size_t>(t)];
      for (int j = 0; j < s.k; ++j) {
        const float p = s.prob(t, j);
        if (p > 0.0f) frame.emplace_back(static_cast<std::int32_t>(s.id(t, j)), p);
      }
    }
    out.writePosterior(key, post);
    tracker.advance();
  }
  out.commit();
  tracker.finish();
}

SoftLabelImportResult importSoftLabelsFromKaldi(
    const std::filesystem::path& arkOrScp, const std::filesystem::path& storeDir,
    const SoftLabelStoreOptions& options, ProgressSink* progress,
    const std::function<bool(const std::string& key)>& keep) {
  constexpr std::size_t kCommitEvery = 1000;
  SoftLabelImportResult result;
  SoftLabelStore store = SoftLabelStore::openOrCreate(storeDir, options);
  const int k = options.k;
  std::size_t sinceCommit = 0;
  std::vector<std::int32_t> ids;
  std::vector<float> probs;
  std::vector<std::pair<std::int32_t, float>> pairs;
  std::vector<char> used(static_cast<std::size_t>(options.numUnits));

  auto add = [&](const std::string& key, const Posterior& post, const std::filesystem::path& from) {
    if (keep && !keep(key)) {
      if (result.leftOut++ == 0) result.firstLeftOut = key;
      return;
    }
    if (store.contains(key)) {
      ++result.skipped;
      return;
    }
    const int frames = static_cast<int>(post.size());
    ids.assign(static_cast<std::size_t>(frames) * k, 0);
    probs.assign(static_cast<std::size_t>(frames) * k, 0.0f);
    for (int t = 0; t < frames; ++t) {
      auto bad = [&](const std::string& what) {
        return US_ERROR("posterior frame " + std::to_string(t) + ": " + what)
            .file(from.string())
            .utterance(key);
      };
      pairs = post[static_cast<std::size_t>(t)];
      std::fill(used.begin(), used.end(), 0);
      for (const auto& [id, w] : pairs) {
        if (id < 0 || id >= options.numUnits)
          throw bad("unit id " + std::to_string(id) + " is outside 0 … " +
                    std::to_string(options.numUnits - 1))
              .hint("give the number of units of the model these posteriors come from");
        if (used[static_cast<std::size_t>(id)])
          throw bad("unit id " + std::to_string(id) + " appears twice");
        used[static_cast<std::size_t>(id)] = 1;
      }
      std::stable_sort(pairs.begin(), pairs.end(), [](const auto& a, const auto& b) {
        return a.second > b.second || (a.second == b.second && a.first < b.first);
      });
      if (static_cast<int>(pairs.size()) > k) {
        pairs.resize(static_cast<std::size_t>(k));
        double kept = 0.0;
        for (const auto& pr : pairs) kept += pr.second;
        if (kept > 0.0)
          for (auto& pr : pairs) pr.second = static_cast<float>(pr.second / kept);
        ++result.framesTruncated;
      } else if (static_cast<int>(pairs.size()) < k) {
        for (std::int32_t id = 0; static_cast<int>(pairs.size()) < k; ++id) {
          if (!used[static_cast<std::size_t>(id)]) pairs.emplace_back(id, 0.0f);
        }
        ++result.framesPadded;
      }
      for (int j = 0; j < k; ++j) {
        ids[static_cast<std::size_t>(t) * k + j] = pairs[static_cast<std::size_t>(j)].first;
        probs[static_cast<std::size_t>(t) * k + j] = pairs[static_cast<std::size_t>(j)].second;
      }
    }
    try {
      store.append(key, frames, ids.data(), probs.data());
    } catch (Error& e) {
      throw e.file(from.string());
    }
    ++result.imported;
    if (++sinceCommit >= kCommitEvery) {
      store.commit();
      sinceCommit = 0;
    }
  };

  forEachKaldiRecord(arkOrScp, progress, [&](const std::string& key, KaldiArchiveReader& in) {
    add(key, in.readPosterior(), in.path());
  });
  store.commit();
  return result;
}

}  // namespace understudy
