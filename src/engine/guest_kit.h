// Where the files a VM boots from live: the guest kernel (built once per machine by
// guest/kernel/build.sh and cached by id), the initramfs holding msb-agentd and the
// built-in base image (both produced by the build), and QEMU itself.
#pragma once

#include <string>

#include "common/error.h"

namespace msb::engine {

struct GuestKit {
  std::string qemu;        // qemu-system-x86_64
  std::string kernel;      // vmlinux (ELF, PVH entry)
  std::string initramfs;   // newc cpio with /init = msb-agentd
  std::string base_image;  // erofs image of the built-in busybox root
};

// The kit directory: $MSB_KIT_DIR, else <dir of this executable>/../share/microsandbox.
std::string kit_dir();

// Finds every file and says which one is missing and how to get it (kNotFound):
// kernel: $MSB_KERNEL, else <kit>/vmlinux, else $MSB_HOME/kernel/<id>/vmlinux;
// QEMU: $MSB_QEMU, else qemu-system-x86_64 on $PATH.
Result<GuestKit> locate_guest_kit();

}  // namespace msb::engine
