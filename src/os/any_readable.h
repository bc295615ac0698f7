// One descriptor that is readable when any of several is: an epoll set, for a caller that
// polls a single "has ended" fd but must watch several processes (their pidfds).
#pragma once

#include <span>

#include "common/error.h"
#include "os/fd.h"

namespace msb::os {

// An epoll descriptor (CLOEXEC) watching each of `fds` for POLLIN, level-triggered: it
// stays readable while any of them is. The fds must outlive it. Errors: kIo.
Result<Fd> any_readable(std::span<const int> fds);

}  // namespace msb::os
