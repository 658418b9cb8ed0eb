// TargetStore: the 30 ms frame targets of one dataset, as the trainer reads them.
//
// Layout (docs/alignments.md), written by buildTargets():
//   WS/alignments/<dataset>/targets-<hash8>/   (one folder per targets config)
//     index, shard-*.bin   RecordStore (docs/formats.md): kind "targets", int32,
//                          one record per utterance, rows = T' model frames, cols = 1;
//                          its metadata: the config YAML, then "config_hash: <16 hex>"
//     units.txt            the unit inventory ("<name> <id>", ids 0..S-1)
//     priors.txt           add-one smoothed unit priors (Kaldi text vector)
//     counts.txt           raw target counts per unit (Kaldi text vector)
//     rejected.txt         "<key> <reason>" per rejected utterance
//
// The dataset's alignment_sets row "targets" names the current folder.
//
//   auto targets = TargetStore::open(TargetStore::datasetDir(ws, "synth-labeled"));
//   std::vector<std::int32_t> y = targets.read("utt1");  // y.size() == ceil(frames / 3)
//   int numUnits = targets.units().size();
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/align/priors.h"
#include "core/store/record_store.h"
#include "core/store/unit_inventory.h"

namespace understudy {

class Workspace;

class TargetStore {
 public:
  static constexpr const char* kKind = "targets";
  static constexpr const char* kUnitsFile = "units.txt";
  static constexpr const char* kPriorsFile = "priors.txt";
  static constexpr const char* kCountsFile = "counts.txt";
  static constexpr const char* kRejectedFile = "rejected.txt";
  static constexpr const char* kConfigHashKey = "config_hash:";
  static constexpr const char* kInventoryKey = "inventory_name:";
  // Where targets were before they were keyed by config (still read).
  static constexpr const char* kUnkeyedFolder = "targets";

  // The folder of the dataset's current targets: the path of its
  // alignment_sets row "targets"; WS/alignments/<dataset>/targets when the
  // dataset has no such row (open() then says how to build them).
  static std::filesystem::path datasetDir(Workspace& ws, const std::string& dataset);
  // The same for a caller that holds no Workspace (opens it; a folder that is
  // not a workspace gives the unkeyed path).
  static std::filesystem::path datasetDir(const std::filesystem::path& workspaceRoot,
                                          const std::string& dataset);
  // Throws understudy::Error (with a hint to run `understudy-cli targets`) if
  // the folder holds no targets store.
  static TargetStore open(const std::filesystem::path& dir);

  std::vector<std::string> keys() const { return m_records.keys(); }
  bool contains(std::string_view key) const { return m_records.contains(key); }
  // Throws understudy::Error naming the key if it is not in the store, or
  // naming shard, utterance and byte offset if its checksum does not match
  // (checked on every read).
  std::vector<std::int32_t> read(std::string_view key) const;
  std::size_t size() const { return m_records.size(); }
  std::uint64_t totalFrames() const { return m_records.totalRows(); }
  const UnitInventory& units() const { return m_units; }
  UnitPriors priors() const;
  const std::filesystem::path& dir() const { return m_records.dir(); }
  // The 16-hex config hash and inventory name the store was built with
  // (metadata); "" for targets built before they were keyed.
  std::string configHash() const;
  std::string inventoryName() const;

 private:
  TargetStore(RecordStore records, UnitInventory units);
  RecordStore m_records;
  UnitInventory m_units;
};

}  // namespace understudy
