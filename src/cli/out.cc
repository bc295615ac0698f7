#include "cli/out.h"

#include <time.h>

namespace msb::cli {

void print_error(const Error& error, const std::string& hint) {
  std::string message = error.message;
  while (!message.empty() && message.back() == '\n') message.pop_back();
  fmt::print(stderr, "msb: error: {}\n", message);
  if (!hint.empty()) fmt::print(stderr, "hint: {}\n", hint);
}

std::string utc_time(int64_t ns) {
  if (ns <= 0) return "-";
  time_t seconds = static_cast<time_t>(ns / 1'000'000'000);
  tm parts{};
  gmtime_r(&seconds, &parts);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", parts.tm_year + 1900, parts.tm_mon + 1,
                     parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec);
}

void print_json(const nlohmann::json& json) {
  fmt::print("{}\n", json.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
}

Result<void> check_list_format(const std::string& format) {
  if (format == "table" || format == "json") return {};
  return err(ErrorKind::kInvalidArgument, "--format must be table or json, got '{}'", format);
}

}  // namespace msb::cli
