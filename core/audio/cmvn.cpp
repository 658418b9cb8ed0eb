#include "core/audio/cmvn.h"

#include <fmt/format.h>

#include <cmath>
#include <sstream>

#include "core/util/atomic_file.h"
#include "core/util/error.h"
#include "core/util/yaml_config.h"

namespace understudy {

namespace {
constexpr const char* kMagic = "understudy-cmvn";
constexpr int kVersion = 1;
}  // namespace

void CmvnOptions::validate() const {
  if (!(varianceFloor > 0.0) || !std::isfinite(varianceFloor))
    throw US_ERROR(fmt::format("cmvn.variance_floor = {} is out of range: > 0", varianceFloor))
        .key("variance_floor");
  if (normVars && !normMeans)
    throw US_ERROR("cmvn.norm_vars = true needs norm_means = true (as Kaldi's apply-cmvn)").key("norm_vars");
}

std::string CmvnOptions::toYaml(const std::string& in) const {
  return fmt::format("{0}norm_means: {1}\n{0}norm_vars: {2}\n{0}variance_floor: {3}\n", in,
                     normMeans ? "true" : "false", normVars ? "true" : "false", varianceFloor);
}

CmvnOptions CmvnOptions::fromYaml(YamlSection& s) {
  CmvnOptions o;
  s.read("norm_means", o.normMeans);
  s.read("norm_vars", o.normVars);
  s.read("variance_floor", o.varianceFloor);
  s.finish();
  s.validate([&] { o.validate(); });
  return o;
}

CmvnStats::CmvnStats(int dim) : m_dim(dim), m_sum(static_cast<size_t>(dim)), m_sumSquares(static_cast<size_t>(dim)) {
  if (dim <= 0) throw US_ERROR("CMVN: feature dimension " + std::to_string(dim) + " must be positive");
}

void CmvnStats::accumulate(const float* frames, std::int64_t numFrames, int dim) {
  if (m_dim == 0) *this = CmvnStats(dim);
  if (dim != m_dim)
    throw US_ERROR("CMVN: frames of dimension " + std::to_string(dim) + " added to statistics of dimension " +
                   std::to_string(m_dim));
  double* sum = m_sum.data();
  double* sq = m_sumSquares.data();
  for (std::int64_t t = 0; t < numFrames; ++t) {
    const float* row = frames + t * dim;
    for (int i = 0; i < dim; ++i) {
      const double v = row[i];
      sum[i] += v;
      sq[i] += v * v;
    }
  }
  m_count += static_cast<double>(numFrames);
}

void CmvnStats::merge(const CmvnStats& other) {
  if (other.m_dim == 0) return;
  if (m_dim == 0) {
    *this = other;
    return;
  }
  if (other.m_dim != m_dim)
    throw US_ERROR("CMVN: cannot merge statistics of dimension " + std::to_string(other.m_dim) + " into " +
                   std::to_string(m_dim));
  for (int i = 0; i < m_dim; ++i) {
    m_sum[static_cast<size_t>(i)] += other.m_sum[static_cast<size_t>(i)];
    m_sumSquares[static_cast<size_t>(i)] += other.m_sumSquares[static_cast<size_t>(i)];
  }
  m_count += other.m_count;
}

std::vector<double> CmvnStats::mean() const {
  std::vector<double> m(static_cast<size_t>(m_dim), 0.0);
  if (m_count > 0)
    for (size_t i = 0; i < m.size(); ++i) m[i] = m_sum[i] / m_count;
  return m;
}

std::vector<double> CmvnStats::variance() const {
  std::vector<double> v(static_cast<size_t>(m_dim), 0.0);
  if (m_count > 0)
    for (size_t i = 0; i < v.size(); ++i) {
      const double mu = m_sum[i] / m_count;
      v[i] = std::max(0.0, m_sumSquares[i] / m_count - mu * mu);
    }
  return v;
}

void CmvnStats::apply(float* frames, std::int64_t numFrames, int dim, const CmvnOptions& options) const {
  options.validate();
  if (m_count <= 0) throw US_ERROR("CMVN: no frames accumulated; cannot normalise").hint("compute CMVN stats first");
  if (dim != m_dim)
    throw US_ERROR("CMVN: statistics of dimension " + std::to_string(m_dim) + " applied to features of dimension " +
                   std::to_string(dim));
  const std::vector<double> mu = mean();
  const std::vector<double> var = variance();
  // y = (x - offset) * scale, per dimension.
  std::vector<float> offset(static_cast<size_t>(dim), 0.0f);
  std::vector<float> scale(static_cast<size_t>(dim), 1.0f);
  for (size_t i = 0; i < offset.size(); ++i) {
    if (options.normMeans) offset[i] = static_cast<float>(mu[i]);
    if (options.normVars)
      scale[i] = static_cast<float>(1.0 / std::sqrt(std::max(var[i], options.varianceFloor)));
  }
  for (std::int64_t t = 0; t < numFrames; ++t) {
    float* row = frames + t * dim;
    for (int i = 0; i < dim; ++i) row[i] = (row[i] - offset[static_cast<size_t>(i)]) * scale[static_cast<size_t>(i)];
  }
}

void CmvnStats::save(const std::string& path) const {
  std::string out = fmt::format("{} {}\ndim {}\ncount {:.17g}\nsum", kMagic, kVersion, m_dim, m_count);
  for (double v : m_sum) out += fmt::format(" {:.17g}", v);
  out += "\nsum_squares";
  for (double v : m_sumSquares) out += fmt::format(" {:.17g}", v);
  out += "\n";
  writeFileAtomically(path, out);
}

CmvnStats CmvnStats::load(const std::string& path) {
  std::string text;
  try {
    text = readFile(path);
  } catch (const Error& e) {
    throw US_ERROR("cannot read CMVN statistics: " + e.what_()).file(path);
  }
  std::istringstream in(text);
  std::string line;
  long lineNo = 0;
  auto next = [&](const std::string& expectKey) {
    if (!std::getline(in, line))
      throw US_ERROR("CMVN file ends early; expected '" + expectKey + "'").file(path).line(lineNo + 1);
    ++lineNo;
    std::istringstream ls(line);
    std::string key;
    ls >> key;
    if (key != expectKey)
      throw US_ERROR("expected '" + expectKey + "', found '" + key + "'").file(path).line(lineNo);
    return ls.str().substr(std::min(line.size(), key.size()));
  };
  {
    std::istringstream ls(next(kMagic));
    int version = 0;
    if (!(ls >> version) || version != kVersion)
      throw US_ERROR("unsupported CMVN file version (expected " + std::to_string(kVersion) + ")").file(path).line(lineNo);
  }
  int dim = 0;
  {
    std::istringstream ls(next("dim"));
    if (!(ls >> dim) || dim <= 0) throw US_ERROR("bad CMVN dimension").file(path).line(lineNo);
  }
  CmvnStats s(dim);
  {
    std::istringstream ls(next("count"));
    if (!(ls >> s.m_count) || s.m_count < 0) throw US_ERROR("bad CMVN frame count").file(path).line(lineNo);
  }
  for (auto* vec : {&s.m_sum, &s.m_sumSquares}) {
    std::istringstream ls(next(vec == &s.m_sum ? "sum" : "sum_squares"));
    for (double& v : *vec)
      if (!(ls >> v) || !std::isfinite(v))
        throw US_ERROR("expected " + std::to_string(dim) + " finite numbers").file(path).line(lineNo);
    std::string extra;
    if (ls >> extra) throw US_ERROR("more than " + std::to_string(dim) + " numbers").file(path).line(lineNo);
  }
  return s;
}

}  // namespace understudy
