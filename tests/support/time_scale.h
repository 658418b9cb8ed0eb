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
// Only waits for something to happen are scaled by scaledMs(). A "took less
// than" bound on our own code (the launcher exits within 2 s of a rank's
// death) is a claim about the Release build: write it as speedBound(2.0),
// which is exactly 2.0 there and stretched only in a slow build, where the
// sanitizers' instrumentation and the leak check at each process's exit are
// what take the time; stretched, it still tells "within seconds" from "after
// a timeout". Never scale a throughput or a ratio.
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

// A bound in seconds on how long our code takes: as written in Release (the
// factor is 1 there), stretched by timeScale() in a sanitizer build.
inline double speedBound(double seconds) { return seconds * timeScale(); }

}  // namespace understudy::test
