// Kaldi data directories (FORMATS.md): wav.scp, segments, text, utt2spk,
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

}  // namespace understudy::corpus
