#include "engine/vm/qemu_cmdline.h"

#include <fmt/format.h>

#include <algorithm>
#include <string_view>

#include "common/hex.h"
#include "engine/network_option.h"
#include "engine/vm/accel.h"

namespace msb::engine::vm {
namespace {

// QEMU option values separate fields with ','; a literal comma is written twice.
std::string escape_option(const std::string& value) {
  std::string out;
  for (char c : value) {
    out += c;
    if (c == ',') out += ',';
  }
  return out;
}

// Letters, digits and . _ : - only: a word the kernel keeps whole, and an option value
// QEMU does not split.
bool is_plain_word(std::string_view value) {
  if (value.empty()) return false;
  for (char c : value) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '.' || c == '_' || c == ':' || c == '-';
    if (!plain) return false;
  }
  return true;
}

// virtiofs tags are at most 36 bytes (the virtio-fs config space).
constexpr size_t kMaxShareTag = 36;

bool is_9p(const GuestVolume& volume) { return volume.kind == GuestVolume::Kind::k9pDirectory; }

bool is_tag(const std::string& tag) {
  return is_plain_word(tag) && tag.size() <= kMaxShareTag && tag.find(':') == std::string::npos;
}

std::string volume_flags(const GuestVolume& volume) {
  std::string flags;
  auto add = [&flags](const char* flag) {
    flags += (flags.empty() ? "" : "+") + std::string(flag);
  };
  if (volume.read_only) add("ro");
  if (volume.noexec) add("noexec");
  if (volume.kind == GuestVolume::Kind::kShareFile) add("file");
  if (volume.kind == GuestVolume::Kind::k9pDirectory) add("9p");
  return flags.empty() ? "-" : flags;
}

// SECURITY: the target is any bytes a user chose: it travels as hex. The tag is ours, and
// checked, since QEMU's option string and the agent both take it as a word.
std::string volume_word(const GuestVolume& volume) {
  std::string target = hex_encode(volume.target);
  if (volume.kind == GuestVolume::Kind::kTmpfs)
    return fmt::format(" msb.tmpfs={}:{}:{}", volume.size_bytes, volume_flags(volume), target);
  if (volume.kind == GuestVolume::Kind::kDisk) {
    MSB_CHECK(is_tag(volume.tag) && is_plain_word(volume.fstype));
    return fmt::format(" msb.disk={}/{}:{}:{}", volume.tag, volume.fstype, volume_flags(volume),
                       target);
  }
  MSB_CHECK(is_tag(volume.tag));
  if (is_9p(volume))
    return fmt::format(" msb.volume={}:{}:{}", volume.tag, volume_flags(volume), target);
  MSB_CHECK(volume.entry >= 0);
  return fmt::format(" msb.volume={}/{}:{}:{}", volume.tag, volume.entry, volume_flags(volume),
                     target);
}

// QEMU appends " virtio_mmio.device=512@0xfeb00e00:12"-like words, one per device: 37
// bytes today, with room to spare.
constexpr size_t kQemuBytesPerDevice = 48;

size_t virtio_device_count(const QemuConfig& config) {
  size_t shares = config.shares.size();
  for (const GuestVolume& volume : config.volumes)
    shares += is_9p(volume) || volume.kind == GuestVolume::Kind::kDisk ? 1 : 0;
  // The disks, rng, serial and network cards, and the shares.
  return config.disks.size() + 2 + (config.network ? 1 : 0) + shares;
}

// vhost-user: virtiofsd reads and writes the guest's buffers in place, so the guest's RAM
// must be memory it can map: a memfd shared with it (QEMU passes the fd over the socket).
// microvm takes the backend as its machine's memory; its size must equal -m.
void add_shared_memory(std::vector<std::string>& argv, uint32_t memory_mib) {
  std::string machine_arg = "-M";
  auto machine = std::find(argv.begin(), argv.end(), machine_arg);
  MSB_CHECK(machine != argv.end() && machine + 1 != argv.end());
  *(machine + 1) += ",memory-backend=mem";
  argv.push_back("-object");
  argv.push_back(fmt::format("memory-backend-memfd,id=mem,size={}M,share=on", memory_mib));
  // microvm's virtio-mmio transports are legacy (version 1) by default, which virtiofsd's
  // libvhost-user refuses ("virtio legacy devices aren't supported"): modern ones for all.
  argv.push_back("-global");
  argv.push_back("virtio-mmio.force-legacy=false");
}

// Benchmarks only: QEMU serves the directory itself, as the host's root; mapped-xattr keeps
// the guest's ids and modes in user.virtfs.* xattrs instead of on the files.
void add_9p_share(std::vector<std::string>& argv, const GuestVolume& volume, size_t index) {
  MSB_CHECK(is_plain_word(volume.tag));
  argv.push_back("-fsdev");
  argv.push_back(fmt::format("local,id=fsdev{},path={},security_model=mapped-xattr{}", index,
                             escape_option(volume.source), volume.read_only ? ",readonly=on" : ""));
  argv.push_back("-device");
  argv.push_back(fmt::format("virtio-9p-device,fsdev=fsdev{},mount_tag={}", index, volume.tag));
}

// One vhost-user-fs device per share, over the connected socket QEMU inherits: no path.
void add_shares(std::vector<std::string>& argv, const QemuConfig& config) {
  for (size_t i = 0; i < config.volumes.size(); ++i) {
    if (is_9p(config.volumes[i])) add_9p_share(argv, config.volumes[i], i);
  }
  for (size_t i = 0; i < config.shares.size(); ++i) {
    const VhostShare& share = config.shares[i];
    MSB_CHECK(is_tag(share.tag) && share.socket_fd >= 0);
    argv.push_back("-chardev");
    argv.push_back(fmt::format("socket,id=vfs{},fd={}", i, share.socket_fd));
    argv.push_back("-device");
    argv.push_back(fmt::format("vhost-user-fs-device,chardev=vfs{},tag={}", i, share.tag));
  }
}

}  // namespace

std::string kernel_cmdline(const QemuConfig& config) {
  // SECURITY: the kernel splits its command line at whitespace, honours double quotes and
  // takes every key=value word as a parameter of its own (init=, rdinit=, or one of ours),
  // so no text from a user may ever appear in it. The hostname (any byte a user chose)
  // travels as hex, decoded by the agent; every other value is a number or one of the
  // engine's own names, checked here so that a future caller cannot pass user text.
  //
  // reboot=t + QEMU -no-reboot: the agent's final reboot() makes QEMU exit (a power-off
  // without ACPI would only halt). panic=-1 turns a panic into that same exit.
  std::string line = "console=ttyS0 quiet panic=-1 reboot=t rdinit=/init";
  for (size_t i = 0; i < config.disks.size(); ++i) {
    const DiskSpec& disk = config.disks[i];
    MSB_CHECK(is_plain_word(disk.fstype) && is_plain_word(disk.serial));
    line += fmt::format(" msb.{}={}:{}", i == 0 ? "rootfs" : "upper", disk.fstype, disk.serial);
    // A throwaway upper disk: the agent mounts the overlay volatile and skips the final sync.
    if (i > 0 && disk.ignore_flushes) line += " msb.volatile-upper";
  }
  // A tmpfs root layer: no upper disk, the agent mounts a tmpfs of this size in its place.
  if (config.upper_tmpfs_bytes > 0)
    line += fmt::format(" msb.upper-tmpfs={}", config.upper_tmpfs_bytes);
  if (!config.hostname.empty()) line += " msb.hostname=" + hex_encode(config.hostname);
  if (config.clock_ns != 0) line += fmt::format(" msb.clock-ns={}", config.clock_ns);
  if (config.network) line += " msb.net=" + agent_network_option(*config.network);
  // The kernel then never calibrates its TSC against the (emulated) PIT.
  if (config.tsc_khz) line += fmt::format(" tsc_early_khz={}", *config.tsc_khz);
  for (const GuestVolume& volume : config.volumes) line += volume_word(volume);
  return line;
}

Result<void> check_device_count(const QemuConfig& config) {
  size_t devices = virtio_device_count(config);
  if (devices > kMicrovmTransports)
    return err(ErrorKind::kInvalidConfig,
               "the VM would need {} virtio devices, microvm has {}: its volumes need one share "
               "per host owner (uid and gid) and one device per disk; give the volumes fewer "
               "distinct owners, or use fewer disks",
               devices, kMicrovmTransports);
  return {};
}

Result<void> check_kernel_cmdline_length(const QemuConfig& config) {
  size_t ours = kernel_cmdline(config).size();
  size_t qemu = virtio_device_count(config) * kQemuBytesPerDevice;
  // The kernel keeps COMMAND_LINE_SIZE - 1 bytes and silently drops the rest.
  if (ours + qemu >= kMaxKernelCmdline)
    return err(ErrorKind::kInvalidConfig,
               "the guest kernel command line would be too long: {} bytes of ours and about {} "
               "of QEMU's, the limit is {} (shorten the volumes' target paths)",
               ours, qemu, kMaxKernelCmdline - 1);
  return {};
}

std::vector<std::string> qemu_command(const QemuConfig& config) {
  std::vector<std::string> argv = {
      config.qemu,
      // acpi=off makes QEMU describe the virtio-mmio devices on the kernel command line.
      // rtc=on: without a CMOS clock the kernel polls the absent RTC for up to a second.
      "-M",
      "microvm,x-option-roms=off,isa-serial=on,rtc=on,acpi=off",
      "-m",
      std::to_string(config.memory_mib),
      "-smp",
      std::to_string(config.cpus),
      "-nodefaults",
      "-no-user-config",
      "-display",
      "none",
      "-no-reboot",
      "-chardev",
      "file,id=console,path=" + escape_option(config.console_log),
      "-serial",
      "chardev:console",
      // -kernel and -initrd take a plain filename, not an option string: no escaping.
      "-kernel",
      config.kernel,
      "-initrd",
      config.initramfs,
      "-append",
      kernel_cmdline(config),
  };
  std::vector<std::string> accel = config.accel == Accel::kKvm ? kvm_qemu_args() : tcg_qemu_args();
  argv.insert(argv.begin() + 1, accel.begin(), accel.end());
  if (!config.shares.empty()) add_shared_memory(argv, config.memory_mib);
  for (const DiskSpec& disk : config.disks) {
    // SECURITY: the serial is an option value (id=, drive=, serial=) that is not escaped.
    MSB_CHECK(is_plain_word(disk.serial));
    argv.push_back("-drive");
    argv.push_back(fmt::format("id={},file={},format=raw,if=none{}{}", disk.serial,
                               escape_option(disk.path), disk.read_only ? ",readonly=on" : "",
                               disk.ignore_flushes ? ",cache=unsafe" : ""));
    argv.push_back("-device");
    argv.push_back(fmt::format("virtio-blk-device,drive={},serial={}", disk.serial, disk.serial));
  }
  for (const GuestVolume& volume : config.volumes) {
    if (volume.kind != GuestVolume::Kind::kDisk) continue;
    // SECURITY: the serial and the format are ours (checked); the path is escaped.
    MSB_CHECK(is_tag(volume.tag) && (volume.format == "raw" || volume.format == "qcow2"));
    argv.push_back("-drive");
    argv.push_back(fmt::format("id={},file={},format={},if=none{}", volume.tag,
                               escape_option(volume.source), volume.format,
                               volume.read_only ? ",readonly=on" : ""));
    argv.push_back("-device");
    argv.push_back(fmt::format("virtio-blk-device,drive={},serial={}", volume.tag, volume.tag));
  }
  for (const char* arg : {"-device", "virtio-rng-device", "-device", "virtio-serial-device"}) {
    argv.push_back(arg);
  }
  argv.push_back("-chardev");
  argv.push_back(fmt::format("socket,id=agent,fd={}", config.agent_fd));
  argv.push_back("-device");
  argv.push_back("virtserialport,chardev=agent,name=agent");
  if (config.network) {
    check_mac(config.network->mac);
    argv.push_back("-netdev");
    argv.push_back(fmt::format("stream,id=net0,addr.type=fd,addr.str={}", config.network_fd));
    argv.push_back("-device");
    argv.push_back("virtio-net-device,netdev=net0,mac=" + config.network->mac);
  }
  add_shares(argv, config);
  return argv;
}

}  // namespace msb::engine::vm
