// How the agent was started. In a VM the host passes "msb.KEY=VALUE" words on the kernel
// command line (read from /proc/cmdline: QEMU appends its own words after ours, so init's
// argv cannot be used); in tests and the namespace engine they come as "--KEY=VALUE"
// arguments.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/guest_network.h"
#include "common/error.h"

namespace msb::agent {

struct BlockDisk {
  std::string fstype;  // erofs, ext4
  std::string serial;  // virtio-blk serial given by the host
};

// A mount the host asks for, made inside the final root after it is ready.
struct VolumeMount {
  enum class Kind {
    kVirtiofs,      // entry `entry` (a directory) of the virtiofs share `tag`, on the target
    kVirtiofsFile,  // entry `entry` (a file) of the virtiofs share `tag`, on the target
    kTmpfs,         // a fresh tmpfs of size_bytes (0: the kernel's default)
    k9p,            // the virtio-9p share `tag` on the target (MSB_VOLUME_TRANSPORT=9p)
    kDisk,          // the virtio-blk disk whose serial is `tag`, its filesystem `fstype`
  } kind = Kind::kVirtiofs;
  std::string tag;
  std::string fstype;  // kDisk: "ext4", "ext3" or "ext2"
  std::string entry;   // kVirtiofs*: the entry's name in the share (decimal digits)
  std::string target;  // absolute, not "/", no NUL, no "." or ".." components
  bool read_only = false;
  bool noexec = false;
  uint64_t size_bytes = 0;
};

struct AgentOptions {
  int channel_fd = -1;              // >= 0: talk over this inherited fd, skip guest init
  bool exit_at_init = false;        // benchmark baseline: power off as soon as /init runs
  std::optional<BlockDisk> rootfs;  // read-only lower layer
  std::optional<BlockDisk> upper;   // writable upper layer
  // > 0: the writable upper layer is a tmpfs of this many bytes instead of a disk.
  uint64_t upper_tmpfs_bytes = 0;
  // The upper disk is thrown away after this boot: overlay "volatile", no sync at power off.
  bool volatile_upper = false;
  std::string hostname;                 // 1-64 arbitrary bytes; "" = not given
  uint64_t clock_ns = 0;                // host wall clock (ns since epoch) when it launched us
  std::optional<GuestNetwork> network;  // nullopt: no network card, only lo
  std::vector<VolumeMount> volumes;     // in mount order
};

// argv form: "--channel-fd=N", "--rootfs=TYPE:SERIAL", "--upper=TYPE:SERIAL",
// "--volatile-upper", "--upper-tmpfs=BYTES", "--hostname=HEX", "--clock-ns=N", "--exit-at-init",
// "--net=SPEC" (parse_guest_network), and any number of "--volume=TAG/ENTRY:FLAGS:HEX" (virtiofs;
// for 9p "--volume=TAG:9p...:HEX") and "--tmpfs=SIZE:FLAGS:HEX", in mount order
// (engine/vm/qemu_cmdline.h writes them): TAG is a device tag (1-36 letters, digits, '_' or
// '-'), ENTRY 1-5 decimal digits, SIZE a byte count, FLAGS "-" or some
// of "ro", "noexec" and (volumes only) "file" or "9p" joined by '+', HEX the target path's bytes
// in hex: it is a user's text. HEX is the
// lowercase hex of the hostname's 1-64 bytes (common/hex.h): a hostname may hold any byte,
// spaces and '=' included, and must never split into words of its own. Unknown arguments
// are an error (kInvalidArgument), and so are a malformed value, volatile-upper without
// upper, upper-tmpfs of 0, with upper or without rootfs.
Result<AgentOptions> parse_agent_args(const std::vector<std::string>& args);

// Kernel command line form: the same keys as "msb.rootfs=...", "msb.exit-at-init", ...
// Words without the "msb." prefix belong to the kernel and are skipped.
Result<AgentOptions> parse_kernel_cmdline(std::string_view cmdline);

}  // namespace msb::agent
