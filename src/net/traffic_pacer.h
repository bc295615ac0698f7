// A rate limit on one direction of a sandbox's traffic: bytes per second and packets per
// second, each a token bucket. Not thread-safe.
#pragma once

#include <chrono>
#include <cstdint>

#include "net/network_config.h"
#include "net/token_bucket.h"

namespace msb::net {

class TrafficPacer {
 public:
  using Clock = std::chrono::steady_clock;
  explicit TrafficPacer(const RateLimit& limit);

  bool unlimited() const { return unlimited_; }
  // How long until a frame of `bytes` may pass (zero: now).
  std::chrono::nanoseconds wait_for(uint64_t bytes, Clock::time_point now) const;
  // Counts a frame of `bytes` that passes, into debt if need be (frames come in batches).
  void take(uint64_t bytes, Clock::time_point now);

 private:
  bool unlimited_;
  TokenBucket bytes_;
  TokenBucket packets_;
};

// Milliseconds to wait for `wait`, rounded up, for a poll timeout (-1 stays "none").
int poll_timeout_for(std::chrono::nanoseconds wait, int timeout_ms);

}  // namespace msb::net
