#include "core/audio/fbank_config.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "core/util/error.h"
#include "core/util/yaml_config.h"

namespace understudy {

namespace {

enum class Type { Float, Int, Bool, String, Ignored };

// One Kaldi option we implement: its name (without `--`), the FbankOptions
// YAML key it sets (empty for --debug-mel) and where the value goes.
struct KaldiOption {
  const char* name;
  const char* yamlKey;
  Type type;
  float FbankOptions::*f = nullptr;
  int FbankOptions::*i = nullptr;
  bool FbankOptions::*b = nullptr;
  std::string FbankOptions::*s = nullptr;
};

KaldiOption floatOpt(const char* n, const char* k, float FbankOptions::*m) {
  KaldiOption o{n, k, Type::Float};
  o.f = m;
  return o;
}
KaldiOption intOpt(const char* n, const char* k, int FbankOptions::*m) {
  KaldiOption o{n, k, Type::Int};
  o.i = m;
  return o;
}
KaldiOption boolOpt(const char* n, const char* k, bool FbankOptions::*m) {
  KaldiOption o{n, k, Type::Bool};
  o.b = m;
  return o;
}
KaldiOption stringOpt(const char* n, const char* k, std::string FbankOptions::*m) {
  KaldiOption o{n, k, Type::String};
  o.s = m;
  return o;
}

const std::vector<KaldiOption>& kaldiOptions() {
  static const std::vector<KaldiOption> options = {
      floatOpt("sample-frequency", "sample_frequency", &FbankOptions::sampleFrequency),
      floatOpt("frame-length", "frame_length_ms", &FbankOptions::frameLengthMs),
      floatOpt("frame-shift", "frame_shift_ms", &FbankOptions::frameShiftMs),
      floatOpt("dither", "dither", &FbankOptions::dither),
      floatOpt("preemphasis-coefficient", "preemphasis_coefficient",
               &FbankOptions::preemphasisCoefficient),
      boolOpt("remove-dc-offset", "remove_dc_offset", &FbankOptions::removeDcOffset),
      stringOpt("window-type", "window_type", &FbankOptions::windowType),
      floatOpt("blackman-coeff", "blackman_coeff", &FbankOptions::blackmanCoeff),
      boolOpt("round-to-power-of-two", "round_to_power_of_two", &FbankOptions::roundToPowerOfTwo),
      intOpt("num-mel-bins", "num_mel_bins", &FbankOptions::numMelBins),
      floatOpt("low-freq", "low_freq", &FbankOptions::lowFreq),
      floatOpt("high-freq", "high_freq", &FbankOptions::highFreq),
      boolOpt("use-energy", "use_energy", &FbankOptions::useEnergy),
      floatOpt("energy-floor", "energy_floor", &FbankOptions::energyFloor),
      boolOpt("raw-energy", "raw_energy", &FbankOptions::rawEnergy),
      boolOpt("use-log-fbank", "use_log_fbank", &FbankOptions::useLogFbank),
      boolOpt("use-power", "use_power", &FbankOptions::usePower),
      boolOpt("snip-edges", "snip_edges", &FbankOptions::snipEdges),
      boolOpt("htk-compat", "htk_compat", &FbankOptions::htkCompat),
      KaldiOption{"debug-mel", "", Type::Ignored},
  };
  return options;
}

// Kaldi options of compute-fbank-feats we know but do not implement, and why.
const std::map<std::string, std::string>& unsupportedKaldiOptions() {
  static const std::map<std::string, std::string> options = {
      {"vtln-warp", "VTLN warping is not implemented"},
      {"vtln-low", "VTLN warping is not implemented"},
      {"vtln-high", "VTLN warping is not implemented"},
      {"vtln-map", "VTLN warping is not implemented"},
      {"subtract-mean", "per-utterance mean subtraction is not done while computing features; "
                        "use CMVN (docs/audio.md)"},
      {"allow-downsample", "audio is always resampled to --sample-frequency"},
      {"allow-upsample", "audio is always resampled to --sample-frequency"},
      {"max-feature-vectors", "not implemented"},
      {"channel", "the channel is chosen when the dataset is imported (corpus import --downmix)"},
      {"utt2spk", "VTLN warping is not implemented"},
      {"min-duration", "not implemented"},
      {"output-format", "features go to the workspace's feature store"},
      {"write-utt2dur", "durations are stored in the workspace"},
      {"config", "nested config files are not read"},
  };
  return options;
}

std::string trim(const std::string& s) {
  std::size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

std::string supportedList() {
  std::string out;
  for (const auto& name : supportedKaldiFbankOptions()) out += (out.empty() ? "--" : ", --") + name;
  return out;
}

Error lineError(const std::string& file, long line, const std::string& what) {
  Error e = US_ERROR(what);
  e.file(file).line(line);
  return e;
}

bool parseKaldiBool(std::string v, bool& out) {
  std::transform(v.begin(), v.end(), v.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (v == "true" || v == "t" || v == "1" || v.empty()) {
    out = true;
    return true;
  }
  if (v == "false" || v == "f" || v == "0") {
    out = false;
    return true;
  }
  return false;
}

bool parseFloat(const std::string& v, float& out) {
  if (v.empty()) return false;
  errno = 0;
  char* end = nullptr;
  const double d = std::strtod(v.c_str(), &end);
  if (errno != 0 || end != v.c_str() + v.size() || !std::isfinite(d)) return false;
  out = static_cast<float>(d);
  return true;
}

bool parseInt(const std::string& v, int& out) {
  if (v.empty()) return false;
  errno = 0;
  char* end = nullptr;
  const long l = std::strtol(v.c_str(), &end, 10);
  if (errno != 0 || end != v.c_str() + v.size() || l < INT_MIN || l > INT_MAX) return false;
  out = static_cast<int>(l);
  return true;
}

}  // namespace

const std::vector<std::string>& supportedKaldiFbankOptions() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n;
    for (const auto& o : kaldiOptions()) n.emplace_back(o.name);
    return n;
  }();
  return names;
}

bool looksLikeKaldiConfig(const std::string& text) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    const std::string t = trim(line);
    if (t.empty() || t[0] == '#') continue;
    // `---` is YAML's document marker, not a Kaldi option.
    return t.compare(0, 2, "--") == 0 && t.compare(0, 3, "---") != 0;
  }
  return false;
}

FbankOptions parseKaldiFbankConfig(const std::string& text, const std::string& fileName) {
  FbankOptions o;
  std::map<std::string, std::pair<long, std::string>> setAt;  // yaml key -> (line, kaldi name)
  std::istringstream in(text);
  std::string raw;
  long lineNumber = 0;
  const std::string supportedHint = "supported options: " + supportedList();
  while (std::getline(in, raw)) {
    ++lineNumber;
    std::string line = raw;
    if (const auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
    line = trim(line);
    if (line.empty()) continue;
    if (line.compare(0, 2, "--") != 0)
      throw lineError(fileName, lineNumber,
                      "'" + line + "' is not a Kaldi option line (expected --name=value)")
          .hint("a Kaldi config has one --name=value per line; YAML configs must not start "
                "with '--'");
    const auto eq = line.find('=');
    const bool hasValue = eq != std::string::npos;
    std::string name = trim(line.substr(2, hasValue ? eq - 2 : std::string::npos));
    std::replace(name.begin(), name.end(), '_', '-');
    const std::string value = hasValue ? trim(line.substr(eq + 1)) : std::string();
    if (name.empty())
      throw lineError(fileName, lineNumber, "'" + line + "' has no option name")
          .hint(supportedHint);

    const auto& table = kaldiOptions();
    const auto it = std::find_if(table.begin(), table.end(),
                                 [&](const KaldiOption& k) { return name == k.name; });
    if (it == table.end()) {
      const bool vtln = name.compare(0, 5, "vtln-") == 0;
      const auto known = unsupportedKaldiOptions().find(name);
      if (known != unsupportedKaldiOptions().end() || vtln) {
        const std::string why =
            known != unsupportedKaldiOptions().end() ? known->second : "VTLN warping is not implemented";
        throw lineError(fileName, lineNumber,
                        "Kaldi option --" + name + " is not supported (" + why + ")")
            .hint("remove the line; " + supportedHint);
      }
      throw lineError(fileName, lineNumber, "unknown option --" + name + ", not supported")
          .hint("check the spelling; " + supportedHint);
    }
    const KaldiOption& k = *it;
    auto malformed = [&](const std::string& expected) {
      return lineError(fileName, lineNumber,
                       "--" + name + (hasValue ? "=" + value : std::string()) +
                           ": malformed value, expected " + expected)
          .hint("Kaldi syntax is --" + name + "=VALUE");
    };
    switch (k.type) {
      case Type::Float: {
        float v = 0.0f;
        if (!hasValue || !parseFloat(value, v)) throw malformed("a number");
        o.*(k.f) = v;
        break;
      }
      case Type::Int: {
        int v = 0;
        if (!hasValue || !parseInt(value, v)) throw malformed("an integer");
        o.*(k.i) = v;
        break;
      }
      case Type::Bool:
      case Type::Ignored: {
        bool v = false;
        if (!parseKaldiBool(value, v)) throw malformed("true or false");
        if (k.type == Type::Bool) o.*(k.b) = v;
        break;
      }
      case Type::String:
        if (!hasValue || value.empty()) throw malformed("a name");
        o.*(k.s) = value;
        break;
    }
    if (*k.yamlKey) setAt[k.yamlKey] = {lineNumber, name};
  }

  try {
    o.validate();
  } catch (const Error& e) {
    // validate() names the YAML key; point at the line that set it, in Kaldi's words.
    const std::string yamlKey = e.keyName();
    std::string kaldiName = yamlKey;
    for (const auto& k : kaldiOptions())
      if (yamlKey == k.yamlKey) kaldiName = k.name;
    std::string what = e.what_();
    const std::string prefix = "fbank." + yamlKey + " = ";
    if (what.compare(0, prefix.size(), prefix) == 0)
      what = "--" + kaldiName + "=" + what.substr(prefix.size());
    Error out = US_ERROR(what);
    out.file(fileName);
    if (const auto at = setAt.find(yamlKey); at != setAt.end()) out.line(at->second.first);
    if (!e.hintText().empty()) out.hint(e.hintText());
    throw out;
  }
  return o;
}

FbankOptions loadFbankConfigFile(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    throw US_ERROR("config file does not exist or is not a file").file(path);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw US_ERROR("cannot read config file").file(path).hint("check its permissions");
  std::ostringstream text;
  text << in.rdbuf();
  if (looksLikeKaldiConfig(text.str())) return parseKaldiFbankConfig(text.str(), path);

  YamlSection root = YamlSection::loadFile(path);
  // Either the fbank keys at the top level, or under `fbank:`.
  if (root.has("fbank")) {
    YamlSection sub = root.child("fbank");
    FbankOptions o = FbankOptions::fromYaml(sub);
    root.finish();
    return o;
  }
  return FbankOptions::fromYaml(root);
}

}  // namespace understudy
