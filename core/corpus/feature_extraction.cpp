#include "core/corpus/feature_extraction.h"

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "core/audio/audio_io.h"
#include "core/audio/cmvn.h"
#include "core/store/catalog.h"
#include "core/store/feature_store.h"
#include "core/store/workspace.h"
#include "core/util/config_hash.h"
#include "core/util/error.h"
#include "core/util/log.h"
#include "core/util/progress.h"

namespace understudy::corpus {

namespace fs = std::filesystem;

void FeatureExtractionOptions::validate() const {
  fbank.validate();
  if (jobs < 1 || jobs > 256)
    throw US_ERROR(fmt::format("jobs = {} is outside [1, 256]", jobs)).key("jobs");
  if (commitEvery < 1 || commitEvery > 1000000)
    throw US_ERROR(fmt::format("commit_every = {} is outside [1, 1000000]", commitEvery))
        .key("commit_every");
}

namespace {

// Global CMVN statistics over every frame of the store (written at completion,
// so a resumed run counts each utterance once).
void writeGlobalCmvn(const FeatureStore& store, const fs::path& path) {
  CmvnStats stats(store.dims());
  for (const std::string& key : store.keys()) {
    FeatureMatrixView m = store.read(key);
    stats.accumulate(m.data, m.frames, m.dims);
  }
  stats.save(path.string());
}

struct Computed {
  std::vector<float> features;
  int frames = 0;
  double seconds = 0.0;
  std::string error;  // non-empty: failed
};

}  // namespace

FeatureExtractionSummary extractFeatures(Workspace& workspace, const std::string& dataset,
                                         const FeatureExtractionOptions& options,
                                         ProgressSink* progress) {
  options.validate();
  const auto started = std::chrono::steady_clock::now();
  Catalog catalog(workspace);
  const DatasetRow datasetRow = catalog.dataset(dataset);
  const std::int64_t datasetId = datasetRow.id;
  const std::string& kind = datasetRow.kind;
  ChannelMode channels = ChannelMode::First;
  {
    auto meta = nlohmann::json::parse(datasetRow.metadata, nullptr, false);
    if (meta.is_object() && meta.value("channels", std::string()) == "downmix")
      channels = ChannelMode::Downmix;
  }
  std::vector<UtteranceRow> utts = catalog.utterances(datasetId);
  // Relative audio paths (the synthetic corpus, materialised pipes) live in the workspace.
  for (UtteranceRow& u : utts) {
    const fs::path audio(u.audioPath);
    if (audio.is_relative()) u.audioPath = (workspace.root() / audio).string();
  }

  const Fbank fbank(options.fbank);
  const std::string configYaml = options.fbank.toYaml();
  FeatureExtractionSummary summary;
  summary.dataset = dataset;
  summary.configHash = configHash(configYaml);
  summary.name = dataset + "-" + summary.configHash.substr(0, 8);
  summary.storePath = "features/" + summary.name;
  summary.dims = fbank.dim();
  const fs::path storeDir = workspace.subdir("features") / summary.name;

  FeatureStore store = FeatureStore::openOrCreate(storeDir, summary.dims);
  if (store.metadata().empty()) store.setMetadata(configYaml);

  FeatureSetRow featureSet;
  featureSet.datasetId = datasetId;
  featureSet.name = summary.name;
  featureSet.config = configYaml;
  featureSet.configHash = summary.configHash;
  featureSet.path = summary.storePath;
  featureSet.dims = summary.dims;
  const std::int64_t featureSetId = catalog.registerFeatureSet(featureSet).id;
  auto updateRow = [&](bool complete) {
    catalog.updateFeatureSet(featureSetId, static_cast<std::int64_t>(store.size()),
                             static_cast<std::int64_t>(store.totalFrames()), complete);
  };
  updateRow(false);

  std::vector<const UtteranceRow*> todo;
  for (const auto& u : utts) {
    if (store.contains(u.key))
      ++summary.alreadyStored;
    else
      todo.push_back(&u);
  }
  log::debug("features: {} utterances in '{}', {} already in {}, {} to compute with {} job(s)",
            utts.size(), dataset, summary.alreadyStored, summary.storePath, todo.size(),
            options.jobs);

  AudioReadOptions readOptions;
  readOptions.targetSampleRate = static_cast<int>(std::lround(options.fbank.sampleFrequency));
  readOptions.channels = channels;

  ProgressTracker tracker(progress, "features", static_cast<std::int64_t>(todo.size()), "utt");
  auto computeOne = [&](const UtteranceRow& u, Computed& out) {
    try {
      Audio audio = readAudio(u.audioPath, readOptions, u.offset, u.duration);
      out.seconds = audio.durationSeconds();
      out.frames = fbank.numFrames(static_cast<std::int64_t>(audio.samples.size()));
      if (out.frames <= 0) {
        out.error = fmt::format("{:.3f} s of audio give no {} ms frame", out.seconds,
                                options.fbank.frameLengthMs);
        return;
      }
      out.features = fbank.compute(audio.samples);
    } catch (const Error& e) {
      out.error = e.what_();
    } catch (const std::exception& e) {
      out.error = e.what();
    }
  };

  const std::size_t batch = static_cast<std::size_t>(options.commitEvery);
  for (std::size_t begin = 0; begin < todo.size(); begin += batch) {
    tracker.throwIfCancelled();
    const std::size_t end = std::min(todo.size(), begin + batch);
    std::vector<Computed> results(end - begin);
    std::atomic<std::size_t> next{begin};
    auto worker = [&] {
      for (std::size_t i = next++; i < end; i = next++) {
        if (tracker.cancelled()) return;
        computeOne(*todo[i], results[i - begin]);
      }
    };
    const int threads = std::min<int>(options.jobs, static_cast<int>(end - begin));
    if (threads <= 1) {
      worker();
    } else {
      std::vector<std::thread> pool;
      for (int t = 0; t < threads; ++t) pool.emplace_back(worker);
      for (auto& th : pool) th.join();
    }
    tracker.throwIfCancelled();  // nothing of an interrupted batch is appended

    std::vector<std::pair<const UtteranceRow*, std::string>> failedNow;
    for (std::size_t i = begin; i < end; ++i) {
      Computed& c = results[i - begin];
      if (!c.error.empty()) {
        failedNow.emplace_back(todo[i], c.error);
        continue;
      }
      store.append(todo[i]->key, c.features.data(), c.frames);
      ++summary.computed;
      summary.audioSeconds += c.seconds;
    }
    store.commit();
    if (!failedNow.empty()) {
      // The dataset no longer counts them: training finds every 'ok' utterance in the store.
      std::vector<SkippedUtterance> skipped;
      for (auto& [u, why] : failedNow) {
        const std::string reason = "features: " + why;
        log::warning("features: utterance '{}' skipped: {}", u->key, why);
        summary.failures.push_back({u->key, reason});
        ++summary.failed;
        skipped.push_back({u->id, reason, u->duration});
      }
      catalog.skipUtterances(datasetId, skipped);
    }
    updateRow(false);
    log::debug("features: committed {}/{} utterances", store.size(), utts.size());
    if (options.afterCommit) options.afterCommit(store.size());
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    tracker.set(static_cast<std::int64_t>(end),
                fmt::format("{:.0f}x real time", wall > 0 ? summary.audioSeconds / wall : 0.0));
  }

  summary.storedUtterances = store.size();
  summary.storedFrames = store.totalFrames();
  summary.complete = true;
  if (kind == "labeled" && store.size() > 0) {
    writeGlobalCmvn(store, storeDir / "cmvn.stats");
    summary.cmvnWritten = true;
  }
  updateRow(true);
  summary.wallSeconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  tracker.finish(fmt::format("{} computed, {} already stored, {} failed, {:.0f}x real time",
                             summary.computed, summary.alreadyStored, summary.failed,
                             summary.realTimeFactor()));
  return summary;
}

}  // namespace understudy::corpus
