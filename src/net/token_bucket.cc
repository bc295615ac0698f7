#include "net/token_bucket.h"

#include <algorithm>

namespace msb::net {
namespace {

using Wide = unsigned __int128;
constexpr uint64_t kNanosPerSecond = 1'000'000'000;

}  // namespace

TokenBucket::TokenBucket(uint64_t rate_per_second, uint64_t burst)
    : rate_(std::min(rate_per_second, kMaxTokens)),
      burst_(std::min(burst == 0 ? rate_per_second : burst, kMaxTokens)) {
  level_.tokens = int64_t(burst_);
}

TokenBucket::Level TokenBucket::level_at(std::chrono::steady_clock::time_point now) const {
  if (!started_ || now <= last_ || level_.tokens >= int64_t(burst_)) {
    return level_.tokens >= int64_t(burst_) ? Level{int64_t(burst_), 0} : level_;
  }
  const uint64_t elapsed = uint64_t((now - last_).count());
  // In 1e-9 tokens: what the elapsed time earned plus the fraction left from before.
  const Wide earned = Wide(elapsed) * rate_ + level_.fraction;
  const Wide missing = Wide(int64_t(burst_) - level_.tokens);  // > 0 here
  if (earned / kNanosPerSecond >= missing) return Level{int64_t(burst_), 0};
  return Level{level_.tokens + int64_t(earned / kNanosPerSecond),
               uint64_t(earned % kNanosPerSecond)};
}

bool TokenBucket::can_take(const Level& level, uint64_t amount) const {
  if (amount > burst_) return level.tokens >= int64_t(burst_);
  return level.tokens >= int64_t(amount);
}

bool TokenBucket::try_take(uint64_t amount, std::chrono::steady_clock::time_point now) {
  if (unlimited()) return true;
  amount = std::min(amount, kMaxTokens);
  level_ = level_at(now);
  if (!started_ || now > last_) last_ = now;
  started_ = true;
  if (!can_take(level_, amount)) return false;
  level_.tokens -= int64_t(amount);
  return true;
}

void TokenBucket::spend(uint64_t amount, std::chrono::steady_clock::time_point now) {
  if (unlimited()) return;
  amount = std::min(amount, kMaxTokens);
  level_ = level_at(now);
  if (!started_ || now > last_) last_ = now;
  started_ = true;
  // Bounded below so that no run of frames can overflow the level.
  level_.tokens = std::max(level_.tokens - int64_t(amount), -int64_t(kMaxTokens));
}

std::chrono::nanoseconds TokenBucket::wait_for(uint64_t amount,
                                               std::chrono::steady_clock::time_point now) const {
  if (unlimited()) return std::chrono::nanoseconds(0);
  amount = std::min(amount, kMaxTokens);
  const Level level = level_at(now);
  if (can_take(level, amount)) return std::chrono::nanoseconds(0);
  // Enough for min(amount, burst) tokens: a request over the burst waits for a full bucket.
  const int64_t target = int64_t(std::min(amount, burst_));
  const Wide needed = Wide(target - level.tokens) * kNanosPerSecond - level.fraction;
  const Wide wait = (needed + rate_ - 1) / rate_;
  // Only a tiny rate under a huge debt gets here: centuries, as good as forever.
  if (wait > Wide(std::chrono::nanoseconds::max().count())) return std::chrono::nanoseconds::max();
  return std::chrono::nanoseconds(int64_t(wait));
}

}  // namespace msb::net
