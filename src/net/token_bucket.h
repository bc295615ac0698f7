// A token bucket for the sandbox's rate limits (bytes or packets per second), refilled
// continuously from the caller's clock readings.
#pragma once

#include <chrono>
#include <cstdint>

namespace msb::net {

// Tokens accrue at `rate_per_second` up to `burst`. Time is whatever the caller passes, so
// tests run on simulated time; a reading earlier than the last one counts as no time.
//
// Exact: refills are computed in integers over nanoseconds and the fraction of a token
// left over carries to the next refill, so nothing drifts however often it is called; the
// arithmetic is 128-bit, so no rate up to 2^40 per second (1 TiB/s) overflows.
//
// Debt: a request larger than the burst could never be met, so it is granted when the bucket
// is full and leaves the bucket negative; later requests wait until the debt is paid off.
// A 64 KiB frame under a 10 KiB burst thus still goes, at the average rate.
//
// Not thread-safe.
class TokenBucket {
 public:
  // Rates, bursts and request sizes beyond this are taken as this.
  static constexpr uint64_t kMaxTokens = uint64_t(1) << 40;

  // `rate_per_second` 0 means unlimited; `burst` 0 means one second's worth (the rate).
  // The bucket starts full.
  TokenBucket(uint64_t rate_per_second, uint64_t burst);

  bool unlimited() const { return rate_ == 0; }
  uint64_t rate() const { return rate_; }
  uint64_t burst() const { return burst_; }

  // Takes `amount` tokens if there are that many (or, for more than the burst, if the bucket
  // is full) and returns true; otherwise takes nothing and returns false. Always true when
  // unlimited.
  bool try_take(uint64_t amount, std::chrono::steady_clock::time_point now);
  // Takes `amount` tokens whatever the level, going into debt: for traffic that has already
  // passed (a batch of frames read at once), so that what follows waits for it.
  void spend(uint64_t amount, std::chrono::steady_clock::time_point now);
  // How long from `now` until try_take(amount) would succeed: 0 if it would now.
  std::chrono::nanoseconds wait_for(uint64_t amount,
                                    std::chrono::steady_clock::time_point now) const;

 private:
  struct Level {
    int64_t tokens = 0;     // negative while in debt
    uint64_t fraction = 0;  // of the next token, in 1e-9 tokens (nanosecond·rate units)
  };

  Level level_at(std::chrono::steady_clock::time_point now) const;
  bool can_take(const Level& level, uint64_t amount) const;

  uint64_t rate_;
  uint64_t burst_;
  Level level_;
  std::chrono::steady_clock::time_point last_{};
  bool started_ = false;  // last_ is unset until the first call
};

}  // namespace msb::net
