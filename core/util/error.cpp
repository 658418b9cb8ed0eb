#include "core/util/error.h"

namespace understudy {

Error::Error(std::string what, const char* sourceFile, int sourceLine)
    : std::runtime_error(what), m_what(std::move(what)), m_sourceFile(sourceFile),
      m_sourceLine(sourceLine) {
  rebuild();
}

Error& Error::file(std::string path) {
  m_file = std::move(path);
  rebuild();
  return *this;
}

Error& Error::line(long lineNumber) {
  m_line = lineNumber;
  rebuild();
  return *this;
}

Error& Error::utterance(std::string utteranceId) {
  m_utterance = std::move(utteranceId);
  rebuild();
  return *this;
}

Error& Error::key(std::string keyName) {
  m_key = std::move(keyName);
  rebuild();
  return *this;
}

Error& Error::hint(std::string text) {
  m_hint = std::move(text);
  rebuild();
  return *this;
}

std::string Error::message() const { return m_message; }

void Error::rebuild() {
  std::string out;
  if (!m_file.empty()) {
    out += m_file;
    if (m_line) out += ":" + std::to_string(*m_line);
    out += ": ";
  } else if (m_line) {
    out += "line " + std::to_string(*m_line) + ": ";
  }
  if (!m_utterance.empty()) out += "utterance '" + m_utterance + "': ";
  if (!m_key.empty()) out += "key '" + m_key + "': ";
  out += m_what;
  if (!m_hint.empty()) out += " (hint: " + m_hint + ")";
  m_message = std::move(out);
}

}  // namespace understudy
