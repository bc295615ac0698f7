// RateLimiter: the request rate per bearer token, as a token bucket per key. A key gets
// `burst` requests at once, then `per_second` more each second.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>

namespace msb::server {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  struct Options {
    double per_second = 200;  // 0: no limit
    double burst = 400;
  };

  // `now` is the clock (a fake one in tests).
  explicit RateLimiter(Options options, std::function<Clock::time_point()> now = Clock::now);

  // Counts one request of `key`. Zero when it may go on; otherwise it is refused (and not
  // counted), and the result is how long until the key may send again, in whole seconds
  // rounded up (at least 1). Thread-safe.
  std::chrono::seconds acquire(const std::string& key);

  const Options& options() const { return options_; }

 private:
  struct Bucket {
    double tokens;
    Clock::time_point updated;
  };
  Options options_;
  std::function<Clock::time_point()> now_;
  std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;  // GUARDED_BY(mutex_)
};

}  // namespace msb::server
