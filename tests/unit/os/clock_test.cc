#include "os/clock.h"

#include <gtest/gtest.h>

#include <chrono>
#include <ctime>
#include <thread>

namespace msb::os {
namespace {

// set_realtime_ns is left untested here: it would change the host's clock.

TEST(Clock, MonotonicAdvancesAcrossASleep) {
  uint64_t before = monotonic_ns();
  std::this_thread::sleep_for(std::chrono::milliseconds(10));
  uint64_t after = monotonic_ns();
  EXPECT_GE(after - before, 9'000'000u);
}

TEST(Clock, BoottimeIsNeverBehindMonotonic) {
  uint64_t monotonic = monotonic_ns();
  EXPECT_GE(boottime_ns(), monotonic);
}

TEST(Clock, RealtimeMatchesTheWallClock) {
  uint64_t seconds = realtime_ns() / 1'000'000'000ULL;
  uint64_t wall = static_cast<uint64_t>(std::time(nullptr));
  EXPECT_LE(seconds > wall ? seconds - wall : wall - seconds, 1u);
}

}  // namespace
}  // namespace msb::os
