// ExecSession's flow control against a scripted agent behind a Unix socket: the SDK side of
// the stdin and output windows (docs/design/flow-control.md), with frames ordered the way a
// busy machine delivers them.
#include "sdk/exec_session.h"

#include <gtest/gtest.h>
#include <poll.h>

#include <deque>
#include <string>
#include <thread>

#include "os/file.h"
#include "os/io.h"
#include "os/unix_socket.h"
#include "protocol/connection.h"
#include "protocol/flow_control.h"

namespace msb::sdk {
namespace {

using protocol::flow_cost;

// Small windows: many rounds of credit in little data (chunks of window / 4).
constexpr uint64_t kWindow = 64 * 1024;
// Only a host that stopped talking leaves the agent this long without a frame.
constexpr int kStallMs = 5000;

// Plays the agent (and the supervisor's greeting) for one exec session of `cat`, keeping
// the output window: each exec.stdin chunk is echoed as exec.stdout once the host has
// credit for it, and acknowledged (exec.stdin_ack) then, not before. The acknowledgement
// and the output go out in one write, so the host reads them together: the order a real
// agent's frames arrive in when the host was slow to run (a loaded machine).
class FakeCatAgent {
 public:
  explicit FakeCatAgent(os::Fd listener)
      : thread_([this, fd = std::move(listener)]() mutable { serve(std::move(fd)); }) {}
  ~FakeCatAgent() { join(); }

  void join() {
    if (thread_.joinable()) thread_.join();
  }
  // Set when the host sent nothing for kStallMs while the session waited on it.
  bool stalled() const { return stalled_; }
  const std::string& failure() const { return failure_; }

 private:
  struct Chunk {
    std::string data;
    uint64_t cost;
  };

  void serve(os::Fd listener) {
    Result<void> served = run(std::move(listener));
    if (!served) failure_ = served.error().message;
  }

  Result<void> run(os::Fd listener) {
    pollfd accept_entry{listener.get(), POLLIN, 0};
    if (MSB_TRY(os::poll_fds({&accept_entry, 1}, kStallMs)) == 0) {
      stalled_ = true;
      return {};
    }
    protocol::FrameConnection connection =
        MSB_TRY(protocol::FrameConnection::create(MSB_TRY(os::accept_unix(listener.get()))));
    protocol::CoreReady ready;
    ready.protocol_version = protocol::kProtocolVersion;
    ready.stdin_window = kWindow;
    ready.output_window = kWindow;
    MSB_TRY(connection.send(0, 0, ready));
    // Until the host hangs up, as the supervisor does: acknowledgements may follow the exit.
    for (;;) {
      short events = short(POLLIN | (connection.wants_write() ? POLLOUT : 0));
      pollfd entry{connection.fd(), events, 0};
      if (MSB_TRY(os::poll_fds({&entry, 1}, kStallMs)) == 0) {
        stalled_ = true;
        return {};
      }
      if (entry.revents & POLLOUT) MSB_TRY(connection.flush_some());
      if (entry.revents & (POLLIN | POLLHUP | POLLERR)) {
        bool open = MSB_TRY(connection.receive_some());
        while (std::optional<protocol::Envelope> envelope =
                   MSB_TRY(connection.next_envelope("host")))
          MSB_TRY(handle(*envelope, connection));
        if (!open) return {};
      }
      MSB_TRY(echo(connection));
      MSB_TRY(connection.flush_some());
    }
  }

  Result<void> handle(const protocol::Envelope& envelope, protocol::FrameConnection& connection) {
    if (std::holds_alternative<protocol::ExecRequest>(envelope.message)) {
      session_ = envelope.id;
      return connection.send(session_, 0, protocol::ExecStarted{4242});
    }
    if (auto* stdin_frame = std::get_if<protocol::ExecStdin>(&envelope.message)) {
      stdin_eof_ = stdin_eof_ || stdin_frame->eof;
      uint64_t cost = flow_cost(envelope.message);
      if (stdin_frame->data.data.empty())
        return connection.send(session_, 0, protocol::ExecStdinAck{cost});
      pending_.push_back({stdin_frame->data.data, cost});
    } else if (auto* ack = std::get_if<protocol::CoreAck>(&envelope.message)) {
      output_credit_.acknowledge(ack->bytes);
    }
    return {};
  }

  // Echoes what the output window allows, then exits once stdin ended and all is echoed.
  Result<void> echo(protocol::FrameConnection& connection) {
    while (!pending_.empty()) {
      protocol::Message out = protocol::ExecStdout{{pending_.front().data}};
      if (!output_credit_.fits(flow_cost(out))) return {};
      std::string frames = MSB_TRY(
          protocol::encode_message(session_, 0, protocol::ExecStdinAck{pending_.front().cost}));
      frames += MSB_TRY(protocol::encode_message(session_, 0, out));
      connection.send_frame(std::move(frames));
      output_credit_.spend(flow_cost(out));
      pending_.pop_front();
    }
    if (stdin_eof_ && !exited_) {
      exited_ = true;
      return connection.send(session_, protocol::kFlagTerminal, protocol::ExecExited{0, 0});
    }
    return {};
  }

  uint32_t session_ = 0;
  std::deque<Chunk> pending_;
  bool stdin_eof_ = false;
  bool exited_ = false;
  protocol::CreditWindow output_credit_{kWindow};
  bool stalled_ = false;
  std::string failure_;
  std::thread thread_;  // last: it starts once the members above exist
};

std::string pattern(size_t size) {
  std::string data(size, '\0');
  for (size_t i = 0; i < size; ++i) data[i] = char((i * 131 + i / 4099) & 0xff);
  return data;
}

class ExecSessionFlow : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<os::TempDir> dir = os::TempDir::create("msb-exec-session-test-");
    ASSERT_TRUE(dir.has_value()) << dir.error().message;
    dir_.emplace(std::move(*dir));
    socket_path_ = dir_->path() + "/agent.sock";
    Result<os::Fd> listener = os::listen_unix(socket_path_);
    ASSERT_TRUE(listener.has_value()) << listener.error().message;
    agent_.emplace(std::move(*listener));
  }

  std::optional<os::TempDir> dir_;
  std::string socket_path_;
  std::optional<FakeCatAgent> agent_;
};

// Output that reached the SDK while it sent stdin (read without waiting, between chunks)
// sat in the session's backlog unacknowledged; once a window of it gathered, the agent
// stopped forwarding output, cat stopped reading, stdin credit never came back, and
// Sandbox::exec with stdin_data hung. Here every output frame arrives together with the
// acknowledgement that frees the next chunk, so a writer that does not acknowledge what it
// took before waiting stalls within a few chunks.
TEST_F(ExecSessionFlow, StdinWriterAcknowledgesOutputItTookBeforeWaitingForCredit) {
  std::string input = pattern(64 * kWindow + 77);
  ExecSpec spec;
  spec.request.cmd = "cat";
  spec.stdin_data = input;
  Result<ExecResult> result = run_exec(socket_path_, spec);
  agent_->join();
  EXPECT_FALSE(agent_->stalled()) << "the SDK stopped sending (stdin credit never came back)";
  EXPECT_EQ(agent_->failure(), "");
  ASSERT_TRUE(result.has_value()) << result.error().message;
  EXPECT_EQ(result->exit_code, 0);
  ASSERT_EQ(result->stdout_data.size(), input.size());
  EXPECT_TRUE(result->stdout_data == input);
}

}  // namespace
}  // namespace msb::sdk
