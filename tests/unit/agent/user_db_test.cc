#include "agent/user_db.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace msb::agent {
namespace {

using Groups = std::vector<uint32_t>;

constexpr const char* kPasswd =
    "# a comment:x:1:1:c:/c:/bin/sh\n"
    "root:x:0:0:root:/root:/bin/bash\n"
    "\n"
    "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
    "alice:x:1000:1000:Alice,,,:/home/alice:/bin/bash\n"
    "short:x:1001:1001\n"
    "badid:x:12a:1:b:/b:/bin/sh\n"
    "toolong:x:4294967295:1:t:/t:/bin/sh\n"
    "nohome:x:1002:1002:n::/bin/sh\n"
    "alice:x:2000:2000:second alice:/elsewhere:/bin/sh\n"
    "dup1000:x:1000:5:same uid:/dup:/bin/sh\n"
    "+::::::\n"
    "bob-ish:x:1003:1003::/home/bob:/bin/sh";  // no final newline

constexpr const char* kGroup =
    "root:x:0:\n"
    "# wheel:x:10:alice\n"
    "wheel:x:10:alice,root\n"
    "staff:x:50:bob,alice,,alice\n"
    "alice:x:1000:\n"
    "again:x:50:alice\n"
    "broken:x:60\n"
    "nogid:x::alice\n"
    "audio:x:29:nohome\n";

struct Db {
  std::vector<PasswdEntry> passwd = parse_passwd(kPasswd);
  std::vector<GroupEntry> group = parse_group(kGroup);

  tl::expected<ResolvedUser, std::string> resolve(std::string_view spec) const {
    return resolve_user_spec(spec, passwd, group, "/etc/passwd", "/etc/group");
  }
};

TEST(ParsePasswd, KeepsValidEntriesInOrder) {
  std::vector<PasswdEntry> entries = parse_passwd(kPasswd);
  std::vector<std::string> names;
  for (const PasswdEntry& entry : entries) names.push_back(entry.name);
  EXPECT_EQ(names, (std::vector<std::string>{"root", "daemon", "alice", "nohome", "alice",
                                             "dup1000", "bob-ish"}));
  EXPECT_EQ(entries[2].uid, 1000u);
  EXPECT_EQ(entries[2].gid, 1000u);
  EXPECT_EQ(entries[2].home, "/home/alice");
  EXPECT_EQ(entries[3].home, "");
  EXPECT_EQ(entries[6].home, "/home/bob");
}

TEST(ParsePasswd, EmptyAndGarbageTextGiveNoEntries) {
  EXPECT_TRUE(parse_passwd("").empty());
  EXPECT_TRUE(parse_passwd("\n\n\n").empty());
  EXPECT_TRUE(parse_passwd(std::string("\0\0\0:\xff\n::::::\n", 13)).empty());
  EXPECT_TRUE(parse_passwd("::0:0:::\n").empty());  // no name
}

TEST(ParsePasswd, SkipsHugeLinesAndKeepsTheNextOne) {
  std::string huge = "big:x:5:5:" + std::string(kMaxUserDbLineBytes, 'g') + ":/big:/bin/sh\n";
  std::vector<PasswdEntry> entries = parse_passwd(huge + "after:x:6:6::/a:/bin/sh\n");
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].name, "after");
  std::string many_colons(4 * kMaxUserDbLineBytes, ':');
  EXPECT_TRUE(parse_passwd(many_colons).empty());
}

TEST(ParseGroup, ParsesMembersAndSkipsBadLines) {
  std::vector<GroupEntry> entries = parse_group(kGroup);
  ASSERT_EQ(entries.size(), 6u);
  EXPECT_EQ(entries[0].name, "root");
  EXPECT_TRUE(entries[0].members.empty());
  EXPECT_EQ(entries[1].name, "wheel");
  EXPECT_EQ(entries[1].gid, 10u);
  EXPECT_EQ(entries[1].members, (std::vector<std::string>{"alice", "root"}));
  EXPECT_EQ(entries[2].members, (std::vector<std::string>{"bob", "alice", "alice"}));
  EXPECT_EQ(entries[5].name, "audio");
}

TEST(ParseGroup, SkipsHugeLines) {
  std::string members;
  while (members.size() <= kMaxUserDbLineBytes) members += "m,";
  std::vector<GroupEntry> entries = parse_group("huge:x:7:" + members + "\nsmall:x:8:u\n");
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].name, "small");
}

struct Resolved {
  const char* spec;
  uint32_t uid;
  uint32_t gid;
  Groups groups;
  const char* name;
  const char* home;
};

TEST(ResolveUserSpec, ResolvesNamesAndIds) {
  Db db;
  std::vector<Resolved> cases = {
      {"root", 0, 0, {10}, "root", "/root"},
      {"0", 0, 0, {10}, "root", "/root"},
      {"alice", 1000, 1000, {10, 50}, "alice", "/home/alice"},  // first alice wins
      {"1000", 1000, 1000, {10, 50}, "alice", "/home/alice"},   // first uid 1000 wins
      {"2000", 2000, 2000, {10, 50}, "alice", "/elsewhere"},
      {"alice:staff", 1000, 50, {10, 50}, "alice", "/home/alice"},
      {"alice:7", 1000, 7, {10, 50}, "alice", "/home/alice"},
      {"daemon", 1, 1, {}, "daemon", "/usr/sbin"},
      {"nohome", 1002, 1002, {29}, "nohome", "/"},
      {"bob-ish:wheel", 1003, 10, {}, "bob-ish", "/home/bob"},
      {"65534", 65534, 65534, {}, "", "/"},  // not in passwd
      {"65534:100", 65534, 100, {}, "", "/"},
      {"4242:root", 4242, 0, {}, "", "/"},
      {"4294967294", 4294967294u, 4294967294u, {}, "", "/"},
      {"007", 7, 7, {}, "", "/"},
  };
  for (const Resolved& c : cases) {
    tl::expected<ResolvedUser, std::string> got = db.resolve(c.spec);
    ASSERT_TRUE(got.has_value()) << c.spec << ": " << got.error();
    EXPECT_EQ(got->uid, c.uid) << c.spec;
    EXPECT_EQ(got->gid, c.gid) << c.spec;
    EXPECT_EQ(got->groups, c.groups) << c.spec;
    EXPECT_EQ(got->name, c.name) << c.spec;
    EXPECT_EQ(got->home, c.home) << c.spec;
  }
}

TEST(ResolveUserSpec, RejectsUnknownAndMalformedSpecs) {
  Db db;
  struct Rejected {
    std::string spec;
    std::string message;
  };
  std::vector<Rejected> cases = {
      {"bob", "user 'bob' not found in /etc/passwd"},
      {"alice:nosuch", "group 'nosuch' not found in /etc/group"},
      {"5:nosuch", "group 'nosuch' not found in /etc/group"},
      {"bob:nosuch", "user 'bob' not found in /etc/passwd"},
      {"broken", "user 'broken' not found in /etc/passwd"},
      {"", "malformed user '': no user name or id"},
      {"1:2:3", "malformed user '1:2:3': more than one ':'"},
      {":5", "malformed user ':5': no user name or id"},
      {"alice:", "malformed user 'alice:': no group name or id after ':'"},
      {"-1", "malformed user '-1': '-1' is not a user name or id"},
      {"+alice", "malformed user '+alice': '+alice' is not a user name or id"},
      {"4294967295", "malformed user '4294967295': '4294967295' is not a user name or id"},
      {"99999999999", "malformed user '99999999999': '99999999999' is not a user name or id"},
      {"al ice", "malformed user 'al ice': 'al ice' is not a user name or id"},
      {"a,b", "malformed user 'a,b': 'a,b' is not a user name or id"},
      {"../x", "malformed user '../x': '../x' is not a user name or id"},
      {"alice:-3", "malformed user 'alice:-3': '-3' is not a group name or id"},
      {std::string("ali\0ce", 6), "malformed user"},
  };
  for (const Rejected& c : cases) {
    tl::expected<ResolvedUser, std::string> got = db.resolve(c.spec);
    ASSERT_FALSE(got.has_value()) << c.spec << " resolved to uid " << got->uid;
    EXPECT_TRUE(got.error().starts_with(c.message)) << c.spec << ": " << got.error();
  }
}

TEST(ResolveUserSpec, ShortensLongSpecsInMessages) {
  Db db;
  std::string long_name(100'000, 'z');
  tl::expected<ResolvedUser, std::string> got = db.resolve(long_name);
  ASSERT_FALSE(got.has_value());
  EXPECT_LT(got.error().size(), 200u) << got.error();
  got = db.resolve(long_name + ":x:y");
  ASSERT_FALSE(got.has_value());
  EXPECT_LT(got.error().size(), 200u);
}

TEST(ResolveUserSpec, EmptyDatabaseAllowsOnlyNumericIds) {
  tl::expected<ResolvedUser, std::string> got = resolve_user_spec("42:43", {}, {}, "p", "g");
  ASSERT_TRUE(got.has_value()) << got.error();
  EXPECT_EQ(got->uid, 42u);
  EXPECT_EQ(got->gid, 43u);
  EXPECT_EQ(resolve_user_spec("root", {}, {}, "p", "g").error(), "user 'root' not found in p");
}

}  // namespace
}  // namespace msb::agent
