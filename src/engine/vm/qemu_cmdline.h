// The QEMU microvm command line, built from plain values so that it is unit-testable.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/engine.h"

namespace msb::engine::vm {

// One mount the guest makes after its root is ready, in LaunchSpec::volumes order.
struct GuestVolume {
  enum class Kind {
    kShareDirectory,  // entry `entry` of the vhost-user-fs share `tag`, bound on the target
    kShareFile,       // the same for a file
    kTmpfs,           // a fresh tmpfs of size_bytes (0: the kernel's default)
    // A virtio-9p share of `source`, served by QEMU itself (security_model=mapped-xattr).
    // For benchmarks only (MSB_VOLUME_TRANSPORT=9p): QEMU runs as the host's root.
    k9pDirectory,
    kDisk,  // the disk image `source` as a virtio-blk disk with serial `tag`, mounted
  } kind = Kind::kShareDirectory;
  std::string tag;     // kShare*, k9p*: the device's tag, a plain word of at most 36 bytes
  int entry = -1;      // kShare*: the name (this number) of its entry in the share
  std::string target;  // absolute guest path: any bytes (a user's choice)
  bool read_only = false;
  bool noexec = false;
  uint64_t size_bytes = 0;  // kTmpfs
  std::string source;       // k9pDirectory: the host directory; kDisk: the image file
  std::string format;       // kDisk: "raw" or "qcow2"
  std::string fstype;       // kDisk: the filesystem the guest mounts
};

// A vhost-user-fs device: one virtiofsd serving the entries of one or more volumes.
struct VhostShare {
  std::string tag;     // a plain word of at most 36 bytes
  int socket_fd = -1;  // child fd of QEMU's connected vhost-user socket
};

// microvm has this many virtio-mmio transports, one per virtio device.
inline constexpr size_t kMicrovmTransports = 8;

struct QemuConfig {
  std::string qemu;
  std::string kernel;
  std::string initramfs;
  std::string console_log;
  Accel accel = Accel::kTcg;
  uint32_t cpus = 1;
  uint32_t memory_mib = 512;
  std::vector<DiskSpec> disks;  // rootfs first, then the upper disk
  // > 0: no upper disk; the guest's writable layer is a tmpfs of this many bytes.
  uint64_t upper_tmpfs_bytes = 0;
  int agent_fd = 3;                 // child fd of the connected agent socket
  std::string hostname;             // any bytes (a user's choice); "" = the guest keeps its default
  uint64_t clock_ns = 0;            // host wall clock handed to the guest (it has no RTC)
  std::optional<uint64_t> tsc_khz;  // the guest TSC's rate when known (TCG: tsc_frequency.h)
  // The network card: a virtio-net device on `-netdev stream` over this child fd (one end
  // of a socketpair; the supervisor's network stack holds the other).
  std::optional<GuestNetworkSpec> network;
  int network_fd = 4;
  // Mounted by the agent in this order.
  std::vector<GuestVolume> volumes;
  // With at least one share the guest's RAM is a shared memfd (vhost-user needs it);
  // without, the command line is the one without volumes.
  std::vector<VhostShare> shares;
};

// The longest kernel command line the guest kernel takes (x86 COMMAND_LINE_SIZE, with NUL).
inline constexpr size_t kMaxKernelCmdline = 2048;

// The kernel command line: console, panic/reboot behaviour, and the msb.* words the
// agent reads from /proc/cmdline. QEMU appends the virtio-mmio device list after it.
// A tmpfs writable layer is "msb.upper-tmpfs=<bytes>".
// SECURITY: no value is written as text a user chose: the hostname goes as
// "msb.hostname=<hex of its bytes>"; disk fstypes and serials must be plain words (letters,
// digits, . _ : -), which is checked (MSB_CHECK): they are the engine's own names. Each
// volume is one word, in order: "msb.volume=<tag>/<entry>:<flags>:<hex of target>" for a
// share's entry ("msb.volume=<tag>:..." for 9p),
// "msb.tmpfs=<size_bytes>:<flags>:<hex of target>" for a tmpfs,
// "msb.disk=<serial>/<fstype>:<flags>:<hex of target>" for a disk, where flags are "-" or
// some of "ro", "noexec", "file", "9p" joined by '+' (agent/options.h parses them).
std::string kernel_cmdline(const QemuConfig& config);

// Whether the kernel command line, with the words QEMU appends for each virtio-mmio device,
// fits the guest kernel's limit. kInvalidConfig otherwise, naming the sizes: the volumes'
// targets are what can make it long.
Result<void> check_kernel_cmdline_length(const QemuConfig& config);

// Whether microvm has a virtio-mmio transport for every device. kInvalidConfig otherwise.
Result<void> check_device_count(const QemuConfig& config);

// QEMU's argv. Paths inside option strings have their commas doubled (escape_option);
// -kernel and -initrd take plain file names. REQUIRES: disk serials are plain words.
std::vector<std::string> qemu_command(const QemuConfig& config);

}  // namespace msb::engine::vm
