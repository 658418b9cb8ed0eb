// Reading filterbank options from a config file, in either of two formats:
//
//   - our YAML: the FbankOptions keys (docs/audio.md), at the top level or
//     under `fbank:`;
//   - a Kaldi config file (fbank.conf), one `--option=value` per line, as
//     `compute-fbank-feats --config=fbank.conf` reads it: `#` starts a
//     comment, blank lines are skipped, `_` and `-` are the same in names,
//     booleans are true/false (also t/f, 1/0, or a bare `--flag` for true).
//
// The format is told by the first line that is neither blank nor a comment:
// if it starts with `--` (but not YAML's `---` document marker) the file is a
// Kaldi config.
//
//   FbankOptions o = loadFbankConfigFile("conf/fbank.conf");
//
// Options the file does not set keep FbankOptions' defaults (64 bins, no
// dither), which differ from Kaldi's (23 bins, dither 1). A Kaldi option we do
// not implement (VTLN, --subtract-mean, anything unknown) is an error naming
// the file, the line and the option and listing the supported ones; so is a
// malformed value. Nothing is silently ignored except --debug-mel, which only
// makes Kaldi print its mel banks.
#pragma once

#include <string>
#include <vector>

#include "core/audio/fbank.h"

namespace understudy {

// YAML or Kaldi, detected as above. Throws understudy::Error (file, line, hint).
FbankOptions loadFbankConfigFile(const std::string& path);

// True if the first line that is neither blank nor a `#` comment starts with
// `--` and not `---`.
bool looksLikeKaldiConfig(const std::string& text);

// Parses Kaldi `--option=value` lines; `fileName` is used in errors.
FbankOptions parseKaldiFbankConfig(const std::string& text, const std::string& fileName);

// The Kaldi option names parseKaldiFbankConfig accepts, without `--`, in the
// order docs/audio.md lists them.
const std::vector<std::string>& supportedKaldiFbankOptions();

}  // namespace understudy
