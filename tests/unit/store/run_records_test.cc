#include "store/run_records.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "os/clock.h"
#include "store/migrations.h"
#include "store_test_util.h"

namespace msb::store {
namespace {

using RunRecords = StoreTest;

int64_t now_ns() { return static_cast<int64_t>(os::realtime_ns()); }

TEST(TerminationReason, NamesAreTheStoredSpellingsAndParseBack) {
  const std::vector<std::pair<TerminationReason, std::string_view>> expected = {
      {TerminationReason::kCompleted, "completed"},
      {TerminationReason::kFailed, "failed"},
      {TerminationReason::kShutdownRequested, "shutdown-requested"},
      {TerminationReason::kDrainRequested, "drain-requested"},
      {TerminationReason::kSignal, "signal"},
      {TerminationReason::kInternalError, "internal-error"}};
  for (const auto& [reason, name] : expected) {
    EXPECT_EQ(termination_reason_name(reason), name);
    EXPECT_EQ(parse_termination_reason(name).value(), reason);
  }
}

TEST(TerminationReason, ParseRejectsUnknownNames) {
  for (std::string_view name : {"", "Completed", "shutdown_requested", "oom"}) {
    Result<TerminationReason> reason = parse_termination_reason(name);
    ASSERT_FALSE(reason.has_value()) << name;
    EXPECT_EQ(reason.error().kind, ErrorKind::kInvalidArgument);
  }
  EXPECT_EQ(parse_termination_reason("oom").error().message, "unknown termination reason 'oom'");
}

TEST_F(RunRecords, BeginRunRecordsARunningRunAndMarksTheSandboxRunning) {
  Database db = open_db();
  SandboxRecord sandbox = create_sandbox(db, "job");
  ASSERT_TRUE(set_sandbox_status(db, sandbox.id, SandboxStatus::kCrashed, "old").has_value());
  int64_t before = now_ns();
  RunRecord run = begin_run(db, sandbox.id, 4242, 123456).value();
  EXPECT_GT(run.id, 0);
  EXPECT_EQ(run.sandbox_id, sandbox.id);
  EXPECT_EQ(run.pid, 4242);
  EXPECT_EQ(run.pid_start_time, 123456u);
  EXPECT_TRUE(run.running);
  EXPECT_EQ(run.exit_code, std::nullopt);
  EXPECT_EQ(run.exit_signal, std::nullopt);
  EXPECT_EQ(run.reason, std::nullopt);
  EXPECT_GE(run.started_at_ns, before);
  EXPECT_LE(run.started_at_ns, now_ns());
  EXPECT_EQ(run.terminated_at_ns, std::nullopt);

  EXPECT_EQ(running_run(db, sandbox.id).value(), run);
  EXPECT_EQ(latest_run(db, sandbox.id).value(), run);
  SandboxRecord running = find_sandbox(db, "job").value().value();
  EXPECT_EQ(running.status, SandboxStatus::kRunning);
  EXPECT_EQ(running.last_error, "");
}

TEST_F(RunRecords, BeginRunOnAMissingSandboxIsNotFound) {
  Database db = open_db();
  Result<RunRecord> run = begin_run(db, 99, 1, 1);
  ASSERT_FALSE(run.has_value());
  EXPECT_EQ(run.error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(run.error().message, "store: no sandbox with id 99");
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM run"), 0);
}

TEST_F(RunRecords, BeginRunWhileARunIsRunningIsStillRunning) {
  Database db = open_db();
  SandboxRecord sandbox = create_sandbox(db, "job");
  RunRecord first = begin_run(db, sandbox.id, 100, 1).value();
  ASSERT_TRUE(set_sandbox_status(db, sandbox.id, SandboxStatus::kDraining, "x").has_value());

  Result<RunRecord> second = begin_run(db, sandbox.id, 200, 2);
  ASSERT_FALSE(second.has_value());
  EXPECT_EQ(second.error().kind, ErrorKind::kStillRunning);
  EXPECT_EQ(second.error().message, "cannot start sandbox 'job': already running");
  EXPECT_EQ(runs_of(db, sandbox.id).value(), std::vector<RunRecord>{first});
  // The failed attempt rolled back: the sandbox keeps its status and error.
  SandboxRecord after = find_sandbox(db, "job").value().value();
  EXPECT_EQ(after.status, SandboxStatus::kDraining);
  EXPECT_EQ(after.last_error, "x");
}

TEST_F(RunRecords, EndRunTerminatesTheRunAndSetsTheFinalStatus) {
  Database db = open_db();
  SandboxRecord sandbox = create_sandbox(db, "job");
  RunRecord run = begin_run(db, sandbox.id, 100, 1).value();
  RunEnd end{.reason = TerminationReason::kFailed, .exit_code = 3};
  ASSERT_TRUE(end_run(db, run.id, end, SandboxStatus::kStopped, "exited with 3").has_value());

  RunRecord ended = latest_run(db, sandbox.id).value().value();
  EXPECT_EQ(ended.id, run.id);
  EXPECT_FALSE(ended.running);
  EXPECT_EQ(ended.reason, TerminationReason::kFailed);
  EXPECT_EQ(ended.exit_code, 3);
  EXPECT_EQ(ended.exit_signal, std::nullopt);
  ASSERT_TRUE(ended.terminated_at_ns.has_value());
  EXPECT_GE(*ended.terminated_at_ns, run.started_at_ns);
  EXPECT_EQ(ended.started_at_ns, run.started_at_ns);
  EXPECT_EQ(running_run(db, sandbox.id).value(), std::nullopt);
  SandboxRecord stopped = find_sandbox(db, "job").value().value();
  EXPECT_EQ(stopped.status, SandboxStatus::kStopped);
  EXPECT_EQ(stopped.last_error, "exited with 3");
}

TEST_F(RunRecords, EndRunRecordsASignal) {
  Database db = open_db();
  SandboxRecord sandbox = create_sandbox(db, "job");
  RunRecord run = begin_run(db, sandbox.id, 100, 1).value();
  RunEnd end{.reason = TerminationReason::kSignal, .exit_signal = 9};
  ASSERT_TRUE(end_run(db, run.id, end, SandboxStatus::kCrashed).has_value());
  RunRecord ended = latest_run(db, sandbox.id).value().value();
  EXPECT_EQ(ended.reason, TerminationReason::kSignal);
  EXPECT_EQ(ended.exit_code, std::nullopt);
  EXPECT_EQ(ended.exit_signal, 9);
  EXPECT_EQ(find_sandbox(db, "job").value()->status, SandboxStatus::kCrashed);
  // nullopt left the (cleared by begin_run) error alone.
  EXPECT_EQ(find_sandbox(db, "job").value()->last_error, "");
}

TEST_F(RunRecords, EndRunIsIdempotentAndTheFirstEndWins) {
  Database db = open_db();
  SandboxRecord sandbox = create_sandbox(db, "job");
  RunRecord run = begin_run(db, sandbox.id, 100, 1).value();
  RunEnd first{.reason = TerminationReason::kCompleted, .exit_code = 0};
  ASSERT_TRUE(end_run(db, run.id, first, SandboxStatus::kStopped).has_value());
  RunRecord ended = latest_run(db, sandbox.id).value().value();
  SandboxRecord stopped = find_sandbox(db, "job").value().value();

  RunEnd second{.reason = TerminationReason::kInternalError, .exit_signal = 6};
  ASSERT_TRUE(end_run(db, run.id, second, SandboxStatus::kCrashed, "late").has_value());
  ASSERT_TRUE(end_run(db, run.id, first, SandboxStatus::kStopped).has_value());
  EXPECT_EQ(latest_run(db, sandbox.id).value(), ended);
  EXPECT_EQ(find_sandbox(db, "job").value(), stopped);
}

TEST_F(RunRecords, LateEndOfAnOldRunLeavesANewerRunAlone) {
  Database db = open_db();
  SandboxRecord sandbox = create_sandbox(db, "job");
  RunRecord old_run = begin_run(db, sandbox.id, 100, 1).value();
  RunEnd end{.reason = TerminationReason::kCompleted, .exit_code = 0};
  ASSERT_TRUE(end_run(db, old_run.id, end, SandboxStatus::kStopped).has_value());
  RunRecord new_run = begin_run(db, sandbox.id, 200, 2).value();
  ASSERT_TRUE(end_run(db, old_run.id, end, SandboxStatus::kStopped).has_value());
  EXPECT_EQ(running_run(db, sandbox.id).value(), new_run);
  EXPECT_EQ(find_sandbox(db, "job").value()->status, SandboxStatus::kRunning);
}

TEST_F(RunRecords, EndOfAMissingRunIsNotFound) {
  Database db = open_db();
  Result<void> result =
      end_run(db, 7, RunEnd{.reason = TerminationReason::kCompleted}, SandboxStatus::kStopped);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(result.error().message, "store: no run with id 7");
}

TEST_F(RunRecords, RunsOfListsOldestFirstAndLatestIsTheNewest) {
  Database db = open_db();
  SandboxRecord sandbox = create_sandbox(db, "job");
  SandboxRecord other = create_sandbox(db, "other");
  RunEnd end{.reason = TerminationReason::kShutdownRequested};
  std::vector<int64_t> ids;
  for (int i = 0; i < 3; ++i) {
    RunRecord run = begin_run(db, sandbox.id, 100 + i, 1).value();
    ids.push_back(run.id);
    if (i < 2) {
      ASSERT_TRUE(end_run(db, run.id, end, SandboxStatus::kStopped).has_value());
    }
  }
  RunRecord other_run = begin_run(db, other.id, 500, 5).value();

  std::vector<RunRecord> runs = runs_of(db, sandbox.id).value();
  ASSERT_EQ(runs.size(), 3u);
  for (size_t i = 0; i < runs.size(); ++i) {
    EXPECT_EQ(runs[i].id, ids[i]);
    EXPECT_EQ(runs[i].pid, 100 + static_cast<int64_t>(i));
    EXPECT_EQ(runs[i].running, i == 2);
  }
  EXPECT_EQ(latest_run(db, sandbox.id).value(), runs[2]);
  EXPECT_EQ(running_run(db, sandbox.id).value(), runs[2]);
  EXPECT_EQ(runs_of(db, other.id).value(), std::vector<RunRecord>{other_run});
}

TEST_F(RunRecords, QueriesOfASandboxWithoutRunsAreEmpty) {
  Database db = open_db();
  SandboxRecord sandbox = create_sandbox(db, "job");
  EXPECT_EQ(running_run(db, sandbox.id).value(), std::nullopt);
  EXPECT_EQ(latest_run(db, sandbox.id).value(), std::nullopt);
  EXPECT_TRUE(runs_of(db, sandbox.id).value().empty());
  EXPECT_TRUE(runs_of(db, sandbox.id + 1).value().empty());
}

TEST_F(RunRecords, StartTimesRoundTripBeyond32Bits) {
  Database db = open_db();
  SandboxRecord sandbox = create_sandbox(db, "job");
  uint64_t start_time = (uint64_t{1} << 40) + 5;
  ASSERT_TRUE(begin_run(db, sandbox.id, 4194304, start_time).has_value());
  RunRecord run = running_run(db, sandbox.id).value().value();
  EXPECT_EQ(run.pid, 4194304);
  EXPECT_EQ(run.pid_start_time, start_time);
}

TEST_F(RunRecords, RunsFromBeforeMigration2HaveAnUnknownStartTime) {
  {
    Result<Database> old =
        Database::open(db_path(), kDefaultBusyTimeout, builtin_migrations().first(1));
    ASSERT_TRUE(old.has_value()) << old.error().message;
    int64_t id = insert_sandbox(*old, "job");
    ASSERT_TRUE(old->exec(fmt::format("INSERT INTO run (sandbox_id, pid, status, started_at) "
                                      "VALUES ({}, 42, 'running', 5)",
                                      id))
                    .has_value());
  }
  Database db = open_db();
  EXPECT_GE(schema_version(db).value(), 2);
  RunRecord run = running_run(db, find_sandbox(db, "job").value()->id).value().value();
  EXPECT_EQ(run.pid, 42);
  EXPECT_EQ(run.pid_start_time, 0u);
  EXPECT_EQ(query_text(db, "PRAGMA integrity_check"), "ok");
}

}  // namespace
}  // namespace msb::store
