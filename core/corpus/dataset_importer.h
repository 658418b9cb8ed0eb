// Importing a dataset into a workspace: a Kaldi data dir or a JSONL manifest
// becomes one `datasets` row and one `utterances` row per utterance.
//
//   ImportOptions opt;  opt.name = "train-clean";  opt.kind = DatasetKind::Labeled;
//   DatasetImporter importer(ws, opt, &progress);
//   ImportSummary s = importer.importKaldiDir("data/train");
//
// Every utterance's audio is probed (libsndfile): missing, unreadable,
// truncated, empty or wrongly sampled files, segments past the end of their
// recording, durations that disagree with the manifest and missing or empty
// transcripts (labeled and test sets) make the utterance 'skipped' with its
// reason — it is still stored, so the GUI can show it — and never abort the
// import. All rows are written in one transaction: a failed or cancelled
// import leaves no half dataset. Reason strings: docs/corpus.md.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "core/audio/audio_io.h"
#include "core/corpus/source_utterance.h"

namespace understudy {
class ProgressSink;
class Workspace;
}  // namespace understudy

namespace understudy::corpus {

enum class DatasetKind { Labeled, Unlabeled, Test };
const char* datasetKindName(DatasetKind kind);  // "labeled", "unlabeled", "test"
// Throws understudy::Error listing the accepted names.
DatasetKind parseDatasetKind(const std::string& name);

struct ImportOptions {
  std::string name;                          // datasets.name, unique in the workspace
  DatasetKind kind = DatasetKind::Labeled;   // labeled and test sets need transcripts
  ChannelMode channels = ChannelMode::First;  // how features read multi-channel audio
  bool allowPipes = false;                   // run wav.scp "cmd |" entries (a shell!)
  double durationToleranceSeconds = 0.1;     // manifest duration / segment end vs the audio
  int minSampleRate = 16000;  // below this, 16 kHz features would have empty upper bins
  double minDurationSeconds = 0.025;  // shorter than one 25 ms frame gives no features

  // Throws understudy::Error naming the bad field.
  void validate() const;
};

struct SkippedUtterance {
  std::string key;
  std::string category;  // e.g. "audio file not found", "duration mismatch"
  std::string reason;    // full reason, as stored in utterances.reason
};

struct ImportSummary {
  std::int64_t datasetId = 0;
  std::string name;
  std::string source;  // "kaldi" | "manifest"
  std::size_t imported = 0;
  std::size_t skipped = 0;
  double totalSeconds = 0.0;  // of the imported utterances
  std::map<std::string, std::size_t> skippedByCategory;
  std::vector<SkippedUtterance> skippedUtterances;  // in key order
  std::vector<SourceIssue> issues;                  // bad lines and fixes of the source
};

// What to do about utterances skipped for `category` (one line, for summaries).
std::string skipCategoryHint(const std::string& category);

class DatasetImporter {
 public:
  DatasetImporter(Workspace& workspace, ImportOptions options, ProgressSink* progress = nullptr);

  ImportSummary importKaldiDir(const std::filesystem::path& dir);
  ImportSummary importManifest(const std::filesystem::path& file);
  // Checks every utterance's audio and writes the dataset; throws
  // understudy::Error (and writes nothing) if the name is taken, the source
  // has no transcripts for a labeled/test set, no utterance survives, or the
  // import is cancelled.
  ImportSummary importSource(const ParsedSource& source);

 private:
  Workspace& m_workspace;
  ImportOptions m_options;
  ProgressSink* m_progress;
};

}  // namespace understudy::corpus
