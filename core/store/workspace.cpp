#include "core/store/workspace.h"

#include <SQLiteCpp/Statement.h>
#include <sqlite3.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <mutex>

#include "core/store/schema.h"
#include "core/util/error.h"

namespace fs = std::filesystem;

namespace understudy {

const char* const Workspace::kSubdirs[6] = {"audio",      "features", "alignments",
                                            "softlabels", "models",   "runs"};

namespace {

// The last workspace database this process opened: SQLite's errors do not
// name their file, and a command works on one workspace.
std::mutex g_databasePathMutex;
fs::path g_databasePath;

// Bytes free to this user on the file system holding `path`; -1 if unknown.
long long freeBytes(const fs::path& path) {
  struct statvfs s {};
  if (::statvfs(path.c_str(), &s) != 0) return -1;
  return static_cast<long long>(s.f_bavail) * static_cast<long long>(s.f_frsize);
}

// Below this much free space an SQLite write failure is taken for a full disk:
// a transaction needs a few pages in the WAL and its shared-memory index.
constexpr long long kNearlyFullBytes = 1 << 20;

Error databaseError(const fs::path& dbPath, const SQLite::Exception& e) {
  const int code = e.getErrorCode();
  if (code == SQLITE_FULL || code == SQLITE_IOERR) {
    const long long free = freeBytes(dbPath.has_parent_path() ? dbPath.parent_path() : fs::path("."));
    const bool full = code == SQLITE_FULL || (free >= 0 && free < kNearlyFullBytes);
    Error error = US_ERROR(std::string(full ? "the disk is full: cannot write the database ("
                                            : "disk I/O error writing the database (") +
                           e.what() + (free >= 0 ? ", " + std::to_string(free) + " bytes free" : std::string()) +
                           ")");
    error.file(dbPath.string());
    error.hint(full ? "free space on that disk and run the command again: every committed transaction is intact "
                      "(the unfinished one is rolled back); `understudy-cli verify` checks the workspace"
                    : "check the disk (dmesg, smartctl); every committed transaction is intact");
    return error;
  }
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

std::string databaseErrorMessage(const std::exception& e) {
  const auto* sqliteError = dynamic_cast<const SQLite::Exception*>(&e);
  if (!sqliteError) return e.what();
  fs::path path;
  {
    std::lock_guard<std::mutex> lock(g_databasePathMutex);
    path = g_databasePath;
  }
  if (path.empty()) return std::string("database: ") + e.what();
  return databaseError(path, *sqliteError).message();
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
  {
    std::lock_guard<std::mutex> lock(g_databasePathMutex);
    g_databasePath = dbPath;
  }
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
