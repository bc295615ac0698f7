// Times as RFC 3339 text in UTC, the one format of every time we show or send.
#pragma once

#include <chrono>
#include <string>

namespace msb {

// "2026-12-08T02:30:00.123Z" (milliseconds, truncated).
std::string rfc3339_millis(std::chrono::system_clock::time_point time);
// "2026-12-08T02:30:00Z".
std::string rfc3339_seconds(std::chrono::system_clock::time_point time);

}  // namespace msb
