// Kaldi data directories (docs/corpus.md): wav.scp, segments, text, utt2spk,
// spk2utt, read into a ParsedSource for the DatasetImporter.
//
//   ParsedSource src = readKaldiDataDir("data/train", {});
//   for (auto& issue : src.issues) log::warning("{}", issue.toString());
//
// Every bad line is reported with its file and line and the rest goes on:
// wrong field counts, duplicate keys, non-numeric or inverted segment times,
// segments of unknown recordings, transcripts and speakers of unknown
// utterances, spk2utt disagreeing with utt2spk, piped wav.scp entries (refused
// unless `allowPipes`). CRLF, BOM, non-breaking spaces and unsorted keys are
// read through (text_lines.h). Only a missing folder or wav.scp throws.
#pragma once

#include <filesystem>

#include "core/corpus/source_utterance.h"

namespace understudy::corpus {

struct KaldiDataDirOptions {
  // `<id> <command> |` entries run a shell command; refused unless allowed.
  bool allowPipes = false;
};

ParsedSource readKaldiDataDir(const std::filesystem::path& dir,
                              const KaldiDataDirOptions& options = {});

// Writes a corrected copy of `dir` to `out` (which must not exist or be
// empty), as Kaldi's validate_data_dir.sh wants it: no BOM, LF line ends,
// single blanks, keys unique (first wins) and sorted in C-locale order,
// segments that fail to parse or name unknown recordings dropped, text and
// utt2spk limited to known utterances, spk2utt regenerated from utt2spk.
// The original is never modified. Returns what was found (as readKaldiDataDir
// reports it, pipes allowed); every bad line listed there was dropped.
std::vector<SourceIssue> fixKaldiDataDir(const std::filesystem::path& dir,
                                         const std::filesystem::path& out);

}  // namespace understudy::corpus
