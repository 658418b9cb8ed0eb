// bench_fbank: our Fbank against torchaudio.compliance.kaldi.fbank on the same
// 10 minutes of deterministic, speech-like synthetic audio (60 × 10 s), both
// single-threaded and called once per utterance. Prints × real time for each,
// the ratio, the machine and OPENBLAS_CORETYPE (docs/performance.md "fbank").
//
//   bench_fbank [--utterances 60] [--seconds 10] [--repeats 5] [--threads 2]
//               [--python /usr/bin/python3] [--no-torchaudio]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include "bench/common/machine_info.h"
#include "core/audio/fbank.h"

namespace {

using Clock = std::chrono::steady_clock;
constexpr int kRate = 16000;

// Two-pole resonator (formant) with centre `f` and bandwidth `bw` Hz.
struct Resonator {
  double a1 = 0, a2 = 0, gain = 0, y1 = 0, y2 = 0;
  void set(double f, double bw) {
    const double r = std::exp(-M_PI * bw / kRate);
    a1 = 2 * r * std::cos(2 * M_PI * f / kRate);
    a2 = -r * r;
    gain = 1 - r;
  }
  double step(double x) {
    const double y = gain * x + a1 * y1 + a2 * y2;
    y2 = y1;
    y1 = y;
    return y;
  }
};

// Speech-like audio: syllables of a harmonic source (F0 90–220 Hz with
// declination) through three moving formants, fricative noise bursts, pauses
// over a −60 dB noise floor. Deterministic in `seed`.
std::vector<float> speechLike(std::size_t n, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::normal_distribution<double> g(0.0, 1.0);
  std::vector<double> y(n);
  const double f0Base = 90 + 130 * u(rng);
  Resonator f1, f2, f3;
  double phase = 0;
  std::size_t i = 0;
  while (i < n) {
    const auto len = static_cast<std::size_t>((0.12 + 0.25 * u(rng)) * kRate);
    const double kind = u(rng);  // < 0.15 pause, < 0.3 fricative, else voiced
    f1.set(300 + 500 * u(rng), 80);
    f2.set(900 + 1600 * u(rng), 120);
    f3.set(2400 + 800 * u(rng), 200);
    for (std::size_t k = 0; k < len && i < n; ++k, ++i) {
      const double t = double(i) / kRate;
      const double env = std::sin(M_PI * double(k) / double(len));
      double s = 0;
      if (kind < 0.15) {
        s = 0;
      } else if (kind < 0.3) {
        s = 0.3 * env * f3.step(g(rng) * 4);
      } else {
        const double f0 = f0Base * (1.1 - 0.2 * std::fmod(t, 3.0) / 3.0) * (1 + 0.02 * std::sin(2 * M_PI * 5 * t));
        phase += 2 * M_PI * f0 / kRate;
        if (phase > 2 * M_PI) phase -= 2 * M_PI;
        double src = 0;
        for (int h = 1; h * f0 < 4000; ++h) src += std::sin(h * phase) / h;
        s = env * (f1.step(src) * 2 + f2.step(src) + 0.5 * f3.step(src));
      }
      y[i] = s + 1e-3 * g(rng);
    }
  }
  double peak = 1e-9;
  for (double v : y) peak = std::max(peak, std::fabs(v));
  std::vector<float> out(n);
  for (std::size_t k = 0; k < n; ++k) out[k] = static_cast<float>(0.5 * y[k] / peak);
  return out;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

double jsonNumber(const std::string& json, const std::string& key) {
  const auto pos = json.find("\"" + key + "\":");
  return pos == std::string::npos ? -1.0 : std::atof(json.c_str() + pos + key.size() + 3);
}

}  // namespace

int main(int argc, char** argv) {
  int utterances = 60;
  double seconds = 10.0;
  int repeats = 5;
  int threads = 2;
  bool runTorchaudio = true;
  std::string python = "/usr/bin/python3";
  for (int a = 1; a < argc; ++a) {
    const std::string arg = argv[a];
    auto next = [&]() -> std::string {
      if (a + 1 >= argc) {
        std::fprintf(stderr, "bench_fbank: %s needs a value\n", arg.c_str());
        std::exit(2);
      }
      return argv[++a];
    };
    if (arg == "--utterances") utterances = std::atoi(next().c_str());
    else if (arg == "--seconds") seconds = std::atof(next().c_str());
    else if (arg == "--repeats") repeats = std::atoi(next().c_str());
    else if (arg == "--threads") threads = std::atoi(next().c_str());
    else if (arg == "--python") python = next();
    else if (arg == "--no-torchaudio") runTorchaudio = false;
    else {
      std::fprintf(stderr, "usage: bench_fbank [--utterances N] [--seconds S] [--repeats R] [--threads T] "
                           "[--python PATH] [--no-torchaudio]\n");
      return 2;
    }
  }
  if (utterances < 1 || seconds <= 0.1 || repeats < 1 || threads < 1) {
    std::fprintf(stderr, "bench_fbank: bad arguments\n");
    return 2;
  }
  const auto samplesPerUtt = static_cast<std::size_t>(seconds * kRate);
  const double audioSeconds = utterances * double(samplesPerUtt) / kRate;

  std::vector<std::vector<float>> utts;
  for (int k = 0; k < utterances; ++k) utts.push_back(speechLike(samplesPerUtt, 1000u + unsigned(k)));

  understudy::FbankOptions options;  // 64 bins, povey, dither 0: the project default
  const understudy::Fbank fbank(options);
  std::vector<float> feats(std::size_t(fbank.numFrames(std::int64_t(samplesPerUtt))) * std::size_t(fbank.dim()));

  // The machine may be shared, so our passes and torchaudio's alternate: each
  // round times one pass of ours, then starts python for one warm-up and one
  // timed pass of torchaudio. Both wall time and the timing thread's CPU time
  // are kept; the best of each is reported.
  auto threadCpu = [] {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
  };
  auto onePass = [&] {
    const auto t0 = Clock::now();
    const double c0 = threadCpu();
    for (const auto& x : utts) fbank.compute(x.data(), std::int64_t(x.size()), feats.data());
    return std::make_pair(std::chrono::duration<double>(Clock::now() - t0).count(), threadCpu() - c0);
  };
  onePass();  // warm-up

  const auto dir = std::filesystem::temp_directory_path() / ("bench_fbank." + std::to_string(::getpid()));
  if (runTorchaudio) {
    std::filesystem::create_directories(dir);
    std::ofstream out(dir / "audio.f32", std::ios::binary);
    for (const auto& x : utts) out.write(reinterpret_cast<const char*>(x.data()), std::streamsize(x.size() * 4));
  }
  const std::string script = UNDERSTUDY_SOURCE_DIR "/bench/fbank/torchaudio_fbank.py";
  const std::string cmd = python + " " + script + " " + (dir / "audio.f32").string() + " " +
                          std::to_string(utterances) + " " + std::to_string(samplesPerUtt) + " 1 " +
                          (dir / "ref0.f32").string();
  std::vector<double> oursWall, oursCpu, taWall, taCpu;
  std::string taVersion;
  for (int r = 0; r < repeats; ++r) {
    const auto [wall, cpu] = onePass();
    oursWall.push_back(wall);
    oursCpu.push_back(cpu);
    if (!runTorchaudio) continue;
    std::string json;
    if (FILE* p = popen(cmd.c_str(), "r")) {
      char buf[512];
      while (std::fgets(buf, sizeof buf, p)) json += buf;
      if (pclose(p) != 0) json.clear();
    }
    if (json.empty()) {
      std::fprintf(stderr, "bench_fbank: torchaudio run failed (%s)\n", cmd.c_str());
      runTorchaudio = false;
      continue;
    }
    taWall.push_back(jsonNumber(json, "best_s"));
    taCpu.push_back(jsonNumber(json, "cpu_s"));
    const auto vpos = json.find("\"torchaudio\": \"");
    if (vpos != std::string::npos) taVersion = json.substr(vpos + 15, json.find('"', vpos + 15) - vpos - 15);
  }

  // Ours, `threads` threads sharing one Fbank (throughput).
  double oursThreaded = 0;
  if (threads > 1) {
    std::vector<double> passes;
    for (int r = 0; r < repeats; ++r) {
      const auto t0 = Clock::now();
      std::vector<std::thread> pool;
      for (int t = 0; t < threads; ++t)
        pool.emplace_back([&, t] {
          std::vector<float> out(feats.size());
          for (std::size_t k = std::size_t(t); k < utts.size(); k += std::size_t(threads))
            fbank.compute(utts[k].data(), std::int64_t(utts[k].size()), out.data());
        });
      for (auto& th : pool) th.join();
      passes.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
    }
    oursThreaded = *std::min_element(passes.begin(), passes.end());
  }

  // Same features? (utterance 0, log-mel, max abs difference)
  double maxDiff = -1;
  if (!taWall.empty()) {
    std::ifstream in(dir / "ref0.f32", std::ios::binary);
    const auto mine = fbank.compute(utts[0]);
    std::vector<float> ref(mine.size());
    in.read(reinterpret_cast<char*>(ref.data()), std::streamsize(ref.size() * 4));
    if (in) {
      maxDiff = 0;
      for (std::size_t k = 0; k < ref.size(); ++k) maxDiff = std::max(maxDiff, double(std::fabs(mine[k] - ref[k])));
    }
  }
  if (std::filesystem::exists(dir)) std::filesystem::remove_all(dir);

  const char* coretype = std::getenv("OPENBLAS_CORETYPE");
  std::printf("fbank benchmark: %d utterances x %.1f s = %.0f s of speech-like audio, 16 kHz\n", utterances, seconds,
              audioSeconds);
  std::printf("options: 64 mel bins, 25/10 ms, povey, dither 0 (FbankOptions defaults); FFT plan: %s\n",
              fbank.fftPlanFromWisdom() ? "tuned (embedded FFTW wisdom)" : "FFTW_ESTIMATE fallback");
  std::printf("machine: %s, %u hardware threads; OPENBLAS_CORETYPE=%s\n", understudy::bench::cpuModel().c_str(),
              std::thread::hardware_concurrency(), coretype ? coretype : "(unset)");
  auto best = [](const std::vector<double>& v) { return *std::min_element(v.begin(), v.end()); };
  double load[3] = {};
  if (getloadavg(load, 3) < 1) load[0] = -1;
  std::printf("load average during the run: %.2f (1 min)\n", load[0]);
  std::printf("\n| implementation | threads | best pass, wall (s) | median pass, wall (s) | best pass, CPU (s) | "
              "x real time (wall) | x real time (CPU) |\n");
  std::printf("|---|---|---|---|---|---|---|\n");
  std::printf("| understudy Fbank | 1 | %.3f | %.3f | %.3f | %.0f | %.0f |\n", best(oursWall), median(oursWall),
              best(oursCpu), audioSeconds / best(oursWall), audioSeconds / best(oursCpu));
  if (threads > 1)
    std::printf("| understudy Fbank | %d | %.3f | - | - | %.0f | - |\n", threads, oursThreaded,
                audioSeconds / oursThreaded);
  if (!taWall.empty()) {
    std::printf("| torchaudio %s kaldi.fbank | 1 | %.3f | %.3f | %.3f | %.0f | %.0f |\n", taVersion.c_str(),
                best(taWall), median(taWall), best(taCpu), audioSeconds / best(taWall), audioSeconds / best(taCpu));
    std::printf("\nspeed ratio, single thread: %.2fx torchaudio (wall, best passes), %.2fx (CPU time)\n",
                best(taWall) / best(oursWall), best(taCpu) / best(oursCpu));
    std::printf("max |ours - torchaudio| on utterance 0 log-mel: %.2e\n", maxDiff);
  }
  return 0;
}
