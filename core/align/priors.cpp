#include "core/align/priors.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <numeric>

#include "core/util/atomic_file.h"
#include "core/util/error.h"

namespace understudy {

UnitPriors::UnitPriors(int numUnits) {
  if (numUnits < 0) throw US_ERROR("priors need a non-negative number of units");
  m_counts.assign(static_cast<std::size_t>(numUnits), 0);
  recompute();
}

UnitPriors UnitPriors::fromCounts(std::vector<std::int64_t> counts) {
  for (std::size_t i = 0; i < counts.size(); ++i) {
    if (counts[i] < 0)
      throw US_ERROR("unit " + std::to_string(i) + " has a negative count " +
                     std::to_string(counts[i]));
  }
  UnitPriors priors;
  priors.m_counts = std::move(counts);
  priors.recompute();
  return priors;
}

void UnitPriors::accumulate(const std::vector<std::int32_t>& targets) {
  for (const std::int32_t t : targets) {
    if (t < 0 || t >= numUnits()) {
      throw US_ERROR("target unit " + std::to_string(t) + " is outside the inventory (0.." +
                     std::to_string(numUnits() - 1) + ")");
    }
    ++m_counts[static_cast<std::size_t>(t)];
  }
  recompute();
}

void UnitPriors::recompute() {
  m_total = std::accumulate(m_counts.begin(), m_counts.end(), std::int64_t{0});
  const double denominator = static_cast<double>(m_total) + static_cast<double>(m_counts.size());
  m_probs.resize(m_counts.size());
  for (std::size_t i = 0; i < m_counts.size(); ++i)
    m_probs[i] = (static_cast<double>(m_counts[i]) + 1.0) / denominator;
}

std::vector<double> UnitPriors::logPriors() const {
  std::vector<double> out(m_probs.size());
  for (std::size_t i = 0; i < m_probs.size(); ++i) out[i] = std::log(m_probs[i]);
  return out;
}

void UnitPriors::save(const std::filesystem::path& path) const {
  writeFileAtomically(path, formatKaldiTextVector(m_probs));
}

void UnitPriors::saveCounts(const std::filesystem::path& path) const {
  writeFileAtomically(path, formatKaldiTextVector(std::vector<double>(m_counts.begin(),
                                                                      m_counts.end())));
}

UnitPriors UnitPriors::load(const std::filesystem::path& path) {
  if (!std::filesystem::exists(path)) throw US_ERROR("priors file not found").file(path.string());
  const auto values = parseKaldiTextVector(readFile(path), path.string());
  if (values.empty()) throw US_ERROR("priors file holds an empty vector").file(path.string());
  double sum = 0.0;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!(values[i] > 0.0)) {
      throw US_ERROR("prior of unit " + std::to_string(i) + " is " + std::to_string(values[i]) +
                     ", not positive")
          .file(path.string());
    }
    sum += values[i];
  }
  if (std::fabs(sum - 1.0) > 1e-4) {
    throw US_ERROR("priors sum to " + std::to_string(sum) + ", not 1")
        .file(path.string())
        .hint("is this a counts file? priors.txt holds probabilities");
  }
  UnitPriors priors;
  priors.m_probs = values;
  priors.m_counts.clear();
  priors.m_total = 0;
  return priors;
}

std::string formatKaldiTextVector(const std::vector<double>& values) {
  std::string out = " [ ";
  char buf[40];
  for (const double v : values) {
    std::snprintf(buf, sizeof buf, "%.10g ", v);
    out += buf;
  }
  out += "]\n";
  return out;
}

std::vector<double> parseKaldiTextVector(std::string_view text, const std::string& sourceName) {
  const auto open = text.find('[');
  const auto close = text.rfind(']');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) {
    throw US_ERROR("not a Kaldi text vector (expected '[ v0 v1 ... ]')").file(sourceName);
  }
  for (std::size_t i = close + 1; i < text.size(); ++i) {
    if (!std::isspace(static_cast<unsigned char>(text[i])))
      throw US_ERROR("unexpected text after ']'").file(sourceName);
  }
  const std::string body(text.substr(open + 1, close - open - 1));
  std::vector<double> values;
  const char* p = body.c_str();
  while (true) {
    while (*p && std::isspace(static_cast<unsigned char>(*p))) ++p;
    if (!*p) break;
    char* end = nullptr;
    const double v = std::strtod(p, &end);
    if (end == p) {
      throw US_ERROR("value " + std::to_string(values.size()) + " is not a number: '" +
                     std::string(p, std::min<std::size_t>(std::strlen(p), 20)) + "'")
          .file(sourceName);
    }
    values.push_back(v);
    p = end;
  }
  return values;
}

}  // namespace understudy
