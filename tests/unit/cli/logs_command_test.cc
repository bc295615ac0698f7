#include "cli/logs_command.h"

#include <gtest/gtest.h>

namespace msb::cli {
namespace {

constexpr int64_t kSecond = 1'000'000'000;
constexpr int64_t kNow = 1'800'000'000 * kSecond;

TEST(ParseLogTime, DurationsCountBackFromNow) {
  EXPECT_EQ(parse_log_time("30s", kNow).value(), kNow - 30 * kSecond);
  EXPECT_EQ(parse_log_time("5m", kNow).value(), kNow - 300 * kSecond);
  EXPECT_EQ(parse_log_time("2h", kNow).value(), kNow - 7200 * kSecond);
  EXPECT_EQ(parse_log_time("1d", kNow).value(), kNow - 86400 * kSecond);
}

TEST(ParseLogTime, ReadsRfc3339Utc) {
  EXPECT_EQ(parse_log_time("1970-01-02T00:00:00Z", kNow).value(), 86400 * kSecond);
  EXPECT_EQ(parse_log_time("2026-11-28T15:00:00Z", kNow).value(), 1'795'878'000 * kSecond);
}

TEST(ParseLogTime, RejectsAnythingElseWithAHint) {
  for (const char* text :
       {"", "5", "5x", "yesterday", "2026-11-28", "2026-11-28T15:00:00+02:00x"}) {
    Result<int64_t> parsed = parse_log_time(text, kNow);
    ASSERT_FALSE(parsed.has_value()) << text;
    EXPECT_EQ(parsed.error().kind, ErrorKind::kInvalidArgument);
    EXPECT_NE(parsed.error().message.find("RFC 3339"), std::string::npos);
  }
}

}  // namespace
}  // namespace msb::cli
