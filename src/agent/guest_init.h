// Guest init steps run by the agent as PID 1 of a VM: early mounts, root filesystem
// assembly (read-only lower + writable upper as an overlay), the switch into it, the
// agent port, and the final shutdown.
#pragma once

#include <string>

#include "agent/options.h"
#include "common/error.h"
#include "common/step_timer.h"
#include "os/fd.h"

namespace msb::agent {

// Mounts devtmpfs, proc and sysfs in the initramfs and points stdio at the console.
Result<void> mount_early_filesystems();

// Mounts the disks from `options` and makes their overlay the root. Keeps a handle on
// the initramfs root so that shutdown can unmount the disks afterwards.
class GuestRoot {
 public:
  static Result<GuestRoot> assemble(const AgentOptions& options, StepTimings& timings);
  GuestRoot() = default;
  // Syncs and unmounts (best effort: read-only remount when busy).
  void tear_down();

 private:
  bool switched_ = false;
  bool has_upper_ = false;
  bool volatile_upper_ = false;
  os::Fd initramfs_root_;
};

// /dev/pts, /dev/shm, /tmp, /run and the /dev symlinks, inside the final root.
Result<void> mount_runtime_filesystems();

// Finds the virtio-serial port named "agent" and opens it.
Result<os::Fd> open_agent_port();

// Kills every process, syncs, unmounts and reboots (QEMU runs with -no-reboot and exits).
[[noreturn]] void power_off(GuestRoot& root);

}  // namespace msb::agent
