#include "server/rate_limiter.h"

#include <gtest/gtest.h>

namespace msb::server {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

class FakeClock {
 public:
  RateLimiter::Clock::time_point now() const { return now_; }
  void advance(RateLimiter::Clock::duration by) { now_ += by; }

 private:
  RateLimiter::Clock::time_point now_{seconds(1000)};
};

TEST(RateLimiter, AllowsTheBurstThenRefusesUntilTheBucketRefills) {
  FakeClock clock;
  RateLimiter limiter({.per_second = 2, .burst = 4}, [&] { return clock.now(); });
  for (int i = 0; i < 4; ++i) EXPECT_EQ(limiter.acquire("a"), seconds(0)) << i;
  EXPECT_EQ(limiter.acquire("a"), seconds(1));  // 0.5 s to the next token, rounded up
  clock.advance(milliseconds(500));
  EXPECT_EQ(limiter.acquire("a"), seconds(0));
  EXPECT_EQ(limiter.acquire("a"), seconds(1));
  clock.advance(seconds(60));  // refills to the burst, no more
  for (int i = 0; i < 4; ++i) EXPECT_EQ(limiter.acquire("a"), seconds(0)) << i;
  EXPECT_EQ(limiter.acquire("a"), seconds(1));
}

TEST(RateLimiter, RefusedRequestsAreNotCounted) {
  FakeClock clock;
  RateLimiter limiter({.per_second = 1, .burst = 1}, [&] { return clock.now(); });
  EXPECT_EQ(limiter.acquire("a"), seconds(0));
  for (int i = 0; i < 100; ++i) EXPECT_EQ(limiter.acquire("a"), seconds(1));
  clock.advance(seconds(1));
  EXPECT_EQ(limiter.acquire("a"), seconds(0));
}

TEST(RateLimiter, RetryAfterIsRoundedUpWholeSeconds) {
  FakeClock clock;
  RateLimiter limiter({.per_second = 0.25, .burst = 1}, [&] { return clock.now(); });
  EXPECT_EQ(limiter.acquire("a"), seconds(0));
  EXPECT_EQ(limiter.acquire("a"), seconds(4));
  clock.advance(milliseconds(2500));
  EXPECT_EQ(limiter.acquire("a"), seconds(2));  // 1.5 s left
}

TEST(RateLimiter, KeysHaveBucketsOfTheirOwn) {
  FakeClock clock;
  RateLimiter limiter({.per_second = 1, .burst = 2}, [&] { return clock.now(); });
  EXPECT_EQ(limiter.acquire("a"), seconds(0));
  EXPECT_EQ(limiter.acquire("a"), seconds(0));
  EXPECT_EQ(limiter.acquire("a"), seconds(1));
  EXPECT_EQ(limiter.acquire("b"), seconds(0));
  EXPECT_EQ(limiter.acquire("b"), seconds(0));
}

TEST(RateLimiter, ZeroPerSecondIsNoLimit) {
  RateLimiter limiter({.per_second = 0, .burst = 1});
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(limiter.acquire("a"), seconds(0));
}

}  // namespace
}  // namespace msb::server
