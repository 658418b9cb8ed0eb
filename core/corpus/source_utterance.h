// What a dataset source (Kaldi data dir, JSONL manifest) parses into, before
// the importer checks the audio and writes the workspace.
//
// Parsers never throw on a bad line: they record a SourceIssue (file, line,
// reason) and go on. An utterance whose own line is at fault but whose key is
// known is kept with `problem` set, so the importer can store it as 'skipped'
// with that reason and the GUI can show it.
#pragma once

#include <string>
#include <vector>

namespace understudy::corpus {

// One bad line, or one fix applied while reading (`fixed` = true: e.g. CRLF,
// a UTF-8 BOM, non-breaking spaces, unsorted keys; the source file is untouched).
struct SourceIssue {
  std::string file;  // file name as given (e.g. "data/train/segments")
  long line = 0;     // 1-based; 0 = the whole file
  std::string reason;
  bool fixed = false;

  // "segments:12: end 1.20 s is before start 3.40 s"
  std::string toString() const;
};

struct SourceUtterance {
  std::string key;          // utterance id (unique within the source)
  std::string origin;       // where it was defined: "segments:12", "wav.scp:3", "train.jsonl:7"
  std::string textOrigin;   // where its transcript was: "text:5" (empty: none)
  std::string recordingId;  // Kaldi recording id; = key without segments
  std::string audioPath;    // absolute, or empty for a pipe
  std::string pipeCommand;  // wav.scp "cmd |" entry, without the trailing '|'
  double offsetSeconds = 0.0;
  double durationSeconds = -1.0;  // < 0: to the end of the recording
  // A duration the source claims (manifest `duration`); < 0: none. The
  // importer compares it with the audio (tolerance 0.1 s).
  double declaredDurationSeconds = -1.0;
  bool hasText = false;
  std::string text;
  std::string speaker;
  std::string metadataJson = "{}";  // JSON object: unknown manifest keys, origin
  std::string problem;              // non-empty: skip with this reason ("file:line: ...")
};

struct ParsedSource {
  std::string kind;  // "kaldi" | "manifest"
  std::string path;  // the data dir or manifest as given
  std::vector<SourceUtterance> utterances;  // sorted by key, byte order (C locale)
  std::vector<SourceIssue> issues;          // bad lines and fixes, grouped by file
  bool hasTranscripts = false;              // a text file / text fields were present

  std::size_t numBadLines() const;
};

// Sorts utterances by key in C-locale (byte) order.
void sortByKey(std::vector<SourceUtterance>& utterances);

}  // namespace understudy::corpus
