#include "protocol/connection.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>

#include <string>

#include "os/io.h"

namespace msb::protocol {
namespace {

// A FrameConnection on one end of a socketpair; the test plays the peer on the other.
struct Pair {
  FrameConnection connection;
  os::Fd peer;
};

Pair make_pair() {
  Result<os::SocketPair> sockets = os::make_socketpair(SOCK_STREAM);
  MSB_CHECK(sockets.has_value());
  Result<FrameConnection> connection = FrameConnection::create(std::move(sockets->first));
  MSB_CHECK(connection.has_value());
  return Pair{std::move(*connection), std::move(sockets->second)};
}

// Reads what the peer has now (the peer end is non-blocking).
std::string drain_peer(int fd) {
  std::string out;
  char buffer[65536];
  for (;;) {
    Result<size_t> n = os::read_some(fd, buffer);
    if (!n || *n == 0) return out;
    out.append(buffer, *n);
  }
}

// Ignores SIGPIPE for the scope: writes to a closed peer fail with EPIPE instead.
class IgnoreSigpipe {
 public:
  IgnoreSigpipe() { old_ = ::signal(SIGPIPE, SIG_IGN); }
  ~IgnoreSigpipe() { ::signal(SIGPIPE, old_); }

 private:
  sighandler_t old_;
};

TEST(FrameConnection, CreateMakesFdNonBlocking) {
  Pair pair = make_pair();
  EXPECT_NE(::fcntl(pair.connection.fd(), F_GETFL) & O_NONBLOCK, 0);
}

TEST(FrameConnection, SendQueuesUntilFlushed) {
  Pair pair = make_pair();
  ASSERT_TRUE(pair.connection.send(7, kFlagTerminal, CorePong{}).has_value());
  Result<std::string> expected = encode_message(7, kFlagTerminal, CorePong{});
  ASSERT_TRUE(expected.has_value());
  EXPECT_TRUE(pair.connection.wants_write());
  EXPECT_EQ(pair.connection.queued_bytes(), expected->size());
  ASSERT_TRUE(os::set_nonblocking(pair.peer.get(), true).has_value());
  EXPECT_EQ(drain_peer(pair.peer.get()), "");  // nothing is written before a flush

  ASSERT_TRUE(pair.connection.flush_some().has_value());
  EXPECT_FALSE(pair.connection.wants_write());
  EXPECT_EQ(pair.connection.queued_bytes(), 0u);
  EXPECT_EQ(drain_peer(pair.peer.get()), *expected);
}

TEST(FrameConnection, SendRejectsOversizedMessageAndQueuesNothing) {
  Pair pair = make_pair();
  Result<void> sent =
      pair.connection.send(1, 0, ExecStdout{Bytes{std::string(kMaxBodyBytes, 'x')}});
  ASSERT_FALSE(sent.has_value());
  EXPECT_EQ(sent.error().kind, ErrorKind::kInvalidArgument);
  EXPECT_EQ(pair.connection.queued_bytes(), 0u);
}

TEST(FrameConnection, FlushSomeLeavesBytesQueuedWhenPeerIsFull) {
  Pair pair = make_pair();
  ASSERT_TRUE(os::set_nonblocking(pair.peer.get(), true).has_value());
  std::string chunk(1 << 20, '\0');
  for (size_t i = 0; i < chunk.size(); ++i) chunk[i] = static_cast<char>(i % 251);
  constexpr int kFrames = 4;
  for (uint32_t id = 1; id <= kFrames; ++id) {
    ASSERT_TRUE(pair.connection.send(id, 0, ExecStdout{Bytes{chunk}}).has_value());
  }
  size_t total = pair.connection.queued_bytes();
  ASSERT_TRUE(pair.connection.flush_some().has_value());  // EAGAIN is not an error
  EXPECT_TRUE(pair.connection.wants_write());
  EXPECT_GT(pair.connection.queued_bytes(), 0u);
  EXPECT_LT(pair.connection.queued_bytes(), total);

  // Alternate reading and flushing: every byte arrives once, in order.
  FrameReader reader;
  for (int round = 0; round < 10'000 && pair.connection.wants_write(); ++round) {
    reader.feed(drain_peer(pair.peer.get()));
    ASSERT_TRUE(pair.connection.flush_some().has_value());
  }
  reader.feed(drain_peer(pair.peer.get()));
  EXPECT_FALSE(pair.connection.wants_write());
  for (uint32_t id = 1; id <= kFrames; ++id) {
    std::optional<FrameReader::Item> item = reader.next();
    ASSERT_TRUE(item && item->frame) << "frame " << id;
    EXPECT_EQ(item->frame->id, id);
    tl::expected<Message, CoreError> decoded = decode_body(item->frame->body);
    ASSERT_TRUE(decoded.has_value());
    EXPECT_TRUE(std::get<ExecStdout>(*decoded).data.data == chunk);
  }
  EXPECT_FALSE(reader.mid_frame());
}

TEST(FrameConnection, FlushAllTimesOutWhenPeerDoesNotRead) {
  Pair pair = make_pair();
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(
        pair.connection.send(1, 0, ExecStdout{Bytes{std::string(1 << 20, 'y')}}).has_value());
  }
  Result<void> flushed = pair.connection.flush_all(50);
  ASSERT_FALSE(flushed.has_value());
  EXPECT_EQ(flushed.error().kind, ErrorKind::kTimeout);
  EXPECT_GT(pair.connection.queued_bytes(), 0u);
}

TEST(FrameConnection, FlushSomeFailsWhenPeerClosed) {
  IgnoreSigpipe ignore;
  Pair pair = make_pair();
  pair.peer.reset();
  ASSERT_TRUE(pair.connection.send(1, 0, CorePing{}).has_value());
  Result<void> flushed = pair.connection.flush_some();
  ASSERT_FALSE(flushed.has_value());
  EXPECT_EQ(flushed.error().sys_errno, EPIPE);
}

TEST(FrameConnection, ReceiveSomeDecodesWhatArrived) {
  Pair pair = make_pair();
  Result<std::string> ping = encode_message(5, kFlagSessionStart, CorePing{});
  ASSERT_TRUE(ping.has_value());
  ASSERT_TRUE(os::write_all(pair.peer.get(), *ping + *ping).has_value());
  Result<bool> open = pair.connection.receive_some();
  ASSERT_TRUE(open.has_value());
  EXPECT_TRUE(*open);
  for (int i = 0; i < 2; ++i) {
    std::optional<FrameReader::Item> item = pair.connection.next_frame();
    ASSERT_TRUE(item && item->frame);
    EXPECT_EQ(item->frame->id, 5u);
    EXPECT_EQ(item->frame->flags, kFlagSessionStart);
  }
  EXPECT_FALSE(pair.connection.next_frame().has_value());
}

TEST(FrameConnection, ReceiveSomeReturnsTrueWhenNothingIsAvailable) {
  Pair pair = make_pair();
  Result<bool> open = pair.connection.receive_some();
  ASSERT_TRUE(open.has_value());
  EXPECT_TRUE(*open);
  EXPECT_FALSE(pair.connection.next_frame().has_value());
}

TEST(FrameConnection, ReceiveSomeReturnsFalseAtEof) {
  Pair pair = make_pair();
  pair.peer.reset();
  Result<bool> open = pair.connection.receive_some();
  ASSERT_TRUE(open.has_value());
  EXPECT_FALSE(*open);
  EXPECT_FALSE(pair.connection.mid_frame());
}

TEST(FrameConnection, ReportsTruncatedFrameAtEof) {
  Pair pair = make_pair();
  Result<std::string> frame = encode_message(9, 0, ExecSignal{15});
  ASSERT_TRUE(frame.has_value());
  ASSERT_TRUE(os::write_all(pair.peer.get(), frame->substr(0, frame->size() - 2)).has_value());
  pair.peer.reset();
  bool open = true;
  for (int round = 0; round < 10 && open; ++round) {
    Result<bool> received = pair.connection.receive_some();
    ASSERT_TRUE(received.has_value());
    open = *received;
  }
  EXPECT_FALSE(open);
  EXPECT_FALSE(pair.connection.next_frame().has_value());
  EXPECT_TRUE(pair.connection.mid_frame());
}

}  // namespace
}  // namespace msb::protocol
