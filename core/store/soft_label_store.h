// SoftLabelStore: a teacher's top-k posteriors per frame, e.g.
// WS/softlabels/<dataset>-<model>/. Torch-free, so the GUI reads it too.
// A thin typed layer over RecordStore (sharded, mmap-read, append-only,
// atomic commits, XXH3 checked on every read); the byte layout, the two
// precisions and their error bounds are in docs/formats.md ("Soft-label
// stores").
//
// Per frame: k distinct unit ids (uint16) sorted by decreasing probability,
// and k probabilities, stored either as IEEE fp16 or as 8-bit log-domain
// codes (`log8`: code c = round(40·log10(1/p)), 255 = zero, read back
// renormalised). The writer takes float probabilities that are already
// top-k'd and renormalised, checks them, rescales each frame to sum to 1
// and quantises.
//
//   SoftLabelStoreOptions o; o.k = 20; o.numUnits = 3000; o.model = "teacher";
//   auto store = SoftLabelStore::create(dir, o);
//   store.append("utt1", frames, ids.data(), probs.data());  // frames × k each
//   store.commit();
//   SoftLabels s = SoftLabelStore::open(dir).read("utt1");   // s.prob(t, j)
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/store/record_store.h"

namespace understudy {

enum class SoftLabelPrecision { Fp16, Log8 };
// "fp16" / "log8" (the names the catalog's soft_label_sets.quantization holds).
const char* softLabelPrecisionName(SoftLabelPrecision p);
// Accepts "fp16", "log8" and "u8" (an alias of log8, as `label --precision`
// spells it); throws naming the accepted values otherwise.
SoftLabelPrecision parseSoftLabelPrecision(std::string_view name);

// The quantisers, exposed for tests and for readers in other code.
namespace softlabel {
// IEEE 754 binary16 nearest to x (ties to even), for 0 <= x <= 1; one
// rounding straight from double.
std::uint16_t encodeFp16(double x);
float decodeFp16(std::uint16_t bits);  // exact
// 8-bit log domain, 40 codes per decade: c = floor(40·log10(1/x) + 0.5);
// c >= 255 (x < kLog8Floor) and x = 0 give 255, which means zero.
constexpr int kLog8CodesPerDecade = 40;
constexpr std::uint8_t kLog8Zero = 255;
// 10^(-254.5/40): the smallest x that keeps a non-zero code (254).
extern const double kLog8Floor;
std::uint8_t encodeLog8(double x);
double log8Value(std::uint8_t code);  // 10^(-c/40) in double; 0 for 255
}  // namespace softlabel

struct SoftLabelStoreOptions {
  int k = 20;                    // entries per frame, 1 … 4096 and <= numUnits
  SoftLabelPrecision precision = SoftLabelPrecision::Fp16;
  double temperature = 1.0;      // the softmax temperature the teacher used (> 0)
  int numUnits = 0;              // ids are < numUnits; 1 … 65535 (as model num_units)
  std::string model;             // the teacher's name; one line, may be empty
  std::uint64_t shardBytes = 256ull << 20;

  // Throws understudy::Error naming the bad field.
  void validate() const;
  bool operator==(const SoftLabelStoreOptions& o) const;
};

// One utterance, dequantised: frames × k ids and probabilities, row-major.
struct SoftLabels {
  int frames = 0;
  int k = 0;
  std::vector<std::uint16_t> ids;
  std::vector<float> probs;

  std::uint16_t id(int t, int j) const { return ids[static_cast<std::size_t>(t) * k + j]; }
  float prob(int t, int j) const { return probs[static_cast<std::size_t>(t) * k + j]; }
};

// Frames [begin, end) of one utterance, for gather(). end = -1: to the end.
struct SoftLabelSpan {
  std::string key;
  int begin = 0;
  int end = -1;
};

class SoftLabelStore {
 public:
  using Mode = RecordStore::Mode;
  static constexpr const char* kKind = "softlabels";

  // A new store (its options are committed at once as the store's metadata).
  static SoftLabelStore create(const std::filesystem::path& dir, const SoftLabelStoreOptions& options);
  static SoftLabelStore open(const std::filesystem::path& dir, Mode mode = Mode::ReadOnly);
  // Opens for appending (resume), creating the store if it does not exist;
  // an existing store must have the same options (else an error lists the
  // differing ones).
  static SoftLabelStore openOrCreate(const std::filesystem::path& dir,
                                     const SoftLabelStoreOptions& options);
  static bool exists(const std::filesystem::path& dir) { return RecordStore::exists(dir); }

  // `ids` and `probs` hold frames × k values, frame after frame. Per frame:
  // ids distinct, 0 <= id < numUnits; p >= 0 (finite), non-increasing;
  // Σp = 1 ± 1e-3. A violation throws naming the utterance and the frame.
  // Each frame is divided by its sum (in double) before quantising.
  // Not visible until commit().
  void append(std::string_view key, int frames, const std::int32_t* ids, const float* probs);
  void commit() { m_records.commit(); }

  bool contains(std::string_view key) const { return m_records.contains(key); }
  // Verifies the record's checksum (an error names the utterance, shard and
  // offset) and dequantises: fp16 values as stored; log8 renormalised so
  // each frame sums to 1.
  SoftLabels read(std::string_view key) const;
  // Frames of an utterance (0 if absent), without reading the record.
  int frames(std::string_view key) const;
  // For the trainer: the spans' frames one after another into caller
  // buffers of (Σ span lengths) × k ids and probabilities. Each record is
  // verified. Throws naming the utterance if a key is absent or a span lies
  // outside its frames. Returns the number of frames written.
  std::size_t gather(const std::vector<SoftLabelSpan>& spans, std::int64_t* ids,
                     float* probs) const;
  // Σ span lengths (checks the spans like gather()).
  std::size_t gatherFrames(const std::vector<SoftLabelSpan>& spans) const;
  // read(), frames(), gather() and gatherFrames() may run on several threads
  // at once (as RecordStore::read); refresh(), append() and commit() need
  // the object to themselves.

  std::vector<std::string> keys() const { return m_records.keys(); }
  std::vector<RecordProblem> verifyAll() const { return m_records.verifyAll(); }
  bool refresh() { return m_records.refresh(); }

  // As stored in the metadata (shardBytes: the default after open(); the
  // record store keeps its own, records().)
  const SoftLabelStoreOptions& options() const { return m_options; }
  int k() const { return m_options.k; }
  SoftLabelPrecision precision() const { return m_options.precision; }
  // Payload bytes per frame: 4k (fp16) or 3k (log8).
  std::size_t bytesPerFrame() const;
  // Bytes the store folder takes on disk (shards, index, journal, metadata).
  static std::uint64_t diskBytes(const std::filesystem::path& dir);
  std::size_t size() const { return m_records.size(); }
  std::uint64_t totalFrames() const { return m_records.totalRows(); }
  const std::filesystem::path& dir() const { return m_records.dir(); }

  RecordStore& records() { return m_records; }
  const RecordStore& records() const { return m_records; }

 private:
  SoftLabelStore(RecordStore records, SoftLabelStoreOptions options);
  std::pair<int, int> checkSpan(const SoftLabelSpan& span) const;
  void decode(const RecordView& r, int begin, int end, std::uint16_t* ids16, std::int64_t* ids64,
              float* probs) const;
  RecordStore m_records;
  SoftLabelStoreOptions m_options;
};

// Store metadata text <-> options (docs/formats.md, "Soft-label stores").
std::string softLabelMetadata(const SoftLabelStoreOptions& options);
SoftLabelStoreOptions parseSoftLabelMetadata(const std::string& text,
                                             const std::filesystem::path& dir);

}  // namespace understudy
