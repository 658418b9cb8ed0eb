// A rank's connection to the others: c10d's TCPStore for the rendezvous and a
// ProcessGroupGloo (CPU tensors) or, when LibTorch was built with CUDA and
// NCCL, a ProcessGroupNCCL (CUDA tensors). Every collective is timed and its
// bytes counted, and a failure (a peer died, or stalled past the timeout)
// becomes an understudy::Error naming this rank and the collective.
//
//   auto comm = Communicator::connect(readDistEnvironment(), {timeout, connectTimeout});
//   comm->allreduceSum(flatGradients);        // in place, on every rank
//   CommTally t = comm->takeTally();          // bytes and seconds since the last take
//
// Bytes sent are measured, not computed: the kernel's count of bytes this
// process wrote (/proc/self/io wchar, which Gloo's TCP transport goes
// through) before and after each collective, less what the calling thread
// itself wrote meanwhile (Gloo sends from its own threads). Bytes received
// are the collective's own arithmetic (docs/distributed.md "Bytes on the wire").
#pragma once

#include <torch/torch.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/dist/environment.h"

namespace c10d {
class Store;
}  // namespace c10d

namespace understudy::dist {

struct CommunicatorOptions {
  std::string backend = "auto";         // auto | gloo | nccl
  double timeoutSeconds = 120.0;        // per collective
  double connectTimeoutSeconds = 120.0; // rendezvous: every rank has joined
};

// What the collectives since the last takeTally() cost this rank.
struct CommTally {
  double bytesSent = 0.0;
  double bytesReceived = 0.0;
  double seconds = 0.0;
  int collectives = 0;
};

class Communicator {
 public:
  // Joins the job (rank 0 hosts the TCPStore). Throws naming the address and
  // the timeout when the others do not come.
  static std::shared_ptr<Communicator> connect(const DistEnvironment& env, const CommunicatorOptions& options);
  ~Communicator();

  int rank() const { return m_rank; }
  int size() const { return m_size; }
  const std::string& backend() const { return m_backend; }
  double timeoutSeconds() const { return m_timeoutSeconds; }

  // Sum over ranks, in place (a contiguous tensor).
  void allreduceSum(torch::Tensor& tensor);
  // Every rank's tensor (equal shapes on every rank), in rank order.
  std::vector<torch::Tensor> allgather(const torch::Tensor& tensor);
  // Every rank's 1-D tensor, whatever its length: the lengths are gathered
  // first, each tensor padded to the longest, gathered, and cut back.
  std::vector<torch::Tensor> allgatherVariable(const torch::Tensor& tensor);
  // Rank `root`'s tensor into every rank's (in place).
  void broadcast(torch::Tensor& tensor, int root = 0);
  // Every rank's tensor (equal shapes) at `root`, in rank order; empty elsewhere.
  std::vector<torch::Tensor> gather(const torch::Tensor& tensor, int root = 0);
  void barrier();

  CommTally takeTally();

 private:
  Communicator() = default;
  // The process group behind a small interface of our own: in LibTorch 1.13
  // ProcessGroupGloo/NCCL derive from c10d::ProcessGroup, in 2.x from
  // c10d::Backend; the same calls compile against both (communicator.cpp).
  struct Group;
  template <class PG>
  struct GroupOf;
  // Runs one collective: times it, counts its bytes, turns failures into errors.
  void run(const char* what, double bytesReceived, const std::function<void()>& collective);

  c10::intrusive_ptr<c10d::Store> m_store;
  std::unique_ptr<Group> m_group;
  int m_rank = 0;
  int m_size = 1;
  std::string m_backend;
  double m_timeoutSeconds = 0.0;
  CommTally m_tally;
};

// Bytes this process has written so far (/proc/self/io wchar); -1 if unreadable.
std::int64_t processBytesWritten();

}  // namespace understudy::dist
