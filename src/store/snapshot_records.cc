#include "store/snapshot_records.h"

#include <limits>
#include <utility>

#include "os/clock.h"

namespace msb::store {
namespace {

constexpr std::string_view kSelectSnapshots =
    "SELECT id, name, sandbox_name, path, engine, image_reference, manifest_digest, artifact, "
    "content_digest, size_bytes, created_at FROM snapshot ";

tl::unexpected<Error> no_such_snapshot(std::string_view name) {
  return err(ErrorKind::kNotFound, "snapshot '{}' not found", name);
}

SnapshotRecord read_columns(const Statement& stmt) {
  SnapshotRecord record;
  record.id = stmt.column_int64(0);
  record.name = stmt.column_text(1);
  record.source_sandbox = stmt.column_text(2);
  record.path = stmt.column_text(3);
  record.engine = stmt.column_text(4);
  record.image_reference = stmt.column_text(5);
  record.manifest_digest = stmt.column_text(6);
  record.artifact = stmt.column_text(7);
  record.content_digest = stmt.column_text(8);
  record.size_bytes = static_cast<uint64_t>(stmt.column_int64(9));  // CHECK keeps it >= 0
  record.created_at_ns = stmt.column_int64(10);
  return record;
}

Result<std::vector<SnapshotRecord>> read_all(Statement& stmt) {
  std::vector<SnapshotRecord> records;
  while (MSB_TRY(stmt.step()) == Statement::Step::kRow) records.push_back(read_columns(stmt));
  return records;
}

}  // namespace

Result<SnapshotRecord> insert_snapshot(Database& db, const SnapshotRecord& record) {
  if (record.size_bytes > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
    return err(ErrorKind::kInvalidArgument, "snapshot size {} is too large", record.size_bytes);
  Statement insert = MSB_TRY(db.prepare(
      "INSERT INTO snapshot (name, sandbox_name, path, created_at, engine, image_reference, "
      "manifest_digest, artifact, content_digest, size_bytes) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) RETURNING id"));
  SnapshotRecord stored = record;
  if (stored.created_at_ns == 0) stored.created_at_ns = static_cast<int64_t>(os::realtime_ns());
  MSB_TRY(insert.bind_text(1, stored.name));
  MSB_TRY(insert.bind_text(2, stored.source_sandbox));
  MSB_TRY(insert.bind_text(3, stored.path));
  MSB_TRY(insert.bind_int64(4, stored.created_at_ns));
  MSB_TRY(insert.bind_text(5, stored.engine));
  MSB_TRY(insert.bind_text(6, stored.image_reference));
  MSB_TRY(insert.bind_text(7, stored.manifest_digest));
  MSB_TRY(insert.bind_text(8, stored.artifact));
  MSB_TRY(insert.bind_text(9, stored.content_digest));
  MSB_TRY(insert.bind_int64(10, static_cast<int64_t>(stored.size_bytes)));
  Result<Statement::Step> step = insert.step();
  if (!step && step.error().kind == ErrorKind::kAlreadyExists)
    return err(ErrorKind::kAlreadyExists, "snapshot '{}' already exists", stored.name);
  Statement::Step returned = MSB_TRY(std::move(step));
  MSB_CHECK(returned == Statement::Step::kRow);
  stored.id = insert.column_int64(0);
  MSB_TRY(insert.step());
  return stored;
}

Result<std::optional<SnapshotRecord>> find_snapshot(Database& db, std::string_view name) {
  Statement select = MSB_TRY(db.prepare(std::string(kSelectSnapshots) + "WHERE name = ?1"));
  MSB_TRY(select.bind_text(1, name));
  std::vector<SnapshotRecord> records = MSB_TRY(read_all(select));
  if (records.empty()) return std::nullopt;
  return std::move(records.front());
}

Result<SnapshotRecord> get_snapshot(Database& db, std::string_view name) {
  std::optional<SnapshotRecord> record = MSB_TRY(find_snapshot(db, name));
  if (!record) return no_such_snapshot(name);
  return std::move(*record);
}

Result<std::vector<SnapshotRecord>> list_snapshots(Database& db) {
  Statement select = MSB_TRY(db.prepare(std::string(kSelectSnapshots) + "ORDER BY name"));
  return read_all(select);
}

Result<std::vector<std::string>> snapshots_using_manifest(Database& db,
                                                          std::string_view manifest_digest) {
  Statement select =
      MSB_TRY(db.prepare("SELECT name FROM snapshot WHERE manifest_digest = ?1 ORDER BY name"));
  MSB_TRY(select.bind_text(1, manifest_digest));
  std::vector<std::string> names;
  while (MSB_TRY(select.step()) == Statement::Step::kRow) names.push_back(select.column_text(0));
  return names;
}

Result<void> delete_snapshot(Database& db, std::string_view name) {
  Statement remove = MSB_TRY(db.prepare("DELETE FROM snapshot WHERE name = ?1 RETURNING id"));
  MSB_TRY(remove.bind_text(1, name));
  Statement::Step first = MSB_TRY(remove.step());
  if (first == Statement::Step::kDone) return no_such_snapshot(name);
  while (MSB_TRY(remove.step()) == Statement::Step::kRow) {
  }
  return {};
}

}  // namespace msb::store
