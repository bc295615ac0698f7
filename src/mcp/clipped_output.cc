#include "mcp/clipped_output.h"

#include <fmt/format.h>

namespace msb::mcp {

namespace {

bool continuation(char byte) { return (static_cast<unsigned char>(byte) & 0xC0) == 0x80; }

// The largest cut <= `at` that does not split a UTF-8 sequence.
size_t back_to_boundary(std::string_view data, size_t at) {
  while (at > 0 && at < data.size() && continuation(data[at])) --at;
  return at;
}

// The smallest cut >= `at` that does not split a UTF-8 sequence.
size_t forward_to_boundary(std::string_view data, size_t at) {
  while (at < data.size() && continuation(data[at])) ++at;
  return at;
}

}  // namespace

ClippedText clip(std::string_view data, size_t limit) {
  ClippedText clipped{std::string(), data.size(), data.size() > limit};
  if (!clipped.truncated) {
    clipped.text = std::string(data);
    return clipped;
  }
  size_t head_end = back_to_boundary(data, limit / 4);
  size_t tail_start = forward_to_boundary(data, data.size() - (limit - limit / 4));
  clipped.text = fmt::format("{}\n[... {} bytes omitted ...]\n{}", data.substr(0, head_end),
                             tail_start - head_end, data.substr(tail_start));
  return clipped;
}

nlohmann::json exec_output_json(const microsandbox::ExecOutput& output, size_t limit) {
  ClippedText out = clip(output.stdout_data, limit);
  ClippedText err = clip(output.stderr_data, limit);
  nlohmann::json result = {{"stdout", out.text},
                           {"stderr", err.text},
                           {"exitCode", output.exit_code},
                           {"success", output.success()}};
  if (output.signal != 0) result["signal"] = output.signal;
  if (output.timed_out) result["timedOut"] = true;
  if (out.truncated) {
    result["stdoutTruncated"] = true;
    result["stdoutBytes"] = out.total_bytes;
  }
  if (err.truncated) {
    result["stderrTruncated"] = true;
    result["stderrBytes"] = err.total_bytes;
  }
  return result;
}

}  // namespace msb::mcp
