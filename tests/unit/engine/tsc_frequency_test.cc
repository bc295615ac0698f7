#include "engine/vm/tsc_frequency.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "os/file.h"

namespace msb::engine::vm {
namespace {

TEST(TscCache, RoundTripsForTheSameBoot) {
  std::string text = format_tsc_cache("0b6f-boot", 2445432);
  EXPECT_EQ(text, "0b6f-boot 2445432\n");
  EXPECT_EQ(parse_tsc_cache(text, "0b6f-boot"), 2445432u);
}

TEST(TscCache, AnotherBootMeansMeasureAgain) {
  EXPECT_EQ(parse_tsc_cache("old-boot 2445432\n", "new-boot"), std::nullopt);
  EXPECT_EQ(parse_tsc_cache("old-boot 2445432\n", ""), std::nullopt);
}

TEST(TscCache, DamagedOrImplausibleContentIsIgnored) {
  for (const char* text : {"", "boot", "boot ", "boot x", "boot 12abc", "boot -5", "boot 99",
                           "boot 99999999999", "boot 2445432 extra"}) {
    EXPECT_EQ(parse_tsc_cache(text, "boot"), std::nullopt) << text;
  }
}

#if defined(__x86_64__)
TEST(TscMeasure, GivesAPlausibleCpuClock) {
  std::optional<uint64_t> khz = measure_tsc_khz(10);
  ASSERT_TRUE(khz.has_value());
  EXPECT_GE(*khz, 100'000u);
  EXPECT_LE(*khz, 10'000'000u);
  // Two measurements agree to within 1 % (the counter is steady when the kernel trusts it).
  std::optional<uint64_t> again = measure_tsc_khz(10);
  ASSERT_TRUE(again.has_value());
  EXPECT_NEAR(static_cast<double>(*again), static_cast<double>(*khz), *khz / 100.0);
}

TEST(TscHost, CachesTheRateForThisBoot) {
  Result<os::TempDir> dir = os::TempDir::create("msb-tsc-test-");
  ASSERT_TRUE(dir.has_value());
  Result<std::string> clocksource =
      os::read_file("/sys/devices/system/clocksource/clocksource0/current_clocksource");
  bool tsc_host = clocksource && clocksource->rfind("tsc", 0) == 0;
  std::optional<uint64_t> khz = host_tsc_khz(dir->path());
  if (!tsc_host) {
    // The host kernel does not trust its TSC: neither do we.
    EXPECT_EQ(khz, std::nullopt);
    return;
  }
  ASSERT_TRUE(khz.has_value());
  Result<std::string> cached = os::read_file(dir->path() + "/tsc-khz");
  ASSERT_TRUE(cached.has_value());
  EXPECT_NE(cached->find(" " + std::to_string(*khz)), std::string::npos);
  // A planted value for this boot is what the next call returns: no second measurement.
  std::string boot_id = cached->substr(0, cached->find(' '));
  ASSERT_TRUE(os::write_file(dir->path() + "/tsc-khz", format_tsc_cache(boot_id, 1234567)));
  EXPECT_EQ(host_tsc_khz(dir->path()), 1234567u);
}
#endif

}  // namespace
}  // namespace msb::engine::vm
