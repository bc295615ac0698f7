#include "os/pty.h"

#include <fcntl.h>
#include <gtest/gtest.h>

#include <string>

#include "os/io.h"

namespace msb::os {
namespace {

TEST(OpenPty, OpensAPairWithTheWindowSize) {
  Result<Pty> pty = open_pty(40, 100);
  ASSERT_TRUE(pty.has_value()) << pty.error().message;
  EXPECT_TRUE(pty->path.starts_with("/dev/pts/")) << pty->path;
  EXPECT_TRUE(::fcntl(pty->master.get(), F_GETFD) & FD_CLOEXEC);
  EXPECT_TRUE(::fcntl(pty->slave.get(), F_GETFD) & FD_CLOEXEC);
  Result<WindowSize> size = window_size(pty->slave.get());
  ASSERT_TRUE(size.has_value()) << size.error().message;
  EXPECT_EQ(size->rows, 40);
  EXPECT_EQ(size->cols, 100);
}

TEST(OpenPty, CarriesBytesBothWays) {
  Result<Pty> pty = open_pty(24, 80);
  ASSERT_TRUE(pty.has_value()) << pty.error().message;
  ASSERT_TRUE(write_all(pty->slave.get(), "out").has_value());
  char buffer[16];
  Result<size_t> n = read_some(pty->master.get(), buffer);
  ASSERT_TRUE(n.has_value()) << n.error().message;
  EXPECT_EQ(std::string(buffer, *n), "out");
  ASSERT_TRUE(write_all(pty->master.get(), "in\n").has_value());
  n = read_some(pty->slave.get(), buffer);  // canonical mode: one line
  ASSERT_TRUE(n.has_value()) << n.error().message;
  EXPECT_EQ(std::string(buffer, *n), "in\n");
}

TEST(SetWindowSize, ChangesTheSizeSeenOnTheSlave) {
  Result<Pty> pty = open_pty(24, 80);
  ASSERT_TRUE(pty.has_value()) << pty.error().message;
  ASSERT_TRUE(set_window_size(pty->master.get(), 50, 132).has_value());
  Result<WindowSize> size = window_size(pty->slave.get());
  ASSERT_TRUE(size.has_value()) << size.error().message;
  EXPECT_EQ(size->rows, 50);
  EXPECT_EQ(size->cols, 132);
}

TEST(SetWindowSize, FailsOnANonTerminal) {
  Result<PipePair> pipe = make_pipe();
  ASSERT_TRUE(pipe.has_value());
  Result<void> set = set_window_size(pipe->read.get(), 1, 1);
  ASSERT_FALSE(set.has_value());
  EXPECT_EQ(set.error().sys_errno, ENOTTY);
  EXPECT_NE(set.error().message.find("TIOCSWINSZ"), std::string::npos) << set.error().message;
}

TEST(DuplicateFd, SharesTheOpenFile) {
  Result<PipePair> pipe = make_pipe();
  ASSERT_TRUE(pipe.has_value());
  Result<Fd> copy = duplicate_fd(pipe->write.get());
  ASSERT_TRUE(copy.has_value()) << copy.error().message;
  EXPECT_NE(copy->get(), pipe->write.get());
  EXPECT_TRUE(::fcntl(copy->get(), F_GETFD) & FD_CLOEXEC);
  pipe->write.reset();  // the copy keeps the pipe open
  ASSERT_TRUE(write_all(copy->get(), "x").has_value());
  char c = 0;
  Result<size_t> n = read_some(pipe->read.get(), std::span(&c, 1));
  ASSERT_TRUE(n.has_value() && *n == 1);
  EXPECT_EQ(c, 'x');
  EXPECT_FALSE(duplicate_fd(-1).has_value());
}

}  // namespace
}  // namespace msb::os
