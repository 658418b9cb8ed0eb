// dist_rank: one rank of a distributed test scenario (rank_scenarios.h).
#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/dist/environment.h"
#include "core/util/error.h"
#include "tests/core/dist/rank_scenarios.h"

using namespace understudy;

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: dist_rank SCENARIO OUTDIR [key=value ...]\n");
    return 2;
  }
  try {
    disttest::ScenarioArgs args;
    args.outdir = argv[2];
    for (int i = 3; i < argc; ++i) {
      const std::string kv = argv[i];
      const auto eq = kv.find('=');
      if (eq == std::string::npos) throw US_ERROR("argument '" + kv + "' is not key=value");
      args.values[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    const auto it = disttest::scenarios().find(argv[1]);
    if (it == disttest::scenarios().end()) throw US_ERROR(std::string("no scenario '") + argv[1] + "'");
    if (std::getenv("WORLD_SIZE")) {
      dist::CommunicatorOptions options;
      options.timeoutSeconds = args.number("timeout_s", 30);
      options.connectTimeoutSeconds = args.number("connect_timeout_s", 60);
      args.comm = dist::Communicator::connect(dist::readDistEnvironment(), options);
    }
    it->second(args);
    return 0;
  } catch (const Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
