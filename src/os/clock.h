// Clocks: monotonic for timeouts, boottime for "time since the kernel started".
#pragma once

#include <cstdint>

namespace msb::os {

uint64_t monotonic_ns();
// CLOCK_BOOTTIME: in a guest, the time since its kernel started.
uint64_t boottime_ns();
// CLOCK_REALTIME in nanoseconds since the Unix epoch.
uint64_t realtime_ns();

}  // namespace msb::os

namespace msb::os {
// Sets CLOCK_REALTIME (the guest has no RTC; the host tells it the time). Best effort.
void set_realtime_ns(uint64_t ns);
}  // namespace msb::os
