#include "core/store/soft_label_summary.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

#include "core/store/condition_groups.h"
#include "core/util/error.h"

namespace understudy {

namespace {

constexpr int kJsonVersion = 1;

double ratio(std::int64_t num, std::int64_t den) {
  return den > 0 ? static_cast<double>(num) / static_cast<double>(den) : 0.0;
}

// The histogram bin of a top-1 probability: [i/B, (i+1)/B), p = 1 in the last.
int top1Bin(double p) {
  const int bins = SoftLabelSummary::kTop1Bins;
  const int bin = static_cast<int>(std::floor(p * bins));
  return std::clamp(bin, 0, bins - 1);
}

// The histogram bin of an entropy h over [0, hMax]: [i·hMax/B, (i+1)·hMax/B),
// hMax in the last; everything in bin 0 when hMax = 0 (k = 1).
int entropyBin(double h, double hMax) {
  const int bins = SoftLabelSummary::kEntropyBins;
  if (!(hMax > 0.0)) return 0;
  const int bin = static_cast<int>(std::floor(h / hMax * bins));
  return std::clamp(bin, 0, bins - 1);
}

}  // namespace

double SoftLabelTruthTally::top1Accuracy() const { return ratio(top1Correct, frames); }

double SoftLabelTruthTally::topKRecall() const { return ratio(inTopK, frames); }

SoftLabelSummary::SoftLabelSummary(int numUnits)
    : m_unitCounts(static_cast<std::size_t>(std::max(numUnits, 0)), 0) {
  if (numUnits < 0)
    throw US_ERROR("a label summary needs numUnits >= 0 (got " + std::to_string(numUnits) + ")");
}

SoftLabelUtteranceStats SoftLabelSummary::add(const std::string& key, const SoftLabels& labels,
                                              const std::vector<std::int32_t>* truth,
                                              const std::vector<std::string>& groups) {
  const int k = labels.k;
  const std::size_t cells =
      static_cast<std::size_t>(labels.frames) * static_cast<std::size_t>(std::max(k, 0));
  if (labels.frames < 0 || k < 0 || (labels.frames > 0 && k < 1) || labels.ids.size() != cells ||
      labels.probs.size() != cells)
    throw US_ERROR("soft labels of " + std::to_string(labels.frames) + " frames × k = " +
                   std::to_string(k) + " hold " + std::to_string(labels.ids.size()) + " ids and " +
                   std::to_string(labels.probs.size()) + " probabilities")
        .utterance(key);
  for (std::size_t i = 0; i < cells; ++i)
    if (labels.ids[i] >= m_unitCounts.size())
      throw US_ERROR("unit id " + std::to_string(labels.ids[i]) + " at frame " +
                     std::to_string(i / k) + " is not below the " +
                     std::to_string(m_unitCounts.size()) + " units of the summary")
          .utterance(key)
          .hint("the store's num_units must match the model's unit inventory");
  // The entropy histogram spans [0, ln k]: one k per summary. It starts with
  // the first frames; one read from JSON that had none stays unknown.
  if (labels.frames > 0) {
    if (m_entropyHistogram.empty() && m_frames == 0) {
      m_entropyHistogram.assign(kEntropyBins, 0);
      m_entropyMax = std::log(static_cast<double>(k));
    } else if (!m_entropyHistogram.empty() && std::log(static_cast<double>(k)) != m_entropyMax) {
      throw US_ERROR("soft labels with k = " + std::to_string(k) +
                     " in a summary of labels with k = " +
                     std::to_string(std::lround(std::exp(m_entropyMax))))
          .utterance(key)
          .hint("a soft-label set keeps one k; summarise each set on its own");
    }
  }

  // Per frame: the top-1 is the largest p (the first of equals: the store
  // keeps entries by decreasing p, so that is entry 0).
  SoftLabelUtteranceStats stats;
  stats.key = key;
  stats.frames = labels.frames;
  double sumTop1 = 0.0;
  double sumEntropy = 0.0;
  std::vector<std::uint16_t> top1(static_cast<std::size_t>(labels.frames));
  for (int t = 0; t < labels.frames; ++t) {
    int best = 0;
    double entropy = 0.0;
    for (int j = 0; j < k; ++j) {
      const double p = labels.prob(t, j);
      if (p > labels.prob(t, best)) best = j;
      if (p > 0.0) entropy -= p * std::log(p);
    }
    const double p1 = labels.prob(t, best);
    top1[static_cast<std::size_t>(t)] = labels.id(t, best);
    sumTop1 += p1;
    sumEntropy += entropy;
    m_sumTop1 += p1;
    m_sumEntropy += entropy;
    ++m_top1Histogram[static_cast<std::size_t>(top1Bin(p1))];
    if (!m_entropyHistogram.empty())
      ++m_entropyHistogram[static_cast<std::size_t>(entropyBin(entropy, m_entropyMax))];
    ++m_unitCounts[labels.id(t, best)];
  }
  ++m_utterances;
  m_frames += labels.frames;
  if (labels.frames > 0) {
    stats.meanTop1 = sumTop1 / static_cast<double>(labels.frames);
    stats.meanEntropy = sumEntropy / static_cast<double>(labels.frames);
  }

  if (!truth) return stats;
  SoftLabelTruthTally u;
  u.utterances = 1;
  const int compared = static_cast<int>(
      std::min<std::size_t>(truth->size(), static_cast<std::size_t>(labels.frames)));
  for (int t = 0; t < compared; ++t) {
    const std::int32_t y = (*truth)[static_cast<std::size_t>(t)];
    ++u.frames;
    if (y == static_cast<std::int32_t>(top1[static_cast<std::size_t>(t)])) ++u.top1Correct;
    for (int j = 0; j < k; ++j)
      if (labels.prob(t, j) > 0.0f && static_cast<std::int32_t>(labels.id(t, j)) == y) {
        ++u.inTopK;
        break;
      }
  }
  stats.hasTruth = true;
  stats.truthFrames = u.frames;
  stats.truthTop1Correct = u.top1Correct;
  stats.truthInTopK = u.inTopK;
  auto addTo = [&u](SoftLabelTruthTally& into) {
    into.utterances += u.utterances;
    into.frames += u.frames;
    into.top1Correct += u.top1Correct;
    into.inTopK += u.inTopK;
  };
  addTo(m_truthAll);
  for (const auto& g : groups) {
    auto it = std::find_if(m_truthGroups.begin(), m_truthGroups.end(),
                           [&](const SoftLabelTruthTally& x) { return x.group == g; });
    if (it == m_truthGroups.end()) {
      m_truthGroups.push_back(SoftLabelTruthTally{g});
      it = m_truthGroups.end() - 1;
    }
    addTo(*it);
  }
  return stats;
}

double SoftLabelSummary::meanTop1() const {
  return m_frames > 0 ? m_sumTop1 / static_cast<double>(m_frames) : 0.0;
}

double SoftLabelSummary::meanEntropy() const {
  return m_frames > 0 ? m_sumEntropy / static_cast<double>(m_frames) : 0.0;
}

int SoftLabelSummary::unitsUsed() const {
  return static_cast<int>(std::count_if(m_unitCounts.begin(), m_unitCounts.end(),
                                        [](std::int64_t c) { return c > 0; }));
}

double SoftLabelSummary::bytesPerFrame() const {
  return m_frames > 0 ? static_cast<double>(m_storeBytes) / static_cast<double>(m_frames) : 0.0;
}

std::vector<SoftLabelTruthTally> SoftLabelSummary::truth() const {
  std::vector<SoftLabelTruthTally> out;
  if (!hasTruth()) return out;
  out.push_back(m_truthAll);
  std::vector<SoftLabelTruthTally> groups = m_truthGroups;
  std::sort(groups.begin(), groups.end(),
            [](const SoftLabelTruthTally& a, const SoftLabelTruthTally& b) {
              return conditionGroupBefore(a.group, b.group);
            });
  out.insert(out.end(), groups.begin(), groups.end());
  return out;
}

// --- JSON ---------------------------------------------------------------------

std::string SoftLabelSummary::toJson() const {
  using nlohmann::json;
  json truthRows = json::array();
  for (const auto& t : truth())
    truthRows.push_back({{"group", t.group},
                         {"utterances", t.utterances},
                         {"frames", t.frames},
                         {"top1_correct", t.top1Correct},
                         {"in_top_k", t.inTopK},
                         {"top1_accuracy", t.top1Accuracy()},
                         {"top_k_recall", t.topKRecall()}});
  const json j = {{"version", kJsonVersion},
                  {"num_units", numUnits()},
                  {"utterances", m_utterances},
                  {"frames", m_frames},
                  {"store_bytes", m_storeBytes},
                  {"bytes_per_frame", bytesPerFrame()},
                  {"mean_top1", meanTop1()},
                  {"mean_entropy", meanEntropy()},
                  {"sum_top1", m_sumTop1},
                  {"sum_entropy", m_sumEntropy},
                  {"top1_histogram", m_top1Histogram},
                  {"entropy_histogram", m_entropyHistogram},
                  {"entropy_max", m_entropyMax},
                  {"units_used", unitsUsed()},
                  {"unit_counts", m_unitCounts},
                  {"truth", truthRows}};
  return j.dump();
}

namespace {

Error malformed(const std::string& what) {
  return US_ERROR("label summary JSON: " + what)
      .hint(
          "the summary is rewritten from the store by `understudy-cli label` (run it again to "
          "resume)");
}

const nlohmann::json& field(const nlohmann::json& j, const char* name, const std::string& where) {
  const auto it = j.find(name);
  if (it == j.end()) throw malformed(where + "has no \"" + name + "\"");
  return *it;
}

std::int64_t count(const nlohmann::json& j, const char* name, const std::string& where = {}) {
  const auto& v = field(j, name, where);
  if (!v.is_number_integer() || v.get<std::int64_t>() < 0)
    throw malformed(where + "\"" + name + "\" is not a count: " + v.dump());
  return v.get<std::int64_t>();
}

double number(const nlohmann::json& j, const char* name) {
  const auto& v = field(j, name, {});
  if (!v.is_number() || !std::isfinite(v.get<double>()) || v.get<double>() < 0.0)
    throw malformed("\"" + std::string(name) + "\" is not a finite number >= 0: " + v.dump());
  return v.get<double>();
}

std::vector<std::int64_t> counts(const nlohmann::json& j, const char* name, std::size_t size) {
  const auto& v = field(j, name, {});
  if (!v.is_array() || v.size() != size)
    throw malformed("\"" + std::string(name) + "\" is not an array of " + std::to_string(size) +
                    " counts");
  std::vector<std::int64_t> out;
  out.reserve(size);
  for (const auto& c : v) {
    if (!c.is_number_integer() || c.get<std::int64_t>() < 0)
      throw malformed("\"" + std::string(name) + "\" holds " + c.dump() + ", not a count");
    out.push_back(c.get<std::int64_t>());
  }
  return out;
}

// "entropy_histogram" and "entropy_max" came after version 1's first
// summaries: without them (or with an empty histogram) the histogram stays
// empty, i.e. unknown. Otherwise kEntropyBins counts of `frames` frames.
std::vector<std::int64_t> readEntropyHistogram(const nlohmann::json& j, std::int64_t frames) {
  const auto it = j.find("entropy_histogram");
  if (it == j.end() || (it->is_array() && it->empty())) return {};
  std::vector<std::int64_t> bins = counts(j, "entropy_histogram", SoftLabelSummary::kEntropyBins);
  std::int64_t total = 0;
  for (const std::int64_t c : bins) total += c;
  if (total != frames)
    throw malformed("\"entropy_histogram\" counts " + std::to_string(total) +
                    " frames, not the " + std::to_string(frames) + " of \"frames\"");
  return bins;
}

}  // namespace

SoftLabelSummary SoftLabelSummary::fromJson(const std::string& text) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw malformed(std::string("not valid JSON (") + e.what() + ")");
  }
  if (!j.is_object()) throw malformed("not a JSON object");
  const std::int64_t version = count(j, "version");
  if (version != kJsonVersion)
    throw malformed("version " + std::to_string(version) + ", this Understudy reads version " +
                    std::to_string(kJsonVersion));
  const std::int64_t units = count(j, "num_units");
  if (units > 65535) throw malformed("num_units " + std::to_string(units) + " is above 65535");

  SoftLabelSummary s(static_cast<int>(units));
  s.m_utterances = count(j, "utterances");
  s.m_frames = count(j, "frames");
  s.m_storeBytes = static_cast<std::uint64_t>(count(j, "store_bytes"));
  s.m_sumTop1 = number(j, "sum_top1");
  s.m_sumEntropy = number(j, "sum_entropy");
  s.m_top1Histogram = counts(j, "top1_histogram", kTop1Bins);
  s.m_unitCounts = counts(j, "unit_counts", static_cast<std::size_t>(units));
  s.m_entropyHistogram = readEntropyHistogram(j, s.m_frames);
  if (!s.m_entropyHistogram.empty()) s.m_entropyMax = number(j, "entropy_max");

  const auto& rows = field(j, "truth", {});
  if (!rows.is_array()) throw malformed("\"truth\" is not an array");
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& r = rows[i];
    const std::string where = "truth row " + std::to_string(i) + " ";
    if (!r.is_object()) throw malformed(where + "is not an object");
    const auto& g = field(r, "group", where);
    if (!g.is_string() || g.get<std::string>().empty())
      throw malformed(where + "has no group name");
    SoftLabelTruthTally t{g.get<std::string>()};
    t.utterances = count(r, "utterances", where);
    t.frames = count(r, "frames", where);
    t.top1Correct = count(r, "top1_correct", where);
    t.inTopK = count(r, "in_top_k", where);
    if (t.top1Correct > t.frames || t.inTopK > t.frames)
      throw malformed(where + "counts more correct frames than frames");
    if ((i == 0) != (t.group == "all"))
      throw malformed(where + "is not where \"all\" belongs (first, once)");
    for (const auto& seen : s.m_truthGroups)
      if (seen.group == t.group) throw malformed(where + "repeats group \"" + t.group + "\"");
    if (i == 0)
      s.m_truthAll = t;
    else
      s.m_truthGroups.push_back(t);
  }
  return s;
}

}  // namespace understudy
