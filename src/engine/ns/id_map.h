// The host id range a namespace sandbox's ids map onto: its root is the range's first id,
// an unprivileged host uid with no other meaning on the host.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/error.h"

namespace msb::engine::ns {

struct IdRange {
  uint32_t base = 0;
  uint32_t count = 0;
};

inline constexpr IdRange kDefaultIdRange{100000, 65536};

// The range given to "root" in a subordinate-id file's text (/etc/subuid format:
// "name:first:count" lines); nullopt when there is none with at least 65536 ids.
std::optional<IdRange> parse_subid_range(std::string_view text, std::string_view user);

// The uid and gid ranges for sandboxes: root's entries in /etc/subuid and /etc/subgid when
// present, else kDefaultIdRange. Never fails.
IdRange sandbox_uid_range();
IdRange sandbox_gid_range();

// "0 <base> <count>\n": the line written to /proc/<pid>/uid_map and gid_map.
std::string id_map_line(const IdRange& range);

}  // namespace msb::engine::ns
