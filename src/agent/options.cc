#include "agent/options.h"

#include <charconv>

#include "common/hex.h"

namespace msb::agent {
namespace {

Result<BlockDisk> parse_disk(std::string_view key, std::string_view value) {
  size_t colon = value.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == value.size()) {
    return err(ErrorKind::kInvalidArgument, "{}: expected TYPE:SERIAL, got '{}'", key, value);
  }
  return BlockDisk{std::string(value.substr(0, colon)), std::string(value.substr(colon + 1))};
}

// The kernel's limit on a hostname (__NEW_UTS_LEN).
constexpr size_t kMaxHostnameBytes = 64;

// SECURITY: the host sends the hostname as hex (engine/vm/qemu_cmdline.h), so that no
// byte of it can end a kernel command line word; anything that is not that is refused
// rather than guessed at.
Result<std::string> parse_hostname(std::string_view value) {
  std::string hostname =
      MSB_TRY(hex_decode(value).context("hostname: expected the hex of 1-64 bytes"));
  if (hostname.empty() || hostname.size() > kMaxHostnameBytes) {
    return err(ErrorKind::kInvalidArgument, "hostname: expected 1-64 bytes, got {}",
               hostname.size());
  }
  return hostname;
}

template <class Int>
Result<Int> parse_number(std::string_view key, std::string_view value) {
  Int number{};
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), number);
  if (ec != std::errc() || end != value.data() + value.size() || value.empty()) {
    return err(ErrorKind::kInvalidArgument, "{}: not a number: '{}'", key, value);
  }
  return number;
}

// virtiofs tags are at most 36 bytes; ours are plain words ("msbvol0").
constexpr size_t kMaxTagBytes = 36;
constexpr size_t kMaxTargetBytes = 4096;

bool is_tag(std::string_view tag) {
  if (tag.empty() || tag.size() > kMaxTagBytes) return false;
  for (char c : tag) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '_' || c == '-';
    if (!plain) return false;
  }
  return true;
}

// "-" or flags joined by '+'; "file" and "9p" (one of them) only where `share`.
Result<void> parse_volume_flags(std::string_view flags, bool share, VolumeMount& volume) {
  if (flags == "-") return {};
  while (true) {
    size_t plus = flags.find('+');
    std::string_view flag = flags.substr(0, plus);
    if (flag == "ro") {
      volume.read_only = true;
    } else if (flag == "noexec") {
      volume.noexec = true;
    } else if (flag == "file" && share && volume.kind == VolumeMount::Kind::kVirtiofs) {
      volume.kind = VolumeMount::Kind::kVirtiofsFile;
    } else if (flag == "9p" && share && volume.kind == VolumeMount::Kind::kVirtiofs) {
      volume.kind = VolumeMount::Kind::k9p;
    } else {
      return err(ErrorKind::kInvalidArgument, "unknown volume flag '{}'", flag);
    }
    if (plus == std::string_view::npos) return {};
    flags.remove_prefix(plus + 1);
  }
}

// SECURITY: the target is a user's text, sent as hex; what it decodes to is checked here
// again (absolute, a real path) rather than trusted.
Result<std::string> parse_target(std::string_view hex) {
  std::string target = MSB_TRY(hex_decode(hex).context("volume target: expected hex"));
  if (target.size() < 2 || target.size() > kMaxTargetBytes || target[0] != '/' ||
      target.find('\0') != std::string::npos)
    return err(ErrorKind::kInvalidArgument, "volume target: not an absolute path below /");
  std::string_view rest(target);
  while (!rest.empty()) {
    rest.remove_prefix(1);
    std::string_view part = rest.substr(0, rest.find('/'));
    if (part.empty() || part == "." || part == "..")
      return err(ErrorKind::kInvalidArgument, "volume target: not a normalized path");
    rest.remove_prefix(part.size());
  }
  return target;
}

bool is_entry(std::string_view entry) {
  if (entry.empty() || entry.size() > 5) return false;
  for (char c : entry) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// "TAG/ENTRY" for virtiofs, "TAG" for 9p (known once the flags are read).
Result<void> parse_share(std::string_view key, std::string_view head, VolumeMount& volume) {
  size_t slash = head.find('/');
  std::string_view tag = head.substr(0, slash);
  if (!is_tag(tag)) return err(ErrorKind::kInvalidArgument, "{}: bad tag", key);
  volume.tag = std::string(tag);
  bool nine_p = volume.kind == VolumeMount::Kind::k9p;
  if (nine_p != (slash == std::string_view::npos))
    return err(ErrorKind::kInvalidArgument, "{}: a virtiofs share needs TAG/ENTRY, 9p only TAG",
               key);
  if (nine_p) return {};
  std::string_view entry = head.substr(slash + 1);
  if (!is_entry(entry)) return err(ErrorKind::kInvalidArgument, "{}: bad entry", key);
  volume.entry = std::string(entry);
  return {};
}

// "SERIAL/FSTYPE" of a disk volume: the serial is a tag, the fstype one we mount.
Result<void> parse_disk_volume(std::string_view head, VolumeMount& volume) {
  size_t slash = head.find('/');
  std::string_view serial = head.substr(0, slash);
  std::string_view fstype = slash == std::string_view::npos ? "" : head.substr(slash + 1);
  if (!is_tag(serial)) return err(ErrorKind::kInvalidArgument, "disk: bad serial");
  if (fstype != "ext4" && fstype != "ext3" && fstype != "ext2")
    return err(ErrorKind::kInvalidArgument, "disk: unknown fstype '{}'", fstype);
  volume.kind = VolumeMount::Kind::kDisk;
  volume.tag = std::string(serial);
  volume.fstype = std::string(fstype);
  return {};
}

// "TAG[/ENTRY]:FLAGS:HEX" (volume), "SIZE:FLAGS:HEX" (tmpfs), "SERIAL/FSTYPE:FLAGS:HEX"
// (disk).
Result<VolumeMount> parse_volume(std::string_view key, std::string_view value) {
  size_t first = value.find(':');
  size_t second = first == std::string_view::npos ? first : value.find(':', first + 1);
  if (second == std::string_view::npos)
    return err(ErrorKind::kInvalidArgument, "{}: expected three ':'-separated fields", key);
  std::string_view head = value.substr(0, first);
  std::string_view flags = value.substr(first + 1, second - first - 1);
  VolumeMount volume;
  bool tmpfs = key == "tmpfs";
  bool disk = key == "disk";
  MSB_TRY(std::move(parse_volume_flags(flags, !tmpfs && !disk, volume)).context("{}", key));
  if (tmpfs) {
    volume.kind = VolumeMount::Kind::kTmpfs;
    volume.size_bytes = MSB_TRY(parse_number<uint64_t>(key, head));
  } else if (disk) {
    MSB_TRY(parse_disk_volume(head, volume));
  } else {
    MSB_TRY(parse_share(key, head, volume));
  }
  volume.target = MSB_TRY(parse_target(value.substr(second + 1)));
  return volume;
}

// One "key=value" (or bare "key") setting, shared by both forms.
Result<void> apply_option(AgentOptions& options, std::string_view word) {
  size_t eq = word.find('=');
  std::string_view key = word.substr(0, eq);
  std::string_view value = eq == std::string_view::npos ? "" : word.substr(eq + 1);
  if (key == "exit-at-init") {
    options.exit_at_init = true;
  } else if (key == "channel-fd") {
    options.channel_fd = MSB_TRY(parse_number<int>(key, value));
    // A negative fd would mean "no channel": guest init on whatever machine this is.
    if (options.channel_fd < 0) {
      return err(ErrorKind::kInvalidArgument, "channel-fd: negative fd '{}'", value);
    }
  } else if (key == "rootfs") {
    options.rootfs = MSB_TRY(parse_disk(key, value));
  } else if (key == "upper") {
    options.upper = MSB_TRY(parse_disk(key, value));
  } else if (key == "upper-tmpfs") {
    options.upper_tmpfs_bytes = MSB_TRY(parse_number<uint64_t>(key, value));
    if (options.upper_tmpfs_bytes == 0)
      return err(ErrorKind::kInvalidArgument, "upper-tmpfs: the size must be greater than 0");
  } else if (key == "volatile-upper") {
    options.volatile_upper = true;
  } else if (key == "hostname") {
    options.hostname = MSB_TRY(parse_hostname(value));
  } else if (key == "net") {
    options.network = MSB_TRY(parse_guest_network(value));
  } else if (key == "volume" || key == "tmpfs" || key == "disk") {
    options.volumes.push_back(MSB_TRY(parse_volume(key, value)));
  } else if (key == "clock-ns") {
    options.clock_ns = MSB_TRY(parse_number<uint64_t>(key, value));
  } else {
    return err(ErrorKind::kInvalidArgument, "unknown agent option '{}'", key);
  }
  return {};
}

Result<AgentOptions> check(AgentOptions options) {
  if (options.upper && !options.rootfs)
    return err(ErrorKind::kInvalidArgument, "upper needs rootfs");
  if (options.volatile_upper && !options.upper)
    return err(ErrorKind::kInvalidArgument, "volatile-upper needs upper");
  if (options.upper_tmpfs_bytes > 0 && (options.upper || !options.rootfs))
    return err(ErrorKind::kInvalidArgument, "upper-tmpfs needs rootfs and replaces upper");
  return options;
}

}  // namespace

Result<AgentOptions> parse_agent_args(const std::vector<std::string>& args) {
  AgentOptions options;
  for (const std::string& arg : args) {
    if (!std::string_view(arg).starts_with("--")) {
      return err(ErrorKind::kInvalidArgument, "unexpected agent argument '{}'", arg);
    }
    MSB_TRY(apply_option(options, std::string_view(arg).substr(2)));
  }
  return check(std::move(options));
}

Result<AgentOptions> parse_kernel_cmdline(std::string_view cmdline) {
  AgentOptions options;
  while (!cmdline.empty()) {
    size_t end = cmdline.find_first_of(" \n\t");
    std::string_view word = cmdline.substr(0, end);
    cmdline.remove_prefix(end == std::string_view::npos ? cmdline.size() : end + 1);
    if (word.starts_with("msb.")) MSB_TRY(apply_option(options, word.substr(4)));
  }
  if (options.channel_fd >= 0)
    return err(ErrorKind::kInvalidArgument, "channel-fd is not a kernel option");
  return check(std::move(options));
}

}  // namespace msb::agent
