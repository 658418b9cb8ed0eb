// bench_label: what labeling costs next to the teacher's bare forward pass,
// what the labels take on disk, and what u8 quantisation does to the loss a
// student will be trained with (docs/performance.md "Labeling").
//
// 1. Speed, in 10 ms input frames per second of wall clock, at each thread
//    count, in one run:
//      - the bare forward: model->forward under InferenceMode over the
//        labeler's own batches (planInferenceBatches, same max_frames),
//        collated and CMVN-normalised beforehand, so nothing but the
//        forward pass is timed;
//      - labeling: DatasetLabeling::run into a fresh store, fp16 and u8
//        (reads, CMVN, collation, the forward, top-k, quantising, appends,
//        commits every `commit_seconds`, the label summary, the catalog);
//    rounds alternate the three, each round in another order, so all see the
//    same machine load and none gains from going first; each rate is the
//    best round. Goal: labeling >= 0.9x the forward.
//    Where the rest goes: reads + CMVN + collation, and top-k on the logits,
//    timed alone over the same batches.
// 2. Bytes per frame of both stores after the writer closed: the payload
//    (fp16 k=20: 80 B; u8: 60 B) and the files on disk (shards with their
//    64-byte alignment, index, journal, metadata). Goal: fp16 overhead <= 2 %.
// 3. The KD loss L = -(1/F) Σ_t Σ_j p_tj log q_t(id_tj) over the F model
//    frames of the dataset (the trainer's maskedDistillation, objective.h,
//    on batches whose soft targets come from each store), for a fixed student (student-small, random
//    initial weights from a fixed seed), with the fp16 store's p and with
//    the u8 store's, and with the unquantised top-k for reference. Goal: u8
//    within 0.5 % (relative) of fp16. A near-uniform q makes L ≈ ln(U) for
//    any p, so the same is also given for the teacher itself as the "student"
//    (a sharp q: the case where probability errors move L most).
//
// Default workspace: a temporary one made with understudy-cli (tiny
// synthetic corpus, features and targets of synth-labeled and
// synth-unlabeled, the demo recipe's 3 x 256 BLSTM teacher trained for
// --train-steps steps; speed does not depend on training, the KD numbers
// depend on how sharp the teacher is), removed at the end. With --workspace
// the given one is used: the bench writes (and at the end deletes) the
// soft-label folders bench-label-fp16 and bench-label-u8 there; their two
// catalog rows stay.
//
//   bench_label [--workspace WS --model teacher-demo --dataset synth-unlabeled]
//               [--threads 1,2] [--rounds 5] [--max-frames 20000] [--top-k 20]
//               [--train-steps 60] [--keep-workspace DIR]
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bench/common/machine_info.h"
#include "core/store/catalog.h"
#include "core/store/soft_label_store.h"
#include "core/store/workspace.h"
#include "core/train/batch.h"
#include "core/train/example_source.h"
#include "core/train/inference.h"
#include "core/train/labeler.h"
#include "core/train/model_bundle.h"
#include "core/train/objective.h"
#include "core/util/error.h"
#include "core/util/log.h"

using namespace understudy;
using namespace understudy::train;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

struct Args {
  fs::path workspace;  // empty: build a temporary one
  std::string model = "teacher-demo";
  std::string dataset = "synth-unlabeled";
  std::vector<int> threads = {1, 2};
  int rounds = 5;
  std::int64_t maxFrames = LabelOptions{}.maxFrames;
  int topK = 20;
  int trainSteps = 60;
  std::uint64_t studentSeed = 7;
  fs::path keepWorkspace;  // build the default workspace here and keep it
  std::string cli = UNDERSTUDY_CLI_PATH;
  std::string recipe = UNDERSTUDY_SOURCE_DIR "/resources/recipes/teacher-demo.yaml";
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

void run(const std::string& cmd) {
  const auto start = Clock::now();
  const int rc = std::system((cmd + " >/dev/null").c_str());
  if (rc != 0) throw US_ERROR(fmt::format("'{}' failed (status {})", cmd, rc)).hint("run it by hand to see why");
  std::printf("  %5.1f s  %s\n", secondsSince(start), cmd.substr(cmd.find(' ') + 1).c_str());
  std::fflush(stdout);
}

// The default workspace, made with the command-line program as a user would.
void buildWorkspace(const Args& a, const fs::path& ws) {
  std::printf("building a workspace in %s with %s:\n", ws.c_str(), a.cli.c_str());
  const std::string cli = "'" + a.cli + "' -q ";
  const std::string w = " -w '" + ws.string() + "'";
  run(cli + "init '" + ws.string() + "'");
  run(cli + "corpus synth" + w + " --profile tiny --seed 1");
  for (const char* d : {"synth-labeled", "synth-unlabeled"}) {
    run(cli + "features" + w + " --dataset " + d);
    run(cli + "targets" + w + " --dataset " + d);
  }
  run(cli + "train" + w + " --config '" + a.recipe + "' --max-steps " + std::to_string(a.trainSteps));
}

// The labeler's batches, CMVN-normalised and collated once.
struct Prepared {
  std::vector<Batch> batches;
  std::int64_t inputFrames = 0;
  std::int64_t modelFrames = 0;
  std::size_t utterances = 0;
  double prepareSeconds = 0;  // reads + CMVN + collation, once
};

Prepared prepare(const FeatureExampleSource& source, const std::vector<std::vector<std::size_t>>& plan,
                 int subsample) {
  Prepared p;
  const auto start = Clock::now();
  for (const auto& batch : plan) {
    std::vector<TrainingExample> examples;
    for (auto i : batch) examples.push_back(source.get(i));
    p.batches.push_back(collateBatch(examples, subsample));
    p.inputFrames += p.batches.back().inputFrames;
    p.utterances += batch.size();
  }
  p.prepareSeconds = secondsSince(start);
  return p;
}

double bareForward(nn::AcousticModel& model, const Prepared& p) {
  torch::InferenceMode inference;
  const auto start = Clock::now();
  double sink = 0;
  for (const auto& b : p.batches) {
    auto [logits, lengths] = model->forward(b.features, b.lengths);
    sink += static_cast<double>(logits.size(1));
  }
  const double s = secondsSince(start);
  if (sink < 0) std::printf("unexpected\n");
  return s;
}

double topKAlone(nn::AcousticModel& model, const Prepared& p, int k) {
  torch::InferenceMode inference;
  std::vector<torch::Tensor> logits;
  for (const auto& b : p.batches) logits.push_back(model->forward(b.features, b.lengths).first);
  const auto start = Clock::now();
  std::vector<std::int32_t> ids;
  std::vector<float> probs;
  for (const auto& l : logits) {
    const auto flat = l.reshape({-1, l.size(2)});
    ids.resize(static_cast<std::size_t>(flat.size(0)) * k);
    probs.resize(ids.size());
    topKPosteriors(flat, k, 1.0, ids.data(), probs.data());
  }
  return secondsSince(start);
}

struct LabelTiming {
  double seconds = 0;
  std::int64_t inputFrames = 0;
  double rate() const { return seconds > 0 ? inputFrames / seconds : 0.0; }
};

LabelTiming label(Workspace& ws, const Args& a, int threads, SoftLabelPrecision precision,
                  const std::string& folder) {
  fs::remove_all(ws.root() / "softlabels" / folder);
  LabelOptions o;
  o.topK = a.topK;
  o.precision = precision;
  o.threads = threads;
  o.maxFrames = a.maxFrames;
  o.output = folder;
  DatasetLabeling job(ws, a.model, a.dataset, o);
  const auto start = Clock::now();
  const LabelResult r = job.run(0);
  LabelTiming t;
  t.seconds = secondsSince(start);
  t.inputFrames = r.inputFrames;
  if (!r.failed.empty()) throw US_ERROR(fmt::format("{} utterance(s) failed to label", r.failed.size()));
  return t;
}

struct StoreBytes {
  std::uint64_t payload = 0, files = 0, shards = 0, index = 0, journal = 0, other = 0;
  std::uint64_t frames = 0, utterances = 0;
};

StoreBytes storeBytes(const fs::path& dir) {
  StoreBytes b;
  const SoftLabelStore store = SoftLabelStore::open(dir);
  b.frames = store.totalFrames();
  b.utterances = store.size();
  b.payload = b.frames * store.bytesPerFrame();
  for (const auto& e : fs::directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    const auto size = e.file_size();
    const std::string name = e.path().filename().string();
    b.files += size;
    if (name.rfind("shard-", 0) == 0) b.shards += size;
    else if (name == "index") b.index += size;
    else if (name == "journal") b.journal += size;
    else b.other += size;
  }
  return b;
}

// One batch's soft targets as the trainer's Batch holds them ([B, T', k]: ids
// int64, -1 and p 0 past each utterance's frames), from a store.
std::pair<torch::Tensor, torch::Tensor> softTargets(const SoftLabelStore& store, const Batch& b,
                                                    const torch::Tensor& lengths, std::int64_t steps, int k) {
  auto ids = torch::full({static_cast<std::int64_t>(b.keys.size()), steps, k}, -1, torch::kInt64);
  auto probs = torch::zeros({static_cast<std::int64_t>(b.keys.size()), steps, k}, torch::kFloat32);
  for (std::size_t n = 0; n < b.keys.size(); ++n) {
    const auto frames = lengths[static_cast<std::int64_t>(n)].item<std::int64_t>();
    if (store.frames(b.keys[n]) != frames)
      throw US_ERROR(fmt::format("{}: {} model frames, the store holds {}", b.keys[n], frames,
                                 store.frames(b.keys[n])))
          .file(store.dir().string());
    auto i = ids[static_cast<std::int64_t>(n)];
    auto p = probs[static_cast<std::int64_t>(n)];
    store.gather({{b.keys[n], 0, -1}}, i.data_ptr<std::int64_t>(), p.data_ptr<float>());
  }
  return {ids, probs};
}

// The unquantised labels: top-k of the teacher's softmax, renormalised (the
// labeler's topKPosteriors), padded like softTargets.
std::pair<torch::Tensor, torch::Tensor> exactTargets(const torch::Tensor& teacherLogits, const torch::Tensor& lengths,
                                                     int k) {
  const auto batch = teacherLogits.size(0), steps = teacherLogits.size(1);
  auto ids = torch::full({batch, steps, k}, -1, torch::kInt64);
  auto probs = torch::zeros({batch, steps, k}, torch::kFloat32);
  for (std::int64_t n = 0; n < batch; ++n) {
    const auto frames = lengths[n].item<std::int64_t>();
    std::vector<std::int32_t> id(static_cast<std::size_t>(frames) * k);
    std::vector<float> p(id.size());
    topKPosteriors(teacherLogits[n].slice(0, 0, frames), k, 1.0, id.data(), p.data());
    ids[n].slice(0, 0, frames).copy_(torch::from_blob(id.data(), {frames, k}, torch::kInt32).to(torch::kInt64));
    probs[n].slice(0, 0, frames).copy_(torch::from_blob(p.data(), {frames, k}, torch::kFloat32));
  }
  return {ids, probs};
}

// The KD loss of `student` (the trainer's maskedDistillation, T = 1) against
// three sets of targets for the same frames, each the mean over all model
// frames of the set.
struct Kd {
  double fp16 = 0, u8 = 0, exact = 0;
  std::int64_t frames = 0;
  double relative() const { return std::abs(u8 - fp16) / fp16; }
};

Kd kdLoss(nn::AcousticModel& student, nn::AcousticModel& teacher, const Prepared& p, const SoftLabelStore& fp16,
          const SoftLabelStore& u8, int k) {
  torch::InferenceMode inference;
  double sumFp16 = 0, sumU8 = 0, sumExact = 0;
  Kd kd;
  for (const auto& b : p.batches) {
    auto [sl, slen] = student->forward(b.features, b.lengths);
    auto [tl, tlen] = teacher->forward(b.features, b.lengths);
    if (!torch::equal(slen, tlen)) throw US_ERROR("student and teacher disagree on model frames");
    const auto steps = sl.size(1);
    auto [fi, fp] = softTargets(fp16, b, slen, steps, k);
    auto [ui, up] = softTargets(u8, b, slen, steps, k);
    auto [ei, ep] = exactTargets(tl, tlen, k);
    const LossResult rf = maskedDistillation(sl, slen, fi, fp);
    const LossResult ru = maskedDistillation(sl, slen, ui, up);
    const LossResult re = maskedDistillation(sl, slen, ei, ep);
    if (rf.frames != ru.frames || rf.frames != re.frames) throw US_ERROR("the targets cover different frames");
    sumFp16 += rf.sumLoss;
    sumU8 += ru.sumLoss;
    sumExact += re.sumLoss;
    kd.frames += rf.frames;
  }
  kd.fp16 = sumFp16 / kd.frames;
  kd.u8 = sumU8 / kd.frames;
  kd.exact = sumExact / kd.frames;
  return kd;
}

const char* verdict(bool ok) { return ok ? "goal met" : "GOAL MISSED"; }

}  // namespace

int main(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i], v = argv[i + 1];
    if (key == "--workspace") a.workspace = v;
    else if (key == "--model") a.model = v;
    else if (key == "--dataset") a.dataset = v;
    else if (key == "--rounds") a.rounds = std::max(1, std::stoi(v));
    else if (key == "--max-frames") a.maxFrames = std::stoll(v);
    else if (key == "--top-k") a.topK = std::stoi(v);
    else if (key == "--train-steps") a.trainSteps = std::stoi(v);
    else if (key == "--keep-workspace") a.keepWorkspace = v;
    else if (key == "--cli") a.cli = v;
    else if (key == "--threads") {
      a.threads.clear();
      std::stringstream ss(v);
      for (std::string t; std::getline(ss, t, ',');) a.threads.push_back(std::stoi(t));
    } else {
      std::fprintf(stderr, "unknown option %s (see the comment at the top of bench/label/bench_label.cpp)\n",
                   key.c_str());
      return 2;
    }
  }
  if (argc % 2 == 0) {
    std::fprintf(stderr, "option %s needs a value\n", argv[argc - 1]);
    return 2;
  }
  log::setLevel(log::Level::Warning);
  const char* coretype = std::getenv("OPENBLAS_CORETYPE");
  std::printf("bench/label: labeling vs the teacher's bare forward; soft-label bytes; KD loss u8 vs fp16\n");
  std::printf("cpu               %s (%u logical cores)\n", bench::cpuModel().c_str(),
              std::thread::hardware_concurrency());
  std::printf("OPENBLAS_CORETYPE %s\n", coretype ? coretype : "(unset)");
  // libgomp's default spins waiting threads; on cores other work shares that
  // costs 2-thread runs an order of magnitude (docs/performance.md "Labeling").
  const char* waitPolicy = std::getenv("OMP_WAIT_POLICY");
  std::printf("OMP_WAIT_POLICY   %s\n", waitPolicy ? waitPolicy : "(unset: libgomp spins)");
  std::printf("load average      %s (start)\n", loadAverage().c_str());
  std::fflush(stdout);

  try {
    fs::path wsDir = a.workspace;
    bool temporary = false;
    if (wsDir.empty()) {
      if (!a.keepWorkspace.empty()) {
        wsDir = a.keepWorkspace;
      } else {
        wsDir = fs::temp_directory_path() / ("bench_label." + std::to_string(::getpid()));
        temporary = true;
      }
      if (!Workspace::isWorkspace(wsDir)) buildWorkspace(a, wsDir);
    }
    Workspace ws = Workspace::open(wsDir);
    const std::string fp16Folder = "bench-label-fp16", u8Folder = "bench-label-u8";

    ModelBundle teacher = ModelBundle::load(ws, a.model);
    const auto& m = teacher.model->options;
    const int numUnits = static_cast<int>(teacher.units.size());
    Catalog catalog(ws);
    const DatasetRow dataset = catalog.dataset(a.dataset);
    const FeatureSetRow featureSet = catalog.featureSet(dataset);
    FeatureExampleSource source({catalog.absolute(featureSet.path)}, numUnits);
    source.setCmvn(teacher.cmvn);
    const auto plan = planInferenceBatches(source, a.maxFrames);  // as DatasetLabeling::run
    const int subsample = static_cast<int>(m.subsample());
    const Prepared prepared = prepare(source, plan, subsample);

    std::printf("workspace         %s%s\n", wsDir.c_str(), temporary ? " (temporary)" : "");
    std::printf("teacher           %s: %s %lldx%lld, %d units, %lld parameters\n", a.model.c_str(),
                m.kind().c_str(), static_cast<long long>(m.layers()), static_cast<long long>(m.cells()), numUnits,
                static_cast<long long>(m.closedFormParameterCount()));
    std::printf("dataset           %s (%s): %zu utterances, %lld frames (%.1f min), %zu batches of <= %lld "
                "padded frames\n",
                a.dataset.c_str(), featureSet.name.c_str(), prepared.utterances,
                static_cast<long long>(prepared.inputFrames), prepared.inputFrames / 6000.0, plan.size(),
                static_cast<long long>(a.maxFrames));
    std::printf("labeling          top-%d, commit every %.0f s (the CLI's defaults); best of %d rounds\n\n",
                a.topK, LabelOptions{}.commitSeconds, a.rounds);

    // 1. Speed.
    std::printf("%8s %14s %14s %8s %14s %8s %12s %12s\n", "threads", "forward f/s", "label fp16 f/s", "ratio",
                "label u8 f/s", "ratio", "read+collate", "top-k");
    bool speedOk = true;
    for (int threads : a.threads) {
      torch::set_num_threads(threads);
      bareForward(teacher.model, prepared);  // warm-up: allocations, kernels
      double forward = 1e30, topk = 1e30;
      LabelTiming fp16, u8;
      for (int round = 0; round < a.rounds; ++round) {
        // The three timings take turns going first, so none gains from its place.
        for (int turn = 0; turn < 3; ++turn) {
          switch ((round + turn) % 3) {
            case 0: forward = std::min(forward, bareForward(teacher.model, prepared)); break;
            case 1: {
              const LabelTiming f = label(ws, a, threads, SoftLabelPrecision::Fp16, fp16Folder);
              if (f.rate() > fp16.rate()) fp16 = f;
              break;
            }
            default: {
              const LabelTiming u = label(ws, a, threads, SoftLabelPrecision::Log8, u8Folder);
              if (u.rate() > u8.rate()) u8 = u;
            }
          }
        }
        torch::set_num_threads(threads);
        topk = std::min(topk, topKAlone(teacher.model, prepared, a.topK));
      }
      // Reads + CMVN + collation of the whole plan, timed again at this thread count.
      const double readCollate = prepare(source, plan, subsample).prepareSeconds;
      const double forwardRate = prepared.inputFrames / forward;
      const double r16 = fp16.rate() / forwardRate, r8 = u8.rate() / forwardRate;
      speedOk = speedOk && r16 >= 0.9 && r8 >= 0.9;
      std::printf("%8d %14.0f %14.0f %7.2fx %14.0f %7.2fx %10.1f %% %10.1f %%\n", threads, forwardRate, fp16.rate(),
                  r16, u8.rate(), r8, 100 * readCollate / forward, 100 * topk / forward);
      std::fflush(stdout);
    }
    std::printf("(read+collate, top-k: their time as a share of the bare forward's, timed alone)\n");
    std::printf("labeling vs bare forward: goal >= 0.90x at every thread count: %s\n\n", verdict(speedOk));

    // 2. Bytes per frame (the last round's stores, closed).
    const fs::path fp16Dir = ws.root() / "softlabels" / fp16Folder, u8Dir = ws.root() / "softlabels" / u8Folder;
    std::printf("%-6s %9s %12s %12s %10s %10s %10s %10s %9s\n", "store", "frames", "payload B", "on disk B",
                "payload/f", "disk/f", "index B", "journal B", "overhead");
    bool bytesOk = true;
    for (const auto& [name, dir, want] :
         {std::tuple{"fp16", fp16Dir, 4.0 * a.topK}, std::tuple{"u8", u8Dir, 3.0 * a.topK}}) {
      const StoreBytes b = storeBytes(dir);
      const double overhead = static_cast<double>(b.files - b.payload) / static_cast<double>(b.payload);
      std::printf("%-6s %9llu %12llu %12llu %10.2f %10.2f %10llu %10llu %8.2f%%\n", name,
                  static_cast<unsigned long long>(b.frames), static_cast<unsigned long long>(b.payload),
                  static_cast<unsigned long long>(b.files), static_cast<double>(b.payload) / b.frames,
                  static_cast<double>(b.files) / b.frames, static_cast<unsigned long long>(b.index),
                  static_cast<unsigned long long>(b.journal), 100 * overhead);
      if (std::string(name) == "fp16") bytesOk = bytesOk && static_cast<double>(b.payload) / b.frames == want &&
                                                  overhead <= 0.02;
      else bytesOk = bytesOk && static_cast<double>(b.payload) / b.frames <= want;
    }
    std::printf("(%llu utterances; overhead = (on disk - payload) / payload: shard headers and 64-byte "
                "alignment, index, journal, metadata)\n",
                static_cast<unsigned long long>(storeBytes(fp16Dir).utterances));
    std::printf("bytes: goal fp16 k=20 80 B + <= 2 %%, u8 <= 60 B payload: %s\n\n", verdict(bytesOk));

    // 3. KD loss of a fixed student with u8 against fp16 targets.
    const SoftLabelStore fp16Store = SoftLabelStore::open(fp16Dir), u8Store = SoftLabelStore::open(u8Dir);
    torch::manual_seed(a.studentSeed);
    auto studentOptions = nn::AcousticModelOptions::preset("student-small").num_units(numUnits).input_dim(m.input_dim());
    nn::AcousticModel student(studentOptions);
    student->eval();
    torch::set_num_threads(a.threads.back());
    std::printf("KD loss (maskedDistillation, T = 1) L = -(1/F) sum_t sum_j p_tj ln q_t(id_tj), nats, over "
                "the F model frames of the set\n");
    std::printf("%-44s %11s %11s %11s %12s %12s\n", "student q", "exact top-k", "fp16", "u8", "u8 vs fp16",
                "fp16 vs exact");
    bool kdOk = true;
    auto row = [&](const std::string& what, const Kd& kd, bool counts) {
      std::printf("%-44s %11.6f %11.6f %11.6f %11.4f%% %11.4f%%\n", what.c_str(), kd.exact, kd.fp16, kd.u8,
                  100 * kd.relative(), 100 * std::abs(kd.fp16 - kd.exact) / kd.exact);
      if (counts) kdOk = kdOk && kd.relative() <= 0.005;
    };
    const Kd random = kdLoss(student, teacher.model, prepared, fp16Store, u8Store, a.topK);
    row(fmt::format("student-small, random init (seed {})", a.studentSeed), random, true);
    const Kd self = kdLoss(teacher.model, teacher.model, prepared, fp16Store, u8Store, a.topK);
    row("the teacher itself (sharp q)", self, true);
    std::printf("(%lld model frames; ln(%d units) = %.4f)\n", static_cast<long long>(random.frames), numUnits,
                std::log(static_cast<double>(numUnits)));
    std::printf("KD loss: goal u8 within 0.5 %% of fp16: %s\n", verdict(kdOk));

    fs::remove_all(fp16Dir);
    fs::remove_all(u8Dir);
    if (temporary) fs::remove_all(wsDir);
  } catch (const Error& e) {
    std::fprintf(stderr, "bench_label: %s\n", e.what());
    return 1;
  }
  std::printf("load average      %s (end)\n", loadAverage().c_str());
  return 0;
}
