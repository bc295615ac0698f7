#include "store/run_records.h"

#include <array>
#include <utility>

#include "os/clock.h"

namespace msb::store {
namespace {

constexpr std::array<std::pair<TerminationReason, std::string_view>, 6> kReasonNames = {{
    {TerminationReason::kCompleted, "completed"},
    {TerminationReason::kFailed, "failed"},
    {TerminationReason::kShutdownRequested, "shutdown-requested"},
    {TerminationReason::kDrainRequested, "drain-requested"},
    {TerminationReason::kSignal, "signal"},
    {TerminationReason::kInternalError, "internal-error"},
}};

constexpr std::string_view kSelectRuns =
    "SELECT id, sandbox_id, pid, pid_start_time, status, exit_code, exit_signal, "
    "termination_reason, started_at, terminated_at FROM run WHERE sandbox_id = ?1 ";

int64_t now_ns() { return static_cast<int64_t>(os::realtime_ns()); }

std::optional<int> optional_int(const Statement& stmt, int column) {
  if (stmt.column_is_null(column)) return std::nullopt;
  return static_cast<int>(stmt.column_int64(column));
}

Result<void> bind_optional(Statement& stmt, int index, std::optional<int> value) {
  if (!value.has_value()) return stmt.bind_null(index);
  return stmt.bind_int64(index, *value);
}

Result<RunRecord> read_run(const Statement& stmt) {
  RunRecord run;
  run.id = stmt.column_int64(0);
  run.sandbox_id = stmt.column_int64(1);
  run.pid = stmt.column_int64(2);
  run.pid_start_time = static_cast<uint64_t>(stmt.column_int64(3));
  run.running = stmt.column_text(4) == "running";
  run.exit_code = optional_int(stmt, 5);
  run.exit_signal = optional_int(stmt, 6);
  if (!stmt.column_is_null(7)) {
    run.reason =
        MSB_TRY(parse_termination_reason(stmt.column_text(7)).context("store: run {}", run.id));
  }
  run.started_at_ns = stmt.column_int64(8);
  if (!stmt.column_is_null(9)) run.terminated_at_ns = stmt.column_int64(9);
  return run;
}

// Runs kSelectRuns followed by `tail` for `sandbox_id` and reads every row.
Result<std::vector<RunRecord>> select_runs(Database& db, int64_t sandbox_id,
                                           std::string_view tail) {
  Statement select = MSB_TRY(db.prepare(std::string(kSelectRuns) + std::string(tail)));
  MSB_TRY(select.bind_int64(1, sandbox_id));
  std::vector<RunRecord> runs;
  while (MSB_TRY(select.step()) == Statement::Step::kRow) {
    runs.push_back(MSB_TRY(read_run(select)));
  }
  return runs;
}

Result<std::optional<RunRecord>> select_one_run(Database& db, int64_t sandbox_id,
                                                std::string_view tail) {
  std::vector<RunRecord> runs = MSB_TRY(select_runs(db, sandbox_id, tail));
  if (runs.empty()) return std::nullopt;
  return std::move(runs.front());
}

// The name of sandbox `sandbox_id`; kNotFound when there is none.
Result<std::string> sandbox_name(Database& db, int64_t sandbox_id) {
  Statement select = MSB_TRY(db.prepare("SELECT name FROM sandbox WHERE id = ?1"));
  MSB_TRY(select.bind_int64(1, sandbox_id));
  if (MSB_TRY(select.step()) == Statement::Step::kDone) {
    return err(ErrorKind::kNotFound, "store: no sandbox with id {}", sandbox_id);
  }
  return select.column_text(0);
}

Result<int64_t> insert_running_run(Database& db, int64_t sandbox_id, int64_t pid,
                                   uint64_t pid_start_time, int64_t now) {
  Statement insert =
      MSB_TRY(db.prepare("INSERT INTO run (sandbox_id, pid, pid_start_time, status, started_at) "
                         "VALUES (?1, ?2, ?3, 'running', ?4) RETURNING id"));
  MSB_TRY(insert.bind_int64(1, sandbox_id));
  MSB_TRY(insert.bind_int64(2, pid));
  MSB_TRY(insert.bind_int64(3, static_cast<int64_t>(pid_start_time)));
  MSB_TRY(insert.bind_int64(4, now));
  Statement::Step step = MSB_TRY(insert.step());
  MSB_CHECK(step == Statement::Step::kRow);
  int64_t run_id = insert.column_int64(0);
  MSB_TRY(insert.step());
  return run_id;
}

}  // namespace

std::string_view termination_reason_name(TerminationReason reason) {
  for (const auto& [value, name] : kReasonNames) {
    if (value == reason) return name;
  }
  MSB_CHECK(false && "unknown TerminationReason");
  return {};
}

Result<TerminationReason> parse_termination_reason(std::string_view name) {
  for (const auto& [value, known] : kReasonNames) {
    if (known == name) return value;
  }
  return err(ErrorKind::kInvalidArgument, "unknown termination reason '{}'", name);
}

Result<RunRecord> begin_run(Database& db, int64_t sandbox_id, int64_t pid,
                            uint64_t pid_start_time) {
  Transaction txn = MSB_TRY(Transaction::create(db));
  std::string name = MSB_TRY(sandbox_name(db, sandbox_id));
  int64_t now = now_ns();
  Result<int64_t> run_id = insert_running_run(db, sandbox_id, pid, pid_start_time, now);
  // The partial unique index run_running_by_sandbox allows one running run per sandbox.
  if (!run_id && run_id.error().kind == ErrorKind::kAlreadyExists) {
    return err(ErrorKind::kStillRunning, "cannot start sandbox '{}': already running", name);
  }
  RunRecord run{.id = MSB_TRY(std::move(run_id)),
                .sandbox_id = sandbox_id,
                .pid = pid,
                .pid_start_time = pid_start_time,
                .started_at_ns = now};
  MSB_TRY(set_sandbox_status(db, sandbox_id, SandboxStatus::kRunning, ""));
  MSB_TRY(txn.commit());
  return run;
}

Result<void> end_run(Database& db, int64_t run_id, const RunEnd& end, SandboxStatus final_status,
                     std::optional<std::string> last_error) {
  Transaction txn = MSB_TRY(Transaction::create(db));
  Statement select = MSB_TRY(db.prepare("SELECT sandbox_id, status FROM run WHERE id = ?1"));
  MSB_TRY(select.bind_int64(1, run_id));
  if (MSB_TRY(select.step()) == Statement::Step::kDone) {
    return err(ErrorKind::kNotFound, "store: no run with id {}", run_id);
  }
  int64_t sandbox_id = select.column_int64(0);
  // First end wins: the sandbox may have been reconciled, or even started again, since.
  if (select.column_text(1) != "running") return {};

  Statement update =
      MSB_TRY(db.prepare("UPDATE run SET status = 'terminated', exit_code = ?2, exit_signal = ?3, "
                         "termination_reason = ?4, terminated_at = ?5 WHERE id = ?1"));
  MSB_TRY(update.bind_int64(1, run_id));
  MSB_TRY(bind_optional(update, 2, end.exit_code));
  MSB_TRY(bind_optional(update, 3, end.exit_signal));
  MSB_TRY(update.bind_text(4, termination_reason_name(end.reason)));
  MSB_TRY(update.bind_int64(5, now_ns()));
  MSB_TRY(update.step());
  MSB_TRY(set_sandbox_status(db, sandbox_id, final_status, std::move(last_error)));
  return txn.commit();
}

Result<std::optional<RunRecord>> running_run(Database& db, int64_t sandbox_id) {
  return select_one_run(db, sandbox_id, "AND status = 'running'");
}

Result<std::optional<RunRecord>> latest_run(Database& db, int64_t sandbox_id) {
  // A sandbox's run ids grow with every insert, unlike wall-clock start times, which can
  // step back.
  return select_one_run(db, sandbox_id, "ORDER BY id DESC LIMIT 1");
}

Result<std::vector<RunRecord>> runs_of(Database& db, int64_t sandbox_id) {
  return select_runs(db, sandbox_id, "ORDER BY id");
}

}  // namespace msb::store
