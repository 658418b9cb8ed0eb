#include "core/corpus/feature_extraction.h"

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "core/audio/audio_io.h"
#include "core/audio/cmvn.h"
#include "core/store/feature_store.h"
#include "core/store/workspace.h"
#include "core/util/checksum.h"
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

std::string featureConfigHash8(const FbankOptions& options) {
  return toHex(checksum64(options.toYaml())).substr(0, 8);
}

namespace {

struct UtteranceRow {
  std::int64_t id = 0;
  std::string key;
  std::string audioPath;
  double offset = 0.0;
  double duration = 0.0;
};

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
  SQLite::Database& db = workspace.db();

  std::int64_t datasetId = 0;
  std::string kind;
  ChannelMode channels = ChannelMode::First;
  {
    SQLite::Statement q(db, "SELECT id, kind, metadata FROM datasets WHERE name = ?");
    q.bind(1, dataset);
    if (!q.executeStep())
      throw US_ERROR("no dataset named '" + dataset + "' in this workspace")
          .hint("see `understudy-cli corpus list -w WS`; import one with `corpus import`");
    datasetId = q.getColumn(0).getInt64();
    kind = q.getColumn(1).getString();
    auto meta = nlohmann::json::parse(q.getColumn(2).getString(), nullptr, false);
    if (meta.is_object() && meta.value("channels", std::string()) == "downmix")
      channels = ChannelMode::Downmix;
  }
  std::vector<UtteranceRow> utts;
  {
    SQLite::Statement q(db,
                        "SELECT id, key, audio_path, offset_s, duration_s FROM utterances "
                        "WHERE dataset_id = ? AND status = 'ok' ORDER BY key");
    q.bind(1, datasetId);
    while (q.executeStep()) {
      // Relative audio paths (the synthetic corpus, materialised pipes) live in the workspace.
      fs::path audio(q.getColumn(2).getString());
      if (audio.is_relative()) audio = workspace.root() / audio;
      utts.push_back({q.getColumn(0).getInt64(), q.getColumn(1).getString(), audio.string(),
                      q.getColumn(3).getDouble(), q.getColumn(4).getDouble()});
    }
  }

  const Fbank fbank(options.fbank);
  const std::string configYaml = options.fbank.toYaml();
  FeatureExtractionSummary summary;
  summary.dataset = dataset;
  summary.configHash = toHex(checksum64(configYaml));
  summary.name = dataset + "-" + summary.configHash.substr(0, 8);
  summary.storePath = "features/" + summary.name;
  summary.dims = fbank.dim();
  const fs::path storeDir = workspace.subdir("features") / summary.name;

  FeatureStore store = FeatureStore::openOrCreate(storeDir, summary.dims);
  if (store.metadata().empty()) store.setMetadata(configYaml);

  std::int64_t featureSetId = 0;
  {
    SQLite::Statement ins(db,
                          "INSERT OR IGNORE INTO feature_sets (dataset_id, name, config, "
                          "config_hash, path, dims) VALUES (?, ?, ?, ?, ?, ?)");
    ins.bind(1, datasetId);
    ins.bind(2, summary.name);
    ins.bind(3, configYaml);
    ins.bind(4, summary.configHash);
    ins.bind(5, summary.storePath);
    ins.bind(6, summary.dims);
    ins.exec();
    SQLite::Statement q(db, "SELECT id FROM feature_sets WHERE dataset_id = ? AND config_hash = ?");
    q.bind(1, datasetId);
    q.bind(2, summary.configHash);
    q.executeStep();
    featureSetId = q.getColumn(0).getInt64();
  }
  auto updateRow = [&](bool complete) {
    SQLite::Statement up(db,
                         "UPDATE feature_sets SET num_utterances = ?, num_frames = ?, status = ? "
                         "WHERE id = ?");
    up.bind(1, static_cast<std::int64_t>(store.size()));
    up.bind(2, static_cast<std::int64_t>(store.totalFrames()));
    up.bind(3, complete ? "complete" : "partial");
    up.bind(4, featureSetId);
    up.exec();
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
      SQLite::Transaction tx(db);
      SQLite::Statement mark(db, "UPDATE utterances SET status = 'skipped', reason = ? WHERE id = ?");
      for (auto& [u, why] : failedNow) {
        const std::string reason = "features: " + why;
        log::warning("features: utterance '{}' skipped: {}", u->key, why);
        summary.failures.push_back({u->key, reason});
        ++summary.failed;
        mark.bind(1, reason);
        mark.bind(2, u->id);
        mark.exec();
        mark.reset();
        SQLite::Statement counts(
            db,
            "UPDATE datasets SET num_utterances = num_utterances - 1, num_skipped = num_skipped + "
            "1, total_seconds = MAX(0, total_seconds - ?) WHERE id = ?");
        counts.bind(1, u->duration);
        counts.bind(2, datasetId);
        counts.exec();
      }
      tx.commit();
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
