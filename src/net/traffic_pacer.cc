#include "net/traffic_pacer.h"

#include <algorithm>

namespace msb::net {

TrafficPacer::TrafficPacer(const RateLimit& limit)
    : unlimited_(limit.unlimited()),
      bytes_(limit.bytes_per_second, limit.burst_bytes),
      packets_(limit.packets_per_second, limit.burst_packets) {}

std::chrono::nanoseconds TrafficPacer::wait_for(uint64_t bytes, Clock::time_point now) const {
  if (unlimited_) return {};
  return std::max(bytes_.wait_for(bytes, now), packets_.wait_for(1, now));
}

void TrafficPacer::take(uint64_t bytes, Clock::time_point now) {
  if (unlimited_) return;
  bytes_.spend(bytes, now);
  packets_.spend(1, now);
}

int poll_timeout_for(std::chrono::nanoseconds wait, int timeout_ms) {
  const int wait_ms = int(std::chrono::ceil<std::chrono::milliseconds>(wait).count());
  return timeout_ms < 0 ? wait_ms : std::min(timeout_ms, wait_ms);
}

}  // namespace msb::net
