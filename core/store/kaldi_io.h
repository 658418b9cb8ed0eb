// Kaldi archive IO: ark (binary and text) and scp, byte-exact with Kaldi
// (docs/formats.md "Kaldi archives").
//
// Values we understand: float matrices (write `FM`; read `FM`, `DM` and the
// compressed `CM`/`CM2`/`CM3`), int32 vectors (alignments) and posteriors
// (soft labels). Writing:
//
//   KaldiArchiveWriter out("feats.ark", KaldiArchiveWriter::Mode::Binary, "feats.scp");
//   out.writeMatrix("utt1", m);
//   out.commit();                      // both files appear atomically
//
// Reading, one record at a time (binary vs text is detected per record):
//
//   KaldiArchiveReader in("feats.ark");
//   while (in.next()) { FloatMatrix m = in.readMatrix(); use(in.key(), m); }
//
// and random access through an scp line: `readScpMatrix(entry)`.
// Every error names the file, the record key and the byte offset.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace understudy {

class ProgressSink;

class AtomicFile;

// Row-major rows × cols float32 matrix.
struct FloatMatrix {
  std::int32_t rows = 0;
  std::int32_t cols = 0;
  std::vector<float> data;

  float at(std::int32_t r, std::int32_t c) const {
    return data[static_cast<std::size_t>(r) * static_cast<std::size_t>(cols) +
                static_cast<std::size_t>(c)];
  }
  bool operator==(const FloatMatrix& o) const {
    return rows == o.rows && cols == o.cols && data == o.data;
  }
};

// Per frame, a list of (unit id, weight) pairs, as Kaldi's `Posterior`.
using Posterior = std::vector<std::vector<std::pair<std::int32_t, float>>>;

// Throws understudy::Error unless `key` is a non-empty token without
// whitespace (Kaldi splits `key value` at the first space).
void checkKaldiKey(std::string_view key);

// Writes one ark (and optionally its scp). Nothing is visible until commit():
// both files are written through AtomicFile.
class KaldiArchiveWriter {
 public:
  enum class Mode { Binary, Text };

  KaldiArchiveWriter(std::filesystem::path arkPath, Mode mode,
                     std::filesystem::path scpPath = {});
  ~KaldiArchiveWriter();
  KaldiArchiveWriter(const KaldiArchiveWriter&) = delete;
  KaldiArchiveWriter& operator=(const KaldiArchiveWriter&) = delete;

  void writeMatrix(std::string_view key, const FloatMatrix& m);
  void writeMatrix(std::string_view key, const float* data, std::int32_t rows, std::int32_t cols);
  void writeIntVector(std::string_view key, const std::vector<std::int32_t>& v);
  void writePosterior(std::string_view key, const Posterior& p);
  // Makes the ark (and scp) visible; afterwards nothing more can be written.
  void commit();

  std::size_t recordCount() const { return m_records; }
  std::uint64_t bytesWritten() const { return m_offset; }

 private:
  void beginRecord(std::string_view key);
  void put(std::string_view bytes);
  void putInt32(std::int32_t v);
  void putFloat32(float v);
  void flushBuffer();

  std::filesystem::path m_arkPath;
  std::filesystem::path m_scpPath;
  Mode m_mode;
  std::unique_ptr<AtomicFile> m_ark;
  std::unique_ptr<AtomicFile> m_scp;
  std::string m_buffer;
  std::uint64_t m_offset = 0;  // bytes of the ark written so far (buffer included)
  std::size_t m_records = 0;
  bool m_committed = false;
};

// Reads an ark record by record. After next() returns true, call exactly one
// of readMatrix/readIntVector/readPosterior before the next next().
class KaldiArchiveReader {
 public:
  explicit KaldiArchiveReader(std::filesystem::path arkPath);
  ~KaldiArchiveReader();
  KaldiArchiveReader(const KaldiArchiveReader&) = delete;
  KaldiArchiveReader& operator=(const KaldiArchiveReader&) = delete;

  // Positions on the next record; false at the end of the archive.
  bool next();
  const std::string& key() const { return m_key; }
  bool isBinary() const { return m_binary; }
  // Byte offset of the current value (what an scp line points at).
  std::uint64_t valueOffset() const { return m_valueOffset; }

  FloatMatrix readMatrix();
  std::vector<std::int32_t> readIntVector();
  Posterior readPosterior();

  // Jumps to a value at `offset` (scp access); key() becomes `key`.
  void seekValue(std::uint64_t offset, std::string key);

  const std::filesystem::path& path() const { return m_path; }

 private:
  class Impl;
  std::unique_ptr<Impl> m_impl;
  std::filesystem::path m_path;
  std::string m_key;
  bool m_binary = false;
  bool m_valuePending = false;
  std::uint64_t m_valueOffset = 0;
};

// One scp line: `key path:offset`.
struct ScpEntry {
  std::string key;
  std::filesystem::path path;
  std::uint64_t offset = 0;
  bool hasOffset = false;  // `key path` without `:offset` reads from byte 0
};

// Parses a `key path[:offset]` line; `scpPath`/`lineNumber` are for errors.
// Relative paths stay as written (Kaldi resolves them against the cwd).
ScpEntry parseScpLine(std::string_view line, const std::filesystem::path& scpPath = {},
                      long lineNumber = 0);
// All entries of an scp file (blank lines skipped).
std::vector<ScpEntry> readScp(const std::filesystem::path& scpPath);

// Reads the value an scp entry points at.
FloatMatrix readScpMatrix(const ScpEntry& entry);
std::vector<std::int32_t> readScpIntVector(const ScpEntry& entry);
Posterior readScpPosterior(const ScpEntry& entry);

// Visits every record of an archive, or, for a path ending in `.scp`, every
// entry of the scp in its order (seeking into each archive it names, one open
// reader per archive). `visit(key, reader)` reads the value itself
// (readMatrix / readIntVector / readPosterior); reader.path() is the archive,
// for errors. Progress is reported as "import" in utterances, and a cancel
// request is checked between records.
void forEachKaldiRecord(
    const std::filesystem::path& arkOrScp, ProgressSink* progress,
    const std::function<void(const std::string& key, KaldiArchiveReader& reader)>& visit);

// Whole-archive conveniences (record order kept).
std::vector<std::pair<std::string, FloatMatrix>> readMatrixArchive(
    const std::filesystem::path& arkPath);
std::vector<std::pair<std::string, std::vector<std::int32_t>>> readIntVectorArchive(
    const std::filesystem::path& arkPath);
std::vector<std::pair<std::string, Posterior>> readPosteriorArchive(
    const std::filesystem::path& arkPath);

}  // namespace understudy
