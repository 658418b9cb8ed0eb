// Kaldi ark/scp reader (core/store/kaldi_io.h). Input: one mode byte, then
//   modes 0-2: an ark read as matrices / int32 vectors / posteriors;
//   modes 3-5: the same through an scp: `scp text` \n%%\n `ark bytes`. The
//   scp is parsed by readScp (parseScpLine); every entry is then pointed at
//   the ark written here (key and offset kept), so no other file is opened.
#include <fstream>

#include "core/store/kaldi_io.h"
#include "fuzz/fuzz_target.h"

namespace {

using understudy::KaldiArchiveReader;

void readValue(int kind, KaldiArchiveReader& reader) {
  if (kind == 0) reader.readMatrix();
  else if (kind == 1) reader.readIntVector();
  else reader.readPosterior();
}

}  // namespace

US_FUZZ_TARGET(kaldi_io) {
  using namespace understudy;
  if (size < 1) return 0;
  const int mode = data[0] % 6;
  const int kind = mode % 3;
  auto& scratch = fuzz::ScratchDir::instance();
  const auto dir = scratch.fresh();
  return fuzz::expectOnlyErrors([&] {
    auto visit = [&](const std::string&, KaldiArchiveReader& reader) { readValue(kind, reader); };
    if (mode < 3) {
      const std::string ark(reinterpret_cast<const char*>(data + 1), size - 1);
      forEachKaldiRecord(scratch.write("in.ark", ark), nullptr, visit);
      return;
    }
    const auto parts = fuzz::splitParts(data + 1, size - 1, 2);
    const auto ark = scratch.write("in.ark", parts.size() > 1 ? parts[1] : std::string());
    const auto entries = readScp(scratch.write("given.scp", parts[0]));
    std::ofstream scp(dir / "in.scp");
    for (const ScpEntry& e : entries) {
      scp << e.key << ' ' << ark.string();
      if (e.hasOffset) scp << ':' << e.offset;
      scp << '\n';
    }
    scp.close();
    forEachKaldiRecord(dir / "in.scp", nullptr, visit);
  });
}
