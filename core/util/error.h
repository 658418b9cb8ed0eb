// Understudy's one exception type (docs/design.md "House rules in short").
//
// An Error carries what failed, where it failed in the *data* (file, line,
// utterance, key), a hint for the user, and the source location that threw it.
// Throw with US_ERROR so the source location is recorded:
//
//   throw US_ERROR("sample rate 8000 Hz not supported").file(path).hint("resample first");
//
// The CLI prints `error.message()` as one line; the GUI shows it in a dialog.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>

namespace understudy {

class Error : public std::runtime_error {
 public:
  Error(std::string what, const char* sourceFile = nullptr, int sourceLine = 0);

  Error& file(std::string path);
  Error& line(long lineNumber);
  Error& utterance(std::string utteranceId);
  Error& key(std::string keyName);
  Error& hint(std::string text);

  const std::string& what_() const { return m_what; }
  const std::string& filePath() const { return m_file; }
  std::optional<long> lineNumber() const { return m_line; }
  const std::string& utteranceId() const { return m_utterance; }
  const std::string& keyName() const { return m_key; }
  const std::string& hintText() const { return m_hint; }
  const char* sourceFile() const { return m_sourceFile; }
  int sourceLine() const { return m_sourceLine; }

  // "path:12: utterance u1: <what> (hint: ...)" — the one line users see.
  std::string message() const;
  const char* what() const noexcept override { return m_message.c_str(); }

 private:
  void rebuild();

  std::string m_what;
  std::string m_file;
  std::optional<long> m_line;
  std::string m_utterance;
  std::string m_key;
  std::string m_hint;
  const char* m_sourceFile;
  int m_sourceLine;
  std::string m_message;
};

}  // namespace understudy

// A macro only because C++17 has no std::source_location.
#define US_ERROR(what) ::understudy::Error((what), __FILE__, __LINE__)
