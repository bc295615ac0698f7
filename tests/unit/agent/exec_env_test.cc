#include "agent/exec_env.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "os/file.h"

namespace msb::agent {
namespace {

using Env = std::vector<std::string>;

// A private temp dir with helpers to lay out PATH directories.
class ExecEnvTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<os::TempDir> dir = os::TempDir::create("msb-exec-env-test");
    ASSERT_TRUE(dir.has_value()) << dir.error().message;
    dir_.emplace(std::move(*dir));
  }

  std::string make_dir(const std::string& name) {
    std::string path = dir_->path() + "/" + name;
    EXPECT_TRUE(os::make_dirs(path).has_value());
    return path;
  }

  std::string make_file(const std::string& dir, const std::string& name, int mode) {
    std::string path = dir + "/" + name;
    EXPECT_TRUE(os::write_file(path, "#!/bin/sh\nexit 0\n", mode).has_value());
    return path;
  }

  static protocol::ExecRequest request(std::string cmd, Env env = {}) {
    protocol::ExecRequest request;
    request.cmd = std::move(cmd);
    request.env = std::move(env);
    return request;
  }

  std::optional<os::TempDir> dir_;
};

TEST(MergeEnv, AppendsNewKeysInOrder) {
  EXPECT_EQ(merge_env({"A=1"}, {"B=2", "C=3"}), (Env{"A=1", "B=2", "C=3"}));
  EXPECT_EQ(merge_env({}, {"B=2", "A=1"}), (Env{"B=2", "A=1"}));
  EXPECT_EQ(merge_env({"A=1", "B=2"}, {}), (Env{"A=1", "B=2"}));
}

TEST(MergeEnv, OverrideReplacesInPlace) {
  EXPECT_EQ(merge_env({"A=1", "PATH=/bin", "C=3"}, {"PATH=/opt/bin"}),
            (Env{"A=1", "PATH=/opt/bin", "C=3"}));
}

TEST(MergeEnv, LaterOverrideWins) {
  EXPECT_EQ(merge_env({"A=1"}, {"A=2", "B=x", "A=3", "B=y"}), (Env{"A=3", "B=y"}));
}

TEST(MergeEnv, MatchesWholeKeysOnly) {
  EXPECT_EQ(merge_env({"PATH=/bin", "PATHX=1"}, {"PATHX=2", "PAT=3"}),
            (Env{"PATH=/bin", "PATHX=2", "PAT=3"}));
}

TEST(MergeEnv, KeepsEmptyValuesAndEqualsInValues) {
  EXPECT_EQ(merge_env({"A=1"}, {"A=", "B=x=y"}), (Env{"A=", "B=x=y"}));
}

TEST_F(ExecEnvTest, DefaultsPathHomeAndCwd) {
  tl::expected<ExecLaunch, protocol::ExecFailed> launch = prepare_exec(request("sh"));
  ASSERT_TRUE(launch.has_value()) << launch.error().message;
  EXPECT_EQ(launch->env, (Env{std::string("PATH=") + kDefaultPath, "HOME=/root"}));
  EXPECT_EQ(launch->cwd, "/");
  EXPECT_EQ(launch->argv, (Env{"sh"}));
  EXPECT_FALSE(launch->stdin_pipe);
  EXPECT_TRUE(launch->path.ends_with("/sh")) << launch->path;
}

TEST_F(ExecEnvTest, KeepsArgsCwdAndStdinPipe) {
  protocol::ExecRequest req = request("sh");
  req.args = {"-c", "echo hi", ""};
  req.cwd = "/tmp";
  req.stdin_pipe = true;
  tl::expected<ExecLaunch, protocol::ExecFailed> launch = prepare_exec(req);
  ASSERT_TRUE(launch.has_value()) << launch.error().message;
  EXPECT_EQ(launch->argv, (Env{"sh", "-c", "echo hi", ""}));
  EXPECT_EQ(launch->cwd, "/tmp");
  EXPECT_TRUE(launch->stdin_pipe);
}

TEST_F(ExecEnvTest, MergesRequestEnvOverDefaults) {
  tl::expected<ExecLaunch, protocol::ExecFailed> launch =
      prepare_exec(request("sh", {"HOME=/home/me", "LANG=C.UTF-8"}));
  ASSERT_TRUE(launch.has_value()) << launch.error().message;
  EXPECT_EQ(launch->env,
            (Env{std::string("PATH=") + kDefaultPath, "HOME=/home/me", "LANG=C.UTF-8"}));
}

TEST_F(ExecEnvTest, ResolvesOnTheRequestPath) {
  std::string first = make_dir("first");
  std::string second = make_dir("second");
  make_file(second, "tool", 0755);
  std::string preferred = make_file(first, "tool", 0755);
  tl::expected<ExecLaunch, protocol::ExecFailed> launch =
      prepare_exec(request("tool", {"PATH=" + first + ":" + second}));
  ASSERT_TRUE(launch.has_value()) << launch.error().message;
  EXPECT_EQ(launch->path, preferred);
  EXPECT_EQ(launch->argv, (Env{"tool"}));
  EXPECT_EQ(launch->env.front(), "PATH=" + first + ":" + second);
}

TEST_F(ExecEnvTest, SkipsNonExecutableWhenALaterDirHasOne) {
  std::string first = make_dir("first");
  std::string second = make_dir("second");
  make_file(first, "tool", 0644);
  std::string runnable = make_file(second, "tool", 0755);
  tl::expected<ExecLaunch, protocol::ExecFailed> launch =
      prepare_exec(request("tool", {"PATH=" + first + ":" + second}));
  ASSERT_TRUE(launch.has_value()) << launch.error().message;
  EXPECT_EQ(launch->path, runnable);
}

TEST_F(ExecEnvTest, MissingCommandIsNotFound) {
  std::string empty = make_dir("empty");
  tl::expected<ExecLaunch, protocol::ExecFailed> launch =
      prepare_exec(request("msb-no-such-command", {"PATH=" + empty}));
  ASSERT_FALSE(launch.has_value());
  EXPECT_EQ(launch.error().kind, "not-found");
  EXPECT_EQ(launch.error().message, "command not found: msb-no-such-command");
  EXPECT_EQ(launch.error().errno_value, ENOENT);
}

TEST_F(ExecEnvTest, CommandOnlyOnDefaultPathIsNotFoundWithRequestPath) {
  std::string empty = make_dir("empty");
  tl::expected<ExecLaunch, protocol::ExecFailed> launch =
      prepare_exec(request("sh", {"PATH=" + empty}));
  ASSERT_FALSE(launch.has_value());
  EXPECT_EQ(launch.error().kind, "not-found");
  EXPECT_EQ(launch.error().message, "command not found: sh");
}

TEST_F(ExecEnvTest, MissingAbsolutePathIsNotFound) {
  std::string missing = dir_->path() + "/nope/tool";
  tl::expected<ExecLaunch, protocol::ExecFailed> launch = prepare_exec(request(missing));
  ASSERT_FALSE(launch.has_value());
  EXPECT_EQ(launch.error().kind, "not-found");
  EXPECT_NE(launch.error().message.find(missing), std::string::npos);
}

TEST_F(ExecEnvTest, NonExecutableOnPathIsPermissionDenied) {
  std::string bin = make_dir("bin");
  make_file(bin, "script", 0644);
  tl::expected<ExecLaunch, protocol::ExecFailed> launch =
      prepare_exec(request("script", {"PATH=" + bin}));
  ASSERT_FALSE(launch.has_value());
  EXPECT_EQ(launch.error().kind, "permission-denied");
  EXPECT_EQ(launch.error().errno_value, EACCES);
  EXPECT_NE(launch.error().message.find("script"), std::string::npos);
}

TEST_F(ExecEnvTest, DirectoryOnPathIsNotACommand) {
  std::string bin = make_dir("bin");
  make_dir("bin/tool");
  tl::expected<ExecLaunch, protocol::ExecFailed> launch =
      prepare_exec(request("tool", {"PATH=" + bin}));
  ASSERT_FALSE(launch.has_value());
  EXPECT_EQ(launch.error().kind, "not-found");
}

TEST_F(ExecEnvTest, EmptyCommandIsNotFound) {
  tl::expected<ExecLaunch, protocol::ExecFailed> launch = prepare_exec(request(""));
  ASSERT_FALSE(launch.has_value());
  EXPECT_EQ(launch.error().kind, "not-found");
}

}  // namespace
}  // namespace msb::agent
