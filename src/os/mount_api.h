// The new mount API (open_tree, mount_setattr, fsopen/fsconfig/fsmount): mounts that exist
// only as file descriptors until someone attaches them, which is how a supervisor hands a
// ready root filesystem to a sandbox in another mount namespace.
#pragma once

#include <string>
#include <vector>

#include "common/error.h"
#include "os/fd.h"

namespace msb::os {

// A detached copy of the mount tree at `path` (open_tree with OPEN_TREE_CLONE).
Result<Fd> clone_mount_tree(const std::string& path);

// Makes the detached mount `mount_fd` show its files through the id mapping of the user
// namespace `userns_fd` (MOUNT_ATTR_IDMAP): on-disk id N appears as that namespace's id N.
// Read-only when asked. Errors: kUnsupported when the filesystem cannot be idmapped.
Result<void> idmap_mount(int mount_fd, int userns_fd, bool read_only);

// Whether an overlay's upper directory must survive a crash of the host.
enum class UpperDurability {
  kSynced,    // synced to its filesystem when the overlay is unmounted (and on syncfs)
  kVolatile,  // never synced ("volatile", kernel 5.10+): for upper dirs deleted after use
};

// A detached overlayfs mount. `lower` is top-most first; each entry may be a path or
// "/proc/self/fd/N" of a detached mount. kVolatile on a kernel without the option gives a
// synced overlay.
Result<Fd> make_overlay_mount(const std::vector<std::string>& lower, const std::string& upper,
                              const std::string& work,
                              UpperDurability durability = UpperDurability::kSynced);

// Sends `fd` with one byte over a Unix socket (SCM_RIGHTS).
Result<void> send_fd(int socket_fd, int fd, char byte);

}  // namespace msb::os
