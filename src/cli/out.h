// User-facing output of the CLI, kept apart from diagnostics (common/log.h).
#pragma once

#include <fmt/format.h>

#include <string>

#include "common/error.h"

namespace msb::cli {

// "msb: error: <message>" on stderr, plus "hint: <hint>" when given.
void print_error(const Error& error, const std::string& hint = "");

template <class... Args>
void print_info(fmt::format_string<Args...> format, Args&&... args) {
  fmt::print(stderr, "{}\n", fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace msb::cli
