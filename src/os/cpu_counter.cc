#include "os/cpu_counter.h"

#include <time.h>

#if defined(__x86_64__)
#include <x86intrin.h>
#endif

namespace msb::os {

uint64_t read_cpu_timestamp_counter() {
#if defined(__x86_64__)
  return __rdtsc();
#else
  return 0;
#endif
}

uint64_t monotonic_raw_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000ULL + static_cast<uint64_t>(ts.tv_nsec);
}

}  // namespace msb::os
