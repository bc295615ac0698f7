// Database: one SQLite connection to the state store, with typed helpers (Statement,
// Transaction) that return Result. sqlite3.h stays out of this header.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.h"
#include "store/migrations.h"

struct sqlite3;
struct sqlite3_stmt;

namespace msb::store {

// How long a statement waits for another connection's lock before failing with kTimeout.
inline constexpr std::chrono::milliseconds kDefaultBusyTimeout{5000};

class Statement;

// Errors of every call here: kTimeout for SQLITE_BUSY/SQLITE_LOCKED (another writer held
// the lock past the busy timeout), kAlreadyExists for a UNIQUE or PRIMARY KEY violation,
// kIo for anything else. Messages read "store: <step> '<sql>': <sqlite message>".
//
// Thread-safe (the connection is opened SQLITE_OPEN_FULLMUTEX), but a Transaction spans the
// whole connection: statements that other threads run on it meanwhile join the
// transaction. Give each thread that writes its own Database. Move-only.
class Database {
 public:
  // Opens (creating if needed, with its parent directories) the database at `path`, sets
  // WAL journaling, the busy timeout, foreign keys and synchronous=NORMAL, then applies the
  // built-in migrations. A file that is not an SQLite database is left untouched.
  // Errors: kUnsupported for a schema newer than this binary, kTimeout, kIo (including a
  // path that is not a database), and the errors of os::make_dirs.
  static Result<Database> open(const std::string& path,
                               std::chrono::milliseconds busy_timeout = kDefaultBusyTimeout);
  // As above, applying `migrations` instead of the built-in list (a test seam).
  static Result<Database> open(const std::string& path, std::chrono::milliseconds busy_timeout,
                               std::span<const Migration> migrations);

  Database(Database&& other) noexcept
      : db_(std::exchange(other.db_, nullptr)), path_(std::move(other.path_)) {}
  Database& operator=(Database&& other) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  // REQUIRES: no Statement or Transaction of this connection outlives it.
  ~Database();

  const std::string& path() const { return path_; }

  // Runs one or more ';'-separated statements that return no rows of interest.
  Result<void> exec(std::string_view sql);
  // As exec(sql), but errors read "<what>: <sqlite message>" rather than quoting the SQL,
  // for long scripts such as migrations.
  Result<void> exec(std::string_view sql, std::string_view what);
  // Compiles one statement.
  Result<Statement> prepare(std::string_view sql);

  // The rowid of the last successful INSERT on this connection.
  int64_t last_insert_rowid() const;
  // Rows changed by the last INSERT, UPDATE or DELETE on this connection.
  int64_t changes() const;

 private:
  friend class Transaction;
  Database(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}

  sqlite3* db_ = nullptr;
  std::string path_;
};

// A prepared statement. Parameters are numbered from 1, columns from 0 (SQLite's
// convention). Not thread-safe. Move-only.
class Statement {
 public:
  enum class Step { kRow, kDone };

  Statement(Statement&& other) noexcept
      : db_(other.db_), stmt_(std::exchange(other.stmt_, nullptr)), sql_(std::move(other.sql_)) {}
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Errors: kIo for an index out of range or a value too big.
  Result<void> bind_text(int index, std::string_view value);
  Result<void> bind_int64(int index, int64_t value);
  Result<void> bind_null(int index);
  Result<void> bind_blob(int index, std::span<const uint8_t> value);

  // Runs to the next row (kRow: read it with the column getters) or to the end (kDone).
  Result<Step> step();
  // Rewinds the statement and clears its bindings, to run it again.
  void reset();

  // Column getters for the current row. A NULL reads as 0, "" or an empty blob.
  bool column_is_null(int column) const;
  int64_t column_int64(int column) const;
  std::string column_text(int column) const;
  std::vector<uint8_t> column_blob(int column) const;

 private:
  friend class Database;
  Statement(sqlite3* db, sqlite3_stmt* stmt, std::string sql)
      : db_(db), stmt_(stmt), sql_(std::move(sql)) {}
  Result<void> check_bind(int rc, int index);

  sqlite3* db_;
  sqlite3_stmt* stmt_;
  std::string sql_;  // shortened, for error messages
};

// Transaction (the conventions' SqliteTxn): BEGIN IMMEDIATE on create(), so the write lock
// is taken up front and waits out the busy timeout there, rather than failing mid-way when
// a read turns into a write. Rolls back on destruction unless commit() succeeded. Not
// thread-safe. Move-only.
class Transaction {
 public:
  // Errors: kTimeout when another connection holds the write lock past the busy timeout;
  // kIo otherwise (including a transaction already open on this connection).
  static Result<Transaction> create(Database& db);

  Transaction(Transaction&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();

  // Commits. On error the transaction is rolled back (now or on destruction).
  // Errors: kTimeout, kAlreadyExists (deferred constraint), kIo.
  Result<void> commit();

 private:
  explicit Transaction(sqlite3* db) : db_(db) {}

  sqlite3* db_;  // null once committed or moved from
};

}  // namespace msb::store
