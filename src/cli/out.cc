#include "cli/out.h"

#include "common/utc_time.h"

namespace msb::cli {

void print_error(const Error& error, const std::string& hint) {
  std::string message = error.message;
  while (!message.empty() && message.back() == '\n') message.pop_back();
  fmt::print(stderr, "msb: error: {}\n", message);
  if (!hint.empty()) fmt::print(stderr, "hint: {}\n", hint);
}

std::string utc_time(int64_t ns) {
  if (ns <= 0) return "-";
  return rfc3339_seconds(std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::nanoseconds(ns))));
}

void print_json(const nlohmann::json& json) {
  fmt::print("{}\n", json.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
}

Result<void> check_list_format(const std::string& format) {
  if (format == "table" || format == "json") return {};
  return err(ErrorKind::kInvalidArgument, "--format must be table or json, got '{}'", format);
}

}  // namespace msb::cli
