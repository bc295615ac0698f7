#include "common/paths.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <string>

#include "scoped_env.h"

namespace msb {
namespace {

using ::msb::testing::ScopedEnv;

TEST(Paths, MsbHomeComesFromTheEnvironment) {
  ScopedEnv home("MSB_HOME", "/var/tmp/msb-test-home");
  EXPECT_EQ(msb_home(), "/var/tmp/msb-test-home");
}

TEST(Paths, MsbHomeDefaultsUnderHome) {
  ScopedEnv msb_home_env("MSB_HOME", std::nullopt);
  ScopedEnv home("HOME", "/home/tester");
  EXPECT_EQ(msb_home(), "/home/tester/.microsandbox");
}

TEST(Paths, EmptyMsbHomeCountsAsUnset) {
  ScopedEnv msb_home_env("MSB_HOME", "");
  ScopedEnv home("HOME", "/home/tester");
  EXPECT_EQ(msb_home(), "/home/tester/.microsandbox");
}

TEST(Paths, MissingHomeFallsBackToRoot) {
  ScopedEnv msb_home_env("MSB_HOME", std::nullopt);
  ScopedEnv home("HOME", std::nullopt);
  EXPECT_EQ(msb_home(), "/root/.microsandbox");
}

TEST(Paths, RunDirIsUnderMsbHome) {
  ScopedEnv home("MSB_HOME", "/srv/msb");
  EXPECT_EQ(msb_run_dir(), "/srv/msb/run");
}

TEST(Paths, DbPathIsUnderMsbHome) {
  ScopedEnv home("MSB_HOME", "/srv/msb");
  EXPECT_EQ(msb_db_path(), "/srv/msb/db/msb.db");
}

TEST(Paths, DbPathFollowsTheHomeDefault) {
  ScopedEnv msb_home_env("MSB_HOME", std::nullopt);
  ScopedEnv home("HOME", "/home/tester");
  EXPECT_EQ(msb_db_path(), "/home/tester/.microsandbox/db/msb.db");
}

TEST(Paths, SandboxPathsLayout) {
  SandboxPaths paths = sandbox_paths("/srv/msb", "web-1");
  EXPECT_EQ(paths.dir, "/srv/msb/sandboxes/web-1");
  EXPECT_EQ(paths.upper_disk, "/srv/msb/sandboxes/web-1/upper.ext4");
  EXPECT_EQ(paths.logs, "/srv/msb/sandboxes/web-1/logs");
  EXPECT_EQ(paths.console_log, "/srv/msb/sandboxes/web-1/logs/console.log");
  EXPECT_EQ(paths.runtime_log, "/srv/msb/sandboxes/web-1/logs/runtime.log");
  EXPECT_EQ(paths.exec_log, "/srv/msb/sandboxes/web-1/logs/exec.log");
  EXPECT_EQ(paths.boot_error, "/srv/msb/sandboxes/web-1/logs/boot-error.json");
  EXPECT_EQ(paths.run_dir, "/srv/msb/run/web-1");
  EXPECT_EQ(paths.agent_socket, "/srv/msb/run/web-1/agent.sock");
  EXPECT_EQ(paths.supervisor_file, "/srv/msb/run/web-1/supervisor.json");
}

TEST(Paths, SandboxPathsIgnoreTheEnvironment) {
  ScopedEnv home("MSB_HOME", "/elsewhere");
  SandboxPaths paths = sandbox_paths("/srv/msb", "a");
  EXPECT_EQ(paths.dir, "/srv/msb/sandboxes/a");
  EXPECT_EQ(paths.run_dir, "/srv/msb/run/a");
}

TEST(Paths, SandboxRunDirIsUnderMsbRunDir) {
  ScopedEnv home("MSB_HOME", "/srv/msb");
  EXPECT_EQ(sandbox_paths(msb_home(), "box").run_dir, msb_run_dir() + "/box");
}

}  // namespace
}  // namespace msb
