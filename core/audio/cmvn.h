// Cepstral mean and variance normalisation (CMVN) statistics for feature
// matrices (frames × dim, row-major floats), accumulated in double precision.
//
//   CmvnStats stats;                       // global CMVN over a training set
//   for (auto& utt : utterances) stats.accumulate(utt.feats.data(), utt.frames, 64);
//   stats.save(ws.subdir("features") / "cmvn.txt");     // atomic
//   CmvnStats s = CmvnStats::load(path);
//   s.apply(feats.data(), frames, 64);     // (x - mean) / stddev, in place
//
// Stats from several workers combine with merge(); the result is the same as
// accumulating everything in one place.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace understudy {

class YamlSection;

struct CmvnOptions {
  bool normMeans = true;        // norm_means: subtract the mean
  bool normVars = true;         // norm_vars: divide by the standard deviation (Kaldi's default: false)
  double varianceFloor = 1e-10; // variance_floor: variances below this are raised to it

  void validate() const;
  std::string toYaml(const std::string& indent = "") const;
  static CmvnOptions fromYaml(YamlSection& s);
};

class CmvnStats {
 public:
  CmvnStats() = default;
  explicit CmvnStats(int dim);

  int dim() const { return m_dim; }
  double count() const { return m_count; }  // frames accumulated
  bool empty() const { return m_count == 0.0; }

  // Adds `numFrames` rows of `dim` values. The first call on a default-
  // constructed object fixes the dimension; later calls must match it.
  void accumulate(const float* frames, std::int64_t numFrames, int dim);
  void merge(const CmvnStats& other);

  std::vector<double> mean() const;
  std::vector<double> variance() const;  // population variance, E[x²] − mean², ≥ 0

  // Normalises rows in place as `options` says. Throws if no frames were accumulated
  // or `dim` differs.
  void apply(float* frames, std::int64_t numFrames, int dim, const CmvnOptions& options = {}) const;

  // Small text file ("understudy-cmvn 1", dim, count, sums, sums of squares at
  // full double precision), written atomically.
  void save(const std::string& path) const;
  static CmvnStats load(const std::string& path);

 private:
  int m_dim = 0;
  double m_count = 0.0;
  std::vector<double> m_sum;
  std::vector<double> m_sumSquares;
};

}  // namespace understudy
