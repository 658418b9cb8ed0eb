// JSONL manifest reader (core/corpus/manifest.h). Input: the manifest.
// readManifest only resolves audio paths; it opens no audio file.
#include "core/corpus/manifest.h"
#include "fuzz/fuzz_target.h"

US_FUZZ_TARGET(manifest) {
  using namespace understudy;
  auto& scratch = fuzz::ScratchDir::instance();
  scratch.fresh();
  const auto file = scratch.write(
      "m.jsonl", std::string_view(reinterpret_cast<const char*>(data), size));
  return fuzz::expectOnlyErrors([&] {
    const corpus::ParsedSource src = corpus::readManifest(file);
    for (const auto& issue : src.issues) (void)issue.toString();
  });
}
