#include "core/util/shell_quote.h"

#include <cstdlib>

namespace understudy {

std::string shellQuote(const std::string& word) {
  std::string quoted;
  quoted.reserve(word.size() + 2);
  quoted += '\'';
  for (char c : word) {
    if (c == '\'')
      quoted += "'\\''";
    else
      quoted += c;
  }
  quoted += '\'';
  return quoted;
}

std::string shellCommand(const std::vector<std::string>& words) {
  std::string command;
  for (const std::string& word : words) {
    if (!command.empty()) command += ' ';
    command += shellQuote(word);
  }
  return command;
}

std::vector<std::string> sshArgv(const SshTarget& target, int connectTimeoutSeconds) {
  std::vector<std::string> argv = {"ssh"};
  if (const char* config = std::getenv("UNDERSTUDY_SSH_CONFIG"); config && *config)
    argv.insert(argv.end(), {"-F", config});
  argv.insert(argv.end(), {"-o", "BatchMode=yes", "-o",
                           "ConnectTimeout=" + std::to_string(connectTimeoutSeconds)});
  if (target.port != 22) argv.insert(argv.end(), {"-p", std::to_string(target.port)});
  if (!target.user.empty()) argv.insert(argv.end(), {"-l", target.user});
  argv.insert(argv.end(), {"--", target.host});
  return argv;
}

}  // namespace understudy
