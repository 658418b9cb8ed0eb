// The unit inventory: the acoustic model's output classes, id <-> name.
//
// Unit ids are 0..size()-1 and index the model's output layer, the frame
// targets, the priors and the soft labels. An inventory comes from
//   - a Kaldi symbol table (phones.txt): `<eps>` and disambiguation symbols
//     (`#0`, `#1`, ...) are skipped, the rest keep their order; the table's
//     integer of each unit is remembered so alignments written with it can
//     be mapped (unitForSymbol);
//   - a lexicon's phone set plus silence (silence first, then C-locale order);
//   - imported Kaldi pdf alignments: pdf ids 0..N-1 named "pdf<N>".
//
//   auto units = UnitInventory::fromPhonesTable("phones.txt");
//   int sil = units.silenceId();            // -1 if there is no silence unit
//   units.save(dir / "units.txt");          // "sil 0\na 1\n..." atomically
//   auto id = recordUnitInventory(ws.db(), units, "phones-64", "synthetic");
//
// docs/alignments.md describes the files and the unit_inventories row.
#pragma once

#include <SQLiteCpp/Database.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace understudy {

class UnitInventory {
 public:
  static constexpr const char* kDefaultSilence = "sil";

  UnitInventory() = default;
  // Units in id order; names must be unique, non-empty and without whitespace.
  explicit UnitInventory(std::vector<std::string> names,
                         std::string silenceName = kDefaultSilence);

  // Kaldi symbol table text ("<symbol> <integer>" per line). `sourceName`
  // names the file in errors. Skips <eps> and #n; units ordered by integer.
  static UnitInventory parsePhonesTable(std::string_view text, const std::string& sourceName,
                                        std::string silenceName = kDefaultSilence);
  static UnitInventory fromPhonesTable(const std::filesystem::path& path,
                                       std::string silenceName = kDefaultSilence);
  // Kaldi lexicon.txt ("word p1 p2 ...") or lexiconp.txt ("word prob p1 ..."):
  // silence first, then every phone in C-locale order.
  static UnitInventory fromLexicon(const std::filesystem::path& path,
                                   std::string silenceName = kDefaultSilence);
  // pdf ids 0..numPdfs-1 named "pdf0", "pdf1", ... (no silence unit).
  static UnitInventory pdfs(int numPdfs);

  // Writes "<name> <id>" per line (phones.txt style, no <eps>) atomically.
  void save(const std::filesystem::path& path) const;
  std::string toPhonesTable() const;
  // Reads what save() wrote; ids must be exactly 0..n-1.
  static UnitInventory load(const std::filesystem::path& path,
                            std::string silenceName = kDefaultSilence);

  int size() const { return static_cast<int>(m_names.size()); }
  bool empty() const { return m_names.empty(); }
  const std::vector<std::string>& names() const { return m_names; }
  const std::string& name(int id) const;
  std::optional<int> find(const std::string& name) const;
  // Throws understudy::Error if the unit is unknown.
  int id(const std::string& name) const;
  int silenceId() const { return m_silenceId; }
  const std::string& silenceName() const { return m_silenceName; }

  // The integer a source symbol table gave each unit (identity unless the
  // inventory came from a phones.txt with <eps> or gaps).
  const std::vector<std::int64_t>& symbolIds() const { return m_symbolIds; }
  // Unit id of a source-table integer, or nullopt if it is not a unit
  // (<eps>, #n, or not in the table).
  std::optional<int> unitForSymbol(std::int64_t symbolId) const;

  // JSON array of names, index = id (the unit_inventories.units column).
  std::string toJson() const;
  static UnitInventory fromJson(const std::string& json,
                                std::string silenceName = kDefaultSilence);

  bool operator==(const UnitInventory& other) const { return m_names == other.m_names; }
  bool operator!=(const UnitInventory& other) const { return !(*this == other); }

 private:
  void index();

  std::vector<std::string> m_names;
  std::vector<std::int64_t> m_symbolIds;
  std::unordered_map<std::string, int> m_byName;
  std::unordered_map<std::int64_t, int> m_bySymbol;
  std::string m_silenceName = kDefaultSilence;
  int m_silenceId = -1;
};

// True for Kaldi disambiguation symbols: "#" followed by digits ("#0", "#12").
bool isDisambiguationSymbol(std::string_view symbol);

struct UnitInventoryRow {
  std::int64_t id = 0;
  std::string name;
  int numUnits = 0;
  std::string source;
  std::string createdAt;
};

// A readable, content-addressed default name: "<prefix>-<n>-<8 hex of the units>".
std::string defaultUnitInventoryName(const UnitInventory& units, const std::string& prefix);
// Inserts a unit_inventories row, or returns the id of the row with that name
// if it holds the same units. A row with that name and other units is an Error.
std::int64_t recordUnitInventory(SQLite::Database& db, const UnitInventory& units,
                                 const std::string& name, const std::string& source);
std::optional<UnitInventoryRow> findUnitInventory(SQLite::Database& db, const std::string& name);
std::optional<UnitInventoryRow> findUnitInventory(SQLite::Database& db, std::int64_t id);
// The units of a row; throws if there is none.
UnitInventory loadUnitInventory(SQLite::Database& db, std::int64_t id);

}  // namespace understudy
