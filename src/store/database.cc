#include "store/database.h"

#include <sqlite3.h>

#include <filesystem>
#include <thread>

#include "os/file.h"

namespace msb::store {
namespace {

ErrorKind kind_from_sqlite(int rc) {
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return ErrorKind::kTimeout;
    case SQLITE_CONSTRAINT:
      if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
        return ErrorKind::kAlreadyExists;
      }
      return ErrorKind::kIo;
    default:
      return ErrorKind::kIo;
  }
}

// "<what>: <sqlite message>"; the message of the connection's last failed call, which is
// more precise than the generic text for `rc` ("no such table: x").
tl::unexpected<Error> sqlite_error(sqlite3* db, int rc, std::string_view what) {
  const char* message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  return err(kind_from_sqlite(rc), "{}: {}", what, message);
}

// SQL for error messages: whitespace runs collapsed, cut after 80 characters.
std::string shorten_sql(std::string_view sql) {
  constexpr size_t kMaxChars = 80;
  std::string out;
  bool in_space = false;
  for (char c : sql) {
    bool space = c == ' ' || c == '\n' || c == '\t' || c == '\r';
    if (space && (in_space || out.empty())) continue;
    in_space = space;
    if (out.size() == kMaxChars) return out + "...";
    out += space ? ' ' : c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// Runs one PRAGMA while opening `path`; stores the first column of its first row in `value`.
Result<void> run_pragma(sqlite3* db, const std::string& path, const std::string& pragma,
                        std::string* value = nullptr) {
  auto first_value = [](void* out, int columns, char** values, char**) {
    auto* text = static_cast<std::string*>(out);
    if (text != nullptr && text->empty() && columns > 0 && values[0] != nullptr) {
      *text = values[0];
    }
    return 0;
  };
  int rc = sqlite3_exec(db, pragma.c_str(), first_value, value, nullptr);
  if (rc == SQLITE_OK) return {};
  if (rc == SQLITE_NOTADB) {
    return err(ErrorKind::kIo,
               "store {}: file is not an SQLite database; it was left untouched: move it aside "
               "to start with an empty store",
               path);
  }
  return sqlite_error(db, rc, fmt::format("store {}: {}", path, pragma));
}

// Connection settings; see docs/design/state-store.md for why each.
Result<void> configure(sqlite3* db, const std::string& path,
                       std::chrono::milliseconds busy_timeout) {
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, static_cast<int>(busy_timeout.count()));
  // Switching a fresh file to WAL needs an exclusive lock, and SQLite answers "busy" there
  // at once instead of calling the busy handler: retry until the busy timeout has passed,
  // so that many processes may open a new store together.
  std::string journal_mode;
  auto deadline = std::chrono::steady_clock::now() + busy_timeout;
  for (;;) {
    journal_mode.clear();
    Result<void> switched = run_pragma(db, path, "PRAGMA journal_mode=WAL", &journal_mode);
    if (switched) break;
    if (switched.error().kind != ErrorKind::kTimeout ||
        std::chrono::steady_clock::now() >= deadline)
      return switched;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (journal_mode != "wal") {
    return err(ErrorKind::kUnsupported, "store {}: cannot use WAL journaling (got '{}')", path,
               journal_mode);
  }
  MSB_TRY(run_pragma(db, path, "PRAGMA foreign_keys=ON"));
  MSB_TRY(run_pragma(db, path, "PRAGMA synchronous=NORMAL"));
  return {};
}

Result<void> make_parent_dirs(const std::string& path) {
  std::string parent = std::filesystem::path(path).parent_path().string();
  if (parent.empty()) return {};
  return os::make_dirs(parent);
}

}  // namespace

Result<Database> Database::open(const std::string& path, std::chrono::milliseconds busy_timeout) {
  return open(path, busy_timeout, builtin_migrations());
}

Result<Database> Database::open(const std::string& path, std::chrono::milliseconds busy_timeout,
                                std::span<const Migration> migrations) {
  MSB_TRY(make_parent_dirs(path).context("store {}", path));
  sqlite3* raw = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  // The handle owns the connection from here on, even when opening failed.
  Database db(raw, path);
  if (rc != SQLITE_OK) return sqlite_error(raw, rc, fmt::format("store {}: open", path));
  MSB_TRY(configure(raw, path, busy_timeout));
  MSB_TRY(migrate(db, migrations));
  return db;
}

Database& Database::operator=(Database&& other) noexcept {
  if (this != &other) {
    sqlite3_close_v2(db_);
    db_ = std::exchange(other.db_, nullptr);
    path_ = std::move(other.path_);
  }
  return *this;
}

// close_v2 (not close) so that a forgotten Statement delays the close instead of leaking
// the connection.
Database::~Database() { sqlite3_close_v2(db_); }

Result<void> Database::exec(std::string_view sql) {
  return exec(sql, fmt::format("store: exec '{}'", shorten_sql(sql)));
}

Result<void> Database::exec(std::string_view sql, std::string_view what) {
  // sqlite3_exec needs a NUL-terminated string.
  std::string text(sql);
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return sqlite_error(db_, rc, what);
  return {};
}

Result<Statement> Database::prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return sqlite_error(db_, rc, fmt::format("store: prepare '{}'", shorten_sql(sql)));
  }
  return Statement(db_, stmt, shorten_sql(sql));
}

int64_t Database::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }

int64_t Database::changes() const { return sqlite3_changes64(db_); }

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    db_ = other.db_;
    stmt_ = std::exchange(other.stmt_, nullptr);
    sql_ = std::move(other.sql_);
  }
  return *this;
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Result<void> Statement::check_bind(int rc, int index) {
  if (rc == SQLITE_OK) return {};
  return sqlite_error(db_, rc, fmt::format("store: bind {} of '{}'", index, sql_));
}

Result<void> Statement::bind_text(int index, std::string_view value) {
  // A null pointer would bind NULL rather than "".
  const char* data = value.data() != nullptr ? value.data() : "";
  return check_bind(
      sqlite3_bind_text64(stmt_, index, data, value.size(), SQLITE_TRANSIENT, SQLITE_UTF8), index);
}

Result<void> Statement::bind_int64(int index, int64_t value) {
  return check_bind(sqlite3_bind_int64(stmt_, index, value), index);
}

Result<void> Statement::bind_null(int index) {
  return check_bind(sqlite3_bind_null(stmt_, index), index);
}

Result<void> Statement::bind_blob(int index, std::span<const uint8_t> value) {
  // A null pointer would bind NULL rather than an empty blob.
  if (value.empty()) return check_bind(sqlite3_bind_zeroblob(stmt_, index, 0), index);
  return check_bind(sqlite3_bind_blob64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT),
                    index);
}

Result<Statement::Step> Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return Step::kRow;
  if (rc == SQLITE_DONE) return Step::kDone;
  return sqlite_error(db_, rc, fmt::format("store: step '{}'", sql_));
}

void Statement::reset() {
  // The return value repeats the last step's error, which step() already reported.
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

bool Statement::column_is_null(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

int64_t Statement::column_int64(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string Statement::column_text(int column) const {
  const unsigned char* text = sqlite3_column_text(stmt_, column);
  if (text == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(text), sqlite3_column_bytes(stmt_, column));
}

std::vector<uint8_t> Statement::column_blob(int column) const {
  const auto* data = static_cast<const uint8_t*>(sqlite3_column_blob(stmt_, column));
  if (data == nullptr) return {};
  return std::vector<uint8_t>(data, data + sqlite3_column_bytes(stmt_, column));
}

Result<Transaction> Transaction::create(Database& db) {
  MSB_TRY(db.exec("BEGIN IMMEDIATE"));
  return Transaction(db.db_);
}

Transaction::~Transaction() {
  // SQLite may already have rolled back after a failed COMMIT; ROLLBACK would then fail.
  if (db_ != nullptr && sqlite3_get_autocommit(db_) == 0) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
}

Result<void> Transaction::commit() {
  MSB_CHECK(db_ != nullptr);
  int rc = sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return sqlite_error(db_, rc, "store: exec 'COMMIT'");
  db_ = nullptr;
  return {};
}

}  // namespace msb::store
