// User-facing output of the CLI, kept apart from diagnostics (common/log.h).
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "common/error.h"

namespace msb::cli {

// "msb: error: <message>" on stderr, plus "hint: <hint>" when given.
void print_error(const Error& error, const std::string& hint = "");

// "2026-11-28T21:50:48Z"; "-" for 0 or less.
std::string utc_time(int64_t ns);

// Pretty JSON on stdout (invalid UTF-8 replaced).
void print_json(const nlohmann::json& json);

// A list command's --format: "table" or "json"; kInvalidArgument "--format must be table
// or json, got '<format>'" otherwise.
Result<void> check_list_format(const std::string& format);

template <class... Args>
void print_info(fmt::format_string<Args...> format, Args&&... args) {
  fmt::print(stderr, "{}\n", fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace msb::cli
