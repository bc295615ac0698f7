#include "os/datagram_socket.h"

#include <cerrno>

namespace msb::os {

Result<Fd> connect_datagram(const sockaddr* peer, socklen_t peer_length) {
  Fd fd(::socket(peer->sa_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd) return errno_error(errno, "socket");
  while (::connect(fd.get(), peer, peer_length) != 0) {
    if (errno != EINTR) return errno_error(errno, "connect");
  }
  return fd;
}

Result<std::optional<size_t>> receive_datagram(int fd, std::span<char> buffer) {
  for (;;) {
    ssize_t n = ::recv(fd, buffer.data(), buffer.size(), 0);
    if (n >= 0) return std::optional<size_t>(size_t(n));
    if (errno == EAGAIN || errno == EWOULDBLOCK) return std::optional<size_t>();
    if (errno != EINTR) return errno_error(errno, "recv");
  }
}

Result<void> send_datagram(int fd, std::span<const char> datagram) {
  for (;;) {
    if (::send(fd, datagram.data(), datagram.size(), MSG_NOSIGNAL) >= 0) return {};
    if (errno != EINTR) return errno_error(errno, "send");
  }
}

}  // namespace msb::os
