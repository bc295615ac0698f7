#include "net/token_bucket.h"

#include <gtest/gtest.h>

namespace msb::net {
namespace {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;
using std::chrono::seconds;

const std::chrono::steady_clock::time_point kStart{std::chrono::hours(1000)};

TEST(TokenBucket, StartsFullAndRefusesPastTheBurst) {
  TokenBucket bucket(1000, 100);
  EXPECT_TRUE(bucket.try_take(60, kStart));
  EXPECT_TRUE(bucket.try_take(40, kStart));
  EXPECT_FALSE(bucket.try_take(1, kStart));
  EXPECT_EQ(bucket.wait_for(1, kStart), milliseconds(1));
  EXPECT_TRUE(bucket.try_take(1, kStart + milliseconds(1)));
}

TEST(TokenBucket, BurstDefaultsToTheRate) {
  TokenBucket bucket(500, 0);
  EXPECT_EQ(bucket.burst(), 500u);
  EXPECT_TRUE(bucket.try_take(500, kStart));
  EXPECT_FALSE(bucket.try_take(1, kStart));
}

TEST(TokenBucket, DeliversTheRateOverSimulatedTime) {
  TokenBucket bucket(1000, 10);
  uint64_t taken = 0;
  // Ten simulated seconds in 0.1 ms steps: a greedy taker gets the burst plus the rate.
  for (auto now = kStart; now <= kStart + seconds(10); now += std::chrono::microseconds(100)) {
    while (bucket.try_take(1, now)) ++taken;
  }
  EXPECT_EQ(taken, 10u + 10 * 1000);
}

TEST(TokenBucket, CarriesFractionsSoNothingDrifts) {
  // 3 tokens a second, looked at every millisecond: each look earns 0.003 of a token, and
  // none of it may be lost to rounding.
  TokenBucket bucket(3, 1000);
  ASSERT_TRUE(bucket.try_take(1000, kStart));
  for (int ms = 1; ms < 60'000; ++ms)
    ASSERT_FALSE(bucket.try_take(1000, kStart + milliseconds(ms)));
  EXPECT_FALSE(bucket.try_take(180, kStart + seconds(60) - nanoseconds(1)));
  EXPECT_TRUE(bucket.try_take(180, kStart + seconds(60)));
  EXPECT_FALSE(bucket.try_take(1, kStart + seconds(60)));
}

TEST(TokenBucket, WaitForIsExactlyEnough) {
  TokenBucket bucket(7, 7);
  ASSERT_TRUE(bucket.try_take(7, kStart));
  const nanoseconds wait = bucket.wait_for(3, kStart);
  EXPECT_EQ(wait, nanoseconds(428'571'429));  // ceil(3e9 / 7)
  EXPECT_FALSE(bucket.try_take(3, kStart + wait - nanoseconds(1)));
  EXPECT_TRUE(bucket.try_take(3, kStart + wait));
  EXPECT_EQ(bucket.wait_for(0, kStart + wait), nanoseconds(0));
}

TEST(TokenBucket, LetsAnOversizeRequestIntoDebtFromAFullBucket) {
  TokenBucket bucket(1000, 100);
  EXPECT_TRUE(bucket.try_take(150, kStart));  // more than the burst, but the bucket is full
  // 50 tokens of debt: 1 token needs 51 ms.
  EXPECT_EQ(bucket.wait_for(1, kStart), milliseconds(51));
  EXPECT_FALSE(bucket.try_take(1, kStart + milliseconds(50)));
  EXPECT_TRUE(bucket.try_take(1, kStart + milliseconds(51)));
  // Another oversize request waits for the bucket to fill again.
  EXPECT_EQ(bucket.wait_for(150, kStart + milliseconds(51)), milliseconds(100));
  EXPECT_FALSE(bucket.try_take(150, kStart + milliseconds(150)));
  EXPECT_TRUE(bucket.try_take(150, kStart + milliseconds(151)));
}

TEST(TokenBucket, NeverOverfillsAfterALongIdle) {
  TokenBucket bucket(1000, 100);
  ASSERT_TRUE(bucket.try_take(100, kStart));
  EXPECT_TRUE(bucket.try_take(100, kStart + std::chrono::hours(24 * 365)));
  EXPECT_FALSE(bucket.try_take(1, kStart + std::chrono::hours(24 * 365)));
}

TEST(TokenBucket, HandlesTenGibibytesPerSecond) {
  const uint64_t rate = 10ull << 30;
  TokenBucket bucket(rate, 0);
  ASSERT_TRUE(bucket.try_take(rate, kStart));
  EXPECT_FALSE(bucket.try_take(65536, kStart));
  EXPECT_EQ(bucket.wait_for(rate / 2, kStart), milliseconds(500));
  EXPECT_TRUE(bucket.try_take(rate / 2, kStart + milliseconds(500)));
  EXPECT_TRUE(bucket.try_take(rate, kStart + std::chrono::hours(1000)));
}

TEST(TokenBucket, IgnoresTimeGoingBackwards) {
  TokenBucket bucket(1000, 10);
  ASSERT_TRUE(bucket.try_take(10, kStart));
  EXPECT_FALSE(bucket.try_take(1, kStart - seconds(5)));
  EXPECT_TRUE(bucket.try_take(1, kStart + milliseconds(1)));
}

TEST(TokenBucket, UnlimitedAlwaysGrants) {
  TokenBucket bucket(0, 0);
  EXPECT_TRUE(bucket.unlimited());
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(bucket.try_take(1ull << 40, kStart));
  EXPECT_EQ(bucket.wait_for(UINT64_MAX, kStart), nanoseconds(0));
}

}  // namespace
}  // namespace msb::net

namespace msb::net {
namespace {

TEST(TokenBucket, SpendGoesIntoDebtAndLaterRequestsWait) {
  const auto start = std::chrono::steady_clock::now();
  TokenBucket bucket(1000, 1000);
  bucket.spend(3000, start);  // 2000 tokens of debt
  EXPECT_FALSE(bucket.try_take(1, start));
  EXPECT_EQ(bucket.wait_for(1, start), std::chrono::milliseconds(2001));
  EXPECT_TRUE(bucket.try_take(1, start + std::chrono::milliseconds(2001)));
}

TEST(TokenBucket, SpendOnAnUnlimitedBucketIsFree) {
  const auto start = std::chrono::steady_clock::now();
  TokenBucket bucket(0, 0);
  bucket.spend(1 << 30, start);
  EXPECT_EQ(bucket.wait_for(1 << 20, start).count(), 0);
}

}  // namespace
}  // namespace msb::net
