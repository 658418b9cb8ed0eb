// Where a rank finds its place in a job: torchrun's environment (MASTER_ADDR,
// MASTER_PORT, RANK, WORLD_SIZE, LOCAL_RANK), or Slurm's (SLURM_PROCID,
// SLURM_NTASKS, SLURM_LOCALID) where RANK and WORLD_SIZE are absent. The
// rendezvous address always comes from MASTER_ADDR and MASTER_PORT, as under
// torchrun (docs/distributed.md "Launching ranks").
//
//   DistEnvironment env = readDistEnvironment();  // throws naming the missing variable
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace understudy::dist {

struct DistEnvironment {
  std::string masterAddr;
  int masterPort = 0;
  int rank = 0;
  int worldSize = 1;
  int localRank = 0;
  std::string source;  // "torchrun" or "slurm": which variables gave rank and size
};

// Reads the job from `getenv` (the process environment by default). Throws
// understudy::Error naming the variable that is missing or malformed.
DistEnvironment readDistEnvironment(const std::function<const char*(const char*)>& getenv = nullptr);

// This machine's address on the route to `host` (e.g. MASTER_ADDR): the
// source address the kernel would use for a datagram to host:port (nothing
// is sent). "127.0.0.1" for 127.0.0.1, the LAN address for a peer on the LAN.
// "" when `host` does not resolve or has no route.
std::string localAddressTowards(const std::string& host, int port);

// The environment variables of rank `rank` of a job (for launchers).
std::vector<std::pair<std::string, std::string>> torchrunVariables(const DistEnvironment& env);

}  // namespace understudy::dist
