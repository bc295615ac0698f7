#include "engine/ns/id_map.h"

#include <charconv>
#include <optional>

#include "os/file.h"

namespace msb::engine::ns {
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

std::string id_map_line(const IdRange& range) {
  return "0 " + std::to_string(range.base) + " " + std::to_string(range.count) + "\n";
}

}  // namespace msb::engine::ns
