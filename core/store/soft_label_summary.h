// What a soft-label set looks like, in numbers the workbench can draw: one
// summary per labeled set, kept in workspace.db and rewritten at every commit
// of the labeler, so charts of the soft-label distributions move while
// labeling runs (docs/labeling.md, "The label summary").
//
// Torch-free (the GUI reads it). Everything is computed from the labels as
// stored (dequantised, renormalised), i.e. what the student will see:
//   - frames, utterances, bytes per frame (the store's bytes on disk / frames);
//   - mean top-1 probability and mean entropy (nats) of the stored top-k
//     distribution, −Σ_j p_j ln p_j over the k entries (0·ln 0 = 0);
//   - a histogram of the top-1 probability: kTop1Bins equal bins over [0, 1],
//     bin i = [i/kTop1Bins, (i+1)/kTop1Bins) (p = 1 goes into the last bin);
//   - a histogram of the entropy: kEntropyBins equal bins over [0, ln k]
//     (entropyMax() = ln k, k from the labels), bin i = [i·ln k/B, (i+1)·ln k/B)
//     (ln k, a uniform top-k, goes into the last bin; k = 1: all in bin 0);
//   - unit usage: how many frames each unit is the top-1 of;
//   - against the truth, where the dataset has frame targets (the synthetic
//     corpus keeps the true alignment of every set): frames compared, top-1
//     correct, and truth in the stored top-k (with p > 0), overall ("all")
//     and per condition group ("clean", "noise/<type>", "snr/<band>",
//     "voice/<voice>", the evaluator's groups).
//
// add() also returns the utterance's own numbers (SoftLabelUtteranceStats),
// which the catalog keeps per utterance (soft_label_utterances).
//
//   SoftLabelSummary s(numUnits);
//   std::vector<SoftLabelUtteranceStats> rows;
//   rows.push_back(s.add(key, store.read(key), &truth, groups));  // truth: one unit per frame, or nullptr
//   s.setStoreBytes(onDiskBytes);
//   catalog.updateSoftLabelSummary(setId, s, rows);
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/store/soft_label_store.h"

namespace understudy {

// Frames compared with the truth, for one group of utterances.
struct SoftLabelTruthTally {
  std::string group;  // "all" or a condition group
  std::int64_t utterances = 0;
  std::int64_t frames = 0;
  std::int64_t top1Correct = 0;
  std::int64_t inTopK = 0;

  double top1Accuracy() const;  // 0 when frames = 0
  double topKRecall() const;    // share of frames whose true unit is in the top-k
};

// One utterance's labels in numbers (a row of soft_label_utterances): the
// same per-frame top-1 and entropy the summary sums, averaged over the
// utterance's frames (0 without frames), and its comparison with the truth.
struct SoftLabelUtteranceStats {
  std::string key;
  std::int64_t frames = 0;
  double meanTop1 = 0.0;
  double meanEntropy = 0.0;  // nats
  bool hasTruth = false;     // false: the truth counts below are not known (NULL in SQL)
  std::int64_t truthFrames = 0;
  std::int64_t truthTop1Correct = 0;
  std::int64_t truthInTopK = 0;
};

class SoftLabelSummary {
 public:
  static constexpr int kTop1Bins = 20;
  static constexpr int kEntropyBins = 20;

  SoftLabelSummary() = default;
  explicit SoftLabelSummary(int numUnits);

  // One utterance as read back from the store. `truth` (may be null): the
  // true unit of each frame; frames beyond the shorter of the two are not
  // compared. `groups`: the utterance's condition groups (may be empty).
  // An id >= numUnits, or a k other than that of the frames added before,
  // throws understudy::Error naming the utterance (and counts nothing of it).
  // Returns the utterance's own numbers.
  SoftLabelUtteranceStats add(const std::string& key, const SoftLabels& labels,
                              const std::vector<std::int32_t>* truth,
                              const std::vector<std::string>& groups);

  int numUnits() const { return static_cast<int>(m_unitCounts.size()); }
  std::int64_t utterances() const { return m_utterances; }
  std::int64_t frames() const { return m_frames; }
  double meanTop1() const;
  double meanEntropy() const;
  const std::vector<std::int64_t>& top1Histogram() const { return m_top1Histogram; }
  const std::vector<std::int64_t>& unitCounts() const { return m_unitCounts; }
  // kEntropyBins counts of frames by entropy over [0, entropyMax()]; empty
  // before the first frame, and for a summary read from JSON written before
  // the histogram existed (`understudy-cli label` on the set again rebuilds it).
  const std::vector<std::int64_t>& entropyHistogram() const { return m_entropyHistogram; }
  // ln k of the labels (the largest entropy of k entries); 0 while the histogram is empty.
  double entropyMax() const { return m_entropyMax; }
  // Units that are the top-1 of at least one frame.
  int unitsUsed() const;

  // Bytes the store takes on disk (shards, index, journal, metadata); the
  // labeler sets it at each commit. bytesPerFrame() = storeBytes / frames.
  void setStoreBytes(std::uint64_t bytes) { m_storeBytes = bytes; }
  std::uint64_t storeBytes() const { return m_storeBytes; }
  double bytesPerFrame() const;

  // "all" first (present once any truth was given), then the groups in the
  // evaluator's order (conditionGroupBefore: clean, noise/*, snr/* by band,
  // voice/*). Only utterances added with truth are counted here.
  std::vector<SoftLabelTruthTally> truth() const;
  bool hasTruth() const { return m_truthAll.frames > 0 || m_truthAll.utterances > 0; }

  // JSON text (docs/labeling.md lists the fields) and back; fromJson throws
  // understudy::Error on malformed text.
  std::string toJson() const;
  static SoftLabelSummary fromJson(const std::string& json);

 private:
  std::int64_t m_utterances = 0;
  std::int64_t m_frames = 0;
  double m_sumTop1 = 0.0;
  double m_sumEntropy = 0.0;
  std::uint64_t m_storeBytes = 0;
  std::vector<std::int64_t> m_top1Histogram = std::vector<std::int64_t>(kTop1Bins, 0);
  std::vector<std::int64_t> m_unitCounts;
  std::vector<std::int64_t> m_entropyHistogram;  // empty: not known (see entropyHistogram())
  double m_entropyMax = 0.0;
  SoftLabelTruthTally m_truthAll{"all"};
  std::vector<SoftLabelTruthTally> m_truthGroups;  // unsorted; truth() orders them
};

}  // namespace understudy
