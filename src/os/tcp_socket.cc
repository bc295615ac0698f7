#include "os/tcp_socket.h"

#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>

namespace msb::os {

Result<LoopbackListener> listen_tcp_loopback(int backlog) {
  Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd) return errno_error(errno, "socket");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
    return errno_error(errno, "bind 127.0.0.1");
  if (::listen(fd.get(), backlog) != 0) return errno_error(errno, "listen");
  socklen_t length = sizeof address;
  if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&address), &length) != 0)
    return errno_error(errno, "getsockname");
  return LoopbackListener{std::move(fd), ntohs(address.sin_port)};
}

Result<std::optional<Fd>> accept_connection(int listen_fd) {
  for (;;) {
    int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0) return std::optional<Fd>(Fd(fd));
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ECONNABORTED)
      return std::optional<Fd>();
    if (errno != EINTR) return errno_error(errno, "accept");
  }
}

}  // namespace msb::os
