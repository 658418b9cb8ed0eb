// FeatureStore / RecordStore: sharding, reopen, checksums checked on every
// read (a flipped byte, a short shard, a refused export), a writer killed
// before commit (resume), concurrent readers, Kaldi export/import, and the
// on-disk layout documented in docs/formats.md.
#include <QTemporaryDir>
#include <QtTest>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>

#include "core/store/feature_store.h"
#include "core/util/checksum.h"
#include "core/util/error.h"
#include "support/expect_error.h"

using namespace understudy;
using understudy::test::expectError;
namespace fs = std::filesystem;

namespace {

constexpr int kDims = 24;
constexpr std::uint64_t kSmallShard = 64 * 1024;

// Deterministic content: record k, frame t, dim d. Different for every cell.
float cell(int k, int t, int d) { return static_cast<float>(k) * 1000.0f + t + d * 0.001f; }
int framesOf(int k) { return 20 + (k * 37) % 180; }
std::string keyOf(int k) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "spk%02d-utt%05d", k % 7, k);
  return buf;
}
std::vector<float> makeRecord(int k) {
  std::vector<float> v(static_cast<std::size_t>(framesOf(k)) * kDims);
  for (int t = 0; t < framesOf(k); ++t)
    for (int d = 0; d < kDims; ++d) v[static_cast<std::size_t>(t) * kDims + d] = cell(k, t, d);
  return v;
}
void appendRecord(FeatureStore& store, int k) {
  auto v = makeRecord(k);
  store.append(keyOf(k), v.data(), framesOf(k));
}
bool recordMatches(const FeatureStore& store, int k) {
  FeatureMatrixView v = store.read(keyOf(k));
  if (v.frames != framesOf(k) || v.dims != kDims) return false;
  return std::memcmp(v.data, makeRecord(k).data(), makeRecord(k).size() * 4) == 0;
}

std::string shardFile(std::uint32_t s) {
  char name[32];
  std::snprintf(name, sizeof name, "shard-%05u.bin", s);
  return name;
}

std::string bytesOf(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Flips one bit of the byte at `offset` (what a bad disk or a bad copy does).
void flipByte(const fs::path& file, std::uint64_t offset) {
  std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(static_cast<std::streamoff>(offset));
  char c = 0;
  f.read(&c, 1);
  c ^= 0x10;
  f.seekp(static_cast<std::streamoff>(offset));
  f.write(&c, 1);
}

template <typename T>
T at(const std::string& b, std::size_t off) {
  T v;
  std::memcpy(&v, b.data() + off, sizeof v);
  return v;
}

}  // namespace

class TestFeatureStore : public QObject {
  Q_OBJECT

 private slots:
  void testManyRecordsRoundTripAcrossShards() {
    QTemporaryDir tmp;
    const fs::path dir = fs::path(tmp.path().toStdString()) / "feats";
    const int n = 120;
    std::uint64_t frames = 0;
    {
      auto store = FeatureStore::create(dir, kDims, kSmallShard);
      for (int k = 0; k < n; ++k) {
        appendRecord(store, k);
        frames += framesOf(k);
        if (k % 50 == 49) store.commit();
      }
      store.commit();
      QCOMPARE(store.size(), std::size_t(n));
      for (int k = 0; k < n; ++k) QVERIFY(recordMatches(store, k));
    }
    auto store = FeatureStore::open(dir);
    QCOMPARE(store.size(), std::size_t(n));
    QCOMPARE(store.totalFrames(), frames);
    QCOMPARE(store.dims(), kDims);
    QVERIFY2(store.records().shardCount() >= 5, "expected several shards");
    for (std::uint32_t s = 0; s < store.records().shardCount(); ++s) {
      char name[32];
      std::snprintf(name, sizeof name, "shard-%05u.bin", s);
      QVERIFY(fs::exists(dir / name));
      QVERIFY(fs::file_size(dir / name) <= kSmallShard);
    }
    auto keys = store.keys();
    for (int k = 0; k < n; ++k) {
      QCOMPARE(keys[k], keyOf(k));
      QVERIFY(store.contains(keyOf(k)));
      QVERIFY(recordMatches(store, k));
    }
    QVERIFY(!store.contains("nope"));
    QVERIFY(store.verifyAll().empty());  // every checksum matches
    for (const RecordInfo& r : store.records().records()) QCOMPARE(r.offset % 64, std::uint64_t(0));
  }

  void testFlippedByteFailsEveryReadNamingShardUtteranceAndOffset() {
    QTemporaryDir tmp;
    const fs::path dir = fs::path(tmp.path().toStdString()) / "feats";
    {
      auto store = FeatureStore::create(dir, kDims, kSmallShard);
      for (int k = 0; k < 20; ++k) appendRecord(store, k);
      store.commit();
    }
    const RecordInfo victim = *FeatureStore::open(dir).records().find(keyOf(13));
    flipByte(dir / shardFile(victim.shard), victim.offset + 101);

    // A plain read checks the checksum: there is no way to get the bad bytes by accident.
    auto store = FeatureStore::open(dir);
    expectError([&] { store.read(keyOf(13)); },
                {shardFile(victim.shard), "utterance '" + keyOf(13) + "'", "checksum mismatch",
                 "byte offset " + std::to_string(victim.offset) + " ", "store " + dir.string(),
                 "understudy-cli verify"});
    expectError([&] { store.records().read(keyOf(13)); }, {"checksum mismatch"});
    store.records().readUnverified(keyOf(13));  // the bench's path: no check
    QVERIFY(recordMatches(store, 12));
    QVERIFY(recordMatches(store, 14));

    const std::vector<RecordProblem> bad = store.verifyAll();
    QCOMPARE(bad.size(), std::size_t(1));
    QCOMPARE(bad[0].key, keyOf(13));
    QCOMPARE(bad[0].shard, victim.shard);
    QCOMPARE(bad[0].offset, victim.offset);
    QCOMPARE(bad[0].bytes, std::uint64_t(framesOf(13)) * kDims * 4);
    QCOMPARE(bad[0].reason, std::string("checksum mismatch"));
  }

  void testVerifyAllVisitsEveryRecordAndReportsAShortShard() {
    QTemporaryDir tmp;
    const fs::path dir = fs::path(tmp.path().toStdString()) / "feats";
    {
      auto store = FeatureStore::create(dir, kDims, kSmallShard);
      for (int k = 0; k < 40; ++k) appendRecord(store, k);
      store.commit();
    }
    auto store = FeatureStore::open(dir);
    QVERIFY(store.records().shardCount() >= 2);
    std::vector<std::string> visited;
    QVERIFY(store.records().verifyAll([&](const RecordInfo& r) { visited.push_back(r.key); }).empty());
    QCOMPARE(visited, store.keys());

    // A shard cut short (a copy that stopped half-way): its records are bad, the rest are checked.
    const std::uint32_t last = store.records().shardCount() - 1;
    fs::resize_file(dir / shardFile(last), fs::file_size(dir / shardFile(last)) / 2);
    auto reopened = FeatureStore::open(dir);
    std::size_t inLast = 0;
    for (const RecordInfo& r : reopened.records().records()) inLast += r.shard == last;
    const std::vector<RecordProblem> bad = reopened.verifyAll();
    QCOMPARE(bad.size(), inLast);
    for (const RecordProblem& p : bad) {
      QCOMPARE(p.shard, last);
      QVERIFY2(p.reason.find("shorter than the index") != std::string::npos, p.reason.c_str());
    }
  }

  void testExportRefusesACorruptRecord() {
    QTemporaryDir tmp;
    const fs::path dir = fs::path(tmp.path().toStdString()) / "feats";
    {
      auto store = FeatureStore::create(dir, kDims, kSmallShard);
      for (int k = 0; k < 5; ++k) appendRecord(store, k);
      store.commit();
    }
    const RecordInfo victim = *FeatureStore::open(dir).records().find(keyOf(3));
    flipByte(dir / shardFile(victim.shard), victim.offset);
    const fs::path ark = fs::path(tmp.path().toStdString()) / "out.ark";
    expectError([&] { exportToKaldi(FeatureStore::open(dir), ark, {}, true); },
                {"utterance '" + keyOf(3) + "'", "checksum mismatch"});
    QVERIFY2(!fs::exists(ark), "a failed export must not leave an archive behind");
  }

  void testKilledWriterLeavesCommittedRecordsAndResumes() {
    QTemporaryDir tmp;
    const fs::path dir = fs::path(tmp.path().toStdString()) / "feats";
    const int committed = 30, total = 60;
    pid_t pid = ::fork();
    QVERIFY(pid >= 0);
    if (pid == 0) {
      // Child: commit 30 records, append 30 more (new shards included), die.
      try {
        auto store = FeatureStore::openOrCreate(dir, kDims, kSmallShard);
        for (int k = 0; k < committed; ++k) appendRecord(store, k);
        store.commit();
        for (int k = committed; k < total; ++k) appendRecord(store, k);
      } catch (...) {
        ::_exit(3);
      }
      ::raise(SIGKILL);
      ::_exit(4);
    }
    int status = 0;
    QCOMPARE(::waitpid(pid, &status, 0), pid);
    QVERIFY2(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "child did not die by SIGKILL");

    std::uint32_t shardsOnDisk = 0;
    while (fs::exists(dir / shardFile(shardsOnDisk))) ++shardsOnDisk;
    {
      auto store = FeatureStore::open(dir);
      QCOMPARE(store.size(), std::size_t(committed));
      QVERIFY2(shardsOnDisk > store.records().shardCount(),
               "the killed writer should have left uncommitted shards behind");
      for (int k = 0; k < committed; ++k) QVERIFY(recordMatches(store, k));
      QVERIFY(!store.contains(keyOf(committed)));
    }
    // As if the writer had died inside an index commit.
    std::ofstream(dir / "index.tmp.99999.0") << "half an index";
    {
      // Resume: uncommitted bytes are cut off, the rest is appended.
      auto store = FeatureStore::openOrCreate(dir, kDims, kSmallShard);
      QVERIFY(!fs::exists(dir / "index.tmp.99999.0"));
      QCOMPARE(store.size(), std::size_t(committed));
      for (int k = committed; k < total; ++k) {
        QVERIFY(!store.contains(keyOf(k)));
        appendRecord(store, k);
      }
      store.commit();
    }
    auto store = FeatureStore::open(dir);
    QCOMPARE(store.size(), std::size_t(total));
    for (int k = 0; k < total; ++k) QVERIFY(recordMatches(store, k));
    // Shard files end exactly where the index says.
    const std::string index = bytesOf(dir / "index");
    const std::uint32_t shardCount = at<std::uint32_t>(index, 20);
    const std::uint32_t kindLength = at<std::uint32_t>(index, 48);
    const std::uint32_t metaLength = at<std::uint32_t>(index, 52);
    for (std::uint32_t s = 0; s < shardCount; ++s) {
      char name[32];
      std::snprintf(name, sizeof name, "shard-%05u.bin", s);
      QCOMPARE(static_cast<std::uint64_t>(fs::file_size(dir / name)),
               at<std::uint64_t>(index, 56 + kindLength + metaLength + 8 * s));
    }
  }

  void testReaderSeesOnlyCommittedRecords() {
    QTemporaryDir tmp;
    const fs::path dir = fs::path(tmp.path().toStdString()) / "feats";
    auto writer = FeatureStore::create(dir, kDims, kSmallShard);
    for (int k = 0; k < 5; ++k) appendRecord(writer, k);
    writer.commit();
    auto reader = FeatureStore::open(dir);
    QCOMPARE(reader.size(), std::size_t(5));
    FeatureMatrixView early = reader.read(keyOf(4));
    for (int k = 5; k < 40; ++k) appendRecord(writer, k);
    QVERIFY(!reader.refresh());
    QCOMPARE(reader.size(), std::size_t(5));
    QCOMPARE(FeatureStore::open(dir).size(), std::size_t(5));
    expectError([&] { writer.read(keyOf(7)); }, {"not committed"});
    writer.commit();
    QCOMPARE(reader.size(), std::size_t(5));
    QVERIFY(reader.refresh());
    QCOMPARE(reader.size(), std::size_t(40));
    for (int k = 0; k < 40; ++k) QVERIFY(recordMatches(reader, k));
    QCOMPARE(early.row(3)[2], cell(4, 3, 2));  // older views stay valid
  }

  void testConcurrentReaderThreadNeverSeesPartialData() {
    QTemporaryDir tmp;
    const fs::path dir = fs::path(tmp.path().toStdString()) / "feats";
    auto writer = FeatureStore::create(dir, kDims, kSmallShard);
    std::atomic<bool> done{false};
    std::atomic<int> bad{0}, checks{0};
    std::thread reader([&] {
      auto store = FeatureStore::open(dir);
      std::size_t lastSize = 0;
      while (!done.load()) {
        store.refresh();
        if (store.size() < lastSize) ++bad;
        lastSize = store.size();
        const auto keys = store.keys();
        for (std::size_t i = 0; i < keys.size(); ++i) {
          if (keys[i] != keyOf(static_cast<int>(i)) ||
              !recordMatches(store, static_cast<int>(i)))
            ++bad;
          ++checks;
        }
      }
    });
    for (int k = 0; k < 150; ++k) {
      appendRecord(writer, k);
      if (k % 10 == 9) writer.commit();
    }
    done = true;
    reader.join();
    QCOMPARE(bad.load(), 0);
    QVERIFY(checks.load() > 0);
  }

  void testSecondWriterIsRefused() {
    QTemporaryDir tmp;
    const fs::path dir = fs::path(tmp.path().toStdString()) / "feats";
    auto writer = FeatureStore::create(dir, kDims);
    expectError([&] { FeatureStore::open(dir, FeatureStore::Mode::Append); },
                {"feats is being written by another process", "pid "});
    expectError([&] { FeatureStore::create(dir, kDims); }, {"already exists"});
    FeatureStore::open(dir);  // readers are fine
  }

  void testBadAppendsAreRefused() {
    QTemporaryDir tmp;
    const fs::path dir = fs::path(tmp.path().toStdString()) / "feats";
    std::optional<FeatureStore> holder = FeatureStore::create(dir, kDims);
    FeatureStore& store = *holder;
    appendRecord(store, 1);
    expectError([&] { appendRecord(store, 1); }, {"duplicate key", keyOf(1)});
    store.commit();
    expectError([&] { appendRecord(store, 1); }, {"duplicate key"});
    FloatMatrix wrong;
    wrong.rows = 2;
    wrong.cols = kDims + 1;
    wrong.data.resize(2 * (kDims + 1));
    expectError([&] { store.append("u2", wrong); }, {"key 'u2'", "columns"});
    expectError([&] { store.records().append("u3", wrong.data.data(), 2, kDims + 1); },
                {"key 'u3'", "columns"});
    expectError([&] { store.append("has space", wrong.data.data(), 1); }, {"whitespace"});
    expectError([&] { store.read("missing"); }, {"key 'missing'", "no such record"});
    auto reader = FeatureStore::open(dir);
    expectError([&] { reader.append("u4", wrong.data.data(), 1); }, {"read-only"});
    holder.reset();  // release the writer's lock
    expectError([&] { FeatureStore::openOrCreate(dir, kDims + 2); }, {"dims"});
  }

  void testEmptyRecordAndMetadata() {
    QTemporaryDir tmp;
    const fs::path dir = fs::path(tmp.path().toStdString()) / "feats";
    {
      auto store = FeatureStore::create(dir, kDims);
      store.append("empty", nullptr, 0);
      store.setMetadata("fbank:\n  num_mel_bins: 24\n");
      store.commit();
    }
    auto store = FeatureStore::open(dir);
    QCOMPARE(store.read("empty").frames, 0);
    QCOMPARE(store.metadata(), std::string("fbank:\n  num_mel_bins: 24\n"));
  }

  void testCorruptIndexIsAnError() {
    QTemporaryDir tmp;
    const fs::path dir = fs::path(tmp.path().toStdString()) / "feats";
    {
      auto store = FeatureStore::create(dir, kDims);
      for (int k = 0; k < 3; ++k) appendRecord(store, k);
      store.commit();
    }
    std::string index = bytesOf(dir / "index");
    index[70] ^= 1;
    std::ofstream(dir / "index", std::ios::binary) << index;
    expectError([&] { FeatureStore::open(dir); }, {(dir / "index").string(), "corrupt"});
    expectError([&] { FeatureStore::open(dir / "nowhere"); }, {"index missing"});
  }

  // docs/formats.md describes the index and shards byte by byte; read them
  // with nothing but those offsets (the writer has closed, so the index
  // holds every record and there is no journal).
  void testOnDiskLayoutMatchesDocs() {
    QTemporaryDir tmp;
    const fs::path dir = fs::path(tmp.path().toStdString()) / "feats";
    {
      auto store = FeatureStore::create(dir, kDims);
      store.setMetadata("cfg");
      for (int k = 0; k < 3; ++k) appendRecord(store, k);
      store.commit();
    }
    const std::string b = bytesOf(dir / "index");
    QCOMPARE(b.substr(0, 8), std::string("USRECIDX"));
    QCOMPARE(at<std::uint32_t>(b, 8), 2u);                     // index version
    QCOMPARE(at<std::uint32_t>(b, 12), 1u);                    // float32
    QCOMPARE(at<std::uint32_t>(b, 16), std::uint32_t(kDims));  // cols
    QCOMPARE(at<std::uint32_t>(b, 20), 1u);                    // shards
    QCOMPARE(at<std::uint64_t>(b, 24), std::uint64_t(3));      // records
    QCOMPARE(at<std::uint64_t>(b, 32), std::uint64_t(2));      // generation: create + 1 commit
    QCOMPARE(at<std::uint64_t>(b, 40), std::uint64_t(256) << 20);
    QCOMPARE(at<std::uint32_t>(b, 48), 8u);
    QCOMPARE(at<std::uint32_t>(b, 52), 3u);
    QCOMPARE(b.substr(56, 11), std::string("featurescfg"));
    std::size_t pos = 67;
    const std::uint64_t shardSize = at<std::uint64_t>(b, pos);
    pos += 8;
    const std::string shard = bytesOf(dir / "shard-00000.bin");
    QCOMPARE(shardSize, std::uint64_t(shard.size()));
    QCOMPARE(shard.substr(0, 8), std::string("USRECSHD"));
    QCOMPARE(at<std::uint32_t>(shard, 8), 1u);  // shard version: unchanged since 1
    QCOMPARE(at<std::uint32_t>(shard, 12), 1u);
    QCOMPARE(at<std::uint32_t>(shard, 16), 0u);
    for (int k = 0; k < 3; ++k) {
      const std::uint32_t keyLength = at<std::uint32_t>(b, pos);
      QCOMPARE(b.substr(pos + 4, keyLength), keyOf(k));
      pos += 4 + keyLength;
      QCOMPARE(at<std::uint32_t>(b, pos), 0u);  // shard
      const std::uint64_t offset = at<std::uint64_t>(b, pos + 4);
      QCOMPARE(at<std::uint32_t>(b, pos + 12), std::uint32_t(framesOf(k)));
      QCOMPARE(at<std::uint32_t>(b, pos + 16), std::uint32_t(kDims));
      const std::uint64_t sum = at<std::uint64_t>(b, pos + 20);
      pos += 28;
      const auto want = makeRecord(k);
      QCOMPARE(std::memcmp(shard.data() + offset, want.data(), want.size() * 4), 0);
      QCOMPARE(sum, checksum64(want.data(), want.size() * 4));
    }
    QCOMPARE(pos + 8, b.size());
    QCOMPARE(at<std::uint64_t>(b, pos), checksum64(b.data(), pos));
    QVERIFY(!fs::exists(dir / "journal"));
  }

  void testKaldiExportImportRoundTrip() {
    QTemporaryDir tmp;
    const fs::path root = tmp.path().toStdString();
    {
      auto store = FeatureStore::create(root / "a", kDims, kSmallShard);
      for (int k = 0; k < 25; ++k) appendRecord(store, k);
      store.commit();
    }
    auto a = FeatureStore::open(root / "a");
    exportToKaldi(a, root / "feats.ark", root / "feats.scp", true);
    exportToKaldi(a, root / "feats_txt.ark", {}, false);
    // The ark is a plain Kaldi archive, keys in C-locale order.
    auto arkRecords = readMatrixArchive(root / "feats.ark");
    QCOMPARE(arkRecords.size(), std::size_t(25));
    for (std::size_t i = 1; i < arkRecords.size(); ++i)
      QVERIFY(arkRecords[i - 1].first < arkRecords[i].first);

    auto r1 = importFromKaldi(root / "feats.ark", root / "b");
    QCOMPARE(r1.imported, std::size_t(25));
    QCOMPARE(r1.dims, kDims);
    auto r2 = importFromKaldi(root / "feats.scp", root / "c");
    QCOMPARE(r2.imported, std::size_t(25));
    auto r3 = importFromKaldi(root / "feats_txt.ark", root / "d");
    QCOMPARE(r3.imported, std::size_t(25));
    auto again = importFromKaldi(root / "feats.ark", root / "b");  // resumed: nothing new
    QCOMPARE(again.imported, std::size_t(0));
    QCOMPARE(again.skipped, std::size_t(25));
    for (const char* name : {"b", "c"}) {
      auto s = FeatureStore::open(root / name);
      QCOMPARE(s.size(), std::size_t(25));
      for (int k = 0; k < 25; ++k) QVERIFY(recordMatches(s, k));
    }
    auto d = FeatureStore::open(root / "d");  // text: 7 significant digits
    for (int k = 0; k < 25; ++k) {
      FeatureMatrixView v = d.read(keyOf(k));
      QCOMPARE(v.frames, framesOf(k));
      for (int t = 0; t < v.frames; ++t)
        for (int j = 0; j < kDims; ++j)
          QVERIFY(std::abs(v.row(t)[j] - cell(k, t, j)) <= 1e-6f * std::abs(cell(k, t, j)) + 1e-6f);
    }
  }

  void testInt32RecordsWithFreeLength() {
    QTemporaryDir tmp;
    const fs::path dir = fs::path(tmp.path().toStdString()) / "ali";
    {
      auto store = RecordStore::create(dir, {ElementType::Int32, 0, "alignments", kSmallShard});
      for (int k = 0; k < 10; ++k) {
        std::vector<std::int32_t> ali(static_cast<std::size_t>(k * 3));
        for (std::size_t i = 0; i < ali.size(); ++i) ali[i] = static_cast<std::int32_t>(k + i);
        store.append(keyOf(k), ali.data(), 1, static_cast<std::uint32_t>(ali.size()));
      }
      store.commit();
    }
    auto store = RecordStore::open(dir);
    QCOMPARE(store.kind(), std::string("alignments"));
    for (int k = 0; k < 10; ++k) {
      RecordView v = store.read(keyOf(k));
      QCOMPARE(v.cols, std::uint32_t(k * 3));
      for (int i = 0; i < k * 3; ++i) QCOMPARE(static_cast<const std::int32_t*>(v.data)[i], k + i);
    }
    expectError([&] { FeatureStore::open(dir); }, {"not a feature store"});
  }
};

QTEST_GUILESS_MAIN(TestFeatureStore)
#include "test_feature_store.moc"
