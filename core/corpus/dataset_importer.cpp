#include "core/corpus/dataset_importer.h"

#include <fmt/format.h>
#include <sys/wait.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>

#include "core/corpus/kaldi_data_dir.h"
#include "core/corpus/manifest.h"
#include "core/store/catalog.h"
#include "core/store/workspace.h"
#include "core/util/atomic_file.h"
#include "core/util/error.h"
#include "core/util/progress.h"

namespace understudy::corpus {

namespace fs = std::filesystem;
using nlohmann::json;

const char* datasetKindName(DatasetKind kind) {
  switch (kind) {
    case DatasetKind::Labeled: return "labeled";
    case DatasetKind::Unlabeled: return "unlabeled";
    case DatasetKind::Test: return "test";
  }
  return "?";
}

DatasetKind parseDatasetKind(const std::string& name) {
  if (name == "labeled") return DatasetKind::Labeled;
  if (name == "unlabeled") return DatasetKind::Unlabeled;
  if (name == "test") return DatasetKind::Test;
  throw US_ERROR("dataset kind '" + name + "' is not one of labeled, unlabeled, test")
      .key("kind");
}

void ImportOptions::validate() const {
  if (name.empty())
    throw US_ERROR("the dataset needs a name").key("name").hint("e.g. --name train-clean");
  for (char c : name)
    if (c == '/' || c == '\\' || std::isspace(static_cast<unsigned char>(c)) || c == '\0')
      throw US_ERROR("dataset name '" + name + "' contains '/', '\\' or whitespace")
          .key("name")
          .hint("the name is used in folder names; use letters, digits, '-', '_' and '.'");
  if (name == "." || name == "..")
    throw US_ERROR("dataset name '" + name + "' is not allowed").key("name");
  if (!(durationToleranceSeconds >= 0 && durationToleranceSeconds <= 10))
    throw US_ERROR(fmt::format("duration_tolerance = {} s is outside [0, 10]",
                               durationToleranceSeconds))
        .key("duration_tolerance");
  if (minSampleRate < kMinSampleRate || minSampleRate > kMaxSampleRate)
    throw US_ERROR(fmt::format("min_sample_rate = {} Hz is outside [{}, {}]", minSampleRate,
                               kMinSampleRate, kMaxSampleRate))
        .key("min_sample_rate");
  if (!(minDurationSeconds >= 0 && minDurationSeconds <= 60))
    throw US_ERROR(fmt::format("min_duration = {} s is outside [0, 60]", minDurationSeconds))
        .key("min_duration");
}

std::string skipCategoryHint(const std::string& category) {
  static const std::map<std::string, std::string> hints = {
      {"audio file not found",
       "relative wav.scp paths resolve from the current folder, then the data dir; manifest "
       "paths from the manifest's folder"},
      {"empty audio", "re-copy or re-record the files"},
      {"truncated audio", "an interrupted copy or recording; re-copy the files"},
      {"unreadable audio", "convert to WAV or FLAC (e.g. sox in.mp3 out.wav)"},
      {"sample rate", "resample to 16 kHz (sox in.wav -r 16000 out.wav)"},
      {"segment past the end", "check segments against the recordings' real lengths"},
      {"duration mismatch", "regenerate the manifest's durations from the audio"},
      {"too short", "shorter than one frame: nothing to learn from"},
      {"no transcript", "add the transcripts, or import as --kind unlabeled"},
      {"empty transcript", "add the transcripts, or import as --kind unlabeled"},
      {"bad source line", "fix the line named in the reason, or drop it with `corpus fix-kaldi-dir`"},
      {"pipe refused", "rerun with --allow-pipes, or convert the audio to files first"},
      {"pipe failed", "run the command by hand to see its error"},
  };
  auto it = hints.find(category);
  return it == hints.end() ? std::string() : it->second;
}

namespace {

struct Probe {
  std::optional<AudioInfo> info;
  std::string category;
  std::string reason;
};

// Maps probeAudio's reasons onto the categories the summary counts.
std::string categoryOf(const std::string& what) {
  auto starts = [&](const char* p) { return what.rfind(p, 0) == 0; };
  if (starts("audio file not found")) return "audio file not found";
  if (starts("audio file is empty") || starts("audio file contains no samples"))
    return "empty audio";
  if (what.find("truncated") != std::string::npos) return "truncated audio";
  if (starts("unsupported sample rate")) return "sample rate";
  return "unreadable audio";
}

// The category of a problem the source parser found ("wav.scp:3: ...").
std::string problemCategory(const std::string& problem) {
  if (problem.find("piped command refused") != std::string::npos) return "pipe refused";
  if (problem.find(": audio file not found: tried ") != std::string::npos) return "audio file not found";
  return "bad source line";
}

std::string formatSeconds(double s) { return fmt::format("{:.2f} s", s); }

std::string safeFileName(const std::string& id) {
  std::string out = id;
  for (char& c : out)
    if (c == '/' || c == '\\' || c == '\0') c = '_';
  return out;
}

// Runs a wav.scp pipe and stores its stdout (the WAV bytes) at `target`.
// Returns an empty string on success, else the reason.
std::string runPipe(const std::string& command, const fs::path& target) {
  std::FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return "cannot start the piped command";
  std::string bytes;
  char buffer[65536];
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) bytes.append(buffer, n);
  const int status = ::pclose(pipe);
  if (status == -1) return "the piped command could not be waited for";
  if (WIFSIGNALED(status))
    return fmt::format("the piped command was killed by signal {}", WTERMSIG(status));
  if (WEXITSTATUS(status) != 0)
    return fmt::format("the piped command exited with status {}", WEXITSTATUS(status));
  if (bytes.empty()) return "the piped command wrote no audio";
  fs::create_directories(target.parent_path());
  writeFileAtomically(target, bytes);
  return {};
}

// One utterance after its checks: where its audio is, and why it is skipped (if it is).
struct CheckedUtterance {
  const SourceUtterance* u = nullptr;
  std::string audioPath;  // absolute, or relative to the workspace (materialised pipes)
  double offset = 0, duration = 0;
  int sampleRate = 0;
  int channels = 0;
  std::string category, reason;  // empty: ok

  void skip(std::string why, std::string text) {
    category = std::move(why);
    reason = std::move(text);
  }
};

// The per-utterance checks of DatasetImporter, with each audio file probed
// (and each pipe run) once however many segments it has.
class UtteranceChecker {
 public:
  UtteranceChecker(const ImportOptions& options, const ParsedSource& source,
                   fs::path workspaceRoot, fs::path pipeDir)
      : m_opt(options), m_source(source), m_root(std::move(workspaceRoot)),
        m_pipeDir(std::move(pipeDir)) {}

  bool createdPipeDir() const { return m_createdPipeDir; }
  const fs::path& pipeDir() const { return m_pipeDir; }

  CheckedUtterance check(const SourceUtterance& u) {
    CheckedUtterance row;
    row.u = &u;
    row.audioPath = u.audioPath;
    if (!u.problem.empty()) {
      row.skip(problemCategory(u.problem), u.problem);
      return row;
    }
    if (m_opt.kind != DatasetKind::Unlabeled) {
      if (!u.hasText) {
        row.skip("no transcript", m_source.kind == "kaldi" ? "no transcript in text"
                                                           : u.origin + ": no \"text\" field");
        return row;
      }
      if (u.text.find_first_not_of(" \t") == std::string::npos) {
        row.skip("empty transcript", u.textOrigin + ": empty transcript");
        return row;
      }
    }
    if (!u.pipeCommand.empty()) {
      const std::string& result = pipeOutput(u);
      if (result.front() == '!') {
        row.skip("pipe failed", result.substr(1) + ": " + u.pipeCommand);
        return row;
      }
      row.audioPath = result;
    }
    const Probe& probe = probeOnce(row.audioPath);
    if (!probe.info) {
      row.skip(probe.category, probe.reason);
      return row;
    }
    checkTiming(u, *probe.info, row);
    return row;
  }

 private:
  // Runs the recording's pipe once; the workspace-relative path of its
  // output, or "!" + the reason it failed.
  const std::string& pipeOutput(const SourceUtterance& u) {
    auto [it, fresh] = m_pipeResults.emplace(u.recordingId, std::string());
    if (fresh) {
      const fs::path target = m_pipeDir / (safeFileName(u.recordingId) + ".wav");
      if (!fs::exists(m_pipeDir)) m_createdPipeDir = true;
      std::string why = runPipe(u.pipeCommand, target);
      // Stored relative to the workspace, as the workspace owns the file.
      it->second = why.empty() ? "audio/" + m_opt.name + "/" + target.filename().string()
                               : "!" + why;
    }
    return it->second;
  }

  const Probe& probeOnce(const std::string& audioPath) {
    auto [it, fresh] = m_probes.emplace(audioPath, Probe{});
    Probe& probe = it->second;
    if (fresh) {
      try {
        const fs::path p(audioPath);
        probe.info = probeAudio(p.is_relative() ? (m_root / p).string() : audioPath);
      } catch (const Error& e) {
        probe.category = categoryOf(e.what_());
        probe.reason = e.what_();
        if (probe.category == "audio file not found") probe.reason += ": " + audioPath;
      }
    }
    return probe;
  }

  void checkTiming(const SourceUtterance& u, const AudioInfo& info, CheckedUtterance& row) const {
    row.sampleRate = info.sampleRate;
    row.channels = info.channels;
    if (info.sampleRate < m_opt.minSampleRate) {
      row.skip("sample rate",
               fmt::format("sample rate {} Hz is below {} Hz: 16 kHz features would have empty "
                           "upper mel bins",
                           info.sampleRate, m_opt.minSampleRate));
      return;
    }
    const double fileSeconds = info.durationSeconds;
    const double tol = m_opt.durationToleranceSeconds;
    row.offset = u.offsetSeconds;
    if (u.offsetSeconds >= fileSeconds) {
      row.skip("segment past the end",
               fmt::format("{}: segment starts at {}, at or past the end of the recording ({})",
                           u.origin, formatSeconds(u.offsetSeconds), formatSeconds(fileSeconds)));
      return;
    }
    if (u.durationSeconds >= 0) {
      const double end = u.offsetSeconds + u.durationSeconds;
      if (end > fileSeconds + tol) {
        row.skip("segment past the end",
                 fmt::format("{}: segment ends at {}, beyond the end of the recording ({})",
                             u.origin, formatSeconds(end), formatSeconds(fileSeconds)));
        return;
      }
      row.duration = std::min(end, fileSeconds) - u.offsetSeconds;  // within tolerance: clip
    } else {
      row.duration = fileSeconds - u.offsetSeconds;
      if (u.declaredDurationSeconds >= 0 &&
          std::fabs(u.declaredDurationSeconds - row.duration) > tol) {
        row.skip("duration mismatch",
                 fmt::format("{}: duration mismatch: the manifest says {}, the audio has {}",
                             u.origin, formatSeconds(u.declaredDurationSeconds),
                             formatSeconds(row.duration)));
        return;
      }
    }
    if (row.duration < m_opt.minDurationSeconds)
      row.skip("too short", fmt::format("{}: {:.3f} s of audio is shorter than one {:.3f} s frame",
                                        u.origin, row.duration, m_opt.minDurationSeconds));
  }

  const ImportOptions& m_opt;
  const ParsedSource& m_source;
  fs::path m_root;
  fs::path m_pipeDir;
  bool m_createdPipeDir = false;
  std::map<std::string, Probe> m_probes;              // by audio path
  std::map<std::string, std::string> m_pipeResults;  // by recording id
};

}  // namespace

DatasetImporter::DatasetImporter(Workspace& workspace, ImportOptions options,
                                 ProgressSink* progress)
    : m_workspace(workspace), m_options(std::move(options)), m_progress(progress) {
  m_options.validate();
}

ImportSummary DatasetImporter::importKaldiDir(const fs::path& dir) {
  KaldiDataDirOptions opt;
  opt.allowPipes = m_options.allowPipes;
  return importSource(readKaldiDataDir(dir, opt));
}

ImportSummary DatasetImporter::importManifest(const fs::path& file) {
  return importSource(readManifest(file));
}

ImportSummary DatasetImporter::importSource(const ParsedSource& source) {
  const ImportOptions& opt = m_options;
  Catalog catalog(m_workspace);
  if (catalog.findDataset(opt.name))
    throw US_ERROR("a dataset named '" + opt.name + "' already exists in this workspace")
        .hint("choose another --name (see `understudy-cli corpus list`)");
  if (opt.kind != DatasetKind::Unlabeled && !source.hasTranscripts)
    throw US_ERROR(fmt::format("a {} dataset needs transcripts, and this {} has none",
                               datasetKindName(opt.kind),
                               source.kind == "kaldi" ? "data dir (no text file)"
                                                      : "manifest (no \"text\" field)"))
        .file(source.path)
        .hint("import it with --kind unlabeled, or add the transcripts");
  if (source.utterances.empty())
    throw US_ERROR("no utterances in the source").file(source.path).hint(
        source.numBadLines() ? "every line was rejected; see the reasons above"
                             : "the files are empty");

  ImportSummary summary;
  summary.name = opt.name;
  summary.source = source.kind;
  summary.issues = source.issues;

  UtteranceChecker checker(opt, source, m_workspace.root(),
                           m_workspace.subdir("audio") / opt.name);
  std::vector<CheckedUtterance> rows;
  rows.reserve(source.utterances.size());
  ProgressTracker tracker(m_progress, "import", static_cast<std::int64_t>(source.utterances.size()),
                          "utt");
  try {
    for (const SourceUtterance& u : source.utterances) {
      tracker.throwIfCancelled();
      CheckedUtterance row = checker.check(u);
      if (row.category.empty()) {
        ++summary.imported;
        summary.totalSeconds += row.duration;
      } else {
        ++summary.skipped;
        ++summary.skippedByCategory[row.category];
        summary.skippedUtterances.push_back({u.key, row.category, row.reason});
      }
      rows.push_back(std::move(row));
      tracker.advance();
    }

    if (summary.imported == 0) {
      std::string top;
      for (auto& [cat, n] : summary.skippedByCategory)
        top += fmt::format("{}{} × {}", top.empty() ? "" : ", ", n, cat);
      throw US_ERROR(fmt::format("no utterances remained: all {} were skipped ({}); first: {}: {}",
                                 summary.skipped, top, summary.skippedUtterances.front().key,
                                 summary.skippedUtterances.front().reason))
          .file(source.path)
          .hint("fix the reasons listed, or check that paths resolve from this folder");
    }

    json metadata = json::object();
    metadata["channels"] = opt.channels == ChannelMode::Downmix ? "downmix" : "first";
    metadata["num_bad_lines"] = source.numBadLines();
    json issues = json::array();
    for (const SourceIssue& issue : source.issues) {
      if (issues.size() >= 1000) break;
      issues.push_back({{"file", issue.file},
                        {"line", issue.line},
                        {"reason", issue.reason},
                        {"fixed", issue.fixed}});
    }
    metadata["issues"] = std::move(issues);

    std::error_code ec;
    const std::string sourcePath = fs::absolute(source.path, ec).lexically_normal().string();
    DatasetRow datasetRow;
    datasetRow.name = opt.name;
    datasetRow.kind = datasetKindName(opt.kind);
    datasetRow.source = source.kind;
    datasetRow.sourcePath = sourcePath;
    datasetRow.numUtterances = static_cast<std::int64_t>(summary.imported);
    datasetRow.numSkipped = static_cast<std::int64_t>(summary.skipped);
    datasetRow.totalSeconds = summary.totalSeconds;
    datasetRow.metadata = metadata.dump();

    std::vector<UtteranceRow> utterances;
    utterances.reserve(rows.size());
    for (const CheckedUtterance& row : rows) {
      const SourceUtterance& u = *row.u;
      json meta = json::parse(u.metadataJson, nullptr, false);
      if (!meta.is_object()) meta = json::object();
      meta["origin"] = u.origin;
      if (!u.recordingId.empty() && u.recordingId != u.key) meta["recording"] = u.recordingId;
      if (row.channels > 0) meta["channels"] = row.channels;
      if (u.declaredDurationSeconds >= 0) meta["declared_duration"] = u.declaredDurationSeconds;
      UtteranceRow out;
      out.key = u.key;
      out.audioPath = row.audioPath.empty() ? u.pipeCommand + " |" : row.audioPath;
      out.offset = row.offset;
      out.duration = row.duration;
      out.sampleRate = row.sampleRate;
      out.speaker = u.speaker;
      if (u.hasText) out.text = u.text;  // else NULL: no transcript
      out.status = row.category.empty() ? "ok" : "skipped";
      out.reason = row.reason;
      out.metadata = meta.dump();
      utterances.push_back(std::move(out));
    }
    tracker.throwIfCancelled();
    summary.datasetId = catalog.registerDataset(datasetRow, utterances);
  } catch (...) {
    if (checker.createdPipeDir()) {
      std::error_code ec;
      fs::remove_all(checker.pipeDir(), ec);
    }
    throw;
  }
  tracker.finish(fmt::format("{} imported, {} skipped, {:.2f} h", summary.imported,
                             summary.skipped, summary.totalSeconds / 3600.0));
  return summary;
}

}  // namespace understudy::corpus
