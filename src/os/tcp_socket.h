// A TCP listener on the host's loopback, non-blocking: where libslirp hands the guest's DNS
// over TCP to its supervisor (net/dns_tcp_service.h).
#pragma once

#include <cstdint>
#include <optional>

#include "common/error.h"
#include "os/fd.h"

namespace msb::os {

struct LoopbackListener {
  Fd fd;
  uint16_t port = 0;  // chosen by the kernel
};

// A non-blocking, close-on-exec TCP listener on 127.0.0.1 and a free port.
[[nodiscard]] Result<LoopbackListener> listen_tcp_loopback(int backlog = 16);

// One waiting connection (non-blocking, close-on-exec); nullopt when none waits.
[[nodiscard]] Result<std::optional<Fd>> accept_connection(int listen_fd);

}  // namespace msb::os
