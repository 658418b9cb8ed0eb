#include "core/store/workspace.h"

#include <SQLiteCpp/Statement.h>
#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <ctime>

#include "core/store/schema.h"
#include "core/util/error.h"

namespace fs = std::filesystem;

namespace understudy {

const char* const Workspace::kSubdirs[6] = {"audio",      "features", "alignments",
                                            "softlabels", "models",   "runs"};

namespace {

Error databaseError(const fs::path& dbPath, const SQLite::Exception& e) {
  const int code = e.getErrorCode();
  if (code == SQLITE_NOTADB || code == SQLITE_CORRUPT) {
    return US_ERROR(std::string("database is corrupt or not an SQLite file (") + e.what() + ")")
        .file(dbPath.string())
        .hint("restore it from a backup, or create a new workspace with `understudy-cli init`");
  }
  if (code == SQLITE_CANTOPEN || code == SQLITE_READONLY || code == SQLITE_PERM) {
    return US_ERROR(std::string("cannot open the database for writing (") + e.what() + ")")
        .file(dbPath.string())
        .hint("check the folder's permissions");
  }
  return US_ERROR(std::string("database error: ") + e.what()).file(dbPath.string());
}

}  // namespace

std::string isoTimeNow() {
  using namespace std::chrono;
  const auto now = system_clock::now();
  const std::time_t t = system_clock::to_time_t(now);
  const auto ms = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof out, "%s.%03dZ", buf, static_cast<int>(ms));
  return out;
}

std::string sqliteVersion() { return sqlite3_libversion(); }

bool isDatabaseError(const std::exception& e) {
  return dynamic_cast<const SQLite::Exception*>(&e) != nullptr;
}

Workspace::Workspace(fs::path root, std::unique_ptr<SQLite::Database> db)
    : m_root(std::move(root)), m_db(std::move(db)) {}
Workspace::Workspace(Workspace&&) noexcept = default;
Workspace& Workspace::operator=(Workspace&&) noexcept = default;
Workspace::~Workspace() = default;

bool Workspace::isWorkspace(const fs::path& root) {
  std::error_code ec;
  return fs::is_regular_file(root / kDatabaseName, ec);
}

std::unique_ptr<SQLite::Database> Workspace::openDatabase(const fs::path& dbPath, bool create) {
  std::unique_ptr<SQLite::Database> db;
  try {
    const int flags = SQLite::OPEN_READWRITE | (create ? SQLite::OPEN_CREATE : 0);
    db = std::make_unique<SQLite::Database>(dbPath, flags, kBusyTimeoutMs);
    // WAL lets the GUI read while a job writes; NORMAL sync is durable in WAL mode
    // except for the last transactions on power loss, never corrupting.
    db->exec("PRAGMA journal_mode = WAL");
    db->exec("PRAGMA synchronous = NORMAL");
    db->exec("PRAGMA foreign_keys = ON");
    store::migrate(*db, dbPath.string());
  } catch (const SQLite::Exception& e) {
    throw databaseError(dbPath, e);
  }
  return db;
}

Workspace Workspace::create(const fs::path& rootIn) {
  const fs::path root = fs::absolute(rootIn).lexically_normal();
  if (isWorkspace(root)) {
    throw US_ERROR("a workspace already exists here")
        .file(root.string())
        .hint("open it instead, or choose another folder");
  }
  std::error_code ec;
  fs::create_directories(root, ec);
  if (ec) {
    throw US_ERROR("cannot create the workspace folder: " + ec.message())
        .file(root.string())
        .hint("check that the parent folder exists and is writable");
  }
  if (::access(root.c_str(), W_OK) != 0) {
    throw US_ERROR("the workspace folder is not writable")
        .file(root.string())
        .hint("choose a folder you can write to");
  }
  for (const char* sub : kSubdirs) {
    fs::create_directories(root / sub, ec);
    if (ec)
      throw US_ERROR("cannot create " + std::string(sub) + "/: " + ec.message()).file(root.string());
  }
  auto db = openDatabase(root / kDatabaseName, /*create=*/true);
  return Workspace(root, std::move(db));
}

Workspace Workspace::open(const fs::path& rootIn) {
  const fs::path root = fs::absolute(rootIn).lexically_normal();
  std::error_code ec;
  if (!fs::exists(root, ec)) {
    throw US_ERROR("workspace folder does not exist")
        .file(root.string())
        .hint("create one with `understudy-cli init " + rootIn.string() + "`");
  }
  if (!isWorkspace(root)) {
    throw US_ERROR("not an Understudy workspace (no workspace.db)")
        .file(root.string())
        .hint("create one with `understudy-cli init " + rootIn.string() + "`");
  }
  auto db = openDatabase(root / kDatabaseName, /*create=*/false);
  for (const char* sub : kSubdirs) fs::create_directories(root / sub, ec);
  return Workspace(root, std::move(db));
}

fs::path Workspace::subdir(const std::string& name) const { return m_root / name; }

int Workspace::schemaVersion() { return store::schemaVersion(*m_db); }

WorkspaceInfo Workspace::info() {
  WorkspaceInfo info;
  info.root = m_root;
  try {
    info.schemaVersion = schemaVersion();
    for (const auto& table : store::tableNames()) {
      info.rowCounts[table] = m_db->execAndGet("SELECT COUNT(*) FROM " + table).getInt64();
    }
  } catch (const SQLite::Exception& e) {
    throw databaseError(databasePath(), e);
  }
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(m_root, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec)) info.diskBytes += it->file_size(ec);
  }
  return info;
}

}  // namespace understudy
