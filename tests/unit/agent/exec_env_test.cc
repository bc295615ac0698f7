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

TEST_F(ExecEnvTest, ParsesResourceLimitsInOrder) {
  protocol::ExecRequest req = request("sh");
  req.rlimits = {"nofile=256", "CORE=0:unlimited"};
  tl::expected<ExecLaunch, protocol::ExecFailed> launch = prepare_exec(req);
  ASSERT_TRUE(launch.has_value()) << launch.error().message;
  ASSERT_EQ(launch->rlimits.size(), 2u);
  EXPECT_EQ(launch->rlimits[0], (ResourceLimit{RLIMIT_NOFILE, 256, 256, "nofile=256"}));
  EXPECT_EQ(launch->rlimits[1], (ResourceLimit{RLIMIT_CORE, 0, RLIM_INFINITY, "CORE=0:unlimited"}));
}

TEST_F(ExecEnvTest, BadResourceLimitFailsBeforeAnythingElse) {
  // The unknown user and command would fail too: the request's own syntax is checked first.
  protocol::ExecRequest req = request("msb-no-such-command");
  req.user = "msb-no-such-user";
  req.rlimits = {"nofile=256", "nofile=10:5"};
  tl::expected<ExecLaunch, protocol::ExecFailed> launch = prepare_exec(req);
  ASSERT_FALSE(launch.has_value());
  EXPECT_EQ(launch.error().kind, "resource-limit");
  EXPECT_EQ(launch.error().errno_value, 0);
  EXPECT_NE(launch.error().message.find("'nofile=10:5'"), std::string::npos)
      << launch.error().message;
}

TEST_F(ExecEnvTest, TerminalOnlyWithTtyAndSizedWithDefaults) {
  protocol::ExecRequest req = request("sh");
  req.rows = 40;
  EXPECT_FALSE(prepare_exec(req)->terminal.has_value());
  req.tty = true;
  tl::expected<ExecLaunch, protocol::ExecFailed> launch = prepare_exec(req);
  ASSERT_TRUE(launch.has_value()) << launch.error().message;
  ASSERT_TRUE(launch->terminal.has_value());
  EXPECT_EQ(launch->terminal->rows, 40);
  EXPECT_EQ(launch->terminal->cols, 80);  // 0: the default
  req.rows = 0;
  req.cols = 1'000'000;
  launch = prepare_exec(req);
  ASSERT_TRUE(launch.has_value() && launch->terminal.has_value());
  EXPECT_EQ(launch->terminal->rows, 24);
  EXPECT_EQ(launch->terminal->cols, 65535);  // clamped to what a winsize holds
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

// prepare_exec with a user: the database is a private etc dir.
class ExecUserTest : public ExecEnvTest {
 protected:
  void SetUp() override {
    ExecEnvTest::SetUp();
    etc_ = make_dir("etc");
    ASSERT_TRUE(os::write_file(etc_ + "/passwd",
                               "root:x:0:0:root:/root:/bin/sh\n"
                               "app:x:1500:1600:App:/srv/app:/bin/sh\n")
                    .has_value());
    ASSERT_TRUE(
        os::write_file(etc_ + "/group", "app:x:1600:\nweb:x:33:app\nlog:x:4:app\n").has_value());
  }

  tl::expected<ExecLaunch, protocol::ExecFailed> prepare(std::string user, Env env = {}) {
    protocol::ExecRequest req = request("sh", std::move(env));
    req.user = std::move(user);
    return prepare_exec(req, etc_);
  }

  std::string etc_;
};

TEST_F(ExecUserTest, NoUserKeepsTheAgentsIdentity) {
  tl::expected<ExecLaunch, protocol::ExecFailed> launch = prepare("");
  ASSERT_TRUE(launch.has_value()) << launch.error().message;
  EXPECT_FALSE(launch->identity.has_value());
  EXPECT_EQ(launch->env, (Env{std::string("PATH=") + kDefaultPath, "HOME=/root"}));
}

TEST_F(ExecUserTest, NamedUserGetsIdsGroupsAndEnvironment) {
  tl::expected<ExecLaunch, protocol::ExecFailed> launch = prepare("app");
  ASSERT_TRUE(launch.has_value()) << launch.error().message;
  ASSERT_TRUE(launch->identity.has_value());
  EXPECT_EQ(launch->identity->uid, 1500u);
  EXPECT_EQ(launch->identity->gid, 1600u);
  EXPECT_EQ(launch->identity->groups, (std::vector<gid_t>{4, 33}));
  EXPECT_EQ(launch->env,
            (Env{std::string("PATH=") + kDefaultPath, "HOME=/srv/app", "USER=app", "LOGNAME=app"}));
}

TEST_F(ExecUserTest, RequestEnvOverridesTheUsersHome) {
  tl::expected<ExecLaunch, protocol::ExecFailed> launch = prepare("app:web", {"HOME=/tmp"});
  ASSERT_TRUE(launch.has_value()) << launch.error().message;
  EXPECT_EQ(launch->identity->gid, 33u);
  EXPECT_EQ(launch->env[1], "HOME=/tmp");
}

TEST_F(ExecUserTest, UnknownUidGetsItsOwnGidAndRootHome) {
  tl::expected<ExecLaunch, protocol::ExecFailed> launch = prepare("777");
  ASSERT_TRUE(launch.has_value()) << launch.error().message;
  EXPECT_EQ(launch->identity->uid, 777u);
  EXPECT_EQ(launch->identity->gid, 777u);
  EXPECT_TRUE(launch->identity->groups.empty());
  EXPECT_EQ(launch->env, (Env{std::string("PATH=") + kDefaultPath, "HOME=/"}));
}

TEST_F(ExecUserTest, UnknownOrMalformedUserIsBadUser) {
  for (const auto& [user, message] : std::vector<std::pair<std::string, std::string>>{
           {"bob", "user 'bob' not found in " + etc_ + "/passwd"},
           {"app:x", "group 'x' not found in " + etc_ + "/group"},
           {"1:2:3", "malformed user '1:2:3': more than one ':'"}}) {
    tl::expected<ExecLaunch, protocol::ExecFailed> launch = prepare(user);
    ASSERT_FALSE(launch.has_value()) << user;
    EXPECT_EQ(launch.error().kind, "bad-user");
    EXPECT_EQ(launch.error().errno_value, 0);
    EXPECT_EQ(launch.error().message, message);
  }
}

TEST_F(ExecUserTest, MissingDatabaseAllowsNumericIdsOnly) {
  ASSERT_TRUE(os::remove_file(etc_ + "/passwd").has_value());
  ASSERT_TRUE(os::remove_file(etc_ + "/group").has_value());
  EXPECT_TRUE(prepare("5:6").has_value());
  EXPECT_EQ(prepare("app").error().kind, "bad-user");
}

TEST_F(ExecUserTest, OversizedDatabaseIsRefused) {
  ASSERT_TRUE(os::write_file(etc_ + "/passwd", std::string(kMaxUserDbBytes + 1, '#')).has_value());
  tl::expected<ExecLaunch, protocol::ExecFailed> launch = prepare("app");
  ASSERT_FALSE(launch.has_value());
  EXPECT_EQ(launch.error().kind, "other");
  EXPECT_NE(launch.error().message.find("passwd"), std::string::npos) << launch.error().message;
}

}  // namespace
}  // namespace msb::agent
