#include "store/migrations.h"

#include "store/database.h"
#include "store/embedded_migrations.h"

namespace msb::store {
namespace {

Result<void> apply(Database& db, const Migration& migration) {
  Transaction txn = MSB_TRY(Transaction::create(db));
  // Another process may have applied it between our read and our taking the write lock.
  int current = MSB_TRY(schema_version(db));
  if (current >= migration.version) return {};
  std::string what =
      fmt::format("store {}: migration {:03}_{}", db.path(), migration.version, migration.name);
  MSB_TRY(db.exec(migration.sql, what));
  // PRAGMA takes no bound parameters; the version is our own integer.
  MSB_TRY(db.exec(fmt::format("PRAGMA user_version = {}", migration.version), what));
  return txn.commit();
}

}  // namespace

std::span<const Migration> builtin_migrations() { return kEmbeddedMigrations; }

Result<int> schema_version(Database& db) {
  Statement stmt = MSB_TRY(db.prepare("PRAGMA user_version"));
  Statement::Step step = MSB_TRY(stmt.step());
  MSB_CHECK(step == Statement::Step::kRow);
  return static_cast<int>(stmt.column_int64(0));
}

Result<void> migrate(Database& db, std::span<const Migration> migrations) {
  for (size_t i = 0; i < migrations.size(); ++i) {
    MSB_CHECK(migrations[i].version == static_cast<int>(i) + 1);
  }
  int supported = static_cast<int>(migrations.size());
  // Read before taking any lock: a newer schema is refused without writing to it.
  int current = MSB_TRY(schema_version(db));
  if (current > supported) {
    return err(ErrorKind::kUnsupported,
               "store {}: schema version {} is newer than this msb supports ({}); upgrade msb",
               db.path(), current, supported);
  }
  for (const Migration& migration : migrations.subspan(current)) {
    MSB_TRY(apply(db, migration));
  }
  return {};
}

}  // namespace msb::store
