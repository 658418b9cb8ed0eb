// Reading and writing sound files (libsndfile) for corpus import, the synthetic
// corpus and feature extraction.
//
// Every reader returns mono float samples in [-1, 1] at the requested rate
// (16 kHz by default, resampled with soxr when the file differs):
//
//   Audio a = readAudio("utt1.flac");                       // whole file, 16 kHz, channel 0
//   Audio seg = readAudio("rec.wav", {}, 12.5, 3.0);        // 3 s from 12.5 s (Kaldi segments)
//   writeWav("out.wav", a.samples, a.sampleRate);           // 16-bit PCM, atomic
//
// Problems (missing, empty, corrupt, truncated, unsupported rate, segment past
// the end) throw understudy::Error naming the file and the reason.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace understudy {

enum class ChannelMode {
  First,   // keep channel 0 (Kaldi's default for multi-channel wav.scp entries)
  Downmix  // average all channels
};

struct AudioReadOptions {
  int targetSampleRate = 16000;  // 8000..48000
  ChannelMode channels = ChannelMode::First;
  bool resample = true;  // false: keep the file's own rate (sampleRate = originalSampleRate)

  void validate() const;
};

struct Audio {
  std::vector<float> samples;  // mono, in [-1, 1] for integer formats
  int sampleRate = 0;
  int originalSampleRate = 0;
  int originalChannels = 0;

  double durationSeconds() const;
};

struct AudioInfo {
  int sampleRate = 0;
  int channels = 0;
  std::int64_t frames = 0;
  std::string format;  // e.g. "WAV PCM_16", "FLAC PCM_24", "OGG VORBIS"
  double durationSeconds = 0.0;
};

// Lowest and highest input sample rates we accept.
constexpr int kMinSampleRate = 8000;
constexpr int kMaxSampleRate = 48000;

// Header information only; throws Error(file, reason) like readAudio.
AudioInfo probeAudio(const std::string& path);

// Reads [offsetSeconds, offsetSeconds + durationSeconds) of `path` (duration < 0:
// to the end). Offsets are in seconds of the original file.
Audio readAudio(const std::string& path, const AudioReadOptions& options = {},
                double offsetSeconds = 0.0, double durationSeconds = -1.0);

// Writes mono 16-bit PCM WAV atomically (temp file + rename). Samples outside
// [-1, 1] are clipped.
void writeWav(const std::string& path, const std::vector<float>& samples, int sampleRate);

}  // namespace understudy
