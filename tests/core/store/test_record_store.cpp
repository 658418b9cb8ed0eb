// RecordStore commits through the journal (docs/formats.md "journal"): a
// commit appends one checksummed block, the index is rewritten only when the
// writer closes; writers killed at random moments leave exactly the committed
// records and resume; a journal torn at any byte of its last block keeps the
// committed prefix; a flipped byte in a committed block is an error; a stale
// journal (compaction cut short) is ignored; a version-1 index written by
// hand from the documented layout still opens and is upgraded by a writer;
// readers in another process always see whole commits while a writer works.
#include <QTemporaryDir>
#include <QtTest>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>

#include "core/store/record_store.h"
#include "core/util/checksum.h"
#include "core/util/error.h"
#include "support/expect_error.h"

using namespace understudy;
using understudy::test::expectError;
namespace fs = std::filesystem;

namespace {

constexpr std::uint32_t kCols = 16;
constexpr std::uint64_t kSmallShard = 64 * 1024;

std::string keyOf(int k) { return "utt" + std::to_string(100000 + k); }
std::uint32_t rowsOf(int k) { return 1 + static_cast<std::uint32_t>(k * 7) % 23; }
std::vector<std::uint8_t> payloadOf(int k) {
  std::vector<std::uint8_t> v(rowsOf(k) * kCols);
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<std::uint8_t>(k * 31 + i * 7);
  return v;
}
RecordStoreOptions options() { return {ElementType::UInt8, kCols, "test", kSmallShard}; }
void appendRecord(RecordStore& store, int k) {
  const auto v = payloadOf(k);
  store.append(keyOf(k), v.data(), rowsOf(k), kCols);
}
// The store holds exactly records 0..n-1, in order, with their contents.
bool holdsExactly(const RecordStore& store, int n) {
  if (store.size() != static_cast<std::size_t>(n)) return false;
  const auto keys = store.keys();
  for (int k = 0; k < n; ++k) {
    if (keys[static_cast<std::size_t>(k)] != keyOf(k)) return false;
    const RecordView v = store.read(keyOf(k));
    const auto want = payloadOf(k);
    if (v.rows != rowsOf(k) || v.byteSize() != want.size() ||
        std::memcmp(v.data, want.data(), want.size()) != 0)
      return false;
  }
  return true;
}

std::string bytesOf(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
void writeBytes(const fs::path& p, const std::string& bytes) {
  std::ofstream(p, std::ios::binary | std::ios::trunc) << bytes;
}
template <typename T>
T at(const std::string& b, std::size_t off) {
  T v;
  std::memcpy(&v, b.data() + off, sizeof v);
  return v;
}
template <typename T>
void put(std::string& out, T v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof v);
}

// Dies at once: no destructor runs, so no compaction (the journal stays as a
// killed writer leaves it).
[[noreturn]] void die() {
  ::raise(SIGKILL);
  ::_exit(4);
}

// Runs `body` in a child process that must die by SIGKILL (call die()).
bool inKilledChild(const std::function<void()>& body) {
  pid_t pid = ::fork();
  if (pid < 0) return false;
  if (pid == 0) {
    try {
      body();
    } catch (...) {
      ::_exit(3);
    }
    ::raise(SIGKILL);
    ::_exit(4);
  }
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid) return false;
  return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
}

// Three commits of four records (0..11) through the journal, then killed.
// Returns the byte offsets where each journal block starts, and its end.
std::vector<std::uint64_t> writeThreeBlocksAndDie(const fs::path& dir) {
  const bool killed = inKilledChild([&] {
    RecordStore store = RecordStore::create(dir, options());
    for (int block = 0; block < 3; ++block) {
      for (int k = block * 4; k < block * 4 + 4; ++k) appendRecord(store, k);
      store.commit();
    }
    die();
  });
  if (!killed) return {};
  const std::string j = bytesOf(dir / "journal");
  std::vector<std::uint64_t> starts;
  for (std::uint64_t pos = 32; pos < j.size(); pos += at<std::uint64_t>(j, pos + 8))
    starts.push_back(pos);
  starts.push_back(j.size());
  return starts;
}

}  // namespace

class TestRecordStore : public QObject {
  Q_OBJECT

 private slots:
  // 400 commits of 1..5 records: each appends one journal block (the index
  // file is not touched), readers follow with refresh(), closing compacts.
  void testJournalRoundTripOverManyCommits() {
    QTemporaryDir tmp;
    const fs::path dir = fs::path(tmp.path().toStdString()) / "store";
    RecordStore writer = RecordStore::create(dir, options());
    const std::string indexAtCreate = bytesOf(dir / "index");
    RecordStore reader = RecordStore::open(dir);
    int n = 0;
    std::uint64_t journalBefore = 0;
    for (int commit = 0; commit < 400; ++commit) {
      const int add = 1 + commit % 5;
      std::uint64_t entryBytes = 0;
      for (int i = 0; i < add; ++i, ++n) {
        appendRecord(writer, n);
        entryBytes += 32 + keyOf(n).size();
      }
      if (commit % 97 == 0) writer.setMetadata("commit " + std::to_string(commit));
      writer.commit();
      // One block: header, the changed shard sizes, the entries, the marker.
      const std::uint64_t journalNow = fs::file_size(dir / "journal");
      const std::uint64_t grown = journalNow - (journalBefore ? journalBefore : 32);
      QVERIFY2(grown <= 48 + 2 * 8 + 16 + entryBytes + 7 + 8,
               ("block of " + std::to_string(grown) + " bytes for " + std::to_string(add) +
                " records")
                   .c_str());
      journalBefore = journalNow;
      if (commit % 50 == 0 || commit == 399) {
        QVERIFY(reader.refresh());
        QVERIFY(holdsExactly(reader, n));
        QCOMPARE(reader.generation(), writer.generation());
        QVERIFY(!reader.refresh());
      }
    }
    QCOMPARE(writer.generation(), std::uint64_t(401));
    QVERIFY2(writer.shardCount() > 1, "the test should cross shards");
    QCOMPARE(bytesOf(dir / "index"), indexAtCreate);  // no commit rewrote the index
    {
      RecordStore fresh = RecordStore::open(dir);  // index + 400 journal blocks
      QVERIFY(holdsExactly(fresh, n));
      QCOMPARE(fresh.metadata(), std::string("commit 388"));
      QCOMPARE(fresh.totalRows(), writer.totalRows());
    }
    writer.close();
    QVERIFY2(!fs::exists(dir / "journal"), "closing folds the journal into the index");
    QVERIFY(!reader.refresh());  // same generation, now from the new index
    QVERIFY(holdsExactly(reader, n));
    {
      RecordStore reopened = RecordStore::open(dir);
      QVERIFY(holdsExactly(reopened, n));
      QCOMPARE(reopened.generation(), std::uint64_t(401));
      QCOMPARE(reopened.metadata(), std::string("commit 388"));
      QVERIFY(reopened.verifyAll().empty());
    }
    // A second writer session: the reader picks up its new journal.
    {
      RecordStore again = RecordStore::open(dir, RecordStore::Mode::Append);
      appendRecord(again, n);
      again.commit();
      QVERIFY(reader.refresh());
      QVERIFY(holdsExactly(reader, n + 1));
    }
    QVERIFY(!reader.refresh());
    QVERIFY(holdsExactly(RecordStore::open(dir), n + 1));
  }

  // A writer is SIGKILLed at random moments (while appending, syncing or
  // writing a journal block); each time the store holds exactly the records
  // of the commits made, and the next writer resumes from there.
  void testWriterKilledAtRandomMomentsKeepsExactlyCommittedRecordsAndResumes() {
    QTemporaryDir tmp;
    const fs::path dir = fs::path(tmp.path().toStdString()) / "store";
    constexpr int kBatch = 5;
    std::mt19937 rng(20261201);
    int killedMidBatch = 0;
    for (int round = 0; round < 8; ++round) {
      int fds[2];
      QVERIFY(::pipe(fds) == 0);
      pid_t pid = ::fork();
      QVERIFY(pid >= 0);
      if (pid == 0) {
        ::close(fds[0]);
        try {
          RecordStore store = RecordStore::openOrCreate(dir, options());
          for (int k = static_cast<int>(store.size());; k += kBatch) {
            for (int i = k; i < k + kBatch; ++i) appendRecord(store, i);
            store.commit();
            const int done = k + kBatch;
            if (::write(fds[1], &done, sizeof done) != sizeof done) ::_exit(5);
          }
        } catch (...) {
          ::_exit(3);
        }
      }
      ::close(fds[1]);
      // Let it commit a random number of times, then kill it a random moment later.
      const int commits = 1 + static_cast<int>(rng() % 6);
      int acked = -1, got = 0;
      for (int i = 0; i < commits; ++i)
        if (::read(fds[0], &got, sizeof got) == sizeof got) acked = got;
      ::usleep(static_cast<useconds_t>(rng() % 4000));
      ::kill(pid, SIGKILL);
      int status = 0;
      QCOMPARE(::waitpid(pid, &status, 0), pid);
      QVERIFY2(WIFSIGNALED(status), "the writer should have died by SIGKILL");
      while (::read(fds[0], &got, sizeof got) == sizeof got) acked = got;
      ::close(fds[0]);
      QVERIFY(acked > 0);

      RecordStore store = RecordStore::open(dir);
      const int n = static_cast<int>(store.size());
      // Every acknowledged commit is there; at most the one in flight too.
      QVERIFY2(n == acked || n == acked + kBatch,
               (std::to_string(n) + " records after the kill, " + std::to_string(acked) +
                " acknowledged")
                   .c_str());
      if (n != acked) ++killedMidBatch;
      QVERIFY(holdsExactly(store, n));
      QVERIFY(store.verifyAll().empty());
    }
    // Finish in a writer that closes cleanly.
    {
      RecordStore store = RecordStore::open(dir, RecordStore::Mode::Append);
      const int n = static_cast<int>(store.size());
      for (int k = n; k < n + 3; ++k) appendRecord(store, k);
      store.commit();
    }
    QVERIFY(!fs::exists(dir / "journal"));
    RecordStore store = RecordStore::open(dir);
    QVERIFY(holdsExactly(store, static_cast<int>(store.size())));
    // Shard files end exactly where the index says (the killed writers'
    // uncommitted bytes were cut off, their extra shards removed).
    const std::string index = bytesOf(dir / "index");
    QCOMPARE(at<std::uint32_t>(index, 20), store.shardCount());
    QCOMPARE(at<std::uint32_t>(index, 48) + at<std::uint32_t>(index, 52), 4u);  // "test", no metadata
    for (std::uint32_t s = 0; s < store.shardCount(); ++s)
      QCOMPARE(static_cast<std::uint64_t>(fs::file_size(store.shardPath(s))),
               at<std::uint64_t>(index, 60 + 8 * s));
    QVERIFY(!fs::exists(store.shardPath(store.shardCount())));
    qInfo("8 kills, %d of them after a commit's block was written but before it was "
          "acknowledged",
          killedMidBatch);
  }

  // The last journal block cut at every byte (what a writer killed inside
  // its write leaves), or followed by zeros/garbage: the store holds the
  // first two commits exactly; a writer resumes from there.
  void testTornJournalTailAtEveryByteKeepsTheCommittedPrefix() {
    QTemporaryDir tmp;
    const fs::path root = tmp.path().toStdString();
    const fs::path dir = root / "store";
    const auto starts = writeThreeBlocksAndDie(dir);
    QCOMPARE(starts.size(), std::size_t(4));
    const std::string journal = bytesOf(dir / "journal");
    const std::uint64_t last = starts[2], end = starts[3];
    for (std::uint64_t cut = last; cut < end; ++cut) {
      writeBytes(dir / "journal", journal.substr(0, cut));
      RecordStore store = RecordStore::open(dir);
      QVERIFY2(holdsExactly(store, 8), ("cut at byte " + std::to_string(cut)).c_str());
      QCOMPARE(store.generation(), std::uint64_t(3));
    }
    // A torn write that left zeros or garbage after the prefix.
    std::mt19937 rng(7);
    for (std::uint64_t cut : {last, last + 8, last + 47, last + 48, end - 9, end - 1}) {
      std::string zeros = journal.substr(0, cut) + std::string(end - cut + 64, '\0');
      writeBytes(dir / "journal", zeros);
      QVERIFY(holdsExactly(RecordStore::open(dir), 8));
      std::string garbage = journal.substr(0, cut);
      for (std::uint64_t i = cut; i < end + 64; ++i) garbage += static_cast<char>(rng());
      writeBytes(dir / "journal", garbage);
      QVERIFY(holdsExactly(RecordStore::open(dir), 8));
    }
    writeBytes(dir / "journal", journal + std::string(100, '\0'));
    QVERIFY(holdsExactly(RecordStore::open(dir), 12));
    // A torn journal header (killed while creating it): nothing committed yet.
    writeBytes(dir / "journal", journal.substr(0, 20));
    QVERIFY(holdsExactly(RecordStore::open(dir), 0));
    // Resume after a torn tail: the shards' uncommitted bytes are cut off.
    for (std::uint64_t cut : {last, last + 100, end - 1}) {
      const fs::path copy = root / ("resume-" + std::to_string(cut));
      fs::copy(dir, copy, fs::copy_options::recursive);
      writeBytes(copy / "journal", journal.substr(0, cut));
      {
        RecordStore store = RecordStore::open(copy, RecordStore::Mode::Append);
        QVERIFY(holdsExactly(store, 8));
        QVERIFY2(!fs::exists(copy / "journal"), "the writer folds the journal into the index");
        for (int k = 8; k < 16; ++k) appendRecord(store, k);
        store.commit();
      }
      QVERIFY(holdsExactly(RecordStore::open(copy), 16));
    }
  }

  // A flipped byte anywhere in a committed block that is followed by another
  // is an error naming the journal and the block; in the last block it is
  // taken for a torn write: that commit's records are not shown.
  void testFlippedByteInsideAJournalBlockIsCaught() {
    QTemporaryDir tmp;
    const fs::path dir = fs::path(tmp.path().toStdString()) / "store";
    const auto starts = writeThreeBlocksAndDie(dir);
    QCOMPARE(starts.size(), std::size_t(4));
    const std::string journal = bytesOf(dir / "journal");
    const std::string jpath = (dir / "journal").string();
    for (std::uint64_t i = starts[0]; i < starts[2]; ++i) {
      std::string bad = journal;
      bad[i] ^= 0x04;
      writeBytes(dir / "journal", bad);
      const std::uint64_t block = i < starts[1] ? starts[0] : starts[1];
      expectError([&] { RecordStore::open(dir); },
                  {jpath, "store journal is corrupt", "block at byte " + std::to_string(block)});
      if (QTest::currentTestFailed()) QFAIL(("flip at byte " + std::to_string(i)).c_str());
      expectError([&] { RecordStore::open(dir, RecordStore::Mode::Append); },
                  {"store journal is corrupt"});
      if (QTest::currentTestFailed()) return;  // name the first byte that slipped through
    }
    for (std::uint64_t i = starts[2]; i < starts[3]; ++i) {
      std::string bad = journal;
      bad[i] ^= 0x04;
      writeBytes(dir / "journal", bad);
      QVERIFY2(holdsExactly(RecordStore::open(dir), 8), ("flip at byte " + std::to_string(i)).c_str());
    }
    // A flipped journal header with blocks after it.
    std::string bad = journal;
    bad[17] ^= 0x01;
    writeBytes(dir / "journal", bad);
    expectError([&] { RecordStore::open(dir); }, {jpath, "bad header"});
  }

  // Killed after the compacted index replaced the old one but before the
  // journal was removed: the journal extends an older generation; it is
  // ignored (not applied twice) and removed by the next writer.
  void testStaleJournalAfterCompactionIsIgnored() {
    QTemporaryDir tmp;
    const fs::path dir = fs::path(tmp.path().toStdString()) / "store";
    std::string journal;
    {
      RecordStore store = RecordStore::create(dir, options());
      for (int k = 0; k < 6; ++k) {
        appendRecord(store, k);
        if (k % 2 == 1) store.commit();
      }
      journal = bytesOf(dir / "journal");
    }
    writeBytes(dir / "journal", journal);
    RecordStore reader = RecordStore::open(dir);
    QVERIFY(holdsExactly(reader, 6));
    QCOMPARE(reader.generation(), std::uint64_t(4));
    {
      RecordStore store = RecordStore::open(dir, RecordStore::Mode::Append);
      QVERIFY(!fs::exists(dir / "journal"));
      appendRecord(store, 6);
      store.commit();
      QVERIFY(reader.refresh());
      QVERIFY(holdsExactly(reader, 7));
    }
    QVERIFY(holdsExactly(RecordStore::open(dir), 7));
  }

  // A writer in another process commits 4 records at a time and, halfway,
  // closes (compaction: index replaced, journal removed) and reopens (a new
  // journal). Readers there, one following with refresh() and fresh ones,
  // always see whole commits, in order, never fewer than before.
  void testReadersInAnotherProcessSeeACommittedPrefix() {
    QTemporaryDir tmp;
    const fs::path dir = fs::path(tmp.path().toStdString()) / "store";
    constexpr int kBatch = 4, kCommits = 120;
    pid_t pid = ::fork();
    QVERIFY(pid >= 0);
    if (pid == 0) {
      try {
        RecordStore store = RecordStore::create(dir, options());
        for (int c = 0; c < kCommits; ++c) {
          for (int k = c * kBatch; k < (c + 1) * kBatch; ++k) appendRecord(store, k);
          store.commit();
          if (c == kCommits / 2) {
            store.close();
            store = RecordStore::open(dir, RecordStore::Mode::Append);
          }
        }
        store.close();
      } catch (...) {
        ::_exit(3);
      }
      ::_exit(0);
    }
    while (!fs::exists(dir / "index")) ::usleep(200);
    RecordStore follower = RecordStore::open(dir);
    int last = 0, looks = 0, status = 0;
    bool bad = false;
    for (bool running = true; running;) {
      running = ::waitpid(pid, &status, WNOHANG) == 0;
      follower.refresh();
      const int n = static_cast<int>(follower.size());
      const int fresh = static_cast<int>(RecordStore::open(dir).size());
      if (n % kBatch != 0 || fresh % kBatch != 0 || n < last || !holdsExactly(follower, n)) {
        bad = true;
        break;
      }
      last = n;
      ++looks;
    }
    if (bad) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      QFAIL(("a reader saw " + std::to_string(follower.size()) + " records after " +
             std::to_string(last) + " (not a prefix of whole commits)")
                .c_str());
    }
    QVERIFY2(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the writer failed");
    follower.refresh();
    QVERIFY(holdsExactly(follower, kBatch * kCommits));
    QVERIFY(looks > 1);
  }

  // docs/formats.md describes the journal byte by byte; read one with
  // nothing but those offsets.
  void testJournalLayoutMatchesDocs() {
    QTemporaryDir tmp;
    const fs::path dir = fs::path(tmp.path().toStdString()) / "store";
    QVERIFY(inKilledChild([&] {
      RecordStore store = RecordStore::create(dir, options());
      appendRecord(store, 0);
      appendRecord(store, 1);
      store.setMetadata("meta");
      store.commit();
      appendRecord(store, 2);
      store.commit();
      die();
    }));
    const std::string j = bytesOf(dir / "journal");
    QCOMPARE(j.substr(0, 8), std::string("USRECJNL"));
    QCOMPARE(at<std::uint32_t>(j, 8), 2u);
    QCOMPARE(at<std::uint32_t>(j, 12), 0u);
    QCOMPARE(at<std::uint64_t>(j, 16), std::uint64_t(1));  // extends the index of generation 1
    QCOMPARE(at<std::uint64_t>(j, 24), checksum64(j.data(), 24));
    std::size_t pos = 32;
    for (int block = 0; block < 2; ++block) {
      const std::size_t start = pos;
      QCOMPARE(j.substr(pos, 8), std::string("USRECBLK"));
      const auto length = at<std::uint64_t>(j, pos + 8);
      QCOMPARE(length % 8, std::uint64_t(0));
      QCOMPARE(at<std::uint64_t>(j, pos + 16), std::uint64_t(2 + block));  // generation
      QCOMPARE(at<std::uint32_t>(j, pos + 24), 1u);                        // shards after
      QCOMPARE(at<std::uint32_t>(j, pos + 28), 0u);  // sizes follow from shard 0
      const auto entries = at<std::uint32_t>(j, pos + 32);
      QCOMPARE(entries, block == 0 ? 2u : 1u);
      const auto metaLength = at<std::uint32_t>(j, pos + 36);
      QCOMPARE(metaLength, block == 0 ? 4u : 0xFFFFFFFFu);
      QCOMPARE(at<std::uint64_t>(j, pos + 40), checksum64(j.data() + pos, 40));
      pos += 48;
      const auto shardSize = at<std::uint64_t>(j, pos);
      pos += 8;
      if (block == 0) {
        QCOMPARE(j.substr(pos, 4), std::string("meta"));
        pos += 4;
      }
      const std::string shard = bytesOf(dir / "shard-00000.bin");
      QVERIFY(shardSize <= shard.size());
      for (std::uint32_t e = 0; e < entries; ++e) {
        const int k = block == 0 ? static_cast<int>(e) : 2;
        const auto keyLength = at<std::uint32_t>(j, pos);
        QCOMPARE(j.substr(pos + 4, keyLength), keyOf(k));
        pos += 4 + keyLength;
        QCOMPARE(at<std::uint32_t>(j, pos), 0u);
        const auto offset = at<std::uint64_t>(j, pos + 4);
        QCOMPARE(at<std::uint32_t>(j, pos + 12), rowsOf(k));
        QCOMPARE(at<std::uint32_t>(j, pos + 16), kCols);
        const auto want = payloadOf(k);
        QCOMPARE(at<std::uint64_t>(j, pos + 20), checksum64(want.data(), want.size()));
        QCOMPARE(std::memcmp(shard.data() + offset, want.data(), want.size()), 0);
        QVERIFY(offset + want.size() <= shardSize);
        pos += 28;
      }
      while (pos < start + length - 8) QCOMPARE(j[pos++], '\0');  // padding
      QCOMPARE(at<std::uint64_t>(j, pos), checksum64(j.data() + start, length - 8));
      pos += 8;
    }
    QCOMPARE(pos, j.size());
  }

  // A store written before the journal existed (index format version 1,
  // built here byte by byte from docs/formats.md) opens as it is; the first
  // writer rewrites its index as version 2 and appends.
  void testVersionOneStoreOpensAndIsUpgradedByAWriter() {
    QTemporaryDir tmp;
    const fs::path dir = fs::path(tmp.path().toStdString()) / "old";
    fs::create_directories(dir);
    std::string shard(64, '\0');
    std::memcpy(&shard[0], "USRECSHD", 8);
    std::memcpy(&shard[8], "\x01\0\0\0\x02\0\0\0\0\0\0\0", 12);  // version 1, int32, shard 0
    struct Rec {
      std::string key;
      std::vector<std::int32_t> v;
      std::uint64_t offset = 0;
    };
    std::vector<Rec> recs = {{"a-1", {1, 2, 3}}, {"a-2", {}}, {"b-1", {-7, 40000, 5, 6, 9}}};
    for (Rec& r : recs) {
      shard.resize((shard.size() + 63) / 64 * 64, '\0');
      r.offset = shard.size();
      shard.append(reinterpret_cast<const char*>(r.v.data()), r.v.size() * 4);
    }
    std::string index = "USRECIDX";
    put<std::uint32_t>(index, 1);  // version 1
    put<std::uint32_t>(index, 2);  // int32
    put<std::uint32_t>(index, 1);  // cols
    put<std::uint32_t>(index, 1);  // shards
    put<std::uint64_t>(index, recs.size());
    put<std::uint64_t>(index, 5);  // generation
    put<std::uint64_t>(index, 65536);
    put<std::uint32_t>(index, 7);
    put<std::uint32_t>(index, 2);
    index += "targetsm1";
    put<std::uint64_t>(index, shard.size());
    for (const Rec& r : recs) {
      put<std::uint32_t>(index, static_cast<std::uint32_t>(r.key.size()));
      index += r.key;
      put<std::uint32_t>(index, 0);
      put<std::uint64_t>(index, r.offset);
      put<std::uint32_t>(index, static_cast<std::uint32_t>(r.v.size()));
      put<std::uint32_t>(index, 1);
      put<std::uint64_t>(index, checksum64(r.v.data(), r.v.size() * 4));
    }
    put<std::uint64_t>(index, checksum64(index));
    writeBytes(dir / "index", index);
    writeBytes(dir / "shard-00000.bin", shard);

    auto check = [&](const RecordStore& store) {
      QCOMPARE(store.size(), recs.size());
      QCOMPARE(store.kind(), std::string("targets"));
      QCOMPARE(store.metadata(), std::string("m1"));
      QCOMPARE(store.elementType(), ElementType::Int32);
      for (const Rec& r : recs) {
        const RecordView v = store.read(r.key);
        QCOMPARE(v.rows, static_cast<std::uint32_t>(r.v.size()));
        if (!r.v.empty()) QCOMPARE(std::memcmp(v.data, r.v.data(), r.v.size() * 4), 0);
      }
    };
    check(RecordStore::open(dir));
    QCOMPARE(RecordStore::open(dir).generation(), std::uint64_t(5));
    QCOMPARE(bytesOf(dir / "index"), index);  // readers never write
    {
      RecordStore store = RecordStore::open(dir, RecordStore::Mode::Append);
      const std::string upgraded = bytesOf(dir / "index");
      QCOMPARE(at<std::uint32_t>(upgraded, 8), 2u);
      QCOMPARE(upgraded.substr(12, index.size() - 20), index.substr(12, index.size() - 20));
      check(RecordStore::open(dir));
      const std::int32_t more[2] = {11, 12};
      store.append("c-1", more, 2, 1);
      store.commit();
      QVERIFY(fs::exists(dir / "journal"));
    }
    RecordStore store = RecordStore::open(dir);
    QCOMPARE(store.size(), recs.size() + 1);
    QCOMPARE(store.generation(), std::uint64_t(6));
    QCOMPARE(store.read("c-1").rows, 2u);
    QCOMPARE(at<std::uint32_t>(bytesOf(dir / "index"), 8), 2u);
    // A version this build does not know is refused by name.
    std::string future = bytesOf(dir / "index");
    future[8] = 3;
    writeBytes(dir / "index", future);
    expectError([&] { RecordStore::open(dir); }, {"version 3 is not supported"});
  }
};

QTEST_GUILESS_MAIN(TestRecordStore)
#include "test_record_store.moc"
