#include "store/migrations.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "os/file.h"
#include "store/database.h"
#include "store_test_util.h"

namespace msb::store {
namespace {

using MigrationsTest = StoreTest;

// The schema version of a store opened by this binary.
int latest_version() { return static_cast<int>(builtin_migrations().size()); }

TEST_F(MigrationsTest, BuiltinMigrationsAreNumberedFromOne) {
  std::span<const Migration> migrations = builtin_migrations();
  ASSERT_FALSE(migrations.empty());
  for (size_t i = 0; i < migrations.size(); ++i) {
    EXPECT_EQ(migrations[i].version, static_cast<int>(i) + 1);
    EXPECT_FALSE(migrations[i].name.empty());
  }
  EXPECT_EQ(migrations[0].name, "initial");
  EXPECT_NE(migrations[0].sql.find("CREATE TABLE sandbox ("), std::string_view::npos);
}

TEST_F(MigrationsTest, OpenAppliesTheInitialSchema) {
  Database db = open_db();
  EXPECT_EQ(schema_version(db).value(), latest_version());
  EXPECT_EQ(query_text(db,
                       "SELECT group_concat(name, ' ') FROM (SELECT name FROM sqlite_schema "
                       "WHERE type = 'table' ORDER BY name)"),
            "image_config image_ref layer manifest manifest_layer run sandbox sandbox_label "
            "sandbox_rootfs snapshot volume volume_label");
}

TEST_F(MigrationsTest, ReopenIsANoOp) {
  {
    Database db = open_db();
    insert_sandbox(db, "job");
  }
  Database db = open_db();
  EXPECT_EQ(schema_version(db).value(), latest_version());
  EXPECT_EQ(query_text(db, "SELECT name FROM sandbox"), "job");
}

TEST_F(MigrationsTest, NewerSchemaIsRefusedAndLeftUntouched) {
  {
    Database db = open_db();
    insert_sandbox(db, "job");
    ASSERT_TRUE(db.exec("PRAGMA user_version = 7").has_value());
  }
  std::string before = os::read_file(db_path()).value();

  Result<Database> db = Database::open(db_path());
  ASSERT_FALSE(db.has_value());
  EXPECT_EQ(db.error().kind, ErrorKind::kUnsupported);
  EXPECT_EQ(db.error().message,
            fmt::format("store {}: schema version 7 is newer than this msb supports ({}); "
                        "upgrade msb",
                        db_path(), latest_version()));
  EXPECT_EQ(os::read_file(db_path()).value(), before);
}

TEST_F(MigrationsTest, MigrationsApplyInOrderEachOnce) {
  std::vector<Migration> migrations(builtin_migrations().begin(), builtin_migrations().end());
  int next = static_cast<int>(migrations.size()) + 1;
  migrations.push_back({next, "extra", "CREATE TABLE extra (x INTEGER) STRICT;"});
  migrations.push_back({next + 1, "more", "ALTER TABLE extra ADD COLUMN y TEXT;"});
  {
    Result<Database> db = Database::open(db_path(), kDefaultBusyTimeout, migrations);
    ASSERT_TRUE(db.has_value()) << db.error().message;
    EXPECT_EQ(schema_version(*db).value(), next + 1);
  }
  // Already applied: running them again would fail ("table extra already exists").
  Result<Database> db = Database::open(db_path(), kDefaultBusyTimeout, migrations);
  ASSERT_TRUE(db.has_value()) << db.error().message;
  EXPECT_TRUE(db->exec("INSERT INTO extra VALUES (1, 'a')").has_value());
}

TEST_F(MigrationsTest, Migration3KeepsExistingPinsWithAnUnknownMode) {
  std::span<const Migration> up_to_2 = builtin_migrations().first(2);
  {
    Result<Database> old = Database::open(db_path(), kDefaultBusyTimeout, up_to_2);
    ASSERT_TRUE(old.has_value()) << old.error().message;
    int64_t id = insert_sandbox(*old, "job");
    ASSERT_TRUE(
        old->exec("INSERT INTO image_config VALUES ('sha256:c', '{}');"
                  "INSERT INTO manifest VALUES ('sha256:m', 'oci', 1, '{}', 'sha256:c', 1);")
            .has_value());
    ASSERT_TRUE(old->exec(fmt::format("INSERT INTO sandbox_rootfs VALUES ({}, 'sha256:m')", id))
                    .has_value());
  }
  Database db = open_db();
  EXPECT_EQ(schema_version(db).value(), latest_version());
  EXPECT_EQ(query_text(db,
                       "SELECT manifest_digest || '|' || mode || '|' || "
                       "ifnull(upper_fstype, 'NULL') FROM sandbox_rootfs"),
            "sha256:m||NULL");
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'sandbox_by_created'"),
            1);
}

TEST_F(MigrationsTest, Migration4KeepsExistingVolumesAsDirsWithoutQuotaOrLabels) {
  std::span<const Migration> up_to_3 = builtin_migrations().first(3);
  {
    Result<Database> old = Database::open(db_path(), kDefaultBusyTimeout, up_to_3);
    ASSERT_TRUE(old.has_value()) << old.error().message;
    ASSERT_TRUE(
        old->exec("INSERT INTO volume (name, path, created_at) VALUES ('cache', '/v/cache', 7)")
            .has_value());
  }
  Database db = open_db();
  EXPECT_EQ(schema_version(db).value(), latest_version());
  EXPECT_EQ(query_text(db,
                       "SELECT name || '|' || path || '|' || created_at || '|' || kind || '|' || "
                       "quota_mib || '|' || size_bytes FROM volume"),
            "cache|/v/cache|7|dir|0|0");
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM volume_label"), 0);
}

TEST_F(MigrationsTest, FailingMigrationKeepsThePreviousVersionAndNoPartialTables) {
  { Database db = open_db(); }
  std::vector<Migration> migrations(builtin_migrations().begin(), builtin_migrations().end());
  int next = static_cast<int>(migrations.size()) + 1;
  migrations.push_back(
      {next, "broken", "CREATE TABLE partial (x INTEGER);\nINSERT INTO nope VALUES (1);"});

  Result<Database> failed = Database::open(db_path(), kDefaultBusyTimeout, migrations);
  ASSERT_FALSE(failed.has_value());
  EXPECT_EQ(failed.error().kind, ErrorKind::kIo);
  EXPECT_EQ(failed.error().message,
            fmt::format("store {}: migration {:03}_broken: no such table: nope", db_path(), next));

  Database db = open_db();
  EXPECT_EQ(schema_version(db).value(), next - 1);
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'partial'"), 0);
  EXPECT_EQ(query_text(db, "PRAGMA integrity_check"), "ok");
}

TEST_F(MigrationsTest, FailingFirstMigrationLeavesAnEmptyStore) {
  std::vector<Migration> migrations = {{1, "broken", "CREATE TABLE a (x); SELEKT 1;"}};
  ASSERT_FALSE(Database::open(db_path(), kDefaultBusyTimeout, migrations).has_value());
  Result<Database> db = Database::open(db_path(), kDefaultBusyTimeout, {});
  ASSERT_TRUE(db.has_value()) << db.error().message;
  EXPECT_EQ(schema_version(*db).value(), 0);
  EXPECT_EQ(query_int(*db, "SELECT count(*) FROM sqlite_schema"), 0);
}

}  // namespace
}  // namespace msb::store
