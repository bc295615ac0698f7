#include "cli/root_disk_flag.h"

#include <optional>

#include "cli/rate_text.h"
#include "common/shown.h"

namespace msb::cli {
namespace {

constexpr uint64_t kMib = uint64_t{1} << 20;

tl::unexpected<Error> bad_flag(std::string_view text, std::string_view why) {
  return err(ErrorKind::kInvalidArgument, "--root-disk '{}': {}", shown(text), why);
}

// Digits are MiB (as --tmpfs takes them); a suffix names the unit. nullopt when neither.
std::optional<uint64_t> size_bytes(std::string_view text) {
  if (Result<uint64_t> mib = parse_count(text))
    return *mib > UINT64_MAX / kMib ? std::nullopt : std::optional(*mib * kMib);
  if (Result<uint64_t> bytes = parse_size(text)) return *bytes;
  return std::nullopt;
}

}  // namespace

Result<uint64_t> parse_root_disk_size(std::string_view text) {
  std::optional<uint64_t> bytes = size_bytes(text);
  if (!bytes) return bad_flag(text, "expected a size such as 512 (MiB), 512M or 8G");
  if (*bytes == 0) return bad_flag(text, "the size must be greater than 0");
  return *bytes;
}

Result<config::RootDisk> parse_root_disk_flag(std::string_view text) {
  using Kind = config::RootDisk::Kind;
  constexpr std::string_view kTmpfs = "tmpfs";
  if (text == kTmpfs) return config::RootDisk{Kind::kTmpfs, 0};
  bool tmpfs = text.starts_with("tmpfs:");
  std::optional<uint64_t> bytes = size_bytes(tmpfs ? text.substr(kTmpfs.size() + 1) : text);
  if (!bytes)
    return bad_flag(text, tmpfs ? "expected tmpfs:SIZE with a size such as 512M or 1G"
                                : "expected SIZE (such as 512M or 8G), tmpfs or tmpfs:SIZE");
  if (*bytes == 0) return bad_flag(text, "the size must be greater than 0");
  return config::RootDisk{tmpfs ? Kind::kTmpfs : Kind::kDisk, *bytes};
}

}  // namespace msb::cli
