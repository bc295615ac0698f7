// The new mount API (open_tree, mount_setattr, fsopen/fsconfig/fsmount): mounts that exist
// only as file descriptors until someone attaches them, which is how a supervisor hands a
// ready root filesystem to a sandbox in another mount namespace.
#pragma once

#include <cstdint>
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

// A detached copy of the one mount at `path`, without the mounts below it (open_tree with
// OPEN_TREE_CLONE, not recursive): a volume shows its own filesystem only.
Result<Fd> clone_single_mount(const std::string& path);

// What set_mount_attributes() sets on a detached mount.
struct MountAttributes {
  bool read_only = false;
  bool noexec = false;
  bool nosuid = false;
  bool nodev = false;
  int idmap_userns_fd = -1;  // >= 0: idmapped through this user namespace (MOUNT_ATTR_IDMAP)
};

// mount_setattr(2) on the detached mount `mount_fd` only (not recursive). Errors: kUnsupported
// when the filesystem cannot be idmapped, errno kinds otherwise.
Result<void> set_mount_attributes(int mount_fd, const MountAttributes& attributes);

// A detached tmpfs of at most `size_bytes` (0: the kernel's default, half of RAM) whose root
// has `mode` and belongs to host ids `uid`:`gid`.
Result<Fd> make_tmpfs_mount(uint64_t size_bytes, uint32_t mode, uint32_t uid, uint32_t gid);

// A detached mount of the filesystem `fstype` on block device `device` (fsopen with
// "source"), read-only when asked. Errors: errno kinds with the device; the kernel's own
// message (a corrupt or foreign filesystem) is in the kernel log.
Result<Fd> make_block_mount(const std::string& device, const std::string& fstype, bool read_only);

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
