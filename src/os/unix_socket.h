// Unix stream sockets by path: the supervisor listens on agent.sock, clients connect.
#pragma once

#include <string>

#include "common/error.h"
#include "os/fd.h"

namespace msb::os {

// The longest path a sockaddr_un holds (sun_path minus the terminating NUL).
inline constexpr size_t kMaxUnixSocketPath = 107;

// Binds and listens on `path` (mode 0600), replacing a stale socket file left there.
// The returned fd is non-blocking. Errors: kInvalidArgument (path too long), kIo, ...
Result<Fd> listen_unix(const std::string& path, int backlog = 64);
// Accepts one pending connection (non-blocking, CLOEXEC); nullopt-like Fd (invalid) when
// none is pending.
Result<Fd> accept_unix(int listen_fd);
// Connects to `path` (blocking fd). Errors: kNotFound when nobody listens there (ENOENT or
// ECONNREFUSED), kInvalidArgument (path too long), kIo.
Result<Fd> connect_unix(const std::string& path);

}  // namespace msb::os
