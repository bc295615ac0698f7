#include "agent/rlimits.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace msb::agent {
namespace {

struct GoodCase {
  std::string spec;
  RlimitResource resource;
  rlim_t soft;
  rlim_t hard;
};

TEST(ParseResourceLimit, AcceptsEveryResourceAndValueForm) {
  constexpr rlim_t kInf = RLIM_INFINITY;
  std::vector<GoodCase> cases = {
      {"as=1048576", RLIMIT_AS, 1048576, 1048576},
      {"core=0", RLIMIT_CORE, 0, 0},
      {"cpu=10:20", RLIMIT_CPU, 10, 20},
      {"data=unlimited", RLIMIT_DATA, kInf, kInf},
      {"fsize=4096:unlimited", RLIMIT_FSIZE, 4096, kInf},
      {"locks=5", RLIMIT_LOCKS, 5, 5},
      {"memlock=65536", RLIMIT_MEMLOCK, 65536, 65536},
      {"msgqueue=819200", RLIMIT_MSGQUEUE, 819200, 819200},
      {"nice=0:20", RLIMIT_NICE, 0, 20},
      {"nofile=256", RLIMIT_NOFILE, 256, 256},
      {"nproc=100:200", RLIMIT_NPROC, 100, 200},
      {"rss=unlimited:unlimited", RLIMIT_RSS, kInf, kInf},
      {"rtprio=0", RLIMIT_RTPRIO, 0, 0},
      {"rttime=1000000", RLIMIT_RTTIME, 1000000, 1000000},
      {"sigpending=64", RLIMIT_SIGPENDING, 64, 64},
      {"stack=8388608", RLIMIT_STACK, 8388608, 8388608},
      // Names and "unlimited" in any case; leading zeros; the largest number.
      {"NOFILE=0100:0200", RLIMIT_NOFILE, 100, 200},
      {"Stack=UNLIMITED", RLIMIT_STACK, kInf, kInf},
      {"fsize=18446744073709551615", RLIMIT_FSIZE, kInf, kInf},
      {"cpu=5:18446744073709551614", RLIMIT_CPU, 5, 18446744073709551614u},
  };
  for (const GoodCase& c : cases) {
    Result<ResourceLimit> limit = parse_resource_limit(c.spec);
    ASSERT_TRUE(limit.has_value()) << c.spec << ": " << limit.error().message;
    EXPECT_EQ(limit->resource, c.resource) << c.spec;
    EXPECT_EQ(limit->soft, c.soft) << c.spec;
    EXPECT_EQ(limit->hard, c.hard) << c.spec;
    EXPECT_EQ(limit->spec, c.spec);
  }
}

struct BadCase {
  std::string spec;
  std::string why;  // part of the message
};

TEST(ParseResourceLimit, RejectsMalformedEntriesNamingThem) {
  std::vector<BadCase> cases = {
      {"", "expected RESOURCE=SOFT[:HARD]"},
      {"nofile", "expected RESOURCE=SOFT[:HARD]"},
      {"=256", "unknown resource"},
      {"files=256", "unknown resource"},
      {"rlimit_nofile=256", "unknown resource"},
      {" nofile=256", "unknown resource"},
      {"nofile=", "decimal number or 'unlimited'"},
      {"nofile=:5", "decimal number or 'unlimited'"},
      {"nofile=5:", "decimal number or 'unlimited'"},
      {"nofile=-1", "decimal number or 'unlimited'"},
      {"nofile=+5", "decimal number or 'unlimited'"},
      {"nofile=0x10", "decimal number or 'unlimited'"},
      {"nofile=1e3", "decimal number or 'unlimited'"},
      {"nofile= 5", "decimal number or 'unlimited'"},
      {"nofile=5 ", "decimal number or 'unlimited'"},
      {"nofile=infinity", "decimal number or 'unlimited'"},
      {"nofile=1:2:3", "decimal number or 'unlimited'"},
      {"nofile=18446744073709551616", "decimal number or 'unlimited'"},
      {"nofile=99999999999999999999999", "decimal number or 'unlimited'"},
      {"nofile=10:5", "soft limit is above the hard limit"},
      {"nofile=unlimited:5", "soft limit is above the hard limit"},
  };
  for (const BadCase& c : cases) {
    Result<ResourceLimit> limit = parse_resource_limit(c.spec);
    ASSERT_FALSE(limit.has_value()) << c.spec;
    EXPECT_EQ(limit.error().kind, ErrorKind::kInvalidArgument) << c.spec;
    EXPECT_EQ(limit.error().sys_errno, 0) << c.spec;
    EXPECT_NE(limit.error().message.find("'" + c.spec + "'"), std::string::npos)
        << limit.error().message;
    EXPECT_NE(limit.error().message.find(c.why), std::string::npos) << limit.error().message;
  }
}

TEST(ParseResourceLimits, KeepsOrderAndDuplicates) {
  Result<std::vector<ResourceLimit>> limits =
      parse_resource_limits({"nofile=100", "cpu=1:2", "nofile=50"});
  ASSERT_TRUE(limits.has_value()) << limits.error().message;
  ASSERT_EQ(limits->size(), 3u);
  EXPECT_EQ((*limits)[0].resource, RLIMIT_NOFILE);
  EXPECT_EQ((*limits)[1].resource, RLIMIT_CPU);
  EXPECT_EQ((*limits)[2].soft, 50u);
  EXPECT_TRUE(parse_resource_limits({})->empty());
}

TEST(ParseResourceLimits, FailsOnTheFirstBadEntry) {
  Result<std::vector<ResourceLimit>> limits =
      parse_resource_limits({"nofile=100", "bogus=1", "cpu=x"});
  ASSERT_FALSE(limits.has_value());
  EXPECT_NE(limits.error().message.find("'bogus=1'"), std::string::npos) << limits.error().message;
}

}  // namespace
}  // namespace msb::agent
