#include "os/child_process.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <optional>
#include <string>

#include "os/file.h"
#include "os/io.h"

namespace msb::os {
namespace {

using std::chrono::milliseconds;

Result<ExitStatus> run_shell(const std::string& script) {
  ChildProcess child = MSB_TRY(ChildProcess::spawn({.argv = {"sh", "-c", script}}));
  return child.wait();
}

// True once `pid` no longer exists, not even as a zombie.
bool process_gone(pid_t pid) {
  errno = 0;
  return ::kill(pid, 0) == -1 && errno == ESRCH;
}

TEST(ChildProcess, ExitCodesAreReported) {
  for (int code : {0, 1, 42}) {
    Result<ExitStatus> status = run_shell("exit " + std::to_string(code));
    ASSERT_TRUE(status.has_value()) << status.error().message;
    EXPECT_EQ(status->code, code);
    EXPECT_EQ(status->signal, 0);
    EXPECT_EQ(status->shell_code(), code);
    EXPECT_EQ(status->success(), code == 0);
  }
}

TEST(ChildProcess, KilledBySigkillReportsTheSignal) {
  Result<ChildProcess> child = ChildProcess::spawn({.argv = {"sleep", "100"}});
  ASSERT_TRUE(child.has_value()) << child.error().message;
  EXPECT_TRUE(child->running());
  ASSERT_TRUE(child->signal(SIGKILL).has_value());
  Result<ExitStatus> status = child->wait();
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->signal, 9);
  EXPECT_EQ(status->shell_code(), 137);
  EXPECT_FALSE(status->success());
  EXPECT_FALSE(child->running());
}

TEST(ChildProcess, KillAndWaitReapsTheChild) {
  Result<ChildProcess> child = ChildProcess::spawn({.argv = {"sleep", "100"}});
  ASSERT_TRUE(child.has_value());
  pid_t pid = child->pid();
  Result<ExitStatus> status = child->kill_and_wait();
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->signal, SIGKILL);
  EXPECT_TRUE(process_gone(pid));
}

TEST(ChildProcess, DestructorKillsAndReapsRunningChild) {
  pid_t pid = -1;
  {
    Result<ChildProcess> child = ChildProcess::spawn({.argv = {"sleep", "100"}});
    ASSERT_TRUE(child.has_value());
    pid = child->pid();
    ASSERT_FALSE(process_gone(pid));
  }
  EXPECT_TRUE(process_gone(pid));
  errno = 0;
  EXPECT_EQ(::waitpid(pid, nullptr, WNOHANG), -1);
  EXPECT_EQ(errno, ECHILD);
}

TEST(ChildProcess, MoveAssignmentKillsTheReplacedChild) {
  Result<ChildProcess> first = ChildProcess::spawn({.argv = {"sleep", "100"}});
  Result<ChildProcess> second = ChildProcess::spawn({.argv = {"sleep", "100"}});
  ASSERT_TRUE(first.has_value() && second.has_value());
  pid_t old_pid = first->pid();
  pid_t new_pid = second->pid();
  *first = std::move(*second);
  EXPECT_TRUE(process_gone(old_pid));
  EXPECT_EQ(first->pid(), new_pid);
  EXPECT_FALSE(second->running());
  EXPECT_TRUE(first->running());
}

TEST(ChildProcess, DetachLeavesTheProcessRunning) {
  Result<ChildProcess> child = ChildProcess::spawn({.argv = {"sleep", "100"}});
  ASSERT_TRUE(child.has_value());
  pid_t pid = child->pid();
  child->detach();
  EXPECT_FALSE(child->running());
  { ChildProcess forgotten = std::move(*child); }
  EXPECT_FALSE(process_gone(pid));
  // The test reaps it itself.
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFSIGNALED(status));
}

TEST(ChildProcess, WaitForTimesOutWithNullopt) {
  Result<ChildProcess> child = ChildProcess::spawn({.argv = {"sleep", "100"}});
  ASSERT_TRUE(child.has_value());
  auto start = std::chrono::steady_clock::now();
  Result<std::optional<ExitStatus>> status = child->wait_for(milliseconds(50));
  ASSERT_TRUE(status.has_value());
  EXPECT_FALSE(status->has_value());
  EXPECT_GE(std::chrono::steady_clock::now() - start, milliseconds(45));
  EXPECT_TRUE(child->running());
}

TEST(ChildProcess, TryWaitPollsWithoutBlocking) {
  Result<PipePair> input = make_pipe();
  ASSERT_TRUE(input.has_value());
  SpawnOptions options{.argv = {"sh", "-c", "read line; exit 3"}};
  options.fds = {{input->read.get(), 0}};
  Result<ChildProcess> child = ChildProcess::spawn(options);
  ASSERT_TRUE(child.has_value());
  // The child waits for a line on stdin, so it cannot have exited yet.
  Result<std::optional<ExitStatus>> early = child->try_wait();
  ASSERT_TRUE(early.has_value());
  EXPECT_FALSE(early->has_value());
  ASSERT_TRUE(write_all(input->write.get(), "go\n").has_value());
  Result<std::optional<ExitStatus>> late = child->wait_for(milliseconds(5000));
  ASSERT_TRUE(late.has_value());
  ASSERT_TRUE(late->has_value());
  EXPECT_EQ((*late)->code, 3);
  Result<std::optional<ExitStatus>> again = child->try_wait();
  ASSERT_TRUE(again.has_value() && again->has_value());
  EXPECT_EQ((*again)->code, 3);
}

TEST(ChildProcess, SignalAfterReapIsANoOp) {
  Result<ChildProcess> child = ChildProcess::spawn({.argv = {"true"}});
  ASSERT_TRUE(child.has_value());
  ASSERT_TRUE(child->wait().has_value());
  EXPECT_TRUE(child->signal(SIGTERM).has_value());
}

TEST(ChildProcess, PidfdBecomesReadableOnExit) {
  Result<ChildProcess> child = ChildProcess::spawn({.argv = {"sleep", "100"}});
  ASSERT_TRUE(child.has_value());
  pollfd pfd{child->pidfd(), POLLIN, 0};
  EXPECT_EQ(poll_fds(std::span(&pfd, 1), 0).value(), 0);
  ASSERT_TRUE(child->signal(SIGKILL).has_value());
  EXPECT_EQ(poll_fds(std::span(&pfd, 1), 5000).value(), 1);
  EXPECT_TRUE(child->wait().has_value());
}

TEST(ChildProcess, MissingExecutableIsNotFound) {
  for (const char* name : {"/nonexistent/msb-no-such-binary", "msb-no-such-command-xyz"}) {
    Result<ChildProcess> child = ChildProcess::spawn({.argv = {name}});
    ASSERT_FALSE(child.has_value()) << name;
    EXPECT_EQ(child.error().kind, ErrorKind::kNotFound) << name;
    EXPECT_NE(child.error().message.find(name), std::string::npos) << child.error().message;
  }
}

TEST(ChildProcess, NonExecutableFileIsPermissionDenied) {
  Result<TempDir> dir = TempDir::create("msb-child-noexec-");
  ASSERT_TRUE(dir.has_value());
  std::string script = dir->path() + "/script";
  ASSERT_TRUE(write_file(script, "#!/bin/sh\nexit 0\n", 0644).has_value());
  Result<ChildProcess> child = ChildProcess::spawn({.argv = {script}});
  ASSERT_FALSE(child.has_value());
  EXPECT_EQ(child.error().kind, ErrorKind::kPermissionDenied);
  EXPECT_EQ(child.error().sys_errno, EACCES);
}

TEST(ChildProcess, EmptyArgvIsInvalid) {
  Result<ChildProcess> child = ChildProcess::spawn({});
  ASSERT_FALSE(child.has_value());
  EXPECT_EQ(child.error().kind, ErrorKind::kInvalidArgument);
}

TEST(ChildProcess, ForkAndRunExitsWithTheBodysResult) {
  int marker = 41;
  Result<ChildProcess> child = ChildProcess::fork_and_run([&] { return marker + 1; });
  ASSERT_TRUE(child.has_value()) << child.error().message;
  Result<ExitStatus> status = child->wait();
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->code, 42);
  EXPECT_EQ(status->signal, 0);
}

TEST(ChildProcess, ForkAndRunChildIsKilledOnDestruction) {
  pid_t pid = -1;
  {
    Result<ChildProcess> child = ChildProcess::fork_and_run([] {
      for (;;) ::pause();
      return 0;
    });
    ASSERT_TRUE(child.has_value()) << child.error().message;
    pid = child->pid();
  }
  EXPECT_TRUE(process_gone(pid));
}

}  // namespace
}  // namespace msb::os
