#include "common/paths.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <string>

namespace msb {
namespace {

// Sets (or unsets, for nullopt) an environment variable and restores it on destruction.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, std::optional<std::string> value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) {
      ::setenv(name, value->c_str(), 1);
    } else {
      ::unsetenv(name);
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

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
