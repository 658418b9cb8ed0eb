// Waits and deadlines that stretch in slow builds (header-only, no Qt).
//
// A sanitizer build runs our code several times slower than Release, so a
// wait that is generous in Release ("the launcher exits within 10 s") can
// fail there without a bug. Tests write such waits as scaledMs(10000).
// The factor comes from UNDERSTUDY_TEST_TIME_SCALE, which understudy_add_test
// (cmake/UnderstudyHelpers.cmake) sets for every test from the cache variable
// UNDERSTUDY_TEST_TIMEOUT_SCALE (1 by default, 4 in the asan presets); the
// same variable multiplies each test's CTest TIMEOUT. See docs/testing.md.
//
// Only waits for something to happen are scaled; never scale a duration the
// test measures or asserts (a throughput, a "took less than" bound on our
// own code under test belongs to the Release run).
#pragma once

#include <cmath>
#include <cstdlib>

namespace understudy::test {

// The factor: UNDERSTUDY_TEST_TIME_SCALE when it is a number >= 1, else 1.
inline double timeScale() {
  static const double scale = [] {
    const char* text = std::getenv("UNDERSTUDY_TEST_TIME_SCALE");
    if (!text || !*text) return 1.0;
    char* end = nullptr;
    const double value = std::strtod(text, &end);
    return (end && *end == '\0' && value >= 1.0 && value <= 100.0) ? value : 1.0;
  }();
  return scale;
}

// `ms` milliseconds stretched by timeScale() (rounded; at least `ms`).
inline int scaledMs(int ms) { return static_cast<int>(std::lround(ms * timeScale())); }

}  // namespace understudy::test
