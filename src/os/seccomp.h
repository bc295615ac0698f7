// Loading a seccomp filter into the calling process. Building the filter is the engine's
// business (engine/ns/seccomp_policy.h); this is only the system-call side.
#pragma once

#include <linux/filter.h>

#include <span>

#include "common/error.h"

namespace msb::os {

// Sets PR_SET_NO_NEW_PRIVS (which an unprivileged process needs before it may install a
// filter, and which keeps setuid binaries from regaining what the filter takes away),
// then installs `program` with seccomp(SECCOMP_SET_MODE_FILTER). The filter applies to
// the calling thread and everything it starts from now on, and cannot be removed.
// Errors: kInvalidArgument (empty or malformed program), kPermissionDenied, kIo.
// Thread-safe, but it only affects the calling thread: call it before starting threads.
Result<void> install_seccomp_filter(std::span<const sock_filter> program);

}  // namespace msb::os
