// Kaldi data directory reader (core/corpus/kaldi_data_dir.h). Input: the
// files wav.scp, segments, text, utt2spk, spk2utt in that order, separated by
// \n%%\n; a file the input does not reach is absent. Pipes are never allowed
// (readKaldiDataDir only records them; nothing here may run a command).
#include "core/corpus/kaldi_data_dir.h"
#include "fuzz/fuzz_target.h"

US_FUZZ_TARGET(kaldi_data_dir) {
  using namespace understudy;
  static const char* const kFiles[] = {"wav.scp", "segments", "text", "utt2spk", "spk2utt"};
  auto& scratch = fuzz::ScratchDir::instance();
  scratch.fresh();
  const auto parts = fuzz::splitParts(data, size, std::size(kFiles));
  for (std::size_t i = 0; i < parts.size(); ++i)
    scratch.write(std::string("data/") + kFiles[i], parts[i]);
  return fuzz::expectOnlyErrors([&] {
    corpus::KaldiDataDirOptions options;
    options.allowPipes = false;
    const corpus::ParsedSource src = corpus::readKaldiDataDir(scratch.path() / "data", options);
    for (const auto& issue : src.issues) (void)issue.toString();
  });
}
