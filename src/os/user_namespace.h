// A user namespace held only by a descriptor: the idmap of an idmapped mount
// (set_mount_attributes() in os/mount_api.h) needs one whose id maps say how on-disk ids
// appear, and no process needs to live in it.
#pragma once

#include <string>

#include "common/error.h"
#include "os/fd.h"

namespace msb::os {

// A new user namespace with `uid_map` and `gid_map` (the text of /proc/<pid>/uid_map lines,
// "inside outside count\n"), held by the returned descriptor. A short-lived child process
// makes it and is reaped before this returns. Needs CAP_SETUID/CAP_SETGID for maps beyond the
// caller's own ids (root). Errors: kPermissionDenied, kInvalidArgument (a map the kernel
// refuses), kIo. Thread-safe.
Result<Fd> make_user_namespace(const std::string& uid_map, const std::string& gid_map);

}  // namespace msb::os
