#include "store/reconcile.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "os/child_process.h"
#include "os/system.h"
#include "store/run_records.h"
#include "store/sandbox_records.h"
#include "store_test_util.h"

namespace msb::store {
namespace {

using Reconcile = StoreTest;
using Names = std::vector<std::string>;

bool always_dead(int64_t, uint64_t) { return false; }
bool always_alive(int64_t, uint64_t) { return true; }

// This test process: a supervisor that is certainly alive.
int64_t self_pid() { return os::current_pid(); }
uint64_t self_start_time() { return os::process_start_time(os::current_pid()).value(); }

// The pid and start time of a process that has exited and been reaped.
std::pair<int64_t, uint64_t> dead_process() {
  os::ChildProcess child = os::ChildProcess::spawn({.argv = {"/bin/true"}}).value();
  // Until it is reaped, even an exited child keeps its /proc entry.
  std::optional<uint64_t> start_time = os::process_start_time(child.pid());
  EXPECT_TRUE(start_time.has_value());
  int64_t pid = child.pid();
  EXPECT_TRUE(child.wait().value().success());
  return {pid, start_time.value_or(1)};
}

SandboxRecord sandbox_in(Database& db, const std::string& name) {
  return find_sandbox(db, name).value().value();
}

void expect_store_intact(Database& db) {
  EXPECT_EQ(query_text(db, "PRAGMA integrity_check"), "ok");
  EXPECT_EQ(query_text(db, "PRAGMA foreign_key_check"), "<no row>");
}

TEST(ProcessAlive, TellsALiveProcessFromADeadOneAndAReusedPid) {
  EXPECT_TRUE(process_alive(self_pid(), self_start_time()));
  EXPECT_TRUE(process_alive(self_pid(), 0));
  EXPECT_FALSE(process_alive(self_pid(), self_start_time() + 1));
  auto [pid, start_time] = dead_process();
  EXPECT_FALSE(process_alive(pid, start_time));
  EXPECT_FALSE(process_alive(0, 0));
  EXPECT_FALSE(process_alive(-1, 0));
  EXPECT_FALSE(process_alive(int64_t{1} << 40, 0));
}

TEST_F(Reconcile, DeadSupervisorMakesTheSandboxCrashedAndEndsItsRun) {
  Database db = open_db();
  SandboxRecord sandbox = create_sandbox(db, "job");
  RunRecord run = begin_run(db, sandbox.id, 4242, 99).value();
  std::vector<std::pair<int64_t, uint64_t>> asked;
  auto dead = [&](int64_t pid, uint64_t start_time) {
    asked.emplace_back(pid, start_time);
    return false;
  };

  EXPECT_EQ(reconcile(db, dead).value(), Names{"job"});
  EXPECT_FALSE(asked.empty());
  EXPECT_EQ(asked.front(), (std::pair<int64_t, uint64_t>{4242, 99}));
  SandboxRecord crashed = sandbox_in(db, "job");
  EXPECT_EQ(crashed.status, SandboxStatus::kCrashed);
  EXPECT_EQ(crashed.last_error,
            "supervisor (pid 4242) died without recording how the sandbox ended");
  RunRecord ended = latest_run(db, sandbox.id).value().value();
  EXPECT_EQ(ended.id, run.id);
  EXPECT_FALSE(ended.running);
  EXPECT_EQ(ended.reason, TerminationReason::kInternalError);
  EXPECT_EQ(ended.exit_code, std::nullopt);
  EXPECT_EQ(ended.exit_signal, std::nullopt);
  ASSERT_TRUE(ended.terminated_at_ns.has_value());
  EXPECT_GE(*ended.terminated_at_ns, run.started_at_ns);
  expect_store_intact(db);

  // Fixed once: a second pass finds nothing.
  EXPECT_EQ(reconcile(db, dead).value(), Names{});
}

TEST_F(Reconcile, ARealDeadPidCountsAsDead) {
  Database db = open_db();
  SandboxRecord sandbox = create_sandbox(db, "job");
  auto [pid, start_time] = dead_process();
  ASSERT_TRUE(begin_run(db, sandbox.id, pid, start_time).has_value());
  EXPECT_EQ(reconcile(db).value(), Names{"job"});
  EXPECT_EQ(sandbox_in(db, "job").status, SandboxStatus::kCrashed);
  EXPECT_EQ(running_run(db, sandbox.id).value(), std::nullopt);
  expect_store_intact(db);
}

TEST_F(Reconcile, ALiveSupervisorIsLeftAlone) {
  Database db = open_db();
  SandboxRecord sandbox = create_sandbox(db, "job");
  RunRecord run = begin_run(db, sandbox.id, self_pid(), self_start_time()).value();
  SandboxRecord before = sandbox_in(db, "job");
  EXPECT_EQ(reconcile(db).value(), Names{});
  EXPECT_EQ(reconcile_sandbox(db, "job").value(), false);
  EXPECT_EQ(sandbox_in(db, "job"), before);
  EXPECT_EQ(running_run(db, sandbox.id).value(), run);
  expect_store_intact(db);
}

TEST_F(Reconcile, ALivePidWithAnotherStartTimeCountsAsDead) {
  Database db = open_db();
  SandboxRecord sandbox = create_sandbox(db, "job");
  ASSERT_TRUE(begin_run(db, sandbox.id, self_pid(), self_start_time() + 1).has_value());
  EXPECT_EQ(reconcile(db).value(), Names{"job"});
  EXPECT_EQ(sandbox_in(db, "job").status, SandboxStatus::kCrashed);
}

TEST_F(Reconcile, DrainingSandboxesAreReconciledToo) {
  Database db = open_db();
  SandboxRecord sandbox = create_sandbox(db, "job");
  ASSERT_TRUE(begin_run(db, sandbox.id, 7, 7).has_value());
  ASSERT_TRUE(set_sandbox_status(db, sandbox.id, SandboxStatus::kDraining).has_value());
  EXPECT_EQ(reconcile(db, always_dead).value(), Names{"job"});
  EXPECT_EQ(sandbox_in(db, "job").status, SandboxStatus::kCrashed);
  EXPECT_EQ(latest_run(db, sandbox.id).value()->reason, TerminationReason::kInternalError);
}

TEST_F(Reconcile, RunningWithoutARunRowIsCrashed) {
  Database db = open_db();
  SandboxRecord running = create_sandbox(db, "a");
  SandboxRecord draining = create_sandbox(db, "b");
  ASSERT_TRUE(set_sandbox_status(db, running.id, SandboxStatus::kRunning).has_value());
  ASSERT_TRUE(set_sandbox_status(db, draining.id, SandboxStatus::kDraining).has_value());
  // There is no supervisor to ask about.
  EXPECT_EQ(reconcile(db, always_alive).value(), (Names{"a", "b"}));
  EXPECT_EQ(sandbox_in(db, "a").status, SandboxStatus::kCrashed);
  EXPECT_EQ(sandbox_in(db, "a").last_error, "sandbox was running but no supervisor run recorded");
  EXPECT_EQ(sandbox_in(db, "b").last_error, "sandbox was draining but no supervisor run recorded");
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM run"), 0);
  expect_store_intact(db);
}

TEST_F(Reconcile, OtherStatusesAreNotTouched) {
  Database db = open_db();
  create_sandbox(db, "created");
  SandboxRecord stopped = create_sandbox(db, "stopped");
  SandboxRecord crashed = create_sandbox(db, "crashed");
  ASSERT_TRUE(set_sandbox_status(db, stopped.id, SandboxStatus::kStopped).has_value());
  ASSERT_TRUE(set_sandbox_status(db, crashed.id, SandboxStatus::kCrashed, "old").has_value());
  std::vector<SandboxRecord> before = list_sandboxes(db).value();
  EXPECT_EQ(reconcile(db, always_dead).value(), Names{});
  EXPECT_EQ(list_sandboxes(db).value(), before);
}

TEST_F(Reconcile, OnlyDeadSupervisorsAreFixedAndNamesComeInOrder) {
  Database db = open_db();
  std::set<int64_t> live_pids = {2, 4};
  for (int64_t pid = 1; pid <= 4; ++pid) {
    SandboxRecord sandbox = create_sandbox(db, fmt::format("box-{}", 5 - pid));
    ASSERT_TRUE(begin_run(db, sandbox.id, pid, 0).has_value());
  }
  auto alive = [&](int64_t pid, uint64_t) { return live_pids.contains(pid); };
  EXPECT_EQ(reconcile(db, alive).value(), (Names{"box-2", "box-4"}));
  EXPECT_EQ(sandbox_in(db, "box-1").status, SandboxStatus::kRunning);
  EXPECT_EQ(sandbox_in(db, "box-3").status, SandboxStatus::kRunning);
  EXPECT_EQ(sandbox_in(db, "box-4").status, SandboxStatus::kCrashed);
  expect_store_intact(db);
}

TEST_F(Reconcile, ARunEndedMeanwhileByItsSupervisorIsLeftAsRecorded) {
  Database db = open_db();
  Database supervisor = open_db();
  SandboxRecord sandbox = create_sandbox(db, "job");
  RunRecord run = begin_run(db, sandbox.id, 4242, 1).value();
  // The supervisor records the end between reconcile's first look and its fix.
  int calls = 0;
  auto ends_then_dies = [&](int64_t, uint64_t) {
    if (calls++ == 0) {
      RunEnd end{.reason = TerminationReason::kCompleted, .exit_code = 0};
      EXPECT_TRUE(end_run(supervisor, run.id, end, SandboxStatus::kStopped).has_value());
    }
    return false;
  };
  EXPECT_EQ(reconcile(db, ends_then_dies).value(), Names{});
  EXPECT_EQ(calls, 1);
  SandboxRecord stopped = sandbox_in(db, "job");
  EXPECT_EQ(stopped.status, SandboxStatus::kStopped);
  EXPECT_EQ(stopped.last_error, "");
  EXPECT_EQ(latest_run(db, sandbox.id).value()->reason, TerminationReason::kCompleted);
}

TEST_F(Reconcile, ReconcileSandboxFixesOnlyTheNamedOne) {
  Database db = open_db();
  SandboxRecord job = create_sandbox(db, "job");
  SandboxRecord other = create_sandbox(db, "other");
  ASSERT_TRUE(begin_run(db, job.id, 10, 1).has_value());
  ASSERT_TRUE(begin_run(db, other.id, 11, 1).has_value());

  EXPECT_EQ(reconcile_sandbox(db, "job", always_dead).value(), true);
  EXPECT_EQ(sandbox_in(db, "job").status, SandboxStatus::kCrashed);
  EXPECT_EQ(sandbox_in(db, "other").status, SandboxStatus::kRunning);
  EXPECT_EQ(reconcile_sandbox(db, "job", always_dead).value(), false);
  EXPECT_EQ(reconcile_sandbox(db, "missing", always_dead).value(), false);
  EXPECT_EQ(reconcile_sandbox(db, "other", always_alive).value(), false);
  expect_store_intact(db);
}

TEST_F(Reconcile, AReconciledSandboxCanBeStartedAgain) {
  Database db = open_db();
  SandboxRecord sandbox = create_sandbox(db, "job");
  ASSERT_TRUE(begin_run(db, sandbox.id, 10, 1).has_value());
  EXPECT_EQ(begin_run(db, sandbox.id, 20, 2).error().kind, ErrorKind::kStillRunning);
  ASSERT_TRUE(reconcile_sandbox(db, "job", always_dead).value());
  RunRecord second = begin_run(db, sandbox.id, 20, 2).value();
  EXPECT_EQ(running_run(db, sandbox.id).value(), second);
  EXPECT_EQ(sandbox_in(db, "job").status, SandboxStatus::kRunning);
  EXPECT_EQ(sandbox_in(db, "job").last_error, "");
  EXPECT_EQ(runs_of(db, sandbox.id).value().size(), 2u);
}

}  // namespace
}  // namespace msb::store
