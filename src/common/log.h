// Diagnostics for host-side components: one named spdlog logger per component.
// Libraries never print to stdout/stderr directly; the default sink is stderr at warn
// level and the CLI or runtime may redirect it (set_log_file) or raise it (set_log_level).
#pragma once

#include <spdlog/spdlog.h>

#include <memory>
#include <string>

namespace msb {

// Returns the logger for `component` ("vm", "cli", ...), creating it on first use.
// Thread-safe.
std::shared_ptr<spdlog::logger> logger(const std::string& component);

// Lines of a log file: "2026-11-28T15:21:29.123456Z <component> <level> <text>".
inline constexpr const char* kLogFilePattern = "%Y-%m-%dT%H:%M:%S.%fZ %n %l %v";

// Sends all loggers to `path` (appending). Thread-safe; returns false if it cannot open.
bool set_log_file(const std::string& path);

void set_log_level(spdlog::level::level_enum level);

}  // namespace msb
