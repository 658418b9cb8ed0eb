#include "core/store/soft_label_store.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <sstream>

#include "core/util/error.h"

namespace understudy {

const char* softLabelPrecisionName(SoftLabelPrecision p) {
  return p == SoftLabelPrecision::Fp16 ? "fp16" : "log8";
}

SoftLabelPrecision parseSoftLabelPrecision(std::string_view name) {
  if (name == "fp16") return SoftLabelPrecision::Fp16;
  if (name == "log8" || name == "u8") return SoftLabelPrecision::Log8;
  throw US_ERROR("unknown soft-label precision '" + std::string(name) + "'")
      .hint("use fp16 or u8 (log8)");
}

namespace softlabel {

const double kLog8Floor = std::pow(10.0, -254.5 / kLog8CodesPerDecade);

std::uint16_t encodeFp16(double x) {
  if (!(x > 0.0)) return 0;
  int e = 0;
  std::frexp(x, &e);  // x = m·2^e, m in [0.5, 1): x in [2^(e-1), 2^e)
  const int exponent = e - 1;
  if (exponent < -14) {
    // Subnormal: units of 2^-24; 1024 units is the smallest normal (0x0400).
    return static_cast<std::uint16_t>(std::nearbyint(std::ldexp(x, 24)));
  }
  // Normal: 11-bit significand in [1024, 2048); a carry to 2048 moves into
  // the exponent field by itself.
  const double m = std::nearbyint(std::ldexp(x, 10 - exponent));
  return static_cast<std::uint16_t>(((exponent + 15) << 10) + (static_cast<int>(m) - 1024));
}

float decodeFp16(std::uint16_t bits) {
  const int exponent = (bits >> 10) & 0x1f;
  const int mantissa = bits & 0x3ff;
  const float sign = (bits & 0x8000) ? -1.0f : 1.0f;
  if (exponent == 0) return sign * std::ldexp(static_cast<float>(mantissa), -24);
  if (exponent == 31) return mantissa ? NAN : sign * INFINITY;
  return sign * std::ldexp(static_cast<float>(1024 + mantissa), exponent - 25);
}

std::uint8_t encodeLog8(double x) {
  if (!(x > 0.0)) return kLog8Zero;
  const double c = std::floor(kLog8CodesPerDecade * -std::log10(x) + 0.5);
  if (c >= kLog8Zero) return kLog8Zero;
  if (c <= 0) return 0;
  return static_cast<std::uint8_t>(c);
}

namespace {
const std::array<double, 256>& log8Table() {
  static const std::array<double, 256> table = [] {
    std::array<double, 256> t{};
    for (int c = 0; c < 255; ++c) t[c] = std::pow(10.0, -c / static_cast<double>(kLog8CodesPerDecade));
    t[255] = 0.0;
    return t;
  }();
  return table;
}
}  // namespace

double log8Value(std::uint8_t code) { return log8Table()[code]; }

}  // namespace softlabel

// --- options ---------------------------------------------------------------

void SoftLabelStoreOptions::validate() const {
  if (numUnits < 1 || numUnits > 65535)
    throw US_ERROR("soft labels: num_units " + std::to_string(numUnits) + " must be 1 … 65535")
        .hint("unit ids are stored as uint16");
  if (k < 1 || k > 4096 || k > numUnits)
    throw US_ERROR("soft labels: k " + std::to_string(k) + " must be 1 … 4096 and at most num_units (" +
                   std::to_string(numUnits) + ")");
  if (!(temperature > 0.0) || !std::isfinite(temperature))
    throw US_ERROR("soft labels: temperature must be a positive number");
  if (model.find_first_of("\r\n") != std::string::npos)
    throw US_ERROR("soft labels: the model name must be one line");
  if (shardBytes == 0) throw US_ERROR("soft labels: shard_bytes must be positive");
}

bool SoftLabelStoreOptions::operator==(const SoftLabelStoreOptions& o) const {
  return k == o.k && precision == o.precision && temperature == o.temperature &&
         numUnits == o.numUnits && model == o.model;
}

namespace {
constexpr const char* kFormatLine = "understudy-softlabels 1";

RecordStoreOptions recordOptions(const SoftLabelStoreOptions& o) {
  o.validate();
  RecordStoreOptions r;
  r.kind = SoftLabelStore::kKind;
  r.shardBytes = o.shardBytes;
  if (o.precision == SoftLabelPrecision::Fp16) {
    r.type = ElementType::UInt16;
    r.cols = static_cast<std::uint32_t>(2 * o.k);
  } else {
    r.type = ElementType::UInt8;
    r.cols = static_cast<std::uint32_t>(3 * o.k);
  }
  return r;
}

std::string formatDouble(double v) {
  std::ostringstream s;
  s.imbue(std::locale::classic());
  s.precision(17);
  s << v;
  return s.str();
}
}  // namespace

std::string softLabelMetadata(const SoftLabelStoreOptions& o) {
  std::string s;
  s += "format: ";
  s += kFormatLine;
  s += "\nk: " + std::to_string(o.k);
  s += "\nprecision: ";
  s += softLabelPrecisionName(o.precision);
  s += "\ntemperature: " + formatDouble(o.temperature);
  s += "\nnum_units: " + std::to_string(o.numUnits);
  s += "\nmodel: " + o.model + "\n";
  return s;
}

SoftLabelStoreOptions parseSoftLabelMetadata(const std::string& text, const std::filesystem::path& dir) {
  SoftLabelStoreOptions o;
  bool format = false, haveK = false, havePrecision = false, haveUnits = false;
  std::istringstream in(text);
  std::string line;
  long lineNumber = 0;
  while (std::getline(in, line)) {
    ++lineNumber;
    if (line.empty()) continue;
    const auto colon = line.find(": ");
    const std::string name = line.substr(0, colon);
    const std::string value = colon == std::string::npos ? std::string() : line.substr(colon + 2);
    auto bad = [&](const std::string& what) {
      return US_ERROR("soft-label store metadata: " + what).file((dir / "index").string()).line(lineNumber);
    };
    try {
      if (colon == std::string::npos && line != "model:") throw bad("expected 'name: value', got '" + line + "'");
      if (name == "format") {
        if (value != kFormatLine) throw bad("unsupported format '" + value + "'");
        format = true;
      } else if (name == "k") {
        o.k = std::stoi(value);
        haveK = true;
      } else if (name == "precision") {
        o.precision = parseSoftLabelPrecision(value);
        havePrecision = true;
      } else if (name == "temperature") {
        std::istringstream v(value);
        v.imbue(std::locale::classic());
        v >> o.temperature;
        if (!v) throw bad("temperature '" + value + "' is not a number");
      } else if (name == "num_units") {
        o.numUnits = std::stoi(value);
        haveUnits = true;
      } else if (name == "model" || line == "model:") {
        o.model = value;
      }  // unknown names: written by a newer build, ignored
    } catch (const std::logic_error&) {
      throw bad("'" + value + "' is not a number");
    }
  }
  if (!format || !haveK || !havePrecision || !haveUnits) {
    throw US_ERROR("not a complete soft-label store: its metadata lacks format, k, precision or num_units")
        .file((dir / "index").string())
        .hint("a writer was killed before its first commit, or another program wrote it: delete the folder and label again");
  }
  return o;
}

// --- the store -------------------------------------------------------------

SoftLabelStore::SoftLabelStore(RecordStore records, SoftLabelStoreOptions options)
    : m_records(std::move(records)), m_options(std::move(options)) {
  const RecordStoreOptions expect = recordOptions(m_options);
  if (m_records.kind() != kKind || m_records.elementType() != expect.type ||
      m_records.cols() != expect.cols) {
    throw US_ERROR(std::string("not a soft-label store matching its metadata: it holds ") +
                   m_records.kind() + " (" + elementTypeName(m_records.elementType()) + ", " +
                   std::to_string(m_records.cols()) + " cols)")
        .file(m_records.dir().string());
  }
}

SoftLabelStore SoftLabelStore::create(const std::filesystem::path& dir,
                                      const SoftLabelStoreOptions& options) {
  RecordStore records = RecordStore::create(dir, recordOptions(options));
  records.setMetadata(softLabelMetadata(options));
  records.commit();
  return SoftLabelStore(std::move(records), options);
}

SoftLabelStore SoftLabelStore::open(const std::filesystem::path& dir, Mode mode) {
  RecordStore records = RecordStore::open(dir, mode);
  if (records.kind() != kKind) {
    throw US_ERROR("not a soft-label store: it holds " + records.kind()).file(dir.string());
  }
  SoftLabelStoreOptions options = parseSoftLabelMetadata(records.metadata(), dir);
  options.shardBytes = 256ull << 20;
  return SoftLabelStore(std::move(records), std::move(options));
}

SoftLabelStore SoftLabelStore::openOrCreate(const std::filesystem::path& dir,
                                            const SoftLabelStoreOptions& options) {
  if (!exists(dir)) return create(dir, options);
  RecordStore records = RecordStore::open(dir, Mode::Append);
  if (records.kind() == kKind && records.metadata().empty() && records.size() == 0) {
    // Created, then killed before the first commit wrote the metadata.
    recordOptions(options);
    records.setMetadata(softLabelMetadata(options));
    records.commit();
  }
  records.close();
  SoftLabelStore store = open(dir, Mode::Append);
  const SoftLabelStoreOptions& have = store.options();
  if (!(have == options)) {
    std::string diff;
    auto note = [&](const char* name, const std::string& a, const std::string& b) {
      if (a == b) return;
      diff += diff.empty() ? "" : ", ";
      diff += std::string(name) + " " + a + " (requested " + b + ")";
    };
    note("k", std::to_string(have.k), std::to_string(options.k));
    note("precision", softLabelPrecisionName(have.precision), softLabelPrecisionName(options.precision));
    note("temperature", formatDouble(have.temperature), formatDouble(options.temperature));
    note("num_units", std::to_string(have.numUnits), std::to_string(options.numUnits));
    note("model", "'" + have.model + "'", "'" + options.model + "'");
    throw US_ERROR("existing soft-label store differs: " + diff)
        .file(dir.string())
        .hint("resume with the same options, or label into a new folder");
  }
  return store;
}

std::uint64_t SoftLabelStore::diskBytes(const std::filesystem::path& dir) {
  std::uint64_t bytes = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec))
    // Not the writer's lock file: it names its holder (pid, command), so its
    // size would make the summary of the same labels differ from run to run.
    if (entry.is_regular_file(ec) && entry.path().filename() != "lock") bytes += entry.file_size(ec);
  return bytes;
}

std::size_t SoftLabelStore::bytesPerFrame() const {
  return static_cast<std::size_t>(m_options.k) * (m_options.precision == SoftLabelPrecision::Fp16 ? 4 : 3);
}

void SoftLabelStore::append(std::string_view key, int frames, const std::int32_t* ids,
                            const float* probs) {
  const std::string utt(key);
  if (frames < 0) throw US_ERROR("negative frame count").file(dir().string()).utterance(utt);
  const int k = m_options.k;
  const bool fp16 = m_options.precision == SoftLabelPrecision::Fp16;
  const std::size_t rowBytes = bytesPerFrame();
  std::vector<std::uint8_t> payload(rowBytes * static_cast<std::size_t>(frames));
  std::vector<std::int32_t> seen;
  for (int t = 0; t < frames; ++t) {
    const std::int32_t* id = ids + static_cast<std::size_t>(t) * k;
    const float* p = probs + static_cast<std::size_t>(t) * k;
    auto bad = [&](const std::string& what) {
      return US_ERROR("soft labels, frame " + std::to_string(t) + ": " + what)
          .file(dir().string())
          .utterance(utt)
          .hint("the writer takes each frame's top-k ids and probabilities, sorted by decreasing p and renormalised");
    };
    double sum = 0.0;
    seen.assign(id, id + k);
    for (int j = 0; j < k; ++j) {
      if (id[j] < 0 || id[j] >= m_options.numUnits)
        throw bad("unit id " + std::to_string(id[j]) + " is outside 0 … " +
                  std::to_string(m_options.numUnits - 1));
      if (!std::isfinite(p[j]) || p[j] < 0.0f)
        throw bad("probability " + std::to_string(p[j]) + " of unit " + std::to_string(id[j]) +
                  " is negative or not finite");
      if (j > 0 && p[j] > p[j - 1])
        throw bad("probabilities are not sorted by decreasing p (entry " + std::to_string(j) + ": " +
                  std::to_string(p[j]) + " > " + std::to_string(p[j - 1]) + ")");
      sum += p[j];
    }
    std::sort(seen.begin(), seen.end());
    auto dup = std::adjacent_find(seen.begin(), seen.end());
    if (dup != seen.end()) throw bad("unit id " + std::to_string(*dup) + " appears twice");
    if (std::fabs(sum - 1.0) > 1e-3)
      throw bad("probabilities sum to " + std::to_string(sum) + ", not 1 ± 1e-3");

    std::uint8_t* row = payload.data() + rowBytes * static_cast<std::size_t>(t);
    for (int j = 0; j < k; ++j) {
      const std::uint16_t u = static_cast<std::uint16_t>(id[j]);
      row[2 * j] = static_cast<std::uint8_t>(u & 0xff);
      row[2 * j + 1] = static_cast<std::uint8_t>(u >> 8);
    }
    for (int j = 0; j < k; ++j) {
      const double x = p[j] / sum;
      if (fp16) {
        const std::uint16_t h = softlabel::encodeFp16(x);
        row[2 * k + 2 * j] = static_cast<std::uint8_t>(h & 0xff);
        row[2 * k + 2 * j + 1] = static_cast<std::uint8_t>(h >> 8);
      } else {
        row[2 * k + j] = softlabel::encodeLog8(x);
      }
    }
  }
  m_records.append(key, payload.data(), static_cast<std::uint32_t>(frames), m_records.cols());
}

void SoftLabelStore::decode(const RecordView& r, int begin, int end, std::uint16_t* ids16,
                            std::int64_t* ids64, float* probs) const {
  const int k = m_options.k;
  const bool fp16 = m_options.precision == SoftLabelPrecision::Fp16;
  const std::size_t rowBytes = bytesPerFrame();
  const auto* base = static_cast<const std::uint8_t*>(r.data);
  std::vector<double> values(static_cast<std::size_t>(k));
  for (int t = begin; t < end; ++t) {
    const std::uint8_t* row = base + rowBytes * static_cast<std::size_t>(t);
    const std::size_t out = static_cast<std::size_t>(t - begin) * k;
    for (int j = 0; j < k; ++j) {
      const std::uint16_t id = static_cast<std::uint16_t>(row[2 * j] | (row[2 * j + 1] << 8));
      if (ids16) ids16[out + j] = id;
      if (ids64) ids64[out + j] = id;
    }
    if (fp16) {
      for (int j = 0; j < k; ++j) {
        probs[out + j] = softlabel::decodeFp16(
            static_cast<std::uint16_t>(row[2 * k + 2 * j] | (row[2 * k + 2 * j + 1] << 8)));
      }
    } else {
      double z = 0.0;
      for (int j = 0; j < k; ++j) {
        values[j] = softlabel::log8Value(row[2 * k + j]);
        z += values[j];
      }
      for (int j = 0; j < k; ++j) probs[out + j] = z > 0.0 ? static_cast<float>(values[j] / z) : 0.0f;
    }
  }
}

SoftLabels SoftLabelStore::read(std::string_view key) const {
  RecordView r = m_records.read(key);
  SoftLabels s;
  s.frames = static_cast<int>(r.rows);
  s.k = m_options.k;
  const std::size_t n = static_cast<std::size_t>(s.frames) * s.k;
  s.ids.resize(n);
  s.probs.resize(n);
  decode(r, 0, s.frames, s.ids.data(), nullptr, s.probs.data());
  return s;
}

int SoftLabelStore::frames(std::string_view key) const {
  const RecordInfo* info = m_records.find(key);
  return info ? static_cast<int>(info->rows) : 0;
}

std::pair<int, int> SoftLabelStore::checkSpan(const SoftLabelSpan& span) const {
  const RecordInfo* info = m_records.find(span.key);
  if (!info) {
    throw US_ERROR("no soft labels for this utterance").file(dir().string()).utterance(span.key)
        .hint("label the dataset first, or resume the label run");
  }
  const int n = static_cast<int>(info->rows);
  const int end = span.end < 0 ? n : span.end;
  if (span.begin < 0 || span.begin > end || end > n) {
    throw US_ERROR("frames [" + std::to_string(span.begin) + ", " + std::to_string(end) +
                   ") lie outside the utterance's " + std::to_string(n) + " soft-label frames")
        .file(dir().string())
        .utterance(span.key);
  }
  return {span.begin, end};
}

std::size_t SoftLabelStore::gatherFrames(const std::vector<SoftLabelSpan>& spans) const {
  std::size_t total = 0;
  for (const SoftLabelSpan& s : spans) {
    auto [b, e] = checkSpan(s);
    total += static_cast<std::size_t>(e - b);
  }
  return total;
}

std::size_t SoftLabelStore::gather(const std::vector<SoftLabelSpan>& spans, std::int64_t* ids,
                                   float* probs) const {
  std::size_t frame = 0;
  const std::size_t k = static_cast<std::size_t>(m_options.k);
  for (const SoftLabelSpan& s : spans) {
    auto [b, e] = checkSpan(s);
    RecordView r = m_records.read(s.key);
    decode(r, b, e, nullptr, ids + frame * k, probs + frame * k);
    frame += static_cast<std::size_t>(e - b);
  }
  return frame;
}

}  // namespace understudy
