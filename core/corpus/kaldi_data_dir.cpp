#include "core/corpus/kaldi_data_dir.h"

#include <fmt/format.h>

#include <map>
#include <regex>
#include <set>

#include "core/corpus/text_lines.h"
#include "core/util/atomic_file.h"
#include "core/util/error.h"

namespace understudy::corpus {

namespace fs = std::filesystem;

namespace {

struct Recording {
  std::string path;  // absolute
  std::string pipe;  // command without '|'
  std::string origin;
  std::string problem;
};

std::string at(const std::string& file, long line) { return file + ":" + std::to_string(line); }

// Kaldi resolves relative wav.scp paths against the working directory of the
// recipe (usually egs/<corpus>/s5); we try that first, then the data dir.
// A relative path found in neither sets `missing` to the reason, naming both
// places tried (the audio probe would name only one).
std::string resolveAudioPath(const std::string& path, const fs::path& dir, std::string& missing) {
  fs::path p(path);
  if (p.is_absolute()) return p.lexically_normal().string();
  std::error_code ec;
  fs::path fromCwd = fs::absolute(p, ec).lexically_normal();
  if (!ec && fs::exists(fromCwd, ec)) return fromCwd.string();
  fs::path fromDir = fs::absolute(dir / p, ec).lexically_normal();
  if (!ec && fs::exists(fromDir, ec)) return fromDir.string();
  missing = "audio file not found: tried " + fromCwd.string() + " and " + fromDir.string();
  return fromCwd.string();
}

void addIssue(ParsedSource& src, const std::string& file, long line, std::string reason) {
  src.issues.push_back({file, line, std::move(reason), false});
}

// Reads `<key> <rest>` lines of a key-value file, reporting duplicates.
// Returns key -> (line, rest, fields).
std::map<std::string, TextLine> readKeyed(const fs::path& path, const std::string& name,
                                          ParsedSource& src) {
  std::map<std::string, TextLine> out;
  std::map<std::string, long> firstLine;
  for (auto& line : readTextLines(path, name, src.issues)) {
    const std::string& key = line.fields[0];
    auto [it, inserted] = firstLine.emplace(key, line.number);
    if (!inserted) {
      addIssue(src, name, line.number,
               fmt::format("duplicate key '{}' (first on line {}); this line is ignored", key,
                           it->second));
      continue;
    }
    out.emplace(key, std::move(line));
  }
  return out;
}

}  // namespace

ParsedSource readKaldiDataDir(const fs::path& dir, const KaldiDataDirOptions& options) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw US_ERROR("Kaldi data directory does not exist or is not a folder")
        .file(dir.string())
        .hint("pass the folder that holds wav.scp (e.g. data/train)");
  if (!fs::exists(dir / "wav.scp", ec))
    throw US_ERROR("no wav.scp in the Kaldi data directory")
        .file(dir.string())
        .hint("a data dir needs at least wav.scp; see docs/corpus.md");

  ParsedSource src;
  src.kind = "kaldi";
  src.path = dir.string();

  // wav.scp: <recording-id> <path> | <recording-id> <command> |
  static const std::regex arkOffset(R"(.*\.ark:\d+$)");
  std::map<std::string, Recording> recordings;
  for (auto& [key, line] : readKeyed(dir / "wav.scp", "wav.scp", src)) {
    Recording rec;
    rec.origin = at("wav.scp", line.number);
    const std::string& value = line.afterKey;
    if (value.empty()) {
      rec.problem = rec.origin + ": no audio path after the recording id";
      addIssue(src, "wav.scp", line.number, "no audio path after the recording id");
    } else if (value.back() == '|') {
      std::string cmd = value.substr(0, value.size() - 1);
      while (!cmd.empty() && (cmd.back() == ' ' || cmd.back() == '\t')) cmd.pop_back();
      rec.pipe = cmd;
      if (!options.allowPipes) {
        rec.problem = rec.origin +
                      ": piped command refused (it would run a shell); allow pipes "
                      "(--allow-pipes) or convert the audio to files first";
        addIssue(src, "wav.scp", line.number, "piped command refused: '" + cmd + "'");
      }
    } else if (value == "-" || value.front() == '|') {
      rec.problem = rec.origin + ": reading audio from standard input is not supported";
      addIssue(src, "wav.scp", line.number, "reading audio from standard input is not supported");
    } else if (std::regex_match(value, arkOffset)) {
      rec.problem = rec.origin + ": archive offsets (file.ark:123) are not supported; " +
                    "extract them with wav-copy first";
      addIssue(src, "wav.scp", line.number, "archive offset entry not supported: " + value);
    } else {
      std::string missing;
      rec.path = resolveAudioPath(value, dir, missing);
      if (!missing.empty()) rec.problem = rec.origin + ": " + missing;
    }
    recordings.emplace(key, std::move(rec));
  }

  // segments: <utt-id> <recording-id> <start> <end>; without it one utterance per recording.
  std::vector<SourceUtterance> utts;
  std::set<std::string> usedRecordings;
  if (fs::exists(dir / "segments", ec)) {
    for (auto& [key, line] : readKeyed(dir / "segments", "segments", src)) {
      SourceUtterance u;
      u.key = key;
      u.origin = at("segments", line.number);
      auto fail = [&, number = line.number](const std::string& why) {  // clang 14: no binding capture
        u.problem = u.origin + ": " + why;
        addIssue(src, "segments", number, why);
      };
      double start = 0, end = 0;
      if (line.fields.size() != 4) {
        fail(fmt::format("expected 4 fields '<utt-id> <recording-id> <start> <end>', found {}",
                         line.fields.size()));
      } else if (!parseSeconds(line.fields[2], start)) {
        fail("start time '" + line.fields[2] + "' is not a number");
      } else if (!parseSeconds(line.fields[3], end)) {
        fail("end time '" + line.fields[3] + "' is not a number");
      } else if (start < 0) {
        fail(fmt::format("start time {} s is negative", line.fields[2]));
      } else if (end != -1.0 && end <= start) {
        fail(fmt::format("end {} s is not after start {} s", line.fields[3], line.fields[2]));
      }
      if (line.fields.size() >= 2) {
        u.recordingId = line.fields[1];
        auto rec = recordings.find(u.recordingId);
        if (rec == recordings.end()) {
          if (u.problem.empty())
            fail("recording '" + u.recordingId + "' is not in wav.scp");
        } else {
          usedRecordings.insert(u.recordingId);
          u.audioPath = rec->second.path;
          u.pipeCommand = rec->second.pipe;
          if (u.problem.empty() && !rec->second.problem.empty()) u.problem = rec->second.problem;
        }
      }
      if (u.problem.empty()) {
        u.offsetSeconds = start;
        u.durationSeconds = end == -1.0 ? -1.0 : end - start;  // -1: to the end (Kaldi)
      }
      utts.push_back(std::move(u));
    }
  } else {
    for (auto& [key, rec] : recordings) {
      SourceUtterance u;
      u.key = key;
      u.recordingId = key;
      u.origin = rec.origin;
      u.audioPath = rec.path;
      u.pipeCommand = rec.pipe;
      u.problem = rec.problem;
      utts.push_back(std::move(u));
    }
  }

  std::map<std::string, SourceUtterance*> byKey;
  for (auto& u : utts) byKey[u.key] = &u;
  const char* defined = fs::exists(dir / "segments", ec) ? "segments" : "wav.scp";

  // text: <utt-id> <word> <word> ...
  if (fs::exists(dir / "text", ec)) {
    src.hasTranscripts = true;
    for (auto& [key, line] : readKeyed(dir / "text", "text", src)) {
      auto it = byKey.find(key);
      if (it == byKey.end()) {
        addIssue(src, "text", line.number,
                 fmt::format("utterance '{}' is not in {}; transcript ignored", key, defined));
        continue;
      }
      SourceUtterance& u = *it->second;
      u.hasText = true;
      u.textOrigin = at("text", line.number);
      // Words joined by single spaces (tabs, runs of blanks and NBSPs collapse).
      std::string words;
      for (std::size_t i = 1; i < line.fields.size(); ++i) {
        if (i > 1) words += ' ';
        words += line.fields[i];
      }
      u.text = std::move(words);
    }
  }

  // utt2spk: <utt-id> <speaker-id>; spk2utt: <speaker-id> <utt-id> ...
  std::map<std::string, std::string> speakerOf;
  const bool haveUtt2spk = fs::exists(dir / "utt2spk", ec);
  if (haveUtt2spk) {
    for (auto& [key, line] : readKeyed(dir / "utt2spk", "utt2spk", src)) {
      if (line.fields.size() != 2) {
        addIssue(src, "utt2spk", line.number,
                 fmt::format("expected 2 fields '<utt-id> <speaker-id>', found {}",
                             line.fields.size()));
        continue;
      }
      if (!byKey.count(key)) {
        addIssue(src, "utt2spk", line.number,
                 fmt::format("utterance '{}' is not in {}; speaker ignored", key, defined));
        continue;
      }
      speakerOf[key] = line.fields[1];
    }
  }
  if (fs::exists(dir / "spk2utt", ec)) {
    for (auto& [speaker, line] : readKeyed(dir / "spk2utt", "spk2utt", src)) {
      for (std::size_t i = 1; i < line.fields.size(); ++i) {
        const std::string& utt = line.fields[i];
        if (!byKey.count(utt)) {
          addIssue(src, "spk2utt", line.number,
                   fmt::format("utterance '{}' is not in {}", utt, defined));
          continue;
        }
        auto known = speakerOf.find(utt);
        if (!haveUtt2spk) {
          speakerOf.emplace(utt, speaker);
        } else if (known == speakerOf.end()) {
          addIssue(src, "spk2utt", line.number,
                   fmt::format("utterance '{}' is listed under speaker '{}' but has no utt2spk "
                               "entry",
                               utt, speaker));
        } else if (known->second != speaker) {
          addIssue(src, "spk2utt", line.number,
                   fmt::format("utterance '{}' is listed under speaker '{}' but utt2spk says '{}'",
                               utt, speaker, known->second));
        }
      }
    }
  }
  std::size_t noSpeaker = 0;
  for (auto& u : utts) {
    auto it = speakerOf.find(u.key);
    if (it != speakerOf.end()) {
      u.speaker = it->second;
    } else {
      u.speaker = u.key;  // Kaldi's convention when speakers are unknown
      ++noSpeaker;
    }
  }
  if (haveUtt2spk && noSpeaker > 0)
    src.issues.push_back({"utt2spk", 0,
                          fmt::format("{} utterance(s) have no utt2spk entry; their speaker is "
                                      "the utterance id",
                                      noSpeaker),
                          true});

  sortByKey(utts);
  src.utterances = std::move(utts);
  return src;
}

std::vector<SourceIssue> fixKaldiDataDir(const fs::path& dir, const fs::path& out) {
  KaldiDataDirOptions options;
  options.allowPipes = true;  // a pipe is a policy question, not a defect to fix
  ParsedSource parsed = readKaldiDataDir(dir, options);
  std::error_code ec;
  if (fs::exists(out, ec) && !fs::is_empty(out, ec))
    throw US_ERROR("the output folder exists and is not empty")
        .file(out.string())
        .hint("choose a new folder; the fixed copy never overwrites anything");
  if (fs::equivalent(dir, out, ec))
    throw US_ERROR("the output folder is the data dir itself").file(out.string());
  fs::create_directories(out);

  // Re-read each file (its issues are already in `parsed`) and keep what is valid.
  ParsedSource scratch;
  auto joinFrom = [](const TextLine& line, std::size_t first) {
    std::string out;
    for (std::size_t i = first; i < line.fields.size(); ++i)
      out += (out.empty() ? "" : " ") + line.fields[i];
    return out;
  };
  std::set<std::string> recordings;
  std::string wav;
  for (auto& [key, line] : readKeyed(dir / "wav.scp", "wav.scp", scratch)) {
    if (line.afterKey.empty() || line.afterKey == "-") continue;
    recordings.insert(key);
    wav += key + " " + line.afterKey + "\n";
  }
  writeFileAtomically(out / "wav.scp", wav);

  std::set<std::string> utterances;
  if (fs::exists(dir / "segments", ec)) {
    std::string segments;
    for (auto& [key, line] : readKeyed(dir / "segments", "segments", scratch)) {
      double start = 0, end = 0;
      if (line.fields.size() != 4 || !parseSeconds(line.fields[2], start) ||
          !parseSeconds(line.fields[3], end) || start < 0 || (end != -1.0 && end <= start) ||
          !recordings.count(line.fields[1]))
        continue;
      utterances.insert(key);
      segments += joinFrom(line, 0) + "\n";
    }
    writeFileAtomically(out / "segments", segments);
  } else {
    utterances = recordings;
  }
  if (fs::exists(dir / "text", ec)) {
    std::string text;
    for (auto& [key, line] : readKeyed(dir / "text", "text", scratch))
      if (utterances.count(key)) text += joinFrom(line, 0) + "\n";
    writeFileAtomically(out / "text", text);
  }
  // Speakers: utt2spk, else spk2utt, else each utterance its own speaker (Kaldi's
  // convention); both files are written, consistent with each other.
  std::map<std::string, std::string> speakerOf;
  if (fs::exists(dir / "utt2spk", ec)) {
    for (auto& [key, line] : readKeyed(dir / "utt2spk", "utt2spk", scratch))
      if (line.fields.size() == 2 && utterances.count(key)) speakerOf[key] = line.fields[1];
  } else if (fs::exists(dir / "spk2utt", ec)) {
    for (auto& [speaker, line] : readKeyed(dir / "spk2utt", "spk2utt", scratch))
      for (std::size_t i = 1; i < line.fields.size(); ++i)
        if (utterances.count(line.fields[i])) speakerOf.emplace(line.fields[i], speaker);
  } else {
    for (const auto& u : utterances) speakerOf[u] = u;
  }
  for (const auto& u : utterances) speakerOf.emplace(u, u);
  std::string utt2spk;
  std::map<std::string, std::vector<std::string>> spk2utt;
  for (const auto& [utt, speaker] : speakerOf) {
    utt2spk += utt + " " + speaker + "\n";
    spk2utt[speaker].push_back(utt);  // in utterance order: speakerOf is sorted
  }
  writeFileAtomically(out / "utt2spk", utt2spk);
  std::string spk;
  for (const auto& [speaker, utts] : spk2utt) {
    spk += speaker;
    for (const auto& u : utts) spk += " " + u;
    spk += "\n";
  }
  writeFileAtomically(out / "spk2utt", spk);
  return parsed.issues;
}

}  // namespace understudy::corpus
