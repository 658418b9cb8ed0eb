// Filterbank config reader (core/audio/fbank_config.h): the Kaldi
// `--option=value` parser on the text, and the file loader (which tells
// Kaldi from YAML by the first line) on the same bytes.
#include "core/audio/fbank_config.h"
#include "fuzz/fuzz_target.h"

US_FUZZ_TARGET(fbank_config) {
  using namespace understudy;
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto& scratch = fuzz::ScratchDir::instance();
  scratch.fresh();
  const auto file = scratch.write("fbank.conf", text);
  fuzz::expectOnlyErrors([&] { (void)parseKaldiFbankConfig(text, "fbank.conf"); });
  return fuzz::expectOnlyErrors([&] { (void)loadFbankConfigFile(file.string()); });
}
