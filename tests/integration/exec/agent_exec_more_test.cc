// exec in msb-agentd beyond the basics, in channel mode over a socketpair: resource
// limits, terminals and resizing, stdin flow control and closed stdin, process-group
// signals, many sessions at once.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "agent_client_helper.h"
#include "os/process_stat.h"

namespace msb::testing {
namespace {

using protocol::kFlagSessionStart;
using protocol::kFlagTerminal;

// Processes whose process group is `pgid`, zombies left out.
std::vector<pid_t> live_group_members(pid_t pgid) {
  std::vector<pid_t> members;
  for (const std::string& name : os::list_dir("/proc")) {
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::optional<os::ProcessStat> stat = os::ProcessStat::read(std::stoi(name));
    if (stat && stat->process_group == pgid && stat->alive()) members.push_back(stat->pid);
  }
  return members;
}

// `size` bytes that vary along the stream: a lost, repeated or reordered piece shows.
std::string pattern(size_t size) {
  std::string out(size, '\0');
  for (size_t i = 0; i < size; ++i) out[i] = static_cast<char>((i * 2654435761u) >> 13);
  return out;
}

class AgentExecMoreTest : public ReadyAgentTest {
 protected:
  SessionEvents run(uint32_t id, protocol::ExecRequest request) {
    Result<SessionEvents> events = client_->run(id, std::move(request));
    EXPECT_TRUE(events.has_value()) << events.error().message;
    return events.value_or(SessionEvents{});
  }

  SessionEvents collect(uint32_t id, milliseconds timeout = kAgentTimeout) {
    Result<SessionEvents> events = client_->collect(id, timeout);
    EXPECT_TRUE(events.has_value()) << events.error().message;
    return events.value_or(SessionEvents{});
  }

  // Sends `request` as session `id` and returns the pid from its exec.started (0 if none).
  pid_t start(uint32_t id, const protocol::ExecRequest& request) {
    EXPECT_TRUE(client_->send(id, kFlagSessionStart, request).has_value());
    Result<protocol::Envelope> reply = client_->next();
    EXPECT_TRUE(reply.has_value()) << reply.error().message;
    if (!reply) return 0;
    EXPECT_EQ(reply->id, id);
    auto* started = std::get_if<protocol::ExecStarted>(&reply->message);
    EXPECT_TRUE(started) << protocol::message_name(reply->message);
    return started ? static_cast<pid_t>(started->pid) : 0;
  }

  // Reads session `id`'s frames until its stdout so far contains `needle`; returns that
  // stdout. Fails on a terminal frame or a frame of another session.
  std::string read_until_output(uint32_t id, const std::string& needle) {
    std::string output;
    while (output.find(needle) == std::string::npos) {
      Result<protocol::Envelope> frame = client_->next();
      EXPECT_TRUE(frame.has_value()) << frame.error().message << "; output so far: " << output;
      if (!frame) return output;
      EXPECT_EQ(frame->id, id);
      EXPECT_FALSE(frame->flags & kFlagTerminal) << protocol::message_name(frame->message);
      if (frame->flags & kFlagTerminal) return output;
      if (auto* out = std::get_if<protocol::ExecStdout>(&frame->message)) output += out->data.data;
    }
    return output;
  }

  void expect_alive(uint32_t id) {
    ASSERT_TRUE(client_->send(id, 0, protocol::CorePing{}).has_value());
    Result<protocol::Envelope> pong = client_->next();
    ASSERT_TRUE(pong.has_value()) << pong.error().message;
    EXPECT_EQ(pong->id, id);
    EXPECT_TRUE(std::holds_alternative<protocol::CorePong>(pong->message))
        << protocol::message_name(pong->message);
  }

  long agent_rss_kib() {
    Result<std::string> status =
        os::read_file("/proc/" + std::to_string(client_->agent().pid()) + "/status");
    size_t field = status ? status->find("VmRSS:") : std::string::npos;
    return field == std::string::npos ? 0 : std::stol(status->substr(field + 6));
  }
};

protocol::ExecRequest tty_request(std::string cmd, std::vector<std::string> args, uint32_t rows,
                                  uint32_t cols) {
  protocol::ExecRequest request = exec_request(std::move(cmd), std::move(args));
  request.tty = true;
  request.rows = rows;
  request.cols = cols;
  return request;
}

protocol::ExecStdin stdin_frame(std::string data, bool eof = false) {
  return protocol::ExecStdin{protocol::Bytes{std::move(data)}, eof};
}

size_t count(const std::vector<std::string>& v, const std::string& name) {
  return static_cast<size_t>(std::count(v.begin(), v.end(), name));
}

TEST_F(AgentExecMoreTest, AppliesResourceLimits) {
  protocol::ExecRequest request = exec_request("sh", {"-c", "ulimit -n"});
  request.rlimits = {"nofile=256"};
  SessionEvents events = run(1, request);
  EXPECT_EQ(events.stdout_data, "256\n");
  ASSERT_TRUE(events.exited.has_value());
  EXPECT_EQ(events.exited->code, 0);

  request = exec_request("sh", {"-c", "ulimit -S -n; ulimit -H -n; ulimit -S -c"});
  request.rlimits = {"NOFILE=100:200", "core=0:unlimited"};
  EXPECT_EQ(run(2, request).stdout_data, "100\n200\n0\n");
}

TEST_F(AgentExecMoreTest, BadResourceLimitFailsBeforeStarting) {
  for (std::string spec : {"nofile=lots", "files=10", "nofile=10:5", "nofile"}) {
    protocol::ExecRequest request = exec_request("true");
    request.rlimits = {"cpu=10", spec};
    SessionEvents events = run(3, request);
    EXPECT_FALSE(events.started.has_value()) << spec;
    ASSERT_TRUE(events.failed.has_value()) << spec;
    EXPECT_EQ(events.failed->kind, "resource-limit");
    EXPECT_EQ(events.failed->errno_value, 0);
    EXPECT_NE(events.failed->message.find("'" + spec + "'"), std::string::npos)
        << events.failed->message;
    EXPECT_TRUE(events.terminal_flags & kFlagTerminal);
  }
}

TEST_F(AgentExecMoreTest, RefusedResourceLimitFailsWithErrno) {
  // Above fs.nr_open: refused to root too (and raising a hard limit to anyone else).
  protocol::ExecRequest request = exec_request("true");
  request.rlimits = {"nofile=unlimited"};
  SessionEvents events = run(4, request);
  EXPECT_FALSE(events.started.has_value());
  ASSERT_TRUE(events.failed.has_value());
  EXPECT_EQ(events.failed->kind, "resource-limit");
  EXPECT_EQ(events.failed->errno_value, EPERM);
  EXPECT_NE(events.failed->message.find("setrlimit nofile=unlimited"), std::string::npos)
      << events.failed->message;
  expect_alive(5);
}

TEST_F(AgentExecMoreTest, TerminalHasTheRequestedSize) {
  SessionEvents events = run(10, tty_request("stty", {"size"}, 40, 100));
  EXPECT_EQ(events.stdout_data, "40 100\r\n");
  EXPECT_EQ(events.stderr_data, "");
  ASSERT_TRUE(events.exited.has_value());
  EXPECT_EQ(events.exited->code, 0);
  EXPECT_EQ(run(11, tty_request("stty", {"size"}, 0, 0)).stdout_data, "24 80\r\n");
}

TEST_F(AgentExecMoreTest, TtyIsAPseudoTerminalOnlyWhenAsked) {
  SessionEvents events = run(12, tty_request("tty", {}, 24, 80));
  EXPECT_TRUE(events.stdout_data.starts_with("/dev/pts/")) << events.stdout_data;
  EXPECT_TRUE(events.stdout_data.ends_with("\r\n")) << events.stdout_data;
  ASSERT_TRUE(events.exited.has_value());
  EXPECT_EQ(events.exited->code, 0);

  events = run(13, exec_request("tty"));
  EXPECT_EQ(events.stdout_data, "not a tty\n");
  ASSERT_TRUE(events.exited.has_value());
  EXPECT_EQ(events.exited->code, 1);
}

TEST_F(AgentExecMoreTest, TerminalMergesStderrIntoStdout) {
  SessionEvents events = run(14, tty_request("sh", {"-c", "echo out; echo err >&2"}, 24, 80));
  EXPECT_EQ(events.stdout_data, "out\r\nerr\r\n");
  EXPECT_EQ(events.stderr_data, "");
  EXPECT_EQ(count(events.order, "exec.stderr"), 0u);
}

TEST_F(AgentExecMoreTest, ResizeSignalsTheForegroundGroup) {
  std::string script = "trap 'stty size; exit 0' WINCH; echo ready; while :; do sleep 0.05; done";
  ASSERT_NE(start(15, tty_request("sh", {"-c", script}, 40, 100)), 0);
  read_until_output(15, "ready");
  ASSERT_TRUE(client_->send(15, 0, protocol::ExecResize{50, 120}).has_value());
  SessionEvents events = collect(15);
  EXPECT_NE(events.stdout_data.find("50 120\r\n"), std::string::npos) << events.stdout_data;
  ASSERT_TRUE(events.exited.has_value());
  EXPECT_EQ(events.exited->code, 0);
}

TEST_F(AgentExecMoreTest, ResizeChangesWhatTheProcessReadsNext) {
  ASSERT_NE(start(16, tty_request("sh", {"-c", "stty size; read line; stty size"}, 40, 100)), 0);
  read_until_output(16, "40 100\r\n");
  ASSERT_TRUE(client_->send(16, 0, protocol::ExecResize{33, 77}).has_value());
  ASSERT_TRUE(client_->send(16, 0, stdin_frame("go\n")).has_value());
  SessionEvents events = collect(16);
  EXPECT_NE(events.stdout_data.find("33 77\r\n"), std::string::npos) << events.stdout_data;
  ASSERT_TRUE(events.exited.has_value());
  EXPECT_EQ(events.exited->code, 0);
}

TEST_F(AgentExecMoreTest, ResizeWithoutTerminalIsIgnoredAndUnknownIdRejected) {
  ASSERT_NE(start(17, exec_request("sleep", {"100"})), 0);
  ASSERT_TRUE(client_->send(17, 0, protocol::ExecResize{10, 10}).has_value());
  expect_alive(18);  // no reply to the resize came before the pong
  ASSERT_TRUE(client_->send(17, 0, protocol::ExecSignal{SIGKILL}).has_value());
  EXPECT_TRUE(collect(17).exited.has_value());

  ASSERT_TRUE(client_->send(19, 0, protocol::ExecResize{10, 10}).has_value());
  SessionEvents events = collect(19);
  ASSERT_TRUE(events.error.has_value());
  EXPECT_EQ(events.error->kind, "invalid-session");
  EXPECT_EQ(events.error->offending_type, "exec.resize");
}

TEST_F(AgentExecMoreTest, TerminalStdinAndEndOfFile) {
  // A whole line, then end of file: cat prints the line and exits.
  ASSERT_NE(start(20, tty_request("cat", {}, 24, 80)), 0);
  ASSERT_TRUE(client_->send(20, 0, stdin_frame("hello\n", true)).has_value());
  SessionEvents events = collect(20);
  EXPECT_NE(events.stdout_data.find("hello\r\n"), std::string::npos) << events.stdout_data;
  ASSERT_TRUE(events.exited.has_value());
  EXPECT_EQ(events.exited->code, 0);

  // A partial line: it is delivered, then end of file.
  ASSERT_NE(start(21, tty_request("sh", {"-c", "cat; echo done"}, 24, 80)), 0);
  ASSERT_TRUE(client_->send(21, 0, stdin_frame("abc")).has_value());
  ASSERT_TRUE(client_->send(21, 0, stdin_frame("", true)).has_value());
  events = collect(21);
  EXPECT_NE(events.stdout_data.find("abc"), std::string::npos) << events.stdout_data;
  EXPECT_NE(events.stdout_data.find("done\r\n"), std::string::npos) << events.stdout_data;
  ASSERT_TRUE(events.exited.has_value());
  EXPECT_EQ(events.exited->code, 0);
}

TEST_F(AgentExecMoreTest, EightMebibytesOfStdinThroughCat) {
  constexpr size_t kBytes = 8u << 20;
  constexpr size_t kFrame = 64 * 1024;
  std::string sent = pattern(kBytes);
  protocol::ExecRequest request = exec_request("cat");
  request.stdin_pipe = true;
  ASSERT_TRUE(client_->send(30, kFlagSessionStart, request).has_value());
  Result<SessionEvents> piped = client_->pipe_stdin(30, sent, kFrame, milliseconds(60'000));
  ASSERT_TRUE(piped.has_value()) << piped.error().message;
  const SessionEvents& events = *piped;
  EXPECT_EQ(events.stdout_data.size(), kBytes);
  EXPECT_TRUE(events.stdout_data == sent) << "stdin did not arrive byte-exact";
  ASSERT_TRUE(events.exited.has_value());
  EXPECT_EQ(events.exited->code, 0);
  EXPECT_EQ(count(events.order, "exec.stdin_closed"), 0u);
}

// The backstop for a host that ignores the stdin window (docs/protocol.md, Flow control):
// the agent stops reading the channel rather than buffer without bound. A host that keeps
// to the window never gets here (AgentFlowTest).
TEST_F(AgentExecMoreTest, StopsReadingTheChannelForAHostThatIgnoresTheStdinWindow) {
  constexpr size_t kBytes = 16u << 20;
  constexpr size_t kFrame = 256 * 1024;
  Result<os::TempDir> dir = os::TempDir::create("msb-exec-more-test");
  ASSERT_TRUE(dir.has_value()) << dir.error().message;
  std::string gate = dir->path() + "/gate";
  long rss_before = agent_rss_kib();
  // Takes no stdin until the test opens the gate.
  std::string script = "while [ ! -e " + gate + " ]; do sleep 0.02; done; exec cat >/dev/null";
  protocol::ExecRequest request = exec_request("sh", {"-c", script});
  request.stdin_pipe = true;
  ASSERT_NE(start(31, request), 0);
  std::atomic<size_t> sent{0};
  std::atomic<bool> writer_ok{true};
  std::atomic<bool> writer_done{false};
  std::atomic<pid_t> writer_tid{0};
  std::thread writer([&] {
    writer_tid = ::gettid();
    std::string chunk(kFrame, 's');
    for (size_t at = 0; at < kBytes && writer_ok; at += kFrame) {
      writer_ok = client_->send(31, 0, stdin_frame(chunk)).has_value();
      sent += kFrame;
    }
    writer_ok = writer_ok && client_->send(31, 0, stdin_frame("", true)).has_value();
    writer_done = true;
  });
  // Wait until the host's sends stall (the writer thread blocked in its write, no progress
  // between two looks), or all went through.
  size_t last = SIZE_MAX;
  EXPECT_TRUE(wait_until(
      [&] {
        size_t now = sent.load();
        bool stalled = now == last && writer_tid != 0 && sleeping(writer_tid);
        last = now;
        return writer_done || stalled;
      },
      milliseconds(60'000), milliseconds(20)));
  // 1 MiB held by the agent, plus one channel read, the socket buffers, the pipe, a frame.
  EXPECT_LT(sent.load(), 7u << 20) << "the agent kept reading stdin it could not deliver";
  if (kMemoryBoundsChecked) {
    EXPECT_LT(agent_rss_kib() - rss_before, 16 * 1024) << "agent buffered unbounded stdin";
  }
  ASSERT_TRUE(os::write_file(gate, "").has_value());
  SessionEvents events = collect(31, milliseconds(60'000));
  writer.join();
  EXPECT_TRUE(writer_ok);
  EXPECT_EQ(sent.load(), kBytes);
  ASSERT_TRUE(events.exited.has_value());
  EXPECT_EQ(events.exited->code, 0);
}

TEST_F(AgentExecMoreTest, StdinToAnExitingProcessReportsClosedThenExit) {
  protocol::ExecRequest request = exec_request("true");
  request.stdin_pipe = true;
  // One write: the stdin (more than a pipe holds) is in the channel before `true` exits.
  std::string frames = protocol::encode_message(32, kFlagSessionStart, request).value();
  frames += protocol::encode_message(32, 0, stdin_frame(std::string(128 * 1024, 'x'))).value();
  ASSERT_TRUE(client_->send_raw(frames).has_value());
  Result<SessionEvents> events = client_->collect(32);
  ASSERT_TRUE(events.has_value()) << events.error().message;
  ASSERT_TRUE(events->exited.has_value()) << "no exec.exited";
  EXPECT_EQ(events->exited->code, 0);
  ASSERT_EQ(events->order.size(), 3u);
  EXPECT_EQ(events->order[0], "exec.started");
  EXPECT_EQ(events->order[1], "exec.stdin_closed");
  EXPECT_EQ(events->order[2], "exec.exited");
  expect_alive(33);
}

TEST_F(AgentExecMoreTest, ClosedStdinIsReportedOnceAndLaterStdinIgnored) {
  protocol::ExecRequest request = exec_request("sh", {"-c", "exec 0<&-; sleep 100"});
  request.stdin_pipe = true;
  ASSERT_NE(start(34, request), 0);
  ASSERT_TRUE(client_->send(34, 0, stdin_frame(std::string(512 * 1024, 'y'))).has_value());
  Result<protocol::Envelope> closed = client_->next();
  ASSERT_TRUE(closed.has_value()) << closed.error().message;
  EXPECT_EQ(closed->id, 34u);
  EXPECT_FALSE(closed->flags & kFlagTerminal);
  auto* report = std::get_if<protocol::ExecStdinClosed>(&closed->message);
  ASSERT_TRUE(report) << protocol::message_name(closed->message);
  EXPECT_EQ(report->errno_value, EPIPE);
  // Later stdin for the session is dropped without a reply.
  ASSERT_TRUE(client_->send(34, 0, stdin_frame("more")).has_value());
  ASSERT_TRUE(client_->send(34, 0, stdin_frame("", true)).has_value());
  expect_alive(35);
  ASSERT_TRUE(client_->send(34, 0, protocol::ExecSignal{SIGKILL}).has_value());
  SessionEvents events = collect(34);
  EXPECT_EQ(events.order, (std::vector<std::string>{"exec.exited"}));
  ASSERT_TRUE(events.exited.has_value());
  EXPECT_EQ(events.exited->signal, SIGKILL);
}

TEST_F(AgentExecMoreTest, SignalReachesBackgroundChildren) {
  pid_t pid = start(40, exec_request("sh", {"-c", "sleep 100 & sleep 100 & wait"}));
  ASSERT_NE(pid, 0);
  wait_until([&] { return live_group_members(pid).size() >= 3; }, milliseconds(30'000),
             milliseconds(20));
  ASSERT_EQ(live_group_members(pid).size(), 3u) << "the shell and its two sleeps";
  ASSERT_TRUE(client_->send(40, 0, protocol::ExecSignal{SIGTERM}).has_value());
  SessionEvents events = collect(40);
  ASSERT_TRUE(events.exited.has_value());
  EXPECT_EQ(events.exited->signal, SIGTERM);
  wait_until([&] { return live_group_members(pid).empty(); }, milliseconds(30'000),
             milliseconds(20));
  EXPECT_TRUE(live_group_members(pid).empty()) << "a process of the group outlived SIGTERM";
}

TEST_F(AgentExecMoreTest, FiftyConcurrentSessions) {
  constexpr uint32_t kSessions = 50;
  for (uint32_t n = 0; n < kSessions; ++n) {
    protocol::ExecRequest request = exec_request("sh", {"-c", "echo $0", std::to_string(n)});
    ASSERT_TRUE(client_->send(1000 + n, kFlagSessionStart, request).has_value());
  }
  for (uint32_t n = kSessions; n-- > 0;) {
    SessionEvents events = collect(1000 + n);
    EXPECT_EQ(events.stdout_data, std::to_string(n) + "\n");
    ASSERT_TRUE(events.exited.has_value()) << "session " << n;
    EXPECT_EQ(events.exited->code, 0);
  }
  expect_alive(1100);
}

}  // namespace
}  // namespace msb::testing
