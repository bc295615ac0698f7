// Flow control between clients, the supervisor's relay and the agent: one client that
// stops taking data must not wedge the others, and one that leaves must release what it
// held in the guest.
//
// KNOWN BUGS: these cases fail today and are disabled until the fixes land (run them with
// --gtest_also_run_disabled_tests --gtest_filter='ExecFlow.*'). The first two hang, and
// their watchdog then aborts the test binary.
// - The agent stops reading its whole channel while one session holds more than 4 MiB of
//   unread stdin (docs/protocol.md, Flow control), and the relay stops reading all its
//   clients while the agent is behind: exec.signal, the SDK's timeout kill and every other
//   client's request queue up behind that stdin. A fix needs stdin credits in the
//   protocol (or per-session pacing in the relay).
// - The relay stops reading the agent while any one client has more than its bound of
//   unread output: one ExecStream whose caller does not call next() stops every other
//   exec and fs call of the sandbox (src/runtime/agent_relay.cc, clients_behind()).
// - A client that leaves with an fs.write open (a FileWriter destroyed without close())
//   gets exec.signal SIGKILL from the relay for that id; the agent answers invalid-session
//   and keeps the write session, and its file descriptor, open for good.
#include <gtest/gtest.h>
#include <signal.h>

#include <thread>

#include "sandbox_suite.h"

namespace msb::testing {
namespace {

using microsandbox::ExecOptions;
using microsandbox::ExecOutput;

class ExecFlow : public SandboxSuite {};

TEST_F(ExecFlow, DISABLED_TimeoutKillsAProcessThatLeavesLargeStdinUnread) {
  Watchdog watchdog("timeout with unread stdin", std::chrono::seconds(90));
  ExecOptions options;
  options.stdin_data = random_bytes(16 << 20, 21);
  options.timeout = std::chrono::seconds(3);
  ExecOutput out = sandbox().exec("sleep", {"100"}, options);
  EXPECT_TRUE(out.timed_out);
}

TEST_F(ExecFlow, DISABLED_UnreadOutputOfOneStreamDoesNotBlockOtherExecs) {
  Watchdog watchdog("exec next to an unread stream", std::chrono::seconds(90));
  microsandbox::ExecStream flood = sandbox().exec_stream("cat", {"/dev/zero"});
  std::this_thread::sleep_for(std::chrono::seconds(3));  // its output backs up meanwhile
  EXPECT_EQ(sh("echo other").stdout_data, "other\n");
  flood.signal(SIGKILL);
}

TEST_F(ExecFlow, DISABLED_AbandonedWriterReleasesItsAgentSession) {
  auto agent_fds = [] {
    std::string count = sh("ls /proc/1/fd | wc -l").stdout_data;
    return count.substr(0, count.find('\n'));
  };
  std::string before = agent_fds();
  {
    microsandbox::SandboxFs fs = sandbox().fs();
    microsandbox::FileWriter writer = fs.open_write("/tmp/abandoned");
    writer.write("partial");
  }  // destroyed without close(): the session is abandoned
  EXPECT_TRUE(wait_until([&] { return agent_fds() == before; }, std::chrono::seconds(10)))
      << "the agent has " << agent_fds() << " descriptors open, " << before << " before";
}

}  // namespace
}  // namespace msb::testing
