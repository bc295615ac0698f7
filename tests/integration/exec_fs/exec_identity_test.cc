// Who a process runs as and with which limits, the typed failures of an exec that cannot
// start, and many execs at once, in a real sandbox.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cerrno>
#include <mutex>
#include <thread>

#include "sandbox_suite.h"

namespace msb::testing {
namespace {

using microsandbox::ErrorKind;
using microsandbox::ExecOptions;
using microsandbox::ExecOutput;
using microsandbox::Rlimit;
using ::testing::HasSubstr;

class ExecIdentity : public SandboxSuite {};

ExecOptions as_user(const std::string& user) {
  ExecOptions options;
  options.user = user;
  return options;
}

TEST_F(ExecIdentity, NumericUserAndGroup) {
  ExecOutput out = sh("id -u; id -g", as_user("65534:65534"));
  EXPECT_EQ(out.exit_code, 0) << out.stderr_data;
  EXPECT_EQ(out.stdout_data, "65534\n65534\n");
}

TEST_F(ExecIdentity, UserFromTheImagesPasswd) {
  std::string passwd = sandbox().fs().read("/etc/passwd");
  ASSERT_THAT(passwd, HasSubstr("nobody:x:65534:65534:"));
  ExecOutput out = sh("id -u; id -g; id -un", as_user("nobody"));
  EXPECT_EQ(out.exit_code, 0) << out.stderr_data;
  EXPECT_EQ(out.stdout_data, "65534\n65534\nnobody\n");
}

TEST_F(ExecIdentity, UserAddedToPasswdGetsItsGroupsAndHome) {
  microsandbox::SandboxFs fs = sandbox().fs();
  std::string passwd = fs.read("/etc/passwd");
  std::string group = fs.read("/etc/group");
  if (passwd.find("\nalice:") == std::string::npos) {
    fs.write("/etc/passwd", passwd + "alice:x:1234:1234::/home/alice:/bin/sh\n");
    fs.write("/etc/group", group + "alice:x:1234:\nstaff:x:50:alice\n");
  }
  fs.mkdir("/home/alice", true);
  fs.chown("/home/alice", 1234, 1234);
  ExecOutput out = sh("id -u; id -g; id -G; echo $HOME; echo $USER; pwd", as_user("alice"));
  EXPECT_EQ(out.exit_code, 0) << out.stderr_data;
  std::vector<std::string> lines = lines_of(out.stdout_data);
  ASSERT_EQ(lines.size(), 6u) << out.stdout_data;
  EXPECT_EQ(lines[0], "1234");
  EXPECT_EQ(lines[1], "1234");
  EXPECT_THAT(lines[2], HasSubstr("50"));
  EXPECT_EQ(lines[3], "/home/alice");
  EXPECT_EQ(lines[4], "alice");
  EXPECT_EQ(lines[5], "/");
  // The process really cannot do what only root can.
  ExecOutput denied = sh("cat /root/.profile 2>&1 || ls /root 2>&1", as_user("alice"));
  EXPECT_NE(denied.exit_code, 0);
  EXPECT_THAT(denied.stdout_data, HasSubstr("ermission denied"));
}

TEST_F(ExecIdentity, OpenFileLimit) {
  ExecOptions options;
  options.rlimits = {Rlimit{"nofile", 256, std::nullopt, false}};
  ExecOutput out = sh("ulimit -n; ulimit -Hn", options);
  EXPECT_EQ(out.exit_code, 0) << out.stderr_data;
  EXPECT_EQ(out.stdout_data, "256\n256\n");
  options.rlimits = {Rlimit{"nofile", 100, 200, true}};
  out = sh("ulimit -n; ulimit -Hn", options);
  EXPECT_EQ(out.stdout_data, "100\n200\n");
}

TEST_F(ExecIdentity, MissingCommandIsExecFailedEnoent) {
  microsandbox::Error error = error_of([&] { sandbox().exec("no-such-command-xyz"); });
  EXPECT_EQ(error.kind(), ErrorKind::kExecFailed);
  EXPECT_EQ(error.sys_errno(), ENOENT);
  EXPECT_THAT(error.what(), HasSubstr("not-found"));
  EXPECT_THAT(error.what(), HasSubstr("no-such-command-xyz"));
  // The same through a stream: next() reports it.
  microsandbox::Error streamed = error_of([&] {
    microsandbox::ExecStream stream = sandbox().exec_stream("/no/such/path");
    while (stream.next(kSlow)) {
    }
  });
  EXPECT_EQ(streamed.kind(), ErrorKind::kExecFailed);
  EXPECT_EQ(streamed.sys_errno(), ENOENT);
}

TEST_F(ExecIdentity, NonExecutableFileIsExecFailedEacces) {
  microsandbox::WriteOptions mode;
  mode.mode = 0755;
  sandbox().fs().write("/tmp/script.sh", "#!/bin/sh\necho hi\n", mode);
  ASSERT_EQ(sandbox().exec("/tmp/script.sh").stdout_data, "hi\n");
  sandbox().fs().chmod("/tmp/script.sh", 0644);
  microsandbox::Error error = error_of([&] { sandbox().exec("/tmp/script.sh"); });
  EXPECT_EQ(error.kind(), ErrorKind::kExecFailed);
  EXPECT_EQ(error.sys_errno(), EACCES);
  EXPECT_THAT(error.what(), HasSubstr("permission-denied"));
  EXPECT_THAT(error.what(), HasSubstr("/tmp/script.sh"));
}

TEST_F(ExecIdentity, BadWorkingDirectoryIsExecFailed) {
  ExecOptions options;
  options.cwd = "/nonexistent";
  microsandbox::Error error = error_of([&] { sandbox().exec("pwd", {}, options); });
  EXPECT_EQ(error.kind(), ErrorKind::kExecFailed);
  EXPECT_EQ(error.sys_errno(), ENOENT);
  EXPECT_THAT(error.what(), HasSubstr("bad-cwd"));
  EXPECT_THAT(error.what(), HasSubstr("/nonexistent"));
}

TEST_F(ExecIdentity, UnknownUserIsExecFailed) {
  microsandbox::Error error = error_of([&] { sandbox().exec("id", {}, as_user("nosuchuser")); });
  EXPECT_EQ(error.kind(), ErrorKind::kExecFailed);
  EXPECT_THAT(error.what(), HasSubstr("bad-user"));
  EXPECT_THAT(error.what(), HasSubstr("nosuchuser"));
}

TEST_F(ExecIdentity, SoftLimitAboveHardIsExecFailed) {
  ExecOptions options;
  options.rlimits = {Rlimit{"nofile", 5, 4, true}};
  microsandbox::Error error = error_of([&] { sandbox().exec("true", {}, options); });
  EXPECT_EQ(error.kind(), ErrorKind::kExecFailed);
  EXPECT_THAT(error.what(), HasSubstr("resource-limit"));
  EXPECT_THAT(error.what(), HasSubstr("nofile"));
}

// A pty-setup failure (kind "pty-setup") is not reachable from outside: opening a pseudo
// terminal and making it the controlling tty of a fresh session do not fail in a healthy
// guest, and nothing an exec request carries can make them fail. The agent-channel tests
// cover its reporting.

TEST_F(ExecIdentity, FiftyConcurrentExecsEachGetTheirOwnOutput) {
  Watchdog watchdog("50 concurrent execs", std::chrono::seconds(600));
  constexpr int kThreads = 50;
  std::vector<std::string> outputs(kThreads), failures(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([i, &outputs, &failures] {
      try {
        // Handles are not thread-safe: one per thread.
        microsandbox::Sandbox handle = microsandbox::Sandbox::connect(sandbox_name());
        ExecOutput out = handle.exec("sh", {"-c", "echo $0", std::to_string(i)});
        outputs[i] = out.stdout_data;
        if (out.exit_code != 0) failures[i] = "exit " + std::to_string(out.exit_code);
      } catch (const microsandbox::Error& error) {
        failures[i] = error.what();
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int i = 0; i < kThreads; ++i) {
    EXPECT_EQ(failures[i], "") << "exec " << i;
    EXPECT_EQ(outputs[i], std::to_string(i) + "\n") << "exec " << i;
  }
}

}  // namespace
}  // namespace msb::testing
