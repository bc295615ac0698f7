#include "engine/id_map.h"

#include <fmt/format.h>

#include <charconv>
#include <optional>

#include "os/file.h"

namespace msb::engine {
namespace {

std::optional<uint32_t> parse_number(std::string_view text) {
  uint32_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

IdRange range_from(const std::string& file) {
  Result<std::string> text = os::read_file(file);
  if (!text) return kDefaultIdRange;
  return parse_subid_range(*text, "root").value_or(kDefaultIdRange);
}

}  // namespace

std::optional<IdRange> parse_subid_range(std::string_view text, std::string_view user) {
  while (!text.empty()) {
    size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    size_t first = line.find(':');
    size_t second = line.find(':', first == std::string_view::npos ? first : first + 1);
    if (first == std::string_view::npos || second == std::string_view::npos) continue;
    if (line.substr(0, first) != user) continue;
    std::optional<uint32_t> base = parse_number(line.substr(first + 1, second - first - 1));
    std::optional<uint32_t> count = parse_number(line.substr(second + 1));
    // Root inside must not map to host root, and the image's ids up to 65535 must fit.
    if (base && count && *base > 0 && *count >= 65536 && *base <= UINT32_MAX - *count)
      return IdRange{*base, *count};
  }
  return std::nullopt;
}

IdRange sandbox_uid_range() { return range_from("/etc/subuid"); }
IdRange sandbox_gid_range() { return range_from("/etc/subgid"); }

namespace {

Result<void> check_volume_owner(uint32_t owner, const IdRange& range) {
  if (range.count < 2) return err(ErrorKind::kInvalidConfig, "sandbox id range is too small");
  if (owner > range.base && owner - range.base < range.count)
    return err(ErrorKind::kInvalidConfig,
               "volume owner id {} lies inside the sandboxes' id range {}-{}: give the volume "
               "a host owner outside it",
               owner, range.base, range.base + range.count - 1);
  return {};
}

}  // namespace

Result<std::string> volume_server_id_map(uint32_t owner, const IdRange& range) {
  MSB_TRY(check_volume_owner(owner, range));
  return fmt::format("0 {} 1\n1 {} {}\n", owner, range.base + 1, range.count - 1);
}

Result<std::string> volume_mount_id_map(uint32_t owner, const IdRange& range) {
  MSB_TRY(check_volume_owner(owner, range));
  return fmt::format("{} {} 1\n{} {} {}\n", owner, range.base, range.base + 1, range.base + 1,
                     range.count - 1);
}

std::string id_map_line(const IdRange& range) {
  return "0 " + std::to_string(range.base) + " " + std::to_string(range.count) + "\n";
}

}  // namespace msb::engine
