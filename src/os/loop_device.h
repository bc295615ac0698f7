// Loop devices: a disk image file as a block device, so that the host kernel can mount its
// filesystem (the namespace engine's disk volumes). Needs CAP_SYS_ADMIN in the initial user
// namespace.
#pragma once

#include <string>

#include "common/error.h"
#include "os/fd.h"

namespace msb::os {

struct LoopDevice {
  Fd fd;             // the open device; closing it lets the kernel free it once unmounted
  std::string path;  // "/dev/loopN"
};

// Attaches `file` to a free loop device (LOOP_CTL_GET_FREE + LOOP_CONFIGURE) with
// autoclear: the device detaches itself when the last user (fd or mount) lets go, so a
// crash never leaks it. Read-only when asked (writes then fail with EROFS). Retries when
// another process takes the free device first. Errors: kPermissionDenied without
// privilege, kNotFound when the file or /dev/loop-control is missing, errno kinds.
Result<LoopDevice> attach_loop_device(const std::string& file, bool read_only);

// A detached mount (os/mount_api.h) of the filesystem `fstype` in disk image `image`: the
// image on an autoclear loop device, mounted by the host kernel. The loop device goes with
// the last mount of it. Errors: attach_loop_device's and make_block_mount's.
Result<Fd> make_image_mount(const std::string& image, const std::string& fstype, bool read_only);

}  // namespace msb::os
