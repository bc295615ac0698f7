// Connected UDP sockets on the host, non-blocking: what the DNS interceptor uses to ask
// the upstream resolvers on a sandbox's behalf.
#pragma once

#include <sys/socket.h>

#include <cstddef>
#include <optional>
#include <span>

#include "common/error.h"
#include "os/fd.h"

namespace msb::os {

// A non-blocking, close-on-exec UDP socket of `family` (AF_INET or AF_INET6) connected to
// `peer`, so that only the peer's datagrams arrive. Errors carry "socket"/"connect".
[[nodiscard]] Result<Fd> connect_datagram(const sockaddr* peer, socklen_t peer_length);

// One datagram into `buffer`; nullopt when none is waiting (EAGAIN). A datagram longer
// than the buffer is truncated. ECONNREFUSED (an ICMP error from the peer) is an Error.
[[nodiscard]] Result<std::optional<size_t>> receive_datagram(int fd, std::span<char> buffer);

// Sends one datagram; kIo with EAGAIN when the socket's buffer is full.
[[nodiscard]] Result<void> send_datagram(int fd, std::span<const char> datagram);

}  // namespace msb::os
