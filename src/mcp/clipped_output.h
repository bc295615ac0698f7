// Clipping what a command printed to what a model should read: the start and, mostly, the
// end (where errors and tracebacks are), with a note of what was left out between.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "microsandbox/exec.h"

namespace msb::mcp {

struct ClippedText {
  std::string text;
  size_t total_bytes = 0;
  bool truncated = false;
};

// `data` when it fits in `limit` bytes; otherwise its first quarter and last three quarters
// of `limit`, cut at UTF-8 character boundaries, joined by "[... N bytes omitted ...]".
ClippedText clip(std::string_view data, size_t limit);

// {stdout, stderr, exitCode, success, [signal], [timedOut], [stdoutTruncated,
// stdoutBytes], [stderrTruncated, stderrBytes]}: the result of the exec tools.
nlohmann::json exec_output_json(const microsandbox::ExecOutput& output, size_t limit);

}  // namespace msb::mcp
