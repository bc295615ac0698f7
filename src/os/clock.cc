#include "os/clock.h"

#include <time.h>

namespace msb::os {
namespace {

uint64_t read_clock(clockid_t id) {
  timespec ts{};
  ::clock_gettime(id, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000ULL + static_cast<uint64_t>(ts.tv_nsec);
}

}  // namespace

uint64_t monotonic_ns() { return read_clock(CLOCK_MONOTONIC); }
uint64_t boottime_ns() { return read_clock(CLOCK_BOOTTIME); }
uint64_t realtime_ns() { return read_clock(CLOCK_REALTIME); }

}  // namespace msb::os

namespace msb::os {
void set_realtime_ns(uint64_t ns) {
  timespec ts{static_cast<time_t>(ns / 1'000'000'000ULL), static_cast<long>(ns % 1'000'000'000ULL)};
  ::clock_settime(CLOCK_REALTIME, &ts);
}
}  // namespace msb::os
