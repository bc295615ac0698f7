#include "store/sandbox_records.h"

#include <array>
#include <utility>

#include "os/clock.h"

namespace msb::store {
namespace {

constexpr std::array<std::pair<SandboxStatus, std::string_view>, 6> kStatusNames = {{
    {SandboxStatus::kCreated, "created"},
    {SandboxStatus::kRunning, "running"},
    {SandboxStatus::kDraining, "draining"},
    {SandboxStatus::kPaused, "paused"},
    {SandboxStatus::kStopped, "stopped"},
    {SandboxStatus::kCrashed, "crashed"},
}};

// Columns 0-7 are the sandbox, 8-9 one of its labels (NULL when it has none), from the
// sandbox rows `source` (the table, or a subquery over it). Ordering by name (or by
// created_at, id in lists) keeps the rows of one sandbox together.
std::string select_sandboxes(std::string_view source) {
  return fmt::format(
      "SELECT s.id, s.name, s.config_json, s.status, s.ephemeral, s.last_error, s.created_at, "
      "s.updated_at, l.key, l.value FROM {} AS s "
      "LEFT JOIN sandbox_label AS l ON l.sandbox_id = s.id ",
      source);
}

int64_t now_ns() { return static_cast<int64_t>(os::realtime_ns()); }

tl::unexpected<Error> no_such_sandbox(int64_t sandbox_id) {
  return err(ErrorKind::kNotFound, "store: no sandbox with id {}", sandbox_id);
}

// Runs an UPDATE/DELETE ... RETURNING statement to its end (an autocommit statement commits
// only then) and says whether it touched a row.
Result<bool> step_returning(Statement& stmt) {
  Statement::Step first = MSB_TRY(stmt.step());
  if (first == Statement::Step::kDone) return false;
  while (MSB_TRY(stmt.step()) == Statement::Step::kRow) {
  }
  return true;
}

Result<SandboxRecord> read_sandbox_columns(const Statement& stmt) {
  SandboxRecord record;
  record.id = stmt.column_int64(0);
  record.name = stmt.column_text(1);
  record.config_json = stmt.column_text(2);
  record.status = MSB_TRY(
      parse_sandbox_status(stmt.column_text(3)).context("store: sandbox '{}'", record.name));
  record.ephemeral = stmt.column_int64(4) != 0;
  record.last_error = stmt.column_text(5);
  record.created_at_ns = stmt.column_int64(6);
  record.updated_at_ns = stmt.column_int64(7);
  return record;
}

// Reads the rows of a select_sandboxes() query, folding the label rows into their sandbox.
Result<std::vector<SandboxRecord>> read_sandboxes(Statement& stmt) {
  std::vector<SandboxRecord> records;
  while (MSB_TRY(stmt.step()) == Statement::Step::kRow) {
    if (records.empty() || records.back().id != stmt.column_int64(0)) {
      records.push_back(MSB_TRY(read_sandbox_columns(stmt)));
    }
    if (!stmt.column_is_null(8)) {
      records.back().labels.emplace(stmt.column_text(8), stmt.column_text(9));
    }
  }
  return records;
}

Result<void> insert_labels(Database& db, int64_t sandbox_id,
                           const std::map<std::string, std::string>& labels) {
  if (labels.empty()) return {};
  Statement insert =
      MSB_TRY(db.prepare("INSERT INTO sandbox_label (sandbox_id, key, value) VALUES (?1, ?2, ?3)"));
  for (const auto& [key, value] : labels) {
    insert.reset();
    MSB_TRY(insert.bind_int64(1, sandbox_id));
    MSB_TRY(insert.bind_text(2, key));
    MSB_TRY(insert.bind_text(3, value));
    MSB_TRY(insert.step());
  }
  return {};
}

// The sandboxes matching `label_selector` after `after`, newest first, at most `limit`.
// The limit applies to sandboxes, not to their label rows: it sits in the subquery.
Result<std::vector<SandboxRecord>> select_list(
    Database& db, const std::map<std::string, std::string>& label_selector,
    std::optional<SandboxListKey> after, std::optional<size_t> limit) {
  // One EXISTS per selector pair: a sandbox must carry every one of them.
  std::string where = "WHERE 1";
  int index = 1;
  for (size_t i = 0; i < label_selector.size(); ++i, index += 2) {
    where += fmt::format(
        " AND EXISTS (SELECT 1 FROM sandbox_label AS m WHERE m.sandbox_id = s.id AND m.key = "
        "?{} AND m.value = ?{})",
        index, index + 1);
  }
  if (after) {
    where += fmt::format(" AND (s.created_at < ?{0} OR (s.created_at = ?{0} AND s.id < ?{1}))",
                         index, index + 1);
  }
  std::string sandboxes =
      fmt::format("(SELECT * FROM sandbox AS s {} ORDER BY s.created_at DESC, s.id DESC{})", where,
                  limit ? fmt::format(" LIMIT {}", *limit) : "");
  std::string sql = select_sandboxes(sandboxes) + "ORDER BY s.created_at DESC, s.id DESC, l.key";
  Statement select = MSB_TRY(db.prepare(sql));
  index = 1;
  for (const auto& [key, value] : label_selector) {
    MSB_TRY(select.bind_text(index++, key));
    MSB_TRY(select.bind_text(index++, value));
  }
  if (after) {
    MSB_TRY(select.bind_int64(index, after->created_at_ns));
    MSB_TRY(select.bind_int64(index + 1, after->id));
  }
  return read_sandboxes(select);
}

}  // namespace

std::string_view sandbox_status_name(SandboxStatus status) {
  for (const auto& [value, name] : kStatusNames) {
    if (value == status) return name;
  }
  MSB_CHECK(false && "unknown SandboxStatus");
  return {};
}

Result<SandboxStatus> parse_sandbox_status(std::string_view name) {
  for (const auto& [value, known] : kStatusNames) {
    if (known == name) return value;
  }
  return err(ErrorKind::kInvalidArgument, "unknown sandbox status '{}'", name);
}

Result<SandboxRecord> insert_sandbox(Database& db, const NewSandbox& sandbox) {
  Transaction txn = MSB_TRY(Transaction::create(db));
  Statement insert =
      MSB_TRY(db.prepare("INSERT INTO sandbox (name, config_json, status, ephemeral, created_at, "
                         "updated_at) VALUES (?1, ?2, 'created', ?3, ?4, ?4) RETURNING id"));
  int64_t now = now_ns();
  MSB_TRY(insert.bind_text(1, sandbox.name));
  MSB_TRY(insert.bind_text(2, sandbox.config_json));
  MSB_TRY(insert.bind_int64(3, sandbox.ephemeral ? 1 : 0));
  MSB_TRY(insert.bind_int64(4, now));
  Result<Statement::Step> step = insert.step();
  if (!step && step.error().kind == ErrorKind::kAlreadyExists) {
    return err(ErrorKind::kAlreadyExists,
               "sandbox '{}' already exists; remove it, start the stopped sandbox, or recreate "
               "with replace",
               sandbox.name);
  }
  Statement::Step returned = MSB_TRY(std::move(step));
  MSB_CHECK(returned == Statement::Step::kRow);
  SandboxRecord record{.id = insert.column_int64(0),
                       .name = sandbox.name,
                       .config_json = sandbox.config_json,
                       .ephemeral = sandbox.ephemeral,
                       .created_at_ns = now,
                       .updated_at_ns = now,
                       .labels = sandbox.labels};
  MSB_TRY(insert.step());
  MSB_TRY(insert_labels(db, record.id, sandbox.labels));
  MSB_TRY(txn.commit());
  return record;
}

Result<std::optional<SandboxRecord>> find_sandbox(Database& db, std::string_view name) {
  Statement select =
      MSB_TRY(db.prepare(select_sandboxes("sandbox") + "WHERE s.name = ?1 ORDER BY l.key"));
  MSB_TRY(select.bind_text(1, name));
  std::vector<SandboxRecord> records = MSB_TRY(read_sandboxes(select));
  if (records.empty()) return std::nullopt;
  return std::move(records.front());
}

SandboxListKey list_key_of(const SandboxRecord& record) {
  return SandboxListKey{record.created_at_ns, record.id};
}

Result<std::vector<SandboxRecord>> list_sandboxes(
    Database& db, const std::map<std::string, std::string>& label_selector) {
  return select_list(db, label_selector, std::nullopt, std::nullopt);
}

Result<std::vector<SandboxRecord>> list_sandboxes_after(
    Database& db, const std::map<std::string, std::string>& label_selector,
    std::optional<SandboxListKey> after, size_t limit) {
  MSB_CHECK(limit > 0);
  return select_list(db, label_selector, after, limit);
}

Result<void> set_sandbox_status(Database& db, int64_t sandbox_id, SandboxStatus status,
                                std::optional<std::string> last_error) {
  Statement update =
      MSB_TRY(db.prepare("UPDATE sandbox SET status = ?2, updated_at = ?3, "
                         "last_error = CASE WHEN ?4 THEN ?5 ELSE last_error END "
                         "WHERE id = ?1 RETURNING id"));
  MSB_TRY(update.bind_int64(1, sandbox_id));
  MSB_TRY(update.bind_text(2, sandbox_status_name(status)));
  MSB_TRY(update.bind_int64(3, now_ns()));
  MSB_TRY(update.bind_int64(4, last_error.has_value() ? 1 : 0));
  // An empty error is stored as NULL: "no error".
  if (last_error.has_value() && !last_error->empty()) {
    MSB_TRY(update.bind_text(5, *last_error));
  } else {
    MSB_TRY(update.bind_null(5));
  }
  if (!MSB_TRY(step_returning(update))) return no_such_sandbox(sandbox_id);
  return {};
}

Result<void> set_sandbox_config(Database& db, int64_t sandbox_id, std::string_view config_json) {
  Statement update = MSB_TRY(db.prepare(
      "UPDATE sandbox SET config_json = ?2, updated_at = ?3 WHERE id = ?1 RETURNING id"));
  MSB_TRY(update.bind_int64(1, sandbox_id));
  MSB_TRY(update.bind_text(2, config_json));
  MSB_TRY(update.bind_int64(3, now_ns()));
  if (!MSB_TRY(step_returning(update))) return no_such_sandbox(sandbox_id);
  return {};
}

Result<void> delete_sandbox(Database& db, int64_t sandbox_id) {
  Statement remove = MSB_TRY(db.prepare("DELETE FROM sandbox WHERE id = ?1 RETURNING id"));
  MSB_TRY(remove.bind_int64(1, sandbox_id));
  if (!MSB_TRY(step_returning(remove))) return no_such_sandbox(sandbox_id);
  return {};
}

}  // namespace msb::store
