// Reading the line-oriented text files of a Kaldi data directory the way
// their users write them, not the way validate_data_dir.sh wishes they had:
// a UTF-8 BOM, CRLF line ends, non-breaking spaces and trailing blanks are
// read through and reported once per file as fixes; blank lines are skipped;
// keys out of C-locale order are noted (the importer sorts itself). The file
// on disk is never modified.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/corpus/source_utterance.h"

namespace understudy::corpus {

struct TextLine {
  long number = 0;                  // 1-based line number in the file
  std::vector<std::string> fields;  // split on ASCII blanks (space, tab)
  std::string afterKey;             // the line after the first field, trimmed (paths, transcripts)
};

// Reads `path`; `displayName` (e.g. "segments") names the file in issues.
// Throws understudy::Error only when the file cannot be opened or read.
std::vector<TextLine> readTextLines(const std::filesystem::path& path,
                                    const std::string& displayName,
                                    std::vector<SourceIssue>& issues);

// Strict decimal number (C locale, whole field, finite); false if not.
bool parseSeconds(std::string_view field, double& value);

}  // namespace understudy::corpus
