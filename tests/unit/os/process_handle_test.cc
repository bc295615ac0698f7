#include "os/process_handle.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <optional>

#include "os/child_process.h"
#include "os/system.h"

namespace msb::os {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(ProcessHandle, OpensItselfWithTheRightStartTime) {
  int self = current_pid();
  std::optional<uint64_t> started = process_start_time(self);
  ASSERT_TRUE(started.has_value());
  Result<std::optional<ProcessHandle>> handle = ProcessHandle::open(self, *started);
  ASSERT_TRUE(handle.has_value()) << handle.error().message;
  ASSERT_TRUE(handle->has_value());
  EXPECT_EQ((*handle)->pid(), self);
  EXPECT_GE((*handle)->pidfd(), 0);
  EXPECT_FALSE((*handle)->exited());
}

TEST(ProcessHandle, StartTimeZeroAcceptsAnyStart) {
  Result<std::optional<ProcessHandle>> handle = ProcessHandle::open(current_pid(), 0);
  ASSERT_TRUE(handle.has_value());
  EXPECT_TRUE(handle->has_value());
}

TEST(ProcessHandle, WrongStartTimeIsAnotherProcess) {
  int self = current_pid();
  std::optional<uint64_t> started = process_start_time(self);
  ASSERT_TRUE(started.has_value());
  Result<std::optional<ProcessHandle>> handle = ProcessHandle::open(self, *started + 1);
  ASSERT_TRUE(handle.has_value()) << handle.error().message;
  EXPECT_FALSE(handle->has_value());
}

TEST(ProcessHandle, ReapedChildIsGone) {
  Result<ChildProcess> child = ChildProcess::spawn({.argv = {"true"}});
  ASSERT_TRUE(child.has_value()) << child.error().message;
  int pid = child->pid();
  ASSERT_TRUE(child->wait().has_value());
  Result<std::optional<ProcessHandle>> handle = ProcessHandle::open(pid, 0);
  ASSERT_TRUE(handle.has_value()) << handle.error().message;
  EXPECT_FALSE(handle->has_value());
}

TEST(ProcessHandle, NonPositivePidIsGone) {
  for (int pid : {0, -1}) {
    Result<std::optional<ProcessHandle>> handle = ProcessHandle::open(pid, 0);
    ASSERT_TRUE(handle.has_value());
    EXPECT_FALSE(handle->has_value()) << pid;
  }
}

TEST(ProcessHandle, SignalsAndWaitsForAChild) {
  Result<ChildProcess> child = ChildProcess::spawn({.argv = {"sleep", "10"}});
  ASSERT_TRUE(child.has_value()) << child.error().message;
  std::optional<uint64_t> started = process_start_time(child->pid());
  ASSERT_TRUE(started.has_value());
  Result<std::optional<ProcessHandle>> opened = ProcessHandle::open(child->pid(), *started);
  ASSERT_TRUE(opened.has_value()) << opened.error().message;
  ASSERT_TRUE(opened->has_value());
  ProcessHandle& handle = **opened;

  Result<bool> early = handle.wait_exit(milliseconds(0));
  ASSERT_TRUE(early.has_value());
  EXPECT_FALSE(*early);
  EXPECT_FALSE(handle.exited());

  ASSERT_TRUE(handle.signal(SIGTERM).has_value());
  Result<bool> exited = handle.wait_exit(seconds(5));
  ASSERT_TRUE(exited.has_value());
  EXPECT_TRUE(*exited);
  EXPECT_TRUE(handle.exited());

  Result<ExitStatus> status = child->wait();
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->signal, SIGTERM);
  // Signalling a process that is gone is not an error.
  EXPECT_TRUE(handle.signal(SIGTERM).has_value());
}

}  // namespace
}  // namespace msb::os
