// The CPU's timestamp counter, and a kernel clock to measure its rate against.
#pragma once

#include <cstdint>

namespace msb::os {

// rdtsc on x86-64; 0 elsewhere.
uint64_t read_cpu_timestamp_counter();
// CLOCK_MONOTONIC_RAW: never slewed by NTP, so it can time the counter.
uint64_t monotonic_raw_ns();

}  // namespace msb::os
