// Record-store index and journal readers (core/store/record_store.h).
// Input: `index` \n%%\n `journal` \n%%\n `shard-00000.bin` (fuzz::writeRecordStore
// recomputes the index and journal checksums). Opens the folder read-only,
// reads and verifies every record, then opens it for appending (the resume
// path: journal folded into a new index, uncommitted shard bytes cut off)
// and reads it again.
#include "core/store/record_store.h"
#include "fuzz/fuzz_target.h"

namespace {

void readEverything(const understudy::RecordStore& store) {
  for (const std::string& key : store.keys()) {
    understudy::fuzz::expectOnlyErrors([&] { (void)store.read(key); });
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
