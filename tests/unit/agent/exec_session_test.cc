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
// the tests never signal or finish the session.
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

TEST_F(ExecSessionTest, HoldsWhatThePipeCannotTakeYet) {
  os::Fd process_stdin;
  ExecSession session = pipe_session(process_stdin);
  std::string data(1 << 20, 'd');
  session.queue_stdin(data, false, *connection_);
  EXPECT_GT(session.stdin_backlog(), 0u);
  EXPECT_LT(session.stdin_backlog(), data.size());
  EXPECT_TRUE(session.wants_stdin_write());
  std::string received;
  while (received.size() < data.size()) {
    std::string chunk = read_now(process_stdin.get());
    ASSERT_FALSE(chunk.starts_with("<")) << chunk;
    received += chunk;
    session.write_stdin(*connection_);
  }
  EXPECT_EQ(received, data);
  EXPECT_EQ(session.stdin_backlog(), 0u);
  EXPECT_FALSE(session.wants_stdin_write());
  EXPECT_TRUE(sent().empty());
}

TEST_F(ExecSessionTest, EofClosesThePipeAfterThePendingData) {
  os::Fd process_stdin;
  ExecSession session = pipe_session(process_stdin);
  session.queue_stdin("last", true, *connection_);
  EXPECT_EQ(session.stdin_fd(), -1);
  EXPECT_EQ(read_now(process_stdin.get()), "last");
  EXPECT_EQ(read_now(process_stdin.get()), "");  // end of file
  session.queue_stdin("ignored", false, *connection_);
  EXPECT_EQ(session.stdin_backlog(), 0u);
}

TEST_F(ExecSessionTest, ClosedStdinIsReportedOnceAndDropsTheBuffer) {
  os::Fd process_stdin;
  ExecSession session = pipe_session(process_stdin);
  session.queue_stdin(std::string(1 << 20, 'x'), false, *connection_);
  ASSERT_GT(session.stdin_backlog(), 0u);
  process_stdin.reset();  // the process closes its stdin
  session.write_stdin(*connection_);
  EXPECT_EQ(session.stdin_backlog(), 0u);
  EXPECT_EQ(session.stdin_fd(), -1);
  session.queue_stdin("more", false, *connection_);
  session.queue_stdin("", true, *connection_);
  std::vector<protocol::Envelope> frames = sent();
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].id, 7u);
  EXPECT_EQ(frames[0].flags, 0);
  auto* closed = std::get_if<protocol::ExecStdinClosed>(&frames[0].message);
  ASSERT_TRUE(closed) << protocol::message_name(frames[0].message);
  EXPECT_EQ(closed->errno_value, EPIPE);
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
  session.queue_stdin("abc", true, *connection_);
  EXPECT_NE(session.stdin_fd(), -1) << "the terminal stays open after eof";
  EXPECT_EQ(read_now(pty->slave.get()), "abc");
  EXPECT_EQ(read_now(pty->slave.get()), "");
  // After a whole line, one ^D is end of file.
  session.queue_stdin("line\n", true, *connection_);
  EXPECT_EQ(read_now(pty->slave.get()), "line\n");
  EXPECT_EQ(read_now(pty->slave.get()), "");

  session.resize(50, 132);
  Result<os::WindowSize> size = os::window_size(pty->slave.get());
  ASSERT_TRUE(size.has_value()) << size.error().message;
  EXPECT_EQ(size->rows, 50);
  EXPECT_EQ(size->cols, 132);
  EXPECT_TRUE(sent().empty());
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
