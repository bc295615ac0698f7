// Helpers shared by the store unit tests: a private temp dir and a few typed queries.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>

#include "os/file.h"
#include "store/database.h"
#include "store/sandbox_records.h"

namespace msb::store {

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<os::TempDir> dir = os::TempDir::create("msb-store-test-");
    ASSERT_TRUE(dir.has_value()) << dir.error().message;
    dir_.emplace(std::move(*dir));
  }
  std::string db_path() const { return dir_->path() + "/db/msb.db"; }

  Database open_db() {
    Result<Database> db = Database::open(db_path());
    EXPECT_TRUE(db.has_value()) << db.error().message;
    return std::move(*db);
  }

  std::optional<os::TempDir> dir_;
};

// The first column of the first row of `sql`, as text; "<error: ...>" on failure.
inline std::string query_text(Database& db, const std::string& sql) {
  Result<Statement> stmt = db.prepare(sql);
  if (!stmt) return "<error: " + stmt.error().message + ">";
  Result<Statement::Step> step = stmt->step();
  if (!step) return "<error: " + step.error().message + ">";
  if (*step == Statement::Step::kDone) return "<no row>";
  return stmt->column_text(0);
}

inline int64_t query_int(Database& db, const std::string& sql) {
  return std::stoll(query_text(db, sql));
}

// Inserts a sandbox in state 'created' and returns its id.
inline int64_t insert_sandbox(Database& db, const std::string& name) {
  Result<Statement> stmt = db.prepare(
      "INSERT INTO sandbox (name, config_json, status, created_at, updated_at) "
      "VALUES (?1, '{}', 'created', 1, 1)");
  EXPECT_TRUE(stmt.has_value()) << stmt.error().message;
  EXPECT_TRUE(stmt->bind_text(1, name).has_value());
  Result<Statement::Step> step = stmt->step();
  EXPECT_TRUE(step.has_value()) << step.error().message;
  return db.last_insert_rowid();
}

// Inserts sandbox `name` through the typed API and returns its record.
inline SandboxRecord create_sandbox(Database& db, const std::string& name,
                                    std::map<std::string, std::string> labels = {}) {
  Result<SandboxRecord> record = insert_sandbox(
      db, NewSandbox{.name = name, .config_json = "{}", .labels = std::move(labels)});
  EXPECT_TRUE(record.has_value()) << record.error().message;
  return record.value_or(SandboxRecord{});
}

}  // namespace msb::store
