#include "core/audio/audio_io.h"

#include <sndfile.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>

#include "core/audio/resampler.h"
#include "core/util/atomic_file.h"
#include "core/util/error.h"

namespace understudy {

namespace {

namespace fs = std::filesystem;

// A segment may run past the end of its recording by this much before it is an
// error (Kaldi's extract-segments --max-overshoot default); the excess is dropped.
constexpr double kMaxSegmentOvershootSeconds = 0.5;

struct SndfileCloser {
  void operator()(SNDFILE* f) const {
    if (f) sf_close(f);
  }
};
using SndfilePtr = std::unique_ptr<SNDFILE, SndfileCloser>;

std::string formatSeconds(double s) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3f s", s);
  return buf;
}

// The container a file's first bytes announce, or "" if none we know.
std::string sniffContainer(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char head[12] = {};
  in.read(head, sizeof head);
  const auto n = in.gcount();
  if (n >= 4 && std::memcmp(head, "RIFF", 4) == 0) return "WAV";
  if (n >= 4 && std::memcmp(head, "RF64", 4) == 0) return "RF64";
  if (n >= 4 && std::memcmp(head, "fLaC", 4) == 0) return "FLAC";
  if (n >= 4 && std::memcmp(head, "OggS", 4) == 0) return "OGG";
  if (n >= 4 && std::memcmp(head, "FORM", 4) == 0) return "AIFF";
  if (n >= 4 && std::memcmp(head, ".snd", 4) == 0) return "AU";
  if (n >= 3 && std::memcmp(head, "ID3", 3) == 0) return "MP3";
  return {};
}

bool looksLikeText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char buf[512];
  in.read(buf, sizeof buf);
  const auto n = in.gcount();
  if (n <= 0) return false;
  for (std::streamsize i = 0; i < n; ++i) {
    const auto c = static_cast<unsigned char>(buf[i]);
    if (c < 0x09 || (c > 0x0d && c < 0x20 && c != 0x1b)) return false;
  }
  return true;
}

std::string majorName(int format) {
  switch (format & SF_FORMAT_TYPEMASK) {
    case SF_FORMAT_WAV: return "WAV";
    case SF_FORMAT_WAVEX: return "WAVEX";
    case SF_FORMAT_RF64: return "RF64";
    case SF_FORMAT_W64: return "W64";
    case SF_FORMAT_FLAC: return "FLAC";
    case SF_FORMAT_OGG: return "OGG";
    case SF_FORMAT_AIFF: return "AIFF";
    case SF_FORMAT_AU: return "AU";
    case SF_FORMAT_CAF: return "CAF";
    case SF_FORMAT_RAW: return "RAW";
    default: break;
  }
  SF_FORMAT_INFO info{};
  info.format = format & SF_FORMAT_TYPEMASK;
  if (sf_command(nullptr, SFC_GET_FORMAT_INFO, &info, sizeof info) == 0 && info.name)
    return info.name;
  return "unknown";
}

std::string subtypeName(int format) {
  switch (format & SF_FORMAT_SUBMASK) {
    case SF_FORMAT_PCM_S8: return "PCM_S8";
    case SF_FORMAT_PCM_U8: return "PCM_U8";
    case SF_FORMAT_PCM_16: return "PCM_16";
    case SF_FORMAT_PCM_24: return "PCM_24";
    case SF_FORMAT_PCM_32: return "PCM_32";
    case SF_FORMAT_FLOAT: return "FLOAT";
    case SF_FORMAT_DOUBLE: return "DOUBLE";
    case SF_FORMAT_ULAW: return "ULAW";
    case SF_FORMAT_ALAW: return "ALAW";
    case SF_FORMAT_VORBIS: return "VORBIS";
    case SF_FORMAT_OPUS: return "OPUS";
    default: break;
  }
  SF_FORMAT_INFO info{};
  info.format = format & SF_FORMAT_SUBMASK;
  if (sf_command(nullptr, SFC_GET_FORMAT_INFO, &info, sizeof info) == 0 && info.name)
    return info.name;
  return "unknown";
}

std::string logInfo(SNDFILE* f) {
  char buf[4096] = {};
  sf_command(f, SFC_GET_LOG_INFO, buf, sizeof buf);
  return buf;
}

// libsndfile shrinks `frames` to the data actually present when a WAV data
// chunk claims more, and logs "data : <claimed> (should be <present>)". We
// refuse such files: a truncated recording usually means an interrupted copy.
// Claimed sizes of 0xFFFFFFFF / 0x7FFFFFFF are streaming writers' "unknown
// length" markers, not truncation.
bool headerClaimsMoreData(SNDFILE* f) {
  const std::string log = logInfo(f);
  for (size_t pos = log.find("data :"); pos != std::string::npos; pos = log.find("data :", pos + 1)) {
    long long claimed = 0, present = 0;
    if (std::sscanf(log.c_str() + pos, "data : %lld (should be %lld)", &claimed, &present) == 2 &&
        present < claimed && claimed < 0x7FFFFFFFLL)
      return true;
  }
  return false;
}

// " (libsndfile: <reason>)", or "" when libsndfile has nothing to add.
std::string libsndfileSays(SNDFILE* f) {
  const std::string why = sf_strerror(f);
  if (why.empty() || why == "No Error.") return {};
  return " (libsndfile: " + why + ")";
}

struct OpenFile {
  SndfilePtr handle;
  SF_INFO info{};
};

OpenFile openChecked(const std::string& path) {
  std::error_code ec;
  const auto status = fs::status(path, ec);
  if (ec || !fs::exists(status))
    throw US_ERROR("audio file not found").file(path).hint("check the path in wav.scp / the manifest");
  if (!fs::is_regular_file(status))
    throw US_ERROR("not a regular file (directory or device)").file(path);
  const auto size = fs::file_size(path, ec);
  if (!ec && size == 0)
    throw US_ERROR("audio file is empty (0 bytes)").file(path).hint("re-copy or re-record it");

  OpenFile f;
  f.handle.reset(sf_open(path.c_str(), SFM_READ, &f.info));
  if (!f.handle) {
    const std::string why = libsndfileSays(nullptr);
    const std::string container = sniffContainer(path);
    if (!container.empty())
      throw US_ERROR("corrupt or unsupported " + container + " file" + why)
          .file(path)
          .hint(container == "MP3" ? "convert it to WAV or FLAC (sox, ffmpeg)"
                                   : "the header is damaged; re-create the file");
    if (looksLikeText(path))
      throw US_ERROR("not an audio file (it is text)")
          .file(path)
          .hint("is this a list file given where an audio path was expected?");
    throw US_ERROR("not a recognised audio format or corrupt data" + why)
        .file(path)
        .hint("accepted: WAV, FLAC, OGG/Vorbis, AIFF, AU, W64, CAF; headerless raw PCM is not");
  }
  if (f.info.channels <= 0)
    throw US_ERROR("audio file reports no channels").file(path);
  if (headerClaimsMoreData(f.handle.get()))
    throw US_ERROR("audio file is truncated: its header announces more samples than the file holds")
        .file(path)
        .hint("re-copy the file; an interrupted transfer or recording leaves this");
  if (f.info.frames <= 0)
    throw US_ERROR("audio file contains no samples (0 frames)").file(path);
  if (f.info.samplerate < kMinSampleRate || f.info.samplerate > kMaxSampleRate)
    throw US_ERROR("unsupported sample rate " + std::to_string(f.info.samplerate) +
                   " Hz (accepted: " + std::to_string(kMinSampleRate) + ".." +
                   std::to_string(kMaxSampleRate) + " Hz)")
        .file(path)
        .hint("resample the corpus with sox first");
  return f;
}

std::string formatOf(int format) { return majorName(format) + " " + subtypeName(format); }

// In-memory sink for sf_open_virtual, so writeWav can hand the bytes to AtomicFile.
struct MemoryFile {
  std::string bytes;
  sf_count_t pos = 0;
};

sf_count_t memLength(void* user) { return static_cast<sf_count_t>(static_cast<MemoryFile*>(user)->bytes.size()); }
sf_count_t memSeek(sf_count_t offset, int whence, void* user) {
  auto* m = static_cast<MemoryFile*>(user);
  sf_count_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? m->pos
                                                                 : static_cast<sf_count_t>(m->bytes.size());
  m->pos = std::max<sf_count_t>(0, base + offset);
  return m->pos;
}
sf_count_t memRead(void* ptr, sf_count_t count, void* user) {
  auto* m = static_cast<MemoryFile*>(user);
  const auto size = static_cast<sf_count_t>(m->bytes.size());
  const sf_count_t n = std::max<sf_count_t>(0, std::min(count, size - m->pos));
  if (n > 0) std::memcpy(ptr, m->bytes.data() + m->pos, static_cast<size_t>(n));
  m->pos += n;
  return n;
}
sf_count_t memWrite(const void* ptr, sf_count_t count, void* user) {
  auto* m = static_cast<MemoryFile*>(user);
  const auto end = static_cast<size_t>(m->pos + count);
  if (end > m->bytes.size()) m->bytes.resize(end);
  std::memcpy(m->bytes.data() + m->pos, ptr, static_cast<size_t>(count));
  m->pos += count;
  return count;
}
sf_count_t memTell(void* user) { return static_cast<MemoryFile*>(user)->pos; }

}  // namespace

void AudioReadOptions::validate() const {
  if (targetSampleRate < kMinSampleRate || targetSampleRate > kMaxSampleRate)
    throw US_ERROR("audio.target_sample_rate = " + std::to_string(targetSampleRate) +
                   " is out of range [" + std::to_string(kMinSampleRate) + ", " +
                   std::to_string(kMaxSampleRate) + "]")
        .key("target_sample_rate");
}

double Audio::durationSeconds() const {
  return sampleRate > 0 ? static_cast<double>(samples.size()) / sampleRate : 0.0;
}

AudioInfo probeAudio(const std::string& path) {
  OpenFile f = openChecked(path);
  AudioInfo info;
  info.sampleRate = f.info.samplerate;
  info.channels = f.info.channels;
  info.frames = f.info.frames;
  info.format = formatOf(f.info.format);
  info.durationSeconds = static_cast<double>(f.info.frames) / f.info.samplerate;
  return info;
}

Audio readAudio(const std::string& path, const AudioReadOptions& options, double offsetSeconds,
                double durationSeconds) {
  options.validate();
  OpenFile f = openChecked(path);
  const int rate = f.info.samplerate;
  const int channels = f.info.channels;
  const sf_count_t total = f.info.frames;
  const double totalSeconds = static_cast<double>(total) / rate;

  if (!(offsetSeconds >= 0.0) || !std::isfinite(offsetSeconds))
    throw US_ERROR("segment start " + std::to_string(offsetSeconds) + " s is negative or not a number")
        .file(path);
  const sf_count_t begin = std::llround(offsetSeconds * rate);
  if (begin >= total)
    throw US_ERROR("segment start " + formatSeconds(offsetSeconds) + " is at or past the end of the " +
                   formatSeconds(totalSeconds) + " recording")
        .file(path)
        .hint("check the segments file against this recording");
  sf_count_t end = total;
  if (durationSeconds >= 0.0) {
    if (!std::isfinite(durationSeconds))
      throw US_ERROR("segment duration is not a finite number").file(path);
    end = begin + std::llround(durationSeconds * rate);
    if (end > total) {
      const double over = static_cast<double>(end - total) / rate;
      if (over > kMaxSegmentOvershootSeconds)
        throw US_ERROR("segment " + formatSeconds(offsetSeconds) + " + " +
                       formatSeconds(durationSeconds) + " ends " + formatSeconds(over) +
                       " past the end of the " + formatSeconds(totalSeconds) + " recording")
            .file(path)
            .hint("check the segments file against this recording");
      end = total;
    }
    if (end <= begin)
      throw US_ERROR("segment " + formatSeconds(offsetSeconds) + " + " + formatSeconds(durationSeconds) +
                     " is empty")
          .file(path);
  }

  if (begin > 0 && sf_seek(f.handle.get(), begin, SEEK_SET) != begin)
    throw US_ERROR("cannot seek to " + formatSeconds(offsetSeconds) + " (libsndfile: " +
                   sf_strerror(f.handle.get()) + ")")
        .file(path);

  Audio audio;
  audio.originalSampleRate = rate;
  audio.originalChannels = channels;
  audio.sampleRate = rate;
  const sf_count_t wanted = end - begin;
  audio.samples.resize(static_cast<size_t>(wanted));

  constexpr sf_count_t kChunk = 32768;
  std::vector<float> buffer(static_cast<size_t>(kChunk * channels));
  sf_count_t got = 0;
  while (got < wanted) {
    const sf_count_t ask = std::min(kChunk, wanted - got);
    const sf_count_t n = sf_readf_float(f.handle.get(), buffer.data(), ask);
    if (n <= 0) break;
    float* dst = audio.samples.data() + got;
    if (channels == 1) {
      std::copy(buffer.begin(), buffer.begin() + n, dst);
    } else if (options.channels == ChannelMode::First) {
      for (sf_count_t i = 0; i < n; ++i) dst[i] = buffer[static_cast<size_t>(i * channels)];
    } else {
      const float scale = 1.0f / static_cast<float>(channels);
      for (sf_count_t i = 0; i < n; ++i) {
        float sum = 0.0f;
        for (int c = 0; c < channels; ++c) sum += buffer[static_cast<size_t>(i * channels + c)];
        dst[i] = sum * scale;
      }
    }
    got += n;
  }
  if (got < wanted)
    throw US_ERROR("audio file is truncated or corrupt: only " + std::to_string(got) + " of the " +
                   std::to_string(wanted) + " frames its header announces could be decoded" +
                   libsndfileSays(f.handle.get()))
        .file(path)
        .hint("re-copy the file");
  for (size_t i = 0; i < audio.samples.size(); ++i) {
    if (!std::isfinite(audio.samples[i]))
      throw US_ERROR("audio contains a NaN or infinite sample at " +
                     formatSeconds(offsetSeconds + static_cast<double>(i) / rate))
          .file(path);
  }

  if (options.resample && rate != options.targetSampleRate) {
    audio.samples = resample(audio.samples, rate, options.targetSampleRate);
    audio.sampleRate = options.targetSampleRate;
  }
  return audio;
}

void writeWav(const std::string& path, const std::vector<float>& samples, int sampleRate) {
  if (sampleRate <= 0)
    throw US_ERROR("writeWav: sample rate " + std::to_string(sampleRate) + " is not positive").file(path);
  MemoryFile mem;
  SF_VIRTUAL_IO io{memLength, memSeek, memRead, memWrite, memTell};
  SF_INFO info{};
  info.samplerate = sampleRate;
  info.channels = 1;
  info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
  SndfilePtr out(sf_open_virtual(&io, SFM_WRITE, &info, &mem));
  if (!out)
    throw US_ERROR(std::string("cannot encode WAV (libsndfile: ") + sf_strerror(nullptr) + ")").file(path);
  sf_command(out.get(), SFC_SET_CLIPPING, nullptr, SF_TRUE);
  const auto n = static_cast<sf_count_t>(samples.size());
  if (n > 0 && sf_writef_float(out.get(), samples.data(), n) != n)
    throw US_ERROR(std::string("cannot encode WAV (libsndfile: ") + sf_strerror(out.get()) + ")").file(path);
  out.reset();  // sf_close patches the header sizes
  writeFileAtomically(path, mem.bytes);
}

}  // namespace understudy
