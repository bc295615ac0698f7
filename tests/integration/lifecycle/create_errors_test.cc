// Creates that must fail, and what they leave: validation creates nothing at all, a name
// in use (or a leftover directory) is never reused, and a failed boot leaves a stopped
// record that says why.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "lifecycle_fixture.h"

namespace msb::testing {
namespace {

using microsandbox::ErrorKind;
using microsandbox::Sandbox;
using microsandbox::SandboxBuilder;
using microsandbox::SandboxInfo;
using microsandbox::SandboxStatus;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

TEST_F(LifecycleTest, ValidationFailuresCreateNothing) {
  struct Case {
    const char* what;
    std::function<SandboxBuilder()> builder;
    const char* message;
  };
  std::vector<Case> cases = {
      {"bad name", [] { return sandbox_builder("a b"); },
       "invalid config: sandbox name must start with an alphanumeric and contain only "
       "alphanumeric, dots, hyphens, and underscores: a b"},
      {"reserved env key", [] { return std::move(sandbox_builder("v").env("MSB_X", "1")); },
       "invalid config: environment variable \"MSB_X\" uses the reserved MSB_ prefix"},
      {"reserved label key", [] { return std::move(sandbox_builder("v").label("sandbox.x", "1")); },
       "invalid config: label key 'sandbox.x' uses reserved prefix 'sandbox.'"},
      {"relative workdir", [] { return std::move(sandbox_builder("v").workdir("tmp")); },
       "invalid config: workdir must be an absolute guest path, got 'tmp'"},
      {"empty hostname", [] { return std::move(sandbox_builder("v").hostname("")); },
       "invalid config: hostname must not be empty"},
      {"long hostname",
       [] { return std::move(sandbox_builder("v").hostname(std::string(65, 'h'))); },
       "invalid config: hostname is too long: 65 bytes (max 64)"},
      {"no cpus", [] { return std::move(sandbox_builder("v").cpus(0)); },
       "invalid config: cpus must be greater than 0"},
      {"no memory", [] { return std::move(sandbox_builder("v").memory_mib(0)); },
       "invalid config: memory must be greater than 0"},
  };
  for (Case& c : cases) {
    microsandbox::Error error = error_of([&] { c.builder().create(); });
    EXPECT_EQ(error.kind(), ErrorKind::kInvalidConfig) << c.what << ": " << error.what();
    EXPECT_THAT(error.what(), ::testing::StartsWith(c.message)) << c.what;
  }

  {
    // A long MSB_HOME and a long name: the agent socket path would not fit sun_path.
    std::string long_home = home() + "/" + std::string(60, 'h');
    ScopedEnv home_env("MSB_HOME", long_home);
    microsandbox::Error error =
        error_of([] { sandbox_builder(std::string(40, 'n')).create_detached(); });
    EXPECT_EQ(error.kind(), ErrorKind::kInvalidConfig) << error.what();
    EXPECT_THAT(error.what(), HasSubstr("is too long for MSB_HOME " + long_home));
    EXPECT_FALSE(os::path_exists(long_home)) << "validation created the MSB_HOME";
  }

  EXPECT_THAT(os::list_dir(home() + "/sandboxes"), IsEmpty());
  EXPECT_THAT(Sandbox::list(), IsEmpty());
  EXPECT_THAT(leftover_processes(), IsEmpty());
}

TEST_F(LifecycleTest, CreatingATakenNameIsAlreadyExists) {
  const char* message =
      "sandbox 'x' already exists; remove it, start the stopped sandbox, or recreate with replace";
  Sandbox sandbox = sandbox_builder("x").label("first", "yes").create();
  microsandbox::Error running = error_of([] { sandbox_builder("x").create(); });
  EXPECT_EQ(running.kind(), ErrorKind::kAlreadyExists);
  EXPECT_STREQ(running.what(), message);
  EXPECT_EQ(sandbox.exec("echo", {"untouched"}).stdout_data, "untouched\n");

  sandbox.stop_and_wait();
  microsandbox::Error stopped = error_of([] { sandbox_builder("x").create(); });
  EXPECT_EQ(stopped.kind(), ErrorKind::kAlreadyExists);
  EXPECT_STREQ(stopped.what(), message);
  SandboxInfo info = Sandbox::get("x");
  EXPECT_EQ(info.status, SandboxStatus::kStopped);
  EXPECT_EQ(info.labels.at("first"), "yes");
  Sandbox::remove("x");
}

// An image the pull step must fail on at once: not stored, and the policy forbids a pull.
constexpr const char* kUnpullable = "example.invalid/never-stored:1";

TEST_F(LifecycleTest, ATakenNameFailsBeforeAnyPull) {
  Sandbox sandbox = sandbox_builder("t").create();
  std::vector<microsandbox::PullProgress> events;
  microsandbox::Error taken = error_of([&] {
    sandbox_builder("t")
        .image(kUnpullable)
        .pull_policy(microsandbox::PullPolicy::kNever)
        .on_pull_progress([&](const microsandbox::PullProgress& event) { events.push_back(event); })
        .create();
  });
  // Had the pull run first, this would be kImageNotFound.
  EXPECT_EQ(taken.kind(), ErrorKind::kAlreadyExists) << taken.what();
  EXPECT_STREQ(taken.what(),
               "sandbox 't' already exists; remove it, start the stopped sandbox, or recreate "
               "with replace");
  EXPECT_TRUE(events.empty()) << "the pull started for a taken name";
  EXPECT_EQ(sandbox.exec("echo", {"untouched"}).stdout_data, "untouched\n");
  sandbox.stop_and_wait();
  Sandbox::remove("t");
}

TEST_F(LifecycleTest, AFailedPullNeverRemovesTheSandboxBeingReplaced) {
  Sandbox sandbox = sandbox_builder("keep").label("generation", "old").create();
  ASSERT_TRUE(sandbox.shell("echo kept > /root/mark; sync").success());
  microsandbox::Error failed = error_of([] {
    sandbox_builder("keep")
        .image(kUnpullable)
        .pull_policy(microsandbox::PullPolicy::kNever)
        .replace()
        .create();
  });
  EXPECT_EQ(failed.kind(), ErrorKind::kImageNotFound) << failed.what();
  SandboxInfo info = Sandbox::get("keep");
  EXPECT_EQ(info.status, SandboxStatus::kRunning);
  EXPECT_EQ(info.labels.at("generation"), "old");
  EXPECT_EQ(sandbox.exec("cat", {"/root/mark"}).stdout_data, "kept\n");
  sandbox.stop_and_wait();
  Sandbox::remove("keep");
}

TEST_F(LifecycleTest, LeftoverDirectoryWithoutRecordIsNeverReused) {
  std::string dir = sandbox_dir("y");
  ASSERT_TRUE(os::make_dirs(dir + "/data"));
  ASSERT_TRUE(os::write_file(dir + "/data/keep.txt", "precious"));

  microsandbox::Error error = error_of([] { sandbox_builder("y").create(); });
  EXPECT_EQ(error.kind(), ErrorKind::kAlreadyExists);
  EXPECT_STREQ(error.what(),
               "sandbox 'y' already exists; remove it, start the stopped sandbox, or recreate "
               "with replace");
  EXPECT_THAT(os::list_dir(dir), ElementsAre("data"));
  EXPECT_THAT(os::list_dir(dir + "/data"), ElementsAre("keep.txt"));
  Result<std::string> kept = os::read_file(dir + "/data/keep.txt");
  EXPECT_TRUE(kept && *kept == "precious");
  EXPECT_THAT(Sandbox::list(), IsEmpty());
  EXPECT_THAT(leftover_processes(), IsEmpty());
  ASSERT_TRUE(os::remove_tree(dir));
}

TEST_F(LifecycleTest, MissingWorkdirFailsCreateAndLeavesTheRecordStopped) {
  microsandbox::Error error = error_of([] { sandbox_builder("wd").workdir("/nope").create(); });
  EXPECT_EQ(error.kind(), ErrorKind::kInvalidConfig) << error.what();
  EXPECT_THAT(error.what(), HasSubstr("workdir does not exist in guest: /nope"));

  // Read at once: when create() has thrown, the failure is already recorded.
  SandboxInfo info = Sandbox::get("wd");
  EXPECT_EQ(info.status, SandboxStatus::kStopped);
  EXPECT_THAT(info.last_error, HasSubstr("workdir does not exist in guest: /nope"));
  EXPECT_THAT(leftover_processes(true), IsEmpty());
  EXPECT_FALSE(os::path_exists(run_dir("wd")));
  Sandbox::remove("wd");
}

TEST_F(LifecycleTest, FailedBootLeavesAStoppedRecordWithTheReason) {
  MSB_SKIP_UNLESS_VM_ENGINE("a guest kernel that cannot boot");
  // A kernel file QEMU cannot load: the guest never boots.
  std::string bogus = home() + "/bogus-vmlinux";
  ASSERT_TRUE(os::write_file(bogus, "this is not a kernel"));
  {
    ScopedEnv kernel("MSB_KERNEL", bogus);
    microsandbox::Error error = error_of([] { sandbox_builder("bf").create(); });
    EXPECT_EQ(error.kind(), ErrorKind::kBootFailed) << error.what();
    EXPECT_THAT(error.what(), HasSubstr("boot failed"));
  }
  SandboxInfo info = Sandbox::get("bf");
  EXPECT_EQ(info.status, SandboxStatus::kStopped);
  EXPECT_THAT(info.last_error, Not(IsEmpty()));
  Result<std::string> report = os::read_file(sandbox_dir("bf") + "/logs/boot-error.json");
  ASSERT_TRUE(report) << "no boot-error.json";
  nlohmann::json json = nlohmann::json::parse(*report, nullptr, false);
  EXPECT_EQ(json.value("kind", ""), "boot-failed") << *report;
  EXPECT_THAT(json.value("message", ""), HasSubstr("boot failed"));
  EXPECT_THAT(leftover_processes(true), IsEmpty());
  EXPECT_EQ(last_run_reason("bf"), "failed");

  // With a real kernel again, the same sandbox boots.
  Sandbox again = Sandbox::start("bf");
  EXPECT_EQ(again.exec("echo", {"up"}).stdout_data, "up\n");
  again.stop_and_wait();
  EXPECT_EQ(Sandbox::get("bf").last_error, "");
  Sandbox::remove("bf");
}

}  // namespace
}  // namespace msb::testing
