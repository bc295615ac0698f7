// Processes dying, on purpose: a SIGKILLed supervisor (its QEMU goes with it and the record
// reads crashed), a creator that exits (detached sandboxes stay, attached ones stop), kill,
// and replace over a stale record. Each checks the state store stays intact.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include "lifecycle_fixture.h"
#include "os/process_handle.h"

namespace msb::testing {
namespace {

using microsandbox::ErrorKind;
using microsandbox::ExecOutput;
using microsandbox::LogEntry;
using microsandbox::Sandbox;
using microsandbox::SandboxStatus;
using ::testing::IsEmpty;

// SIGKILL to `pid` through a pidfd; true once it is gone.
bool kill_process(int pid) {
  Result<std::optional<os::ProcessHandle>> process = os::ProcessHandle::open(pid, 0);
  if (!process || !*process) return false;
  if (!(*process)->signal(SIGKILL)) return false;
  Result<bool> died = (*process)->wait_exit(std::chrono::seconds(10));
  return died && *died;
}

bool log_has_exec_start(const std::string& name, const std::string& command) {
  for (const LogEntry& entry : Sandbox::connect(name).logs())
    if (entry.stream == "start" && entry.text.find(command) != std::string::npos) return true;
  return false;
}

TEST_F(LifecycleTest, KilledSupervisorTakesQemuAlongAndReadsCrashed) {
  CliResult created = msb({"create", "--name", "c"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  nlohmann::json ps = msb_json({"ps", "c"});
  ASSERT_TRUE(ps.is_array() && ps.size() == 1) << ps.dump();
  int supervisor = ps[0]["last_run"].value("pid", 0);
  EXPECT_EQ(supervisor, supervisor_of("c").pid);
  int qemu = supervisor_of("c").engine_pid;
  ASSERT_TRUE(pid_alive(qemu));

  ASSERT_TRUE(kill_process(supervisor));
  EXPECT_TRUE(wait_until([&] { return !pid_alive(qemu); }, std::chrono::seconds(10)))
      << "QEMU outlived its supervisor";
  EXPECT_EQ(listed_status("c"), "crashed");
  EXPECT_EQ(last_run_reason("c"), "internal-error");
  EXPECT_THAT(Sandbox::get("c").last_error, ::testing::HasSubstr("died"));
  EXPECT_EQ(integrity_check(), "ok");

  CliResult started = msb({"start", "c"});
  ASSERT_EQ(started.exit_code, 0) << started.err;
  EXPECT_EQ(listed_status("c"), "running");
  EXPECT_EQ(Sandbox::connect("c").exec("echo", {"back"}).stdout_data, "back\n");
  CliResult stopped = msb({"stop", "c"});
  EXPECT_EQ(stopped.exit_code, 0) << stopped.err;
  EXPECT_EQ(last_run_reason("c"), "shutdown-requested");
  CliResult removed = msb({"rm", "c"});
  EXPECT_EQ(removed.exit_code, 0) << removed.err;
  EXPECT_EQ(integrity_check(), "ok");
}

TEST_F(LifecycleTest, DetachedSandboxOutlivesItsCreator) {
  CliResult created = msb({"create", "--name", "d"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  EXPECT_EQ(created.out, "d\n");
  EXPECT_EQ(listed_status("d"), "running");
  // What runs for it: its supervisor and QEMU, nothing else (msb itself has exited).
  std::vector<std::string> running = leftover_processes();
  ASSERT_EQ(running.size(), 2u) << ::testing::PrintToString(running);
  EXPECT_THAT(running, ::testing::Contains(::testing::EndsWith(" msb-runtime")));
  EXPECT_THAT(running, ::testing::Contains(
                           ::testing::HasSubstr(on_vm_engine() ? " qemu-system" : " msb-agentd")));
  ExecOutput answer = Sandbox::connect("d").exec("echo", {"alive"});
  EXPECT_EQ(answer.stdout_data, "alive\n");

  CliResult stopped = msb({"stop", "d"});
  EXPECT_EQ(stopped.exit_code, 0) << stopped.err;
  EXPECT_EQ(listed_status("d"), "stopped");
  EXPECT_THAT(leftover_processes(), IsEmpty());
  CliResult removed = msb({"rm", "d"});
  EXPECT_EQ(removed.exit_code, 0) << removed.err;
  EXPECT_EQ(listed_status("d"), "");
}

TEST_F(LifecycleTest, AttachedSandboxStopsWhenItsCreatorIsKilled) {
  os::ChildProcess creator = start_msb({"run", "--name", "a", "--", "sleep", "1000"});
  ASSERT_TRUE(wait_until([&] { return listed_status("a") == "running"; }, kSlow));
  // Kill the creator only once the command runs in the sandbox.
  ASSERT_TRUE(wait_until([] { return log_has_exec_start("a", "sleep"); }, kSlow));
  ASSERT_TRUE(creator.signal(SIGKILL));
  ASSERT_TRUE(creator.wait());

  EXPECT_TRUE(wait_until([] { return Sandbox::get("a").status == SandboxStatus::kStopped; },
                         std::chrono::seconds(30)))
      << "status: " << microsandbox::status_name(Sandbox::get("a").status);
  EXPECT_TRUE(
      wait_until([&] { return leftover_processes(true).empty(); }, std::chrono::seconds(10)));
  EXPECT_EQ(integrity_check(), "ok");
  Sandbox::remove("a");
}

TEST_F(LifecycleTest, KillStopsTheSandboxAtOnce) {
  Sandbox sandbox = sandbox_builder("k").create();
  int qemu = supervisor_of("k").engine_pid;
  ASSERT_TRUE(pid_alive(qemu));
  auto killed_at = std::chrono::steady_clock::now();
  sandbox.kill();
  EXPECT_TRUE(wait_until([] { return Sandbox::get("k").status == SandboxStatus::kStopped; },
                         std::chrono::seconds(5)));
  EXPECT_LT(std::chrono::steady_clock::now() - killed_at, std::chrono::seconds(5));
  EXPECT_EQ(last_run_reason("k"), "signal");
  EXPECT_FALSE(pid_alive(qemu));
  EXPECT_THAT(leftover_processes(true), IsEmpty());
  EXPECT_EQ(integrity_check(), "ok");
  Sandbox::remove("k");
}

TEST_F(LifecycleTest, ReplaceOfAStaleRunningRecordBootsAFreshSandbox) {
  sandbox_builder("r").create_detached();
  runtime::SupervisorRecord old = supervisor_of("r");
  ASSERT_TRUE(kill_process(old.pid));
  EXPECT_TRUE(wait_until([&] { return !pid_alive(old.engine_pid); }, std::chrono::seconds(10)));

  Sandbox fresh = sandbox_builder("r").replace().create();
  EXPECT_EQ(fresh.exec("echo", {"fresh"}).stdout_data, "fresh\n");
  runtime::SupervisorRecord now = supervisor_of("r");
  EXPECT_NE(now.pid, old.pid);
  EXPECT_TRUE(pid_alive(now.engine_pid));
  EXPECT_EQ(Sandbox::get("r").status, SandboxStatus::kRunning);
  EXPECT_EQ(last_run_reason("r"), "");  // a new record: one run, still going
  EXPECT_EQ(integrity_check(), "ok");
  fresh.stop_and_wait();
  Sandbox::remove("r");
}

}  // namespace
}  // namespace msb::testing
