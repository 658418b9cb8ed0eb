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

// Where an ssh login goes: a host (address or Host alias), a user ('' =
// ssh's default or the ssh config's) and a port (22 = the default).
struct SshTarget {
  std::string host;
  std::string user;
  int port = 22;
};

// The one ssh command line Understudy uses (`nodes test`, remote ranks and
// their clean-up): `ssh [-F $UNDERSTUDY_SSH_CONFIG] -o BatchMode=yes
// -o ConnectTimeout=S [-p PORT] [-l USER] -- HOST`. BatchMode: never a
// password prompt; "--": a host starting with '-' is a host, not an option.
// A shell command appended to it (quoted with shellCommand) runs there.
std::vector<std::string> sshArgv(const SshTarget& target, int connectTimeoutSeconds);

}  // namespace understudy
