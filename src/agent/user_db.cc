#include "agent/user_db.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "common/split.h"

namespace msb::agent {
namespace {

// Calls `each` with every line worth parsing: not blank, not a comment, not over-long.
template <class Each>
void for_each_line(std::string_view text, Each each) {
  for (size_t start = 0; start < text.size();) {
    size_t end = std::min(text.find('\n', start), text.size());
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    if (line.empty() || line.front() == '#' || line.size() > kMaxUserDbLineBytes) continue;
    each(line);
  }
}

bool all_digits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// A decimal id; (uint32_t)-1 is excluded because set*id(2) reads it as "leave unchanged".
std::optional<uint32_t> parse_id(std::string_view text) {
  if (!all_digits(text) || text.size() > 10) return std::nullopt;
  uint64_t value = 0;
  for (char c : text) value = value * 10 + static_cast<uint64_t>(c - '0');
  if (value >= 0xFFFFFFFFu) return std::nullopt;
  return static_cast<uint32_t>(value);
}

bool is_valid_name(std::string_view name) {
  if (name.empty() || name.front() == '-' || name.front() == '+') return false;
  return std::none_of(name.begin(), name.end(), [](char c) {
    auto byte = static_cast<unsigned char>(c);
    return byte <= ' ' || byte == 0x7f || c == ',' || c == '/' || c == ':';
  });
}

// One side of a user spec: an id when it is all digits, else a name.
struct IdOrName {
  std::optional<uint32_t> id;
  std::string_view name;
};

std::optional<IdOrName> parse_token(std::string_view token) {
  if (all_digits(token)) {
    std::optional<uint32_t> id = parse_id(token);
    if (!id) return std::nullopt;
    return IdOrName{id, token};
  }
  if (!is_valid_name(token)) return std::nullopt;
  return IdOrName{std::nullopt, token};
}

const PasswdEntry* find_user(const std::vector<PasswdEntry>& passwd, const IdOrName& user) {
  for (const PasswdEntry& entry : passwd) {
    if (user.id ? entry.uid == *user.id : entry.name == user.name) return &entry;
  }
  return nullptr;
}

const GroupEntry* find_group(const std::vector<GroupEntry>& group, std::string_view name) {
  for (const GroupEntry& entry : group) {
    if (entry.name == name) return &entry;
  }
  return nullptr;
}

// The gids of every group listing `name`, sorted (as the kernel keeps them), no duplicates.
std::vector<uint32_t> member_groups(const std::vector<GroupEntry>& group, std::string_view name) {
  std::vector<uint32_t> gids;
  for (const GroupEntry& entry : group) {
    if (std::find(entry.members.begin(), entry.members.end(), name) != entry.members.end()) {
      gids.push_back(entry.gid);
    }
  }
  std::sort(gids.begin(), gids.end());
  gids.erase(std::unique(gids.begin(), gids.end()), gids.end());
  return gids;
}

// A name or spec for a message: a reply must fit in a frame whatever the request held.
std::string shown(std::string_view text) {
  constexpr size_t kMaxShown = 64;
  return text.size() <= kMaxShown ? std::string(text)
                                  : std::string(text.substr(0, kMaxShown)) + "...";
}

struct UserSpec {
  IdOrName user;
  std::optional<IdOrName> group;
};

// Splits and checks "USER[:GROUP]"; on failure, the message says what is wrong.
tl::expected<UserSpec, std::string> parse_user_spec(std::string_view spec) {
  auto malformed = [&](std::string_view why) {
    return tl::unexpected(fmt::format("malformed user '{}': {}", shown(spec), why));
  };
  std::vector<std::string_view> parts = split(spec, ':');
  if (parts.size() > 2) return malformed("more than one ':'");
  if (parts[0].empty()) return malformed("no user name or id");
  if (parts.size() == 2 && parts[1].empty()) return malformed("no group name or id after ':'");
  std::optional<IdOrName> user = parse_token(parts[0]);
  if (!user) return malformed(fmt::format("'{}' is not a user name or id", shown(parts[0])));
  UserSpec parsed{*user, std::nullopt};
  if (parts.size() == 2 && !(parsed.group = parse_token(parts[1]))) {
    return malformed(fmt::format("'{}' is not a group name or id", shown(parts[1])));
  }
  return parsed;
}

}  // namespace

std::vector<PasswdEntry> parse_passwd(std::string_view text) {
  std::vector<PasswdEntry> entries;
  for_each_line(text, [&](std::string_view line) {
    std::vector<std::string_view> fields = split(line, ':');
    if (fields.size() != 7 || fields[0].empty()) return;
    std::optional<uint32_t> uid = parse_id(fields[2]);
    std::optional<uint32_t> gid = parse_id(fields[3]);
    if (!uid || !gid) return;
    entries.push_back({std::string(fields[0]), *uid, *gid, std::string(fields[5])});
  });
  return entries;
}

std::vector<GroupEntry> parse_group(std::string_view text) {
  std::vector<GroupEntry> entries;
  for_each_line(text, [&](std::string_view line) {
    std::vector<std::string_view> fields = split(line, ':');
    if (fields.size() != 4 || fields[0].empty()) return;
    std::optional<uint32_t> gid = parse_id(fields[2]);
    if (!gid) return;
    GroupEntry entry{std::string(fields[0]), *gid, {}};
    for (std::string_view member : split(fields[3], ',')) {
      if (!member.empty()) entry.members.emplace_back(member);
    }
    entries.push_back(std::move(entry));
  });
  return entries;
}

tl::expected<ResolvedUser, std::string> resolve_user_spec(std::string_view spec,
                                                          const std::vector<PasswdEntry>& passwd,
                                                          const std::vector<GroupEntry>& group,
                                                          std::string_view passwd_path,
                                                          std::string_view group_path) {
  tl::expected<UserSpec, std::string> spec_or_error = parse_user_spec(spec);
  if (!spec_or_error) return tl::unexpected(spec_or_error.error());
  const UserSpec& parsed = *spec_or_error;
  const PasswdEntry* entry = find_user(passwd, parsed.user);
  if (!entry && !parsed.user.id) {
    return tl::unexpected(
        fmt::format("user '{}' not found in {}", shown(parsed.user.name), passwd_path));
  }
  ResolvedUser resolved;
  resolved.uid = entry ? entry->uid : *parsed.user.id;
  resolved.gid = entry ? entry->gid : resolved.uid;
  resolved.name = entry ? entry->name : "";
  resolved.home = entry && !entry->home.empty() ? entry->home : "/";
  if (entry) resolved.groups = member_groups(group, entry->name);
  if (!parsed.group) return resolved;
  if (parsed.group->id) {
    resolved.gid = *parsed.group->id;
    return resolved;
  }
  const GroupEntry* named = find_group(group, parsed.group->name);
  if (!named) {
    return tl::unexpected(
        fmt::format("group '{}' not found in {}", shown(parsed.group->name), group_path));
  }
  resolved.gid = named->gid;
  return resolved;
}

}  // namespace msb::agent
