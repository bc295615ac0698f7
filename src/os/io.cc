#include "os/io.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace msb::os {

void Fd::reset(int fd) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

Result<size_t> read_some(int fd, std::span<char> buffer) {
  for (;;) {
    ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n >= 0) return static_cast<size_t>(n);
    if (errno != EINTR) return errno_error(errno, "read");
  }
}

Result<size_t> write_some(int fd, std::span<const char> data) {
  for (;;) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n >= 0) return static_cast<size_t>(n);
    if (errno != EINTR) return errno_error(errno, "write");
  }
}

Result<size_t> send_some(int fd, std::span<const char> data) {
  for (;;) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n >= 0) return static_cast<size_t>(n);
    if (errno != EINTR) return errno_error(errno, "send");
  }
}

bool is_socket(int fd) {
  struct stat st {};
  return ::fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode);
}

Result<void> write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    Result<size_t> n = write_some(fd, std::span<const char>(data.data(), data.size()));
    if (!n && n.error().sys_errno == EAGAIN) {
      // An inherited non-blocking fd (a parent's pipe made with O_NONBLOCK): wait for room.
      pollfd room{fd, POLLOUT, 0};
      MSB_TRY(poll_fds({&room, 1}, -1));
      continue;
    }
    if (!n) return tl::unexpected(n.error());
    data.remove_prefix(*n);
  }
  return {};
}

Result<void> read_exact(int fd, std::span<char> buffer) {
  size_t done = 0;
  while (done < buffer.size()) {
    size_t n = MSB_TRY(read_some(fd, buffer.subspan(done)));
    if (n == 0) return err(ErrorKind::kProtocol, "unexpected end of file");
    done += n;
  }
  return {};
}

Result<std::string> read_to_end(int fd) {
  std::string out;
  char buffer[65536];
  for (;;) {
    size_t n = MSB_TRY(read_some(fd, buffer));
    if (n == 0) return out;
    out.append(buffer, n);
  }
}

Result<PipePair> make_pipe(int extra_flags) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC | extra_flags) != 0) return errno_error(errno, "pipe2");
  return PipePair{Fd(fds[0]), Fd(fds[1])};
}

Result<SocketPair> make_socketpair(int type) {
  int fds[2];
  if (::socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, fds) != 0) {
    return errno_error(errno, "socketpair");
  }
  return SocketPair{Fd(fds[0]), Fd(fds[1])};
}

Result<void> set_nonblocking(int fd, bool nonblocking) {
  int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0) return errno_error(errno, "fcntl(F_GETFL)");
  flags = nonblocking ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK);
  if (::fcntl(fd, F_SETFL, flags) != 0) return errno_error(errno, "fcntl(F_SETFL)");
  return {};
}

Result<int> poll_fds(std::span<pollfd> fds, int timeout_ms) {
  for (;;) {
    int n = ::poll(fds.data(), fds.size(), timeout_ms);
    if (n >= 0) return n;
    if (errno != EINTR) return errno_error(errno, "poll");
  }
}

}  // namespace msb::os
