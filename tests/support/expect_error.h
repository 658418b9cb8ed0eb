// expectError: the one check, shared by the test executables, that a call throws
// understudy::Error and that the message names what the test needs it to name.
#pragma once

#include <QtTest>

#include <string>
#include <vector>

#include "core/util/error.h"

namespace understudy::test {

// Calls f; fails the current test unless it throws understudy::Error whose
// message contains every needle (file, key, offset, hint...). `ifNothing` is
// the failure text when nothing is thrown (say which check was skipped).
template <typename F>
void expectError(F&& f, const std::vector<std::string>& needles,
                 const char* ifNothing = "expected understudy::Error, nothing was thrown") {
  try {
    f();
  } catch (const Error& e) {
    const std::string message = e.message();
    for (const auto& n : needles)
      if (message.find(n) == std::string::npos)
        QFAIL(("error message lacks '" + n + "': " + message).c_str());
    return;
  }
  QFAIL(ifNothing);
}

}  // namespace understudy::test
