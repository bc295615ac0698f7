#include "common/utc_time.h"

#include <fmt/format.h>

#include <ctime>

namespace msb {

namespace {

std::string format_utc(std::chrono::system_clock::time_point time, bool millis) {
  using namespace std::chrono;
  int64_t ms = duration_cast<milliseconds>(time.time_since_epoch()).count();
  // Floor division, so a time before the epoch still names the right second.
  int64_t whole_seconds = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
  std::time_t seconds = static_cast<std::time_t>(whole_seconds);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  std::string text = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", utc.tm_year + 1900,
                                 utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec);
  if (millis) text += fmt::format(".{:03}", ms - whole_seconds * 1000);
  return text + "Z";
}

}  // namespace

std::string rfc3339_millis(std::chrono::system_clock::time_point time) {
  return format_utc(time, true);
}

std::string rfc3339_seconds(std::chrono::system_clock::time_point time) {
  return format_utc(time, false);
}

}  // namespace msb
