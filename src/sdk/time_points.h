// Conversions between the store's nanosecond timestamps and the SDK's time points.
#pragma once

#include <chrono>
#include <cstdint>

namespace msb::sdk {

inline std::chrono::system_clock::time_point from_ns(int64_t ns) {
  return std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::nanoseconds(ns)));
}

}  // namespace msb::sdk
