#include "net/traffic_pacer.h"

#include <gtest/gtest.h>

namespace msb::net {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

TEST(TrafficPacer, UnlimitedNeverWaits) {
  TrafficPacer pacer(RateLimit{});
  EXPECT_TRUE(pacer.unlimited());
  const auto now = Clock::now();
  for (int i = 0; i < 1000; ++i) pacer.take(65536, now);
  EXPECT_EQ(pacer.wait_for(65536, now).count(), 0);
}

TEST(TrafficPacer, BytesPerSecondHoldsOverTime) {
  TrafficPacer pacer(RateLimit{.bytes_per_second = 1 << 20});
  auto now = Clock::now();
  uint64_t sent = 0;
  const auto end = now + std::chrono::seconds(10);
  while (now < end) {
    if (pacer.wait_for(1500, now).count() == 0) {
      pacer.take(1500, now);
      sent += 1500;
    } else {
      now += pacer.wait_for(1500, now);
    }
  }
  // One burst (a second's worth) plus ten seconds at the rate, within a frame.
  EXPECT_NEAR(double(sent), 11.0 * (1 << 20), 1500.0 * 2);
}

TEST(TrafficPacer, PacketsPerSecondCountFrames) {
  TrafficPacer pacer(RateLimit{.packets_per_second = 10});
  const auto now = Clock::now();
  for (int i = 0; i < 10; ++i) {
    ASSERT_EQ(pacer.wait_for(64, now).count(), 0);
    pacer.take(64, now);
  }
  EXPECT_GT(pacer.wait_for(64, now).count(), 0);
  EXPECT_EQ(pacer.wait_for(64, now + milliseconds(100)).count(), 0);
}

TEST(TrafficPacer, PollTimeoutRoundsUpAndKeepsTheSooner) {
  EXPECT_EQ(poll_timeout_for(std::chrono::microseconds(1), -1), 1);
  EXPECT_EQ(poll_timeout_for(milliseconds(30), 10), 10);
  EXPECT_EQ(poll_timeout_for(milliseconds(5), 10), 5);
}

}  // namespace
}  // namespace msb::net
