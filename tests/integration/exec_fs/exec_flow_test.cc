// Flow control between clients, the supervisor's relay and the agent (docs/protocol.md,
// "Flow control"): one client that stops taking data must not wedge the others, and one
// that leaves must release what it held in the guest.
// - stdin credit: the SDK keeps a session's stdin within the agent's window, so a process
//   that does not read its stdin cannot stop the channel, and the timeout kill gets through.
// - output credit: the SDK acknowledges output as next() hands it out, so an unread
//   stream holds back its own process only, never the relay or the other execs.
// - core.cancel: an abandoned FileWriter (or stream) ends its agent session.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>

#include "sandbox_suite.h"

namespace msb::testing {
namespace {

using microsandbox::ExecOptions;
using microsandbox::ExecOutput;

class ExecFlow : public SandboxSuite {};

TEST_F(ExecFlow, TimeoutKillsAProcessThatLeavesLargeStdinUnread) {
  Watchdog watchdog("timeout with unread stdin", std::chrono::seconds(90));
  ExecOptions options;
  options.stdin_data = random_bytes(16 << 20, 21);
  options.timeout = std::chrono::seconds(3);
  auto start = std::chrono::steady_clock::now();
  ExecOutput out = sandbox().exec("sleep", {"100"}, options);
  EXPECT_TRUE(out.timed_out);
  EXPECT_EQ(out.signal, SIGKILL);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30));
  // The channel is free for the next one at once.
  EXPECT_EQ(sh("echo after").stdout_data, "after\n");
}

TEST_F(ExecFlow, UnreadOutputOfOneStreamDoesNotBlockOtherExecs) {
  Watchdog watchdog("exec next to an unread stream", std::chrono::seconds(90));
  microsandbox::ExecStream flood = sandbox().exec_stream("cat", {"/dev/zero"});
  // Its output backs up: cat ends up blocked writing to its full pipe (on /dev/zero, its
  // only call that sleeps).
  EXPECT_TRUE(wait_until(
      [] {
        for (const os::ProcessStat& process : guest_processes()) {
          if (process.comm == "cat" && process.state == 'S') return true;
        }
        return false;
      },
      std::chrono::seconds(60), std::chrono::milliseconds(100)))
      << "the flooding cat never blocked on its output";
  EXPECT_EQ(sh("echo other").stdout_data, "other\n");
  // File calls, which stream through the same channel, go on too.
  microsandbox::SandboxFs fs = sandbox().fs();
  std::string data = random_bytes(3 << 20, 22);
  fs.write("/tmp/next-to-flood", data);
  EXPECT_TRUE(fs.read("/tmp/next-to-flood") == data);
  // The flood was held back, not buffered: it still runs, and reads on from where it was.
  std::optional<microsandbox::ExecEvent> event = flood.next(std::chrono::seconds(10));
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ(event->kind, microsandbox::ExecEvent::Kind::kStarted);
  size_t bytes = 0;
  while (bytes < (8u << 20)) {
    event = flood.next(std::chrono::seconds(10));
    ASSERT_TRUE(event.has_value());
    ASSERT_EQ(event->kind, microsandbox::ExecEvent::Kind::kStdout);
    bytes += event->data.size();
  }
  flood.signal(SIGKILL);
  ExecOutput rest = flood.wait();
  EXPECT_EQ(rest.signal, SIGKILL);
}

TEST_F(ExecFlow, ASlowFileReaderDoesNotBlockOtherCalls) {
  Watchdog watchdog("exec while a read waits on its sink", std::chrono::seconds(90));
  microsandbox::SandboxFs fs = sandbox().fs();
  fs.write("/tmp/slow-read", random_bytes(8 << 20, 23));
  size_t chunks = 0;
  std::string other;
  uint64_t bytes = fs.read_stream("/tmp/slow-read", [&](std::string_view) {
    // The read is stopped at its window meanwhile, on the same channel.
    if (chunks++ == 0) other = sh("echo other").stdout_data;
  });
  EXPECT_EQ(bytes, 8u << 20);
  EXPECT_EQ(other, "other\n");
}

// The agent's open descriptors, as the number of entries in /proc/1/fd.
std::string agent_fds() {
  std::string count = SandboxSuite::sh("ls /proc/1/fd | wc -l").stdout_data;
  return count.substr(0, count.find('\n'));
}

TEST_F(ExecFlow, AbandonedWriterReleasesItsAgentSession) {
  std::string before = agent_fds();
  {
    microsandbox::SandboxFs fs = sandbox().fs();
    microsandbox::FileWriter writer = fs.open_write("/tmp/abandoned");
    writer.write("partial");
  }  // destroyed without close(): the session is abandoned
  EXPECT_TRUE(wait_until([&] { return agent_fds() == before; }, std::chrono::seconds(10)))
      << "the agent has " << agent_fds() << " descriptors open, " << before << " before";
  // Cancelled, the file keeps what reached it.
  EXPECT_EQ(sandbox().fs().read("/tmp/abandoned"), "partial");
}

TEST_F(ExecFlow, AReadWhoseSinkThrowsReleasesItsAgentSession) {
  microsandbox::SandboxFs fs = sandbox().fs();
  fs.write("/tmp/thrown", random_bytes(4 << 20, 24));
  std::string before = agent_fds();
  EXPECT_THROW(
      fs.read_stream("/tmp/thrown", [](std::string_view) { throw std::runtime_error("no"); }),
      std::runtime_error);
  EXPECT_TRUE(wait_until([&] { return agent_fds() == before; }, std::chrono::seconds(10)))
      << "the agent has " << agent_fds() << " descriptors open, " << before << " before";
  // The same SandboxFs goes on with its next call.
  EXPECT_EQ(fs.stat("/tmp/thrown").size, 4u << 20);
}

TEST_F(ExecFlow, DestroyingAnUnfinishedStreamKillsItsProcess) {
  int pid = 0;
  {
    microsandbox::ExecStream stream = sandbox().exec_stream("sleep", {"1000"});
    std::optional<microsandbox::ExecEvent> started = stream.next(std::chrono::seconds(30));
    ASSERT_TRUE(started.has_value());
    pid = started->pid;
  }
  ASSERT_NE(pid, 0);
  std::string probe = "kill -0 " + std::to_string(pid) + " 2>/dev/null && echo alive || echo gone";
  EXPECT_TRUE(
      wait_until([&] { return sh(probe).stdout_data == "gone\n"; }, std::chrono::seconds(10)));
}

}  // namespace
}  // namespace msb::testing
