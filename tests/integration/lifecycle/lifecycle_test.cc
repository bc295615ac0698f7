// The life of named sandboxes through the public SDK, on real microVMs: persistence across
// stop/start, start/stop semantics, replace, drain, wait, ephemeral sandboxes, logs and
// label selection.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "lifecycle_fixture.h"
#include "store/database.h"
#include "store/sandbox_records.h"

namespace msb::testing {
namespace {

using microsandbox::ErrorKind;
using microsandbox::ExecOutput;
using microsandbox::LogEntry;
using microsandbox::LogSource;
using microsandbox::Sandbox;
using microsandbox::SandboxInfo;
using microsandbox::SandboxStatus;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::vector<std::string> names_of(const std::vector<SandboxInfo>& infos) {
  std::vector<std::string> names;
  for (const SandboxInfo& info : infos) names.push_back(info.name);
  return names;
}

TEST_F(LifecycleTest, UpperDiskPersistsAcrossStopAndStart) {
  {
    Sandbox sandbox = sandbox_builder("persist").create();
    ExecOutput wrote = sandbox.exec("sh", {"-c", "echo data > /root/f; sync"});
    ASSERT_TRUE(wrote.success()) << wrote.stderr_data;
    // A layer that boots again is synced; only throwaway ones are volatile.
    ExecOutput mounts = sandbox.exec("grep", {" / overlay ", "/proc/mounts"});
    EXPECT_THAT(mounts.stdout_data, HasSubstr("upperdir="));
    EXPECT_THAT(mounts.stdout_data, ::testing::Not(HasSubstr("volatile")));
    sandbox.stop_and_wait();
  }
  EXPECT_EQ(Sandbox::get("persist").status, SandboxStatus::kStopped);
  EXPECT_THAT(leftover_processes(), IsEmpty());

  Sandbox again = Sandbox::start("persist");
  EXPECT_EQ(Sandbox::get("persist").status, SandboxStatus::kRunning);
  EXPECT_EQ(again.exec("cat", {"/root/f"}).stdout_data, "data\n");
  again.stop_and_wait();
  Sandbox::remove("persist");
  EXPECT_FALSE(os::path_exists(sandbox_dir("persist")));
  EXPECT_EQ(error_of([] { Sandbox::get("persist"); }).kind(), ErrorKind::kNotFound);
}

TEST_F(LifecycleTest, StartOfRunningIsStillRunningStopOfStoppedIsANoOp) {
  Sandbox sandbox = sandbox_builder("s").create();
  microsandbox::Error running = error_of([] { Sandbox::start("s"); });
  EXPECT_EQ(running.kind(), ErrorKind::kStillRunning);
  EXPECT_STREQ(running.what(), "cannot start sandbox 's': already running");
  EXPECT_EQ(sandbox.exec("true").exit_code, 0) << "the refused start disturbed the sandbox";

  sandbox.stop_and_wait();
  sandbox.stop_and_wait();
  sandbox.stop();
  Sandbox::connect("s").stop_and_wait();
  EXPECT_EQ(Sandbox::get("s").status, SandboxStatus::kStopped);

  std::string disk = sandbox_dir("s") + (on_vm_engine() ? "/upper.ext4" : "/writable");
  ASSERT_TRUE(os::remove_tree(disk));
  microsandbox::Error no_disk = error_of([] { Sandbox::start("s"); });
  EXPECT_EQ(no_disk.kind(), ErrorKind::kNotFound);
  EXPECT_THAT(no_disk.what(), HasSubstr(disk));
  EXPECT_EQ(Sandbox::get("s").status, SandboxStatus::kStopped);
  Sandbox::remove("s");
}

TEST_F(LifecycleTest, ReplaceOfAStoppedSandboxStartsAFreshOne) {
  {
    Sandbox old = sandbox_builder("r").label("generation", "old").create();
    ASSERT_TRUE(old.shell("echo old > /root/mark; sync").success());
    old.stop_and_wait();
  }
  Sandbox fresh = sandbox_builder("r").label("generation", "new").replace().create();
  EXPECT_EQ(fresh.exec("cat", {"/root/mark"}).exit_code, 1) << "the old upper disk was kept";
  std::vector<SandboxInfo> all = Sandbox::list();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].labels.at("generation"), "new");
  EXPECT_EQ(all[0].status, SandboxStatus::kRunning);
  fresh.stop_and_wait();
  Sandbox::remove("r");
}

TEST_F(LifecycleTest, ReplaceOfARunningSandboxTakesItsVmDown) {
  Sandbox old = sandbox_builder("r").create();
  ASSERT_TRUE(old.shell("echo old > /root/mark; sync").success());
  runtime::SupervisorRecord before = supervisor_of("r");
  ASSERT_TRUE(pid_alive(before.engine_pid));

  Sandbox fresh = sandbox_builder("r").replace(std::chrono::seconds(10)).create();
  EXPECT_FALSE(pid_alive(before.engine_pid)) << "the old QEMU still runs";
  EXPECT_FALSE(pid_alive(before.pid)) << "the old supervisor still runs";
  runtime::SupervisorRecord after = supervisor_of("r");
  EXPECT_NE(after.engine_pid, before.engine_pid);
  EXPECT_TRUE(pid_alive(after.engine_pid));
  EXPECT_EQ(leftover_processes(true).size(), 1u);
  EXPECT_EQ(fresh.exec("cat", {"/root/mark"}).exit_code, 1);
  EXPECT_EQ(Sandbox::list().size(), 1u);
  fresh.stop_and_wait();
  Sandbox::remove("r");
}

TEST_F(LifecycleTest, DrainLetsRunningCommandsFinishRefusesNewOnesThenStops) {
  Sandbox owner = sandbox_builder("d").create();
  std::optional<ExecOutput> slept;
  std::string worker_error;
  std::thread worker([&] {
    try {
      slept = owner.exec("sleep", {"3"});
    } catch (const microsandbox::Error& error) {
      worker_error = error.what();
    }
  });
  // Drain only once the command runs: its start is in the exec log.
  Sandbox other = Sandbox::connect("d");
  bool running = wait_until(
      [&] {
        for (const LogEntry& entry : other.logs())
          if (entry.stream == "start" && entry.text.find("sleep") != std::string::npos) return true;
        return false;
      },
      std::chrono::seconds(30));
  EXPECT_TRUE(running) << "the exec of sleep never started";

  other.drain();
  EXPECT_TRUE(wait_until([] { return Sandbox::get("d").status == SandboxStatus::kDraining; },
                         std::chrono::seconds(2)));
  microsandbox::Error refused = error_of([] { Sandbox::connect("d").exec("true"); });
  EXPECT_EQ(refused.kind(), ErrorKind::kInvalidArgument) << refused.what();
  EXPECT_THAT(refused.what(), HasSubstr("draining"));

  worker.join();
  EXPECT_EQ(worker_error, "");
  ASSERT_TRUE(slept.has_value());
  EXPECT_EQ(slept->exit_code, 0);
  EXPECT_TRUE(wait_until([] { return Sandbox::get("d").status == SandboxStatus::kStopped; },
                         std::chrono::seconds(60)));
  EXPECT_EQ(last_run_reason("d"), "drain-requested");
  Sandbox::remove("d");
}

TEST_F(LifecycleTest, OnlyTheOwnerWaitsAndItsWaitEndsWhenAnotherHandleStops) {
  Sandbox owner = sandbox_builder("w").create();
  Sandbox other = Sandbox::connect("w");
  microsandbox::Error not_owner = error_of([&] { other.wait(); });
  EXPECT_EQ(not_owner.kind(), ErrorKind::kInvalidArgument) << not_owner.what();
  EXPECT_THAT(not_owner.what(), HasSubstr("cannot wait: not the lifecycle owner"));
  EXPECT_TRUE(owner.owns_lifecycle());
  EXPECT_FALSE(other.owns_lifecycle());

  std::future<SandboxInfo> waited = std::async(std::launch::async, [&] { return owner.wait(); });
  EXPECT_EQ(waited.wait_for(std::chrono::seconds(1)), std::future_status::timeout)
      << "wait returned while the sandbox runs";
  other.stop();
  ASSERT_EQ(waited.wait_for(std::chrono::seconds(60)), std::future_status::ready);
  EXPECT_EQ(waited.get().status, SandboxStatus::kStopped);
  EXPECT_EQ(Sandbox::get("w").status, SandboxStatus::kStopped);
  Sandbox::remove("w");
}

TEST_F(LifecycleTest, EphemeralSandboxLeavesNothingWhenItStops) {
  Sandbox sandbox = sandbox_builder("eph").ephemeral().create();
  EXPECT_TRUE(Sandbox::get("eph").ephemeral);
  EXPECT_EQ(sandbox.exec("echo", {"hi"}).stdout_data, "hi\n");
  sandbox.stop_and_wait();
  EXPECT_EQ(error_of([] { Sandbox::get("eph"); }).kind(), ErrorKind::kNotFound);
  EXPECT_FALSE(os::path_exists(sandbox_dir("eph")));
  EXPECT_FALSE(os::path_exists(run_dir("eph")));
  EXPECT_THAT(Sandbox::list(), IsEmpty());
}

TEST_F(LifecycleTest, LogsHoldExecOutputForSdkAndCli) {
  Sandbox sandbox = sandbox_builder("logs").create();
  EXPECT_EQ(sandbox.exec("echo", {"hello"}).stdout_data, "hello\n");
  std::vector<LogEntry> entries = sandbox.logs();
  bool found = false;
  for (const LogEntry& entry : entries) {
    found |=
        entry.source == LogSource::kExec && entry.stream == "stdout" && entry.text == "hello\n";
  }
  EXPECT_TRUE(found) << entries.size() << " entries, none is the exec's stdout";
  EXPECT_EQ(sandbox.logs({.tail = 1}).size(), 1u);
  sandbox.stop_and_wait();

  CliResult printed = msb({"logs", "logs"});
  EXPECT_EQ(printed.exit_code, 0) << printed.err;
  EXPECT_THAT(printed.out, HasSubstr("hello\n"));
  Sandbox::remove("logs");
}

TEST_F(LifecycleTest, ListSelectsByAllGivenLabels) {
  for (auto [name, team, env] : {std::tuple{"l1", "a", "prod"}, std::tuple{"l2", "a", "dev"},
                                 std::tuple{"l3", "b", "prod"}}) {
    sandbox_builder(name).label("team", team).label("env", env).create().stop_and_wait();
  }
  // Newest first.
  EXPECT_THAT(names_of(Sandbox::list()), ElementsAre("l3", "l2", "l1"));
  EXPECT_THAT(names_of(Sandbox::list({{"team", "a"}})), ElementsAre("l2", "l1"));
  EXPECT_THAT(names_of(Sandbox::list({{"team", "a"}, {"env", "prod"}})), ElementsAre("l1"));
  EXPECT_THAT(names_of(Sandbox::list({{"env", "prod"}})), ElementsAre("l3", "l1"));
  std::vector<std::string> listed;
  for (const nlohmann::json& row : msb_json({"ls"})) listed.push_back(row.value("name", ""));
  EXPECT_THAT(listed, ElementsAre("l3", "l2", "l1")) << "msb ls is not newest first";
  EXPECT_THAT(names_of(Sandbox::list({{"team", "c"}})), IsEmpty());
  EXPECT_EQ(Sandbox::get("l2").labels,
            (std::map<std::string, std::string>{{"env", "dev"}, {"team", "a"}}));
  for (const char* name : {"l1", "l2", "l3"}) Sandbox::remove(name);
}

TEST_F(LifecycleTest, MsbLsShowsEverySandboxNewestFirstWhileListGivesOnePage) {
  // Records only (nothing boots): more than one SDK page of them.
  {
    store::Database db = store::Database::open(home() + "/db/msb.db").value();
    for (int i = 0; i < 23; ++i)
      ASSERT_TRUE(store::insert_sandbox(db, {.name = "n" + std::to_string(i), .config_json = "{}"})
                      .has_value());
  }
  std::vector<std::string> listed;
  for (const nlohmann::json& row : msb_json({"ls"})) listed.push_back(row.value("name", ""));
  ASSERT_EQ(listed.size(), 23u);
  EXPECT_EQ(listed.front(), "n22");
  EXPECT_EQ(listed.back(), "n0");
  std::vector<SandboxInfo> page = Sandbox::list();
  ASSERT_EQ(page.size(), 20u);
  EXPECT_EQ(page.front().name, "n22");
  microsandbox::SandboxPage rest =
      Sandbox::list_page({.cursor = Sandbox::list_page({}).next_cursor});
  EXPECT_THAT(names_of(rest.sandboxes), ElementsAre("n2", "n1", "n0"));
  EXPECT_EQ(rest.next_cursor, "");
  for (int i = 0; i < 23; ++i) Sandbox::remove("n" + std::to_string(i));
}

}  // namespace
}  // namespace msb::testing
