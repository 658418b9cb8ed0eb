// Whitespace-separated text files read line by line: Kaldi symbol tables
// (phones.txt), lexicons, CMUdict.
//
//   for (const auto& [number, fields] : fieldLines(withoutByteOrderMark(text)))
//     if (fields.size() != 2) throw US_ERROR("...").file(path).line(number);
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace understudy {

struct FieldLine {
  long number = 0;                  // 1-based; every line counts, blank or comment
  std::vector<std::string> fields;  // never empty
};

// The lines of `text` (ends at '\n'; a '\r' before it is blank) split into
// fields at C-locale whitespace. Lines without a field are left out, and so are
// lines that start (at their first byte) with `commentPrefix` when it is not empty.
std::vector<FieldLine> fieldLines(std::string_view text, std::string_view commentPrefix = {});

// `text` without a leading UTF-8 byte-order mark (files saved by Windows
// editors), which would otherwise become part of the first field.
std::string_view withoutByteOrderMark(std::string_view text);

}  // namespace understudy
