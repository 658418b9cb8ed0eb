#include "core/store/kaldi_io.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <charconv>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>

#include "core/util/atomic_file.h"
#include "core/util/error.h"
#include "core/util/progress.h"

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "Kaldi binary IO assumes little-endian");

namespace understudy {
namespace {

constexpr std::size_t kFlushBytes = 1 << 20;

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Kaldi prints floats with the stream's default format at precision 7
// (InitKaldiOutputStream), which is printf's %.7g.
// std::to_chars with a precision is specified "as if by printf", and is
// several times faster than snprintf.
void appendFloat(std::string& out, float v) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general, 7);
  out.append(buf, static_cast<std::size_t>(r.ptr - buf));
}

}  // namespace

void checkKaldiKey(std::string_view key) {
  if (key.empty())
    throw US_ERROR("empty key").hint("Kaldi keys are non-empty tokens without whitespace");
  for (char c : key) {
    if (std::isspace(static_cast<unsigned char>(c)) || c == '\0') {
      throw US_ERROR("key contains whitespace or a NUL byte")
          .key(std::string(key))
          .hint("Kaldi keys are non-empty tokens without whitespace");
    }
  }
}

// ---------------------------------------------------------------- writer

KaldiArchiveWriter::KaldiArchiveWriter(std::filesystem::path arkPath, Mode mode,
                                       std::filesystem::path scpPath)
    : m_arkPath(std::move(arkPath)), m_scpPath(std::move(scpPath)), m_mode(mode) {
  m_ark = std::make_unique<AtomicFile>(m_arkPath);
  if (!m_scpPath.empty()) m_scp = std::make_unique<AtomicFile>(m_scpPath);
}

KaldiArchiveWriter::~KaldiArchiveWriter() = default;

void KaldiArchiveWriter::beginRecord(std::string_view key) {
  if (m_committed)
    throw US_ERROR("archive already committed").file(m_arkPath.string()).key(std::string(key));
  checkKaldiKey(key);
  if (m_scp) {
    std::string line(key);
    line += ' ';
    line += m_arkPath.string();
    line += ':';
    line += std::to_string(m_offset + key.size() + 1);
    line += '\n';
    m_scp->write(line);
  }
  put(key);
  put(" ");
  if (m_mode == Mode::Binary) put(std::string_view("\0B", 2));
  ++m_records;
}

void KaldiArchiveWriter::put(std::string_view bytes) {
  m_buffer.append(bytes.data(), bytes.size());
  m_offset += bytes.size();
  if (m_buffer.size() >= kFlushBytes) flushBuffer();
}

void KaldiArchiveWriter::putInt32(std::int32_t v) {
  char buf[5];
  buf[0] = 4;
  std::memcpy(buf + 1, &v, 4);
  put(std::string_view(buf, 5));
}

void KaldiArchiveWriter::putFloat32(float v) {
  char buf[5];
  buf[0] = 4;
  std::memcpy(buf + 1, &v, 4);
  put(std::string_view(buf, 5));
}

void KaldiArchiveWriter::flushBuffer() {
  if (m_buffer.empty()) return;
  m_ark->write(m_buffer.data(), m_buffer.size());
  m_buffer.clear();
}

void KaldiArchiveWriter::writeMatrix(std::string_view key, const FloatMatrix& m) {
  if (m.data.size() != static_cast<std::size_t>(m.rows) * static_cast<std::size_t>(m.cols))
    throw US_ERROR("matrix data size does not match rows × cols").key(std::string(key));
  writeMatrix(key, m.data.data(), m.rows, m.cols);
}

void KaldiArchiveWriter::writeMatrix(std::string_view key, const float* data, std::int32_t rows,
                                     std::int32_t cols) {
  if (rows < 0 || cols < 0)
    throw US_ERROR("negative matrix size").key(std::string(key)).file(m_arkPath.string());
  beginRecord(key);
  // Kaldi has no 0×n matrices: an empty one is 0×0 in both forms.
  if (rows == 0 || cols == 0) rows = cols = 0;
  if (m_mode == Mode::Binary) {
    put("FM ");
    putInt32(rows);
    putInt32(cols);
    put(std::string_view(reinterpret_cast<const char*>(data),
                         static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols) * 4));
    return;
  }
  // Kaldi's Matrix::Write text form: " [", "\n  " before each row, "v " per value, "]\n".
  if (rows == 0 || cols == 0) {
    put(" [ ]\n");
    return;
  }
  std::string text = " [";
  for (std::int32_t r = 0; r < rows; ++r) {
    text += "\n  ";
    const float* row = data + static_cast<std::size_t>(r) * static_cast<std::size_t>(cols);
    for (std::int32_t c = 0; c < cols; ++c) {
      appendFloat(text, row[c]);
      text += ' ';
    }
    if (text.size() >= kFlushBytes) {
      put(text);
      text.clear();
    }
  }
  text += "]\n";
  put(text);
}

void KaldiArchiveWriter::writeIntVector(std::string_view key, const std::vector<std::int32_t>& v) {
  beginRecord(key);
  if (m_mode == Mode::Binary) {
    putInt32(static_cast<std::int32_t>(v.size()));
    for (std::int32_t x : v) putInt32(x);
    return;
  }
  std::string text;
  for (std::int32_t x : v) {
    text += std::to_string(x);
    text += ' ';
  }
  text += '\n';
  put(text);
}

void KaldiArchiveWriter::writePosterior(std::string_view key, const Posterior& p) {
  beginRecord(key);
  if (m_mode == Mode::Binary) {
    putInt32(static_cast<std::int32_t>(p.size()));
    for (const auto& frame : p) {
      putInt32(static_cast<std::int32_t>(frame.size()));
      for (const auto& [id, weight] : frame) {
        putInt32(id);
        putFloat32(weight);
      }
    }
    return;
  }
  std::string text;
  for (const auto& frame : p) {
    text += "[ ";
    for (const auto& [id, weight] : frame) {
      text += std::to_string(id);
      text += ' ';
      appendFloat(text, weight);
      text += ' ';
    }
    text += "] ";
  }
  text += '\n';
  put(text);
}

void KaldiArchiveWriter::commit() {
  if (m_committed) return;
  flushBuffer();
  m_ark->commit();
  if (m_scp) m_scp->commit();
  m_committed = true;
}

// ---------------------------------------------------------------- reader

class KaldiArchiveReader::Impl {
 public:
  explicit Impl(const std::filesystem::path& path) : m_path(path) {
    m_fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (m_fd < 0) {
      throw US_ERROR(std::string("cannot open archive: ") + std::strerror(errno))
          .file(path.string());
    }
    struct stat st {};
    if (::fstat(m_fd, &st) != 0) {
      ::close(m_fd);
      throw US_ERROR("cannot stat archive").file(path.string());
    }
    m_size = static_cast<std::size_t>(st.st_size);
    if (m_size > 0) {
      void* p = ::mmap(nullptr, m_size, PROT_READ, MAP_PRIVATE, m_fd, 0);
      if (p == MAP_FAILED) {
        ::close(m_fd);
        throw US_ERROR("cannot map archive").file(path.string());
      }
      m_data = static_cast<const char*>(p);
      ::madvise(p, m_size, MADV_SEQUENTIAL);
    }
  }
  ~Impl() {
    if (m_data) ::munmap(const_cast<char*>(m_data), m_size);
    if (m_fd >= 0) ::close(m_fd);
  }

  // Where an error happened: file, line (for text), key, byte offset.
  Error fail(const std::string& what, std::size_t at) const {
    Error e = US_ERROR(what + " (at byte " + std::to_string(at) + ")");
    e.file(m_path.string());
    if (!m_binary) e.line(lineAt(at));
    if (!m_key.empty()) e.key(m_key);
    return e;
  }
  long lineAt(std::size_t at) const {
    long line = 1;
    for (std::size_t i = 0; i < at && i < m_size; ++i)
      if (m_data[i] == '\n') ++line;
    return line;
  }

  // Consumes the `\0B` that marks a binary value (Kaldi's InitKaldiInputStream).
  bool detectBinary() {
    m_binary = remaining() >= 1 && m_data[m_pos] == '\0';
    if (!m_binary) return false;
    if (remaining() < 2 || m_data[m_pos + 1] != 'B')
      throw fail("value starts with \\0 but not \\0B: not a Kaldi binary value", m_pos);
    m_pos += 2;
    return true;
  }

  bool atEnd() const { return m_pos >= m_size; }
  std::size_t remaining() const { return m_size - m_pos; }

  void need(std::size_t bytes, const char* what) const {
    if (bytes > remaining()) {
      throw fail(std::string("truncated ") + what + ": needs " + std::to_string(bytes) +
                     " more bytes, file ended",
                 m_size);
    }
  }

  std::string readToken() {
    std::size_t start = m_pos;
    while (m_pos < m_size && !isSpace(m_data[m_pos])) ++m_pos;
    std::string token(m_data + start, m_pos - start);
    if (m_pos < m_size && m_data[m_pos] == ' ') ++m_pos;
    return token;
  }

  std::int32_t readInt32(const char* what) {
    if (remaining() < 5) need(5, what);
    auto size = static_cast<unsigned char>(m_data[m_pos]);
    if (size != 4) {
      throw fail(std::string("expected int32 size byte 4 in ") + what + ", found " +
                     std::to_string(size),
                 m_pos);
    }
    std::int32_t v;
    std::memcpy(&v, m_data + m_pos + 1, 4);
    m_pos += 5;
    return v;
  }

  float readFloat(const char* what) {
    if (remaining() < 1) need(5, what);
    auto size = static_cast<unsigned char>(m_data[m_pos]);
    if (size == 4) {
      need(5, what);
      float v;
      std::memcpy(&v, m_data + m_pos + 1, 4);
      m_pos += 5;
      return v;
    }
    if (size == 8) {
      need(9, what);
      double v;
      std::memcpy(&v, m_data + m_pos + 1, 8);
      m_pos += 9;
      return static_cast<float>(v);
    }
    throw fail(std::string("expected float size byte 4 or 8 in ") + what + ", found " +
                   std::to_string(size),
               m_pos);
  }

  std::int32_t readCount(const char* what) {
    std::size_t at = m_pos;
    std::int32_t n = readInt32(what);
    if (n < 0) throw fail(std::string("negative size ") + std::to_string(n) + " in " + what, at);
    return n;
  }

  void skipBlanks() {  // spaces and tabs, not newlines
    while (m_pos < m_size && (m_data[m_pos] == ' ' || m_data[m_pos] == '\t' ||
                              m_data[m_pos] == '\r'))
      ++m_pos;
  }
  void skipWhitespace() {
    while (m_pos < m_size && isSpace(m_data[m_pos])) ++m_pos;
  }
  // Text token ending at whitespace, '[' or ']'.
  std::string_view textToken() {
    std::size_t start = m_pos;
    while (m_pos < m_size && !isSpace(m_data[m_pos]) && m_data[m_pos] != ']' &&
           m_data[m_pos] != '[')
      ++m_pos;
    return std::string_view(m_data + start, m_pos - start);
  }
  float parseFloat(std::string_view token, std::size_t at, const char* what) {
    char buf[64];
    if (token.empty() || token.size() >= sizeof buf)
      throw fail(std::string("expected a number in ") + what + ", found '" +
                     std::string(token.substr(0, 40)) + "'",
                 at);
    // from_chars: locale-independent and correctly rounded, like strtof in
    // the C locale; it refuses a leading '+', which Kaldi never writes.
    float v = 0.0f;
    auto r = std::from_chars(token.data(), token.data() + token.size(), v);
    if (r.ec == std::errc::result_out_of_range) {
      // Denormal or overflowing text: fall back to strtof's saturating result.
      std::memcpy(buf, token.data(), token.size());
      buf[token.size()] = '\0';
      return std::strtof(buf, nullptr);
    }
    if (r.ec != std::errc() || r.ptr != token.data() + token.size())
      throw fail(std::string("expected a number in ") + what + ", found '" +
                     std::string(token) + "'",
                 at);
    return v;
  }
  std::int32_t parseInt(std::string_view token, std::size_t at, const char* what) {
    char buf[32];
    if (token.empty() || token.size() >= sizeof buf)
      throw fail(std::string("expected an integer in ") + what + ", found '" +
                     std::string(token.substr(0, 40)) + "'",
                 at);
    std::memcpy(buf, token.data(), token.size());
    buf[token.size()] = '\0';
    char* end = nullptr;
    errno = 0;
    long v = std::strtol(buf, &end, 10);
    if (end != buf + token.size() || errno == ERANGE ||
        v < std::numeric_limits<std::int32_t>::min() ||
        v > std::numeric_limits<std::int32_t>::max())
      throw fail(std::string("expected an int32 in ") + what + ", found '" + buf + "'", at);
    return static_cast<std::int32_t>(v);
  }
  // Consumes trailing blanks and one newline after a text value.
  void endTextLine() {
    skipBlanks();
    if (m_pos < m_size && m_data[m_pos] == '\n') ++m_pos;
  }

  FloatMatrix readMatrixBinary() {
    std::size_t tokenAt = m_pos;
    std::string token = readToken();
    if (token == "FM" || token == "DM") {
      const std::size_t elem = token == "FM" ? 4 : 8;
      FloatMatrix m;
      m.rows = readCount("matrix header");
      m.cols = readCount("matrix header");
      std::size_t count = static_cast<std::size_t>(m.rows) * static_cast<std::size_t>(m.cols);
      if (count > remaining() / elem) {  // count * elem can overflow
        throw fail("truncated matrix: expected " + std::to_string(m.rows) + " rows × " +
                       std::to_string(m.cols) + " cols (" + std::to_string(count * elem) +
                       " bytes from byte " + std::to_string(m_pos) + "), file ended",
                   m_size);
      }
      m.data.resize(count);
      if (elem == 4) {
        if (count > 0) std::memcpy(m.data.data(), m_data + m_pos, count * 4);  // 0x0: data() is null
      } else {
        for (std::size_t i = 0; i < count; ++i) {
          double d;
          std::memcpy(&d, m_data + m_pos + i * 8, 8);
          m.data[i] = static_cast<float>(d);
        }
      }
      m_pos += count * elem;
      return m;
    }
    if (token == "CM" || token == "CM2" || token == "CM3") return readCompressed(token);
    throw fail("expected a matrix token (FM, DM, CM, CM2, CM3), found '" +
                   token.substr(0, 20) + "'",
               tokenAt);
  }

  // Kaldi's CompressedMatrix: GlobalHeader {float min, float range, int32 rows,
  // int32 cols} without size bytes, then the data of the format the token names.
  FloatMatrix readCompressed(const std::string& token) {
    need(16, "compressed matrix header");
    float minValue, range;
    std::int32_t rows, cols;
    std::memcpy(&minValue, m_data + m_pos, 4);
    std::memcpy(&range, m_data + m_pos + 4, 4);
    std::memcpy(&rows, m_data + m_pos + 8, 4);
    std::memcpy(&cols, m_data + m_pos + 12, 4);
    if (rows < 0 || cols < 0) throw fail("negative compressed matrix size", m_pos);
    m_pos += 16;
    FloatMatrix m;
    m.rows = rows;
    m.cols = cols;
    const std::size_t count = static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols);
    // The payload must be in the file before anything is allocated for it
    // (fuzz_kaldi_io: a 16-byte header asking for 2^31 × 2^31 values).
    const std::size_t bytes = token == "CM"    ? static_cast<std::size_t>(cols) * 8 + count
                              : token == "CM2" ? count * 2
                                               : count;
    if (bytes > remaining())
      throw fail("truncated compressed matrix: expected " + std::to_string(rows) + " rows × " +
                     std::to_string(cols) + " cols, file ended",
                 m_size);
    m.data.resize(count);
    if (token == "CM") {
      const char* headers = m_data + m_pos;
      const auto* bytesData = reinterpret_cast<const unsigned char*>(
          headers + static_cast<std::size_t>(cols) * 8);
      auto toFloat = [&](std::uint16_t v) {
        return minValue + range * 1.52590218966964e-05F * v;
      };
      for (std::int32_t c = 0; c < cols; ++c) {
        std::uint16_t pc[4];
        std::memcpy(pc, headers + static_cast<std::size_t>(c) * 8, 8);
        const float p0 = toFloat(pc[0]), p25 = toFloat(pc[1]), p75 = toFloat(pc[2]),
                    p100 = toFloat(pc[3]);
        for (std::int32_t r = 0; r < rows; ++r) {
          const unsigned v = bytesData[static_cast<std::size_t>(c) * rows + r];
          float f;
          if (v <= 64)
            f = static_cast<float>(p0 + (p25 - p0) * v * (1 / 64.0));
          else if (v <= 192)
            f = static_cast<float>(p25 + (p75 - p25) * (v - 64) * (1 / 128.0));
          else
            f = static_cast<float>(p75 + (p100 - p75) * (v - 192) * (1 / 63.0));
          m.data[static_cast<std::size_t>(r) * cols + c] = f;
        }
      }
      m_pos += bytes;
    } else if (token == "CM2") {
      const float increment = static_cast<float>(range * (1.0 / 65535.0));
      for (std::size_t i = 0; i < count; ++i) {
        std::uint16_t v;
        std::memcpy(&v, m_data + m_pos + i * 2, 2);
        m.data[i] = minValue + v * increment;
      }
      m_pos += count * 2;
    } else {
      const float increment = static_cast<float>(range * (1.0 / 255.0));
      for (std::size_t i = 0; i < count; ++i)
        m.data[i] = minValue + static_cast<unsigned char>(m_data[m_pos + i]) * increment;
      m_pos += count;
    }
    return m;
  }

  FloatMatrix readMatrixText() {
    skipWhitespace();
    if (atEnd() || m_data[m_pos] != '[')
      throw fail("expected '[' to start a text matrix", m_pos);
    ++m_pos;
    FloatMatrix m;
    std::vector<float> row;
    auto endRow = [&](std::size_t at) {
      if (row.empty()) return;
      if (m.rows == 0) {
        m.cols = static_cast<std::int32_t>(row.size());
      } else if (static_cast<std::int32_t>(row.size()) != m.cols) {
        throw fail("text matrix row " + std::to_string(m.rows + 1) + " has " +
                       std::to_string(row.size()) + " values, expected " +
                       std::to_string(m.cols),
                   at);
      }
      m.data.insert(m.data.end(), row.begin(), row.end());
      ++m.rows;
      row.clear();
    };
    while (true) {
      skipBlanks();
      if (atEnd())
        throw fail("truncated text matrix: file ended before ']' after " +
                       std::to_string(m.rows) + " rows",
                   m_size);
      char c = m_data[m_pos];
      if (c == '\n') {
        endRow(m_pos);
        ++m_pos;
        continue;
      }
      if (c == ']') {
        endRow(m_pos);
        ++m_pos;
        break;
      }
      std::size_t at = m_pos;
      row.push_back(parseFloat(textToken(), at, "text matrix"));
    }
    endTextLine();
    return m;
  }

  std::vector<std::int32_t> readIntVectorBinary() {
    std::int32_t n = readCount("int32 vector size");
    if (static_cast<std::size_t>(n) * 5 > remaining()) {
      throw fail("truncated int32 vector: expected " + std::to_string(n) +
                     " values, file ended",
                 m_size);
    }
    std::vector<std::int32_t> v(static_cast<std::size_t>(n));
    for (auto& x : v) x = readInt32("int32 vector");
    return v;
  }

  std::vector<std::int32_t> readIntVectorText() {
    std::vector<std::int32_t> v;
    while (true) {
      skipBlanks();
      if (atEnd() || m_data[m_pos] == '\n') break;
      std::size_t at = m_pos;
      std::string_view tok = textToken();
      if (tok.empty()) throw fail("unexpected '" + std::string(1, m_data[m_pos]) + "' in int32 vector", at);
      v.push_back(parseInt(tok, at, "int32 vector"));
    }
    if (!atEnd()) ++m_pos;
    return v;
  }

  Posterior readPosteriorBinary() {
    std::int32_t frames = readCount("posterior frame count");
    if (static_cast<std::size_t>(frames) * 5 > remaining())
      throw fail("truncated posterior: expected " + std::to_string(frames) +
                     " frames, file ended",
                 m_size);
    Posterior p(static_cast<std::size_t>(frames));
    for (std::int32_t t = 0; t < frames; ++t) {
      std::int32_t pairs = readCount("posterior pair count");
      if (static_cast<std::size_t>(pairs) * 10 > remaining())
        throw fail("truncated posterior: frame " + std::to_string(t) + " expects " +
                       std::to_string(pairs) + " pairs, file ended",
                   m_size);
      auto& frame = p[static_cast<std::size_t>(t)];
      frame.resize(static_cast<std::size_t>(pairs));
      for (auto& pr : frame) {
        pr.first = readInt32("posterior id");
        pr.second = readFloat("posterior weight");
      }
    }
    return p;
  }

  Posterior readPosteriorText() {
    Posterior p;
    while (true) {
      skipBlanks();
      if (atEnd() || m_data[m_pos] == '\n') break;
      if (m_data[m_pos] != '[') throw fail("expected '[' to start a posterior frame", m_pos);
      ++m_pos;
      std::vector<std::pair<std::int32_t, float>> frame;
      while (true) {
        skipBlanks();
        if (atEnd() || m_data[m_pos] == '\n')
          throw fail("posterior frame not closed with ']'", m_pos);
        if (m_data[m_pos] == ']') {
          ++m_pos;
          break;
        }
        std::size_t at = m_pos;
        std::int32_t id = parseInt(textToken(), at, "posterior id");
        skipBlanks();
        at = m_pos;
        if (atEnd() || m_data[m_pos] == ']' || m_data[m_pos] == '\n')
          throw fail("posterior id " + std::to_string(id) + " has no weight", at);
        float w = parseFloat(textToken(), at, "posterior weight");
        frame.emplace_back(id, w);
      }
      p.push_back(std::move(frame));
    }
    if (!atEnd()) ++m_pos;
    return p;
  }

  std::filesystem::path m_path;
  int m_fd = -1;
  const char* m_data = nullptr;
  std::size_t m_size = 0;
  std::size_t m_pos = 0;
  bool m_binary = false;
  std::string m_key;
};

KaldiArchiveReader::KaldiArchiveReader(std::filesystem::path arkPath)
    : m_impl(std::make_unique<Impl>(arkPath)), m_path(std::move(arkPath)) {}

KaldiArchiveReader::~KaldiArchiveReader() = default;

bool KaldiArchiveReader::next() {
  Impl& in = *m_impl;
  if (m_valuePending) {
    throw US_ERROR("the value of the previous record was not read")
        .file(m_path.string())
        .key(m_key)
        .hint("call readMatrix/readIntVector/readPosterior once per record");
  }
  in.skipWhitespace();
  if (in.atEnd()) return false;
  in.m_key.clear();
  std::size_t keyAt = in.m_pos;
  while (in.m_pos < in.m_size && !isSpace(in.m_data[in.m_pos])) {
    if (in.m_data[in.m_pos] == '\0') {
      in.m_binary = false;
      throw in.fail("NUL byte inside a key: not a Kaldi archive, or a value of unknown type "
                    "was skipped",
                    in.m_pos);
    }
    ++in.m_pos;
  }
  m_key.assign(in.m_data + keyAt, in.m_pos - keyAt);
  in.m_key = m_key;
  if (m_key.size() > 4096) {
    in.m_binary = false;
    throw in.fail("key longer than 4096 bytes: not a Kaldi archive", keyAt);
  }
  if (in.atEnd()) {
    in.m_binary = false;
    throw in.fail("file ended after the key, before its value", in.m_size);
  }
  // Kaldi writes exactly one space between the key and the value.
  if (in.m_data[in.m_pos] == ' ' || in.m_data[in.m_pos] == '\t') ++in.m_pos;
  m_valueOffset = in.m_pos;
  m_binary = in.detectBinary();
  m_valuePending = true;
  return true;
}

void KaldiArchiveReader::seekValue(std::uint64_t offset, std::string key) {
  Impl& in = *m_impl;
  m_key = std::move(key);
  in.m_key = m_key;
  if (offset >= in.m_size) {
    in.m_binary = true;  // no line numbers for an offset past the end
    throw in.fail("scp offset " + std::to_string(offset) + " is past the end of the archive (" +
                      std::to_string(in.m_size) + " bytes)",
                  offset);
  }
  in.m_pos = static_cast<std::size_t>(offset);
  m_valueOffset = offset;
  m_binary = in.detectBinary();
  m_valuePending = true;
}

namespace {
void requirePending(bool pending, const std::filesystem::path& path) {
  if (!pending)
    throw US_ERROR("no record to read: call next() first").file(path.string());
}
}  // namespace

FloatMatrix KaldiArchiveReader::readMatrix() {
  requirePending(m_valuePending, m_path);
  m_valuePending = false;
  return m_binary ? m_impl->readMatrixBinary() : m_impl->readMatrixText();
}

std::vector<std::int32_t> KaldiArchiveReader::readIntVector() {
  requirePending(m_valuePending, m_path);
  m_valuePending = false;
  return m_binary ? m_impl->readIntVectorBinary() : m_impl->readIntVectorText();
}

Posterior KaldiArchiveReader::readPosterior() {
  requirePending(m_valuePending, m_path);
  m_valuePending = false;
  return m_binary ? m_impl->readPosteriorBinary() : m_impl->readPosteriorText();
}

// ---------------------------------------------------------------- scp

ScpEntry parseScpLine(std::string_view line, const std::filesystem::path& scpPath,
                      long lineNumber) {
  auto error = [&](const std::string& what) {
    Error e = US_ERROR(what);
    if (!scpPath.empty()) e.file(scpPath.string());
    if (lineNumber > 0) e.line(lineNumber);
    return e;
  };
  while (!line.empty() && isSpace(line.back())) line.remove_suffix(1);
  while (!line.empty() && isSpace(line.front())) line.remove_prefix(1);
  std::size_t split = 0;
  while (split < line.size() && !isSpace(line[split])) ++split;
  ScpEntry entry;
  entry.key = std::string(line.substr(0, split));
  std::string_view rest = line.substr(split);
  while (!rest.empty() && isSpace(rest.front())) rest.remove_prefix(1);
  if (entry.key.empty() || rest.empty())
    throw error("expected `key path:offset`, found '" + std::string(line.substr(0, 80)) + "'");
  if (rest.back() == '|') {
    throw error("pipe commands in scp files are not supported")
        .key(entry.key)
        .hint("run the command yourself and write its output to an ark file");
  }
  if (rest.back() == ']') {
    throw error("scp ranges ([rows] / [rows,cols]) are not supported")
        .key(entry.key)
        .hint("extract the range with Kaldi's copy-feats first");
  }
  std::size_t colon = rest.rfind(':');
  if (colon != std::string_view::npos && colon + 1 < rest.size()) {
    std::string_view digits = rest.substr(colon + 1);
    bool allDigits = true;
    for (char c : digits) allDigits = allDigits && c >= '0' && c <= '9';
    if (allDigits && digits.size() < 20) {
      entry.path = std::string(rest.substr(0, colon));
      entry.offset = std::stoull(std::string(digits));
      entry.hasOffset = true;
      return entry;
    }
  }
  entry.path = std::string(rest);
  return entry;
}

std::vector<ScpEntry> readScp(const std::filesystem::path& scpPath) {
  std::ifstream in(scpPath);
  if (!in) throw US_ERROR("cannot open scp file").file(scpPath.string());
  std::vector<ScpEntry> entries;
  std::string line;
  long lineNumber = 0;
  while (std::getline(in, line)) {
    ++lineNumber;
    bool blank = true;
    for (char c : line) blank = blank && isSpace(c);
    if (blank) continue;
    entries.push_back(parseScpLine(line, scpPath, lineNumber));
  }
  return entries;
}

FloatMatrix readScpMatrix(const ScpEntry& entry) {
  KaldiArchiveReader in(entry.path);
  in.seekValue(entry.offset, entry.key);
  return in.readMatrix();
}

std::vector<std::int32_t> readScpIntVector(const ScpEntry& entry) {
  KaldiArchiveReader in(entry.path);
  in.seekValue(entry.offset, entry.key);
  return in.readIntVector();
}

Posterior readScpPosterior(const ScpEntry& entry) {
  KaldiArchiveReader in(entry.path);
  in.seekValue(entry.offset, entry.key);
  return in.readPosterior();
}

std::vector<std::pair<std::string, FloatMatrix>> readMatrixArchive(
    const std::filesystem::path& arkPath) {
  std::vector<std::pair<std::string, FloatMatrix>> out;
  KaldiArchiveReader in(arkPath);
  while (in.next()) {
    FloatMatrix m = in.readMatrix();
    out.emplace_back(in.key(), std::move(m));
  }
  return out;
}

std::vector<std::pair<std::string, std::vector<std::int32_t>>> readIntVectorArchive(
    const std::filesystem::path& arkPath) {
  std::vector<std::pair<std::string, std::vector<std::int32_t>>> out;
  KaldiArchiveReader in(arkPath);
  while (in.next()) {
    auto v = in.readIntVector();
    out.emplace_back(in.key(), std::move(v));
  }
  return out;
}

std::vector<std::pair<std::string, Posterior>> readPosteriorArchive(
    const std::filesystem::path& arkPath) {
  std::vector<std::pair<std::string, Posterior>> out;
  KaldiArchiveReader in(arkPath);
  while (in.next()) {
    auto p = in.readPosterior();
    out.emplace_back(in.key(), std::move(p));
  }
  return out;
}

void forEachKaldiRecord(
    const std::filesystem::path& arkOrScp, ProgressSink* progress,
    const std::function<void(const std::string& key, KaldiArchiveReader& reader)>& visit) {
  if (arkOrScp.extension() == ".scp") {
    const std::vector<ScpEntry> entries = readScp(arkOrScp);
    ProgressTracker tracker(progress, "import", static_cast<std::int64_t>(entries.size()), "utt");
    std::map<std::filesystem::path, std::unique_ptr<KaldiArchiveReader>> readers;
    for (const ScpEntry& e : entries) {
      tracker.throwIfCancelled();
      auto& reader = readers[e.path];
      if (!reader) reader = std::make_unique<KaldiArchiveReader>(e.path);
      reader->seekValue(e.offset, e.key);
      visit(e.key, *reader);
      tracker.advance();
    }
    tracker.finish();
    return;
  }
  KaldiArchiveReader in(arkOrScp);
  ProgressTracker tracker(progress, "import", 0, "utt");
  while (in.next()) {
    tracker.throwIfCancelled();
    visit(in.key(), in);
    tracker.advance();
  }
  tracker.finish();
}

}  // namespace understudy
