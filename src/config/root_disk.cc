#include "config/root_disk.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace msb::config {
namespace {

using nlohmann::json;

tl::unexpected<Error> invalid(std::string_view message) {
  return make_error(ErrorKind::kInvalidConfig, fmt::format("invalid config: {}", message));
}

tl::unexpected<Error> wrong_type(std::string_view key, std::string_view expected) {
  return err(ErrorKind::kInvalidConfig, "sandbox config: 'root_disk.{}' must be {}", key, expected);
}

// How --root-disk spells a whole number of MiB: "8G", "512M".
std::string flag_size(uint64_t bytes) {
  constexpr uint64_t kGib = uint64_t{1} << 30;
  if (bytes % kGib == 0) return fmt::format("{}G", bytes / kGib);
  return fmt::format("{}M", bytes / kBytesPerMib);
}

uint64_t default_tmpfs_bytes(uint32_t memory_mib) {
  return uint64_t{memory_mib} * kBytesPerMib / 2;
}

Result<void> validate_disk_size(uint64_t size, std::string_view isolation) {
  if (size == 0) return {};
  if (size < kMinRootDiskBytes || size > kMaxRootDiskBytes || size % kBytesPerMib != 0)
    return invalid(
        fmt::format("root disk size must be a whole number of MiB from {} to {}, got {} bytes",
                    format_size(kMinRootDiskBytes), format_size(kMaxRootDiskBytes), size));
  // Not faked with a quota or a loop device: the user asked for a limit this engine does
  // not have.
  if (isolation == "namespace")
    return err(ErrorKind::kUnsupported,
               "the namespace engine's root layer is a host directory and cannot be limited to "
               "{}; use --root-disk tmpfs:{} or --isolation vm",
               format_size(size), flag_size(size));
  return {};
}

Result<void> validate_tmpfs_size(uint64_t size, uint32_t memory_mib) {
  if (size == 0) return {};
  uint64_t memory = uint64_t{memory_mib} * kBytesPerMib;
  if (size < kBytesPerMib || size > memory)
    return invalid(fmt::format(
        "root tmpfs size must be from 1 MiB to the sandbox's memory ({}): its files are kept "
        "in that memory, got {} bytes",
        format_size(memory), size));
  return {};
}

}  // namespace

std::string_view root_disk_kind_name(RootDisk::Kind kind) {
  switch (kind) {
    case RootDisk::Kind::kDisk:
      return "disk";
    case RootDisk::Kind::kTmpfs:
      return "tmpfs";
  }
  MSB_CHECK(false);
}

Result<RootDisk::Kind> parse_root_disk_kind(std::string_view text) {
  for (RootDisk::Kind kind : {RootDisk::Kind::kDisk, RootDisk::Kind::kTmpfs}) {
    if (text == root_disk_kind_name(kind)) return kind;
  }
  return err(ErrorKind::kInvalidConfig, "unknown root disk kind '{}': use disk or tmpfs", text);
}

uint64_t effective_root_disk_bytes(const RootDisk& disk, uint32_t memory_mib,
                                   std::string_view isolation) {
  if (disk.size_bytes != 0) return disk.size_bytes;
  if (disk.kind == RootDisk::Kind::kTmpfs) return default_tmpfs_bytes(memory_mib);
  return isolation == "namespace" ? 0 : kDefaultRootDiskBytes;
}

Result<void> validate_root_disk(const RootDisk& disk, uint32_t memory_mib,
                                std::string_view isolation) {
  if (disk.kind == RootDisk::Kind::kTmpfs) return validate_tmpfs_size(disk.size_bytes, memory_mib);
  return validate_disk_size(disk.size_bytes, isolation);
}

void normalize_root_disk(RootDisk& disk, uint32_t memory_mib, std::string_view isolation) {
  disk.size_bytes = effective_root_disk_bytes(disk, memory_mib, isolation);
}

std::string describe_root_disk(const RootDisk& disk, uint32_t memory_mib,
                               std::string_view isolation) {
  uint64_t size = effective_root_disk_bytes(disk, memory_mib, isolation);
  if (disk.kind == RootDisk::Kind::kTmpfs) return format_size(size) + " tmpfs";
  if (size == 0) return "host directory (no size limit)";
  return format_size(size) + " disk";
}

std::string format_size(uint64_t bytes) {
  constexpr const char* kUnits[] = {"KiB", "MiB", "GiB", "TiB"};
  if (bytes == 0 || bytes % 1024 != 0) return fmt::format("{} bytes", bytes);
  size_t unit = 0;
  bytes /= 1024;
  while (unit + 1 < std::size(kUnits) && bytes % 1024 == 0) {
    bytes /= 1024;
    ++unit;
  }
  return fmt::format("{} {}", bytes, kUnits[unit]);
}

json root_disk_to_json(const RootDisk& disk) {
  return {{"kind", root_disk_kind_name(disk.kind)}, {"size_bytes", disk.size_bytes}};
}

Result<RootDisk> root_disk_from_json(const json& value) {
  if (!value.is_object())
    return make_error(ErrorKind::kInvalidConfig,
                      R"(sandbox config: 'root_disk' must be an object {"kind", "size_bytes"})");
  RootDisk disk;
  if (auto kind = value.find("kind"); kind != value.end()) {
    const json::string_t* text = kind->get_ptr<const json::string_t*>();
    if (!text) return wrong_type("kind", "a string");
    disk.kind = MSB_TRY(parse_root_disk_kind(*text).context("sandbox config"));
  }
  if (auto size = value.find("size_bytes"); size != value.end()) {
    const json::number_unsigned_t* number = size->get_ptr<const json::number_unsigned_t*>();
    if (!number) return wrong_type("size_bytes", "a byte count (an integer from 0)");
    disk.size_bytes = *number;
  }
  return disk;
}

}  // namespace msb::config
