#include "store/volume_records.h"

#include <array>
#include <limits>
#include <utility>

#include "os/clock.h"

namespace msb::store {
namespace {

constexpr std::array<std::pair<VolumeKind, std::string_view>, 2> kKindNames = {{
    {VolumeKind::kDir, "dir"},
    {VolumeKind::kDisk, "disk"},
}};

// Columns 0-6 are the volume, 7-8 one of its labels (NULL when it has none). Ordering by
// name keeps the rows of one volume together.
constexpr std::string_view kSelectVolumes =
    "SELECT v.id, v.name, v.kind, v.path, v.quota_mib, v.size_bytes, v.created_at, l.key, "
    "l.value FROM volume AS v LEFT JOIN volume_label AS l ON l.volume_id = v.id ";

tl::unexpected<Error> no_such_volume(std::string_view name) {
  return err(ErrorKind::kNotFound, "volume '{}' not found", name);
}

Result<VolumeRecord> read_volume_columns(const Statement& stmt) {
  VolumeRecord record;
  record.id = stmt.column_int64(0);
  record.name = stmt.column_text(1);
  record.kind =
      MSB_TRY(parse_volume_kind(stmt.column_text(2)).context("store: volume '{}'", record.name));
  record.path = stmt.column_text(3);
  // The table's CHECKs keep both non-negative.
  record.quota_mib = static_cast<uint64_t>(stmt.column_int64(4));
  record.size_bytes = static_cast<uint64_t>(stmt.column_int64(5));
  record.created_at_ns = stmt.column_int64(6);
  return record;
}

// Reads the rows of a kSelectVolumes query, folding the label rows into their volume.
Result<std::vector<VolumeRecord>> read_volumes(Statement& stmt) {
  std::vector<VolumeRecord> records;
  while (MSB_TRY(stmt.step()) == Statement::Step::kRow) {
    if (records.empty() || records.back().id != stmt.column_int64(0)) {
      records.push_back(MSB_TRY(read_volume_columns(stmt)));
    }
    if (!stmt.column_is_null(7)) {
      records.back().labels.emplace(stmt.column_text(7), stmt.column_text(8));
    }
  }
  return records;
}

Result<void> insert_labels(Database& db, int64_t volume_id,
                           const std::map<std::string, std::string>& labels) {
  if (labels.empty()) return {};
  Statement insert =
      MSB_TRY(db.prepare("INSERT INTO volume_label (volume_id, key, value) VALUES (?1, ?2, ?3)"));
  for (const auto& [key, value] : labels) {
    insert.reset();
    MSB_TRY(insert.bind_int64(1, volume_id));
    MSB_TRY(insert.bind_text(2, key));
    MSB_TRY(insert.bind_text(3, value));
    MSB_TRY(insert.step());
  }
  return {};
}

Result<int64_t> stored_count(std::string_view what, uint64_t value) {
  if (value > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
    return err(ErrorKind::kInvalidArgument, "volume {} {} is too large", what, value);
  return static_cast<int64_t>(value);
}

}  // namespace

std::string_view volume_kind_name(VolumeKind kind) {
  for (const auto& [value, name] : kKindNames) {
    if (value == kind) return name;
  }
  MSB_CHECK(false && "unknown VolumeKind");
  return {};
}

Result<VolumeKind> parse_volume_kind(std::string_view name) {
  for (const auto& [value, known] : kKindNames) {
    if (known == name) return value;
  }
  return err(ErrorKind::kInvalidArgument, "unknown volume kind '{}' (expected dir or disk)", name);
}

Result<VolumeRecord> insert_volume(Database& db, const NewVolume& volume) {
  int64_t quota_mib = MSB_TRY(stored_count("quota", volume.quota_mib));
  int64_t size_bytes = MSB_TRY(stored_count("size", volume.size_bytes));
  Transaction txn = MSB_TRY(Transaction::create(db));
  Statement insert =
      MSB_TRY(db.prepare("INSERT INTO volume (name, path, created_at, kind, quota_mib, size_bytes) "
                         "VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id"));
  int64_t now = static_cast<int64_t>(os::realtime_ns());
  MSB_TRY(insert.bind_text(1, volume.name));
  MSB_TRY(insert.bind_text(2, volume.path));
  MSB_TRY(insert.bind_int64(3, now));
  MSB_TRY(insert.bind_text(4, volume_kind_name(volume.kind)));
  MSB_TRY(insert.bind_int64(5, quota_mib));
  MSB_TRY(insert.bind_int64(6, size_bytes));
  Result<Statement::Step> step = insert.step();
  if (!step && step.error().kind == ErrorKind::kAlreadyExists)
    return err(ErrorKind::kAlreadyExists, "volume '{}' already exists", volume.name);
  Statement::Step returned = MSB_TRY(std::move(step));
  MSB_CHECK(returned == Statement::Step::kRow);
  VolumeRecord record{.id = insert.column_int64(0),
                      .name = volume.name,
                      .kind = volume.kind,
                      .path = volume.path,
                      .quota_mib = volume.quota_mib,
                      .size_bytes = volume.size_bytes,
                      .created_at_ns = now,
                      .labels = volume.labels};
  MSB_TRY(insert.step());
  MSB_TRY(insert_labels(db, record.id, volume.labels));
  MSB_TRY(txn.commit());
  return record;
}

Result<std::optional<VolumeRecord>> find_volume(Database& db, std::string_view name) {
  Statement select =
      MSB_TRY(db.prepare(std::string(kSelectVolumes) + "WHERE v.name = ?1 ORDER BY l.key"));
  MSB_TRY(select.bind_text(1, name));
  std::vector<VolumeRecord> records = MSB_TRY(read_volumes(select));
  if (records.empty()) return std::nullopt;
  return std::move(records.front());
}

Result<VolumeRecord> get_volume(Database& db, std::string_view name) {
  std::optional<VolumeRecord> record = MSB_TRY(find_volume(db, name));
  if (!record) return no_such_volume(name);
  return std::move(*record);
}

Result<std::vector<VolumeRecord>> list_volumes(Database& db) {
  Statement select =
      MSB_TRY(db.prepare(std::string(kSelectVolumes) + "ORDER BY v.name, v.id, l.key"));
  return read_volumes(select);
}

Result<void> delete_volume(Database& db, std::string_view name) {
  Statement remove = MSB_TRY(db.prepare("DELETE FROM volume WHERE name = ?1 RETURNING id"));
  MSB_TRY(remove.bind_text(1, name));
  // An autocommit DELETE ... RETURNING commits only once stepped to its end.
  Statement::Step first = MSB_TRY(remove.step());
  if (first == Statement::Step::kDone) return no_such_volume(name);
  while (MSB_TRY(remove.step()) == Statement::Step::kRow) {
  }
  return {};
}

}  // namespace msb::store
