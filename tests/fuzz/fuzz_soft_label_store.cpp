// Soft-label store reader (core/store/soft_label_store.h). Input as for
// record_store. Two passes:
//  1. the folder as given: metadata parsed, every record read (checksummed),
//     gathered whole and in halves;
//  2. the same records repacked by RecordStore::append into a fresh store
//     (so their checksums hold and mutated payloads reach the dequantiser),
//     then read as in 1.
#include "core/store/soft_label_store.h"
#include "fuzz/fuzz_target.h"

namespace {

using understudy::SoftLabelStore;
using understudy::SoftLabelSpan;
using understudy::fuzz::expectOnlyErrors;

void readEverything(const SoftLabelStore& store) {
  std::vector<SoftLabelSpan> spans;
  for (const std::string& key : store.keys()) {
    expectOnlyErrors([&] { (void)store.read(key); });
    const int frames = store.frames(key);
    spans.push_back({key, 0, frames / 2});
    spans.push_back({key, frames / 2, -1});
  }
  expectOnlyErrors([&] {
    const std::size_t frames = store.gatherFrames(spans);
    if (frames > (1u << 20)) return;
    std::vector<std::int64_t> ids(frames * static_cast<std::size_t>(store.k()));
    std::vector<float> probs(ids.size());
    store.gather(spans, ids.data(), probs.data());
  });
}

// Copies every record whose shard bytes can be mapped into a new store.
std::filesystem::path repack(const std::filesystem::path& from, const std::filesystem::path& to) {
  using namespace understudy;
  const RecordStore in = RecordStore::open(from);
  RecordStoreOptions options;
  options.type = in.elementType();
  options.cols = in.cols();
  options.kind = in.kind();
  RecordStore out = RecordStore::create(to, options);
  out.setMetadata(in.metadata());
  for (const RecordInfo& r : in.records()) {
    expectOnlyErrors([&] {
      const RecordView v = in.readUnverified(r.key);
      out.append(r.key, v.data, v.rows, v.cols);
    });
  }
  out.commit();
  out.close();
  return to;
}

}  // namespace

US_FUZZ_TARGET(soft_label_store) {
  using namespace understudy;
  auto& scratch = fuzz::ScratchDir::instance();
  scratch.fresh();
  const auto dir = fuzz::writeRecordStore(data, size, "given");
  expectOnlyErrors([&] { readEverything(SoftLabelStore::open(dir)); });
  return expectOnlyErrors(
      [&] { readEverything(SoftLabelStore::open(repack(dir, scratch.path() / "repacked"))); });
}
