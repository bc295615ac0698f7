#include "agent/exec_session.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>

#include <string>
#include <vector>

#include "os/io.h"
#include "os/pty.h"

namespace msb::agent {
namespace {

// An ExecSession over pipes or a pty that the test holds the process's side of, and a
// FrameConnection whose peer end the test reads. No process is started: pid stays -1 and
// the tests never signal or cancel the session (on_exit stands in for its reaping).
class ExecSessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // As in the agent: a reader that went away is an EPIPE, not a SIGPIPE.
    old_sigpipe_ = ::signal(SIGPIPE, SIG_IGN);
    Result<os::SocketPair> sockets = os::make_socketpair(SOCK_STREAM);
    ASSERT_TRUE(sockets.has_value());
    Result<protocol::FrameConnection> connection =
        protocol::FrameConnection::create(std::move(sockets->first));
    ASSERT_TRUE(connection.has_value());
    connection_.emplace(std::move(*connection));
    peer_ = std::move(sockets->second);
    ASSERT_TRUE(os::set_nonblocking(peer_.get(), true).has_value());
  }
  void TearDown() override { ::signal(SIGPIPE, old_sigpipe_); }

  // A session whose stdin is a pipe; the test gets the process's (read) end.
  ExecSession pipe_session(os::Fd& process_stdin) {
    Result<os::PipePair> pipe = os::make_pipe(O_NONBLOCK);
    MSB_CHECK(pipe.has_value());
    process_stdin = std::move(pipe->read);
    ExecProcess process;
    process.stdin_write = std::move(pipe->write);
    return ExecSession(7, std::move(process));
  }

  // A session whose stdout is a pipe; the test gets the process's (write) end.
  ExecSession output_session(os::Fd& process_stdout) {
    Result<os::PipePair> pipe = os::make_pipe(O_NONBLOCK);
    MSB_CHECK(pipe.has_value());
    process_stdout = std::move(pipe->write);
    ExecProcess process;
    process.stdout_read = std::move(pipe->read);
    return ExecSession(9, std::move(process));
  }

  // Feeds the process's stdout and pumps it until the output window is full: the flow
  // cost the session sent (from its frames), and what it left in the pipe.
  struct Filled {
    uint64_t cost = 0;
    size_t left_in_pipe = 0;
  };
  Filled fill_window(ExecSession& session, os::Fd& process_stdout) {
    std::string block(16 * 1024, 'o');
    Filled filled;
    while (session.wants_output()) {
      Result<size_t> written = os::write_some(process_stdout.get(), block);
      if (written) filled.left_in_pipe += *written;
      session.pump_output(session.stdout_fd(), *connection_, 64 * 1024);
      for (const protocol::Envelope& frame : sent()) {
        filled.cost += protocol::flow_cost(frame.message);
        filled.left_in_pipe -= std::get<protocol::ExecStdout>(frame.message).data.data.size();
      }
    }
    return filled;
  }

  static uint64_t cost_of(const std::string& data, bool eof) {
    return protocol::flow_cost(protocol::ExecStdin{{data}, eof});
  }

  void queue(ExecSession& session, const std::string& data, bool eof) {
    session.queue_stdin(data, eof, cost_of(data, eof), *connection_);
  }

  // The sum of the exec.stdin_ack frames; every frame must be one.
  static uint64_t acked(const std::vector<protocol::Envelope>& frames) {
    uint64_t bytes = 0;
    for (const protocol::Envelope& frame : frames) {
      auto* ack = std::get_if<protocol::ExecStdinAck>(&frame.message);
      EXPECT_TRUE(ack) << protocol::message_name(frame.message);
      if (ack) bytes += ack->bytes;
    }
    return bytes;
  }

  // The frames the session queued so far.
  std::vector<protocol::Envelope> sent() {
    MSB_CHECK(connection_->flush_all(1000).has_value());
    char buffer[65536];
    for (;;) {
      Result<size_t> n = os::read_some(peer_.get(), buffer);
      if (!n || *n == 0) break;
      reader_.feed(std::string_view(buffer, *n));
    }
    std::vector<protocol::Envelope> frames;
    while (std::optional<protocol::FrameReader::Item> item = reader_.next()) {
      MSB_CHECK(item->frame.has_value());
      tl::expected<protocol::Message, protocol::CoreError> message =
          protocol::decode_body(item->frame->body);
      MSB_CHECK(message.has_value());
      frames.push_back({item->frame->id, item->frame->flags, std::move(*message)});
    }
    return frames;
  }

  static std::string read_now(int fd) {
    char buffer[65536];
    Result<size_t> n = os::read_some(fd, buffer);
    return n ? std::string(buffer, *n) : std::string("<" + n.error().message + ">");
  }

  sighandler_t old_sigpipe_ = SIG_DFL;
  std::optional<protocol::FrameConnection> connection_;
  os::Fd peer_;
  protocol::FrameReader reader_;
};

TEST_F(ExecSessionTest, HoldsWhatThePipeCannotTakeYetAndAcknowledgesItOnceWritten) {
  os::Fd process_stdin;
  ExecSession session = pipe_session(process_stdin);
  std::string data(1 << 20, 'd');
  queue(session, data, false);
  EXPECT_EQ(session.stdin_held(), cost_of(data, false));
  EXPECT_TRUE(session.wants_stdin_write());
  EXPECT_TRUE(sent().empty()) << "nothing is acknowledged before it is written";
  std::string received;
  while (received.size() < data.size()) {
    std::string chunk = read_now(process_stdin.get());
    ASSERT_FALSE(chunk.starts_with("<")) << chunk;
    received += chunk;
    session.write_stdin(*connection_);
  }
  EXPECT_EQ(received, data);
  EXPECT_EQ(session.stdin_held(), 0u);
  EXPECT_FALSE(session.wants_stdin_write());
  EXPECT_EQ(acked(sent()), cost_of(data, false));
}

TEST_F(ExecSessionTest, EofClosesThePipeAfterThePendingData) {
  os::Fd process_stdin;
  ExecSession session = pipe_session(process_stdin);
  queue(session, "last", true);
  EXPECT_EQ(session.stdin_fd(), -1);
  EXPECT_EQ(read_now(process_stdin.get()), "last");
  EXPECT_EQ(read_now(process_stdin.get()), "");  // end of file
  queue(session, "ignored", false);
  EXPECT_EQ(session.stdin_held(), 0u);
  // Ignored data is acknowledged at once, like the data that was written.
  EXPECT_EQ(acked(sent()), cost_of("last", true) + cost_of("ignored", false));
}

TEST_F(ExecSessionTest, ClosedStdinIsReportedOnceAndDropsTheBuffer) {
  os::Fd process_stdin;
  ExecSession session = pipe_session(process_stdin);
  std::string data(1 << 20, 'x');
  queue(session, data, false);
  ASSERT_GT(session.stdin_held(), 0u);
  process_stdin.reset();  // the process closes its stdin
  session.write_stdin(*connection_);
  EXPECT_EQ(session.stdin_held(), 0u);
  EXPECT_EQ(session.stdin_fd(), -1);
  queue(session, "more", false);
  queue(session, "", true);
  std::vector<protocol::Envelope> frames = sent();
  ASSERT_EQ(frames.size(), 4u);
  // The dropped data is acknowledged, then the closed stdin reported, once.
  EXPECT_EQ(std::get<protocol::ExecStdinAck>(frames[0].message).bytes, cost_of(data, false));
  EXPECT_EQ(frames[1].id, 7u);
  EXPECT_EQ(frames[1].flags, 0);
  auto* closed = std::get_if<protocol::ExecStdinClosed>(&frames[1].message);
  ASSERT_TRUE(closed) << protocol::message_name(frames[1].message);
  EXPECT_EQ(closed->errno_value, EPIPE);
  EXPECT_EQ(std::get<protocol::ExecStdinAck>(frames[2].message).bytes, cost_of("more", false));
  EXPECT_EQ(std::get<protocol::ExecStdinAck>(frames[3].message).bytes, cost_of("", true));
}

TEST_F(ExecSessionTest, StdinHeldAtTheExitIsDroppedAndAcknowledged) {
  os::Fd process_stdin;  // held open and never read, as by a background process
  ExecSession session = pipe_session(process_stdin);
  std::string data(256 * 1024, 'z');
  queue(session, data, false);
  session.on_exit(0, 0, *connection_);
  EXPECT_EQ(session.stdin_held(), 0u);
  EXPECT_TRUE(session.drain_after_exit(*connection_));
  std::vector<protocol::Envelope> frames = sent();
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(std::get<protocol::ExecStdinAck>(frames[0].message).bytes, cost_of(data, false));
  EXPECT_TRUE(std::holds_alternative<protocol::ExecExited>(frames[1].message));
  EXPECT_TRUE(frames[1].flags & protocol::kFlagTerminal);
}

TEST_F(ExecSessionTest, OutputStopsAtTheWindowUntilAcknowledged) {
  os::Fd process_stdout;
  ExecSession session = output_session(process_stdout);
  uint64_t cost = fill_window(session, process_stdout).cost;
  EXPECT_LE(cost, protocol::kOutputWindowBytes);
  EXPECT_GT(cost, protocol::kOutputWindowBytes - 2 * protocol::kFrameCost);
  EXPECT_FALSE(session.wants_output());
  session.pump_output(session.stdout_fd(), *connection_, 64 * 1024);
  EXPECT_TRUE(sent().empty()) << "output past the window";
  session.acknowledge_output(cost / 2);
  EXPECT_TRUE(session.wants_output());
  ASSERT_TRUE(os::write_some(process_stdout.get(), std::string(1000, 'p')).has_value());
  session.pump_output(session.stdout_fd(), *connection_, 64 * 1024);
  EXPECT_FALSE(sent().empty());
}

TEST_F(ExecSessionTest, LastOutputAfterTheExitWaitsForCredit) {
  os::Fd process_stdout;
  ExecSession session = output_session(process_stdout);
  Filled filled = fill_window(session, process_stdout);
  ASSERT_TRUE(os::write_all(process_stdout.get(), std::string(10'000, 'e')).has_value());
  process_stdout.reset();  // the process exits
  session.on_exit(3, 0, *connection_);
  EXPECT_FALSE(session.drain_after_exit(*connection_)) << "ended without its last output";
  EXPECT_TRUE(sent().empty());
  session.acknowledge_output(filled.cost);
  EXPECT_TRUE(session.drain_after_exit(*connection_));
  std::vector<protocol::Envelope> frames = sent();
  ASSERT_FALSE(frames.empty());
  size_t bytes = 0;
  for (size_t i = 0; i + 1 < frames.size(); ++i)
    bytes += std::get<protocol::ExecStdout>(frames[i].message).data.data.size();
  EXPECT_EQ(bytes, filled.left_in_pipe + 10'000);
  auto* exited = std::get_if<protocol::ExecExited>(&frames.back().message);
  ASSERT_TRUE(exited) << protocol::message_name(frames.back().message);
  EXPECT_EQ(exited->code, 3);
  EXPECT_TRUE(frames.back().flags & protocol::kFlagTerminal);
}

TEST_F(ExecSessionTest, TerminalEofWritesEofCharsAndResizeSetsTheSize) {
  Result<os::Pty> pty = os::open_pty(24, 80);
  ASSERT_TRUE(pty.has_value()) << pty.error().message;
  ASSERT_TRUE(os::set_nonblocking(pty->master.get(), true).has_value());
  ExecProcess process;
  process.stdin_write = std::move(*os::duplicate_fd(pty->master.get()));
  process.terminal = std::move(*os::duplicate_fd(pty->master.get()));
  ExecSession session(8, std::move(process));
  ASSERT_TRUE(session.has_terminal());

  // A partial line: the first ^D delivers it, the second is end of file.
  queue(session, "abc", true);
  EXPECT_NE(session.stdin_fd(), -1) << "the terminal stays open after eof";
  EXPECT_EQ(read_now(pty->slave.get()), "abc");
  EXPECT_EQ(read_now(pty->slave.get()), "");
  // After a whole line, one ^D is end of file.
  queue(session, "line\n", true);
  EXPECT_EQ(read_now(pty->slave.get()), "line\n");
  EXPECT_EQ(read_now(pty->slave.get()), "");

  session.resize(50, 132);
  Result<os::WindowSize> size = os::window_size(pty->slave.get());
  ASSERT_TRUE(size.has_value()) << size.error().message;
  EXPECT_EQ(size->rows, 50);
  EXPECT_EQ(size->cols, 132);
  EXPECT_EQ(acked(sent()), cost_of("abc", true) + cost_of("line\n", true));
}

TEST_F(ExecSessionTest, ResizeWithoutTerminalIsIgnored) {
  os::Fd process_stdin;
  ExecSession session = pipe_session(process_stdin);
  EXPECT_FALSE(session.has_terminal());
  session.resize(10, 10);
  EXPECT_TRUE(sent().empty());
}

}  // namespace
}  // namespace msb::agent
