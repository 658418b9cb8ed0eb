// Writes the seed inputs of the record_store and soft_label_store fuzzers:
// real stores made by RecordStore / SoftLabelStore, each packed as
// `index` \n%%\n `journal` \n%%\n `shard-00000.bin` (fuzz::writeRecordStore's
// layout). Stores are packed both after close() (index only) and while the
// writer is still open (index + journal), so both readers get seeds.
//
//   fuzz_make_store_seeds tests/fuzz/corpus
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "core/store/record_store.h"
#include "core/store/soft_label_store.h"
#include "fuzz/fuzz_target.h"

namespace fs = std::filesystem;
using namespace understudy;

namespace {

std::string slurp(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void pack(const fs::path& store, const fs::path& out) {
  std::string bytes = slurp(store / "index");
  bytes += fuzz::kPartSeparator;
  if (fs::exists(store / "journal")) bytes += slurp(store / "journal");
  bytes += fuzz::kPartSeparator;
  bytes += slurp(store / "shard-00000.bin");
  fs::create_directories(out.parent_path());
  std::ofstream(out, std::ios::binary) << bytes;
  std::cout << out.string() << ": " << bytes.size() << " bytes\n";
}

void recordStoreSeeds(const fs::path& tmp, const fs::path& corpus) {
  const fs::path out = corpus / "record_store";
  {  // float32, columns per record, closed
    const float a[6] = {1, 2, 3, 4, 5, 6};
    auto s = RecordStore::create(tmp / "f32", {ElementType::Float32, 0, "features"});
    s.setMetadata("num_mel_bins: 3\n");
    s.append("utt1", a, 2, 3);
    s.append("utt2", a, 3, 2);
    s.commit();
    s.append("utt3", a, 1, 1);
    s.commit();
    s.close();
    pack(tmp / "f32", out / "float32_closed");
  }
  {  // int32 × 2, two commits, packed while the writer is open (journal)
    const std::int32_t v[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    auto s = RecordStore::create(tmp / "i32", {ElementType::Int32, 2, "alignments"});
    s.append("a", v, 2, 2);
    s.commit();
    s.append("b", v, 4, 2);
    s.append("c", v, 1, 2);
    s.commit();
    pack(tmp / "i32", out / "int32_journal");
    s.close();
    pack(tmp / "i32", out / "int32_closed");
  }
  {  // uint8, empty
    auto s = RecordStore::create(tmp / "u8", {ElementType::UInt8, 4, "targets"});
    s.close();
    pack(tmp / "u8", out / "uint8_empty");
  }
}

void softLabelSeeds(const fs::path& tmp, const fs::path& corpus) {
  const fs::path out = corpus / "soft_label_store";
  for (auto precision : {SoftLabelPrecision::Fp16, SoftLabelPrecision::Log8}) {
    const std::string name = softLabelPrecisionName(precision);
    SoftLabelStoreOptions o;
    o.k = 3;
    o.numUnits = 10;
    o.precision = precision;
    o.model = "teacher";
    auto s = SoftLabelStore::create(tmp / name, o);
    const std::int32_t ids[9] = {4, 1, 7, 0, 2, 9, 3, 5, 6};
    const float probs[9] = {0.7f, 0.2f, 0.1f, 0.5f, 0.3f, 0.2f, 0.98f, 0.01f, 0.01f};
    s.append("utt1", 2, ids, probs);
    s.commit();
    s.append("utt2", 3, ids, probs);
    s.commit();
    pack(tmp / name, out / (name + "_journal"));
    s.records().close();
    pack(tmp / name, out / (name + "_closed"));
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: fuzz_make_store_seeds CORPUS_DIR (tests/fuzz/corpus)\n";
    return 2;
  }
  const fs::path tmp = fuzz::ScratchDir::instance().fresh();
  recordStoreSeeds(tmp, argv[1]);
  softLabelSeeds(tmp, argv[1]);
  return 0;
}
