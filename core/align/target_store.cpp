#include "core/align/target_store.h"

#include <sstream>

#include "core/store/catalog.h"
#include "core/store/workspace.h"
#include "core/util/error.h"

namespace understudy {

namespace {

// The value of a "key: value" line of the metadata ("" if none).
std::string metadataValue(const std::string& metadata, const std::string& key) {
  std::istringstream in(metadata);
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(key, 0) == 0) {
      std::string v = line.substr(key.size());
      while (!v.empty() && v.front() == ' ') v.erase(v.begin());
      return v;
    }
  return {};
}

}  // namespace

std::filesystem::path TargetStore::datasetDir(Workspace& ws, const std::string& dataset) {
  Catalog catalog(ws);
  if (const auto row = catalog.findDataset(dataset))
    if (const auto set = catalog.findAlignmentSet(*row, Catalog::kTargetsAlignmentSet))
      return catalog.absolute(set->path);
  return ws.root() / "alignments" / dataset / kUnkeyedFolder;
}

std::filesystem::path TargetStore::datasetDir(const std::filesystem::path& workspaceRoot,
                                              const std::string& dataset) {
  if (!Workspace::isWorkspace(workspaceRoot))
    return workspaceRoot / "alignments" / dataset / kUnkeyedFolder;
  Workspace ws = Workspace::open(workspaceRoot);
  return datasetDir(ws, dataset);
}

std::string TargetStore::configHash() const {
  return metadataValue(m_records.metadata(), kConfigHashKey);
}

std::string TargetStore::inventoryName() const {
  return metadataValue(m_records.metadata(), kInventoryKey);
}

TargetStore::TargetStore(RecordStore records, UnitInventory units)
    : m_records(std::move(records)), m_units(std::move(units)) {}

TargetStore TargetStore::open(const std::filesystem::path& dir) {
  if (!RecordStore::exists(dir)) {
    throw US_ERROR("no frame targets here")
        .file(dir.string())
        .hint("build them with `understudy-cli targets -w WS --dataset NAME`");
  }
  RecordStore records = RecordStore::open(dir);
  if (records.kind() != kKind || records.elementType() != ElementType::Int32 ||
      records.cols() != 1) {
    throw US_ERROR("store holds '" + records.kind() + "' " + elementTypeName(records.elementType()) +
                   " records with " + std::to_string(records.cols()) +
                   " columns, not targets (int32, 1 column)")
        .file(dir.string());
  }
  UnitInventory units = UnitInventory::load(dir / kUnitsFile);
  return TargetStore(std::move(records), std::move(units));
}

std::vector<std::int32_t> TargetStore::read(std::string_view key) const {
  const RecordView view = m_records.read(key);
  const auto* p = static_cast<const std::int32_t*>(view.data);
  return std::vector<std::int32_t>(p, p + view.rows);
}

UnitPriors TargetStore::priors() const { return UnitPriors::load(dir() / kPriorsFile); }

}  // namespace understudy
