#include "core/store/condition_groups.h"

#include <algorithm>
#include <cstdlib>
#include <nlohmann/json.hpp>

namespace understudy {

std::vector<std::string> conditionGroups(const std::string& metadataJson) {
  std::vector<std::string> groups;
  const auto m = nlohmann::json::parse(metadataJson, nullptr, false);
  if (!m.is_object() || !m.contains("noise") || !m["noise"].is_string()) return groups;
  const std::string noise = m["noise"].get<std::string>();
  if (noise == "none") {
    groups.push_back("clean");
  } else {
    groups.push_back("noise/" + noise);
    if (m.contains("snr_db") && m["snr_db"].is_number()) {
      const double snr = m["snr_db"].get<double>();
      groups.push_back(snr < 5.0    ? "snr/0-5"
                       : snr < 10.0 ? "snr/5-10"
                       : snr < 20.0 ? "snr/10-20"
                                    : "snr/20+");
    }
  }
  if (m.contains("voice") && m["voice"].is_string())
    groups.push_back("voice/" + m["voice"].get<std::string>());
  return groups;
}

namespace {

int rank(const std::string& g) {
  return g == "clean" ? 0 : g.rfind("noise/", 0) == 0 ? 1 : g.rfind("snr/", 0) == 0 ? 2 : 3;
}

// "snr/10-20" -> 10, "snr/20+" -> 20.
double snrLow(const std::string& g) { return std::atof(g.c_str() + 4); }

}  // namespace

bool conditionGroupBefore(const std::string& a, const std::string& b) {
  const int ra = rank(a), rb = rank(b);
  if (ra != rb) return ra < rb;
  if (ra == 2) {
    const double la = snrLow(a), lb = snrLow(b);
    if (la != lb) return la < lb;
  }
  return a < b;
}

void sortConditionGroups(std::vector<std::string>& groups) {
  std::sort(groups.begin(), groups.end(), conditionGroupBefore);
}

}  // namespace understudy
