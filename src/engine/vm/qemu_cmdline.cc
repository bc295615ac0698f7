#include "engine/vm/qemu_cmdline.h"

#include <fmt/format.h>

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
  if (!config.hostname.empty()) line += " msb.hostname=" + hex_encode(config.hostname);
  if (config.clock_ns != 0) line += fmt::format(" msb.clock-ns={}", config.clock_ns);
  if (config.network) line += " msb.net=" + agent_network_option(*config.network);
  // The kernel then never calibrates its TSC against the (emulated) PIT.
  if (config.tsc_khz) line += fmt::format(" tsc_early_khz={}", *config.tsc_khz);
  return line;
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
  return argv;
}

}  // namespace msb::engine::vm
