#include "core/align/target_store.h"

#include "core/util/error.h"

namespace understudy {

std::filesystem::path TargetStore::datasetDir(const std::filesystem::path& workspaceRoot,
                                              const std::string& dataset) {
  return workspaceRoot / "alignments" / dataset / "targets";
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
