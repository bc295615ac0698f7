#include "store/database.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "os/file.h"
#include "store_test_util.h"

namespace msb::store {
namespace {

using DatabaseTest = StoreTest;

TEST_F(DatabaseTest, OpenCreatesTheFileAndItsParentDirectories) {
  ASSERT_FALSE(os::path_exists(dir_->path() + "/db"));
  Database db = open_db();
  EXPECT_TRUE(os::is_regular_file(db_path()));
  EXPECT_EQ(db.path(), db_path());
}

TEST_F(DatabaseTest, OpenTurnsOnWalForeignKeysAndTheBusyTimeout) {
  Database db = open_db();
  EXPECT_EQ(query_text(db, "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(query_int(db, "PRAGMA foreign_keys"), 1);
  EXPECT_EQ(query_int(db, "PRAGMA synchronous"), 1);  // NORMAL
  EXPECT_EQ(query_int(db, "PRAGMA busy_timeout"), 5000);
}

TEST_F(DatabaseTest, IntegrityCheckIsOk) {
  Database db = open_db();
  EXPECT_EQ(query_text(db, "PRAGMA integrity_check"), "ok");
  EXPECT_EQ(query_text(db, "PRAGMA foreign_key_check"), "<no row>");
}

TEST_F(DatabaseTest, PrepareErrorNamesTheSqlAndTheCause) {
  Database db = open_db();
  Result<Statement> stmt = db.prepare("SELECT *\n  FROM x");
  ASSERT_FALSE(stmt.has_value());
  EXPECT_EQ(stmt.error().kind, ErrorKind::kIo);
  EXPECT_EQ(stmt.error().message, "store: prepare 'SELECT * FROM x': no such table: x");
}

TEST_F(DatabaseTest, ExecErrorNamesTheSql) {
  Database db = open_db();
  Result<void> result = db.exec("DELETE FROM nope");
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().message, "store: exec 'DELETE FROM nope': no such table: nope");
}

TEST_F(DatabaseTest, StatementBindsAndReadsEachType) {
  Database db = open_db();
  ASSERT_TRUE(db.exec("CREATE TEMP TABLE t (i INTEGER, s TEXT, b BLOB, n TEXT)").has_value());
  Statement insert = db.prepare("INSERT INTO t VALUES (?1, ?2, ?3, ?4)").value();
  std::vector<uint8_t> blob = {0, 1, 255};
  ASSERT_TRUE(insert.bind_int64(1, INT64_MIN).has_value());
  ASSERT_TRUE(insert.bind_text(2, std::string_view("a\0b", 3)).has_value());
  ASSERT_TRUE(insert.bind_blob(3, blob).has_value());
  ASSERT_TRUE(insert.bind_null(4).has_value());
  EXPECT_EQ(insert.step().value(), Statement::Step::kDone);
  insert.reset();
  ASSERT_TRUE(insert.bind_int64(1, 7).has_value());
  ASSERT_TRUE(insert.bind_text(2, "").has_value());
  ASSERT_TRUE(insert.bind_blob(3, {}).has_value());
  EXPECT_EQ(insert.step().value(), Statement::Step::kDone);

  Statement select = db.prepare("SELECT i, s, b, n, b IS NULL, s IS NULL FROM t").value();
  ASSERT_EQ(select.step().value(), Statement::Step::kRow);
  EXPECT_EQ(select.column_int64(0), INT64_MIN);
  EXPECT_EQ(select.column_text(1), std::string("a\0b", 3));
  EXPECT_EQ(select.column_blob(2), blob);
  EXPECT_TRUE(select.column_is_null(3));
  EXPECT_EQ(select.column_text(3), "");
  ASSERT_EQ(select.step().value(), Statement::Step::kRow);
  EXPECT_EQ(select.column_int64(0), 7);
  // Empty values stay empty values, not NULL.
  EXPECT_EQ(select.column_int64(4), 0);
  EXPECT_EQ(select.column_int64(5), 0);
  EXPECT_TRUE(select.column_blob(2).empty());
  EXPECT_EQ(select.step().value(), Statement::Step::kDone);
}

TEST_F(DatabaseTest, BindOutOfRangeIsAnError) {
  Database db = open_db();
  Statement stmt = db.prepare("SELECT ?1").value();
  Result<void> result = stmt.bind_int64(2, 1);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().message, "store: bind 2 of 'SELECT ?1': column index out of range");
}

TEST_F(DatabaseTest, DuplicateSandboxNameIsAlreadyExists) {
  Database db = open_db();
  insert_sandbox(db, "job");
  Result<void> again = db.exec(
      "INSERT INTO sandbox (name, config_json, status, created_at, updated_at) "
      "VALUES ('job', '{}', 'created', 2, 2)");
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().kind, ErrorKind::kAlreadyExists);
  EXPECT_NE(again.error().message.find("UNIQUE constraint failed: sandbox.name"), std::string::npos)
      << again.error().message;
}

TEST_F(DatabaseTest, CheckConstraintViolationIsIo) {
  Database db = open_db();
  Result<void> result = db.exec(
      "INSERT INTO sandbox (name, config_json, status, created_at, updated_at) "
      "VALUES ('job', '{}', 'exploded', 1, 1)");
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().kind, ErrorKind::kIo);
}

// Inserts an image (config, one layer, manifest) and pins it to sandbox `sandbox_id`.
void insert_pinned_image(Database& db, int64_t sandbox_id) {
  ASSERT_TRUE(db.exec("INSERT INTO image_config VALUES ('sha256:c', '{}');"
                      "INSERT INTO layer VALUES ('sha256:l', 'sha256:d', 'tar+gzip', 3, NULL);"
                      "INSERT INTO manifest VALUES ('sha256:m', 'oci', 10, '{}', 'sha256:c', 1);"
                      "INSERT INTO manifest_layer VALUES ('sha256:m', 0, 'sha256:l');")
                  .has_value());
  ASSERT_TRUE(db.exec(fmt::format("INSERT INTO sandbox_rootfs (sandbox_id, manifest_digest) "
                                  "VALUES ({}, 'sha256:m')",
                                  sandbox_id))
                  .has_value());
}

TEST_F(DatabaseTest, DeletingASandboxCascadesToLabelsRunsAndRootfsPin) {
  Database db = open_db();
  int64_t id = insert_sandbox(db, "job");
  int64_t other = insert_sandbox(db, "other");
  ASSERT_TRUE(db.exec(fmt::format("INSERT INTO sandbox_label VALUES ({0}, 'a', '1'), ({0}, 'b', "
                                  "'2'), ({1}, 'a', '1');"
                                  "INSERT INTO run (sandbox_id, pid, status, started_at) "
                                  "VALUES ({0}, 42, 'running', 5)",
                                  id, other))
                  .has_value());
  insert_pinned_image(db, id);

  ASSERT_TRUE(db.exec(fmt::format("DELETE FROM sandbox WHERE id = {}", id)).has_value());
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM sandbox_label"), 1);
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM run"), 0);
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM sandbox_rootfs"), 0);
  // The image itself stays; only the pin went.
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM manifest"), 1);
}

TEST_F(DatabaseTest, PinnedManifestCannotBeDeleted) {
  Database db = open_db();
  int64_t id = insert_sandbox(db, "job");
  insert_pinned_image(db, id);
  Result<void> result = db.exec("DELETE FROM manifest WHERE digest = 'sha256:m'");
  ASSERT_FALSE(result.has_value());
  EXPECT_NE(result.error().message.find("FOREIGN KEY constraint failed"), std::string::npos)
      << result.error().message;
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM manifest_layer"), 1);

  ASSERT_TRUE(db.exec("DELETE FROM sandbox_rootfs").has_value());
  ASSERT_TRUE(db.exec("DELETE FROM manifest WHERE digest = 'sha256:m'").has_value());
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM manifest_layer"), 0);
}

TEST_F(DatabaseTest, RunHasATerminationReasonExactlyWhenTerminated) {
  Database db = open_db();
  int64_t id = insert_sandbox(db, "job");
  auto insert_run = [&](std::string_view status, std::string_view reason,
                        std::string_view terminated_at) {
    return db.exec(
        fmt::format("INSERT INTO run (sandbox_id, pid, status, termination_reason, started_at, "
                    "terminated_at) VALUES ({}, 42, {}, {}, 5, {})",
                    id, status, reason, terminated_at));
  };
  EXPECT_FALSE(insert_run("'running'", "'signal'", "NULL").has_value());
  EXPECT_FALSE(insert_run("'terminated'", "NULL", "6").has_value());
  EXPECT_FALSE(insert_run("'terminated'", "'bored'", "6").has_value());
  EXPECT_TRUE(insert_run("'terminated'", "'signal'", "6").has_value());
  EXPECT_TRUE(insert_run("'running'", "NULL", "NULL").has_value());
  // One live supervisor per sandbox.
  Result<void> second = insert_run("'running'", "NULL", "NULL");
  ASSERT_FALSE(second.has_value());
  EXPECT_EQ(second.error().kind, ErrorKind::kAlreadyExists);
}

TEST_F(DatabaseTest, TransactionRollsBackOnDestruction) {
  Database db = open_db();
  {
    Transaction txn = Transaction::create(db).value();
    insert_sandbox(db, "job");
    EXPECT_EQ(query_int(db, "SELECT count(*) FROM sandbox"), 1);
  }
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM sandbox"), 0);
  // The connection is usable for a new transaction.
  Transaction txn = Transaction::create(db).value();
  insert_sandbox(db, "job");
  ASSERT_TRUE(txn.commit().has_value());
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM sandbox"), 1);
}

TEST_F(DatabaseTest, CommittedTransactionIsSeenByAnotherConnection) {
  Database db = open_db();
  Database reader = open_db();
  Transaction txn = Transaction::create(db).value();
  insert_sandbox(db, "job");
  EXPECT_EQ(query_int(reader, "SELECT count(*) FROM sandbox"), 0);
  ASSERT_TRUE(txn.commit().has_value());
  EXPECT_EQ(query_int(reader, "SELECT count(*) FROM sandbox"), 1);
}

TEST_F(DatabaseTest, SecondWriterTimesOutWhileOneHoldsTheWriteLock) {
  Database holder = open_db();
  Result<Database> waiter = Database::open(db_path(), std::chrono::milliseconds(50));
  ASSERT_TRUE(waiter.has_value()) << waiter.error().message;
  Transaction txn = Transaction::create(holder).value();

  auto start = std::chrono::steady_clock::now();
  Result<Transaction> second = Transaction::create(*waiter);
  auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(second.has_value());
  EXPECT_EQ(second.error().kind, ErrorKind::kTimeout);
  EXPECT_EQ(second.error().message, "store: exec 'BEGIN IMMEDIATE': database is locked");
  EXPECT_GE(elapsed, std::chrono::milliseconds(40));
  EXPECT_LT(elapsed, std::chrono::milliseconds(900));
  // Readers are not blocked by the writer (WAL).
  EXPECT_EQ(query_int(*waiter, "SELECT count(*) FROM sandbox"), 0);
}

TEST_F(DatabaseTest, GarbageFileIsRefusedAndLeftUntouched) {
  ASSERT_TRUE(os::make_dirs(dir_->path() + "/db").has_value());
  std::string garbage(8192, 'x');
  ASSERT_TRUE(os::write_file(db_path(), garbage).has_value());

  Result<Database> db = Database::open(db_path());
  ASSERT_FALSE(db.has_value());
  EXPECT_EQ(db.error().kind, ErrorKind::kIo);
  EXPECT_EQ(db.error().message, "store " + db_path() +
                                    ": file is not an SQLite database; it was left untouched: "
                                    "move it aside to start with an empty store");
  EXPECT_EQ(os::read_file(db_path()).value(), garbage);
}

TEST_F(DatabaseTest, UnopenablePathIsAnError) {
  ASSERT_TRUE(os::make_dirs(db_path()).has_value());  // a directory where the file should be
  Result<Database> db = Database::open(db_path());
  ASSERT_FALSE(db.has_value());
  EXPECT_EQ(db.error().kind, ErrorKind::kIo);
  EXPECT_EQ(db.error().message.rfind("store " + db_path() + ": open: ", 0), 0)
      << db.error().message;
}

}  // namespace
}  // namespace msb::store

namespace msb::store {
namespace {

// Switching a fresh file to WAL makes SQLite answer "busy" without waiting: open() must
// retry, or all but one of several first users fail.
TEST(DatabaseOpen, ManyConnectionsOpenAFreshStoreTogether) {
  os::TempDir dir = os::TempDir::create("msb-db-").value();
  for (int round = 0; round < 10; ++round) {
    std::string path = dir.path() + "/fresh-" + std::to_string(round) + "/msb.db";
    std::vector<std::thread> threads;
    std::vector<Result<Database>> opened;
    for (int i = 0; i < 6; ++i) opened.push_back(err(ErrorKind::kInternal, "not run"));
    for (size_t i = 0; i < opened.size(); ++i)
      threads.emplace_back([&, i] { opened[i] = Database::open(path); });
    for (std::thread& thread : threads) thread.join();
    for (const Result<Database>& db : opened)
      EXPECT_TRUE(db.has_value()) << "round " << round << ": " << db.error().message;
  }
}

}  // namespace
}  // namespace msb::store
