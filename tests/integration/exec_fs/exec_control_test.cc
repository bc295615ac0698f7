// Controlling processes in a real sandbox: timeouts, signals, terminals, and the reaping
// of orphans by the agent (PID 1).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <thread>

#include "os/process_stat.h"
#include "sandbox_suite.h"

namespace msb::testing {
namespace {

using microsandbox::ExecEvent;
using microsandbox::ExecOptions;
using microsandbox::ExecOutput;
using microsandbox::ExecStream;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;

class ExecControl : public SandboxSuite {};

TEST_F(ExecControl, TimeoutKillsTheWholeProcessGroup) {
  Watchdog watchdog("exec with a timeout", std::chrono::seconds(120));
  ExecOptions options;
  options.timeout = std::chrono::seconds(2);
  auto started = std::chrono::steady_clock::now();
  ExecOutput out = sandbox().exec("sh", {"-c", "sleep 100 & sleep 100 & wait"}, options);
  auto took = std::chrono::steady_clock::now() - started;
  EXPECT_TRUE(out.timed_out);
  EXPECT_EQ(out.signal, SIGKILL);
  EXPECT_FALSE(out.success());
  EXPECT_LT(took, std::chrono::seconds(12));
  // Both background sleeps were in the killed process group.
  std::string listing;
  bool gone = wait_until(
      [&] {
        listing = sh("ps").stdout_data;
        return listing.find("sleep 100") == std::string::npos;
      },
      std::chrono::seconds(10));
  EXPECT_TRUE(gone) << listing;
}

TEST_F(ExecControl, SignalReachesTheProcessAndItsTrapRuns) {
  Watchdog watchdog("signal to a trapping shell", std::chrono::seconds(120));
  ExecStream stream = sandbox().exec_stream(
      "sh", {"-c", "trap 'echo got; exit 3' TERM; echo ready; while true; do sleep 0.1; done"});
  std::optional<ExecEvent> first = stream.next(kSlow);
  ASSERT_TRUE(first);
  ASSERT_EQ(first->kind, ExecEvent::Kind::kStarted);
  EXPECT_GT(first->pid, 0);
  EXPECT_EQ(stream.pid(), first->pid);
  std::string out;
  while (out.find("ready\n") == std::string::npos) {
    std::optional<ExecEvent> event = stream.next(kSlow);
    ASSERT_TRUE(event);
    ASSERT_NE(event->kind, ExecEvent::Kind::kExited);
    if (event->kind == ExecEvent::Kind::kStdout) out += event->data;
  }
  // "ready" comes after the trap is set: the signal may go now.
  stream.signal(SIGTERM);
  ExecOutput rest = stream.wait();
  EXPECT_EQ(rest.stdout_data, "got\n");
  EXPECT_EQ(rest.exit_code, 3);
  EXPECT_EQ(rest.signal, 0);
  EXPECT_FALSE(rest.timed_out);
}

TEST_F(ExecControl, TerminalHasTheRequestedSize) {
  ExecOptions options;
  options.tty = true;
  options.rows = 40;
  options.cols = 100;
  ExecOutput out = sandbox().exec("stty", {"size"}, options);
  EXPECT_EQ(out.exit_code, 0);
  EXPECT_EQ(out.stdout_data, "40 100\r\n");
  EXPECT_EQ(out.stderr_data, "");  // a terminal puts everything on stdout
}

TEST_F(ExecControl, TerminalResizeReachesTheProcess) {
  Watchdog watchdog("terminal resize", std::chrono::seconds(120));
  ExecOptions options;
  options.tty = true;
  options.stdin_stream = true;
  options.rows = 24;
  options.cols = 80;
  ExecStream stream = sandbox().exec_stream("sh", {"-c", "stty size; read x; stty size"}, options);
  std::string out;
  while (out.find("24 80\r\n") == std::string::npos) {
    std::optional<ExecEvent> event = stream.next(kSlow);
    ASSERT_TRUE(event) << out;
    ASSERT_NE(event->kind, ExecEvent::Kind::kExited) << out;
    if (event->kind == ExecEvent::Kind::kStdout) out += event->data;
  }
  stream.resize(50, 120);
  stream.write_stdin("\n");
  ExecOutput rest = stream.wait();
  EXPECT_EQ(rest.exit_code, 0);
  std::vector<std::string> lines = lines_of(out + rest.stdout_data);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.front(), "24 80");
  EXPECT_EQ(lines.back(), "50 120") << out + rest.stdout_data;
}

TEST_F(ExecControl, TtyNamesAPseudoTerminalOnlyWithATerminal) {
  ExecOptions options;
  options.tty = true;
  ExecOutput with = sandbox().exec("tty", {}, options);
  EXPECT_EQ(with.exit_code, 0);
  EXPECT_THAT(with.stdout_data, MatchesRegex("/dev/pts/[0-9]+\r\n"));
  ExecOutput without = sandbox().exec("tty");
  EXPECT_EQ(without.exit_code, 1);
  EXPECT_THAT(without.stdout_data, HasSubstr("not a tty"));
}

TEST_F(ExecControl, OrphansAreReapedByTheAgent) {
  Watchdog watchdog("orphan reaping", std::chrono::seconds(120));
  // The workload: an orphan that lives 3 s (time enough to be seen), then exits.
  ExecOutput out = sh("(sleep 3 &) ; exit 0");
  ASSERT_EQ(out.exit_code, 0) << out.stderr_data;
  // The subshell has exited, so its child now belongs to PID 1; it may not have exec'd
  // sleep yet (its comm is still "sh"), so look again until it has.
  bool orphaned = wait_until(
      [] {
        for (const os::ProcessStat& process : guest_processes()) {
          if (process.comm == "sleep" && process.parent_pid == 1) return true;
        }
        return false;
      },
      std::chrono::seconds(10), std::chrono::milliseconds(20));
  EXPECT_TRUE(orphaned) << "no orphaned sleep under PID 1";
  // Once it exits, PID 1 reaps it: no sleep and no zombie are left.
  std::vector<std::string> zombies, sleeps;
  wait_until(
      [&] {
        zombies.clear();
        sleeps.clear();
        for (const os::ProcessStat& process : guest_processes()) {
          if (process.state == 'Z')
            zombies.push_back(std::to_string(process.pid) + " " + process.comm);
          if (process.comm == "sleep") sleeps.push_back(std::to_string(process.pid));
        }
        return zombies.empty() && sleeps.empty();
      },
      std::chrono::seconds(30), std::chrono::milliseconds(200));
  EXPECT_THAT(zombies, ::testing::IsEmpty());
  EXPECT_THAT(sleeps, ::testing::IsEmpty());
}

}  // namespace
}  // namespace msb::testing
