// bench_store: what a RecordStore commit costs as the store grows
// (docs/performance.md "Record-store commits").
//
// 1. The store: --records small records (default 1,000,000 × 64 bytes),
//    commit() every --commit-every (1,000); appends/s, the cost of a commit
//    at the start and at the end of the run (flat = O(records added)), the
//    one-off compaction when the writer closes, and reopening.
// 2. The I/O floor, in the same run: the same bytes written with pwrite and
//    fdatasync'ed per batch, into one file for payloads and one for the
//    journal blocks, with no bookkeeping: ratio store / floor.
// 3. The previous commit (store format 1), re-implemented here as it was:
//    fsync the shard, then encode the whole index (every entry so far, same
//    layout, XXH3) and replace it atomically (temp file, fsync, rename,
//    fsync of the folder). Run for --reference-records (100,000), its cost
//    per commit fitted as a + b·n (n = records in the store) and
//    extrapolated to --records.
//
//   bench_store [--records 1000000] [--record-bytes 64] [--commit-every 1000]
//               [--reference-records 100000] [--dir /tmp]
#include <fcntl.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "bench/common/machine_info.h"
#include "core/store/record_store.h"
#include "core/util/atomic_file.h"
#include "core/util/checksum.h"

using namespace understudy;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

struct Args {
  long records = 1000000;
  int recordBytes = 64;
  int commitEvery = 1000;
  long referenceRecords = 100000;
  fs::path dir = fs::temp_directory_path();
};

double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string loadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

std::string fsType(const fs::path& dir) {
  struct statfs s {};
  if (::statfs(dir.c_str(), &s) != 0) return "unknown";
  switch (static_cast<unsigned long>(s.f_type)) {
    case 0xEF53: return "ext4";
    case 0x58465342: return "xfs";
    case 0x9123683E: return "btrfs";
    case 0x01021994: return "tmpfs (fsync is free: numbers are not disk numbers)";
    case 0x794C7630: return "overlayfs";
    default: {
      char buf[32];
      std::snprintf(buf, sizeof buf, "0x%lx", static_cast<unsigned long>(s.f_type));
      return buf;
    }
  }
}

std::string keyOf(long k) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "u%08ld", k);
  return buf;
}

void fillRecord(std::vector<std::uint8_t>& v, long k) {
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<std::uint8_t>(k * 131 + i);
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}
double mean(const std::vector<double>& v, std::size_t from, std::size_t to) {
  double s = 0;
  for (std::size_t i = from; i < to; ++i) s += v[i];
  return to > from ? s / static_cast<double>(to - from) : 0;
}
double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

void writeAll(int fd, const void* data, std::size_t size, std::uint64_t offset) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t n = ::pwrite(fd, p, size, static_cast<off_t>(offset));
    if (n <= 0) {
      std::perror("pwrite");
      std::exit(1);
    }
    p += n;
    size -= static_cast<std::size_t>(n);
    offset += static_cast<std::uint64_t>(n);
  }
}

template <typename T>
void putPod(std::string& out, T v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof v);
}

struct StoreRun {
  double appendCommitSeconds = 0;
  std::vector<double> commitSeconds;
  double closeSeconds = 0;
  double reopenSeconds = 0;
  std::uint64_t journalBytes = 0;
  std::uint64_t payloadBytes = 0;
};

StoreRun runStore(const Args& a, const fs::path& dir) {
  StoreRun r;
  std::vector<std::uint8_t> rec(static_cast<std::size_t>(a.recordBytes));
  RecordStore store = RecordStore::create(
      dir, {ElementType::UInt8, static_cast<std::uint32_t>(a.recordBytes), "bench"});
  const auto start = Clock::now();
  for (long k = 0; k < a.records; ++k) {
    fillRecord(rec, k);
    store.append(keyOf(k), rec.data(), 1, static_cast<std::uint32_t>(a.recordBytes));
    if ((k + 1) % a.commitEvery == 0 || k + 1 == a.records) {
      const auto c = Clock::now();
      store.commit();
      r.commitSeconds.push_back(secondsSince(c));
    }
  }
  r.appendCommitSeconds = secondsSince(start);
  r.journalBytes = fs::file_size(dir / "journal") - 32;
  for (std::uint32_t s = 0; s < store.shardCount(); ++s) r.payloadBytes += fs::file_size(store.shardPath(s)) - 64;
  const auto c = Clock::now();
  store.close();
  r.closeSeconds = secondsSince(c);
  const auto o = Clock::now();
  RecordStore reader = RecordStore::open(dir);
  r.reopenSeconds = secondsSince(o);
  if (reader.size() != static_cast<std::size_t>(a.records)) {
    std::fprintf(stderr, "store holds %zu records, expected %ld\n", reader.size(), a.records);
    std::exit(1);
  }
  return r;
}

// The same bytes, the same fsyncs, nothing else.
double runFloor(const Args& a, const fs::path& dir, std::uint64_t journalBytesPerCommit) {
  fs::create_directories(dir);
  int payload = ::open((dir / "payload").c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  int journal = ::open((dir / "journal").c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (payload < 0 || journal < 0) {
    std::perror("open");
    std::exit(1);
  }
  std::vector<std::uint8_t> rec(static_cast<std::size_t>(a.recordBytes));
  const std::string block(journalBytesPerCommit, 'j');
  std::uint64_t payloadOffset = 0, journalOffset = 0;
  const auto start = Clock::now();
  for (long k = 0; k < a.records; ++k) {
    fillRecord(rec, k);
    writeAll(payload, rec.data(), rec.size(), payloadOffset);
    payloadOffset += rec.size();
    if ((k + 1) % a.commitEvery == 0 || k + 1 == a.records) {
      ::fdatasync(payload);
      writeAll(journal, block.data(), block.size(), journalOffset);
      journalOffset += block.size();
      ::fdatasync(journal);
    }
  }
  const double seconds = secondsSince(start);
  ::close(payload);
  ::close(journal);
  return seconds;
}

// Format 1's commit: the whole index, rewritten atomically, every time.
struct Entry {
  std::string key;
  std::uint64_t offset;
  std::uint64_t checksum;
};

std::vector<double> runFullRewrite(const Args& a, const fs::path& dir, long records) {
  fs::create_directories(dir);
  int shard = ::open((dir / "shard-00000.bin").c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (shard < 0) {
    std::perror("open");
    std::exit(1);
  }
  std::vector<std::uint8_t> rec(static_cast<std::size_t>(a.recordBytes));
  std::vector<Entry> entries;
  std::vector<double> commitSeconds;
  std::uint64_t shardSize = 64;
  for (long k = 0; k < records; ++k) {
    fillRecord(rec, k);
    const std::uint64_t offset = (shardSize + 63) / 64 * 64;
    writeAll(shard, rec.data(), rec.size(), offset);
    shardSize = offset + rec.size();
    entries.push_back({keyOf(k), offset, checksum64(rec.data(), rec.size())});
    if ((k + 1) % a.commitEvery == 0 || k + 1 == records) {
      const auto c = Clock::now();
      ::fdatasync(shard);
      std::string out = "USRECIDX";
      putPod<std::uint32_t>(out, 1);
      putPod<std::uint32_t>(out, 4);
      putPod<std::uint32_t>(out, static_cast<std::uint32_t>(a.recordBytes));
      putPod<std::uint32_t>(out, 1);
      putPod<std::uint64_t>(out, entries.size());
      putPod<std::uint64_t>(out, commitSeconds.size() + 2);
      putPod<std::uint64_t>(out, 256ull << 20);
      putPod<std::uint32_t>(out, 5);
      putPod<std::uint32_t>(out, 0);
      out += "bench";
      putPod<std::uint64_t>(out, shardSize);
      for (const Entry& e : entries) {
        putPod<std::uint32_t>(out, static_cast<std::uint32_t>(e.key.size()));
        out += e.key;
        putPod<std::uint32_t>(out, 0);
        putPod<std::uint64_t>(out, e.offset);
        putPod<std::uint32_t>(out, 1);
        putPod<std::uint32_t>(out, static_cast<std::uint32_t>(a.recordBytes));
        putPod<std::uint64_t>(out, e.checksum);
      }
      putPod<std::uint64_t>(out, checksum64(out));
      writeFileAtomically(dir / "index", out);
      commitSeconds.push_back(secondsSince(c));
    }
  }
  ::close(shard);
  return commitSeconds;
}

bool parse(int argc, char** argv, Args& a) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", arg.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--records") a.records = std::atol(value());
    else if (arg == "--record-bytes") a.recordBytes = std::atoi(value());
    else if (arg == "--commit-every") a.commitEvery = std::atoi(value());
    else if (arg == "--reference-records") a.referenceRecords = std::atol(value());
    else if (arg == "--dir") a.dir = value();
    else {
      std::fprintf(stderr,
                   "usage: bench_store [--records N] [--record-bytes B] [--commit-every C]\n"
                   "                   [--reference-records R] [--dir D]\n");
      return false;
    }
  }
  if (a.records < 1 || a.recordBytes < 1 || a.commitEvery < 1 || a.referenceRecords < a.commitEvery) {
    std::fprintf(stderr, "bench_store: values must be positive (reference >= commit-every)\n");
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  if (!parse(argc, argv, a)) return 2;
  const fs::path root = a.dir / ("bench_store." + std::to_string(::getpid()));
  fs::remove_all(root);
  fs::create_directories(root);

  std::printf("bench_store: %ld records × %d bytes, commit every %d\n", a.records, a.recordBytes,
              a.commitEvery);
  std::printf("cpu               %s\n", bench::cpuModel().c_str());
  std::printf("folder            %s (%s)\n", root.c_str(), fsType(root).c_str());
  std::printf("load average      %s (start)\n", loadAverage().c_str());

  const StoreRun s = runStore(a, root / "store");
  const double commits = static_cast<double>(s.commitSeconds.size());
  const std::size_t tenth = std::max<std::size_t>(1, s.commitSeconds.size() / 10);
  const double firstTenth = mean(s.commitSeconds, 0, tenth);
  const double lastTenth = mean(s.commitSeconds, s.commitSeconds.size() - tenth, s.commitSeconds.size());
  std::printf("\n1. RecordStore (journal), %.0f commits\n", commits);
  std::printf("   appends + commits   %.2f s = %.0f appends/s\n", s.appendCommitSeconds,
              static_cast<double>(a.records) / s.appendCommitSeconds);
  std::printf("   of which appends    %.2f s = %.1f us per append (a pwrite each)\n",
              s.appendCommitSeconds - mean(s.commitSeconds, 0, s.commitSeconds.size()) * commits,
              1e6 * (s.appendCommitSeconds - mean(s.commitSeconds, 0, s.commitSeconds.size()) * commits) /
                  static_cast<double>(a.records));
  std::printf("   commit()            median %.2f ms, p99 %.2f ms; first 10%% of commits %.2f ms, "
              "last 10%% %.2f ms (%.2fx)\n",
              1e3 * median(s.commitSeconds), 1e3 * percentile(s.commitSeconds, 0.99),
              1e3 * firstTenth, 1e3 * lastTenth, lastTenth / firstTenth);
  std::printf("   journal             %.1f bytes per record, %.0f bytes per commit\n",
              static_cast<double>(s.journalBytes) / static_cast<double>(a.records),
              static_cast<double>(s.journalBytes) / commits);
  std::printf("   close (compaction)  %.3f s, once: the full index of %ld records\n", s.closeSeconds,
              a.records);
  std::printf("   reopen (read index) %.3f s\n", s.reopenSeconds);
  fs::remove_all(root / "store");

  const double floor =
      runFloor(a, root / "floor", static_cast<std::uint64_t>(static_cast<double>(s.journalBytes) / commits));
  std::printf("\n2. I/O floor: the same bytes, pwrite + 2 fdatasync per commit, no bookkeeping\n");
  std::printf("   total               %.2f s = %.0f appends/s; store / floor = %.2f\n", floor,
              static_cast<double>(a.records) / floor, s.appendCommitSeconds / floor);
  fs::remove_all(root / "floor");

  const std::vector<double> full = runFullRewrite(a, root / "full", a.referenceRecords);
  fs::remove_all(root / "full");
  // Least-squares fit of commit cost against records in the store.
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  const double m = static_cast<double>(full.size());
  for (std::size_t i = 0; i < full.size(); ++i) {
    const double n = std::min<double>(static_cast<double>((i + 1) * a.commitEvery),
                                      static_cast<double>(a.referenceRecords));
    sx += n;
    sy += full[i];
    sxx += n * n;
    sxy += n * full[i];
  }
  const double slope = (m * sxy - sx * sy) / std::max(1e-30, m * sxx - sx * sx);
  const double intercept = (sy - slope * sx) / m;
  double extrapolated = 0;
  for (long n = a.commitEvery; n < a.records + a.commitEvery; n += a.commitEvery)
    extrapolated += intercept + slope * static_cast<double>(std::min(n, a.records));
  double measuredFull = 0;
  for (double t : full) measuredFull += t;
  // The journal store's commits over the same first records, for a like-for-like look.
  const std::size_t sameCommits = std::min(full.size(), s.commitSeconds.size());
  const double journalSame = mean(s.commitSeconds, 0, sameCommits) * static_cast<double>(sameCommits);
  std::printf("\n3. Format 1's commit (whole index rewritten atomically), %ld records\n",
              a.referenceRecords);
  std::printf("   commits, measured   %.2f s for %zu commits (journal store, same commits: %.2f s); "
              "last commit %.2f ms\n",
              measuredFull, full.size(), journalSame, 1e3 * full.back());
  std::printf("   fit                 %.3f ms + %.3f ms per 1,000 records in the store\n",
              1e3 * intercept, 1e3 * slope * 1000);
  std::printf("   extrapolated        %.0f s of commits for %ld records (last commit ≈ %.0f ms); "
              "journal store: %.2f s of commits (%.0fx less)\n",
              extrapolated, a.records, 1e3 * (intercept + slope * static_cast<double>(a.records)),
              mean(s.commitSeconds, 0, s.commitSeconds.size()) * commits,
              extrapolated / (mean(s.commitSeconds, 0, s.commitSeconds.size()) * commits));
  std::printf("\nload average      %s (end)\n", loadAverage().c_str());
  fs::remove_all(root);
  return 0;
}
