#include "store/reconcile.h"

#include <optional>
#include <utility>

#include "os/clock.h"
#include "os/process_stat.h"
#include "store/sandbox_records.h"

namespace msb::store {
namespace {

// A running run, as far as reconciling needs it.
struct LiveRun {
  int64_t id = 0;
  int64_t pid = 0;
  uint64_t start_time = 0;
};

// A sandbox that reads running or draining, with its running run if it has one.
struct Candidate {
  int64_t sandbox_id = 0;
  std::string name;
  std::string status;
  std::optional<LiveRun> run;
};

// Candidates in name order: all of them, or only the one named `name`.
Result<std::vector<Candidate>> read_candidates(Database& db, std::optional<std::string_view> name) {
  std::string sql =
      "SELECT s.id, s.name, s.status, r.id, r.pid, r.pid_start_time FROM sandbox AS s "
      "LEFT JOIN run AS r ON r.sandbox_id = s.id AND r.status = 'running' "
      "WHERE s.status IN ('running', 'draining')";
  if (name.has_value()) sql += " AND s.name = ?1";
  sql += " ORDER BY s.name";
  Statement select = MSB_TRY(db.prepare(sql));
  if (name.has_value()) MSB_TRY(select.bind_text(1, *name));
  std::vector<Candidate> candidates;
  while (MSB_TRY(select.step()) == Statement::Step::kRow) {
    Candidate candidate{.sandbox_id = select.column_int64(0),
                        .name = select.column_text(1),
                        .status = select.column_text(2)};
    if (!select.column_is_null(3)) {
      candidate.run = LiveRun{.id = select.column_int64(3),
                              .pid = select.column_int64(4),
                              .start_time = static_cast<uint64_t>(select.column_int64(5))};
    }
    candidates.push_back(std::move(candidate));
  }
  return candidates;
}

bool needs_fix(const Candidate& candidate, const ProcessAlive& alive) {
  return !candidate.run.has_value() || !alive(candidate.run->pid, candidate.run->start_time);
}

std::string crash_message(const Candidate& candidate) {
  if (!candidate.run.has_value()) {
    return fmt::format("sandbox was {} but no supervisor run recorded", candidate.status);
  }
  return fmt::format("supervisor (pid {}) died without recording how the sandbox ended",
                     candidate.run->pid);
}

Result<void> terminate_run(Database& db, int64_t run_id) {
  Statement update = MSB_TRY(
      db.prepare("UPDATE run SET status = 'terminated', termination_reason = 'internal-error', "
                 "terminated_at = ?2 WHERE id = ?1"));
  MSB_TRY(update.bind_int64(1, run_id));
  MSB_TRY(update.bind_int64(2, static_cast<int64_t>(os::realtime_ns())));
  MSB_TRY(update.step());
  return {};
}

// Fixes sandbox `name` if, re-read under the write lock, it still needs it: its supervisor
// may have recorded the end, or a new one begun, since the caller looked.
Result<bool> fix_sandbox(Database& db, std::string_view name, const ProcessAlive& alive) {
  Transaction txn = MSB_TRY(Transaction::create(db));
  std::vector<Candidate> current = MSB_TRY(read_candidates(db, name));
  if (current.empty() || !needs_fix(current.front(), alive)) return false;
  const Candidate& candidate = current.front();
  if (candidate.run.has_value()) MSB_TRY(terminate_run(db, candidate.run->id));
  MSB_TRY(set_sandbox_status(db, candidate.sandbox_id, SandboxStatus::kCrashed,
                             crash_message(candidate)));
  MSB_TRY(txn.commit());
  return true;
}

}  // namespace

bool process_alive(int64_t pid, uint64_t start_time) {
  // A zombie still counts (see the header): only its start time is checked.
  return os::ProcessStat::read_started_at(pid, start_time).has_value();
}

Result<std::vector<std::string>> reconcile(Database& db, const ProcessAlive& alive) {
  // A first look without the write lock: in the common case nothing needs fixing, and
  // listing sandboxes should not queue behind (or hold up) writers.
  std::vector<Candidate> candidates = MSB_TRY(read_candidates(db, std::nullopt));
  std::vector<std::string> fixed;
  for (const Candidate& candidate : candidates) {
    if (!needs_fix(candidate, alive)) continue;
    if (MSB_TRY(fix_sandbox(db, candidate.name, alive))) fixed.push_back(candidate.name);
  }
  return fixed;
}

Result<bool> reconcile_sandbox(Database& db, std::string_view name, const ProcessAlive& alive) {
  std::vector<Candidate> candidates = MSB_TRY(read_candidates(db, name));
  if (candidates.empty() || !needs_fix(candidates.front(), alive)) return false;
  return fix_sandbox(db, name, alive);
}

}  // namespace msb::store
