// Flow control and cancellation in msb-agentd, in channel mode over a socketpair: the
// output window (core.ack), the stdin window (exec.stdin_ack), and core.cancel for exec
// and fs sessions (docs/protocol.md, "Flow control" and "core").
#include <gtest/gtest.h>
#include <signal.h>

#include <string>

#include "agent_client_helper.h"
#include "os/file.h"

namespace msb::testing {
namespace {

using protocol::kFlagSessionStart;
using protocol::kFlagTerminal;

class AgentFlowTest : public ReadyAgentTest {
 protected:
  // Frames read by take_window(): their output cost and data size.
  struct Taken {
    uint64_t cost = 0;
    size_t bytes = 0;
    std::vector<protocol::Envelope> frames;
    bool ended() const { return !frames.empty() && (frames.back().flags & kFlagTerminal); }
  };
  // Reads frames until a whole window's cost has come (the agent stops within a frame cost
  // of it) or the session ended, then until none comes for a while.
  Taken take_window() {
    Taken taken;
    bool full = false;
    for (;;) {
      // A busy machine may be slow to fill the window; nothing may follow a full one.
      Result<protocol::Envelope> frame = client_->next(full ? milliseconds(300) : kAgentTimeout);
      if (!frame) {
        EXPECT_EQ(frame.error().kind, ErrorKind::kTimeout) << frame.error().message;
        EXPECT_TRUE(full) << "only " << taken.cost << " bytes of the window came";
        return taken;
      }
      taken.cost += protocol::flow_cost(frame->message);
      if (auto* out = std::get_if<protocol::ExecStdout>(&frame->message))
        taken.bytes += out->data.data.size();
      if (auto* data = std::get_if<protocol::FsData>(&frame->message))
        taken.bytes += data->data.data.size();
      taken.frames.push_back(std::move(*frame));
      full = full || taken.ended() ||
             taken.cost + protocol::kFrameCost >= protocol::kOutputWindowBytes;
    }
  }

  pid_t start(uint32_t id, const protocol::ExecRequest& request) {
    EXPECT_TRUE(client_->send(id, kFlagSessionStart, request).has_value());
    Result<protocol::Envelope> reply = client_->next();
    EXPECT_TRUE(reply.has_value()) << reply.error().message;
    auto* started = reply ? std::get_if<protocol::ExecStarted>(&reply->message) : nullptr;
    EXPECT_TRUE(started);
    return started ? static_cast<pid_t>(started->pid) : 0;
  }

  void expect_alive(uint32_t id) {
    ASSERT_TRUE(client_->send(id, 0, protocol::CorePing{}).has_value());
    Result<protocol::Envelope> pong = client_->next();
    ASSERT_TRUE(pong.has_value()) << pong.error().message;
    EXPECT_EQ(pong->id, id);
    EXPECT_TRUE(std::holds_alternative<protocol::CorePong>(pong->message))
        << protocol::message_name(pong->message);
  }

  size_t agent_fd_count() {
    return os::list_dir("/proc/" + std::to_string(client_->agent().pid()) + "/fd").size();
  }

  std::string path(const std::string& name) const { return dir_->path() + "/" + name; }
};

TEST_F(AgentFlowTest, OutputStopsAtTheWindowUntilAcknowledged) {
  constexpr size_t kBytes = 3u << 20;
  client_->set_auto_ack(false);
  pid_t pid = start(1, exec_request("head", {"-c", std::to_string(kBytes), "/dev/zero"}));
  ASSERT_NE(pid, 0);
  Taken first = take_window();
  EXPECT_LE(first.cost, protocol::kOutputWindowBytes);
  EXPECT_GT(first.cost, protocol::kOutputWindowBytes - 64 * 1024) << "the window was not used";
  EXPECT_FALSE(process_gone(pid, milliseconds(0))) << "the process ran past the window";
  // Credit back: the rest flows, a window at a time.
  size_t bytes = first.bytes;
  uint64_t unacknowledged = first.cost;
  for (int round = 0; round < 20 && bytes < kBytes; ++round) {
    ASSERT_TRUE(client_->acknowledge(1, unacknowledged).has_value());
    Taken more = take_window();
    EXPECT_LE(more.cost, protocol::kOutputWindowBytes);
    bytes += more.bytes;
    unacknowledged = more.cost;
    if (more.ended()) break;
  }
  EXPECT_EQ(bytes, kBytes);
}

TEST_F(AgentFlowTest, ASessionOutOfCreditDoesNotHoldBackOthers) {
  client_->set_auto_ack(false);
  pid_t flood = start(2, exec_request("cat", {"/dev/zero"}));
  ASSERT_NE(flood, 0);
  Taken taken = take_window();
  EXPECT_LE(taken.cost, protocol::kOutputWindowBytes);
  Result<SessionEvents> other = client_->run(3, exec_request("echo", {"other"}));
  ASSERT_TRUE(other.has_value()) << other.error().message;
  EXPECT_EQ(other->stdout_data, "other\n");
  expect_alive(4);
  // Cancelled: killed at once, whatever credit it lacks; its output is dropped.
  ASSERT_TRUE(client_->send(2, 0, protocol::CoreCancel{}).has_value());
  Result<SessionEvents> events = client_->collect(2);
  ASSERT_TRUE(events.has_value()) << events.error().message;
  ASSERT_TRUE(events->exited.has_value());
  EXPECT_EQ(events->exited->signal, SIGKILL);
  EXPECT_TRUE(process_gone(flood));
}

TEST_F(AgentFlowTest, LastOutputAfterTheExitWaitsForCredit) {
  // More than the window: the process writes the rest into its pipe and exits meanwhile.
  // The rest must fit the 64 KiB pipe: 16 KiB, plus what frame costs (128 bytes each, up
  // to 256 frames of >= 4 KiB on a busy host) keep out of the window.
  constexpr size_t kBytes = (1u << 20) + 16'384;
  client_->set_auto_ack(false);
  pid_t pid = start(5, exec_request("head", {"-c", std::to_string(kBytes), "/dev/zero"}));
  ASSERT_NE(pid, 0);
  Taken first = take_window();
  ASSERT_FALSE(first.frames.empty());
  EXPECT_FALSE(first.ended()) << "exec.exited before the output";
  EXPECT_TRUE(process_gone(pid)) << "head did not exit with its last output in the pipe";
  ASSERT_TRUE(client_->acknowledge(5, first.cost).has_value());
  client_->set_auto_ack(true);
  Result<SessionEvents> rest = client_->collect(5);
  ASSERT_TRUE(rest.has_value()) << rest.error().message;
  EXPECT_EQ(first.bytes + rest->stdout_data.size(), kBytes);
  ASSERT_TRUE(rest->exited.has_value());
  EXPECT_EQ(rest->exited->code, 0);
}

TEST_F(AgentFlowTest, StdinIsAcknowledgedAsTheProcessTakesIt) {
  protocol::ExecRequest request = exec_request("sh", {"-c", "cat >/dev/null"});
  request.stdin_pipe = true;
  ASSERT_NE(start(6, request), 0);
  Result<SessionEvents> events =
      client_->pipe_stdin(6, std::string(3u << 20, 's'), 64 * 1024, milliseconds(60'000));
  ASSERT_TRUE(events.has_value()) << events.error().message;
  ASSERT_TRUE(events->exited.has_value());
  EXPECT_EQ(events->exited->code, 0);
  // 48 frames of 64 KiB and the eof frame, every one acknowledged.
  EXPECT_EQ(client_->stdin_acked(6),
            48 * (64 * 1024 + protocol::kFrameCost) + protocol::kFrameCost);
}

TEST_F(AgentFlowTest, SignalGetsThroughWhileAProcessLeavesItsStdinUnread) {
  protocol::ExecRequest request = exec_request("sleep", {"100"});
  request.stdin_pipe = true;
  ASSERT_NE(start(7, request), 0);
  // A whole window, which the pipe cannot take: the channel stays open all the same.
  constexpr size_t kFrame = 64 * 1024;
  for (uint64_t cost = 0; cost + kFrame + protocol::kFrameCost <= protocol::kStdinWindowBytes;
       cost += kFrame + protocol::kFrameCost) {
    ASSERT_TRUE(
        client_->send(7, 0, protocol::ExecStdin{{std::string(kFrame, 'x')}, false}).has_value());
  }
  expect_alive(8);
  ASSERT_TRUE(client_->send(7, 0, protocol::ExecSignal{SIGKILL}).has_value());
  Result<SessionEvents> events = client_->collect(7);
  ASSERT_TRUE(events.has_value()) << events.error().message;
  ASSERT_TRUE(events->exited.has_value());
  EXPECT_EQ(events->exited->signal, SIGKILL);
  // What sleep never read was dropped at its exit, and acknowledged.
  EXPECT_EQ(client_->stdin_acked(7), 15 * (kFrame + protocol::kFrameCost));
}

TEST_F(AgentFlowTest, CancelClosesAWriteAndKeepsWhatWasWritten) {
  size_t fds_before = agent_fd_count();
  std::string file = path("partial");
  ASSERT_TRUE(client_->send(9, kFlagSessionStart, protocol::FsWrite{file, 0, ""}).has_value());
  ASSERT_TRUE(client_->send(9, 0, protocol::FsData{{"partial"}}).has_value());
  ASSERT_TRUE(client_->send(9, 0, protocol::CoreCancel{}).has_value());
  Result<SessionEvents> events = client_->collect(9);
  ASSERT_TRUE(events.has_value()) << events.error().message;
  ASSERT_TRUE(events->fs_error.has_value());
  EXPECT_EQ(events->fs_error->kind, "cancelled");
  EXPECT_EQ(events->fs_error->errno_value, ECANCELED);
  EXPECT_EQ(os::read_file(file).value_or("<none>"), "partial");
  EXPECT_EQ(agent_fd_count(), fds_before);
  // The id is free again, and the agent ignores a second cancel.
  ASSERT_TRUE(client_->send(9, 0, protocol::CoreCancel{}).has_value());
  expect_alive(10);
}

TEST_F(AgentFlowTest, CancelStopsAReadWaitingForCredit) {
  std::string file = path("big");
  ASSERT_TRUE(os::write_file(file, std::string(4u << 20, 'r')).has_value());
  size_t fds_before = agent_fd_count();
  client_->set_auto_ack(false);
  ASSERT_TRUE(client_->send(11, kFlagSessionStart, protocol::FsRead{file, 0, 0}).has_value());
  Taken taken = take_window();
  EXPECT_LE(taken.cost, protocol::kOutputWindowBytes);
  EXPECT_GT(taken.bytes, 0u);
  ASSERT_TRUE(client_->send(11, 0, protocol::CoreCancel{}).has_value());
  Result<SessionEvents> events = client_->collect(11);
  ASSERT_TRUE(events.has_value()) << events.error().message;
  ASSERT_TRUE(events->fs_error.has_value());
  EXPECT_EQ(events->fs_error->kind, "cancelled");
  EXPECT_EQ(agent_fd_count(), fds_before);
}

TEST_F(AgentFlowTest, AckAndCancelForUnknownIdsAreIgnored) {
  ASSERT_TRUE(client_->send(12, 0, protocol::CoreAck{1 << 20}).has_value());
  ASSERT_TRUE(client_->send(13, 0, protocol::CoreCancel{}).has_value());
  expect_alive(14);
}

}  // namespace
}  // namespace msb::testing
