// Read/write/poll/pipe wrappers: EINTR retried here, errors carry the syscall name.
#pragma once

#include <poll.h>

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "os/fd.h"

namespace msb::os {

// One read(2); returns 0 at end of file. EAGAIN is returned as an Error with that errno.
Result<size_t> read_some(int fd, std::span<char> buffer);
// One write(2); may write less than asked.
Result<size_t> write_some(int fd, std::span<const char> data);
// One send(2) with MSG_NOSIGNAL: a closed peer is EPIPE, never a SIGPIPE. Sockets only.
Result<size_t> send_some(int fd, std::span<const char> data);
bool is_socket(int fd);
// Writes everything, retrying short writes; on a non-blocking fd it waits for room.
Result<void> write_all(int fd, std::string_view data);
// Reads until `buffer` is full; kNotFound-free: returns kProtocol "unexpected end of file"
// when the stream ends first.
Result<void> read_exact(int fd, std::span<char> buffer);
// Reads until end of file.
Result<std::string> read_to_end(int fd);

struct PipePair {
  Fd read;
  Fd write;
};
// pipe2 with O_CLOEXEC (plus `extra_flags`, e.g. O_NONBLOCK).
Result<PipePair> make_pipe(int extra_flags = 0);

struct SocketPair {
  Fd first;
  Fd second;
};
Result<SocketPair> make_socketpair(int type);

Result<void> set_nonblocking(int fd, bool nonblocking);

// poll(2) with EINTR retried (the timeout restarts); returns the number of ready fds.
Result<int> poll_fds(std::span<pollfd> fds, int timeout_ms);

}  // namespace msb::os
