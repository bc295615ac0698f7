// Typed access to the `run` table: one row per msb-runtime supervisor run of a sandbox.
//
// Every function here returns Result and never throws. Besides the kinds named per function,
// each may fail with the errors of Database: kTimeout when another writer holds the lock past
// the busy timeout, kIo for anything else. Thread-safety is that of Database: the functions
// may be called from several threads on one connection, but those that open a Transaction
// (noted below) must not be called while a Transaction is open on the same connection.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "store/database.h"
#include "store/sandbox_records.h"

namespace msb::store {

// Why a run ended, as stored in `run.termination_reason`.
enum class TerminationReason {
  kCompleted,
  kFailed,
  kShutdownRequested,
  kDrainRequested,
  kSignal,
  kInternalError,
};

// The stored spelling: "completed", "failed", "shutdown-requested", "drain-requested",
// "signal", "internal-error". Thread-safe.
std::string_view termination_reason_name(TerminationReason reason);
// The inverse of termination_reason_name. Errors: kInvalidArgument for any other text.
// Thread-safe.
Result<TerminationReason> parse_termination_reason(std::string_view name);

// One row of `run`. The supervisor is named by (pid, pid_start_time): the start time is
// /proc/<pid>/stat field 22, or 0 when unknown. Times are nanoseconds since the Unix epoch.
struct RunRecord {
  int64_t id = 0;
  int64_t sandbox_id = 0;
  int64_t pid = 0;
  uint64_t pid_start_time = 0;
  bool running = true;
  std::optional<int> exit_code;
  std::optional<int> exit_signal;
  std::optional<TerminationReason> reason;  // set exactly when !running
  int64_t started_at_ns = 0;
  std::optional<int64_t> terminated_at_ns;  // set exactly when !running

  bool operator==(const RunRecord&) const = default;
};

// How a run ended, as its supervisor saw it.
struct RunEnd {
  TerminationReason reason;
  std::optional<int> exit_code;
  std::optional<int> exit_signal;
};

// Records that supervisor (pid, pid_start_time) now runs sandbox `sandbox_id`: in one
// transaction, inserts a running run started now and sets the sandbox's status to running
// with its last error cleared. Returns the new run.
// Errors: kNotFound when there is no such sandbox; kStillRunning when the sandbox already
// has a running run ("cannot start sandbox '<name>': already running"; a run left by a dead
// supervisor is cleared by reconcile_sandbox first). Opens a Transaction.
Result<RunRecord> begin_run(Database& db, int64_t sandbox_id, int64_t pid, uint64_t pid_start_time);

// Records how run `run_id` ended: in one transaction, marks it terminated now with `end`,
// and sets its sandbox's status to `final_status` (normally stopped) and last error as in
// set_sandbox_status (nullopt leaves it). Idempotent: when the run has terminated already
// (first end wins, e.g. reconcile got there first), nothing changes, not the sandbox either,
// and the call succeeds. Errors: kNotFound when there is no such run. Opens a Transaction.
Result<void> end_run(Database& db, int64_t run_id, const RunEnd& end, SandboxStatus final_status,
                     std::optional<std::string> last_error = std::nullopt);

// The running run of sandbox `sandbox_id`, or nullopt when it has none (or there is no such
// sandbox).
Result<std::optional<RunRecord>> running_run(Database& db, int64_t sandbox_id);

// The most recently begun run of sandbox `sandbox_id`, running or not, or nullopt when it
// has none (or there is no such sandbox).
Result<std::optional<RunRecord>> latest_run(Database& db, int64_t sandbox_id);

// Every run of sandbox `sandbox_id`, oldest first; empty when it has none (or there is no
// such sandbox).
Result<std::vector<RunRecord>> runs_of(Database& db, int64_t sandbox_id);

}  // namespace msb::store
