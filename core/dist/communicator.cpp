#include "core/dist/communicator.h"

#include <fmt/format.h>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#ifdef USE_C10D_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include <cstdio>
#include <cstring>

#include "core/util/error.h"
#include "core/util/log.h"

namespace understudy::dist {

namespace {

using Clock = std::chrono::steady_clock;

std::chrono::milliseconds millis(double seconds) {
  return std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000.0));
}

std::string firstLine(const std::string& s) { return s.substr(0, s.find('\n')); }

std::string resolveBackend(const std::string& requested) {
  if (requested == "gloo") return "gloo";
#ifdef USE_C10D_NCCL
  if (requested == "nccl") return "nccl";
  return torch::cuda::is_available() ? "nccl" : "gloo";
#else
  if (requested == "nccl")
    throw US_ERROR("distribution.backend nccl: this build of LibTorch has no NCCL (no CUDA)")
        .key("distribution.backend")
        .hint("use gloo (CPU), or build with the gpu preset against a CUDA LibTorch");
  return "gloo";
#endif
}

}  // namespace

struct Communicator::Group {
  virtual ~Group() = default;
  virtual void allreduce(std::vector<at::Tensor>& tensors) = 0;
  virtual void allgather(std::vector<std::vector<at::Tensor>>& out, std::vector<at::Tensor>& in) = 0;
  virtual void broadcast(std::vector<at::Tensor>& tensors, int root) = 0;
  virtual void gather(std::vector<std::vector<at::Tensor>>& out, std::vector<at::Tensor>& in, int root) = 0;
  virtual void barrier() = 0;
};

template <class PG>
struct Communicator::GroupOf final : Communicator::Group {
  explicit GroupOf(c10::intrusive_ptr<PG> pg) : group(std::move(pg)) {}
  void allreduce(std::vector<at::Tensor>& tensors) override { group->allreduce(tensors)->wait(); }
  void allgather(std::vector<std::vector<at::Tensor>>& out, std::vector<at::Tensor>& in) override {
    group->allgather(out, in)->wait();
  }
  void broadcast(std::vector<at::Tensor>& tensors, int root) override {
    c10d::BroadcastOptions opts;
    opts.rootRank = root;
    group->broadcast(tensors, opts)->wait();
  }
  void gather(std::vector<std::vector<at::Tensor>>& out, std::vector<at::Tensor>& in, int root) override {
    c10d::GatherOptions opts;
    opts.rootRank = root;
    group->gather(out, in, opts)->wait();
  }
  void barrier() override { group->barrier()->wait(); }
  c10::intrusive_ptr<PG> group;
};

namespace {

// The wchar line of a /proc io file: bytes written by write(2) and its kin.
std::int64_t bytesWrittenFrom(const char* path) {
  std::FILE* f = std::fopen(path, "r");
  if (!f) return -1;
  char key[64];
  long long value = 0;
  std::int64_t written = -1;
  while (std::fscanf(f, "%63s %lld", key, &value) == 2)
    if (std::strcmp(key, "wchar:") == 0) written = value;
  std::fclose(f);
  return written;
}

// Bytes the calling thread has written so far; -1 if unreadable.
std::int64_t threadBytesWritten() { return bytesWrittenFrom("/proc/thread-self/io"); }

}  // namespace

std::int64_t processBytesWritten() { return bytesWrittenFrom("/proc/self/io"); }

std::shared_ptr<Communicator> Communicator::connect(const DistEnvironment& env, const CommunicatorOptions& options) {
  std::shared_ptr<Communicator> c(new Communicator());
  c->m_rank = env.rank;
  c->m_size = env.worldSize;
  c->m_timeoutSeconds = options.timeoutSeconds;
  c->m_backend = resolveBackend(options.backend);
  const std::string where = fmt::format("{}:{}", env.masterAddr, env.masterPort);
  try {
    c10d::TCPStoreOptions so;
    so.port = static_cast<std::uint16_t>(env.masterPort);
    so.isServer = env.rank == 0;
    so.numWorkers = static_cast<std::size_t>(env.worldSize);
    so.waitWorkers = true;
    so.timeout = millis(options.connectTimeoutSeconds);
    c->m_store = c10::make_intrusive<c10d::TCPStore>(env.masterAddr, so);
  } catch (const std::exception& e) {
    throw US_ERROR(fmt::format("rank {} of {}: the rendezvous at {} failed: {}", env.rank, env.worldSize, where,
                               firstLine(e.what())))
        .hint(env.rank == 0 ? "is the port free, and did every rank start within distribution.connect_timeout_s?"
                            : "is rank 0 running and MASTER_ADDR/MASTER_PORT reachable from here?");
  }
  try {
#ifdef USE_C10D_NCCL
    if (c->m_backend == "nccl") {
      auto opts = c10d::ProcessGroupNCCL::Options::create();
      opts->timeout = millis(options.timeoutSeconds);
      c->m_group = std::make_unique<GroupOf<c10d::ProcessGroupNCCL>>(
          c10::make_intrusive<c10d::ProcessGroupNCCL>(c->m_store, env.rank, env.worldSize, opts));
    }
#endif
    if (c->m_backend == "gloo") {
      auto opts = c10d::ProcessGroupGloo::Options::create(millis(options.timeoutSeconds));
      // Gloo's sockets bind to this machine's address on the route to
      // MASTER_ADDR (loopback for local jobs; on a node, its address facing
      // rank 0's machine): MASTER_ADDR itself is not an address of a node.
      const std::string local = localAddressTowards(env.masterAddr, env.masterPort);
      opts->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname(local.empty() ? env.masterAddr : local));
      c->m_group = std::make_unique<GroupOf<c10d::ProcessGroupGloo>>(
          c10::make_intrusive<c10d::ProcessGroupGloo>(c->m_store, env.rank, env.worldSize, opts));
    }
  } catch (const std::exception& e) {
    throw US_ERROR(fmt::format("rank {} of {}: could not connect the {} process group via {}: {}", env.rank,
                               env.worldSize, c->m_backend, where, firstLine(e.what())))
        .hint("every rank must reach every other; check distribution.connect_timeout_s and the network");
  }
  log::debug("rank {} of {} connected ({} via {})", env.rank, env.worldSize, c->m_backend, where);
  return c;
}

Communicator::~Communicator() = default;

void Communicator::run(const char* what, double bytesReceived, const std::function<void()>& collective) {
  const std::int64_t before = processBytesWritten(), callerBefore = threadBytesWritten();
  const auto start = Clock::now();
  try {
    collective();
  } catch (const std::exception& e) {
    throw US_ERROR(fmt::format("rank {} of {}: {} failed: {}", m_rank, m_size, what, firstLine(e.what())))
        .hint(fmt::format("another rank died or stalled (distribution.timeout_s = {:g} s); the launcher names it, "
                          "and that rank's log says why",
                          m_timeoutSeconds));
  }
  m_tally.seconds += std::chrono::duration<double>(Clock::now() - start).count();
  const std::int64_t after = processBytesWritten(), callerAfter = threadBytesWritten();
  // Gloo writes to its sockets from its own threads while this one waits;
  // what this thread wrote meanwhile is not on the wire (under UBSan, the
  // vptr check's memory probes: 16-byte writes into a pipe on a type's first
  // use), so it is taken out.
  std::int64_t sent = after - before;
  if (callerBefore >= 0 && callerAfter >= callerBefore) sent -= callerAfter - callerBefore;
  if (before >= 0 && sent >= 0) m_tally.bytesSent += static_cast<double>(sent);
  m_tally.bytesReceived += bytesReceived;
  ++m_tally.collectives;
}

void Communicator::allreduceSum(torch::Tensor& tensor) {
  // Ring allreduce: each rank receives 2 (N-1)/N of the tensor.
  const double bytes = 2.0 * static_cast<double>(tensor.nbytes()) * (m_size - 1) / m_size;
  run("allreduce", bytes, [&] {
    std::vector<torch::Tensor> list{tensor};
    m_group->allreduce(list);
  });
}

std::vector<torch::Tensor> Communicator::allgather(const torch::Tensor& tensor) {
  std::vector<std::vector<torch::Tensor>> out(1);
  for (int r = 0; r < m_size; ++r) out[0].push_back(torch::empty_like(tensor));
  std::vector<torch::Tensor> in{tensor.contiguous()};
  run("allgather", static_cast<double>(tensor.nbytes()) * (m_size - 1), [&] { m_group->allgather(out, in); });
  return out[0];
}

std::vector<torch::Tensor> Communicator::allgatherVariable(const torch::Tensor& tensor) {
  TORCH_CHECK(tensor.dim() == 1, "allgatherVariable takes a 1-D tensor");
  const auto lengths = allgather(torch::tensor({tensor.size(0)}, torch::kInt64));
  std::int64_t longest = 0;
  for (const auto& l : lengths) longest = std::max(longest, l.item<std::int64_t>());
  torch::Tensor padded = torch::zeros({longest}, tensor.options());
  if (tensor.size(0) > 0) padded.narrow(0, 0, tensor.size(0)).copy_(tensor);
  auto gathered = longest > 0 ? allgather(padded) : std::vector<torch::Tensor>(m_size, padded);
  for (int r = 0; r < m_size; ++r) gathered[r] = gathered[r].narrow(0, 0, lengths[r].item<std::int64_t>());
  return gathered;
}

void Communicator::broadcast(torch::Tensor& tensor, int root) {
  run("broadcast", m_rank == root ? 0.0 : static_cast<double>(tensor.nbytes()), [&] {
    std::vector<torch::Tensor> list{tensor};
    m_group->broadcast(list, root);
  });
}

std::vector<torch::Tensor> Communicator::gather(const torch::Tensor& tensor, int root) {
  std::vector<std::vector<torch::Tensor>> out;
  if (m_rank == root) {
    out.resize(1);
    for (int r = 0; r < m_size; ++r) out[0].push_back(torch::empty_like(tensor));
  }
  std::vector<torch::Tensor> in{tensor.contiguous()};
  run("gather", m_rank == root ? static_cast<double>(tensor.nbytes()) * (m_size - 1) : 0.0, [&] {
    m_group->gather(out, in, root);
  });
  return m_rank == root ? out[0] : std::vector<torch::Tensor>{};
}

void Communicator::barrier() {
  run("barrier", 0.0, [&] { m_group->barrier(); });
}

CommTally Communicator::takeTally() {
  CommTally t = m_tally;
  m_tally = {};
  return t;
}

}  // namespace understudy::dist
