#include "cli/rate_text.h"

#include <gtest/gtest.h>

namespace msb::cli {
namespace {

TEST(RateText, SizesAreBinary) {
  EXPECT_EQ(parse_size("1500").value(), 1500u);
  EXPECT_EQ(parse_size("512K").value(), 512u * 1024);
  EXPECT_EQ(parse_size("1m").value(), 1u << 20);
  EXPECT_EQ(parse_size("2GiB").value(), 2ull << 30);
  EXPECT_EQ(parse_size("1T").value(), 1ull << 40);
  EXPECT_EQ(parse_size("10B").value(), 10u);
  for (const char* bad :
       {"", "K", "1.5M", "1X", "1MB", "-1", "1 M", "99999999999999999999", "17179869184G"}) {
    Result<uint64_t> size = parse_size(bad);
    ASSERT_FALSE(size.has_value()) << bad;
    EXPECT_EQ(size.error().kind, ErrorKind::kInvalidArgument);
  }
  EXPECT_EQ(parse_size("1X").error().message, "'1X': expected a size such as 1500, 512K or 1M");
}

TEST(RateText, CountsAreDigits) {
  EXPECT_EQ(parse_count("42").value(), 42u);
  EXPECT_FALSE(parse_count("4k").has_value());
  EXPECT_FALSE(parse_count("").has_value());
}

TEST(RateText, RatesScaleToOneSecond) {
  EXPECT_EQ(parse_byte_rate("1M").value(), 1u << 20);
  EXPECT_EQ(parse_byte_rate("1M/1s").value(), 1u << 20);
  EXPECT_EQ(parse_byte_rate("1M/2s").value(), 1u << 19);
  EXPECT_EQ(parse_byte_rate("64K/100ms").value(), 640u * 1024);
  EXPECT_EQ(parse_packet_rate("100/100ms").value(), 1000u);
  EXPECT_EQ(parse_packet_rate("1000").value(), 1000u);
}

TEST(RateText, BadRates) {
  EXPECT_EQ(parse_byte_rate("1M/0s").error().message,
            "'0s': expected a duration such as 1s or 100ms");
  EXPECT_EQ(parse_byte_rate("1M/1h").error().message,
            "'1h': expected a duration such as 1s or 100ms");
  EXPECT_EQ(parse_packet_rate("1/2s").error().message,
            "'1/2s': the rate must be from 1 per second");
  EXPECT_FALSE(parse_byte_rate("0").has_value());
  EXPECT_FALSE(parse_byte_rate("/1s").has_value());
  EXPECT_FALSE(parse_byte_rate("1M/").has_value());
}

}  // namespace
}  // namespace msb::cli
