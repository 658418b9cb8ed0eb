#include "core/corpus/text_lines.h"

#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>

#include "core/util/error.h"

namespace understudy::corpus {

namespace {

bool isBlank(char c) { return c == ' ' || c == '\t' || c == '\v' || c == '\f'; }

std::string trim(const std::string& s) {
  std::size_t b = 0, e = s.size();
  while (b < e && isBlank(s[b])) ++b;
  while (e > b && isBlank(s[e - 1])) --e;
  return s.substr(b, e - b);
}

}  // namespace

std::vector<TextLine> readTextLines(const std::filesystem::path& path,
                                    const std::string& displayName,
                                    std::vector<SourceIssue>& issues) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw US_ERROR("cannot open the file").file(path.string());
  std::stringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) throw US_ERROR("cannot read the file").file(path.string());
  std::string text = buffer.str();

  if (text.size() >= 3 && text.compare(0, 3, "\xEF\xBB\xBF") == 0) {
    text.erase(0, 3);
    issues.push_back({displayName, 1, "UTF-8 byte-order mark ignored", true});
  }

  std::vector<TextLine> lines;
  long firstCr = 0, firstNbsp = 0, firstTrailing = 0, firstUnsorted = 0;
  std::string previousKey;
  std::size_t pos = 0;
  long number = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(pos, end - pos);
    pos = end + 1;
    ++number;
    if (!line.empty() && line.back() == '\r') {
      line.pop_back();
      if (!firstCr) firstCr = number;
    }
    // U+00A0 (NO-BREAK SPACE) is C2 A0 in UTF-8: a field separator, as the user meant.
    for (std::size_t i = line.find("\xC2\xA0"); i != std::string::npos;
         i = line.find("\xC2\xA0", i)) {
      line.replace(i, 2, " ");
      if (!firstNbsp) firstNbsp = number;
    }
    if (!line.empty() && isBlank(line.back()) && !firstTrailing) firstTrailing = number;

    TextLine parsed;
    parsed.number = number;
    std::size_t i = 0;
    while (i < line.size()) {
      while (i < line.size() && isBlank(line[i])) ++i;
      if (i >= line.size()) break;
      std::size_t j = i;
      while (j < line.size() && !isBlank(line[j])) ++j;
      parsed.fields.push_back(line.substr(i, j - i));
      if (parsed.fields.size() == 1) parsed.afterKey = trim(line.substr(j));
      i = j;
    }
    if (parsed.fields.empty()) continue;  // blank line
    if (!previousKey.empty() && parsed.fields[0] < previousKey && !firstUnsorted)
      firstUnsorted = number;
    previousKey = parsed.fields[0];
    lines.push_back(std::move(parsed));
  }

  if (firstCr)
    issues.push_back({displayName, firstCr, "Windows (CRLF) line ends read as LF", true});
  if (firstNbsp)
    issues.push_back(
        {displayName, firstNbsp, "non-breaking space (U+00A0) read as a plain space", true});
  if (firstTrailing)
    issues.push_back({displayName, firstTrailing, "trailing whitespace ignored", true});
  if (firstUnsorted)
    issues.push_back({displayName, firstUnsorted,
                      "keys not in C-locale (byte) order; sorted on import", true});
  return lines;
}

bool parseSeconds(std::string_view field, double& value) {
  if (field.empty()) return false;
  const char* begin = field.data();
  if (*begin == '+') ++begin;
  auto [ptr, ec] = std::from_chars(begin, field.data() + field.size(), value);
  return ec == std::errc() && ptr == field.data() + field.size() && std::isfinite(value);
}

}  // namespace understudy::corpus
