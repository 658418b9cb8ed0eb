// Record-store index and journal readers (core/store/record_store.h).
// Input: `index` \n%%\n `journal` \n%%\n `shard-00000.bin` (fuzz::writeRecordStore
// recomputes the index and journal checksums). Opens the folder read-only,
// reads and verifies every record, then opens it for appending (the resume
// path: journal folded into a new index, uncommitted shard bytes cut off)
// and reads it again. Besides crashes, a store that opens but breaks what
// record_store.h promises is a finding (std::logic_error): a record whose
// column count differs from the store's fixed one, or whose rows × cols
// payload does not fit in size_t or lies past the end of its shard file.
#include <filesystem>
#include <stdexcept>
#include <string>

#include "core/store/record_store.h"
#include "fuzz/fuzz_target.h"

namespace {

using understudy::RecordStore;

[[noreturn]] void broken(const understudy::RecordInfo& r, const std::string& what) {
  throw std::logic_error("record '" + r.key + "' opened but " + what);
}

void checkColumns(const RecordStore& store, const understudy::RecordInfo& r) {
  if (store.cols() != 0 && r.cols != store.cols())
    broken(r, "has " + std::to_string(r.cols) + " columns in a store of " +
                  std::to_string(store.cols()));
}

void checkPayload(const RecordStore& store, const understudy::RecordInfo& r,
                  const understudy::RecordView& v) {
  const unsigned __int128 bytes = static_cast<unsigned __int128>(r.rows) * r.cols *
                                  understudy::elementSize(store.elementType());
  if (bytes != v.byteSize()) broken(r, "its rows × cols × element size overflows");
  std::error_code ec;
  const auto shardBytes = std::filesystem::file_size(store.shardPath(r.shard), ec);
  if (ec || r.offset + bytes > shardBytes) broken(r, "its payload lies past the end of its shard");
}

void readEverything(const RecordStore& store) {
  for (const understudy::RecordInfo& r : store.records()) {
    checkColumns(store, r);
    understudy::fuzz::expectOnlyErrors([&] { checkPayload(store, r, store.read(r.key)); });
  }
  (void)store.verifyAll();
}

}  // namespace

US_FUZZ_TARGET(record_store) {
  using namespace understudy;
  fuzz::ScratchDir::instance().fresh();
  const auto dir = fuzz::writeRecordStore(data, size, "store");
  return fuzz::expectOnlyErrors([&] {
    {
      RecordStore store = RecordStore::open(dir);
      readEverything(store);
      (void)store.refresh();
    }
    RecordStore writer = RecordStore::open(dir, RecordStore::Mode::Append);
    writer.close();
    readEverything(RecordStore::open(dir));
  });
}
