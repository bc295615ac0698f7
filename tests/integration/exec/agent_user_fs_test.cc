// msb-agentd in channel mode: exec.request `user` and fs.stat. In channel mode the agent's
// root is the host's /, so the user database is the host's /etc/passwd and /etc/group.
#include <gtest/gtest.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <sstream>
#include <string>

#include "agent_client_helper.h"
#include "os/system.h"

namespace msb::testing {
namespace {

using protocol::kFlagSessionStart;
using protocol::kFlagTerminal;

class AgentUserFsTest : public ReadyAgentTest {
 protected:
  SessionEvents run_as(uint32_t id, std::string user, std::string script, std::string cwd = "") {
    protocol::ExecRequest request = exec_request("/bin/sh", {"-c", std::move(script)});
    request.user = std::move(user);
    request.cwd = std::move(cwd);
    Result<SessionEvents> events = client_->run(id, std::move(request));
    EXPECT_TRUE(events.has_value()) << events.error().message;
    return events.value_or(SessionEvents{});
  }

  SessionEvents stat(uint32_t id, std::string path) {
    Result<SessionEvents> events = client_->stat(id, std::move(path));
    EXPECT_TRUE(events.has_value()) << events.error().message;
    EXPECT_TRUE(events && (events->terminal_flags & kFlagTerminal));
    EXPECT_EQ(events ? events->order.size() : 0, 1u) << "one reply per fs request";
    return events.value_or(SessionEvents{});
  }
};

std::vector<std::string> words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> out;
  for (std::string word; in >> word;) out.push_back(word);
  return out;
}

TEST_F(AgentUserFsTest, RunsAsNumericUserAndGroup) {
  if (::geteuid() != 0) GTEST_SKIP() << "switching users needs root";
  SessionEvents events = run_as(1, "65534:65534", "/usr/bin/id -u; /usr/bin/id -g; /usr/bin/id -G");
  ASSERT_TRUE(events.exited.has_value()) << (events.failed ? events.failed->message : "");
  EXPECT_EQ(events.exited->code, 0) << events.stderr_data;
  std::vector<std::string> ids = words(events.stdout_data);
  ASSERT_GE(ids.size(), 3u) << events.stdout_data;
  EXPECT_EQ(ids[0], "65534");
  EXPECT_EQ(ids[1], "65534");
  // SECURITY: root's supplementary groups are gone.
  for (size_t i = 2; i < ids.size(); ++i) EXPECT_NE(ids[i], "0") << events.stdout_data;
}

TEST_F(AgentUserFsTest, RunsAsNamedUserFromPasswd) {
  if (::geteuid() != 0) GTEST_SKIP() << "switching users needs root";
  const passwd* nobody = ::getpwnam("nobody");
  if (nobody == nullptr) GTEST_SKIP() << "no user 'nobody' on this host";
  std::string script =
      R"sh(printf '%s|%s|%s|%s|%s' "$(/usr/bin/id -u)" "$(/usr/bin/id -g)" "$HOME" "$USER" )sh"
      R"sh("$LOGNAME")sh";
  SessionEvents events = run_as(2, "nobody", script);
  ASSERT_TRUE(events.exited.has_value()) << (events.failed ? events.failed->message : "");
  EXPECT_EQ(events.stdout_data, std::to_string(nobody->pw_uid) + "|" +
                                    std::to_string(nobody->pw_gid) + "|" + nobody->pw_dir +
                                    "|nobody|nobody");
}

TEST_F(AgentUserFsTest, CwdIsEnteredWithTheUsersRights) {
  if (::geteuid() != 0) GTEST_SKIP() << "switching users needs root";
  Result<os::TempDir> private_dir = os::TempDir::create("msb-user-cwd");  // mode 0700
  ASSERT_TRUE(private_dir.has_value()) << private_dir.error().message;
  SessionEvents events = run_as(3, "65534:65534", "true", private_dir->path());
  ASSERT_TRUE(events.failed.has_value());
  EXPECT_EQ(events.failed->kind, "bad-cwd");
  EXPECT_EQ(events.failed->errno_value, EACCES);
  EXPECT_TRUE(run_as(4, "", "true", private_dir->path()).exited.has_value());
}

TEST_F(AgentUserFsTest, SwitchingUserWithoutRootIsBadUser) {
  if (::geteuid() == 0) GTEST_SKIP() << "only without root can the switch fail";
  SessionEvents events = run_as(5, "65534:65534", "true");
  ASSERT_TRUE(events.failed.has_value());
  EXPECT_EQ(events.failed->kind, "bad-user");
  EXPECT_EQ(events.failed->errno_value, EPERM);
}

TEST_F(AgentUserFsTest, UnknownOrMalformedUserIsBadUser) {
  SessionEvents events = run_as(6, "msb-no-such-user", "true");
  EXPECT_FALSE(events.started.has_value());
  ASSERT_TRUE(events.failed.has_value());
  EXPECT_EQ(events.failed->kind, "bad-user");
  EXPECT_EQ(events.failed->errno_value, 0);
  EXPECT_EQ(events.failed->message, "user 'msb-no-such-user' not found in /etc/passwd");
  EXPECT_TRUE(events.terminal_flags & kFlagTerminal);

  events = run_as(7, "0:msb-no-such-group", "true");
  ASSERT_TRUE(events.failed.has_value());
  EXPECT_EQ(events.failed->message, "group 'msb-no-such-group' not found in /etc/group");

  for (const char* user : {"1:2:3", ":5", "-1", "root:"}) {
    events = run_as(8, user, "true");
    ASSERT_TRUE(events.failed.has_value()) << user;
    EXPECT_EQ(events.failed->kind, "bad-user") << user;
    EXPECT_TRUE(events.failed->message.starts_with("malformed user")) << events.failed->message;
  }
}

TEST_F(AgentUserFsTest, StatsARegularFile) {
  SessionEvents events = stat(20, "/etc/passwd");
  ASSERT_TRUE(events.stat_result.has_value());
  struct stat st {};
  ASSERT_EQ(::lstat("/etc/passwd", &st), 0);
  EXPECT_TRUE(events.stat_result->exists);
  EXPECT_EQ(events.stat_result->type, S_ISLNK(st.st_mode) ? "symlink" : "file");
  EXPECT_GT(events.stat_result->size, 0u);
  EXPECT_EQ(events.stat_result->size, static_cast<uint64_t>(st.st_size));
  EXPECT_EQ(events.stat_result->mode, st.st_mode & 07777);
  EXPECT_EQ(events.stat_result->uid, st.st_uid);
  EXPECT_GT(events.stat_result->mtime_ns, 0);
}

TEST_F(AgentUserFsTest, StatsADirectory) {
  SessionEvents events = stat(21, "/tmp");
  ASSERT_TRUE(events.stat_result.has_value());
  EXPECT_TRUE(events.stat_result->exists);
  EXPECT_EQ(events.stat_result->type, "dir");
}

TEST_F(AgentUserFsTest, StatsADanglingSymlinkWithoutFollowingIt) {
  Result<os::TempDir> dir = os::TempDir::create("msb-stat-link");
  ASSERT_TRUE(dir.has_value()) << dir.error().message;
  std::string link = dir->path() + "/dangling";
  ASSERT_TRUE(os::make_symlink(dir->path() + "/no-such-target", link).has_value());
  SessionEvents events = stat(22, link);
  ASSERT_TRUE(events.stat_result.has_value());
  EXPECT_TRUE(events.stat_result->exists);
  EXPECT_EQ(events.stat_result->type, "symlink");
}

TEST_F(AgentUserFsTest, MissingPathDoesNotExist) {
  SessionEvents events = stat(23, "/msb/no/such/path");
  ASSERT_TRUE(events.stat_result.has_value());
  EXPECT_FALSE(events.stat_result->exists);
  EXPECT_EQ(events.stat_result->type, "");
}

TEST_F(AgentUserFsTest, RelativePathIsInvalid) {
  SessionEvents events = stat(24, "relative");
  ASSERT_TRUE(events.fs_error.has_value());
  EXPECT_EQ(events.fs_error->kind, "invalid-path");
  EXPECT_EQ(events.fs_error->errno_value, 0);
  EXPECT_FALSE(events.stat_result.has_value());
}

TEST_F(AgentUserFsTest, StatWithALiveSessionsIdIsInvalidSession) {
  ASSERT_TRUE(client_->send(25, kFlagSessionStart, exec_request("sleep", {"100"})).has_value());
  ASSERT_TRUE(client_->send(25, kFlagSessionStart, protocol::FsStat{"/tmp"}).has_value());
  Result<SessionEvents> events = client_->collect(25);  // ends at the refusal
  ASSERT_TRUE(events.has_value()) << events.error().message;
  ASSERT_TRUE(events->error.has_value());
  EXPECT_EQ(events->error->kind, "invalid-session");
  EXPECT_EQ(events->error->offending_type, "fs.stat");
  EXPECT_FALSE(events->stat_result.has_value());
  ASSERT_TRUE(client_->send(25, 0, protocol::ExecSignal{SIGKILL}).has_value());
  events = client_->collect(25);
  ASSERT_TRUE(events.has_value()) << events.error().message;
  ASSERT_TRUE(events->exited.has_value());
}

}  // namespace
}  // namespace msb::testing
