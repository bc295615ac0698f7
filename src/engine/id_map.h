// Host id ranges: the one a namespace sandbox's ids map onto (its root is the range's first
// id, an unprivileged host uid with no other meaning on the host), and the maps that make a
// volume's files belong to its owner (docs/design/volumes.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/error.h"

namespace msb::engine {

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

// A volume's ids, on both engines: the guest's root reads and writes as `owner` (the host
// owner of the volume's source), guest id n in 1..count-1 as range.base + n (as the
// namespace engine's sandbox ids do everywhere else). Host ids outside these show as the
// overflow id (65534) in the guest. Errors: kInvalidConfig when `owner` lies inside
// range.base+1 .. range.base+count-1 (the two parts would overlap).
//
// The uid_map/gid_map text of a user namespace whose ids are the guest's: a volume server
// running in it (virtiofsd) creates the guest's files as the right host ids.
// "0 <owner> 1\n1 <base+1> <count-1>\n".
Result<std::string> volume_server_id_map(uint32_t owner, const IdRange& range);
// The map of a user namespace used as an idmapped mount's idmap (mount_setattr
// MOUNT_ATTR_IDMAP) under a namespace sandbox whose ids are `range`: the owner's files on
// disk appear as the sandbox's root. "<owner> <base> 1\n<base+1> <base+1> <count-1>\n".
Result<std::string> volume_mount_id_map(uint32_t owner, const IdRange& range);

}  // namespace msb::engine
