#include "core/corpus/source_utterance.h"

#include <algorithm>

namespace understudy::corpus {

std::string SourceIssue::toString() const {
  std::string out = file;
  if (line > 0) out += ":" + std::to_string(line);
  if (!out.empty()) out += ": ";
  return out + reason;
}

std::size_t ParsedSource::numBadLines() const {
  return static_cast<std::size_t>(
      std::count_if(issues.begin(), issues.end(), [](const SourceIssue& i) { return !i.fixed; }));
}

void sortByKey(std::vector<SourceUtterance>& utterances) {
  // std::string's operator< compares bytes: the C locale's order, whatever LANG says.
  std::stable_sort(utterances.begin(), utterances.end(),
                   [](const SourceUtterance& a, const SourceUtterance& b) { return a.key < b.key; });
}

}  // namespace understudy::corpus
