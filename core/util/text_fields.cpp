#include "core/util/text_fields.h"

#include <sstream>

namespace understudy {

std::vector<FieldLine> fieldLines(std::string_view text, std::string_view commentPrefix) {
  std::vector<FieldLine> lines;
  std::istringstream in{std::string(text)};
  std::string line;
  long number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!commentPrefix.empty() &&
        std::string_view(line).substr(0, commentPrefix.size()) == commentPrefix)
      continue;
    FieldLine l;
    l.number = number;
    std::istringstream fields(line);
    std::string field;
    while (fields >> field) l.fields.push_back(field);
    if (!l.fields.empty()) lines.push_back(std::move(l));
  }
  return lines;
}

std::string_view withoutByteOrderMark(std::string_view text) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  return text;
}

}  // namespace understudy
