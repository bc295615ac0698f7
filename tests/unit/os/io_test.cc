#include "os/io.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <string>
#include <thread>

namespace msb::os {
namespace {

bool has_cloexec(int fd) { return (::fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0; }

TEST(Fd, ClosesOnDestruction) {
  int raw = -1;
  {
    Result<PipePair> pipe = make_pipe();
    ASSERT_TRUE(pipe.has_value());
    raw = pipe->read.get();
  }
  errno = 0;
  EXPECT_EQ(::fcntl(raw, F_GETFD), -1);
  EXPECT_EQ(errno, EBADF);
}

TEST(Fd, MoveTransfersOwnership) {
  Result<PipePair> pipe = make_pipe();
  ASSERT_TRUE(pipe.has_value());
  int raw = pipe->read.get();
  Fd moved = std::move(pipe->read);
  EXPECT_FALSE(pipe->read.valid());
  EXPECT_EQ(moved.get(), raw);
  EXPECT_NE(::fcntl(raw, F_GETFD), -1);
}

TEST(Fd, ReleaseKeepsTheFdOpen) {
  Result<PipePair> pipe = make_pipe();
  ASSERT_TRUE(pipe.has_value());
  int raw = pipe->write.release();
  EXPECT_FALSE(pipe->write);
  EXPECT_NE(::fcntl(raw, F_GETFD), -1);
  ::close(raw);
}

TEST(Io, PipeIsCloexec) {
  Result<PipePair> pipe = make_pipe();
  ASSERT_TRUE(pipe.has_value());
  EXPECT_TRUE(has_cloexec(pipe->read.get()));
  EXPECT_TRUE(has_cloexec(pipe->write.get()));
}

TEST(Io, SocketpairIsCloexecAndConnected) {
  Result<SocketPair> pair = make_socketpair(SOCK_STREAM);
  ASSERT_TRUE(pair.has_value());
  EXPECT_TRUE(has_cloexec(pair->first.get()));
  EXPECT_TRUE(has_cloexec(pair->second.get()));
  ASSERT_TRUE(write_all(pair->first.get(), "ping").has_value());
  std::array<char, 4> buffer{};
  ASSERT_TRUE(read_exact(pair->second.get(), buffer).has_value());
  EXPECT_EQ(std::string(buffer.data(), buffer.size()), "ping");
}

TEST(Io, WriteAllThenReadToEnd) {
  Result<PipePair> pipe = make_pipe();
  ASSERT_TRUE(pipe.has_value());
  ASSERT_TRUE(write_all(pipe->write.get(), "hello, world").has_value());
  pipe->write.reset();
  Result<std::string> text = read_to_end(pipe->read.get());
  ASSERT_TRUE(text.has_value());
  EXPECT_EQ(*text, "hello, world");
}

TEST(Io, WriteAllLargerThanThePipeBuffer) {
  Result<PipePair> pipe = make_pipe();
  ASSERT_TRUE(pipe.has_value());
  std::string data(1 << 20, 'x');
  for (size_t i = 0; i < data.size(); i += 4096) data[i] = static_cast<char>('a' + i % 26);
  std::thread writer([&] {
    EXPECT_TRUE(write_all(pipe->write.get(), data).has_value());
    pipe->write.reset();
  });
  Result<std::string> text = read_to_end(pipe->read.get());
  writer.join();
  ASSERT_TRUE(text.has_value());
  EXPECT_EQ(*text, data);
}

TEST(Io, ReadExactFillsTheBuffer) {
  Result<PipePair> pipe = make_pipe();
  ASSERT_TRUE(pipe.has_value());
  ASSERT_TRUE(write_all(pipe->write.get(), "abcdef").has_value());
  std::array<char, 4> buffer{};
  ASSERT_TRUE(read_exact(pipe->read.get(), buffer).has_value());
  EXPECT_EQ(std::string(buffer.data(), buffer.size()), "abcd");
}

TEST(Io, ReadExactOnEarlyEofIsAnError) {
  Result<PipePair> pipe = make_pipe();
  ASSERT_TRUE(pipe.has_value());
  ASSERT_TRUE(write_all(pipe->write.get(), "ab").has_value());
  pipe->write.reset();
  std::array<char, 4> buffer{};
  Result<void> read = read_exact(pipe->read.get(), buffer);
  ASSERT_FALSE(read.has_value());
  EXPECT_EQ(read.error().kind, ErrorKind::kProtocol);
  EXPECT_NE(read.error().message.find("unexpected end of file"), std::string::npos);
}

TEST(Io, ReadSomeReturnsZeroAtEof) {
  Result<PipePair> pipe = make_pipe();
  ASSERT_TRUE(pipe.has_value());
  pipe->write.reset();
  std::array<char, 8> buffer{};
  Result<size_t> n = read_some(pipe->read.get(), buffer);
  ASSERT_TRUE(n.has_value());
  EXPECT_EQ(*n, 0u);
}

TEST(Io, NonblockingReadOnEmptyPipeIsEagain) {
  Result<PipePair> pipe = make_pipe(O_NONBLOCK);
  ASSERT_TRUE(pipe.has_value());
  std::array<char, 8> buffer{};
  Result<size_t> n = read_some(pipe->read.get(), buffer);
  ASSERT_FALSE(n.has_value());
  EXPECT_EQ(n.error().sys_errno, EAGAIN);
  EXPECT_EQ(n.error().message.rfind("read: ", 0), 0u);
}

TEST(Io, SetNonblockingTogglesTheFlag) {
  Result<PipePair> pipe = make_pipe();
  ASSERT_TRUE(pipe.has_value());
  int fd = pipe->read.get();
  ASSERT_TRUE(set_nonblocking(fd, true).has_value());
  EXPECT_NE(::fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
  ASSERT_TRUE(set_nonblocking(fd, false).has_value());
  EXPECT_EQ(::fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
}

TEST(Io, WriteToClosedPipeIsAnError) {
  Result<PipePair> pipe = make_pipe();
  ASSERT_TRUE(pipe.has_value());
  pipe->read.reset();
  // Without this, EPIPE would come as a SIGPIPE that kills the test.
  sighandler_t old = ::signal(SIGPIPE, SIG_IGN);
  Result<void> written = write_all(pipe->write.get(), "x");
  ::signal(SIGPIPE, old);
  ASSERT_FALSE(written.has_value());
  EXPECT_EQ(written.error().sys_errno, EPIPE);
}

TEST(Io, ErrorsOnABadFdNameTheCall) {
  std::array<char, 1> buffer{};
  Result<size_t> n = read_some(-1, buffer);
  ASSERT_FALSE(n.has_value());
  EXPECT_EQ(n.error().sys_errno, EBADF);
  Result<void> nonblocking = set_nonblocking(-1, true);
  ASSERT_FALSE(nonblocking.has_value());
  EXPECT_NE(nonblocking.error().message.find("fcntl"), std::string::npos);
}

TEST(Io, PollTimesOutWhenNothingIsReady) {
  Result<PipePair> pipe = make_pipe();
  ASSERT_TRUE(pipe.has_value());
  pollfd pfd{pipe->read.get(), POLLIN, 0};
  auto start = std::chrono::steady_clock::now();
  Result<int> ready = poll_fds(std::span(&pfd, 1), 50);
  auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(ready.has_value());
  EXPECT_EQ(*ready, 0);
  EXPECT_GE(elapsed, std::chrono::milliseconds(45));
}

TEST(Io, PollReportsAReadableFd) {
  Result<PipePair> pipe = make_pipe();
  ASSERT_TRUE(pipe.has_value());
  ASSERT_TRUE(write_all(pipe->write.get(), "x").has_value());
  pollfd fds[2] = {{pipe->write.get(), 0, 0}, {pipe->read.get(), POLLIN, 0}};
  Result<int> ready = poll_fds(fds, 1000);
  ASSERT_TRUE(ready.has_value());
  EXPECT_EQ(*ready, 1);
  EXPECT_TRUE(fds[1].revents & POLLIN);
}

TEST(Io, PollSeesHangup) {
  Result<PipePair> pipe = make_pipe();
  ASSERT_TRUE(pipe.has_value());
  pipe->write.reset();
  pollfd pfd{pipe->read.get(), POLLIN, 0};
  Result<int> ready = poll_fds(std::span(&pfd, 1), 1000);
  ASSERT_TRUE(ready.has_value());
  EXPECT_EQ(*ready, 1);
  EXPECT_TRUE(pfd.revents & POLLHUP);
}

}  // namespace
}  // namespace msb::os
