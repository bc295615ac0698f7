// The QEMU microvm command line, built from plain values so that it is unit-testable.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/engine.h"

namespace msb::engine::vm {

struct QemuConfig {
  std::string qemu;
  std::string kernel;
  std::string initramfs;
  std::string console_log;
  Accel accel = Accel::kTcg;
  uint32_t cpus = 1;
  uint32_t memory_mib = 512;
  std::vector<DiskSpec> disks;      // rootfs first, then the upper disk
  int agent_fd = 3;                 // child fd of the connected agent socket
  std::string hostname;             // any bytes (a user's choice); "" = the guest keeps its default
  uint64_t clock_ns = 0;            // host wall clock handed to the guest (it has no RTC)
  std::optional<uint64_t> tsc_khz;  // the guest TSC's rate when known (TCG: tsc_frequency.h)
  // The network card: a virtio-net device on `-netdev stream` over this child fd (one end
  // of a socketpair; the supervisor's network stack holds the other).
  std::optional<GuestNetworkSpec> network;
  int network_fd = 4;
};

// The kernel command line: console, panic/reboot behaviour, and the msb.* words the
// agent reads from /proc/cmdline. QEMU appends the virtio-mmio device list after it.
// SECURITY: no value is written as text a user chose: the hostname goes as
// "msb.hostname=<hex of its bytes>"; disk fstypes and serials must be plain words (letters,
// digits, . _ : -), which is checked (MSB_CHECK): they are the engine's own names.
std::string kernel_cmdline(const QemuConfig& config);

// QEMU's argv. Paths inside option strings have their commas doubled (escape_option);
// -kernel and -initrd take plain file names. REQUIRES: disk serials are plain words.
std::vector<std::string> qemu_command(const QemuConfig& config);

}  // namespace msb::engine::vm
