// One fuzz harness = one US_FUZZ_TARGET(name) { ... } in tests/fuzz/fuzz_<name>.cpp
// (docs/fuzzing.md).
//
// With UNDERSTUDY_FUZZ=ON (clang) each harness becomes a libFuzzer executable:
// the macro defines LLVMFuzzerTestOneInput. Without it (gcc, the default
// build) it defines understudyFuzz_<name>(), and test_fuzz_replay calls it on
// every seed (corpus/<name>/) and every past finding (regressions/<name>/).
//
// A harness hands the bytes to a parser through fuzz::ScratchDir and lets
// only understudy::Error through (fuzz::expectOnlyErrors): any other
// exception, a crash, a leak, a hang or a huge allocation is a finding.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/util/error.h"

#if defined(UNDERSTUDY_LIBFUZZER)
#define US_FUZZ_TARGET(name) \
  extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
#else
#define US_FUZZ_TARGET(name) int understudyFuzz_##name(const std::uint8_t* data, std::size_t size)
#endif

namespace understudy::fuzz {

// Separates the files of a multi-file input (data dir, record store):
// "\n%%\n" (short, so mutations make and break it easily).
inline constexpr std::string_view kPartSeparator = "\n%%\n";

// The input cut at kPartSeparator into at most `maxParts` pieces (the last
// one keeps the rest, separators included).
std::vector<std::string> splitParts(const std::uint8_t* data, std::size_t size,
                                    std::size_t maxParts);

// A folder of this process only (under /dev/shm when it is writable, else
// $TMPDIR or /tmp), emptied by fresh() before every input and removed at exit.
// Nothing a harness writes goes anywhere else.
class ScratchDir {
 public:
  static ScratchDir& instance();
  // Removes everything inside and returns the folder.
  const std::filesystem::path& fresh();
  const std::filesystem::path& path() const { return m_path; }
  // Writes `bytes` to path()/name (sub folders are created).
  std::filesystem::path write(const std::string& name, std::string_view bytes) const;
  ~ScratchDir();

 private:
  ScratchDir();
  std::filesystem::path m_path;
};

// A record store folder `name` in the scratch dir from an input
// `index` \n%%\n `journal` \n%%\n `shard-00000.bin` (a part the input does
// not reach is absent). The index's trailing checksum, the journal header's
// and each journal block's two checksums are recomputed, so mutations reach
// the decoding behind them instead of stopping at the first checksum; record
// payload checksums are left as they are.
std::filesystem::path writeRecordStore(const std::uint8_t* data, std::size_t size,
                                       const std::string& name);

// With UNDERSTUDY_FUZZ_SHOW_ERRORS=1 in the environment, prints the message
// of each understudy::Error a harness swallowed (to check that a seed gets
// past the first error).
void noteError(const understudy::Error& e);

// Runs `parse`; understudy::Error (what a parser must throw on bad input)
// is swallowed, everything else propagates (libFuzzer: abort = finding;
// replay: the test fails naming the input).
template <typename F>
int expectOnlyErrors(F&& parse) {
  try {
    parse();
  } catch (const understudy::Error& e) {
    noteError(e);
  }
  return 0;
}

}  // namespace understudy::fuzz
