// The sandbox's user database: /etc/passwd and /etc/group parsed as text (no NSS: the
// agent is static), and the resolution of an exec.request `user` spec against them.
// Pure functions over strings; the caller reads the files.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <vector>

namespace msb::agent {

// Longer lines are skipped: no real entry comes near, and a hostile file cannot make one
// line cost more than this.
inline constexpr size_t kMaxUserDbLineBytes = 64 * 1024;

struct PasswdEntry {
  std::string name;
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::string home;
};

struct GroupEntry {
  std::string name;
  uint32_t gid = 0;
  std::vector<std::string> members;
};

// Parses passwd(5) text "name:password:uid:gid:gecos:home:shell". Skips blank lines,
// '#' comments, lines that do not have exactly 7 fields or valid ids, and over-long
// lines. Never fails. Thread-safe.
std::vector<PasswdEntry> parse_passwd(std::string_view text);

// Parses group(5) text "name:password:gid:member,member". Same skipping rules (4 fields).
std::vector<GroupEntry> parse_group(std::string_view text);

// What a user spec resolves to.
struct ResolvedUser {
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::vector<uint32_t> groups;  // supplementary groups, no duplicates
  std::string name;              // the passwd name; "" when the uid has no entry
  std::string home;              // the passwd home; "/" when there is none
};

// Resolves "USER" or "USER:GROUP", each a name or a decimal id (0 .. 2^32-2).
// - A user name must be in `passwd`; a numeric uid need not be. With an entry, the gid
//   defaults to the entry's and the supplementary groups are every group listing the
//   entry's name (also when GROUP is given: it replaces only the primary gid). Without
//   one, the gid defaults to the uid and there are no supplementary groups.
// - A group name must be in `group`; a numeric gid need not be.
// On failure returns the message for exec.failed kind "bad-user". `passwd_path` and
// `group_path` only name the files in messages. Thread-safe.
tl::expected<ResolvedUser, std::string> resolve_user_spec(std::string_view spec,
                                                          const std::vector<PasswdEntry>& passwd,
                                                          const std::vector<GroupEntry>& group,
                                                          std::string_view passwd_path,
                                                          std::string_view group_path);

}  // namespace msb::agent
