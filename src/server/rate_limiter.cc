#include "server/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace msb::server {

RateLimiter::RateLimiter(Options options, std::function<Clock::time_point()> now)
    : options_(options), now_(std::move(now)) {
  options_.burst = std::max(options_.burst, 1.0);
}

std::chrono::seconds RateLimiter::acquire(const std::string& key) {
  if (options_.per_second <= 0) return std::chrono::seconds(0);
  Clock::time_point now = now_();
  std::lock_guard lock(mutex_);
  // Keys are valid tokens only (checked before), so the map stays as small as their set.
  auto [it, added] = buckets_.try_emplace(key, Bucket{options_.burst, now});
  Bucket& bucket = it->second;
  double elapsed = std::chrono::duration<double>(now - bucket.updated).count();
  bucket.tokens = std::min(options_.burst, bucket.tokens + elapsed * options_.per_second);
  bucket.updated = now;
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1;
    return std::chrono::seconds(0);
  }
  double wait = (1 - bucket.tokens) / options_.per_second;
  return std::chrono::seconds(std::max<int64_t>(1, static_cast<int64_t>(std::ceil(wait))));
}

}  // namespace msb::server
