// bench_train: frames/s of understudy's C++ Trainer against the same training
// step in python3-torch (bench/train/reference.py), in one run, at 1 and 2
// intra-op threads. Prints the CPU, OPENBLAS_CORETYPE, both rates and their
// ratio (goal: C++ >= 1.05x python), and which thread count is faster.
//
// Then what checking every record's XXH3 checksum costs the data path: the
// same corpus written to a real feature store and target store, read the way
// training reads it (StoreExampleSource::get, verified) against the same
// reads without the check (RecordStore::readUnverified, which exists for this
// measurement), in MB/s and as a share of a training step.
//
// Then the student's distillation step against its cross-entropy step
// (--part kd, also in "all"): the same batches, collated and trained with
// top-20 soft targets (DistillationObjective) and with frame targets
// (CrossEntropyObjective), alternating, best of --rounds; goal: KD costs
// <= 10 % more per frame.
//
//   bench_train [--preset student-small] [--steps 20] [--warmup 3] [--threads 1,2]
//               [--rounds 2] [--python /usr/bin/python3] [--part all|train|reads|kd]
//               [--read-passes 40]
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include <filesystem>

#include "bench/common/machine_info.h"
#include "core/align/target_store.h"
#include "core/store/feature_store.h"
#include "core/store/unit_inventory.h"
#include "core/train/trainer.h"
#include "core/train/workspace_data.h"
#include "core/util/log.h"

using namespace understudy;
using namespace understudy::train;

namespace {

struct Args {
  std::string preset = "student-small";
  int units = 64;
  int utterances = 48;
  std::int64_t maxFrames = 6000;
  int steps = 12;
  int warmup = 3;
  std::vector<int> threads = {1, 2};
  int rounds = 2;
  std::string python = "/usr/bin/python3";
  std::string reference = UNDERSTUDY_SOURCE_DIR "/bench/train/reference.py";
  std::string part = "all";  // all, train, reads, kd
  int topK = 20;             // soft targets per model frame (--part kd)
  int readPasses = 40;       // passes over the corpus per timing of the store reads
};

double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Verified against unverified reads of the bench corpus from real stores.
// Returns the verification's cost in seconds per 10 ms input frame.
double benchStoreReads(const Args& a, const InMemoryExampleSource& corpus) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("bench_train_stores." + std::to_string(::getpid()));
  fs::remove_all(dir);
  const fs::path featDir = dir / "features", targetDir = dir / "targets";
  {
    auto feats = FeatureStore::create(featDir, corpus.dims());
    RecordStore targets = RecordStore::create(targetDir, {ElementType::Int32, 1, TargetStore::kKind});
    for (std::size_t i = 0; i < corpus.size(); ++i) {
      const TrainingExample e = corpus.get(i);
      feats.append(e.key, e.feats, e.frames);
      targets.append(e.key, e.targets.data(), static_cast<std::uint32_t>(e.targets.size()), 1);
    }
    feats.commit();
    targets.commit();
    UnitInventory::pdfs(corpus.numUnits()).save(targetDir / TargetStore::kUnitsFile);
  }
  StoreExampleSource source({featDir}, {targetDir}, corpus.dims(), corpus.numUnits());
  std::int64_t frames = 0;
  std::uint64_t bytes = 0;
  for (std::size_t i = 0; i < corpus.size(); ++i) {
    const int f = corpus.frames(i);
    source.addItem({0, corpus.get(i).key, f});
    frames += f;
    bytes += static_cast<std::uint64_t>(f) * corpus.dims() * 4 + (f + 2) / 3 * 4;
  }
  source.setCmvn(source.computeCmvn());
  const FeatureStore feats = FeatureStore::open(featDir);
  const RecordStore targets = RecordStore::open(targetDir);

  // Each timing: best of `rounds` runs of `readPasses` passes over the corpus
  // (the page cache is warm: the worst case for the check's share).
  auto best = [&](auto&& pass) {
    double bestSeconds = 1e30;
    for (int round = 0; round < std::max(1, a.rounds) + 1; ++round) {
      const auto start = std::chrono::steady_clock::now();
      for (int p = 0; p < a.readPasses; ++p) pass();
      bestSeconds = std::min(bestSeconds, secondsSince(start));
    }
    return bestSeconds;
  };
  std::vector<float> featCopy;
  std::vector<std::int32_t> targetCopy;
  double sink = 0;
  // Features + targets copied out of the mapping, as get() does, without / with the check.
  const double unverified = best([&] {
    for (const auto& item : source.items()) {
      const RecordView f = feats.records().readUnverified(item.key);
      const auto* fp = static_cast<const float*>(f.data);
      featCopy.assign(fp, fp + static_cast<std::size_t>(f.rows) * f.cols);
      const RecordView t = targets.readUnverified(item.key);
      const auto* tp = static_cast<const std::int32_t*>(t.data);
      targetCopy.assign(tp, tp + t.rows);
      sink += featCopy[0] + targetCopy[0];
    }
  });
  const double verified = best([&] {
    for (const auto& item : source.items()) {
      const FeatureMatrixView f = feats.read(item.key);
      featCopy.assign(f.data, f.data + static_cast<std::size_t>(f.frames) * f.dims);
      const RecordView t = targets.read(item.key);
      const auto* tp = static_cast<const std::int32_t*>(t.data);
      targetCopy.assign(tp, tp + t.rows);
      sink += featCopy[0] + targetCopy[0];
    }
  });
  // What training calls: verified reads + copy + CMVN.
  const double production = best([&] {
    for (std::size_t i = 0; i < source.size(); ++i) sink += source.get(i).targets.size();
  });
  fs::remove_all(dir);
  // The reads must not be optimised away.
  if (sink == -1.0) std::printf("(unexpected sink value)\n");

  const double mb = static_cast<double>(bytes) * a.readPasses / 1e6;
  const double passFrames = static_cast<double>(frames) * a.readPasses;
  std::printf("\nstore reads: %zu utterances, %.1f MB of features + targets, %d passes, best of %d "
              "(page cache warm)\n",
              corpus.size(), static_cast<double>(bytes) / 1e6, a.readPasses,
              std::max(1, a.rounds) + 1);
  std::printf("%-44s %10s %10s %16s\n", "read", "MB/s", "ms/pass", "us per 1k frames");
  auto row = [&](const char* what, double seconds) {
    std::printf("%-44s %10.0f %10.2f %16.1f\n", what, mb / seconds, 1e3 * seconds / a.readPasses,
                1e6 * seconds / passFrames * 1000);
  };
  row("unverified (readUnverified + copy)", unverified);
  row("verified (read: XXH3 check + copy)", verified);
  row("StoreExampleSource::get (verified + CMVN)", production);
  const double costPerFrame = std::max(0.0, verified - unverified) / passFrames;
  std::printf("checksum cost: %.1f us per 1k frames, %.1f%% of a verified read, %.1f%% of get()\n",
              1e9 * costPerFrame, 100 * (verified - unverified) / verified,
              100 * (verified - unverified) / production);
  std::fflush(stdout);
  return costPerFrame;
}

std::string loadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

std::string runCommand(const std::string& cmd) {
  std::string out;
  if (FILE* p = ::popen(cmd.c_str(), "r")) {
    char buf[512];
    while (std::fgets(buf, sizeof buf, p)) out += buf;
    ::pclose(p);
  }
  return out;
}

double parseRate(const std::string& out) {
  auto pos = out.find("frames_per_second ");
  return pos == std::string::npos ? 0.0 : std::atof(out.c_str() + pos + 18);
}

// Soft targets for every utterance of `labeled`: top-k distinct random units
// with random probabilities summing to 1 (speed does not depend on the values).
std::shared_ptr<InMemoryExampleSource> softTwin(const InMemoryExampleSource& labeled, int k) {
  auto soft = std::make_shared<InMemoryExampleSource>(labeled.dims(), labeled.numUnits());
  torch::manual_seed(5);
  for (std::size_t i = 0; i < labeled.size(); ++i) {
    TrainingExample e = labeled.get(i);
    const auto frames = static_cast<std::int64_t>(e.targets.size());
    auto ids = torch::rand({frames, labeled.numUnits()}).argsort(/*dim=*/1, /*descending=*/false).narrow(1, 0, k).to(torch::kInt32).contiguous();
    auto probs = torch::rand({frames, k});
    probs = std::get<0>((probs / probs.sum(1, true)).sort(1, /*descending=*/true)).contiguous();
    soft->addSoft(e.key, std::vector<float>(e.feats, e.feats + static_cast<std::size_t>(e.frames) * e.dims), k,
                  std::vector<std::int32_t>(ids.data_ptr<std::int32_t>(), ids.data_ptr<std::int32_t>() + ids.numel()),
                  std::vector<float>(probs.data_ptr<float>(), probs.data_ptr<float>() + probs.numel()));
  }
  return soft;
}

TrainerConfig benchConfig(const Args& a, int threads);

// KD against CE at the same shapes: the same batch plan collated from each
// source (soft targets collated too: a real cost of KD) and trained with one
// trainStep per batch, CE and KD rounds alternating.
void benchDistillation(const Args& a, const std::shared_ptr<InMemoryExampleSource>& labeled,
                       const std::vector<int>& lengths) {
  const auto soft = softTwin(*labeled, a.topK);
  std::printf("\nstudent steps: top-%d distillation vs cross-entropy, same batches, %d warm-up + %d timed, "
              "best of %d rounds\n",
              a.topK, a.warmup, a.steps, a.rounds);
  std::printf("%8s %14s %14s %10s\n", "threads", "CE frames/s", "KD frames/s", "KD cost");
  for (int threads : a.threads) {
    const TrainerConfig config = benchConfig(a, threads);
    std::vector<std::vector<std::size_t>> plan;
    for (std::int64_t epoch = 0; static_cast<int>(plan.size()) < a.warmup + a.steps; ++epoch)
      for (const auto& batch : planEpochBatches(lengths, config.batching, config.seed, epoch)) plan.push_back(batch);
    plan.resize(static_cast<std::size_t>(a.warmup + a.steps));
    const CrossEntropyObjective ce;
    const DistillationObjective kd;
    double best[2] = {0, 0};
    for (int round = 0; round < a.rounds; ++round)
      for (int which = 0; which < 2; ++which) {
        const InMemoryExampleSource& src = which == 0 ? *labeled : *soft;
        const Objective& objective = which == 0 ? static_cast<const Objective&>(ce) : kd;
        Trainer trainer(config, labeled, nullptr, {});
        std::int64_t frames = 0;
        std::chrono::steady_clock::time_point start;
        for (int s = 0; s < a.warmup + a.steps; ++s) {
          if (s == a.warmup) start = std::chrono::steady_clock::now();
          std::vector<TrainingExample> examples;
          for (auto i : plan[static_cast<std::size_t>(s)]) examples.push_back(src.get(i));
          const Batch batch = collateBatch(examples, static_cast<int>(config.model.subsample));
          trainer.trainStep(batch, objective);
          if (s >= a.warmup) frames += batch.inputFrames;
        }
        best[which] = std::max(best[which], static_cast<double>(frames) / secondsSince(start));
      }
    std::printf("%8d %14.0f %14.0f %9.1f%%\n", threads, best[0], best[1], 100.0 * (best[0] / best[1] - 1.0));
    std::fflush(stdout);
  }
}

TrainerConfig benchConfig(const Args& a, int threads) {
  TrainerConfig c;
  c.model = recipe::ModelOptions::preset(a.preset);
  c.model.numUnits = a.units;
  c.batching.maxFrames = a.maxFrames;
  c.optimizer.kind = "adam";
  c.optimizer.lr = 1e-3;
  c.gradClip = 5.0;
  c.validateEvery = 0;
  c.checkpointEvery = 0;
  c.maxSteps = a.warmup + a.steps + 1;
  c.threads = threads;
  c.seed = 1;
  return c;
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--preset") a.preset = v;
    else if (k == "--steps") a.steps = std::stoi(v);
    else if (k == "--warmup") a.warmup = std::stoi(v);
    else if (k == "--rounds") a.rounds = std::stoi(v);
    else if (k == "--python") a.python = v;
    else if (k == "--max-frames") a.maxFrames = std::stoll(v);
    else if (k == "--part") a.part = v;
    else if (k == "--read-passes") a.readPasses = std::stoi(v);
    else if (k == "--top-k") a.topK = std::stoi(v);
    else if (k == "--threads") {
      a.threads.clear();
      std::stringstream ss(v);
      for (std::string t; std::getline(ss, t, ',');) a.threads.push_back(std::stoi(t));
    } else {
      std::fprintf(stderr, "unknown option %s\n", k.c_str());
      return 2;
    }
  }
  log::setLevel(log::Level::Warning);
  const char* coretype = std::getenv("OPENBLAS_CORETYPE");
  std::printf("bench/train: C++ Trainer vs python3-torch reference\n");
  std::printf("cpu               %s (%u logical cores)\n", bench::cpuModel().c_str(),
              std::thread::hardware_concurrency());
  std::printf("OPENBLAS_CORETYPE %s\n", coretype ? coretype : "(unset)");
  std::printf("load average      %s (start)\n", loadAverage().c_str());

  // The corpus: lengths 2-6 s, random features and targets (speed does not
  // depend on the values).
  std::vector<int> lengths;
  for (int i = 0; i < a.utterances; ++i) lengths.push_back(200 + (i * 7919) % 401);
  auto source = std::make_shared<InMemoryExampleSource>(64, a.units);
  torch::manual_seed(3);
  for (int i = 0; i < a.utterances; ++i) {
    auto f = torch::randn({lengths[static_cast<std::size_t>(i)], 64});
    auto y = torch::randint(0, a.units, {(lengths[static_cast<std::size_t>(i)] + 2) / 3}, torch::kInt32);
    source->add("u" + std::to_string(i), std::vector<float>(f.data_ptr<float>(), f.data_ptr<float>() + f.numel()),
                std::vector<std::int32_t>(y.data_ptr<std::int32_t>(), y.data_ptr<std::int32_t>() + y.numel()));
  }
  if (a.part == "kd") {
    benchDistillation(a, source, lengths);
    std::printf("load average      %s (end)\n", loadAverage().c_str());
    return 0;
  }
  if (a.part == "reads") {
    benchStoreReads(a, *source);
    std::printf("load average      %s (end)\n", loadAverage().c_str());
    return 0;
  }
  // The batches the Trainer will take (epoch after epoch), for python.
  TrainerConfig probe = benchConfig(a, 1);
  std::vector<std::vector<int>> plan;
  for (std::int64_t epoch = 0; static_cast<int>(plan.size()) < a.warmup + a.steps; ++epoch)
    for (const auto& batch : planEpochBatches(lengths, probe.batching, probe.seed, epoch)) {
      std::vector<int> l;
      for (auto i : batch) l.push_back(lengths[i]);
      plan.push_back(l);
    }
  const std::string planPath = "/tmp/bench_train_plan." + std::to_string(::getpid()) + ".txt";
  {
    std::ofstream out(planPath);
    for (const auto& b : plan) {
      for (std::size_t i = 0; i < b.size(); ++i) out << (i ? " " : "") << b[i];
      out << "\n";
    }
  }
  const auto m = probe.model;
  std::printf("model             %s: %s %lldx%lld, projection %lld, %d units, %lld parameters\n",
              a.preset.c_str(), m.kind.c_str(), static_cast<long long>(m.layers),
              static_cast<long long>(m.cells), static_cast<long long>(m.projection), a.units,
              static_cast<long long>(m.closedFormParameterCount()));
  std::printf("batches           <= %lld padded frames, %d warm-up + %d timed steps, best of %d rounds\n\n",
              static_cast<long long>(a.maxFrames), a.warmup, a.steps, a.rounds);

  // Two python references: "packed" is the idiomatic python3-torch BLSTM
  // (pack_padded_sequence); "unpacked" runs our own formulation (docs/models.md),
  // so its ratio isolates C++ vs python around the same kernels.
  std::printf("%8s %14s %16s %8s %18s %8s\n", "threads", "C++ frames/s", "py packed f/s",
              "ratio", "py unpacked f/s", "ratio");
  double bestCpp = 0;
  int bestThreads = 0;
  for (int threads : a.threads) {
    double cpp = 0, py = 0, pyUnpacked = 0;
    for (int round = 0; round < a.rounds; ++round) {
      Trainer trainer(benchConfig(a, threads), source, nullptr, {});
      trainer.run(a.warmup);
      std::int64_t frames = 0;
      for (int s = a.warmup; s < a.warmup + a.steps; ++s)
        for (int l : plan[static_cast<std::size_t>(s)]) frames += l;
      const auto start = std::chrono::steady_clock::now();
      trainer.run(a.warmup + a.steps);
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      cpp = std::max(cpp, static_cast<double>(frames) / seconds);
      const std::string cmd = fmt::format(
          "{} {} --plan {} --threads {} --warmup {} --steps {} --kind {} --layers {} --cells {} "
          "--projection {} --units {}",
          a.python, a.reference, planPath, threads, a.warmup, a.steps, m.kind, m.layers,
          m.cells, m.projection, a.units);
      // The references run with the same glibc malloc settings as our trainer.
      const std::string tuned = fmt::format("MALLOC_MMAP_THRESHOLD_={} MALLOC_TRIM_THRESHOLD_={} ",
                                            kMallocMmapThreshold, kMallocTrimThreshold);
      for (const char* formulation : {"packed", "unpacked"}) {
        const std::string out = runCommand(tuned + cmd + " --formulation " + formulation + " 2>&1");
        const double rate = parseRate(out);
        if (rate <= 0) std::fprintf(stderr, "reference.py failed:\n%s\n", out.c_str());
        double& best = std::string(formulation) == "packed" ? py : pyUnpacked;
        best = std::max(best, rate);
      }
    }
    std::printf("%8d %14.0f %16.0f %7.2fx %18.0f %7.2fx\n", threads, cpp, py,
                py > 0 ? cpp / py : 0.0, pyUnpacked, pyUnpacked > 0 ? cpp / pyUnpacked : 0.0);
    std::fflush(stdout);
    if (cpp > bestCpp) {
      bestCpp = cpp;
      bestThreads = threads;
    }
  }
  std::printf("\nfaster thread count for the C++ trainer: %d\n", bestThreads);
  if (a.part == "all") {
    // Training reads every frame once per epoch: the check's share of a step is
    // its cost per frame times the frames the trainer gets through per second.
    const double costPerFrame = benchStoreReads(a, *source);
    std::printf("checksum share of a training step at %.0f frames/s: %.3f%%\n", bestCpp,
                100 * costPerFrame * bestCpp);
    benchDistillation(a, source, lengths);
  }
  std::printf("load average      %s (end)\n", loadAverage().c_str());
  std::remove(planPath.c_str());
  return 0;
}
