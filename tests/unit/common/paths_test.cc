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

}  // namespace
}  // namespace msb
