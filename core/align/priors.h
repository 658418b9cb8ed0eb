// Unit priors p(s) for hybrid decoding (docs/alignments.md "Priors"):
// unit frequencies over the labeled 30 ms targets, add-one smoothed,
//   p(s) = (count(s) + 1) / (N + S)   (N target frames, S units),
// so no unit has prior 0 and log p(s) is finite. A decoder turns posteriors
// into scaled likelihoods with log q(s|x) - log p(s).
//
//   UnitPriors priors(units.size());
//   priors.accumulate(targets);            // per utterance
//   priors.save(dir / "priors.txt");       // Kaldi text vector of p(s)
//   priors.saveCounts(dir / "counts.txt"); // Kaldi text vector of raw counts
//   auto logp = UnitPriors::load(dir / "priors.txt").logPriors();
//
// Both files are Kaldi text vectors (" [ v0 v1 ... ]\n", as copy-vector
// --binary=false writes), readable by Kaldi, numpy and us.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace understudy {

class UnitPriors {
 public:
  explicit UnitPriors(int numUnits = 0);
  // From raw per-unit frame counts.
  static UnitPriors fromCounts(std::vector<std::int64_t> counts);

  // Counts every target; ids outside 0..numUnits-1 are an Error.
  void accumulate(const std::vector<std::int32_t>& targets);

  int numUnits() const { return static_cast<int>(m_probs.size()); }
  std::int64_t totalFrames() const { return m_total; }
  // Empty after load(): a priors file holds probabilities only.
  const std::vector<std::int64_t>& counts() const { return m_counts; }
  // Add-one smoothed probabilities; they sum to 1.
  const std::vector<double>& probabilities() const { return m_probs; }
  std::vector<double> logPriors() const;

  void save(const std::filesystem::path& path) const;        // probabilities
  void saveCounts(const std::filesystem::path& path) const;  // raw counts
  // Reads a priors file (probabilities); they must be positive and sum to 1 ± 1e-4.
  static UnitPriors load(const std::filesystem::path& path);

 private:
  void recompute();

  std::vector<std::int64_t> m_counts;
  std::vector<double> m_probs;
  std::int64_t m_total = 0;
};

// Kaldi text vector: " [ 1 2 3 ]\n". parse: `sourceName` names the file in errors.
std::string formatKaldiTextVector(const std::vector<double>& values);
std::vector<double> parseKaldiTextVector(std::string_view text, const std::string& sourceName);

}  // namespace understudy
