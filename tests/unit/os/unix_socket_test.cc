#include "os/unix_socket.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "os/file.h"
#include "os/io.h"

namespace msb::os {
namespace {

class UnixSocketTest : public ::testing::Test {
 protected:
  TempDir dir_ = std::move(*TempDir::create("msb-unix-socket-test-"));
  std::string path_ = dir_.path() + "/agent.sock";
};

TEST_F(UnixSocketTest, ListenConnectAcceptRoundTrip) {
  Result<Fd> listener = listen_unix(path_);
  ASSERT_TRUE(listener.has_value()) << listener.error().message;
  EXPECT_NE(::fcntl(listener->get(), F_GETFL) & O_NONBLOCK, 0);
  EXPECT_NE(::fcntl(listener->get(), F_GETFD) & FD_CLOEXEC, 0);

  Result<Fd> client = connect_unix(path_);
  ASSERT_TRUE(client.has_value()) << client.error().message;
  Result<Fd> server = accept_unix(listener->get());
  ASSERT_TRUE(server.has_value()) << server.error().message;
  ASSERT_TRUE(server->valid());
  EXPECT_NE(::fcntl(server->get(), F_GETFL) & O_NONBLOCK, 0);
  EXPECT_NE(::fcntl(server->get(), F_GETFD) & FD_CLOEXEC, 0);

  ASSERT_TRUE(write_all(client->get(), "ping").has_value());
  char buffer[4];
  ASSERT_TRUE(set_nonblocking(server->get(), false).has_value());
  ASSERT_TRUE(read_exact(server->get(), buffer).has_value());
  EXPECT_EQ(std::string(buffer, 4), "ping");
  ASSERT_TRUE(write_all(server->get(), "pong").has_value());
  ASSERT_TRUE(read_exact(client->get(), buffer).has_value());
  EXPECT_EQ(std::string(buffer, 4), "pong");
}

TEST_F(UnixSocketTest, SocketFileIsPrivate) {
  mode_t old_umask = ::umask(0);  // a permissive umask must not leak into the socket's mode
  Result<Fd> listener = listen_unix(path_);
  mode_t during = ::umask(old_umask);
  ASSERT_TRUE(listener.has_value());
  EXPECT_EQ(during, 0u);  // listen_unix restored the umask it changed
  struct stat info {};
  ASSERT_EQ(::lstat(path_.c_str(), &info), 0);
  EXPECT_TRUE(S_ISSOCK(info.st_mode));
  EXPECT_EQ(info.st_mode & 0777, 0600u);
}

TEST_F(UnixSocketTest, StaleSocketFileIsReplaced) {
  {
    Result<Fd> old_listener = listen_unix(path_);
    ASSERT_TRUE(old_listener.has_value());
  }  // closed: the file stays behind, with nobody listening
  ASSERT_TRUE(path_exists(path_));
  Result<Fd> stale = connect_unix(path_);
  ASSERT_FALSE(stale.has_value());
  EXPECT_EQ(stale.error().kind, ErrorKind::kNotFound);

  Result<Fd> listener = listen_unix(path_);
  ASSERT_TRUE(listener.has_value()) << listener.error().message;
  Result<Fd> client = connect_unix(path_);
  ASSERT_TRUE(client.has_value()) << client.error().message;
  Result<Fd> server = accept_unix(listener->get());
  ASSERT_TRUE(server.has_value());
  EXPECT_TRUE(server->valid());
}

TEST_F(UnixSocketTest, RegularFileAtThePathIsRefusedAndKept) {
  ASSERT_TRUE(write_file(path_, "precious").has_value());
  Result<Fd> listener = listen_unix(path_);
  ASSERT_FALSE(listener.has_value());
  EXPECT_EQ(listener.error().kind, ErrorKind::kAlreadyExists);
  Result<std::string> content = read_file(path_);
  ASSERT_TRUE(content.has_value());
  EXPECT_EQ(*content, "precious");
}

TEST_F(UnixSocketTest, DirectoryAtThePathIsRefused) {
  ASSERT_TRUE(make_dirs(path_).has_value());
  Result<Fd> listener = listen_unix(path_);
  ASSERT_FALSE(listener.has_value());
  EXPECT_EQ(listener.error().kind, ErrorKind::kAlreadyExists);
  EXPECT_TRUE(is_directory(path_));
}

TEST_F(UnixSocketTest, PathOverTheSunPathLimitIsInvalid) {
  std::string longest = dir_.path() + "/";
  longest += std::string(kMaxUnixSocketPath - longest.size(), 's');
  ASSERT_EQ(longest.size(), 107u);
  std::string too_long = longest + "s";
  ASSERT_EQ(too_long.size(), 108u);

  Result<Fd> listener = listen_unix(too_long);
  ASSERT_FALSE(listener.has_value());
  EXPECT_EQ(listener.error().kind, ErrorKind::kInvalidArgument);
  Result<Fd> client = connect_unix(too_long);
  ASSERT_FALSE(client.has_value());
  EXPECT_EQ(client.error().kind, ErrorKind::kInvalidArgument);
  EXPECT_FALSE(path_exists(too_long));

  // 107 bytes still fit.
  Result<Fd> fits = listen_unix(longest);
  ASSERT_TRUE(fits.has_value()) << fits.error().message;
  EXPECT_TRUE(connect_unix(longest).has_value());
}

TEST_F(UnixSocketTest, EmptyPathIsInvalid) {
  Result<Fd> listener = listen_unix("");
  ASSERT_FALSE(listener.has_value());
  EXPECT_EQ(listener.error().kind, ErrorKind::kInvalidArgument);
}

TEST_F(UnixSocketTest, ConnectToAMissingPathIsNotFound) {
  Result<Fd> client = connect_unix(dir_.path() + "/nobody.sock");
  ASSERT_FALSE(client.has_value());
  EXPECT_EQ(client.error().kind, ErrorKind::kNotFound);
}

TEST_F(UnixSocketTest, AcceptWithNothingPendingGivesAnInvalidFd) {
  Result<Fd> listener = listen_unix(path_);
  ASSERT_TRUE(listener.has_value());
  Result<Fd> none = accept_unix(listener->get());
  ASSERT_TRUE(none.has_value()) << none.error().message;
  EXPECT_FALSE(none->valid());
}

}  // namespace
}  // namespace msb::os
