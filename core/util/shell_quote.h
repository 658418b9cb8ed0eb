// Quoting for POSIX shells. Every value that reaches a shell (the remote
// command an `ssh` runs, for instance) goes through shellQuote, so a path or
// name holding spaces, quotes, `$(...)`, backticks, `;` or a newline arrives
// as one word and is never run.
//
//   std::string remote = shellCommand({binary, "--version"});
//   // ssh host -- remote   (the remote login shell sees one quoted word each)
#pragma once

#include <string>
#include <vector>

namespace understudy {

// `word` in single quotes, each ' inside written as '\'' (close, escaped
// quote, reopen). The empty string becomes ''. Nothing in single quotes is
// special to a POSIX shell, so the result always reads back as exactly `word`.
std::string shellQuote(const std::string& word);

// Each word quoted with shellQuote, joined by single spaces: a command line a
// POSIX shell splits back into exactly `words`.
std::string shellCommand(const std::vector<std::string>& words);

}  // namespace understudy
