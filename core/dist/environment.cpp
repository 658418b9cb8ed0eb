#include "core/dist/environment.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <limits>

#include "core/util/error.h"

namespace understudy::dist {

namespace {

using Lookup = std::function<const char*(const char*)>;

const char* lookup(const Lookup& getenv, const char* name) { return getenv ? getenv(name) : std::getenv(name); }

int parseInt(const char* name, const char* value, long lowest, long highest) {
  char* end = nullptr;
  errno = 0;
  const long v = std::strtol(value, &end, 10);
  if (errno != 0 || end == value || *end != '\0' || v < lowest || v > highest)
    throw US_ERROR(fmt::format("environment variable {}='{}' is not a whole number in {}..{}", name, value, lowest,
                               highest))
        .hint("a launcher (understudy-cli train --workers, torchrun, srun) sets it; check the job script");
  return static_cast<int>(v);
}

int required(const Lookup& getenv, const char* name, long lowest, long highest, const char* missingHint) {
  const char* v = lookup(getenv, name);
  if (!v || !*v) throw US_ERROR(fmt::format("environment variable {} is not set", name)).hint(missingHint);
  return parseInt(name, v, lowest, highest);
}

}  // namespace

DistEnvironment readDistEnvironment(const Lookup& getenv) {
  constexpr const char* kHint =
      "run ranks through understudy-cli train --workers N, torchrun or srun, which set MASTER_ADDR, MASTER_PORT, "
      "RANK, WORLD_SIZE and LOCAL_RANK";
  DistEnvironment env;
  const char* addr = lookup(getenv, "MASTER_ADDR");
  if (!addr || !*addr) throw US_ERROR("environment variable MASTER_ADDR is not set").hint(kHint);
  env.masterAddr = addr;
  env.masterPort = required(getenv, "MASTER_PORT", 1, 65535, kHint);
  const char* rank = lookup(getenv, "RANK");
  const char* size = lookup(getenv, "WORLD_SIZE");
  if ((rank && *rank) || (size && *size)) {
    env.source = "torchrun";
    env.worldSize = required(getenv, "WORLD_SIZE", 1, 1 << 20, kHint);
    env.rank = required(getenv, "RANK", 0, env.worldSize - 1, kHint);
    const char* local = lookup(getenv, "LOCAL_RANK");
    env.localRank = local && *local ? parseInt("LOCAL_RANK", local, 0, env.worldSize - 1) : 0;
  } else {
    const char* procid = lookup(getenv, "SLURM_PROCID");
    if (!procid || !*procid)
      throw US_ERROR("neither RANK and WORLD_SIZE nor SLURM_PROCID and SLURM_NTASKS are set").hint(kHint);
    env.source = "slurm";
    env.worldSize = required(getenv, "SLURM_NTASKS", 1, 1 << 20, kHint);
    env.rank = parseInt("SLURM_PROCID", procid, 0, env.worldSize - 1);
    const char* local = lookup(getenv, "SLURM_LOCALID");
    env.localRank = local && *local ? parseInt("SLURM_LOCALID", local, 0, env.worldSize - 1) : 0;
  }
  return env;
}

std::string localAddressTowards(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port > 0 ? port : 9);
  if (::getaddrinfo(host.c_str(), service.c_str(), &hints, &found) != 0 || !found) return {};
  std::string local;
  for (addrinfo* a = found; a && local.empty(); a = a->ai_next) {
    const int fd = ::socket(a->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) continue;
    sockaddr_storage self{};
    socklen_t length = sizeof self;
    char text[INET6_ADDRSTRLEN] = {};
    if (::connect(fd, a->ai_addr, a->ai_addrlen) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&self), &length) == 0) {
      const void* where = self.ss_family == AF_INET6
                              ? static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(&self)->sin6_addr)
                              : static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(&self)->sin_addr);
      if (::inet_ntop(self.ss_family, where, text, sizeof text)) local = text;
    }
    ::close(fd);
  }
  ::freeaddrinfo(found);
  return local;
}

std::vector<std::pair<std::string, std::string>> torchrunVariables(const DistEnvironment& env) {
  return {{"MASTER_ADDR", env.masterAddr},
          {"MASTER_PORT", std::to_string(env.masterPort)},
          {"RANK", std::to_string(env.rank)},
          {"WORLD_SIZE", std::to_string(env.worldSize)},
          {"LOCAL_RANK", std::to_string(env.localRank)}};
}

}  // namespace understudy::dist
