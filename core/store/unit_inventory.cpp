#include "core/store/unit_inventory.h"

#include <SQLiteCpp/Statement.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <set>

#include "core/util/atomic_file.h"
#include "core/util/checksum.h"
#include "core/util/error.h"
#include "core/util/text_fields.h"

namespace understudy {

namespace {

bool hasWhitespace(const std::string& s) {
  return std::any_of(s.begin(), s.end(), [](unsigned char c) { return std::isspace(c) != 0; });
}

std::optional<std::int64_t> parseInteger(const std::string& s) {
  if (s.empty()) return std::nullopt;
  char* end = nullptr;
  errno = 0;
  const long long v = std::strtoll(s.c_str(), &end, 10);
  if (errno != 0 || end != s.c_str() + s.size()) return std::nullopt;
  return static_cast<std::int64_t>(v);
}

// lexiconp.txt's probability column ("1.0", "0.5"): a decimal point is
// required, because phone names can be digits (espeak-ng's "0", "3").
bool looksLikeProbability(const std::string& s) {
  if (s.find('.') == std::string::npos) return false;
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  return end == s.c_str() + s.size() && v > 0.0 && v <= 1.0;
}

struct Symbol {
  std::string name;
  std::int64_t id;
  long line;
};

std::vector<Symbol> parseSymbolTable(std::string_view text, const std::string& sourceName) {
  // A UTF-8 byte-order mark is not part of the first symbol: "\xEF\xBB\xBF<eps>"
  // would otherwise become a unit.
  std::vector<Symbol> symbols;
  for (const auto& [lineNumber, fields] : fieldLines(withoutByteOrderMark(text))) {
    if (fields.size() != 2) {
      throw US_ERROR("expected '<symbol> <integer>', found " + std::to_string(fields.size()) +
                     " fields")
          .file(sourceName)
          .line(lineNumber)
          .hint("a Kaldi symbol table (phones.txt) has two columns");
    }
    const auto id = parseInteger(fields[1]);
    if (!id || *id < 0) {
      throw US_ERROR("symbol '" + fields[0] + "' has id '" + fields[1] +
                     "', not a non-negative integer")
          .file(sourceName)
          .line(lineNumber);
    }
    symbols.push_back({fields[0], *id, lineNumber});
  }
  return symbols;
}

}  // namespace

bool isDisambiguationSymbol(std::string_view symbol) {
  if (symbol.size() < 2 || symbol[0] != '#') return false;
  return std::all_of(symbol.begin() + 1, symbol.end(),
                     [](unsigned char c) { return std::isdigit(c) != 0; });
}

UnitInventory::UnitInventory(std::vector<std::string> names, std::string silenceName)
    : m_names(std::move(names)), m_silenceName(std::move(silenceName)) {
  m_symbolIds.resize(m_names.size());
  for (std::size_t i = 0; i < m_names.size(); ++i) m_symbolIds[i] = static_cast<std::int64_t>(i);
  index();
}

void UnitInventory::index() {
  m_byName.clear();
  m_bySymbol.clear();
  for (std::size_t i = 0; i < m_names.size(); ++i) {
    const std::string& n = m_names[i];
    if (n.empty() || hasWhitespace(n)) {
      throw US_ERROR("unit " + std::to_string(i) + " has an empty name or one with whitespace: '" +
                     n + "'");
    }
    if (!m_byName.emplace(n, static_cast<int>(i)).second)
      throw US_ERROR("unit '" + n + "' appears twice in the inventory");
    if (!m_bySymbol.emplace(m_symbolIds[i], static_cast<int>(i)).second)
      throw US_ERROR("symbol id " + std::to_string(m_symbolIds[i]) + " is used twice");
  }
  const auto sil = m_byName.find(m_silenceName);
  m_silenceId = sil == m_byName.end() ? -1 : sil->second;
}

UnitInventory UnitInventory::parsePhonesTable(std::string_view text, const std::string& sourceName,
                                              std::string silenceName) {
  auto symbols = parseSymbolTable(text, sourceName);
  std::set<std::string> seenNames;
  std::set<std::int64_t> seenIds;
  for (const auto& s : symbols) {
    if (!seenNames.insert(s.name).second)
      throw US_ERROR("symbol '" + s.name + "' appears twice").file(sourceName).line(s.line);
    if (!seenIds.insert(s.id).second) {
      throw US_ERROR("id " + std::to_string(s.id) + " (symbol '" + s.name + "') appears twice")
          .file(sourceName)
          .line(s.line);
    }
  }
  std::stable_sort(symbols.begin(), symbols.end(),
                   [](const Symbol& a, const Symbol& b) { return a.id < b.id; });
  UnitInventory inv;
  inv.m_silenceName = std::move(silenceName);
  for (const auto& s : symbols) {
    if (s.name == "<eps>" || isDisambiguationSymbol(s.name)) continue;
    inv.m_names.push_back(s.name);
    inv.m_symbolIds.push_back(s.id);
  }
  if (inv.m_names.empty()) {
    throw US_ERROR("the symbol table has no units (only <eps> and #n, or nothing)")
        .file(sourceName);
  }
  inv.index();
  return inv;
}

UnitInventory UnitInventory::fromPhonesTable(const std::filesystem::path& path,
                                             std::string silenceName) {
  if (!std::filesystem::exists(path))
    throw US_ERROR("phone table not found").file(path.string()).hint("pass a Kaldi phones.txt");
  return parsePhonesTable(readFile(path), path.string(), std::move(silenceName));
}

UnitInventory UnitInventory::fromLexicon(const std::filesystem::path& path,
                                         std::string silenceName) {
  if (!std::filesystem::exists(path))
    throw US_ERROR("lexicon not found").file(path.string());
  const std::vector<FieldLine> entries = fieldLines(readFile(path));
  // lexiconp.txt when every entry has a probability column.
  const bool withProbabilities =
      !entries.empty() && std::all_of(entries.begin(), entries.end(), [](const FieldLine& e) {
        return e.fields.size() >= 2 && looksLikeProbability(e.fields[1]);
      });
  const std::size_t first = withProbabilities ? 2 : 1;
  std::set<std::string> phones;
  for (const auto& [lineNumber, fields] : entries) {
    if (fields.size() <= first) {
      throw US_ERROR("word '" + fields[0] + "' has no pronunciation")
          .file(path.string())
          .line(lineNumber)
          .hint("a lexicon line is '<word> <phone> <phone> ...'");
    }
    for (std::size_t i = first; i < fields.size(); ++i) phones.insert(fields[i]);
  }
  phones.erase(silenceName);
  std::vector<std::string> names;
  names.push_back(silenceName);
  names.insert(names.end(), phones.begin(), phones.end());  // std::set: C-locale byte order
  return UnitInventory(std::move(names), std::move(silenceName));
}

UnitInventory UnitInventory::pdfs(int numPdfs) {
  if (numPdfs <= 0) throw US_ERROR("a pdf inventory needs at least one pdf");
  std::vector<std::string> names;
  names.reserve(static_cast<std::size_t>(numPdfs));
  for (int i = 0; i < numPdfs; ++i) names.push_back("pdf" + std::to_string(i));
  return UnitInventory(std::move(names), std::string{});
}

std::string UnitInventory::toPhonesTable() const {
  std::string out;
  for (std::size_t i = 0; i < m_names.size(); ++i)
    out += m_names[i] + " " + std::to_string(i) + "\n";
  return out;
}

void UnitInventory::save(const std::filesystem::path& path) const {
  if (empty()) throw US_ERROR("refusing to save an empty unit inventory").file(path.string());
  writeFileAtomically(path, toPhonesTable());
}

UnitInventory UnitInventory::load(const std::filesystem::path& path, std::string silenceName) {
  if (!std::filesystem::exists(path)) throw US_ERROR("unit inventory not found").file(path.string());
  const auto symbols = parseSymbolTable(readFile(path), path.string());
  std::vector<std::string> names;
  for (const auto& s : symbols) {
    if (s.id != static_cast<std::int64_t>(names.size())) {
      throw US_ERROR("unit '" + s.name + "' has id " + std::to_string(s.id) + ", expected " +
                     std::to_string(names.size()))
          .file(path.string())
          .line(s.line)
          .hint("a units file lists ids 0, 1, 2, ... in order; use a phones.txt import for "
                "Kaldi tables");
    }
    names.push_back(s.name);
  }
  if (names.empty()) throw US_ERROR("unit inventory file is empty").file(path.string());
  return UnitInventory(std::move(names), std::move(silenceName));
}

const std::string& UnitInventory::name(int id) const {
  if (id < 0 || id >= size()) {
    throw US_ERROR("unit id " + std::to_string(id) + " is outside the inventory (0.." +
                   std::to_string(size() - 1) + ")");
  }
  return m_names[static_cast<std::size_t>(id)];
}

std::optional<int> UnitInventory::find(const std::string& name) const {
  const auto it = m_byName.find(name);
  if (it == m_byName.end()) return std::nullopt;
  return it->second;
}

int UnitInventory::id(const std::string& name) const {
  const auto found = find(name);
  if (!found) throw US_ERROR("unit '" + name + "' is not in the inventory");
  return *found;
}

std::optional<int> UnitInventory::unitForSymbol(std::int64_t symbolId) const {
  const auto it = m_bySymbol.find(symbolId);
  if (it == m_bySymbol.end()) return std::nullopt;
  return it->second;
}

std::string UnitInventory::toJson() const { return nlohmann::json(m_names).dump(); }

UnitInventory UnitInventory::fromJson(const std::string& json, std::string silenceName) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(json);
  } catch (const nlohmann::json::exception& e) {
    throw US_ERROR(std::string("unit list is not valid JSON: ") + e.what());
  }
  if (!j.is_array()) throw US_ERROR("unit list is not a JSON array");
  std::vector<std::string> names;
  for (const auto& v : j) {
    if (!v.is_string()) throw US_ERROR("unit list holds a non-string: " + v.dump());
    names.push_back(v.get<std::string>());
  }
  return UnitInventory(std::move(names), std::move(silenceName));
}

std::string defaultUnitInventoryName(const UnitInventory& units, const std::string& prefix) {
  const std::string hex = toHex(checksum64(units.toJson()));
  return prefix + "-" + std::to_string(units.size()) + "-" + hex.substr(0, 8);
}

namespace {

UnitInventoryRow readRow(SQLite::Statement& q) {
  UnitInventoryRow row;
  row.id = q.getColumn(0).getInt64();
  row.name = q.getColumn(1).getString();
  row.numUnits = q.getColumn(2).getInt();
  row.source = q.getColumn(3).getString();
  row.createdAt = q.getColumn(4).getString();
  return row;
}

const char* const kRowColumns = "id, name, num_units, source, created_at";

}  // namespace

std::optional<UnitInventoryRow> findUnitInventory(SQLite::Database& db, const std::string& name) {
  SQLite::Statement q(db, std::string("SELECT ") + kRowColumns +
                              " FROM unit_inventories WHERE name = ?");
  q.bind(1, name);
  if (!q.executeStep()) return std::nullopt;
  return readRow(q);
}

std::optional<UnitInventoryRow> findUnitInventory(SQLite::Database& db, std::int64_t id) {
  SQLite::Statement q(db, std::string("SELECT ") + kRowColumns +
                              " FROM unit_inventories WHERE id = ?");
  q.bind(1, id);
  if (!q.executeStep()) return std::nullopt;
  return readRow(q);
}

UnitInventory loadUnitInventory(SQLite::Database& db, std::int64_t id) {
  SQLite::Statement q(db, "SELECT units, name FROM unit_inventories WHERE id = ?");
  q.bind(1, id);
  if (!q.executeStep())
    throw US_ERROR("no unit inventory with id " + std::to_string(id) + " in the workspace");
  try {
    return UnitInventory::fromJson(q.getColumn(0).getString());
  } catch (Error& e) {
    throw e.key(q.getColumn(1).getString());
  }
}

std::int64_t recordUnitInventory(SQLite::Database& db, const UnitInventory& units,
                                 const std::string& name, const std::string& source) {
  if (name.empty()) throw US_ERROR("a unit inventory needs a name");
  if (units.empty()) throw US_ERROR("refusing to record an empty unit inventory").key(name);
  if (auto row = findUnitInventory(db, name)) {
    if (loadUnitInventory(db, row->id) != units) {
      throw US_ERROR("a different unit inventory is already recorded under this name (" +
                     std::to_string(row->numUnits) + " units, now " +
                     std::to_string(units.size()) + ")")
          .key(name)
          .hint("choose another inventory name, or rebuild the workspace's targets with the "
                "same units");
    }
    return row->id;
  }
  SQLite::Statement q(db,
                      "INSERT INTO unit_inventories (name, num_units, units, source) "
                      "VALUES (?, ?, ?, ?)");
  q.bind(1, name);
  q.bind(2, units.size());
  q.bind(3, units.toJson());
  q.bind(4, source);
  q.exec();
  return db.getLastInsertRowid();
}

}  // namespace understudy
