#include "core/corpus/manifest.h"

#include <fmt/format.h>

#include <cctype>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "core/util/error.h"

namespace understudy::corpus {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

bool isNumber(const json& v) { return v.is_number() && std::isfinite(v.get<double>()); }

}  // namespace

ParsedSource readManifest(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in)
    throw US_ERROR("cannot open the manifest")
        .file(file.string())
        .hint("pass a JSONL file with one {\"audio_filepath\": ..., \"duration\": ..., "
              "\"text\": ...} object per line");
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string text = buffer.str();

  ParsedSource src;
  src.kind = "manifest";
  src.path = file.string();
  const std::string name = file.filename().string();
  std::error_code ec;
  const fs::path base = fs::absolute(file, ec).parent_path();

  if (text.size() >= 3 && text.compare(0, 3, "\xEF\xBB\xBF") == 0) {
    text.erase(0, 3);
    src.issues.push_back({name, 1, "UTF-8 byte-order mark ignored", true});
  }

  std::set<std::string> keys;
  std::size_t pos = 0;
  long number = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(pos, end - pos);
    pos = end + 1;
    ++number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto bad = [&](const std::string& why) { src.issues.push_back({name, number, why, false}); };

    json obj;
    try {
      obj = json::parse(line);
    } catch (const json::parse_error& e) {
      // nlohmann's message starts "[json.exception.parse_error.101] parse error at ...".
      std::string what = e.what();
      auto colon = what.find("] ");
      bad("not valid JSON: " + (colon == std::string::npos ? what : what.substr(colon + 2)));
      continue;
    }
    if (!obj.is_object()) {
      bad("not a JSON object");
      continue;
    }
    auto audio = obj.find("audio_filepath");
    if (audio == obj.end() || !audio->is_string() || audio->get<std::string>().empty()) {
      bad("no \"audio_filepath\" string");
      continue;
    }

    SourceUtterance u;
    u.origin = name + ":" + std::to_string(number);
    fs::path audioPath(audio->get<std::string>());
    u.audioPath = (audioPath.is_absolute() ? audioPath : base / audioPath).lexically_normal().string();
    std::vector<std::string> problems;

    json metadata = json::object();
    for (auto it = obj.begin(); it != obj.end(); ++it) {
      const std::string& k = it.key();
      const json& v = it.value();
      if (k == "audio_filepath") continue;
      if (k == "duration") {
        if (!isNumber(v))
          problems.push_back("\"duration\" is not a number");
        else if (v.get<double>() < 0)
          problems.push_back(fmt::format("\"duration\" {} is negative", v.get<double>()));
        else
          u.declaredDurationSeconds = v.get<double>();
      } else if (k == "offset") {
        if (!isNumber(v))
          problems.push_back("\"offset\" is not a number");
        else if (v.get<double>() < 0)
          problems.push_back(fmt::format("\"offset\" {} is negative", v.get<double>()));
        else
          u.offsetSeconds = v.get<double>();
      } else if (k == "text") {
        src.hasTranscripts = true;
        if (v.is_string()) {
          u.hasText = true;
          u.text = v.get<std::string>();
          u.textOrigin = u.origin;
        } else if (!v.is_null()) {
          problems.push_back("\"text\" is not a string");
        }
      } else {
        if ((k == "speaker" || k == "spk_id" || k == "speaker_id") && u.speaker.empty())
          u.speaker = v.is_string() ? v.get<std::string>() : v.dump();
        metadata[k] = v;
      }
    }
    // With an offset, the manifest's duration is the segment's length (NeMo).
    if (u.offsetSeconds > 0 || obj.contains("offset"))
      u.durationSeconds = u.declaredDurationSeconds;

    std::string key;
    for (const char* idKey : {"utt_id", "id"}) {
      auto id = obj.find(idKey);
      if (id != obj.end() && id->is_string() && !id->get<std::string>().empty()) {
        key = id->get<std::string>();
        break;
      }
    }
    if (key.empty()) {
      key = audioPath.stem().string();
      if (obj.contains("offset") && u.offsetSeconds > 0)
        key += fmt::format("-{:07d}", static_cast<long>(std::lround(u.offsetSeconds * 1000)));
    }
    // Keys name store records and Kaldi lines: no whitespace.
    for (char& c : key)
      if (std::isspace(static_cast<unsigned char>(c))) c = '_';
    if (keys.count(key)) key += "-L" + std::to_string(number);
    keys.insert(key);
    u.key = key;
    u.recordingId = audioPath.stem().string();
    if (u.speaker.empty()) u.speaker = u.key;
    u.metadataJson = metadata.dump();
    if (!problems.empty()) {
      std::string joined;
      for (auto& p : problems) joined += (joined.empty() ? "" : "; ") + p;
      u.problem = u.origin + ": " + joined;
      bad(joined);
    }
    src.utterances.push_back(std::move(u));
  }
  sortByKey(src.utterances);
  return src;
}

}  // namespace understudy::corpus
